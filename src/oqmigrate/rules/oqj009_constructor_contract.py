"""OQJ009 constructor-contract: a job constructor other than `public X(IServiceScopeFactory f) : base(f)`, or one
that takes services. Oqtane creates a job several times, always outside any tenant; the base class needs
the scope factory to open each pass's scope, and any other parameter comes from the root provider.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate import syntax
from oqmigrate.analyse.members import LOGGER_TYPES, constructor_base_args, constructors, modifiers, params
from oqmigrate.findings import Hit
from oqmigrate.model import ClassInfo

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ009"


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    if cls.kind != "job":
        return
    ctors = constructors(cls)
    primary = cls.primary_parameters
    if not ctors and primary is None:
        yield Hit(RULE_ID, cls.name_node, "a job needs a public constructor taking IServiceScopeFactory and passing it to base(...)")
        return
    entries = [(c, c.child_by_field_name("parameters"), constructor_base_args(c)) for c in ctors]
    if primary is not None:
        base_args = None
        for b in cls.node.named_children:
            if b.type == "base_list":
                for x in b.named_children:
                    if x.type in ("argument_list", "primary_constructor_base_type"):
                        base_args = [syntax.text(a).strip() for a in syntax.descendants(x, "argument")]
        entries.append((cls.name_node, primary, base_args))
    for node, plist, base_args in entries:
        ps = params(plist)
        mods = modifiers(node) if node.type == "constructor_declaration" else {"public"}
        scope_params = [p for p in ps if p.simple_type == "IServiceScopeFactory"]
        others = [p for p in ps if p.simple_type not in ("IServiceScopeFactory",) and p.simple_type not in LOGGER_TYPES]
        problems = []
        if "public" not in mods and not cls.is_abstract:
            problems.append("is not public")
        if not scope_params:
            problems.append("does not take IServiceScopeFactory")
        elif base_args is None or scope_params[0].name not in base_args:
            problems.append("does not pass IServiceScopeFactory to base(...)")
        if others:
            problems.append("takes services (" + ", ".join(syntax.text(p.type_node) for p in others) + ") that must be resolved from the provider in ExecuteJob")
        if problems:
            anchor = node.child_by_field_name("name") if node.type == "constructor_declaration" else node
            yield Hit(RULE_ID, anchor, "the job constructor " + "; ".join(problems))
