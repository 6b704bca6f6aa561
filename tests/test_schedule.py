import datetime as dt

import pytest
from hypothesis import given, strategies as st

from oqmigrate import syntax
from oqmigrate.schedule import Schedule, evaluate_timespan


def _expr(src: str, members: str = ""):
    code = f"class C {{ {members} void M() {{ var x = {src}; }} }}".encode()
    tree = syntax.parse(code)
    assert not tree.root_node.has_error, src
    decl = list(syntax.descendants(tree.root_node, "variable_declarator"))[-1]
    value = decl.named_children[-1]
    constants = {}
    for field in syntax.descendants(tree.root_node, "field_declaration"):
        for d in syntax.descendants(field, "variable_declarator"):
            kids = d.named_children
            constants[syntax.text(kids[0])] = kids[-1]
    return value, code, constants


@pytest.mark.parametrize("src,seconds", [
    ("TimeSpan.FromMinutes(30)", 1800),
    ("TimeSpan.FromSeconds(1800)", 1800),
    ("System.TimeSpan.FromHours(2)", 7200),
    ("TimeSpan.FromDays(14)", 14 * 86400),
    ("TimeSpan.FromMilliseconds(1500)", 1.5),
    ("new TimeSpan(0, 30, 0)", 1800),
    ("new TimeSpan(1, 0, 0, 0)", 86400),
    ("1800000", 1800),
    ("30 * 60 * 1000", 1800),
    ("1000 * 60 * 5", 300),
    ("(5 * 60) * 1000", 300),
    ("5_000", 5),
    ("1800000L", 1800),
    ("(int)TimeSpan.FromMinutes(5).TotalMilliseconds", 300),
    ("TimeSpan.FromMinutes(2 * 15)", 1800),
    ("TimeSpan.FromMinutes(1) * 3", 180),
    ("TimeSpan.FromHours(1) + TimeSpan.FromMinutes(30)", 5400),
    ("TimeSpan.Zero", 0),
    ("TimeSpan.FromMinutes(0.5)", 30),
])
def test_evaluate(src, seconds):
    node, code, constants = _expr(src)
    assert evaluate_timespan(node, code, constants) == pytest.approx(seconds)


@pytest.mark.parametrize("members,src,seconds", [
    ("private const int IntervalMinutes = 15;", "TimeSpan.FromMinutes(IntervalMinutes)", 900),
    ("static readonly TimeSpan Period = TimeSpan.FromHours(6);", "Period", 6 * 3600),
    ("const int Ms = 60 * 1000; const int Period = 5 * Ms;", "Period", 300),
    ("static readonly TimeSpan Period = TimeSpan.FromHours(6);", "C.Period", 6 * 3600),
    ("TimeSpan _p = TimeSpan.FromMinutes(3);", "this._p", 180),
])
def test_evaluate_constants(members, src, seconds):
    node, code, constants = _expr(src, members)
    assert evaluate_timespan(node, code, constants) == pytest.approx(seconds)


@pytest.mark.parametrize("src", [
    "TimeSpan.FromMinutes(_options.Value.IntervalMinutes)",
    "int.Parse(\"5\")",
    "TimeSpan.FromMinutes(x)",
    "Timeout.InfiniteTimeSpan",
    "TimeSpan.FromMinutes(1) * TimeSpan.FromMinutes(1)",
])
def test_evaluate_unknown(src):
    node, code, constants = _expr(src)
    assert evaluate_timespan(node, code, constants) is None


def test_self_referencing_constant_is_unknown():
    node, code, constants = _expr("A", "const int A = B; const int B = A;")
    assert evaluate_timespan(node, code, constants) is None


def test_number_unit_is_the_callers():
    node, code, constants = _expr("30")
    assert evaluate_timespan(node, code, constants, number_unit=60) == 1800


@pytest.mark.parametrize("seconds,frequency,interval,exact", [
    (1800, "m", 30, True),
    (7200, "H", 2, True),
    (86400, "d", 1, True),
    (14 * 86400, "w", 2, True),
    (90 * 60, "m", 90, True),
    (36 * 3600, "H", 36, True),
    (90, "m", 2, False),
    (10, "m", 1, False),
    (60, "m", 1, True),
])
def test_from_seconds(seconds, frequency, interval, exact):
    s = Schedule.from_seconds(seconds)
    assert (s.frequency, s.interval, s.exact) == (frequency, interval, exact)
    assert (s.note == "") == exact


