"""The rule catalog: the public contract of rules.md, and the promises each rule file makes about itself."""

from __future__ import annotations

import json
import os
import re
import textwrap
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_c_sharp

from conftest import FIXTURES, REPO, run_cli
from oqmigrate import catalog
from oqmigrate.catalog import (
    SEVERITIES,
    CatalogError,
    Rule,
    UnknownRuleError,
    all_rule_ids,
    all_rules,
    catalog_dir,
    explain_text,
    load_catalog,
    load_catalog_from,
    resolve_rule_ids,
    rule_by_id,
    trigger_tokens,
)
from oqmigrate.scanner import scan
from oqmigrate.workspace import discover

# The playbook chapter's section titles, kept as data in the repository (see tests/data/README.md).
PLAYBOOK_SECTIONS = Path(__file__).resolve().parent / "data" / "playbook-sections.toml"


# rules.md, copied by hand: id, name, default severity, the codemod the specification plans for it ("" = reported
# only). Changing any of the first three breaks users' suppressions, baselines and CI configuration. The catalog names
# the codemods registered today (tests/test_codemod_registry.py): the planned one as soon as it is registered.
EXPECTED = [
    ("OQJ001", "generic-hosted-service", "error", "migrate-worker"),
    ("OQJ002", "timer-or-polling-loop", "error", "migrate-worker"),
    ("OQJ003", "background-task", "error", "migrate-worker"),
    ("OQJ004", "job-state", "error", "migrate-worker"),
    ("OQJ005", "manual-tenant-resolution", "error", "unwrap-tenant-loop"),
    ("OQJ006", "custom-scheduling", "error", "migrate-worker"),
    ("OQJ007", "blocking-work", "warning", "migrate-worker"),
    ("OQJ008", "missing-execute", "error", ""),
    ("OQJ009", "constructor-contract", "error", "scope-dependencies"),
    ("OQJ010", "cached-dependency", "error", "scope-dependencies"),
    ("OQJ011", "job-metadata", "warning", "declare-metadata"),
    ("OQJ012", "unhandled-exception", "warning", "guard-execution"),
    ("OQJ013", "not-in-server-project", "error", ""),
    ("OQJ014", "manual-registration", "warning", "remove-registration"),
    ("OQJ015", "custom-logging", "info", ""),
    ("OQJ016", "constructor-side-effects", "warning", "scope-dependencies"),
]
IDS = [row[0] for row in EXPECTED]


# What each rule looks at (rules.md "what it finds"), and the tokens any such file must contain. A worker
# derives from BackgroundService or implements IHostedService; a job derives from HostedServiceBase; a
# registration names AddHostedService or IHostedService. Aliases (`using BS = ...BackgroundService;`) and
# qualified names still contain the token, so these sets are sound for a byte prefilter.
WORKER = {"BackgroundService", "IHostedService"}
JOB = {"HostedServiceBase"}
REGISTRATION = {"AddHostedService", "IHostedService"}
SCOPE = {
    # ExecuteAsync: a worker whose base class is not in the scanned code still overrides it.
    "OQJ001": WORKER | {"ExecuteAsync"},
    "OQJ002": WORKER | JOB | {"ExecuteAsync"},
    "OQJ003": WORKER | JOB,
    "OQJ004": WORKER | JOB,
    "OQJ005": WORKER | JOB,
    # Hangfire, Quartz and FluentScheduler schedulers are found wherever they are set up (usually a startup class).
    "OQJ006": WORKER | JOB | {"ExecuteAsync", "RecurringJob", "CronScheduleBuilder", "WithCronSchedule", "BackgroundJob", "JobManager",
                              "ToRunEvery", "ToRunOnce"},
    "OQJ007": WORKER | JOB,
    "OQJ008": JOB,
    "OQJ009": JOB,
    "OQJ010": WORKER | JOB,
    "OQJ011": JOB,
    "OQJ012": JOB,
    "OQJ013": WORKER | JOB,
    "OQJ014": REGISTRATION,
    "OQJ015": WORKER | JOB,
    "OQJ016": JOB,
}
# Every compliant example shows the migrated job except OQJ014's, which shows a ServerStartup.
SHOWS_JOB = set(IDS) - {"OQJ014"}

