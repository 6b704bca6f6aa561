"""Who arms a System.Threading.Timer that fires once (`Change(due, Timeout.Infinite)`), and what that makes it.

A timer whose period is infinite fires once per arming. Three shapes follow:

- nothing arms it again: it ran once after every start (start-up work, not a schedule);
- code outside its callback arms it (an event handler, a request method): a debounce or a trigger, which runs
  after that code, not on a schedule;
- its own callback arms it again as its last step, on every path, with one constant delay: "run, then wait N"
  — periodic with the run time excluded, exactly like a `Task.Delay` loop, so the job runs every N.

`timer_rearm` tells them apart; it reads the syntax only (the caller says what is infinite and evaluates the
delay), so the scan and the codemod can share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from oqmigrate import syntax
from oqmigrate.analyse.members import DEFERRED_CODE, member_root
from oqmigrate.syntax import Node

LIFECYCLE_STOPS = ("StopAsync", "Dispose", "DisposeAsync")
"""Methods whose `Change(…)` calls stop the timer at shutdown: they never arm it."""


@dataclass(frozen=True)
class SelfRearm:
    """The callback arms its own timer again when a run is over: `call` is the `Change(delay, Infinite)`,
    `delay` its first argument; `removed` is the statement or `finally` clause the job no longer needs, and
    `unwrapped` a `try` (without catch) whose `finally` only re-armed the timer: the job keeps its body."""
    call: Node
    delay: Node
    removed: Node
    unwrapped: Node | None = None


@dataclass(frozen=True)
class Rearmed:
    """How a one-shot timer is armed again. `elsewhere`: arming calls outside the callback (a debounce);
    `in_callback`: those inside it; `self_rearm`: set when the callback's only arming call is its unconditional
    last step."""
    elsewhere: list[Node]
    in_callback: list[Node]
    self_rearm: SelfRearm | None


def arming_calls(roots: Iterable[Node], is_infinite: Callable[[Node], bool]) -> list[Node]:
    """`x.Change(due, Timeout.Infinite)` / `x?.Change(…)` with a due time that is not infinite, under `roots`, in
    document order: each arms a one-shot timer (`Change(Infinite, …)` stops it instead)."""
    out = []
    for root in roots:
        for n in syntax.descendants(root, "invocation_expression"):
            fn = n.child_by_field_name("function")
            args = syntax.arguments(n)
            if fn is not None and fn.type in ("member_access_expression", "conditional_access_expression") and \
                    syntax.text(fn).rsplit(".", 1)[-1] == "Change" and len(args) == 2 and \
                    is_infinite(args[1]) and not is_infinite(args[0]):
                out.append(n)
    return sorted({n.id: n for n in out}.values(), key=lambda n: n.start_byte)


def callback_function(callback: Node, methods: dict[str, list[Node]]) -> Node | None:
    """The method (a method group) or lambda a timer calls; None for anything else."""
    if callback.type == "identifier" and len(methods.get(syntax.text(callback), [])) == 1:
        return methods[syntax.text(callback)][0]
    if callback.type in ("lambda_expression", "anonymous_method_expression"):
        return callback
    return None


def timer_rearm(creation: Node, callback: Node, methods: dict[str, list[Node]],
                is_infinite: Callable[[Node], bool]) -> Rearmed:
    """Sort the calls that arm the timer created by `creation` (`new Timer(callback, state, due, period)`):
    those in its callback, those elsewhere in the class (lifecycle stops excluded), and whether the callback
    re-arms it as its last step on every path."""
    roots = [m for name, ms in methods.items() if name not in LIFECYCLE_STOPS for m in ms]
    calls = arming_calls(roots, is_infinite)
    function = callback_function(callback, methods)
    timer = _assigned_to(creation)

    def inside(call: Node) -> bool:
        return function is not None and function.start_byte <= call.start_byte < function.end_byte and \
            timer is not None and _receiver(call) == timer

    in_callback = [c for c in calls if inside(c)]
    elsewhere = [c for c in calls if not inside(c)]
    self_rearm = None
    if len(in_callback) == 1 and not elsewhere:
        self_rearm = _last_step(function, in_callback[0])
    return Rearmed(elsewhere, in_callback, self_rearm)


def _assigned_to(creation: Node) -> str | None:
    """`_timer` for `_timer = new Timer(…)` / `this._timer = …`; None when the timer is not kept in a member."""
    parent = creation.parent
    if parent is not None and parent.type == "assignment_expression" and \
            parent.child_by_field_name("right") == creation:
        return member_root(parent.child_by_field_name("left"))
    return None


def _receiver(call: Node) -> str:
    """The member whose `Change` a call invokes: `_timer` for `_timer.Change(…)`, `this._timer?.Change(…)`."""
    fn = call.child_by_field_name("function")
    if fn.type == "member_access_expression":
        return member_root(fn.child_by_field_name("expression"))
    return member_root(fn.named_children[0]) if fn.named_children else ""


def _last_step(function: Node, call: Node) -> SelfRearm | None:
    """The re-arm as the callback's last step on every path: its last statement (with no `return` before it),
    or the only statement of the `finally` of a last `try`. None for anything else (a conditional re-arm)."""
    body = function.child_by_field_name("body")
    if body is None or body.type != "block":
        return None
    stmts = syntax.block_statements(body)
    if not stmts:
        return None
    last = stmts[-1]
    delay = syntax.arguments(call)[0]
    if _is_call_statement(last, call):
        if any(_own(r, function) for r in syntax.descendants(body, "return_statement")):
            return None  # a `return;` skips the re-arm: the timer stopped for good on that path
        return SelfRearm(call, delay, last)
    if last.type != "try_statement":
        return None
    final = next((c for c in last.named_children if c.type == "finally_clause"), None)
    block = next((c for c in final.named_children if c.type == "block"), None) if final is not None else None
    inner = syntax.block_statements(block)
    if len(inner) != 1 or not _is_call_statement(inner[0], call):
        return None
    has_catch = any(c.type == "catch_clause" for c in last.named_children)
    return SelfRearm(call, delay, final, unwrapped=None if has_catch else last)


def _is_call_statement(stmt: Node, call: Node) -> bool:
    return stmt.type == "expression_statement" and bool(stmt.named_children) and stmt.named_children[0].id == call.id


def _own(node: Node, function: Node) -> bool:
    """Does `node` belong to `function` itself, not to a lambda or local function written inside it?"""
    owner = syntax.first_ancestor(node, *DEFERRED_CODE, "method_declaration")
    return owner is not None and owner.id == function.id
