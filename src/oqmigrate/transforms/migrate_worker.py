"""migrate-worker: rewrite a BackgroundService / IHostedService worker into an Oqtane HostedServiceBase job.

The class keeps its name, namespace, attributes and modifiers; everything from the name to the closing brace is
regenerated: base `HostedServiceBase`, a constructor taking only `IServiceScopeFactory` that declares the
metadata (Name, Frequency, Interval, StartDate, IsEnabled), and `ExecuteJob`/`ExecuteJobAsync` holding the unit of
work — the statements that ran once per tick — guarded so that exceptions become the returned outcome. The unit
of work is copied from the original bytes with small, node-anchored replacements (the worker's token becomes
`CancellationToken.None`, `scope.ServiceProvider` becomes `provider`, constructor-injected fields become locals
resolved from `provider`, …) and re-indented to its new depth; comments travel with it.

Self-made scheduling goes with the loop: a poll that runs the work when the clock matches ("poor man's cron",
with or without a once-a-day flag) or when a next-run field is due gives the schedule; a worker switched on by
configuration (a guard before the loop or in StartAsync) becomes a disabled job; fields the worker only writes
disappear with their writes; a wait that only paced the loop from a branch (`if (idle) { await Task.Delay(…);
continue; }`) goes with the loop. Around the loop, lifecycle logging (plain, `IsEnabled`-guarded, or registered on
the stopping token) and a start-up `Task.Yield`/`Task.Delay` go (a wait of a minute or more is noted); a local
read only by the pacing wait is part of the cadence; a side-effect-free local the work reads moves into the job.
Each of these is reported as a review note where it changes behaviour.

A partial worker is migrated when all its parts are in the file: the part with the base list and the lifecycle is
rewritten, helpers and constants in the other parts stay where they are (rewritten in place when they used removed
fields), members only the lifecycle used are removed from them.

Anything that cannot be migrated faithfully — an irregular cron or clock check, an event-driven hosted service, an
abstract base, state read between runs, startup work, a cadence that cannot be determined — leaves the class
untouched and comes back as a ManualFollowUp with the reason. Generated code uses C# 7.2 constructs only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from oqmigrate import syntax
from oqmigrate.checks import LOGGER_TYPES
from oqmigrate.edits import Edit, apply_edits
from oqmigrate.model import ClassInfo
from oqmigrate.schedule import Schedule, evaluate_timespan
from oqmigrate.syntax import Node
from oqmigrate.transforms import ManualFollowUp, TransformContext, TransformResult

RULE_ID = "OQJ001"
CODEMOD = "migrate-worker"

INFRASTRUCTURE = "Oqtane.Infrastructure"
DEPENDENCY_INJECTION = "Microsoft.Extensions.DependencyInjection"

WORKER_BASES = {"BackgroundService", "IHostedService", "IDisposable", "IAsyncDisposable"}
LIFECYCLE = {"ExecuteAsync", "StartAsync", "StopAsync", "Dispose", "DisposeAsync"}
PLUMBING_TYPES = {"Timer", "PeriodicTimer", "CancellationTokenSource", "Task", "Thread", "CronExpression",
                  "CrontabSchedule", "ITimer"}
SCOPE_SOURCES = {"IServiceScopeFactory", "IServiceProvider"}
CANCELLED = {"OperationCanceledException", "TaskCanceledException"}
LOG_METHODS = {"LogInformation", "LogWarning", "LogError", "LogDebug", "LogTrace", "LogCritical", "Log"}
CRON_PARSERS = {"CronExpression", "CrontabSchedule"}

# Namespaces a migrated file may stop needing, with the names that show they are still used.
REMOVABLE_USINGS = {
    "Microsoft.Extensions.Hosting": {"BackgroundService", "IHostedService", "IHostApplicationLifetime",
                                     "IApplicationLifetime", "IHostEnvironment", "IHostingEnvironment", "IHost",
                                     "Host", "IHostBuilder", "HostBuilder", "Environments"},
    "Cronos": {"CronExpression", "CronFormat", "CronFormatException"},
    "NCrontab": {"CrontabSchedule", "CrontabException"},
    "System.Timers": {"Timer", "ElapsedEventArgs", "ElapsedEventHandler"},
    "Microsoft.Extensions.Logging": {"ILogger", "ILoggerFactory", "LogLevel", "EventId", "LoggerMessage",
                                     "BeginScope", "NullLogger"} | LOG_METHODS,
    "Microsoft.Extensions.Options": {"IOptions", "IOptionsMonitor", "IOptionsSnapshot", "Options", "OptionsBuilder",
                                     "IConfigureOptions", "IPostConfigureOptions", "IValidateOptions",
                                     "ValidateOptionsResult", "OptionsWrapper", "IOptionsFactory",
                                     "IOptionsMonitorCache", "ConfigureOptions"},
    # GetValue, GetSection, Bind, … are extension methods of this namespace: any of them keeps the using.
    "Microsoft.Extensions.Configuration": {"IConfiguration", "IConfigurationSection", "IConfigurationRoot",
                                           "IConfigurationBuilder", "ConfigurationBuilder", "ConfigurationBinder",
                                           "ConfigurationPath", "ConfigurationManager", "ConfigurationExtensions",
                                           "ConfigurationRootExtensions", "BinderOptions", "GetValue", "GetSection",
                                           "GetChildren", "GetConnectionString", "GetRequiredSection", "Bind", "Get",
                                           "AsEnumerable", "Exists", "AddJsonFile", "AddEnvironmentVariables",
                                           "AddInMemoryCollection", "AddUserSecrets", "AddCommandLine"},
}

_FUNCTION_SCOPES = ("lambda_expression", "anonymous_method_expression", "local_function_statement")
_LOOPS = ("while_statement", "do_statement", "for_statement", "foreach_statement")
_MULTILINE_TOKENS = ("verbatim_string_literal", "raw_string_literal", "interpolated_string_expression",
                     "string_literal")
_SENTINEL = "\x00"  # stands for a newline inside a string literal while code is re-indented


class Manual(Exception):
    """The class cannot be migrated faithfully; the message is the reason shown to the user."""


def migrate_worker(ctx: TransformContext) -> TransformResult:
    result = TransformResult([], [], [])
    problems = syntax.syntax_problems(ctx.tree)
    class_edits: list[Edit] = []
    needs: set[str] = set()
    for info in ctx.model.classes:
        if info.kind != "worker" or (ctx.only and info.name != ctx.only):
            continue
        if info.is_partial and not info.bases and any(p.bases for p in _parts(ctx, info)):
            continue  # migrated (or reported) with the part that carries the base list
        try:
            if any(p.start_byte < info.node.end_byte and p.end_byte > info.node.start_byte for p in problems):
                raise Manual("syntax errors in or near the class; fix them first")
            migration = _Migrator(ctx, info).run()
        except Manual as why:
            result.manual.append(ManualFollowUp(ctx.rel, info.line, info.name, str(why)))
            continue
        class_edits.append(migration.edit)
        class_edits.extend(migration.part_edits)
        needs |= migration.needs
        result.migrated.append(info.name)
        for note in migration.notes:
            result.manual.append(ManualFollowUp(ctx.rel, info.line, info.name, "review: " + note))
    if not class_edits:
        return result
    # Only review notes so far were recorded as follow-ups for migrated classes; keep them.
    result.edits.extend(class_edits)
    using_edit = _using_edit(ctx, class_edits, needs)
    if using_edit is not None:
        result.edits.append(using_edit)
    return result


@dataclass
class _Migration:
    edit: Edit
    needs: set[str]
    notes: list[str]
    part_edits: list[Edit] = field(default_factory=list)  # in the other parts of a partial class


@dataclass
class _Field:
    name: str
    type: str
    declaration: Node  # field_declaration
    initializer: Node | None
    modifiers: frozenset[str]
    ctor_value: Node | None = None  # right-hand side assigned in the constructor
    ctor_statement: Node | None = None

    @property
    def simple_type(self) -> str:
        return re.sub(r"<.*", "", self.type).rsplit(".", 1)[-1].rstrip("?")

    @property
    def is_plumbing(self) -> bool:
        return self.simple_type in PLUMBING_TYPES

    @property
    def is_constant(self) -> bool:
        return "const" in self.modifiers or ("readonly" in self.modifiers and self.initializer is not None)


@dataclass
class _Repl:
    start: int
    end: int
    text: str | None = None
    render: object = None  # callable returning the text, evaluated lazily (may render nested ranges)


@dataclass
class _Piece:
    """A range of original bytes that becomes one or more statements of the new method."""
    start: int
    end: int


@dataclass
class _Plan:
    pieces: list[_Piece] = field(default_factory=list)
    schedule: Schedule | None = None
    cadence_notes: list[str] = field(default_factory=list)
    removed_members: set[int] = field(default_factory=set)  # ids (start bytes) of members that go away
    token_names: set[str] = field(default_factory=set)
    loop: Node | None = None  # the removed loop, whose continue/break/return become outcomes
    host: Node | None = None  # the method/lambda whose `return;` statements become outcomes
    enabled: bool = True
    work_root: Node | None = None


class _Migrator:
    def __init__(self, ctx: TransformContext, info: ClassInfo):
        self.ctx = ctx
        self.info = info
        self.data = ctx.data
        self.nl = ctx.newline
        self.node = info.node
        self.body = info.body
        if self.body is None:
            raise Manual("class has no body")
        self.root = ctx.tree.root_node
        self.other_parts: list[Node] = []  # bodies of the other parts of a partial class, all in this file
        self.bodies: list[Node] = [self.body]
        self.replacements: list[_Repl] = []
        self.deleted: list[tuple[int, int]] = []
        self.notes: list[str] = []
        self.needs: set[str] = set()
        self.fields: dict[str, _Field] = {}
        self.methods: dict[str, list[Node]] = {}
        self.ctor: Node | None = None
        self.plan = _Plan()
        self.outcome_name = _words(info.name)
        self.scope_names: set[str] = set()
        self.cron_locals: set[str] = set()
        self._cron_removed: list[Node] = []
        self._polled_setup: list[Node] = []  # statements before the loop that only prime a next/last-run value

    # ------------------------------------------------------------------ analysis

    def run(self) -> _Migration:
        info = self.info
        if info.is_abstract:
            raise Manual("abstract worker base shared by subclasses: migrate each subclass by hand")
        if info.via.rsplit(".", 1)[-1] not in ("BackgroundService", "IHostedService"):
            raise Manual(f"derives from the worker base {info.via}: migrate the base and its subclasses together")
        if info.is_partial:
            self._check_parts()
        if any(c.type == "type_parameter_list" for c in self.node.named_children):
            raise Manual("generic worker class")
        self._collect_members()
        if self.other_parts:
            self._check_parts_complete()
        self._find_driver()
        self._check_members()
        self._plan_dependencies()
        text = self._generate()
        start = self._class_rewrite_start()
        edit = Edit(start, self.node.end_byte, text, RULE_ID, "; ".join(self.notes))
        return _Migration(edit, self.needs, list(self.notes), self._part_edits())

    # ------------------------------------------------------------------ partial classes

    def _check_parts(self) -> None:
        """A partial worker is migrated only when all its parts are in this file (as far as the file can tell):
        one part carries the base list, the constructor and the lifecycle; the others hold helpers and constants."""
        parts = _parts(self.ctx, self.info)
        if len(parts) < 2:
            raise Manual("partial class: its other parts are in other files, which this migration cannot see")
        if not self.info.bases:
            raise Manual("partial class: the part with the base list is in another file")
        if sum(1 for p in parts if p.bases) > 1:
            raise Manual("partial class: several parts declare base lists")
        for p in parts:
            if p.node == self.node:
                continue
            if p.body is None or p.primary_parameters is not None or any(
                    c.type in ("type_parameter_list", "type_parameter_constraints_clause") for c in p.node.named_children):
                raise Manual("partial class: another part has a different shape: " + _one_line(p.name_node))
            for m in p.body.named_children:
                if m.type == "constructor_declaration":
                    raise Manual("partial class: the constructor is not in the part with the base list")
                if m.type == "method_declaration" and syntax.text(m.child_by_field_name("name")) in LIFECYCLE:
                    raise Manual("partial class: the lifecycle is split over several parts: "
                                 + syntax.text(m.child_by_field_name("name")))
            self.other_parts.append(p.body)
        self.bodies = [self.body] + self.other_parts

    def _members(self):
        for body in self.bodies:
            yield from body.named_children

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
                raise Manual(f"partial class: the partial method {name} has no implementation in this file; "
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
                elif syntax.text(n).startswith("_") and not _is_member_name(n) and n.parent.type not in (
                        "variable_declarator", "parameter"):
                    name = syntax.text(n)
                if name is None or name in declared or name in local or name in ("nameof", "_"):
                    continue
                raise Manual(f"partial class: {name} is not declared in this file; another part may be in another "
                             "file")

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
                    text = self._render(m.start_byte, m.end_byte).replace(_SENTINEL, "\n")
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

    def _in_main_part(self, member: Node) -> bool:
        return self.body.start_byte <= member.start_byte < self.body.end_byte

    def _leading_comments_start(self, member: Node) -> int:
        """Where a member starts together with the comments on the lines just above it."""
        start = member.start_byte
        prev = member.prev_named_sibling
        while prev is not None and prev.type == "comment" and prev.end_point[0] < member.start_point[0] and \
                not self._trailing_comment(prev):
            start = prev.start_byte
            prev = prev.prev_named_sibling
        return start

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
                    raise Manual("primary constructor parameter without a plain type: " + _one_line(p))
                self.fields[syntax.text(name)] = _Field(syntax.text(name), syntax.text(ptype), p, None, frozenset(),
                                                        ctor_value=name)
        primary_names = set(self.fields)
        for m in self._members():
            if m.type == "field_declaration":
                mods = frozenset(syntax.text(c) for c in m.children if c.type == "modifier")
                decl = next((c for c in m.named_children if c.type == "variable_declaration"), None)
                if decl is None:
                    continue
                ftype = syntax.text(decl.child_by_field_name("type"))
                for d in decl.named_children:
                    if d.type != "variable_declarator":
                        continue
                    name = syntax.text(d.child_by_field_name("name"))
                    kids = d.named_children
                    init = kids[-1] if len(kids) > 1 else None
                    if name in primary_names:
                        raise Manual(f"the field {name} has the name of a primary constructor parameter")
                    if init is not None and set(_identifiers(init)) & primary_names:
                        self.fields[name] = _Field(name, ftype, m, None, mods - {"const"},
                                                   ctor_value=_strip_null_guard(init))
                        continue
                    self.fields[name] = _Field(name, ftype, m, init, mods)
            elif m.type == "method_declaration":
                self.methods.setdefault(syntax.text(m.child_by_field_name("name")), []).append(m)
            elif m.type == "constructor_declaration":
                if "static" in {syntax.text(c) for c in m.children if c.type == "modifier"}:
                    raise Manual("static constructor")
                if self.ctor is not None or primary is not None:
                    raise Manual("several constructors")
                self.ctor = m
        if self.ctor is not None:
            self._read_constructor()

    def _read_constructor(self) -> None:
        init = next((c for c in self.ctor.named_children if c.type == "constructor_initializer"), None)
        if init is not None and syntax.text(init).replace(" ", "").split("(")[0] != ":base":
            raise Manual("constructor chains to another constructor")
        body = self.ctor.child_by_field_name("body")
        if body is None:
            raise Manual("expression-bodied constructor")
        for st in _statements(body):
            target = _assigned_field(st)
            if target is not None and target in self.fields:
                value = _strip_null_guard(_assignment(st).child_by_field_name("right"))
                f = self.fields[target]
                f.ctor_value, f.ctor_statement = value, st
                continue
            if self._is_logging(st) or self._is_timer_setup(st):
                continue
            raise Manual("the constructor does more than store its dependencies: " + _one_line(st))

    def _is_timer_setup(self, st: Node) -> bool:
        """`_timer.Elapsed += OnElapsed;`, `_timer.AutoReset = true;`, `_timer.Start();` and the like."""
        names = _identifiers(st)
        return any(n in self.fields and self.fields[n].is_plumbing for n in names)

    def _is_logging(self, st: Node) -> bool:
        """`_logger.LogX(…);`, or such calls guarded by `if (_logger.IsEnabled(LogLevel.X)) { … }`."""
        if st.type == "if_statement" and st.child_by_field_name("alternative") is None:
            if not self._is_log_level_check(st.child_by_field_name("condition")):
                return False
            inner = _statements(st.child_by_field_name("consequence"))
            return bool(inner) and all(self._is_logging(s) for s in inner)
        if st.type != "expression_statement":
            return False
        return self._is_log_call(st.named_children[0] if st.named_children else None)

    def _is_log_level_check(self, cond: Node | None) -> bool:
        """`_logger.IsEnabled(LogLevel.Debug)` (possibly several joined with && or ||)."""
        if cond is None:
            return False
        cond = _unparenthesized(cond)
        if cond.type == "binary_expression" and _operator(cond) in ("&&", "||"):
            return all(self._is_log_level_check(cond.child_by_field_name(k)) for k in ("left", "right"))
        if cond.type != "invocation_expression":
            return False
        fn = cond.child_by_field_name("function")
        if fn is None or fn.type != "member_access_expression" or \
                syntax.text(fn.child_by_field_name("name")) != "IsEnabled":
            return False
        f = self.fields.get(_member_root(fn.child_by_field_name("expression")))
        return f is not None and f.simple_type in LOGGER_TYPES

    def _is_lifecycle_logging(self, st: Node) -> bool:
        """Before or after the loop: logging, or `stoppingToken.Register(() => _logger.LogX(…));` — a log line
        written when the host stops, also together under one `IsEnabled` check. Jobs have no start or stop,
        so all of it goes."""
        if st.type == "if_statement" and st.child_by_field_name("alternative") is None \
                and self._is_log_level_check(st.child_by_field_name("condition")):
            inner = _statements(st.child_by_field_name("consequence"))
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
                _member_root(fn.child_by_field_name("expression")) not in self.plan.token_names:
            return False
        lam = args[0]
        if lam.type != "lambda_expression" or lam.child_by_field_name("parameters") is None or \
                lam.child_by_field_name("parameters").named_children:
            return False
        body = lam.child_by_field_name("body")
        if body.type == "block":
            inner = _statements(body)
            return bool(inner) and all(self._is_logging(s) for s in inner)
        return self._is_log_call(body)

    def _is_log_call(self, expr: Node | None) -> bool:
        expr = _unwrap_await(expr) if expr is not None else None
        if expr is None or expr.type != "invocation_expression":
            return False
        fn = expr.child_by_field_name("function")
        if fn is None or fn.type != "member_access_expression":
            return False
        name = syntax.text(fn.child_by_field_name("name")).split("<")[0]
        owner = _member_root(fn.child_by_field_name("expression"))
        f = self.fields.get(owner)
        return name in LOG_METHODS and f is not None and f.simple_type in LOGGER_TYPES

    # ------------------------------------------------------------------ the driver: loop, timer or task

    def _method(self, name: str) -> Node | None:
        ms = self.methods.get(name, [])
        if len(ms) > 1:
            raise Manual(f"overloaded {name}")
        return ms[0] if ms else None

    def _find_driver(self) -> None:
        execute = self._method("ExecuteAsync")
        start = self._method("StartAsync")
        if execute is not None:
            self.plan.removed_members.add(execute.start_byte)
            self._loop_host(execute)
            for name in ("StartAsync", "StopAsync", "Dispose", "DisposeAsync"):
                m = self._method(name)
                if m is not None:
                    self._check_lifecycle(m)
            return
        if start is None:
            raise Manual("no ExecuteAsync or StartAsync: nothing that runs on a schedule")
        starters = [start] + ([self.ctor] if self.ctor is not None else [])
        driver = None
        for owner in starters:
            for n in syntax.walk(owner):
                found = self._driver_of(n)
                if found is not None:
                    if driver is not None:
                        raise Manual("several timers or background loops")
                    driver = found
        if driver is None:
            raise Manual("event-driven hosted service: no timer or loop gives it a schedule")
        for name in ("StartAsync", "StopAsync", "Dispose", "DisposeAsync"):
            m = self._method(name)
            if m is not None:
                self._check_lifecycle(m)
        kind, payload = driver
        if kind == "threading-timer":
            callback, period = payload
            self._timer_callback(callback)
            if self.plan.schedule is None:
                self._cadence_from(period, number_unit=0.001)
        elif kind == "timers-timer":
            handler, interval = payload
            self._timer_callback(handler)
            if self.plan.schedule is None:
                if interval is None:
                    raise Manual("System.Timers.Timer without a known Interval")
                self._cadence_from(interval, number_unit=0.001)
        else:
            self._background_task(payload)

    def _driver_of(self, n: Node):
        if n.type == "object_creation_expression":
            t = syntax.text(n.child_by_field_name("type"))
            args = syntax.arguments(n)
            if t in ("Timer", "System.Threading.Timer") and len(args) == 4:
                return "threading-timer", (args[0], args[3])
            if t in ("Thread", "System.Threading.Thread") and args:
                return "task", args[0]
        if n.type == "assignment_expression" and _operator(n) == "+=":
            left = n.child_by_field_name("left")
            if left.type == "member_access_expression" and syntax.text(left.child_by_field_name("name")) == "Elapsed":
                timer = _member_root(left.child_by_field_name("expression"))
                return "timers-timer", (n.child_by_field_name("right"), self._timers_interval(timer))
        if n.type == "invocation_expression":
            fn = syntax.text(n.child_by_field_name("function"))
            if fn in ("Task.Run", "Task.Factory.StartNew") and syntax.arguments(n):
                return "task", syntax.arguments(n)[0]
        return None

    def _timers_interval(self, timer: str) -> Node | None:
        """The interval of a System.Timers.Timer: constructor argument, initializer or `Interval =`."""
        found = None
        scopes = [m for ms in self.methods.values() for m in ms] + ([self.ctor] if self.ctor else [])
        scopes += [f.declaration for f in self.fields.values()]
        for scope in scopes:
            for n in syntax.walk(scope):
                if n.type == "object_creation_expression" and syntax.text(n.child_by_field_name("type")) in (
                        "Timer", "System.Timers.Timer"):
                    args = syntax.arguments(n)
                    if len(args) == 1:
                        found = args[0]
                    for a in syntax.descendants(n, "assignment_expression"):
                        if syntax.text(a.child_by_field_name("left")) == "Interval":
                            found = a.child_by_field_name("right")
                if n.type == "assignment_expression" and _operator(n) == "=":
                    left = n.child_by_field_name("left")
                    if (left.type == "member_access_expression"
                            and syntax.text(left.child_by_field_name("name")) == "Interval"
                            and _member_root(left.child_by_field_name("expression")) == timer):
                        found = n.child_by_field_name("right")
        return found

    def _check_lifecycle(self, m: Node) -> None:
        """StartAsync/StopAsync/Dispose may only manage the timer or loop, call base, log or return."""
        self.plan.removed_members.add(m.start_byte)
        body = m.child_by_field_name("body")
        if body is None:
            return
        for st in _statements(body):
            self._check_plumbing_statement(st, syntax.text(m.child_by_field_name("name")))

    def _check_plumbing_statement(self, st: Node, where: str) -> None:
        if st.type in ("block", "try_statement", "finally_clause", "using_statement"):
            for inner in st.named_children:
                if inner.type == "block":
                    for s in _statements(inner):
                        self._check_plumbing_statement(s, where)
                elif inner.type == "finally_clause":
                    self._check_plumbing_statement(inner, where)
                elif inner.type == "catch_clause":
                    b = inner.child_by_field_name("body")
                    for s in _statements(b):
                        self._check_plumbing_statement(s, where)
            return
        if st.type == "return_statement" or self._is_logging(st) or st.type == "empty_statement":
            return
        if where == "StartAsync" and st.type == "if_statement":
            if self._enabled_guard(st):
                return  # `if (!_options.Value.Enabled) return Task.CompletedTask;`: the job starts disabled
            cond = st.child_by_field_name("condition")
            quits = any(n.type == "return_statement" for n in syntax.walk(st))
            plumbing = {n for n, f in self.fields.items() if f.is_plumbing or f.simple_type == "bool"}
            plumbing |= {"null", "IsCancellationRequested"} | self.plan.token_names
            starts = any(self._driver_of(n) is not None for n in syntax.walk(st))
            if starts and not quits and st.child_by_field_name("alternative") is None and \
                    self._configuration_switch(cond, negated=False):
                # `if (_options.Value.Enabled) { _timer = new Timer(…); }`
                self.plan.enabled = False
                for inner in _statements(st.child_by_field_name("consequence")):
                    self._check_plumbing_statement(inner, where)
                return
            if (quits or starts) and not set(_identifiers(cond)) <= plumbing:
                raise Manual("StartAsync starts the worker only when " + _one_line(cond))
        txt = syntax.text(st)
        if "base." in txt or "Task.CompletedTask" in txt or "GC.SuppressFinalize" in txt:
            return
        names = _identifiers(st)
        if any(n in self.fields and self.fields[n].is_plumbing for n in names):
            return
        if any(n in ("Task", "Thread", "Timer", "Timeout") for n in names):
            return
        plumbing_flag = [n for n in names if n in self.fields and self.fields[n].simple_type == "bool"]
        if plumbing_flag and st.type == "expression_statement":
            return
        raise Manual(f"{where} does more than manage the timer or loop: {_one_line(st)}")

    def _timer_callback(self, callback: Node) -> None:
        """The callback's body is the unit of work: a method group or a lambda."""
        if callback.type == "identifier" and syntax.text(callback) in self.methods:
            method = self._method(syntax.text(callback))
            self.plan.removed_members.add(method.start_byte)
            params = method.child_by_field_name("parameters")
            used = set(_identifiers(method.child_by_field_name("body") or method))
            for p in params.named_children if params else []:
                if p.type == "parameter" and syntax.text(p.child_by_field_name("name")) in used:
                    raise Manual(f"the timer callback uses its parameter {syntax.text(p.child_by_field_name('name'))}")
            body = method.child_by_field_name("body")
            self.plan.host = method
            self.plan.work_root = method
            if body is None:
                arrow = next(c for c in method.named_children if c.type == "arrow_expression_clause")
                self.plan.pieces = [_Piece(arrow.named_children[0].start_byte, arrow.named_children[0].end_byte)]
                self._expression_pieces = True
            else:
                self.plan.pieces = self._pieces(self._unless_polled(_statements_with_comments(body)))
            return
        if callback.type == "lambda_expression":
            body = callback.child_by_field_name("body")
            params = callback.child_by_field_name("parameters")
            used = set(_identifiers(body))
            pnames = [syntax.text(p.child_by_field_name("name")) for p in (params.named_children if params else [])
                      if p.type == "parameter"]
            if params is None:  # `state => …` without parentheses
                first = callback.named_children[0]
                pnames = [syntax.text(first)] if first.type == "identifier" else []
            for p in pnames:
                if p in used and p != "_":
                    raise Manual(f"the timer callback uses its parameter {p}")
            self.plan.host = callback
            self.plan.work_root = callback
            if body.type == "block":
                self.plan.pieces = self._pieces(self._unless_polled(_statements_with_comments(body)))
            else:
                self.plan.pieces = [_Piece(body.start_byte, body.end_byte)]
                self._expression_pieces = True
            return
        raise Manual("timer callback is neither a method of the class nor a lambda: " + _one_line(callback))

    _expression_pieces = False
    _poll_seconds: float | None = None  # the wait of a poll loop, when known

    def _background_task(self, arg: Node) -> None:
        """`Task.Run(() => LoopAsync(token))`, `new Thread(Loop)`: the started method holds the loop."""
        target = arg
        if arg.type == "lambda_expression":
            body = arg.child_by_field_name("body")
            if body.type == "block":
                return self._loop_host(arg)
            target = _unwrap_await(body)
        if target.type == "invocation_expression":
            target = target.child_by_field_name("function")
        name = syntax.text(target)
        method = self._method(name) if name in self.methods else None
        if method is None:
            raise Manual("background task does not start a method of the class: " + _one_line(arg))
        self.plan.removed_members.add(method.start_byte)
        self._loop_host(method)

    # ------------------------------------------------------------------ loops

    def _loop_host(self, host: Node) -> None:
        body = host.child_by_field_name("body")
        if body is None or body.type != "block":
            raise Manual("the loop is not in a block body")
        params = host.child_by_field_name("parameters")
        for p in params.named_children if params else []:
            if p.type == "parameter" and "CancellationToken" in syntax.text(p.child_by_field_name("type") or p):
                self.plan.token_names.add(syntax.text(p.child_by_field_name("name")))
        self.plan.host = host
        locals_: dict[str, Node] = {}
        loop, pre, post, timer_period = self._locate_loop(_statements(body), locals_)
        self.plan.loop = loop
        self.plan.work_root = loop
        loop_body = loop.child_by_field_name("body")
        stmts = _statements_with_comments(loop_body) if loop_body.type == "block" else [loop_body]
        self._check_condition(loop)
        delay_args: list[Node] = []
        work = self._strip_pacing(stmts, delay_args)
        if timer_period is not None:
            self._cadence_from(timer_period, 0.001, locals_)
        elif self._cron_expression() is not None:
            self._cadence_from_cron()
        elif delay_args:
            constants = self._constants()
            constants.update(locals_)
            self._poll_seconds = evaluate_timespan(delay_args[-1], self.data, constants, number_unit=0.001)
            polled = self._polled_schedule(work, pre)
            if polled is not None:
                work = polled
            else:
                # the regular path's wait: the last one at the top level of the loop body
                self._cadence_from(delay_args[-1], 0.001, locals_)
        else:
            raise Manual("loop without a delay: it does not run on a schedule")
        self._drop_conditional_pacing(loop_body, work, locals_, timer_period)
        per_run: list[Node] = []
        for st in reversed(pre):  # a local read by a later per-run local is per-run too
            if self._per_run_local(st, work + per_run):
                per_run.insert(0, st)
        for st in pre:
            if st in per_run or self._enabled_guard(st):
                continue
            if any(st == s for s in self._polled_setup):
                continue
            if self._startup_wait(st, locals_):
                continue
            if self._pacing_local(st, work + per_run + post):
                continue
            if not self._dispensable_setup(st, work):
                raise Manual("code before the loop runs once at startup: " + _one_line(st))
        for st in post:
            if not (self._is_lifecycle_logging(st) or st.type == "comment"):
                raise Manual("code after the loop runs once at shutdown: " + _one_line(st))
        if per_run and not any(st.type != "comment" for st in work):
            raise Manual("the loop only waits: there is no unit of work to migrate")
        self.plan.pieces = self._pieces(per_run + work)
        if not any(self._node_at(p.start) is not None and self._node_at(p.start).type != "comment"
                   for p in self.plan.pieces):
            raise Manual("the loop only waits: there is no unit of work to migrate")

    def _locate_loop(self, stmts: list[Node], locals_: dict[str, Node]):
        loops = [s for s in stmts if s.type in ("while_statement", "do_statement", "for_statement")]
        timer_period = None
        if len(loops) == 1:
            i = stmts.index(loops[0])
            pre = stmts[:i]
            for st in pre:
                period = self._periodic_timer(st)
                if period is not None:
                    timer_period = period
                self._record_locals(st, locals_)
            return loops[0], pre, stmts[i + 1:], timer_period
        if loops:
            raise Manual("several loops in the worker")
        # the loop may sit in a `using (var timer = new PeriodicTimer(…))` or a try/catch for cancellation
        wrappers = [s for s in stmts if s.type in ("using_statement", "try_statement")]
        if len(wrappers) == 1:
            w = wrappers[0]
            i = stmts.index(w)
            inner_block = w.child_by_field_name("body")
            if w.type == "using_statement":
                timer_period = self._periodic_timer(w)
                if timer_period is None:
                    raise Manual("the loop is wrapped in a using statement that is not a PeriodicTimer")
            else:
                for c in w.named_children:
                    if c.type == "catch_clause" and not self._is_cancellation_catch(c):
                        if not all(self._is_logging(s) for s in _statements(c.child_by_field_name("body"))):
                            raise Manual("the loop is wrapped in a try/catch that does more than log")
                    if c.type == "finally_clause":
                        for s in _statements(next(x for x in c.named_children if x.type == "block")):
                            if not self._is_logging(s):
                                raise Manual("the loop is wrapped in a try/finally that does more than log")
            if inner_block is None or inner_block.type != "block":
                raise Manual("unexpected loop wrapper")
            loop, pre, post, period = self._locate_loop(_statements(inner_block), locals_)
            for st in stmts[:i]:
                self._record_locals(st, locals_)
            return loop, stmts[:i] + pre, post + stmts[i + 1:], period or timer_period
        raise Manual("no repeating loop found")

    def _record_locals(self, st: Node, locals_: dict[str, Node]) -> None:
        if st.type == "local_declaration_statement":
            for d in syntax.descendants(st, "variable_declarator"):
                kids = d.named_children
                if len(kids) > 1:
                    locals_[syntax.text(kids[0])] = kids[-1]

    def _periodic_timer(self, st: Node) -> Node | None:
        for n in syntax.descendants(st, "object_creation_expression"):
            if syntax.text(n.child_by_field_name("type")) in ("PeriodicTimer", "System.Threading.PeriodicTimer"):
                if n.parent is not None and syntax.first_ancestor(n, "block") is not None and \
                        st.type == "using_statement" and n.start_byte > st.child_by_field_name("body").start_byte:
                    continue
                args = syntax.arguments(n)
                return args[0] if args else None
        return None

    def _startup_wait(self, st: Node, locals_: dict[str, Node]) -> bool:
        """`await Task.Yield();` or `await Task.Delay(initial, token);` before the loop: a start-up delay. The job
        starts on Oqtane's schedule instead; a wait of a minute or more (or of an unknown length) is reported."""
        if st.type == "expression_statement" and st.named_children:
            expr = _unwrap_await(st.named_children[0])
            if expr.type == "invocation_expression" and syntax.text(expr.child_by_field_name("function")) in (
                    "Task.Yield", "System.Threading.Tasks.Task.Yield") and not syntax.arguments(expr):
                return True
        arg = self._is_delay(st)
        if arg is None:
            return False
        constants = self._constants()
        constants.update(locals_)
        seconds = evaluate_timespan(arg, self.data, constants, number_unit=0.001)
        if seconds is None or seconds >= 60:
            wait = _one_line(arg) if seconds is None else _span_words(seconds)
            note = f"the worker waited {wait} before its first run; Oqtane starts jobs on its own schedule"
            if note not in self.plan.cadence_notes:
                self.plan.cadence_notes.append(note)
        return True

    def _per_run_local(self, st: Node, users: list[Node]) -> bool:
        """`var batchSize = 100;` before the loop, read (never written) by the work: computing it again on every
        run gives the same value, so it moves into the job. A value that does anything (a call, `new`, an await)
        is start-up work and stays manual."""
        if st.type != "local_declaration_statement" or any(c.type == "using" for c in st.children):
            return False
        names = set()
        for d in syntax.descendants(st, "variable_declarator"):
            kids = d.named_children
            if len(kids) < 2 or _has_effects(kids[-1]):
                return False
            names.add(syntax.text(kids[0]))
        read = False
        for u in users:
            for n in syntax.walk(u):
                if n.type != "identifier" or syntax.text(n) not in names or _is_member_name(n) or self._is_deleted(n):
                    continue
                if _is_written(n):
                    return False  # written by the work: state carried between iterations
                read = True
        return read

    def _pacing_local(self, st: Node, kept: list[Node]) -> bool:
        """`var interval = TimeSpan.FromSeconds(_settings.PollSeconds);` before the loop, read by nothing the job
        keeps (only by the waits that paced the loop): part of the cadence, which the schedule now holds. Its value
        may only compute (or read configuration): anything else it does would be start-up work."""
        if st.type != "local_declaration_statement" or any(c.type == "using" for c in st.children):
            return False
        names = set()
        constants = self._constants()
        for d in syntax.descendants(st, "variable_declarator"):
            kids = d.named_children
            if len(kids) < 2:
                return False
            value = kids[-1]
            if _has_effects(value) and not self._from_configuration(value, constants):
                return False
            names.add(syntax.text(kids[0]))
        if not names:
            return False
        for k in kept:
            for n in syntax.walk(k):
                if n.type == "identifier" and syntax.text(n) in names and not _is_member_name(n) and \
                        not self._is_deleted(n):
                    return False
        return True

    def _dispensable_setup(self, st: Node, work: list[Node]) -> bool:
        """Statements before the loop that a job does not need: logging, the PeriodicTimer, or a first run of the
        very work the loop repeats."""
        if st.type == "comment" or self._is_lifecycle_logging(st):
            return True
        if self._periodic_timer(st) is not None:
            return True
        norm = _normalized(st)
        if any(_normalized(w) == norm for w in work):
            return True
        if self._cron_expression() is not None and self._cron_related(st):
            return True
        return False

    def _check_condition(self, loop: Node) -> None:
        cond = loop.child_by_field_name("condition")
        if loop.type == "for_statement":
            if any(c.type in ("variable_declaration",) for c in loop.named_children if c != loop.child_by_field_name("body")):
                raise Manual("a counting for loop is not a schedule")
            if cond is None:
                return
        if cond is None:
            return
        allowed = set(self.plan.token_names) | {"IsCancellationRequested", "WaitForNextTickAsync", "ConfigureAwait",
                                                "Token"}
        allowed |= {n for n, f in self.fields.items() if f.is_plumbing or f.simple_type == "bool"}
        allowed |= self._periodic_timer_names(loop)
        for n in syntax.descendants(cond, "identifier"):
            if syntax.text(n) not in allowed:
                raise Manual("the loop condition depends on " + syntax.text(n))

    def _periodic_timer_names(self, loop: Node) -> set[str]:
        names = set()
        host = self.plan.host
        for d in syntax.descendants(host, "variable_declarator"):
            kids = d.named_children
            if len(kids) > 1 and "PeriodicTimer" in syntax.text(kids[-1]):
                names.add(syntax.text(kids[0]))
        return names

    def _is_delay(self, st: Node) -> Node | None:
        """The period argument of a pacing statement: `await Task.Delay(x, token)`, `Thread.Sleep(x)`."""
        if st.type == "if_statement":
            cons = st.child_by_field_name("consequence")
            inner = _statements(cons) if cons is not None and cons.type == "block" else [cons]
            if st.child_by_field_name("alternative") is None and len(inner) == 1 and inner[0] is not None:
                arg = self._is_delay(inner[0])
                cond_ids = set(_identifiers(st.child_by_field_name("condition")))
                if arg is not None and cond_ids & (set(_identifiers(arg)) | self.cron_locals):
                    return arg
            return None
        if st.type != "expression_statement" or not st.named_children:
            return None
        expr = _unwrap_await(st.named_children[0])
        if expr.type != "invocation_expression":
            return None
        fn = syntax.text(expr.child_by_field_name("function"))
        if fn in ("Task.Delay", "Thread.Sleep", "System.Threading.Thread.Sleep") and syntax.arguments(expr):
            return syntax.arguments(expr)[0]
        return None

    def _delay_call(self, st: Node) -> Node | None:
        """The period argument of a plain `await Task.Delay(x, token);` / `Thread.Sleep(x);` statement."""
        if st.type != "expression_statement":
            return None
        return self._is_delay(st)

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

    def _ends_iteration(self, st: Node, loop_body: Node) -> list[Node] | None:
        """Does the iteration do nothing more after `st`: is it followed by `continue`, or only by other waits
        and cancellation checks up to the end of the loop body? Returns those later waits (their statements),
        or None when something else follows."""
        node = st
        waits: list[Node] = []
        while node != loop_body:
            parent = node.parent
            if parent is None:
                return None
            if parent.type in ("block", "switch_section"):
                leaves_switch = False
                sib = node.next_named_sibling
                while sib is not None:
                    if sib.type == "continue_statement":
                        return waits
                    if parent.type == "switch_section" and sib.type == "break_statement":
                        leaves_switch = True
                        break
                    if self._delay_call(sib) is not None:
                        waits.append(sib)
                    elif sib.type != "comment" and not self._is_cancellation_check(sib):
                        return None
                    sib = sib.next_named_sibling
                if parent == loop_body:
                    return waits
                if parent.type == "switch_section":
                    node = syntax.first_ancestor(parent, "switch_statement") if leaves_switch else None
                    if node is None:
                        return None
                    continue
                node = parent
                continue
            if parent.type in ("if_statement", "using_statement", "lock_statement", "labeled_statement",
                               "checked_statement", "unsafe_statement", "fixed_statement"):
                node = parent
                continue
            if parent.type == "try_statement" and node == parent.child_by_field_name("body"):
                node = parent  # a finally runs after a `return` just as after `continue`
                continue
            return None
        return waits

    def _drop_conditional_pacing(self, loop_body: Node, work: list[Node], locals_: dict[str, Node],
                                 tick: Node | None) -> None:
        """A wait inside a branch of the loop body after which the iteration does nothing more (`if (!HasWork())
        { await Task.Delay(idle, token); continue; }`) only paced the loop: the job runs on its schedule on that
        path too, so the wait goes (the `continue` returns the outcome; a branch left empty returns it instead).
        The review note mentions it only when that changes more than the idle poll: the path waited under a
        minute, at least a minute longer than the job's cadence, or for a time that cannot be computed."""
        if loop_body.type != "block":
            return
        drops: list[tuple[Node, list[Node]]] = []
        for top in work:
            stack = [top]
            while stack:
                n = stack.pop()
                if n.type in _LOOPS or n.type in _FUNCTION_SCOPES or n.type in ("catch_clause", "finally_clause"):
                    continue
                if self._is_deleted(n):
                    continue
                if self._delay_call(n) is not None:
                    later = self._ends_iteration(n, loop_body)
                    if later is not None:
                        drops.append((n, later))
                    continue
                stack.extend(reversed(n.named_children))
        if not drops:
            return
        outcome = f'return "{self.outcome_name} completed";'
        dropped = {d.start_byte for d, _ in drops}
        for d, later in drops:
            parent = d.parent
            if parent.type == "block":
                stmts = [x for x in parent.named_children if x.type != "comment"]
                empty = d == stmts[-1] and all(x.start_byte in dropped for x in stmts)
            else:
                empty = True  # `if (idle) Thread.Sleep(…);`: the embedded statement itself
            if empty:
                self.deleted.append((d.start_byte, d.end_byte))
                self._replace(d, outcome)
            else:
                self._delete_statement(d)
            for c in self._comments_above(d):
                self._delete_statement(c)  # the comment described the wait
        for d, later in drops:
            if any(d in other_later for _, other_later in drops):
                continue  # counted with the wait before it
            note = self._dropped_wait_note(d, later, loop_body, locals_, tick)
            if note and note not in self.plan.cadence_notes:
                self.plan.cadence_notes.append(note)

    def _dropped_wait_note(self, delay: Node, later: list[Node], loop_body: Node, locals_: dict[str, Node],
                           tick: Node | None) -> str | None:
        constants = self._constants()
        constants.update(locals_)
        top = delay
        while top.parent is not None and top.parent != loop_body:
            top = top.parent
        earlier = []
        sib = top.prev_named_sibling
        while sib is not None:
            if self._delay_call(sib) is not None:
                earlier.append(sib)
            sib = sib.prev_named_sibling
        waits = [self._delay_call(w) for w in [delay] + later + earlier] + ([tick] if tick is not None else [])
        values = [evaluate_timespan(w, self.data, constants, number_unit=0.001) for w in waits]
        branch = syntax.first_ancestor(delay, "if_statement")
        when = "on one path"
        if branch is not None and branch.start_byte >= loop_body.start_byte:
            cond = _one_line(branch.child_by_field_name("condition"))
            alt = branch.child_by_field_name("alternative")
            if alt is not None and alt.start_byte <= delay.start_byte:
                cond = f"!({cond})"
            when = f"when {cond}"
        if any(v is None for v in values):
            return (f"{when} the worker also waited {_one_line(self._delay_call(delay))}; the job runs on its "
                    "schedule on that path too")
        total = sum(values)
        cadence = _schedule_seconds(self.plan.schedule)
        if total < 60:
            return (f"{when} the worker looped again after {_span_words(total)}; the job runs on its schedule on "
                    "that path too (Oqtane runs at most once a minute)")
        if cadence is not None and total - cadence >= 60:
            return (f"{when} the worker waited {_span_words(total)} before looping again; the job runs on its "
                    "schedule on that path too, more often than before")
        return None

    def _strip_pacing(self, stmts: list[Node], delays: list[Node]) -> list[Node]:
        """The loop body minus what only paces it (delays, cron arithmetic, cancellation checks)."""
        cron = self._cron_expression() is not None
        work = []
        for st in stmts:
            arg = self._is_delay(st)
            if arg is not None:
                delays.append(arg)
                while work and work[-1] in self._comments_above(st):
                    work.pop()  # the comment described the wait
                continue
            if self._is_cancellation_check(st):
                continue
            if cron and self._cron_related(st):
                self._cron_removed.append(st)
                if st.type == "if_statement" and st.child_by_field_name("alternative") is None:
                    cons = st.child_by_field_name("consequence")
                    inner = _statements_with_comments(cons) if cons.type == "block" else [cons]
                    if not all(s.type in ("return_statement", "break_statement", "continue_statement", "comment")
                               for s in inner):
                        work.extend(self._strip_pacing(inner, delays))
                continue
            if st.type == "try_statement":
                work.extend(self._strip_try(st, delays))
                continue
            work.append(st)
        if cron:
            work = self._drop_cron_inputs(work)
        return work

    def _drop_cron_inputs(self, work: list[Node]) -> list[Node]:
        """Locals such as `var now = DateTime.UtcNow;` that only fed the next-occurrence arithmetic."""
        removed_ids = {i for st in self._cron_removed for i in _identifiers(st)}
        kept = []
        for st in work:
            if st.type == "local_declaration_statement":
                names = {syntax.text(d.named_children[0]) for d in syntax.descendants(st, "variable_declarator")}
                elsewhere = {i for other in work if other is not st for i in _identifiers(other)}
                if names and names <= removed_ids and not names & elsewhere:
                    self._cron_removed.append(st)
                    continue
            kept.append(st)
        return kept

    def _strip_try(self, st: Node, delays: list[Node]) -> list[Node]:
        block = st.child_by_field_name("body")
        inner = _statements_with_comments(block)
        for s in inner:
            arg = self._is_delay(s)
            if arg is not None:
                delays.append(arg)
                self._delete_statement(s)
        kept_clauses = 0
        for c in st.named_children:
            if c.type == "catch_clause":
                if self._is_cancellation_catch(c):
                    self._delete_statement(c)
                else:
                    kept_clauses += 1
                    for s in syntax.walk(c):
                        if s.type == "expression_statement" and self._is_delay(s) is not None:
                            self._delete_statement(s)  # an error back-off; the job runs on its schedule
            elif c.type == "finally_clause":
                fin = next(x for x in c.named_children if x.type == "block")
                fin_stmts = _statements(fin)
                rest = [s for s in fin_stmts if self._is_delay(s) is None]
                for s in fin_stmts:
                    if self._is_delay(s) is not None:
                        delays.append(self._is_delay(s))
                if not rest:
                    self._delete_statement(c)
                else:
                    kept_clauses += 1
                    for s in fin_stmts:
                        if self._is_delay(s) is not None:
                            self._delete_statement(s)
        if kept_clauses == 0:
            return [s for s in inner if self._is_delay(s) is None]
        return [st]

    def _is_cancellation_catch(self, c: Node) -> bool:
        decl = next((x for x in c.named_children if x.type == "catch_declaration"), None)
        if decl is None:
            return False
        t = syntax.text(decl.child_by_field_name("type")).rsplit(".", 1)[-1]
        return t in CANCELLED

    def _is_cancellation_check(self, st: Node) -> bool:
        txt = syntax.text(st)
        if st.type == "expression_statement" and "ThrowIfCancellationRequested" in txt:
            return True
        if st.type == "if_statement" and st.child_by_field_name("alternative") is None:
            cond = st.child_by_field_name("condition")
            ids = set(_identifiers(cond))
            cons = st.child_by_field_name("consequence")
            inner = _statements(cons) if cons.type == "block" else [cons]
            if ids and ids <= (self.plan.token_names | {"IsCancellationRequested"}) and \
                    all(s.type in ("break_statement", "return_statement") for s in inner):
                return True
        return False

    # ------------------------------------------------------------------ cron and polled schedules

    def _cron_expression(self) -> str | None:
        if hasattr(self, "_cron_cache"):
            return self._cron_cache
        found = None
        for n in (x for body in self.bodies for x in syntax.descendants(body, "invocation_expression")):
            fn = n.child_by_field_name("function")
            if fn.type == "member_access_expression" and syntax.text(fn.child_by_field_name("name")) in (
                    "Parse", "TryParse") and syntax.text(fn.child_by_field_name("expression")) in CRON_PARSERS:
                args = syntax.arguments(n)
                if not args:
                    continue
                value = self._string_value(args[0])
                if value is None:
                    raise Manual("the cron expression is not a constant: " + _one_line(args[0]))
                if found is not None and found != value:
                    raise Manual("several cron expressions")
                found = value
        self._cron_cache = found
        return found

    def _string_value(self, n: Node) -> str | None:
        if n.type == "string_literal":
            inner = [c for c in n.named_children if c.type == "string_literal_content"]
            return "".join(syntax.text(c) for c in inner)
        if n.type == "identifier" and syntax.text(n) in self.fields:
            f = self.fields[syntax.text(n)]
            if f.is_constant and f.initializer is not None:
                return self._string_value(f.initializer)
        return None

    def _cron_related(self, st: Node) -> bool:
        """Statements computing the next occurrence or the wait until it."""
        ids = set(_identifiers(st))
        cron_fields = {n for n, f in self.fields.items() if f.simple_type in ("CronExpression", "CrontabSchedule")}
        if ids & (cron_fields | self.cron_locals) or "GetNextOccurrence" in ids or ids & CRON_PARSERS:
            if st.type == "local_declaration_statement":
                for d in syntax.descendants(st, "variable_declarator"):
                    self.cron_locals.add(syntax.text(d.named_children[0]))
            return True
        return False

    def _cadence_from_cron(self) -> None:
        expr = self._cron_expression()
        sched = Schedule.from_cron(expr)
        if sched is None:
            raise Manual(f'cron "{expr}" cannot be expressed with Oqtane\'s Frequency/Interval')
        self.plan.schedule = sched
        if sched.note:
            self.plan.cadence_notes.append(f'cron "{expr}"; {sched.note}')

    # ------------------------------------------------------------------ polled schedules

    def _polled_schedule(self, work: list[Node], pre: list[Node]) -> list[Node] | None:
        """A poll loop that runs its work only when the clock matches (`now.Hour == 2 && now.Minute == 0`, a
        "not yet run today" flag) or when a next-run field is due (`DateTime.UtcNow >= _nextRun`). The schedule
        comes from the check; the check, the poll and the bookkeeping fields go away. Returns the new unit of work,
        or None when the loop does not look at the clock."""
        clocks = self._clock_locals(work)
        triggers = [st for st in work if st.type == "if_statement" and self._reads_clock(
            st.child_by_field_name("condition"), clocks)]
        if not triggers:
            return None
        if len(triggers) > 1:
            raise Manual("the loop checks the clock several times: " + _one_line(triggers[1]))
        trigger = triggers[0]
        cond = trigger.child_by_field_name("condition")
        if trigger.child_by_field_name("alternative") is not None:
            raise Manual("the clock check has an else branch: " + _one_line(cond))
        guard = self._is_clock_guard(trigger)
        if guard:
            # `if (now.Hour != 2 || now.Minute != 0) continue;` then the work: the same as the positive check
            terms = [_negated(t) for t in _disjuncts(cond)]
            if any(t is None for t in terms):
                raise Manual("the worker polls the clock with a condition Oqtane's Frequency/Interval cannot "
                             "express: " + _one_line(cond))
            inner = work[work.index(trigger) + 1:]
        else:
            terms = _conjuncts(cond)
            cons = trigger.child_by_field_name("consequence")
            inner = _statements_with_comments(cons) if cons.type == "block" else [cons]
        next_run = [t for t in terms if self._next_run_term(t, clocks) is not None]
        if next_run:
            if len(terms) != 1:
                raise Manual("the next-run check is combined with other conditions: " + _one_line(cond))
            field_name = self._next_run_term(terms[0], clocks)
            update = self._bookkeeping_update(trigger, field_name, pre, inner)
            self._cadence_from_next_run(update, field_name, clocks)
        else:
            update = self._clock_of_day(trigger, terms, clocks, pre, inner)
        new_work: list[Node] = []
        for st in work:
            if st == trigger:
                new_work.extend(s for s in inner if update is None or s != update)
                if guard:
                    break
            else:
                new_work.append(st)
        kept = []
        for st in new_work:
            names = self._declared_locals(st)
            if names and names <= set(clocks):
                used = {i for other in new_work if other is not st for i in _identifiers(other)}
                if not names & used:
                    continue
            kept.append(st)
        inner_ids = {s.start_byte for s in inner}
        for st in kept:
            inside = st.start_byte in inner_ids
            clock_local = bool(self._declared_locals(st)) and self._declared_locals(st) <= set(clocks)
            if not (inside or clock_local or st.type == "comment"):
                raise Manual("the loop also does work on every poll, outside the clock check: " + _one_line(st))
        return kept

    def _is_clock_guard(self, trigger: Node) -> bool:
        """`if (…) continue;` (in a loop) or `if (…) return;` (in a timer callback), possibly after waits: the work
        follows the check instead of sitting inside it."""
        cons = trigger.child_by_field_name("consequence")
        inner = _statements(cons) if cons.type == "block" else [cons]
        if not inner:
            return False
        exit_type = "continue_statement" if self.plan.loop is not None else "return_statement"
        last = inner[-1]
        if last.type != exit_type or last.named_children:
            return False
        return all(self._delay_call(s) is not None or self._is_logging(s) for s in inner[:-1])

    def _unless_polled(self, stmts: list[Node]) -> list[Node]:
        """A timer callback that checks the clock on every tick: the schedule comes from the check."""
        polled = self._polled_schedule(stmts, [])
        return stmts if polled is None else polled

    def _declared_locals(self, st: Node) -> set[str]:
        if st.type != "local_declaration_statement":
            return set()
        return {syntax.text(d.named_children[0]) for d in syntax.descendants(st, "variable_declarator")}

    def _clock_locals(self, work: list[Node]) -> dict[str, tuple[bool, bool]]:
        """`var now = DateTime.UtcNow;`, `var today = now.Date;` → name: (is UTC, is a date)."""
        out: dict[str, tuple[bool, bool]] = {}
        for st in work:
            if st.type != "local_declaration_statement":
                continue
            for d in syntax.descendants(st, "variable_declarator"):
                kids = d.named_children
                if len(kids) < 2:
                    continue
                value = _unparenthesized(kids[-1])
                instant = self._clock_instant(value, out)
                if instant is not None:
                    out[syntax.text(kids[0])] = (instant, False)
                    continue
                date = self._clock_date(value, out)
                if date is not None:
                    out[syntax.text(kids[0])] = (date, True)
        return out

    def _clock_instant(self, n: Node, clocks: dict[str, tuple[bool, bool]]) -> bool | None:
        """Is `n` the current time (`DateTime.UtcNow`, `DateTime.Now`, a local holding it)? → whether it is UTC."""
        n = _unparenthesized(n)
        t = syntax.text(n)
        if t in _CLOCKS:
            return _CLOCKS[t]
        if n.type == "identifier" and t in clocks and not clocks[t][1]:
            return clocks[t][0]
        return None

    def _clock_date(self, n: Node, clocks: dict[str, tuple[bool, bool]]) -> bool | None:
        """Is `n` today's date (`now.Date`, `DateTime.Today`, a local holding it)? → whether it is UTC."""
        n = _unparenthesized(n)
        t = syntax.text(n)
        if t in ("DateTime.Today", "System.DateTime.Today"):
            return False
        if n.type == "identifier" and t in clocks and clocks[t][1]:
            return clocks[t][0]
        if n.type == "member_access_expression" and syntax.text(n.child_by_field_name("name")) == "Date":
            return self._clock_instant(n.child_by_field_name("expression"), clocks)
        return None

    def _reads_clock(self, cond: Node, clocks: dict[str, tuple[bool, bool]]) -> bool:
        for n in syntax.walk(cond):
            if n.type in ("member_access_expression", "identifier") and (
                    self._clock_instant(n, clocks) is not None or self._clock_date(n, clocks) is not None):
                if n.type == "identifier" and _is_member_name(n):
                    continue
                return True
        return False

    def _next_run_term(self, term: Node, clocks) -> str | None:
        """`DateTime.UtcNow >= _nextRun`, `_nextRun <= now`, … → the field's name."""
        cmp = _comparison(term)
        if cmp is None:
            return None
        left, op, right = cmp
        if self._clock_instant(right, clocks) is not None:
            left, op, right = right, _FLIPPED[op], left
        if self._clock_instant(left, clocks) is None or op not in (">=", ">"):
            return None
        name = _member_root(_unparenthesized(right))
        f = self.fields.get(name)
        if f is None or f.simple_type not in ("DateTime", "DateTimeOffset") or f.is_constant:
            return None
        return name

    def _bookkeeping_update(self, trigger: Node, name: str, pre: list[Node], triggered: list[Node]) -> Node:
        """The one statement in the triggered block that advances the next-run or last-run field; every other
        use of the field is its declaration, a neutral initial value or the check itself."""
        inner = [s for s in triggered if s.type != "comment"]
        updates = [s for s in inner if _assigned_name(s) == name]
        if len(updates) != 1:
            raise Manual(f"the field {name} is not advanced exactly once in the triggered block")
        update = updates[0]
        cond = trigger.child_by_field_name("condition")
        allowed = [cond, update]
        local_decl = None
        for st in pre:
            if _assigned_name(st) == name and _neutral_start(_assignment(st).child_by_field_name("right")):
                allowed.append(st)
                self._polled_setup.append(st)
            elif name in self._declared_locals(st):
                local_decl = st
        f = self.fields.get(name)
        if f is not None:
            if f.initializer is not None and not _neutral_start(f.initializer):
                raise Manual(f"the field {name} starts at {_one_line(f.initializer)}")
            if f.ctor_statement is not None:
                if not _neutral_start(f.ctor_value):
                    raise Manual(f"the field {name} starts at {_one_line(f.ctor_value)}")
                allowed.append(f.ctor_statement)
            scope = None
        else:
            if local_decl is None:
                raise Manual(f"{name} is neither a field nor a local declared before the loop")
            d = next(d for d in syntax.descendants(local_decl, "variable_declarator")
                     if syntax.text(d.named_children[0]) == name)
            if len(d.named_children) > 1 and not _neutral_start(d.named_children[-1]):
                raise Manual(f"{name} starts at {_one_line(d.named_children[-1])}")
            if len(self._declared_locals(local_decl)) != 1:
                raise Manual(f"{name} is declared together with other locals")
            allowed.append(local_decl)
            self._polled_setup.append(local_decl)
            scope = self.plan.host
        scopes = self.bodies if scope is None else [scope]
        for n in (x for sc in scopes for x in syntax.descendants(sc, "identifier")):
            if syntax.text(n) != name or (_is_member_name(n) and syntax.text(
                    n.parent.child_by_field_name("expression")) != "this"):
                continue
            if n.parent.type == "variable_declarator" and n.parent.named_children[0] == n and f is not None:
                continue
            if not any(a.start_byte <= n.start_byte and n.end_byte <= a.end_byte for a in allowed):
                raise Manual(f"{name} is also used outside the schedule check: "
                             + _one_line(syntax.first_ancestor(n, "expression_statement", "local_declaration_statement",
                                                               "if_statement", "return_statement") or n))
        return update

    def _cadence_from_next_run(self, update: Node, name: str, clocks) -> None:
        """`_nextRun = DateTime.UtcNow.AddHours(6)`, `= now + TimeSpan.FromMinutes(30)`, `= _nextRun.AddDays(1)`,
        `_nextRun += TimeSpan.FromHours(6)` → the period."""
        a = _assignment(update)
        op = _operator(a)
        right = _unparenthesized(a.child_by_field_name("right"))

        def is_base(n: Node) -> bool:
            return self._clock_instant(n, clocks) is not None or _member_root(_unparenthesized(n)) == name

        if op == "+=":
            return self._cadence_from(right, 0.001)
        if op == "=" and right.type == "binary_expression" and _operator(right) == "+":
            l, r = right.child_by_field_name("left"), right.child_by_field_name("right")
            if is_base(l):
                return self._cadence_from(r, 0.001)
            if is_base(r):
                return self._cadence_from(l, 0.001)
        if op == "=" and right.type == "invocation_expression":
            fn = right.child_by_field_name("function")
            args = syntax.arguments(right)
            if fn.type == "member_access_expression" and len(args) == 1 and is_base(
                    fn.child_by_field_name("expression")):
                method = syntax.text(fn.child_by_field_name("name"))
                if method == "Add":
                    return self._cadence_from(args[0], 0.001)
                if method in _ADD_UNITS:
                    return self._cadence_from(args[0], _ADD_UNITS[method])
                if method == "AddMonths":
                    months = evaluate_timespan(args[0], self.data, self._constants(), number_unit=1.0)
                    if months is not None and months >= 1 and float(months).is_integer():
                        self.plan.schedule = Schedule("M", int(months))
                        return None
        raise Manual(f"the next run is computed in a way that cannot be mapped: {_one_line(update)}")

    def _clock_of_day(self, trigger: Node, terms: list, clocks, pre: list[Node],
                      triggered: list[Node]) -> Node | None:
        """`now.Hour == 2 && now.Minute == 0`, `now.DayOfWeek == DayOfWeek.Monday`, `now.Day == 1`,
        `now.TimeOfDay >= _runAt && _lastRun != now.Date` → a daily/weekly/monthly schedule with a StartDate.
        Returns the statement that records the last run (removed with its field), if there is one."""
        cond = trigger.child_by_field_name("condition")
        irregular = Manual("the worker polls the clock with a condition Oqtane's Frequency/Interval cannot express: "
                           + _one_line(cond))
        exact: dict[str, int] = {}
        at_least: dict[str, int] = {}
        flag = None
        utc: set[bool] = set()
        for term in terms:
            cmp = _comparison(term)
            if cmp is None:
                raise irregular
            left, op, right = cmp
            if self._clock_part(right, clocks) is not None or self._flag_side(left, clocks) is not None:
                left, op, right = right, _FLIPPED[op], left
            part = self._clock_part(left, clocks)
            if part is not None:
                kind, is_utc = part
                utc.add(is_utc)
                value = self._clock_value(kind, right)
                if value is None:
                    raise irregular
                if kind == "TimeOfDay":
                    seconds = value
                    if seconds % 60 or not 0 <= seconds < 86400:
                        raise irregular
                    values = {"Hour": int(seconds // 3600), "Minute": int(seconds % 3600 // 60)}
                else:
                    values = {kind: value}
                if op == "==":
                    target = exact
                elif op == ">=" and kind in ("Hour", "TimeOfDay"):
                    target = at_least
                else:
                    raise irregular
                for k, v in values.items():
                    if k in exact or k in at_least:
                        raise irregular
                    target[k] = v
                continue
            side = self._flag_side(right, clocks)
            date_utc = self._today(left, clocks)
            if side is not None and date_utc is not None and op in ("!=", ">") and flag is None:
                flag = side
                utc.add(date_utc)
                continue
            raise irregular
        if len(utc) != 1:
            raise irregular
        is_utc = utc.pop()
        update = None
        if flag is not None:
            update = self._bookkeeping_update(trigger, flag, pre, triggered)
            if not self._records_today(_assignment(update).child_by_field_name("right"), clocks):
                raise Manual(f"the last-run field {flag} is set to something other than the time of the run: "
                             + _one_line(update))
        elif at_least:
            raise Manual("the clock check has no once-a-day guard: the worker ran on every poll after the time: "
                         + _one_line(cond))
        hour = exact.get("Hour", at_least.get("Hour"))
        minute = exact.get("Minute", at_least.get("Minute"))
        weekday, day = exact.get("DayOfWeek"), exact.get("Day")
        hourly = False
        if flag is None and minute is None and "Hour" in exact and self._poll_seconds == 3600:
            # `if (now.Hour == 2)` polled once an hour: it matched on exactly one poll a day
            hourly, minute = True, 0
        if flag is None and minute is None:
            raise Manual("the clock check matches a whole hour or day, not a time: the worker ran on every poll "
                         "within it: " + _one_line(cond))
        if hour is None and flag is None and weekday is None and day is None:
            self.plan.schedule = Schedule("H", 1, exact=(minute == 0))
            self.plan.cadence_notes.append(f"the worker polled the clock for :{minute:02d} past every hour"
                                           + ("; the minute past the hour is not kept" if minute else ""))
            return update
        if hour is None and flag is None:
            raise irregular
        sched = Schedule.at(hour or 0, minute or 0, weekday=weekday, day=day)
        if sched is None:
            raise irregular
        self.plan.schedule = sched
        when = f"{hour or 0:02d}:{minute or 0:02d}"
        if weekday is not None:
            when = f"{_DAY_NAMES[weekday]}s at {when}"
        elif day is not None:
            when = f"day {day} of the month at {when}"
        note = f"the worker polled the clock for {when}; "
        if hourly:
            note = (f"the worker polled the clock hourly for hour {hour:02d}, at a minute that depended on when it "
                    f"started; the job runs at {when}; ")
        note += "times are UTC" if is_utc else "the worker used local time; StartDate is UTC — check the hour"
        self.plan.cadence_notes.append(note)
        return update

    def _clock_part(self, n: Node, clocks) -> tuple[str, bool] | None:
        """`now.Hour`, `DateTime.UtcNow.Minute`, `now.DayOfWeek`, `now.Day`, `now.TimeOfDay` → (part, is UTC)."""
        n = _unparenthesized(n)
        if n.type != "member_access_expression":
            return None
        part = syntax.text(n.child_by_field_name("name"))
        if part not in ("Hour", "Minute", "DayOfWeek", "Day", "TimeOfDay"):
            return None
        is_utc = self._clock_instant(n.child_by_field_name("expression"), clocks)
        return None if is_utc is None else (part, is_utc)

    def _clock_value(self, kind: str, n: Node) -> int | None:
        n = _unparenthesized(n)
        if kind == "DayOfWeek":
            t = syntax.text(n).rsplit(".", 1)
            if len(t) == 2 and t[0] in ("DayOfWeek", "System.DayOfWeek") and t[1] in _DAY_NAMES:
                return _DAY_NAMES.index(t[1])
            return None
        if kind == "TimeOfDay":
            seconds = evaluate_timespan(n, self.data, self._constants())
            return None if seconds is None else int(seconds) if float(seconds).is_integer() else None
        value = evaluate_timespan(n, self.data, self._constants(), number_unit=1.0)
        if value is None or not float(value).is_integer():
            return None
        value = int(value)
        limits = {"Hour": (0, 23), "Minute": (0, 59), "Day": (1, 31)}[kind]
        return value if limits[0] <= value <= limits[1] else None

    def _flag_side(self, n: Node, clocks) -> str | None:
        """`_lastRunDate`, `_lastRun.Date`, `lastRunDate` (a local) → the name of a last-run date."""
        n = _unparenthesized(n)
        if n.type == "member_access_expression" and syntax.text(n.child_by_field_name("name")) == "Date":
            n = _unparenthesized(n.child_by_field_name("expression"))
        name = _member_root(n)
        if not name.isidentifier() or name in clocks:
            return None
        f = self.fields.get(name)
        if f is not None and (f.simple_type not in ("DateTime", "DateTimeOffset") or f.is_constant):
            return None
        return name

    def _today(self, n: Node, clocks) -> bool | None:
        return self._clock_date(n, clocks)

    def _records_today(self, value: Node, clocks) -> bool:
        return self._clock_date(value, clocks) is not None or self._clock_instant(value, clocks) is not None

    def _enabled_guard(self, st: Node) -> bool:
        """`if (!_options.Value.Enabled) return;` before the loop: the worker was switched on by configuration.
        The job is created disabled instead, and the report says so."""
        if st.type != "if_statement" or st.child_by_field_name("alternative") is not None:
            return False
        cons = st.child_by_field_name("consequence")
        inner = _statements(cons) if cons.type == "block" else [cons]
        if not inner or not all(s.type == "return_statement" and _returns_nothing(s) or self._is_logging(s)
                                for s in inner) or inner[-1].type != "return_statement":
            return False
        if not self._configuration_switch(st.child_by_field_name("condition"), negated=True):
            return False
        self.plan.enabled = False
        return True

    def _configuration_switch(self, cond: Node, negated: bool) -> bool:
        """Is `cond` a setting read from configuration (`_options.Value.Enabled`, `x == true`,
        `_config.GetValue<bool>("…")`) — or, when `negated`, its negation (`!…`, `… == false`)?"""
        cond = _unparenthesized(cond)
        setting = None
        if cond.type == "prefix_unary_expression" and syntax.text(cond.children[0]) == "!":
            if negated:
                setting = cond.named_children[-1]
        elif cond.type == "binary_expression" and _operator(cond) == "==" and \
                syntax.text(cond.child_by_field_name("right")) == ("false" if negated else "true"):
            setting = cond.child_by_field_name("left")
        elif not negated and cond.type in ("member_access_expression", "invocation_expression", "identifier"):
            setting = cond
        return setting is not None and self._from_configuration(setting, self._constants())

    # ------------------------------------------------------------------ cadence

    def _constants(self) -> dict[str, Node]:
        out = {}
        for name, f in self.fields.items():
            if f.initializer is not None and ("const" in f.modifiers or "readonly" in f.modifiers):
                out[name] = f.initializer
            elif f.ctor_value is not None and f.initializer is None:
                out[name] = f.ctor_value
        return out

    def _cadence_from(self, node: Node, number_unit: float, locals_: dict[str, Node] | None = None) -> None:
        constants = self._constants()
        constants.update(locals_ or {})
        seconds = evaluate_timespan(node, self.data, constants, number_unit=number_unit)
        if seconds is None:
            default = self._configured_default(node, constants, number_unit)
            if default is None and not self._from_configuration(node, constants):
                raise Manual("the cadence could not be determined: " + _one_line(node))
            note = "interval came from configuration: set it in Admin › Scheduled Jobs"
            if default is None:
                self.plan.schedule = Schedule("m", 1, exact=False, note=note)
            else:
                s = Schedule.from_seconds(default)
                self.plan.schedule = Schedule(s.frequency, s.interval, exact=False,
                                              note=note + ("; " + s.note if s.note else ""))
            self.plan.cadence_notes.append(self.plan.schedule.note)
            return
        if seconds <= 0:
            raise Manual("the cadence is zero or negative: " + _one_line(node))
        self.plan.schedule = Schedule.from_seconds(seconds)
        if self.plan.schedule.note:
            self.plan.cadence_notes.append(self.plan.schedule.note)

    def _from_configuration(self, node: Node, constants: dict[str, Node]) -> bool:
        seen: set[str] = set()
        stack = [node]
        while stack:
            n = stack.pop()
            for ident in _identifiers(n):
                if ident in seen:
                    continue
                seen.add(ident)
                f = self.fields.get(ident)
                if f is not None and any(t in f.type for t in ("IOptions", "IConfiguration", "Options", "Settings")):
                    return True
                if ident in constants:
                    stack.append(constants[ident])
            if any(t in syntax.text(n) for t in ("GetValue", "GetSection", "Configuration[", ".Value.")):
                return True
        return False

    def _configured_default(self, node: Node, constants: dict[str, Node], unit: float) -> float | None:
        """`TimeSpan.FromMinutes(_options.Value.IntervalMinutes)` where the options class in this file gives the
        property a default, or `config.GetValue<int>("Key", 15)`."""
        props: dict[str, Node] = {}
        root = self.node
        while root.parent is not None:
            root = root.parent
        for p in syntax.descendants(root, "property_declaration"):
            init = next((c for c in p.named_children if c.type not in (
                "modifier", "accessor_list", "identifier", "predefined_type", "attribute_list") and
                         c != p.child_by_field_name("type") and c != p.child_by_field_name("name")), None)
            if init is not None and init.type != "arrow_expression_clause":
                props[syntax.text(p.child_by_field_name("name"))] = init

        values = dict(constants)
        reachable = [node] + [v for k, v in constants.items() if k in _identifiers(node)]
        for ident_node in (x for r in reachable for x in syntax.walk(r)):
            if ident_node.type == "member_access_expression":
                nm = syntax.text(ident_node.child_by_field_name("name"))
                if nm in props:
                    values[syntax.text(ident_node)] = props[nm]
            if ident_node.type == "invocation_expression":
                fn = syntax.text(ident_node.child_by_field_name("function"))
                args = syntax.arguments(ident_node)
                if "GetValue" in fn and len(args) == 2:
                    values[syntax.text(ident_node)] = args[1]
        # Evaluate with the configuration reads replaced by their defaults.
        return _evaluate_with_overrides(node, values, unit, self.data)

    # ------------------------------------------------------------------ fields and dependencies

    def _kept_ranges(self) -> list[tuple[int, int]]:
        return [(p.start, p.end) for p in self.plan.pieces]

    def _helpers(self) -> list[Node]:
        """Private methods reachable from the unit of work."""
        seen: dict[int, Node] = {}
        frontier = [(p.start, p.end) for p in self.plan.pieces]
        while frontier:
            start, end = frontier.pop()
            for n in _nodes_in(self.root, start, end, "invocation_expression"):
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

    def _check_members(self) -> None:
        for m in self._members():
            if m.type in ("property_declaration", "event_declaration", "event_field_declaration", "indexer_declaration",
                          "operator_declaration", "destructor_declaration"):
                raise Manual(f"the worker declares a {m.type.replace('_declaration', '').replace('_', ' ')}: "
                             + _one_line(m))
        self.helpers = self._helpers()
        helper_ids = {h.start_byte for h in self.helpers}
        for name, ms in self.methods.items():
            for m in ms:
                if m.start_byte in self.plan.removed_members or m.start_byte in helper_ids:
                    continue
                mods = {syntax.text(c) for c in m.children if c.type == "modifier"}
                if "private" in mods or not (mods & {"public", "protected", "internal"}):
                    if self._only_used_by_removed(name):
                        self.plan.removed_members.add(m.start_byte)
                        continue
                raise Manual(f"the worker has a member the job would not call: {name}")

    def _only_used_by_removed(self, name: str) -> bool:
        for n in (x for body in self.bodies for x in syntax.descendants(body, "identifier")):
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

    def _field_refs(self, start: int, end: int) -> list[Node]:
        out = []
        for n in _nodes_in(self.root, start, end, "identifier"):
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
        self.kept_fields: list[_Field] = []
        helper_ids = {h.start_byte for h in self.helpers}
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
                raise Manual(f"the unit of work uses the {f.simple_type} field {name}")
            if f.ctor_value is None or self._written_outside_ctor(name):
                raise Manual(f"state carried between runs in field {name}: it needs persistent storage")
            if f.simple_type == "IServiceProvider" and _is_param(f.ctor_value, self._parameters()):
                self.resolved[name] = "provider"
                continue
            self.resolved[name] = _local_name(name)
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
                for n in _nodes_in(h, h.start_byte, h.end_byte, "invocation_expression"):
                    target = self._helper_target(n)
                    if target is not None and target.start_byte in self.needs_provider:
                        self.needs_provider.add(h.start_byte)
                        changed = True
                        break
        declared = self._declared_names()
        for name, local in self.resolved.items():
            if local != "provider" and local in declared:
                raise Manual(f"the local name {local} for field {name} is already taken")
        self._plan_rewrites(helper_ids)

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
                if value is not None and _has_effects(value):
                    call = _unwrap_await(value)
                    if call.type != "invocation_expression" or any(
                            n.type in ("assignment_expression", "object_creation_expression") for n in
                            syntax.walk(value)):
                        raise Manual(f"state carried between runs in field {name}: it needs persistent storage")
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
        for n in (x for body in self.bodies for x in syntax.descendants(body, "identifier")):
            if syntax.text(n) != name:
                continue
            ref = n
            if _is_member_name(n):
                if n.parent.type != "member_access_expression" or syntax.text(
                        n.parent.child_by_field_name("expression")) != "this":
                    continue
                ref = n.parent
            if ref.parent.type == "variable_declarator" and ref.parent.named_children[0] == ref:
                if syntax.first_ancestor(ref, "field_declaration") is not None:
                    continue
                return None  # a local of the same name: leave the decision to the reader
            st = _write_statement(ref)
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
        for n in (x for body in self.bodies for x in syntax.descendants(
                body, "assignment_expression", "postfix_unary_expression", "prefix_unary_expression")):
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
        for n in _nodes_in(h, h.start_byte, h.end_byte, "identifier"):
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
            for n in _nodes_in(self.root, s, e, "variable_declarator", "parameter", "foreach_statement",
                               "catch_declaration"):
                nm = n.child_by_field_name("name") or (n.named_children[0] if n.named_children else None)
                if nm is not None and nm.type == "identifier":
                    names.add(syntax.text(nm))
        return names

    # ------------------------------------------------------------------ rewrites inside kept code

    def _plan_rewrites(self, helper_ids: set[int]) -> None:
        ranges = self._kept_ranges() + [(h.start_byte, h.end_byte) for h in self.helpers]
        tokens = self.plan.token_names
        cts_fields = {n for n, f in self.fields.items() if f.simple_type == "CancellationTokenSource"}
        for start, end in ranges:
            for n in _nodes_in(self.root, start, end, "identifier", "member_access_expression", "using_statement",
                               "local_declaration_statement", "invocation_expression", "expression_statement",
                               "if_statement"):
                if self._is_deleted(n):
                    continue
                t = n.type
                if t == "identifier" and syntax.text(n) in tokens and not _is_member_name(n):
                    self._replace(n, "CancellationToken.None")
                    self.needs.add("System.Threading")
                elif t == "member_access_expression":
                    owner = syntax.text(n.child_by_field_name("expression"))
                    name = syntax.text(n.child_by_field_name("name"))
                    if owner in self.scope_names_for(n) and name == "ServiceProvider":
                        self._replace(n, "provider")
                    elif owner in cts_fields and name == "Token":
                        self._replace(n, "CancellationToken.None")
                        self.needs.add("System.Threading")
                elif t in ("using_statement", "local_declaration_statement"):
                    self._plan_scope(n)
                elif t in ("expression_statement", "if_statement") and self._is_cancellation_check(n):
                    self._delete_statement(n)
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
                    if body is None or body.type != "block":
                        raise Manual(f"expression-bodied helper {syntax.text(h.child_by_field_name('name'))} uses "
                                     "services: give it a block body first")
                    stmts = _statements_with_comments(body)
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
        source = _member_root(fn.child_by_field_name("expression"))
        if source not in self.fields or self.fields[source].simple_type not in SCOPE_SOURCES:
            return
        self.scope_names.add(syntax.text(d.named_children[0]))
        if n.type == "local_declaration_statement":
            self._delete_statement(n)
            return
        body = n.child_by_field_name("body")
        inner = _statements_with_comments(body) if body.type == "block" else [body]
        indent = self._line_indent(n.start_byte)

        def render() -> str:
            parts = [self._render_piece(s.start, s.end, indent) for s in self._merge_comments(inner)]
            return (self.nl + indent).join(parts)
        self.replacements.append(_Repl(n.start_byte, n.end_byte, render=render))

    def _plan_outcomes(self) -> None:
        """`continue`, `break` and `return;` that left the old loop (or callback) return the outcome."""
        outcome = f'return "{self.outcome_name} completed";'
        roots = [(p.start, p.end) for p in self.plan.pieces]
        for start, end in roots:
            for n in _nodes_in(self.root, start, end, "continue_statement", "break_statement", "return_statement"):
                if self._is_deleted(n):
                    continue
                if syntax.first_ancestor(n, *_FUNCTION_SCOPES) is not None and \
                        self._inside_function_below_root(n):
                    continue
                if n.type == "return_statement":
                    if n.named_children:
                        continue
                    self._replace(n, outcome)
                    continue
                enclosing = [a for a in syntax.ancestors(n) if a.start_byte >= start and a.end_byte <= end]
                stops = _LOOPS if n.type == "continue_statement" else _LOOPS + ("switch_statement",)
                if any(a.type in stops for a in enclosing):
                    continue
                self._replace(n, outcome)

    def _inside_function_below_root(self, n: Node) -> bool:
        root = self.plan.work_root
        for a in syntax.ancestors(n):
            if a == root:
                return False
            if a.type in _FUNCTION_SCOPES:
                return True
        return False

    # ------------------------------------------------------------------ replacement plumbing

    def _replace(self, n: Node, text: str) -> None:
        self.replacements.append(_Repl(n.start_byte, n.end_byte, text=text))

    def _replace_range(self, start: int, end: int, text: str) -> None:
        self.replacements.append(_Repl(start, end, text=text))

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
        self.replacements.append(_Repl(start, end, text=""))

    def _is_deleted(self, n: Node) -> bool:
        return any(s <= n.start_byte and n.end_byte <= e for s, e in self.deleted)

    def _render(self, start: int, end: int) -> str:
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
        for n in _nodes_in(self.node, start, end, *_MULTILINE_TOKENS):
            if n.start_byte < start or n.end_byte > end or b"\n" not in self.data[n.start_byte:n.end_byte]:
                continue
            a = len(self.data[start:n.start_byte].decode("utf-8"))
            b = len(self.data[start:n.end_byte].decode("utf-8"))
            chunk = chunk[:a] + chunk[a:b].replace("\n", _SENTINEL) + chunk[b:]
        return chunk

    def _render_piece(self, start: int, end: int, new_indent: str) -> str:
        old_indent = self._line_indent(start)
        text = self._render(start, end)
        return _reindent(text, old_indent, new_indent)

    def _line_indent(self, offset: int) -> str:
        line_start = self.data.rfind(b"\n", 0, offset) + 1
        line = self.data[line_start:offset].decode("utf-8")
        return line[: len(line) - len(line.lstrip())]

    def _merge_comments(self, stmts: list[Node]) -> list[_Piece]:
        """Pieces, with a comment on the same line as the statement before it attached to that statement."""
        pieces: list[_Piece] = []
        last_row = -1
        for s in stmts:
            if s.type == "comment" and pieces and s.start_point[0] == last_row:
                pieces[-1].end = s.end_byte
            else:
                pieces.append(_Piece(s.start_byte, s.end_byte))
            last_row = s.end_point[0]
        return pieces

    def _pieces(self, stmts: list[Node]) -> list[_Piece]:
        out: list[_Piece] = []
        for p in self._merge_comments(stmts):
            node = self._node_at(p.start)
            if node is not None and node.type == "using_statement" and self._scope_using(node):
                body = node.child_by_field_name("body")
                inner = _statements_with_comments(body) if body.type == "block" else [body]
                self._scope_using(node)
                out.extend(self._pieces(inner))
                continue
            if node is not None and node.type == "local_declaration_statement" and self._scope_using(node):
                continue
            if node is not None and node.type == "block":
                out.extend(self._pieces(_statements_with_comments(node)))
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
        source = _member_root(fn.child_by_field_name("expression"))
        f = self.fields.get(source)
        if f is None or f.simple_type not in SCOPE_SOURCES:
            return False
        self.scope_names.add(syntax.text(ds[0].named_children[0]))
        self.deleted.append((fn.start_byte, fn.end_byte))
        return True

    # ------------------------------------------------------------------ generation

    def unit(self) -> str:
        member = self.member_indent()
        cls = self._line_indent(self.node.start_byte)
        if member.startswith(cls) and len(member) > len(cls):
            return member[len(cls):]
        return self.ctx.indent

    def member_indent(self) -> str:
        for m in self.body.named_children:
            return self._line_indent(m.start_byte)
        return self._line_indent(self.node.start_byte) + self.ctx.indent

    def _class_rewrite_start(self) -> int:
        name = self.node.child_by_field_name("name")
        return name.end_byte

    def _ordered(self, names: list[str]) -> list[str]:
        order = list(self.fields)
        return sorted(set(names), key=order.index)

    def _resolution(self, name: str) -> str:
        f = self.fields[name]
        expr = self._dependency_expression(f)
        return f"var {self.resolved[name]} = {expr};"

    def _parameters(self) -> list[Node]:
        """The constructor's parameters, or the primary constructor's."""
        if self.ctor is not None:
            return [p for p in self.ctor.child_by_field_name("parameters").named_children if p.type == "parameter"]
        return self.parameters

    def _dependency_expression(self, f: _Field) -> str:
        value = f.ctor_value
        params = {}
        for p in self._parameters():
            params[syntax.text(p.child_by_field_name("name"))] = syntax.text(p.child_by_field_name("type"))
        out = []
        pos = value.start_byte
        for n in syntax.descendants(value, "identifier"):
            nm = syntax.text(n)
            if _is_member_name(n) or n.parent.type in ("type_argument_list", "generic_name"):
                continue
            if nm in params:
                t = params[nm]
                out.append(self.data[pos:n.start_byte].decode())
                if t.rsplit(".", 1)[-1] == "IServiceProvider":
                    out.append("provider")
                else:
                    out.append(f"provider.GetRequiredService<{t}>()")
                    self.needs.add(DEPENDENCY_INJECTION)
                pos = n.end_byte
                if n.parent.type == "conditional_access_expression" and n.parent.named_children[0] == n and \
                        t.rsplit(".", 1)[-1] != "IServiceProvider":
                    # `options?.Value`: GetRequiredService never returns null
                    pos = self.data.index(b"?", pos) + 1
            elif nm in self.fields or nm == "this":
                raise Manual(f"field {f.name} is computed from other members of the worker")
        out.append(self.data[pos:value.end_byte].decode())
        return "".join(out)

    def _generate(self) -> str:
        nl = self.nl
        unit = self.unit()
        cls_indent = self._line_indent(self.node.start_byte)
        m = self.member_indent()
        s1 = m + unit
        s2 = s1 + unit
        knr = self._knr()
        sched = self.plan.schedule
        name = self.info.name
        self.needs |= {INFRASTRUCTURE, DEPENDENCY_INJECTION, "System"}

        def open_brace(indent: str) -> str:
            return " {" if knr else nl + indent + "{"

        bases = ["HostedServiceBase"]
        for b in self.info.bases:
            if b.simple not in WORKER_BASES:
                bases.append(syntax.text(b.node))
        out = [" : " + ", ".join(bases), open_brace(cls_indent), nl]

        members: list[str] = []
        for f in self.kept_fields:
            if self._in_main_part(f.declaration):
                members.append(self._member_text(f.declaration))

        ctor = [f"{m}public {name}(IServiceScopeFactory serviceScopeFactory) : base(serviceScopeFactory)"
                f"{open_brace(m)}"]
        body = [f'Name = "{self.outcome_name}";', f'Frequency = "{sched.frequency}";']
        # the cadence notes go on the StartDate line when there is one (they are about the time), else on Interval
        cadence_note = " // oqmigrate: " + "; ".join(self.plan.cadence_notes) if self.plan.cadence_notes else ""
        start = _start_date(sched)
        body.append(f"Interval = {sched.interval};" + ("" if start is not None else cadence_note))
        if start is not None:
            body.append(f"StartDate = {start};" + cadence_note)
        self.notes.extend(self.plan.cadence_notes)
        if self.plan.enabled:
            body.append("IsEnabled = true; // the worker ran unconditionally")
        else:
            disabled = "the worker was enabled by configuration; enable the job in Admin › Scheduled Jobs"
            body.append("IsEnabled = false; // oqmigrate: " + disabled)
            self.notes.append(disabled)
        ctor.extend(nl + s1 + line for line in body)
        ctor.append(nl + m + "}")
        members.append("".join(ctor))

        is_async = self._is_async()
        if is_async:
            sig = f"{m}public override async Task<string> ExecuteJobAsync(IServiceProvider provider)"
            self.needs.add("System.Threading.Tasks")
        else:
            sig = f"{m}public override string ExecuteJob(IServiceProvider provider)"
        method = [sig, open_brace(m)]
        # Loggers are resolved before the try so the catch can log; everything else inside it, so that a
        # missing registration becomes the job's outcome instead of an exception.
        ordered = self._ordered(self.direct_fields)
        loggers = [f for f in ordered if self.fields[f].simple_type in LOGGER_TYPES]
        for fname in loggers:
            method.append(nl + s1 + self._resolution(fname))
        merged_catch = self._mergeable_catch()
        method.append(nl + s1 + "try" + open_brace(s1))
        for fname in ordered:
            if fname not in loggers:
                method.append(nl + s2 + self._resolution(fname))
        work_pieces = self.plan.pieces
        catch_var = "ex"
        catch_lines: list[str] = []
        if merged_catch is not None:
            try_node, catch = merged_catch
            work_pieces = self._merge_comments(_statements_with_comments(try_node.child_by_field_name("body")))
            work_pieces = self._pieces([self._node_at(p.start) for p in work_pieces])
            decl = next((x for x in catch.named_children if x.type == "catch_declaration"), None)
            nm = decl.child_by_field_name("name") if decl is not None else None
            if nm is not None:
                catch_var = syntax.text(nm)
            cbody = catch.child_by_field_name("body")
            catch_lines = [self._render_piece(p.start, p.end, s2)
                           for p in self._merge_comments(_statements_with_comments(cbody))]
            catch_lines = [c for c in catch_lines if c.strip()]
        method.extend(self._work_text(work_pieces, s2))
        method.append(nl + s2 + f'return "{self.outcome_name} completed";')
        method.append(nl + s1 + "}")
        method.append(nl + s1 + f"catch (Exception {catch_var})" + open_brace(s1))
        for line in catch_lines:
            method.append(nl + s2 + line)
        method.append(nl + s2 + f'return $"{self.outcome_name} failed: {{{catch_var}.Message}}";')
        method.append(nl + s1 + "}")
        method.append(nl + m + "}")
        members.append("".join(method))

        for h in self.helpers:
            if self._in_main_part(h):
                members.append(self._member_text(h))
        text = (nl + nl).join(members)
        out.append(text.replace(_SENTINEL, "\n"))
        out.append(nl + cls_indent + "}")
        return "".join(out)

    def _work_text(self, pieces: list[_Piece], indent: str) -> list[str]:
        out = []
        prev_end = None
        for p in pieces:
            rendered = self._render_piece(p.start, p.end, indent)
            if not rendered.strip():
                prev_end = p.end
                continue
            if self._expression_pieces:
                rendered = rendered + ";"
            if prev_end is not None and _blank_line_between(self.data, prev_end, p.start):
                out.append(self.nl)
            out.append(self.nl + indent + rendered)
            prev_end = p.end
        return out

    def _member_text(self, member: Node) -> str:
        start = self._leading_comments_start(member)
        return self._line_indent(start) + self._render(start, member.end_byte)

    def _trailing_comment(self, comment: Node) -> bool:
        prev = comment.prev_sibling
        return prev is not None and prev.end_point[0] == comment.start_point[0]

    def _knr(self) -> bool:
        brace = self.body.children[0]
        header_end = self.body.prev_sibling.end_point[0] if self.body.prev_sibling else self.node.start_point[0]
        return brace.start_point[0] == header_end

    def _is_async(self) -> bool:
        host = self.plan.host
        if host is not None and host.type == "lambda_expression" and any(c.type == "async" for c in host.children):
            return True
        if host is not None and host.type == "method_declaration" and self.plan.loop is None and \
                "async" in {syntax.text(c) for c in host.children if c.type == "modifier"}:
            return True
        for p in self.plan.pieces:
            for n in _nodes_in(self.root, p.start, p.end, "await_expression", "await"):
                if self._is_deleted(n):
                    continue
                if self._inside_function_below_root(n):
                    continue
                return True
        return False

    def _mergeable_catch(self):
        """When the unit of work is one try with a single catch-all clause, that clause becomes the job's."""
        real = [p for p in self.plan.pieces if self._node_at(p.start) is not None and
                self._node_at(p.start).type != "comment"]
        if len(real) != 1 or len(self.plan.pieces) != 1:
            return None
        n = self._node_at(real[0].start)
        if n.type != "try_statement" or n.end_byte != real[0].end:
            return None
        clauses = [c for c in n.named_children if c.type in ("catch_clause", "finally_clause") and not self._is_deleted(c)]
        if len(clauses) != 1 or clauses[0].type != "catch_clause":
            return None
        c = clauses[0]
        decl = next((x for x in c.named_children if x.type == "catch_declaration"), None)
        if any(x.type == "catch_filter_clause" for x in c.named_children):
            return None
        if decl is not None and syntax.text(decl.child_by_field_name("type")) not in ("Exception", "System.Exception"):
            return None
        return n, c


# ---------------------------------------------------------------------------------------------------------------
# usings


def _using_edit(ctx: TransformContext, class_edits: list[Edit], needs: set[str]) -> Edit | None:
    root = ctx.tree.root_node
    directives = [c for c in root.named_children if c.type == "using_directive"]
    if not directives:
        for ns in root.named_children:
            if ns.type in ("namespace_declaration", "file_scoped_namespace_declaration"):
                body = ns.child_by_field_name("body") or ns
                directives = [c for c in body.named_children if c.type == "using_directive"]
                break
    plain = [d for d in directives if d.child_by_field_name("name") is None and
             not any(c.type in ("static", "global") for c in d.children)]
    present = {_using_target(d) for d in plain}
    namespaces = {c.namespace for c in ctx.model.classes}
    wanted = sorted(n for n in needs if n not in present and not any(
        ns == n or ns.startswith(n + ".") for ns in namespaces if ns))
    new_data = apply_edits(ctx.data, class_edits)
    new_tree = syntax.parse(new_data)
    before_names = _names_outside_usings(ctx.tree.root_node)
    after_names = _names_outside_usings(new_tree.root_node)
    remove = []
    for d in directives:
        if any(c.type in ("static", "global") for c in d.children):
            continue
        alias = d.child_by_field_name("name")
        target = _using_target(d)
        if alias is not None:
            ns = target.rsplit(".", 1)[0]
            a = syntax.text(alias)
            if ns in REMOVABLE_USINGS and a in before_names and a not in after_names:
                remove.append(d)
            continue
        names = REMOVABLE_USINGS.get(target)
        if names and (names & before_names) and not (names & after_names):
            remove.append(d)
    if not wanted and not remove:
        return None
    if not directives:
        first = root.named_children[0] if root.named_children else None
        at = 0 if first is None else first.start_byte
        text = "".join(f"using {n};{ctx.newline}" for n in wanted) + ctx.newline
        return Edit(at, at, text, RULE_ID, "usings")
    data = ctx.data
    start = data.rfind(b"\n", 0, directives[0].start_byte) + 1
    end = data.find(b"\n", directives[-1].end_byte)
    end = len(data) if end < 0 else end + 1
    indent = data[start:directives[0].start_byte].decode()
    lines = data[start:end].decode().splitlines(keepends=True)
    removed_rows = {d.start_point[0] for d in remove}
    first_row = directives[0].start_point[0]
    directive_rows = {d.start_point[0]: d for d in plain}
    kept: list[tuple[str, str | None]] = []  # (line, target when the line is a plain using)
    for i, line in enumerate(lines):
        row = first_row + i
        if row in removed_rows:
            continue
        d = directive_rows.get(row)
        kept.append((line, _using_target(d) if d is not None else None))
    eol = ctx.newline
    for n in wanted:
        new_line = f"{indent}using {n};{eol}"
        pos = len(kept)
        for i, (line, target) in enumerate(kept):
            if target is not None and _using_key(target) > _using_key(n):
                pos = i
                break
        else:
            # after the last plain using
            for i in range(len(kept) - 1, -1, -1):
                if kept[i][1] is not None:
                    pos = i + 1
                    break
        if pos == len(kept) and kept and not kept[-1][0].endswith("\n"):
            kept[-1] = (kept[-1][0] + eol, kept[-1][1])
        kept.insert(pos, (new_line, n))
    text = "".join(line for line, _ in kept)
    if not data[start:end].endswith(b"\n") and text.endswith(eol):
        text = text[: -len(eol)]
    return Edit(start, end, text, RULE_ID, "usings")


def _using_key(ns: str) -> tuple[int, str]:
    return (0 if ns == "System" or ns.startswith("System.") else 1, ns)


def _using_target(d: Node) -> str:
    alias = d.child_by_field_name("name")
    targets = [c for c in d.named_children if c is not alias and c.type != "comment"]
    return syntax.text(targets[-1]) if targets else ""


def _names_outside_usings(root: Node) -> set[str]:
    names = set()
    for n in syntax.walk(root):
        if n.type == "identifier" and syntax.first_ancestor(n, "using_directive") is None:
            names.add(syntax.text(n))
    return names


# ---------------------------------------------------------------------------------------------------------------
# small helpers


def _parts(ctx: TransformContext, info: ClassInfo) -> list[ClassInfo]:
    """The parts of a partial class declared in this file (same name, namespace and enclosing class)."""
    return [c for c in ctx.model.classes if c.is_partial and c.name == info.name and c.namespace == info.namespace
            and c.outer == info.outer]


def _words(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)


def _local_name(field: str) -> str:
    name = field
    for prefix in ("m_", "_"):
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix):]
            break
    name = name[0].lower() + name[1:]
    if name in ("provider", "ex", "scope"):
        name += "Service"
    if name in _CSHARP_KEYWORDS:
        name = "@" + name
    return name


