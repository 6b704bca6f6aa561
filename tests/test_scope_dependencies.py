"""scope-dependencies: fixtures through the real parser and transform, mcs compiles of both sides, the reasons
of the jobs it leaves alone, the scan after the rewrite, and the CLI on cases the fixtures do not show.

(fixtures/scope-dependencies are also run through the CLI, with git apply and a second run, by
test_codemod_fixtures.py, and their fixable verdicts checked by test_fixable.py.)
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from csharp_compiler import compile_csharp, find_mcs
from gitrepo import make_repo
from oqmigrate import model, syntax
from oqmigrate.catalog import all_rule_ids
from oqmigrate.edits import apply_edits
from oqmigrate.scanner import scan
from oqmigrate.source import decode
from oqmigrate.transforms import FollowUpKind, TransformContext
from oqmigrate.transforms.scope_dependencies import scope_dependencies, verdict
from oqmigrate.workspace import discover

FOLDER = FIXTURES / "scope-dependencies"
CASES = sorted(p.name[: -len(".before.cs")] for p in FOLDER.glob("*.before.cs"))
CHANGED = [c for c in CASES if (FOLDER / f"{c}.after.cs").exists()]
UNCHANGED = [c for c in CASES if c not in CHANGED]
OWN_RULES = {"OQJ009", "OQJ010", "OQJ016"}
BEYOND_MCS = {"primary_constructor_csharp12": "a C# 12 primary constructor"}

# The reason each must-not-change case reports (the scan's fix_blocker is the same text).
REASONS = {
    "keep_compliant_job": "the job keeps no service that scope-dependencies can move",
    "keep_lambda_that_outlives_the_run": "_index is used in a delegate passed to Run(), which runs after the execute "
                                         "method returned; await that work inside the run (ExecuteJobAsync) by hand, "
                                         "then run scope-dependencies again",
    "keep_metadata_read_from_a_service": "the constructor uses configuration in `Interval = configuration.GetValue<int>"
                                         "(\"PartnerSync:Hours\");`: metadata cannot come from a service",
    "keep_static_service_locator": "_sites is static: one service shared by every instance, tenant and run",
}

needs_mcs = pytest.mark.skipif(find_mcs() is None, reason="mcs (Debian mono-mcs) is not installed")


def _context(data: bytes, rel: str = "Case.cs") -> TransformContext:
    text = decode(data)
    utf8 = text.text.encode("utf-8")
    tree = syntax.parse(utf8)
    newline = "\r\n" if b"\r\n" in utf8 else "\n"
    indent = "\t" if b"\n\t" in utf8 else "    "
    return TransformContext(rel, utf8, tree, model.analyse(tree), newline=newline, indent=indent)


def _run(data: bytes):
    ctx = _context(data)
    result = scope_dependencies(ctx)
    return ctx, result, apply_edits(ctx.data, result.edits)


def _block_namespace(text: str) -> str:
    """mcs stops at C# 7.2: a file-scoped namespace (C# 10) becomes a block namespace for the compile only."""
    m = re.search(r"^namespace ([\w.]+);\r?$", text, re.M)
    if m is None:
        return text
    return text[: m.start()] + f"namespace {m.group(1)} {{" + text[m.end():] + "\n}\n"


def _compile(path: Path, tmp_path: Path):
    copy = tmp_path / path.name
    copy.write_text(_block_namespace(path.read_bytes().decode("utf-8-sig")), encoding="utf-8")
    return compile_csharp([copy])


def test_enough_fixtures_in_several_styles():
    befores = {c: (FOLDER / f"{c}.before.cs").read_bytes() for c in CHANGED}
    assert len(CHANGED) >= 6 and len(UNCHANGED) >= 3
    assert any(b.startswith(b"\xef\xbb\xbf") for b in befores.values())
    assert any(b"\r\n" in b for b in befores.values())
    assert any(b"\n\t" in b for b in befores.values())
    assert any(re.search(rb"^namespace [\w.]+;", b, re.M) for b in befores.values())
    assert any(b"ExecuteJobAsync" in b for b in befores.values()) and any(b" ExecuteJob(" in b for b in befores.values())
    assert any(b.count(b": HostedServiceBase") > 1 for b in befores.values())
    assert any(re.search(rb"class \w+\(IServiceScopeFactory", b) for b in befores.values())  # C# 12, kept


