"""drop-state: fixtures through the transform (byte for byte, re-parse, idempotence), what it says about the
state it keeps (a run-once flag, a last-run gate, a watermark, a stale cache, a service locator, a public
member), mcs compiles, and the scan after the change. (tests/test_codemod_fixtures.py runs the same fixtures
through `diff`/`apply` and git; tests/test_fixable.py checks that `fixable` agrees.)"""

from __future__ import annotations

import pytest

from conftest import run_cli
from csharp_compiler import compile_csharp
from gitrepo import make_repo
from job_codemod_cases import cases, context, needs_mcs, pair, run, utf8, uses_newer_syntax
from oqmigrate import syntax
from oqmigrate.analyse.job_state import StateKind, classify
from oqmigrate.catalog import all_rule_ids
from oqmigrate.scanner import scan
from oqmigrate.transforms import drop_state as d
from oqmigrate.workspace import discover

CODEMOD = "drop-state"
CASES = cases(CODEMOD)

# the cases left unchanged, with the kind of state each keeps
UNCHANGED = {
    "last_run_gate": StateKind.LAST_RUN_GATE,
    "watermark_last_id": StateKind.WATERMARK,
    "cache_read_before_rebuilt": StateKind.STALE_CACHE,
    "service_locator": StateKind.SERVICE,
    "public_outcome_property": StateKind.VISIBLE,
    "run_once_flag_guards_setup": StateKind.RUN_ONCE,
}
# what each changed case drops
DROPPED = {
    "write_only_counter_and_stamp": {"_runs": StateKind.WRITE_ONLY, "_lastRunUtc": StateKind.WRITE_ONLY},
    "reentrancy_guard_async_catch": {"_running": StateKind.REENTRANCY_GUARD},
    "tabs_guard_try_finally": {"_busy": StateKind.REENTRANCY_GUARD},
    "crlf_bom_cache_cleared": {"_notified": StateKind.REBUILT_CACHE},
    "cache_assigned_each_run": {"_skus": StateKind.REBUILT_CACHE},
    "two_jobs_run_once_kept": {"_total": StateKind.WRITE_ONLY},
}


def _state(case: str):
    before, _ = pair(CODEMOD, case)
    ctx = context(utf8(before))
    return {s.name: s for info in ctx.model.classes if info.kind == "job" for s in classify(info)}


def test_fixture_inventory():
    pairs = [c for c in CASES if pair(CODEMOD, c)[1] is not None]
    assert sorted(pairs) == sorted(DROPPED)
    assert sorted(set(CASES) - set(pairs)) == sorted(UNCHANGED)


@pytest.mark.parametrize("case", CASES)
def test_transform_matches_fixture(case):
    before, after = pair(CODEMOD, case)
    result, out = run(d.drop_state, utf8(before))
    if after is None:
        assert result.edits == []
        assert [m.reason for m in result.manual] == [s.reason for s in _state(case).values()]
        return
    assert out == utf8(after)
    assert syntax.syntax_problems(syntax.parse(out)) == []
    again, _ = run(d.drop_state, out)
    assert again.edits == []


@pytest.mark.parametrize("case", sorted(DROPPED))
def test_what_each_case_drops(case):
    state = _state(case)
    assert {n: s.kind for n, s in state.items() if s.kind.droppable} == DROPPED[case]


@pytest.mark.parametrize("case", sorted(UNCHANGED))
def test_state_carried_between_runs_is_kept_and_explained(case):
    state = _state(case)
    assert [s.kind for s in state.values()] == [UNCHANGED[case]]


def test_run_once_flag_says_it_runs_for_the_first_tenant_only():
    state = _state("two_jobs_run_once_kept")
    seeded = state["_seeded"]
    assert seeded.kind is StateKind.RUN_ONCE
    assert "first tenant only, once per process" in seeded.reason
    _, after = pair(CODEMOD, "two_jobs_run_once_kept")
    assert "private bool _seeded;" in after.read_text()


def test_run_once_flag_around_a_set_up_step_says_what_it_guards():
    """Only the statements inside the if run once; the rest of the run is not guarded (field test D2)."""
    reason = _state("run_once_flag_guards_setup")["_locatorReady"].reason
    assert reason.startswith("'_locatorReady' is a run-once flag that guards only the statements inside its if "
                             "(lines 25-29: CatalogLocator.Use(provider);)")
    assert "the rest of the run is not guarded and runs for every tenant on every run" in reason
    assert "first tenant only" not in reason
    assert "IServerStartup" in reason and "ISettingRepository" in reason
    assert "the step is given the run's provider ('provider')" in reason and "disposed" in reason


def test_the_bundled_sweeper_gate_is_reported_not_dropped():
    from conftest import FIXTURES
    sweeper = FIXTURES / "solutions" / "Acme.Module.Tasks" / "Server" / "Jobs" / "TenantSweeper.cs"
    result, out = run(d.drop_state, utf8(sweeper))
    assert result.edits == []
    assert [m.reason.split(":")[0] for m in result.manual] == ["'_lastRun' is a last-run gate"]


@pytest.mark.parametrize("case", sorted(DROPPED))
def test_dropped_state_is_no_longer_reported(case):
    _, after = pair(CODEMOD, case)
    findings = scan(discover([after]), all_rule_ids(), jobs=1).findings
    left = {f.message.split("'")[1] for f in findings if f.rule_id == "OQJ004"}
    assert left.isdisjoint(DROPPED[case])


@needs_mcs
@pytest.mark.parametrize("case", CASES)
def test_before_and_after_compile(case):
    before, after = pair(CODEMOD, case)
    for path in (before, after):
        if path is None or uses_newer_syntax(path):
            continue
        r = compile_csharp([path])
        assert r.ok, f"{path.name}: {r.output}"


def test_scan_fixable_follows_the_kind_of_state(tmp_path):
    import json
    repo = make_repo(tmp_path / "repo", {
        "Seeds.cs": pair(CODEMOD, "two_jobs_run_once_kept")[0].read_bytes(),
        "Gate.cs": pair(CODEMOD, "last_run_gate")[0].read_bytes(),
    })
    code, out, err = run_cli("scan", ".", "--format", "json", "--select", "OQJ004", cwd=repo)
    found = {f["message"].split("'")[1]: f for f in json.loads(out)["findings"]}
    assert {n: f["fixable"] for n, f in found.items()} == {"_seeded": False, "_total": True, "_lastSent": False}
    assert found["_lastSent"]["fix_blocker"].startswith("drop-state leaves this class alone: '_lastSent' is a "
                                                        "last-run gate")


def test_removing_a_guard_before_the_catch_all_try_resolves_the_unhandled_exception_finding(tmp_path):
    import json
    repo = make_repo(tmp_path / "repo", {"Import.cs": pair(CODEMOD, "reentrancy_guard_async_catch")[0].read_bytes()})
    code, out, err = run_cli("scan", ".", "--format", "json", "--select", "OQJ004,OQJ012", cwd=repo)
    found = {f["rule_id"]: f["fixable"] for f in json.loads(out)["findings"]}
    assert found == {"OQJ004": True, "OQJ012": True}
