"""What each piece of state a job keeps in its fields really does (the fields OQJ004 reports: statics, and
instance fields or auto-properties assigned outside the constructor).

A job instance lives as long as the process and is called once per tenant on every pass, so a field is either
dead weight that can go, or it carries information from one run (one tenant) to the next. `classify` tells
which, with the facts a codemod needs to rewrite it:

- write-only: nobody reads it (counters, last-run stamps) — its writes can go;
- re-entrancy guard: a bool tested at the start, set, and cleared in `finally` — HostedServiceBase already
  prevents overlapping runs with the job row's IsExecuting;
- rebuilt cache: cleared or refilled at the start of the run before any read — it can be a local;
- carried between runs (never deleted, reported with what it really does): a run-once flag, a last-run gate,
  a watermark (a scalar read and then written), a cache read before it is rebuilt, a service kept from a run.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from oqmigrate import syntax
from oqmigrate.analyse.expressions import has_effects
from oqmigrate.analyse.members import is_written, write_statement
from oqmigrate.analyse.members import (EXECUTE_METHODS, Field, enclosing_member, fields,
                                       is_auto_property, writes)
from oqmigrate.analyse.names import invoked_name, node_text, simple
from oqmigrate.model import ClassInfo, type_name
from oqmigrate.syntax import Node

SCALARS = {"DateTime", "DateTimeOffset", "int", "Int32", "long", "Int64", "bool", "Boolean", "string", "String",
           "Guid"}
COLLECTIONS = ("List", "Dictionary", "HashSet", "Queue", "Stack", "Collection", "ConcurrentDictionary",
               "ConcurrentBag", "ConcurrentQueue", "SortedDictionary", "SortedSet", "IList", "IDictionary",
               "ISet", "ICollection", "IEnumerable")
MUTATORS = {"Clear", "Add", "AddRange", "Remove", "RemoveAll", "RemoveAt", "Insert", "Enqueue", "Push", "TryAdd",
            "TryRemove", "AddOrUpdate", "UnionWith", "ExceptWith"}
SERVICE_CALLS = {"GetRequiredService", "GetService", "CreateScope", "CreateAsyncScope", "CreateInstance"}
SERVICE_TYPES = {"IServiceProvider", "IServiceScope", "AsyncServiceScope"}


class StateKind(enum.Enum):
    WRITE_ONLY = "write-only"
    REENTRANCY_GUARD = "re-entrancy guard"
    REBUILT_CACHE = "cache rebuilt before it is read"
    RUN_ONCE = "run-once flag"
    LAST_RUN_GATE = "last-run gate"
    WATERMARK = "watermark"
    STALE_CACHE = "cache read before it is rebuilt"
    SERVICE = "service kept from a run"
    VISIBLE = "visible outside the class"
    OTHER = "state carried between runs"

    @property
    def droppable(self) -> bool:
        return self in (StateKind.WRITE_ONLY, StateKind.REENTRANCY_GUARD, StateKind.REBUILT_CACHE)


@dataclass
class Guard:
    """A re-entrancy guard's statements: the early return, the set, the try whose finally clears it."""

    check: Node
    set: Node
    clear: Node
    try_statement: Node


@dataclass
class StateField:
    field: Field
    kind: StateKind
    reason: str  # for the kinds that stay: what it really does and where such state belongs
    refs: list[Node] = field(default_factory=list)  # uses (the identifier, or `this.x`)
    write_statements: list[Node] = field(default_factory=list)  # write-only: the statements writing it
    guard: Guard | None = None
    rebuild: Node | None = None  # rebuilt cache: the statement that rebuilds it
    method: Node | None = None  # the execute method a cache or guard lives in

    @property
    def name(self) -> str:
        return self.field.name


