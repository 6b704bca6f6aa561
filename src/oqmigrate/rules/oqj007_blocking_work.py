"""OQJ007 blocking-work: Thread.Sleep, `.Wait()`, `.Result`, `GetAwaiter().GetResult()`, and Task.Delay outside a
polling loop's pacing (or anywhere in a job). The tenants of a pass run one after another, so a job that
sleeps or blocks holds up every tenant after it, and a thread with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate.analyse.drivers import repeating_loops
from oqmigrate.analyse.members import class_nodes, declarator_name, initializer
from oqmigrate.analyse.names import invoked_name, node_text, simple
from oqmigrate.findings import Hit
from oqmigrate.model import ClassInfo
from oqmigrate.syntax import Node

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ007"


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    async_locals = set()  # locals holding what an ...Async call returned
    for d in class_nodes(cls, "variable_declarator"):
        init = initializer(d)
        if init is not None and init.type == "invocation_expression" and invoked_name(init)[1].endswith("Async"):
            async_locals.add(declarator_name(d))
    pacing_loops = repeating_loops(cls)
    for inv in class_nodes(cls, "invocation_expression"):
        recv, name = invoked_name(inv)
        if simple(recv) == "Thread" and name == "Sleep":
            yield Hit(RULE_ID, inv, "Thread.Sleep blocks a thread of the scheduler")
        elif name == "Wait" and recv and not recv.endswith("Semaphore"):
            yield Hit(RULE_ID, inv, "'.Wait()' blocks on a task; await it")
        elif name == "GetResult" and recv.endswith("GetAwaiter()"):
            yield Hit(RULE_ID, inv, "'.GetAwaiter().GetResult()' blocks on a task; await it")
        elif simple(recv) == "Task" and name == "Delay":
            if cls.kind == "job":
                yield Hit(RULE_ID, inv, "Task.Delay inside a job stretches the run; the scheduler paces jobs", "warning")
            elif not any(loop.start_byte <= inv.start_byte < loop.end_byte for loop in pacing_loops):
                yield Hit(RULE_ID, inv, "a delay outside the loop's pacing holds the worker; Oqtane schedules the start")
    for m in class_nodes(cls, "member_access_expression"):
        if node_text(m.child_by_field_name("name")) != "Result":
            continue
        parent = m.parent
        if parent is not None and parent.type == "assignment_expression" and parent.child_by_field_name("left") == m:
            continue
        e = m.child_by_field_name("expression")
        if e is not None and _looks_like_task(e, async_locals):
            yield Hit(RULE_ID, m, "'.Result' blocks on a task; await it")


def _looks_like_task(expr: Node, locals_from_async: set[str]) -> bool:
    if expr.type == "invocation_expression":
        return invoked_name(expr)[1].endswith("Async") or invoked_name(expr)[0].endswith("Task")
    if expr.type == "identifier":
        t = node_text(expr)
        return t in locals_from_async or "task" in t.lower()
    if expr.type == "member_access_expression":
        return "task" in node_text(expr.child_by_field_name("name")).lower()
    return False
