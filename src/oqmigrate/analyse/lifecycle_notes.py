"""Review notes for lifecycle changes a migration makes without changing the work itself.

A worker lived as long as the host: a `break` or `return` that left its loop, or an exception it let escape, ended it
for good, and a wait before its first pass (a loop that waits first, a Timer's dueTime, the first PeriodicTimer tick,
the first Elapsed of a System.Timers.Timer) delayed the first run after every start. A job ends one run instead, and
Oqtane starts it on its own schedule: StartDate only delays the first run after the job row is created, so it cannot
repeat a per-start delay. None of this blocks a migration; each is said in the migration report.
"""

from __future__ import annotations

from oqmigrate import syntax
from oqmigrate.schedule import evaluate_timespan, span_words
from oqmigrate.syntax import Node
from oqmigrate.analyse.members import DEFERRED_CODE
from oqmigrate.analyse.names import is_member_name


class LifecycleNotesMixin:
    """Part of WorkerAnalysis (oqmigrate.analyse.worker); see there for the state it reads and writes."""

    def _note_first_run(self, wait: Node, why: str, locals_: dict[str, Node] | None = None) -> None:
        """Note a wait before the first pass of a minute or more (or of a length that cannot be computed)."""
        constants = self._constants()
        constants.update(locals_ or {})
        seconds = evaluate_timespan(wait, self.data, constants, number_unit=0.001)
        if seconds is not None and seconds < 60:
            return
        words = syntax.one_line(wait) if seconds is None else span_words(seconds)
        self._add_lifecycle_note(
            f"the worker waited {words} after every start before its first run ({why}); Oqtane runs the job on its "
            "own schedule, and StartDate cannot repeat a delay after every start (it only delays the first run "
            "after the job is created)")

    def _add_lifecycle_note(self, note: str) -> None:
        if note not in self.lifecycle_notes:
            self.lifecycle_notes.append(note)

    def _loop_exits(self) -> list[Node]:
        """The `continue`, `break` and `return;` statements of the unit of work that left the old loop (or
        callback): in the job each returns the run's outcome."""
        out = []
        for p in self.plan.pieces:
            for n in self._nodes_within(self.root, p.start, p.end, "continue_statement", "break_statement",
                                 "return_statement"):
                if self._is_deleted(n) or self._inside_function_below_root(n):
                    continue
                if n.type == "return_statement":
                    if not n.named_children:
                        out.append(n)
                    continue
                enclosing = [a for a in syntax.ancestors(n) if a.start_byte >= p.start and a.end_byte <= p.end]
                stops = syntax.LOOP_STATEMENTS if n.type == "continue_statement" else syntax.LOOP_STATEMENTS + ("switch_statement",)
                if not any(a.type in stops for a in enclosing):
                    out.append(n)
        return out

    def _inside_function_below_root(self, n: Node) -> bool:
        root = self.plan.work_root
        for a in syntax.ancestors(n):
            if a == root:
                return False
            if a.type in DEFERRED_CODE:
                return True
        return False

    def _collect_lifecycle_notes(self) -> None:
        """The notes for exits, tokens passed on (`plan.passed_tokens`) and escaping exceptions (the waits before a
        first run are noted where found)."""
        if self.plan.loop is not None:
            for n in self._loop_exits():
                if n.type == "continue_statement" or any(
                        a.type == "if_statement" and self._is_cancellation_check(a) for a in syntax.ancestors(n)):
                    continue  # a continue ends one pass only; a cancellation check goes with the loop
                branch = syntax.first_ancestor(n, "if_statement")
                when = ""
                if branch is not None and any(p.start <= branch.start_byte < p.end for p in self.plan.pieces):
                    when = f" when {syntax.one_line(branch.child_by_field_name('condition'))}"
                self._add_lifecycle_note(
                    f"`{syntax.one_line(n)}` ended the worker for good{when}; in the job it ends only that run, and the "
                    "job runs again at its next run")
        if self.plan.passed_tokens:
            spellings = ", ".join(f"'{x}'" for x in dict.fromkeys(syntax.text(n) for n in self.plan.passed_tokens))
            self._add_lifecycle_note(
                f"{spellings} became CancellationToken.None (Oqtane gives a job no cancellation token): stopping the "
                "host no longer cancels the work a run passes it to; that work runs to its end")
        if self._escaping_throw() is not None:
            self._add_lifecycle_note(
                "an exception the work let escape (`throw`) stopped the worker for good (on .NET 6+ an unhandled "
                "BackgroundService exception stops the host); in the job it fails only that run, and the job runs "
                "again at its next run")

    def _passed_tokens(self) -> list[Node]:
        """The uses of the worker's cancellation token (its ExecuteAsync/StartAsync token parameter, a
        CancellationTokenSource field's `.Token`) that the kept work and its helpers pass on: the job has no token,
        so each becomes CancellationToken.None. Not a helper's own parameter of the same name, nor a cancellation
        check (it goes with the loop), nor deleted code."""
        tokens = self.plan.token_names
        sources = {n for n, f in self.fields.items() if f.simple_type == "CancellationTokenSource"}
        if not tokens and not sources:
            return []
        shadowed = {h.start_byte: {syntax.text(x.child_by_field_name("name"))
                                   for x in syntax.descendants(h.child_by_field_name("parameters"), "parameter")
                                   if x.child_by_field_name("name") is not None}
                    for h in self.helpers}
        found: dict[int, Node] = {}
        for start, end in self._kept_ranges() + [(h.start_byte, h.end_byte) for h in self.helpers]:
            own = tokens - shadowed.get(start, set())
            checks = [c for c in self._nodes_within(self.root, start, end, "expression_statement", "if_statement")
                      if not self._is_deleted(c) and self._is_cancellation_check(c)]
            for n in self._nodes_within(self.root, start, end, "identifier", "member_access_expression"):
                if self._is_deleted(n) or any(c.start_byte <= n.start_byte and n.end_byte <= c.end_byte for c in checks):
                    continue
                if n.type == "identifier":
                    passed = syntax.text(n) in own and not is_member_name(n)
                else:
                    passed = syntax.text(n.child_by_field_name("expression")) in sources and \
                        syntax.text(n.child_by_field_name("name")) == "Token"
                if passed:
                    found.setdefault(n.id, n)
        return sorted(found.values(), key=lambda n: n.start_byte)

    def _escaping_throw(self) -> Node | None:
        """A `throw` in the work or its helpers that no try around it (within that code) catches."""
        bounds = [(p.start, p.end) for p in self.plan.pieces] + [(h.start_byte, h.end_byte) for h in self.helpers]
        for start, end in bounds:
            for n in self._nodes_within(self.root, start, end, "throw_statement", "throw_expression"):
                if self._is_deleted(n) or self._inside_function_below_root(n):
                    continue
                caught = False
                child = n
                for a in syntax.ancestors(n):
                    if a.start_byte < start or a.type in DEFERRED_CODE:
                        break
                    if a.type == "try_statement" and child == a.child_by_field_name("body") and \
                            any(c.type == "catch_clause" for c in a.named_children):
                        caught = True
                        break
                    child = a
                if not caught:
                    return n
        return None
