"""OQJ004 job-state: static members, and instance fields or auto-properties assigned outside the constructor.

A job instance lives as long as the process and serves every tenant: such state leaks from one run, and one
tenant, to the next.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate.analyse.members import enclosing_member, fields, is_auto_property, writes
from oqmigrate.findings import Hit
from oqmigrate.model import ClassInfo
from oqmigrate.syntax import Node

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ004"


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    written: dict[str, list[Node]] = {}  # member -> writes outside constructors and initialisers
    for name, node in writes(cls):
        member = enclosing_member(node)
        if member is None or member.type == "constructor_declaration":
            continue
        if member.type == "field_declaration":
            continue
        written.setdefault(name, []).append(node)
    for decl, name, tnode, declarator, mods in fields(cls):
        if "const" in mods:
            continue
        is_field = decl.type in ("field_declaration", "event_field_declaration")
        if "static" in mods:
            if decl.type == "property_declaration" and not is_auto_property(decl):
                continue
            yield Hit(RULE_ID, decl, f"static '{name}' is shared by every tenant and kept between runs")
            continue
        if not (is_field or is_auto_property(decl)):
            continue
        if name in written:
            yield Hit(RULE_ID, decl, f"'{name}' is assigned outside the constructor and carries state between runs")
