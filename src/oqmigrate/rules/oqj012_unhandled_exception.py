"""OQJ012 unhandled-exception: an execute method that lets exceptions escape, or whose catch-all swallows them.
The base class has one try/catch around the whole tenant loop: one tenant's exception skips the tenants after it
and discards the others' outcomes. A job should catch and return the error as its outcome text. What counts as
guarded is decided in `oqmigrate.analyse.guard`, which the guard-execution codemod reads too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate.analyse.guard import GuardState, execute_guard
from oqmigrate.analyse.members import execute_methods
from oqmigrate.findings import Hit
from oqmigrate.model import ClassInfo

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ012"


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    if cls.kind != "job":
        return
    for m in execute_methods(cls):
        guard = execute_guard(m)
        if guard.state is GuardState.UNGUARDED:
            yield Hit(RULE_ID, m.child_by_field_name("name"),
                      "exceptions escape the execute method: the remaining tenants are skipped; catch them and return the outcome")
        elif guard.state is GuardState.SWALLOWS:
            yield Hit(RULE_ID, guard.catch.children[0],
                      "this catch swallows the exception: the run is recorded as succeeded and its outcome does not say "
                      "it failed; return the failure as the outcome")
        for th in guard.escaping_throws:
            yield Hit(RULE_ID, th, "this throw escapes the execute method; return the error as the outcome instead")
