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
    raw = node.text  # each read slices the source anew: read it once
    return raw.decode("utf-8", "replace") if raw is not None else ""


def walk(node: Node, types: frozenset[str] | None = None) -> Iterator[Node]:
    """Pre-order traversal of every named and anonymous node under (and including) `node`; with `types`, only
    the nodes of those types (one cursor loop either way)."""
    cursor = node.walk()
    n = cursor.node
    if types is None or n.type in types:
        yield n
    depth = 0  # how far the cursor is below `node`: it never leaves the subtree
    while True:
        if cursor.goto_first_child():
            depth += 1
        else:
            while depth and not cursor.goto_next_sibling():
                cursor.goto_parent()
                depth -= 1
            if not depth:
                return
        n = cursor.node
        if types is None or n.type in types:
            yield n


def descendants(node: Node, *types: str) -> Iterator[Node]:
    """The nodes of the given types under (and including) `node`, in document order."""
    return walk(node, frozenset(types))


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


LOOP_STATEMENTS = ("while_statement", "do_statement", "for_statement", "foreach_statement")
"""Every C# loop statement: what `break` and `continue` leave. (A loop that can poll is narrower:
`oqmigrate.analyse.drivers.POLLING_LOOPS`.)"""


def block_statements(block: Node | None, comments: bool = False) -> list[Node]:
    """The statements of a block, in order (comments only when asked); a lone statement (an `if` body without
    braces) as a list of one; [] for no node."""
    if block is None:
        return []
    if block.type != "block":
        return [block]
    return [c for c in block.named_children if comments or c.type != "comment"]


def operator(node: Node) -> str:
    """The operator of a binary, assignment or unary expression: `+=`, `&&`, `++`."""
    op = node.child_by_field_name("operator")
    if op is not None:
        return text(op)
    return text(node.children[1]) if len(node.children) > 1 else ""


def unparenthesized(node: Node) -> Node:
    """The expression inside any number of parentheses: `((x))` -> `x`."""
    while node.type == "parenthesized_expression" and node.named_children:
        node = node.named_children[0]
    return node


def identifiers(node: Node | None) -> list[str]:
    """The text of every identifier under `node`, in document order ([] for no node)."""
    if node is None:
        return []
    return [text(x) for x in descendants(node, "identifier")]


def one_line(node: Node) -> str:
    """A node's text on one line, cut to 80 characters: how a message quotes code."""
    t = " ".join(text(node).split())
    return t if len(t) <= 80 else t[:77] + "..."


def spaceless_text(node: Node) -> str:
    """A node's text with all white space removed: two spellings of the same code compare equal."""
    return "".join(text(node).split())


def nodes_within(root: Node, start: int, end: int, *types: str) -> Iterator[Node]:
    """The nodes of the given types under `root` that lie wholly inside the byte range [start, end), in
    document order; subtrees outside the range are not entered."""
    wanted = set(types)
    stack = [root]
    while stack:
        n = stack.pop()
        if n.end_byte <= start or n.start_byte >= end:
            continue
        if n.type in wanted and n.start_byte >= start and n.end_byte <= end:
            yield n
        stack.extend(reversed(n.children))


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
