"""Real-world shapes of hosted services and jobs, through the real CLI in real git repositories.

Every folder of ``fixtures/real-world`` with a ``case.toml`` is one shape, written after reading how public ASP.NET
Core and Oqtane projects write background work (docs-style timed services, grace-period workers with options, cron
dispatchers, queue consumers, several workers per file, Blazor UI timers, Oqtane module jobs, a module solution
that lists the framework's projects from a sibling folder). Its ``tree/`` is checked into a fresh git repository;
``case.toml`` says what the tools must do with it:

- ``paths``: what the commands are given (default ``.``); ``codemods``: a ``--codemod`` list (default: all
  default codemods);
- ``findings``: every finding of ``scan --format json`` as ``"RULE path:line"``; ``messages_exclude``: text no
  finding message may contain; ``scan_stderr_excludes``: text the scan's notices may not contain;
- the ``diff`` outcome: ``after/`` holds the exact bytes of every file the migration changes (no ``after/``: nothing
  changes, unless ``changed`` names files whose new text is checked with ``after_contains``/``after_excludes``);
  ``manual`` is the exact list of manual follow-ups (``manual_contains``/``manual_excludes`` check parts of them);
  ``review_contains``/``review_excludes`` check the review list;
- ``compile``: compile the tree, and after the migration the migrated tree, with mcs at C# 7.2 against the shared
  stubs plus ``_stubs`` (``era``: against that Oqtane era's API instead of today's);
- ``xfail_scan``/``xfail_diff``: the product is wrong for this shape today; the case states the right behaviour
  and the test is a strict xfail with this reason (a defect reported to the lead, never an encoded wrong output).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from csharp_compiler import compile_csharp, find_mcs
from csharp_eras import compile_for_era
from gitrepo import git, make_repo

CASES = FIXTURES / "real-world"
LOCAL_STUBS = sorted((CASES / "_stubs").glob("*.cs"))
SECTION = re.compile(r"^(\S.*) \((\d+)\):$")
MANUAL = "manual follow-ups (left unchanged)"
REVIEW = "review the migrated code"


def case_dirs() -> list[Path]:
    return [d for d in sorted(CASES.iterdir()) if (d / "case.toml").is_file()]


def spec_of(case: Path) -> dict:
    return tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))


def params(aspect: str, only=lambda spec: True) -> list:
    out = []
    for case in case_dirs():
        spec = spec_of(case)
        if not only(spec):
            continue
        reason = spec.get(f"xfail_{aspect}")
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(case, id=case.name, marks=marks))
    return out


def checkout(case: Path, tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", copy_from=case / "tree")


def tree_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(root).parts}


def codemod_args(spec: dict) -> list[str]:
    return ["--codemod", spec["codemods"]] if spec.get("codemods") else []


def sections(stderr: str) -> dict[str, list[str]]:
    """The titled lists of a diff summary ("review the migrated code (2):" and its indented lines)."""
    found: dict[str, list[str]] = {}
    current = None
    for line in stderr.splitlines():
        m = SECTION.match(line)
        if m:
            current = found.setdefault(m.group(1), [])
        elif current is not None and line.startswith("  "):
            current.append(line.strip())
        else:
            current = None
    return found


def expected_changes(case: Path, spec: dict) -> dict[str, bytes | None]:
    """rel path → exact new bytes (from after/), or None when only parts of the new text are checked."""
    after = case / "after"
    if after.is_dir():
        return {p.relative_to(after).as_posix(): p.read_bytes() for p in sorted(after.rglob("*")) if p.is_file()}
    return {rel: None for rel in spec.get("changed", [])}


@pytest.mark.parametrize("case", params("scan"))
def test_scan_reports_the_expected_findings(case, tmp_path):
    spec = spec_of(case)
    repo = checkout(case, tmp_path)
    code, out, err = run_cli("scan", *spec.get("paths", ["."]), "--format", "json", "--no-progress", cwd=repo)
    assert "Traceback" not in err
    report = json.loads(out)
    assert report["errors"] == []
    found = sorted(f"{f['rule_id']} {f['path']}:{f['line']}" for f in report["findings"])
    assert found == sorted(spec.get("findings", [])), "\n".join(f"{f['rule_id']} {f['line']}: {f['message']}"
                                                              for f in report["findings"])
    for text in spec.get("messages_exclude", []):
        assert [f["message"] for f in report["findings"] if text in f["message"]] == []
    for text in spec.get("scan_stderr_excludes", []):
        assert text not in err, err
    assert code == (1 if any(f["severity"] in ("error", "warning") for f in report["findings"]) else 0), err
    if not found:
        assert code == 0


@pytest.mark.parametrize("case", params("diff"))
def test_diff_outcome(case, tmp_path):
    spec = spec_of(case)
    repo = checkout(case, tmp_path)
    paths = spec.get("paths", ["."])
    before = tree_files(repo)
    patch = tmp_path / "change.patch"

    code, out, err = run_cli("diff", *paths, "--no-progress", "--output", patch, *codemod_args(spec), cwd=repo)
    assert "Traceback" not in err
    changes = expected_changes(case, spec)
    assert code == (1 if changes else 0), err
    assert tree_files(repo) == before  # diff writes nothing to the sources
    listed = sections(err)
    manual = listed.get(MANUAL, [])
    review = listed.get(REVIEW, [])
    if "manual" in spec:
        assert manual == spec["manual"]
    for text in spec.get("manual_contains", []):
        assert any(text in line for line in manual), manual
    for text in spec.get("manual_excludes", []):
        assert not any(text in line for line in manual), manual
    for text in spec.get("review_contains", []):
        assert any(text in line for line in review), review
    for text in spec.get("review_excludes", []):
        assert not any(text in line for line in review), review

    code, _, err = run_cli("apply", *paths, "--no-progress", *codemod_args(spec), cwd=repo)
    assert code == 0, err
    written = tree_files(repo)
    assert sorted(rel for rel in written if written[rel] != before.get(rel)) == sorted(changes)
    for rel, expected in changes.items():
        if expected is not None:
            assert written[rel].decode("utf-8") == expected.decode("utf-8"), rel
        for text in spec.get("after_contains", []):
            assert text in written[rel].decode("utf-8"), rel
        for text in spec.get("after_excludes", []):
            assert text not in written[rel].decode("utf-8"), rel
    if changes:
        git(repo, "checkout", "--", ".")
        git(repo, "apply", str(patch))
        assert tree_files(repo) == written  # the patch is what apply wrote
    code, out, err = run_cli("diff", *paths, "--no-progress", *codemod_args(spec), cwd=repo)
    assert (code, out) == (0, ""), err  # nothing left to do: the migration is idempotent


def compile_tree(root: Path, spec: dict):
    sources = [root / rel for rel in tree_files(root) if rel.endswith(".cs")]
    if spec.get("era"):
        return compile_for_era(sources, spec["era"], extra_sources=LOCAL_STUBS)
    return compile_csharp(sources, extra_sources=LOCAL_STUBS)


@pytest.mark.skipif(find_mcs() is None, reason="mcs not installed")
@pytest.mark.parametrize("case", params("compile", lambda spec: spec.get("compile", False)))
def test_fixture_and_migrated_code_compile(case, tmp_path):
    """The fixture is valid C# 7.2, and so is the whole tree after `apply` (C# 7.2 constructs only)."""
    spec = spec_of(case)
    result = compile_tree(case / "tree", spec)
    assert result.ok, result.output
    if not expected_changes(case, spec):
        return
    repo = checkout(case, tmp_path)
    code, _, err = run_cli("apply", *spec.get("paths", ["."]), "--no-progress", *codemod_args(spec), cwd=repo)
    assert code == 0, err
    result = compile_tree(repo, spec)
    assert result.ok, result.output


def test_every_shape_has_a_case():
    """The shapes of issue 11 item 7 each have at least one case (several styles for most)."""
    names = [case.name for case in case_dirs()]
    for prefix in ("docs-timed-", "docs-queued-", "grace-period-", "cron-", "queue-", "several-workers-",
                   "blazor-", "oqtane-job-", "module-sln-sibling-"):
        assert any(name.startswith(prefix) for name in names), prefix
