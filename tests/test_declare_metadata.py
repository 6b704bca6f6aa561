"""declare-metadata (OQJ011): the fixtures are the specification; the findings it resolves disappear and the
others stay with their reason; IsEnabled is never written; version-aware frequency codes; outputs compile."""

from __future__ import annotations

import pytest

from csharp_compiler import compile_csharp, find_mcs
from job_codemod_cases import FIXTURES, cases, context, run, utf8
from oqmigrate.checks import CheckContext
from oqmigrate.transforms import FollowUpKind
from oqmigrate.rules import oqj011_job_metadata as rule
from oqmigrate.transforms.declare_metadata import declare_metadata, verdict
from oqmigrate.versions import Version

FOLDER = FIXTURES / "declare-metadata"
CASES = cases("declare-metadata")
NEWER_SYNTAX = {"weekly_uppercase_file_scoped"}  # file-scoped namespace (C# 10): mcs stops at 7.2
# Findings the change leaves, each with the words of its reason (case -> [(finding message part, reason part)]).
LEFT = {
    "name_added_is_enabled_left_knr": [("IsEnabled", "registers disabled")],
    "empty_constructor_body": [("Frequency, Interval, IsEnabled", "registers disabled")],
    "seconds_frequency": [('Frequency "s"', "at most once a minute")],
    "is_enabled_unset_only": [("IsEnabled", "never decides")],
    "interval_zero_and_run_time_name": [("Interval 0", "below 1"), ("set at run time", "reads job metadata once")],
}


def _hits(data: bytes) -> list[str]:
    ctx = context(data)
    check = CheckContext("Case.cs", data, ctx.model)
    return [h.message for info in ctx.model.classes for h in rule.check(info, check)]


def test_enough_fixtures_in_several_styles():
    pairs = [c for c in CASES if (FOLDER / f"{c}.after.cs").exists()]
    assert len(pairs) >= 6 and len(CASES) > len(pairs)
    raw = {c: (FOLDER / f"{c}.before.cs").read_bytes() for c in pairs}
    assert any(b.startswith(b"\xef\xbb\xbf") and b"\r\n" in b for b in raw.values())
    assert any(b"\n\t" in b for b in raw.values())
    assert any(b"namespace Acme.Module.Reports.Jobs;" in b for b in raw.values())
    assert any(b.count(b": HostedServiceBase") > 1 for b in raw.values())
    assert any(b"async Task<string> ExecuteJobAsync" in b for b in raw.values())


@pytest.mark.parametrize("case", CASES)
def test_fixture(case):
    data = utf8(FOLDER / f"{case}.before.cs")
    after = FOLDER / f"{case}.after.cs"
    result, out = run(declare_metadata, data)
    before_hits = _hits(data)
    assert before_hits, "every fixture starts with an OQJ011 finding"
    if after.exists():
        assert out == utf8(after)
        again, _ = run(declare_metadata, out)
        assert again.edits == []
    else:
        assert result.edits == []
    left = _hits(out)
    expected = LEFT.get(case, [])
    assert len(left) == len(expected), left
    for (finding, reason), message in zip(expected, left):
        assert finding in message
        assert any(reason in m.reason and m.kind is FollowUpKind.MANUAL for m in result.manual), result.manual
    assert out.count(b"IsEnabled") == data.count(b"IsEnabled"), "IsEnabled is never added or changed"


def test_corrected_frequency_comes_with_the_note_about_installed_sites():
    data = utf8(FOLDER / "hours_lowercase_crlf_bom.before.cs")
    result, out = run(declare_metadata, data)
    assert b'Frequency = "H"; // every three hours' in out
    notes = [m.reason for m in result.manual if m.kind is FollowUpKind.REVIEW]
    assert len(notes) == len(result.manual) == 1 and "Admin › Scheduled Jobs" in notes[0]


@pytest.mark.parametrize("version,changed", [("3.0.1", False), ("3.0.2", True)])
def test_weekly_only_where_the_version_has_it(version, changed):
    data = utf8(FOLDER / "weekly_uppercase_file_scoped.before.cs")
    result, out = run(declare_metadata, data, Version.parse(version))
    assert (b'Frequency = "w";' in out) is changed
    ctx = context(data, Version.parse(version))
    info = next(c for c in ctx.model.classes if c.kind == "job")
    blocker = verdict(ctx, info).blocker
    if changed:
        assert blocker is None
    else:
        assert result.edits == [] and "3.0.2" in blocker and [m.reason for m in result.manual] == [blocker]


def test_no_metadata_before_2_0_1():
    data = utf8(FOLDER / "missing_name_framework_style.before.cs")
    result, _ = run(declare_metadata, data, Version.parse("1.0.4"))
    assert result.edits == [] and "2.0.1" in result.manual[0].reason


def test_verdict_keeps_exactly_the_findings_left():
    """kept covers the findings the change leaves; a class with nothing to change has a blocker."""
    for case in CASES:
        data = utf8(FOLDER / f"{case}.before.cs")
        ctx = context(data)
        result = declare_metadata(ctx)
        for info in ctx.model.classes:
            if info.kind != "job":
                continue
            v = verdict(ctx, info)
            assert (v.blocker is None) == (info.name in result.touched), (case, info.name)


@pytest.mark.skipif(find_mcs() is None, reason="mcs not installed")
def test_outputs_compile(tmp_path):
    files = []
    for case in CASES:
        after = FOLDER / f"{case}.after.cs"
        if after.exists() and case not in NEWER_SYNTAX:
            target = tmp_path / f"{case}.cs"
            target.write_bytes(after.read_bytes())
            files.append(target)
    result = compile_csharp(files)
    assert result.ok, result.output
