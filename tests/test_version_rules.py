"""Rules that know the Oqtane version (OQJ007, OQJ014), through the real CLI with `--oqtane-version`.

The rule fixtures cannot carry a version, so the same files are scanned here on both sides of a boundary:
blocking calls in ExecuteJob before/after 4.0.3 (ExecuteJobAsync), registrations before/after 3.2.1 (automatic
registration of any IHostedService). `explain` tells the version differences.
"""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import FIXTURES, run_cli

SYNC_OVER_ASYNC = FIXTURES / "rules" / "OQJ007" / "bad" / "sync_over_async_in_job.cs"
WORKER_REGISTERED = FIXTURES / "rules" / "OQJ014" / "bad" / "add_hosted_service_same_file.cs"
JOB_REGISTERED = FIXTURES / "rules" / "OQJ014" / "bad" / "singleton_registration_of_job"


def _findings(path, rule_id: str, version: str) -> list[dict]:
    code, out, err = run_cli("scan", path.name, "--format", "json", "--oqtane-version", version, cwd=path.parent)
    assert "Traceback" not in err, err
    return [f for f in json.loads(out)["findings"] if f["rule_id"] == rule_id]


@pytest.fixture
def job_file(tmp_path):
    target = tmp_path / "ExchangeRateJob.cs"
    shutil.copyfile(SYNC_OVER_ASYNC, target)
    return target


@pytest.mark.parametrize("version", ["2.0.1", "3.4.0", "4.0.2"])
def test_blocking_in_execute_job_without_execute_job_async_is_info_with_the_upgrade(job_file, version):
    found = _findings(job_file, "OQJ007", version)
    assert len(found) == 3  # .Result, GetAwaiter().GetResult(), .Wait()
    for f in found:
        assert f["severity"] == "info"
        assert f"Oqtane {version} has no ExecuteJobAsync (from 4.0.3)" in f["message"]
        assert "upgrading Oqtane to 4.0.3 or later lets the job await it in ExecuteJobAsync" in f["message"]


@pytest.mark.parametrize("version", ["4.0.3", "10.2.4"])
def test_blocking_in_execute_job_with_execute_job_async_is_a_warning(job_file, version):
    found = _findings(job_file, "OQJ007", version)
    assert [f["severity"] for f in found] == ["warning"] * 3
    assert all(f["message"].endswith("; await it") for f in found)


def test_blocking_outside_execute_job_stays_a_warning_on_old_versions(tmp_path):
    source = SYNC_OVER_ASYNC.read_text().replace(
        "    public override string ExecuteJob(IServiceProvider provider)\n    {\n        try\n",
        "    public override string ExecuteJob(IServiceProvider provider)\n    {\n        return Run(provider);\n"
        "    }\n\n    private string Run(IServiceProvider provider)\n    {\n        try\n")
    assert "private string Run(" in source
    target = tmp_path / "ExchangeRateJob.cs"
    target.write_text(source)
    found = _findings(target, "OQJ007", "3.4.0")
    assert [f["severity"] for f in found] == ["warning"] * 3


def test_migrated_bridge_is_reported_as_info_only(tmp_path):
    """migrate-worker's output for 3.4.0 leaves nothing above info: the bridge is the version's way, said as such."""
    after = FIXTURES / "migrate-worker-versions" / "3.4.0" / "background_loop_scope.after.cs"
    target = tmp_path / "CleanupWorker.cs"
    shutil.copyfile(after, target)
    code, out, err = run_cli("scan", target.name, "--format", "json", "--oqtane-version", "3.4.0", cwd=tmp_path)
    findings = json.loads(out)["findings"]
    assert [f["rule_id"] for f in findings if f["severity"] != "info"] == []
    assert [f["rule_id"] for f in findings if "ExecuteJobAsync (from 4.0.3)" in f["message"]] == ["OQJ007"]


def test_shutdown_wait_is_not_a_delay():
    case = FIXTURES / "rules" / "OQJ007" / "good" / "shutdown_wait_in_stop_async.cs"
    for version in ("3.4.0", "10.2.4"):
        assert _findings(case, "OQJ007", version) == []


def test_worker_registration_before_3_2_1_is_needed_until_the_migration(tmp_path):
    target = tmp_path / "Startup.cs"
    shutil.copyfile(WORKER_REGISTERED, target)
    [before] = _findings(target, "OQJ014", "3.2.0")
    assert before["severity"] == "info"
    assert "on Oqtane 3.2.0 a worker needs this registration while it is a worker" in before["message"]
    assert "remove it with its migration to a job" in before["message"]
    [after] = _findings(target, "OQJ014", "3.2.1")
    assert after["severity"] != "info"
    assert after["message"] == ("registers MailQueueWorker by hand; Oqtane registers every IHostedService of a "
                                "module assembly itself")


def test_job_registration_is_never_needed(tmp_path):
    source = WORKER_REGISTERED.read_text().replace(
        "    public class MailQueueWorker : BackgroundService\n    {\n        protected override async Task "
        "ExecuteAsync(CancellationToken stoppingToken)\n        {\n            while (!stoppingToken."
        "IsCancellationRequested)\n            {\n                Console.WriteLine(\"Sending queued mail\");\n"
        "                await Task.Delay(TimeSpan.FromMinutes(1), stoppingToken);\n            }\n        }\n",
        "    public class MailQueueWorker : HostedServiceBase\n    {\n        public MailQueueWorker("
        "IServiceScopeFactory f) : base(f) { Name = \"Mail\"; Frequency = \"m\"; Interval = 1; }\n\n"
        "        public override string ExecuteJob(IServiceProvider provider) { return \"Mail sent<br />\"; }\n")
    assert "MailQueueWorker : HostedServiceBase" in source
    target = tmp_path / "Startup.cs"
    target.write_text(source)
    [found] = _findings(target, "OQJ014", "2.0.1")
    assert found["severity"] != "info"
    assert "registers the job MailQueueWorker by hand" in found["message"]
    assert "on every version" in found["message"]


def test_registration_of_a_class_in_another_file_before_3_2_1_explains_both_kinds(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(JOB_REGISTERED, project)
    code, out, err = run_cli("scan", ".", "--format", "json", "--oqtane-version", "3.0.2", cwd=project)
    [found] = [f for f in json.loads(out)["findings"] if f["rule_id"] == "OQJ014"]
    assert "a job needs no registration" in found["message"]
    assert "from 3.2.1" in found["message"]


@pytest.mark.parametrize("rule_id,words", [("OQJ007", ["4.0.3", "ExecuteJobAsync", "info"]),
                                           ("OQJ014", ["3.2.1", "registration"])])
def test_explain_mentions_the_version_differences(rule_id, words):
    code, out, err = run_cli("explain", rule_id)
    assert code == 0, err
    for word in words:
        assert word in out, (word, out)
