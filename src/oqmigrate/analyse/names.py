"""Names as the code writes them and as they resolve: simple and qualified type names, `using` aliases,
the receiver and method name of an invocation, whether an identifier names a member, and the names the
codemods give to what they write (a local for a field, the words of a class name)."""

from __future__ import annotations

import re

from oqmigrate import syntax
from oqmigrate.model import FileModel, expand_alias, type_name
from oqmigrate.syntax import Node


def node_text(node: Node | None) -> str:
    """The text of a node that may be missing ("" then)."""
    return syntax.text(node) if node is not None else ""


def simple(dotted: str) -> str:
    """`System.Threading.Timer` -> `Timer`."""
    return dotted.rsplit(".", 1)[-1]


def qualifier(dotted: str) -> str:
    """`System.Threading.Timer` -> `System.Threading`; "" for a simple name."""
    return dotted.rsplit(".", 1)[0] if "." in dotted else ""


def resolved_type(node: Node | None, model: FileModel) -> str:
    """The dotted name of a type node with the file's `using` aliases expanded ("" for no node)."""
    if node is None:
        return ""
    return expand_alias(type_name(node), model.aliases)


def has_simple_type(type_node: Node | None, names: set[str]) -> bool:
    """Is the type's simple name (as written) one of `names`?"""
    return type_node is not None and simple(type_name(type_node)) in names


def invoked_name(inv: Node) -> tuple[str, str]:
    """(receiver text, method name) of an invocation: `Task.Run(...)` -> ("Task", "Run")."""
    fn = inv.child_by_field_name("function")
    if fn is None:
        return "", ""
    if fn.type == "member_access_expression":
        recv = fn.child_by_field_name("expression")
        nm = fn.child_by_field_name("name")
        return syntax.text(recv) if recv is not None else "", type_name(nm) if nm is not None else ""
    if fn.type in ("identifier", "generic_name"):
        return "", type_name(fn)
    return "", ""


def is_member_name(ident: Node) -> bool:
    """Is the identifier the name part of `x.Name`, `?.Name` or a named argument `Name: …` (so not a reference to
    a local, parameter or field of that name)?"""
    p = ident.parent
    if p is None:
        return False
    if p.type == "member_access_expression" and p.child_by_field_name("name") == ident:
        return True
    if p.type == "member_binding_expression":
        return True
    if p.type in ("named_argument", "argument") and p.child_by_field_name("name") == ident:
        return True
    return False


CSHARP_KEYWORDS = frozenset({
    "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
    "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
    "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
    "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override", "params",
    "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short", "sizeof",
    "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof", "uint", "ulong",
    "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while"})
"""The reserved words of C#: an identifier spelled like one needs an `@`."""

JOB_LOCALS = ("provider", "ex", "scope")
"""Names the generated ExecuteJob body declares itself (its IServiceProvider, the caught exception, a scope)."""


def local_name(member: str, avoid: tuple[str, ...] = ()) -> str:
    """The local a field or property becomes: `_orderService`, `m_orderService`, `s_count` → `orderService`,
    `count`; a name in `avoid` gets a `Service` suffix, a C# keyword an `@` ("" when nothing is left)."""
    name = member
    for prefix in ("m_", "s_", "_"):
        if name.startswith(prefix):
            name = name[len(prefix):]
    name = name.lstrip("_")
    if not name:
        return ""
    name = name[0].lower() + name[1:]
    if name in avoid:
        name += "Service"
    return "@" + name if name in CSHARP_KEYWORDS else name


def job_local_name(member: str) -> str:
    """The local a field becomes inside a generated ExecuteJob body: `local_name` clear of `JOB_LOCALS`."""
    return local_name(member, JOB_LOCALS)


def camel_words(name: str) -> str:
    """The words of a PascalCase name, for text a person reads: `TenantSweeper` → `Tenant Sweeper`,
    `SMTPQueueWorker` → `SMTP Queue Worker`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)
