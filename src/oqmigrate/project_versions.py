"""The Oqtane version each project of a workspace builds against, detected once per run (`versions.detect`), or
the version the user names (`--oqtane-version`, `oqtane-version` in the configuration). Files that belong to no
project file get the user's version, else the current one — said once, as every guess is."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from oqmigrate import msbuild
from oqmigrate.versions import CURRENT, VersionInfo, VersionSource, detect, resolve
from oqmigrate.vcs import git_root
from oqmigrate.workspace import SourceFile, Workspace

LOOSE = VersionInfo(CURRENT, VersionSource.ASSUMED_CURRENT,
                    f"no project file: assuming the current Oqtane {CURRENT}", False)


@dataclass
class Versions:
    by_project: dict[str, VersionInfo] = field(default_factory=dict)  # project file path -> its version
    loose: VersionInfo = LOOSE

    def of(self, sf: SourceFile) -> VersionInfo:
        return self.by_project.get(str(sf.project.path), self.loose) if sf.project is not None else self.loose

    def notices(self, ws: Workspace, relevant: set[str] | None = None) -> list[str]:
        """One line per project whose version is a guess, so the user can confirm or override it; with `relevant`
        (project files), only for the projects the run found something in (elsewhere the version decides nothing)."""
        lines = []
        for project in ws.projects:
            info = self.by_project.get(str(project.path))
            if relevant is not None and str(project.path) not in relevant:
                continue
            if info is not None and not info.exact and any(sf.project == project for sf in ws.files):
                lines.append(f"{project.name}: Oqtane {info.version} assumed ({info.detail}); "
                             "pass --oqtane-version to set it")
        return lines


def for_workspace(ws: Workspace, override: str | None = None, origin: str = "--oqtane-version") -> Versions:
    """Raises ValueError for an override that is not a version number."""
    stop = git_root(ws.root)
    versions = Versions(loose=resolve(LOOSE, override, origin=origin))
    reader = msbuild.new_reader()
    for project in ws.projects:
        detected = detect(Path(project.path), stop_at=stop, reader=reader)
        versions.by_project[str(project.path)] = resolve(detected, override, origin=origin)
    return versions
