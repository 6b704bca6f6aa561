"""Recording what the rewrite removes or replaces: byte-range replacements, deleted statements, pieces of work."""

from __future__ import annotations

from oqmigrate import syntax
from oqmigrate.syntax import Node
from oqmigrate.analyse.worker_facts import SCOPE_SOURCES, Piece, Replacement
from oqmigrate.analyse.members import member_root


class RecorderMixin:
    """Part of WorkerAnalysis (oqmigrate.analyse.worker); see there for the state it reads and writes."""

    def _replace(self, n: Node, text: str) -> None:
        self.replacements.append(Replacement(n.start_byte, n.end_byte, text=text))

    def _replace_range(self, start: int, end: int, text: str) -> None:
        self.replacements.append(Replacement(start, end, text=text))

    def _delete_statement(self, n: Node) -> None:
        """Remove a statement (or clause) together with its line when nothing else is on it."""
        start, end = n.start_byte, n.end_byte
        line_start = self.data.rfind(b"\n", 0, start) + 1
        line_end = self.data.find(b"\n", end)
        line_end = len(self.data) if line_end < 0 else line_end + 1
        before = self.data[line_start:start]
        after = self.data[end:line_end]
        if not before.strip() and not after.strip():
            start, end = line_start, line_end
        elif not after.strip():
            end = line_end - len(self.nl.encode()) if after.endswith(self.nl.encode()) else line_end
            start = start - (len(before) - len(before.rstrip()))
        self.deleted.append((n.start_byte, n.end_byte))
        self.replacements.append(Replacement(start, end, text=""))

    def _is_deleted(self, n: Node) -> bool:
        return any(s <= n.start_byte and n.end_byte <= e for s, e in self.deleted)

    def _line_indent(self, offset: int) -> str:
        line_start = self.data.rfind(b"\n", 0, offset) + 1
        line = self.data[line_start:offset].decode("utf-8")
        return line[: len(line) - len(line.lstrip())]

    def _merge_comments(self, stmts: list[Node]) -> list[Piece]:
        """Pieces, with a comment on the same line as the statement before it attached to that statement."""
        pieces: list[Piece] = []
        last_row = -1
        for s in stmts:
            if s.type == "comment" and pieces and s.start_point[0] == last_row:
                pieces[-1].end = s.end_byte
            else:
                pieces.append(Piece(s.start_byte, s.end_byte))
            last_row = s.end_point[0]
        return pieces

    def _pieces(self, stmts: list[Node]) -> list[Piece]:
        out: list[Piece] = []
        for p in self._merge_comments(stmts):
            node = self._node_at(p.start)
            if node is not None and self._is_deleted(node):
                continue  # a wait or check the analysis already took out
            if node is not None and node.type == "using_statement" and self._scope_using(node):
                body = node.child_by_field_name("body")
                inner = syntax.block_statements(body, comments=True) if body.type == "block" else [body]
                self._scope_using(node)
                out.extend(self._pieces(inner))
                continue
            if node is not None and node.type == "local_declaration_statement" and self._scope_using(node):
                continue
            if node is not None and node.type == "block":
                out.extend(self._pieces(syntax.block_statements(node, comments=True)))
                continue
            out.append(p)
        return out

    def _node_at(self, start: int) -> Node | None:
        n = self.root.descendant_for_byte_range(start, start)
        while n is not None and n.parent is not None and n.parent.start_byte == start and n.parent.type not in (
                "block", "declaration_list"):
            n = n.parent
        return n

    def _scope_using(self, n: Node) -> bool:
        """Is this `using (var scope = _factory.CreateScope())` / `using var scope = …;`? Records the scope name."""
        decl = next((c for c in n.named_children if c.type == "variable_declaration"), None)
        if decl is None:
            return False
        if n.type == "local_declaration_statement" and not any(c.type == "using" for c in n.children):
            return False
        ds = [d for d in decl.named_children if d.type == "variable_declarator"]
        if len(ds) != 1 or len(ds[0].named_children) < 2:
            return False
        value = ds[0].named_children[-1]
        if value.type != "invocation_expression":
            return False
        fn = value.child_by_field_name("function")
        if fn.type != "member_access_expression" or syntax.text(fn.child_by_field_name("name")) not in (
                "CreateScope", "CreateAsyncScope"):
            return False
        source = member_root(fn.child_by_field_name("expression"))
        f = self.fields.get(source)
        if f is None or f.simple_type not in SCOPE_SOURCES:
            return False
        self.scope_names.add(syntax.text(ds[0].named_children[0]))
        self.deleted.append((fn.start_byte, fn.end_byte))
        return True

    def _comments_above(self, st: Node) -> list[Node]:
        """Comments on their own lines directly above `st` (no blank line between): they describe it."""
        out = []
        row = st.start_point[0]
        prev = st.prev_named_sibling
        while prev is not None and prev.type == "comment" and prev.end_point[0] == row - 1 and \
                not self._trailing_comment(prev):
            out.append(prev)
            row = prev.start_point[0]
            prev = prev.prev_named_sibling
        return out

    def _trailing_comment(self, comment: Node) -> bool:
        prev = comment.prev_sibling
        return prev is not None and prev.end_point[0] == comment.start_point[0]

    def _leading_comments_start(self, member: Node) -> int:
        """Where a member starts together with the comments on the lines just above it."""
        start = member.start_byte
        prev = member.prev_named_sibling
        while prev is not None and prev.type == "comment" and prev.end_point[0] < member.start_point[0] and \
                not self._trailing_comment(prev):
            start = prev.start_byte
            prev = prev.prev_named_sibling
        return start
