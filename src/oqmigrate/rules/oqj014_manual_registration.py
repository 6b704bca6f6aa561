"""OQJ014 manual-registration: `AddHostedService<T>()`, `AddSingleton<IHostedService, T>()` or the `typeof` form
for a worker or job. Oqtane registers every IHostedService of a module assembly itself; a second descriptor
starts a second loop running the same job.

Per file: a registration is reported where it is written, on the class that writes it. When the registered
class is declared in another file its kind is not known yet: the hit is pending on that class, and the
scanner reports it once the class turns out to be a worker or job.

The advice follows the version's auto-registration: from Oqtane 3.2.1 every IHostedService of a module assembly
is registered by the framework; before it only jobs (HostedServiceBase) are. There a worker needs its registration
while it is a worker: the finding is info and says to remove the registration together with the worker's
migration to a job. A job never needs one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate import syntax
from oqmigrate.analyse.registrations import find_registrations
from oqmigrate.findings import FileHit, Hit, Severity
from oqmigrate.syntax import Node
from oqmigrate.versions import Feature, Version, supports

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ014"


def check_file(ctx: CheckContext, root: Node) -> Iterator[FileHit]:
    local = {c.name: c.kind for c in ctx.model.classes}
    kinds = dict(ctx.kinds or {})
    for reg in find_registrations(root, ctx.model):
        owner = syntax.first_ancestor(reg.node, "class_declaration")
        symbol = syntax.text(owner.child_by_field_name("name")) if owner is not None else ""
        kind = local.get(reg.type_name) or kinds.get(reg.type_name)
        hit = Hit(RULE_ID, reg.node, *_advice(reg.type_name, kind, ctx.version))
        if kind in ("worker", "job"):
            yield FileHit(hit, symbol, distinct=True)
        elif kind is None:
            yield FileHit(hit, symbol, distinct=True, pending_on=reg.type_name)


def _advice(type_name: str, kind: str | None, version: Version) -> tuple[str, Severity | None]:
    """The message (and a severity other than the catalog's, if any) for a registration of `type_name`, a class
    of `kind` ("worker", "job", or None while its kind is not known in this file)."""
    since = Feature.AUTO_REGISTER_ANY_HOSTED_SERVICE.since
    if supports(version, Feature.AUTO_REGISTER_ANY_HOSTED_SERVICE):
        return (f"registers {type_name} by hand; Oqtane registers every IHostedService of a module assembly "
                "itself", None)
    if kind == "job":
        return (f"registers the job {type_name} by hand; Oqtane registers the jobs of a module assembly itself "
                "on every version: a second registration starts a second copy", None)
    if kind == "worker":
        return (f"registers the worker {type_name}; on Oqtane {version} a worker needs this registration while it "
                f"is a worker (any IHostedService is registered automatically from {since}): remove it with its "
                "migration to a job, which Oqtane registers itself", "info")
    return (f"registers {type_name} by hand; a job needs no registration (Oqtane registers jobs itself), while on "
            f"Oqtane {version} a worker needs it until its migration to a job (any IHostedService is registered "
            f"automatically from {since})", None)