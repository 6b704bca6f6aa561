"""guard-execution (OQJ012): the fixtures are the specification; the rule no longer reports what it changed; the
output compiles with mcs (also against the Oqtane era stubs); manual cases say why; fixable agrees with the change."""

from __future__ import annotations

import pytest

from conftest import run_cli
from csharp_compiler import compile_csharp, find_mcs
from csharp_eras import compile_for_era
from gitrepo import make_repo
from job_codemod_cases import FIXTURES, cases, context, run, utf8
from oqmigrate.analyse.guard import GuardState, execute_guard
from oqmigrate.analyse.members import execute_methods
from oqmigrate.checks import CheckContext
from oqmigrate.rules import oqj012_unhandled_exception as rule
from oqmigrate.transforms.guard_execution import NOT_ASYNC, guard_execution, verdict

FOLDER = FIXTURES / "guard-execution"
CASES = cases("guard-execution")
NEWER_SYNTAX = {"file_scoped_two_jobs"}  # file-scoped namespace (C# 10): mcs stops at 7.2


def _hits(data: bytes) -> list[tuple[str, str]]:
    ctx = context(data)
    check = CheckContext("Case.cs", data, ctx.model)
    return [(info.name, h.message) for info in ctx.model.classes for h in rule.check(info, check)]


def test_enough_fixtures_in_several_styles():
    pairs = [c for c in CASES if (FOLDER / f"{c}.after.cs").exists()]
    assert len(pairs) >= 6 and len(CASES) > len(pairs)
    raw = {c: (FOLDER / f"{c}.before.cs").read_bytes() for c in pairs}
    assert any(b.startswith(b"\xef\xbb\xbf") and b"\r\n" in b for b in raw.values())
    assert any(b"\n\t" in b for b in raw.values())
    assert any(b"namespace Acme.Module.Feeds.Jobs;" in b for b in raw.values())
    assert any(b"async Task<string> ExecuteJobAsync" in b for b in raw.values())
    assert any(b"string ExecuteJob(" in b for b in raw.values())


@pytest.mark.parametrize("case", CASES)
def test_fixture(case):
    data = utf8(FOLDER / f"{case}.before.cs")
    after = FOLDER / f"{case}.after.cs"
    result, out = run(guard_execution, data)
    if not after.exists():
        assert result.edits == []
        return
    assert out == utf8(after)
    assert _hits(data), "a changed fixture starts with an OQJ012 finding"
    assert _hits(out) == [], "the rule no longer reports what guard-execution changed"
    again, _ = run(guard_execution, out)
    assert again.edits == []


@pytest.mark.parametrize("case", [c for c in CASES if (FOLDER / f"{c}.after.cs").exists()])
def test_every_outcome_says_what_happened(case):
    """Every changed execute method ends its failure with <br /> and returns no empty outcome any more."""
    out = utf8(FOLDER / f"{case}.after.cs")
    ctx = context(out)
    for info in ctx.model.classes:
        for m in execute_methods(info):
            g = execute_guard(m)
            assert g.state is GuardState.GUARDED
            text = m.text.decode()
            assert "return null;" not in text and 'return "";' not in text and "FromResult<string>(null)" not in text
            if "failed: {" in text:
                assert "failed: {ex.Message}<br />\"" in text


def test_manual_reason_for_a_task_from_elsewhere():
    data = utf8(FOLDER / "not_async_returns_task.before.cs")
    ctx = context(data)
    result = guard_execution(ctx)
    assert [m.reason for m in result.manual] == [NOT_ASYNC]
    info = next(c for c in ctx.model.classes if c.name == "RemoteSyncJob")
    assert verdict(ctx, info).blocker == NOT_ASYNC


def test_verdict_agrees_with_the_change():
    for case in CASES:
        data = utf8(FOLDER / f"{case}.before.cs")
        ctx = context(data)
        result = guard_execution(ctx)
        changed = {t for t in result.touched}
        for info in ctx.model.classes:
            if info.kind != "job":
                continue
            assert (verdict(ctx, info).blocker is None) == (info.name in changed), (case, info.name)


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


