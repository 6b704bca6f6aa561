"""OQJ012 unhandled-exception: an execute method that lets exceptions escape, or whose catch-all swallows them.
The base class has one try/catch around the whole tenant loop: one tenant's exception skips the tenants after it
and discards the others' outcomes. A job should catch and return the error as its outcome text. What counts as
guarded is decided in `oqmigrate.analyse.guard`, which the guard-execution codemod reads too. A body that cannot
throw (it returns a literal, or only declares and assigns locals from literals and returns them) needs no guard.

Version-aware: before Oqtane 2.0.1 there is no tenant loop. The framework calls the job once per pass and logs a
thrown exception as a failed run (Succeeded = false), which is right; so an exception escaping the execute method
is not reported there. A catch-all that swallows the failure still is: there the advice is to rethrow it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate import syntax
from oqmigrate.analyse.guard import GuardState, execute_guard
from oqmigrate.analyse.members import execute_methods
from oqmigrate.findings import Hit
from oqmigrate.model import ClassInfo
from oqmigrate.syntax import Node
from oqmigrate.versions import Feature, Version, supports

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ012"

LITERALS = frozenset(("string_literal", "verbatim_string_literal", "raw_string_literal", "integer_literal", "real_literal",
                      "boolean_literal", "null_literal", "character_literal"))


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    yield from hits(cls, ctx.version)


def hits(cls: ClassInfo, version: Version) -> Iterator[Hit]:
    """What the rule reports in the class on Oqtane `version` (drop-state asks it too)."""
    if cls.kind != "job":
        return
    if not supports(version, Feature.JOB_METADATA_AND_TENANT_LOOP):
        for m in execute_methods(cls):
            guard = execute_guard(m)
            if guard.state is GuardState.SWALLOWS:
                yield Hit(RULE_ID, guard.catch.children[0], swallowed_before_tenant_loop(version))
        return
    for m in execute_methods(cls):
        guard = execute_guard(m)
        if guard.state is GuardState.UNGUARDED and not _cannot_throw_method(m):
            yield Hit(RULE_ID, m.child_by_field_name("name"),
                      "exceptions escape the execute method: the remaining tenants are skipped; catch them and return the outcome")
        elif guard.state is GuardState.SWALLOWS:
            yield Hit(RULE_ID, guard.catch.children[0],
                      "this catch swallows the exception: the run is recorded as succeeded and its outcome does not say "
                      "it failed; return the failure as the outcome")
        for th in guard.escaping_throws:
            yield Hit(RULE_ID, th, "this throw escapes the execute method; return the error as the outcome instead")


def swallowed_before_tenant_loop(version: Version) -> str:
    """OQJ012 on a catch-all that swallows the failure, on a version without the tenant loop."""
    return (f"this catch swallows the exception: the run is recorded as succeeded and its outcome does not say it "
            f"failed; Oqtane {version} has no tenant loop (from {Feature.JOB_METADATA_AND_TENANT_LOOP.since}) and logs "
            "a thrown exception as a failed run: rethrow it (throw;) after logging")


def _cannot_throw_method(method: Node) -> bool:
    """An expression body or a block body in which nothing can throw."""
    body = method.child_by_field_name("body")
    arrow = body if body is not None and body.type == "arrow_expression_clause" else \
        next((c for c in method.children if c.type == "arrow_expression_clause"), None)
    if arrow is not None:
        return bool(arrow.named_children) and _cannot_throw(arrow.named_children[0], set())
    statements = [s for s in body.named_children if s.type != "comment"] if body is not None else []
    return bool(statements) and _cannot_throw_block(statements)


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
