"""formats: a scan's findings rendered for people (full, concise), tools (json, sarif, junit), CI logs (github)
and pull requests (markdown). Every renderer reads one `ScanView`; none reads files or runs anything."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from pathlib import Path

from oqmigrate.checks import Finding


class ScanFormat(str, enum.Enum):
    full = "full"
    concise = "concise"
    text = "text"  # the old name of `full`, kept for existing scripts
    json = "json"
    sarif = "sarif"
    markdown = "markdown"
    github = "github"
    junit = "junit"


@dataclass
class FileChange:
    """A file a fix would rewrite: its path relative to the scan root and both contents (bytes on disk)."""

    rel: str
    old: bytes
    new: bytes


@dataclass
class Fix:
    """One changeset of the codemods: the classes it migrates and the files it rewrites."""

    symbols: list[str]
    files: list[FileChange]


@dataclass
class ScanView:
    root: Path  # the scan root (absolute); Finding.rel is relative to it
    files_scanned: int
    findings: list[Finding]
    errors: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    baselined: list[Finding] | None = None  # findings a baseline covered (None: no baseline given)
    fixes: list[Fix] | None = None  # the changesets `diff` would make (SARIF only)
    srcroot: Path | None = None  # SARIF's SRCROOT: the git work tree when there is one, else the root
    notices: list[str] = field(default_factory=list)  # one-line facts about the run (projects left out, …)
    projects: list[dict] = field(default_factory=list)  # each project: name, path, role, assembly, scope, reason

    def display(self, rel: str, base: Path | None = None) -> str:
        """A path people can open: relative to `base` (default: the current directory), / separated."""
        base = base or Path.cwd()
        try:
            return Path(os.path.relpath(self.root / rel, base)).as_posix()
        except ValueError:  # another drive on Windows
            return (self.root / rel).as_posix()
