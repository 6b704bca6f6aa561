"""The worker's schedule: cron expressions, constant and configured cadences."""

from __future__ import annotations

import re

from oqmigrate import syntax
from oqmigrate.analyse.blockers import Blocked, BlockerKind
from oqmigrate.syntax import Node
from oqmigrate.analyse.drivers import CRON_TYPES
from oqmigrate.schedule import FIRST_RUN_NOTE, Schedule, evaluate_timespan
from oqmigrate.analyse.clock import LOCAL_TIME_NOTE, current_time
from oqmigrate.analyse.names import invoked_name, is_member_name


def access_root(n: Node | None) -> str:
    """The variable a member-access chain starts from: `_options.Value` → `_options`, `this._settings.Value` →
    `_settings`, `options` → `options` (`analyse.members.member_root` stops at the first member)."""
    while n is not None and n.type in ("member_access_expression", "parenthesized_expression"):
        inner = n.child_by_field_name("expression") if n.type == "member_access_expression" else n.named_children[0]
        if n.type == "member_access_expression" and syntax.text(inner) == "this":
            return syntax.text(n.child_by_field_name("name"))
        n = inner
    return syntax.text(n) if n is not None else ""


def options_type(declared: str) -> str | None:
    """`IOptions<SweepOptions>`, `IOptionsMonitor<SweepOptions>`, `SweepOptions` → `SweepOptions`; None for
    `IConfiguration` and friends, which are not an options class."""
    t = declared.replace(" ", "").rstrip("?")
    while "<" in t and t.endswith(">"):
        t = t[t.index("<") + 1:-1]
    t = t.rsplit(".", 1)[-1]
    if not t.isidentifier() or t in ("IConfiguration", "IConfigurationSection", "IConfigurationRoot"):
        return None
    return t


UTC, LOCAL = "UTC", "local time"  # the clocks a cron can be evaluated on, besides a named zone or an unknown one


