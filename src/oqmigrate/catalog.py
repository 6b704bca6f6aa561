"""The rule catalog: one TOML file per rule in the repository's top-level ``rules/`` folder, loaded into `Rule`
records. A wheel installs that folder as the package data folder ``oqmigrate/rule_catalog``.

The files are the single source for everything a rule says about itself (id, name, severity, the playbook
section it enforces, the byte tokens the prefilter needs, which codemods fix it, and a noncompliant and a
compliant example). ``rules``, ``explain``, SARIF rule metadata and the docs are all rendered from them.

Links to a rule's file are built from the ``Repository`` URL in ``[project.urls]`` of pyproject.toml, read from
the installed package's metadata; when none is configured no link is given.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.resources
import re
import textwrap
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SEVERITIES = ("error", "warning", "info")
"""Severity values, most severe first (so ``SEVERITIES.index`` orders them)."""

PLAYBOOK_CHAPTER = '07 "Scheduled Jobs"'
"""The playbook chapter the rules enforce, named as a reader knows it (the playbook is not shipped with oqmigrate,
so no file of it is cited)."""

DISTRIBUTION = "oqmigrate"
"""The distribution whose metadata holds the project URLs (``[project.urls]`` in pyproject.toml)."""
REPOSITORY_FOLDER = "rules"
"""The catalog's folder in a source checkout (and in the repository that help links point into)."""
PACKAGE_FOLDER = "rule_catalog"
"""The catalog's folder inside the installed package (pyproject.toml's wheel force-include)."""

