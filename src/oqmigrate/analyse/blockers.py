"""Blockers: the closed set of reasons a worker cannot be migrated faithfully, each with the text shown to the user."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class BlockerKind(Enum):
    SYNTAX_ERROR = "syntax-error"  # syntax errors in or near the class
    UNSUPPORTED_SHAPE = "unsupported-shape"  # e.g. a class without a body
    ABSTRACT_BASE = "abstract-base"  # an abstract worker base shared by subclasses
    DERIVED_WORKER = "derived-worker"  # derives from a project-local worker base
    GENERIC_CLASS = "generic-class"
    PARTIAL_PARTS_ELSEWHERE = "partial-parts-elsewhere"  # a partial class whose parts this file cannot all see
    UNSUPPORTED_MEMBER = "unsupported-member"  # properties, events, several/static constructors, overloads, …
    EVENT_DRIVEN = "event-driven"  # no timer or loop gives it a schedule
    NOT_SCHEDULED = "not-scheduled"  # a queue consumer, event subscriber or worker whose work is in another class
    ONE_SHOT_TIMER = "one-shot-timer"  # a timer that fires once after every start (or a re-armed debounce)
    SEVERAL_DRIVERS = "several-drivers"  # several timers or loops
    UNSUPPORTED_DRIVER = "unsupported-driver"  # a loop or callback in a shape the rewrite cannot follow
    NO_SCHEDULE = "no-schedule"  # a loop without a wait, a counting loop, a loop condition on other state
    UNKNOWN_CADENCE = "unknown-cadence"  # a wait whose length cannot be determined
    IRREGULAR_SCHEDULE = "irregular-schedule"  # a cron or clock check Frequency/Interval cannot express
    STARTUP_WORK = "startup-work"  # code before the loop runs once at start-up
    SHUTDOWN_WORK = "shutdown-work"  # code after the loop runs once at shutdown
    LIFECYCLE_WORK = "lifecycle-work"  # the constructor or StartAsync/StopAsync/Dispose does real work
    NO_WORK = "no-work"  # the loop only waits
    STATE_BETWEEN_RUNS = "state-between-runs"  # a field read by a later run: it needs persistent storage
    PLUMBING_IN_WORK = "plumbing-in-work"  # the work uses the timer, task or token source itself
    COMPUTED_DEPENDENCY = "computed-dependency"  # a dependency computed from other members
    NAME_CLASH = "name-clash"  # the local that would hold a dependency is already taken
    UNSUPPORTED_VERSION = "unsupported-version"  # the project's Oqtane version cannot run the job (see emit)
    DEFERRED_SCOPE = "deferred-scope"  # a scope created in code that runs after the job returns
    SCOPE_PER_ITEM = "scope-per-item"  # a fresh scope per item of a loop
    DISPOSES_SERVICE = "disposes-service"  # the work disposes a service it resolved from the scope
    RETRY_AFTER_FAILURE = "retry-after-failure"  # a back-off after a caught failure the job cannot keep
    HIDDEN_CLOCK_CHECK = "hidden-clock-check"  # a helper called by the work decides by the clock when it runs


@dataclass(frozen=True)
class Blocker:
    kind: BlockerKind
    text: str  # the reason shown to the user (a manual follow-up's reason)


class Blocked(Exception):
    """Raised by the analysis where it finds that a worker cannot be migrated faithfully."""

    def __init__(self, kind: BlockerKind, text: str):
        super().__init__(text)
        self.blocker = Blocker(kind, text)
