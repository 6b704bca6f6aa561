"""The rule catalog: the public contract of rules.md, and the promises each rule file makes about itself."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_c_sharp

from oqmigrate import catalog
from oqmigrate.transforms.registry import CODEMODS
from oqmigrate.catalog import (
    SEVERITIES,
    CatalogError,
    Rule,
    UnknownRuleError,
    catalog_dir,
    explain_text,
    load_catalog,
    load_catalog_from,
    resolve_rule_ids,
    trigger_tokens,
)

# shared/ sits beside the checkout (or one level further up when the checkout is a worktree in a subfolder).
_HERE = Path(__file__).resolve()
PLAYBOOK = next(
    (
        candidate
        for candidate in (base / "shared" / "playbook" / "07-scheduled-jobs.md" for base in _HERE.parents[1:4])
        if candidate.is_file()
    ),
    _HERE.parents[2].parent / "shared" / "playbook" / "07-scheduled-jobs.md",
)

# rules.md, copied by hand: id, name, default severity, codemod ("" = reported only). Changing any of the first
# three breaks users' suppressions, baselines and CI configuration.
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

# The codemods that exist today (the registry); only rules fixed by one of these may claim to be fixable.
BUILT_CODEMODS = set(CODEMODS)

# What each rule looks at (rules.md "what it finds"), and the tokens any such file must contain. A worker
# derives from BackgroundService or implements IHostedService; a job derives from HostedServiceBase; a
# registration names AddHostedService or IHostedService. Aliases (`using BS = ...BackgroundService;`) and
# qualified names still contain the token, so these sets are sound for a byte prefilter.
WORKER = {"BackgroundService", "IHostedService"}
JOB = {"HostedServiceBase"}
REGISTRATION = {"AddHostedService", "IHostedService"}
SCOPE = {
    "OQJ001": WORKER,
    "OQJ002": WORKER | JOB,
    "OQJ003": WORKER | JOB,
    "OQJ004": WORKER | JOB,
    "OQJ005": WORKER | JOB,
    # Hangfire and Quartz schedulers are found wherever they are set up (usually a startup class).
    "OQJ006": WORKER | JOB | {"RecurringJob", "CronScheduleBuilder", "WithCronSchedule"},
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


def playbook_sections() -> set[str]:
    return {line[3:].strip() for line in PLAYBOOK.read_text(encoding="utf-8").splitlines() if line.startswith("## ")}


# --- the public contract -------------------------------------------------------------------------------------


def test_catalog_has_exactly_the_sixteen_rules_in_id_order(rules):
    assert list(rules) == IDS


@pytest.mark.parametrize("rule_id,name,severity,codemod", EXPECTED, ids=IDS)
def test_rule_matches_rules_md(rules, rule_id, name, severity, codemod):
    rule = rules[rule_id]
    assert (rule.id, rule.name, rule.severity, rule.codemod) == (rule_id, name, severity, codemod)


def test_severities_are_ordered_most_severe_first():
    assert SEVERITIES == ("error", "warning", "info")


@pytest.mark.parametrize("rule_id", IDS)
def test_file_name_and_help_uri(rules, rule_id):
    rule = rules[rule_id]
    assert (catalog_dir() / f"{rule.id}-{rule.name}.toml").is_file()
    assert rule.help_uri == f"https://github.com/oqmigrate/oqmigrate/blob/main/codemods/{rule.id}-{rule.name}.toml"


def test_catalog_in_use_is_the_repository_catalog():
    """Installed from a wheel the catalog sits inside the package; from a source checkout it is the top-level
    folder. Either way it holds exactly the repository's rule files."""
    repo_catalog = Path(__file__).resolve().parents[1] / "codemods"
    packaged = Path(catalog.__file__).resolve().parent / "codemods"
    in_use = catalog_dir().resolve()
    assert in_use in (packaged, repo_catalog.resolve())
    assert {p.name: p.read_bytes() for p in in_use.glob("*.toml")} == {
        p.name: p.read_bytes() for p in repo_catalog.glob("*.toml")}


def test_load_catalog_is_cached():
    assert load_catalog() is load_catalog()


@pytest.mark.parametrize("rule_id", IDS)
def test_playbook_section_is_a_section_title(rules, rule_id):
    if not PLAYBOOK.is_file():
        pytest.skip(f"playbook not available at {PLAYBOOK}")
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
    assert rule.fixable == (rule.codemod in BUILT_CODEMODS)


@pytest.mark.parametrize("rule_id", IDS)
def test_unfixable_rules_tell_the_user_what_to_do_by_hand(rules, rule_id):
    rule = rules[rule_id]
    fix = " ".join(rule.fix.split())
    if rule.fixable:
        assert rule.codemod in fix
    elif rule.codemod:
        assert rule.codemod in fix and "not available yet" in fix and "By hand" in fix
    else:
        assert fix.startswith("Reported only.")


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
    assert tokens == (b"AddHostedService", b"BackgroundService", b"CronScheduleBuilder", b"HostedServiceBase",
                      b"IHostedService", b"RecurringJob", b"WithCronSchedule")
    assert trigger_tokens(["OQJ008", "OQJ011"]) == (b"HostedServiceBase",)
    assert trigger_tokens([]) == ()


def test_trigger_tokens_rejects_unknown_ids():
    with pytest.raises(UnknownRuleError, match="unknown rule id: OQJ099"):
        trigger_tokens(["OQJ001", "OQJ099"])


# --- examples ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["noncompliant", "compliant"])
@pytest.mark.parametrize("rule_id", IDS)
def test_example_is_valid_csharp(rules, parser, rule_id, kind):
    code = getattr(rules[rule_id], kind)
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
    assert f"Playbook: 07-scheduled-jobs.md § {rule.playbook_section}" in text
    assert "Noncompliant:\n" in text and "Compliant:\n" in text
    assert text.index("Noncompliant:") < text.index("Compliant:")
    for example in (rule.noncompliant, rule.compliant):
        assert textwrap.indent(example.strip("\n"), "    ", lambda line: bool(line.strip())) in text
    if rule.codemod:
        assert f"Codemod: {rule.codemod}" in text
    else:
        assert "Codemod: none (reported only)" in text
    assert rule.help_uri in text
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


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda t: t.replace('severity = "warning"', 'severity = "fatal"'), "severity 'fatal'"),
        (lambda t: t.replace('summary = "A sample."\n', ""), "missing key 'summary'"),
        (lambda t: t.replace('triggers = ["HostedServiceBase"]', "triggers = []"), "triggers"),
        (lambda t: t.replace("fixable = false", 'fixable = "no"'), "fixable"),
        (lambda t: t.replace("fixable = false", "fixable = true"), "must name its codemod"),
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