def reported_state(cls: ClassInfo) -> list[Field]:
    """The fields OQJ004 reports, as the rule selects them."""
    written: set[str] = set()
    for name, node in writes(cls):
        member = enclosing_member(node)
        if member is not None and member.type not in ("constructor_declaration", "field_declaration"):
            written.add(name)
    out = []
    for f in fields(cls):
        if "const" in f.modifiers:
            continue
        is_field = f.node.type in ("field_declaration", "event_field_declaration")
        if "static" in f.modifiers:
            if f.node.type == "property_declaration" and not is_auto_property(f.node):
                continue
            out.append(f)
        elif (is_field or is_auto_property(f.node)) and f.name in written:
            out.append(f)
    return out


def _use(ident: Node) -> Node:
    """`this._x` for the `_x` in it, else the identifier itself."""
    p = ident.parent
    if p is not None and p.type == "member_access_expression" and p.child_by_field_name("name") == ident and \
            node_text(p.child_by_field_name("expression")) == "this":
        return p
    return ident


def references(cls: ClassInfo, name: str) -> list[Node] | None:
    """Every use of the member in the class (nested types included: they may read a private static); None
    when a local, parameter or nested member shadows the name (the uses cannot be told apart by name)."""
    out = []
    for part in (cls.node, *cls.parts):
        for ident in syntax.descendants(part, "identifier"):
            if syntax.text(ident) != name:
                continue
            p = ident.parent
            if p.type in ("variable_declarator", "parameter", "property_declaration", "method_declaration",
                          "local_function_statement", "foreach_statement", "catch_declaration") and \
                    p.child_by_field_name("name" if p.type != "foreach_statement" else "left") == ident:
                if p.type in ("variable_declarator", "property_declaration") and \
                        enclosing_member(ident) is not None and \
                        enclosing_member(ident).type in ("field_declaration", "property_declaration") and \
                        syntax.first_ancestor(ident, "class_declaration") in (cls.node, *cls.parts):
                    continue  # the member's own declaration
                return None
            if p.type == "member_access_expression" and p.child_by_field_name("name") == ident and \
                    node_text(p.child_by_field_name("expression")) != "this":
                continue  # `other._x`, `x.Name`: some other object's member
            if p.type in ("assignment_expression",) and syntax.first_ancestor(ident, "initializer_expression") and \
                    p.child_by_field_name("left") == ident:
                continue  # `new T { Name = … }`: the created object's member
            if p.type == "name_colon" or p.type == "name_equals":
                continue
            out.append(_use(ident))
    return out


def _mutation(use: Node) -> Node | None:
    """The statement `use.Clear();`, `use.Add(…);`, `use[k] = v;` mutating the collection in place."""
    p = use.parent
    if p.type == "member_access_expression" and p.child_by_field_name("expression") == use:
        inv = p.parent
        if inv.type == "invocation_expression" and node_text(p.child_by_field_name("name")) in MUTATORS and \
                inv.parent.type == "expression_statement":
            return inv.parent
    if p.type == "element_access_expression" and p.child_by_field_name("expression") == use:
        a = p.parent
        if a.type == "assignment_expression" and a.child_by_field_name("left") == p and \
                a.parent.type == "expression_statement":
            return a.parent
    return None


def _in_constructor(n: Node, cls: ClassInfo) -> bool:
    m = enclosing_member(n)
    return m is not None and m.type in ("constructor_declaration", "field_declaration", "property_declaration")


def _execute_method(n: Node) -> Node | None:
    m = enclosing_member(n)
    if m is not None and m.type == "method_declaration" and node_text(m.child_by_field_name("name")) in EXECUTE_METHODS:
        return m
    return None


def _type_words(f: Field) -> str:
    return syntax.text(f.type_node) if f.type_node is not None else ""


def _is_collection(f: Field) -> bool:
    t = _type_words(f)
    return t.endswith("[]") or simple(type_name(f.type_node)) in COLLECTIONS if f.type_node is not None else False


def scalar_type(f: Field) -> str | None:
    """The scalar a watermark field holds (`DateTime` for `DateTime?` too), None for anything else."""
    if f.type_node is None:
        return None
    t = _type_words(f).replace("System.", "").rstrip("?").strip()
    return t if t in SCALARS else None


