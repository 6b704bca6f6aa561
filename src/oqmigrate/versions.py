"""Which Oqtane version a module project builds against, and what that version supports.

Migrations must emit code the project's Oqtane version compiles and runs: ``ExecuteJobAsync`` exists from 4.0.3,
job metadata from 2.0.1, the ``"w"``/``"O"`` frequencies from 3.0.2, and so on (`Feature`, checked against the
framework's release tags). `detect` finds the version of one ``.csproj`` from, in this order:

a. a ``PackageReference`` to Oqtane.Server / Oqtane.Shared / Oqtane.Client with a ``Version`` or
   ``VersionOverride`` (attribute or element; ``Update=`` items too; NuGet ranges and floating versions give the
   lowest version they admit, marked inexact);
b. central package management: the ``PackageVersion`` in ``Directory.Packages.props`` when the reference has
   no version of its own;
c. MSBuild properties in those versions (``$(OqtaneVersion)`` from the project, ``Directory.Build.props``,
   ``Directory.Packages.props`` or an imported file) — evaluated by `oqmigrate.msbuild`;
d. a ``Reference`` (``HintPath``) or ``ProjectReference`` into a local framework checkout: the checkout's
   ``Oqtane.Shared/Shared/Constants.cs`` ``Version`` (else the referenced ``Oqtane.*.csproj``'s ``<Version>``,
   else the ``Version=`` in the assembly reference);
   then the same, found through the project's own ``ProjectReference``s (a Server project that gets Oqtane
   through its Shared project);
e. the TargetFramework(s): each Oqtane major version targets one .NET version, so e.g. ``net7.0`` means 4.x; the
   oldest version of that range is assumed (inexact);
f. nothing at all: the current version is assumed (inexact).

`resolve` applies a user-given version (``--oqtane-version`` or the config key) over the detected one.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from oqmigrate import msbuild

_VERSION = re.compile(r"^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:\.\d+)?(?:[-+][0-9A-Za-z.+-]*)?\s*$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Version:
    """An Oqtane release number. Prerelease and build suffixes are dropped: ``6.0.0-rc1`` compares as 6.0.0."""

    major: int
    minor: int = 0
    patch: int = 0

    @classmethod
    def parse(cls, text: str) -> "Version":
        """``"10.2.4"``, ``"4.0"``, ``"v3.2.1"``, ``"6.0.0-rc1"``, ``"4.0.2.0"``; ValueError for anything else."""
        match = _VERSION.match(text or "")
        if match is None:
            raise ValueError(f"not a version number: {text!r}")
        return cls(int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0))

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


CURRENT = Version(10, 2, 4)


class Feature(Enum):
    """Framework behaviour and API a migration may depend on, with the first Oqtane version that has it."""

    JOB_METADATA_AND_TENANT_LOOP = (
        "2.0.1", "job metadata properties (Name, Frequency, Interval, StartDate, EndDate, RetentionHistory, "
                 "IsEnabled), the automatic Job row and the once-per-tenant loop")
    TENANT_MANAGER = ("2.1.0", "ITenantManager")
    WEEKLY_AND_ONCE_FREQUENCIES = ("3.0.2", 'the "w" (weekly) and "O" (once) frequencies')
    SETTING_BY_NAME = ("3.0.2", "ISettingRepository.GetSetting(entityName, entityId, settingName)")
    AUTO_REGISTER_ANY_HOSTED_SERVICE = (
        "3.2.1", "automatic registration of any IHostedService in a module assembly (before: only jobs)")
    EXECUTE_JOB_ASYNC = ("4.0.3", "HostedServiceBase.ExecuteJobAsync and a virtual (no longer abstract) ExecuteJob")
    SET_ALIAS = ("5.0.1", "ITenantManager.SetAlias(tenantId, siteId)")
    GET_SETTING_VALUE = ("6.1.3", "ISettingRepository.GetSettingValue")
    JOB_SETTINGS_IN_MASTER = ("6.2.0", "settings of entity Job stored in the master database, shared by all tenants")
    TIME_OF_DAY_FROM_PREVIOUS_RUN = (
        "10.0.4", 'the time of day of "d"/"w"/"M" jobs taken from the previous run (before: from StartDate)')
    MAXIMUM_DURATION = ("10.2.0", "HostedServiceBase.MaximumDuration and the auto-heal of stuck jobs")

    def __init__(self, since: str, summary: str) -> None:
        self.since = Version.parse(since)
        self.summary = summary


def supports(version: Version, feature: Feature) -> bool:
    """Whether Oqtane ``version`` has ``feature``."""
    return version >= feature.since


def missing(version: Version) -> list[Feature]:
    """The features ``version`` lacks, oldest first: what an upgrade to `CURRENT` would bring."""
    return sorted((f for f in Feature if not supports(version, f)), key=lambda f: f.since)


class VersionSource(Enum):
    """Where a project's Oqtane version was read from (the JSON value is the enum value)."""

    PACKAGE_REFERENCE = "package-reference"
    CENTRAL_PACKAGE_MANAGEMENT = "central-package-management"
    FRAMEWORK_SOURCE = "framework-source"  # a local framework checkout: Constants.cs or Oqtane.*.csproj
    ASSEMBLY_REFERENCE = "assembly-reference"  # <Reference Include="Oqtane.Server, Version=..."> without source
    TARGET_FRAMEWORK = "target-framework"  # a bounded guess
    OVERRIDE = "override"  # given by the user
    ASSUMED_CURRENT = "assumed-current"  # no clue at all


