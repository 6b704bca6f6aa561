"""`oqmigrate scan`, `rules`, `explain`, `baseline` through the real CLI: the contract scripts rely on."""

import json
import re
from pathlib import Path

import jsonschema
import pytest

from conftest import FIXTURES, REPO
from oqmigrate.catalog import load_catalog, rule_by_id

SOLUTION = FIXTURES / "solutions" / "Acme.Module.Tasks"
FINDING_KEYS = {"rule_id", "rule_name", "severity", "path", "line", "column", "end_line", "end_column", "symbol",
                "project", "message", "fixable", "fingerprint"}


# The OASIS SARIF 2.1.0 schema, kept in the repository (origin in tests/data/README.md).
SARIF_SCHEMA = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"


def sarif_schema() -> dict:
    return json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))


def test_sarif_schema_in_the_repository_is_the_oasis_schema():
    schema = sarif_schema()
    jsonschema.Draft4Validator.check_schema(schema)
    assert schema["id"] == "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    # it constrains documents: a log of the wrong version or with a result lacking its message is rejected
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"version": "2.0.0", "runs": []}, schema)
    bad_result = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "X"}]}]}
    with pytest.raises(jsonschema.ValidationError, match="'message' is a required property"):
        jsonschema.validate(bad_result, schema)


WORKER = b"""using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

namespace Acme.Module.Demo.Services
{
    public class PingWorker : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMinutes(5), stoppingToken);
            }
        }
    }
}
"""


def test_scan_bundled_solution_json_contract(cli):
    code, out, err = cli("scan", SOLUTION / "Acme.Module.Tasks.slnx", "--format", "json", "--no-progress")
    assert code == 1
    doc = json.loads(out)
    assert doc["tool"]["name"] == "oqmigrate" and doc["tool"]["version"]
    assert doc["files_scanned"] >= 10 and doc["errors"] == []
    assert Path(doc["root"]) == SOLUTION
    for f in doc["findings"]:
        assert FINDING_KEYS <= set(f)
        assert "\\" not in f["path"] and not f["path"].startswith("/")
        assert f["line"] >= 1 and f["column"] >= 1 and f["end_line"] >= f["line"]
    by_symbol = {(f["symbol"], f["rule_id"]) for f in doc["findings"]}
    assert {("ReminderWorker", "OQJ001"), ("DigestMailer", "OQJ001"), ("NightlyCleanup", "OQJ006"),
            ("TenantSweeper", "OQJ005"), ("TenantSweeper", "OQJ004")} <= by_symbol
    assert not [f for f in doc["findings"] if f["symbol"] == "PurgeExpiredTasksJob"]
    assert {f["project"] for f in doc["findings"]} == {"Acme.Module.Tasks.Server"}
    assert re.search(r"\d+ findings \(\d+ errors", err)


