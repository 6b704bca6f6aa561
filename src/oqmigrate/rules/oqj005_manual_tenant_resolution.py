"""OQJ005 manual-tenant-resolution: SetTenant, GetTenants loops, ITenantResolver and assignments to SiteState.Alias
in a worker or job.

HostedServiceBase already runs a job once per tenant with the tenant set; picking tenants by hand runs the work
twice over, or against the wrong database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate.analyse.members import identifiers_named, invocations
from oqmigrate.analyse.tenancy import site_state_alias_assignments
from oqmigrate.findings import Hit
from oqmigrate.model import ClassInfo

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ005"


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    for inv, _, name in invocations(cls):
        if name == "SetTenant":
            yield Hit(RULE_ID, inv, "switches tenant by hand; Oqtane runs the job once per tenant and sets it")
        elif name == "GetTenants":
            yield Hit(RULE_ID, inv, "loops over tenants by hand; Oqtane already runs the job once per tenant")
    for a in site_state_alias_assignments(cls):
        yield Hit(RULE_ID, a, "switches tenant by assigning SiteState.Alias; Oqtane runs the job once per tenant "
                              "and sets it")
    seen_lines = set()
    for ident in identifiers_named(cls, "ITenantResolver"):
        if ident.start_point[0] not in seen_lines:
            seen_lines.add(ident.start_point[0])
            yield Hit(RULE_ID, ident, "resolves the tenant by hand; Oqtane sets the tenant before each run")
