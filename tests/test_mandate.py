"""diff/apply/plan change only what the user asked for: selected rules, no suppressed finding, no baselined
finding when a baseline is named, no class in a project where a job cannot run. Through the real CLI, in real
git repositories built from the bundled solution."""

from __future__ import annotations

import json

from conftest import FIXTURES, run_cli
from gitrepo import git, make_repo

SOLUTION = FIXTURES / "solutions" / "Acme.Module.Tasks"
WORKER = "Server/Services/ReminderWorker.cs"
MAILER = "Server/Services/DigestMailer.cs"
STARTUP = "Server/Startup/ServerStartup.cs"


def solution(tmp_path, edits: dict[str, tuple[str, str]] | None = None):
    repo = make_repo(tmp_path / "repo", copy_from=SOLUTION)
    for rel, (old, new) in (edits or {}).items():
        path = repo / rel
        text = path.read_text(encoding="utf-8-sig")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    if edits:
        git(repo, "commit", "-qam", "edit")
    return repo


def changed_files(patch: str) -> set[str]:
    return {line.split(" b/", 1)[1] for line in patch.splitlines() if line.startswith("diff --git ")}


def test_default_run_migrates_both_workers_and_their_registrations(tmp_path):
    repo = solution(tmp_path)
    code, out, err = run_cli("diff", ".", "--no-progress", cwd=repo)
    assert code == 1, err
    assert {WORKER, MAILER, STARTUP} <= changed_files(out)


def test_suppressed_finding_inside_a_worker_keeps_it_unchanged(tmp_path):
    repo = solution(tmp_path, {WORKER: ("            while (!stoppingToken.IsCancellationRequested)",
                                        "            // oqmigrate-ignore OQJ002: polls a device; reviewed in ticket 42\n"
                                        "            while (!stoppingToken.IsCancellationRequested)")})
    code, out, err = run_cli("diff", ".", "--no-progress", cwd=repo)
    assert WORKER not in changed_files(out)
    assert MAILER in changed_files(out)
    assert "ReminderWorker: suppressed: `oqmigrate-ignore OQJ002`" in err
    startup = next((chunk for chunk in out.split("diff --git ") if chunk.startswith(f"a/{STARTUP}")), "")
    assert "-            services.AddHostedService<ReminderWorker>();" not in startup
    assert "-            services.AddSingleton<IHostedService, DigestMailer>();" in startup


def test_suppressed_primary_finding_keeps_the_class_unchanged(tmp_path):
    repo = solution(tmp_path, {WORKER: ("    public class ReminderWorker",
                                        "    // oqmigrate-ignore OQJ001: replaced by an Azure function next quarter\n"
                                        "    public class ReminderWorker")})
    code, out, err = run_cli("diff", ".", "--no-progress", cwd=repo)
    assert WORKER not in changed_files(out) and MAILER in changed_files(out)


def test_rule_selection_on_the_command_line(tmp_path):
    repo = solution(tmp_path)
    code, out, err = run_cli("diff", ".", "--no-progress", "--select", "OQJ014", cwd=repo)
    assert changed_files(out) == set(), "registrations of workers go only with their migration"
    code, out, err = run_cli("diff", ".", "--no-progress", "--ignore", "OQJ014", cwd=repo)
    assert STARTUP not in changed_files(out) and {WORKER, MAILER} <= changed_files(out)
    code, out, err = run_cli("diff", ".", "--no-progress", "--ignore", "generic-hosted-service", cwd=repo)
    assert changed_files(out) == {"Server/Jobs/TenantSweeper.cs"}  # only unwrap-tenant-loop (OQJ005) acts
    code, out, err = run_cli("diff", ".", "--no-progress", "--ignore", "generic-hosted-service,OQJ005", cwd=repo)
    assert changed_files(out) == set()


