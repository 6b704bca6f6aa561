"""Queue consumers, event subscribers and workers that hand their stopping token to another class are not
scheduled work (field test D6-D8): what OQJ001 says about them, the reason migrate-worker leaves them alone with,
the queue or event source OQJ010 leaves them, and the shutdown wait OQJ007 does not report. Real parser, real
CLI, real fixtures; the look-alikes that are schedules stay schedules."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, run_cli
from gitrepo import make_repo
from oqmigrate import syntax
from oqmigrate.analyse.consumers import ConsumerKind, find_consumer
from oqmigrate.model import analyse

SHAPES = FIXTURES / "rules" / "OQJ001" / "bad" / "queue_consumers_and_subscribers.cs"
KINDS = {  # class → (kind, its evidence as quoted)
    "ReceiptPrinter": (ConsumerKind.QUEUE, "foreach over _receipts.GetConsumingEnumerable(stoppingToken)"),
    "ThumbnailPump": (ConsumerKind.QUEUE, "a loop on await _pending.WaitToReadAsync(stoppingToken)"),
    "TicketRouter": (ConsumerKind.QUEUE, "each round waits in _tickets.DequeueAsync(stoppingToken) for the next item"),
    "PriceRelay": (ConsumerKind.SUBSCRIBER, "_feed.PriceChanged += OnPriceChanged"),
    "QuoteListener": (ConsumerKind.SUBSCRIBER, '_feed.Subscribe("CNTS", …)'),
    "InboxSyncHost": (ConsumerKind.DELEGATING,
                      "scope.ServiceProvider.GetRequiredService<IInboxSync>().RunAsync(stoppingToken)"),
    "TicketSweeper": (None, None),
}
SOURCES = {"ReceiptPrinter": {"_receipts"}, "ThumbnailPump": {"_pending"}, "TicketRouter": {"_tickets"},
           "PriceRelay": {"_feed"}, "QuoteListener": {"_feed"}, "InboxSyncHost": set()}


def _consumers(data: bytes) -> dict:
    model = analyse(syntax.parse(data))
    return {c.name: find_consumer(c, model) for c in model.classes if c.kind == "worker"}


def _scan(path, *args) -> list[dict]:
    code, out, err = run_cli("scan", path.name, "--format", "json", *args, cwd=path.parent)
    assert "Traceback" not in err, err
    return json.loads(out)["findings"]


def test_each_shape_is_told_apart():
    found = _consumers(SHAPES.read_bytes())
    assert {name: (c.kind, c.evidence) if c else (None, None) for name, c in found.items()} == KINDS
    assert {name: set(c.sources) for name, c in found.items() if c} == SOURCES


def test_oqj001_says_what_each_worker_is():
    messages = {f["symbol"]: f["message"] for f in _scan(SHAPES) if f["rule_id"] == "OQJ001"}
    for name, (kind, evidence) in KINDS.items():
        message = messages[name]
        assert "does its work once at start-up" not in message
        if kind in (ConsumerKind.QUEUE, ConsumerKind.SUBSCRIBER):
            assert f"is {'an event subscriber' if kind is ConsumerKind.SUBSCRIBER else 'a queue consumer'} " \
                   f"({evidence}): it runs until shutdown and is not scheduled work" in message
            assert "it can stay an IHostedService (Oqtane registers every IHostedService of a module assembly " \
                   "from 3.2.1)" in message
            assert "// oqmigrate-ignore OQJ001: <reason>" in message
        elif kind is ConsumerKind.DELEGATING:
            assert f"it hands its stopping token to {evidence}, a method of another class" in message
            for step in ("IServerStartup", "one pass of its loop into an Oqtane job", "the worker can stay"):
                assert step in message
        else:  # the queue it polls every 30 seconds is a schedule
            assert message.endswith("Oqtane runs scheduled work only as a HostedServiceBase job")


def test_before_3_2_1_a_worker_that_stays_needs_its_registration():
    messages = [f["message"] for f in _scan(SHAPES, "--oqtane-version", "3.0.2")
                if f["rule_id"] == "OQJ001" and f["symbol"] in ("ReceiptPrinter", "PriceRelay")]
    assert len(messages) == 2
    for message in messages:
        assert ("on Oqtane 3.0.2 register it with AddHostedService in an IServerStartup; from 3.2.1 Oqtane "
                "registers every IHostedService of a module assembly itself") in message


def test_migrate_worker_leaves_them_with_the_next_step(tmp_path):
    repo = make_repo(tmp_path / "repo", {"Workers.cs": SHAPES.read_bytes()})
    code, out, err = run_cli("diff", ".", "--no-progress", cwd=repo)
    assert "Traceback" not in err
    manual = [line.strip() for line in err.splitlines() if line.startswith("  Workers.cs:")]
    reasons = {line.split(" ", 2)[1].rstrip(":"): line.split(": ", 1)[1] for line in manual}
    for name in ("ReceiptPrinter", "ThumbnailPump", "TicketRouter"):
        assert reasons[name].startswith(f"a queue consumer ({KINDS[name][1]}): it waits for items until shutdown, "
                                        "not on a schedule, so it is not migrated to a job; keep it as an "
                                        "IHostedService")
    for name in ("PriceRelay", "QuoteListener"):
        assert reasons[name].startswith(f"an event subscriber ({KINDS[name][1]}): its handler runs when the event "
                                        "is raised, not on a schedule")
    assert reasons["InboxSyncHost"].startswith(f"no loop, timer or event of its own: ExecuteAsync hands the stopping "
                                               f"token to {KINDS['InboxSyncHost'][1]}")
    assert "no repeating loop found" not in err and "not a PeriodicTimer" not in err
    # the schedule among them is migrated
    assert code == 1 and "class TicketSweeper : HostedServiceBase" in out


def test_fixable_is_false_for_them_and_true_for_the_schedule():
    fixable = {f["symbol"]: f["fixable"] for f in _scan(SHAPES) if f["rule_id"] == "OQJ001"}
    assert fixable == {name: name == "TicketSweeper" for name in KINDS}


SUBSCRIBER = b"""using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