@pytest.mark.skipif(find_mcs() is None, reason="mcs not installed")
@pytest.mark.parametrize("era", ["v4_0_3", "v10_2_0"])
def test_outputs_compile_against_the_era_stubs(tmp_path, era):
    """The guarded jobs compile against the job API of the first release that has ExecuteJobAsync, and today's."""
    files = []
    for case in CASES:
        after = FOLDER / f"{case}.after.cs"
        if after.exists() and case not in NEWER_SYNTAX:
            target = tmp_path / f"{case}.cs"
            target.write_bytes(after.read_bytes())
            files.append(target)
    result = compile_for_era(files, era)
    assert result.ok, result.output


def test_through_the_cli_with_the_scan_mandate(tmp_path):
    """`fix --select OQJ012` guards the job; a job whose OQJ012 finding is suppressed stays as it is."""
    before = (FOLDER / "framework_style_sites_loop.before.cs").read_bytes()
    suppressed = before.replace(b"        public override string ExecuteJob(",
                                b"        // oqmigrate-ignore OQJ012: the base class logs it for us\n"
                                b"        public override string ExecuteJob(").replace(b"ArchiveJob", b"ArchiveCopyJob")
    repo = make_repo(tmp_path / "repo", {"Jobs/ArchiveJob.cs": before, "Other/ArchiveJob2.cs": suppressed})
    code, out, err = run_cli("diff", ".", "--select", "OQJ012", cwd=repo)
    assert code == 1, err
    assert "Jobs/ArchiveJob.cs" in out and "Other/ArchiveJob2.cs" not in out
    assert "catch (Exception ex)" in out


INLINE = """using System;
using Oqtane.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Acme.Module.Inline.Jobs
{
    public class InlineJob : HostedServiceBase
    {
        public InlineJob(IServiceScopeFactory serviceScopeFactory) : base(serviceScopeFactory)
        {
            Name = "Inline Job";
            Frequency = "m";
            Interval = 1;
            IsEnabled = true;
        }

        BODY
    }
}
"""


CONDITIONAL_RETHROW = """public override string ExecuteJob(IServiceProvider provider)
        {
            try
            {
                return "done<br />";
            }
            catch (Exception ex)
            {
                if (ex is OutOfMemoryException) throw;
                return ex.Message;
            }
        }"""


@pytest.mark.parametrize("body,expected", [
    # an expression body that throws becomes a throw statement inside the guard
    ("public override string ExecuteJob(IServiceProvider provider) => throw new NotSupportedException();",
     "                throw new NotSupportedException();\n"),
    # a guard whose catch rethrows when a condition holds: the whole body is guarded once more
    (CONDITIONAL_RETHROW, "            catch (Exception exception)\n"),
    # a one-line block body that can throw (a body that cannot, `{ return null; }`, is not OQJ012 and stays)
    ("public override string ExecuteJob(IServiceProvider provider) { return provider.ToString(); }",
     '                return provider.ToString();\n'),
])
def test_inline_shapes(body, expected, tmp_path):
    data = INLINE.replace("BODY", body).encode()
    assert _hits(data)
    result, out = run(guard_execution, data)
    assert expected in out.decode(), out.decode()
    assert _hits(out) == []
    assert run(guard_execution, out)[0].edits == []
    if find_mcs() is not None:
        target = tmp_path / "Inline.cs"
        target.write_bytes(out)
        compiled = compile_csharp([target])
        assert compiled.ok, compiled.output


def test_the_review_list_says_what_a_guard_changes_at_run_time(tmp_path):
    from gitrepo import make_repo
    before = sorted((FIXTURES / "guard-execution").glob("*.before.cs"))
    case = next(p for p in before if p.with_name(p.name.replace(".before.cs", ".after.cs")).exists())
    repo = make_repo(tmp_path / "repo", {"Job.cs": case.read_bytes()})
    code, out, err = run_cli("diff", "Job.cs", "--codemod", "guard-execution", "--no-progress", cwd=repo)
    assert code == 1 and "review the migrated code" in err
    assert "Succeeded = true" in err and "the run goes on with the other tenants" in err
