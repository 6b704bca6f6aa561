"""analyse: a parsed file becomes plain data — usings, aliases, classes and what kind of class each is.

A "worker" derives from Microsoft.Extensions.Hosting.BackgroundService or implements IHostedService itself;
a "job" derives from Oqtane.Infrastructure.HostedServiceBase. Either may be reached through a base class
declared in the scanned code (`TypeTable`). Names are resolved the way C# does for the cases that matter:
`using` aliases, qualified and `global::` names, generic arguments, and a project-local type that merely
shares a framework type's name (declared in the current namespace, an enclosing one, or an imported one),
which hides the framework's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Literal

from oqmigrate import syntax
from oqmigrate.syntax import Node, Tree

ClassKind = Literal["worker", "job", "other"]  # a worker derives from BackgroundService/IHostedService, a job from HostedServiceBase

HOSTING = "Microsoft.Extensions.Hosting"
OQTANE_INFRASTRUCTURE = "Oqtane.Infrastructure"

# simple name -> (framework namespace, kind of a class that derives from it)
FRAMEWORK_BASES = {
    "BackgroundService": (HOSTING, "worker"),
    "IHostedService": (HOSTING, "worker"),
    "HostedServiceBase": (OQTANE_INFRASTRUCTURE, "job"),
}

# framework types the checks look for by name, which a project may declare itself
SHADOWABLE = ("Timer", "PeriodicTimer", "Thread", "CronExpression", "CrontabSchedule")

TYPE_DECLARATIONS = ("class_declaration", "struct_declaration", "interface_declaration", "record_declaration")


def type_name(node: Node) -> str:
    """Dotted name of a type node without generic arguments or `global::`: `A.B.C`, `IFoo`."""
    t = node.type
    if t == "identifier":
        return syntax.text(node)
    if t == "generic_name":
        return syntax.text(node.child_by_field_name("name") or node.named_children[0])
    if t == "qualified_name":
        q = node.child_by_field_name("qualifier")
        n = node.child_by_field_name("name")
        left = type_name(q) if q is not None else ""
        right = type_name(n) if n is not None else ""
        return f"{left}.{right}" if left else right
    if t == "alias_qualified_name":
        # global::X -> X ; Alias::X keeps the alias as first segment
        alias = node.child_by_field_name("alias")
        n = node.child_by_field_name("name")
        a = syntax.text(alias) if alias is not None else ""
        rest = type_name(n) if n is not None else ""
        return rest if a == "global" else f"{a}.{rest}"
    if t == "nullable_type":
        return type_name(node.named_children[0])
    if t in ("primary_constructor_base_type",):
        return type_name(node.named_children[0])
    txt = syntax.text(node)
    if txt.startswith("global::"):
        txt = txt[len("global::"):]
    return txt.split("<", 1)[0].strip()


@dataclass(frozen=True)
class BaseRef:
    written: str  # dotted name as written, aliases not yet expanded
    resolved: str  # aliases expanded
    node: Node

    @property
    def simple(self) -> str:
        return self.resolved.rsplit(".", 1)[-1]

    @property
    def qualifier(self) -> str:
        return self.resolved.rsplit(".", 1)[0] if "." in self.resolved else ""


@dataclass
class ClassInfo:
    name: str
    node: Node
    namespace: str
    bases: list[BaseRef]
    modifiers: frozenset[str]
    outer: str | None  # enclosing class name for nested classes
    kind: ClassKind = "other"
    via: str = ""  # the base that made it a worker/job
    index: dict | None = field(default=None, repr=False, compare=False)  # checks' node index, built lazily
    parts: list = field(default_factory=list, repr=False, compare=False)  # other parts of a partial class in this file
    memo: dict = field(default_factory=dict, repr=False, compare=False)  # analyse/ facts of the class, computed once

    @property
    def is_secondary_part(self) -> bool:
        """A part of a partial worker/job that does not carry the base list."""
        return self.is_partial and self.via == self.name

    @property
    def is_abstract(self) -> bool:
        return "abstract" in self.modifiers

    @property
    def is_partial(self) -> bool:
        return "partial" in self.modifiers

    @property
    def is_static(self) -> bool:
        return "static" in self.modifiers

    @property
    def name_node(self) -> Node:
        return self.node.child_by_field_name("name")

    @property
    def line(self) -> int:
        return self.name_node.start_point[0] + 1

    @property
    def body(self) -> Node | None:
        return self.node.child_by_field_name("body")

    @property
    def primary_parameters(self) -> Node | None:
        for c in self.node.named_children:
            if c.type == "parameter_list":
                return c
        return None


@dataclass(frozen=True)
class DeclaredType:
    name: str
    namespace: str
    base_names: tuple[str, ...]  # resolved dotted base names
    kind: str  # kind as far as the declaring file could tell


@dataclass
class TypeTable:
    """Types declared anywhere in the scan, for resolving bases across files."""

    by_name: dict[str, list[DeclaredType]] = field(default_factory=dict)

    def add(self, t: DeclaredType) -> None:
        self.by_name.setdefault(t.name, []).append(t)

    @classmethod
    def of(cls, declared: Iterable[Iterable[DeclaredType]]) -> "TypeTable":
        """The table of what several files declare (one iterable of declarations per file)."""
        table = cls()
        for per_file in declared:
            for d in per_file:
                table.add(d)
        return table

    def kinds(self) -> dict[str, str]:
        """Fixpoint: a class whose base is a worker/job class declared in the scan is one too."""
        kinds = {}
        for name, decls in self.by_name.items():
            for d in decls:
                if d.kind != "other":
                    kinds[name] = d.kind
        changed = True
        while changed:
            changed = False
            for name, decls in self.by_name.items():
                if name in kinds:
                    continue
                for d in decls:
                    for b in d.base_names:
                        k = kinds.get(b.rsplit(".", 1)[-1])
                        if k:
                            kinds[name] = k
                            changed = True
                            break
                    if name in kinds:
                        break
        return kinds


@dataclass
class FileModel:
    usings: list[str]  # imported namespaces (non-alias, non-static)
    aliases: dict[str, str]  # alias -> dotted target
    classes: list[ClassInfo]
    declared: list[DeclaredType]
    local_types: dict[str, list[str]] = field(default_factory=dict)  # type name -> namespaces declaring it in the scan

    def declares_visible(self, simple: str, namespace: str) -> bool:
        """Is a scanned type named `simple` visible unqualified from `namespace` (hiding a framework type)?"""
        return any(_visible(ns, namespace, self.usings) for ns in self.local_types.get(simple, ()))

    def workers_and_jobs(self) -> list[ClassInfo]:
        return [c for c in self.classes if c.kind != "other"]

    def by_name(self, name: str) -> list[ClassInfo]:
        return [c for c in self.classes if c.name == name]


def namespace_of(node: Node) -> str:
    parts = []
    for a in syntax.ancestors(node):
        if a.type == "namespace_declaration":
            n = a.child_by_field_name("name")
            if n is not None:
                parts.append(type_name(n))
    root = node
    while root.parent is not None:
        root = root.parent
    for c in root.named_children:
        if c.type == "file_scoped_namespace_declaration":
            n = c.child_by_field_name("name")
            if n is not None and c.start_byte <= node.start_byte:
                parts.append(type_name(n))
            break
    return ".".join(reversed(parts))


CONTAINERS = ("compilation_unit", "namespace_declaration", "file_scoped_namespace_declaration", "declaration_list",
              *TYPE_DECLARATIONS, "enum_declaration", "delegate_declaration")


def _declarations(root: Node) -> tuple[list[Node], list[Node]]:
    """Using directives and type declarations, in document order. Only namespaces and type bodies are
    entered — never method bodies — except in a file with parse errors, whose recovery can bury
    declarations in ERROR nodes; that one is searched whole."""
    if root.has_error:
        found = list(syntax.descendants(root, "using_directive", *TYPE_DECLARATIONS))
    else:
        found = []
        stack = [root]
        while stack:
            n = stack.pop()
            for c in reversed(n.named_children):
                if c.type == "using_directive" or c.type in TYPE_DECLARATIONS:
                    found.append(c)
                if c.type in CONTAINERS:
                    stack.append(c)
        found.sort(key=lambda n: n.start_byte)
    usings = [n for n in found if n.type == "using_directive"]
    return usings, [n for n in found if n.type != "using_directive"]


def _usings(using_nodes: list[Node]) -> tuple[list[str], dict[str, str]]:
    usings: list[str] = []
    aliases: dict[str, str] = {}
    for u in using_nodes:
        if syntax.first_ancestor(u, *TYPE_DECLARATIONS) is not None:
            continue
        kids = [c for c in u.children]
        if any(c.type == "static" for c in kids):
            continue
        alias = u.child_by_field_name("name")
        targets = [c for c in u.named_children if c is not alias and c.type != "comment"]
        if not targets:
            continue
        target = type_name(targets[-1])
        if alias is not None:
            aliases[syntax.text(alias)] = target
        else:
            usings.append(target)
    return usings, aliases


def expand_alias(name: str, aliases: dict[str, str]) -> str:
    head, _, rest = name.partition(".")
    if head in aliases:
        return aliases[head] + ("." + rest if rest else "")
    return name


def modifiers(node: Node) -> frozenset[str]:
    """`public`, `static`, `override`, ... of a declaration."""
    return frozenset(syntax.text(c) for c in node.children if c.type == "modifier")


def _bases(node: Node, aliases: dict[str, str]) -> list[BaseRef]:
    refs = []
    for c in node.named_children:
        if c.type != "base_list":
            continue
        for b in c.named_children:
            if b.type in ("comment", "argument_list"):
                continue
            written = type_name(b)
            refs.append(BaseRef(written, expand_alias(written, aliases), b))
    return refs


def _visible(candidate_ns: str, namespace: str, usings: list[str]) -> bool:
    """Is a type declared in `candidate_ns` visible by its simple name from `namespace`?"""
    if candidate_ns in usings:
        return True
    if candidate_ns == "":
        return True
    return namespace == candidate_ns or namespace.startswith(candidate_ns + ".")


def framework_kind(base: BaseRef, namespace: str, usings: list[str], local_types: dict[str, list[str]]) -> str | None:
    """'worker'/'job' if this base is the framework's BackgroundService/IHostedService/HostedServiceBase."""
    entry = FRAMEWORK_BASES.get(base.simple)
    if entry is None:
        return None
    framework_ns, kind = entry
    if base.qualifier:
        return kind if base.qualifier == framework_ns else None
    # An unqualified name: a same-named type declared in the scanned code and visible here hides it.
    for ns in local_types.get(base.simple, ()):
        if ns != framework_ns and _visible(ns, namespace, usings):
            return None
    return kind


