"""parse: tree-sitter-c-sharp, plus small helpers for node text, ranges and errors.

Every tree is parsed from the UTF-8 encoding of the decoded text, so byte offsets in nodes and in
`Edit`s are offsets into ``text.encode("utf-8")`` whatever the file's own encoding is.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

import tree_sitter
import tree_sitter_c_sharp

Node = tree_sitter.Node
Tree = tree_sitter.Tree


@lru_cache(maxsize=1)
def language() -> tree_sitter.Language:
    return tree_sitter.Language(tree_sitter_c_sharp.language())


@lru_cache(maxsize=1)
def _parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(language())


def parse(data: bytes) -> Tree:
    return _parser().parse(data)


def text(node: Node) -> str:
    return node.text.decode("utf-8", "replace") if node.text is not None else ""


def walk(node: Node) -> Iterator[Node]:
    """Pre-order traversal of every named and anonymous node under (and including) `node`."""
    cursor = node.walk()
    reached_root = False
    while not reached_root:
        yield cursor.node
        if cursor.goto_first_child():
            continue
        if cursor.goto_next_sibling():
            continue
        while True:
            if not cursor.goto_parent() or cursor.node == node:
                reached_root = True
                break
            if cursor.goto_next_sibling():
                break


def descendants(node: Node, *types: str) -> Iterator[Node]:
    wanted = set(types)
    for n in walk(node):
        if n.type in wanted:
            yield n


def arguments(node: Node) -> list[Node]:
    """The argument expressions of an invocation or object creation (`name:`/`ref` prefixes dropped)."""
    arglist = node.child_by_field_name("arguments")
    if arglist is None:
        return []
    out = []
    for a in arglist.named_children:
        if a.type == "argument":
            exprs = [c for c in a.named_children if c.type != "comment"]
            if exprs:
                out.append(exprs[-1])
    return out


def ancestors(node: Node) -> Iterator[Node]:
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def first_ancestor(node: Node, *types: str) -> Node | None:
    wanted = set(types)
    for a in ancestors(node):
        if a.type in wanted:
            return a
    return None


@dataclass(frozen=True)
class SyntaxProblem:
    start_byte: int
    end_byte: int
    line: int  # 1-based
    column: int  # 1-based
    kind: str  # "ERROR" or "MISSING"

    def describe(self) -> str:
        where = f"syntax error at line {self.line}, column {self.column}"
        return where if self.kind == "ERROR" else where + " (missing token)"


def syntax_problems(tree: Tree) -> list[SyntaxProblem]:
    """ERROR and MISSING nodes, outermost first, in document order."""
    problems: list[SyntaxProblem] = []
    if not tree.root_node.has_error:
        return problems
    stack = [tree.root_node]
    while stack:
        n = stack.pop()
        if n.is_error or n.is_missing:
            problems.append(
                SyntaxProblem(n.start_byte, n.end_byte, n.start_point[0] + 1, n.start_point[1] + 1,
                              "ERROR" if n.is_error else "MISSING")
            )
            continue
        if n.has_error:
            stack.extend(reversed(n.children))
    problems.sort(key=lambda p: p.start_byte)
    return problems


def problem_near(tree: Tree, data: bytes, problems: list[SyntaxProblem], start: int, end: int) -> SyntaxProblem | None:
    """The parse error a change of bytes [start, end) could interact with: one inside the class member or
    statement the change is in, or within a line of it. The engine refuses such a change; the scan's fixable
    asks the same question."""
    if not problems:
        return None
    node = tree.root_node.descendant_for_byte_range(start, max(start, end - 1))
    container = first_ancestor(node, "class_declaration", "struct_declaration", "namespace_declaration") or tree.root_node
    lo = data.rfind(b"\n", 0, max(0, data.rfind(b"\n", 0, start)))
    hi = data.find(b"\n", data.find(b"\n", end) + 1)
    hi = len(data) if hi < 0 else hi
    for p in problems:
        if lo <= p.end_byte and p.start_byte <= hi:
            return p
        if container.type != "compilation_unit" and container.start_byte <= p.start_byte < container.end_byte:
            return p
    return None
