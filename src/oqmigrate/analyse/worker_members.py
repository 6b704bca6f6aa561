"""The worker's members: fields, the constructor, methods, logging and which members the job keeps."""

from __future__ import annotations

from oqmigrate import syntax
from oqmigrate.analyse.members import (LOGGER_TYPES, assigned_field, assignment, initializer, member_root, modifiers,
                                       strip_null_guard)
from oqmigrate.analyse.blockers import Blocked, BlockerKind
from oqmigrate.syntax import Node
from oqmigrate.analyse.worker_facts import LOG_METHODS, Field
from oqmigrate.model import expand_alias
from oqmigrate.analyse.expressions import awaited, has_effects
from oqmigrate.analyse.names import is_member_name


class MembersMixin:
    """Part of WorkerAnalysis (oqmigrate.analyse.worker); see there for the state it reads and writes."""

    def _members(self):
        for body in self.bodies:
            yield from body.named_children

    def _collect_members(self) -> None:
        # A primary constructor's parameters (C# 12) are in scope in the whole class: each one is treated like a
        # field the constructor assigned from that parameter; fields initialised from them likewise.
        primary = self.info.primary_parameters
        self.parameters: list[Node] = []
        if primary is not None:
            self.parameters = [p for p in primary.named_children if p.type == "parameter"]
            for p in self.parameters:
                name = p.child_by_field_name("name")
                ptype = p.child_by_field_name("type")
                if ptype is None or any(c.type == "modifier" for c in p.children):
                    raise Blocked(BlockerKind.UNSUPPORTED_MEMBER,
                                  "primary constructor parameter without a plain type: " + syntax.one_line(p))
                self.fields[syntax.text(name)] = Field(syntax.text(name), syntax.text(ptype), p, None, frozenset(),
                                                        ctor_value=name)
        primary_names = set(self.fields)
        for m in self._members():
            if m.type == "field_declaration":
                mods = modifiers(m)
                decl = next((c for c in m.named_children if c.type == "variable_declaration"), None)
                if decl is None:
                    continue
                ftype = syntax.text(decl.child_by_field_name("type"))
                for d in decl.named_children:
                    if d.type != "variable_declarator":
                        continue
                    name = syntax.text(d.child_by_field_name("name"))
                    init = initializer(d)
                    if name in primary_names:
                        raise Blocked(BlockerKind.UNSUPPORTED_MEMBER,
                                      f"the field {name} has the name of a primary constructor parameter")
                    if init is not None and set(syntax.identifiers(init)) & primary_names:
                        self.fields[name] = Field(name, ftype, m, None, mods - {"const"},
                                                   ctor_value=strip_null_guard(init))
                        continue
                    self.fields[name] = Field(name, ftype, m, init, mods)
            elif m.type == "property_declaration" and _dependency_property(m):
                # `public IIndexer Indexer { get; }`, assigned once by the constructor: a dependency like a field
                name = syntax.text(m.child_by_field_name("name"))
                mods = modifiers(m) | {"readonly"}
                self.fields[name] = Field(name, syntax.text(m.child_by_field_name("type")), m, None, mods)
            elif m.type == "property_declaration" and self._constant_property(m) is not None:
                self.constant_properties[syntax.text(m.child_by_field_name("name"))] = self._constant_property(m)
            elif m.type == "method_declaration":
                self.methods.setdefault(syntax.text(m.child_by_field_name("name")), []).append(m)
            elif m.type == "constructor_declaration":
                if "static" in modifiers(m):
                    raise Blocked(BlockerKind.UNSUPPORTED_MEMBER, "static constructor")
                if self.ctor is not None or primary is not None:
                    raise Blocked(BlockerKind.UNSUPPORTED_MEMBER, "several constructors")
                self.ctor = m
        for f in self.fields.values():
            f.resolved_type = expand_alias(f.type, self.aliases)
        if self.ctor is not None:
            self._read_constructor()

    def _constant_property(self, m: Node) -> Node | None:
        """`TimeSpan Interval => TimeSpan.FromSeconds(5);`: an expression-bodied property whose value only computes
        → its value (a constant the cadence may read), else None."""
        arrow = next((c for c in m.named_children if c.type == "arrow_expression_clause"), None)
        if arrow is None or not arrow.named_children:
            return None
        value = arrow.named_children[0]
        if has_effects(value) or any(syntax.text(n) in self.fields or syntax.text(n) == "this"
                                        for n in syntax.descendants(value, "identifier") if not is_member_name(n)):
            return None
        return value

    def _type_name(self, node: Node | None) -> str:
        """A type as written, with a using alias expanded (`Tick` → `System.Threading.Timer`)."""
        return expand_alias(syntax.text(node), self.aliases) if node is not None else ""

    def _read_constructor(self) -> None:
        init = next((c for c in self.ctor.named_children if c.type == "constructor_initializer"), None)
        if init is not None and syntax.text(init).replace(" ", "").split("(")[0] != ":base":
            raise Blocked(BlockerKind.UNSUPPORTED_MEMBER, "constructor chains to another constructor")
        body = self.ctor.child_by_field_name("body")
        if body is None:
            raise Blocked(BlockerKind.UNSUPPORTED_MEMBER, "expression-bodied constructor")
        stmts = [body] if body.type == "arrow_expression_clause" else syntax.block_statements(body)  # `=> _f = f;`
        for st in stmts:
            target = assigned_field(st)
            if target is not None and target in self.fields:
                value = strip_null_guard(assignment(st).child_by_field_name("right"))
                f = self.fields[target]
                f.ctor_value, f.ctor_statement = value, st
                continue
            if self._is_logging(st) or self._is_timer_setup(st):
                continue
            raise Blocked(BlockerKind.LIFECYCLE_WORK,
                          "the constructor does more than store its dependencies: " + syntax.one_line(st))

    def _is_timer_setup(self, st: Node) -> bool:
        """`_timer.Elapsed += OnElapsed;`, `_timer.AutoReset = true;`, `_timer.Start();` and the like."""
        names = syntax.identifiers(st)
        return any(n in self.fields and self.fields[n].is_plumbing for n in names)

    def _is_logging(self, st: Node) -> bool:
        """`_logger.LogX(…);`, or such calls guarded by `if (_logger.IsEnabled(LogLevel.X)) { … }`."""
        if st.type == "if_statement" and st.child_by_field_name("alternative") is None:
            if not self._is_log_level_check(st.child_by_field_name("condition")):
                return False
            inner = syntax.block_statements(st.child_by_field_name("consequence"))
            return bool(inner) and all(self._is_logging(s) for s in inner)
        if st.type != "expression_statement":
            return False
        return self._is_log_call(st.named_children[0] if st.named_children else None)

    def _is_log_level_check(self, cond: Node | None) -> bool:
        """`_logger.IsEnabled(LogLevel.Debug)` (possibly several joined with && or ||)."""
        if cond is None:
            return False
        cond = syntax.unparenthesized(cond)
        if cond.type == "binary_expression" and syntax.operator(cond) in ("&&", "||"):
            return all(self._is_log_level_check(cond.child_by_field_name(k)) for k in ("left", "right"))
        if cond.type != "invocation_expression":
            return False
        fn = cond.child_by_field_name("function")
        if fn is None or fn.type != "member_access_expression" or \
                syntax.text(fn.child_by_field_name("name")) != "IsEnabled":
            return False
        f = self.fields.get(member_root(fn.child_by_field_name("expression")))
        return f is not None and f.simple_type in LOGGER_TYPES

    def _is_lifecycle_logging(self, st: Node) -> bool:
        """Before or after the loop: logging, or `stoppingToken.Register(() => _logger.LogX(…));` — a log line
        written when the host stops, also together under one `IsEnabled` check. Jobs have no start or stop,
        so all of it goes."""
        if st.type == "if_statement" and st.child_by_field_name("alternative") is None \
                and self._is_log_level_check(st.child_by_field_name("condition")):
            inner = syntax.block_statements(st.child_by_field_name("consequence"))
            return bool(inner) and all(self._is_lifecycle_logging(s) for s in inner)
        if self._is_logging(st):
            return True
        if st.type != "expression_statement" or not st.named_children:
            return False
        expr = st.named_children[0]
        if expr.type != "invocation_expression":
            return False
        fn = expr.child_by_field_name("function")
        args = syntax.arguments(expr)
        if fn is None or fn.type != "member_access_expression" or len(args) != 1 or \
                syntax.text(fn.child_by_field_name("name")) != "Register" or \
                member_root(fn.child_by_field_name("expression")) not in self.plan.token_names:
            return False
        lam = args[0]
        if lam.type != "lambda_expression" or lam.child_by_field_name("parameters") is None or \
                lam.child_by_field_name("parameters").named_children:
            return False
        body = lam.child_by_field_name("body")
        if body.type == "block":
            inner = syntax.block_statements(body)
            return bool(inner) and all(self._is_logging(s) for s in inner)
        return self._is_log_call(body)

    def _is_log_call(self, expr: Node | None) -> bool:
        expr = awaited(expr) if expr is not None else None
        if expr is None or expr.type != "invocation_expression":
            return False
        fn = expr.child_by_field_name("function")
        if fn is None or fn.type != "member_access_expression":
            return False
        name = syntax.text(fn.child_by_field_name("name")).split("<")[0]
        owner = member_root(fn.child_by_field_name("expression"))
        f = self.fields.get(owner)
        return name in LOG_METHODS and f is not None and f.simple_type in LOGGER_TYPES

    def _method(self, name: str) -> Node | None:
        ms = self.methods.get(name, [])
        if len(ms) > 1:
            raise Blocked(BlockerKind.UNSUPPORTED_MEMBER, f"overloaded {name}")
        return ms[0] if ms else None

    def _check_members(self) -> None:
        for m in self._members():
            if m.type == "property_declaration" and syntax.text(m.child_by_field_name("name")) in \
                    set(self.constant_properties) | set(self.fields):
                continue  # read by the cadence only; checked below once the work is known
            if m.type in ("property_declaration", "event_declaration", "event_field_declaration", "indexer_declaration",
                          "operator_declaration", "destructor_declaration"):
                raise Blocked(BlockerKind.UNSUPPORTED_MEMBER,
                              f"the worker declares a {m.type.replace('_declaration', '').replace('_', ' ')}: "
                              + syntax.one_line(m))
        self.helpers = self._helpers()
        helper_ids = {h.start_byte for h in self.helpers}
        kept = [(p.start, p.end) for p in self.plan.pieces] + [(h.start_byte, h.end_byte) for h in self.helpers]
        for name in self.constant_properties:
            if any(s <= n.start_byte < e for n in self._identifiers_named(name) for s, e in kept):
                raise Blocked(BlockerKind.UNSUPPORTED_MEMBER,
                              f"the work reads the property {name}: make it a const or static readonly field, then "
                              "migrate")
        for name, ms in self.methods.items():
            for m in ms:
                if m.start_byte in self.plan.removed_members or m.start_byte in helper_ids:
                    continue
                mods = {syntax.text(c) for c in m.children if c.type == "modifier"}
                if "private" in mods or not (mods & {"public", "protected", "internal"}):
                    if self._only_used_by_removed(name):
                        self.plan.removed_members.add(m.start_byte)
                        continue
                raise Blocked(BlockerKind.UNSUPPORTED_MEMBER, f"the worker has a member the job would not call: {name}")

    def _only_used_by_removed(self, name: str) -> bool:
        for n in self._identifiers_named(name):
            if syntax.text(n) != name:
                continue
            owner = syntax.first_ancestor(n, "method_declaration", "constructor_declaration")
            if owner is None:
                return False
            if owner.start_byte not in self.plan.removed_members and owner != self.ctor:
                if syntax.text(owner.child_by_field_name("name")) == name:
                    continue
                return False
        return True

    def _helpers(self) -> list[Node]:
        """Private methods reachable from the unit of work."""
        seen: dict[int, Node] = {}
        frontier = [(p.start, p.end) for p in self.plan.pieces]
        while frontier:
            start, end = frontier.pop()
            for n in self._nodes_within(self.root, start, end, "invocation_expression"):
                if self._is_deleted(n):
                    continue
                fn = n.child_by_field_name("function")
                name = syntax.text(fn)
                if fn.type == "member_access_expression" and syntax.text(fn.child_by_field_name("expression")) == "this":
                    name = syntax.text(fn.child_by_field_name("name"))
                for m in self.methods.get(name, []):
                    if m.start_byte not in seen and m.start_byte not in self.plan.removed_members:
                        seen[m.start_byte] = m
                        frontier.append((m.start_byte, m.end_byte))
        return sorted(seen.values(), key=lambda m: m.start_byte)

    def _parameters(self) -> list[Node]:
        """The constructor's parameters, or the primary constructor's."""
        if self.ctor is not None:
            return [p for p in self.ctor.child_by_field_name("parameters").named_children if p.type == "parameter"]
        return self.parameters


def _dependency_property(m: Node) -> bool:
    """An auto-property with only a getter (`{ get; }`, `{ get; private set; }`) and no initializer."""
    accessors = next((c for c in m.named_children if c.type == "accessor_list"), None)
    if accessors is None or any(c.type == "arrow_expression_clause" for c in m.named_children) or \
            m.child_by_field_name("value") is not None:
        return False
    kinds = []
    for a in accessors.named_children:
        if a.type != "accessor_declaration" or a.child_by_field_name("body") is not None:
            return False
        mods = {syntax.text(c) for c in a.children if c.type == "modifier"}
        kind = syntax.text(a.child_by_field_name("name")) if a.child_by_field_name("name") is not None else \
            next((syntax.text(c) for c in a.children if syntax.text(c) in ("get", "set", "init")), "")
        if kind == "set" and "private" not in mods:
            return False
        kinds.append(kind)
    return "get" in kinds
