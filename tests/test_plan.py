"""`oqmigrate plan`: step-by-step adoption, checked by following the plan on a real repository."""

import json
import shlex

from conftest import FIXTURES, run_cli
from gitrepo import git, make_repo

SOLUTION = FIXTURES / "solutions" / "Acme.Module.Tasks"


def test_plan_steps_resolve_what_they_claim_and_can_be_followed(tmp_path):
    repo = make_repo(tmp_path / "r", copy_from=SOLUTION)
    code, out, err = run_cli("plan", ".", "--format", "json", "--no-progress", cwd=repo)
    assert code == 0, err
    doc = json.loads(out)
    steps = doc["steps"]
    assert [s["symbols"] for s in steps] == [["NightlyCleanup"], ["TenantSweeper"], ["DigestMailer", "ReminderWorker"]]
    assert {f["rule_id"] for f in steps[2]["resolves"]} >= {"OQJ001", "OQJ002", "OQJ014"}
    assert {f["rule_id"] for f in steps[1]["resolves"]} == {"OQJ005"}  # unwrap-tenant-loop
    assert any("times are UTC" in r for r in steps[0]["review"])
    # the static _lastRun gate carries information between runs: reported, never dropped
    assert [f["rule_id"] for f in steps[1]["remaining"]] == ["OQJ004"]
    assert doc["untouched"] == []

    before = {(f["rule_id"], f["path"], f["symbol"]) for f in json.loads(run_cli("scan", ".", "--format", "json", "--no-progress", cwd=repo)[1])["findings"]}
    for step in steps:  # follow the plan, one commit per step
        args = shlex.split(step["command"])
        assert args[0] == "oqmigrate"
        code, _, err = run_cli(*args[1:], cwd=repo)
        assert code == 0, err
        assert sorted(git(repo, "diff", "--name-only").stdout.decode().split()) == sorted(step["files"])
        after = {(f["rule_id"], f["path"], f["symbol"]) for f in json.loads(run_cli("scan", ".", "--format", "json", "--no-progress", cwd=repo)[1])["findings"]}
        assert {(f["rule_id"], f["path"], f["symbol"]) for f in step["resolves"]} == before - after
        git(repo, "commit", "-qam", "step")
        before = after
    code, out, _ = run_cli("plan", ".", "--no-progress", cwd=repo)
    assert "Automatic steps" not in out and "TenantSweeper" in out


def test_plan_markdown_and_text(tmp_path):
    code, out, _ = run_cli("plan", SOLUTION, "--format", "markdown", "--no-progress")
    assert code == 0 and out.startswith("## oqmigrate plan") and "| 1 | NightlyCleanup |" in out
    code, out, _ = run_cli("plan", SOLUTION, "--no-progress")
    assert code == 0 and "$ oqmigrate apply --only NightlyCleanup" in out
    (tmp_path / "Clean.cs").write_text("namespace A { class C { } }\n")
    assert "Nothing to do" in run_cli("plan", tmp_path, "--no-progress")[1]
