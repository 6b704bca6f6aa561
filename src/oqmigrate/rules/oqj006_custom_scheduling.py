"""OQJ006 custom-scheduling: cron expressions, scheduler libraries (Hangfire, Quartz, FluentScheduler) and next-run or
time-of-day checks against the clock. In Oqtane the schedule is data (Frequency, Interval, StartDate in the Job
row) an administrator can see and change; a schedule in code is a second one they cannot.

Per class, and per file for schedulers set up outside workers and jobs (startup classes) and for workers
whose base class is not in the scanned code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate import syntax
from oqmigrate.analyse.clock import current_time
from oqmigrate.analyse.drivers import CRON_TYPES
from oqmigrate.analyse.members import assigned_member, class_nodes, declarator_name, fields, initializer, invocations
from oqmigrate.analyse.names import invoked_name, simple
from oqmigrate.analyse.unknown_base import unknown_base_workers
from oqmigrate.findings import FileHit, Hit
from oqmigrate.model import ClassInfo, type_name
from oqmigrate.syntax import Node

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ006"

CLOCK_PARTS = {"Hour", "Minute", "Second", "DayOfWeek", "Day", "TimeOfDay", "Date", "Month"}
CRON_PARSERS = {("CronExpression", "Parse"), ("CronExpression", "TryParse"), ("CrontabSchedule", "Parse"),
                ("CrontabSchedule", "TryParse")}
FILE_LEVEL_SCHEDULERS = {("RecurringJob", "AddOrUpdate"), ("RecurringJob", "AddOrUpdateAsync"),
                         ("BackgroundJob", "Schedule"),  # Hangfire: a delayed run
                         ("JobManager", "Initialize"), ("JobManager", "AddJob"),  # FluentScheduler
                         ("CronScheduleBuilder", None), ("TriggerBuilder", "Create")}
# FluentScheduler's schedule builders, whatever the receiver: `Schedule<T>().ToRunEvery(1).Days().At(2, 0)`
FLUENT_SCHEDULE_METHODS = {"ToRunEvery", "ToRunOnceAt", "ToRunOnceIn"}
# bytes a file must contain for the file-level search to be worth a walk
FILE_LEVEL_TOKENS = (b"RecurringJob", b"CronSchedule", b"TriggerBuilder", b"Cron.", b"BackgroundJob", b"JobManager",
                     b"ToRunEvery", b"ToRunOnce")


def scheduler_call(inv: Node, invoked: tuple[str, str] | None = None) -> str | None:
    """`Receiver.Method` of an invocation that parses a cron expression or sets up a scheduler, else None.
    `invoked`: its (receiver, name), when known."""
    recv, name = invoked if invoked is not None else invoked_name(inv)
    r = simple(recv)
    if (r, name) in CRON_PARSERS:
        return f"{r}.{name}"
    for (target, method) in FILE_LEVEL_SCHEDULERS:
        if r == target and (method is None or method == name):
            return f"{r}.{name}"
    if name in FLUENT_SCHEDULE_METHODS:
        return name
    if name in ("WithCronSchedule", "CronSchedule") or (r == "Cron" and name[:1].isupper()):
        return f"{r}.{name}" if r else name
    return None


def anchor(inv: Node) -> Node:
    """Where a scheduler call's finding starts: the method name of a fluent link (`.ToRunEvery(15)` on its own
    line of a chain), else the whole call."""
    fn = inv.child_by_field_name("function")
    if invoked_name(inv)[1] in FLUENT_SCHEDULE_METHODS and fn is not None and fn.type == "member_access_expression":
        return fn.child_by_field_name("name") or inv
    return inv


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    for inv, recv, name in invocations(cls):
        what = scheduler_call(inv, (recv, name))
        if what:
            yield Hit(RULE_ID, anchor(inv), f"'{what}' schedules work itself; express the cadence as Frequency/Interval/StartDate")
    for n in class_nodes(cls, "object_creation_expression"):
        if simple(type_name(n.child_by_field_name("type"))) in CRON_TYPES:
            yield Hit(RULE_ID, n, "a cron schedule inside the class; express the cadence as Frequency/Interval/StartDate")
    members = {f.name for f in fields(cls)}
    # Locals holding the clock (`var now = DateTime.UtcNow;`), class-wide: a superset of each method's own.
    now_names = set()
    for d in class_nodes(cls, "variable_declarator"):
        init = initializer(d)
        if init is not None and is_now(init, set()):
            now_names.add(declarator_name(d))
    for b in class_nodes(cls, "binary_expression"):
        op = b.child_by_field_name("operator")
        if op is None or syntax.text(op) not in ("<", "<=", ">", ">=", "==", "!="):
            continue
        left, right = b.child_by_field_name("left"), b.child_by_field_name("right")
        for a, other in ((left, right), (right, left)):
            if a is None or other is None:
                continue
            if is_now(a, now_names) and (assigned_member(other) in members):
                yield Hit(RULE_ID, b, "a next-run time compared with the clock: self-made scheduling")
                break
            if is_clock_part(a, now_names) and other.type in ("integer_literal", "member_access_expression", "identifier") \
                    and not is_now(other, now_names):
                yield Hit(RULE_ID, b, "the time of day checked by hand: self-made scheduling")
                break


def check_file(ctx: CheckContext, root: Node) -> Iterator[FileHit]:
    """Hangfire, Quartz and FluentScheduler schedules set up outside workers and jobs (startup classes), and
    the class findings of a worker whose base class is not in the scanned code (`analyse.unknown_base`)."""
    for cls, _ in unknown_base_workers(ctx, root):
        for hit in check(cls, ctx):
            yield FileHit(hit, cls.name)
    if not any(t in ctx.data for t in FILE_LEVEL_TOKENS):
        return
    in_classes = [c.node for c in ctx.model.workers_and_jobs()]
    for c in ctx.model.classes:
        if c.kind != "other" or c.body is None:
            continue
        for inv in syntax.descendants(c.node, "invocation_expression"):
            if any(n.start_byte <= inv.start_byte < n.end_byte for n in in_classes):
                continue
            owner = syntax.first_ancestor(inv, "class_declaration")
            if owner is None or owner.id != c.node.id:
                continue
            what = scheduler_call(inv)
            if what and not what.startswith(CRON_TYPES):
                yield FileHit(Hit(RULE_ID, anchor(inv), f"'{what}' runs its own scheduler beside Oqtane's; make it a HostedServiceBase job"),
                              c.name)


def is_now(node: Node, now_names: set[str]) -> bool:
    """`DateTime.Now`, `DateTimeOffset.UtcNow` (parenthesised or not), or a local holding one."""
    node = syntax.unparenthesized(node)
    if node.type == "identifier":
        return syntax.text(node) in now_names
    return current_time(node) is not None


def is_clock_part(node: Node, now_names: set[str]) -> bool:
    """`DateTime.Now.Hour`, `now.DayOfWeek`: a part of the current time."""
    if node.type != "member_access_expression":
        return False
    e, n = node.child_by_field_name("expression"), node.child_by_field_name("name")
    return e is not None and n is not None and syntax.text(n) in CLOCK_PARTS and is_now(e, now_names)
