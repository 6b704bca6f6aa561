"""What the scan promises, the fix keeps: a finding is marked fixable exactly when `diff`, run with the same
selection, resolves it — over every fixture, the bundled solution and a generated benchmark tree.

The oracle runs the real engine, writes its output to a copy of the tree and scans that copy: a finding is
resolved when the rewritten class no longer reports it. Findings are matched by fingerprint (rule, path, class,
the finding's line text); findings whose line the rewrite changed are matched by rule and class, and count as
resolved only when the rewritten class reports fewer of them than before.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO
from oqmigrate import engine
from oqmigrate.catalog import all_rule_ids
from oqmigrate.mandate import Request
from oqmigrate.scanner import scan
from oqmigrate.transforms.registry import CODEMODS
from oqmigrate.workspace import discover


def resolved_by_diff(tree: Path, selected: set[str], tmp: Path) -> tuple[list, set[tuple]]:
    """The scan's findings of `tree`, and the keys of those the engine's rewrite resolves."""
    before = scan(discover([tree]), selected, jobs=1).findings
    run = engine.run(discover([tree]), engine.resolve_codemods(None), request=Request(frozenset(selected)))
    copy = tmp / "after"
    shutil.copytree(tree, copy)
    for cs in run.changesets:
        for changed in cs.files:
            (copy / changed.rel).write_bytes(changed.new)
    after = scan(discover([copy]), selected, jobs=1).findings
    remaining = Counter(f.fingerprint for f in after)
    left_by_class = Counter((f.rule_id, f.rel, f.symbol) for f in after)
    unmatched: dict[tuple, list] = {}
    for f in before:
        if remaining[f.fingerprint] > 0:
            remaining[f.fingerprint] -= 1
            left_by_class[(f.rule_id, f.rel, f.symbol)] -= 1
        else:
            unmatched.setdefault((f.rule_id, f.rel, f.symbol), []).append(f)
    resolved = set()
    for group, items in unmatched.items():
        if left_by_class[group] <= 0:
            resolved.update(key(f) for f in items)
    return before, resolved


def key(f) -> tuple:
    return f.rule_id, f.rel, f.line, f.column


def assert_fixable_iff_resolved(tree: Path, tmp: Path, selected: set[str] | None = None) -> list:
    selected = selected if selected is not None else all_rule_ids()
    findings, resolved = resolved_by_diff(tree, selected, tmp)
    wrong = [(f.rule_id, f.rel, f.line, f.symbol, f.fixable, f.fix_blocker) for f in findings
             if bool(f.fixable) != (key(f) in resolved)]
    assert wrong == []
    for f in findings:
        if not f.fixable and f.rule_id != "OQJ000":
            assert f.fix_blocker, f"{f.rule_id} {f.rel}:{f.line} is not fixable and does not say why"
    return findings


def fixture_files():
    out = []
    for folder in CODEMODS:
        out += [pytest.param(p, id=f"{folder}/{p.name}") for p in sorted((FIXTURES / folder).glob("*.before.cs"))]
    out += [pytest.param(p, id=f"rules/{p.parent.parent.name}/{p.parent.name}/{p.name}")
            for p in sorted((FIXTURES / "rules").glob("*/*/*.cs"))]
    return out


@pytest.mark.parametrize("source", fixture_files())
def test_fixable_iff_diff_resolves_on_fixture(source, tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    shutil.copy(source, tree / "Case.cs")
    assert_fixable_iff_resolved(tree, tmp_path)


def test_fixable_iff_diff_resolves_on_bundled_solution(tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "solutions" / "Acme.Module.Tasks", tree)
    findings = assert_fixable_iff_resolved(tree, tmp_path)
    assert any(f.fixable for f in findings) and any(not f.fixable for f in findings)


@pytest.mark.parametrize("selected", [{"OQJ002", "OQJ014"}, {"OQJ001"}, {"OQJ014"}],
                         ids=lambda s: "+".join(sorted(s)))
def test_fixable_follows_the_selection(selected, tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES / "solutions" / "Acme.Module.Tasks", tree)
    assert_fixable_iff_resolved(tree, tmp_path, set(selected))


def test_fixable_iff_diff_resolves_on_generated_tree(tmp_path):
    tree = tmp_path / "generated"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), str(tree), "--files", "400",
                    "--worker-share", "0.3", "--seed", "11"], check=True, capture_output=True)
    findings = assert_fixable_iff_resolved(tree, tmp_path)
    assert sum(1 for f in findings if f.fixable) > 20
