"""A small, static MSBuild evaluator: the properties and items of one project, read without building it.

Used to find which Oqtane version a project builds against (see `oqmigrate.versions`). It follows what
MSBuild itself reads, in its order:

1. ``Directory.Build.props`` (the nearest one above the project), then ``Directory.Packages.props`` (central
   package management), then the project file, then ``Directory.Build.targets``; ``<Import>`` elements are
   followed where they stand when their path can be worked out (relative paths, ``$(MSBuildThisFileDirectory)``,
   ``$([MSBuild]::GetPathOfFileAbove(...))``, ``$([MSBuild]::GetDirectoryNameOfFileAbove(...))``);
2. properties in document order (a later definition wins), expanded when defined; property names are
   case-insensitive, ``$(Name)`` references to properties not defined in the files read stay as they are;
3. items after all properties (as MSBuild does), with the final property values.

Conditions are evaluated when that is certain: comparisons (``==``/``!=``, case-insensitive) of text and
properties defined in the files read, ``and``/``or`` chains of those, ``true``/``false``, and ``Exists(...)`` on
imports. The default-value idiom ``<P Condition="'$(P)' == ''">x</P>`` counts as true while P is undefined.
Anything else (``$(Configuration)``, property functions, parentheses) cannot be evaluated statically: that
property, item or import is skipped and listed in `Evaluation.skipped`. Nothing here raises on a bad file:
unreadable or invalid XML is listed in `Evaluation.problems` and evaluation goes on with the other files.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

DIRECTORY_BUILD_PROPS = "Directory.Build.props"
DIRECTORY_PACKAGES_PROPS = "Directory.Packages.props"
DIRECTORY_BUILD_TARGETS = "Directory.Build.targets"

MAX_IMPORT_DEPTH = 8

_REFERENCE = re.compile(r"\$\(\s*([A-Za-z_][\w.-]*)\s*\)")
_ARGUMENT = r"(?:'([^']*)'|((?:\$\([^)]*\)|[^,)'\s])*))"  # 'quoted' or bare, bare may hold $(Name)
_FUNCTION_ABOVE = re.compile(
    r"\$\(\s*\[MSBuild\]::(GetPathOfFileAbove|GetDirectoryNameOfFileAbove)\(\s*"
    + _ARGUMENT + r"\s*(?:,\s*" + _ARGUMENT + r"\s*)?\)\s*\)",
    re.IGNORECASE,
)
_COMPARISON = re.compile(r"^(?:'([^']*)'|([^\s'=!<>]+))\s*(==|!=)\s*(?:'([^']*)'|([^\s'=!<>]+))$")
_EXISTS = re.compile(r"^(!\s*)?Exists\(\s*'([^']*)'\s*\)$", re.IGNORECASE)
_JOINER = re.compile(r"\s+(and|or)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Property:
    """A property's final value and the file that defined it."""

    name: str
    value: str
    file: Path


@dataclass(frozen=True)
class Item:
    """One item (``<PackageReference Include="..." Version="..."/>``) with expanded values.

    ``metadata`` maps case-folded metadata names to their values, from attributes and child elements alike.
    ``properties`` names the properties the item's values were expanded from (case-folded).
    """

    kind: str
    include: str | None
    update: str | None
    metadata: Mapping[str, str]
    file: Path
    properties: tuple[str, ...] = ()

    def get(self, name: str) -> str | None:
        return self.metadata.get(name.casefold())


@dataclass(frozen=True)
class Skipped:
    """A property, item or import that was not applied because its condition cannot be evaluated statically."""

    what: str
    file: Path
    condition: str


@dataclass
class Evaluation:
    project: Path
    properties: dict[str, Property] = field(default_factory=dict)  # keyed by case-folded name
    items: list[Item] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)  # every file read, in evaluation order
    problems: list[tuple[Path, str]] = field(default_factory=list)  # (file, what went wrong)
    skipped: list[Skipped] = field(default_factory=list)
    global_properties: dict[str, str] = field(default_factory=dict)

    def definition(self, name: str) -> Property | None:
        return self.properties.get(name.casefold())

    def value(self, name: str) -> str | None:
        prop = self.definition(name)
        if prop is not None:
            return prop.value
        for key, val in self.global_properties.items():
            if key.casefold() == name.casefold():
                return val
        return None

    def items_of(self, kind: str) -> list[Item]:
        return [item for item in self.items if item.kind.casefold() == kind.casefold()]

    @property
    def readable(self) -> bool:
        """False when the project file itself could not be read or parsed."""
        return all(path != self.project for path, _ in self.problems)


def find_upwards(start: Path, name: str, stop_at: Path | None = None) -> Path | None:
    """The nearest ``name`` in ``start`` or one of its parents, not above ``stop_at`` (when it is one of them)."""
    return Reader().find_upwards(start, name, stop_at)