def test_from_seconds_notes():
    assert Schedule.from_seconds(10).note == "cadence was 10 s; Oqtane runs at most once a minute"
    assert Schedule.from_seconds(1.5).note == "cadence was 1.5 s; Oqtane runs at most once a minute"
    assert "rounded" in Schedule.from_seconds(90).note


@given(st.integers(min_value=1, max_value=10_000_000))
def test_from_seconds_never_runs_more_often_than_the_worker(seconds):
    s = Schedule.from_seconds(seconds)
    unit = {"m": 60, "H": 3600, "d": 86400, "w": 7 * 86400}[s.frequency]
    assert s.interval >= 1
    period = s.interval * unit
    assert period >= min(seconds, 60) and (period == seconds) == s.exact
    assert period - seconds < 60 or seconds < 60


@pytest.mark.parametrize("expr,expected", [
    ("*/15 * * * *", ("m", 15, None, None, None)),
    ("* * * * *", ("m", 1, None, None, None)),
    ("0 * * * *", ("H", 1, None, None, None)),
    ("0 */6 * * *", ("H", 6, None, None, None)),
    ("0 2 * * *", ("d", 1, dt.time(2, 0), None, None)),
    ("30 14 * * *", ("d", 1, dt.time(14, 30), None, None)),
    ("0 3 * * 1", ("w", 1, dt.time(3, 0), 1, None)),
    ("0 3 * * MON", ("w", 1, dt.time(3, 0), 1, None)),
    ("0 3 * * 7", ("w", 1, dt.time(3, 0), 0, None)),
    ("0 0 1 * *", ("M", 1, dt.time(0, 0), None, 1)),
    ("0 */5 * * * *", ("m", 5, None, None, None)),
    ("0 0 2 * * *", ("d", 1, dt.time(2, 0), None, None)),
    ("@daily", ("d", 1, dt.time(0, 0), None, None)),
    ("@hourly", ("H", 1, None, None, None)),
])
def test_from_cron(expr, expected):
    s = Schedule.from_cron(expr)
    assert s is not None
    assert (s.frequency, s.interval, s.start_time, s.start_weekday, s.start_day) == expected


@pytest.mark.parametrize("expr", [
    "0 9 * * 1-5",
    "0 8,17 * * *",
    "*/7 * * * *",
    "0 0 31 * *",
    "0 0 1 1 *",
    "*/30 * * * * *",
    "0 0 * * 1,3",
    "not a cron",
    "61 * * * *",
    "0 2 1 * 1",
])
def test_from_cron_not_expressible(expr):
    assert Schedule.from_cron(expr) is None


def test_cron_time_of_day_notes_utc():
    assert "UTC" in Schedule.from_cron("0 2 * * *").note
    assert Schedule.from_cron("* * * * *").note == ""


def test_step_crons_say_that_their_fixed_times_are_not_kept():
    """Oqtane counts m/H intervals from the previous run: `*/15` and `0 */6` keep the cadence, not the clock times."""
    assert "counted from its first run, not at fixed minutes past the hour" in Schedule.from_cron("*/15 * * * *").note
    note = Schedule.from_cron("0 */6 * * *").note
    assert "counted from its first run, not at the cron's fixed hours" in note and "minute past" not in note
    assert "the minute past the hour (:15) is not kept either" in Schedule.from_cron("15 */4 * * *").note


@pytest.mark.parametrize("args,kwargs,expected", [
    ((2, 0), {}, ("d", 1, dt.time(2, 0), None, None)),
    ((7, 30), {"weekday": 1}, ("w", 1, dt.time(7, 30), 1, None)),
    ((4, 30), {"day": 1}, ("M", 1, dt.time(4, 30), None, 1)),
])
def test_at_a_time_of_day(args, kwargs, expected):
    s = Schedule.at(*args, **kwargs)
    assert (s.frequency, s.interval, s.start_time, s.start_weekday, s.start_day) == expected
    assert s.note == "times are UTC"


@pytest.mark.parametrize("args,kwargs", [
    ((24, 0), {}),
    ((2, 60), {}),
    ((2, 0), {"day": 29}),
    ((2, 0), {"weekday": 7}),
    ((2, 0), {"weekday": 1, "day": 1}),
])
def test_at_not_expressible(args, kwargs):
    assert Schedule.at(*args, **kwargs) is None


def test_cron_and_polled_clock_agree():
    assert Schedule.from_cron("30 4 1 * *") == Schedule.at(4, 30, day=1)
    assert Schedule.from_cron("0 3 * * mon") == Schedule.at(3, 0, weekday=1)
