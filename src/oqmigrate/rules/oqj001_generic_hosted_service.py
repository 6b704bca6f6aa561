"""OQJ001 generic-hosted-service: a BackgroundService or hand-written IHostedService.

Oqtane runs scheduled work only as HostedServiceBase jobs; a generic worker starts on every install, outside
the scheduler and outside any tenant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate.analyse.names import simple
from oqmigrate.findings import Hit
from oqmigrate.model import ClassInfo

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ001"


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    if cls.kind == "worker" and cls.via != cls.name:  # report a partial class once, on the part with the base list
        what = f"implements {simple(cls.via)}" if simple(cls.via) == "IHostedService" else f"derives from {simple(cls.via)}"
        yield Hit(RULE_ID, cls.name_node,
                  f"'{cls.name}' {what}; Oqtane runs scheduled work only as a HostedServiceBase job")
