"""What drives the worker — the ExecuteAsync loop, a timer, or a loop started from StartAsync (Task.Run, a Thread,
an unawaited call) — and the lifecycle around it. A timer that fires once per arming is a schedule only when its
own callback re-arms it as its last step (`analyse.timer_rearm`); a one-shot or a debounce is not.

`DriverMixin` is one part of `WorkerAnalysis` (worker.py), not a reusable mixin: it reads the members the
analysis collected (fields, methods, constructor) and records into the shared plan, calling the other parts
(the loop, the cadence, the recorder). What needs only the syntax is a plain function (`throws_if_cancelled`,
`analyse.timer_rearm`, `analyse.drivers.is_infinite_timeout`).
"""

from __future__ import annotations

from oqmigrate import syntax
from oqmigrate.analyse.blockers import Blocked, BlockerKind
from oqmigrate.analyse.consumers import find_consumer
from oqmigrate.analyse.drivers import POLLING_LOOPS, is_infinite_timeout
from oqmigrate.analyse.expressions import awaited, returns_nothing
from oqmigrate.analyse.members import enclosing_member, member_root
from oqmigrate.analyse.names import node_text
from oqmigrate.analyse.timer_rearm import SelfRearm, timer_rearm
from oqmigrate.analyse.worker_facts import Driver, Piece
from oqmigrate.model import expand_alias
from oqmigrate.schedule import evaluate_timespan
from oqmigrate.syntax import Node

ONE_SHOT_TEXT = ('a one-shot timer ran once after every start; Frequency "O" runs once per installation: move start-up '
                 'work into an IServerStartup or a migration')
DEBOUNCE_TEXT = ("the timer is armed again from {where} ({call}): it runs after that call (a debounce or a trigger), "
                 "not on a schedule; keep it a hosted service, or do the work where {where} is called")
SOME_PATHS_TEXT = ("the timer callback arms the timer again only on some paths ({call}): the worker stopped or "
                   "waited differently on the others; arm it once as the callback's last step (in a finally) with "
                   "one delay, or migrate by hand")
COMPUTED_DELAY_TEXT = ("the timer callback arms the timer again after a delay computed at run time ({delay}): a job "
                       "runs on a fixed schedule; migrate by hand (a time of day becomes Frequency d with a StartDate)")


def enclosing_method_name(node: Node) -> str:
    """The name of the member a node is in (`OnChanged`), or "the constructor"."""
    member = enclosing_member(node)
    if member is None or member.type != "method_declaration":
        return "the constructor" if member is not None and member.type == "constructor_declaration" else "the class"
    return node_text(member.child_by_field_name("name"))


