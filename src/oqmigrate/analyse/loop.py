"""The worker's loop: where it is, what only paces it, and the unit of work it repeats."""

from __future__ import annotations

from typing import Iterator, NamedTuple

from oqmigrate import syntax
from oqmigrate.analyse.drivers import POLLING_LOOPS
from oqmigrate.analyse.blockers import Blocked, BlockerKind
from oqmigrate.syntax import Node
from oqmigrate.analyse.worker_facts import CANCELLED, Driver
from oqmigrate.schedule import evaluate_timespan, period_seconds, span_words
from oqmigrate.transforms import emit
from oqmigrate.analyse.expressions import awaited, has_effects, returns_nothing
from oqmigrate.analyse.members import DEFERRED_CODE, is_param, is_written, member_root
from oqmigrate.analyse.names import is_member_name


# Calls on a dependency that hand out a client, logger or configuration value without changing anything.
HANDED_OUT = {"CreateClient", "CreateLogger", "GetSection", "GetValue", "GetConnectionString"}


class LoopMixin:
    """Part of WorkerAnalysis (oqmigrate.analyse.worker); see there for the state it reads and writes."""

    def _loop_host(self, host: Node) -> None:
        body = host.child_by_field_name("body")
        if body is None or body.type != "block":
            raise Blocked(BlockerKind.UNSUPPORTED_DRIVER, "the loop is not in a block body")
        params = host.child_by_field_name("parameters")
        for p in params.named_children if params else []:
            if p.type == "parameter" and "CancellationToken" in syntax.text(p.child_by_field_name("type") or p):
                self.plan.token_names.add(syntax.text(p.child_by_field_name("name")))
        self.plan.host = host
        locals_: dict[str, Node] = {}
        loop, pre, post, timer_period = self._locate_loop(syntax.block_statements(body), locals_)
        self.plan.loop = loop
        self.plan.work_root = loop
        loop_body = loop.child_by_field_name("body")
        stmts = syntax.block_statements(loop_body, comments=True) if loop_body.type == "block" else [loop_body]
        self._check_condition(loop)
        delay_args: list[Node] = []
        work = self._strip_pacing(stmts, delay_args)
        if self.plan.driver is None:  # ExecuteAsync's own loop (a started loop was recorded by its starter)
            self.plan.driver = Driver.PERIODIC_TIMER if timer_period is not None else \
                Driver.CRON_LOOP if self._cron_expression() is not None else Driver.DELAY_LOOP
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
                if self.plan.driver == Driver.DELAY_LOOP:
                    self.plan.driver = Driver.POLLED_CLOCK_LOOP
            else:
                # the regular path's wait: the last one at the top level of the loop body
                self._cadence_from(delay_args[-1], 0.001, locals_)
        else:
            raise Blocked(BlockerKind.NO_SCHEDULE, "loop without a delay: it does not run on a schedule")
        self._drop_conditional_pacing(loop_body, work, locals_, timer_period)
        if self.plan.driver not in (Driver.POLLED_CLOCK_LOOP, Driver.CRON_LOOP):  # those waited for the clock
            self._note_wait_before_first_pass(loop, stmts, timer_period, locals_)
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
                raise Blocked(BlockerKind.STARTUP_WORK, "code before the loop runs once at startup: " + syntax.one_line(st))
        for st in post:
            if not (self._is_lifecycle_logging(st) or st.type == "comment" or
                    (st.type == "return_statement" and returns_nothing(st))):  # `return Task.CompletedTask;`
                raise Blocked(BlockerKind.SHUTDOWN_WORK,
                              "code after the loop runs once at shutdown: " + syntax.one_line(st))
        if per_run and not any(st.type != "comment" for st in work):
            raise Blocked(BlockerKind.NO_WORK, "the loop only waits: there is no unit of work to migrate")
        self.plan.pieces = self._pieces(per_run + work)
        if not any(self._node_at(p.start) is not None and self._node_at(p.start).type != "comment"
                   for p in self.plan.pieces):
            raise Blocked(BlockerKind.NO_WORK, "the loop only waits: there is no unit of work to migrate")
        self._check_failure_backoffs(locals_)

    def _check_failure_backoffs(self, locals_: dict[str, Node]) -> None:
        """A wait in a catch clause was a retry after a failure (`catch { …; await Task.Delay(5 min); }`). The job
        cannot retry sooner than its schedule; what it can do is report the run as failed. That holds when the
        catch becomes the job's own (the work is one try with a catch-all clause, whose outcome says the run
        failed) and the wait ends the catch: the retry is dropped with a note. Otherwise the class stays manual."""
        constants = self._constants()
        constants.update(locals_)
        for try_node, catch, delay in self._failure_backoffs:
            arg = self._is_delay(delay)
            seconds = evaluate_timespan(arg, self.data, constants, number_unit=0.001)
            wait = syntax.one_line(arg) if seconds is None else span_words(seconds)
            body = catch.child_by_field_name("body")
            last = [x for x in body.named_children if x.type != "comment"][-1:] if body is not None else []
            if last != [delay] or not self._catch_becomes_the_jobs(try_node, catch):
                raise Blocked(BlockerKind.RETRY_AFTER_FAILURE,
                              f"after a caught failure the worker waited {wait} and tried again; a job cannot "
                              "retry before its next scheduled run, and this catch would report the failed run as "
                              "completed: migrate by hand")
            cadence = period_seconds(self.plan.schedule)
            every = f"every {span_words(cadence)}" if cadence is not None else "on its schedule"
            self.plan.cadence_notes.append(
                f"after a caught failure the worker tried again after {wait}; the job reports the run as failed "
                f"and tries again at its next run ({every}): the quicker retry is dropped")

    def _catch_becomes_the_jobs(self, try_node: Node, catch: Node) -> bool:
        """Is the unit of work this one try statement, with `catch` (catch-all, no filter) its only clause left?"""
        real = [p for p in self.plan.pieces if self._node_at(p.start) is not None and
                self._node_at(p.start).type != "comment"]
        if len(self.plan.pieces) != 1 or len(real) != 1 or self._node_at(real[0].start) != try_node:
            return False
        clauses = [c for c in try_node.named_children if c.type in ("catch_clause", "finally_clause")
                   and not self._is_deleted(c)]
        if clauses != [catch] or any(x.type == "catch_filter_clause" for x in catch.named_children):
            return False
        decl = next((x for x in catch.named_children if x.type == "catch_declaration"), None)
        return decl is None or syntax.text(decl.child_by_field_name("type")) in ("Exception", "System.Exception")

    def _note_wait_before_first_pass(self, loop: Node, stmts: list[Node], timer_period: Node | None,
                                     locals_: dict[str, Node]) -> None:
        """A loop that waits before its work (the wait comes first, or it waits for a PeriodicTimer tick) delayed
        the first run after every start."""
        cond = loop.child_by_field_name("condition")
        if timer_period is not None and loop.type != "do_statement" and cond is not None and \
                "WaitForNextTickAsync" in syntax.text(cond):
            self._note_first_run(timer_period, "the first PeriodicTimer tick comes one period after the start",
                                 locals_)
            return
        # cancellation checks before the wait do no work: the wait still comes first
        first = next((s for s in stmts if s.type != "comment" and not self._is_cancellation_check(s)), None)
        if first is not None and first.type == "expression_statement" and self._is_delay(first) is not None:
            self._note_first_run(self._is_delay(first), "the loop waited before its work", locals_)

    def _locate_loop(self, stmts: list[Node], locals_: dict[str, Node]):
        """The loop, the statements before and after it, and the period of a PeriodicTimer created for it. The loop
        may sit in wrappers (`using (var timer = new PeriodicTimer(…))`, a try/catch for cancellation), walked
        iteratively: the statements around each wrapper join the ones before/after the loop."""
        wrapped: list[tuple[list[Node], int, Node | None]] = []  # per wrapper: its statement list, its index, period
        while True:
            loops = [s for s in stmts if s.type in POLLING_LOOPS]
            if len(loops) == 1:
                i = stmts.index(loops[0])
                loop, pre, post = loops[0], stmts[:i], stmts[i + 1:]
                period = None
                for st in pre:
                    found = self._periodic_timer(st)
                    if found is not None:
                        period = found
                    self._record_locals(st, locals_)
                break
            if loops:
                raise Blocked(BlockerKind.SEVERAL_DRIVERS, "several loops in the worker")
            # the loop may sit in a `using (var timer = new PeriodicTimer(…))` or a try/catch for cancellation
            wrappers = [s for s in stmts if s.type in ("using_statement", "try_statement")]
            if len(wrappers) != 1:
                raise Blocked(BlockerKind.UNSUPPORTED_DRIVER, "no repeating loop found")
            w = wrappers[0]
            inner_block = w.child_by_field_name("body")
            timer_period = None
            if w.type == "using_statement":
                timer_period = self._periodic_timer(w)
                if timer_period is None:
                    raise Blocked(BlockerKind.UNSUPPORTED_DRIVER,
                                  "the loop is wrapped in a using statement that is not a PeriodicTimer")
            else:
                for c in w.named_children:
                    if c.type == "catch_clause" and not self._is_cancellation_catch(c):
                        if not all(self._is_logging(s) for s in syntax.block_statements(c.child_by_field_name("body"))):
                            raise Blocked(BlockerKind.UNSUPPORTED_DRIVER,
                                          "the loop is wrapped in a try/catch that does more than log")
                    if c.type == "finally_clause":
                        for s in syntax.block_statements(next(x for x in c.named_children if x.type == "block")):
                            if not self._is_logging(s):
                                raise Blocked(BlockerKind.UNSUPPORTED_DRIVER,
                                              "the loop is wrapped in a try/finally that does more than log")
            if inner_block is None or inner_block.type != "block":
                raise Blocked(BlockerKind.UNSUPPORTED_DRIVER, "unexpected loop wrapper")
            wrapped.append((stmts, stmts.index(w), timer_period))
            stmts = syntax.block_statements(inner_block)
        for outer, i, timer_period in reversed(wrapped):  # innermost wrapper first, as the locals were read
            for st in outer[:i]:
                self._record_locals(st, locals_)
                timer_period = timer_period or self._periodic_timer(st)  # `var timer = new PeriodicTimer(…);`
            pre, post, period = outer[:i] + pre, post + outer[i + 1:], period or timer_period
        return loop, pre, post, period

    def _record_locals(self, st: Node, locals_: dict[str, Node]) -> None:
        if st.type == "local_declaration_statement":
            for d in syntax.descendants(st, "variable_declarator"):
                kids = d.named_children
                if len(kids) > 1:
                    locals_[syntax.text(kids[0])] = kids[-1]

    def _periodic_timer(self, st: Node) -> Node | None:
        """The period of a PeriodicTimer the statement creates (`new PeriodicTimer(p)`, or `new(p)` declared as one)."""
        for n in syntax.descendants(st, "object_creation_expression", "implicit_object_creation_expression"):
            if n.type == "implicit_object_creation_expression":
                decl = syntax.first_ancestor(n, "variable_declaration")
                declared = decl.child_by_field_name("type") if decl is not None else None
                is_timer = declared is not None and self._type_name(declared) in (
                    "PeriodicTimer", "System.Threading.PeriodicTimer")
            else:
                is_timer = self._type_name(n.child_by_field_name("type")) in (
                    "PeriodicTimer", "System.Threading.PeriodicTimer")
            if is_timer:
                if n.parent is not None and syntax.first_ancestor(n, "block") is not None and \
                        st.type == "using_statement" and n.start_byte > st.child_by_field_name("body").start_byte:
                    continue
                args = syntax.arguments(n) or _implicit_creation_arguments(n)
                return args[0] if args else None
        return None

    def _startup_wait(self, st: Node, locals_: dict[str, Node]) -> bool:
        """`await Task.Yield();` or `await Task.Delay(initial, token);` before the loop: a start-up delay. The job
        starts on Oqtane's schedule instead; a wait of a minute or more (or of an unknown length) is reported."""
        if st.type == "expression_statement" and st.named_children:
            expr = awaited(st.named_children[0])
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
            wait = syntax.one_line(arg) if seconds is None else span_words(seconds)
            note = f"the worker waited {wait} before its first run; Oqtane starts jobs on its own schedule"
            if note not in self.plan.cadence_notes:
                self.plan.cadence_notes.append(note)
        return True

    def _per_run_local(self, st: Node, users: list[Node]) -> bool:
        """`var batchSize = 100;` before the loop, read (never written) by the work: computing it again on every
        run gives the same value, so it moves into the job. So does a client or section a dependency hands out
        (`var client = _factory.CreateClient("x");`). A value that does anything else (a call, `new`, an await)
        is start-up work and stays manual."""
        if st.type != "local_declaration_statement" or any(c.type == "using" for c in st.children):
            return False
        names = set()
        for d in syntax.descendants(st, "variable_declarator"):
            kids = d.named_children
            if len(kids) < 2 or (has_effects(kids[-1]) and not self._handed_out(kids[-1])):
                return False
            names.add(syntax.text(kids[0]))
        read = False
        for u in users:
            for n in syntax.walk(u):
                if n.type != "identifier" or syntax.text(n) not in names or is_member_name(n) or self._is_deleted(n):
                    continue
                if is_written(n):
                    return False  # written by the work: state carried between iterations
                read = True
        return read

    def _handed_out(self, value: Node) -> bool:
        """`_factory.CreateClient("x")`, `_configuration.GetSection("x")`: a dependency field's factory or lookup
        call whose arguments only compute, so calling it on every run instead of once changes nothing."""
        if value.type != "invocation_expression":
            return False
        fn = value.child_by_field_name("function")
        if fn.type != "member_access_expression" or syntax.text(fn.child_by_field_name("name")) not in HANDED_OUT:
            return False
        f = self.fields.get(member_root(fn.child_by_field_name("expression")))
        return f is not None and f.ctor_value is not None and is_param(f.ctor_value, self._parameters()) and \
            not any(has_effects(a) for a in syntax.arguments(value))

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
            if has_effects(value) and not self._from_configuration(value, constants):
                return False
            names.add(syntax.text(kids[0]))
        if not names:
            return False
        for k in kept:
            for n in syntax.walk(k):
                if n.type == "identifier" and syntax.text(n) in names and not is_member_name(n) and \
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
        norm = syntax.spaceless_text(st)
        if any(syntax.spaceless_text(w) == norm for w in work):
            return True
        if self._cron_expression() is not None and self._cron_related(st):
            return True
        return False

    def _check_condition(self, loop: Node) -> None:
        cond = loop.child_by_field_name("condition")
        if loop.type == "for_statement":
            if any(c.type in ("variable_declaration",) for c in loop.named_children if c != loop.child_by_field_name("body")):
                raise Blocked(BlockerKind.NO_SCHEDULE, "a counting for loop is not a schedule")
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
                raise Blocked(BlockerKind.NO_SCHEDULE, "the loop condition depends on " + syntax.text(n))

    def _periodic_timer_names(self, loop: Node) -> set[str]:
        """Locals holding the PeriodicTimer: `var t = new PeriodicTimer(…)` or `PeriodicTimer t = new(…)`."""
        names = set()
        host = self.plan.host
        for d in syntax.descendants(host, "variable_declarator"):
            kids = d.named_children
            declared = d.parent.child_by_field_name("type") if d.parent.type == "variable_declaration" else None
            if len(kids) > 1 and ("PeriodicTimer" in syntax.text(kids[-1]) or (
                    declared is not None and "PeriodicTimer" in syntax.text(declared))):
                names.add(syntax.text(kids[0]))
        return names

    def _is_delay(self, st: Node) -> Node | None:
        """The period argument of a pacing statement: `await Task.Delay(x, token)`, `Thread.Sleep(x)`, also inside
        a chain of single-statement `if`s without `else` whose every condition reads the period (or the cron
        locals). The chain is walked iteratively: thousands of nested `if`s must not exhaust the stack."""
        guards: list[Node] = []
        while st.type == "if_statement":
            cons = st.child_by_field_name("consequence")
            inner = syntax.block_statements(cons) if cons is not None and cons.type == "block" else [cons]
            if st.child_by_field_name("alternative") is not None or len(inner) != 1 or inner[0] is None:
                return None
            guards.append(st.child_by_field_name("condition"))
            st = inner[0]
        arg = self._plain_delay(st)
        if arg is None or not guards:
            return arg
        read = set(syntax.identifiers(arg)) | self.cron_locals
        if all(set(syntax.identifiers(cond)) & read for cond in guards):
            return arg
        return None

    @staticmethod
    def _plain_delay(st: Node) -> Node | None:
        if st.type != "expression_statement" or not st.named_children:
            return None
        expr = _without_empty_continuation(awaited(st.named_children[0]))
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
                if n.type in syntax.LOOP_STATEMENTS or n.type in DEFERRED_CODE or n.type in ("catch_clause", "finally_clause"):
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
        outcome = f"return {emit.completed(self.outcome_name)};"
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
                for c in self._comments_above(d):
                    self._delete_statement(c)  # the comment described the wait
            else:
                self._delete_with_comments(d)
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
            cond = syntax.one_line(branch.child_by_field_name("condition"))
            alt = branch.child_by_field_name("alternative")
            if alt is not None and alt.start_byte <= delay.start_byte:
                cond = f"!({cond})"
            when = f"when {cond}"
        if any(v is None for v in values):
            return (f"{when} the worker also waited {syntax.one_line(self._delay_call(delay))}; the job runs on its "
                    "schedule on that path too")
        total = sum(values)
        cadence = period_seconds(self.plan.schedule)
        if total < 60:
            return (f"{when} the worker looped again after {span_words(total)}; the job runs on its schedule on "
                    "that path too (Oqtane runs at most once a minute)")
        if cadence is not None and total - cadence >= 60:
            return (f"{when} the worker waited {span_words(total)} before looping again; the job runs on its "
                    "schedule on that path too, more often than before")
        return None

    def _strip_pacing(self, stmts: list[Node], delays: list[Node]) -> list[Node]:
        """The loop body minus what only paces it (delays, cron arithmetic, cancellation checks) and the comments
        that described what was taken out (see `_without_orphan_comments`). The body of a cron-related `if` is
        stripped in turn, with an explicit stack of frames (nesting depth is unbounded)."""
        cron = self._cron_expression() is not None
        # per frame: statements left, work so far, statements taken out
        frames: list[tuple[Iterator[Node], list[Node], list[Node]]] = [(iter(stmts), [], [])]
        while True:
            rest, work, removed = frames[-1]
            st = next(rest, None)
            if st is None:
                work = self._without_orphan_comments(work, removed)
                if cron:
                    work = self._drop_cron_inputs(work)
                frames.pop()
                if not frames:
                    return work
                frames[-1][1].extend(work)
                continue
            arg = self._is_delay(st)
            if arg is not None:
                delays.append(arg)
                removed.append(st)
                continue
            if self._is_cancellation_check(st):
                removed.append(st)
                continue
            if cron and self._cron_related(st):
                self._cron_removed.append(st)
                if st.type == "if_statement" and st.child_by_field_name("alternative") is None:
                    cons = st.child_by_field_name("consequence")
                    inner = syntax.block_statements(cons, comments=True) if cons.type == "block" else [cons]
                    if not all(s.type in ("return_statement", "break_statement", "continue_statement", "comment")
                               for s in inner):
                        frames.append((iter(inner), [], []))
                        continue
                removed.append(st)
                continue
            if st.type == "try_statement":
                work.extend(self._strip_try(st, delays))
                continue
            work.append(st)

    def _without_orphan_comments(self, work: list[Node], removed: list[Node]) -> list[Node]:
        """`work` without the comments that belonged to statements taken out of it: the ones on the lines directly
        above such a statement, the one after it on its line (`await Task.Delay(p, token); // five minutes`), and
        a run of comments after it that no kept statement follows (`// and round again` at the end of the loop).
        Comments that introduce kept code stay where they are."""
        if not removed:
            return work
        gone: set[int] = set()
        for r in removed:
            gone.update(c.id for c in self._comments_above(r))
            after = r.next_named_sibling
            if after is not None and after.type == "comment" and after.start_point[0] == r.end_point[0]:
                gone.add(after.id)
        out = [n for n in work if n.id not in gone]
        last_removed = max(r.end_byte for r in removed)
        if last_removed > max((n.end_byte for n in out if n.type != "comment"), default=-1):
            while out and out[-1].type == "comment" and out[-1].start_byte > last_removed:
                out.pop()
        return out

    def _delete_with_comments(self, st: Node) -> None:
        """Delete a statement inside kept code with the comments that described it: those on the lines directly
        above it and the one after it on its line."""
        for c in self._comments_above(st):
            self._delete_statement(c)
        after = st.next_named_sibling
        if after is not None and after.type == "comment" and after.start_point[0] == st.end_point[0]:
            self._delete_statement(_Span(st.start_byte, after.end_byte))
        else:
            self._delete_statement(st)

    def _drop_cron_inputs(self, work: list[Node]) -> list[Node]:
        """Locals such as `var now = DateTime.UtcNow;` that only fed the next-occurrence arithmetic."""
        removed_ids = {i for st in self._cron_removed for i in syntax.identifiers(st)}
        kept = []
        for st in work:
            if st.type == "local_declaration_statement":
                names = {syntax.text(d.named_children[0]) for d in syntax.descendants(st, "variable_declarator")}
                elsewhere = {i for other in work if other is not st for i in syntax.identifiers(other)}
                if names and names <= removed_ids and not names & elsewhere:
                    self._cron_removed.append(st)
                    continue
            kept.append(st)
        return kept

    def _strip_try(self, st: Node, delays: list[Node]) -> list[Node]:
        block = st.child_by_field_name("body")
        inner = syntax.block_statements(block, comments=True)
        waits = []
        for s in inner:
            arg = self._is_delay(s)
            if arg is not None:
                delays.append(arg)
                waits.append(s)
                self._delete_with_comments(s)
        kept_clauses = 0
        for c in st.named_children:
            if c.type == "catch_clause":
                if self._is_cancellation_catch(c):
                    self._delete_statement(c)
                else:
                    kept_clauses += 1
                    for s in syntax.walk(c):
                        if s.type == "expression_statement" and self._is_delay(s) is not None:
                            # an error back-off (checked by _check_failure_backoffs); its comments described the retry
                            self._delete_with_comments(s)
                            self._failure_backoffs.append((st, c, s))
            elif c.type == "finally_clause":
                fin = next(x for x in c.named_children if x.type == "block")
                fin_stmts = syntax.block_statements(fin)
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
                            self._delete_with_comments(s)
        if kept_clauses == 0:
            return self._without_orphan_comments([s for s in inner if self._is_delay(s) is None], waits)
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
            ids = set(syntax.identifiers(cond))
            cons = st.child_by_field_name("consequence")
            inner = syntax.block_statements(cons) if cons.type == "block" else [cons]
            if ids and ids <= (self.plan.token_names | {"IsCancellationRequested"}) and \
                    all(s.type in ("break_statement", "return_statement") for s in inner):
                return True
        return False


class _Span(NamedTuple):
    """A byte range deleted like a statement (a statement with the comment after it on its line)."""

    start_byte: int
    end_byte: int


def _without_empty_continuation(expr: Node) -> Node:
    """`Task.Delay(p, token).ContinueWith(_ => { })` (a wait that swallows its cancellation) → `Task.Delay(p, token)`."""
    if expr.type != "invocation_expression":
        return expr
    fn = expr.child_by_field_name("function")
    if fn.type != "member_access_expression" or syntax.text(fn.child_by_field_name("name")) != "ContinueWith":
        return expr
    args = syntax.arguments(expr)
    if not args or args[0].type != "lambda_expression":
        return expr
    body = args[0].child_by_field_name("body")
    if body is None or body.type != "block" or syntax.block_statements(body):
        return expr
    inner = fn.child_by_field_name("expression")
    return inner if inner.type == "invocation_expression" else expr


def _implicit_creation_arguments(n: Node) -> list[Node]:
    """The argument expressions of a target-typed `new(…)`."""
    arglist = next((c for c in n.named_children if c.type == "argument_list"), None)
    if arglist is None:
        return []
    return [a.named_children[-1] for a in arglist.named_children if a.type == "argument" and a.named_children]