JOB_CONSTRUCTOR = re.compile(
    r"public (\w+)\(IServiceScopeFactory serviceScopeFactory\)\s*:\s*base\(serviceScopeFactory\)"
)
EXECUTE_OVERRIDE = re.compile(
    r"public override (?:async )?(?:string ExecuteJob|Task<string> ExecuteJobAsync)\(IServiceProvider provider\)"
)


@pytest.fixture(scope="module")
def rules() -> dict[str, Rule]:
    return load_catalog()


@pytest.fixture(scope="module")
def parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_c_sharp.language()))


def playbook_sections() -> list[str]:
    return tomllib.loads(PLAYBOOK_SECTIONS.read_text(encoding="utf-8"))["sections"]


# --- the public contract -------------------------------------------------------------------------------------


def test_catalog_has_exactly_the_sixteen_rules_in_id_order(rules):
    assert list(rules) == IDS


@pytest.mark.parametrize("rule_id,name,severity,codemod", EXPECTED, ids=IDS)
def test_rule_matches_rules_md(rules, rule_id, name, severity, codemod):
    from oqmigrate.transforms.registry import CODEMODS
    rule = rules[rule_id]
    assert (rule.id, rule.name, rule.severity) == (rule_id, name, severity)
    if codemod in CODEMODS:
        assert codemod in rule.codemods


def test_severities_are_ordered_most_severe_first():
    assert SEVERITIES == ("error", "warning", "info")


@pytest.mark.parametrize("rule_id", IDS)
def test_file_name(rules, rule_id):
    rule = rules[rule_id]
    assert (catalog_dir() / f"{rule.id}-{rule.name}.toml").is_file()


def test_help_uri_comes_only_from_the_configured_repository_url(rules):
    """No URL is invented: the link is the Repository of [project.urls] (as installed), else there is none."""
    repository = catalog.project_urls().get("Repository")
    for rule in rules.values():
        if repository:
            assert rule.help_uri == f"{repository.rstrip('/')}/blob/main/rules/{rule.file_name}"
        else:
            assert rule.help_uri is None
    assert catalog.SUPPRESSION_RULE.help_uri is None  # it has no rule file to point to


def test_catalog_in_use_is_the_repository_catalog():
    """Installed from a wheel the catalog sits inside the package (oqmigrate/rule_catalog); from a source
    checkout it is the top-level rules/ folder. Either way it holds exactly the repository's rule files."""
    repo_catalog = Path(__file__).resolve().parents[1] / "rules"
    packaged = Path(catalog.__file__).resolve().parent / "rule_catalog"
    in_use = catalog_dir().resolve()
    assert in_use in (packaged, repo_catalog.resolve())
    assert {p.name: p.read_bytes() for p in in_use.glob("*.toml")} == {
        p.name: p.read_bytes() for p in repo_catalog.glob("*.toml")}


def test_packaging_ships_the_catalog_where_catalog_dir_looks():
    """The wheel maps the top-level folder to the package folder catalog_dir() reads first; the sdist keeps it."""
    build = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["hatch"]["build"]["targets"]
    assert build["wheel"]["force-include"] == {catalog.REPOSITORY_FOLDER: f"oqmigrate/{catalog.PACKAGE_FOLDER}"}
    assert catalog.REPOSITORY_FOLDER in build["sdist"]["include"]
    assert catalog.PACKAGE_FOLDER != "rules"  # oqmigrate/rules is the rules' Python package
    assert sorted(p.name for p in (REPO / catalog.REPOSITORY_FOLDER).iterdir()) == sorted(
        rule.file_name for rule in load_catalog().values())


def test_load_catalog_is_cached():
    assert load_catalog() is load_catalog()


@pytest.mark.parametrize("rule_id", IDS)
def test_playbook_section_is_a_section_title(rules, rule_id):
    assert rules[rule_id].playbook_section in playbook_sections()


