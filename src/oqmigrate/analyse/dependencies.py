"""Fields the unit of work uses: services resolved per run, constants kept, state that blocks."""

from __future__ import annotations

from oqmigrate import syntax
from oqmigrate.analyse.members import LOGGER_TYPES, is_param, write_statement
from oqmigrate.analyse.blockers import Blocked, BlockerKind
from oqmigrate.syntax import Node
from oqmigrate.analyse.worker_facts import SCOPE_SOURCES, Field
from oqmigrate.analyse.expressions import awaited, has_effects
from oqmigrate.analyse.names import is_member_name, job_local_name


class DependenciesMixin:
    """Part of WorkerAnalysis (oqmigrate.analyse.worker); see there for the state it reads and writes."""

    def _ordered(self, names: list[str]) -> list[str]:
        order = list(self.fields)
        return sorted(set(names), key=order.index)

    def _check_dependency_sources(self) -> None:
        """Every dependency the job resolves can be written as an expression over `provider`: its constructor
        value reads only constructor parameters, and a helper that resolves services has a block to do it in.
        Checked in the order the job writes the resolutions (helpers, then loggers, then the other fields)."""
        for h in self.helpers:
            fields = self.helper_fields.get(h.start_byte, []) if h.start_byte in self.needs_provider else []
            if not fields:
                continue
            body = h.child_by_field_name("body")
            if body is None or body.type != "block":
                raise Blocked(BlockerKind.UNSUPPORTED_MEMBER,
                              f"expression-bodied helper {syntax.text(h.child_by_field_name('name'))} uses "
                              "services: give it a block body first")
            for name in self._ordered(fields):
                self._check_dependency_source(self.fields[name])
        ordered = self._ordered(self.direct_fields)
        loggers = [f for f in ordered if self.fields[f].simple_type in LOGGER_TYPES]
        for name in loggers + [f for f in ordered if f not in loggers]:
            self._check_dependency_source(self.fields[name])

    def _check_dependency_source(self, f: Field) -> None:
        params = {syntax.text(p.child_by_field_name("name")) for p in self._parameters()}
        for n in syntax.descendants(f.ctor_value, "identifier"):
            nm = syntax.text(n)
            if is_member_name(n) or n.parent.type in ("type_argument_list", "generic_name") or nm in params:
                continue
            if nm in self.fields or nm == "this":
                raise Blocked(BlockerKind.COMPUTED_DEPENDENCY,
                              f"field {f.name} is computed from other members of the worker")

    def _kept_ranges(self) -> list[tuple[int, int]]:
        return [(p.start, p.end) for p in self.plan.pieces]

    def _field_refs(self, start: int, end: int) -> list[Node]:
        out = []
        for n in self._nodes_within(self.root, start, end, "identifier"):
            if self._is_deleted(n):
                continue
            name = syntax.text(n)
            if name not in self.fields:
                continue
            parent = n.parent
            if parent.type == "member_access_expression" and parent.child_by_field_name("name") == n:
                if syntax.text(parent.child_by_field_name("expression")) != "this":
                    continue
                out.append(parent)
                continue
            if parent.type == "variable_declarator" and parent.named_children[0] == n:
                continue
            out.append(n)
        return out

    def _plan_dependencies(self) -> None:
        self.resolved: dict[str, str] = {}  # field -> local name
        self.direct_fields: list[str] = []  # fields used by the unit of work itself, in declaration order
        self.helper_fields: dict[int, list[str]] = {}
        self.kept_fields: list[Field] = []
        self._remove_write_only_state()
        ranges = [(p.start, p.end, None) for p in self.plan.pieces] + \
                 [(h.start_byte, h.end_byte, h.start_byte) for h in self.helpers]
        used_by: dict[str, set] = {}
        for start, end, owner in ranges:
            for ref in self._field_refs(start, end):
                name = syntax.text(ref.child_by_field_name("name")) if ref.type == "member_access_expression" else syntax.text(ref)
                used_by.setdefault(name, set()).add(owner)
        order = list(self.fields)
        for name in order:
            if name not in used_by:
                continue
            f = self.fields[name]
            if f.simple_type in SCOPE_SOURCES and self._only_creates_scopes(name):
                continue
            if f.is_constant and f.ctor_value is None:
                if f.declaration not in [k.declaration for k in self.kept_fields]:
                    self.kept_fields.append(f)
                continue
            if f.is_plumbing:
                raise Blocked(BlockerKind.PLUMBING_IN_WORK, f"the unit of work uses the {f.simple_type} field {name}")
            if f.ctor_value is None or self._written_outside_ctor(name):
                raise Blocked(BlockerKind.STATE_BETWEEN_RUNS,
                              f"state carried between runs in field {name}: it needs persistent storage")
            if f.simple_type == "IServiceProvider" and is_param(f.ctor_value, self._parameters()):
                self.resolved[name] = "provider"
                continue
            self.resolved[name] = job_local_name(name)
            for owner in used_by[name]:
                if owner is None:
                    self.direct_fields.append(name)
                else:
                    self.helper_fields.setdefault(owner, []).append(name)
        self.needs_provider = {h.start_byte for h in self.helpers if self._helper_needs_provider(h)}
        # helpers that call helpers needing the provider need it too
        changed = True
        while changed:
            changed = False
            for h in self.helpers:
                if h.start_byte in self.needs_provider:
                    continue
                for n in self._nodes_within(h, h.start_byte, h.end_byte, "invocation_expression"):
                    target = self._helper_target(n)
                    if target is not None and target.start_byte in self.needs_provider:
                        self.needs_provider.add(h.start_byte)
                        changed = True
                        break
        declared = self._declared_names()
        for name, local in self.resolved.items():
            if local != "provider" and local in declared:
                raise Blocked(BlockerKind.NAME_CLASH, f"the local name {local} for field {name} is already taken")

    def _remove_write_only_state(self) -> None:
        """A field the worker only ever writes (`_runCount++;`, `_lastRun = DateTime.UtcNow;`) carries nothing
        anyone reads: the writes go with it. A write whose value is a call keeps the call."""
        kept = [(p.start, p.end) for p in self.plan.pieces] + [(h.start_byte, h.end_byte) for h in self.helpers]
        for name, f in self.fields.items():
            if f.declaration.type != "field_declaration" or f.is_plumbing or "const" in f.modifiers:
                continue
            writes = self._write_only_statements(name)
            if not writes:
                continue
            in_work = [w for w in writes if any(s <= w.start_byte and w.end_byte <= e for s, e in kept)]
            outside_ctor = [w for w in writes if self.ctor is None or not (
                self.ctor.start_byte <= w.start_byte < self.ctor.end_byte)]
            if not in_work or len(in_work) != len(outside_ctor):
                continue
            for st in in_work:
                expr = st.named_children[0]
                value = expr.child_by_field_name("right") if expr.type == "assignment_expression" else None
                if value is not None and has_effects(value):
                    call = awaited(value)
                    if call.type != "invocation_expression" or any(
                            n.type in ("assignment_expression", "object_creation_expression") for n in
                            syntax.walk(value)):
                        raise Blocked(BlockerKind.STATE_BETWEEN_RUNS,
                                      f"state carried between runs in field {name}: it needs persistent storage")
                    left_end = value.start_byte
                    self.deleted.append((st.start_byte, left_end))
                    self._replace_range(st.start_byte, left_end, "")
                    continue
                piece = next((p for p in self.plan.pieces if p.start == st.start_byte), None)
                if piece is not None:
                    self.plan.pieces.remove(piece)
                    self.deleted.append((st.start_byte, st.end_byte))
                else:
                    self._delete_statement(st)
            self.notes.append(f"the field {name} was only written, never read: it and its writes were removed")

    def _write_only_statements(self, name: str) -> list[Node] | None:
        """The statements writing the field when nothing else reads it (a write may read the field itself:
        `_count = _count + 1`), else None."""
        writes: dict[int, Node] = {}
        for n in self._identifiers_named(name):
            if syntax.text(n) != name:
                continue
            ref = n
            if is_member_name(n):
                if n.parent.type != "member_access_expression" or syntax.text(
                        n.parent.child_by_field_name("expression")) != "this":
                    continue
                ref = n.parent
            if ref.parent.type == "variable_declarator" and ref.parent.named_children[0] == ref:
                if syntax.first_ancestor(ref, "field_declaration") is not None:
                    continue
                return None  # a local of the same name: leave the decision to the reader
            st = write_statement(ref)
            if st is None:
                # a read is allowed only inside a write of the field itself (its target comes first)
                if not any(w.start_byte <= ref.start_byte < w.end_byte for w in writes.values()):
                    return None
                continue
            writes[st.start_byte] = st
        return sorted(writes.values(), key=lambda w: w.start_byte)

    def _only_creates_scopes(self, name: str) -> bool:
        refs = [r for s, e in self._kept_ranges() + [(h.start_byte, h.end_byte) for h in self.helpers]
                for r in self._field_refs(s, e)]
        for r in refs:
            nm = syntax.text(r.child_by_field_name("name")) if r.type == "member_access_expression" else syntax.text(r)
            if nm != name:
                continue
            if not self._scope_creation(r):
                return False
        return True

    def _scope_creation(self, ref: Node) -> Node | None:
        """`ref.CreateScope()` inside `using (var s = …)` or `using var s = …;` → the using node."""
        parent = ref.parent
        if parent.type != "member_access_expression" or syntax.text(parent.child_by_field_name("name")) not in (
                "CreateScope", "CreateAsyncScope"):
            return None
        inv = parent.parent
        if inv.type != "invocation_expression":
            return None
        decl = syntax.first_ancestor(inv, "variable_declarator")
        holder = syntax.first_ancestor(inv, "using_statement", "local_declaration_statement")
        if decl is None or holder is None:
            return None
        if holder.type == "local_declaration_statement" and not any(c.type == "using" for c in holder.children):
            return None
        return holder

    def _written_outside_ctor(self, name: str) -> bool:
        for n in (x for t in ("assignment_expression", "postfix_unary_expression", "prefix_unary_expression")
                  for x in self._class_nodes(t)):
            target = n.child_by_field_name("left") if n.type == "assignment_expression" else n.named_children[0]
            if target is None:
                continue
            t = syntax.text(target)
            if t in (name, "this." + name):
                if self.ctor is None or not (self.ctor.start_byte <= n.start_byte < self.ctor.end_byte):
                    return True
        return False

    def _helper_needs_provider(self, h: Node) -> bool:
        if self.helper_fields.get(h.start_byte):
            return True
        for n in self._nodes_within(h, h.start_byte, h.end_byte, "identifier"):
            if syntax.text(n) in self.fields and self.fields[syntax.text(n)].simple_type in SCOPE_SOURCES:
                return True
        return False

    def _helper_target(self, inv: Node) -> Node | None:
        fn = inv.child_by_field_name("function")
        name = syntax.text(fn)
        if fn.type == "member_access_expression" and syntax.text(fn.child_by_field_name("expression")) == "this":
            name = syntax.text(fn.child_by_field_name("name"))
        for h in self.helpers:
            if syntax.text(h.child_by_field_name("name")) == name:
                return h
        return None

    def _declared_names(self) -> set[str]:
        names = set()
        for s, e in self._kept_ranges():
            for n in self._nodes_within(self.root, s, e, "variable_declarator", "parameter", "foreach_statement",
                               "catch_declaration"):
                nm = n.child_by_field_name("name") or (n.named_children[0] if n.named_children else None)
                if nm is not None and nm.type == "identifier":
                    names.add(syntax.text(nm))
        return names
