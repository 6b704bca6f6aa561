"""migrate-worker: the fixtures are the specification.

Each `fixtures/migrate-worker/<case>.before.cs` is migrated and compared byte for byte with `<case>.after.cs`;
a `.before.cs` without an `.after.cs` must produce no edits. Every output also re-parses cleanly, is stable
under a second run, leaves the bytes outside the rewritten class and the using block alone, and compiles with
mcs against the API stubs (fixtures written in C# 8+ syntax are listed in NEWER_SYNTAX and skip only that).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from csharp_compiler import compile_csharp, find_mcs
from oqmigrate import syntax
from oqmigrate.edits import apply_edits
from oqmigrate.analyse.blockers import Blocker, BlockerKind
from oqmigrate.analyse.partial_worker import parts_of as info_parts
from oqmigrate.analyse.worker import Driver, analyse_worker
from oqmigrate.model import TypeTable, analyse
from oqmigrate.transforms import FollowUpKind, TransformContext
from oqmigrate.transforms.migrate_worker import migrate_worker

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "migrate-worker"
CASES = sorted(p.name[: -len(".before.cs")] for p in FIXTURES.glob("*.before.cs"))

# Fixtures whose source needs a newer C# than mcs understands (it stops at 7.2), with the construct.
NEWER_SYNTAX = {
    "periodic_timer_using_target_typed": "`using` declaration (C# 8), target-typed `new(…)` (C# 9), file-scoped "
                                         "namespace (C# 10)",
    "file_scoped_namespace": "file-scoped namespace and `await using` (C# 8/10)",
    "periodic_timer_using_var": "`using var` declaration (C# 8)",
    "helper_using_var_scope_then_logger": "`using var` declaration (C# 8)",
    "primary_constructor_using_var": "primary constructor (C# 12), `using var` (C# 8), file-scoped namespace",
    "primary_constructor_logger_field": "primary constructor (C# 12)",
    "primary_constructor_class_doc_params": "primary constructor (C# 12)",
    "primary_constructor_options_settings": "primary constructor (C# 12), file-scoped namespace (C# 10); the "
                                            "options class and the data source are in other files",
}
# ... and whose migrated output still does (the construct lies outside the rewritten code).
NEWER_SYNTAX_AFTER = {"file_scoped_namespace", "periodic_timer_using_target_typed", "primary_constructor_using_var", "primary_constructor_options_settings"}


def _context(data: bytes, rel: str = "Worker.cs", only: str | None = None) -> TransformContext:
    tree = syntax.parse(data)
    newline = "\r\n" if b"\r\n" in data else "\n"
    indent = "\t" if b"\n\t" in data else "    "
    return TransformContext(rel, data, tree, analyse(tree), newline, indent, only=only)


def _migrate(data: bytes, only: str | None = None):
    result = migrate_worker(_context(data, only=only))
    return result, apply_edits(data, result.edits)


@pytest.fixture(params=CASES, ids=[f"migrate-worker/{c}" for c in CASES])
def case(request):
    before = FIXTURES / f"{request.param}.before.cs"
    after = FIXTURES / f"{request.param}.after.cs"
    return request.param, before, after if after.exists() else None


def test_fixture_count():
    pairs = [c for c in CASES if (FIXTURES / f"{c}.after.cs").exists()]
    assert len(pairs) >= 35
    assert len(CASES) > len(pairs), "there must be cases that stay unchanged"


def test_output_matches_fixture(case):
    name, before, after = case
    data = before.read_bytes()
    result, out = _migrate(data)
    if after is None:
        assert result.edits == [], f"{name} must stay unchanged"
        assert result.migrated == []
        assert result.manual, f"{name}: an unchanged worker is reported as a manual follow-up"
        return
    assert out.decode("utf-8") == after.read_bytes().decode("utf-8")
    assert result.migrated


def test_output_reparses_cleanly(case):
    _, before, after = case
    if after is None:
        pytest.skip("unchanged case")
    _, out = _migrate(before.read_bytes())
    assert syntax.syntax_problems(syntax.parse(out)) == []


def test_second_run_changes_nothing(case):
    _, before, after = case
    _, out = _migrate(before.read_bytes())
    again, _ = _migrate(out)
    assert again.edits == []


def test_bytes_outside_class_and_usings_unchanged(case):
    _, before, after = case
    data = before.read_bytes()
    result, out = _migrate(data)
    class_edits = [e for e in result.edits if e.note != "usings"]
    if not class_edits:
        assert out == data
        return
    first = min(e.start_byte for e in class_edits)
    last = max(e.end_byte for e in class_edits)
    tail = data[last:]
    assert out.endswith(tail)
    using_edits = [e for e in result.edits if e.note == "usings"]
    head_end = min([first] + [e.start_byte for e in using_edits])
    assert out[:head_end] == data[:head_end]
    if using_edits:
        u = using_edits[0]
        shift = len(u.new_text.encode()) - (u.end_byte - u.start_byte)
        assert out[u.end_byte + shift: first + shift] == data[u.end_byte:first]


needs_mcs = pytest.mark.skipif(find_mcs() is None, reason="mcs (Debian mono-mcs) is not installed: C# compile "
                                                          "checks skipped")


@needs_mcs
def test_before_compiles(case):
    name, before, _ = case
    if name in NEWER_SYNTAX:
        pytest.skip(f"{name}: {NEWER_SYNTAX[name]} is beyond mcs")
    r = compile_csharp([before])
    assert r.ok, r.output


@needs_mcs
def test_after_compiles(case):
    name, _, after = case
    if after is None:
        pytest.skip("unchanged case")
    if name in NEWER_SYNTAX_AFTER:
        pytest.skip(f"{name}: {NEWER_SYNTAX[name]} is beyond mcs")
    r = compile_csharp([after])
    assert r.ok, r.output


def test_only_restricts_to_one_class():
    data = (FIXTURES / "two_workers_one_file.before.cs").read_bytes()
    result, _ = _migrate(data, only="ReportMailer")
    assert result.migrated == ["ReportMailer"]


def test_crlf_file_keeps_crlf():
    data = (FIXTURES / "background_loop_scope.before.cs").read_bytes().replace(b"\n", b"\r\n")
    expected = (FIXTURES / "background_loop_scope.after.cs").read_bytes().replace(b"\n", b"\r\n")
    _, out = _migrate(data)
    assert out == expected


def test_tabs_file_keeps_tabs():
    data = (FIXTURES / "background_loop_scope.before.cs").read_bytes().replace(b"    ", b"\t")
    expected = (FIXTURES / "background_loop_scope.after.cs").read_bytes().replace(b"    ", b"\t")
    _, out = _migrate(data)
    assert out == expected


def test_syntax_error_in_class_means_no_edits():
    data = (FIXTURES / "background_loop_scope.before.cs").read_bytes().replace(b"var purged =", b"var purged = = (")
    result, out = _migrate(data)
    assert out == data
    assert any("syntax" in m.reason for m in result.manual)


def test_review_notes_are_reported():
    data = (FIXTURES / "sub_minute_delay.before.cs").read_bytes()
    result, _ = _migrate(data)
    assert any("once a minute" in m.reason for m in result.manual)
    assert any("once a minute" in e.note for e in result.edits)


def test_configuration_enabled_worker_is_reported():
    data = (FIXTURES / "options_enabled_flag.before.cs").read_bytes()
    result, _ = _migrate(data)
    assert result.migrated == ["GalleryCleanupWorker"]
    assert [m.reason for m in result.manual] == [
        ONCE_PER_TENANT.format("IGalleryStore"),
        "the worker was enabled by configuration; enable the job in Admin › Scheduled Jobs"]


def test_removed_write_only_fields_are_reported():
    data = (FIXTURES / "write_only_state_fields.before.cs").read_bytes()
    result, _ = _migrate(data)
    reported = {m.reason.split()[2] for m in result.manual if "only written" in m.reason and m.kind is FollowUpKind.REVIEW}
    assert reported == {"_runCount", "_lastRun", "_lastFlagged"}


def test_polled_clock_in_local_time_asks_to_check_the_hour():
    data = (FIXTURES / "polled_clock_weekly_local_flag.before.cs").read_bytes()
    result, out = _migrate(data)
    assert any("local time" in m.reason and "check the hour" in m.reason for m in result.manual)
    assert b"_lastSent" not in out and b"DateTime.Now" not in out


@pytest.mark.parametrize("loop_body,reason", [
    ("if (DateTime.UtcNow >= _nextRun) { Work(); _nextRun = DateTime.UtcNow.AddHours(1); } Work();",
     "every poll"),
    ("if (DateTime.UtcNow >= _nextRun && _ready) { Work(); _nextRun = DateTime.UtcNow.AddHours(1); }",
     "combined"),
    ("if (DateTime.UtcNow >= _nextRun) { Work(); }", "not advanced"),
    ("var now = DateTime.UtcNow; if (now.Hour >= 2) { Work(); }", "no once-a-day guard"),
    ("var now = DateTime.UtcNow; if (now.Hour < 6 && now.Minute == 0) { Work(); }", "cannot express"),
    ("if (DateTime.UtcNow.Minute % 15 == 0) { Work(); }", "cannot express"),
    ("var now = DateTime.UtcNow; if (now.Hour == 2 && now.Minute == 0) { Work(); } else { Idle(); }", "else"),
    ("var now = DateTime.UtcNow; if (now.Hour != 2 && now.Minute != 0) continue; Work();", "cannot express"),
    ("var now = DateTime.UtcNow; if (now.Hour != 2 || !_ready) continue; Work();", "cannot express"),
    ("var now = DateTime.UtcNow; Idle(); if (now.Hour != 2 || now.Minute != 0) continue; Work();", "every poll"),
    ("if (DateTime.UtcNow.Hour != 3) { continue; } Work();", "whole hour"),
])
def test_polled_schedules_that_stay_manual(loop_body, reason):
    src = ("using System; using System.Threading; using System.Threading.Tasks; using Microsoft.Extensions.Hosting;\n"
           "public class PollWorker : BackgroundService {\n"
           "    private DateTime _nextRun = DateTime.MinValue;\n    private bool _ready;\n"
           "    protected override async Task ExecuteAsync(CancellationToken stoppingToken) {\n"
           "        while (!stoppingToken.IsCancellationRequested) {\n"
           f"            {loop_body}\n"
           "            await Task.Delay(TimeSpan.FromSeconds(30), stoppingToken);\n        }\n    }\n"
           "    private void Work() { }\n    private void Idle() { }\n}\n").encode()
    result, out = _migrate(src)
    assert out == src
    assert len(result.manual) == 1 and reason in result.manual[0].reason, result.manual


def _poll_worker(loop_body: str) -> bytes:
    return ("using System; using System.Threading; using System.Threading.Tasks; using Microsoft.Extensions.Hosting;\n"
            "public class PollWorker : BackgroundService {\n"
            "    protected override async Task ExecuteAsync(CancellationToken stoppingToken) {\n"
            "        while (!stoppingToken.IsCancellationRequested) {\n"
            f"            {loop_body}\n"
            "        }\n    }\n"
            "    private bool Ready() { return true; }\n    private void Work() { }\n}\n").encode()


def test_sub_minute_conditional_wait_is_dropped_with_a_note():
    src = _poll_worker("if (!Ready()) { await Task.Delay(10000, stoppingToken); continue; } Work(); "
                       "await Task.Delay(TimeSpan.FromMinutes(5), stoppingToken);")
    result, out = _migrate(src)
    assert b"Task.Delay" not in out and b"ExecuteJob(IServiceProvider" in out
    assert b"Interval = 5;" in out
    assert any("when !Ready() the worker looped again after 10 s" in m.reason and "once a minute" in m.reason
               for m in result.manual), result.manual


def test_wait_between_pieces_of_work_is_not_pacing():
    src = _poll_worker("if (!Ready()) { await Task.Delay(10000, stoppingToken); Work(); } Work(); "
                       "await Task.Delay(TimeSpan.FromMinutes(5), stoppingToken);")
    _, out = _migrate(src)
    assert b"await Task.Delay(10000, CancellationToken.None);" in out


def test_wait_followed_by_more_work_in_the_loop_is_kept():
    src = _poll_worker("if (!Ready()) { await Task.Delay(10000, stoppingToken); } Work(); "
                       "await Task.Delay(TimeSpan.FromMinutes(5), stoppingToken);")
    _, out = _migrate(src)
    assert b"await Task.Delay(10000, CancellationToken.None);" in out


def test_cadence_is_the_last_top_level_wait():
    src = _poll_worker("await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken); Work(); "
                       "await Task.Delay(TimeSpan.FromMinutes(15), stoppingToken);")
    _, out = _migrate(src)
    assert b"Interval = 15;" in out


def _timer_service(start_body: str) -> bytes:
    return ("using System; using System.Threading; using System.Threading.Tasks; using Microsoft.Extensions.Hosting;\n"
            "using Microsoft.Extensions.Options;\n"
            "public class SyncOptions { public bool Enabled { get; set; } }\n"
            "public class SyncService : IHostedService, IDisposable {\n"
            "    private readonly IOptions<SyncOptions> _options;\n    private readonly IHostEnvironment _env;\n"
            "    private Timer _timer;\n"
            "    public SyncService(IOptions<SyncOptions> options, IHostEnvironment env) { _options = options; _env = env; }\n"
            f"    public Task StartAsync(CancellationToken cancellationToken) {{ {start_body} }}\n"
            "    private void Tick(object state) { Sync(); }\n    private void Sync() { }\n"
            "    public Task StopAsync(CancellationToken cancellationToken) { _timer?.Change(Timeout.Infinite, 0); "
            "return Task.CompletedTask; }\n"
            "    public void Dispose() { _timer?.Dispose(); }\n}\n").encode()


def test_timer_started_only_when_configured_becomes_a_disabled_job():
    src = _timer_service("if (_options.Value.Enabled) { _timer = new Timer(Tick, null, 0, 60000); } "
                         "return Task.CompletedTask;")
    result, out = _migrate(src)
    assert result.migrated == ["SyncService"]
    assert b"IsEnabled = false;" in out
    assert b"Microsoft.Extensions.Options" not in out


@pytest.mark.parametrize("start_body", [
    "if (!_env.IsProduction()) return Task.CompletedTask; _timer = new Timer(Tick, null, 0, 60000); "
    "return Task.CompletedTask;",
    "if (_env.IsProduction()) { _timer = new Timer(Tick, null, 0, 60000); } return Task.CompletedTask;",
])
def test_timer_started_on_another_condition_stays_manual(start_body):
    src = _timer_service(start_body)
    result, out = _migrate(src)
    assert out == src
    assert any("StartAsync starts the worker only when" in m.reason for m in result.manual), result.manual


def test_configuration_using_stays_while_another_class_reads_configuration():
    data = (FIXTURES / "configuration_interval.before.cs").read_bytes()
    extra = (b"    public class ForumSettings\n    {\n        public ForumSettings(IConfiguration configuration) { }\n"
             b"    }\n\n    public class ForumDigestWorker")
    data = data.replace(b"    public class ForumDigestWorker", extra, 1)
    data = data.replace(b'GetValue<int>("Forum:DigestMinutes")', b'GetValue<int>("Forum:DigestMinutes", 30)')  # a default
    _, out = _migrate(data)
    assert b"using Microsoft.Extensions.Configuration;" in out
    assert b"Frequency = \"m\";" in out


@pytest.mark.parametrize("second_part,reason", [
    ("private static readonly TimeSpan Period = TimeSpan.FromHours(1);", "LoadUrls is not declared in this file"),
    ("", "LoadUrls is not declared in this file"),
])
def test_partial_worker_using_a_member_of_a_part_elsewhere_stays_manual(second_part, reason):
    src = ("using System; using System.Threading; using System.Threading.Tasks; using Microsoft.Extensions.Hosting;\n"
           "public partial class PollWorker : BackgroundService {\n"
           "    protected override async Task ExecuteAsync(CancellationToken stoppingToken) {\n"
           "        while (!stoppingToken.IsCancellationRequested) {\n"
           "            foreach (var url in LoadUrls()) { Work(url); }\n"
           "            await Task.Delay(TimeSpan.FromHours(1), stoppingToken);\n        }\n    }\n"
           "    private void Work(string url) { }\n}\n"
           f"public partial class PollWorker {{ {second_part} }}\n").encode()
    result, out = _migrate(src)
    assert out == src
    assert [m.reason for m in result.manual if reason in m.reason], result.manual
    assert len(result.manual) == 1


@pytest.mark.parametrize("poll", ["TimeSpan.FromMinutes(30)", "TimeSpan.FromHours(2)"])
def test_hour_only_clock_check_needs_an_hourly_poll(poll):
    src = _poll_worker(f"if (DateTime.UtcNow.Hour == 2) {{ Work(); }} await Task.Delay({poll}, stoppingToken);")
    result, out = _migrate(src)
    assert out == src
    assert any("whole hour" in m.reason for m in result.manual), result.manual


def test_hour_only_clock_check_polled_hourly_runs_daily():
    src = _poll_worker("if (DateTime.UtcNow.Hour == 2) { Work(); } "
                       "await Task.Delay(60 * 60 * 1000, stoppingToken);")
    result, out = _migrate(src)
    assert b'Frequency = "d";' in out and b"var start = now.Date + new TimeSpan(2, 0, 0);" in out
    assert any("at a minute that depended on when it started" in m.reason for m in result.manual)


def _setup_worker(before_loop: str, loop_body: str = "Work(_threshold);", after_loop: str = "") -> bytes:
    return ("using System; using System.Threading; using System.Threading.Tasks; using Microsoft.Extensions.Hosting;\n"
            "using Microsoft.Extensions.Logging;\n"
            "public class SetupWorker : BackgroundService {\n"
            "    private readonly ILogger<SetupWorker> _logger;\n    private readonly int _threshold;\n"
            "    public SetupWorker(ILogger<SetupWorker> logger) { _logger = logger; _threshold = 3; }\n"
            "    protected override async Task ExecuteAsync(CancellationToken stoppingToken) {\n"
            f"        {before_loop}\n"
            "        while (!stoppingToken.IsCancellationRequested) {\n"
            f"            {loop_body}\n"
            "            await Task.Delay(TimeSpan.FromMinutes(10), stoppingToken);\n        }\n"
            f"        {after_loop}\n    }}\n"
            "    private void Work(int n) { }\n    private int Load() { return 1; }\n}\n").encode()


@pytest.mark.parametrize("before_loop,loop_body,reason", [
    ("var first = Load();", "Work(first);", "runs once at startup: var first = Load();"),
    ("var count = 0;", "Work(count++);", "runs once at startup: var count = 0;"),
    ("var count = 0;", "count += _threshold; Work(count);", "runs once at startup: var count = 0;"),
    ("stoppingToken.Register(() => Work(1));", "Work(2);", "runs once at startup: stoppingToken.Register"),
    ("if (_logger.IsEnabled(LogLevel.Debug)) { Work(1); }", "Work(2);", "runs once at startup: if (_logger"),
])
def test_startup_work_before_the_loop_stays_manual(before_loop, loop_body, reason):
    src = _setup_worker(before_loop, loop_body)
    result, out = _migrate(src)
    assert out == src
    assert [m.reason for m in result.manual if reason in m.reason], result.manual


def test_lifecycle_logging_around_the_loop_goes():
    src = _setup_worker('if (_logger.IsEnabled(LogLevel.Information)) { _logger.LogInformation("starting"); } '
                        'stoppingToken.Register(() => { _logger.LogInformation("stopping"); });',
                        after_loop='_logger.LogInformation("stopped");')
    result, out = _migrate(src)
    assert result.migrated == ["SetupWorker"]
    assert b"starting" not in out and b"stopping" not in out and b"stopped" not in out
    assert b"Work(threshold);" in out


@pytest.mark.parametrize("wait,note", [
    ("await Task.Delay(30000, stoppingToken);", None),
    ("await Task.Delay(TimeSpan.FromHours(1), stoppingToken);", "the worker waited 1 hour before its first run"),
    ("await Task.Delay(_threshold * 60000, stoppingToken);", "the worker waited 3 minutes before its first run"),
    ("await Task.Delay(TimeSpan.FromSeconds(Load()), stoppingToken);",
     "the worker waited TimeSpan.FromSeconds(Load()) before its first run"),
    ("await Task.Yield();", None),
])
def test_startup_wait_is_dropped_and_noted_from_a_minute(wait, note):
    src = _setup_worker(wait)
    result, out = _migrate(src)
    assert result.migrated == ["SetupWorker"]
    assert b"Task.Yield" not in out and out.count(b"Task.Delay") == 0
    notes = [m.reason for m in result.manual if "before its first run" in m.reason]
    if note is None:
        assert notes == []
    else:
        assert len(notes) == 1 and note in notes[0], notes


# ---------------------------------------------------------------------------------------------------------------
# the worker analysis: the scan reads it, migrate-worker emits from it, so they must agree exactly

SOLUTION = Path(__file__).resolve().parents[1] / "fixtures" / "solutions" / "Acme.Module.Tasks"


def _contexts_of_solution() -> list[TransformContext]:
    """Every .cs file of the bundled solution, analysed with the cross-file type table as the engine does."""
    files = sorted(SOLUTION.rglob("*.cs"))
    trees = [syntax.parse(f.read_bytes()) for f in files]
    table = TypeTable.of(analyse(t).declared for t in trees)
    kinds = table.kinds()
    return [TransformContext(f.relative_to(SOLUTION).as_posix(), f.read_bytes(), t, analyse(t, table, kinds))
            for f, t in zip(files, trees)]


def _all_contexts() -> list[TransformContext]:
    fixtures = [_context((FIXTURES / f"{c}.before.cs").read_bytes(), rel=f"{c}.before.cs") for c in CASES]
    return fixtures + _contexts_of_solution()


def _workers(ctx: TransformContext):
    for info in ctx.model.classes:
        if info.kind == "worker" and not (info.is_partial and not info.bases and
                                          any(p.bases for p in info_parts(ctx, info))):
            yield info


def test_analysis_blockers_agree_with_what_migrate_worker_does():
    contexts = _all_contexts()
    seen = migrated = 0
    for ctx in contexts:
        result = migrate_worker(ctx)
        reasons = {}
        for m in result.manual:
            if m.kind is FollowUpKind.MANUAL:
                reasons.setdefault(m.symbol, []).append(m.reason)
        for info in _workers(ctx):
            seen += 1
            model = analyse_worker(ctx, info)
            where = f"{ctx.rel}:{info.name}"
            assert (not model.blockers) == (info.name in result.migrated), where
            assert [b.text for b in model.blockers] == reasons.get(info.name, []), where
            assert all(isinstance(b.kind, BlockerKind) for b in model.blockers)
            if model.blockers:
                assert model.schedule is None and model.kept_ranges == []
                continue
            migrated += 1
            review = [m.reason for m in result.manual if m.symbol == info.name and m.kind is FollowUpKind.REVIEW]
            assert list(model.notes) == review, where
            assert isinstance(model.driver, Driver) and model.schedule is not None, where
            assert model.kept_ranges, where
            bounds = [p.node for p in info_parts(ctx, info)] or [info.node]
            for (s, e), nxt in zip(model.kept_ranges, model.kept_ranges[1:] + [(None, None)]):
                assert s < e and (nxt[0] is None or e <= nxt[0]), where
                assert any(b.start_byte <= s and e <= b.end_byte for b in bounds), where
    assert seen > 60 and migrated > 40


def test_kept_ranges_hold_the_unit_of_work_and_not_the_loop():
    data = (FIXTURES / "task_run_loop.before.cs").read_bytes()
    ctx = _context(data)
    model = analyse_worker(ctx, next(_workers(ctx)))
    kept = b"".join(data[s:e] for s, e in model.kept_ranges)
    assert b"PullChangesAsync" in kept and b"Pulled {Count} contact changes" in kept
    assert b"while (" not in kept and b"Task.Delay" not in kept and b"StartAsync" not in kept


@pytest.mark.parametrize("case,driver", [
    ("while_true_delay_first", Driver.DELAY_LOOP),
    ("periodic_timer_using", Driver.PERIODIC_TIMER),
    ("cron_every_15_minutes", Driver.CRON_LOOP),
    ("polled_clock_daily", Driver.POLLED_CLOCK_LOOP),
    ("task_run_loop", Driver.STARTED_LOOP),
    ("thread_loop", Driver.STARTED_LOOP),
    ("start_async_discarded_loop", Driver.STARTED_LOOP),
    ("start_async_task_field_loop", Driver.STARTED_LOOP),
    ("timer_threading", Driver.THREADING_TIMER),
    ("timer_alias_threading", Driver.THREADING_TIMER),
    ("timers_timer_ctor", Driver.TIMERS_TIMER),
    ("timers_timer_alias_t", Driver.TIMERS_TIMER),
])
def test_driver_of_migrated_workers(case, driver):
    ctx = _context((FIXTURES / f"{case}.before.cs").read_bytes())
    model = analyse_worker(ctx, next(_workers(ctx)))
    assert model.blockers == [] and model.driver == driver


ONE_SHOT = ('a one-shot timer ran once after every start; Frequency "O" runs once per installation: move start-up '
            'work into an IServerStartup or a migration')


@pytest.mark.parametrize("case", ["one_shot_timer_infinite", "one_shot_timer_infinite_timespan"])
def test_one_shot_timers_stay_manual_with_the_true_reason(case):
    data = (FIXTURES / f"{case}.before.cs").read_bytes()
    ctx = _context(data)
    model = analyse_worker(ctx, next(_workers(ctx)))
    assert model.blockers == [Blocker(BlockerKind.ONE_SHOT_TIMER, ONE_SHOT)]
    assert model.driver == Driver.THREADING_TIMER
    result, out = _migrate(data)
    assert out == data and [m.reason for m in result.manual] == [ONE_SHOT]


@pytest.mark.parametrize("period", ["Timeout.Infinite", "-1", "System.Threading.Timeout.Infinite",
                                    "Timeout.InfiniteTimeSpan"])
def test_timer_with_an_infinite_period_is_one_shot(period):
    due = "TimeSpan.FromSeconds(10)" if "TimeSpan" in period else "10000"
    result, _ = _migrate(_timer_service(f"_timer = new Timer(Tick, null, {due}, {period}); "
                                        "return Task.CompletedTask;"))
    assert result.migrated == [] and [m.reason for m in result.manual] == [ONE_SHOT]


def test_timer_stopped_with_change_in_stop_async_is_still_periodic():
    result, _ = _migrate((FIXTURES / "timer_threading.before.cs").read_bytes())
    assert result.migrated == ["ReportTimerService"]


def _started_loop_service(start: str, start_async: str = "public Task StartAsync") -> bytes:
    return f"""using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