def test_primary_constructor_parameters_become_locals_of_the_same_name():
    _, result, out = _run((FOLDER / "primary_constructor_csharp12.before.cs").read_bytes())
    text = out.decode()
    assert "public class CatalogSyncJob(IServiceScopeFactory serviceScopeFactory,\n    ILogger<CatalogSyncJob> logger)" in text
    assert "var client = provider.GetRequiredService<ICatalogClient>();" in text
    assert "private string Save(int items, ICatalogRepository repository)" in text
    assert [m.kind for m in result.manual][0] is FollowUpKind.REVIEW
    assert [m.reason for m in result.manual][0].startswith(
        "_repository was created with `new CatalogRepository()`; it is now resolved from the provider as "
        "ICatalogRepository")


@pytest.mark.parametrize("case", CHANGED)
def test_output_matches_fixture_and_a_second_run_changes_nothing(case):
    before = (FOLDER / f"{case}.before.cs").read_bytes()
    after = (FOLDER / f"{case}.after.cs").read_bytes()
    _, _, out = _run(before)
    assert out == _context(after).data
    _, again, _ = _run(out)
    assert again.edits == []
    assert syntax.syntax_problems(syntax.parse(out)) == []


@pytest.mark.parametrize("case", UNCHANGED)
def test_jobs_left_alone_say_why(case):
    data = (FOLDER / f"{case}.before.cs").read_bytes()
    ctx, result, _ = _run(data)
    assert result.edits == []
    jobs = [c for c in ctx.model.classes if c.kind == "job"]
    reasons = [verdict(ctx, c).blocker for c in jobs]
    assert reasons and all(r is not None and r.startswith(REASONS[case]) for r in reasons)
    if case != "keep_compliant_job":  # a compliant job is no follow-up
        assert [m.reason for m in result.manual] == reasons


@pytest.mark.parametrize("case", CHANGED)
def test_rewritten_jobs_report_no_scope_findings_outside_what_is_kept(case, tmp_path):
    """After the rewrite the scan reports OQJ009/OQJ010/OQJ016 only on code the verdict says it carries over."""
    ctx, result, out = _run((FOLDER / f"{case}.before.cs").read_bytes())
    path = tmp_path / "Case.cs"
    path.write_bytes(out)
    rewritten = set(result.touched)
    left = [(f.rule_id, f.symbol, f.line) for f in scan(discover([path]), all_rule_ids(), jobs=1).findings
            if f.rule_id in OWN_RULES and f.symbol in rewritten]
    kept_lines = set()
    for info in ctx.model.classes:
        if info.name in rewritten:
            for start, end in verdict(ctx, info).kept:
                kept_lines.add(ctx.data[:start].count(b"\n") + 1)
    # the kept statement keeps its OQJ016 finding: its line in the output is found by its text
    kept_texts = {ctx.data.splitlines()[n - 1].strip() for n in kept_lines}
    for rule, _, line in left:
        assert rule == "OQJ016" and out.splitlines()[line - 1].strip() in kept_texts


def test_helpers_receive_the_services_they_read():
    _, _, out = _run((FOLDER / "injected_repositories_and_helper.before.cs").read_bytes())
    text = out.decode()
    assert "private string Flag(int siteId, IMemberStore members)" in text
    assert "Flag(site.SiteId, members)" in text
    assert "private readonly ILogger<InactiveMemberJob> _logger;" in text  # loggers stay, by rule


def test_new_ed_repository_is_resolved_with_a_review_note():
    _, result, _ = _run((FOLDER / "cached_in_execute_tabs_bom.before.cs").read_bytes())
    notes = [m.reason for m in result.manual if m.kind is FollowUpKind.REVIEW]
    assert len(notes) == len(result.manual) == 1 and notes[0].startswith("_feeds was created with `new FeedRepository()`")


def test_side_effect_left_in_the_constructor_is_a_follow_up():
    _, result, _ = _run((FOLDER / "side_effect_kept_for_a_person.before.cs").read_bytes())
    assert [m.reason for m in result.manual] == [
        "the constructor does file I/O (`Directory.CreateDirectory(ExportFolder);`): move that work into the "
        "execute method by hand"]


def test_missing_dependency_injection_using_is_added():
    data = (b"using System;\nusing Oqtane.Infrastructure;\n\nnamespace Acme.Jobs\n{\n"
            b"    public class PingJob : HostedServiceBase\n    {\n        private readonly IPinger _pinger;\n\n"
            b"        public PingJob(Microsoft.Extensions.DependencyInjection.IServiceScopeFactory serviceScopeFactory, "
            b"IPinger pinger) : base(serviceScopeFactory)\n        {\n            _pinger = pinger;\n"
            b"            Name = \"Ping Job\";\n        }\n\n"
            b"        public override string ExecuteJob(IServiceProvider provider)\n        {\n"
            b"            return _pinger.Ping() + \"<br />\";\n        }\n    }\n\n"
            b"    public interface IPinger\n    {\n        string Ping();\n    }\n}\n")
    _, _, out = _run(data)
    text = out.decode()
    assert text.startswith("using System;\nusing Microsoft.Extensions.DependencyInjection;\nusing Oqtane.Infrastructure;")
    assert "            var pinger = provider.GetRequiredService<IPinger>();\n            return pinger.Ping()" in text