_CSHARP_KEYWORDS = {"event", "object", "string", "class", "base", "this", "operator", "checked", "lock", "params",
                    "default", "delegate", "namespace", "internal", "fixed", "out", "ref", "in", "is", "as"}


def _start_date(s: Schedule) -> str | None:
    if s.start_time is None:
        return None
    h, m = s.start_time.hour, s.start_time.minute
    if s.frequency == "M":
        return (f"new DateTime(DateTime.UtcNow.Year, DateTime.UtcNow.Month, {s.start_day}, {h}, {m}, 0, "
                "DateTimeKind.Utc)")
    expr = "DateTime.UtcNow.Date"
    if s.frequency == "w":
        day = _DAY_NAMES[s.start_weekday]
        expr += f".AddDays(((int)DayOfWeek.{day} - (int)DateTime.UtcNow.DayOfWeek + 7) % 7)"
    if h:
        expr += f".AddHours({h})"
    if m:
        expr += f".AddMinutes({m})"
    return expr


def _schedule_seconds(s: Schedule | None) -> float | None:
    """The period of a schedule in seconds (None for months and one-off runs)."""
    if s is None:
        return None
    unit = {"m": 60, "H": 3600, "d": 86400, "w": 7 * 86400}.get(s.frequency)
    return None if unit is None else float(unit * s.interval)


