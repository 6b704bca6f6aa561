"""The once-per-tenant review note: what a migrated job does N times per pass that the worker did once.

Oqtane runs a job once per tenant on every pass, all tenants of the pass in one scope. Work that is not
tenant-specific — an HTTP call, a published event — now happens once per tenant (a static counter the work updates
is state between runs and blocks the migration before this note), and a service
the module registers as Scoped (an `IService`) is one instance shared by every tenant of the pass. The framework's
repositories, `ITenantManager` and the module's own repositories and DbContexts are transient (Oqtane's
conventions), and loggers, configuration and options hold no tenant state: those are fine. The note goes in the
migration report, never into the code.
"""

from __future__ import annotations

import re

from oqmigrate import syntax
from oqmigrate.syntax import Node

# Resolved types that hold no per-tenant state, or are transient by Oqtane's conventions.
NEUTRAL_TYPES = {"ILogger", "ILoggerFactory", "ILogManager", "IConfiguration", "IOptions", "IOptionsMonitor",
                 "IOptionsSnapshot", "IHostEnvironment", "IWebHostEnvironment", "IHostingEnvironment",
                 "IServiceProvider", "IServiceScopeFactory", "ITenantManager", "IMemoryCache", "IDistributedCache"}
NEUTRAL_SUFFIXES = ("Repository", "Context")
HTTP_TYPES = {"IHttpClientFactory", "HttpClient", "WebClient"}
PUBLISH_CALLS = {"Publish", "PublishAsync", "PublishEvent", "PublishEventAsync"}
RESOLVE_CALLS = {"GetRequiredService", "GetService"}


class TenantNotesMixin:
    """Part of WorkerAnalysis (oqmigrate.analyse.worker); see there for the state it reads and writes."""

    def _tenant_note(self) -> str | None:
        services: list[str] = []
        http = False
        for name in self.resolved:
            f = self.fields[name]
            http |= f.simple_type in HTTP_TYPES
            if _module_service(f.simple_type):
                services.append(f.type)
        bounds = [(p.start, p.end) for p in self.plan.pieces] + [(h.start_byte, h.end_byte) for h in self.helpers]
        published = False
        for start, end in bounds:
            for n in self._nodes_within(self.root, start, end, "invocation_expression", "object_creation_expression"):
                if self._is_deleted(n):
                    continue
                if n.type == "object_creation_expression":
                    http |= _simple(syntax.text(n.child_by_field_name("type"))) in HTTP_TYPES
                else:
                    fn = n.child_by_field_name("function")
                    name = fn.child_by_field_name("name") if fn.type == "member_access_expression" else fn
                    if name is None:
                        continue
                    if name.type == "generic_name":
                        resolved = _resolved_type(name)
                        if resolved is not None:
                            http |= _simple(resolved) in HTTP_TYPES
                            if _module_service(_simple(resolved)):
                                services.append(resolved)
                        continue
                    called = syntax.text(name)
                    published |= called in PUBLISH_CALLS
                    http |= called == "CreateClient" or syntax.text(fn).endswith("WebRequest.Create")
        parts = []
        if services:
            listed = ", ".join(dict.fromkeys(services))
            parts.append(f"if the module registers {listed} as Scoped (an IService), one instance serves every "
                         "tenant of the pass")
        if http:
            parts.append("its HTTP calls are made once per tenant")
        if published:
            parts.append("what it publishes is published once per tenant")
        if not parts:
            return None
        return ("the job runs once per tenant on every pass, all tenants in one scope: " + "; ".join(parts) +
                "; check that this is right for a site with several tenants")


def _simple(type_text: str) -> str:
    return re.sub(r"<.*", "", type_text).rsplit(".", 1)[-1].rstrip("?")


def _module_service(simple: str) -> bool:
    if simple in NEUTRAL_TYPES or simple in HTTP_TYPES or simple.endswith(NEUTRAL_SUFFIXES):
        return False
    return bool(simple) and simple[0] == "I" and simple[1:2].isupper()


def _resolved_type(generic: Node) -> str | None:
    """`GetRequiredService<IOrderService>` → `IOrderService`."""
    if syntax.text(generic.named_children[0]) not in RESOLVE_CALLS:
        return None
    args = next((c for c in generic.named_children if c.type == "type_argument_list"), None)
    if args is None or len(args.named_children) != 1:
        return None
    return syntax.text(args.named_children[0])
