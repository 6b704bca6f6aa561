"""Cadences → Oqtane job metadata (Frequency, Interval, StartDate).

Oqtane knows six frequency codes — "m" minutes, "H" hours, "d" days, "w" weeks, "M" months, "O" once — with a
whole-number Interval and a one-minute resolution (the base class polls once a minute). A worker's cadence is
mapped onto them exactly when possible, rounded up (with a note) when not, and refused (None) when the result
would be a guess, e.g. an irregular cron such as ``0 9 * * 1-5``.

`evaluate_timespan` folds the C# expressions workers use for their cadence (``TimeSpan.FromMinutes(30)``,
``30 * 60 * 1000``, ``new TimeSpan(0, 30, 0)``, a ``const`` field holding one, …) into seconds.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from typing import Mapping

from croniter import croniter

from oqmigrate import syntax
from oqmigrate.syntax import Node

FREQUENCIES = ("m", "H", "d", "w", "M", "O")

_MINUTE = 60
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_WEEK = 7 * _DAY


WEEKDAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
""".NET's DayOfWeek names by number: 0 = Sunday, as cron and `Schedule.start_weekday` count."""


FIRST_RUN_NOTE = "first run at the next occurrence"
"""A schedule with a time of day gets the NEXT occurrence as its StartDate (migrate_worker.generate.start_date):
the job does not run at installation. The analysis adds this to the cadence notes of such schedules."""


def _format_seconds(seconds: float) -> str:
    if float(seconds).is_integer():
        return f"{int(seconds)} s"
    return f"{seconds:g} s"


