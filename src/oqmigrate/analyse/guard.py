"""Whether a job's execute method turns every exception into its returned outcome (OQJ012), read once for the
rule and for the guard-execution codemod.

A body is guarded when it is one catch-all `try` (a `catch` or `catch (Exception …)` without a filter that does
not rethrow) with only harmless declarations and plain returns beside it, or when it only returns string
literals. A guard whose catch falls through to a return that ignores it (the catch only logs, or is empty)
swallows the failure: the run is recorded as succeeded and its outcome does not say it failed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from oqmigrate import syntax
from oqmigrate.analyse.members import DEFERRED_CODE, LOGGER_TYPES
from oqmigrate.analyse.names import simple
from oqmigrate.model import type_name
from oqmigrate.syntax import Node

STRING_LITERALS = ("string_literal", "interpolated_string_expression", "verbatim_string_literal")


class GuardState(enum.Enum):
    NO_BODY = "no body"  # abstract or extern: nothing runs here
    GUARDED = "guarded"  # every exception becomes the returned outcome
    SWALLOWS = "swallows"  # a guard whose catch falls through to an outcome that ignores the failure
    UNGUARDED = "unguarded"  # exceptions escape


@dataclass(frozen=True)
class ExecuteGuard:
    """What one execute method does with exceptions."""

    method: Node
    state: GuardState
    body: Node | None  # the block, or the arrow_expression_clause of an expression-bodied method
    leading: tuple[Node, ...] = ()  # harmless declarations before the first other statement (the guard may leave them outside)
    guard: Node | None = None  # the catch-all try of a guard shape
    catch: Node | None = None  # its catch-all clause
    escaping_throws: tuple[Node, ...] = ()  # throws that leave the method


def execute_guard(method: Node) -> ExecuteGuard:
    """How the execute method `method` handles exceptions."""
    body = method.child_by_field_name("body")
    if body is None or body.type == "arrow_expression_clause":
        arrow = body if body is not None else next((c for c in method.children if c.type == "arrow_expression_clause"), None)
        if arrow is None:
            return ExecuteGuard(method, GuardState.NO_BODY, None)
        expr = arrow.named_children[0] if arrow.named_children else None
        literal = expr is not None and expr.type in STRING_LITERALS
        return ExecuteGuard(method, GuardState.GUARDED if literal else GuardState.UNGUARDED, arrow,
                            escaping_throws=_escaping_throws(method))
    statements = [s for s in body.named_children if s.type != "comment"]
    leading = []
    for s in statements:
        if not harmless_declaration(s):
            break
        leading.append(s)
    throws = _escaping_throws(method)
    state, guard, catch = _state(statements)
    return ExecuteGuard(method, state, body, tuple(leading), guard, catch, throws)


def _state(statements: list[Node]) -> tuple[GuardState, Node | None, Node | None]:
    tries = [s for s in statements if s.type == "try_statement"]
    if not tries:
        only_literals = bool(statements) and all(
            s.type == "return_statement" and s.named_children and s.named_children[0].type in ("string_literal", "verbatim_string_literal")
            for s in statements)
        return (GuardState.GUARDED if only_literals else GuardState.UNGUARDED), None, None
    t = tries[0]
    catch = catch_all(t)
    if catch is None:
        return GuardState.UNGUARDED, None, None
    for s in statements:
        if s.id == t.id:
            continue
        if s.type == "local_declaration_statement" and harmless_declaration(s):
            continue
        if s.type == "return_statement" and not any(True for _ in syntax.descendants(s, "invocation_expression", "await_expression")):
            continue
        return GuardState.UNGUARDED, None, None
    after = statements[statements.index(t) + 1:]
    if _swallows(catch, after):
        return GuardState.SWALLOWS, t, catch
    return GuardState.GUARDED, t, catch


def harmless_declaration(stmt: Node) -> bool:
    """A local declaration that cannot throw in practice: no call, `new` or `await` — or only resolving a
    logger from the provider, so that the catch can log."""
    if stmt.type != "local_declaration_statement":
        return False
    return not any(True for _ in syntax.descendants(stmt, "invocation_expression", "object_creation_expression", "await_expression")) \
        or _resolves_only_loggers(stmt)


def _resolves_only_loggers(stmt: Node) -> bool:
    """`var logger = provider.GetRequiredService<ILogger<T>>();` before the try, so that the catch can log."""
    calls = list(syntax.descendants(stmt, "invocation_expression"))
    if not calls or any(True for _ in syntax.descendants(stmt, "object_creation_expression", "await_expression")):
        return False
    for inv in calls:
        fn = inv.child_by_field_name("function")
        name = fn.child_by_field_name("name") if fn is not None and fn.type == "member_access_expression" else None
        if name is None or name.type != "generic_name" or type_name(name) not in ("GetRequiredService", "GetService"):
            return False
        targs = name.named_children[-1].named_children
        if len(targs) != 1 or simple(type_name(targs[0])) not in LOGGER_TYPES:
            return False
    return True


def catch_all(try_stmt: Node) -> Node | None:
    """The try's first `catch` / `catch (Exception …)` without a filter, when it does not rethrow; None when the
    first such clause rethrows or there is none."""
    for c in try_stmt.named_children:
        if c.type != "catch_clause":
            continue
        decl = next((x for x in c.named_children if x.type == "catch_declaration"), None)
        filtered = any(x.type == "catch_filter_clause" for x in c.named_children)
        if decl is None:
            return None if filtered or _rethrows(c) else c
        t = decl.child_by_field_name("type")
        if t is not None and simple(type_name(t)) == "Exception" and not filtered:
            return None if _rethrows(c) else c
    return None


def catch_variable(catch: Node) -> str | None:
    """The name a catch clause gives the exception (`ex` in `catch (Exception ex)`), if any."""
    decl = next((x for x in catch.named_children if x.type == "catch_declaration"), None)
    name = decl.child_by_field_name("name") if decl is not None else None
    return syntax.text(name) if name is not None else None


def _rethrows(catch: Node) -> bool:
    """A catch-all that always throws again guards nothing (a conditional throw is reported on its own)."""
    body = catch.child_by_field_name("body")
    return body is not None and any(s.type == "throw_statement" for s in body.named_children)


def always_exits(stmt: Node | None) -> bool:
    """Control never runs past the statement: a return or throw, a block ending in one, an if/else whose both
    branches do."""
    if stmt is None:
        return False
    if stmt.type in ("return_statement", "throw_statement"):
        return True
    if stmt.type == "block":
        inner = [s for s in stmt.named_children if s.type != "comment"]
        return bool(inner) and always_exits(inner[-1])
    if stmt.type == "if_statement":
        return always_exits(stmt.child_by_field_name("consequence")) and always_exits(stmt.child_by_field_name("alternative"))
    if stmt.type == "else_clause":
        return bool(stmt.named_children) and always_exits(stmt.named_children[-1])
    return False


def _swallows(catch: Node, after: list[Node]) -> bool:
    """The catch falls through, and the outcome returned after the try does not carry anything it wrote."""
    body = catch.child_by_field_name("body")
    if always_exits(body):
        return False
    returned = next((s for s in after if s.type == "return_statement"), None)
    value = returned.named_children[0] if returned is not None and returned.named_children else None
    if value is None or value.type != "identifier":
        return True
    name = syntax.text(value)
    for a in syntax.descendants(body, "assignment_expression"):
        left = a.child_by_field_name("left")
        if left is not None and left.type == "identifier" and syntax.text(left) == name:
            return False
    return True


def _escaping_throws(method: Node) -> tuple[Node, ...]:
    return tuple(th for th in syntax.descendants(method, "throw_statement", "throw_expression") if not _handled(th, method))


def _handled(node: Node, method: Node) -> bool:
    """Is a throw caught inside the method (or in a lambda/local function, which runs elsewhere)?"""
    child = node
    for a in syntax.ancestors(node):
        if a.id == method.id:
            return False
        if a.type in DEFERRED_CODE:
            return True  # runs elsewhere, not necessarily in this call
        if a.type == "try_statement" and child.type == "block" and a.child_by_field_name("body") is not None \
                and a.child_by_field_name("body").id == child.id and catch_all(a) is not None:
            return True
        child = a
    return False