@pytest.mark.parametrize("rule_id", IDS)
def test_text_fields(rules, rule_id):
    rule = rules[rule_id]
    assert len(rule.summary) < 100 and "\n" not in rule.summary
    assert len(rule.rationale.split()) >= 40, "a rationale explains, it does not restate the summary"
    assert rule.fix


# --- fixability ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule_id", IDS)
def test_only_built_codemods_are_fixable(rules, rule_id):
    rule = rules[rule_id]
    from oqmigrate.transforms.registry import CODEMODS
    assert rule.fixable == bool(rule.codemods)
    assert all(name in CODEMODS for name in rule.codemods)


@pytest.mark.parametrize("rule_id", IDS)
def test_unfixable_rules_tell_the_user_what_to_do_by_hand(rules, rule_id):
    rule = rules[rule_id]
    fix = " ".join(rule.fix.split())
    if rule.fixable:
        assert all(name in fix for name in rule.codemods)
    else:
        assert fix.startswith("Reported only.") or ("not available yet" in fix and "By hand" in fix)


# --- triggers (the byte prefilter) ---------------------------------------------------------------------------


@pytest.mark.parametrize("rule_id", IDS)
def test_triggers_are_exactly_the_tokens_of_the_rule_scope(rules, rule_id):
    # superset: sound (no worker/job/registration spelling escapes); subset: minimal (no extra candidates).
    assert set(rules[rule_id].triggers) == SCOPE[rule_id]


@pytest.mark.parametrize("rule_id", IDS)
def test_noncompliant_example_passes_the_prefilter(rules, rule_id):
    # The noncompliant example must produce the finding, so it cannot lack every trigger token.
    rule = rules[rule_id]
    data = rule.noncompliant.encode("utf-8")
    assert any(token in data for token in trigger_tokens([rule_id])), rule.triggers


def test_trigger_tokens_are_bytes_sorted_and_deduplicated():
    tokens = trigger_tokens(IDS + IDS)
    assert tokens == (b"AddHostedService", b"BackgroundJob", b"BackgroundService", b"CronScheduleBuilder",
                      b"ExecuteAsync", b"HostedServiceBase", b"IHostedService", b"JobManager", b"RecurringJob", b"ToRunEvery", b"ToRunOnce",
                      b"WithCronSchedule")
    assert trigger_tokens(["OQJ008", "OQJ011"]) == (b"HostedServiceBase",)
    assert trigger_tokens([]) == ()


def test_trigger_tokens_rejects_unknown_ids():
    with pytest.raises(UnknownRuleError, match="unknown rule id: OQJ099"):
        trigger_tokens(["OQJ001", "OQJ099"])


# --- examples ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["noncompliant", "compliant"])
@pytest.mark.parametrize("rule_id", ["OQJ000", *IDS])
def test_example_is_valid_csharp(parser, rule_id, kind):
    code = getattr(rule_by_id(rule_id), kind)
    tree = parser.parse(code.encode("utf-8"))
    assert tree.root_node.has_error is False, code
    assert 8 <= len(code.strip().splitlines()) <= 25


@pytest.mark.parametrize("rule_id", sorted(SHOWS_JOB))
def test_compliant_example_is_the_migrated_job_shape(rules, rule_id):
    code = rules[rule_id].compliant
    assert re.search(r"class (\w+) : HostedServiceBase\b", code)
    ctor = JOB_CONSTRUCTOR.search(code)
    assert ctor and re.search(rf"class {ctor.group(1)} : HostedServiceBase", code)
    assert EXECUTE_OVERRIDE.search(code)
    assert "catch (Exception ex)" in code
    for metadata in ("Name = ", "Frequency = ", "Interval = ", "IsEnabled = "):
        assert metadata in code


@pytest.mark.parametrize("rule_id", IDS)
def test_compliant_example_has_no_worker_or_registration(rules, rule_id):
    code = rules[rule_id].compliant
    for forbidden in ("BackgroundService", "IHostedService", "AddHostedService", "Task.Delay", "Thread.Sleep"):
        assert forbidden not in code