def span_words(seconds: float) -> str:
    """A duration in its largest whole unit, for a message: `3 hours`, `1 day`; else in seconds (`90 s`)."""
    for unit, word in ((_DAY, "day"), (_HOUR, "hour"), (_MINUTE, "minute")):
        if seconds >= unit and seconds % unit == 0:
            n = int(seconds // unit)
            return f"{n} {word}" + ("" if n == 1 else "s")
    return _format_seconds(seconds)


def period_seconds(schedule: "Schedule | None") -> float | None:
    """The time between two runs of a schedule, in seconds; None for no schedule, monthly and one-off runs."""
    if schedule is None:
        return None
    unit = {"m": _MINUTE, "H": _HOUR, "d": _DAY, "w": _WEEK}.get(schedule.frequency)
    return None if unit is None else float(unit * schedule.interval)


@dataclass(frozen=True)
class Schedule:
    frequency: str
    interval: int
    start_time: _dt.time | None = None  # UTC time of day of the first run (cron daily/weekly/monthly)
    start_weekday: int | None = None  # 0 = Sunday … 6 = Saturday, as cron and .NET's DayOfWeek count
    start_day: int | None = None  # day of the month, 1…28
    exact: bool = True
    note: str = ""

    @classmethod
    def from_seconds(cls, total_seconds: float) -> "Schedule":
        """A fixed period. Under a minute → every minute (flagged); not whole minutes → rounded up (flagged)."""
        if total_seconds < _MINUTE:
            return cls("m", 1, exact=False,
                       note=f"cadence was {_format_seconds(total_seconds)}; Oqtane runs at most once a minute")
        if total_seconds % _MINUTE:
            minutes = math.ceil(total_seconds / _MINUTE)
            return cls("m", minutes, exact=False,
                       note=f"cadence was {_format_seconds(total_seconds)}; rounded up to {minutes} minutes")
        seconds = int(total_seconds)
        for unit, code in ((_WEEK, "w"), (_DAY, "d"), (_HOUR, "H")):
            if seconds % unit == 0:
                return cls(code, seconds // unit)
        return cls("m", seconds // _MINUTE)

    @classmethod
    def from_cron(cls, expr: str) -> "Schedule | None":
        """Map a cron expression onto Oqtane's schedule, or None when it cannot be expressed faithfully.

        Five fields (minute hour day-of-month month day-of-week) or six with a leading seconds field (Cronos,
        NCrontab) whose value is 0. Macros @hourly/@daily/@weekly/@monthly are accepted."""
        fields = _MACROS.get(expr.strip().lower(), expr).split()
        if len(fields) == 6:
            if fields[0] not in ("0", "00"):
                return None  # fires several times a minute or at a second offset: not expressible
            fields = fields[1:]
        if len(fields) != 5:
            return None
        five = " ".join(fields)
        try:
            if not croniter.is_valid(five):
                return None
        except Exception:  # croniter raises on some malformed inputs instead of answering False
            return None
        minute, hour, dom, month, dow = fields
        if month != "*":
            return None
        every_minutes = _step(minute, 60)
        if every_minutes is not None and hour == "*" and dom == "*" and dow == "*":
            # Oqtane counts "m"/"H" intervals from the previous run, so fixed times past the hour are not kept
            note = "" if every_minutes == 1 else (f"runs every {every_minutes} minutes counted from its first run, "
                                                   "not at fixed minutes past the hour")
            return cls("m", every_minutes, note=note)
        m = _single(minute, 0, 59)
        if m is None:
            return None
        every_hours = _step(hour, 24)
        if every_hours is not None and dom == "*" and dow == "*":
            note = (f"runs every {every_hours} h counted from its first run, not at the cron's fixed hours (UTC)"
                    + ("" if m == 0 else f"; the minute past the hour (:{m:02d}) is not kept either"))
            return cls("H", every_hours, exact=(m == 0), note=note)
        h = _single(hour, 0, 23)
        if h is None:
            return None
        weekday = None
        if dom == "*" and dow != "*":
            weekday = _weekday(dow)
            if weekday is None:
                return None
        day = None
        if dow == "*" and dom != "*":
            day = _single(dom, 1, 31)
            if day is None:
                return None
        if dom != "*" and dow != "*":
            return None
        return cls.at(h, m, weekday=weekday, day=day)

    @classmethod
    def at(cls, hour: int, minute: int, weekday: int | None = None, day: int | None = None) -> "Schedule | None":
        """Once a day at hour:minute (UTC), once a week on `weekday` (0 = Sunday) or once a month on `day`:
        d/1, w/1 or M/1 with the StartDate carrying the time. None for a day of the month past the 28th (those
        skip short months, so they are not a monthly cadence) or for a weekday and a day of the month together."""
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            return None
        at = _dt.time(hour, minute)
        if weekday is not None and day is not None:
            return None
        if weekday is not None:
            if not 0 <= weekday <= 6:
                return None
            return cls("w", 1, start_time=at, start_weekday=weekday, note="times are UTC")
        if day is not None:
            if not 1 <= day <= 28:
                return None
            return cls("M", 1, start_time=at, start_day=day, note="times are UTC")
        return cls("d", 1, start_time=at, note="times are UTC")


_MACROS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
}

_DAY_NAMES = {day[:3].lower(): number for number, day in enumerate(WEEKDAYS)}  # cron: `sun` … `sat`


def _single(field: str, low: int, high: int) -> int | None:
    if not field.isdigit():
        return None
    v = int(field)
    return v if low <= v <= high else None


def _step(field: str, cycle: int) -> int | None:
    """`*` → 1, `*/n` or `0/n` → n when n divides the cycle (otherwise the gaps are uneven)."""
    if field == "*":
        return 1
    for prefix in ("*/", "0/"):
        if field.startswith(prefix) and field[len(prefix):].isdigit():
            n = int(field[len(prefix):])
            if 0 < n < cycle and cycle % n == 0:
                return n
            return None
    return None


def _weekday(field: str) -> int | None:
    f = field.lower()
    if f in _DAY_NAMES:
        return _DAY_NAMES[f]
    v = _single(f, 0, 7)
    return None if v is None else v % 7


# ---------------------------------------------------------------------------------------------------------------
# C# cadence expressions

_TIMESPAN_FACTORIES = {
    "FromMilliseconds": 0.001,
    "FromSeconds": 1.0,
    "FromMinutes": float(_MINUTE),
    "FromHours": float(_HOUR),
    "FromDays": float(_DAY),
}
_TIMESPAN_TOTALS = {
    "TotalMilliseconds": 0.001,
    "TotalSeconds": 1.0,
    "TotalMinutes": float(_MINUTE),
    "TotalHours": float(_HOUR),
    "TotalDays": float(_DAY),
}


class _Span(float):
    """A value known to be a TimeSpan (in seconds), as opposed to a plain number."""


def evaluate_timespan(node: Node | None, data: bytes | None = None, constants: Mapping[str, Node] | None = None,
                      number_unit: float = 0.001) -> float | None:
    """Seconds denoted by a C# cadence expression, or None when it is not a compile-time-known value.

    A plain number (``1800000``, ``30 * 60 * 1000``, ``5_000``, ``1800000L``) is multiplied by `number_unit`
    seconds: the caller says the unit (milliseconds for Timer/Task.Delay/Thread.Sleep int arguments).
    `constants` maps field names to the expression they are initialised or constructor-assigned with.
    `data` is accepted for symmetry with the other analysis helpers; node text comes from the tree."""
    if node is None:
        return None
    value = _Evaluator(constants or {}).eval(node)
    if value is None:
        return None
    if isinstance(value, _Span):
        return float(value)
    return float(value) * number_unit


class _Evaluator:
    def __init__(self, constants: Mapping[str, Node]):
        self.constants = constants
        self.active: set[str] = set()

    def eval(self, node: Node) -> float | None:
        t = node.type
        if t == "integer_literal":
            return _int_literal(syntax.text(node))
        if t == "real_literal":
            s = syntax.text(node).replace("_", "").rstrip("fFdDmM")
            try:
                return float(s)
            except ValueError:
                return None
        if t in ("parenthesized_expression", "checked_expression"):
            inner = [c for c in node.named_children if c.type != "comment"]
            return self.eval(inner[-1]) if inner else None
        if t == "cast_expression":
            v = self.eval(node.child_by_field_name("value"))
            if v is None:
                return None
            target = syntax.text(node.child_by_field_name("type"))
            if target in ("int", "long", "uint", "ulong", "short", "Int32", "Int64", "System.Int32", "System.Int64"):
                return float(int(v))  # C# truncates toward zero
            return v
        if t == "prefix_unary_expression":
            operand = node.named_children[-1]
            v = self.eval(operand)
            if v is None:
                return None
            op = syntax.text(node.children[0])
            if op == "-":
                return _Span(-v) if isinstance(v, _Span) else -v
            if op == "+":
                return v
            return None
        if t == "binary_expression":
            return self._binary(node)
        if t == "identifier":
            return self._constant(syntax.text(node))
        if t == "member_access_expression":
            return self._member(node)
        if t == "invocation_expression":
            return self._invocation(node)
        if t in ("object_creation_expression", "implicit_object_creation_expression"):
            return self._new_timespan(node)
        return None

    def _constant(self, name: str) -> float | None:
        init = self.constants.get(name)
        if init is None or name in self.active:
            return None
        self.active.add(name)
        try:
            return self.eval(init)
        finally:
            self.active.discard(name)

    def _binary(self, node: Node) -> float | None:
        left = self.eval(node.child_by_field_name("left"))
        right = self.eval(node.child_by_field_name("right"))
        if left is None or right is None:
            return None
        op = syntax.text(node.child_by_field_name("operator"))
        ls, rs = isinstance(left, _Span), isinstance(right, _Span)
        if op in ("+", "-"):
            if ls != rs:
                return None
            v = left + right if op == "+" else left - right
            return _Span(v) if ls else v
        if op == "*":
            if ls and rs:
                return None
            v = left * right
            return _Span(v) if (ls or rs) else v
        if op == "/":
            if rs or right == 0:
                return None
            if ls:
                return _Span(left / right)
            if _is_integral(node.child_by_field_name("left")) and _is_integral(node.child_by_field_name("right")):
                return float(math.trunc(left / right))
            return left / right
        return None

    def _member(self, node: Node) -> float | None:
        expr = node.child_by_field_name("expression")
        name = syntax.text(node.child_by_field_name("name"))
        owner = syntax.text(expr)
        if name in _TIMESPAN_TOTALS:
            span = self.eval(expr)
            if isinstance(span, _Span):
                return float(span) / _TIMESPAN_TOTALS[name]
            return None
        if owner in ("TimeSpan", "System.TimeSpan") and name == "Zero":
            return _Span(0.0)
        if owner == "this" or (owner[:1].isupper() and name in self.constants):
            return self._constant(name)
        return None

    def _invocation(self, node: Node) -> float | None:
        fn = node.child_by_field_name("function")
        if fn is None or fn.type != "member_access_expression":
            return None
        owner = syntax.text(fn.child_by_field_name("expression"))
        name = syntax.text(fn.child_by_field_name("name"))
        if owner not in ("TimeSpan", "System.TimeSpan") or name not in _TIMESPAN_FACTORIES:
            return None
        args = syntax.arguments(node)
        if len(args) != 1:
            return None
        v = self.eval(args[0])
        if v is None or isinstance(v, _Span):
            return None
        return _Span(v * _TIMESPAN_FACTORIES[name])

    def _new_timespan(self, node: Node) -> float | None:
        type_node = node.child_by_field_name("type")
        if type_node is None or syntax.text(type_node) not in ("TimeSpan", "System.TimeSpan"):
            return None
        values = [self.eval(a) for a in syntax.arguments(node)]
        if any(v is None or isinstance(v, _Span) for v in values):
            return None
        if len(values) == 1:
            return _Span(values[0] / 10_000_000)  # ticks
        if len(values) == 3:
            h, m, s = values
            return _Span(h * _HOUR + m * _MINUTE + s)
        if len(values) in (4, 5):
            d, h, m, s = values[:4]
            ms = values[4] if len(values) == 5 else 0
            return _Span(d * _DAY + h * _HOUR + m * _MINUTE + s + ms / 1000)
        return None


def _is_integral(node: Node | None) -> bool:
    if node is None:
        return False
    if node.type == "integer_literal":
        return True
    if node.type == "parenthesized_expression":
        return all(_is_integral(c) for c in node.named_children)
    if node.type == "binary_expression":
        return _is_integral(node.child_by_field_name("left")) and _is_integral(node.child_by_field_name("right"))
    return False


def _int_literal(s: str) -> float | None:
    s = s.replace("_", "")
    low = s.lower()
    while low and low[-1] in "ul":
        low = low[:-1]
    try:
        if low.startswith("0x"):
            return float(int(low[2:], 16))
        if low.startswith("0b"):
            return float(int(low[2:], 2))
        return float(int(low))
    except ValueError:
        return None
