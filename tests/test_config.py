"""oqmigrate.toml: found upwards from the scan root, overridden by the command line, errors are usage errors."""

import json

import pytest

from conftest import run_cli

WORKER = """using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Acme.Module.Demo
{
    public class PingWorker : BackgroundService
    {
        private readonly ILogger<PingWorker> _logger;

        public PingWorker(ILogger<PingWorker> logger)
        {
            _logger = logger;
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                _logger.LogInformation("ping");
                await Task.Delay(TimeSpan.FromMinutes(5), stoppingToken);
            }
        }
    }
}
"""


def findings(out):
    return json.loads(out)["findings"]


@pytest.fixture
def tree(tmp_path):
    (tmp_path / ".git").mkdir()  # the lookup stops at the work-tree root
    (tmp_path / "src" / "Server").mkdir(parents=True)
    (tmp_path / "src" / "Server" / "PingWorker.cs").write_text(WORKER)
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "OldWorker.cs").write_text(WORKER.replace("PingWorker", "OldWorker"))
    return tmp_path


def test_config_found_upwards_select_exclude_severity(tree):
    (tree / "oqmigrate.toml").write_text(
        'select = ["OQJ001", "custom-logging"]\nexclude = ["legacy/**"]\n[severity]\nOQJ015 = "error"\n')
    code, out, err = run_cli("scan", "src", "--format", "json", "--no-progress", cwd=tree)
    assert code == 1, err
    got = {(f["symbol"], f["rule_id"], f["severity"]) for f in findings(out)}
    assert got == {("PingWorker", "OQJ001", "error"), ("PingWorker", "OQJ015", "error")}
    code, out, _ = run_cli("scan", ".", "--format", "json", "--no-progress", cwd=tree)
    assert "OldWorker" not in {f["symbol"] for f in findings(out)}
    assert {"path": "legacy/OldWorker.cs", "reason": "excluded by oqmigrate.toml"} in json.loads(out)["skipped"]


def test_command_line_wins_over_config(tree):
    (tree / "oqmigrate.toml").write_text('select = ["OQJ015"]\nfail-on = "never"\n')
    code, out, _ = run_cli("scan", ".", "--format", "json", "--no-progress", cwd=tree)
    assert code == 0 and {f["rule_id"] for f in findings(out)} == {"OQJ015"}
    code, out, _ = run_cli("scan", ".", "--select", "OQJ001", "--fail-on", "error", "--format", "json", "--no-progress", cwd=tree)
    assert code == 1 and {f["rule_id"] for f in findings(out)} == {"OQJ001"}


def test_baseline_from_config(tree):
    assert run_cli("baseline", ".", "-o", "known.json", "--no-progress", cwd=tree)[0] == 0
    (tree / "oqmigrate.toml").write_text('baseline = "known.json"\n')
    assert run_cli("scan", ".", "--no-progress", cwd=tree)[0] == 0


def test_legacy_encoding(tree):
    # 0x81 is undefined in cp1252 (the default fallback) but is a character in latin-1
    (tree / "src" / "Server" / "Latin.cs").write_bytes(WORKER.replace("PingWorker", "LatinWorker").replace("\"ping\"", "\"p\x81ng\"").encode("latin-1"))
    _, out, _ = run_cli("scan", ".", "--format", "json", "--no-progress", cwd=tree)
    assert [e["path"] for e in json.loads(out)["errors"]] == ["src/Server/Latin.cs"]
    (tree / "oqmigrate.toml").write_text('legacy-encoding = "latin-1"\n')
    _, out, _ = run_cli("scan", ".", "--format", "json", "--no-progress", cwd=tree)
    assert json.loads(out)["errors"] == [] and "LatinWorker" in {f["symbol"] for f in findings(out)}


def test_explicit_config_and_diff_honours_exclude(tree):
    # an explicitly named config; its exclude patterns are relative to its own folder
    (tree / "strict.toml").write_text('exclude = ["legacy/**"]\n')
    code, out, _ = run_cli("diff", ".", "--config", "strict.toml", cwd=tree)
    assert code == 1 and "PingWorker" in out and "OldWorker" not in out


@pytest.mark.parametrize("text,message", [
    ('colour = "blue"\n', "unknown key 'colour'"),
    ('select = ["OQJ777"]\n', "unknown rule id: OQJ777"),
    ('fail-on = "sometimes"\n', "'fail-on' must be one of"),
    ('[severity]\nOQJ001 = "fatal"\n', "severity of OQJ001"),
    ('legacy-encoding = "klingon"\n', "unknown encoding"),
    ('legacy-encoding = "rot13"\n', "unknown encoding"),
    ('legacy-encoding = "hex"\n', "unknown encoding"),
    ('select = [\n', "cannot read config"),
])
def test_bad_config_is_a_one_line_usage_error(tree, text, message):
    (tree / "oqmigrate.toml").write_text(text)
    code, _, err = run_cli("scan", ".", "--no-progress", cwd=tree)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
