"""OQJ011 job-metadata: a job constructor that leaves out Name, Frequency, Interval or IsEnabled, an invalid
Frequency code or Interval, or metadata set outside the constructor. Oqtane reads the metadata once, when it
creates the Job row; what is missing falls back to defaults (IsEnabled false: installed switched off).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate import syntax
from oqmigrate.analyse.members import assigned_member, constructors, inside_class, is_direct_job, members
from oqmigrate.findings import Hit
from oqmigrate.model import ClassInfo
from oqmigrate.syntax import Node

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ011"

FREQUENCIES = ("m", "H", "d", "w", "M", "O")
REQUIRED = ("Name", "Frequency", "Interval", "IsEnabled")
METADATA_PROPERTIES = ("Name", "Frequency", "Interval", "StartDate", "EndDate", "IsEnabled", "RetentionHistory",
                       "MaximumDuration")


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    if cls.kind != "job":
        return
    ctors = constructors(cls)
    for ctor in ctors:
        assigned = _metadata_assignments(ctor)
        missing = [m for m in REQUIRED if m not in assigned]
        if missing and not cls.is_abstract and is_direct_job(cls):
            yield Hit(RULE_ID, ctor.child_by_field_name("name"),
                      "the constructor does not declare " + ", ".join(missing)
                      + (" (IsEnabled defaults to false: the job is registered disabled)" if "IsEnabled" in missing else ""))
        for a in assigned.get("Frequency", []):
            right = a.child_by_field_name("right")
            if right is not None and right.type == "string_literal":
                value = syntax.text(right)[1:-1]
                if value not in FREQUENCIES:
                    yield Hit(RULE_ID, a, f"Frequency \"{value}\" is not one of m H d w M O; Oqtane would run it every minute", "error")
        for a in assigned.get("Interval", []):
            right = a.child_by_field_name("right")
            value = _integer(right)
            if value is not None and value < 1:
                yield Hit(RULE_ID, a, f"Interval {syntax.text(right)} is below 1", "error")
    if not ctors and not cls.is_abstract and is_direct_job(cls):
        yield Hit(RULE_ID, cls.name_node, "the job declares no Name, Frequency, Interval or IsEnabled")
    for member in members(cls, "method_declaration", "property_declaration"):
        for name, nodes in _metadata_assignments(member).items():
            for a in nodes:
                if inside_class(a, cls):
                    yield Hit(RULE_ID, a, f"{name} is set at run time; Oqtane reads job metadata once, at registration")


def _metadata_assignments(node: Node) -> dict[str, list[Node]]:
    """Metadata property -> its assignments under `node`."""
    out: dict[str, list[Node]] = {}
    for a in syntax.descendants(node, "assignment_expression"):
        left = a.child_by_field_name("left")
        name = assigned_member(left) if left is not None else None
        if name in METADATA_PROPERTIES:
            out.setdefault(name, []).append(a)
    return out


def _integer(node: Node | None) -> int | None:
    """The value of an integer literal, negated or not (`30`, `0x1E`, `1_000`, `-1`); None otherwise."""
    if node is None:
        return None
    if node.type == "prefix_unary_expression" and syntax.text(node).startswith("-") and node.named_children:
        inner = _integer(node.named_children[-1])
        return -inner if inner is not None else None
    if node.type != "integer_literal":
        return None
    try:
        return int(syntax.text(node).replace("_", "").rstrip("uUlL"), 0)
    except ValueError:
        return None
