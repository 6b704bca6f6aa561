"""OQJ012 unhandled-exception: an execute method that lets exceptions escape. The base class has one try/catch
around the whole tenant loop: one tenant's exception skips the tenants after it and discards the others'
outcomes. A job should catch and return the error as its outcome text. A body that cannot throw (it returns a
literal, or only declares and assigns locals from literals and returns them) needs no guard.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate import syntax
from oqmigrate.analyse.members import LOGGER_TYPES, execute_methods
from oqmigrate.analyse.names import simple
from oqmigrate.findings import Hit
from oqmigrate.model import ClassInfo, type_name
from oqmigrate.syntax import Node

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ012"

LITERALS = frozenset(("string_literal", "verbatim_string_literal", "raw_string_literal", "integer_literal", "real_literal",
                      "boolean_literal", "null_literal", "character_literal"))


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    if cls.kind != "job":
        return
    for m in execute_methods(cls):
        if not _guarded(m):
            yield Hit(RULE_ID, m.child_by_field_name("name"),
                      "exceptions escape the execute method: the remaining tenants are skipped; catch them and return the outcome")
        for th in syntax.descendants(m, "throw_statement", "throw_expression"):
            if not _handled(th, m):
                yield Hit(RULE_ID, th, "this throw escapes the execute method; return the error as the outcome instead")


def _guarded(method: Node) -> bool:
    """The body is one catch-all try (with only harmless declarations and returns beside it), or it cannot
    throw at all."""
    body = method.child_by_field_name("body")
    if body is None or body.type == "arrow_expression_clause":
        arrow = body if body is not None else next((c for c in method.children if c.type == "arrow_expression_clause"), None)
        if arrow is None:
            return True  # abstract
        expr = arrow.named_children[0] if arrow.named_children else None
        return expr is not None and (expr.type == "interpolated_string_expression" or _cannot_throw(expr, set()))
    statements = [s for s in body.named_children if s.type != "comment"]
    tries = [s for s in statements if s.type == "try_statement"]
    if not tries:
        return bool(statements) and _cannot_throw_block(statements)
    t = tries[0]
    if not _catches_all(t):
        return False
    for s in statements:
        if s is t or s.id == t.id:
            continue
        if s.type == "local_declaration_statement" and (
                not any(True for _ in syntax.descendants(s, "invocation_expression", "object_creation_expression", "await_expression"))
                or _resolves_only_loggers(s)):
            continue
        if s.type == "return_statement" and not any(True for _ in syntax.descendants(s, "invocation_expression", "await_expression")):
            continue
        return False
    return True


def _cannot_throw_block(statements: list[Node]) -> bool:
    """Locals declared and assigned from literals, then returned: nothing in it can throw."""
    plain: set[str] = set()  # locals that only ever hold literals
    for s in statements:
        if s.type == "local_declaration_statement":
            decl = next((c for c in s.named_children if c.type == "variable_declaration"), None)
            if decl is None:
                return False
            for d in decl.named_children:
                if d.type != "variable_declarator":
                    continue
                kids = d.named_children
                if len(kids) > 1 and not _cannot_throw(kids[-1], plain):
                    return False
                plain.add(syntax.text(kids[0]))
        elif s.type == "expression_statement":
            a = s.named_children[0] if s.named_children else None
            if a is None or a.type != "assignment_expression":
                return False
            left, right = a.child_by_field_name("left"), a.child_by_field_name("right")
            op = a.child_by_field_name("operator")
            if left is None or right is None or left.type != "identifier" or syntax.text(left) not in plain \
                    or (op is not None and syntax.text(op) != "=") or not _cannot_throw(right, plain):
                return False
        elif s.type == "return_statement":
            if not s.named_children or not _cannot_throw(s.named_children[0], plain):
                return False
        else:
            return False
    return statements[-1].type == "return_statement"


def _cannot_throw(expr: Node, plain: set[str]) -> bool:
    """A literal, a local holding only literals, a string interpolation of those, or `Task.FromResult` of one."""
    if expr.type in LITERALS:
        return True
    if expr.type == "identifier":
        return syntax.text(expr) in plain
    if expr.type == "parenthesized_expression" and expr.named_children:
        return _cannot_throw(expr.named_children[0], plain)
    if expr.type == "interpolated_string_expression":
        return all(all(_cannot_throw(e, plain) for e in i.named_children if e.type != "interpolation_brace")
                   for i in expr.named_children if i.type == "interpolation")
    if expr.type == "invocation_expression":
        fn = expr.child_by_field_name("function")
        args = syntax.arguments(expr)
        return fn is not None and syntax.text(fn) in ("Task.FromResult", "System.Threading.Tasks.Task.FromResult") \
            and len(args) == 1 and _cannot_throw(args[0], plain)
    return False


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


def _catches_all(try_stmt: Node) -> bool:
    """A `catch` or `catch (Exception)` without a filter that does not rethrow."""
    for c in try_stmt.named_children:
        if c.type != "catch_clause":
            continue
        decl = next((x for x in c.named_children if x.type == "catch_declaration"), None)
        if decl is None:
            return not any(x.type == "catch_filter_clause" for x in c.named_children) and not _rethrows(c)
        t = decl.child_by_field_name("type")
        if t is not None and simple(type_name(t)) == "Exception" and not any(x.type == "catch_filter_clause" for x in c.named_children):
            return not _rethrows(c)
    return False


def _rethrows(catch: Node) -> bool:
    """A catch-all that always throws again guards nothing (a conditional throw is reported on its own)."""
    body = catch.child_by_field_name("body")
    return body is not None and any(s.type == "throw_statement" for s in body.named_children)


def _handled(node: Node, method: Node) -> bool:
    """Is a throw caught inside the method (or in a lambda/local function, which runs elsewhere)?"""
    child = node
    for a in syntax.ancestors(node):
        if a.id == method.id:
            return False
        if a.type in ("lambda_expression", "local_function_statement", "anonymous_method_expression"):
            return True  # runs elsewhere, not necessarily in this call
        if a.type == "try_statement" and child.type == "block" and a.child_by_field_name("body") is not None \
                and a.child_by_field_name("body").id == child.id and _catches_all(a):
            return True
        child = a
    return False
