"""Hypothesis strategies that write C# worker files, for the property tests of migrate-worker.

`worker_files()` draws a `WorkerFile`: the bytes of a whole `.cs` file (encoding, BOM, newlines, indentation and
brace style drawn too) holding one worker — a `BackgroundService` loop (optionally polling the clock for a time of
day), a `PeriodicTimer` loop, or an `IHostedService` with a `System.Threading.Timer` or a `System.Timers.Timer` —
with a random name, namespace style, cadence and its spelling, dependency set and scope style, loop shape, delay
position, optional try/catch, helper method and lifecycle logging, between other classes of the same file. It also says what a correct migration
must produce, computed here from the drawn cadence (never by the product's schedule code): the Frequency and
Interval the README documents, and where the worker class and the using block are in the text, so a test can
check that nothing else changed.

Every shape drawn is one the README lists under "Shapes migrated", except the `refusal` ones, which the README
lists as left for a person (a one-shot timer; an Oqtane version before 2.0.1, where nothing is migrated).
Generated C# stays within C# 7.2 except a file-scoped namespace (C# 10) and `using var` / `await using var`
scopes (C# 8), which `csharp72` reports.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal, Optional

from hypothesis import strategies as st

from oqmigrate.versions import CURRENT, Version

NamespaceStyle = Literal["block", "file", "none"]
BraceStyle = Literal["allman", "knr"]
Driver = Literal["loop", "periodic", "timer", "timers"]  # timer: System.Threading.Timer; timers: System.Timers.Timer
LoopShape = Literal["not_cancelled", "true", "for", "do_while"]
CadenceUnit = Literal["ms", "seconds", "minutes", "hours", "days"]
Refusal = Literal["one_shot_timer", "before_2_0_1"]

# (codec, BOM) a file is written in; cp1252 files carry a non-ASCII comment so that they are not plain UTF-8
ENCODINGS = [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
             ("cp1252", b"")]

# the first release of each job-API era (tests/csharp_eras.py) and today's version
ERA_VERSIONS = {"v2_0_1": Version(2, 0, 1), "v3_0_2": Version(3, 0, 2), "v4_0_3": Version(4, 0, 3),
                "v10_2_0": CURRENT}
WEEKLY_SINCE = Version(3, 0, 2)  # README, "Supported Oqtane versions": before it weekly becomes "d" x 7n

_WORDS = ["Order", "Cache", "Report", "Mail", "Sitemap", "Invoice", "Feed", "Audit", "Token", "Search", "Backup",
          "Digest", "Ledger", "Thumbnail", "Export", "Archive", "Quota", "Session", "Webhook", "Ticket"]
_SUFFIXES = ["Worker", "Service", "Sweeper", "Runner", "Processor", "Cleaner", "Poller", "Refresher"]
_VERBS = ["Purge", "Refresh", "Compact", "Send", "Rebuild", "Sync", "Prune", "Recalculate"]

_SECONDS = {"ms": Fraction(1, 1000), "seconds": Fraction(1), "minutes": Fraction(60), "hours": Fraction(3600),
            "days": Fraction(86400)}
_FACTORY = {"seconds": "FromSeconds", "minutes": "FromMinutes", "hours": "FromHours", "days": "FromDays"}


@dataclass(frozen=True)
class Cadence:
    unit: CadenceUnit
    value: int
    ms_style: Literal["literal", "underscore", "product"] = "literal"
    span_style: Literal["factory", "constructor"] = "factory"

    @property
    def seconds(self) -> Fraction:
        return self.value * _SECONDS[self.unit]

    def timespan(self) -> str:
        """The cadence as a TimeSpan expression (milliseconds through TimeSpan.FromMilliseconds)."""
        seconds = self.seconds
        if self.span_style == "constructor" and seconds.denominator == 1:
            s = int(seconds)
            if s % 86400 == 0:
                return f"new TimeSpan({s // 86400}, 0, 0, 0)"
            return f"new TimeSpan({s // 3600}, {s % 3600 // 60}, {s % 60})"
        if self.unit == "ms":
            return f"TimeSpan.FromMilliseconds({self.value})"
        return f"TimeSpan.{_FACTORY[self.unit]}({self.value})"

    def milliseconds(self) -> str:
        """The cadence as an int of milliseconds, in the drawn spelling."""
        ms = int(self.seconds * 1000)
        if self.ms_style == "underscore" and ms >= 1000:
            return f"{ms:_}"
        if self.ms_style == "product" and ms % 60000 == 0:
            return f"{ms // 60000} * 60 * 1000"
        if self.ms_style == "product" and ms % 1000 == 0:
            return f"{ms // 1000} * 1000"
        return str(ms)


def expected_schedule(cadence: Cadence, version: Version) -> tuple[str, int]:
    """(Frequency, Interval) the README promises for a fixed cadence: under a minute → m/1, not whole minutes →
    rounded up to whole minutes, otherwise the largest of weeks (from 3.0.2), days, hours, minutes that divides it."""
    seconds = cadence.seconds
    if seconds < 60:
        return "m", 1
    if seconds % 60:
        return "m", math.ceil(seconds / 60)
    minutes = int(seconds // 60)
    units = [("d", 1440), ("H", 60)]
    if version >= WEEKLY_SINCE:
        units.insert(0, ("w", 10080))
    for code, size in units:
        if minutes % size == 0:
            return code, minutes // size
    return "m", minutes


DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


@dataclass(frozen=True)
class Clock:
    """`if (now.Hour == hour && now.Minute == minute)` (+ `now.DayOfWeek == …` or `now.Day == …`) in a loop
    polled every minute: README "Self-made schedules" → d/1, w/1 or M/1 with a StartDate at that UTC time."""

    hour: int
    minute: int
    weekday: Optional[int] = None  # 0 = Sunday
    day: Optional[int] = None  # 1…28

    def condition(self, now: str) -> str:
        parts = []
        if self.weekday is not None:
            parts.append(f"{now}.DayOfWeek == DayOfWeek.{DAY_NAMES[self.weekday]}")
        if self.day is not None:
            parts.append(f"{now}.Day == {self.day}")
        parts += [f"{now}.Hour == {self.hour}", f"{now}.Minute == {self.minute}"]
        return " && ".join(parts)

    def expected_schedule(self, version: Version) -> tuple[str, int]:
        if self.weekday is not None:
            return ("w", 1) if version >= WEEKLY_SINCE else ("d", 7)
        if self.day is not None:
            return "M", 1
        return "d", 1


@dataclass(frozen=True)
class Service:
    name: str  # interface, e.g. IOrderStore
    verb: str
    is_async: bool
    via_scope: bool  # resolved from an IServiceScopeFactory scope in the work; else constructor-injected

    @property
    def local(self) -> str:
        return self.name[1].lower() + self.name[2:]

    @property
    def method(self) -> str:
        return self.verb + ("Async" if self.is_async else "")

    def declaration(self) -> list[str]:
        sig = (f"Task<int> {self.method}(CancellationToken cancellationToken);" if self.is_async
               else f"int {self.method}();")
        return [f"public interface {self.name}", "{", sig, "}"]


@dataclass(frozen=True)
class WorkerFile:
    class_name: str
    namespace: str
    namespace_style: NamespaceStyle
    braces: BraceStyle
    indent: str
    newline: str
    encoding: str
    bom: bytes
    driver: Driver
    loop: LoopShape
    cadence: Cadence
    due_zero: bool
    services: tuple[Service, ...]
    logger: bool
    try_catch: bool
    token: str
    before: tuple[str, ...]  # other declarations of the file, before the worker
    after: tuple[str, ...]
    delay_position: Literal["last", "first", "finally"]
    cancellation_try: bool  # the whole loop inside try { … } catch (OperationCanceledException) { }
    helper: bool  # the unit of work in a private method the loop (or timer) calls
    helper_token: str  # the name of an async helper's CancellationToken parameter
    cadence_field: Optional[str]  # the cadence in a field of this name (const, static readonly or ctor-assigned)
    cadence_field_kind: Literal["const", "static_readonly", "ctor"]
    lifecycle_log: bool  # log calls before and after the loop
    scope_style: Literal["block", "using_var", "await_using"]  # C# 8 `using var` / `await using var … CreateAsyncScope()`
    clock: Optional[Clock]  # a loop that polls the clock every minute and works at one time of day
    version_era: str
    refusal: Optional[Refusal]
    text: str  # the file's text (newlines already `newline`)
    using_span: tuple[int, int]  # character offsets of the using block in `text`
    class_span: tuple[int, int]  # character offsets of the worker class declaration in `text`

    @property
    def version(self) -> Version:
        return Version(1, 4, 0) if self.refusal == "before_2_0_1" else ERA_VERSIONS[self.version_era]

    @property
    def raw(self) -> bytes:
        return self.bom + self.text.encode(self.encoding)

    @property
    def csharp72(self) -> bool:
        uses_scope_declaration = self.scope_style != "block" and any(s.via_scope for s in self.services)
        return self.namespace_style != "file" and not uses_scope_declaration

    @property
    def is_async(self) -> bool:
        return self.driver in ("loop", "periodic") and any(s.is_async for s in self.services)

    def expected_schedule(self) -> tuple[str, int]:
        if self.clock is not None:
            return self.clock.expected_schedule(self.version)
        return expected_schedule(self.cadence, self.version)


class _Writer:
    """Lines at nesting levels, in one brace style; rendered with the file's indentation and newline."""

    def __init__(self, braces: BraceStyle):
        self.knr = braces == "knr"
        self.lines: list[tuple[int, str]] = []

    def line(self, level: int, text: str) -> None:
        self.lines.append((level, text))

    def open(self, level: int, head: str) -> None:
        if self.knr:
            self.lines.append((level, head + " {"))
        else:
            self.lines.append((level, head))
            self.lines.append((level, "{"))

    def close(self, level: int, tail: str = "") -> None:
        """`}` — with `tail` (`while (…);`, `catch (…)`) on the same line in K&R, on the next in Allman."""
        if tail and self.knr:
            self.lines.append((level, "} " + tail))
        else:
            self.lines.append((level, "}"))
            if tail:
                self.lines.append((level, tail))

    def render(self, indent: str, newline: str) -> str:
        return "".join((indent * lvl + text if text else "") + newline for lvl, text in self.lines)


