"""unwrap-tenant-loop: fixtures through the transform (byte for byte, re-parse, idempotence), the reasons of the
cases it leaves alone, mcs compiles of every output, the scan after the change, and the version gate through the
real CLI. (tests/test_codemod_fixtures.py runs the same fixtures through `diff`/`apply` and git.)"""

from __future__ import annotations

import pytest

from conftest import FIXTURES, run_cli
from csharp_compiler import compile_csharp
from gitrepo import make_repo
from job_codemod_cases import cases, needs_mcs, pair, run, utf8, uses_newer_syntax
from oqmigrate import syntax
from oqmigrate.catalog import all_rule_ids
from oqmigrate.scanner import scan
from oqmigrate.transforms import unwrap_tenant_loop as u
from oqmigrate.versions import Version
from oqmigrate.workspace import discover

CODEMOD = "unwrap-tenant-loop"
CASES = cases(CODEMOD)

# every case the codemod leaves alone, with the reason it gives (None: nothing to report, the job is compliant)
UNCHANGED = {
    "alias_loop": u.ALIAS_LOOP,
    "work_after_loop": u.NOT_LAST,
    "effect_before_loop": u.NOT_LAST,
    "loop_in_helper": u.NOT_IN_EXECUTE,
    "loop_without_switch": u.NOT_SWITCHING,
    "compliant_site_loop": None,
}


def test_fixture_inventory():
    pairs = [c for c in CASES if pair(CODEMOD, c)[1] is not None]
    assert len(pairs) >= 6
    assert sorted(set(CASES) - set(pairs)) == sorted(UNCHANGED)


@pytest.mark.parametrize("case", CASES)
def test_transform_matches_fixture(case):
    before, after = pair(CODEMOD, case)
    result, out = run(u.unwrap_tenant_loop, utf8(before))
    if after is None:
        assert result.edits == []
        reasons = [m.reason for m in result.manual]
        assert reasons == ([UNCHANGED[case]] if UNCHANGED[case] else [])
        return
    assert out == utf8(after)
    assert syntax.syntax_problems(syntax.parse(out)) == []
    again, _ = run(u.unwrap_tenant_loop, out)
    assert again.edits == []


@pytest.mark.parametrize("case", [c for c in CASES if pair(CODEMOD, c)[1] is not None])
def test_output_no_longer_resolves_tenants_by_hand(case):
    _, after = pair(CODEMOD, case)
    findings = scan(discover([after]), all_rule_ids(), jobs=1).findings
    assert [f for f in findings if f.rule_id == "OQJ005"] == []


@needs_mcs
@pytest.mark.parametrize("case", CASES)
def test_before_and_after_compile(case):
    before, after = pair(CODEMOD, case)
    for path in (before, after):
        if path is None or uses_newer_syntax(path):
            continue
        r = compile_csharp([path])
        assert r.ok, f"{path.name}: {r.output}"


def test_the_loop_variable_reads_the_current_tenant():
    _, after = pair(CODEMOD, "async_body_site_alias")
    text = after.read_text()
    assert "Tenant tenant = provider.GetRequiredService<ITenantManager>().GetTenant();" in text
    assert "tenantManager.SetAlias(tenant.TenantId, site.SiteId);" in text  # site context stays
    assert "SetTenant" not in text and "GetTenants" not in text


def test_an_unused_loop_variable_is_not_declared():
    _, after = pair(CODEMOD, "two_jobs_unused_variable")
    text = after.read_text()
    assert "GetTenant()" not in text and "return log.ToString();" in text


@pytest.mark.parametrize("version,reason", [
    (Version(2, 0, 5), "has no ITenantManager (from 2.1.0)"),
    (Version(1, 4, 0), "does not run jobs once per tenant (from 2.0.1)"),
])
def test_versions_without_tenant_manager_leave_the_loop(version, reason):
    before, _ = pair(CODEMOD, "try_continue_dead_locals")
    result, _ = run(u.unwrap_tenant_loop, utf8(before), version)
    assert result.edits == []
    assert [reason in m.reason for m in result.manual] == [True]


def test_cli_unwraps_from_2_1_0_only(tmp_path):
    before, after = pair(CODEMOD, "try_continue_dead_locals")
    repo = make_repo(tmp_path / "repo", {"Case.cs": before.read_bytes()})
    code, out, err = run_cli("diff", "Case.cs", "--codemod", CODEMOD, "--oqtane-version", "2.0.5", cwd=repo)
    assert (code, out) == (0, ""), err
    assert "has no ITenantManager (from 2.1.0)" in err + out
    code, _, err = run_cli("apply", "Case.cs", "--codemod", CODEMOD, "--oqtane-version", "2.1.0", cwd=repo)
    assert code == 0, err
    assert (repo / "Case.cs").read_bytes() == after.read_bytes()


def test_scan_marks_the_loop_fixable_and_the_alias_loop_not(tmp_path):
    import json
    repo = make_repo(tmp_path / "repo", {
        "A.cs": (FIXTURES / CODEMOD / "try_continue_dead_locals.before.cs").read_bytes(),
        "B.cs": (FIXTURES / CODEMOD / "alias_loop.before.cs").read_bytes(),
    })
    code, out, err = run_cli("scan", ".", "--format", "json", "--select", "OQJ005", cwd=repo)
    found = json.loads(out)["findings"]
    assert {(f["path"], f["fixable"]) for f in found} == {("A.cs", True), ("B.cs", False)}
    alias = [f for f in found if f["path"] == "B.cs"]
    assert [f["message"] for f in alias] == ["switches tenant by assigning SiteState.Alias; Oqtane runs the job "
                                             "once per tenant and sets it"]
    assert alias[0]["fix_blocker"] == u.ALIAS_LOOP