def _span_words(seconds: float) -> str:
    for unit, word in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= unit and seconds % unit == 0:
            n = int(seconds // unit)
            return f"{n} {word}" + ("" if n == 1 else "s")
    return f"{seconds:g} s"


_DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def _statements(block: Node | None) -> list[Node]:
    if block is None:
        return []
    if block.type != "block":
        return [block]
    return [c for c in block.named_children if c.type != "comment"]


def _statements_with_comments(block: Node | None) -> list[Node]:
    if block is None:
        return []
    if block.type != "block":
        return [block]
    return list(block.named_children)


def _returns_nothing(st: Node) -> bool:
    """`return;` or, in a method returning a Task, `return Task.CompletedTask;`."""
    values = [c for c in st.named_children if c.type != "comment"]
    return not values or syntax.text(values[0]) in ("Task.CompletedTask", "System.Threading.Tasks.Task.CompletedTask")


def _assignment(st: Node) -> Node | None:
    if st.type == "expression_statement" and st.named_children and st.named_children[0].type == "assignment_expression":
        return st.named_children[0]
    return None


def _assigned_field(st: Node) -> str | None:
    a = _assignment(st)
    if a is None or _operator(a) != "=":
        return None
    left = a.child_by_field_name("left")
    if left.type == "identifier":
        return syntax.text(left)
    if left.type == "member_access_expression" and syntax.text(left.child_by_field_name("expression")) == "this":
        return syntax.text(left.child_by_field_name("name"))
    return None


def _strip_null_guard(value: Node) -> Node:
    """`x ?? throw new ArgumentNullException(nameof(x))` → `x`."""
    if value.type == "binary_expression" and syntax.text(value.child_by_field_name("operator")) == "??" and \
            value.child_by_field_name("right").type == "throw_expression":
        return value.child_by_field_name("left")
    return value


def _operator(n: Node) -> str:
    op = n.child_by_field_name("operator")
    if op is not None:
        return syntax.text(op)
    return syntax.text(n.children[1]) if len(n.children) > 1 else ""


def _unwrap_await(n: Node) -> Node:
    while True:
        if n.type == "await_expression":
            n = n.named_children[-1]
            continue
        if n.type == "invocation_expression":
            fn = n.child_by_field_name("function")
            if fn.type == "member_access_expression" and syntax.text(fn.child_by_field_name("name")) == "ConfigureAwait":
                n = fn.child_by_field_name("expression")
                continue
        if n.type == "parenthesized_expression" and n.named_children:
            n = n.named_children[0]
            continue
        return n


def _member_root(n: Node) -> str:
    """`_timer` for `_timer`, `this._timer`, `_timer?`."""
    if n.type == "member_access_expression" and syntax.text(n.child_by_field_name("expression")) == "this":
        return syntax.text(n.child_by_field_name("name"))
    if n.type == "conditional_access_expression":
        return _member_root(n.named_children[0])
    return syntax.text(n)


def _identifiers(n: Node | None) -> list[str]:
    if n is None:
        return []
    return [syntax.text(x) for x in syntax.descendants(n, "identifier")]


def _is_member_name(n: Node) -> bool:
    p = n.parent
    if p is None:
        return False
    if p.type == "member_access_expression" and p.child_by_field_name("name") == n:
        return True
    if p.type == "member_binding_expression":
        return True
    if p.type in ("named_argument", "argument") and p.child_by_field_name("name") == n:
        return True
    return False


def _is_param(value: Node | None, params: list[Node]) -> bool:
    if value is None or value.type != "identifier":
        return False
    return any(syntax.text(p.child_by_field_name("name")) == syntax.text(value) for p in params)


def _nodes_in(root: Node, start: int, end: int, *types: str):
    wanted = set(types)
    stack = [root]
    while stack:
        n = stack.pop()
        if n.end_byte <= start or n.start_byte >= end:
            continue
        if n.type in wanted and n.start_byte >= start and n.end_byte <= end:
            yield n
        stack.extend(reversed(n.children))


_CLOCKS = {"DateTime.UtcNow": True, "System.DateTime.UtcNow": True, "DateTimeOffset.UtcNow": True,
           "DateTime.Now": False, "System.DateTime.Now": False, "DateTimeOffset.Now": False}
_FLIPPED = {"==": "==", "!=": "!=", ">=": "<=", "<=": ">=", ">": "<", "<": ">"}
_ADD_UNITS = {"AddMilliseconds": 0.001, "AddSeconds": 1.0, "AddMinutes": 60.0, "AddHours": 3600.0,
              "AddDays": 86400.0}


def _write_statement(ref: Node) -> Node | None:
    """The expression statement `ref = …;`, `ref += …;`, `ref++;` or `--ref;` whose target is `ref`."""
    p = ref.parent
    if p.type == "assignment_expression" and p.child_by_field_name("left") == ref:
        st = p.parent
    elif p.type in ("postfix_unary_expression", "prefix_unary_expression") and syntax.text(p).replace(
            syntax.text(ref), "").strip() in ("++", "--"):
        st = p.parent
    else:
        return None
    return st if st is not None and st.type == "expression_statement" else None


def _is_written(ref: Node) -> bool:
    """Is `ref` the target of an assignment, `++`/`--`, or a `ref`/`out` argument?"""
    p = ref.parent
    if p.type == "assignment_expression":
        return p.child_by_field_name("left") == ref
    if p.type in ("postfix_unary_expression", "prefix_unary_expression"):
        return syntax.text(p).replace(syntax.text(ref), "").strip() in ("++", "--")
    if p.type == "argument":
        return any(syntax.text(c) in ("ref", "out") for c in p.children if c != ref)
    return False


_PURE_CALLS = ("DateTime.", "DateTimeOffset.", "TimeSpan.", "System.DateTime.", "System.TimeSpan.", "Math.")


def _has_effects(value: Node) -> bool:
    """Could evaluating `value` do anything besides produce the value? Calls count, except date arithmetic."""
    for n in syntax.walk(value):
        if n.type == "invocation_expression":
            if not syntax.text(n.child_by_field_name("function")).startswith(_PURE_CALLS):
                return True
        elif n.type == "object_creation_expression":
            if syntax.text(n.child_by_field_name("type")) not in ("DateTime", "DateTimeOffset", "TimeSpan"):
                return True
        elif n.type in ("await_expression", "assignment_expression", "postfix_unary_expression"):
            return True
        elif n.type == "prefix_unary_expression" and syntax.text(n)[:2] in ("++", "--"):
            return True
    return False


def _unparenthesized(n: Node) -> Node:
    while n.type == "parenthesized_expression" and n.named_children:
        n = n.named_children[0]
    return n


def _conjuncts(cond: Node) -> list[Node]:
    cond = _unparenthesized(cond)
    if cond.type == "binary_expression" and _operator(cond) == "&&":
        return _conjuncts(cond.child_by_field_name("left")) + _conjuncts(cond.child_by_field_name("right"))
    return [cond]


def _disjuncts(cond: Node) -> list[Node]:
    cond = _unparenthesized(cond)
    if cond.type == "binary_expression" and _operator(cond) == "||":
        return _disjuncts(cond.child_by_field_name("left")) + _disjuncts(cond.child_by_field_name("right"))
    return [cond]


_NEGATED = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}


