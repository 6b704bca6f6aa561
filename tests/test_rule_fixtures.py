"""fixtures/rules/<RULE_ID>/{bad,good}/<case>: the examples are the specification.

Each case (a .cs file or a folder holding a small project) is scanned with the real pipeline. In `bad/`
cases the lines of the folder's rule findings must equal the lines marked `// expect: <RULE_ID>`; `good/`
cases must produce no finding of that rule.
"""

import re
from pathlib import Path

import pytest

from conftest import FIXTURES
from oqmigrate.catalog import all_rule_ids, load_catalog
from oqmigrate.scanner import scan
from oqmigrate.workspace import discover

RULES_DIR = FIXTURES / "rules"
MARKER = re.compile(r"//\s*expect:\s*((?:OQJ\d{3}[\s,]*)+)")


def cases(kind):
    out = []
    for rule_dir in sorted(RULES_DIR.glob("OQJ*")):
        for case in sorted((rule_dir / kind).glob("*")):
            if case.suffix == ".cs" or case.is_dir():
                out.append(pytest.param(rule_dir.name, case, id=f"{rule_dir.name}/{kind}/{case.name}"))
    return out


def expected_lines(case: Path, rule_id: str) -> set[tuple[str, int]]:
    files = [case] if case.is_file() else sorted(case.rglob("*.cs"))
    out = set()
    for f in files:
        for n, line in enumerate(f.read_text(encoding="utf-8-sig", errors="replace").splitlines(), 1):
            m = MARKER.search(line)
            if m and rule_id in re.findall(r"OQJ\d{3}", m.group(1)):
                out.add((f.name, n))
    return out


def found_lines(case: Path, rule_id: str) -> set[tuple[str, int]]:
    result = scan(discover([case]), all_rule_ids(), jobs=1)
    assert not [e for e in result.errors if "syntax" not in e[1]], result.errors
    return {(Path(f.rel).name, f.line) for f in result.findings if f.rule_id == rule_id}


def test_every_rule_has_fixtures():
    for rule_id in load_catalog():
        assert len(list((RULES_DIR / rule_id / "bad").glob("*"))) >= 3, rule_id
        assert len(list((RULES_DIR / rule_id / "good").glob("*"))) >= 2, rule_id


@pytest.mark.parametrize("rule_id,case", cases("bad"))
def test_bad_case_reports_exactly_the_marked_lines(rule_id, case):
    expected = expected_lines(case, rule_id)
    assert expected, f"{case} has no // expect: {rule_id} marker"
    assert found_lines(case, rule_id) == expected


@pytest.mark.parametrize("rule_id,case", cases("good"))
def test_good_case_reports_nothing(rule_id, case):
    assert found_lines(case, rule_id) == set()


SUPPRESSIONS = RULES_DIR / "suppressions"


def suppression_kind(message: str) -> str:
    if message.startswith("stale"):
        return "stale"
    return "missing-reason" if "no reason" in message else "malformed" if message.startswith("malformed") else "invalid"


@pytest.mark.parametrize("case", sorted(SUPPRESSIONS.glob("*.cs")), ids=lambda p: f"suppressions/{p.name}")
def test_suppression_cases(case):
    result = scan(discover([case]), all_rule_ids(), jobs=1)
    marked = {rid for line in case.read_text(encoding="utf-8").splitlines() for m in [MARKER.search(line)] if m
              for rid in re.findall(r"OQJ\d{3}", m.group(1))}
    for rule_id in marked:
        assert {f.line for f in result.findings if f.rule_id == rule_id} == {n for _, n in expected_lines(case, rule_id)}
    expect_file = case.with_suffix(".expect")
    expected = set()
    if expect_file.exists():
        expected = {(int(line.split()[0]), line.split()[1]) for line in expect_file.read_text().splitlines() if line.strip()}
    diagnostics = {(f.line, suppression_kind(f.message)) for f in result.findings if f.rule_id == "OQJ000"}
    assert diagnostics == expected