def _holds_service(f: Field, refs: list[Node]) -> bool:
    if f.type_node is not None and simple(type_name(f.type_node)) in SERVICE_TYPES:
        return True
    for use in refs:
        a = use.parent
        if a.type == "assignment_expression" and a.child_by_field_name("left") == use:
            right = a.child_by_field_name("right")
            calls = {invoked_name(i)[1] for i in syntax.descendants(right, "invocation_expression")}
            if calls & SERVICE_CALLS or right.type == "identifier" and _is_provider_param(right):
                return True
    return False


def _is_provider_param(ident: Node) -> bool:
    m = _execute_method(ident)
    if m is None:
        return False
    ps = m.child_by_field_name("parameters")
    return ps is not None and any(node_text(p.child_by_field_name("name")) == syntax.text(ident)
                                  for p in ps.named_children if p.type == "parameter")


def _private(f: Field) -> bool:
    return not ({"public", "protected", "internal"} & f.modifiers)


def _condition_of(use: Node) -> Node | None:
    """The if condition (or `?:` / `while` condition) a read sits in."""
    for a in syntax.ancestors(use):
        if a.type in ("if_statement", "while_statement", "conditional_expression"):
            cond = a.child_by_field_name("condition")
            if cond is not None and cond.start_byte <= use.start_byte < cond.end_byte:
                return cond
            return None
        if a.type.endswith("_statement") or a.type == "block":
            return None
    return None


def _reason(kind: StateKind, name: str) -> str:
    if kind is StateKind.RUN_ONCE:
        return (f"'{name}' is a run-once flag: once set it stays set until the process restarts, and Oqtane calls "
                "the same job instance for every tenant, so the job does its work for the first tenant only, once "
                "per process; if the work must run once, give the job Frequency \"O\" or keep a per-tenant marker "
                "in the tenant's settings (ISettingRepository)")
    if kind is StateKind.LAST_RUN_GATE:
        return (f"'{name}' is a last-run gate: it skips runs that come too soon after an earlier one, remembered "
                "in memory (shared by every tenant's run, lost on restart, unknown to other servers); the job's "
                "Frequency and Interval already space its runs: remove the gate or change the schedule by hand")
    if kind is StateKind.WATERMARK:
        return (f"'{name}' is a watermark: each run reads what the previous run (of any tenant) left in it and "
                "writes it back; in memory it is shared by every tenant and lost on restart; keep it in the "
                "tenant's settings (oqmigrate apply --codemod persist-state for scalars) or database")
    if kind is StateKind.STALE_CACHE:
        return (f"'{name}' is a cache read before it is rebuilt: what one run (one tenant) put in it is seen by "
                "the next; build it inside the run as a local, or keep it per tenant in the tenant's database")
    if kind is StateKind.SERVICE:
        return (f"'{name}' keeps a service or the provider of a run for later (a service locator); resolve what "
                "the run needs from its provider inside the execute method and pass it to helpers "
                "(scope-dependencies)")
    if kind is StateKind.VISIBLE:
        return (f"'{name}' is not private: code outside the job may read it; move what it holds into tenant-scoped "
                "storage by hand")
    return (f"'{name}' carries state from one run (one tenant) to the next; move it into a local of the execute "
            "method or into tenant-scoped storage (settings, the tenant's database) by hand")


def _kept(f: Field, kind: StateKind, refs: list[Node] | None = None) -> StateField:
    return StateField(f, kind, _reason(kind, f.name), list(refs or []))


def classify(cls: ClassInfo) -> list[StateField]:
    """Every field OQJ004 reports, with what it does."""
    out = []
    for f in reported_state(cls):
        refs = references(cls, f.name)
        if refs is None:
            out.append(_kept(f, StateKind.OTHER))
        elif not _private(f):
            out.append(_kept(f, StateKind.VISIBLE, refs))
        elif _holds_service(f, refs):
            out.append(_kept(f, StateKind.SERVICE, refs))
        else:
            out.append(_classify(cls, f, refs))
    return out


def _single_declarator(f: Field) -> bool:
    if f.declarator is None:
        return True
    decl = f.declarator.parent
    return sum(1 for c in decl.named_children if c.type == "variable_declarator") == 1


