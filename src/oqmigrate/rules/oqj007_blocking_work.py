"""OQJ007 blocking-work: Thread.Sleep, `.Wait()`, `.Result`, `GetAwaiter().GetResult()`, and Task.Delay outside a
polling loop's pacing (or anywhere in a job). The tenants of a pass run one after another, so a job that
sleeps or blocks holds up every tenant after it, and a thread with it.

Version-aware: before Oqtane 4.0.3 a job has no ExecuteJobAsync, so blocking on async work inside ExecuteJob is
the only way a job runs it (it is how migrate-worker's bridge runs it there). Such a call is reported as info that
says so and names the upgrade that removes the need, not as a warning. The standard shutdown wait
`Task.WhenAny(_executingTask, Task.Delay(Timeout.Infinite, token))` waits for cancellation, not for time: it is
not a delay; nor, in a worker, is `await Task.Delay(Timeout.Infinite, stoppingToken)`, the wait for shutdown of an
event-driven BackgroundService (in a job the same call would hold the run until shutdown: still reported).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate import syntax
from oqmigrate.analyse.drivers import is_infinite_timeout, repeating_loops
from oqmigrate.analyse.members import DEFERRED_CODE, class_nodes, declarator_name, initializer, invocations
from oqmigrate.analyse.names import invoked_name, node_text, simple
from oqmigrate.findings import Hit
from oqmigrate.model import ClassInfo
from oqmigrate.syntax import Node
from oqmigrate.transforms import emit
from oqmigrate.versions import Feature

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
    for inv, recv, name in invocations(cls):
        if simple(recv) == "Thread" and name == "Sleep":
            yield Hit(RULE_ID, inv, "Thread.Sleep blocks a thread of the scheduler")
        elif name == "Wait" and recv and not recv.endswith("Semaphore"):
            yield _blocking(cls, ctx, inv, "'.Wait()' blocks on a task")
        elif name == "GetResult" and recv.endswith("GetAwaiter()"):
            yield _blocking(cls, ctx, inv, "'.GetAwaiter().GetResult()' blocks on a task")
        elif simple(recv) == "Task" and name == "Delay":
            if _waits_for_cancellation(inv) or (cls.kind != "job" and _waits_for_shutdown(inv)):
                continue
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
            yield _blocking(cls, ctx, m, "'.Result' blocks on a task")


def _blocking(cls: ClassInfo, ctx: CheckContext, node: Node, what: str) -> Hit:
    """A blocking wait on a task: "await it", unless it is in a job's ExecuteJob on a version where a job cannot
    await (no ExecuteJobAsync): then it is the way async work runs there, reported as info with the upgrade."""
    if cls.kind == "job" and not emit.can_run_async(ctx.version) and _in_execute_job(node):
        since = Feature.EXECUTE_JOB_ASYNC.since
        return Hit(RULE_ID, node, f"{what} inside ExecuteJob; Oqtane {ctx.version} has no ExecuteJobAsync (from "
                                  f"{since}), so a job can only run async work this way; upgrading Oqtane to "
                                  f"{since} or later lets the job await it in ExecuteJobAsync", "info")
    return Hit(RULE_ID, node, f"{what}; await it")


def _in_execute_job(node: Node) -> bool:
    method = syntax.first_ancestor(node, "method_declaration", *DEFERRED_CODE)
    return method is not None and method.type == "method_declaration" and \
        node_text(method.child_by_field_name("name")) == "ExecuteJob"




def _waits_for_cancellation(delay: Node) -> bool:
    """`Task.Delay(Timeout.Infinite, token)` given to `Task.WhenAny(...)`: the shutdown wait of StopAsync, which
    ends when the token is cancelled (or the other task ends), not after a time."""
    args = delay.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    if first is None or not is_infinite_timeout(first.named_children[0] if first.type == "argument" else first):
        return False
    outer = syntax.first_ancestor(delay, "invocation_expression")
    return outer is not None and invoked_name(outer)[1] == "WhenAny" and simple(invoked_name(outer)[0]) == "Task"

def _waits_for_shutdown(delay: Node) -> bool:
    """`Task.Delay(Timeout.Infinite, token)`: never elapses, ends when the token is cancelled."""
    args = [a.named_children[0] if a.type == "argument" and a.named_children else a
            for a in (delay.child_by_field_name("arguments").named_children
                      if delay.child_by_field_name("arguments") is not None else [])]
    return len(args) == 2 and is_infinite_timeout(args[0])


def _looks_like_task(expr: Node, locals_from_async: set[str]) -> bool:
    if expr.type == "invocation_expression":
        return invoked_name(expr)[1].endswith("Async") or invoked_name(expr)[0].endswith("Task")
    if expr.type == "identifier":
        t = node_text(expr)
        return t in locals_from_async or "task" in t.lower()
    if expr.type == "member_access_expression":
        return "task" in node_text(expr.child_by_field_name("name")).lower()
    return False