public interface IPinger {{ void Ping(); }}

public class Pinger : IHostedService
{{
    private readonly IPinger _pinger;
    private readonly CancellationTokenSource _cts = new CancellationTokenSource();
    private Task _executing;

    public Pinger(IPinger pinger) {{ _pinger = pinger; }}

    {start_async}(CancellationToken cancellationToken)
    {{
        {start}
    }}

    private async Task RunAsync(CancellationToken token)
    {{
        while (!token.IsCancellationRequested)
        {{
            _pinger.Ping();
            await Task.Delay(TimeSpan.FromMinutes(2), token);
        }}
    }}

    public Task StopAsync(CancellationToken cancellationToken) {{ _cts.Cancel(); return Task.CompletedTask; }}
}}
""".encode()


@pytest.mark.parametrize("start", [
    "_ = RunAsync(_cts.Token);",
    "_executing = RunAsync(_cts.Token);",
    "RunAsync(_cts.Token);",
])
def test_loop_started_from_start_async_without_await_is_migrated(start):
    result, out = _migrate(_started_loop_service(start + " return Task.CompletedTask;"))
    assert result.migrated == ["Pinger"], result.manual
    assert b'Frequency = "m";' in out and b"Interval = 2;" in out and b"RunAsync" not in out


def test_awaited_loop_in_start_async_is_not_a_background_loop():
    src = _started_loop_service("await RunAsync(_cts.Token);", "public async Task StartAsync")
    result, out = _migrate(src)
    assert result.migrated == [] and out == src
    assert [m.reason for m in result.manual] == ["event-driven hosted service: no timer or loop gives it a schedule"]


# ---------------------------------------------------------------------------------------------------------------
# issue 8: never change behaviour silently — each of these stays manual with its true reason

DEFERRED = ("a scope is created inside code handed to {}, which can run after the job returns; the job's provider is "
            "disposed then, so it cannot replace that scope: migrate by hand and keep creating the scope there "
            "(IServiceScopeFactory)")
PER_ITEM = ("a fresh scope is created per item (so one item cannot affect the others); the job has one provider per "
            "tenant per run, and a scope created inside a job loses the tenant the framework set: migrate by hand")
DISPOSES = ("the work disposes {}, a service resolved from the scope ({}); in a job the run's provider owns it and "
            "hands the same instance to the next tenants of the pass: remove the disposal (the scope disposes its "
            "services), then migrate")
RETRY = ("after a caught failure the worker waited {} and tried again; a job cannot retry before its next scheduled "
         "run, and this catch would report the failed run as completed: migrate by hand")
HIDDEN_CLOCK = ("the helper {} checks the clock ({}) to decide when the work runs; migrated as it is, the job would "
                "run on every poll and could miss that time: move the check into the loop body or timer callback "
                "(where it becomes the job's schedule), or migrate by hand")

MUST_STAY_MANUAL = {
    "deferred_scope_task_run": DEFERRED.format("Task.Run"),
    "deferred_scope_continuation": DEFERRED.format("client.DownloadAsync().ContinueWith"),
    "deferred_scope_helper_callback": DEFERRED.format("ThreadPool.QueueUserWorkItem"),
    "scope_per_item_foreach": PER_ITEM,
    "scope_per_item_helper_while": PER_ITEM,
    "scope_per_item_foreach_lambda": PER_ITEM,
    "disposes_resolved_using": DISPOSES.format("db", "using (db = …)"),
    "disposes_resolved_dispose_call": DISPOSES.format("mail", "mail.Dispose()"),
    "hidden_clock_check_helper_daily": HIDDEN_CLOCK.format("BuildIfDueAsync", "now.Hour != 2 || now.Minute != 0"),
    "hidden_clock_check_timer_helper": HIDDEN_CLOCK.format(
        "RunBackup", "DateTime.Now.DayOfWeek == DayOfWeek.Sunday && DateTime.Now.Hour == 3 && DateT..."),
    "expression_bodied_property_read_by_work": "the work reads the property Retention: make it a const or static "
                                               "readonly field, then migrate",
    "failure_backoff_specific_exception": RETRY.format("30 s"),
    "failure_backoff_then_continue": RETRY.format("10 minutes"),
}


@pytest.mark.parametrize("case", sorted(MUST_STAY_MANUAL))
def test_stays_manual_with_the_true_reason(case):
    data = (FIXTURES / f"{case}.before.cs").read_bytes()
    assert not (FIXTURES / f"{case}.after.cs").exists()
    result, out = _migrate(data)
    assert out == data
    assert [m.reason for m in result.manual] == [MUST_STAY_MANUAL[case]]


# ... and each of these is migrated with a review note that says what changed
RETRY_DROPPED = ("after a caught failure the worker tried again after {}; the job reports the run as failed and tries "
                 "again at its next run ({}): the quicker retry is dropped")

ESCAPED = ("an exception the work let escape (`throw`) stopped the worker for good (on .NET 6+ an unhandled "
           "BackgroundService exception stops the host); in the job it fails only that run, and the job runs again "
           "at its next run")
ENDED = "`{}` ended the worker for good when {}; in the job it ends only that run, and the job runs again at its next run"
FIRST_RUN = ("the worker waited {} after every start before its first run ({}); Oqtane runs the job on its own "
             "schedule, and StartDate cannot repeat a delay after every start (it only delays the first run after "
             "the job is created)")

ONCE_PER_TENANT = ("the job runs once per tenant on every pass, all tenants in one scope: if the module registers {} "
                   "as Scoped (an IService), one instance serves every tenant of the pass; check that this is right "
                   "for a site with several tenants")

REENTRANCY = ("the re-entrancy guard {} was removed: Oqtane does not start a job while its previous run is still "
              "executing")

REVIEW_NOTES = {
    "once_per_tenant_http_publish": [
        "the job runs once per tenant on every pass, all tenants in one scope: if the module registers IEventBus as "
        "Scoped (an IService), one instance serves every tenant of the pass; its HTTP calls are made once per tenant; "
        "what it publishes is published once per tenant; check that this is right for a site with several tenants"],
    "failure_backoff_catch_all": [RETRY_DROPPED.format("5 minutes", "every 6 hours"), ONCE_PER_TENANT.format(
        "IFeedImporter")],
    "throw_stops_worker": [ESCAPED],
    "reentrancy_guard_timer": [REENTRANCY.format("_isRunning")],
    "reentrancy_guard_with_catch": [REENTRANCY.format("busy")],
    "throw_rethrown_from_catch": [ESCAPED],
    "break_ends_worker": [ENDED.format("break;", "imported == 0")],
    "return_ends_worker": [ENDED.format("return;", "!mailer.Enabled()")],
    "while_true_delay_first": [FIRST_RUN.format("2 hours", "the loop waited before its work")],
    "continue_returns_outcome": [FIRST_RUN.format("10 minutes", "the loop waited before its work")],
    "timer_async_void_callback": [FIRST_RUN.format("6 hours", "the Timer's dueTime")],
    "periodic_timer_using": [FIRST_RUN.format("12 hours", "the first PeriodicTimer tick comes one period after the "
                                                          "start")],
    "timers_timer_ctor": [FIRST_RUN.format("7 days", "a System.Timers.Timer first raises Elapsed one Interval after "
                                                     "it starts")],
    "failure_backoff_bare_catch": [RETRY_DROPPED.format("2 minutes", "every 1 hour")],
    # a cancellation check before the wait does no work: the loop still waited first
    "comments_wait_first_keeps_trailing_comment": [FIRST_RUN.format("5 minutes", "the loop waited before its work")],
}


@pytest.mark.parametrize("case", sorted(REVIEW_NOTES))
def test_migrated_with_review_notes(case):
    result, out = _migrate((FIXTURES / f"{case}.before.cs").read_bytes())
    assert result.migrated
    reasons = [m.reason for m in result.manual if m.kind is FollowUpKind.REVIEW]
    for note in REVIEW_NOTES[case]:
        assert note in reasons, reasons


def test_caught_failure_after_a_back_off_says_it_failed():
    _, out = _migrate((FIXTURES / "failure_backoff_catch_all.before.cs").read_bytes())
    catch = out.split(b"catch (Exception ex)")[1]
    assert b"failed: {ex.Message}" in catch and b"completed" not in catch and b"Task.Delay" not in out


@pytest.mark.parametrize("case", ["timer_threading", "polled_clock_daily", "cron_every_15_minutes",
                                  "background_loop_scope"])
def test_no_lifecycle_note_without_a_lifecycle_change(case):
    result, _ = _migrate((FIXTURES / f"{case}.before.cs").read_bytes())
    assert result.migrated
    assert not [m.reason for m in result.manual if "for good" in m.reason or "after every start" in m.reason]


def test_clock_comparison_about_the_item_passed_to_a_helper_is_not_a_schedule():
    src = ("using System; using System.Threading; using System.Threading.Tasks; using Microsoft.Extensions.Hosting;\n"
           "public class ExpiryWorker : BackgroundService {\n"
           "    protected override async Task ExecuteAsync(CancellationToken stoppingToken) {\n"
           "        while (!stoppingToken.IsCancellationRequested) {\n"
           "            Expire(DateTime.UtcNow.AddDays(-1));\n"
           "            await Task.Delay(TimeSpan.FromHours(1), stoppingToken);\n        }\n    }\n"
           "    private void Expire(DateTime cutoff) { if (cutoff < DateTime.UtcNow) { Remove(); } }\n"
           "    private void Remove() { }\n}\n").encode()
    result, out = _migrate(src)
    assert result.migrated == ["ExpiryWorker"], result.manual


def test_framework_services_alone_need_no_once_per_tenant_note():
    result, out = _migrate((FIXTURES / "once_per_tenant_framework_only.before.cs").read_bytes())
    assert result.migrated == ["DeletedSitePurger"]
    assert not [m.reason for m in result.manual if "once per tenant" in m.reason], result.manual
    assert b"once per tenant" not in out  # a report note, never a code comment