def test_scan_sarif_validates_against_the_schema(cli):
    code, out, _ = cli("scan", SOLUTION, "--format", "sarif", "--no-progress")
    assert code == 1
    doc = json.loads(out)
    jsonschema.validate(doc, sarif_schema())
    run = doc["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert ids[:16] == sorted(load_catalog())
    assert all(r["help"]["markdown"] for r in run["tool"]["driver"]["rules"])
    # a help link only where the project's Repository URL is configured (none in a development install)
    assert all(r.get("helpUri") == rule_by_id(r["id"]).help_uri for r in run["tool"]["driver"]["rules"])
    assert run["results"] and all(r["partialFingerprints"]["oqmigrate/v1"] for r in run["results"])
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1 and region["startColumn"] >= 1


def test_scan_markdown_report(cli):
    code, out, _ = cli("scan", SOLUTION, "--format", "markdown", "--no-progress")
    assert code == 1
    assert out.startswith("## oqmigrate scan")
    assert "| `OQJ001` generic-hosted-service |" in out
    assert "**`Server/Services/ReminderWorker.cs`**" in out


def test_scan_text_goes_to_stdout_summary_to_stderr(cli, tmp_path):
    report = tmp_path / "report.txt"
    code, out, err = cli("scan", SOLUTION, "--no-progress", "--format", "full", "--output", report)
    assert code == 1 and out == ""
    text = report.read_text(encoding="utf-8")
    assert "Acme.Module.Tasks.Server" in text and "OQJ001" in text and "ReminderWorker" in text
    assert all(line == line.rstrip() for line in text.splitlines()), "no trailing spaces"
    assert "findings" in err and "OQJ001" not in err


@pytest.mark.parametrize("fail_on,expected", [("error", 1), ("warning", 1), ("info", 1), ("never", 0)])
def test_fail_on_thresholds(cli, fail_on, expected):
    assert cli("scan", SOLUTION, "--fail-on", fail_on, "--no-progress")[0] == expected


def test_fail_on_counts_only_severe_enough_findings(cli, tmp_path):
    (tmp_path / "Startup.cs").write_text(
        "using Oqtane.Infrastructure;\nclass J : HostedServiceBase {\n"
        "  public J(IServiceScopeFactory f) : base(f) { Name = \"J\"; Frequency = \"d\"; Interval = 1; IsEnabled = true; }\n"
        "  public override string ExecuteJob(System.IServiceProvider provider) { try { System.Threading.Tasks.Task.Delay(10); return \"\"; }"
        " catch (System.Exception ex) { return ex.Message; } }\n}\n")
    code, out, _ = cli("scan", tmp_path, "--format", "json", "--fail-on", "error", "--no-progress")
    findings = json.loads(out)["findings"]
    assert findings and {f["severity"] for f in findings} == {"warning"}
    assert code == 0
    assert cli("scan", tmp_path, "--fail-on", "warning", "--no-progress")[0] == 1


def test_clean_tree_exits_zero(cli, tmp_path):
    (tmp_path / "Model.cs").write_text("namespace A { public class Model { public int Id { get; set; } } }\n")
    code, out, err = cli("scan", tmp_path, "--no-progress")
    assert code == 0 and "0 findings" in err


def test_select_and_ignore(cli):
    _, out, _ = cli("scan", SOLUTION, "--format", "json", "--select", "OQJ001,job-state", "--no-progress")
    assert {f["rule_id"] for f in json.loads(out)["findings"]} == {"OQJ001", "OQJ004"}
    _, out, _ = cli("scan", SOLUTION, "--format", "json", "--ignore", "OQJ001", "--no-progress")
    ids = {f["rule_id"] for f in json.loads(out)["findings"]}
    assert "OQJ001" not in ids and "OQJ002" in ids


@pytest.mark.parametrize("args,message", [
    (["scan", "does-not-exist"], "path not found: does-not-exist"),
    (["scan", ".", "--select", "OQJ099"], "unknown rule id: OQJ099"),
    (["scan", ".", "--ignore", "no-such-rule"], "unknown rule"),
    (["scan", ".", "--format", "xml"], "--format"),
    (["scan", ".", "--jobs", "zero"], "--jobs"),
    (["scan", ".", "--no-such-option"], "no-such-option"),
    (["explain", "OQJ404"], "unknown rule id: OQJ404"),
    (["diff", ".", "--codemod", "make-coffee"], "unknown codemod: make-coffee"),
    (["scan", ".", "--baseline", "missing.json"], "baseline not found"),
    (["apply", ".", "--only", "NoSuchWorker"], "no worker or job named NoSuchWorker"),
])
def test_usage_errors_are_one_line_exit_2(cli, tmp_path, args, message):
    (tmp_path / "Clean.cs").write_text("namespace Acme { public class Clean { } }\n", encoding="utf-8")
    code, out, err = cli(*args, cwd=tmp_path)
    assert code == 2
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert message in err


def test_bad_files_are_reported_and_the_scan_goes_on(cli, tmp_path):
    (tmp_path / "Worker.cs").write_bytes(WORKER)
    (tmp_path / "Binary.cs").write_bytes(b"BackgroundService\x00\x01\x02" * 10)
    (tmp_path / "Undecodable.cs").write_bytes(b"// BackgroundService \x81\x8d\x8f\x90\x9d\n")
    (tmp_path / "Huge.cs").write_bytes(b"// BackgroundService\n" + b"/" * 5_000_000)
    broken = WORKER.replace(b"PingWorker", b"BrokenWorker").replace(b"await Task.Delay(", b"await Task.Delay((")
    (tmp_path / "Broken.cs").write_bytes(broken)
    code, out, err = cli("scan", tmp_path, "--format", "json", "--no-progress")
    assert code == 1, err
    doc = json.loads(out)
    errors = {e["path"]: e["message"] for e in doc["errors"]}
    assert "binary" in errors["Binary.cs"].lower()
    assert "Undecodable.cs" in errors
    assert "too large" in errors["Huge.cs"]
    assert "syntax error at line" in errors["Broken.cs"]
    symbols = {f["symbol"] for f in doc["findings"] if f["rule_id"] == "OQJ001"}
    assert symbols == {"PingWorker", "BrokenWorker"}  # the broken file is still scanned
    assert "file errors" in err


def test_process_pool_gives_the_same_result_as_one_process(cli, tmp_path):
    for i in range(150):
        body = WORKER.replace(b"PingWorker", b"PingWorker%d" % i) if i % 10 == 0 else b"namespace A { class C%d { } }\n" % i
        (tmp_path / f"F{i:03}.cs").write_bytes(body)
    one = json.loads(cli("scan", tmp_path, "--format", "json", "--jobs", "1", "--no-progress")[1])
    two = json.loads(cli("scan", tmp_path, "--format", "json", "--jobs", "2", "--no-progress")[1])
    assert one == two
    assert len([f for f in one["findings"] if f["rule_id"] == "OQJ001"]) == 15


def test_worker_base_in_another_file_without_trigger_tokens(cli, tmp_path):
    (tmp_path / "TimedWorkerBase.cs").write_text(
        "using Microsoft.Extensions.Hosting;\nnamespace A { public abstract class TimedWorkerBase : BackgroundService { } }\n")
    (tmp_path / "Sub.cs").write_text("namespace A { public class InvoiceSync : TimedWorkerBase { } }\n")
    (tmp_path / "Local.cs").write_text(
        "namespace B { public class BackgroundService { } public class NotAWorker : BackgroundService { } }\n")
    _, out, _ = cli("scan", tmp_path, "--format", "json", "--select", "OQJ001", "--no-progress")
    assert {f["symbol"] for f in json.loads(out)["findings"]} == {"TimedWorkerBase", "InvoiceSync"}


def test_baseline_then_only_new_findings_fail(cli, tmp_path):
    (tmp_path / "Old.cs").write_bytes(WORKER)
    base = tmp_path / "baseline.json"
    code, _, err = cli("baseline", tmp_path, "--output", base, "--no-progress")
    assert code == 0 and base.exists()
    assert cli("scan", tmp_path, "--baseline", base, "--no-progress")[0] == 0
    # unrelated edits above the finding keep the baseline valid
    (tmp_path / "Old.cs").write_bytes(b"// a comment moves every line\n" + WORKER)
    assert cli("scan", tmp_path, "--baseline", base, "--no-progress")[0] == 0
    (tmp_path / "New.cs").write_bytes(WORKER.replace(b"PingWorker", b"PongWorker"))
    code, out, err = cli("scan", tmp_path, "--baseline", base, "--format", "json", "--no-progress")
    assert code == 1
    assert {f["symbol"] for f in json.loads(out)["findings"]} == {"PongWorker"}
    assert "known from the baseline" in err


def test_suppressions(cli, tmp_path):
    src = WORKER.replace(b"    public class PingWorker", b"    // oqmigrate-ignore OQJ001: migrated next sprint\n    public class PingWorker")
    src = src.replace(b"            while", b"            // oqmigrate-ignore OQJ002\n            while")
    src += b"// oqmigrate-ignore OQJ004: nothing to suppress here\n"
    (tmp_path / "W.cs").write_bytes(src)
    _, out, _ = cli("scan", tmp_path, "--format", "json", "--no-progress")
    findings = json.loads(out)["findings"]
    ids = [f["rule_id"] for f in findings]
    assert "OQJ001" not in ids  # suppressed with a reason
    assert "OQJ002" in ids  # no reason: does not suppress ...
    messages = [f["message"] for f in findings if f["rule_id"] == "OQJ000"]
    assert any("no reason" in m for m in messages)  # ... and is reported
    assert any("stale" in m for m in messages)


def test_rules_and_explain(cli):
    code, out, _ = cli("rules", "--format", "json")
    assert code == 0
    rules = json.loads(out)["rules"]
    assert [r["id"] for r in rules] == [f"OQJ{i:03}" for i in range(0, 17)]
    assert {"id", "name", "severity", "summary", "fixable"} <= set(rules[0])
    code, out, _ = cli("rules")
    assert code == 0 and "OQJ016" in out
    for r in rules:
        code, out, err = cli("explain", r["id"])
        assert code == 0, err
        assert r["name"] in out and "Noncompliant" in out and "Compliant" in out and "Playbook" in out
    assert cli("explain", "job-state")[0] == 0


def test_python_dash_m_and_version(cli):
    code, out, _ = cli("--version")
    assert code == 0 and out.startswith("oqmigrate ")


@pytest.mark.parametrize("target", ["/nonexistent/dir/report.json", "."])
def test_unwritable_output_is_a_usage_error(cli, tmp_path, target):
    for fmt in ("text", "json"):
        code, _, err = cli("scan", SOLUTION, "--format", fmt, "--output", target, "--no-progress", cwd=tmp_path)
        assert code == 2 and "cannot write" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("args,message", [
    (["scan", ".", "--select", ",,"], "--select names no rule"),
    (["diff", ".", "--codemod", ","], "--codemod names no codemod"),
])
def test_empty_selections_are_usage_errors(cli, tmp_path, args, message):
    code, _, err = cli(*args, cwd=tmp_path)
    assert code == 2 and message in err


def test_suppression_rule_can_be_explained_ignored_and_is_scoped_to_selected_rules(cli, tmp_path):
    (tmp_path / "W.cs").write_bytes(WORKER.replace(b"    public class PingWorker",
                                                   b"    // oqmigrate-ignore OQJ004\n    public class PingWorker"))
    code, out, _ = cli("explain", "OQJ000")
    assert code == 0 and "invalid-suppression" in out
    _, out, _ = cli("scan", tmp_path, "--format", "json", "--no-progress")
    assert "OQJ000" in {f["rule_id"] for f in json.loads(out)["findings"]}
    _, out, _ = cli("scan", tmp_path, "--format", "json", "--ignore", "OQJ000", "--no-progress")
    assert "OQJ000" not in {f["rule_id"] for f in json.loads(out)["findings"]}
    # a run that does not check OQJ004 does not judge suppressions of OQJ004
    _, out, _ = cli("scan", tmp_path, "--format", "json", "--select", "OQJ001,OQJ000", "--no-progress")
    assert {f["rule_id"] for f in json.loads(out)["findings"]} == {"OQJ001"}


def test_baseline_holds_for_another_scan_root_in_the_same_repository(cli, tmp_path):
    from gitrepo import make_repo
    repo = make_repo(tmp_path / "r", copy_from=SOLUTION)
    assert cli("baseline", ".", "-o", "known.json", "--no-progress", cwd=repo)[0] == 0
    for target in ("Server", "Server/Acme.Module.Tasks.Server.csproj", "Acme.Module.Tasks.slnx"):
        code, _, err = cli("scan", target, "--baseline", "known.json", "--no-progress", cwd=repo)
        assert code == 0, (target, err)