def _harmless(value: Node | None) -> bool:
    if value is None:
        return True
    if value.type == "object_creation_expression" and not syntax.arguments(value):
        init = value.child_by_field_name("initializer")
        return init is None or not has_effects(init)
    return not has_effects(value)


def _initial_value(f: Field) -> Node | None:
    if f.declarator is not None:
        kids = [c for c in f.declarator.named_children if c.type != "comment"]
        return kids[-1] if len(kids) > 1 else None
    value = f.node.child_by_field_name("value")
    return value


def _classify(cls: ClassInfo, f: Field, refs: list[Node]) -> StateField:
    run_refs = [r for r in refs if not _in_constructor(r, cls)]
    ctor_writes = [r for r in refs if _in_constructor(r, cls)]
    plain_ctor = all(write_statement(r) is not None and _harmless(write_statement(r).named_children[0]
                                                                    .child_by_field_name("right"))
                     for r in ctor_writes if enclosing_member(r).type == "constructor_declaration")
    layout_ok = _single_declarator(f) and _harmless(_initial_value(f)) and plain_ctor
    reads = [r for r in run_refs if not is_written(r) and _mutation(r) is None]
    # -- write-only -------------------------------------------------------------------------------
    if not reads and layout_ok:
        stmts = []
        for r in run_refs:
            st = write_statement(r) or _mutation(r)
            if st is None or st.parent is None or st.parent.type != "block" or not _droppable_write(st, r):
                stmts = None
                break
            stmts.append(st)
        if stmts is not None:
            ctor = [write_statement(r) for r in ctor_writes if enclosing_member(r).type == "constructor_declaration"]
            return StateField(f, StateKind.WRITE_ONLY, "", refs, stmts + ctor)
    # -- re-entrancy guard ------------------------------------------------------------------------
    guard = _guard(f, run_refs)
    if guard is not None and layout_ok:
        ctor = [write_statement(r) for r in ctor_writes if enclosing_member(r).type == "constructor_declaration"]
        return StateField(f, StateKind.REENTRANCY_GUARD, "", refs, ctor, guard=guard,
                          method=_execute_method(guard.check))
    # -- caches -----------------------------------------------------------------------------------
    ordered = sorted(run_refs, key=lambda r: r.start_byte)
    first = ordered[0] if ordered else None
    if first is not None and _is_collection(f):
        rebuild = _rebuild(first)
        if rebuild is not None and layout_ok and _local_cache(f, ordered, rebuild):
            ctor = [write_statement(r) for r in ctor_writes if enclosing_member(r).type == "constructor_declaration"]
            return StateField(f, StateKind.REBUILT_CACHE, "", refs, ctor, rebuild=rebuild,
                              method=_execute_method(rebuild))
    # -- what stays ---------------------------------------------------------------------------------
    kind = _carried_kind(f, reads, run_refs)
    if kind is StateKind.RUN_ONCE:
        step = guarded_step(f.name, reads)
        if step is not None:
            return StateField(f, kind, _guarded_step_reason(f.name, step), list(refs))
    return _kept(f, kind, refs)


def guarded_step(name: str, reads: list[Node]) -> Node | None:
    """The if statement of a run-once flag that guards only a step of the run: `if (!flag) { …; flag = true; }`,
    the flag's only read, with no else, a block that sets the flag and does not leave the method (no return or
    throw), and more of the run after it (a statement that is not a return of a literal). None for any other shape
    (`if (flag) return …;` at the top gates the whole run)."""
    if len(reads) != 1:
        return None
    cond = _condition_of(reads[0])
    stmt = cond.parent if cond is not None else None
    if stmt is None or stmt.type != "if_statement" or stmt.child_by_field_name("alternative") is not None:
        return None
    if syntax.spaceless_text(cond).replace("this.", "", 1) != "!" + name:
        return None
    block = stmt.child_by_field_name("consequence")
    inner = syntax.block_statements(block) if block is not None and block.type == "block" else []
    if not any(_assigns(st, name, "true") for st in inner) or \
            next(syntax.descendants(block, "return_statement", "throw_statement", "throw_expression"), None):
        return None
    parent = stmt.parent
    after = syntax.block_statements(parent)[syntax.block_statements(parent).index(stmt) + 1:] \
        if parent is not None and parent.type == "block" else []
    more = [st for st in after if not (st.type == "return_statement" and
                                       (not st.named_children or st.named_children[0].type.endswith("literal")))]
    return stmt if more else None


