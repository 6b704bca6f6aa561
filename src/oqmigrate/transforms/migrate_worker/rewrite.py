"""Node-anchored replacements inside the code the job carries over, re-indenting and copying it."""

from __future__ import annotations

from oqmigrate import syntax
from oqmigrate.analyse.worker_facts import SCOPE_SOURCES, Replacement
from oqmigrate.edits import Edit
from oqmigrate.syntax import Node
from oqmigrate.transforms import emit
from oqmigrate.transforms.migrate_worker.rule import DEPENDENCY_INJECTION, RULE_ID
from oqmigrate.analyse.members import member_root

MULTILINE_TOKENS = ("verbatim_string_literal", "raw_string_literal", "interpolated_string_expression",
                    "string_literal")
SENTINEL = "\x00"  # stands for a newline inside a string literal while code is re-indented


class Rewriter:
    """Part of JobWriter: plans the replacements inside the kept code and renders original ranges with them.
    It reads (and extends) the state of the WorkerAnalysis it writes from."""

    def _plan_rewrites(self, helper_ids: set[int]) -> None:
        ranges = self._kept_ranges() + [(h.start_byte, h.end_byte) for h in self.helpers]
        # The token uses the job passes on (`analyse.lifecycle_notes._passed_tokens`: not a helper's own parameter
        # of the same name, not a cancellation check) become CancellationToken.None; the analysis noted them.
        passed = {n.id for n in self.plan.passed_tokens}
        for start, end in ranges:
            for n in syntax.nodes_within(self.root, start, end, "identifier", "member_access_expression", "using_statement",
                               "local_declaration_statement", "invocation_expression", "expression_statement",
                               "if_statement"):
                if self._is_deleted(n):
                    continue
                t = n.type
                if n.id in passed:
                    self._replace(n, "CancellationToken.None")
                    self.needs.add("System.Threading")
                elif t == "member_access_expression":
                    owner = syntax.text(n.child_by_field_name("expression"))
                    name = syntax.text(n.child_by_field_name("name"))
                    if owner in self.scope_names_for(n) and name == "ServiceProvider":
                        self._replace(n, "provider")
                elif t in ("using_statement", "local_declaration_statement"):
                    self._plan_scope(n)
                elif t in ("expression_statement", "if_statement") and self._is_cancellation_check(n):
                    self._delete_with_comments(n)
                elif t == "invocation_expression":
                    target = self._helper_target(n)
                    if target is not None and target.start_byte in self.needs_provider:
                        args = n.child_by_field_name("arguments")
                        open_paren = args.children[0]
                        extra = "provider" if len(args.named_children) == 0 else "provider, "
                        self._replace_range(open_paren.end_byte, open_paren.end_byte, extra)
        for start, end in ranges:
            for ref in self._field_refs(start, end):
                name = syntax.text(ref.child_by_field_name("name")) if ref.type == "member_access_expression" else syntax.text(ref)
                if name in self.resolved:
                    self._replace(ref, self.resolved[name])
        self._plan_outcomes()
        for h in self.helpers:
            if h.start_byte in self.needs_provider:
                params = h.child_by_field_name("parameters")
                extra = "IServiceProvider provider" + (", " if params.named_children else "")
                self._replace_range(params.children[0].end_byte, params.children[0].end_byte, extra)
                self.needs.add("System")
                fields = self.helper_fields.get(h.start_byte, [])
                if fields:
                    body = h.child_by_field_name("body")
                    # before the first statement the job keeps: one the rewrite deletes (`using var scope =
                    # _factory.CreateScope();`) would take the resolutions with it
                    stmts = [x for x in syntax.block_statements(body, comments=True) if not self._is_deleted(x)]
                    indent = self._line_indent(stmts[0].start_byte) if stmts else self.member_indent() + self.unit()
                    lines = "".join(self._resolution(f) + self.nl + indent for f in self._ordered(fields))
                    at = stmts[0].start_byte if stmts else body.children[0].end_byte
                    self._replace_range(at, at, lines)
                    self.needs.add(DEPENDENCY_INJECTION)

    def scope_names_for(self, n: Node) -> set[str]:
        return self.scope_names

    def _plan_scope(self, n: Node) -> None:
        decl = next((c for c in n.named_children if c.type == "variable_declaration"), None)
        if decl is None:
            return
        if n.type == "local_declaration_statement" and not any(c.type == "using" for c in n.children):
            return
        declarators = [d for d in decl.named_children if d.type == "variable_declarator"]
        if len(declarators) != 1:
            return
        d = declarators[0]
        value = d.named_children[-1] if len(d.named_children) > 1 else None
        if value is None or value.type != "invocation_expression":
            return
        fn = value.child_by_field_name("function")
        if fn.type != "member_access_expression" or syntax.text(fn.child_by_field_name("name")) not in (
                "CreateScope", "CreateAsyncScope"):
            return
        source = member_root(fn.child_by_field_name("expression"))
        if source not in self.fields or self.fields[source].simple_type not in SCOPE_SOURCES:
            return
        self.scope_names.add(syntax.text(d.named_children[0]))
        if n.type == "local_declaration_statement":
            self._delete_statement(n)
            return
        body = n.child_by_field_name("body")
        inner = syntax.block_statements(body, comments=True) if body.type == "block" else [body]
        indent = self._line_indent(n.start_byte)

        def render() -> str:
            parts = [self._render_piece(s.start, s.end, indent) for s in self._merge_comments(inner)]
            return (self.nl + indent).join(parts)
        self.replacements.append(Replacement(n.start_byte, n.end_byte, render=render))

    def _plan_outcomes(self) -> None:
        """`continue`, `break` and `return;` that left the old loop (or callback) return the outcome."""
        outcome = f"return {emit.completed(self.outcome_name)};"
        for n in self._loop_exits():
            self._replace(n, outcome)

    def _render(self, start: int, end: int) -> str:
        if any(s <= start and end <= e for s, e in self.deleted):
            return ""  # a statement the analysis took out (a pacing wait, a cancellation check)
        # insertions before replacements at the same offset; an outer replacement before the ones it contains
        reps = sorted((r for r in self.replacements if start <= r.start and r.end <= end),
                      key=lambda r: (r.start, r.end != r.start, -(r.end - r.start)))
        out = []
        pos = start
        for r in reps:
            if r.start < pos:
                continue
            out.append(self._copy(pos, r.start))
            out.append(r.render() if r.render is not None else r.text)
            pos = r.end
        out.append(self._copy(pos, end))
        return "".join(out)

    def _copy(self, start: int, end: int) -> str:
        chunk = self.data[start:end].decode("utf-8")
        if "\n" not in chunk:
            return chunk
        # newlines inside string literals must not be re-indented
        for n in syntax.nodes_within(self.node, start, end, *MULTILINE_TOKENS):
            if n.start_byte < start or n.end_byte > end or b"\n" not in self.data[n.start_byte:n.end_byte]:
                continue
            a = len(self.data[start:n.start_byte].decode("utf-8"))
            b = len(self.data[start:n.end_byte].decode("utf-8"))
            chunk = chunk[:a] + chunk[a:b].replace("\n", SENTINEL) + chunk[b:]
        return chunk

    def _render_piece(self, start: int, end: int, new_indent: str) -> str:
        old_indent = self._line_indent(start)
        text = self._render(start, end)
        return reindent(text, old_indent, new_indent)

    def _part_edits(self) -> list[Edit]:
        """Helpers in the other parts are rewritten where they are; members only the removed lifecycle used go."""
        edits: list[Edit] = []
        if not self.other_parts:
            return edits
        helper_ids = {h.start_byte for h in self.helpers}
        kept_ids = {f.declaration.start_byte for f in self.kept_fields}
        for body in self.other_parts:
            for m in body.named_children:
                if m.type == "method_declaration" and m.start_byte in helper_ids:
                    text = self._render(m.start_byte, m.end_byte).replace(SENTINEL, "\n")
                    if text != syntax.text(m):
                        edits.append(Edit(m.start_byte, m.end_byte, text, RULE_ID, "partial"))
                    continue
                if m.type == "method_declaration" and "partial" in {
                        syntax.text(c) for c in m.children if c.type == "modifier"}:
                    continue  # a partial method's declaration stays with its implementation
                gone = (m.type == "method_declaration" and m.start_byte in self.plan.removed_members) or \
                    (m.type == "field_declaration" and m.start_byte not in kept_ids)
                if gone:
                    edits.append(self._member_removal(m))
        return edits

    def _member_removal(self, m: Node) -> Edit:
        """Delete a member with its leading comments and attributes, and one blank line next to it."""
        start = self._leading_comments_start(m)
        data = self.data
        start = data.rfind(b"\n", 0, start) + 1
        end = data.find(b"\n", m.end_byte)
        end = len(data) if end < 0 else end + 1
        following = data.find(b"\n", end)
        if following >= 0 and not data[end:following].strip():
            end = following + 1  # the blank line after it
        elif start > 1 and not data[data.rfind(b"\n", 0, start - 1) + 1:start].strip():
            start = data.rfind(b"\n", 0, start - 1) + 1  # or before it
        return Edit(start, end, "", RULE_ID, "partial")


def reindent(text: str, old: str, new: str) -> str:
    lines = text.split("\n")
    out = [lines[0]]
    for line in lines[1:]:
        body = line.rstrip("\r")
        if not body.strip():
            out.append(line[len(body):] if line.endswith("\r") else "")
        elif line.startswith(old):
            out.append(new + line[len(old):])
        else:
            out.append(line)
    return "\n".join(out)



def blank_line_between(data: bytes, end: int, start: int) -> bool:
    gap = data[end:start]
    lines = gap.split(b"\n")
    return any(not l.strip() for l in lines[1:-1])