@pytest.mark.parametrize("rule_id", IDS)
def test_examples_differ(rules, rule_id):
    rule = rules[rule_id]
    assert rule.noncompliant.strip() != rule.compliant.strip()


# --- the examples are executable specifications -------------------------------------------------------------

# A rule about where code lives (OQJ013) says so in its example's first line, `// <path> in <Name>.csproj`, as
# a reader of `explain` sees it: such an example is written at <path>, in a folder (the path's first) holding an
# Oqtane module project file <Name>.csproj. Every other example is a file of its own.
EXAMPLE_LOCATION = re.compile(r"^// (?P<path>[\w./]+\.cs) in (?P<project>[\w.]+)\.csproj\b")
MODULE_PROJECT = """<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <AssemblyName>{name}.Oqtane</AssemblyName>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Oqtane.Shared" Version="10.2.4" />
  </ItemGroup>
</Project>
"""
EXAMPLE_KINDS = ("noncompliant", "compliant")
# the catalog's rules and OQJ000, the rule of oqmigrate itself about suppressions
EXAMPLE_IDS = list(all_rules())


def write_example(folder: Path, code: str) -> Path:
    location = EXAMPLE_LOCATION.match(code)
    if location is None:
        path = folder / "Example.cs"
    else:
        path = folder / location["path"]
        project = folder / Path(location["path"]).parts[0] / f"{location['project']}.csproj"
        project.parent.mkdir(parents=True, exist_ok=True)
        project.write_text(MODULE_PROJECT.format(name=location["project"]), encoding="utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(code, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def example_findings(tmp_path_factory) -> dict[tuple[str, str], list[dict]]:
    """Every rule's two examples, each scanned on its own by the real CLI: (rule id, kind) -> JSON findings."""

    def scan(key: tuple[str, str]) -> list[dict]:
        rule_id, kind = key
        folder = tmp_path_factory.mktemp(f"{rule_id}-{kind}")
        write_example(folder, getattr(rule_by_id(rule_id), kind))
        code, out, err = run_cli("scan", folder, "--format", "json", "--no-progress", "--fail-on", "never")
        assert code == 0, err
        doc = json.loads(out)
        assert doc["files_scanned"] == 1 and doc["errors"] == [], doc
        return doc["findings"]

    keys = [(rule_id, kind) for rule_id in EXAMPLE_IDS for kind in EXAMPLE_KINDS]
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:  # 34 CLI processes, a few at a time
        return dict(zip(keys, pool.map(scan, keys)))


@pytest.mark.parametrize("rule_id", EXAMPLE_IDS)
def test_noncompliant_example_yields_its_rule(example_findings, rule_id):
    found = {f["rule_id"] for f in example_findings[rule_id, "noncompliant"]}
    assert rule_id in found, found


@pytest.mark.parametrize("rule_id", EXAMPLE_IDS)
def test_compliant_example_yields_neither_its_rule_nor_an_error(example_findings, rule_id):
    findings = example_findings[rule_id, "compliant"]
    assert [f for f in findings if f["rule_id"] == rule_id or f["severity"] == "error"] == []


def test_example_location_is_honoured(example_findings):
    # OQJ013's examples differ in where they live, not in their code: the location line must reach the scan
    rule = rule_by_id("OQJ013")
    assert EXAMPLE_LOCATION.match(rule.noncompliant)["project"].endswith(".Client")
    assert EXAMPLE_LOCATION.match(rule.compliant)["project"].endswith(".Server")
    assert {f["project"] for f in example_findings["OQJ013", "noncompliant"]} == {"Acme.Module.Reports.Client"}


# --- the rule ids the checks yield are the catalog's -------------------------------------------------------


def yielded_rule_ids() -> set[str]:
    """The rule ids the checks report on the rule fixtures (fixtures/rules/<ID>/bad and the suppression cases)."""
    cases = [case for rule_dir in sorted((FIXTURES / "rules").glob("OQJ*")) for case in sorted((rule_dir / "bad").iterdir())]
    cases += sorted((FIXTURES / "rules" / "suppressions").glob("*.cs"))
    return {f.rule_id for case in cases for f in scan(discover([case]), all_rule_ids(), jobs=1).findings}


def test_every_rule_id_the_checks_yield_is_in_the_catalog_and_vice_versa():
    assert yielded_rule_ids() == set(all_rules())
    assert {d.name for d in (FIXTURES / "rules").glob("OQJ*")} == set(load_catalog())


def test_all_rules_is_the_catalog_and_the_suppression_rule(rules):
    assert list(all_rules()) == ["OQJ000", *IDS]
    assert all_rules()["OQJ000"] is catalog.SUPPRESSION_RULE
    assert {rule_id: rule for rule_id, rule in all_rules().items() if rule_id != "OQJ000"} == rules


def test_rules_command_lists_every_rule_a_run_can_report():
    code, out, _ = run_cli("rules", "--format", "json")
    assert code == 0
    assert [r["id"] for r in json.loads(out)["rules"]] == ["OQJ000", *IDS]


# --- resolve_rule_ids ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec,expected",
    [
        ("OQJ001", {"OQJ001"}),
        ("OQJ001,OQJ004", {"OQJ001", "OQJ004"}),
        ("job-state", {"OQJ004"}),
        ("oqj002", {"OQJ002"}),
        ("OQJ001, job-state  blocking-work", {"OQJ001", "OQJ004", "OQJ007"}),
        ("OQJ004,job-state", {"OQJ004"}),
        (" OQJ014 ,", {"OQJ014"}),
        ("", set()),
        (None, set()),
    ],
)
def test_resolve_rule_ids(spec, expected):
    assert resolve_rule_ids(spec) == expected


