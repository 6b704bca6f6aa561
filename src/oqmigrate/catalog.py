"""The rule catalog: one TOML file per rule under ``codemods/``, loaded into `Rule` records.

The files are the single source for everything a rule says about itself (id, name, severity, the playbook
section it enforces, the byte tokens the prefilter needs, which codemod fixes it, and a noncompliant and a
compliant example). ``rules``, ``explain``, SARIF rule metadata and the docs are all rendered from them.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import textwrap
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SEVERITIES = ("error", "warning", "info")
"""Severity values, most severe first (so ``SEVERITIES.index`` orders them)."""

PLAYBOOK = "07-scheduled-jobs.md"
HELP_BASE = "https://github.com/oqmigrate/oqmigrate/blob/main/codemods/"

_ID = re.compile(r"^OQJ\d{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_SPEC_SEPARATORS = re.compile(r"[\s,]+")

_STRING_KEYS = ("id", "name", "severity", "summary", "playbook_section", "rationale", "codemod", "fix")
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
    codemod: str
    fixable: bool
    fix: str
    noncompliant: str
    compliant: str

    @property
    def file_name(self) -> str:
        return f"{self.id}-{self.name}.toml"

    @property
    def help_uri(self) -> str:
        return HELP_BASE + self.file_name


def catalog_dir() -> Path:
    """Where the rule files live: inside the installed package (wheel), else the repo's top-level ``codemods/``."""
    packaged = importlib.resources.files("oqmigrate") / "codemods"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "codemods"


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

    fixable = data.get("fixable")
    if not isinstance(fixable, bool):
        raise CatalogError(f"{where}: 'fixable' must be true or false")
    if fixable and not data["codemod"]:
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
        codemod=data["codemod"].strip(),
        fixable=fixable,
        fix=data["fix"].strip(),
        noncompliant=examples["noncompliant"],
        compliant=examples["compliant"],
    )


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
    codemod="",
    fixable=False,
    fix="Reported only. Write `// oqmigrate-ignore OQJ004: <reason>` on the finding's line or the line above it, "
        "and delete suppressions reported as stale.",
    noncompliant="// oqmigrate-ignore OQJ004\nprivate static int _runs;",
    compliant="// oqmigrate-ignore OQJ004: diagnostics counter, reset on restart by design\nprivate static int _runs;",
)


def all_rule_ids() -> set[str]:
    """What a run checks when nothing is selected: the catalog and the suppression rule."""
    return set(load_catalog()) | {SUPPRESSION_RULE.id}


def rule_by_id(rule_id: str) -> Rule:
    return SUPPRESSION_RULE if rule_id == SUPPRESSION_RULE.id else load_catalog()[rule_id]


def resolve_rule_ids(spec: str | None) -> set[str]:
    """Turn ``"OQJ001,job-state oqj004"`` into rule ids. Ids match case-insensitively, names exactly
    (also case-insensitively). ``None`` or a blank spec selects nothing and returns an empty set."""
    if spec is None:
        return set()
    catalog = {**load_catalog(), SUPPRESSION_RULE.id: SUPPRESSION_RULE}
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
    catalog = {**load_catalog(), SUPPRESSION_RULE.id: SUPPRESSION_RULE}
    tokens: set[bytes] = set()
    for rule_id in rule_ids:
        rule = catalog.get(rule_id)
        if rule is None:
            raise UnknownRuleError(f"unknown rule id: {rule_id}")
        tokens.update(t.encode("ascii") for t in rule.triggers)
    return tuple(sorted(tokens))


def _paragraphs(text: str, width: int = 100) -> str:
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "\n\n".join(textwrap.fill(" ".join(p.split()), width=width, break_on_hyphens=False, break_long_words=False) for p in paragraphs)


def _codemod_line(rule: Rule) -> str:
    if not rule.codemod:
        return "Codemod: none (reported only)"
    if rule.fixable:
        return f"Codemod: {rule.codemod} (automatic: `oqmigrate apply --codemod {rule.codemod}`)"
    return f"Codemod: {rule.codemod} (not available yet: fix by hand)"


def _block(code: str) -> str:
    return textwrap.indent(code.strip("\n"), "    ", lambda line: bool(line.strip()))


def explain_text(rule: Rule) -> str:
    """Plain text for ``oqmigrate explain RULE_ID``."""
    parts = [
        f"{rule.id} {rule.name} ({rule.severity})",
        rule.summary,
        f"Playbook: {PLAYBOOK} § {rule.playbook_section}" if rule.playbook_section else "Playbook: none (a rule of oqmigrate itself)",
        _paragraphs(rule.rationale),
        _paragraphs("Fix: " + rule.fix),
        _codemod_line(rule),
        "Noncompliant:\n" + _block(rule.noncompliant),
        "Compliant:\n" + _block(rule.compliant),
        f"More: {rule.help_uri}",
    ]
    return "\n\n".join(parts) + "\n"