namespace Litware.Module.Chat.Services
{
    public interface IChatBus
    {
        event EventHandler<string> MessagePosted;
    }

    // oqmigrate-ignore OQJ001: an event subscriber, not scheduled work; Oqtane registers it
    public class ChatRelay : BackgroundService
    {
        private readonly IChatBus _bus;

        public ChatRelay(IChatBus bus)
        {
            _bus = bus;
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            _bus.MessagePosted += OnPosted;
            await Task.Delay(Timeout.Infinite, stoppingToken);
        }

        private void OnPosted(object sender, string text)
        {
            Console.WriteLine(text);
        }
    }
}
"""


def test_a_subscriber_suppressed_with_its_reason_leaves_nothing_to_do(tmp_path):
    """No OQJ010 on the bus it keeps, no OQJ007 on its shutdown wait: the suppression is all it takes."""
    repo = make_repo(tmp_path / "repo", {"ChatRelay.cs": SUBSCRIBER})
    code, out, err = run_cli("scan", ".", "--format", "json", "--no-progress", cwd=repo)
    report = json.loads(out)
    assert (code, report["findings"]) == (0, []), err
    code, out, err = run_cli("diff", ".", "--no-progress", cwd=repo)
    assert (code, out) == (0, ""), err
    assert "manual follow-ups" not in err


@pytest.mark.parametrize("body,why", [
    ("while (!stoppingToken.IsCancellationRequested) { var n = await _queue.TakeAsync(stoppingToken); "
     "await Task.Delay(1000, stoppingToken); }", "a loop that waits between rounds is a schedule"),
    ("while (!stoppingToken.IsCancellationRequested) { var n = await _queue.TakeAsync(CancellationToken.None); }",
     "a call not given the stopping token is not proven to wait for an item"),
    ("while (_running) { var n = await _queue.TakeAsync(stoppingToken); }",
     "a loop on other state is not proven to run until shutdown"),
    ("await Task.Delay(Timeout.Infinite, stoppingToken);", "only waiting is not consuming"),
    ("_queue.Changed += OnChanged; while (!stoppingToken.IsCancellationRequested) { Console.WriteLine(1); "
     "await Task.Delay(5000, stoppingToken); }", "a subscription next to a polling loop is still a schedule"),
    ("await DrainAsync(stoppingToken);", "a method of the class itself is not another class's work"),
])
def test_look_alikes_are_not_consumers(body, why):
    source = f"""using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

public interface IWorkQueue {{ Task<int> TakeAsync(CancellationToken token); event EventHandler Changed; }}

public class Pump : BackgroundService
{{
    private readonly IWorkQueue _queue;
    private bool _running = true;

    public Pump(IWorkQueue queue) {{ _queue = queue; }}

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {{
        {body}
    }}

    private Task DrainAsync(CancellationToken token) => Task.CompletedTask;

    private void OnChanged(object sender, EventArgs e) {{ }}
}}
""".encode()
    assert _consumers(source) == {"Pump": None}, why


def test_rule_fixtures_for_sources_and_shutdown_waits(tmp_path):
    keeps = FIXTURES / "rules" / "OQJ010" / "good" / "consumer_keeps_its_queue_and_bus.cs"
    assert [f for f in _scan(keeps) if f["rule_id"] == "OQJ010"] == []
    kept = FIXTURES / "rules" / "OQJ010" / "bad" / "consumer_keeps_a_tenant_repository.cs"
    [found] = [f for f in _scan(kept) if f["rule_id"] == "OQJ010"]
    assert "create a scope per item or message (IServiceScopeFactory)" in found["message"]
    assert "in each run" not in found["message"]
    wait = FIXTURES / "rules" / "OQJ007" / "good" / "shutdown_wait_in_event_worker.cs"
    assert [f for f in _scan(wait) if f["rule_id"] == "OQJ007"] == []