def _declaration_lines(w: _Writer, level: int, decl: list[str]) -> None:
    """A small declaration given as [head, "{", members…, "}"]."""
    w.open(level, decl[0])
    for member in decl[2:-1]:
        w.line(level + 1, member)
    w.close(level)


def _work(w: _Writer, level: int, f: dict, in_timer: bool) -> None:
    """The unit of work: scoped services inside one `using` scope, then the constructor-injected ones."""
    token = "CancellationToken.None" if in_timer else f["token"]
    scoped = [s for s in f["services"] if s.via_scope]
    direct = [s for s in f["services"] if not s.via_scope]

    def call(s: Service, target: str, lvl: int) -> None:
        expr = f"await {target}.{s.method}({token})" if s.is_async else f"{target}.{s.method}()"
        w.line(lvl, f"var {s.local}Count = {expr};")
        if f["logger"]:
            w.line(lvl, f'_logger.LogInformation("{s.verb} done: {{Count}}", {s.local}Count);')

    style = f["scope_style"]
    if style == "await_using" and (in_timer or not f["is_async_work"]):
        style = "using_var"
    if scoped and style == "block":
        w.open(level, "using (var scope = _scopeFactory.CreateScope())")
        for s in scoped:
            w.line(level + 1, f"var {s.local} = scope.ServiceProvider.GetRequiredService<{s.name}>();")
        for s in scoped:
            call(s, s.local, level + 1)
        w.close(level)
    elif scoped:
        w.line(level, "await using var scope = _scopeFactory.CreateAsyncScope();" if style == "await_using"
               else "using var scope = _scopeFactory.CreateScope();")
        for s in scoped:
            w.line(level, f"var {s.local} = scope.ServiceProvider.GetRequiredService<{s.name}>();")
        for s in scoped:
            call(s, s.local, level)
    for s in direct:
        call(s, "_" + s.local, level)


