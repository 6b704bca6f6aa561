"""What makes a worker repeat: timers it creates (System.Threading / System.Timers `Timer`, `PeriodicTimer`,
aliases resolved, a project type of the same name excluded) and loops that wait between rounds."""

from __future__ import annotations

from typing import Iterator

from oqmigrate import syntax
from oqmigrate.analyse.members import assigned_member, class_nodes, fields, memoized
from oqmigrate.analyse.names import invoked_name, qualifier, resolved_type, simple
from oqmigrate.model import ClassInfo, FileModel, namespace_of
from oqmigrate.syntax import Node

TIMER_TYPES = {"Timer", "PeriodicTimer"}
TIMER_NAMESPACES = {"", "System.Threading", "System.Timers"}
WAIT_CALLS = {"Delay", "Sleep", "WaitForNextTickAsync"}
POLLING_LOOPS = tuple(t for t in syntax.LOOP_STATEMENTS if t != "foreach_statement")
"""The loops that can repeat until something changes (while, do, for); a foreach ends with its collection, so
it paces work over items but never polls."""
CRON_TYPES = ("CronExpression", "CrontabSchedule")
"""The schedule types of the cron libraries (Cronos, NCrontab)."""
INFINITE_TIMEOUTS = frozenset({"Timeout.Infinite", "Timeout.InfiniteTimeSpan", "-1", "TimeSpan.FromMilliseconds(-1)"})
"""A wait or timer period that never elapses, as written (`System.Threading.`/`System.` prefixes dropped)."""


def is_infinite_timeout(node: Node) -> bool:
    """`Timeout.Infinite`, `-1`, `Timeout.InfiniteTimeSpan`, `TimeSpan.FromMilliseconds(-1)`, qualified or not."""
    text = syntax.spaceless_text(node)
    for prefix in ("System.Threading.", "System."):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text in INFINITE_TIMEOUTS


def is_timer_type(type_node: Node | None, model: FileModel) -> bool:
    """A framework timer type, written plainly, qualified or through an alias, and not hidden by a project type."""
    if type_node is None:
        return False
    resolved = resolved_type(type_node, model)
    if simple(resolved) not in TIMER_TYPES or qualifier(resolved) not in TIMER_NAMESPACES:
        return False
    return bool(qualifier(resolved)) or not model.declares_visible(simple(resolved), namespace_of(type_node))


def target_type(creation: Node, field_types: dict[str, Node]) -> Node | None:
    """The declared type a target-typed `new(...)` creates (a local's type, or an assigned field's)."""
    parent = creation.parent
    if parent is not None and parent.type == "variable_declarator":
        decl = parent.parent
        if decl is not None and decl.type == "variable_declaration":
            return decl.child_by_field_name("type")
    if parent is not None and parent.type == "assignment_expression":
        left = parent.child_by_field_name("left")
        name = assigned_member(left) if left is not None else None
        if name:
            return field_types.get(name)
    return None


def timer_creations(cls: ClassInfo, model: FileModel) -> Iterator[Node]:
    """`new Timer(...)`, `new PeriodicTimer(...)` and target-typed `new(...)` of a timer type, in document order."""
    found = memoized(cls, ("timer_creations", id(model)), lambda: (model, tuple(_timer_creations(cls, model))))
    return iter(found[1]) if found[0] is model else _timer_creations(cls, model)


def _timer_creations(cls: ClassInfo, model: FileModel) -> Iterator[Node]:
    field_types = {f.name: f.type_node for f in fields(cls)}
    for n in class_nodes(cls, "object_creation_expression", "implicit_object_creation_expression"):
        if n.type == "object_creation_expression":
            is_timer = is_timer_type(n.child_by_field_name("type"), model)
        else:
            is_timer = is_timer_type(target_type(n, field_types), model)
        if is_timer:
            yield n


def is_repeating_loop(loop: Node, cls: ClassInfo) -> bool:
    """while/do loops that wait, and endless `for (;;)` loops that wait (a counted `for` or a `foreach` that
    sleeps between calls is pacing, not polling)."""
    waits = any(invoked_name(i)[1] in WAIT_CALLS for i in class_nodes(cls, "invocation_expression")
                if loop.start_byte <= i.start_byte < loop.end_byte)
    if not waits:
        return False
    cond = loop.child_by_field_name("condition")
    if loop.type == "for_statement":
        return cond is None
    if cond is None:
        return False
    return True


def repeating_loops(cls: ClassInfo) -> list[Node]:
    """Every loop of the class that waits and repeats (nested ones included), in document order."""
    return list(memoized(cls, "repeating_loops", lambda: tuple(
        loop for loop in class_nodes(cls, *POLLING_LOOPS) if is_repeating_loop(loop, cls))))
