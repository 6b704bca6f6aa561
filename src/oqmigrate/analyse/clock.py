"""Polled clock checks: a poll loop or timer that runs the work when the clock matches or a next-run field is due."""

from __future__ import annotations

from oqmigrate import syntax
from oqmigrate.analyse.blockers import Blocked, BlockerKind
from oqmigrate.syntax import Node
from oqmigrate.schedule import FIRST_RUN_NOTE, WEEKDAYS, Schedule, evaluate_timespan
from oqmigrate.analyse.expressions import MIRRORED, comparison, conjuncts, disjuncts, negated
from oqmigrate.analyse.members import assigned_name, assignment, member_root
from oqmigrate.analyse.names import is_member_name, simple


CLOCK_TYPES = ("DateTime", "DateTimeOffset")
ADD_METHOD_SECONDS = {"AddMilliseconds": 0.001, "AddSeconds": 1.0, "AddMinutes": 60.0, "AddHours": 3600.0,
                      "AddDays": 86400.0}
"""The DateTime/DateTimeOffset `Add…` methods of a fixed length, by the seconds one unit of their argument is."""
LOCAL_TIME_NOTE = "the worker used local time; StartDate is UTC — check the hour"
"""A time of day the worker read on the server's local clock (a polled clock or a cron evaluated on it)."""


def current_time(node: Node) -> bool | None:
    """Is `node` the clock itself (`DateTime.UtcNow`, `DateTime.Now`, `System.DateTimeOffset.UtcNow`)? → whether
    it reads UTC; None for anything else. The scan (OQJ006) and the worker analysis both ask this."""
    if node.type != "member_access_expression":
        return None
    receiver, name = node.child_by_field_name("expression"), node.child_by_field_name("name")
    if receiver is None or name is None or simple(syntax.text(receiver)) not in CLOCK_TYPES:
        return None
    member = syntax.text(name)
    return member == "UtcNow" if member in ("Now", "UtcNow") else None


def neutral_start(value: Node | None) -> bool:
    """A first value of a next-run or last-run field that does not delay the first run (none, the minimum, the
    default, null or the current time)."""
    if value is None:
        return True
    return syntax.spaceless_text(value) in (
        "DateTime.MinValue", "System.DateTime.MinValue", "DateTimeOffset.MinValue", "default", "default(DateTime)",
        "default(DateTimeOffset)", "null", "DateTime.UtcNow", "DateTime.Now", "DateTimeOffset.UtcNow",
        "DateTimeOffset.Now")


