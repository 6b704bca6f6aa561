"""Partial workers: a partial class is analysed when all its parts are in the file."""

from __future__ import annotations

from oqmigrate import syntax
from oqmigrate.analyse.blockers import Blocked, BlockerKind
from oqmigrate.syntax import Node
from oqmigrate.analyse.worker_facts import LIFECYCLE
from oqmigrate.model import ClassInfo
from oqmigrate.transforms import TransformContext
from oqmigrate.analyse.names import is_member_name


def parts_of(ctx: TransformContext, info: ClassInfo) -> list[ClassInfo]:
    """The parts of a partial class declared in this file (same name, namespace and enclosing class)."""
    return [c for c in ctx.model.classes if c.is_partial and c.name == info.name and c.namespace == info.namespace
            and c.outer == info.outer]


class PartsMixin:
    """Part of WorkerAnalysis (oqmigrate.analyse.worker); see there for the state it reads and writes."""

    def _check_parts(self) -> None:
        """A partial worker is migrated only when all its parts are in this file (as far as the file can tell):
        one part carries the base list, the constructor and the lifecycle; the others hold helpers and constants."""
        parts = parts_of(self.ctx, self.info)
        if len(parts) < 2:
            raise Blocked(BlockerKind.PARTIAL_PARTS_ELSEWHERE,
                          "partial class: its other parts are in other files, which this migration cannot see")
        if not self.info.bases:
            raise Blocked(BlockerKind.PARTIAL_PARTS_ELSEWHERE,
                          "partial class: the part with the base list is in another file")
        if sum(1 for p in parts if p.bases) > 1:
            raise Blocked(BlockerKind.PARTIAL_PARTS_ELSEWHERE, "partial class: several parts declare base lists")
        for p in parts:
            if p.node == self.node:
                continue
            if p.body is None or p.primary_parameters is not None or any(
                    c.type in ("type_parameter_list", "type_parameter_constraints_clause") for c in p.node.named_children):
                raise Blocked(BlockerKind.PARTIAL_PARTS_ELSEWHERE,
                              "partial class: another part has a different shape: " + syntax.one_line(p.name_node))
            for m in p.body.named_children:
                if m.type == "constructor_declaration":
                    raise Blocked(BlockerKind.PARTIAL_PARTS_ELSEWHERE,
                                  "partial class: the constructor is not in the part with the base list")
                if m.type == "method_declaration" and syntax.text(m.child_by_field_name("name")) in LIFECYCLE:
                    raise Blocked(BlockerKind.PARTIAL_PARTS_ELSEWHERE,
                                  "partial class: the lifecycle is split over several parts: "
                                  + syntax.text(m.child_by_field_name("name")))
            self.other_parts.append(p.body)
        self.bodies = [self.body] + self.other_parts

    def _check_parts_complete(self) -> None:
        """Signs of a part in another file: a partial method without its implementation here, or a member used
        in the class that no part in this file declares."""
        declared = set(self.fields) | set(self.methods)
        partial_methods: dict[str, int] = {}
        for m in self._members():
            nm = m.child_by_field_name("name")
            if nm is not None and m.type != "method_declaration":
                declared.add(syntax.text(nm))
            for d in syntax.descendants(m, "variable_declarator"):
                declared.add(syntax.text(d.named_children[0]))
            if m.type == "method_declaration" and "partial" in {syntax.text(c) for c in m.children
                                                                if c.type == "modifier"}:
                key = syntax.text(m.child_by_field_name("name"))
                partial_methods[key] = partial_methods.get(key, 0) | (2 if m.child_by_field_name("body") else 1)
        for name, seen in partial_methods.items():
            if seen != 3:
                raise Blocked(BlockerKind.PARTIAL_PARTS_ELSEWHERE,
                              f"partial class: the partial method {name} has no implementation in this file; "
                              "another part may be in another file")
        local = set()
        for body in self.bodies:
            for n in syntax.descendants(body, "parameter", "local_function_statement", "foreach_statement",
                                        "catch_declaration", "variable_declarator"):
                nm = n.child_by_field_name("name") or (n.named_children[0] if n.named_children else None)
                if nm is not None and nm.type == "identifier":
                    local.add(syntax.text(nm))
                if n.type == "lambda_expression":
                    pass
            for lam in syntax.descendants(body, "lambda_expression"):
                first = lam.named_children[0] if lam.named_children else None
                if first is not None and first.type == "identifier":
                    local.add(syntax.text(first))
        for body in self.bodies:
            for n in syntax.descendants(body, "invocation_expression", "member_access_expression", "identifier"):
                name = None
                if n.type == "invocation_expression":
                    fn = n.child_by_field_name("function")
                    if fn.type == "identifier":
                        name = syntax.text(fn)
                elif n.type == "member_access_expression":
                    if syntax.text(n.child_by_field_name("expression")) == "this":
                        name = syntax.text(n.child_by_field_name("name"))
                elif syntax.text(n).startswith("_") and not is_member_name(n) and n.parent.type not in (
                        "variable_declarator", "parameter"):
                    name = syntax.text(n)
                if name is None or name in declared or name in local or name in ("nameof", "_"):
                    continue
                raise Blocked(BlockerKind.PARTIAL_PARTS_ELSEWHERE,
                              f"partial class: {name} is not declared in this file; another part may be in another "
                              "file")

    def _in_main_part(self, member: Node) -> bool:
        return self.body.start_byte <= member.start_byte < self.body.end_byte
