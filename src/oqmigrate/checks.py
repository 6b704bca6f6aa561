"""find: the sixteen rules of the catalog, as functions from an analysed file to findings.

Each `_check_*` function looks at one worker or job class (or, for OQJ014, the whole file) and yields
`Hit`s: a rule id, the node the finding starts at, and a message. `check_file` turns hits into
`Finding`s, applies inline suppressions and reports invalid or stale ones.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Iterator

from oqmigrate import syntax
from oqmigrate.catalog import SUPPRESSION_RULE, load_catalog
from oqmigrate.model import ClassInfo, FileModel, expand_alias, namespace_of, type_name
from oqmigrate.syntax import Node

SUPPRESSION_RULE_ID = SUPPRESSION_RULE.id
SUPPRESSION_RULE_NAME = SUPPRESSION_RULE.name

FREQUENCIES = ("m", "H", "d", "w", "M", "O")
METADATA = ("Name", "Frequency", "Interval", "IsEnabled")
LOGGER_TYPES = {"ILogger", "ILoggerFactory"}
# Types a worker may keep: the root-level factories and configuration, all singletons.
NOT_CACHED_SERVICES = {
    "IServiceScopeFactory", "IServiceProvider", "IOptions", "IOptionsMonitor", "IOptionsSnapshot", "IConfiguration",
    "IHostApplicationLifetime", "IApplicationLifetime", "IHostEnvironment", "IWebHostEnvironment", "IHttpClientFactory",
    "CancellationToken", "ILogger", "ILoggerFactory", "TimeProvider", "ISystemClock",
}
SERVICE_NAME = re.compile(r"^I[A-Z]\w*$|(Repository|Context|DbContext|Service|Manager|Client|Provider|Store)$")
TIMER_TYPES = {"Timer", "PeriodicTimer"}
TIMER_NAMESPACES = {"", "System.Threading", "System.Timers"}
WAIT_CALLS = {"Delay", "Sleep", "WaitForNextTickAsync"}
NOW_MEMBERS = {"Now", "UtcNow"}
CLOCK_PARTS = {"Hour", "Minute", "Second", "DayOfWeek", "Day", "TimeOfDay", "Date", "Month"}
PURE_CTOR_CALL_TARGETS = {"DateTime", "TimeSpan", "DateTimeOffset", "string", "String", "Convert", "Math", "Guid", "CultureInfo"}
FUNCTION_NODES = ("method_declaration", "constructor_declaration", "local_function_statement", "accessor_declaration",
                  "lambda_expression", "anonymous_method_expression", "destructor_declaration", "operator_declaration")


@dataclass(frozen=True)
class Finding:
    rule_id: str
    rule_name: str
    severity: str
    rel: str
    line: int
    column: int
    end_line: int
    end_column: int
    symbol: str
    message: str
    fixable: bool
    project: str | None = None
    fingerprint: str = ""
    fix_blocker: str | None = None
    identity: str = ""  # like the fingerprint but without the path: survives `git mv`

    def sort_key(self):
        return (self.rel, self.line, self.column, self.rule_id, self.message)

    def to_json(self) -> dict:
        return {
            "rule_id": self.rule_id, "rule_name": self.rule_name, "severity": self.severity, "path": self.rel,
            "line": self.line, "column": self.column, "end_line": self.end_line, "end_column": self.end_column,
            "symbol": self.symbol, "project": self.project, "message": self.message, "fixable": self.fixable,
            "fingerprint": self.fingerprint,
        } | ({"fix_blocker": self.fix_blocker} if self.fix_blocker else {})


@dataclass(frozen=True)
class Hit:
    rule_id: str
    node: Node
    message: str
    severity: str | None = None  # None: the catalog's default


@dataclass(frozen=True)
class CheckContext:
    rel: str
    data: bytes
    model: FileModel
    role: str = "unknown"
    project: str | None = None
    kinds: dict[str, str] | None = None  # worker/job kinds of classes declared anywhere in the scan
    anchor: str = ""  # the path fingerprints use (relative to the git work tree when there is one)


# --- small syntax helpers -------------------------------------------------------------------------

def _name(node: Node | None) -> str:
    return syntax.text(node) if node is not None else ""


def _members(cls: ClassInfo, *types: str) -> list[Node]:
    """Members of the class, of every part of a partial class in this file."""
    out = []
    for node in (cls.node, *cls.parts):
        body = node.child_by_field_name("body")
        if body is not None:
            out.extend(m for m in body.named_children if m.type in types)
    return out


def _inside_class(node: Node, cls: ClassInfo) -> bool:
    """True when `node` belongs to `cls` itself (any of its parts) and not to a class nested in it."""
    owner = syntax.first_ancestor(node, "class_declaration", "struct_declaration", "record_declaration", "interface_declaration")
    return owner is not None and owner.id in {cls.node.id, *(p.id for p in cls.parts)}


_TYPE_NODES = frozenset(("class_declaration", "struct_declaration", "record_declaration", "interface_declaration"))


def _node_index(cls: ClassInfo) -> dict[str, list[Node]]:
    """The class's own nodes by type, in document order, built once: nested types are not entered."""
    if cls.index is None:
        index: dict[str, list[Node]] = {}
        stack = [c for part in reversed((cls.node, *cls.parts)) for c in reversed(part.children)]
        while stack:
            n = stack.pop()
            index.setdefault(n.type, []).append(n)
            if n.type not in _TYPE_NODES:
                stack.extend(reversed(n.children))
        cls.index = index
    return cls.index


def _class_nodes(cls: ClassInfo, *types: str) -> Iterator[Node]:
    index = _node_index(cls)
    if len(types) == 1:
        yield from index.get(types[0], ())
        return
    yield from sorted((n for t in types for n in index.get(t, ())), key=lambda n: n.start_byte)


def _resolved_type(node: Node | None, model: FileModel) -> str:
    if node is None:
        return ""
    return expand_alias(type_name(node), model.aliases)


def _simple(dotted: str) -> str:
    return dotted.rsplit(".", 1)[-1]


def _qualifier(dotted: str) -> str:
    return dotted.rsplit(".", 1)[0] if "." in dotted else ""


def _invoked_name(inv: Node) -> tuple[str, str]:
    """(receiver text, method name) of an invocation: `Task.Run(...)` -> ("Task", "Run")."""
    fn = inv.child_by_field_name("function")
    if fn is None:
        return "", ""
    if fn.type == "member_access_expression":
        recv = fn.child_by_field_name("expression")
        nm = fn.child_by_field_name("name")
        return syntax.text(recv) if recv is not None else "", type_name(nm) if nm is not None else ""
    if fn.type in ("identifier", "generic_name"):
        return "", type_name(fn)
    return "", ""


