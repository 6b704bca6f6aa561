"""The CLI as people and tools use it: output formats, paths, help, errors, colour, stdin, exit codes,
summaries and baselines. Every check goes through the real CLI in a subprocess."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from conftest import FIXTURES, run_cli
from gitrepo import git, make_repo

SOLUTION = FIXTURES / "solutions" / "Acme.Module.Tasks"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
CONCISE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>OQJ\d{3})( \[\*\])? \S")


def test_concise_is_the_piped_default_and_clickable(tmp_path):
    repo = make_repo(tmp_path / "repo", copy_from=SOLUTION)
    code, out, err = run_cli("scan", "Server", "--no-progress", cwd=repo)
    assert code == 1
    lines = out.splitlines()
    assert lines and all(CONCISE.match(line) for line in lines), out
    for line in lines:  # paths are relative to the current directory: an editor opens them as printed
        m = CONCISE.match(line)
        assert (repo / m["path"]).is_file() and m["path"].startswith("Server/")
    assert "fixable with `oqmigrate apply`" in err


def test_paths_follow_the_current_directory(tmp_path):
    repo = make_repo(tmp_path / "repo", copy_from=SOLUTION)
    code, out, _ = run_cli("scan", "..", "--no-progress", "--select", "OQJ001", cwd=repo / "Server")
    assert {CONCISE.match(line)["path"] for line in out.splitlines()} == {
        "Jobs/NightlyCleanup.cs", "Services/DigestMailer.cs", "Services/ReminderWorker.cs"}
    code, out, _ = run_cli("scan", "Server", "--no-progress", "--format", "json", cwd=repo)
    data = json.loads(out)
    assert data["root"] == str((repo / "Server").resolve())
    assert all(not f["path"].startswith("Server/") for f in data["findings"]), "JSON paths stay root-relative"


def test_full_format_wraps_to_columns_without_trailing_spaces(tmp_path):
    code, out, _ = run_cli("scan", SOLUTION, "--no-progress", "--format", "full", env={"COLUMNS": "80"})
    assert code == 1
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert all(line == line.rstrip() for line in lines)
    assert "ReminderWorker" in out and "DigestMailer" in out  # symbols are never cut
    code, text_out, _ = run_cli("scan", SOLUTION, "--no-progress", "--format", "text", env={"COLUMNS": "80"})
    assert text_out == out, "`text` is the old name of `full`"


def test_statistics_count_per_rule(tmp_path):
    code, out, _ = run_cli("scan", SOLUTION, "--no-progress", "--statistics")
    rows = [line.split() for line in out.splitlines()]
    counts = {row[1]: int(row[0]) for row in rows}
    code, js, _ = run_cli("scan", SOLUTION, "--no-progress", "--format", "json")
    findings = json.loads(js)["findings"]
    assert counts == {r: sum(1 for f in findings if f["rule_id"] == r) for r in {f["rule_id"] for f in findings}}


def test_github_annotations():
    code, out, _ = run_cli("scan", SOLUTION, "--no-progress", "--format", "github")
    lines = out.splitlines()
    assert lines and all(re.match(r"^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,"
                                  r"title=OQJ\d{3} [a-z-]+::", line) for line in lines), out
    assert any(line.startswith("::notice ") for line in lines)  # info findings


def test_junit_report_one_case_per_rule_per_file():
    code, out, _ = run_cli("scan", SOLUTION, "--no-progress", "--format", "junit")
    root = ET.fromstring(out)
    cases = root.findall("./testsuite/testcase")
    code, js, _ = run_cli("scan", SOLUTION, "--no-progress", "--format", "json")
    findings = json.loads(js)["findings"]
    assert len(cases) == len({(f["path"], f["rule_id"]) for f in findings})
    assert all(case.find("failure") is not None for case in cases)
    suite = root.find("testsuite")
    assert int(suite.get("failures")) == len(cases)


def test_junit_of_a_clean_tree_has_one_passing_case(tmp_path):
    (tmp_path / "Clean.cs").write_text("namespace Acme { public class Clean { } }\n", encoding="utf-8")
    code, out, _ = run_cli("scan", tmp_path, "--no-progress", "--format", "junit")
    assert code == 0
    cases = ET.fromstring(out).findall("./testsuite/testcase")
    assert len(cases) == 1 and cases[0].find("failure") is None


def test_no_csharp_file_is_exit_2(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here", encoding="utf-8")
    for command in ("scan", "diff", "apply", "plan"):
        code, out, err = run_cli(command, tmp_path, "--no-progress")
        assert code == 2 and "no C# files found" in err and len(err.strip().splitlines()) == 1, (command, err)


def test_file_errors_fail_the_scan_unless_fail_on_never(tmp_path):
    (tmp_path / "Clean.cs").write_text("namespace Acme { public class Clean { } }\n", encoding="utf-8")
    (tmp_path / "Broken.cs").write_bytes(b"class W : BackgroundService \x81\x8d\x8f\x90 { }")  # neither UTF-8 nor cp1252
    code, out, err = run_cli("scan", tmp_path, "--no-progress")
    assert code == 1 and "Broken.cs" in out + err
    assert run_cli("scan", tmp_path, "--no-progress", "--fail-on", "never")[0] == 0


def test_help_is_short_flag_with_examples_and_no_python_types():
    for command in ("scan", "diff", "apply", "plan", "baseline", "rules", "explain"):
        code, out, _ = run_cli(command, "-h")
        assert code == 0 and "Usage: oqmigrate " + command in out
        assert "list[" not in out and "<path>" not in out.lower() and "range>" not in out
    for command in ("scan", "diff", "apply", "plan", "baseline"):
        assert "Examples:" in run_cli(command, "--help")[1]
    assert "changed (rewritten), unchanged" in run_cli("diff", "-h")[1]


@pytest.mark.parametrize("args,expected", [
    (["scan", ".", "--select", "OQJ01"], "did you mean OQJ016?"),
    (["scan", ".", "--ignore", "job-stat"], "did you mean job-state?"),
    (["explain", "generic-hosted-servce"], "did you mean generic-hosted-service?"),
    (["diff", ".", "--codemod", "migrate-workr"], "did you mean migrate-worker?"),
    (["scan", ".", "--selct", "OQJ001"], "did you mean --select?"),
    (["scan", ".", "--format", "jsn"], "did you mean json?"),
])
def test_did_you_mean(tmp_path, args, expected):
    (tmp_path / "Clean.cs").write_text("namespace Acme { public class Clean { } }\n", encoding="utf-8")
    code, _, err = run_cli(*args, cwd=tmp_path)
    assert code == 2 and expected in err and len(err.strip().splitlines()) == 1, err
    assert "Value error" not in err


def test_quiet_and_colour():
    code, out, err = run_cli("scan", SOLUTION, "--no-progress", "-q")
    assert out and err == ""
    _, plain, _ = run_cli("scan", SOLUTION, "--no-progress", "--format", "full", "--color", "always",
                          env={"NO_COLOR": ""})
    assert ANSI.search(plain)
    _, never, _ = run_cli("scan", SOLUTION, "--no-progress", "--format", "full", "--color", "never")
    assert not ANSI.search(never)
    _, auto, _ = run_cli("scan", SOLUTION, "--no-progress", "--format", "full", env={"NO_COLOR": "1"})
    assert not ANSI.search(auto)


def test_stdin_with_a_filename(tmp_path):
    repo = make_repo(tmp_path / "repo", copy_from=SOLUTION)
    worker = (repo / "Server" / "Services" / "ReminderWorker.cs").read_text(encoding="utf-8-sig")
    edited = worker.replace("public class ReminderWorker", "public class EditedWorker")
    code, out, err = run_cli("scan", "-", "--stdin-filename", "Server/Services/ReminderWorker.cs", "--no-progress",
                             "--format", "json", input=edited, cwd=repo)
    data = json.loads(out)
    assert {f["symbol"] for f in data["findings"]} == {"EditedWorker"}
    assert {f["path"] for f in data["findings"]} == {"Server/Services/ReminderWorker.cs"}
    assert {f["project"] for f in data["findings"]} == {"Acme.Module.Tasks.Server"}
    code, _, err = run_cli("scan", "-", "--no-progress", input=edited, cwd=repo)
    assert code == 2 and "--stdin-filename" in err


def test_diff_exit_codes_summary_and_next_step(tmp_path):
    repo = make_repo(tmp_path / "repo", copy_from=SOLUTION)
    code, out, err = run_cli("diff", ".", "--no-progress", cwd=repo)
    assert code == 1 and out.startswith("diff --git")
    m = re.search(r"would change (\d+) files?; (\d+) unchanged, (\d+) skipped, (\d+) failed \((\d+) files? considered\)",
                  err)
    assert m, err
    changed, unchanged, skipped, failed, considered = map(int, m.groups())
    assert changed + unchanged + skipped + failed == considered
    assert "to write these changes: oqmigrate apply ." in err
    assert run_cli("diff", ".", "--no-progress", "--exit-zero", cwd=repo)[0] == 0
    code, _, err = run_cli("apply", ".", "--no-progress", cwd=repo)
    assert code == 0 and "next: review with `git diff`" in err
    m = re.search(r"changed (\d+) files?; (\d+) unchanged, (\d+) skipped, (\d+) failed \((\d+) files? considered\)", err)
    assert m and sum(map(int, m.groups()[:4])) == int(m.group(5))
    code, out, err = run_cli("diff", ".", "--no-progress", cwd=repo)
    assert (code, out) == (0, "") and "would change 0 files;" in err


def test_baseline_follows_a_renamed_file_and_tightens(tmp_path):
    repo = make_repo(tmp_path / "repo", copy_from=SOLUTION)
    assert run_cli("baseline", ".", "--no-progress", "-o", "base.json", cwd=repo)[0] == 0
    assert json.loads((repo / "base.json").read_text())["oqmigrate_baseline"] == 2
    git(repo, "mv", "Server/Services/ReminderWorker.cs", "Server/Services/Reminders.cs")
    code, out, err = run_cli("scan", ".", "--no-progress", "--baseline", "base.json", "--format", "json", cwd=repo)
    assert json.loads(out)["findings"] == [], "a moved file keeps its baseline entries"
    # fix one worker by hand: its entries are reported as fixed and --update drops them
    (repo / "Server" / "Services" / "DigestMailer.cs").unlink()
    code, out, err = run_cli("scan", ".", "--no-progress", "--baseline", "base.json", cwd=repo)
    assert re.search(r"\d+ baseline entries are fixed", err), err
    before = len(json.loads((repo / "base.json").read_text())["findings"])
    assert run_cli("baseline", ".", "--no-progress", "--update", "-o", "base.json", cwd=repo)[0] == 0
    after = json.loads((repo / "base.json").read_text())
    assert len(after["findings"]) < before
    assert all(not e["path"].endswith("DigestMailer.cs") for e in after["findings"])
    assert any(e["path"].endswith("Reminders.cs") for e in after["findings"])


def test_format_1_baselines_still_load(tmp_path):
    repo = make_repo(tmp_path / "repo", copy_from=SOLUTION)
    run_cli("baseline", ".", "--no-progress", "-o", "base.json", cwd=repo)
    data = json.loads((repo / "base.json").read_text())
    old = {"oqmigrate_baseline": 1, "version": "0.1.0",
           "findings": [{k: v for k, v in e.items() if k != "identity"} for e in data["findings"]]}
    (repo / "old.json").write_text(json.dumps(old), encoding="utf-8")
    code, out, err = run_cli("scan", ".", "--no-progress", "--baseline", "old.json", "--format", "json", cwd=repo)
    assert code == 0 and json.loads(out)["findings"] == [], err


def test_projects_are_marked_in_json(tmp_path):
    code, out, _ = run_cli("scan", FIXTURES / "workspace" / "scopes", "--no-progress", "--format", "json")
    data = json.loads(out)
    scopes = {p["name"]: p["scope"] for p in data["projects"]}
    assert "not-oqtane" in scopes.values() and "module" in scopes.values() and "not-discovered" in scopes.values()
    assert any("not rewritten:" in n for n in data["notices"])
    not_loaded = {p["name"] for p in data["projects"] if p["scope"] != "module"}
    assert all(not f["fixable"] for f in data["findings"] if f["project"] in not_loaded)


def test_sarif_carries_fixes_suppressions_baseline_state_and_validates(tmp_path):
    import jsonschema
    from urllib.parse import unquote

    schema = json.loads((FIXTURES.parent / "tests" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    repo = make_repo(tmp_path / "my repo", copy_from=SOLUTION)
    worker = repo / "Server" / "Services" / "ReminderWorker.cs"
    text = worker.read_text(encoding="utf-8-sig")
    worker.write_text(text.replace("            while (!stoppingToken.IsCancellationRequested)",
                                   "            // oqmigrate-ignore OQJ002: polls a device, reviewed\n"
                                   "            while (!stoppingToken.IsCancellationRequested)", 1), encoding="utf-8")
    git(repo, "commit", "-qam", "suppress")
    code, out, err = run_cli("scan", "Server", "--no-progress", "-f", "sarif", cwd=repo)
    log = json.loads(out)
    jsonschema.validate(log, schema)
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    assert unquote(run["originalUriBaseIds"]["SRCROOT"]["uri"]).rstrip("/").endswith("my repo")
    results = run["results"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert all(" " not in u and u.startswith("Server/") for u in uris)
    suppressed = [r for r in results if "suppressions" in r]
    assert [(r["ruleId"], r["suppressions"][0]["justification"]) for r in suppressed] == [
        ("OQJ002", "polls a device, reviewed")]
    fixable = [r for r in results if r["properties"]["fixable"]]
    assert fixable and all(r.get("fixes") for r in fixable)
    change = fixable[0]["fixes"][0]["artifactChanges"][0]
    assert change["replacements"][0]["deletedRegion"]["byteLength"] >= 0
    assert all("fixBlocker" in r["properties"] for r in results if not r["properties"]["fixable"])
    run_cli("baseline", "Server", "--no-progress", "-o", "base.json", cwd=repo)
    (repo / "Server" / "Jobs" / "Extra.cs").write_text(
        (FIXTURES / "migrate-worker" / "background_loop_scope.before.cs").read_text(encoding="utf-8"), encoding="utf-8")
    code, out, err = run_cli("scan", "Server", "--no-progress", "-f", "sarif", "--baseline", "base.json", cwd=repo)
    log = json.loads(out)
    jsonschema.validate(log, schema)
    states = {r.get("baselineState") for r in log["runs"][0]["results"]}
    assert states == {"new"}
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]
            if "suppressions" not in r} == {"Server/Jobs/Extra.cs"}
