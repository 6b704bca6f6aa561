"""A System.Threading.Timer that fires once per arming (`Change(due, Timeout.Infinite)`): re-armed by its own
callback as its last step with one constant delay it is "run, then wait N" (periodic, like a Task.Delay loop)
and migrates; re-armed from elsewhere (a debounce), on some paths only, or after a delay computed at run time it
stays manual with a reason that says which. The scan agrees: fixable exactly for the migrated ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import run_cli
from oqmigrate import syntax
from oqmigrate.analyse.blockers import BlockerKind
from oqmigrate.analyse.worker import Driver, analyse_worker
from oqmigrate.model import analyse
from oqmigrate.schedule import Schedule
from oqmigrate.transforms import TransformContext

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "migrate-worker"

MIGRATED = {  # case -> the job's schedule (the re-arm delay, not the timer's period)
    "timer_rearmed_after_run": Schedule("m", 10),
    "timer_rearmed_in_finally": Schedule("m", 2),
    "timer_rearmed_in_finally_with_catch": Schedule("H", 1),
}
MANUAL = {  # case -> (blocker kind, the start of its reason)
    "debounce_timer_change": (BlockerKind.ONE_SHOT_TIMER,
                              "the timer is armed again from RequestPublish (_timer.Change(2000, -1)): it runs after "
                              "that call (a debounce or a trigger), not on a schedule"),
    "debounce_timer_file_changes": (BlockerKind.ONE_SHOT_TIMER,
                                    "the timer is armed again from OnChanged (_timer.Change(1000, Timeout.Infinite))"),
    "timer_rearmed_on_some_paths": (BlockerKind.IRREGULAR_SCHEDULE,
                                    "the timer callback arms the timer again only on some paths"),
    "timer_rearmed_until_midnight": (BlockerKind.UNKNOWN_CADENCE,
                                     "the timer callback arms the timer again after a delay computed at run time "
                                     "(UntilMidnight())"),
}


def _model(case: str):
    data = (FIXTURES / f"{case}.before.cs").read_bytes()
    tree = syntax.parse(data)
    ctx = TransformContext("Worker.cs", data, tree, analyse(tree), "\n", "    ")
    info = next(c for c in ctx.model.classes if c.kind == "worker")
    return analyse_worker(ctx, info)


@pytest.mark.parametrize("case", sorted(MIGRATED))
def test_a_timer_its_callback_rearms_at_the_end_runs_every_delay(case):
    model = _model(case)
    assert model.blockers == []
    assert model.driver == Driver.THREADING_TIMER
    assert model.schedule == MIGRATED[case]


@pytest.mark.parametrize("case", sorted(MANUAL))
def test_a_timer_armed_elsewhere_conditionally_or_after_a_computed_delay_stays_manual(case):
    model = _model(case)
    kind, reason = MANUAL[case]
    assert [b.kind for b in model.blockers] == [kind]
    assert model.blockers[0].text.startswith(reason)


def test_the_scan_marks_fixable_exactly_the_timers_that_migrate(tmp_path):
    for case in sorted(MIGRATED) + sorted(MANUAL):
        shutil.copy(FIXTURES / f"{case}.before.cs", tmp_path / f"{case}.cs")
    code, out, err = run_cli("scan", ".", "--format", "json", cwd=tmp_path)
    assert "Traceback" not in err
    findings = json.loads(out)["findings"]
    by_file: dict[str, set[tuple[str, bool]]] = {}
    for f in findings:
        by_file.setdefault(Path(f["path"]).stem, set()).add((f["rule_id"], f["fixable"]))
    for case in MIGRATED:
        assert ("OQJ002", True) in by_file[case] and ("OQJ001", True) in by_file[case]
    for case in MANUAL:
        assert {fixable for _, fixable in by_file[case]} == {False}
        assert any(rule == "OQJ002" for rule, _ in by_file[case])