def _fields(cls: ClassInfo) -> list[tuple[Node, str, Node, Node | None, frozenset[str]]]:
    """(declaration node, field name, type node, declarator, modifiers) for fields and properties."""
    out = []
    for f in _members(cls, "field_declaration", "event_field_declaration"):
        mods = frozenset(syntax.text(c) for c in f.children if c.type == "modifier")
        decl = next((c for c in f.named_children if c.type == "variable_declaration"), None)
        if decl is None:
            continue
        tnode = decl.child_by_field_name("type")
        for d in decl.named_children:
            if d.type == "variable_declarator":
                out.append((f, _name(d.child_by_field_name("name") or d.named_children[0]), tnode, d, mods))
    for p in _members(cls, "property_declaration"):
        mods = frozenset(syntax.text(c) for c in p.children if c.type == "modifier")
        out.append((p, _name(p.child_by_field_name("name")), p.child_by_field_name("type"), None, mods))
    return out


def _initializer(declarator: Node | None) -> Node | None:
    if declarator is None:
        return None
    kids = declarator.named_children
    return kids[-1] if len(kids) > 1 else None


def _constructors(cls: ClassInfo) -> list[Node]:
    return [c for c in _members(cls, "constructor_declaration")
            if "static" not in {syntax.text(m) for m in c.children if m.type == "modifier"}]


def _methods(cls: ClassInfo, name: str | None = None) -> list[Node]:
    ms = _members(cls, "method_declaration")
    return [m for m in ms if name is None or _name(m.child_by_field_name("name")) == name]


def _params(params: Node | None) -> list[tuple[str, Node, str]]:
    """(name, type node, resolved simple type) of a parameter list."""
    out = []
    if params is None:
        return out
    for p in params.named_children:
        if p.type != "parameter":
            continue
        t = p.child_by_field_name("type")
        out.append((_name(p.child_by_field_name("name")), t, _simple(type_name(t)) if t is not None else ""))
    return out


def _assigned_member(left: Node) -> str | None:
    """`_x`, `this._x` -> `_x`."""
    if left.type == "identifier":
        return syntax.text(left)
    if left.type == "member_access_expression":
        e = left.child_by_field_name("expression")
        if e is not None and e.type in ("this_expression", "this"):
            return _name(left.child_by_field_name("name"))
    return None


def _enclosing_function(node: Node) -> Node | None:
    return syntax.first_ancestor(node, *FUNCTION_NODES)


def _enclosing_member(node: Node) -> Node | None:
    """The class member (method, ctor, property, field) a node is in, skipping lambdas."""
    return syntax.first_ancestor(node, "method_declaration", "constructor_declaration", "property_declaration",
                                 "field_declaration", "destructor_declaration", "operator_declaration",
                                 "event_declaration", "indexer_declaration")


def _writes(cls: ClassInfo) -> Iterator[tuple[str, Node]]:
    """(member name, writing node) for assignments, ++/-- and `out`/`ref` arguments inside the class."""
    for a in _class_nodes(cls, "assignment_expression"):
        left = a.child_by_field_name("left")
        name = _assigned_member(left) if left is not None else None
        if name:
            yield name, a
    for u in _class_nodes(cls, "postfix_unary_expression", "prefix_unary_expression"):
        op = "".join(syntax.text(c) for c in u.children if not c.is_named)
        if op in ("++", "--") and u.named_children:
            name = _assigned_member(u.named_children[0])
            if name:
                yield name, u


def _is_type_simple(type_node: Node | None, names: set[str]) -> bool:
    return type_node is not None and _simple(type_name(type_node)) in names


def _timer_type(type_node: Node | None, model: FileModel) -> bool:
    if type_node is None:
        return False
    resolved = _resolved_type(type_node, model)
    if _simple(resolved) not in TIMER_TYPES or _qualifier(resolved) not in TIMER_NAMESPACES:
        return False
    return bool(_qualifier(resolved)) or not model.declares_visible(_simple(resolved), namespace_of(type_node))





# --- rules ----------------------------------------------------------------------------------------

