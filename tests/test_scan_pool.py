"""The scan's process pool and streaming: a scan in a pool (both passes, bounded batches) reports exactly what a
scan in one process reports, including a worker that only the second pass can see (its file names no framework
type, it derives from a base declared in another file); SourceFile keeps a string path and makes the Path on
demand; `oqmigrate scan` does not load the rewriting engine."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import run_cli
from oqmigrate.catalog import all_rule_ids
from oqmigrate.scanner import INLINE_LIMIT, Workers, scan
from oqmigrate.workspace import SourceFile, discover

CSPROJ = '<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><AssemblyName>Acme.Module.Sweep.Server.Oqtane' \
         '</AssemblyName></PropertyGroup></Project>'

BASE = """using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

namespace Acme.Sweep
{
    public abstract class PollingBase : BackgroundService
    {
        protected abstract Task RunOnceAsync(CancellationToken token);

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            do
            {
                await RunOnceAsync(stoppingToken);
                await Task.Delay(TimeSpan.FromMinutes(5), stoppingToken);
            } while (!stoppingToken.IsCancellationRequested);
        }
    }
}
"""

# No trigger token of any rule: the first pass skips it, the second finds it through its base's name.
DERIVED = """using System.Threading;
using System.Threading.Tasks;

namespace Acme.Sweep
{
    public class OrderSweeper : PollingBase
    {
        protected override Task RunOnceAsync(CancellationToken token)
        {
            return Task.CompletedTask;
        }
    }
}
"""

TIMER_WORKER = """using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

namespace Acme.Sweep
{
    public class CacheRefresher : IHostedService, IDisposable
    {
        private Timer _timer;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            _timer = new Timer(Refresh, null, TimeSpan.Zero, TimeSpan.FromHours(1));
            return Task.CompletedTask;
        }

        private void Refresh(object state)
        {
            Console.WriteLine("refreshed");
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            _timer?.Change(Timeout.Infinite, 0);
            return Task.CompletedTask;
        }

        public void Dispose()
        {
            _timer?.Dispose();
        }
    }
}
"""


def filler(i: int) -> str:
    return f"namespace Acme.Sweep.Models\n{{\n    public class Model{i} : EntityBase\n    {{\n" \
           f"        public int Id {{ get; set; }}\n        public string Name{i} {{ get; set; }}\n    }}\n}}\n"


def make_tree(root: Path) -> Path:
    server = root / "Server"
    (server / "Models").mkdir(parents=True)
    (server / "Acme.Module.Sweep.Server.csproj").write_text(CSPROJ, encoding="utf-8")
    (server / "PollingBase.cs").write_text(BASE, encoding="utf-8")
    (server / "OrderSweeper.cs").write_text(DERIVED, encoding="utf-8")
    (server / "CacheRefresher.cs").write_text(TIMER_WORKER, encoding="utf-8")
    for i in range(2 * INLINE_LIMIT):  # enough files for the pool to be used
        (server / "Models" / f"Model{i}.cs").write_text(filler(i), encoding="utf-8")
    return root


def as_json(result):
    return ([f.to_json() for f in result.findings], result.files_scanned, result.files_parsed, result.errors,
            result.skipped, result.kinds, [f.to_json() for f in result.suppressed])


def test_a_pooled_scan_reports_exactly_what_a_scan_in_one_process_reports(tmp_path):
    ws = discover([make_tree(tmp_path)])
    rules = all_rule_ids()
    inline = scan(ws, rules, jobs=1)
    with Workers(2) as workers:
        pooled = scan(ws, rules, workers=workers)
        again = scan(ws, rules, workers=workers)  # one pool serves several scans
    assert as_json(pooled) == as_json(inline) == as_json(again)
    found = {(f.rule_id, f.symbol) for f in inline.findings}
    # the second pass parsed the subclass although its file names no framework type
    assert ("OQJ001", "OrderSweeper") in found
    assert inline.kinds["OrderSweeper"] == "worker"
    assert {("OQJ001", "CacheRefresher"), ("OQJ002", "CacheRefresher")} <= found
    assert inline.files_scanned == 3 + 2 * INLINE_LIMIT
    # the models name a base (EntityBase) that is no worker: the prefilter skipped them and nothing re-parsed them
    assert inline.files_parsed == 3


def test_source_file_makes_its_path_on_demand_and_compares_by_value(tmp_path):
    path = tmp_path / "A.cs"
    a = SourceFile(str(path), "A.cs", None)
    b = SourceFile(path, "A.cs", None)
    assert a.fspath == b.fspath == str(path)
    assert a.path == path and isinstance(a.path, Path)
    assert a == b and hash(a) == hash(b)
    assert a != SourceFile(str(path), "B.cs", None)
    try:
        a.rel = "C.cs"
    except AttributeError:
        pass
    else:
        raise AssertionError("SourceFile must be immutable")
    assert a.rel == "A.cs"


def test_scan_does_not_load_the_rewriting_engine(tmp_path):
    make_tree(tmp_path)
    probe = ("import sys\nfrom oqmigrate.cli import main\n"
             "try:\n    main(['scan', sys.argv[1], '--format', 'json', '--no-progress', '--fail-on', 'never', '-j', '2'])\n"
             "except SystemExit as e:\n    code = e.code\n"
             "sys.stderr.write('LOADED=' + ','.join(sorted(m for m in ('oqmigrate.engine', 'oqmigrate.cli.fix', "
             "'oqmigrate.rules', 'oqmigrate.analyse.worker') if m in sys.modules)) + '\\n')\n")
    proc = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], capture_output=True, text=True,
                          timeout=300)
    loaded = [line for line in proc.stderr.splitlines() if line.startswith("LOADED=")]
    # the rules and the analysis run in the pool's processes; the parent never imports the codemods' engine
    assert loaded == ["LOADED="], proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    assert {("OQJ001", "OrderSweeper"), ("OQJ001", "CacheRefresher")} <= {(f["rule_id"], f["symbol"])
                                                                        for f in findings}


def test_every_command_is_still_listed_and_a_misspelt_one_gets_a_suggestion():
    code, out, err = run_cli("--help")
    assert code == 0
    for command in ("scan", "baseline", "rules", "explain", "diff", "apply", "plan", "report"):
        assert command in out
    code, out, err = run_cli("scna")
    assert code == 2 and "scan" in err