def _reopen(w: _Writer, level: int, head: str) -> None:
    """Close a block and open the next one of the same statement: `} catch (…) {` in K&R."""
    w.close(level, head)
    if w.knr:
        lvl, text = w.lines.pop()
        w.lines.append((lvl, text + " {"))
    else:
        w.line(level, "{")


def _unit(w: _Writer, level: int, f: dict, in_timer: bool) -> None:
    """The work itself, or the call of the helper that holds it."""
    if not f["helper"]:
        _work(w, level, f, in_timer)
    elif f["is_async_work"] and not in_timer:
        w.line(level, f"await DoWorkAsync({f['token']});")
    else:
        w.line(level, "DoWork();")


def _guarded_work(w: _Writer, level: int, f: dict, in_timer: bool, delay: Optional[str] = None) -> None:
    """The unit of work, optionally in try/catch; `delay` (a statement) goes into a `finally` when given."""
    clock: Optional[Clock] = None if in_timer else f["clock"]
    if clock is not None:
        w.line(level, "var now = DateTime.UtcNow;")
        w.open(level, f"if ({clock.condition('now')})")
        _guarded_work(w, level + 1, dict(f, clock=None), in_timer, delay)
        w.close(level)
        return
    if not f["try_catch"]:
        _unit(w, level, f, in_timer)
        return
    w.open(level, "try")
    _unit(w, level + 1, f, in_timer)
    _reopen(w, level, "catch (Exception ex)")
    w.line(level + 1, f'_logger.LogError(ex, "{f["class_name"]} failed");')
    if delay is not None:
        _reopen(w, level, "finally")
        w.line(level + 1, delay)
    w.close(level)