def _check_worker_class(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    if cls.kind == "worker" and cls.via != cls.name:  # report a partial class once, on the part with the base list
        what = f"implements {_simple(cls.via)}" if _simple(cls.via) == "IHostedService" else f"derives from {_simple(cls.via)}"
        yield Hit("OQJ001", cls.name_node,
                  f"'{cls.name}' {what}; Oqtane runs scheduled work only as a HostedServiceBase job")


def _is_repeating_loop(loop: Node, cls: ClassInfo) -> bool:
    """while/do loops that wait, and endless `for (;;)` loops that wait (a counted `for` or a `foreach` that
    sleeps between calls is pacing, not polling)."""
    waits = any(_invoked_name(i)[1] in WAIT_CALLS for i in _class_nodes(cls, "invocation_expression")
                if loop.start_byte <= i.start_byte < loop.end_byte)
    if not waits:
        return False
    cond = loop.child_by_field_name("condition")
    if loop.type == "for_statement":
        return cond is None
    if cond is None:
        return False
    return True


def _check_timers_and_loops(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    model = ctx.model
    field_types = {name: t for _, name, t, _, _ in _fields(cls)}
    for n in _class_nodes(cls, "object_creation_expression", "implicit_object_creation_expression"):
        if n.type == "object_creation_expression":
            is_timer = _timer_type(n.child_by_field_name("type"), model)
        else:
            is_timer = _timer_type(_target_type(n, field_types), model)
        if is_timer:
            yield Hit("OQJ002", n, "a timer drives this work; Oqtane schedules jobs itself (Frequency/Interval)")
    flagged: list[Node] = []
    for loop in _class_nodes(cls, "while_statement", "do_statement", "for_statement"):
        if any(f.start_byte <= loop.start_byte and loop.end_byte <= f.end_byte for f in flagged):
            continue
        if _is_repeating_loop(loop, cls):
            flagged.append(loop)
            yield Hit("OQJ002", loop, "a loop that waits and repeats; Oqtane calls the job once per scheduled run")


def _target_type(creation: Node, field_types: dict[str, Node]) -> Node | None:
    """The declared type a target-typed `new(...)` creates."""
    parent = creation.parent
    if parent is not None and parent.type == "variable_declarator":
        decl = parent.parent
        if decl is not None and decl.type == "variable_declaration":
            return decl.child_by_field_name("type")
    if parent is not None and parent.type == "assignment_expression":
        left = parent.child_by_field_name("left")
        name = _assigned_member(left) if left is not None else None
        if name:
            return field_types.get(name)
    return None


def _check_background_tasks(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    for inv in _class_nodes(cls, "invocation_expression"):
        recv, name = _invoked_name(inv)
        recv_simple = _simple(recv)
        if (recv_simple == "Task" and name == "Run") or (recv.endswith("Task.Factory") or recv == "Factory") and name == "StartNew" \
                or (recv_simple == "ThreadPool" and name in ("QueueUserWorkItem", "UnsafeQueueUserWorkItem")):
            yield Hit("OQJ003", inv, f"'{recv_simple}.{name}' starts work outside the job's execution")
    for n in _class_nodes(cls, "object_creation_expression"):
        t = _resolved_type(n.child_by_field_name("type"), ctx.model)
        if _simple(t) == "Thread" and _qualifier(t) in ("", "System.Threading"):
            yield Hit("OQJ003", n, "a thread started by the class runs outside the job's execution")
    for a in _class_nodes(cls, "assignment_expression"):
        left, right = a.child_by_field_name("left"), a.child_by_field_name("right")
        if left is not None and syntax.text(left) == "_" and right is not None and right.type == "invocation_expression" \
                and _invoked_name(right)[1].endswith("Async"):
            yield Hit("OQJ003", a, "a discarded task keeps running after the job returns; await it")


def _check_state(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    writes: dict[str, list[Node]] = {}
    for name, node in _writes(cls):
        member = _enclosing_member(node)
        if member is None or member.type == "constructor_declaration":
            continue
        if member.type == "field_declaration":
            continue
        writes.setdefault(name, []).append(node)
    for decl, name, tnode, declarator, mods in _fields(cls):
        if "const" in mods:
            continue
        is_field = decl.type in ("field_declaration", "event_field_declaration")
        if "static" in mods:
            if decl.type == "property_declaration" and not _is_auto_property(decl):
                continue
            yield Hit("OQJ004", decl, f"static '{name}' is shared by every tenant and kept between runs")
            continue
        if not (is_field or _is_auto_property(decl)):
            continue
        if name in writes:
            yield Hit("OQJ004", decl, f"'{name}' is assigned outside the constructor and carries state between runs")


def _is_auto_property(prop: Node) -> bool:
    acc = prop.child_by_field_name("accessors")
    if acc is None:
        return False
    return all(a.child_by_field_name("body") is None and not any(c.type == "arrow_expression_clause" for c in a.children)
               for a in acc.named_children if a.type == "accessor_declaration")


def _check_tenants(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    for inv in _class_nodes(cls, "invocation_expression"):
        _, name = _invoked_name(inv)
        if name == "SetTenant":
            yield Hit("OQJ005", inv, "switches tenant by hand; Oqtane runs the job once per tenant and sets it")
        elif name == "GetTenants":
            yield Hit("OQJ005", inv, "loops over tenants by hand; Oqtane already runs the job once per tenant")
    seen_lines = set()
    for ident in _class_nodes(cls, "identifier"):
        if syntax.text(ident) == "ITenantResolver" and ident.start_point[0] not in seen_lines:
            seen_lines.add(ident.start_point[0])
            yield Hit("OQJ005", ident, "resolves the tenant by hand; Oqtane sets the tenant before each run")


CRON_PARSERS = {("CronExpression", "Parse"), ("CronExpression", "TryParse"), ("CrontabSchedule", "Parse"),
                ("CrontabSchedule", "TryParse")}
FILE_LEVEL_SCHEDULERS = {("RecurringJob", "AddOrUpdate"), ("RecurringJob", "AddOrUpdateAsync"),
                         ("CronScheduleBuilder", None), ("TriggerBuilder", "Create")}


def _scheduler_call(inv: Node) -> str | None:
    recv, name = _invoked_name(inv)
    r = _simple(recv)
    if (r, name) in CRON_PARSERS:
        return f"{r}.{name}"
    for (target, method) in FILE_LEVEL_SCHEDULERS:
        if r == target and (method is None or method == name):
            return f"{r}.{name}"
    if name in ("WithCronSchedule", "CronSchedule") or (r == "Cron" and name[:1].isupper()):
        return f"{r}.{name}" if r else name
    return None


def _check_scheduling(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    for inv in _class_nodes(cls, "invocation_expression"):
        what = _scheduler_call(inv)
        if what:
            yield Hit("OQJ006", inv, f"'{what}' schedules work itself; express the cadence as Frequency/Interval/StartDate")
    for n in _class_nodes(cls, "object_creation_expression"):
        if _simple(type_name(n.child_by_field_name("type"))) in ("CronExpression", "CrontabSchedule"):
            yield Hit("OQJ006", n, "a cron schedule inside the class; express the cadence as Frequency/Interval/StartDate")
    fields = {name for _, name, _, _, _ in _fields(cls)}
    # Locals holding the clock (`var now = DateTime.UtcNow;`), class-wide: a superset of each method's own.
    now_names = set()
    for d in _class_nodes(cls, "variable_declarator"):
        init = _initializer(d)
        if init is not None and _is_now(init, set()):
            now_names.add(_name(d.child_by_field_name("name") or d.named_children[0]))
    for b in _class_nodes(cls, "binary_expression"):
        op = b.child_by_field_name("operator")
        if op is None or syntax.text(op) not in ("<", "<=", ">", ">=", "==", "!="):
            continue
        left, right = b.child_by_field_name("left"), b.child_by_field_name("right")
        for a, other in ((left, right), (right, left)):
            if a is None or other is None:
                continue
            if _is_now(a, now_names) and (_assigned_member(other) in fields):
                yield Hit("OQJ006", b, "a next-run time compared with the clock: self-made scheduling")
                break
            if _is_clock_part(a, now_names) and other.type in ("integer_literal", "member_access_expression", "identifier") \
                    and not _is_now(other, now_names):
                yield Hit("OQJ006", b, "the time of day checked by hand: self-made scheduling")
                break


def _is_now(node: Node, now_names: set[str]) -> bool:
    if node.type == "identifier":
        return syntax.text(node) in now_names
    if node.type == "member_access_expression":
        e, n = node.child_by_field_name("expression"), node.child_by_field_name("name")
        if e is not None and n is not None and _simple(syntax.text(e)) in ("DateTime", "DateTimeOffset") and syntax.text(n) in NOW_MEMBERS:
            return True
    if node.type == "parenthesized_expression" and node.named_children:
        return _is_now(node.named_children[0], now_names)
    return False


def _is_clock_part(node: Node, now_names: set[str]) -> bool:
    if node.type != "member_access_expression":
        return False
    e, n = node.child_by_field_name("expression"), node.child_by_field_name("name")
    return e is not None and n is not None and syntax.text(n) in CLOCK_PARTS and _is_now(e, now_names)


def _looks_like_task(expr: Node, locals_from_async: set[str]) -> bool:
    if expr.type == "invocation_expression":
        return _invoked_name(expr)[1].endswith("Async") or _invoked_name(expr)[0].endswith("Task")
    if expr.type == "identifier":
        t = syntax.text(expr)
        return t in locals_from_async or "task" in t.lower()
    if expr.type == "member_access_expression":
        return "task" in _name(expr.child_by_field_name("name")).lower()
    return False


def _check_blocking(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    async_locals = set()
    for d in _class_nodes(cls, "variable_declarator"):
        init = _initializer(d)
        if init is not None and init.type == "invocation_expression" and _invoked_name(init)[1].endswith("Async"):
            async_locals.add(_name(d.child_by_field_name("name") or d.named_children[0]))
    pacing_loops = [loop for loop in _class_nodes(cls, "while_statement", "do_statement", "for_statement")
                    if _is_repeating_loop(loop, cls)]
    for inv in _class_nodes(cls, "invocation_expression"):
        recv, name = _invoked_name(inv)
        if _simple(recv) == "Thread" and name == "Sleep":
            yield Hit("OQJ007", inv, "Thread.Sleep blocks a thread of the scheduler")
        elif name == "Wait" and recv and not recv.endswith("Semaphore"):
            yield Hit("OQJ007", inv, "'.Wait()' blocks on a task; await it")
        elif name == "GetResult" and recv.endswith("GetAwaiter()"):
            yield Hit("OQJ007", inv, "'.GetAwaiter().GetResult()' blocks on a task; await it")
        elif _simple(recv) == "Task" and name == "Delay":
            if cls.kind == "job":
                yield Hit("OQJ007", inv, "Task.Delay inside a job stretches the run; the scheduler paces jobs", "warning")
            elif not any(loop.start_byte <= inv.start_byte < loop.end_byte for loop in pacing_loops):
                yield Hit("OQJ007", inv, "a delay outside the loop's pacing holds the worker; Oqtane schedules the start")
    for m in _class_nodes(cls, "member_access_expression"):
        if _name(m.child_by_field_name("name")) != "Result":
            continue
        parent = m.parent
        if parent is not None and parent.type == "assignment_expression" and parent.child_by_field_name("left") == m:
            continue
        e = m.child_by_field_name("expression")
        if e is not None and _looks_like_task(e, async_locals):
            yield Hit("OQJ007", m, "'.Result' blocks on a task; await it")


def _method_signature_ok(m: Node) -> tuple[bool, str]:
    name = _name(m.child_by_field_name("name"))
    mods = {syntax.text(c) for c in m.children if c.type == "modifier"}
    returns = type_name(m.child_by_field_name("returns")) if m.child_by_field_name("returns") is not None else ""
    ret_text = syntax.text(m.child_by_field_name("returns")).replace(" ", "") if m.child_by_field_name("returns") is not None else ""
    params = _params(m.child_by_field_name("parameters"))
    want_ret = "string" if name == "ExecuteJob" else "Task<string>"
    problems = []
    if "override" not in mods:
        problems.append("is not an override")
    if "public" not in mods:
        problems.append("is not public")
    if ret_text.split(".")[-1] not in (want_ret, want_ret.replace("string", "String")) and not (
            name == "ExecuteJob" and returns in ("string", "String", "System.String")):
        problems.append(f"returns {ret_text or '?'} instead of {want_ret}")
    if len(params) != 1 or params[0][2] != "IServiceProvider":
        problems.append("does not take a single IServiceProvider")
    return (not problems, ", ".join(problems))


def _check_execute(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    if cls.kind != "job":
        return
    hooks = _methods(cls, "ExecuteJob") + _methods(cls, "ExecuteJobAsync")
    good = False
    for m in hooks:
        ok, why = _method_signature_ok(m)
        if ok:
            good = True
        else:
            yield Hit("OQJ008", m.child_by_field_name("name"), f"'{_name(m.child_by_field_name('name'))}' {why}")
    for own in ("ExecuteAsync", "StartAsync", "StopAsync"):
        for m in _methods(cls, own):
            yield Hit("OQJ008", m.child_by_field_name("name"),
                      f"a job must not declare {own}; HostedServiceBase runs the loop and calls ExecuteJob(Async)")
    if not good and not hooks and not cls.is_abstract and _direct_job(cls):
        yield Hit("OQJ008", cls.name_node, f"job '{cls.name}' overrides neither ExecuteJob nor ExecuteJobAsync")


def _direct_job(cls: ClassInfo) -> bool:
    return _simple(cls.via) == "HostedServiceBase"


def _check_constructor(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    if cls.kind != "job":
        return
    ctors = _constructors(cls)
    primary = cls.primary_parameters
    if not ctors and primary is None:
        yield Hit("OQJ009", cls.name_node, "a job needs a public constructor taking IServiceScopeFactory and passing it to base(...)")
        return
    entries = [(c, c.child_by_field_name("parameters"), _ctor_base_args(c)) for c in ctors]
    if primary is not None:
        base_args = None
        for b in cls.node.named_children:
            if b.type == "base_list":
                for x in b.named_children:
                    if x.type in ("argument_list", "primary_constructor_base_type"):
                        base_args = [syntax.text(a).strip() for a in syntax.descendants(x, "argument")]
        entries.append((cls.name_node, primary, base_args))
    for node, params, base_args in entries:
        ps = _params(params)
        mods = {syntax.text(c) for c in node.children if c.type == "modifier"} if node.type == "constructor_declaration" else {"public"}
        scope_params = [p for p in ps if p[2] == "IServiceScopeFactory"]
        others = [p for p in ps if p[2] not in ("IServiceScopeFactory",) and p[2] not in LOGGER_TYPES]
        problems = []
        if "public" not in mods and not cls.is_abstract:
            problems.append("is not public")
        if not scope_params:
            problems.append("does not take IServiceScopeFactory")
        elif base_args is None or scope_params[0][0] not in base_args:
            problems.append("does not pass IServiceScopeFactory to base(...)")
        if others:
            problems.append("takes services (" + ", ".join(syntax.text(p[1]) for p in others) + ") that must be resolved from the provider in ExecuteJob")
        if problems:
            anchor = node.child_by_field_name("name") if node.type == "constructor_declaration" else node
            yield Hit("OQJ009", anchor, "the job constructor " + "; ".join(problems))


def _ctor_base_args(ctor: Node) -> list[str] | None:
    for c in ctor.named_children:
        if c.type == "constructor_initializer":
            if not any(syntax.text(k) == "base" for k in c.children):
                return None
            return [syntax.text(a).strip() for a in syntax.descendants(c, "argument")]
    return None


def _is_service_type(type_node: Node | None) -> bool:
    if type_node is None or type_node.type == "predefined_type":
        return False
    simple = _simple(type_name(type_node))
    return simple not in NOT_CACHED_SERVICES and bool(SERVICE_NAME.search(simple))


def _resolves_service(expr: Node) -> bool:
    for inv in syntax.descendants(expr, "invocation_expression"):
        recv, name = _invoked_name(inv)
        if name in ("GetService", "GetRequiredService", "GetServices", "GetRequiredKeyedService", "GetKeyedService") \
                or (_simple(recv) == "ActivatorUtilities"):
            return True
    for n in syntax.descendants(expr, "object_creation_expression"):
        t = _simple(type_name(n.child_by_field_name("type")))
        if re.search(r"(Repository|Context|DbContext)$", t):
            return True
    return False


def _ctor_param_assignments(cls: ClassInfo) -> dict[str, tuple[str, Node]]:
    """field -> (constructor parameter it is assigned from, that parameter's type node)."""
    out = {}
    for ctor in _constructors(cls):
        ps = {n: t for n, t, _ in _params(ctor.child_by_field_name("parameters"))}
        for a in syntax.descendants(ctor, "assignment_expression"):
            left, right = a.child_by_field_name("left"), a.child_by_field_name("right")
            name = _assigned_member(left) if left is not None else None
            if name and right is not None:
                r = right
                if r.type == "binary_expression" and syntax.text(r.child_by_field_name("operator")) == "??":
                    r = r.child_by_field_name("left")
                if r is not None and r.type == "identifier" and syntax.text(r) in ps:
                    out[name] = (syntax.text(r), ps[syntax.text(r)])
    return out


def _check_cached_dependencies(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    from_params = _ctor_param_assignments(cls)
    assigned_values: dict[str, list[Node]] = {}
    for a in _class_nodes(cls, "assignment_expression"):
        left, right = a.child_by_field_name("left"), a.child_by_field_name("right")
        name = _assigned_member(left) if left is not None else None
        if name and right is not None:
            assigned_values.setdefault(name, []).append(right)
    for decl, name, tnode, declarator, mods in _fields(cls):
        if "const" in mods:
            continue
        if _is_type_simple(tnode, NOT_CACHED_SERVICES):
            continue
        reason = None
        if name in from_params and _is_service_type(from_params[name][1]):
            reason = f"'{name}' keeps the injected {syntax.text(from_params[name][1])}"
        else:
            values = assigned_values.get(name, []) + ([_initializer(declarator)] if _initializer(declarator) is not None else [])
            if any(_resolves_service(v) for v in values):
                reason = f"'{name}' keeps a service resolved once"
        if reason:
            yield Hit("OQJ010", decl, reason + "; resolve it from the provider in each run (tenant-scoped services change per tenant)")
    primary = cls.primary_parameters
    if primary is not None:
        body_idents = {syntax.text(i) for i in _class_nodes(cls, "identifier")} if cls.body is not None else set()
        for pname, ptype, psimple in _params(primary):
            if _is_service_type(ptype) and psimple not in LOGGER_TYPES and pname in body_idents:
                p_node = next(p for p in primary.named_children if p.type == "parameter" and _name(p.child_by_field_name("name")) == pname)
                yield Hit("OQJ010", p_node, f"primary constructor parameter '{pname}' keeps the injected {syntax.text(ptype)}; resolve it from the provider in each run")


def _metadata_assignments(node: Node) -> dict[str, list[Node]]:
    out: dict[str, list[Node]] = {}
    for a in syntax.descendants(node, "assignment_expression"):
        left = a.child_by_field_name("left")
        name = _assigned_member(left) if left is not None else None
        if name in ("Name", "Frequency", "Interval", "StartDate", "EndDate", "IsEnabled", "RetentionHistory", "MaximumDuration"):
            out.setdefault(name, []).append(a)
    return out


def _integer(node: Node | None) -> int | None:
    """The value of an integer literal, negated or not (`30`, `0x1E`, `1_000`, `-1`); None otherwise."""
    if node is None:
        return None
    if node.type == "prefix_unary_expression" and syntax.text(node).startswith("-") and node.named_children:
        inner = _integer(node.named_children[-1])
        return -inner if inner is not None else None
    if node.type != "integer_literal":
        return None
    try:
        return int(syntax.text(node).replace("_", "").rstrip("uUlL"), 0)
    except ValueError:
        return None


def _check_metadata(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    if cls.kind != "job":
        return
    ctors = _constructors(cls)
    for ctor in ctors:
        assigned = _metadata_assignments(ctor)
        missing = [m for m in METADATA if m not in assigned]
        if missing and not cls.is_abstract and _direct_job(cls):
            yield Hit("OQJ011", ctor.child_by_field_name("name"),
                      "the constructor does not declare " + ", ".join(missing)
                      + (" (IsEnabled defaults to false: the job is registered disabled)" if "IsEnabled" in missing else ""))
        for a in assigned.get("Frequency", []):
            right = a.child_by_field_name("right")
            if right is not None and right.type == "string_literal":
                value = syntax.text(right)[1:-1]
                if value not in FREQUENCIES:
                    yield Hit("OQJ011", a, f"Frequency \"{value}\" is not one of m H d w M O; Oqtane would run it every minute", "error")
        for a in assigned.get("Interval", []):
            right = a.child_by_field_name("right")
            value = _integer(right)
            if value is not None and value < 1:
                yield Hit("OQJ011", a, f"Interval {syntax.text(right)} is below 1", "error")
    if not ctors and not cls.is_abstract and _direct_job(cls):
        yield Hit("OQJ011", cls.name_node, "the job declares no Name, Frequency, Interval or IsEnabled")
    for member in _members(cls, "method_declaration", "property_declaration"):
        for name, nodes in _metadata_assignments(member).items():
            for a in nodes:
                if _inside_class(a, cls):
                    yield Hit("OQJ011", a, f"{name} is set at run time; Oqtane reads job metadata once, at registration")


def _guarded(method: Node) -> bool:
    body = method.child_by_field_name("body")
    if body is None or body.type == "arrow_expression_clause":
        arrow = body if body is not None else next((c for c in method.children if c.type == "arrow_expression_clause"), None)
        if arrow is None:
            return True  # abstract
        expr = arrow.named_children[0] if arrow.named_children else None
        return expr is not None and expr.type in ("string_literal", "interpolated_string_expression", "verbatim_string_literal")
    statements = [s for s in body.named_children if s.type != "comment"]
    tries = [s for s in statements if s.type == "try_statement"]
    if not tries:
        return all(s.type == "return_statement" and s.named_children and s.named_children[0].type in ("string_literal", "verbatim_string_literal")
                   for s in statements) and bool(statements)
    t = tries[0]
    if not _catches_all(t):
        return False
    for s in statements:
        if s is t or s.id == t.id:
            continue
        if s.type == "local_declaration_statement" and (
                not any(True for _ in syntax.descendants(s, "invocation_expression", "object_creation_expression", "await_expression"))
                or _resolves_only_loggers(s)):
            continue
        if s.type == "return_statement" and not any(True for _ in syntax.descendants(s, "invocation_expression", "await_expression")):
            continue
        return False
    return True


def _resolves_only_loggers(stmt: Node) -> bool:
    """`var logger = provider.GetRequiredService<ILogger<T>>();` before the try, so that the catch can log."""
    calls = list(syntax.descendants(stmt, "invocation_expression"))
    if not calls or any(True for _ in syntax.descendants(stmt, "object_creation_expression", "await_expression")):
        return False
    for inv in calls:
        fn = inv.child_by_field_name("function")
        name = fn.child_by_field_name("name") if fn is not None and fn.type == "member_access_expression" else None
        if name is None or name.type != "generic_name" or type_name(name) not in ("GetRequiredService", "GetService"):
            return False
        targs = name.named_children[-1].named_children
        if len(targs) != 1 or _simple(type_name(targs[0])) not in LOGGER_TYPES:
            return False
    return True


def _catches_all(try_stmt: Node) -> bool:
    for c in try_stmt.named_children:
        if c.type != "catch_clause":
            continue
        decl = next((x for x in c.named_children if x.type == "catch_declaration"), None)
        if decl is None:
            return not any(x.type == "catch_filter_clause" for x in c.named_children) and not _rethrows(c)
        t = decl.child_by_field_name("type")
        if t is not None and _simple(type_name(t)) == "Exception" and not any(x.type == "catch_filter_clause" for x in c.named_children):
            return not _rethrows(c)
    return False


def _rethrows(catch: Node) -> bool:
    """A catch-all that always throws again guards nothing (a conditional throw is reported on its own)."""
    body = catch.child_by_field_name("body")
    return body is not None and any(s.type == "throw_statement" for s in body.named_children)


def _check_exceptions(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    if cls.kind != "job":
        return
    for m in _methods(cls, "ExecuteJob") + _methods(cls, "ExecuteJobAsync"):
        if not _guarded(m):
            yield Hit("OQJ012", m.child_by_field_name("name"),
                      "exceptions escape the execute method: the remaining tenants are skipped; catch them and return the outcome")
        for th in syntax.descendants(m, "throw_statement", "throw_expression"):
            if not _handled(th, m):
                yield Hit("OQJ012", th, "this throw escapes the execute method; return the error as the outcome instead")


def _handled(node: Node, method: Node) -> bool:
    child = node
    for a in syntax.ancestors(node):
        if a.id == method.id:
            return False
        if a.type in ("lambda_expression", "local_function_statement", "anonymous_method_expression"):
            return True  # runs elsewhere, not necessarily in this call
        if a.type == "try_statement" and child.type == "block" and a.child_by_field_name("body") is not None \
                and a.child_by_field_name("body").id == child.id and _catches_all(a):
            return True
        child = a
    return False


def _check_project(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    if ctx.role in ("client", "shared"):
        yield Hit("OQJ013", cls.name_node,
                  f"'{cls.name}' is in a {ctx.role} project ({ctx.project}); scheduled jobs run only from the Server assembly")


def _check_logging(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    param_lists = [c.child_by_field_name("parameters") for c in _constructors(cls)]
    if cls.primary_parameters is not None:
        param_lists.append(cls.primary_parameters)
    logger_params = set()
    for plist in param_lists:
        if plist is None:
            continue
        for p in plist.named_children:
            if p.type == "parameter" and _is_type_simple(p.child_by_field_name("type"), LOGGER_TYPES):
                logger_params.add(_name(p.child_by_field_name("name")))
                yield Hit("OQJ015", p, "injects a logger; the job's returned outcome is what Oqtane's job history keeps")
    derived = set()  # fields assigned from an injected logger or logger factory
    for ctor in _constructors(cls):
        for a in syntax.descendants(ctor, "assignment_expression"):
            left, right = a.child_by_field_name("left"), a.child_by_field_name("right")
            name = _assigned_member(left) if left is not None else None
            if name and right is not None and {syntax.text(i) for i in syntax.descendants(right, "identifier")} & logger_params:
                derived.add(name)
    for decl, name, tnode, _, _ in _fields(cls):
        if _is_type_simple(tnode, LOGGER_TYPES) and name not in derived:
            yield Hit("OQJ015", decl, "keeps its own logger; the job's returned outcome is what Oqtane's job history keeps")


def _check_constructor_side_effects(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    if cls.kind != "job":
        return
    for ctor in _constructors(cls):
        body = ctor.child_by_field_name("body")
        if body is None:
            continue
        for stmt in _statements(body):
            why = _side_effect(_statement_head(stmt))
            if why:
                yield Hit("OQJ016", stmt, f"the constructor {why}; Oqtane constructs jobs again just to read their metadata")


def _statements(block: Node) -> Iterator[Node]:
    """Every statement in a block, nested ones included (not those in lambdas)."""
    for n in syntax.descendants(block, "expression_statement", "local_declaration_statement", "using_statement",
                                "if_statement", "while_statement", "for_statement", "foreach_statement",
                                "return_statement", "throw_statement", "lock_statement", "switch_statement"):
        if syntax.first_ancestor(n, "lambda_expression", "anonymous_method_expression", "local_function_statement",
                                 "constructor_declaration").type == "constructor_declaration":
            yield n


def _statement_head(stmt: Node) -> Node:
    """The part of a statement that runs before its nested statements: `using (...)`, `if (...)`."""
    field = {"using_statement": None, "if_statement": "condition", "while_statement": "condition",
             "switch_statement": "value", "lock_statement": None, "foreach_statement": "right"}
    if stmt.type not in field:
        return stmt
    if field[stmt.type]:
        return stmt.child_by_field_name(field[stmt.type]) or stmt
    head = [c for c in stmt.named_children if c.type not in ("block",) and not c.type.endswith("_statement")]
    return head[0] if head else stmt


def _side_effect(stmt: Node) -> str | None:
    for inv in syntax.descendants(stmt, "invocation_expression"):
        recv, name = _invoked_name(inv)
        if name in ("CreateScope", "CreateAsyncScope"):
            return "creates a service scope"
        if name in ("GetService", "GetRequiredService", "GetServices") or _simple(recv) == "ActivatorUtilities":
            return "resolves services"
        if _simple(recv) in ("File", "Directory", "Path") and _simple(recv) != "Path":
            return "does file I/O"
        if _simple(recv) in ("Task", "ThreadPool") or name in ("Start", "StartNew"):
            return "starts work"
        root = recv.split(".", 1)[0].split("(", 1)[0]
        if root not in PURE_CTOR_CALL_TARGETS and not (recv == "" and name in ("nameof",)):
            if recv.startswith(("DateTime", "TimeSpan")):
                continue
            return f"calls {recv + '.' if recv else ''}{name}()"
    for n in syntax.descendants(stmt, "object_creation_expression"):
        t = _simple(type_name(n.child_by_field_name("type")))
        if t not in ("DateTime", "TimeSpan", "DateTimeOffset", "Guid"):
            return f"creates a {t}"
    return None


def _file_level_schedulers(ctx: CheckContext) -> Iterator[tuple[Hit, str]]:
    """Hangfire and Quartz schedules set up outside workers and jobs (startup classes)."""
    if not any(t in ctx.data for t in (b"RecurringJob", b"CronSchedule", b"TriggerBuilder", b"Cron.")):
        return
    in_classes = [c.node for c in ctx.model.workers_and_jobs()]
    for c in ctx.model.classes:
        if c.kind != "other" or c.body is None:
            continue
        for inv in syntax.descendants(c.node, "invocation_expression"):
            if any(n.start_byte <= inv.start_byte < n.end_byte for n in in_classes):
                continue
            owner = syntax.first_ancestor(inv, "class_declaration")
            if owner is None or owner.id != c.node.id:
                continue
            what = _scheduler_call(inv)
            if what and not what.startswith(("CronExpression", "CrontabSchedule")):
                yield Hit("OQJ006", inv, f"'{what}' runs its own scheduler beside Oqtane's; make it a HostedServiceBase job"), c.name


CLASS_CHECKS: tuple[Callable[[ClassInfo, CheckContext], Iterable[Hit]], ...] = (
    _check_worker_class, _check_timers_and_loops, _check_background_tasks, _check_state, _check_tenants,
    _check_scheduling, _check_blocking, _check_execute, _check_constructor, _check_cached_dependencies,
    _check_metadata, _check_exceptions, _check_project, _check_logging, _check_constructor_side_effects,
)


@dataclass(frozen=True)
class Registration:
    hit: Hit
    type_name: str  # the registered class (simple name)


def nodes_at_tokens(root: Node, tokens: Iterable[bytes], node_type: str) -> list[Node]:
    """The innermost `node_type` around each occurrence of a token in the file, in document order: a
    search that costs a bytes.find instead of a walk over the whole tree."""
    data = root.text or b""
    found: dict[int, Node] = {}
    for token in tokens:
        i = data.find(token)
        while i >= 0:
            n = root.descendant_for_byte_range(i, i + len(token))
            while n is not None and n.type != node_type:
                n = n.parent
            if n is not None:
                found.setdefault(n.start_byte * 1_000_003 + n.end_byte, n)
            i = data.find(token, i + len(token))
    return sorted(found.values(), key=lambda n: (n.start_byte, -n.end_byte))


def find_registrations(root: Node, model: FileModel) -> Iterator[Registration]:
    """`AddHostedService<T>()`, `Add{Singleton,Transient,Scoped}<IHostedService, T>()` and the `typeof` form."""
    aliases = [a.encode() for a, target in model.aliases.items() if _simple(target) == "IHostedService"]
    for inv in nodes_at_tokens(root, [b"AddHostedService", b"IHostedService", *aliases], "invocation_expression"):
        fn = inv.child_by_field_name("function")
        if fn is None or fn.type != "member_access_expression":
            continue
        nm = fn.child_by_field_name("name")
        if nm is None:
            continue
        method = type_name(nm)
        if nm.type == "generic_name":
            targs = [a for a in (nm.named_children[-1].named_children if nm.named_children else [])]
            if method == "AddHostedService" and len(targs) == 1:
                yield Registration(Hit("OQJ014", nm, "registers a hosted service by hand"), _simple(type_name(targs[0])))
            elif method in ("AddSingleton", "AddTransient", "AddScoped") and len(targs) == 2 \
                    and _is_ihostedservice(targs[0], model):
                yield Registration(Hit("OQJ014", nm, "registers a hosted service by hand"), _simple(type_name(targs[1])))
        elif method in ("AddSingleton", "AddTransient", "AddScoped"):
            args = [a for a in (inv.child_by_field_name("arguments").named_children if inv.child_by_field_name("arguments") else [])
                    if a.type == "argument"]
            if len(args) == 2:
                types = [next(syntax.descendants(a, "typeof_expression"), None) for a in args]
                if all(t is not None for t in types):
                    t0 = types[0].named_children[0] if types[0].named_children else None
                    t1 = types[1].named_children[0] if types[1].named_children else None
                    if t0 is not None and t1 is not None and _is_ihostedservice(t0, model):
                        yield Registration(Hit("OQJ014", nm, "registers a hosted service by hand"), _simple(type_name(t1)))


def _is_ihostedservice(node: Node, model: FileModel) -> bool:
    t = _resolved_type(node, model)
    return _simple(t) == "IHostedService" and _qualifier(t) in ("", "Microsoft.Extensions.Hosting")


# --- suppressions ---------------------------------------------------------------------------------

# `oqmigrate-ignore OQJ004, job-state: reason` — rule ids or names, then a colon and the reason.
SUPPRESSION = re.compile(r"^oqmigrate-ignore(?P<rules>(?:[\s,]+[A-Za-z][\w-]*)*)\s*(?::(?P<reason>.*))?$", re.DOTALL)
RULE_TOKEN = re.compile(r"[A-Za-z][\w-]*")


@dataclass(frozen=True)
class Suppression:
    line: int  # 1-based
    ids: tuple[str, ...]  # as written, upper-cased ids or names
    reason: str
    node: Node
    trailing: bool  # after code on its line: covers only that line; on a line of its own it covers the next
    malformed: bool = False

    def covers(self, line: int) -> bool:
        return line == self.line or (not self.trailing and line == self.line + 1)


def _comment_body(text: str) -> str:
    if text.startswith("//"):
        return text[2:].strip()
    if text.startswith("/*"):
        return text[2:].removesuffix("*/").strip()
    return text.strip()


def find_suppressions(root: Node) -> list[Suppression]:
    data = root.text or b""  # Node.text copies: take the file's bytes once
    out = []
    for c in nodes_at_tokens(root, [b"oqmigrate-ignore"], "comment"):
        body = _comment_body(syntax.text(c))
        if not body.startswith("oqmigrate-ignore"):
            continue  # mentioned in passing, e.g. in documentation
        line_start = c.start_byte - c.start_point[1]
        trailing = bool(data[line_start:c.start_byte].strip())
        m = SUPPRESSION.match(body)
        if m is None:
            out.append(Suppression(c.start_point[0] + 1, (), "", c, trailing, malformed=True))
            continue
        ids = tuple(RULE_TOKEN.findall(m.group("rules") or ""))
        # Without a colon, words that are not rules are a reason written in the wrong place.
        malformed = m.group("reason") is None and any(_rule_of(t) is None for t in ids)
        out.append(Suppression(c.start_point[0] + 1, ids, (m.group("reason") or "").strip(), c, trailing, malformed))
    return out


# --- assembling findings --------------------------------------------------------------------------

def _position(data: bytes, node: Node) -> tuple[int, int, int, int]:
    (sl, sc), (el, ec) = node.start_point, node.end_point
    line_start = node.start_byte - sc
    end_line_start = node.end_byte - ec
    col = len(data[line_start:node.start_byte].decode("utf-8", "replace")) + 1
    end_col = len(data[end_line_start:node.end_byte].decode("utf-8", "replace")) + 1
    return sl + 1, col, el + 1, end_col


def _line_text(data: bytes, line: int) -> str:
    start = 0
    for _ in range(line - 1):
        start = data.find(b"\n", start) + 1
    end = data.find(b"\n", start)
    return data[start: end if end >= 0 else len(data)].decode("utf-8", "replace").strip()


def make_finding(hit: Hit, symbol: str, ctx: CheckContext) -> Finding:
    rule = load_catalog()[hit.rule_id]
    line, col, end_line, end_col = _position(ctx.data, hit.node)
    return Finding(hit.rule_id, rule.name, hit.severity or rule.severity, ctx.rel, line, col, end_line, end_col,
                   symbol, hit.message, rule.fixable, ctx.project)


def with_fingerprints(findings: list[Finding], data: bytes, anchor: str | None = None) -> list[Finding]:
    """A fingerprint survives edits elsewhere in the file and another scan root: rule, path from the work
    tree, class and the finding's line text, plus an occurrence counter for identical lines. The identity is
    the same without the path, so a baseline entry follows its file through a rename."""
    seen: dict[str, int] = {}
    out = []
    for f in sorted(findings, key=Finding.sort_key):
        snippet = "|".join((f.rule_id, f.symbol, " ".join(_line_text(data, f.line).split())))
        n = seen.get(snippet, 0)
        seen[snippet] = n + 1
        path = anchor or f.rel
        digest = hashlib.sha256(f"{f.rule_id}|{path}|{snippet.split('|', 1)[1]}|{n}".encode()).hexdigest()[:20]
        identity = hashlib.sha256(f"{snippet}|{n}".encode()).hexdigest()[:20]
        out.append(replace(f, fingerprint=digest, identity=identity))
    return out


def check_file(ctx: CheckContext, root: Node, selected: set[str], registrations_resolved: bool = True,
               ) -> tuple[list[Finding], list[tuple[Finding, str]]]:
    """Findings of the selected rules, suppressions applied, and — when registrations cannot be resolved
    yet because the registered class is declared in another file — the pending OQJ014 findings with the
    class name they depend on."""
    findings: list[Finding] = []
    dedupe = set()
    for cls in ctx.model.workers_and_jobs():
        if cls.is_secondary_part:
            continue  # checked together with the part that carries the base list
        symbol = cls.name
        for check in CLASS_CHECKS:
            for hit in check(cls, ctx):
                if hit.rule_id not in selected:
                    continue
                f = make_finding(hit, symbol, ctx)
                key = (f.rule_id, f.line, f.symbol)
                if key in dedupe:
                    continue
                dedupe.add(key)
                findings.append(f)
    if "OQJ006" in selected:
        for hit, symbol in _file_level_schedulers(ctx):
            f = make_finding(hit, symbol, ctx)
            if (f.rule_id, f.line, f.symbol) not in dedupe:
                dedupe.add((f.rule_id, f.line, f.symbol))
                findings.append(f)
    pending: list[tuple[Finding, str]] = []
    if "OQJ014" in selected:
        local = {c.name: c.kind for c in ctx.model.classes}
        kinds = dict(ctx.kinds or {})
        for reg in find_registrations(root, ctx.model):
            owner = syntax.first_ancestor(reg.hit.node, "class_declaration")
            symbol = syntax.text(owner.child_by_field_name("name")) if owner is not None else ""
            f = make_finding(reg.hit, symbol, ctx)
            f = replace(f, message=f"registers {reg.type_name} by hand; Oqtane registers every IHostedService of a module assembly itself")
            kind = local.get(reg.type_name) or kinds.get(reg.type_name)
            if kind in ("worker", "job"):
                findings.append(f)
            elif kind is None and not registrations_resolved:
                pending.append((f, reg.type_name))
    # Pending registrations take part in suppression and fingerprinting like any finding of the file.
    def key(f: Finding) -> tuple:
        return f.rule_id, f.line, f.column, f.message

    names = {key(f): name for f, name in pending}
    kept = with_fingerprints(apply_suppressions(findings + [f for f, _ in pending], find_suppressions(root), selected, ctx),
                             ctx.data, ctx.anchor)
    return [f for f in kept if key(f) not in names], [(f, names[key(f)]) for f in kept if key(f) in names]


def _rule_of(token: str) -> str | None:
    """A rule id for an id or name written in a suppression, or None."""
    catalog = load_catalog()
    if token.upper() in catalog:
        return token.upper()
    return next((r.id for r in catalog.values() if r.name == token.lower()), None)


def apply_suppressions(findings: list[Finding], suppressions: list[Suppression], selected: set[str],
                       ctx: CheckContext) -> list[Finding]:
    """Drop suppressed findings; report suppressions that are malformed, name unknown rules, lack a
    reason (they do not suppress) or match nothing (stale, per rule)."""
    kept: list[Finding] = []
    used: set[tuple[int, str]] = set()
    valid = [(s, {_rule_of(t) for t in s.ids}) for s in suppressions
             if not s.malformed and s.reason and s.ids and all(_rule_of(t) for t in s.ids)]
    for f in findings:
        match = next((s for s, ids in valid if f.rule_id in ids and s.covers(f.line)), None)
        if match is None:
            kept.append(f)
        else:
            used.add((match.line, f.rule_id))
    if SUPPRESSION_RULE_ID not in selected:
        return kept
    for s in suppressions:
        rules = [_rule_of(t) for t in s.ids]
        unknown = [t for t, r in zip(s.ids, rules) if r is None]
        problem = None
        if s.malformed or not s.ids:
            problem = "malformed suppression, it does not suppress; write: // oqmigrate-ignore OQJ004: <reason>"
        elif unknown:
            problem = f"suppression names unknown rule {unknown[0]}, so it does not suppress"
        elif not any(r in selected for r in rules):
            continue  # about rules this run does not check
        elif not s.reason:
            problem = f"suppression of {', '.join(s.ids)} has no reason, so it does not suppress (add ': <reason>')"
        else:
            stale = [t for t, r in zip(s.ids, rules) if r in selected and (s.line, r) not in used]
            if stale:
                where = "on this line" if s.trailing else "on this line or the next"
                problem = f"stale suppression: nothing reported for {', '.join(stale)} {where}"
        if problem:
            line, col, end_line, end_col = _position(ctx.data, s.node)
            kept.append(Finding(SUPPRESSION_RULE_ID, SUPPRESSION_RULE_NAME, "warning", ctx.rel, line, col, end_line,
                                end_col, "", problem, False, ctx.project))
    return kept
