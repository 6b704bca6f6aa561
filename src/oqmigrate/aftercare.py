"""aftercare: what a person should look at after the codemods ran — findings still reported in the rewritten
files (checked on the new text, not guessed), and package references the migration left unused.

The project files are never edited: a scheduling package (Cronos, NCrontab, Quartz, Hangfire, FluentScheduler) that
no C# file of its project uses any more after the change is listed so the reviewer can drop it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from oqmigrate import engine
from oqmigrate.findings import Finding
from oqmigrate.project_versions import Versions
from oqmigrate.projectfile import local_name
from oqmigrate.scanner import Item, check_bytes, items_of
from oqmigrate.workspace import Workspace

# package id -> the tokens that show a C# file still uses it
SCHEDULING_PACKAGES: dict[str, tuple[bytes, ...]] = {
    "cronos": (b"Cronos", b"CronExpression"),
    "ncrontab": (b"NCrontab", b"CrontabSchedule"),
    "ncrontab.signed": (b"NCrontab", b"CrontabSchedule"),
    "quartz": (b"Quartz", b"IScheduler", b"TriggerBuilder", b"CronScheduleBuilder"),
    "quartz.extensions.hosting": (b"Quartz", b"AddQuartz"),
    "hangfire": (b"Hangfire", b"RecurringJob", b"BackgroundJob"),
    "hangfire.core": (b"Hangfire", b"RecurringJob", b"BackgroundJob"),
    "hangfire.aspnetcore": (b"Hangfire", b"AddHangfire"),
    "fluentscheduler": (b"FluentScheduler", b"JobManager", b"ToRunEvery"),
}


@dataclass(frozen=True)
class UnusedPackage:
    project: str  # the project's name
    project_file: str  # relative to the scan root
    package: str  # as written in the PackageReference

    def describe(self) -> str:
        return (f"{self.project_file}: no C# file of {self.project} uses {self.package} any more; remove its "
                f"PackageReference when the migration is merged")


ALL_TOKENS = frozenset(t for tokens in SCHEDULING_PACKAGES.values() for t in tokens)


@dataclass(frozen=True)
class ChangeFacts:
    """What aftercare needs of one changed file, computed where its new text is (for `diff`, in the pool worker
    that rewrote it, so the text need not be kept): the findings the new text still reports (of every class), and
    the scheduling-package tokens it contains (None: the new text is empty, read the file instead)."""

    left: tuple[Finding, ...]
    uses: frozenset[bytes] | None


def facts_of(item: Item, new: bytes, selected: set[str], kinds: dict[str, str] | None) -> ChangeFacts:
    """`item` as `items_of(..., anchor_root=None)` gives it."""
    found = tuple(check_bytes(item, new, selected, None, kinds).findings)
    return ChangeFacts(found, _tokens_in(new) if new else None)


def left_in_changes(ws: Workspace, changesets: list[engine.Changeset], selected: set[str],
                    kinds: dict[str, str] | None, fallback: str = "cp1252",
                    versions: Versions | None = None, facts: dict[str, ChangeFacts] | None = None) -> list[Finding]:
    """Findings the rewritten files still report (checked for each project's Oqtane version), for the classes the
    changes touched. `facts` holds them already computed, by file."""
    rels = {c.rel for cs in changesets for c in cs.files}
    items = {item.rel: item for item in items_of([sf for sf in ws.files if sf.rel in rels], fallback, None, versions)}
    out: list[Finding] = []
    for cs in changesets:
        for c in cs.files:
            if c.rel in items:
                found = facts[c.rel].left if facts is not None else facts_of(items[c.rel], c.new, selected, kinds).left
                out.extend(f for f in found if f.symbol in cs.symbols)
    return out


def unused_packages(ws: Workspace, changesets: list[engine.Changeset],
                    facts: dict[str, ChangeFacts] | None = None) -> list[UnusedPackage]:
    """Scheduling packages of the changed files' projects that no C# file of the project uses after the change.
    `facts` stands for the changed files' new text when it was not kept."""
    changed = {c.rel: (facts[c.rel].uses if facts is not None else (_tokens_in(c.new) if c.new else None))
               for cs in changesets for c in cs.files}
    projects = {sf.project for sf in ws.files if sf.project is not None and sf.rel in changed}
    out: list[UnusedPackage] = []
    members: dict | None = None  # project -> its files, made once when a project references a scheduling package
    for project in sorted(projects, key=lambda p: str(p.path)):
        packages = _scheduling_references(project.path)
        if not packages:
            continue
        if members is None:
            members = {}
            for sf in ws.files:
                if sf.project in projects:
                    members.setdefault(sf.project, []).append(sf)
        used: set[bytes] = set()
        for sf in members.get(project, ()):
            uses = changed.get(sf.rel)
            used |= uses if uses is not None else _tokens_in(_read(sf.path))
        for package in packages:
            if not used.intersection(SCHEDULING_PACKAGES[package.lower()]):
                out.append(UnusedPackage(project.name, _rel(ws, project.path), package))
    return out


def _tokens_in(text: bytes) -> frozenset[bytes]:
    return frozenset(t for t in ALL_TOKENS if t in text)


def _scheduling_references(csproj: Path) -> list[str]:
    try:
        root = ET.parse(csproj).getroot()
    except (OSError, ET.ParseError):
        return []
    found = []
    for el in root.iter():
        if local_name(el.tag) == "PackageReference":
            name = (el.get("Include") or el.get("Update") or "").strip()
            if name.lower() in SCHEDULING_PACKAGES and name not in found:
                found.append(name)
    return found


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def _rel(ws: Workspace, path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(ws.root).resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def describe_left(findings: list[Finding]) -> list[str]:
    return [f"{f.rel}:{f.line} {f.symbol}: {f.rule_id} is still reported after the change: {f.message}"
            for f in findings]
