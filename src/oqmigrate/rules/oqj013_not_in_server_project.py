"""OQJ013 not-in-server-project: a worker or job in a Client or Shared project. Jobs are discovered and run only
in server-side module assemblies; a Client project runs in the browser and a Shared one on both sides, so
the job never runs (or does not compile against Oqtane.Server).

Per class; the project's role comes from the workspace (`CheckContext.role`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate.findings import Hit
from oqmigrate.model import ClassInfo

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ013"
NON_SERVER_ROLES = ("client", "shared")


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    if ctx.role in NON_SERVER_ROLES:
        yield Hit(RULE_ID, cls.name_node,
                  f"'{cls.name}' is in a {ctx.role} project ({ctx.project}); scheduled jobs run only from the Server assembly")