class CadenceMixin:
    """Part of WorkerAnalysis (oqmigrate.analyse.worker); see there for the state it reads and writes."""

    def _cron_expression(self) -> str | None:
        if hasattr(self, "_cron_cache"):
            return self._cron_cache
        found = None
        for n in self._class_nodes("invocation_expression"):
            fn = n.child_by_field_name("function")
            if fn.type == "member_access_expression" and syntax.text(fn.child_by_field_name("name")) in (
                    "Parse", "TryParse") and syntax.text(fn.child_by_field_name("expression")) in CRON_TYPES:
                args = syntax.arguments(n)
                if not args:
                    continue
                value = self._string_value(args[0])
                if value is None:
                    raise Blocked(BlockerKind.IRREGULAR_SCHEDULE,
                                  "the cron expression is not a constant: " + syntax.one_line(args[0]))
                if found is not None and found != value:
                    raise Blocked(BlockerKind.IRREGULAR_SCHEDULE, "several cron expressions")
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
        ids = set(syntax.identifiers(st))
        cron_fields = {n for n, f in self.fields.items() if f.simple_type in CRON_TYPES}
        if ids & (cron_fields | self.cron_locals) or "GetNextOccurrence" in ids or ids.intersection(CRON_TYPES):
            if st.type == "local_declaration_statement":
                for d in syntax.descendants(st, "variable_declarator"):
                    self.cron_locals.add(syntax.text(d.named_children[0]))
            return True
        return False

    def _cadence_from_cron(self) -> None:
        expr = self._cron_expression()
        sched = Schedule.from_cron(expr)
        if sched is None:
            raise Blocked(BlockerKind.IRREGULAR_SCHEDULE,
                          f'cron "{expr}" cannot be expressed with Oqtane\'s Frequency/Interval')
        self.plan.schedule = sched
        note = sched.note
        if sched.start_time is not None:  # a time of day: which clock the worker read it on matters
            note = self._cron_clock_note() + "; " + FIRST_RUN_NOTE
        if note:
            self.plan.cadence_notes.append(f'cron "{expr}"; {note}')

    def _cron_clock_note(self) -> str:
        """What the reviewer must know about the clock the cron was evaluated on. Oqtane's StartDate is UTC; a cron
        evaluated against `DateTime.Now`/`DateTime.Today`/`DateTimeOffset.Now` (NCrontab's GetNextOccurrence,
        Cronos' with a time zone) or in `TimeZoneInfo.Local` ran at that hour of the server's local time, so the
        same hour in UTC is off by the server's offset."""
        clocks = {self._cron_clock(inv) for inv in self._class_nodes("invocation_expression")
                  if invoked_name(inv)[1] in ("GetNextOccurrence", "GetNextOccurrences")}
        clocks.discard(None)
        if not clocks or clocks == {UTC}:
            return "times are UTC"
        if LOCAL in clocks:
            return LOCAL_TIME_NOTE
        return ("the worker evaluated the cron against " + ", ".join(sorted(c for c in clocks if c != UTC))
                + "; StartDate is UTC — check the hour")

    def _cron_clock(self, inv: Node) -> str | None:
        """UTC, LOCAL, or the text of what a GetNextOccurrence call evaluates the cron against (a time zone, a
        clock the analysis does not know); None when the call has no argument."""
        args = syntax.arguments(inv)
        if not args:
            return None
        if len(args) >= 2:  # Cronos: (from, zone[, inclusive])
            zone_node = args[1]
            if zone_node.type == "identifier" and self._local_value(syntax.text(zone_node), inv) is not None:
                zone_node = self._local_value(syntax.text(zone_node), inv)  # `var zone = TimeZoneInfo.Local;`
            zone = syntax.spaceless_text(zone_node)
            if zone in ("TimeZoneInfo.Utc", "System.TimeZoneInfo.Utc"):
                return UTC
            if zone in ("TimeZoneInfo.Local", "System.TimeZoneInfo.Local"):
                return LOCAL
            if zone not in ("true", "false"):
                return "the time zone " + syntax.one_line(zone_node)
        is_utc = self._clock_of(args[0], inv)
        if is_utc is None:
            return syntax.one_line(args[0])
        return UTC if is_utc else LOCAL

    def _clock_of(self, n: Node, at: Node, depth: int = 0) -> bool | None:
        """Does `n` read the UTC clock (True), the local one (False), or neither as far as can be told (None)?
        `DateTime.UtcNow.AddSeconds(1)` reads UTC; a local (`var now = DateTime.Now;`) declared in the method of
        `at` is followed."""
        found: set[bool] = set()
        for x in syntax.walk(n):
            if x.type == "member_access_expression":
                now = current_time(x)
                if now is not None:
                    found.add(now)
                elif syntax.spaceless_text(x) in ("DateTime.Today", "System.DateTime.Today"):
                    found.add(False)
            elif x.type == "identifier" and depth < 3 and not is_member_name(x):
                value = self._local_value(syntax.text(x), at)
                if value is not None:
                    v = self._clock_of(value, at, depth + 1)
                    if v is not None:
                        found.add(v)
        return found.pop() if len(found) == 1 else None

    def _local_value(self, name: str, at: Node) -> Node | None:
        """The initializer of the local `name` declared in the method (or lambda) around `at`, if only one."""
        scope = syntax.first_ancestor(at, "method_declaration", "lambda_expression", "local_function_statement",
                                      "constructor_declaration", "accessor_declaration")
        if scope is None:
            return None
        values = [d.named_children[-1] for d in syntax.descendants(scope, "variable_declarator")
                  if syntax.text(d.named_children[0]) == name and len(d.named_children) > 1]
        return values[0] if len(values) == 1 else None

    def _constants(self) -> dict[str, Node]:
        out = {}
        for name, f in self.fields.items():
            if f.initializer is not None and ("const" in f.modifiers or "readonly" in f.modifiers):
                out[name] = f.initializer
            elif f.ctor_value is not None and f.initializer is None:
                out[name] = f.ctor_value
        out.update(self.constant_properties)  # `TimeSpan Interval => TimeSpan.FromMinutes(5);`
        return out

    def _cadence_from(self, node: Node, number_unit: float, locals_: dict[str, Node] | None = None) -> None:
        constants = self._constants()
        constants.update(locals_ or {})
        seconds = evaluate_timespan(node, self.data, constants, number_unit=number_unit)
        if seconds is None:
            default = self._configured_default(node, constants, number_unit)
            if default is None and not self._from_configuration(node, constants):
                raise Blocked(BlockerKind.UNKNOWN_CADENCE, "the cadence could not be determined: " + syntax.one_line(node))
            if default is None:
                # Oqtane stores the schedule once, at registration: a made-up one (every minute) would run silently
                raise Blocked(BlockerKind.UNKNOWN_CADENCE, self._no_default_reason(node, constants))
            note = "interval came from configuration: set it in Admin › Scheduled Jobs"
            s = Schedule.from_seconds(default)
            self.plan.schedule = Schedule(s.frequency, s.interval, exact=False,
                                          note=note + ("; " + s.note if s.note else ""))
            self.plan.cadence_notes.append(self.plan.schedule.note)
            return
        if seconds <= 0:
            raise Blocked(BlockerKind.UNKNOWN_CADENCE, "the cadence is zero or negative: " + syntax.one_line(node))
        self.plan.schedule = Schedule.from_seconds(seconds)
        if self.plan.schedule.note:
            self.plan.cadence_notes.append(self.plan.schedule.note)

    def _from_configuration(self, node: Node, constants: dict[str, Node]) -> bool:
        seen: set[str] = set()
        stack = [node]
        while stack:
            n = stack.pop()
            for ident in syntax.identifiers(n):
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

    def _no_default_reason(self, node: Node, constants: dict[str, Node]) -> str:
        """Why a configured interval without a default in the code stays manual, naming where the value comes
        from (`SweepOptions.PeriodSeconds`, declared in another file; `configuration "Forum:DigestMinutes"`) and the
        next step."""
        source = syntax.one_line(node)
        for n in self._reachable(node, constants):
            if n.type == "member_access_expression":
                owner = self.fields.get(access_root(n.child_by_field_name("expression")))
                if owner is not None:
                    options = options_type(owner.type)
                    prop = syntax.text(n.child_by_field_name("name"))
                    if options is not None and prop not in ("Value", "CurrentValue"):
                        where = ("declared in another file" if not self._declares_type(options)
                                 else "without a default value")
                        source = f"{options}.{prop} ({where})"
                        break
            if n.type == "invocation_expression" and "GetValue" in syntax.text(n.child_by_field_name("function")):
                args = syntax.arguments(n)
                if args:
                    source = f"configuration {syntax.one_line(args[0])} (no default given)"
                    break
        return (f"the interval comes from configuration, {source}, and no default for it is visible here: the job "
                "would get a made-up Frequency/Interval, which Oqtane stores once, at registration; migrate by hand "
                "with the configured interval")

    def _reachable(self, node: Node, constants: dict[str, Node]) -> list[Node]:
        """The nodes of `node` and of the fields/locals it reads, transitively."""
        out, seen, stack = [], set(), [node]
        while stack:
            n = stack.pop()
            for x in syntax.walk(n):
                out.append(x)
                if x.type == "identifier" and syntax.text(x) in constants and syntax.text(x) not in seen:
                    seen.add(syntax.text(x))
                    stack.append(constants[syntax.text(x)])
        return out

    def _declares_type(self, name: str) -> bool:
        root = self.node
        while root.parent is not None:
            root = root.parent
        return any(syntax.text(d.child_by_field_name("name")) == name for d in syntax.descendants(
            root, "class_declaration", "record_declaration", "struct_declaration") if d.child_by_field_name("name"))

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
        reachable = [node] + [v for k, v in constants.items() if k in syntax.identifiers(node)]
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
        return evaluate_with_overrides(node, values, unit, self.data)


def evaluate_with_overrides(node: Node, overrides: dict[str, Node], unit: float, data: bytes) -> float | None:
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