def _guarded_step_reason(name: str, step: Node) -> str:
    """What a run-once flag around one step really does, and where such a step belongs."""
    block = step.child_by_field_name("consequence")
    work = [st for st in syntax.block_statements(block) if not _assigns(st, name)]
    first, last = step.start_point[0] + 1, step.end_point[0] + 1
    what = "; ".join(syntax.one_line(st) for st in work[:2]) + ("; …" if len(work) > 2 else "")
    reason = (f"'{name}' is a run-once flag that guards only the statements inside its if (lines {first}-{last}: "
              f"{what}): they run once per process, in the first run after a start, for whichever tenant comes "
              "first, and never for the other tenants; the rest of the run is not guarded and runs for every tenant "
              "on every run. If that step is process-wide set-up that does not depend on the tenant, do it once at "
              "start-up (an IServerStartup) and remove the flag; if it depends on the tenant, keep a per-tenant "
              "marker in the tenant's settings (ISettingRepository) instead of the flag")
    method = _execute_method(step)
    provider = _provider_parameter(method) if method is not None else None
    if provider is not None and provider in syntax.identifiers(block):
        reason += (f"; the step is given the run's provider ('{provider}'), which belongs to the scope of that first "
                   "pass and is disposed when the pass ends: whatever keeps it (a static service locator) resolves "
                   "from a disposed scope later, so pass the provider of each run, or the services resolved from it, "
                   "where they are used")
    return reason


def _provider_parameter(method: Node) -> str | None:
    """The name of an execute method's IServiceProvider parameter."""
    ps = method.child_by_field_name("parameters")
    for p in ps.named_children if ps is not None else []:
        if p.type == "parameter" and simple(type_name(p.child_by_field_name("type"))) == "IServiceProvider":
            return node_text(p.child_by_field_name("name"))
    return None


def _droppable_write(st: Node, use: Node) -> bool:
    """A write statement that can be deleted: its value (or a mutation's arguments) has no effect to keep."""
    e = st.named_children[0]
    if e.type == "assignment_expression":
        return _harmless(e.child_by_field_name("right"))
    if e.type == "invocation_expression":
        return all(not has_effects(a) for a in syntax.arguments(e))
    return e.type in ("postfix_unary_expression", "prefix_unary_expression")


def _carried_kind(f: Field, reads: list[Node], run_refs: list[Node]) -> StateKind:
    scalar = scalar_type(f)
    first_read = min(reads, key=lambda r: r.start_byte) if reads else None
    cond = _condition_of(first_read) if first_read is not None else None
    if scalar in ("bool", "Boolean") and cond is not None:
        values = {syntax.text(r.parent.child_by_field_name("right")) for r in run_refs
                  if r.parent.type == "assignment_expression" and r.parent.child_by_field_name("left") == r}
        if values == {"true"}:
            return StateKind.RUN_ONCE
    if cond is not None and ("Now" in syntax.text(cond) or "Today" in syntax.text(cond)) and \
            ("DateTime" in _type_words(f) or "TimeSpan" in _type_words(f)):
        return StateKind.LAST_RUN_GATE
    if _is_collection(f):
        return StateKind.STALE_CACHE
    if scalar is not None and first_read is not None:
        return StateKind.WATERMARK
    return StateKind.OTHER


def _assigns(st: Node, use_name: str, value: str | None = None) -> bool:
    """`name = value;` (`this.name` too), any value when `value` is None."""
    if st.type != "expression_statement" or not st.named_children:
        return False
    a = st.named_children[0]
    if a.type != "assignment_expression" or syntax.text(a.child_by_field_name("operator")) != "=":
        return False
    left = a.child_by_field_name("left")
    if syntax.text(left).replace("this.", "", 1) != use_name:
        return False
    return value is None or syntax.text(a.child_by_field_name("right")) == value


