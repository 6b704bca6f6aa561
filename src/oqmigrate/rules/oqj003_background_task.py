"""OQJ003 background-task: work pushed to Task.Run, Task.Factory.StartNew (or `StartNew` on a `TaskFactory` the
class creates or keeps), the thread pool, a new Thread or a discarded task. It is still running when the job returns: its exceptions are never observed, the history
records a success that has not happened yet, and the next pass may start it again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate import syntax
from oqmigrate.analyse.members import class_nodes, declarator_name, fields, initializer, invocations
from oqmigrate.analyse.names import invoked_name, node_text, qualifier, resolved_type, simple
from oqmigrate.findings import Hit
from oqmigrate.model import ClassInfo
from oqmigrate.syntax import Node

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ003"


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    factories = _task_factory_names(cls, ctx)
    for inv, recv, name in invocations(cls):
        recv_simple = simple(recv)
        if (recv_simple == "Task" and name == "Run") or (recv.endswith("Task.Factory") or recv == "Factory") and name == "StartNew" \
                or (recv_simple == "ThreadPool" and name in ("QueueUserWorkItem", "UnsafeQueueUserWorkItem")):
            yield Hit(RULE_ID, inv, f"'{recv_simple}.{name}' starts work outside the job's execution")
        elif name == "StartNew" and (recv_simple in factories or _creates_task_factory(inv, ctx)):
            yield Hit(RULE_ID, inv, f"'{recv_simple or 'TaskFactory'}.StartNew' starts work outside the job's execution")
    for n in class_nodes(cls, "object_creation_expression"):
        t = resolved_type(n.child_by_field_name("type"), ctx.model)
        if simple(t) == "Thread" and qualifier(t) in ("", "System.Threading"):
            yield Hit(RULE_ID, n, "a thread started by the class runs outside the job's execution")
    for a in class_nodes(cls, "assignment_expression"):
        left, right = a.child_by_field_name("left"), a.child_by_field_name("right")
        if left is not None and syntax.text(left) == "_" and right is not None and right.type == "invocation_expression" \
                and invoked_name(right)[1].endswith("Async"):
            yield Hit(RULE_ID, a, "a discarded task keeps running after the job returns; await it")


def _is_task_factory(type_node: Node | None, ctx: CheckContext) -> bool:
    t = resolved_type(type_node, ctx.model)
    return simple(t) == "TaskFactory" and qualifier(t) in ("", "System.Threading.Tasks")


def _task_factory_names(cls: ClassInfo, ctx: CheckContext) -> set[str]:
    """Fields, properties, locals and parameters of the class typed `TaskFactory` (or `var x = new TaskFactory(...)`)."""
    names = {f.name for f in fields(cls) if _is_task_factory(f.type_node, ctx)}
    for d in class_nodes(cls, "variable_declaration"):
        t = d.child_by_field_name("type")
        for v in d.named_children:
            if v.type != "variable_declarator":
                continue
            init = initializer(v)
            if _is_task_factory(t, ctx) or (init is not None and init.type == "object_creation_expression"
                                             and _is_task_factory(init.child_by_field_name("type"), ctx)):
                names.add(declarator_name(v))
    for p in class_nodes(cls, "parameter"):
        if _is_task_factory(p.child_by_field_name("type"), ctx):
            names.add(node_text(p.child_by_field_name("name")))
    return names


def _creates_task_factory(inv: Node, ctx: CheckContext) -> bool:
    """`new TaskFactory(...).StartNew(...)`."""
    fn = inv.child_by_field_name("function")
    recv = fn.child_by_field_name("expression") if fn is not None and fn.type == "member_access_expression" else None
    while recv is not None and recv.type == "parenthesized_expression" and recv.named_children:
        recv = recv.named_children[0]
    return recv is not None and recv.type == "object_creation_expression" and _is_task_factory(recv.child_by_field_name("type"), ctx)
