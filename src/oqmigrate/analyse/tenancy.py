"""How a class picks tenants by hand: `SetTenant`, `GetTenants`, `ITenantResolver`, and assignments to
`SiteState.Alias` (the scoped site context Oqtane's repositories read the tenant from). OQJ005 reports these
nodes and unwrap-tenant-loop rewrites them, so both read them here."""

from __future__ import annotations

from oqmigrate import syntax
from oqmigrate.analyse.members import class_nodes
from oqmigrate.analyse.names import invoked_name, node_text, simple
from oqmigrate.model import ClassInfo, type_name
from oqmigrate.syntax import Node

SITE_STATE = "SiteState"


def site_state_holders(cls: ClassInfo) -> set[str]:
    """Fields, properties, locals and parameters of the class that hold a SiteState."""
    names = set()
    for d in class_nodes(cls, "variable_declarator"):
        decl = d.parent
        t = decl.child_by_field_name("type") if decl is not None and decl.type == "variable_declaration" else None
        init = [c for c in d.named_children if c.type != "comment"][1:]
        if (t is not None and simple(type_name(t)) == SITE_STATE) or \
                (init and SITE_STATE in syntax.text(init[-1]) and t is not None and t.type == "implicit_type"):
            names.add(node_text(d.child_by_field_name("name")))
    for p in class_nodes(cls, "parameter", "property_declaration"):
        t = p.child_by_field_name("type")
        if t is not None and simple(type_name(t)) == SITE_STATE:
            names.add(node_text(p.child_by_field_name("name")))
    return names


def is_site_state_alias_assignment(a: Node, holders: set[str]) -> bool:
    left = a.child_by_field_name("left")
    if left is None or left.type != "member_access_expression" or node_text(left.child_by_field_name("name")) != "Alias":
        return False
    receiver = left.child_by_field_name("expression")
    if receiver is None:
        return False
    if receiver.type == "member_access_expression" and node_text(receiver.child_by_field_name("expression")) == "this":
        receiver = receiver.child_by_field_name("name")
    return (receiver.type == "identifier" and syntax.text(receiver) in holders) or SITE_STATE in syntax.text(receiver)


def site_state_alias_assignments(cls: ClassInfo) -> list[Node]:
    """`siteState.Alias = …` (and `provider.GetRequiredService<SiteState>().Alias = …`) in the class."""
    holders = site_state_holders(cls)
    return [a for a in class_nodes(cls, "assignment_expression") if is_site_state_alias_assignment(a, holders)]


def tenant_calls(cls: ClassInfo) -> list[Node]:
    """Invocations of SetTenant and GetTenants."""
    return [n for n in class_nodes(cls, "invocation_expression") if invoked_name(n)[1] in ("SetTenant", "GetTenants")]
