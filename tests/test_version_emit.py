"""migrate-worker emits for the project's Oqtane version, through the real CLI with `--oqtane-version`.

fixtures/migrate-worker-versions/<version>/<case>.after.cs is what `apply --oqtane-version <version>` writes for
<case>.before.cs (from fixtures/migrate-worker-versions, else fixtures/migrate-worker). Each expected file
compiles with mcs against the stub of the era its version belongs to (tests/csharp_eras.py); the current-version
outputs in fixtures/migrate-worker compile against the eras they claim (4.0.3–10.1 and 10.2+). Before 2.0.1 no
worker is migrated: the file stays as it is and the reason names the version and what is missing, in `diff` and
in the scan's `fix_blocker`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from csharp_compiler import find_mcs
from csharp_eras import compile_for_era, era_of
from gitrepo import make_repo
from test_migrate_worker import NEWER_SYNTAX_AFTER

from oqmigrate.transforms import emit
from oqmigrate.versions import Version

VERSIONS_DIR = FIXTURES / "migrate-worker-versions"
WORKERS_DIR = FIXTURES / "migrate-worker"

needs_mcs = pytest.mark.skipif(find_mcs() is None, reason="mcs (Debian mono-mcs) is not installed: C# compile "
                                                          "checks skipped")


def _before(case: str) -> Path:
    own = VERSIONS_DIR / f"{case}.before.cs"
    return own if own.exists() else WORKERS_DIR / f"{case}.before.cs"


def _cases() -> list:
    out = []
    for version_dir in sorted(p for p in VERSIONS_DIR.iterdir() if p.is_dir()):
        for after in sorted(version_dir.glob("*.after.cs")):
            case = after.name[: -len(".after.cs")]
            out.append(pytest.param(version_dir.name, case, after, id=f"{version_dir.name}/{case}"))
    return out


CASES = _cases()


def test_every_version_case_has_a_before_file():
    assert CASES
    for param in CASES:
        version, case, _ = param.values
        assert _before(case).exists(), f"{version}/{case}: no {case}.before.cs"


@pytest.mark.parametrize("version,case,after", CASES)
def test_version_fixture_through_cli(tmp_path, version, case, after):
    repo = make_repo(tmp_path / "repo", {"Case.cs": _before(case).read_bytes()})
    code, out, err = run_cli("apply", "Case.cs", "--codemod", "migrate-worker", "--oqtane-version", version, cwd=repo)
    assert code == 0, err
    assert (repo / "Case.cs").read_bytes() == after.read_bytes()
    code, out, err = run_cli("diff", "Case.cs", "--codemod", "migrate-worker", "--oqtane-version", version, cwd=repo)
    assert (code, out) == (0, ""), err


@pytest.mark.parametrize("version,case,after", CASES)
def test_version_output_has_the_versions_api_only(version, case, after):
    text = after.read_text()
    v = Version.parse(version)
    if not emit.can_run_async(v):
        assert "ExecuteJobAsync(" not in text
    if not emit.has_frequency(v, "w"):
        assert 'Frequency = "w"' not in text and 'Frequency = "O"' not in text


@needs_mcs
@pytest.mark.parametrize("version,case,after", CASES)
def test_version_output_compiles_on_its_era(version, case, after):
    era = era_of(Version.parse(version))
    result = compile_for_era([after], era)
    assert result.ok, f"{after} on {era.name}:\n{result.output}"


def test_async_work_before_4_0_3_runs_through_the_documented_bridge():
    """The bridge: ExecuteJob runs a private async method (named so that it clashes with nothing) to completion."""
    text = (VERSIONS_DIR / "3.4.0" / "fortnightly_helper_named_run_job_async.after.cs").read_text()
    assert "public override string ExecuteJob(IServiceProvider provider)" in text
    assert "// oqmigrate: " + emit.SYNC_BRIDGE_NOTE in text
    assert emit.run_async_text("RunJobAsync2") in text  # the class already has a RunJobAsync
    assert "private async Task<string> RunJobAsync2(IServiceProvider provider)" in text
    assert "private async Task RunJobAsync(IServiceProvider provider, CancellationToken token)" in text


def test_bridge_review_note_is_listed_by_diff(tmp_path):
    repo = make_repo(tmp_path / "repo", {"Case.cs": _before("background_loop_scope").read_bytes()})
    code, out, err = run_cli("diff", "Case.cs", "--codemod", "migrate-worker", "--oqtane-version", "4.0.2", cwd=repo)
    assert code == 1, err
    assert "+        public override string ExecuteJob(IServiceProvider provider)" in out
    assert "ExecuteJobAsync(" not in "".join(l for l in out.splitlines(True) if l.startswith("+"))
    assert "upgrading Oqtane to 4.0.3 or later lets it become ExecuteJobAsync" in err
    code, out, err = run_cli("diff", "Case.cs", "--codemod", "migrate-worker", "--oqtane-version", "4.0.3", cwd=repo)
    assert code == 1, err
    assert "+        public override async Task<string> ExecuteJobAsync(IServiceProvider provider)" in out


@pytest.mark.parametrize("case", ["background_loop_scope", "do_while_sync_work", "cron_ncrontab_weekly",
                                  "timer_threading"])
def test_before_2_0_1_nothing_is_migrated(tmp_path, case):
    before = _before(case).read_bytes()
    repo = make_repo(tmp_path / "repo", {"Case.cs": before})
    code, out, err = run_cli("apply", "Case.cs", "--codemod", "migrate-worker", "--oqtane-version", "2.0.0",
                             cwd=repo)
    assert code == 0, err
    assert (repo / "Case.cs").read_bytes() == before
    assert "Oqtane 2.0.0 has no job metadata" in err and "upgrade Oqtane to 2.0.1 or later" in err

    code, out, err = run_cli("scan", "Case.cs", "--format", "json", "--oqtane-version", "1.0.0", cwd=repo)
    findings = json.loads(out)["findings"]
    worker_findings = [f for f in findings if f["rule_id"] in ("OQJ001", "OQJ002", "OQJ006")]
    assert worker_findings
    for f in worker_findings:
        assert f["fixable"] is False
        assert f["fix_blocker"].startswith("Oqtane 1.0.0 has no job metadata")


def test_once_frequency_has_no_substitute_before_3_0_2():
    assert "upgrade Oqtane to 3.0.2" in emit.frequency_blocker(Version(3, 0, 1), "O")
    assert emit.frequency_blocker(Version(3, 0, 2), "O") is None
    assert emit.frequency_blocker(Version(2, 0, 1), "w") is None  # it becomes "d" × 7
    weekly = emit.frequency(Version(2, 0, 1), "w", 2)
    assert (weekly.code, weekly.interval) == ("d", 14) and "every 14 days" in weekly.note
    assert emit.frequency(Version(3, 0, 2), "w", 2) == emit.Frequency("w", 2)


def test_bridge_method_name_avoids_the_class_members():
    assert emit.sync_bridge_method(set()) == "RunJobAsync"
    assert emit.sync_bridge_method({"RunJobAsync", "RunJobAsync2"}) == "RunJobAsync3"


# --- the current-version outputs compile on every era they claim ---------------------------------------------

_TYPE_NAME = re.compile(r"\b(?:class|interface|struct|enum)\s+(\w+)")


def _batches(files: list[Path]) -> list[list[Path]]:
    """Groups of files that declare no type name twice, so one mcs run compiles a whole group."""
    batches: list[tuple[set[str], list[Path]]] = []
    for f in files:
        names = set(_TYPE_NAME.findall(f.read_text(encoding="utf-8", errors="replace")))
        for taken, group in batches:
            if not taken & names:
                taken |= names
                group.append(f)
                break
        else:
            batches.append((set(names), [f]))
    return [group for _, group in batches]


def _current_outputs() -> list[Path]:
    return [p for p in sorted(WORKERS_DIR.glob("*.after.cs"))
            if p.name[: -len(".after.cs")] not in NEWER_SYNTAX_AFTER]


@needs_mcs
@pytest.mark.parametrize("era", ["v4_0_3", "v10_2_0"])
def test_current_outputs_compile_on_the_eras_they_claim(era):
    failures = []
    for group in _batches(_current_outputs()):
        result = compile_for_era(group, era)
        if not result.ok:
            # say which files fail on their own, not only that the group does
            alone = [f"{f.name}: {r.output}" for f in group if not (r := compile_for_era([f], era)).ok]
            failures += alone or [f"{', '.join(f.name for f in group)} together: {result.output}"]
    assert failures == [], "\n".join(failures)


@needs_mcs
def test_current_async_output_is_what_fails_before_4_0_3():
    """Why the bridge exists: the 10.x output of an async worker does not compile on 3.0.2–4.0.2."""
    result = compile_for_era([WORKERS_DIR / "background_loop_scope.after.cs"], "v3_0_2")
    assert not result.ok and "CS0115" in result.output