def _negated(n: Node) -> tuple[Node, str, Node] | None:
    """`now.Hour != 2` → (now.Hour, "==", 2): one term of a guard that skips the work, turned positive."""
    cmp = _comparison(n)
    if cmp is None:
        return None
    left, op, right = cmp
    return left, _NEGATED[op], right


def _comparison(n) -> tuple[Node, str, Node] | None:
    if isinstance(n, tuple):
        return n  # a comparison already taken apart (and possibly negated)
    n = _unparenthesized(n)
    if n.type != "binary_expression" or _operator(n) not in _FLIPPED:
        return None
    return n.child_by_field_name("left"), _operator(n), n.child_by_field_name("right")


def _assigned_name(st: Node) -> str | None:
    """The field or local a statement assigns (`x = …`, `this.x = …`, `x += …`)."""
    a = _assignment(st)
    if a is None:
        return None
    return _member_root(a.child_by_field_name("left"))


def _neutral_start(value: Node | None) -> bool:
    """A first value of a next-run or last-run field that does not delay the first run."""
    if value is None:
        return True
    t = "".join(syntax.text(value).split())
    return t in ("DateTime.MinValue", "System.DateTime.MinValue", "DateTimeOffset.MinValue", "default",
                 "default(DateTime)", "default(DateTimeOffset)", "null", "DateTime.UtcNow", "DateTime.Now",
                 "DateTimeOffset.UtcNow", "DateTimeOffset.Now")


