"""Layout helpers for codemods that edit an existing job in place: the indentation of a line, the file's brace
style, re-indenting a range of statements one level deeper (never inside a multi-line string literal), and the
names a new `catch` may use. The file's own style (indent unit, newline, tabs) comes from the TransformContext.
"""

from __future__ import annotations

from oqmigrate import syntax
from oqmigrate.syntax import Node

MULTILINE_LITERALS = ("verbatim_string_literal", "raw_string_literal", "interpolated_string_expression",
                      "string_literal")


def line_start(data: bytes, offset: int) -> int:
    return data.rfind(b"\n", 0, offset) + 1


def line_indent(data: bytes, offset: int) -> str:
    """The whitespace that starts the line holding `offset`."""
    start = line_start(data, offset)
    end = start
    while end < len(data) and data[end:end + 1] in (b" ", b"\t"):
        end += 1
    return data[start:end].decode("utf-8")


def starts_line(data: bytes, offset: int) -> bool:
    """Only whitespace between the start of the line and `offset`."""
    return not data[line_start(data, offset):offset].strip(b" \t")


def same_line(data: bytes, a: int, b: int) -> bool:
    return b"\n" not in data[min(a, b):max(a, b)]


def brace_on_own_line(data: bytes, block: Node | None) -> bool:
    """Allman (`{` on a line of its own) rather than K&R, judged from one block's opening brace."""
    if block is None or not block.children:
        return True
    return starts_line(data, block.children[0].start_byte)


def indent_lines(data: bytes, root: Node, start: int, end: int, unit: str,
                 replacements: list[tuple[int, int, str]] = ()) -> str:
    """The text of [start, end) with `replacements` (start, end, text) applied and `unit` added at the start of
    every non-blank line — except lines that begin inside a multi-line string literal, whose text is data.
    `start` must be the start of a line."""
    inside = [(n.start_byte, n.end_byte) for n in syntax.descendants(root, *MULTILINE_LITERALS)
              if n.start_byte < end and n.end_byte > start and b"\n" in data[n.start_byte:n.end_byte]]
    inside += [(a, b) for a, b, _ in replacements]
    starts = [start] + [i + 1 for i in range(start, end) if data[i:i + 1] == b"\n" and i + 1 < end]
    insertions = []
    for s in starts:
        nl = data.find(b"\n", s)
        line = data[s:nl if nl >= 0 else len(data)]
        if line.strip() and not any(a < s < b for a, b in inside):
            insertions.append((s, s, unit))
    return apply_inside(data, start, end, [*insertions, *replacements])


def apply_inside(data: bytes, start: int, end: int, replacements: list[tuple[int, int, str]]) -> str:
    """The text of [start, end) with the replacements that lie inside it applied."""
    out, pos = [], start
    for a, b, t in sorted(r for r in replacements if start <= r[0] and r[1] <= end):
        out.append(data[pos:a].decode("utf-8"))
        out.append(t)
        pos = b
    out.append(data[pos:end].decode("utf-8"))
    return "".join(out)


def free_name(scope: Node, preferred: tuple[str, ...] = ("ex", "exception")) -> str:
    """A local name not used anywhere in `scope`."""
    used = {syntax.text(i) for i in syntax.descendants(scope, "identifier")}
    for name in preferred:
        if name not in used:
            return name
    n = 2
    while f"ex{n}" in used:
        n += 1
    return f"ex{n}"


def exception_type(root: Node) -> str:
    """`Exception` when the file imports System, else the qualified name."""
    for d in syntax.descendants(root, "using_directive"):
        named = [c for c in d.named_children]
        if len(named) == 1 and syntax.text(named[0]) == "System" and not any(
                syntax.text(c) in ("static", "=") for c in d.children):
            return "Exception"
    return "System.Exception"