def _helper(w: _Writer, m: int, f: dict, in_timer: bool) -> None:
    if f["is_async_work"] and not in_timer:
        w.open(m, f"private async Task DoWorkAsync(CancellationToken {f['helper_token']})")
    else:
        w.open(m, "private void DoWork()")
    _work(w, m + 1, dict(f, token=f["helper_token"]), in_timer)
    w.close(m)


def _worker(w: _Writer, level: int, f: dict) -> None:
    name = f["class_name"]
    driver = f["driver"]
    timed = driver in ("timer", "timers")
    base = "IHostedService, IDisposable" if timed else "BackgroundService"
    w.open(level, f"public class {name} : {base}")
    m = level + 1
    params, assigns = [], []
    if any(s.via_scope for s in f["services"]):
        w.line(m, "private readonly IServiceScopeFactory _scopeFactory;")
        params.append("IServiceScopeFactory scopeFactory")
        assigns.append("_scopeFactory = scopeFactory;")
    for s in f["services"]:
        if not s.via_scope:
            w.line(m, f"private readonly {s.name} _{s.local};")
            params.append(f"{s.name} {s.local}")
            assigns.append(f"_{s.local} = {s.local};")
    if f["logger"]:
        w.line(m, f"private readonly ILogger<{name}> _logger;")
        params.append(f"ILogger<{name}> logger")
        assigns.append("_logger = logger;")
    if driver == "timer":
        w.line(m, "private Timer _timer;")
    elif driver == "timers":
        w.line(m, "private System.Timers.Timer _timer;")
    token = f["token"]
    cadence: Cadence = f["cadence"]
    span, ms = cadence.timespan(), cadence.milliseconds()
    field = f["cadence_field"]
    if field is not None:
        as_ms = (driver == "timer" and not f["timer_timespan"]) or (driver == "loop" and f["delay_ms"]) or (
            driver == "timers")
        ftype, value = ("int", ms) if as_ms else ("TimeSpan", span)
        kind = f["cadence_field_kind"]
        if kind == "const" and ftype == "TimeSpan":
            kind = "static_readonly"  # a TimeSpan cannot be const
        if kind == "const":
            w.line(m, f"private const int {field} = {value};")
        elif kind == "static_readonly":
            w.line(m, f"private static readonly {ftype} {field} = {value};")
        else:
            w.line(m, f"private readonly {ftype} {field};")
            assigns.append(f"{field} = {value};")
        span = ms = field
    w.line(m, "")
    w.open(m, f"public {name}({', '.join(params)})")
    for a in assigns:
        w.line(m + 1, a)
    w.close(m)
    w.line(m, "")
    b = m + 1
    if driver == "timers":
        w.open(m, "public Task StartAsync(CancellationToken cancellationToken)")
        interval = f"{span}.TotalMilliseconds" if f["timer_timespan"] and field is None else ms
        if f["timers_property"]:
            w.line(b, "_timer = new System.Timers.Timer();")
            w.line(b, f"_timer.Interval = {interval};")
        else:
            w.line(b, f"_timer = new System.Timers.Timer({interval});")
        w.line(b, "_timer.Elapsed += (sender, args) => OnTick();")
        w.line(b, "_timer.Start();")
        w.line(b, "return Task.CompletedTask;")
        w.close(m)
        w.line(m, "")
        w.open(m, "private void OnTick()")
        _guarded_work(w, b, f, in_timer=True)
        w.close(m)
        w.line(m, "")
        if f["helper"]:
            _helper(w, m, f, in_timer=True)
            w.line(m, "")
        w.open(m, "public Task StopAsync(CancellationToken cancellationToken)")
        w.line(b, "_timer?.Stop();")
        w.line(b, "return Task.CompletedTask;")
        w.close(m)
        w.line(m, "")
        w.open(m, "public void Dispose()")
        w.line(b, "_timer?.Dispose();")
        w.close(m)
        w.close(level)
        return
    if driver == "timer":
        w.open(m, "public Task StartAsync(CancellationToken cancellationToken)")
        if f["refusal"] == "one_shot_timer":
            due, period = ("TimeSpan.Zero", "Timeout.InfiniteTimeSpan") if f["timer_timespan"] else ("0", "Timeout.Infinite")
        elif f["timer_timespan"]:
            due, period = ("TimeSpan.Zero" if f["due_zero"] else span), span
        else:
            due, period = ("0" if f["due_zero"] else ms), ms
        callback = "_ => OnTick()" if f["timer_lambda"] else "OnTick"
        w.line(b, f"_timer = new Timer({callback}, null, {due}, {period});")
        w.line(b, "return Task.CompletedTask;")
        w.close(m)
        w.line(m, "")
        w.open(m, "private void OnTick()" if f["timer_lambda"] else "private void OnTick(object state)")
        _guarded_work(w, b, f, in_timer=True)
        w.close(m)
        w.line(m, "")
        if f["helper"]:
            _helper(w, m, f, in_timer=True)
            w.line(m, "")
        w.open(m, "public Task StopAsync(CancellationToken cancellationToken)")
        w.line(b, "_timer?.Change(Timeout.Infinite, 0);")
        w.line(b, "return Task.CompletedTask;")
        w.close(m)
        w.line(m, "")
        w.open(m, "public void Dispose()")
        w.line(b, "_timer?.Dispose();")
        w.close(m)
        w.close(level)
        return
    w.open(m, f"protected override async Task ExecuteAsync(CancellationToken {token})")
    if f["lifecycle_log"]:
        w.line(b, f'_logger.LogInformation("{name} started");')
    if f["cancellation_try"]:
        w.open(b, "try")
        b += 1
    if driver == "periodic":
        w.open(b, f"using (var timer = new PeriodicTimer({span}))")
        w.open(b + 1, f"while (await timer.WaitForNextTickAsync({token}))")
        _guarded_work(w, b + 2, f, in_timer=False)
        w.close(b + 1)
        w.close(b)
    else:
        delay = f"await Task.Delay({ms if f['delay_ms'] else span}, {token});"
        head = {"not_cancelled": f"while (!{token}.IsCancellationRequested)", "true": "while (true)",
                "for": "for (;;)", "do_while": "do"}[f["loop"]]
        w.open(b, head)
        position = f["delay_position"]
        if position == "first":
            w.line(b + 1, delay)
        _guarded_work(w, b + 1, f, in_timer=False, delay=delay if position == "finally" else None)
        if position == "last":
            w.line(b + 1, delay)
        w.close(b, f"while (!{token}.IsCancellationRequested);" if f["loop"] == "do_while" else "")
    if f["cancellation_try"]:
        b -= 1
        _reopen(w, b, "catch (OperationCanceledException)")
        w.line(b + 1, "// the host is stopping")
        w.close(b)
    if f["lifecycle_log"]:
        w.line(b, f'_logger.LogInformation("{name} stopped");')
    w.close(m)
    if f["helper"]:
        w.line(m, "")
        _helper(w, m, f, in_timer=False)
    w.close(level)