class ClockMixin:
    """Part of WorkerAnalysis (oqmigrate.analyse.worker); see there for the state it reads and writes."""

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
            raise Blocked(BlockerKind.IRREGULAR_SCHEDULE,
                          "the loop checks the clock several times: " + syntax.one_line(triggers[1]))
        trigger = triggers[0]
        cond = trigger.child_by_field_name("condition")
        if trigger.child_by_field_name("alternative") is not None:
            raise Blocked(BlockerKind.IRREGULAR_SCHEDULE, "the clock check has an else branch: " + syntax.one_line(cond))
        guard = self._is_clock_guard(trigger)
        if guard:
            # `if (now.Hour != 2 || now.Minute != 0) continue;` then the work: the same as the positive check
            terms = [negated(t) for t in disjuncts(cond)]
            if any(t is None for t in terms):
                raise Blocked(BlockerKind.IRREGULAR_SCHEDULE,
                              "the worker polls the clock with a condition Oqtane's Frequency/Interval cannot "
                              "express: " + syntax.one_line(cond))
            inner = work[work.index(trigger) + 1:]
        else:
            terms = conjuncts(cond)
            cons = trigger.child_by_field_name("consequence")
            inner = syntax.block_statements(cons, comments=True) if cons.type == "block" else [cons]
        next_run = [t for t in terms if self._next_run_term(t, clocks) is not None]
        if next_run:
            if len(terms) != 1:
                raise Blocked(BlockerKind.IRREGULAR_SCHEDULE,
                              "the next-run check is combined with other conditions: " + syntax.one_line(cond))
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
                used = {i for other in new_work if other is not st for i in syntax.identifiers(other)}
                if not names & used:
                    continue
            kept.append(st)
        inner_ids = {s.start_byte for s in inner}
        for st in kept:
            inside = st.start_byte in inner_ids
            clock_local = bool(self._declared_locals(st)) and self._declared_locals(st) <= set(clocks)
            if not (inside or clock_local or st.type == "comment"):
                raise Blocked(BlockerKind.IRREGULAR_SCHEDULE,
                              "the loop also does work on every poll, outside the clock check: " + syntax.one_line(st))
        return kept

    def _check_hidden_clock_checks(self) -> None:
        """A helper the work calls that decides by the clock whether to do anything (`if (now.Hour != 2) return;`,
        `if (DateTime.UtcNow >= _nextRun) { … }` at the top of its body) is the worker's real schedule. Migrating
        the poll as the cadence would run the job on every poll, mostly for nothing, and can miss the minute the
        check waits for: the check must sit in the loop (where it becomes the schedule) or the class stays manual.
        A condition that also reads the helper's parameters is about the item passed in, not about when to run."""
        for h in self.helpers:
            body = h.child_by_field_name("body")
            if body is None or body.type != "block":
                continue
            params = h.child_by_field_name("parameters")
            param_names = {syntax.text(p.child_by_field_name("name")) for p in params.named_children
                           if p.type == "parameter"} if params is not None else set()
            stmts = syntax.block_statements(body)
            clocks = self._clock_locals(stmts)
            for st in stmts:
                if st.type != "if_statement":
                    continue
                cond = st.child_by_field_name("condition")
                if self._reads_clock(cond, clocks) and not set(syntax.identifiers(cond)) & param_names:
                    name = syntax.text(h.child_by_field_name("name"))
                    raise Blocked(BlockerKind.HIDDEN_CLOCK_CHECK,
                                  f"the helper {name} checks the clock ({syntax.one_line(cond)}) to decide when the work "
                                  "runs; migrated as it is, the job would run on every poll and could miss that "
                                  "time: move the check into the loop body or timer callback (where it becomes the "
                                  "job's schedule), "
                                  "or migrate by hand")

    def _is_clock_guard(self, trigger: Node) -> bool:
        """`if (…) continue;` (in a loop) or `if (…) return;` (in a timer callback), possibly after waits: the work
        follows the check instead of sitting inside it."""
        cons = trigger.child_by_field_name("consequence")
        inner = syntax.block_statements(cons) if cons.type == "block" else [cons]
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
                value = syntax.unparenthesized(kids[-1])
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
        n = syntax.unparenthesized(n)
        t = syntax.text(n)
        now = current_time(n)
        if now is not None:
            return now
        if n.type == "identifier" and t in clocks and not clocks[t][1]:
            return clocks[t][0]
        return None

    def _clock_date(self, n: Node, clocks: dict[str, tuple[bool, bool]]) -> bool | None:
        """Is `n` today's date (`now.Date`, `DateTime.Today`, a local holding it)? → whether it is UTC."""
        n = syntax.unparenthesized(n)
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
                if n.type == "identifier" and is_member_name(n):
                    continue
                return True
        return False

    def _next_run_term(self, term: Node, clocks) -> str | None:
        """`DateTime.UtcNow >= _nextRun`, `_nextRun <= now`, … → the field's name."""
        cmp = comparison(term)
        if cmp is None:
            return None
        left, op, right = cmp
        if self._clock_instant(right, clocks) is not None:
            left, op, right = right, MIRRORED[op], left
        if self._clock_instant(left, clocks) is None or op not in (">=", ">"):
            return None
        name = member_root(syntax.unparenthesized(right))
        f = self.fields.get(name)
        if f is None or f.simple_type not in ("DateTime", "DateTimeOffset") or f.is_constant:
            return None
        return name

    def _bookkeeping_update(self, trigger: Node, name: str, pre: list[Node], triggered: list[Node]) -> Node:
        """The one statement in the triggered block that advances the next-run or last-run field; every other
        use of the field is its declaration, a neutral initial value or the check itself."""
        inner = [s for s in triggered if s.type != "comment"]
        updates = [s for s in inner if assigned_name(s) == name]
        if len(updates) != 1:
            raise Blocked(BlockerKind.IRREGULAR_SCHEDULE,
                          f"the field {name} is not advanced exactly once in the triggered block")
        update = updates[0]
        cond = trigger.child_by_field_name("condition")
        allowed = [cond, update]
        local_decl = None
        for st in pre:
            if assigned_name(st) == name and neutral_start(assignment(st).child_by_field_name("right")):
                allowed.append(st)
                self._polled_setup.append(st)
            elif name in self._declared_locals(st):
                local_decl = st
        f = self.fields.get(name)
        if f is not None:
            if f.initializer is not None and not neutral_start(f.initializer):
                raise Blocked(BlockerKind.IRREGULAR_SCHEDULE,
                              f"the field {name} starts at {syntax.one_line(f.initializer)}")
            if f.ctor_statement is not None:
                if not neutral_start(f.ctor_value):
                    raise Blocked(BlockerKind.IRREGULAR_SCHEDULE,
                                  f"the field {name} starts at {syntax.one_line(f.ctor_value)}")
                allowed.append(f.ctor_statement)
            scope = None
        else:
            if local_decl is None:
                raise Blocked(BlockerKind.IRREGULAR_SCHEDULE,
                              f"{name} is neither a field nor a local declared before the loop")
            d = next(d for d in syntax.descendants(local_decl, "variable_declarator")
                     if syntax.text(d.named_children[0]) == name)
            if len(d.named_children) > 1 and not neutral_start(d.named_children[-1]):
                raise Blocked(BlockerKind.IRREGULAR_SCHEDULE, f"{name} starts at {syntax.one_line(d.named_children[-1])}")
            if len(self._declared_locals(local_decl)) != 1:
                raise Blocked(BlockerKind.IRREGULAR_SCHEDULE, f"{name} is declared together with other locals")
            allowed.append(local_decl)
            self._polled_setup.append(local_decl)
            scope = self.plan.host
        uses = self._identifiers_named(name) if scope is None else syntax.descendants(scope, "identifier")
        for n in uses:
            if syntax.text(n) != name or (is_member_name(n) and syntax.text(
                    n.parent.child_by_field_name("expression")) != "this"):
                continue
            if n.parent.type == "variable_declarator" and n.parent.named_children[0] == n and f is not None:
                continue
            if not any(a.start_byte <= n.start_byte and n.end_byte <= a.end_byte for a in allowed):
                use = syntax.first_ancestor(n, "expression_statement", "local_declaration_statement", "if_statement",
                                            "return_statement") or n
                raise Blocked(BlockerKind.IRREGULAR_SCHEDULE,
                              f"{name} is also used outside the schedule check: " + syntax.one_line(use))
        return update

    def _cadence_from_next_run(self, update: Node, name: str, clocks) -> None:
        """`_nextRun = DateTime.UtcNow.AddHours(6)`, `= now + TimeSpan.FromMinutes(30)`, `= _nextRun.AddDays(1)`,
        `_nextRun += TimeSpan.FromHours(6)` → the period."""
        a = assignment(update)
        op = syntax.operator(a)
        right = syntax.unparenthesized(a.child_by_field_name("right"))

        def is_base(n: Node) -> bool:
            return self._clock_instant(n, clocks) is not None or member_root(syntax.unparenthesized(n)) == name

        if op == "+=":
            return self._cadence_from(right, 0.001)
        if op == "=" and right.type == "binary_expression" and syntax.operator(right) == "+":
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
                if method in ADD_METHOD_SECONDS:
                    return self._cadence_from(args[0], ADD_METHOD_SECONDS[method])
                if method == "AddMonths":
                    months = evaluate_timespan(args[0], self.data, self._constants(), number_unit=1.0)
                    if months is not None and months >= 1 and float(months).is_integer():
                        self.plan.schedule = Schedule("M", int(months))
                        return None
        raise Blocked(BlockerKind.IRREGULAR_SCHEDULE,
                      f"the next run is computed in a way that cannot be mapped: {syntax.one_line(update)}")

    def _clock_of_day(self, trigger: Node, terms: list, clocks, pre: list[Node],
                      triggered: list[Node]) -> Node | None:
        """`now.Hour == 2 && now.Minute == 0`, `now.DayOfWeek == DayOfWeek.Monday`, `now.Day == 1`,
        `now.TimeOfDay >= _runAt && _lastRun != now.Date` → a daily/weekly/monthly schedule with a StartDate.
        Returns the statement that records the last run (removed with its field), if there is one."""
        cond = trigger.child_by_field_name("condition")
        irregular = Blocked(BlockerKind.IRREGULAR_SCHEDULE,
                            "the worker polls the clock with a condition Oqtane's Frequency/Interval cannot express: "
                            + syntax.one_line(cond))
        exact: dict[str, int] = {}
        at_least: dict[str, int] = {}
        flag = None
        utc: set[bool] = set()
        for term in terms:
            cmp = comparison(term)
            if cmp is None:
                raise irregular
            left, op, right = cmp
            if self._clock_part(right, clocks) is not None or self._flag_side(left, clocks) is not None:
                left, op, right = right, MIRRORED[op], left
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
            if not self._records_today(assignment(update).child_by_field_name("right"), clocks):
                raise Blocked(BlockerKind.IRREGULAR_SCHEDULE,
                              f"the last-run field {flag} is set to something other than the time of the run: "
                              + syntax.one_line(update))
        elif at_least:
            raise Blocked(BlockerKind.IRREGULAR_SCHEDULE,
                          "the clock check has no once-a-day guard: the worker ran on every poll after the time: "
                          + syntax.one_line(cond))
        hour = exact.get("Hour", at_least.get("Hour"))
        minute = exact.get("Minute", at_least.get("Minute"))
        weekday, day = exact.get("DayOfWeek"), exact.get("Day")
        hourly = False
        if flag is None and minute is None and "Hour" in exact and self._poll_seconds == 3600:
            # `if (now.Hour == 2)` polled once an hour: it matched on exactly one poll a day
            hourly, minute = True, 0
        if flag is None and minute is None:
            raise Blocked(BlockerKind.IRREGULAR_SCHEDULE,
                          "the clock check matches a whole hour or day, not a time: the worker ran on every poll "
                          "within it: " + syntax.one_line(cond))
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
            when = f"{WEEKDAYS[weekday]}s at {when}"
        elif day is not None:
            when = f"day {day} of the month at {when}"
        note = f"the worker polled the clock for {when}; "
        if hourly:
            note = (f"the worker polled the clock hourly for hour {hour:02d}, at a minute that depended on when it "
                    f"started; the job runs at {when}; ")
        note += ("times are UTC" if is_utc else LOCAL_TIME_NOTE) + "; " + FIRST_RUN_NOTE
        self.plan.cadence_notes.append(note)
        return update

    def _clock_part(self, n: Node, clocks) -> tuple[str, bool] | None:
        """`now.Hour`, `DateTime.UtcNow.Minute`, `now.DayOfWeek`, `now.Day`, `now.TimeOfDay` → (part, is UTC)."""
        n = syntax.unparenthesized(n)
        if n.type != "member_access_expression":
            return None
        part = syntax.text(n.child_by_field_name("name"))
        if part not in ("Hour", "Minute", "DayOfWeek", "Day", "TimeOfDay"):
            return None
        is_utc = self._clock_instant(n.child_by_field_name("expression"), clocks)
        return None if is_utc is None else (part, is_utc)

    def _clock_value(self, kind: str, n: Node) -> int | None:
        n = syntax.unparenthesized(n)
        if kind == "DayOfWeek":
            t = syntax.text(n).rsplit(".", 1)
            if len(t) == 2 and t[0] in ("DayOfWeek", "System.DayOfWeek") and t[1] in WEEKDAYS:
                return WEEKDAYS.index(t[1])
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
        n = syntax.unparenthesized(n)
        if n.type == "member_access_expression" and syntax.text(n.child_by_field_name("name")) == "Date":
            n = syntax.unparenthesized(n.child_by_field_name("expression"))
        name = member_root(n)
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