def test_rule_selection_in_the_configuration(tmp_path):
    repo = solution(tmp_path)
    (repo / "oqmigrate.toml").write_text('ignore = ["OQJ001", "OQJ002", "OQJ005", "OQJ006"]\n', encoding="utf-8")
    git(repo, "add", "oqmigrate.toml")
    git(repo, "commit", "-qm", "config")
    code, out, err = run_cli("diff", ".", "--no-progress", cwd=repo)
    assert (code, changed_files(out)) == (0, set()), err
    code, out, err = run_cli("apply", ".", "--no-progress", cwd=repo)
    assert code == 0, err
    assert git(repo, "status", "--porcelain").stdout == b""


def test_baseline_filters_fixes_only_when_named(tmp_path):
    repo = solution(tmp_path)
    code, _, err = run_cli("baseline", ".", "--no-progress", "-o", "oqmigrate-baseline.json", cwd=repo)
    assert code == 0, err
    (repo / "oqmigrate.toml").write_text('baseline = "oqmigrate-baseline.json"\n', encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "baseline")
    code, out, err = run_cli("scan", ".", "--no-progress", "--format", "json", cwd=repo)
    assert json.loads(out)["findings"] == []
    # the configured baseline does not stop the step-by-step migration ...
    code, out, err = run_cli("diff", ".", "--no-progress", cwd=repo)
    assert {WORKER, MAILER} <= changed_files(out)
    # ... a baseline named on the command line leaves its findings alone
    code, out, err = run_cli("diff", ".", "--no-progress", "--baseline", "oqmigrate-baseline.json", cwd=repo)
    assert (code, changed_files(out)) == (0, set()), err


def test_plan_takes_the_selection(tmp_path):
    repo = solution(tmp_path)
    code, out, err = run_cli("plan", ".", "--no-progress", "--format", "json", "--ignore", "OQJ001", cwd=repo)
    assert code == 0, err
    assert [s["symbols"] for s in json.loads(out)["steps"]] == [["TenantSweeper"]]  # OQJ005 is still selected
    code, out, err = run_cli("plan", ".", "--no-progress", "--format", "json", "--ignore", "OQJ001,OQJ005", cwd=repo)
    assert code == 0, err
    assert json.loads(out)["steps"] == []


def test_worker_in_a_client_project_is_left_for_a_person(tmp_path):
    repo = make_repo(tmp_path / "repo", copy_from=SOLUTION)
    (repo / "Client" / "Services" / "Poller.cs").write_text(
        (FIXTURES / "migrate-worker" / "background_loop_scope.before.cs").read_text(encoding="utf-8"), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "client worker")
    code, out, err = run_cli("diff", ".", "--no-progress", cwd=repo)
    assert "Client/Services/Poller.cs" not in changed_files(out)
    assert "CleanupWorker: in a Client project (OQJ013)" in err
    code, out, err = run_cli("scan", "Client", "--no-progress", "--format", "json", "--fail-on", "never", cwd=repo)
    findings = [f for f in json.loads(out)["findings"] if f["symbol"] == "CleanupWorker"]
    assert findings and not any(f["fixable"] for f in findings)
    assert all("Client project" in f["fix_blocker"] for f in findings if f["rule_id"] != "OQJ013")


def test_projects_oqtane_does_not_load_are_never_rewritten(tmp_path):
    scopes = FIXTURES / "workspace" / "scopes"
    repo = make_repo(tmp_path / "repo", copy_from=scopes)
    code, out, err = run_cli("diff", ".", "--no-progress", cwd=repo)
    changed = changed_files(out)
    assert changed, "the module projects' workers are migrated"
    # Acme.Digest (assembly without "Oqtane"), Forms ($(Owner) unresolved) and the Worker SDK service stay as they are
    assert not any(path.startswith(("Digest/", "Forms/", "Reports/")) for path in changed), changed
    assert "not rewritten: assembly Acme.Digest does not contain \"Oqtane\"" in err
    assert "not rewritten: project Acme.Reports.Worker is not an Oqtane module" in err
    code, _, err = run_cli("apply", ".", "--no-progress", cwd=repo)
    assert code == 0, err
    status = git(repo, "status", "--porcelain").stdout.decode()
    assert not any(p in status for p in ("Digest/", "Forms/", "Reports/")), status
