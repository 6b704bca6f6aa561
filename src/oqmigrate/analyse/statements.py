"""Statements of a constructor body, nested ones included, and the part of each that runs before the
statements nested in it (`using (...)`, `if (...)`): what a constructor does when it runs."""

from __future__ import annotations

from typing import Iterator

from oqmigrate import syntax
from oqmigrate.analyse.members import DEFERRED_CODE
from oqmigrate.syntax import Node

STATEMENT_NODES = ("expression_statement", "local_declaration_statement", "using_statement", "if_statement",
                   "while_statement", "for_statement", "foreach_statement", "return_statement", "throw_statement",
                   "lock_statement", "switch_statement")
# statement type -> the field holding its head (None: the first named child that is neither block nor statement)
_HEADS = {"using_statement": None, "if_statement": "condition", "while_statement": "condition",
          "switch_statement": "value", "lock_statement": None, "foreach_statement": "right"}


def constructor_statements(block: Node) -> Iterator[Node]:
    """Every statement in a constructor's body, nested ones included (not those in lambdas or local
    functions, which run later if at all)."""
    for n in syntax.descendants(block, *STATEMENT_NODES):
        if syntax.first_ancestor(n, *DEFERRED_CODE, "constructor_declaration").type == "constructor_declaration":
            yield n


def statement_head(stmt: Node) -> Node:
    """The part of a statement that runs before its nested statements: `using (...)`, `if (...)`."""
    if stmt.type not in _HEADS:
        return stmt
    if _HEADS[stmt.type]:
        return stmt.child_by_field_name(_HEADS[stmt.type]) or stmt
    head = [c for c in stmt.named_children if c.type not in ("block",) and not c.type.endswith("_statement")]
    return head[0] if head else stmt
