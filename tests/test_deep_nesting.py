"""The worker analysis walks nesting iteratively: thousands of nested loop wrappers (`try { … } catch
(OperationCanceledException) { }` around the loop) or pacing `if`s do not exhaust Python's stack. Real parser, real CLI
in a real git repository."""

from conftest import run_cli
from gitrepo import make_repo
from oqmigrate import model, syntax
from oqmigrate.transforms import TransformContext
from oqmigrate.transforms.migrate_worker import migrate_worker

DEPTH = 3000

WORKER = """using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

namespace Acme.Module.Depth.Workers
{{
    public class DepthWorker : BackgroundService
    {{
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {{
            {body}
        }}
    }}
}}
"""

LOOP = """while (!stoppingToken.IsCancellationRequested)
            {{
                {inner}
                await Task.Delay(TimeSpan.FromMinutes(5), stoppingToken);
            }}"""


def _migrate(source: str):
    data = source.encode()
    tree = syntax.parse(data)
    return migrate_worker(TransformContext("Depth.cs", data, tree, model.analyse(tree)))


def test_a_loop_inside_thousands_of_cancellation_wrappers_is_found():
    loop = LOOP.format(inner='Console.WriteLine("archiving");')
    body = "try { " * DEPTH + loop + " } catch (OperationCanceledException) { }" * DEPTH
    result = _migrate(WORKER.format(body=body))
    assert result.migrated == ["DepthWorker"]
    job = next(e.new_text for e in result.edits if "HostedServiceBase" in e.new_text)
    assert 'Console.WriteLine("archiving");' in job and "Task.Delay" not in job
    assert 'Interval = 5;' in job


def test_a_wait_at_the_end_of_thousands_of_nested_ifs_is_found(tmp_path):
    # `if (x) if (x) … await Task.Delay(…);` then the iteration ends: a conditional pacing wait, dropped (its
    # branch returns the outcome); the loop's last wait gives the cadence
    inner = "bool x = DateTime.UtcNow.Second > 1; " + "if (x) " * DEPTH + \
        "await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);"
    repo = make_repo(tmp_path / "r", {"Depth.cs": WORKER.format(body=LOOP.format(inner=inner)).encode()})
    code, out, err = run_cli("diff", ".", "--codemod", "migrate-worker", cwd=repo)
    assert "Traceback" not in err and "RecursionError" not in err and "internal error" not in err, err[-500:]
    assert code == 1, err[-500:]
    added = [line for line in out.splitlines() if line.startswith("+")]
    assert "+    public class DepthWorker : HostedServiceBase" in added
    assert "+            Interval = 5;" in added
    assert not [line for line in added if "Task.Delay" in line]