@pytest.mark.parametrize("spec,bad", [("OQJ099", "OQJ099"), ("OQJ001,nope", "nope"), ("job-state OQJ17", "OQJ17")])
def test_resolve_rule_ids_rejects_unknown(spec, bad):
    with pytest.raises(UnknownRuleError) as excinfo:
        resolve_rule_ids(spec)
    assert str(excinfo.value) == f"unknown rule id: {bad}"


def test_every_name_and_id_resolves(rules):
    for rule in rules.values():
        assert resolve_rule_ids(rule.name) == {rule.id}
        assert resolve_rule_ids(rule.id.lower()) == {rule.id}
    assert resolve_rule_ids(",".join(IDS)) == set(IDS)


# --- explain -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rule_id", IDS)
def test_explain_text(rules, rule_id):
    rule = rules[rule_id]
    text = explain_text(rule)
    assert text.startswith(f"{rule.id} {rule.name} ({rule.severity})\n")
    assert rule.summary in text
    assert f'Playbook: chapter 07 "Scheduled Jobs", section "{rule.playbook_section}"' in text
    assert ".md" not in text  # no file the user does not have
    assert "Noncompliant:\n" in text and "Compliant:\n" in text
    assert text.index("Noncompliant:") < text.index("Compliant:")
    for example in (rule.noncompliant, rule.compliant):
        assert textwrap.indent(example.strip("\n"), "    ", lambda line: bool(line.strip())) in text
    if rule.codemods:
        label = "Codemods" if len(rule.codemods) > 1 else "Codemod"
        assert f"{label}: {', '.join(rule.codemods)}" in text
    else:
        assert "Codemod: none (reported only)" in text
    if rule.help_uri:
        assert f"More: {rule.help_uri}" in text
    else:
        assert "More:" not in text and "http" not in text
    # the rationale is re-wrapped, never cut
    assert " ".join(rule.rationale.split()) == " ".join(
        text.split("Playbook: ", 1)[1].split("\n\n", 1)[1].split("\n\nFix: ", 1)[0].split()
    )


# --- malformed catalogs --------------------------------------------------------------------------------------

