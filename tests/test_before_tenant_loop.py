"""Jobs on an Oqtane version before 2.0.1, through the real CLI with `--oqtane-version`.

Before 2.0.1 a job has no metadata properties (the Job row is created by hand) and the framework calls it once
per pass, without a tenant loop, logging a thrown exception as a failed run. So OQJ011 (metadata) has nothing to
ask for, an exception that escapes the execute method is what the framework expects (no OQJ012), and a guard
would only make failed runs look succeeded: guard-execution does not write one. A catch that swallows the
failure is still reported, with the advice that fits the version (rethrow it), and left to a person.
The same files on 2.0.1 keep the usual findings and fixes.
"""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import FIXTURES, run_cli

RULES = FIXTURES / "rules"
NO_METADATA = RULES / "OQJ011" / "bad" / "missing_is_enabled.cs"
UNGUARDED = RULES / "OQJ012" / "bad" / "no_try_catch.cs"
ESCAPING_THROW = RULES / "OQJ012" / "bad" / "throw_escapes_guard.cs"
SWALLOWED = RULES / "OQJ012" / "bad" / "swallowing_catch.cs"


def _scan(tmp_path, source, version: str) -> list[dict]:
    target = tmp_path / source.name
    shutil.copyfile(source, target)
    code, out, err = run_cli("scan", target.name, "--format", "json", "--oqtane-version", version, cwd=tmp_path)
    assert "Traceback" not in err, err
    return json.loads(out)["findings"]


def _rules(findings: list[dict]) -> list[str]:
    return sorted({f["rule_id"] for f in findings})


@pytest.mark.parametrize("source", [NO_METADATA, UNGUARDED, ESCAPING_THROW])
def test_no_metadata_or_escaping_exception_findings_before_2_0_1(tmp_path, source):
    found = [f for f in _scan(tmp_path, source, "2.0.0") if f["rule_id"] in ("OQJ011", "OQJ012")]
    assert found == []


@pytest.mark.parametrize("source,rule_id", [(NO_METADATA, "OQJ011"), (UNGUARDED, "OQJ012"),
                                            (ESCAPING_THROW, "OQJ012")])
def test_the_same_jobs_are_reported_from_2_0_1(tmp_path, source, rule_id):
    assert rule_id in _rules(_scan(tmp_path, source, "2.0.1"))


def test_a_swallowing_catch_before_2_0_1_is_told_to_rethrow_and_left_to_a_person(tmp_path):
    [found] = [f for f in _scan(tmp_path, SWALLOWED, "2.0.0") if f["rule_id"] == "OQJ012"]
    assert found["line"] == 28
    assert "Oqtane 2.0.0 has no tenant loop (from 2.0.1)" in found["message"]
    assert "rethrow it (throw;)" in found["message"]
    assert "tenants" not in found["message"].replace("tenant loop", "")
    assert found["fixable"] is False
    assert "would only log failed runs as Succeeded = true" in found["fix_blocker"]

    code, out, err = run_cli("diff", SWALLOWED.name, "--oqtane-version", "2.0.0", "--no-progress", cwd=tmp_path)
    assert (code, out) == (0, ""), err  # nothing is rewritten
    assert ("swallowing_catch.cs:20 ContactSyncJob: Oqtane 2.0.0 has no tenant loop (from 2.0.1): a thrown exception "
            "ends only this run and is logged as a failed run") in err
    assert "other tenants" not in err


def test_the_swallowing_catch_is_still_guarded_from_2_0_1(tmp_path):
    [found] = [f for f in _scan(tmp_path, SWALLOWED, "2.0.1") if f["rule_id"] == "OQJ012"]
    assert found["fixable"] is True
    code, out, err = run_cli("diff", SWALLOWED.name, "--oqtane-version", "2.0.1", "--no-progress", cwd=tmp_path)
    assert code == 1 and "return $\"Contact Sync Job failed: {ex.Message}<br />\";" in out, err
