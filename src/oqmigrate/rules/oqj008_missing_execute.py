"""OQJ008 missing-execute: a job that overrides neither ExecuteJob nor ExecuteJobAsync, overrides them with the
wrong signature, or declares ExecuteAsync/StartAsync/StopAsync itself. HostedServiceBase runs the loop and
calls ExecuteJob(Async) once per tenant; replacing its lifecycle bypasses the scheduler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate import syntax
from oqmigrate.analyse.members import execute_methods, is_direct_job, methods, modifiers, params
from oqmigrate.analyse.names import node_text
from oqmigrate.findings import Hit
from oqmigrate.model import ClassInfo, type_name
from oqmigrate.syntax import Node

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ008"

LIFECYCLE_METHODS = ("ExecuteAsync", "StartAsync", "StopAsync")


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    if cls.kind != "job":
        return
    hooks = execute_methods(cls)
    good = False
    for m in hooks:
        ok, why = _signature_ok(m)
        if ok:
            good = True
        else:
            yield Hit(RULE_ID, m.child_by_field_name("name"), f"'{node_text(m.child_by_field_name('name'))}' {why}")
    for own in LIFECYCLE_METHODS:
        for m in methods(cls, own):
            yield Hit(RULE_ID, m.child_by_field_name("name"),
                      f"a job must not declare {own}; HostedServiceBase runs the loop and calls ExecuteJob(Async)")
    if not good and not hooks and not cls.is_abstract and is_direct_job(cls):
        yield Hit(RULE_ID, cls.name_node, f"job '{cls.name}' overrides neither ExecuteJob nor ExecuteJobAsync")


def _signature_ok(m: Node) -> tuple[bool, str]:
    """(is `public override string ExecuteJob(IServiceProvider)` / `Task<string> ExecuteJobAsync(...)`, what is wrong)."""
    name = node_text(m.child_by_field_name("name"))
    mods = modifiers(m)
    returns = type_name(m.child_by_field_name("returns")) if m.child_by_field_name("returns") is not None else ""
    ret_text = syntax.text(m.child_by_field_name("returns")).replace(" ", "") if m.child_by_field_name("returns") is not None else ""
    ps = params(m.child_by_field_name("parameters"))
    want_ret = "string" if name == "ExecuteJob" else "Task<string>"
    problems = []
    if "override" not in mods:
        problems.append("is not an override")
    if "public" not in mods:
        problems.append("is not public")
    if ret_text.split(".")[-1] not in (want_ret, want_ret.replace("string", "String")) and not (
            name == "ExecuteJob" and returns in ("string", "String", "System.String")):
        problems.append(f"returns {ret_text or '?'} instead of {want_ret}")
    if len(ps) != 1 or ps[0].simple_type != "IServiceProvider":
        problems.append("does not take a single IServiceProvider")
    return (not problems, ", ".join(problems))