def _other(kind: str, word: str) -> list[str]:
    if kind == "options":
        return [f"public class {word}Options", "{", "public int BatchSize { get; set; } = 100;", "}"]
    if kind == "names":
        return [f"internal static class {word}Names", "{", f'public const string Key = "{word.lower()}";', "}"]
    return [f"public enum {word}State", "{", "Idle,", "Busy", "}"]


def _render(f: dict) -> tuple[str, tuple[int, int], tuple[int, int]]:
    """The file text and the character spans of its using block and of the worker class."""
    nl, ind = f["newline"], f["indent"]
    header = ""
    if f["header"]:
        header = "// Généré pour les tests — café" + nl + nl if f["encoding"] != "utf-8" or f["bom"] else ""
        header = header or "// Generated for the property tests" + nl + nl
    usings = ["System", "System.Threading", "System.Threading.Tasks"]
    if any(s.via_scope for s in f["services"]):
        usings.append("Microsoft.Extensions.DependencyInjection")
    usings.append("Microsoft.Extensions.Hosting")
    if f["logger"]:
        usings.append("Microsoft.Extensions.Logging")
    using_block = "".join(f"using {u};{nl}" for u in usings)

    def section(decls: list[list[str]], level: int) -> str:
        out = []
        for d in decls:
            w = _Writer(f["braces"])
            _declaration_lines(w, level, d)
            out.append(w.render(ind, nl))
        return nl.join(out)

    level = 1 if f["namespace_style"] == "block" else 0
    before = section(f["before_decls"], level)
    after = section(f["after_decls"], level)
    w = _Writer(f["braces"])
    _worker(w, level, f)
    worker = w.render(ind, nl)
    ns_open, ns_close = "", ""
    if f["namespace_style"] == "block":
        ns_open = f"namespace {f['namespace']}" + (" {" if f["braces"] == "knr" else nl + "{") + nl
        ns_close = "}" + nl
    elif f["namespace_style"] == "file":
        ns_open = f"namespace {f['namespace']};" + nl + nl
    pre = header + using_block + nl + ns_open + (before + nl if before else "")
    text = pre + worker + (nl + after if after else "") + ns_close
    using_span = (len(header), len(header) + len(using_block))
    # the class declaration ends at its closing brace, before that line's newline
    class_span = (len(pre) + len(ind * level), len(pre) + len(worker) - len(nl))
    return text, using_span, class_span


