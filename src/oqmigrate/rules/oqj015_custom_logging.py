"""OQJ015 custom-logging: a worker or job that injects ILogger<T>/ILoggerFactory or keeps a logger of its own.
Oqtane already keeps each run's history with the text the execute method returns (Admin › Scheduled Jobs ›
Log); a private log duplicates it where administrators do not look.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate import syntax
from oqmigrate.analyse.members import LOGGER_TYPES, assigned_member, constructors, fields
from oqmigrate.analyse.names import has_simple_type, node_text
from oqmigrate.findings import Hit
from oqmigrate.model import ClassInfo

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ015"


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    param_lists = [c.child_by_field_name("parameters") for c in constructors(cls)]
    if cls.primary_parameters is not None:
        param_lists.append(cls.primary_parameters)
    logger_params = set()
    for plist in param_lists:
        if plist is None:
            continue
        for p in plist.named_children:
            if p.type == "parameter" and has_simple_type(p.child_by_field_name("type"), LOGGER_TYPES):
                logger_params.add(node_text(p.child_by_field_name("name")))
                yield Hit(RULE_ID, p, "injects a logger; the job's returned outcome is what Oqtane's job history keeps")
    derived = set()  # fields assigned from an injected logger or logger factory
    for ctor in constructors(cls):
        for a in syntax.descendants(ctor, "assignment_expression"):
            left, right = a.child_by_field_name("left"), a.child_by_field_name("right")
            name = assigned_member(left) if left is not None else None
            if name and right is not None and {syntax.text(i) for i in syntax.descendants(right, "identifier")} & logger_params:
                derived.add(name)
    for f in fields(cls):
        if has_simple_type(f.type_node, LOGGER_TYPES) and f.name not in derived:
            yield Hit(RULE_ID, f.node, "keeps its own logger; the job's returned outcome is what Oqtane's job history keeps")