def _guard(f: Field, run_refs: list[Node]) -> Guard | None:
    """`if (_running) return …;  _running = true;  try { … } finally { _running = false; }` at the start of an
    execute method, and no other use of the field."""
    if scalar_type(f) not in ("bool", "Boolean") or len(run_refs) != 3:
        return None
    method = _execute_method(run_refs[0])
    if method is None or any(_execute_method(r) != method for r in run_refs):
        return None
    body = syntax.block_statements(method.child_by_field_name("body"))
    check_at = next((i for i, s in enumerate(body) if s.type == "if_statement"), None)
    if check_at is None:
        return None
    check = body[check_at]
    cond = check.child_by_field_name("condition")
    consequence = check.child_by_field_name("consequence")
    then = syntax.block_statements(consequence)
    if cond is None or syntax.text(cond).replace("this.", "", 1) != f.name or check.child_by_field_name(
            "alternative") is not None or len(then) != 1 or then[0].type != "return_statement":
        return None
    if any(s.type != "local_declaration_statement" or has_effects(s) for s in body[:check_at]):
        return None
    rest = body[check_at + 1:]
    if len(rest) < 2 or not _assigns(rest[0], f.name, "true") or rest[1].type != "try_statement":
        return None
    set_stmt, try_stmt = rest[0], rest[1]
    fin = next((c for c in try_stmt.named_children if c.type == "finally_clause"), None)
    if fin is None:
        return None
    fin_block = next((c for c in fin.named_children if c.type == "block"), None)
    clear = next((s for s in syntax.block_statements(fin_block) if _assigns(s, f.name, "false")), None)
    if clear is None:
        return None
    inside = [any(s.start_byte <= r.start_byte < s.end_byte for s in (cond, set_stmt, clear)) for r in run_refs]
    return Guard(check, set_stmt, clear, try_stmt) if all(inside) else None


def _rebuild(first: Node) -> Node | None:
    """The statement rebuilding a cache at its first use: `_x = value;` or `_x.Clear();`."""
    st = write_statement(first)
    if st is not None and st.named_children[0].type == "assignment_expression" and \
            syntax.text(st.named_children[0].child_by_field_name("operator")) == "=":
        return st
    m = _mutation(first)
    if m is not None and m.named_children[0].type == "invocation_expression" and \
            invoked_name(m.named_children[0])[1] == "Clear":
        return m
    return None


def _local_cache(f: Field, ordered: list[Node], rebuild: Node) -> bool:
    """The rebuild is a statement of the execute body (or its outermost try's block) and every other use
    follows it in that block."""
    method = _execute_method(rebuild)
    block = rebuild.parent
    if method is None or block is None or block.type != "block":
        return False
    body = method.child_by_field_name("body")
    if block != body and not (block.parent.type == "try_statement" and block.parent.parent == body):
        return False
    if cache_initializer(f, rebuild) is None:
        return False
    return all(block.start_byte <= r.start_byte < block.end_byte and r.start_byte >= rebuild.start_byte
               for r in ordered)


def cache_initializer(f: Field, rebuild: Node) -> str | None:
    """The value the local made from a rebuilt cache starts with: what the rebuild assigns, or for `Clear()`
    the field's own `new …()` (else `new T()` for a concrete type); None when there is none to write."""
    e = rebuild.named_children[0]
    if e.type == "assignment_expression":
        return syntax.text(e.child_by_field_name("right"))
    init = _initial_value(f)
    if init is not None and init.type == "object_creation_expression":
        return syntax.text(init)
    if init is None and f.type_node is not None and f.type_node.type == "generic_name" and \
            not (simple(type_name(f.type_node)).startswith("I") and simple(type_name(f.type_node))[1:2].isupper()):
        return f"new {syntax.text(f.type_node)}()"
    return None