@dataclass(frozen=True)
class VersionInfo:
    """A project's Oqtane version; ``detail`` says where it came from in words a user understands."""

    version: Version
    source: VersionSource
    detail: str
    exact: bool

    def to_json(self) -> dict[str, object]:
        return {"version": str(self.version), "source": self.source.value, "exact": self.exact,
                "detail": self.detail}


# The .NET version each Oqtane major version targets, and the first release of that major version.
TARGET_FRAMEWORKS: dict[str, Version] = {
    "netcoreapp3.1": Version(1, 0, 0),
    "net5.0": Version(2, 0, 0),
    "net6.0": Version(3, 0, 0),
    "net7.0": Version(4, 0, 0),
    "net8.0": Version(5, 0, 0),
    "net9.0": Version(6, 0, 0),
    "net10.0": Version(10, 0, 0),
}

PACKAGES = ("oqtane.server", "oqtane.shared", "oqtane.client")  # most telling first: jobs run in the server
CONSTANTS_FILE = Path("Oqtane.Shared") / "Shared" / "Constants.cs"
MAX_REFERENCE_DEPTH = 3
_CHECKOUT_SEARCH_LEVELS = 8
_CONSTANT = re.compile(r'\b(?:const|static\s+readonly)\s+string\s+Version\s*=\s*"([^"]*)"')
_LINE_COMMENT = re.compile(r"//[^\n]*")


def detect(csproj: Path, *, stop_at: Path | None = None, reader: msbuild.Reader | None = None) -> VersionInfo:
    """The Oqtane version ``csproj`` builds against (see the module docstring for the order). Never raises.

    ``stop_at`` bounds the upward searches for ``Directory.Build.props`` / ``Directory.Packages.props``
    (inclusive; default: the filesystem root). ``reader`` (`msbuild.new_reader()`) shares parsed files and
    upward searches between the projects of one run.
    """
    return _Detector(Path(os.path.abspath(csproj)), stop_at, reader).run()


def resolve(detected: VersionInfo, override: str | None, *, origin: str = "--oqtane-version") -> VersionInfo:
    """``override`` (when given) instead of the detected version; ``origin`` names where the user gave it.

    Raises ValueError when ``override`` is not a version number (the caller reports a usage error).
    """
    if override is None or not override.strip():
        return detected
    version = Version.parse(override)
    return VersionInfo(version, VersionSource.OVERRIDE,
                       f"{version} from {origin}, instead of {detected.version} ({detected.source.value})", True)


def lowest_admitted(text: str) -> tuple[Version, bool] | str:
    """The lowest version a NuGet version text admits and whether it is exact, or why there is none.

    ``4.0.2`` and ``[4.0.2]`` → (4.0.2, exact); ``[4.0.2,5.0)`` → 4.0.2; ``(4.0.2,)`` → 4.0.3; ``4.*`` → 4.0.0;
    ``4.0.2-*`` → 4.0.2 (all inexact); ``(,5.0)`` and ``*`` have no lowest version.
    """
    value = text.strip()
    try:
        if value[:1] in ("[", "("):
            if value[-1:] not in ("]", ")"):
                return f"{value} is not a version range"
            inner = value[1:-1]
            if "," not in inner:
                if value[0] == "[" and value[-1] == "]":
                    return Version.parse(inner), True
                return f"{value} is not a version range"
            low = inner.split(",", 1)[0].strip()
            if not low:
                return f"{value} has no lower bound"
            version = Version.parse(low)
            if value[0] == "(":
                version = Version(version.major, version.minor, version.patch + 1)
            return version, False
        if "*" in value:
            head = value.split("*", 1)[0].rstrip(".-")
            if not head:
                return f"{value} admits any version"
            return Version.parse(head.split("-", 1)[0]), False
        return Version.parse(value), True
    except ValueError:
        return f"{value!r} is not a version"


