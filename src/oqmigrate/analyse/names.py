"""Names as the code writes them and as they resolve: simple and qualified type names, `using` aliases,
and the receiver and method name of an invocation."""

from __future__ import annotations

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
