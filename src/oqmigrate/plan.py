"""plan: an order in which to adopt the playbook one step at a time.

Each step is one changeset the codemods can make (a worker migrated together with its registrations,
or registrations of existing jobs removed), with the findings it resolves — computed by checking the
rewritten files, not guessed — and the command that applies exactly that step. What the codemods
cannot do is listed per class with its findings and the reason, for a person.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from oqmigrate import aftercare, engine
from oqmigrate.findings import Finding
from oqmigrate.scanner import ScanResult, check_bytes, items_of
from oqmigrate.project_versions import Versions
from oqmigrate.transforms import FollowUpKind
from oqmigrate.versions import Feature, supports
from oqmigrate.workspace import Workspace


@dataclass
class Step:
    symbols: list[str]
    files: list[str]
    resolves: list[Finding]
    remaining: list[Finding]
    review: list[str]
    command: str
    project: str = "(no project)"


@dataclass
class ManualItem:
    symbol: str
    path: str
    line: int
    reasons: list[str]
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Plan:
    root: str
    steps: list[Step]
    manual: list[ManualItem]
    untouched: list[Finding]  # findings of classes no step or manual item covers (fix by hand)
    unused_packages: list[str] = field(default_factory=list)  # package references the steps leave unused
    versions: dict[str, str] = field(default_factory=dict)  # project -> "Oqtane X (where it was read)"
    upgrades: list[str] = field(default_factory=list)  # optional upgrades that unlock a better migration


def _key(f: Finding) -> tuple:
    return f.rule_id, f.rel, f.symbol, f.message


def build(ws: Workspace, scan: ScanResult, run: engine.RunResult, selected: set[str], fallback: str = "cp1252",
          versions: Versions | None = None) -> Plan:
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for f in scan.findings:
        by_file[f.rel].append(f)
    items = {item.rel: item for item in items_of(ws.files, fallback, None, versions)}
    steps: list[Step] = []
    covered: set[tuple] = set()
    for cs in run.changesets:
        before = [f for c in cs.files for f in by_file.get(c.rel, [])]
        after: list[Finding] = []
        for c in cs.files:
            after.extend(check_bytes(items[c.rel], c.new, selected, None, scan.kinds).findings)
        after_keys = {(f.rule_id, f.rel, f.symbol) for f in after}
        resolves = [f for f in before if (f.rule_id, f.rel, f.symbol) not in after_keys]
        covered.update(_key(f) for f in before)
        review = [f"{m.rel}:{m.line} {m.reason}" for m in run.manual
                  if m.kind is FollowUpKind.REVIEW and m.symbol in cs.symbols]
        migrated = [s for s in cs.symbols if any(f.symbol == s and f.rule_id == "OQJ001" for f in before)]
        if migrated:
            command = " ".join(f"oqmigrate apply --only {s}" for s in migrated[:1])
            if len(migrated) > 1:
                command = "oqmigrate apply " + " ".join(sorted({c.rel for c in cs.files}))
        elif all(f.rule_id == "OQJ014" for f in resolves):
            command = "oqmigrate apply --codemod remove-registration " + " ".join(c.rel for c in cs.files)
        else:  # a job rewritten in place (unwrap-tenant-loop, drop-state, ...): every codemod over its files
            command = "oqmigrate apply " + " ".join(sorted({c.rel for c in cs.files}))
        owner = items[cs.files[0].rel].project or "(no project)"
        steps.append(Step(cs.symbols, [c.rel for c in cs.files], resolves, after, review, command, owner))

    manual_by_symbol: dict[tuple[str, str], ManualItem] = {}
    for m in run.manual:
        if m.kind is FollowUpKind.REVIEW:
            continue
        item = manual_by_symbol.setdefault((m.rel, m.symbol), ManualItem(m.symbol, m.rel, m.line, []))
        item.reasons.append(m.reason)
    for item in manual_by_symbol.values():
        item.findings = [f for f in by_file.get(item.path, []) if f.symbol == item.symbol and _key(f) not in covered]
        covered.update(_key(f) for f in item.findings)
    untouched = [f for f in scan.findings if _key(f) not in covered]
    # Smallest steps first: they are the easiest to review and land.
    steps.sort(key=lambda s: (len(s.files), s.files))
    unused = [u.describe() for u in aftercare.unused_packages(ws, run.changesets)]
    project_versions, upgrades = _versions(ws, versions, steps)
    return Plan(str(ws.root), steps, sorted(manual_by_symbol.values(), key=lambda m: (m.path, m.line)), untouched,
                unused, project_versions, upgrades)


def _versions(ws: Workspace, versions: Versions | None, steps: list[Step]) -> tuple[dict[str, str], list[str]]:
    """The version of each project with steps, and the upgrades that would let a step emit better code: a step
    that had to run async work inside ExecuteJob, or to turn a weekly schedule into days."""
    if versions is None:
        return {}, []
    shown: dict[str, str] = {}
    upgrades: list[str] = []
    by_name = {p.name: p for p in ws.projects}
    for step in steps:
        project = by_name.get(step.project)
        if project is None or step.project in shown:
            continue
        info = versions.by_project.get(str(project.path))
        if info is None:
            continue
        shown[step.project] = f"Oqtane {info.version} ({info.detail})"
        waiting = [s for s in steps if s.project == step.project]
        for feature, marker in ((Feature.EXECUTE_JOB_ASYNC, "no ExecuteJobAsync"),
                                (Feature.WEEKLY_AND_ONCE_FREQUENCIES, 'no weekly frequency "w"')):
            touched = [s for s in waiting if any(marker in note for note in s.review)]
            if touched and not supports(info.version, feature):
                upgrades.append(f"optional, before the steps of {step.project}: upgrade Oqtane from {info.version} to "
                                f"{feature.since} or later ({feature.summary}); then {len(touched)} of its steps "
                                f"emit it instead of the workaround their review notes describe")
    return shown, upgrades


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _finding_list(findings: list[Finding]) -> str:
    ids = sorted({f.rule_id for f in findings})
    return ", ".join(ids) if ids else "-"


def shown_root(plan: Plan) -> str:
    """Where to run the step commands, relative to the current directory (never a machine's absolute path)."""
    try:
        return Path(os.path.relpath(plan.root)).as_posix()
    except ValueError:
        return plan.root


def to_text(plan: Plan) -> str:
    lines = []
    if plan.steps:
        lines.append(f"Automatic steps ({len(plan.steps)}), smallest first; each one is a reviewable change.")
        for project, version in sorted(plan.versions.items()):
            lines.append(f"  {project}: {version}")
        for upgrade in plan.upgrades:
            lines.append(f"  {upgrade}")
        lines.append(f"Run the commands in {shown_root(plan)}:")
    for n, s in enumerate(plan.steps, 1):
        lines.append(f"{n}. {', '.join(s.symbols) or s.files[0]}: {_plural(len(s.files), 'file')}, resolves "
                     f"{_plural(len(s.resolves), 'finding')} ({_finding_list(s.resolves)})")
        for path in s.files:
            lines.append(f"     {path}")
        for note in s.review:
            lines.append(f"     review: {note}")
        if s.remaining:
            lines.append(f"     still to fix by hand afterwards: {_finding_list(s.remaining)}")
        lines.append(f"     $ {s.command}")
    if plan.unused_packages:
        lines.append("")
        lines.append("After the steps, package references nothing uses any more (the project files are not edited):")
        lines.extend(f"- {u}" for u in plan.unused_packages)
    if plan.manual:
        lines.append("")
        lines.append(f"Left for a person ({len(plan.manual)}): the codemods do not guess")
        for m in plan.manual:
            lines.append(f"- {m.symbol} ({m.path}:{m.line}): {'; '.join(m.reasons)}")
            if m.findings:
                lines.append(f"     findings: {_finding_list(m.findings)}")
    if plan.untouched:
        lines.append("")
        lines.append(f"Findings no codemod addresses ({len(plan.untouched)}); see `oqmigrate explain RULE_ID`:")
        for f in plan.untouched:
            lines.append(f"- {f.rel}:{f.line} {f.rule_id} {f.symbol}: {f.message}")
    if not lines:
        lines.append("Nothing to do: no findings.")
    return "\n".join(lines) + "\n"


def to_markdown(plan: Plan) -> str:
    """A pull-request description: per-project tables of steps with their review notes, relative paths only."""
    lines = ["## oqmigrate plan", ""]
    if plan.steps:
        lines += [f"{len(plan.steps)} automatic steps, smallest first; run the commands in `{shown_root(plan)}`."]
        lines += [""] + [f"- {_md(project)}: {_md(version)}" for project, version in sorted(plan.versions.items())]
        lines += [f"- {_md(upgrade)}" for upgrade in plan.upgrades]
        by_project: dict[str, list[tuple[int, Step]]] = defaultdict(list)
        for n, s in enumerate(plan.steps, 1):
            by_project[s.project].append((n, s))
        for project, steps in sorted(by_project.items()):
            lines += ["", f"### {project}", "",
                      "| # | change | files | resolves | still by hand | review | command |",
                      "| ---: | --- | --- | --- | --- | --- | --- |"]
            for n, s in steps:
                review = "<br>".join(_md(note) for note in s.review) or "-"
                lines.append(f"| {n} | {', '.join(s.symbols)} | {'<br>'.join(f'`{p}`' for p in s.files)} | "
                             f"{len(s.resolves)} ({_finding_list(s.resolves)}) | {_finding_list(s.remaining)} | "
                             f"{review} | `{s.command}` |")
    if plan.unused_packages:
        lines += ["", "### Package references to remove after the steps", ""]
        lines += [f"- {_md(u)}" for u in plan.unused_packages]
    if plan.manual:
        lines += ["", "### Left for a person", ""]
        lines += [f"- **{m.symbol}** (`{m.path}:{m.line}`): {_md('; '.join(m.reasons))} — {_finding_list(m.findings)}"
                  for m in plan.manual]
    if plan.untouched:
        lines += ["", "### Findings no codemod addresses", ""]
        lines += [f"- `{f.rel}:{f.line}` {f.rule_id} `{f.symbol}`: {_md(f.message)}" for f in plan.untouched]
    if not (plan.steps or plan.manual or plan.untouched):
        lines.append("Nothing to do: no findings.")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_json(plan: Plan) -> dict:
    return {
        "root": plan.root,
        "steps": [{"symbols": s.symbols, "project": s.project, "files": s.files, "resolves": [f.to_json() for f in s.resolves],
                   "remaining": [f.to_json() for f in s.remaining], "review": s.review, "command": s.command}
                  for s in plan.steps],
        "manual": [{"symbol": m.symbol, "path": m.path, "line": m.line, "reasons": m.reasons,
                    "findings": [f.to_json() for f in m.findings]} for m in plan.manual],
        "untouched": [f.to_json() for f in plan.untouched],
        "unused_packages": plan.unused_packages,
        "versions": plan.versions,
        "upgrades": plan.upgrades,
    }
