"""OQJ010 cached-dependency: a repository, DbContext or other service kept in a field (injected, resolved
once, or new-ed up) or captured by a primary constructor. It was created for whichever tenant was current
then, so every later run, for every tenant, uses that one database.

A queue consumer or event subscriber (`oqmigrate.analyse.consumers`) has no runs: the queue, bus, stream or event
source it reads or subscribes to is what it must keep while it runs, so that field is not reported. Any other
service it keeps is, with the advice that fits a consumer: resolve it in a scope per item or message.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from oqmigrate import syntax
from oqmigrate.analyse.consumers import ConsumerKind, find_consumer
from oqmigrate.analyse.members import (LOGGER_TYPES, assigned_member, class_nodes, constructor_param_assignments, fields,
                                       identifier_names, initializer, params)
from oqmigrate.analyse.names import has_simple_type, invoked_name, node_text, simple
from oqmigrate.findings import Hit
from oqmigrate.model import ClassInfo, type_name
from oqmigrate.syntax import Node

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ010"

# Types a worker may keep: the root-level factories and configuration, all singletons.
NOT_CACHED_SERVICES = {
    "IServiceScopeFactory", "IServiceProvider", "IOptions", "IOptionsMonitor", "IOptionsSnapshot", "IConfiguration",
    "IHostApplicationLifetime", "IApplicationLifetime", "IHostEnvironment", "IWebHostEnvironment", "IHttpClientFactory",
    "CancellationToken", "ILogger", "ILoggerFactory", "TimeProvider", "ISystemClock", "IHttpContextAccessor",
} | {
    # Oqtane's own singletons (OqtaneServiceCollectionExtensions registers them with AddSingleton): one instance
    # for the whole process, the same for every tenant, so keeping one is not caching a tenant's service.
    "ISyncManager", "ICacheManager", "IConfigManager", "IDatabaseManager", "IDistributedLockManager",
    "IInstallationManager",
}
PER_RUN = "; resolve it from the provider in each run (tenant-scoped services change per tenant)"
PER_RUN_SHORT = "; resolve it from the provider in each run"
PER_ITEM = ("; a consumer or subscriber keeps it for as long as it runs (a scoped service, with its DbContext, is "
            "never renewed): create a scope per item or message (IServiceScopeFactory) and resolve it there")
SERVICE_NAME = re.compile(r"^I[A-Z]\w*$|(Repository|Context|DbContext|Service|Manager|Client|Provider|Store)$")
RESOLVE_METHODS = ("GetService", "GetRequiredService", "GetServices", "GetRequiredKeyedService", "GetKeyedService")
DATA_ACCESS_TYPE = re.compile(r"(Repository|Context|DbContext)$")


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    consumer = find_consumer(cls, ctx.model)
    kept = consumer.sources if consumer is not None else frozenset()
    advice = PER_RUN if consumer is None or consumer.kind is ConsumerKind.DELEGATING else PER_ITEM
    from_params = constructor_param_assignments(cls)
    assigned_values: dict[str, list[Node]] = {}
    for a in class_nodes(cls, "assignment_expression"):
        left, right = a.child_by_field_name("left"), a.child_by_field_name("right")
        name = assigned_member(left) if left is not None else None
        if name and right is not None:
            assigned_values.setdefault(name, []).append(right)
    for decl, name, tnode, declarator, mods in fields(cls):
        if "const" in mods or name in kept:
            continue
        if has_simple_type(tnode, NOT_CACHED_SERVICES):
            continue
        reason = None
        if name in from_params and _is_service_type(from_params[name][1]):
            reason = f"'{name}' keeps the injected {syntax.text(from_params[name][1])}"
        else:
            values = assigned_values.get(name, []) + ([initializer(declarator)] if initializer(declarator) is not None else [])
            if any(_resolves_service(v) for v in values):
                reason = f"'{name}' keeps a service resolved once"
        if reason:
            yield Hit(RULE_ID, decl, reason + advice)
    primary = cls.primary_parameters
    if primary is not None:
        body_idents = identifier_names(cls) if cls.body is not None else frozenset()
        for pname, ptype, psimple in params(primary):
            if _is_service_type(ptype) and psimple not in LOGGER_TYPES and pname in body_idents and \
                    pname not in kept:
                p_node = next(p for p in primary.named_children if p.type == "parameter" and node_text(p.child_by_field_name("name")) == pname)
                yield Hit(RULE_ID, p_node, f"primary constructor parameter '{pname}' keeps the injected "
                                           f"{syntax.text(ptype)}" + (PER_RUN_SHORT if advice is PER_RUN else advice))


def _is_service_type(type_node: Node | None) -> bool:
    """Named like a service (`IFoo`, `...Repository`, `...Context`, ...) and not one a worker may keep."""
    if type_node is None or type_node.type == "predefined_type":
        return False
    name = simple(type_name(type_node))
    return name not in NOT_CACHED_SERVICES and bool(SERVICE_NAME.search(name))


def _resolves_service(expr: Node) -> bool:
    """Resolves a service from a provider, builds one with ActivatorUtilities, or news up a repository/context."""
    for inv in syntax.descendants(expr, "invocation_expression"):
        recv, name = invoked_name(inv)
        if name in RESOLVE_METHODS or (simple(recv) == "ActivatorUtilities"):
            return True
    for n in syntax.descendants(expr, "object_creation_expression"):
        t = simple(type_name(n.child_by_field_name("type")))
        if DATA_ACCESS_TYPE.search(t):
            return True
    return False
