"""Text surgery inside an existing job, shared by the codemods that edit jobs in place (guard-execution,
declare-metadata, unwrap-tenant-loop, drop-state, persist-state): the indentation of a line, the file's brace style,
re-indenting a range one level deeper or further out (never inside a multi-line string literal), deleting whole
statements with their lines (and the blank line they leave behind), and the names a new `catch` may use.

Every function works on the UTF-8 bytes the tree was parsed from and returns byte offsets or text; the file's own
newlines (CRLF included) and indentation characters are kept, because untouched lines are copied as bytes.
"""

from __future__ import annotations

from typing import Iterable

from oqmigrate import syntax
from oqmigrate.edits import Edit
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


def line_end(data: bytes, pos: int) -> int:
    """The offset after the newline that ends the line holding `pos` (the file's end on the last line)."""
    i = data.find(b"\n", pos)
    return len(data) if i < 0 else i + 1


def indent_of(data: bytes, node: Node) -> str:
    return data[line_start(data, node.start_byte):node.start_byte].decode("utf-8", "replace")


def alone_on_lines(data: bytes, node: Node) -> bool:
    """Nothing but whitespace before the node on its first line, and whitespace or a line comment (which goes
    with it) after it on its last line."""
    before = data[line_start(data, node.start_byte):node.start_byte]
    after = data[node.end_byte:line_end(data, node.end_byte)].strip()
    return not before.strip() and (not after or (after.startswith(b"//") and b"*/" not in after))


def _blank(line: bytes) -> bool:
    return not line.strip()


def removal_edits(data: bytes, nodes: Iterable[Node], rule_id: str, note: str) -> list[Edit]:
    """Edits deleting each node's whole lines (the nodes must be `alone_on_lines`); adjacent deletions are merged,
    and a blank line left at the start or end of a block, or doubled, goes with them."""
    ranges = sorted((line_start(data, n.start_byte), line_end(data, n.end_byte)) for n in nodes)
    merged: list[list[int]] = []
    for s, e in ranges:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
            continue
        # only blank lines between two deletions: one deletion
        if merged and all(_blank(l) for l in data[merged[-1][1]:s].split(b"\n")[:-1]):
            merged[-1][1] = e
            continue
        merged.append([s, e])
    out = []
    for s, e in merged:
        prev = data[line_start(data, s - 1):s] if s > 0 else b"{"
        nxt = data[e:line_end(data, e)] if e < len(data) else b"}"
        if nxt and _blank(nxt) and (_blank(prev) or prev.rstrip().endswith(b"{")):
            e = line_end(data, e)
        elif _blank(prev) and s > 0 and nxt.strip().startswith(b"}"):
            s = line_start(data, s - 1)
        out.append(Edit(s, e, "", rule_id, note))
    return out


def block_content(data: bytes, block: Node) -> tuple[int, int] | None:
    """(start, end) of the lines between a block's braces, when each brace is last / first on its line."""
    if block.type != "block":
        return None
    start = line_end(data, block.start_byte)
    end = line_start(data, block.end_byte - 1)
    if data[block.start_byte + 1:start].strip() or data[end:block.end_byte - 1].strip() or start > end:
        return None
    return start, end


def dedent(text: str, old: str, new: str) -> str | None:
    """Every line starting with `old` starts with `new` instead; blank lines lose their whitespace. None when a
    non-blank line does not start with `old` (the block is not indented as the caller assumed)."""
    out = []
    for line in text.split("\n"):
        body = line.rstrip("\r")
        if not body.strip():
            out.append(line[len(body):])
        elif line.startswith(old):
            out.append(new + line[len(old):])
        else:
            return None
    return "\n".join(out)


def apply_edits_inside(data: bytes, start: int, end: int, edits: Iterable[Edit]) -> str:
    """The text of data[start:end] with edits (offsets into `data`, all inside the range) applied."""
    chunk = data[start:end]
    for e in sorted(edits, key=lambda e: e.start_byte, reverse=True):
        chunk = chunk[:e.start_byte - start] + e.new_text.encode("utf-8") + chunk[e.end_byte - start:]
    return chunk.decode("utf-8")


def spans_lines_inside_literal(block: Node) -> bool:
    """A string literal over several lines: re-indenting the block would change its value."""
    for n in syntax.descendants(block, "verbatim_string_literal", "raw_string_literal", "string_literal",
                                "interpolated_string_expression"):
        if n.start_point[0] != n.end_point[0]:
            return True
    return False
