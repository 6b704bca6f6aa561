"""The XML documentation of a worker's constructor, carried over to the job's constructor.

The job's constructor takes only `serviceScopeFactory`; what the old one documented about itself (`<summary>`,
`<remarks>`, `<exception>`, …) still describes the class being built, so it is kept as written. What described a
parameter the job's constructor no longer has goes: its `<param>` tag, and any top-level element that refers to
such a parameter (`<paramref name="logger"/>`), since keeping it would document something that is not there.
Nothing is added. A doc block that is not well-formed XML, or one written as `/** … */`, is dropped (it cannot be
edited with certainty), as before.

A primary constructor (C# 12) is documented in the class's doc (`<param>` tags next to its `<summary>`): those tags
go with the parameters, the rest of the class's doc stays; a class doc that is not well-formed is left as it is.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from oqmigrate import syntax
from oqmigrate.syntax import Node

DOC_PREFIX = "///"
_TAG = re.compile(r"<(/?)([A-Za-z_][\w.:-]*)[^<>]*?(/?)>")


def doc_comments(member: Node) -> list[Node]:
    """The `///` comment lines directly above a member (each line is one comment node), in source order."""
    out: list[Node] = []
    row = member.start_point[0]
    prev = member.prev_named_sibling
    while prev is not None and prev.type == "comment" and prev.end_point[0] == row - 1 - len(out) \
            and syntax.text(prev).startswith(DOC_PREFIX):
        out.append(prev)
        prev = prev.prev_named_sibling
    return out[::-1]


def kept_doc_lines(comments: list[Node], parameters: set[str]) -> list[str]:
    """The doc lines (with their `///`) to put above the job's constructor, whose parameters are `parameters`."""
    return without_removed_parameters(comments, parameters) or []


def without_removed_parameters(comments: list[Node], parameters: set[str]) -> list[str] | None:
    """The doc lines (with their `///`) minus what documents a parameter not in `parameters`; None when the block
    is not well-formed XML (it cannot be edited with certainty)."""
    bodies = [syntax.text(c)[len(DOC_PREFIX):].rstrip("\r") for c in comments]
    if not bodies or not _well_formed("\n".join(bodies)):
        return None
    out: list[str] = []
    for group in _top_level_groups(bodies):
        element = ET.fromstring("<doc>" + "\n".join(group) + "</doc>")
        if any(_about_a_removed_parameter(e, parameters) for e in element.iter()):
            continue
        out.extend(DOC_PREFIX + line for line in group)
    return out if any(line.strip() for line in out) else []


def _about_a_removed_parameter(e: ET.Element, parameters: set[str]) -> bool:
    return e.tag in ("param", "paramref") and e.get("name") not in parameters


def _well_formed(text: str) -> bool:
    try:
        ET.fromstring("<doc>" + text + "</doc>")
    except ET.ParseError:
        return False
    return True


def _top_level_groups(lines: list[str]) -> list[list[str]]:
    """The lines grouped by top-level element: a group starts on a line at depth 0 and ends where the depth is 0
    again (`<summary>` … `</summary>` over three lines is one group). Text at depth 0 joins the group before it."""
    groups: list[list[str]] = []
    depth = 0
    for line in lines:
        if depth == 0 and (not groups or _TAG.search(line)):
            groups.append([])
        groups[-1].append(line)
        for closing, _, self_closing in _TAG.findall(line):
            if closing:
                depth -= 1
            elif not self_closing:
                depth += 1
    return groups
