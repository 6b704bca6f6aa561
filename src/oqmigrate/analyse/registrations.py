"""Hand-written hosted-service registrations: `AddHostedService<T>()`, `Add{Singleton,Transient,Scoped}<IHostedService, T>()`
and the `typeof` form, with the class each one registers. Oqtane registers a module's hosted services itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from oqmigrate import syntax
from oqmigrate.analyse.names import qualifier, resolved_type, simple
from oqmigrate.analyse.tokens import nodes_at_tokens
from oqmigrate.model import FileModel, type_name
from oqmigrate.syntax import Node

HOSTING_NAMESPACES = ("", "Microsoft.Extensions.Hosting")
LIFETIME_METHODS = ("AddSingleton", "AddTransient", "AddScoped")


@dataclass(frozen=True)
class Registration:
    node: Node  # the registering method's name (`AddHostedService<T>`), where a finding starts
    type_name: str  # the registered class (simple name)


def find_registrations(root: Node, model: FileModel) -> Iterator[Registration]:
    """Registrations of hosted services in the file, in document order."""
    aliases = [a.encode() for a, target in model.aliases.items() if simple(target) == "IHostedService"]
    for inv in nodes_at_tokens(root, [b"AddHostedService", b"IHostedService", *aliases], "invocation_expression"):
        fn = inv.child_by_field_name("function")
        if fn is None or fn.type != "member_access_expression":
            continue
        nm = fn.child_by_field_name("name")
        if nm is None:
            continue
        method = type_name(nm)
        if nm.type == "generic_name":
            targs = [a for a in (nm.named_children[-1].named_children if nm.named_children else [])]
            if method == "AddHostedService" and len(targs) == 1:
                yield Registration(nm, simple(type_name(targs[0])))
            elif method in LIFETIME_METHODS and len(targs) == 2 and is_ihostedservice(targs[0], model):
                yield Registration(nm, simple(type_name(targs[1])))
        elif method in LIFETIME_METHODS:
            args = [a for a in (inv.child_by_field_name("arguments").named_children if inv.child_by_field_name("arguments") else [])
                    if a.type == "argument"]
            if len(args) == 2:
                types = [next(syntax.descendants(a, "typeof_expression"), None) for a in args]
                if all(t is not None for t in types):
                    t0 = types[0].named_children[0] if types[0].named_children else None
                    t1 = types[1].named_children[0] if types[1].named_children else None
                    if t0 is not None and t1 is not None and is_ihostedservice(t0, model):
                        yield Registration(nm, simple(type_name(t1)))


def is_ihostedservice(node: Node, model: FileModel) -> bool:
    """The type node names Microsoft.Extensions.Hosting.IHostedService (aliases resolved)."""
    t = resolved_type(node, model)
    return simple(t) == "IHostedService" and qualifier(t) in HOSTING_NAMESPACES
