"""Inline suppressions: `// oqmigrate-ignore OQJ004, job-state: <reason>` comments, found in a file and
applied to its findings. A suppression without a reason, naming an unknown rule, malformed, or matching
nothing (stale) does not suppress and is itself reported under the suppression rule (OQJ000) when that
rule is selected.
"""

from __future__ import annotations

from dataclasses import replace

import re
from typing import TYPE_CHECKING

from oqmigrate import syntax
from oqmigrate.analyse.tokens import nodes_at_tokens
from oqmigrate.catalog import SUPPRESSION_RULE, load_catalog
from oqmigrate.findings import Finding, Suppression, position
from oqmigrate.syntax import Node

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

SUPPRESSION_RULE_ID = SUPPRESSION_RULE.id
SUPPRESSION_RULE_NAME = SUPPRESSION_RULE.name

# `oqmigrate-ignore OQJ004, job-state: reason` — rule ids or names, then a colon and the reason.
SUPPRESSION = re.compile(r"^oqmigrate-ignore(?P<rules>(?:[\s,]+[A-Za-z][\w-]*)*)\s*(?::(?P<reason>.*))?$", re.DOTALL)
RULE_TOKEN = re.compile(r"[A-Za-z][\w-]*")


def _comment_body(text: str) -> str:
    if text.startswith("//"):
        return text[2:].strip()
    if text.startswith("/*"):
        return text[2:].removesuffix("*/").strip()
    return text.strip()


def find_suppressions(root: Node) -> list[Suppression]:
    """Every `oqmigrate-ignore` comment of the file, well-formed or not, in document order."""
    data = root.text or b""  # Node.text copies: take the file's bytes once
    out = []
    for c in nodes_at_tokens(root, [b"oqmigrate-ignore"], "comment"):
        body = _comment_body(syntax.text(c))
        if not body.startswith("oqmigrate-ignore"):
            continue  # mentioned in passing, e.g. in documentation
        line_start = c.start_byte - c.start_point[1]
        # the root node starts at the first token: its text is offset by the leading blank lines and comments
        trailing = bool(data[max(0, line_start - root.start_byte):c.start_byte - root.start_byte].strip())
        m = SUPPRESSION.match(body)
        if m is None:
            out.append(Suppression(c.start_point[0] + 1, (), "", c, trailing, malformed=True))
            continue
        ids = tuple(RULE_TOKEN.findall(m.group("rules") or ""))
        # Without a colon, words that are not rules are a reason written in the wrong place.
        malformed = m.group("reason") is None and any(rule_of(t) is None for t in ids)
        out.append(Suppression(c.start_point[0] + 1, ids, (m.group("reason") or "").strip(), c, trailing, malformed))
    return out


def rule_of(token: str) -> str | None:
    """A rule id for an id or name written in a suppression, or None."""
    catalog = load_catalog()
    if token.upper() in catalog:
        return token.upper()
    return next((r.id for r in catalog.values() if r.name == token.lower()), None)


def apply_suppressions(findings: list[Finding], suppressions: list[Suppression], selected: set[str],
                       ctx: CheckContext, silenced: list[Finding] | None = None) -> list[Finding]:
    """Drop suppressed findings (collected in `silenced`, with their justification, when a list is given);
    report suppressions that are malformed, name unknown rules, lack a reason (they do not suppress) or match
    nothing (stale, per rule)."""
    kept: list[Finding] = []
    used: set[tuple[int, str]] = set()
    valid = [(s, {rule_of(t) for t in s.ids}) for s in suppressions
             if not s.malformed and s.reason and s.ids and all(rule_of(t) for t in s.ids)]
    for f in findings:
        match = next((s for s, ids in valid if f.rule_id in ids and s.covers(f.line)), None)
        if match is None:
            kept.append(f)
        else:
            used.add((match.line, f.rule_id))
            if silenced is not None:
                silenced.append(replace(f, suppressed=match.reason))
    if SUPPRESSION_RULE_ID not in selected:
        return kept
    for s in suppressions:
        rules = [rule_of(t) for t in s.ids]
        unknown = [t for t, r in zip(s.ids, rules) if r is None]
        problem = None
        if s.malformed or not s.ids:
            problem = "malformed suppression, it does not suppress; write: // oqmigrate-ignore OQJ004: <reason>"
        elif unknown:
            problem = f"suppression names unknown rule {unknown[0]}, so it does not suppress"
        elif not any(r in selected for r in rules):
            continue  # about rules this run does not check
        elif not s.reason:
            problem = f"suppression of {', '.join(s.ids)} has no reason, so it does not suppress (add ': <reason>')"
        else:
            stale = [t for t, r in zip(s.ids, rules) if r in selected and (s.line, r) not in used]
            if stale:
                where = "on this line" if s.trailing else "on this line or the next"
                problem = f"stale suppression: nothing reported for {', '.join(stale)} {where}"
        if problem:
            line, col, end_line, end_col = position(ctx.data, s.node)
            kept.append(Finding(SUPPRESSION_RULE_ID, SUPPRESSION_RULE_NAME, "warning", ctx.rel, line, col, end_line,
                                end_col, "", problem, False, ctx.project))
    return kept