class DriverMixin:
    """Part of WorkerAnalysis (oqmigrate.analyse.worker); see there for the state it reads and writes."""

    _expression_pieces = False
    _rearm: SelfRearm | None = None  # a one-shot timer the callback re-arms as its last step ("run, then wait N")
    _poll_seconds: float | None = None  # the wait of a poll loop, when known

    def _find_driver(self) -> None:
        consumer = find_consumer(self.info, self.ctx.model)  # not scheduled work: nothing drives it on a schedule
        if consumer is not None:
            raise Blocked(BlockerKind.NOT_SCHEDULED, consumer.manual_reason(self.ctx.version))
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
            raise Blocked(BlockerKind.EVENT_DRIVEN, "no ExecuteAsync or StartAsync: nothing that runs on a schedule")
        starters = [start] + ([self.ctor] if self.ctor is not None else [])
        driver = None
        for owner in starters:
            for n in syntax.walk(owner):
                found = self._driver_of(n)
                if found is not None:
                    if driver is not None:
                        raise Blocked(BlockerKind.SEVERAL_DRIVERS, "several timers or background loops")
                    driver = found
        if driver is None:
            raise Blocked(BlockerKind.EVENT_DRIVEN, "event-driven hosted service: no timer or loop gives it a schedule")
        kind, payload = driver
        self.plan.driver = kind
        if kind == Driver.THREADING_TIMER:
            self._one_shot_timer(payload[0], payload[1])
        for name in ("StartAsync", "StopAsync", "Dispose", "DisposeAsync"):
            m = self._method(name)
            if m is not None:
                self._check_lifecycle(m)
        if kind == Driver.THREADING_TIMER:
            callback, period, due = payload
            self._timer_callback(callback)
            if not self._is_infinite(due):
                self._note_first_run(due, "the Timer's dueTime")
            if self.plan.schedule is None:
                self._cadence_from(self._rearm.delay if self._rearm is not None else period, number_unit=0.001)
        elif kind == Driver.TIMERS_TIMER:
            handler, interval = payload
            self._timer_callback(handler)
            if self.plan.schedule is None:
                if interval is None:
                    raise Blocked(BlockerKind.UNKNOWN_CADENCE, "System.Timers.Timer without a known Interval")
                self._cadence_from(interval, number_unit=0.001)
            if interval is not None:
                self._note_first_run(interval, "a System.Timers.Timer first raises Elapsed one Interval after it "
                                               "starts")
        else:
            self._background_task(payload)

    def _driver_of(self, n: Node):
        if n.type == "object_creation_expression":
            t = self._type_name(n.child_by_field_name("type"))
            args = syntax.arguments(n)
            if t in ("Timer", "System.Threading.Timer") and len(args) == 4:
                return Driver.THREADING_TIMER, (args[0], args[3], args[2])
            if t in ("Thread", "System.Threading.Thread") and args:
                return Driver.STARTED_LOOP, args[0]
        if n.type == "assignment_expression" and syntax.operator(n) == "+=":
            left = n.child_by_field_name("left")
            if left.type == "member_access_expression" and syntax.text(left.child_by_field_name("name")) == "Elapsed":
                timer = member_root(left.child_by_field_name("expression"))
                return Driver.TIMERS_TIMER, (n.child_by_field_name("right"), self._timers_interval(timer))
        if n.type == "invocation_expression":
            fn = syntax.text(n.child_by_field_name("function"))
            if fn in ("Task.Run", "Task.Factory.StartNew") and syntax.arguments(n):
                return Driver.STARTED_LOOP, syntax.arguments(n)[0]
            if self._unawaited_loop_call(n):
                return Driver.STARTED_LOOP, n
        return None

    def _unawaited_loop_call(self, call: Node) -> bool:
        """`_ = RunAsync(token);`, `_executing = LoopAsync(token);` or a bare `LoopAsync(token);`: a method of the
        class that holds a loop, started and not awaited, so it runs in the background like a Task.Run."""
        fn = call.child_by_field_name("function")
        if fn is None or fn.type != "identifier" or syntax.text(fn) not in self.methods:
            return False
        parent = call.parent
        if parent.type == "assignment_expression" and syntax.operator(parent) == "=" and \
                parent.child_by_field_name("right") == call:
            target = member_root(parent.child_by_field_name("left"))
            f = self.fields.get(target)
            if target != "_" and (f is None or f.simple_type != "Task"):
                return False
            parent = parent.parent
        if parent.type != "expression_statement":
            return False
        method = self.methods[syntax.text(fn)][0]
        return any(True for _ in syntax.descendants(method, *POLLING_LOOPS))

    def _one_shot_timer(self, callback: Node, period: Node) -> None:
        """A System.Threading.Timer that fires once per arming (`analyse.timer_rearm`): re-armed by its own
        callback as its last step with one constant delay it is periodic ("run, then wait N", recorded in
        `self._rearm`); never re-armed, re-armed from elsewhere (a debounce), on some paths only or after a delay
        computed at run time, it is not a schedule."""
        creation = syntax.first_ancestor(callback, "object_creation_expression")
        found = timer_rearm(creation, callback, self.methods, self._is_infinite)
        if found.elsewhere:
            call = found.elsewhere[0]
            where = enclosing_method_name(call)
            raise Blocked(BlockerKind.ONE_SHOT_TIMER, DEBOUNCE_TEXT.format(where=where, call=syntax.one_line(call)))
        if not found.in_callback:
            if self._is_infinite(period):
                raise Blocked(BlockerKind.ONE_SHOT_TIMER, ONE_SHOT_TEXT)
            return
        call = found.in_callback[0]
        if not self._is_infinite(period):
            raise Blocked(BlockerKind.UNSUPPORTED_DRIVER,
                          f"the timer has a period and its callback also arms it once ({syntax.one_line(call)}): "
                          "two cadences at once; migrate by hand")
        if found.self_rearm is None:
            raise Blocked(BlockerKind.IRREGULAR_SCHEDULE, SOME_PATHS_TEXT.format(call=syntax.one_line(call)))
        delay = found.self_rearm.delay
        constants = self._constants()
        if evaluate_timespan(delay, self.data, constants, number_unit=0.001) is None and \
                self._configured_default(delay, constants, 0.001) is None and \
                not self._from_configuration(delay, constants):
            raise Blocked(BlockerKind.UNKNOWN_CADENCE, COMPUTED_DELAY_TEXT.format(delay=syntax.one_line(delay)))
        self._rearm = found.self_rearm
        if found.self_rearm.unwrapped is None:  # else the job keeps only the try's body: the finally goes with it
            for comment in self._comments_above(found.self_rearm.removed):  # they described the re-arm
                self._delete_statement(comment)
            self._delete_statement(found.self_rearm.removed)

    def _is_infinite(self, n: Node) -> bool:
        """`Timeout.Infinite`, `-1`, `Timeout.InfiniteTimeSpan` (or a constant holding one of them)."""
        text = "".join(syntax.text(n).split())
        if n.type == "identifier" and text in self.fields and self.fields[text].is_constant:
            return self._is_infinite(self.fields[text].initializer)
        return is_infinite_timeout(n)

    def _timers_interval(self, timer: str) -> Node | None:
        """The interval of a System.Timers.Timer: constructor argument, initializer or `Interval =`."""
        found = None
        scopes = [m for ms in self.methods.values() for m in ms] + ([self.ctor] if self.ctor else [])
        scopes += [f.declaration for f in self.fields.values()]
        for scope in scopes:
            for n in syntax.walk(scope):
                if n.type == "object_creation_expression" and self._type_name(n.child_by_field_name("type")) in (
                        "Timer", "System.Timers.Timer"):
                    args = syntax.arguments(n)
                    if len(args) == 1:
                        found = args[0]
                    for a in syntax.descendants(n, "assignment_expression"):
                        if syntax.text(a.child_by_field_name("left")) == "Interval":
                            found = a.child_by_field_name("right")
                if n.type == "assignment_expression" and syntax.operator(n) == "=":
                    left = n.child_by_field_name("left")
                    if (left.type == "member_access_expression"
                            and syntax.text(left.child_by_field_name("name")) == "Interval"
                            and member_root(left.child_by_field_name("expression")) == timer):
                        found = n.child_by_field_name("right")
        return found

    def _check_lifecycle(self, m: Node) -> None:
        """StartAsync/StopAsync/Dispose may only manage the timer or loop, call base, log or return."""
        self.plan.removed_members.add(m.start_byte)
        body = m.child_by_field_name("body")
        if body is None:
            return
        for st in syntax.block_statements(body):
            self._check_plumbing_statement(st, syntax.text(m.child_by_field_name("name")))

    def _check_plumbing_statement(self, st: Node, where: str) -> None:
        if st.type in ("block", "try_statement", "finally_clause", "using_statement"):
            for inner in st.named_children:
                if inner.type == "block":
                    for s in syntax.block_statements(inner):
                        self._check_plumbing_statement(s, where)
                elif inner.type == "finally_clause":
                    self._check_plumbing_statement(inner, where)
                elif inner.type == "catch_clause":
                    b = inner.child_by_field_name("body")
                    for s in syntax.block_statements(b):
                        self._check_plumbing_statement(s, where)
            return
        if st.type == "return_statement" or self._is_logging(st) or st.type == "empty_statement":
            return
        if throws_if_cancelled(st):
            return  # `cancellationToken.ThrowIfCancellationRequested();`: shutdown plumbing, not work
        if where == "StartAsync" and st.type == "if_statement":
            if self._enabled_guard(st):
                return  # `if (!_options.Value.Enabled) return Task.CompletedTask;`: the job starts disabled
            cond = st.child_by_field_name("condition")
            quits = any(n.type == "return_statement" for n in syntax.walk(st))
            plumbing = {n for n, f in self.fields.items() if f.is_plumbing or f.simple_type == "bool"}
            # `if (_executingTask.IsCompleted) return _executingTask;`: the started loop ended at once (it threw)
            plumbing |= {"null", "IsCancellationRequested", "IsCompleted"} | self.plan.token_names
            starts = any(self._driver_of(n) is not None for n in syntax.walk(st))
            if starts and not quits and st.child_by_field_name("alternative") is None and \
                    self._configuration_switch(cond, negated=False):
                # `if (_options.Value.Enabled) { _timer = new Timer(…); }`
                self.plan.enabled = False
                for inner in syntax.block_statements(st.child_by_field_name("consequence")):
                    self._check_plumbing_statement(inner, where)
                return
            if (quits or starts) and not set(syntax.identifiers(cond)) <= plumbing:
                raise Blocked(BlockerKind.LIFECYCLE_WORK, "StartAsync starts the worker only when " + syntax.one_line(cond))
        txt = syntax.text(st)
        if "base." in txt or "Task.CompletedTask" in txt or "GC.SuppressFinalize" in txt:
            return
        names = syntax.identifiers(st)
        if any(n in self.fields and self.fields[n].is_plumbing for n in names):
            return
        if any(expand_alias(n, self.aliases).rsplit(".", 1)[-1] in ("Task", "Thread", "Timer", "Timeout")
               for n in names):
            return
        if any(self._driver_of(n) is not None for n in syntax.walk(st)):
            return  # `_ = RunAsync(token);`: starts the loop
        plumbing_flag = [n for n in names if n in self.fields and self.fields[n].simple_type == "bool"]
        if plumbing_flag and st.type == "expression_statement":
            return
        raise Blocked(BlockerKind.LIFECYCLE_WORK, f"{where} does more than manage the timer or loop: {syntax.one_line(st)}")

    def _timer_callback(self, callback: Node) -> None:
        """The callback's body is the unit of work: a method group or a lambda."""
        if callback.type == "identifier" and syntax.text(callback) in self.methods:
            method = self._method(syntax.text(callback))
            self.plan.removed_members.add(method.start_byte)
            params = method.child_by_field_name("parameters")
            used = set(syntax.identifiers(method.child_by_field_name("body") or method))
            for p in params.named_children if params else []:
                if p.type == "parameter" and syntax.text(p.child_by_field_name("name")) in used:
                    raise Blocked(BlockerKind.UNSUPPORTED_DRIVER,
                                  f"the timer callback uses its parameter {syntax.text(p.child_by_field_name('name'))}")
            body = method.child_by_field_name("body")
            self.plan.host = method
            self.plan.work_root = method
            if body is None:
                arrow = next(c for c in method.named_children if c.type == "arrow_expression_clause")
                self.plan.pieces = [Piece(arrow.named_children[0].start_byte, arrow.named_children[0].end_byte)]
                self._expression_pieces = True
            else:
                self.plan.pieces = self._pieces(self._unless_polled(self._callback_statements(body)))
            return
        if callback.type == "lambda_expression":
            body = callback.child_by_field_name("body")
            params = callback.child_by_field_name("parameters")
            used = set(syntax.identifiers(body))
            pnames = [syntax.text(p.child_by_field_name("name")) for p in (params.named_children if params else [])
                      if p.type == "parameter"]
            if params is None:  # `state => …` without parentheses
                first = callback.named_children[0]
                pnames = [syntax.text(first)] if first.type == "identifier" else []
            for p in pnames:
                if p in used and p != "_":
                    raise Blocked(BlockerKind.UNSUPPORTED_DRIVER, f"the timer callback uses its parameter {p}")
            self.plan.host = callback
            self.plan.work_root = callback
            if body.type == "block":
                self.plan.pieces = self._pieces(self._unless_polled(self._callback_statements(body)))
            else:
                self.plan.pieces = [Piece(body.start_byte, body.end_byte)]
                self._expression_pieces = True
            return
        raise Blocked(BlockerKind.UNSUPPORTED_DRIVER,
                      "timer callback is neither a method of the class nor a lambda: " + syntax.one_line(callback))

    def _callback_statements(self, body: Node) -> list[Node]:
        """The statements of a timer callback's body; a last `try` whose `finally` only re-armed the timer gives
        its body's statements instead (the finally is gone, and a try needs a catch or a finally)."""
        stmts = syntax.block_statements(body, comments=True)
        unwrapped = self._rearm.unwrapped if self._rearm is not None else None
        if unwrapped is None:
            return stmts
        i = next(k for k, st in enumerate(stmts) if st.id == unwrapped.id)
        return stmts[:i] + syntax.block_statements(unwrapped.child_by_field_name("body"), comments=True) + stmts[i + 1:]

    def _background_task(self, arg: Node) -> None:
        """`Task.Run(() => LoopAsync(token))`, `new Thread(Loop)`: the started method holds the loop."""
        target = arg
        if arg.type == "lambda_expression":
            body = arg.child_by_field_name("body")
            if body.type == "block":
                return self._loop_host(arg)
            target = awaited(body)
        if target.type == "invocation_expression":
            target = target.child_by_field_name("function")
        name = syntax.text(target)
        method = self._method(name) if name in self.methods else None
        if method is None:
            raise Blocked(BlockerKind.UNSUPPORTED_DRIVER,
                          "background task does not start a method of the class: " + syntax.one_line(arg))
        self.plan.removed_members.add(method.start_byte)
        self._loop_host(method)

    def _enabled_guard(self, st: Node) -> bool:
        """`if (!_options.Value.Enabled) return;` before the loop: the worker was switched on by configuration.
        The job is created disabled instead, and the report says so."""
        if st.type != "if_statement" or st.child_by_field_name("alternative") is not None:
            return False
        cons = st.child_by_field_name("consequence")
        inner = syntax.block_statements(cons) if cons.type == "block" else [cons]
        if not inner or not all(s.type == "return_statement" and returns_nothing(s) or self._is_logging(s)
                                for s in inner) or inner[-1].type != "return_statement":
            return False
        if not self._configuration_switch(st.child_by_field_name("condition"), negated=True):
            return False
        self.plan.enabled = False
        return True

    def _configuration_switch(self, cond: Node, negated: bool) -> bool:
        """Is `cond` a setting read from configuration (`_options.Value.Enabled`, `x == true`,
        `_config.GetValue<bool>("…")`) — or, when `negated`, its negation (`!…`, `… == false`)?"""
        cond = syntax.unparenthesized(cond)
        setting = None
        if cond.type == "prefix_unary_expression" and syntax.text(cond.children[0]) == "!":
            if negated:
                setting = cond.named_children[-1]
        elif cond.type == "binary_expression" and syntax.operator(cond) == "==" and \
                syntax.text(cond.child_by_field_name("right")) == ("false" if negated else "true"):
            setting = cond.child_by_field_name("left")
        elif not negated and cond.type in ("member_access_expression", "invocation_expression", "identifier"):
            setting = cond
        return setting is not None and self._from_configuration(setting, self._constants())


def throws_if_cancelled(st: Node) -> bool:
    """`token.ThrowIfCancellationRequested();` on a parameter of the lifecycle method it sits in."""
    if st.type != "expression_statement" or not st.named_children:
        return False
    call = st.named_children[0]
    fn = call.child_by_field_name("function") if call.type == "invocation_expression" else None
    if fn is None or fn.type != "member_access_expression" or syntax.arguments(call) or \
            syntax.text(fn.child_by_field_name("name")) != "ThrowIfCancellationRequested":
        return False
    method = syntax.first_ancestor(st, "method_declaration")
    params = method.child_by_field_name("parameters") if method is not None else None
    names = {syntax.text(p.child_by_field_name("name")) for p in params.named_children
             if p.type == "parameter"} if params is not None else set()
    return syntax.text(fn.child_by_field_name("expression")) in names
