"""Hand-written hosted-service registrations: `AddHostedService<T>()`, `Add{Singleton,Transient,Scoped}<IHostedService, T>()`,
the `typeof` form and the factory form `AddHostedService(sp => sp.GetRequiredService<T>())` (which goes with an
`AddSingleton<T>()` of the class itself: its companion), with the class each one registers. Oqtane registers a
module's hosted services itself."""

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
RESOLVE_METHODS = ("GetRequiredService", "GetService")
DECLARATIONS = ("class_declaration", "constructor_declaration", "destructor_declaration")


@dataclass(frozen=True)
class Registration:
    node: Node  # the registering method's name (`AddHostedService<T>`), where a finding starts
    type_name: str  # the registered class (simple name)
    # the factory form's `AddSingleton<T>()` calls (their method names): redundant with the registration, and
    # only when nothing else in the file names T
    companions: tuple[Node, ...] = ()


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
            elif method in LIFETIME_METHODS and len(targs) == 1 and is_ihostedservice(targs[0], model):
                factory = factory_type(inv)
                if factory:
                    yield Registration(nm, factory, companions(root, factory))
        elif method == "AddHostedService":
            factory = factory_type(inv)
            if factory:
                yield Registration(nm, factory, companions(root, factory))
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


def factory_type(inv: Node) -> str | None:
    """`T` of a registration whose only argument is `sp => sp.GetRequiredService<T>()` (or `GetService<T>()`)."""
    args = syntax.arguments(inv)
    if len(args) != 1 or args[0].type != "lambda_expression":
        return None
    body = args[0].child_by_field_name("body")
    while body is not None and body.type in ("parenthesized_expression", "postfix_unary_expression") and body.named_children:
        body = body.named_children[0]  # `(...)`, `...!`
    if body is None or body.type != "invocation_expression":
        return None
    fn = body.child_by_field_name("function")
    nm = fn.child_by_field_name("name") if fn is not None and fn.type == "member_access_expression" else None
    if nm is None or nm.type != "generic_name" or type_name(nm) not in RESOLVE_METHODS or syntax.arguments(body):
        return None
    targs = nm.named_children[-1].named_children
    return simple(type_name(targs[0])) if len(targs) == 1 else None


def companions(root: Node, name: str) -> tuple[Node, ...]:
    """The `AddSingleton<T>()` (or Scoped/Transient) calls that register T itself for the factory form, when T
    is named nowhere else in the file than in them, the factories and its own declaration (another use may need
    T injected, so its registration stays)."""
    found: list[Node] = []
    accounted = 0  # mentions of T that belong to the factory form
    for n in syntax.descendants(root, "generic_name"):
        targs = n.named_children[-1].named_children if n.named_children else []
        if len(targs) != 1 or simple(type_name(targs[0])) != name:
            continue
        method = type_name(n)
        inv = n.parent.parent if n.parent is not None and n.parent.type == "member_access_expression" else None
        if inv is None or inv.type != "invocation_expression":
            continue
        if method in LIFETIME_METHODS and not syntax.arguments(inv):
            found.append(n)
            accounted += 1
        elif method in RESOLVE_METHODS and (outer := syntax.first_ancestor(inv, "invocation_expression")) is not None \
                and factory_type(outer) == name:
            accounted += 1
    mentions = sum(1 for i in syntax.descendants(root, "identifier") if syntax.text(i) == name
                   and not (i.parent is not None and i.parent.type in DECLARATIONS))  # `class T`, its constructors
    return tuple(found) if mentions == accounted else ()