@pytest.mark.parametrize("ctor_extra,execute_body,reason", [
    ("Interval = _store.Minutes();", "return _store.Minutes() + \"<br />\";",
     "the constructor uses _store in `Interval = _store.Minutes();`: metadata cannot come from a service"),
    ("_timer = new System.Threading.Timer(_ => _store.Minutes(), null, 0, 1000);", "return \"\";",
     "the constructor uses _store in `_timer = new System.Threading.Timer(_ => _store.Minutes(), null, 0, 1000);`, "
     "which runs outside any tenant each time Oqtane creates the job"),
    ("", "_timer = new System.Threading.Timer(_ => _store.Minutes(), null, 0, 1000);\n        return \"\";",
     "_store is used in a delegate given to a Timer, which runs after the execute method returned"),
    ("", "AppDomain.CurrentDomain.ProcessExit += (s, e) => _store.Minutes();\n        return \"\";",
     "_store is used in a delegate stored in a field or event, which outlives the run"),
])
def test_uses_outside_the_run_stay_manual(ctor_extra, execute_body, reason):
    data = ("using System;\nusing Microsoft.Extensions.DependencyInjection;\nusing Oqtane.Infrastructure;\n\n"
            "public class StoreJob : HostedServiceBase\n{\n    private readonly IStore _store;\n"
            "    private System.Threading.Timer _timer;\n\n"
            "    public StoreJob(IServiceScopeFactory serviceScopeFactory, IStore store) : base(serviceScopeFactory)\n"
            f"    {{\n        _store = store;\n        Name = \"Store Job\";\n        {ctor_extra}\n    }}\n\n"
            "    public override string ExecuteJob(IServiceProvider provider)\n    {\n"
            f"        {execute_body}\n    }}\n}}\n\n"
            "public interface IStore\n{\n    int Minutes();\n}\n").encode()
    ctx, result, _ = _run(data)
    assert result.edits == []
    assert result.manual[0].reason.startswith(reason)


def test_a_helper_called_from_elsewhere_stays_manual():
    data = (b"using System;\nusing Microsoft.Extensions.DependencyInjection;\nusing Oqtane.Infrastructure;\n\n"
            b"public class StoreJob : HostedServiceBase\n{\n    private readonly IStore _store;\n\n"
            b"    public StoreJob(IServiceScopeFactory serviceScopeFactory, IStore store) : base(serviceScopeFactory)\n"
            b"    {\n        _store = store;\n    }\n\n"
            b"    public override string ExecuteJob(IServiceProvider provider)\n    {\n        return Read();\n    }\n\n"
            b"    public string Describe() => Read();\n\n"
            b"    private string Read() => _store.Minutes().ToString();\n}\n\n"
            b"public interface IStore\n{\n    int Minutes();\n}\n")
    _, result, _ = _run(data)
    assert result.edits == []
    assert result.manual[0].reason.startswith("Read is called from Describe, which does not resolve IStore")


@needs_mcs
@pytest.mark.parametrize("case", CASES)
def test_before_compiles(case, tmp_path):
    if case in BEYOND_MCS:
        pytest.skip(f"{BEYOND_MCS[case]} is beyond mcs (C# 7.2)")
    r = _compile(FOLDER / f"{case}.before.cs", tmp_path)
    assert r.ok, r.output


@needs_mcs
@pytest.mark.parametrize("case", CHANGED)
def test_after_compiles(case, tmp_path):
    if case in BEYOND_MCS:
        pytest.skip(f"{BEYOND_MCS[case]} is beyond mcs (C# 7.2)")
    r = _compile(FOLDER / f"{case}.after.cs", tmp_path)
    assert r.ok, r.output


def test_cli_reports_the_reason_and_fixable_agrees(tmp_path):
    repo = make_repo(tmp_path / "repo", {"Case.cs": (FOLDER / "keep_static_service_locator.before.cs").read_bytes()})
    code, out, err = run_cli("diff", "Case.cs", "--codemod", "scope-dependencies", cwd=repo)
    assert code == 0 and out == ""
    assert REASONS["keep_static_service_locator"] in " ".join(err.split())
    code, out, err = run_cli("scan", "Case.cs", "--format", "json", cwd=repo)
    assert "Traceback" not in err
    import json
    findings = [f for f in json.loads(out)["findings"] if f["rule_id"] == "OQJ010"]
    assert findings and all(not f["fixable"] and f["fix_blocker"].startswith(REASONS["keep_static_service_locator"])
                            for f in findings)
