"""The vocabulary of the worker analysis: framework names it recognises, what drives a worker, and the plain
records (fields, pieces of work, planned replacements) it builds."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Callable

from oqmigrate.analyse.drivers import CRON_TYPES
from oqmigrate.schedule import Schedule
from oqmigrate.syntax import Node

WORKER_BASES = {"BackgroundService", "IHostedService", "IDisposable", "IAsyncDisposable"}
LIFECYCLE = {"ExecuteAsync", "StartAsync", "StopAsync", "Dispose", "DisposeAsync"}
PLUMBING_TYPES = {"Timer", "PeriodicTimer", "CancellationTokenSource", "Task", "Thread", "ITimer", *CRON_TYPES}
SCOPE_SOURCES = {"IServiceScopeFactory", "IServiceProvider"}
CANCELLED = {"OperationCanceledException", "TaskCanceledException"}
LOG_METHODS = {"LogInformation", "LogWarning", "LogError", "LogDebug", "LogTrace", "LogCritical", "Log"}

DISABLED_NOTE = "the worker was enabled by configuration; enable the job in Admin › Scheduled Jobs"


class Driver(Enum):
    """What made the worker run repeatedly."""
    DELAY_LOOP = "delay-loop"  # ExecuteAsync loops and waits (Task.Delay / Thread.Sleep)
    PERIODIC_TIMER = "periodic-timer"  # ExecuteAsync loops on PeriodicTimer.WaitForNextTickAsync
    CRON_LOOP = "cron-loop"  # ExecuteAsync waits until a cron expression's next occurrence
    POLLED_CLOCK_LOOP = "polled-clock-loop"  # a loop that polls the clock (or a next-run field) and runs when due
    # StartAsync starts a loop: Task.Run, Task.Factory.StartNew, a Thread, an unawaited call of a loop method
    STARTED_LOOP = "started-loop"
    THREADING_TIMER = "threading-timer"  # System.Threading.Timer
    TIMERS_TIMER = "timers-timer"  # System.Timers.Timer with an Elapsed handler


@dataclass
class Field:
    name: str
    type: str
    declaration: Node  # field_declaration (or the primary constructor's parameter)
    initializer: Node | None
    modifiers: frozenset[str]
    ctor_value: Node | None = None  # right-hand side assigned in the constructor
    ctor_statement: Node | None = None
    resolved_type: str = ""  # the type with using aliases expanded (`Tick` → `System.Threading.Timer`)

    @property
    def simple_type(self) -> str:
        written = self.resolved_type or self.type
        return re.sub(r"<.*", "", written).rsplit(".", 1)[-1].rstrip("?")

    @property
    def is_plumbing(self) -> bool:
        return self.simple_type in PLUMBING_TYPES

    @property
    def is_constant(self) -> bool:
        return "const" in self.modifiers or ("readonly" in self.modifiers and self.initializer is not None)


@dataclass
class Replacement:
    """Original bytes [start, end) the rewrite replaces: by `text`, or by what `render` returns (lazily, so that
    it may render the replacements nested inside)."""
    start: int
    end: int
    text: str | None = None
    render: Callable[[], str] | None = None


@dataclass
class Piece:
    """A range of original bytes that becomes one or more statements of the new method."""
    start: int
    end: int


@dataclass
class Plan:
    pieces: list[Piece] = field(default_factory=list)
    schedule: Schedule | None = None
    cadence_notes: list[str] = field(default_factory=list)
    removed_members: set[int] = field(default_factory=set)  # ids (start bytes) of members that go away
    token_names: set[str] = field(default_factory=set)
    passed_tokens: list[Node] = field(default_factory=list)  # token uses the job passes on as CancellationToken.None
    loop: Node | None = None  # the removed loop, whose continue/break/return become outcomes
    host: Node | None = None  # the method/lambda whose `return;` statements become outcomes
    enabled: bool = True
    work_root: Node | None = None
    driver: Driver | None = None
