"""persist-state (opt-in): fixtures through the transform (byte for byte, re-parse, idempotence), the reasons of
the state it leaves, mcs compiles against today's API and against 2.0.1's (GetSettings/AddSetting/UpdateSetting
are all it uses), the scan after the change, and opt-in through the real CLI."""

from __future__ import annotations

import pytest

from conftest import run_cli
from csharp_compiler import compile_csharp
from csharp_eras import compile_for_era
from gitrepo import make_repo
from job_codemod_cases import cases, needs_mcs, pair, run, utf8, uses_newer_syntax
from oqmigrate import syntax
from oqmigrate.catalog import all_rule_ids
from oqmigrate.scanner import scan
from oqmigrate.transforms import persist_state as p
from oqmigrate.transforms.registry import CODEMODS, default_codemods
from oqmigrate.versions import Version
from oqmigrate.workspace import discover

CODEMOD = "persist-state"
CASES = cases(CODEMOD)

UNCHANGED = {
    "collection_state": "it is not a scalar watermark (cache read before it is rebuilt); state other than a scalar "
                        "watermark belongs in the tenant's database",
    "early_return": "the run has no single successful `return`",
    "nullable_stamp": "a nullable or unknown type",
}
PERSISTED = {
    "int_last_id": ("SyncJob._lastSyncedId", "int.Parse("),
    "crlf_bom_datetime_in_try": ("CollectBouncesJob._lastCollectedUtc", "DateTime.ParseExact("),
    "async_long_file_scoped": ("ExportLedgerJob._lastEntryId", "long.Parse("),
    "tabs_guid_cursor": ("FollowFeedJob._cursor", "Guid.Parse("),
    "string_etag": ("RatesJob._etag", "etagSetting.SettingValue : \"\""),
    "two_jobs_offset_and_run_once": ("PublishEventsJob._publishedUntil", "DateTimeOffset.ParseExact("),
}


def test_fixture_inventory():
    pairs = [c for c in CASES if pair(CODEMOD, c)[1] is not None]
    assert sorted(pairs) == sorted(PERSISTED)
    assert sorted(set(CASES) - set(pairs)) == sorted(UNCHANGED)


def test_it_is_opt_in():
    assert CODEMODS[CODEMOD].opt_in and CODEMODS[CODEMOD] not in default_codemods()


def test_storage_is_per_tenant():
    assert p.ENTITY_NAME not in ("Host", "Job", "ModuleDefinition", "Theme") and not p.ENTITY_NAME.startswith("master:")
    assert len(p.ENTITY_NAME) <= 50


@pytest.mark.parametrize("case", CASES)
def test_transform_matches_fixture(case):
    before, after = pair(CODEMOD, case)
    result, out = run(p.persist_state, utf8(before))
    if after is None:
        assert result.edits == []
        assert len(result.manual) == 1 and UNCHANGED[case] in result.manual[0].reason
        return
    assert out == utf8(after)
    assert syntax.syntax_problems(syntax.parse(out)) == []
    again, _ = run(p.persist_state, out)
    assert again.edits == []
    name, parse = PERSISTED[case]
    text = out.decode()
    assert f'SettingName == "{name}"' in text and parse in text
    assert text.count(".UpdateSetting(") == 1 and text.count(".AddSetting(") == 1
    assert 'GetSettings("JobState", -1)' in text and "EntityId = -1" in text


def test_the_value_is_saved_right_before_the_successful_return():
    _, after = pair(CODEMOD, "crlf_bom_datetime_in_try")
    lines = [line.strip() for line in utf8(after).decode().splitlines()]
    update = lines.index("settingRepository.UpdateSetting(lastCollectedUtcSetting);")
    assert lines[update + 1:update + 3] == ["}", 'return count + " bounces collected<br />";']
    assert any("catch (Exception ex)" in line for line in lines[update:])  # a failed run saves nothing


def test_before_2_0_1_there_is_no_tenant_to_keep_it_for():
    before, _ = pair(CODEMOD, "int_last_id")
    result, _ = run(p.persist_state, utf8(before), Version(1, 4, 0))
    assert result.edits == [] and "runs jobs without a tenant" in result.manual[0].reason


@pytest.mark.parametrize("case", sorted(PERSISTED))
def test_the_watermark_is_no_longer_reported(case):
    _, after = pair(CODEMOD, case)
    field = PERSISTED[case][0].split(".")[1]
    findings = scan(discover([after]), all_rule_ids(), jobs=1).findings
    assert not [f for f in findings if f.rule_id == "OQJ004" and f"'{field}'" in f.message]


@needs_mcs
@pytest.mark.parametrize("case", CASES)
def test_before_and_after_compile(case):
    before, after = pair(CODEMOD, case)
    for path in (before, after):
        if path is None or uses_newer_syntax(path):
            continue
        r = compile_csharp([path])
        assert r.ok, f"{path.name}: {r.output}"


@needs_mcs
@pytest.mark.parametrize("case", sorted(c for c in PERSISTED if "async" not in c))
def test_output_compiles_against_oqtane_2_0_1(case):
    _, after = pair(CODEMOD, case)
    r = compile_for_era([after], "v2_0_1")
    assert r.ok, r.output


def test_cli_runs_it_only_when_named(tmp_path):
    before, after = pair(CODEMOD, "int_last_id")
    repo = make_repo(tmp_path / "repo", {"Case.cs": before.read_bytes()})
    code, out, err = run_cli("diff", "Case.cs", cwd=repo)
    assert "Settings" not in out
    code, _, err = run_cli("apply", "Case.cs", "--codemod", CODEMOD, cwd=repo)
    assert code == 0, err
    assert (repo / "Case.cs").read_bytes() == after.read_bytes()