VALID = '''
id = "OQJ901"
name = "sample-rule"
severity = "warning"
summary = "A sample."
playbook_section = "Tenant Safety"
rationale = "Why."
triggers = ["HostedServiceBase"]
codemod = ""
fixable = false
fix = "Reported only."

[examples]
noncompliant = "class A : HostedServiceBase {}"
compliant = "class B : HostedServiceBase {}"
'''


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_sample_loads(tmp_path):
    write(tmp_path, "OQJ901-sample-rule.toml", VALID)
    rule = load_catalog_from(tmp_path)["OQJ901"]
    assert rule.triggers == ("HostedServiceBase",) and rule.fixable is False
    assert rule.codemods == () and rule.codemod == ""


@pytest.mark.parametrize(
    "value,codemods",
    [
        ('["migrate-worker"]', ("migrate-worker",)),
        ('["scope-dependencies", "guard-execution"]', ("scope-dependencies", "guard-execution")),
        ('["a-codemod", "a-codemod", "b"]', ("a-codemod", "b")),
        ("[]", ()),
        # the string form older rule files use: one name, or names separated by commas or spaces
        ('"migrate-worker"', ("migrate-worker",)),
        ('"scope-dependencies, guard-execution"', ("scope-dependencies", "guard-execution")),
        ('"scope-dependencies guard-execution"', ("scope-dependencies", "guard-execution")),
        ('""', ()),
    ],
)
def test_codemod_field_names_several_codemods(tmp_path, value, codemods):
    write(tmp_path, "OQJ901-sample-rule.toml", VALID.replace('codemod = ""', f"codemod = {value}"))
    rule = load_catalog_from(tmp_path)["OQJ901"]
    assert rule.codemods == codemods
    assert rule.codemod == ",".join(codemods)  # one `--codemod` argument, for callers of the single-name field


def test_explain_names_every_codemod(tmp_path):
    text = VALID.replace('codemod = ""', 'codemod = ["scope-dependencies", "guard-execution"]')
    write(tmp_path, "OQJ901-sample-rule.toml", text.replace("fixable = false", "fixable = true"))
    rule = load_catalog_from(tmp_path)["OQJ901"]
    assert "Codemods: scope-dependencies, guard-execution (automatic: `oqmigrate apply --codemod " \
           "scope-dependencies,guard-execution`)" in explain_text(rule)


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda t: t.replace('severity = "warning"', 'severity = "fatal"'), "severity 'fatal'"),
        (lambda t: t.replace('summary = "A sample."\n', ""), "missing key 'summary'"),
        (lambda t: t.replace('triggers = ["HostedServiceBase"]', "triggers = []"), "triggers"),
        (lambda t: t.replace("fixable = false", 'fixable = "no"'), "fixable"),
        (lambda t: t.replace("fixable = false", "fixable = true"), "must name its codemod"),
        (lambda t: t.replace('codemod = ""', "codemod = []").replace("fixable = false", "fixable = true"),
         "must name its codemod"),
        (lambda t: t.replace('codemod = ""\n', ""), "missing key 'codemod'"),
        (lambda t: t.replace('codemod = ""', "codemod = 3"), "'codemod' must be a list of codemod names"),
        (lambda t: t.replace('codemod = ""', 'codemod = ["ok", 3]'), "'codemod' must be a list of codemod names"),
        (lambda t: t.replace('codemod = ""', 'codemod = ["Migrate_Worker"]'), "codemod name 'Migrate_Worker'"),
        (lambda t: t.replace('compliant = "class B : HostedServiceBase {}"', ""), "missing example 'compliant'"),
        (lambda t: t.replace('name = "sample-rule"', 'name = "other-rule"'), "file name must be"),
        (lambda t: t.replace('id = "OQJ901"', 'id = "OQJ902"'), "file name must be"),
        (lambda t: t + "\nbroken = [", "cannot read rule file"),
    ],
)
def test_malformed_file_is_reported_with_its_name(tmp_path, mutate, message):
    write(tmp_path, "OQJ901-sample-rule.toml", mutate(VALID))
    with pytest.raises(CatalogError, match=re.escape(message)) as excinfo:
        load_catalog_from(tmp_path)
    assert str(excinfo.value).startswith("OQJ901-sample-rule.toml: ")