def _one_line(n: Node) -> str:
    t = " ".join(syntax.text(n).split())
    return t if len(t) <= 80 else t[:77] + "..."


def _normalized(n: Node) -> str:
    return "".join(syntax.text(n).split())


def _reindent(text: str, old: str, new: str) -> str:
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


def _blank_line_between(data: bytes, end: int, start: int) -> bool:
    gap = data[end:start]
    lines = gap.split(b"\n")
    return any(not l.strip() for l in lines[1:-1])


def _evaluate_with_overrides(node: Node, overrides: dict[str, Node], unit: float, data: bytes) -> float | None:
    """Evaluate with whole sub-expressions (by their text) replaced by other nodes, e.g. an options property read
    by its declared default. evaluate_timespan looks names up by identifier; member accesses and calls are
    handled by re-parsing a copy of the expression with the defaults spliced in."""
    text = syntax.text(node)
    subs = {k: syntax.text(v) for k, v in overrides.items() if not k.isidentifier()}

    def substitute(text: str) -> str:
        for k in sorted(subs, key=len, reverse=True):
            text = text.replace(k, "(" + subs[k] + ")")
        return text

    # Inline fields and locals holding the expression (`_period = TimeSpan.FromMinutes(config…)`, `var interval =
    # TimeSpan.FromSeconds(_settings.PollSeconds)`), replacing configuration reads by their defaults as soon as
    # they appear, before the field they read (`_settings`) is inlined in turn.
    text = substitute(text)
    for _ in range(3):
        for k, v in overrides.items():
            if k.isidentifier():
                text = re.sub(rf"(?<![\w.]){re.escape(k)}(?!\w)", lambda _m: "(" + syntax.text(v) + ")", text)
                text = substitute(text)
    if text == syntax.text(node):
        return None
    src = f"class C {{ void M() {{ var x = {text}; }} }}".encode()
    tree = syntax.parse(src)
    if tree.root_node.has_error:
        return None
    decl = list(syntax.descendants(tree.root_node, "variable_declarator"))[-1]
    constants = {k: v for k, v in overrides.items() if k.isidentifier()}
    return evaluate_timespan(decl.named_children[-1], src, constants, number_unit=unit)
