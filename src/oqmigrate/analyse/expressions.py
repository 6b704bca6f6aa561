"""What an expression means to the analysis: the call under an `await`, whether evaluating it can do anything
besides produce its value, and a condition taken apart into its `&&` / `||` terms and comparisons (mirrored or
negated); and whether a `return` gives back nothing."""

from __future__ import annotations

from oqmigrate import syntax
from oqmigrate.syntax import Node

PURE_CALLS = ("DateTime.", "DateTimeOffset.", "TimeSpan.", "System.DateTime.", "System.TimeSpan.", "Math.")
"""Receivers whose calls only compute a value (date and time arithmetic, Math)."""

MIRRORED = {"==": "==", "!=": "!=", ">=": "<=", "<=": ">=", ">": "<", "<": ">"}
"""A comparison operator with its operands swapped: `a < b` ⇔ `b > a`."""

NEGATED = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
"""The operator of a comparison's negation: `!(a < b)` ⇔ `a >= b`."""

Comparison = tuple[Node, str, Node]
"""(left operand, operator, right operand)."""


def awaited(node: Node) -> Node:
    """The expression under `await`, `.ConfigureAwait(…)` and parentheses: `await (x.RunAsync().ConfigureAwait(false))`
    → `x.RunAsync()`."""
    n = node
    while True:
        if n.type == "await_expression":
            n = n.named_children[-1]
            continue
        if n.type == "invocation_expression":
            fn = n.child_by_field_name("function")
            if fn.type == "member_access_expression" and syntax.text(fn.child_by_field_name("name")) == "ConfigureAwait":
                n = fn.child_by_field_name("expression")
                continue
        if n.type == "parenthesized_expression" and n.named_children:
            n = n.named_children[0]
            continue
        return n


def has_effects(value: Node) -> bool:
    """Could evaluating `value` do anything besides produce the value? Calls count, except date arithmetic."""
    for n in syntax.walk(value):
        if n.type == "invocation_expression":
            if not syntax.text(n.child_by_field_name("function")).startswith(PURE_CALLS):
                return True
        elif n.type == "object_creation_expression":
            if syntax.text(n.child_by_field_name("type")) not in ("DateTime", "DateTimeOffset", "TimeSpan"):
                return True
        elif n.type in ("await_expression", "assignment_expression", "postfix_unary_expression"):
            return True
        elif n.type == "prefix_unary_expression" and syntax.text(n)[:2] in ("++", "--"):
            return True
    return False


def conjuncts(cond: Node) -> list[Node]:
    """The terms of `a && b && c` (a condition without `&&` is its own single term)."""
    cond = syntax.unparenthesized(cond)
    if cond.type == "binary_expression" and syntax.operator(cond) == "&&":
        return conjuncts(cond.child_by_field_name("left")) + conjuncts(cond.child_by_field_name("right"))
    return [cond]


def disjuncts(cond: Node) -> list[Node]:
    """The terms of `a || b || c` (a condition without `||` is its own single term)."""
    cond = syntax.unparenthesized(cond)
    if cond.type == "binary_expression" and syntax.operator(cond) == "||":
        return disjuncts(cond.child_by_field_name("left")) + disjuncts(cond.child_by_field_name("right"))
    return [cond]


def comparison(term: Node | Comparison) -> Comparison | None:
    """A comparison term taken apart (`now.Hour == 2` → (now.Hour, "==", 2)); a term already taken apart is
    returned as it is; None for anything that is not a comparison."""
    if isinstance(term, tuple):
        return term
    n = syntax.unparenthesized(term)
    if n.type != "binary_expression" or syntax.operator(n) not in MIRRORED:
        return None
    return n.child_by_field_name("left"), syntax.operator(n), n.child_by_field_name("right")


def negated(term: Node) -> Comparison | None:
    """`now.Hour != 2` → (now.Hour, "==", 2): one term of a guard that skips the work, turned positive."""
    cmp = comparison(term)
    if cmp is None:
        return None
    left, op, right = cmp
    return left, NEGATED[op], right


def returns_nothing(stmt: Node) -> bool:
    """A `return` statement that gives back no result: `return;` or, in a method returning a Task,
    `return Task.CompletedTask;`."""
    values = [c for c in stmt.named_children if c.type != "comment"]
    return not values or syntax.text(values[0]) in ("Task.CompletedTask", "System.Threading.Tasks.Task.CompletedTask")