_Found = tuple[Version, VersionSource, str, bool]  # what a source yields: VersionInfo's fields


def _package_id(text: str | None) -> str:
    return (text or "").split(",", 1)[0].strip().casefold()


class _Detector:
    def __init__(self, csproj: Path, stop_at: Path | None, reader: msbuild.Reader | None = None) -> None:
        self.csproj = csproj
        self.base = csproj.parent
        self.stop_at = stop_at
        self.reader = reader or msbuild.new_reader()
        self.notes: list[str] = []
        self.visited: set[Path] = set()

    def show(self, path: Path) -> str:
        """A file as the user knows it: its name when it is the project, else relative to the project folder."""
        if path == self.csproj:
            return path.name
        return os.path.relpath(path, self.base).replace(os.sep, "/")

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def finish(self, version: Version, source: VersionSource, detail: str, exact: bool) -> VersionInfo:
        if self.notes:
            detail = f"{detail} ({'; '.join(self.notes)})"
        return VersionInfo(version, source, detail, exact)

    # --- the whole search ----------------------------------------------------------------------------

    def run(self) -> VersionInfo:
        evaluations = self.evaluations(self.csproj)
        outer = evaluations[0]
        if not outer.readable:
            reason = next(text for path, text in outer.problems if path == self.csproj)
            return VersionInfo(CURRENT, VersionSource.ASSUMED_CURRENT,
                               f"{self.csproj.name} {reason}: assuming the current Oqtane {CURRENT}", False)
        found = self.from_references(evaluations) or self.through_projects(evaluations, 1)
        self.report_skipped(evaluations)
        if found is not None:
            return self.finish(*found)
        guess = self.from_target_frameworks(outer)
        if guess is not None:
            return self.finish(*guess)
        return self.finish(CURRENT, VersionSource.ASSUMED_CURRENT,
                           f"no Oqtane reference or Oqtane TargetFramework in {self.csproj.name}: "
                           f"assuming the current Oqtane {CURRENT}", False)

    def evaluations(self, csproj: Path) -> list[msbuild.Evaluation]:
        """The project as MSBuild sees it; a multi-targeted project also once per TargetFramework."""
        outer = msbuild.evaluate(csproj, stop_at=self.stop_at, reader=self.reader)
        for path, problem in outer.problems:
            if path != csproj:
                self.note(f"{self.show(path)} {problem}, not used")
        if outer.value("TargetFramework") is None and _frameworks(outer.value("TargetFrameworks")):
            return [outer, *(msbuild.evaluate(csproj, stop_at=self.stop_at, reader=self.reader,
                                              global_properties={"TargetFramework": tfm})
                             for tfm in _frameworks(outer.value("TargetFrameworks")))]
        return [outer]

    def from_references(self, evaluations: list[msbuild.Evaluation]) -> _Found | None:
        """Sources a–d in one project: the oldest version any of its (inner) builds gets."""
        found = []
        for ev in evaluations:
            hit = self.from_packages(ev) or self.from_framework(ev)
            if hit is not None:
                found.append(hit)
        return min(found, key=lambda f: f[0]) if found else None

    def through_projects(self, evaluations: list[msbuild.Evaluation], depth: int) -> _Found | None:
        """Sources a–d in the projects this one references (Oqtane comes to it transitively)."""
        if depth > MAX_REFERENCE_DEPTH:
            return None
        self.visited.add(evaluations[0].project)
        targets = dict.fromkeys(
            msbuild.native_path(item.include, item.file.parent)
            for ev in evaluations for item in ev.items_of("ProjectReference")
            if item.include and Path(item.include.replace("\\", "/")).name.casefold() not in _FRAMEWORK_PROJECTS)
        found: list[_Found] = []
        for target in targets:
            if target in self.visited or not target.is_file():
                continue
            inner = self.evaluations(target)
            hit = self.from_references(inner) or self.through_projects(inner, depth + 1)
            if hit is not None:
                version, source, detail, exact = hit
                if "reached through a ProjectReference" not in detail:
                    detail = f"{detail}, reached through a ProjectReference"
                found.append((version, source, detail, exact))
        return min(found, key=lambda f: f[0]) if found else None

    # --- a, b, c: package references -------------------------------------------------------------

    def from_packages(self, ev: msbuild.Evaluation) -> _Found | None:
        references = [item for item in ev.items_of("PackageReference") + ev.items_of("GlobalPackageReference")
                      if _package_id(item.include or item.update) in PACKAGES]
        central = (ev.value("ManagePackageVersionsCentrally") or "").strip().casefold() != "false"
        for package in PACKAGES:
            items = [item for item in references if _package_id(item.include or item.update) == package]
            if not items:
                continue
            chosen = self.package_version(items, ev, central)
            if chosen is not None:
                return chosen
        return None

    def package_version(self, items: list[msbuild.Item], ev: msbuild.Evaluation, central: bool) -> _Found | None:
        picked: tuple[msbuild.Item, str, str] | None = None  # (item, metadata name, text)
        for item in items:  # later items (Update=, an override) win, as in MSBuild
            for key in ("VersionOverride", "Version"):
                text = item.get(key)
                if text:
                    picked = (item, key, text)
                    break
        name = (items[0].include or items[0].update or "").strip()
        if picked is not None:
            item, key, text = picked
            kind = "GlobalPackageReference" if item.kind.casefold() == "globalpackagereference" else "PackageReference"
            source = (VersionSource.CENTRAL_PACKAGE_MANAGEMENT if kind == "GlobalPackageReference"
                      else VersionSource.PACKAGE_REFERENCE)
            label = f"{kind} {name} {'VersionOverride ' if key == 'VersionOverride' else ''}{text}"
            return self.version_from(text, label, item, ev, source)
        if not central:
            self.note(f"PackageReference {name} has no Version and central package management is off")
            return None
        versions = [v for v in ev.items_of("PackageVersion") if _package_id(v.include or v.update) == _package_id(name)
                    and v.get("Version")]
        if not versions:
            self.note(f"PackageReference {name} has no Version, and no PackageVersion for it was found")
            return None
        entry = versions[-1]
        text = entry.get("Version") or ""
        label = f"PackageVersion {(entry.include or entry.update or '').strip()} {text}"
        return self.version_from(text, label, entry, ev, VersionSource.CENTRAL_PACKAGE_MANAGEMENT,
                                 " (central package management)")

    def version_from(self, text: str, label: str, item: msbuild.Item, ev: msbuild.Evaluation,
                     source: VersionSource, suffix: str = "") -> _Found | None:
        where = f"{label} in {self.show(item.file)}{suffix}"
        for name in item.properties:
            prop = ev.definition(name)
            if prop is not None:
                where += f", {prop.name} = {prop.value} in {self.show(prop.file)}"
        if "$(" in text:
            self.note(f"{label} in {self.show(item.file)}: {', '.join(_unresolved(text))} is not defined "
                      f"in the files read")
            return None
        lowest = lowest_admitted(text)
        if isinstance(lowest, str):
            self.note(f"{label} in {self.show(item.file)}: {lowest}")
            return None
        version, exact = lowest
        if not exact:
            where += f": lowest admitted {version}"
        return version, source, where, exact

    # --- d: a local framework checkout -----------------------------------------------------------

    def from_framework(self, ev: msbuild.Evaluation) -> _Found | None:
        for item in ev.items_of("ProjectReference"):
            if not item.include:
                continue
            target = msbuild.native_path(item.include, item.file.parent)
            if target.name.casefold() not in _FRAMEWORK_PROJECTS:
                continue
            via = f"ProjectReference {target.name} in {self.show(item.file)}"
            found = self.from_checkout(target.parent, via) or self.from_framework_project(target, via)
            if found is not None:
                return found
            self.note(f"{via}: no {CONSTANTS_FILE.as_posix()} or <Version> found at {self.show(target)}")
        for item in ev.items_of("Reference"):
            if _package_id(item.include) not in PACKAGES:
                continue
            name = (item.include or "").split(",", 1)[0].strip()
            hint = item.get("HintPath")
            via = f"Reference {name} in {self.show(item.file)}"
            if hint:
                dll = msbuild.native_path(hint, item.file.parent)
                found = self.from_checkout(dll.parent, f"{via}, HintPath {self.show(dll)}")
                if found is not None:
                    return found
                self.note(f"no {CONSTANTS_FILE.as_posix()} above HintPath {self.show(dll)}")
            assembly = _assembly_version(item.include or "")
            if assembly is not None:
                return (assembly, VersionSource.ASSEMBLY_REFERENCE,
                        f"{via}: assembly version {assembly}", True)
        return None

    def from_checkout(self, start: Path, via: str) -> _Found | None:
        folder = start
        for _ in range(_CHECKOUT_SEARCH_LEVELS):
            constants = folder / CONSTANTS_FILE
            if constants.is_file():
                version = _constants_version(constants)
                if version is None:
                    self.note(f"{self.show(constants)} has no readable Version constant")
                    return None
                return (version, VersionSource.FRAMEWORK_SOURCE,
                        f"Version {version} in the framework checkout {self.show(folder)} "
                        f"({CONSTANTS_FILE.as_posix()}), {via}", True)
            if folder.parent == folder:
                break
            folder = folder.parent
        return None

    def from_framework_project(self, target: Path, via: str) -> _Found | None:
        if not target.is_file():
            return None
        ev = msbuild.evaluate(target, reader=self.reader)
        text = ev.value("Version")
        if not text:
            return None
        try:
            version = Version.parse(text)
        except ValueError:
            return None
        return (version, VersionSource.FRAMEWORK_SOURCE,
                f"<Version>{text}</Version> in {self.show(target)}, {via}", True)

    # --- e: the TargetFramework ----------------------------------------------------------------

    def from_target_frameworks(self, ev: msbuild.Evaluation) -> _Found | None:
        prop = ev.definition("TargetFramework") or ev.definition("TargetFrameworks")
        if prop is None:
            return None
        frameworks = _frameworks(prop.value)
        known = [(TARGET_FRAMEWORKS[_base_framework(t)], t) for t in frameworks
                 if _base_framework(t) in TARGET_FRAMEWORKS]
        if not known:
            if "$(" in prop.value:
                self.note(f"{prop.name} {prop.value} in {self.show(prop.file)}: "
                          f"{', '.join(_unresolved(prop.value))} is not defined in the files read")
            else:
                self.note(f"{prop.name} {prop.value} in {self.show(prop.file)} is not one Oqtane targets")
            return None
        version, tfm = min(known)
        where = f"{prop.value.strip()} in {self.show(prop.file)}"
        if len(frameworks) > 1:
            where += f": oldest {tfm}"
        return (version, VersionSource.TARGET_FRAMEWORK,
                f"{where}: Oqtane {version.major}.x, assuming the oldest, {version}", False)

    # --- notes ---------------------------------------------------------------------------------

    def report_skipped(self, evaluations: list[msbuild.Evaluation]) -> None:
        # a multi-targeted project: what the per-TargetFramework builds could not evaluate
        for ev in evaluations[1:] or evaluations:
            for skipped in ev.skipped:
                interesting = "oqtane" in skipped.what.casefold() or skipped.what.casefold() in (
                    "property targetframework", "property targetframeworks")
                if interesting:
                    self.note(f"{skipped.what} in {self.show(skipped.file)} ignored: condition "
                              f"{skipped.condition} cannot be evaluated without building")


_FRAMEWORK_PROJECTS = {f"{package}.csproj" for package in PACKAGES}


def _frameworks(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip() and "$(" not in part]


def _base_framework(tfm: str) -> str:
    """``net8.0-windows`` → ``net8.0``; lower-case."""
    return tfm.strip().casefold().split("-", 1)[0]


def _unresolved(text: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r"\$\(\s*([^)\s]+)\s*\)", text)))


def _assembly_version(include: str) -> Version | None:
    match = re.search(r",\s*Version\s*=\s*([0-9][0-9.]*)", include, re.IGNORECASE)
    if match is None:
        return None
    try:
        return Version.parse(match.group(1))
    except ValueError:
        return None


def _constants_version(path: Path) -> Version | None:
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return None
    match = _CONSTANT.search(_LINE_COMMENT.sub("", text))
    if match is None:
        return None
    try:
        return Version.parse(match.group(1))
    except ValueError:
        return None