def local_name(tag: object) -> str:
    """An element's name without its XML namespace (old-style projects use the msbuild/2003 namespace)."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def native_path(text: str, base: Path) -> Path:
    """An MSBuild path (either slash, maybe relative to ``base``) as a normalised absolute path."""
    text = text.strip().replace("\\", "/")
    path = Path(text)
    if not path.is_absolute():
        path = base / path
    return Path(os.path.normpath(path))


class Reader:
    """Parses files once per detection run; remembers what failed."""

    def __init__(self) -> None:
        self._cache: dict[Path, ET.Element | str] = {}
        self._upwards: dict[tuple[str, str, str | None], Path | None] = {}

    def find_upwards(self, start: Path, name: str, stop_at: Path | None = None) -> Path | None:
        """`find_upwards`, remembering the answer of every folder it passed: the projects of a solution share
        their parent folders, so each folder is looked at once per name in a run."""
        folder = os.path.abspath(start)
        stop = os.path.normcase(os.path.abspath(stop_at)) if stop_at is not None else None
        passed = []
        found = None
        while True:
            key = (folder, name, stop)
            if key in self._upwards:
                found = self._upwards[key]
                break
            passed.append(key)
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                found = Path(candidate)
                break
            parent = os.path.dirname(folder)
            if os.path.normcase(folder) == stop or parent == folder:
                break
            folder = parent
        for key in passed:
            self._upwards[key] = found
        return found

    def root(self, path: Path) -> ET.Element | str:
        """The root element, or a one-phrase reason why there is none."""
        if path not in self._cache:
            self._cache[path] = self._parse(path)
        return self._cache[path]

    @staticmethod
    def _parse(path: Path) -> ET.Element | str:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return f"cannot be read ({exc.strerror or exc.__class__.__name__})"
        try:
            return ET.fromstring(data)
        except ET.ParseError as exc:
            return f"is not valid XML (line {exc.position[0]})"


class _Evaluator:
    def __init__(self, project: Path, stop_at: Path | None, global_properties: Mapping[str, str],
                 reader: Reader) -> None:
        self.project = Path(os.path.abspath(project))
        self.stop_at = stop_at
        self.reader = reader
        self.result = Evaluation(self.project, global_properties=dict(global_properties))
        self._globals = {k.casefold(): v for k, v in global_properties.items()}
        self._item_groups: list[tuple[Path, ET.Element, list[str]]] = []  # (file, ItemGroup, conditions)
        self._importing: list[Path] = []

    # --- expansion -------------------------------------------------------------------------------

    def _reserved(self, name: str, file: Path) -> str | None:
        key = name.casefold()
        if key == "msbuildthisfiledirectory":
            return str(file.parent) + os.sep
        if key == "msbuildthisfile":
            return file.name
        if key == "msbuildthisfilefullpath":
            return str(file)
        if key == "msbuildthisfilename":
            return file.stem
        if key == "msbuildprojectdirectory":
            return str(self.project.parent)
        if key == "msbuildprojectfile":
            return self.project.name
        if key == "msbuildprojectname":
            return self.project.stem
        if key == "msbuildprojectfullpath":
            return str(self.project)
        return None

    def lookup(self, name: str, file: Path) -> str | None:
        key = name.casefold()
        if key in self._globals:  # global properties cannot be overridden by the files
            return self._globals[key]
        reserved = self._reserved(name, file)
        if reserved is not None:
            return reserved
        prop = self.result.properties.get(key)
        return prop.value if prop is not None else None

    def expand(self, text: str, file: Path, used: list[str] | None = None) -> tuple[str, list[str]]:
        """``text`` with known ``$(Name)`` references replaced; also the names that stayed unresolved."""
        unresolved: list[str] = []

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            value = self.lookup(name, file)
            if value is None:
                unresolved.append(name)
                return match.group(0)
            if used is not None:
                used.append(name.casefold())
            return value

        return _REFERENCE.sub(substitute, text), unresolved

    # --- conditions ------------------------------------------------------------------------------

    def holds(self, condition: str, file: Path, defining: Iterable[str] = ()) -> bool | None:
        """True/False when the condition can be evaluated from the files read, else None.

        ``defining`` names properties this very element or group defines: an undefined one counts as empty
        (the ``'$(P)' == ''`` default-value idiom).
        """
        text = condition.strip()
        if not text:
            return True
        parts = _JOINER.split(text)
        terms, joiners = parts[0::2], {j.casefold() for j in parts[1::2]}
        if len(joiners) > 1:
            return None  # mixed and/or without parentheses: leave to MSBuild
        values = [self._term(term.strip(), file, {d.casefold() for d in defining}) for term in terms]
        if joiners == {"or"}:
            if any(v is True for v in values):
                return True
            return False if all(v is False for v in values) else None
        if any(v is False for v in values):
            return False
        return True if all(v is True for v in values) else None

    def _term(self, term: str, file: Path, defining: set[str]) -> bool | None:
        lowered = term.casefold()
        if lowered in ("true", "'true'"):
            return True
        if lowered in ("false", "'false'"):
            return False
        exists = _EXISTS.match(term)
        if exists:
            path_text, unresolved = self.expand(exists.group(2), file)
            if unresolved or "$(" in path_text:
                return None
            found = native_path(path_text, file.parent).exists()
            return not found if exists.group(1) else found
        comparison = _COMPARISON.match(term)
        if not comparison:
            return None
        left = comparison.group(1) if comparison.group(1) is not None else comparison.group(2)
        right = comparison.group(4) if comparison.group(4) is not None else comparison.group(5)
        sides = []
        for side in (left, right):
            expanded, unresolved = self.expand(side, file)
            if any(name.casefold() not in defining for name in unresolved) or "$([" in expanded:
                return None
            sides.append(_REFERENCE.sub("", expanded).strip().casefold())
        equal = sides[0] == sides[1]
        return equal if comparison.group(3) == "==" else not equal

    # --- pass 1: properties and imports ------------------------------------------------------------

    def read(self, path: Path, depth: int = 0) -> None:
        path = Path(os.path.normpath(path))
        if path in self._importing or depth > MAX_IMPORT_DEPTH:
            return
        root = self.reader.root(path)
        if isinstance(root, str):
            self.result.problems.append((path, root))
            return
        self.result.files.append(path)
        self._importing.append(path)
        try:
            self._children(root, path, depth)
        finally:
            self._importing.pop()

    def _children(self, parent: ET.Element, file: Path, depth: int, conditions: tuple[str, ...] = ()) -> None:
        """Pass 1 over a file's top level (or a ``<When>``'s body, whose condition is in ``conditions``)."""
        for element in parent:
            name = local_name(element.tag)
            condition = element.get("Condition", "")
            if name == "PropertyGroup":
                self._property_group(element, file, condition)
            elif name == "ItemGroup":
                self._item_groups.append((file, element, [*conditions, condition]))
            elif name == "Import":
                self._import(element, file, depth)
            elif name == "ImportGroup":
                verdict = self.holds(condition, file)
                if verdict is None:
                    self.result.skipped.append(Skipped("ImportGroup", file, condition))
                elif verdict:
                    for child in element:
                        if local_name(child.tag) == "Import":
                            self._import(child, file, depth)
            elif name == "Choose":
                self._choose(element, file, depth)

    def _choose(self, choose: ET.Element, file: Path, depth: int) -> None:
        """``<Choose>``: the first ``<When>`` that holds, else ``<Otherwise>``; stop at one that cannot be told."""
        for branch in choose:
            kind = local_name(branch.tag)
            condition = branch.get("Condition", "") if kind == "When" else ""
            verdict = self.holds(condition, file) if kind == "When" else True
            if verdict is None:
                for group in choose.iter():
                    for element in group if local_name(group.tag) in ("PropertyGroup", "ItemGroup") else ():
                        name = local_name(element.tag)
                        label = element.get("Include") or element.get("Update")
                        what = f"{name} {label}" if local_name(group.tag) == "ItemGroup" else f"property {name}"
                        self.result.skipped.append(Skipped(what, file, condition))
                return
            if verdict:
                self._children(branch, file, depth, (condition,) if condition else ())
                return

    def _property_group(self, group: ET.Element, file: Path, condition: str) -> None:
        members = [child for child in group if isinstance(child.tag, str)]
        group_verdict = self.holds(condition, file, defining=[local_name(c.tag) for c in members])
        for child in members:
            name = local_name(child.tag)
            own = child.get("Condition", "")
            verdict = group_verdict
            if verdict is not False and own:
                own_verdict = self.holds(own, file, defining=[name])
                verdict = own_verdict if verdict is True else (False if own_verdict is False else None)
            if verdict is None:
                both = " and ".join(c for c in (condition, own) if c)
                self.result.skipped.append(Skipped(f"property {name}", file, both))
                continue
            if not verdict or name.casefold() in self._globals:
                continue
            value, _ = self.expand((child.text or "").strip(), file)
            self.result.properties[name.casefold()] = Property(name, value, file)

    def _import(self, element: ET.Element, file: Path, depth: int) -> None:
        project = element.get("Project")
        if not project or element.get("Sdk"):
            return
        target = self._import_path(project, file)
        if target is None:
            self.result.skipped.append(Skipped(f"Import {project}", file, "path cannot be worked out statically"))
            return
        condition = element.get("Condition", "")
        verdict = self.holds(condition, file)
        if verdict is None:
            self.result.skipped.append(Skipped(f"Import {project}", file, condition))
            return
        if not verdict:
            return
        if target.is_file():
            self.read(target, depth + 1)
        else:
            self.result.problems.append((target, "does not exist (imported)"))

    def _import_path(self, project: str, file: Path) -> Path | None:
        text = project.strip()
        above = _FUNCTION_ABOVE.search(text)
        if above:
            function = above.group(1).casefold()
            first = above.group(2) if above.group(2) is not None else above.group(3)
            second = above.group(4) if above.group(4) is not None else above.group(5)
            if function == "getpathoffileabove":
                name, start = first, second or str(file.parent)
            else:
                start, name = first, second or ""
            start_text, unresolved = self.expand(start, file)
            if unresolved or not name:
                return None
            found = self.reader.find_upwards(native_path(start_text, file.parent), name, self.stop_at)
            if found is None:
                return None
            replacement = str(found) if function == "getpathoffileabove" else str(found.parent)
            text = text[: above.start()] + replacement + text[above.end():]
        expanded, unresolved = self.expand(text, file)
        if unresolved or "$(" in expanded or "*" in expanded or ";" in expanded:
            return None
        return native_path(expanded, file.parent)

    # --- pass 2: items -------------------------------------------------------------------------------

    def collect_items(self) -> None:
        for file, group, conditions in self._item_groups:
            verdicts = [self.holds(c, file) for c in conditions if c]
            if any(v is False for v in verdicts):
                continue
            if any(v is None for v in verdicts):
                condition = " and ".join(c for c in conditions if c)
                for element in group:
                    if isinstance(element.tag, str):
                        label = element.get("Include") or element.get("Update") or ""
                        what = f"{local_name(element.tag)} {label}".strip()
                        self.result.skipped.append(Skipped(what, file, condition))
                continue
            for element in group:
                if isinstance(element.tag, str):
                    self._item(element, file)

    def _item(self, element: ET.Element, file: Path) -> None:
        kind = local_name(element.tag)
        condition = element.get("Condition", "")
        verdict = self.holds(condition, file)
        label = element.get("Include") or element.get("Update") or ""
        if verdict is None:
            self.result.skipped.append(Skipped(f"{kind} {label}".strip(), file, condition))
            return
        if not verdict:
            return
        used: list[str] = []
        metadata: dict[str, str] = {}
        for key, raw in element.attrib.items():
            if key not in ("Include", "Update", "Remove", "Exclude", "Condition"):
                metadata[key.casefold()] = self.expand(raw, file, used)[0]
        for child in element:
            if isinstance(child.tag, str) and self.holds(child.get("Condition", ""), file) is True:
                metadata[local_name(child.tag).casefold()] = self.expand((child.text or "").strip(), file, used)[0]
        include = element.get("Include")
        update = element.get("Update")
        for spec in _split_items(self.expand(include, file)[0]) if include else [None]:
            for target in _split_items(self.expand(update, file)[0]) if update else [None]:
                self.result.items.append(Item(kind, spec, target, metadata, file, tuple(dict.fromkeys(used))))


def _split_items(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def evaluate(
    project: Path,
    *,
    stop_at: Path | None = None,
    global_properties: Mapping[str, str] | None = None,
    reader: Reader | None = None,
) -> Evaluation:
    """Properties and items of ``project`` as far as they can be known without running MSBuild.

    ``global_properties`` act like ``dotnet build -p:Name=Value`` (e.g. one TargetFramework of a multi-targeted
    project). ``stop_at`` bounds the upward searches for ``Directory.*`` files (inclusive).
    """
    evaluator = _Evaluator(project, stop_at, global_properties or {}, reader or Reader())
    folder = evaluator.project.parent
    for name in (DIRECTORY_BUILD_PROPS, DIRECTORY_PACKAGES_PROPS):
        found = evaluator.reader.find_upwards(folder, name, stop_at)
        if found is not None and _enabled(evaluator, name):
            evaluator.read(found)
    evaluator.read(evaluator.project)
    found = evaluator.reader.find_upwards(folder, DIRECTORY_BUILD_TARGETS, stop_at)
    if found is not None:
        evaluator.read(found)
    evaluator.collect_items()
    return evaluator.result


def _enabled(evaluator: _Evaluator, name: str) -> bool:
    """``ImportDirectoryBuildProps`` / ``ImportDirectoryPackagesProps`` may switch the automatic imports off."""
    switch = {DIRECTORY_BUILD_PROPS: "ImportDirectoryBuildProps",
              DIRECTORY_PACKAGES_PROPS: "ImportDirectoryPackagesProps"}[name]
    value = evaluator.lookup(switch, evaluator.project)
    return value is None or value.strip().casefold() != "false"


def new_reader() -> Reader:
    """A parse cache to share between several `evaluate` calls on the same files."""
    return Reader()
