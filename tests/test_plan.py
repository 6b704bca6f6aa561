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


def test_plan_names_each_projects_version_and_offers_the_upgrade_that_unlocks_async_jobs(tmp_path):
    import json
    from conftest import FIXTURES, run_cli

    worker = (FIXTURES / "migrate-worker" / "background_loop_scope.before.cs").read_text(encoding="utf-8")
    (tmp_path / "Server").mkdir()
    (tmp_path / "Server" / "Acme.Cleanup.Server.csproj").write_text(
        '<Project Sdk="Microsoft.NET.Sdk">\n  <PropertyGroup>\n    <TargetFramework>net6.0</TargetFramework>\n'
        '    <AssemblyName>Acme.Cleanup.Server.Oqtane</AssemblyName>\n  </PropertyGroup>\n  <ItemGroup>\n'
        '    <PackageReference Include="Oqtane.Server" Version="3.4.0" />\n  </ItemGroup>\n</Project>\n',
        encoding="utf-8")
    (tmp_path / "Server" / "CleanupWorker.cs").write_text(worker, encoding="utf-8")
    code, out, err = run_cli("plan", tmp_path, "--no-progress", "--format", "json")
    assert code == 0, err
    plan = json.loads(out)
    assert plan["versions"]["Acme.Cleanup.Server"].startswith("Oqtane 3.4.0 (PackageReference Oqtane.Server 3.4.0")
    assert len(plan["upgrades"]) == 1 and "to 4.0.3 or later" in plan["upgrades"][0]
    assert any("no ExecuteJobAsync" in note for note in plan["steps"][0]["review"])
    code, out, err = run_cli("plan", tmp_path, "--no-progress", "--format", "json", "--oqtane-version", "10.2.4")
    assert json.loads(out)["upgrades"] == []
