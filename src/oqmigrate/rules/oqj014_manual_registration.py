"""OQJ014 manual-registration: `AddHostedService<T>()`, `AddSingleton<IHostedService, T>()` or the `typeof` form
for a worker or job. Oqtane registers every IHostedService of a module assembly itself; a second descriptor
starts a second loop running the same job.

Per file: a registration is reported where it is written, on the class that writes it. When the registered
class is declared in another file its kind is not known yet: the hit is pending on that class, and the
scanner reports it once the class turns out to be a worker or job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate import syntax
from oqmigrate.analyse.registrations import find_registrations
from oqmigrate.findings import FileHit, Hit
from oqmigrate.syntax import Node

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ014"


def check_file(ctx: CheckContext, root: Node) -> Iterator[FileHit]:
    local = {c.name: c.kind for c in ctx.model.classes}
    kinds = dict(ctx.kinds or {})
    for reg in find_registrations(root, ctx.model):
        owner = syntax.first_ancestor(reg.node, "class_declaration")
        symbol = syntax.text(owner.child_by_field_name("name")) if owner is not None else ""
        hit = Hit(RULE_ID, reg.node,
                  f"registers {reg.type_name} by hand; Oqtane registers every IHostedService of a module assembly itself")
        kind = local.get(reg.type_name) or kinds.get(reg.type_name)
        if kind in ("worker", "job"):
            yield FileHit(hit, symbol, distinct=True)
        elif kind is None:
            yield FileHit(hit, symbol, distinct=True, pending_on=reg.type_name)
