"""The namespaces every file of a project imports without a using directive of its own.

A codemod that needs a namespace does not add `using X;` when the project already imports X for every file:
through `global using X;` in one of its files, a `<Using Include="X" />` item of the project (or of a
Directory.Build.props it reads), or the SDK's implicit usings (`<ImplicitUsings>enable</ImplicitUsings>`).

Everything here errs toward "not imported": a wrong "imported" would make the codemod leave out a using the file
needs (a build error), a wrong "not imported" only adds a redundant one. So an item or property behind a condition
that cannot be evaluated is not counted, every `<Using Remove="X" />` in the files read removes X whatever its
condition, and an SDK whose implicit usings are not known here adds none. A file outside any project gets none.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from oqmigrate import msbuild, source
from oqmigrate.workspace import SourceFile

# What `<ImplicitUsings>enable</ImplicitUsings>` imports, per project SDK (the .NET SDK's documented lists). The
# base list leaves out System.IO and System.Net.Http, which a WPF project (UseWPF) does not get.
_BASE = frozenset({"System", "System.Collections.Generic", "System.Linq", "System.Threading", "System.Threading.Tasks"})
_EXTENSIONS = frozenset({"Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection",
                         "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging"})
IMPLICIT_USINGS: dict[str, frozenset[str]] = {
    "Microsoft.NET.Sdk": _BASE,
    "Microsoft.NET.Sdk.Razor": _BASE,
    "Microsoft.NET.Sdk.BlazorWebAssembly": _BASE,
    "Microsoft.NET.Sdk.Worker": _BASE | _EXTENSIONS,
    "Microsoft.NET.Sdk.Web": _BASE | _EXTENSIONS | {"System.Net.Http.Json", "Microsoft.AspNetCore.Builder",
                                                  "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http",
                                                  "Microsoft.AspNetCore.Routing"},
}


def project_sdk(csproj: Path) -> str | None:
    """The SDK a project file names (`<Project Sdk="Microsoft.NET.Sdk.Web">`, `<Sdk Name="…" />`), without a
    version; None for an old-style project or an unreadable file."""
    try:
        root = ET.parse(csproj).getroot()
    except (OSError, ET.ParseError):
        return None
    names = [root.get("Sdk")] + [c.get("Name") for c in root if msbuild.local_name(c.tag) == "Sdk"]
    for name in names:
        if name:
            return name.split(";")[0].split("/")[0].strip()
    return None


def from_project_file(csproj: Path, stop_at: Path | None = None) -> frozenset[str]:
    """The namespaces the project file (and the Directory.Build files it reads) imports into every file."""
    ev = msbuild.evaluate(csproj, stop_at=stop_at)
    if not ev.readable:
        return frozenset()
    out: set[str] = set()
    if (ev.value("ImplicitUsings") or "").strip().casefold() in ("enable", "true"):
        out |= IMPLICIT_USINGS.get(project_sdk(csproj) or "", frozenset())
    for item in ev.items_of("Using"):
        if item.include and not item.get("Alias") and (item.get("Static") or "").strip().casefold() != "true":
            out.add(item.include.strip())
    return frozenset(out - _removed(ev.files))


def _removed(files: Iterable[Path]) -> set[str]:
    """Every namespace a `<Using Remove="…" />` names in these files, whatever its condition."""
    out: set[str] = set()
    for path in files:
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError):
            continue
        for el in root.iter():
            if msbuild.local_name(el.tag) == "Using" and el.get("Remove"):
                out |= {part.strip() for part in el.get("Remove", "").split(";") if part.strip()}
    return out


def from_sources(sources: Iterable[bytes]) -> frozenset[str]:
    """The namespaces `global using X;` directives in these files import (not aliases, not `using static`)."""
    from oqmigrate.transforms.migrate_worker.usings import global_usings  # the one reader of using directives
    return global_usings(sources)


def of_file(haystack: bytes, fallback: str = "cp1252") -> frozenset[str]:
    """What one file's `global using` directives import; `haystack` is its bytes as `scanner.searchable` gives
    them. A file without the word `global` is not decoded, and one that does not decode imports nothing."""
    if b"global" not in haystack:
        return frozenset()
    try:
        return from_sources([source.decode(haystack, fallback).utf8()])
    except source.LoadError:
        return frozenset()


@dataclass
class ProjectUsings:
    """Per project of a workspace: `of(file)` is what its project imports everywhere. What its files' `global
    using` directives import is handed in (`add`) by whoever reads the files anyway, so no file is read twice;
    each project file is read once (`read_project`, or on first use)."""

    stop_at: Path | None = None
    _from_sources: dict[str, set[str]] = field(default_factory=dict)
    _from_project: dict[str, frozenset[str]] = field(default_factory=dict)

    def add(self, sf: SourceFile, namespaces: frozenset[str]) -> None:
        """What `global using` directives in `sf` (see `of_file`) import; every file of a project must be added
        before `of` is asked about the project."""
        if sf.project is not None and namespaces:
            self._from_sources.setdefault(str(sf.project.path), set()).update(namespaces)

    def read_project(self, sf: SourceFile) -> None:
        """Read the project file of `sf` now, if it was not read yet."""
        if sf.project is not None:
            key = str(sf.project.path)
            if key not in self._from_project:
                self._from_project[key] = from_project_file(Path(sf.project.path), self.stop_at)

    def of(self, sf: SourceFile) -> frozenset[str]:
        if sf.project is None:
            return frozenset()
        self.read_project(sf)
        key = str(sf.project.path)
        return self._from_project[key] | self._from_sources.get(key, frozenset())
