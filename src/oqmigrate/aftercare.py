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
from oqmigrate.scanner import check_bytes, items_of
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


def left_in_changes(ws: Workspace, changesets: list[engine.Changeset], selected: set[str],
                    kinds: dict[str, str] | None, fallback: str = "cp1252",
                    versions: Versions | None = None) -> list[Finding]:
    """Findings the rewritten files still report (checked for each project's Oqtane version), for the classes the
    changes touched."""
    items = {item.rel: item for item in items_of(ws.files, fallback, None, versions)}
    out: list[Finding] = []
    for cs in changesets:
        for c in cs.files:
            if c.rel in items:
                found = check_bytes(items[c.rel], c.new, selected, None, kinds).findings
                out.extend(f for f in found if f.symbol in cs.symbols)
    return out


def unused_packages(ws: Workspace, changesets: list[engine.Changeset]) -> list[UnusedPackage]:
    """Scheduling packages of the changed files' projects that no C# file of the project uses after the change."""
    changed = {c.rel: c.new for cs in changesets for c in cs.files}
    projects = {sf.project for sf in ws.files if sf.project is not None and sf.rel in changed}
    out: list[UnusedPackage] = []
    for project in sorted(projects, key=lambda p: str(p.path)):
        packages = _scheduling_references(project.path)
        if not packages:
            continue
        texts = [changed.get(sf.rel) or _read(sf.path) for sf in ws.files if sf.project == project]
        for package in packages:
            tokens = SCHEDULING_PACKAGES[package.lower()]
            if not any(t in text for text in texts for t in tokens):
                out.append(UnusedPackage(project.name, _rel(ws, project.path), package))
    return out


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
