"""What a finding says where the rule fixtures only pin its line: the message names the next step when the
usual advice would be wrong (a one-shot start-up task is not a job; a worker's base the scan cannot see; a
timer field is plumbing, not state). Real scanner, real fixtures."""

from pathlib import Path

from conftest import FIXTURES
from oqmigrate.catalog import all_rule_ids
from oqmigrate.scanner import scan
from oqmigrate.workspace import discover

RULES = FIXTURES / "rules"


def messages(case: Path, rule_id: str) -> dict[int, str]:
    result = scan(discover([case]), all_rule_ids(), jobs=1)
    return {f.line: f.message for f in result.findings if f.rule_id == rule_id}


def test_one_shot_startup_task_points_to_server_startup_or_a_migration():
    found = messages(RULES / "OQJ001/bad/one_shot_startup_migration.cs", "OQJ001")
    assert set(found) == {10, 26}
    for message in found.values():
        assert "once at start-up" in message and "IServerStartup" in message and "migration" in message
        assert "HostedServiceBase job" not in message


def test_repeating_worker_keeps_the_job_advice():
    found = messages(RULES / "OQJ001/bad/generic_worker.cs", "OQJ001")
    assert found and all("HostedServiceBase job" in m and "IServerStartup" not in m for m in found.values())


def test_worker_with_an_unseen_base_says_the_base_was_not_found():
    found = messages(RULES / "OQJ001/bad/base_class_in_another_repository.cs", "OQJ001")
    assert list(found.values()) == [
        "'WeatherRefreshWorker' overrides ExecuteAsync(CancellationToken) of 'ResilientWorker', a base class not found "
        "in the scanned code: most likely a BackgroundService; Oqtane runs scheduled work only as a HostedServiceBase job"]


def test_timer_field_is_named_as_the_worker_driver_not_state():
    found = messages(RULES / "OQJ004/bad/fields_assigned_in_start_async.cs", "OQJ004")
    assert "timer that drives the worker" in found[11] and "state" not in found[11]
    assert "stop signal" in found[12]
    assert "carries state between runs" in found[13]