_names = st.builds(lambda w, s: w + s, st.sampled_from(_WORDS), st.sampled_from(_SUFFIXES))


@st.composite
def cadences(draw, unit: Optional[CadenceUnit] = None) -> Cadence:
    """A fixed cadence; mostly whole minutes or more, sometimes sub-minute or not whole minutes."""
    unit = unit or draw(st.sampled_from(["ms", "seconds", "minutes", "minutes", "hours", "hours", "days"]))
    if unit == "ms":
        value = draw(st.one_of(st.integers(1, 120).map(lambda n: n * 60_000), st.integers(500, 200_000)))
    elif unit == "seconds":
        value = draw(st.one_of(st.integers(1, 59), st.integers(1, 48).map(lambda n: n * 30), st.integers(61, 7300)))
    elif unit == "minutes":
        value = draw(st.one_of(st.integers(1, 90), st.sampled_from([120, 180, 1440, 2880, 10080, 20160])))
    elif unit == "hours":
        value = draw(st.one_of(st.integers(1, 48), st.sampled_from([72, 168, 336])))
    else:
        value = draw(st.one_of(st.integers(1, 10), st.sampled_from([7, 14, 21, 30])))
    style = draw(st.sampled_from(["literal", "underscore", "product"]))
    return Cadence(unit, value, style, draw(st.sampled_from(["factory", "factory", "constructor"])))