def is_framework_type(name: str, namespace: str) -> bool:
    """The framework's own declaration, met when scanning the framework's sources: not a worker."""
    entry = FRAMEWORK_BASES.get(name)
    return entry is not None and entry[0] == namespace


def analyse(tree: Tree, external: TypeTable | None = None, external_kinds: dict[str, str] | None = None) -> FileModel:
    """`external` holds types declared in other files of the scan (to spot hidden framework names),
    `external_kinds` the worker/job kinds of classes declared elsewhere."""
    root = tree.root_node
    using_nodes, all_type_nodes = _declarations(root)
    usings, aliases = _usings(using_nodes)
    class_nodes = [n for n in all_type_nodes if n.type == "class_declaration"]
    local_types: dict[str, list[str]] = {}
    for n in all_type_nodes:
        nm = n.child_by_field_name("name")
        if nm is not None:
            local_types.setdefault(syntax.text(nm), []).append(namespace_of(n))
    if external is not None:
        for name in (*FRAMEWORK_BASES, *SHADOWABLE):
            for d in external.by_name.get(name, ()):
                local_types.setdefault(name, []).append(d.namespace)

    classes: list[ClassInfo] = []
    for n in class_nodes:
        nm = n.child_by_field_name("name")
        if nm is None:
            continue
        outer = syntax.first_ancestor(n, *TYPE_DECLARATIONS)
        outer_name = syntax.text(outer.child_by_field_name("name")) if outer is not None and outer.child_by_field_name("name") else None
        info = ClassInfo(syntax.text(nm), n, namespace_of(n), _bases(n, aliases), modifiers(n), outer_name)
        for b in info.bases:
            if is_framework_type(info.name, info.namespace):
                break
            k = framework_kind(b, info.namespace, usings, local_types)
            if k:
                info.kind, info.via = k, b.resolved
                break
        classes.append(info)

    # Bases declared in this file or elsewhere in the scan: fixpoint over simple names.
    known = dict(external_kinds or {})
    known.update({c.name: c.kind for c in classes if c.kind != "other"})
    changed = True
    while changed:
        changed = False
        for c in classes:
            if c.kind != "other":
                continue
            for b in c.bases:
                if b.simple in FRAMEWORK_BASES and not b.qualifier:
                    continue  # a hidden framework name refers to the local type, handled by name below
                k = known.get(b.simple)
                if k and b.simple != c.name:
                    c.kind, c.via = k, b.resolved
                    known[c.name] = k
                    changed = True
                    break
            if c.kind == "other" and c.is_partial and known.get(c.name):
                # another part of a partial class carries the base list
                c.kind, c.via = known[c.name], c.name
                changed = True

    # The parts of a partial class in this file are analysed as one class, on the part with the base list.
    for c in classes:
        if c.is_partial and c.kind != "other" and not c.is_secondary_part:
            c.parts = [o.node for o in classes if o is not c and o.is_partial and o.name == c.name
                       and o.namespace == c.namespace and o.outer == c.outer]

    declared = [DeclaredType(c.name, c.namespace, tuple(b.resolved for b in c.bases), c.kind) for c in classes]
    for n in all_type_nodes:
        if n.type != "class_declaration" and n.child_by_field_name("name") is not None:
            declared.append(DeclaredType(syntax.text(n.child_by_field_name("name")), namespace_of(n), (), "other"))
    return FileModel(usings, aliases, classes, declared, local_types)