_ID = re.compile(r"^OQJ\d{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_SPEC_SEPARATORS = re.compile(r"[\s,]+")

_STRING_KEYS = ("id", "name", "severity", "summary", "playbook_section", "rationale", "fix")
_EXAMPLE_KEYS = ("noncompliant", "compliant")


class CatalogError(Exception):
    """A rule file is missing, unreadable or malformed; the message names the file."""


class UnknownRuleError(ValueError):
    """A rule id or name given by the user is not in the catalog."""


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    severity: str
    summary: str
    playbook_section: str
    rationale: str
    triggers: tuple[str, ...]
    codemods: tuple[str, ...]
    """The codemods that fix (or, when not `fixable`, are planned to fix) this rule's findings; () = reported only."""
    fixable: bool
    fix: str
    noncompliant: str
    compliant: str
    catalogued: bool = True
    """False for a rule of oqmigrate itself that has no file in the catalog (OQJ000)."""

    @property
    def codemod(self) -> str:
        """The codemods as one ``--codemod`` argument (``"a,b"``); "" when the rule is reported only."""
        return ",".join(self.codemods)

    @property
    def file_name(self) -> str:
        return f"{self.id}-{self.name}.toml"

    @property
    def help_uri(self) -> str | None:
        """The rule's file in the project repository, or None when no ``Repository`` URL is configured (or the
        rule has no file)."""
        repository = project_urls().get("Repository")
        if not repository or not self.catalogued:
            return None
        return f"{repository.rstrip('/')}/blob/main/{REPOSITORY_FOLDER}/{self.file_name}"


@functools.cache
def project_urls() -> dict[str, str]:
    """``[project.urls]`` of the installed distribution (label -> URL), read from its metadata. Entries without a
    URL are left out, so an unpublished build yields no links; {} when the distribution is not installed."""
    try:
        entries = importlib.metadata.metadata(DISTRIBUTION).get_all("Project-URL") or []
    except importlib.metadata.PackageNotFoundError:
        return {}
    urls: dict[str, str] = {}
    for entry in entries:
        label, _, url = entry.partition(",")
        if label.strip() and url.strip():
            urls[label.strip()] = url.strip()
    return urls


def catalog_dir() -> Path:
    """Where the rule files live: ``oqmigrate/rule_catalog`` inside the installed package (wheel), else the source
    checkout's top-level ``rules/``."""
    packaged = importlib.resources.files("oqmigrate") / PACKAGE_FOLDER
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / REPOSITORY_FOLDER


@functools.cache
def load_catalog() -> dict[str, Rule]:
    """Every rule, keyed by id and ordered by id. Loaded once per process."""
    return load_catalog_from(catalog_dir())


def load_catalog_from(directory: Path) -> dict[str, Rule]:
    """Load and validate every ``*.toml`` rule file in `directory` (uncached; tests use it on temp folders)."""
    if not directory.is_dir():
        raise CatalogError(f"rule catalog folder not found: {directory}")
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise CatalogError(f"rule catalog folder has no rule files: {directory}")
    rules: dict[str, Rule] = {}
    names: dict[str, str] = {}
    for path in files:
        rule = _load_rule(path)
        if rule.id in rules:
            raise CatalogError(f"{path.name}: duplicate rule id {rule.id}")
        if rule.name in names:
            raise CatalogError(f"{path.name}: rule name {rule.name!r} is already used by {names[rule.name]}")
        rules[rule.id] = rule
        names[rule.name] = rule.id
    return dict(sorted(rules.items()))


def _codemods(where: str, value: object) -> tuple[str, ...]:
    """The ``codemod`` key: a list of codemod names (``[]`` = reported only), or, as older files write it, one
    string of names separated by commas or spaces (``""`` = reported only). Order kept, duplicates dropped."""
    if value is None:
        raise CatalogError(f"{where}: missing key 'codemod'")
    if isinstance(value, str):
        names = [n for n in _SPEC_SEPARATORS.split(value.strip()) if n]
    elif isinstance(value, list) and all(isinstance(n, str) for n in value):
        names = [n.strip() for n in value]
    else:
        raise CatalogError(f"{where}: 'codemod' must be a list of codemod names")
    for name in names:
        if not _NAME.match(name):
            raise CatalogError(f"{where}: codemod name {name!r} must be lowercase words joined by hyphens")
    return tuple(dict.fromkeys(names))


def _load_rule(path: Path) -> Rule:
    where = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CatalogError(f"{where}: cannot read rule file: {exc}") from exc

    for key in _STRING_KEYS:
        if key not in data:
            raise CatalogError(f"{where}: missing key {key!r}")
        if not isinstance(data[key], str):
            raise CatalogError(f"{where}: {key!r} must be a string")
    for key in ("id", "name", "severity", "summary", "playbook_section", "rationale", "fix"):
        if not data[key].strip():
            raise CatalogError(f"{where}: {key!r} must not be empty")

    rule_id, name, severity = data["id"], data["name"], data["severity"]
    if not _ID.match(rule_id):
        raise CatalogError(f"{where}: id {rule_id!r} is not of the form OQJ000")
    if not _NAME.match(name):
        raise CatalogError(f"{where}: name {name!r} must be lowercase words joined by hyphens")
    if path.stem != f"{rule_id}-{name}":
        raise CatalogError(f"{where}: file name must be {rule_id}-{name}.toml")
    if severity not in SEVERITIES:
        raise CatalogError(f"{where}: severity {severity!r} is not one of {', '.join(SEVERITIES)}")
    if "\n" in data["summary"].strip():
        raise CatalogError(f"{where}: summary must be one line")

    triggers = data.get("triggers")
    if (
        not isinstance(triggers, list)
        or not triggers
        or not all(isinstance(t, str) and t and t.isascii() for t in triggers)
    ):
        raise CatalogError(f"{where}: 'triggers' must be a non-empty list of ASCII strings")

    codemods = _codemods(where, data.get("codemod"))
    fixable = data.get("fixable")
    if not isinstance(fixable, bool):
        raise CatalogError(f"{where}: 'fixable' must be true or false")
    if fixable and not codemods:
        raise CatalogError(f"{where}: a fixable rule must name its codemod")

    examples = data.get("examples")
    if not isinstance(examples, dict):
        raise CatalogError(f"{where}: missing [examples] table")
    for key in _EXAMPLE_KEYS:
        if not isinstance(examples.get(key), str) or not examples[key].strip():
            raise CatalogError(f"{where}: missing example {key!r}")

    return Rule(
        id=rule_id,
        name=name,
        severity=severity,
        summary=data["summary"].strip(),
        playbook_section=data["playbook_section"].strip(),
        rationale=data["rationale"].strip(),
        triggers=tuple(dict.fromkeys(triggers)),
        codemods=codemods,
        fixable=fixable,
        fix=data["fix"].strip(),
        noncompliant=examples["noncompliant"],
        compliant=examples["compliant"],
    )


_SUPPRESSION_EXAMPLE = """\
public class PingJob : HostedServiceBase
{{
    {suppression}
    private static int _runs;

    public PingJob(IServiceScopeFactory serviceScopeFactory) : base(serviceScopeFactory)
    {{
        Name = "Ping Job";
        Frequency = "m";
        Interval = 5;
        IsEnabled = true;
    }}

    public override string ExecuteJob(IServiceProvider provider)
    {{
        try {{ return $"Ping {{++_runs}} sent"; }}
        catch (Exception ex) {{ return $"Ping Job failed: {{ex.Message}}"; }}
    }}
}}
"""

# Not a rule of the playbook but of oqmigrate itself: it reports `oqmigrate-ignore` comments that are
# malformed, name unknown rules, lack a reason or suppress nothing. It can be selected, ignored,
# re-levelled and explained like the catalog's rules, and is not part of the catalog listing.
SUPPRESSION_RULE = Rule(
    id="OQJ000",
    name="invalid-suppression",
    severity="warning",
    summary="An oqmigrate-ignore comment that is malformed, names an unknown rule, has no reason or suppresses nothing.",
    playbook_section="",
    rationale=(
        "Suppressions are how a team records a deliberate exception to the playbook. One without a reason "
        "explains nothing to the next reader, so it does not suppress; one that no longer matches a finding "
        "(the code changed) would silently hide the next real problem on that line, so it is reported as stale."
    ),
    triggers=("oqmigrate-ignore",),
    codemods=(),
    fixable=False,
    fix="Reported only. Write `// oqmigrate-ignore OQJ004: <reason>` on the finding's line or the line above it, "
        "and delete suppressions reported as stale.",
    noncompliant=_SUPPRESSION_EXAMPLE.format(suppression="// oqmigrate-ignore OQJ004"),
    compliant=_SUPPRESSION_EXAMPLE.format(
        suppression="// oqmigrate-ignore OQJ004: diagnostics only, a count per process is what we want"),
    catalogued=False,
)


def all_rules() -> dict[str, Rule]:
    """Every rule a run can report, keyed by id and ordered by id: OQJ000 (the suppression rule) and the catalog.
    This is what ``oqmigrate rules`` lists."""
    return {SUPPRESSION_RULE.id: SUPPRESSION_RULE, **load_catalog()}


def all_rule_ids() -> set[str]:
    """What a run checks when nothing is selected: the catalog and the suppression rule."""
    return set(all_rules())


def rule_by_id(rule_id: str) -> Rule:
    return all_rules()[rule_id]


def resolve_rule_ids(spec: str | None) -> set[str]:
    """Turn ``"OQJ001,job-state oqj004"`` into rule ids. Ids match case-insensitively, names exactly
    (also case-insensitively). ``None`` or a blank spec selects nothing and returns an empty set."""
    if spec is None:
        return set()
    catalog = all_rules()
    by_name = {rule.name: rule.id for rule in catalog.values()}
    selected: set[str] = set()
    for token in _SPEC_SEPARATORS.split(spec.strip()):
        if not token:
            continue
        if token.upper() in catalog:
            selected.add(token.upper())
        elif token.lower() in by_name:
            selected.add(by_name[token.lower()])
        else:
            raise UnknownRuleError(f"unknown rule id: {token}")
    return selected


def trigger_tokens(rule_ids: Iterable[str]) -> tuple[bytes, ...]:
    """The byte tokens a file must contain (at least one of) to be worth parsing for these rules."""
    catalog = all_rules()
    tokens: set[bytes] = set()
    for rule_id in rule_ids:
        rule = catalog.get(rule_id)
        if rule is None:
            raise UnknownRuleError(f"unknown rule id: {rule_id}")
        tokens.update(t.encode("ascii") for t in rule.triggers)
    return tuple(sorted(tokens))


def playbook_reference(rule: Rule) -> str | None:
    """Where in the playbook the rule comes from (``chapter 07 "Scheduled Jobs", section "Tenant Safety"``), or
    None for a rule of oqmigrate itself."""
    if not rule.playbook_section:
        return None
    return f'chapter {PLAYBOOK_CHAPTER}, section "{rule.playbook_section}"'


def _paragraphs(text: str, width: int = 100) -> str:
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "\n\n".join(textwrap.fill(" ".join(p.split()), width=width, break_on_hyphens=False, break_long_words=False) for p in paragraphs)


def _codemod_line(rule: Rule) -> str:
    if not rule.codemods:
        return "Codemod: none (reported only)"
    label = "Codemods" if len(rule.codemods) > 1 else "Codemod"
    if rule.fixable:
        return f"{label}: {', '.join(rule.codemods)} (automatic: `oqmigrate apply --codemod {rule.codemod}`)"
    return f"{label}: {', '.join(rule.codemods)} (not available yet: fix by hand)"


def _block(code: str) -> str:
    return textwrap.indent(code.strip("\n"), "    ", lambda line: bool(line.strip()))


def explain_text(rule: Rule) -> str:
    """Plain text for ``oqmigrate explain RULE_ID``."""
    parts = [
        f"{rule.id} {rule.name} ({rule.severity})",
        rule.summary,
        f"Playbook: {playbook_reference(rule) or 'none (a rule of oqmigrate itself)'}",
        _paragraphs(rule.rationale),
        _paragraphs("Fix: " + rule.fix),
        _codemod_line(rule),
        "Noncompliant:\n" + _block(rule.noncompliant),
        "Compliant:\n" + _block(rule.compliant),
    ]
    if rule.help_uri:
        parts.append(f"More: {rule.help_uri}")
    return "\n\n".join(parts) + "\n"
