"""A job's metadata (Name, Frequency, Interval, IsEnabled, …) as its constructors declare it, read once for the
OQJ011 rule and the declare-metadata codemod.

Oqtane reads the metadata once, when it creates the Job row; what a constructor leaves out falls back to the base
class defaults (IsEnabled false: installed switched off). Frequency codes are case-sensitive single characters.
"""

from __future__ import annotations

from dataclasses import dataclass

from oqmigrate import syntax
from oqmigrate.analyse.members import assigned_member, constructors, inside_class, is_direct_job, members
from oqmigrate.model import ClassInfo
from oqmigrate.syntax import Node

FREQUENCIES = ("m", "H", "d", "w", "M", "O")
REQUIRED = ("Name", "Frequency", "Interval", "IsEnabled")
METADATA_PROPERTIES = ("Name", "Frequency", "Interval", "StartDate", "EndDate", "IsEnabled", "RetentionHistory",
                       "MaximumDuration")


@dataclass(frozen=True)
class ConstructorMetadata:
    node: Node  # the constructor_declaration
    assigned: dict[str, list[Node]]  # metadata property -> its assignment_expressions in the constructor
    missing: tuple[str, ...]  # required properties it does not assign (reported only for a concrete direct job)
    bad_frequencies: tuple[tuple[Node, str], ...]  # (assignment, literal value) not among FREQUENCIES
    bad_intervals: tuple[Node, ...]  # assignments of an integer literal below 1


@dataclass(frozen=True)
class JobMetadata:
    constructors: tuple[ConstructorMetadata, ...]
    reports_missing: bool  # a concrete job deriving from HostedServiceBase itself: what it leaves out is a finding
    run_time: tuple[tuple[str, Node], ...]  # (property, assignment) outside the constructors


def job_metadata(cls: ClassInfo) -> JobMetadata:
    ctors = []
    for ctor in constructors(cls):
        assigned = metadata_assignments(ctor)
        bad_freq = []
        for a in assigned.get("Frequency", []):
            right = a.child_by_field_name("right")
            if right is not None and right.type == "string_literal":
                value = syntax.text(right)[1:-1]
                if value not in FREQUENCIES:
                    bad_freq.append((a, value))
        bad_int = [a for a in assigned.get("Interval", []) if (v := integer(a.child_by_field_name("right"))) is not None and v < 1]
        ctors.append(ConstructorMetadata(ctor, assigned, tuple(m for m in REQUIRED if m not in assigned),
                                         tuple(bad_freq), tuple(bad_int)))
    run_time = []
    for member in members(cls, "method_declaration", "property_declaration"):
        for name, nodes in metadata_assignments(member).items():
            run_time.extend((name, a) for a in nodes if inside_class(a, cls))
    return JobMetadata(tuple(ctors), not cls.is_abstract and is_direct_job(cls), tuple(run_time))


def metadata_assignments(node: Node) -> dict[str, list[Node]]:
    """Metadata property -> its assignments under `node`."""
    out: dict[str, list[Node]] = {}
    for a in syntax.descendants(node, "assignment_expression"):
        left = a.child_by_field_name("left")
        name = assigned_member(left) if left is not None else None
        if name in METADATA_PROPERTIES:
            out.setdefault(name, []).append(a)
    return out


def integer(node: Node | None) -> int | None:
    """The value of an integer literal, negated or not (`30`, `0x1E`, `1_000`, `-1`); None otherwise."""
    if node is None:
        return None
    if node.type == "prefix_unary_expression" and syntax.text(node).startswith("-") and node.named_children:
        inner = integer(node.named_children[-1])
        return -inner if inner is not None else None
    if node.type != "integer_literal":
        return None
    try:
        return int(syntax.text(node).replace("_", "").rstrip("uUlL"), 0)
    except ValueError:
        return None
