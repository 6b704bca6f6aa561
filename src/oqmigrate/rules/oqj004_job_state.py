"""OQJ004 job-state: static members, and instance fields or auto-properties assigned outside the constructor.

A job instance lives as long as the process and serves every tenant: such state leaks from one run, and one
tenant, to the next. A `static readonly` logger (NLog's `LogManager.GetCurrentClassLogger()`, Serilog's
`Log.ForContext<T>()`) holds no run's data and is not state (OQJ015 speaks about loggers). A timer or a stop
signal kept in a field is still reported, but named for what it is: the plumbing that drives the worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate.analyse.drivers import is_timer_type
from oqmigrate.analyse.members import enclosing_member, fields, initializer, is_auto_property, writes
from oqmigrate.analyse.names import invoked_name, resolved_type, simple
from oqmigrate.findings import Hit
from oqmigrate.model import ClassInfo
from oqmigrate.syntax import Node

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ004"

# Logger types of the logging libraries modules use (Microsoft's, NLog, Serilog, log4net).
LOGGER_FIELD_TYPES = {"ILogger", "Logger", "ILog"}
# (receiver, method) of the calls that create a library's static logger
LOGGER_FACTORIES = {("LogManager", "GetCurrentClassLogger"), ("LogManager", "GetLogger"), ("Log", "ForContext"),
                    ("Logger", "ForContext"), ("Log.Logger", "ForContext")}
STOP_SIGNALS = {"CancellationTokenSource"}


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    written: dict[str, list[Node]] = {}  # member -> writes outside constructors and initialisers
    for name, node in writes(cls):
        member = enclosing_member(node)
        if member is None or member.type == "constructor_declaration":
            continue
        if member.type == "field_declaration":
            continue
        written.setdefault(name, []).append(node)
    for decl, name, tnode, declarator, mods in fields(cls):
        if "const" in mods:
            continue
        is_field = decl.type in ("field_declaration", "event_field_declaration")
        if "static" in mods:
            if decl.type == "property_declaration" and not is_auto_property(decl):
                continue
            if "readonly" in mods and _is_logger(tnode, declarator, ctx):
                continue
            yield Hit(RULE_ID, decl, f"static '{name}' is shared by every tenant and kept between runs")
            continue
        if not (is_field or is_auto_property(decl)):
            continue
        if name in written:
            if is_timer_type(tnode, ctx.model):
                yield Hit(RULE_ID, decl, f"'{name}' is the timer that drives the worker (OQJ002), set outside the constructor; "
                                         "it goes with the worker when the schedule becomes the job's Frequency/Interval")
            elif simple(resolved_type(tnode, ctx.model)) in STOP_SIGNALS:
                yield Hit(RULE_ID, decl, f"'{name}' is the worker's own stop signal, set outside the constructor; a job is "
                                         "stopped by the framework and needs none")
            else:
                yield Hit(RULE_ID, decl, f"'{name}' is assigned outside the constructor and carries state between runs")


def _is_logger(type_node: Node | None, declarator: Node | None, ctx: CheckContext) -> bool:
    """A logger by its type (`ILogger`, NLog's `Logger`, log4net's `ILog`) or by the call that creates it."""
    if type_node is not None and simple(resolved_type(type_node, ctx.model)) in LOGGER_FIELD_TYPES:
        return True
    init = initializer(declarator)
    if init is None or init.type != "invocation_expression":
        return False
    recv, name = invoked_name(init)
    return (recv.removeprefix("global::").split("<", 1)[0], name) in LOGGER_FACTORIES or \
        (simple(recv), name) in LOGGER_FACTORIES