def test_duplicate_name_is_rejected(tmp_path):
    write(tmp_path, "OQJ901-sample-rule.toml", VALID)
    other = VALID.replace('id = "OQJ901"', 'id = "OQJ902"')
    write(tmp_path, "OQJ902-sample-rule.toml", other)
    with pytest.raises(CatalogError, match="already used by OQJ901"):
        load_catalog_from(tmp_path)


def test_missing_or_empty_folder_is_an_error(tmp_path):
    with pytest.raises(CatalogError, match="not found"):
        load_catalog_from(tmp_path / "absent")
    with pytest.raises(CatalogError, match="no rule files"):
        load_catalog_from(tmp_path)


# --- project URLs (pyproject.toml [project.urls], read from the installed metadata) ---------------------------


def installed_metadata(folder: Path, *project_urls: str) -> dict[str, str]:
    """Write the metadata an installed oqmigrate distribution carries (as pip writes it from pyproject.toml) into
    `folder`, and return the environment that puts it first on the CLI's path."""
    dist_info = folder / "oqmigrate-0.1.0.dist-info"
    dist_info.mkdir(parents=True)
    lines = ["Metadata-Version: 2.4", "Name: oqmigrate", "Version: 0.1.0",
             *(f"Project-URL: {entry}" for entry in project_urls)]
    (dist_info / "METADATA").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"PYTHONPATH": os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH", "")) if p)}


def test_help_links_use_the_configured_repository_url(tmp_path):
    env = installed_metadata(tmp_path / "site", "Homepage, https://example.org/oqmigrate",
                             "Repository, https://git.example.org/acme/oqmigrate/")
    code, out, _ = run_cli("explain", "OQJ004", env=env)
    assert code == 0
    assert out.rstrip().endswith("More: https://git.example.org/acme/oqmigrate/blob/main/rules/OQJ004-job-state.toml")
    code, out, _ = run_cli("scan", FIXTURES / "rules" / "OQJ004" / "bad", "--format", "sarif", "--no-progress",
                           "--fail-on", "never", env=env)
    assert code == 0
    descriptors = {r["id"]: r for r in json.loads(out)["runs"][0]["tool"]["driver"]["rules"]}
    assert descriptors["OQJ001"]["helpUri"] == \
        "https://git.example.org/acme/oqmigrate/blob/main/rules/OQJ001-generic-hosted-service.toml"
    assert "helpUri" not in descriptors["OQJ000"]  # no rule file to link to
    assert json.loads(out)["runs"][0]["tool"]["driver"]["informationUri"] == "https://example.org/oqmigrate"


def test_no_links_while_the_project_urls_are_unset(tmp_path):
    # pyproject.toml ships them empty until publication: that yields "Project-URL: Repository, " lines
    env = installed_metadata(tmp_path / "site", "Homepage, ", "Repository, ")
    code, out, _ = run_cli("explain", "OQJ004", env=env)
    assert code == 0 and "More:" not in out and "http" not in out
    code, out, _ = run_cli("rules", "--format", "json", env=env)
    assert code == 0 and all(r["help_uri"] is None for r in json.loads(out)["rules"])
    code, out, _ = run_cli("scan", FIXTURES / "rules" / "OQJ004" / "bad", "--format", "sarif", "--no-progress",
                           "--fail-on", "never", env=env)
    driver = json.loads(out)["runs"][0]["tool"]["driver"]
    assert code == 0 and "informationUri" not in driver and not [r for r in driver["rules"] if "helpUri" in r]


def test_pyproject_declares_the_project_urls_without_inventing_them():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert set(project["urls"]) == {"Homepage", "Repository"}
    # no address of the project is written anywhere in the source but pyproject.toml
    for source in (REPO / "src").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "github.com" not in text and "oqmigrate.org" not in text, source
