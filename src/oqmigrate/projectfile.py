"""What a .csproj file says, read without MSBuild: its assembly name, its Oqtane references and its compile items.

MSBuild's evaluator (imports, Directory.Build.props, conditions, property functions) is out of reach. This reads the
project file itself and resolves only simple ``$(Name)`` references: to properties the file defines and to the
built-ins that name the project (``MSBuildProjectName``; ``AssemblyName`` and ``RootNamespace`` default to it).
Anything else keeps its raw text.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

_PROPERTY_REF = re.compile(r"\$\(\s*([A-Za-z_][A-Za-z0-9_-]*)\s*\)")
# Property groups inside these are evaluated only sometimes (Choose) or at build time (Target).
_CONDITIONAL_CONTAINERS = frozenset({"Choose", "When", "Otherwise"})


def is_oqtane_assembly(assembly: str) -> bool:
    """Oqtane discovers jobs (and IServerStartup classes) only in assemblies whose name contains "oqtane"."""
    return "oqtane" in assembly.lower()


def local_name(tag: object) -> str:
    # Old-style projects put every element in the MSBuild namespace: "{http://...}Compile".
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


@dataclass(frozen=True)
class ProjectFile:
    """The facts discovery needs from one project file."""

    path: str
    name: str  # the file name without .csproj (MSBuildProjectName)
    assembly_name: str | None  # the AssemblyName element as written; None when absent or empty
    assembly: str  # AssemblyName with simple $(...) resolved, else the project name
    # A PackageReference, Reference (by name or HintPath) or ProjectReference names an Oqtane assembly: the framework's
    # (Oqtane.Server, Oqtane.Shared, Oqtane.Client, ...) or another module's (*.Oqtane).
    oqtane_reference: bool
    project_references: tuple[str, ...]  # the other project files it references (absolute, normalised)
    globs_folder: bool  # SDK style with default compile items: owns every .cs under its folder
    includes: tuple[str, ...]  # Compile Include values, "/"-separated, relative to its folder
    removes: tuple[re.Pattern[str], ...]  # Compile Remove patterns, matched against paths relative to its folder
    error: str | None  # why the file could not be read (the other fields are then best guesses)


def read_project(csproj: str) -> ProjectFile:
    folder = os.path.dirname(csproj)
    name = os.path.splitext(os.path.basename(csproj))[0]
    try:
        element = ET.parse(csproj).getroot()
    except (OSError, ET.ParseError) as exc:
        # Still a project: its name gives the role, and an SDK-style glob of its folder is the best guess.
        error = f"cannot read project: {getattr(exc, 'strerror', None) or exc}"
        return ProjectFile(csproj, name, None, name, False, (), True, (), (), error)

    sdk = element.get("Sdk") is not None or any(
        local_name(child.tag) == "Sdk" or (local_name(child.tag) == "Import" and child.get("Sdk")) for child in element
    )
    properties = _properties(element)
    assembly_name = properties.get("assemblyname") or None
    resolved = dict(properties)
    resolved["msbuildprojectname"] = resolved["msbuildthisfilename"] = name
    resolved["msbuildprojectfile"] = os.path.basename(csproj)
    resolved.setdefault("rootnamespace", name)
    resolved.setdefault("assemblyname", name)
    # "$(AssemblyName)" inside AssemblyName is empty in MSBuild at that point; keep it as written.
    assembly = expand(assembly_name, resolved, frozenset({"assemblyname"})) if assembly_name else name

    default_items = properties.get("enabledefaultcompileitems", "").lower() != "false"
    includes: list[str] = []
    removes: list[re.Pattern[str]] = []
    oqtane = False
    project_refs: list[str] = []
    for el in element.iter():
        tag = local_name(el.tag)
        if tag == "Compile":
            includes += _item_values(el.get("Include"))
            removes += [_msbuild_glob(v) for v in _item_values(el.get("Remove")) if not v.startswith("../")]
        elif tag == "PackageReference":
            values = _references(el.get("Include"), resolved) + _references(el.get("Update"), resolved)
            oqtane |= any(is_oqtane_assembly(v) for v in values)
        elif tag == "Reference":
            # Include="Oqtane.Server", the strong-name form "Oqtane.Server, Version=10.2.4.0, Culture=neutral, ..." or
            # a path to the DLL; usually with a HintPath to the framework's build output.
            names = [v.split(",", 1)[0] for v in _references(el.get("Include"), resolved)]
            oqtane |= any(is_oqtane_assembly(_stem(n) if n.lower().endswith(".dll") else n) for n in names)
            hints = [h.text for h in el if local_name(h.tag) == "HintPath"]
            oqtane |= any(is_oqtane_assembly(_stem(v)) for hint in hints for v in _references(hint, resolved))
        elif tag == "ProjectReference":
            for value in _references(el.get("Include"), resolved):
                if is_oqtane_assembly(_stem(value)):
                    oqtane = True
                elif "$(" not in value:
                    project_refs.append(os.path.normpath(os.path.join(folder, value)))
    return ProjectFile(csproj, name, assembly_name, assembly, oqtane, tuple(project_refs), sdk and default_items,
                       tuple(includes), tuple(removes), None)


def expand(text: str, properties: dict[str, str], _seen: frozenset[str] = frozenset()) -> str:
    """``text`` with each ``$(Name)`` of a known property replaced (names case-insensitive, as in MSBuild);
    unknown ones, self-references and property functions stay as written."""

    def value(match: re.Match[str]) -> str:
        key = match.group(1).lower()
        if key in _seen or key not in properties:
            return match.group(0)
        return expand(properties[key], properties, _seen | {key})

    return _PROPERTY_REF.sub(value, text)


def _properties(project: ET.Element) -> dict[str, str]:
    """Property values by lower-case name: the last unconditional definition, else the first conditional one."""
    unconditional: dict[str, str] = {}
    conditional: dict[str, str] = {}

    def visit(parent: ET.Element, is_conditional: bool) -> None:
        for child in parent:
            tag = local_name(child.tag)
            if tag in _CONDITIONAL_CONTAINERS:
                visit(child, True)
            elif tag == "PropertyGroup":
                group_conditional = is_conditional or bool(child.get("Condition"))
                for prop in child:
                    name = local_name(prop.tag)
                    if not name:
                        continue  # a comment
                    text = (prop.text or "").strip()
                    if group_conditional or prop.get("Condition"):
                        conditional.setdefault(name.lower(), text)
                    else:
                        unconditional[name.lower()] = text

    visit(project, False)
    return {**conditional, **unconditional}


def _references(attribute: str | None, properties: dict[str, str]) -> list[str]:
    """The "/"-separated values of a reference item; unresolved $(...) stay (the file name may still tell)."""
    values = (v.strip() for v in expand(attribute or "", properties).replace("\\", "/").split(";"))
    return [v for v in values if v]


def _stem(path: str) -> str:
    return os.path.splitext(path.rsplit("/", 1)[-1])[0]


def _msbuild_glob(pattern: str) -> re.Pattern[str]:
    """An MSBuild item pattern ("/"-separated; ``**`` any folders, ``*`` and ``?`` within a name) as a regex."""
    parts = pattern.split("/")
    out = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            out.append(".*" if last else "(?:[^/]*/)*")
            continue
        segment = "".join("[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c) for c in part)
        out.append(segment if last else segment + "/")
    # Project files are written on Windows, where item paths are case-insensitive.
    return re.compile("".join(out) + r"\Z", re.IGNORECASE)


def _item_values(attribute: str | None) -> list[str]:
    if not attribute:
        return []
    values = []
    for value in attribute.split(";"):
        value = value.strip().replace("\\", "/")
        # Property references ($(Foo)) and item transforms need MSBuild's evaluator; leave them out.
        if value and "$(" not in value and "@(" not in value and "%(" not in value:
            values.append(value[2:] if value.startswith("./") else value)
    return values
