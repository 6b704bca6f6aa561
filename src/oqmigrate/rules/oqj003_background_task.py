"""OQJ003 background-task: work pushed to Task.Run, Task.Factory.StartNew, the thread pool, a new Thread or a
discarded task. It is still running when the job returns: its exceptions are never observed, the history
records a success that has not happened yet, and the next pass may start it again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate import syntax
from oqmigrate.analyse.members import class_nodes
from oqmigrate.analyse.names import invoked_name, qualifier, resolved_type, simple
from oqmigrate.findings import Hit
from oqmigrate.model import ClassInfo

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ003"


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    for inv in class_nodes(cls, "invocation_expression"):
        recv, name = invoked_name(inv)
        recv_simple = simple(recv)
        if (recv_simple == "Task" and name == "Run") or (recv.endswith("Task.Factory") or recv == "Factory") and name == "StartNew" \
                or (recv_simple == "ThreadPool" and name in ("QueueUserWorkItem", "UnsafeQueueUserWorkItem")):
            yield Hit(RULE_ID, inv, f"'{recv_simple}.{name}' starts work outside the job's execution")
    for n in class_nodes(cls, "object_creation_expression"):
        t = resolved_type(n.child_by_field_name("type"), ctx.model)
        if simple(t) == "Thread" and qualifier(t) in ("", "System.Threading"):
            yield Hit(RULE_ID, n, "a thread started by the class runs outside the job's execution")
    for a in class_nodes(cls, "assignment_expression"):
        left, right = a.child_by_field_name("left"), a.child_by_field_name("right")
        if left is not None and syntax.text(left) == "_" and right is not None and right.type == "invocation_expression" \
                and invoked_name(right)[1].endswith("Async"):
            yield Hit(RULE_ID, a, "a discarded task keeps running after the job returns; await it")