@st.composite
def worker_files(draw, refusals: bool = True) -> WorkerFile:
    f: dict = {}
    f["class_name"] = draw(_names)
    words = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3, unique=True))
    f["namespace"] = "Acme.Module." + ".".join(words)
    f["namespace_style"] = draw(st.sampled_from(["block", "block", "file", "none"]))
    f["braces"] = draw(st.sampled_from(["allman", "knr"]))
    f["indent"] = draw(st.sampled_from(["    ", "  ", "\t"]))
    f["newline"] = draw(st.sampled_from(["\n", "\r\n"]))
    f["encoding"], f["bom"] = draw(st.sampled_from(ENCODINGS))
    f["header"] = draw(st.booleans()) or f["encoding"] == "cp1252"
    f["driver"] = draw(st.sampled_from(["loop", "loop", "periodic", "timer", "timers"]))
    f["loop"] = draw(st.sampled_from(["not_cancelled", "true", "for", "do_while"]))
    f["timer_timespan"] = draw(st.booleans())
    f["delay_ms"] = draw(st.booleans())
    timespan_only = f["driver"] == "periodic" or (f["driver"] in ("timer", "timers") and f["timer_timespan"]) or (
        f["driver"] == "loop" and not f["delay_ms"])
    f["cadence"] = draw(cadences(None if timespan_only else "ms"))
    f["due_zero"] = draw(st.booleans())
    f["token"] = draw(st.sampled_from(["stoppingToken", "token", "ct"]))
    picked = draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3, unique=True))
    f["services"] = tuple(
        Service(f"I{word}Store", draw(st.sampled_from(_VERBS)),
                is_async=f["driver"] not in ("timer", "timers") and draw(st.booleans()), via_scope=draw(st.booleans()))
        for word in picked)
    f["is_async_work"] = any(s.is_async for s in f["services"])
    f["scope_style"] = draw(st.sampled_from(["block", "block", "using_var", "await_using"]))
    f["timers_property"] = draw(st.booleans())
    f["logger"] = draw(st.booleans())
    f["try_catch"] = f["logger"] and draw(st.booleans())
    positions = ["last", "last", "first"] + (["finally"] if f["try_catch"] else [])
    f["delay_position"] = draw(st.sampled_from(positions)) if f["driver"] == "loop" else "last"
    f["cancellation_try"] = f["driver"] in ("loop", "periodic") and draw(st.booleans())
    f["helper"] = draw(st.booleans())
    f["helper_token"] = draw(st.sampled_from([f["token"], "cancellationToken"]))
    f["timer_lambda"] = draw(st.booleans())
    f["cadence_field"] = draw(st.one_of(st.none(), st.sampled_from(["Period", "PollInterval", "_interval",
                                                                      "DelayMs", "Interval"])))
    f["cadence_field_kind"] = draw(st.sampled_from(["const", "static_readonly", "ctor"]))
    f["lifecycle_log"] = f["logger"] and f["driver"] in ("loop", "periodic") and draw(st.booleans())
    f["clock"] = None
    if f["driver"] == "loop" and draw(st.integers(0, 2)) == 2:
        kind = draw(st.sampled_from(["daily", "weekly", "monthly"]))
        f["clock"] = Clock(draw(st.integers(0, 23)), draw(st.integers(0, 59)),
                           weekday=draw(st.integers(0, 6)) if kind == "weekly" else None,
                           day=draw(st.integers(1, 28)) if kind == "monthly" else None)
        f["cadence"] = Cadence("minutes", 1) if not f["delay_ms"] else Cadence("ms", 60_000)
        f["delay_position"] = draw(st.sampled_from(["last", "first"]))
    others = [_other(kind, word) for kind, word in draw(st.lists(
        st.tuples(st.sampled_from(["options", "names", "enum"]), st.sampled_from(_WORDS)),
        max_size=2, unique_by=lambda t: t[1]))]
    decls = [s.declaration() for s in f["services"]] + others
    split = draw(st.integers(0, len(decls)))
    f["before_decls"], f["after_decls"] = decls[:split], decls[split:]
    f["version_era"] = draw(st.sampled_from(list(reversed(ERA_VERSIONS))))  # today's first: drawn most
    refusal = None
    if refusals and draw(st.integers(0, 7)) == 7:
        refusal = "one_shot_timer" if f["driver"] == "timer" else "before_2_0_1"
    if f["driver"] == "timers":
        f["due_zero"] = False  # a System.Timers.Timer first fires one interval after Start
    f["refusal"] = refusal
    text, using_span, class_span = _render(f)
    return WorkerFile(
        f["class_name"], f["namespace"], f["namespace_style"], f["braces"], f["indent"], f["newline"],
        f["encoding"], f["bom"], f["driver"], f["loop"], f["cadence"], f["due_zero"], f["services"], f["logger"],
        f["try_catch"], f["token"], tuple(d[0] for d in f["before_decls"]), tuple(d[0] for d in f["after_decls"]),
        f["delay_position"], f["cancellation_try"], f["helper"], f["helper_token"], f["cadence_field"], f["cadence_field_kind"],
        f["lifecycle_log"], f["scope_style"], f["clock"], f["version_era"], refusal, text, using_span, class_span)
