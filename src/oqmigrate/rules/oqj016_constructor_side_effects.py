"""OQJ016 constructor-side-effects: a job constructor that does more than declare metadata: opens a scope,
resolves services, does file I/O, starts work, calls methods or creates objects. Oqtane constructs a job
several times per process (at startup, to read its metadata, on every start/stop), outside any tenant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate import syntax
from oqmigrate.analyse.members import constructors
from oqmigrate.analyse.names import invoked_name, simple
from oqmigrate.analyse.statements import constructor_statements, statement_head
from oqmigrate.findings import Hit
from oqmigrate.model import ClassInfo, type_name
from oqmigrate.syntax import Node

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ016"

PURE_CALL_TARGETS = {"DateTime", "TimeSpan", "DateTimeOffset", "string", "String", "Convert", "Math", "Guid", "CultureInfo"}
VALUE_TYPES = ("DateTime", "TimeSpan", "DateTimeOffset", "Guid")


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    if cls.kind != "job":
        return
    for ctor in constructors(cls):
        body = ctor.child_by_field_name("body")
        if body is None:
            continue
        for stmt in constructor_statements(body):
            why = _side_effect(statement_head(stmt))
            if why:
                yield Hit(RULE_ID, stmt, f"the constructor {why}; Oqtane constructs jobs again just to read their metadata")


def _side_effect(stmt: Node) -> str | None:
    """What the code does beyond computing values, in words ("resolves services"), or None."""
    for inv in syntax.descendants(stmt, "invocation_expression"):
        recv, name = invoked_name(inv)
        if name in ("CreateScope", "CreateAsyncScope"):
            return "creates a service scope"
        if name in ("GetService", "GetRequiredService", "GetServices") or simple(recv) == "ActivatorUtilities":
            return "resolves services"
        if simple(recv) in ("File", "Directory", "Path") and simple(recv) != "Path":
            return "does file I/O"
        if simple(recv) in ("Task", "ThreadPool") or name in ("Start", "StartNew"):
            return "starts work"
        root = recv.split(".", 1)[0].split("(", 1)[0]
        if root not in PURE_CALL_TARGETS and not (recv == "" and name in ("nameof",)):
            if recv.startswith(("DateTime", "TimeSpan")):
                continue
            return f"calls {recv + '.' if recv else ''}{name}()"
    for n in syntax.descendants(stmt, "object_creation_expression"):
        t = simple(type_name(n.child_by_field_name("type")))
        if t not in VALUE_TYPES:
            return f"creates a {t}"
    return None
