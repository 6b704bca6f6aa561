"""drop-state (OQJ004): the state a job keeps in fields that nothing needs between runs goes, or becomes a local.

What each reported field does is decided by `oqmigrate.analyse.job_state.classify`; this module only writes:
- write-only state (counters, last-run stamps nobody reads): the field and its writes are deleted;
- a re-entrancy guard (tested at the start, set, cleared in `finally`): the test, the set and the clear go —
  HostedServiceBase already keeps runs from overlapping with the job row's IsExecuting — and a `finally` left
  empty goes with them (a `try` left with neither catch nor finally is unwrapped);
- a cache each run rebuilds before reading it: the field becomes a local of the execute method, declared where
  the run rebuilt it.
A field that carries information from one run to the next (a run-once flag, a last-run gate, a watermark, a
cache read before it is rebuilt, a kept service) is never deleted: it is reported with what it really does.
"""

from __future__ import annotations

from oqmigrate import syntax
from oqmigrate.analyse.names import job_local_name
from oqmigrate.edits import apply_edits
from oqmigrate.model import analyse
from oqmigrate.rules import oqj012_unhandled_exception as unhandled
from oqmigrate.analyse.job_state import StateField, StateKind, cache_initializer, classify
from oqmigrate.edits import Edit
from oqmigrate.model import ClassInfo
from oqmigrate.syntax import Node
from oqmigrate.transforms import ClassVerdict, ManualFollowUp, TransformContext, TransformResult
from oqmigrate.transforms.job_text import (alone_on_lines, apply_edits_inside, block_content, dedent, indent_of,
                                           line_end, line_start, removal_edits)

NAME = "drop-state"
RULE_ID = "OQJ004"

REVIEW = {
    StateKind.WRITE_ONLY: "removed '{}', which was written but never read",
    StateKind.REENTRANCY_GUARD: ("removed the re-entrancy guard '{}': HostedServiceBase already keeps runs "
                                 "from overlapping (the job row's IsExecuting)"),
    StateKind.REBUILT_CACHE: "'{}' was rebuilt at the start of every run; it is a local of the run now",
}


def _dropped(ctx: TransformContext, info: ClassInfo) -> tuple[list[StateField], list[StateField]]:
    """(fields that go or become locals, fields that stay) — both the verdict and the transform read this."""
    drop, keep = [], []
    for s in classify(info):
        if s.kind.droppable and _layout_ok(ctx, s):
            drop.append(s)
        elif s.kind.droppable:
            s.reason = (f"'{s.name}' is {s.kind.value} and could go, but its declaration or a statement using it "
                        "shares its lines with other code; remove it by hand")
            keep.append(s)
        else:
            keep.append(s)
    return drop, keep


def _layout_ok(ctx: TransformContext, s: StateField) -> bool:
    """Every statement to delete sits alone on its lines (else the edit would cut other code)."""
    nodes = [s.field.node, *s.write_statements]
    if s.guard is not None:
        nodes += [s.guard.check, s.guard.set, s.guard.clear]
        if _try_unwrapped(s) and block_content(ctx.data, s.guard.try_statement.child_by_field_name("body")) is None:
            return False
    if s.rebuild is not None:
        nodes.append(s.rebuild)
    return all(alone_on_lines(ctx.data, n) for n in nodes)


def verdict(ctx: TransformContext, info: ClassInfo) -> ClassVerdict:
    drop, keep = _dropped(ctx, info)
    if not drop:
        reasons = list(dict.fromkeys(s.reason or f"'{s.name}' cannot be removed safely" for s in keep))
        return ClassVerdict("drop-state leaves this class alone: " + ("; ".join(reasons) or "no state to drop"))
    kept = [(s.field.node.start_byte, s.field.node.end_byte) for s in keep]
    return ClassVerdict(None, tuple(kept + _unhandled_left(ctx, info, drop)))


def _unhandled_left(ctx: TransformContext, info: ClassInfo, drop: list[StateField]) -> list[tuple[int, int]]:
    """The OQJ012 findings the change leaves. Removing a re-entrancy guard that ran before the body's catch-all
    try leaves the body guarded, which resolves the execute method's OQJ012 finding; nothing else it does
    touches exception handling."""
    hits = list(unhandled.hits(info, ctx.version))
    if not hits:
        return []
    escaping = {syntax.text(h.node) for h in hits if h.node.type == "identifier"}
    if any(s.kind is StateKind.REENTRANCY_GUARD for s in drop):
        tree = syntax.parse(apply_edits(ctx.data, _class_edits(ctx, drop)))
        after = next((c for c in analyse(tree).classes if c.name == info.name and not c.is_secondary_part), None)
        if after is not None:
            after.kind = info.kind  # a job through a base class of another file: the file alone cannot tell
        escaping = set() if after is None else {syntax.text(h.node) for h in unhandled.hits(after, ctx.version)
                                                 if h.node.type == "identifier"}
    return [(h.node.start_byte, h.node.end_byte) for h in hits
            if h.node.type != "identifier" or syntax.text(h.node) in escaping]


def _declaration(ctx: TransformContext, s: StateField) -> list[Node]:
    """The field's declaration and the line comments right above it."""
    nodes = [s.field.node]
    prev = s.field.node.prev_named_sibling
    while prev is not None and prev.type == "comment" and prev.end_point[0] == nodes[0].start_point[0] - 1 and \
            alone_on_lines(ctx.data, prev):
        nodes.insert(0, prev)
        prev = prev.prev_named_sibling
    return nodes


def _finally(try_statement: Node) -> Node | None:
    return next((c for c in try_statement.named_children if c.type == "finally_clause"), None)


def _finally_left_empty(s: StateField) -> bool:
    fin = _finally(s.guard.try_statement)
    block = next((c for c in fin.named_children if c.type == "block"), None)
    return [c for c in block.named_children if c != s.guard.clear] == []


def _try_unwrapped(s: StateField) -> bool:
    return _finally_left_empty(s) and not any(c.type == "catch_clause" for c in s.guard.try_statement.named_children)


def _guard_edits(ctx: TransformContext, s: StateField) -> list[Edit]:
    g = s.guard
    edits = removal_edits(ctx.data, [g.check, g.set], RULE_ID, NAME)
    if not _finally_left_empty(s):
        return edits + removal_edits(ctx.data, [g.clear], RULE_ID, NAME)
    fin = _finally(g.try_statement)
    if not _try_unwrapped(s):
        return edits + [Edit(fin.prev_sibling.end_byte, fin.end_byte, "", RULE_ID, NAME)]
    body = g.try_statement.child_by_field_name("body")
    start, end = block_content(ctx.data, body)
    outer = indent_of(ctx.data, g.try_statement)
    first = next(iter(syntax.block_statements(body)), None)
    inner = indent_of(ctx.data, first) if first is not None else outer + ctx.indent
    text = dedent(apply_edits_inside(ctx.data, start, end, []), inner, outer) if inner.startswith(outer) else None
    if text is None:
        return edits + [Edit(fin.prev_sibling.end_byte, fin.end_byte, "", RULE_ID, NAME)]
    return edits + [Edit(line_start(ctx.data, g.try_statement.start_byte),
                         line_end(ctx.data, g.try_statement.end_byte), text, RULE_ID, NAME)]


def _cache_edits(ctx: TransformContext, s: StateField) -> list[Edit]:
    method_names = {syntax.text(i) for i in syntax.descendants(s.method, "identifier")}
    local = job_local_name(s.name)
    if local in method_names or local == s.name:
        local = s.name
    declaration = f"{syntax.text(s.field.type_node)} {local} = {cache_initializer(s.field, s.rebuild)};"
    edits = [Edit(s.rebuild.start_byte, s.rebuild.end_byte, declaration, RULE_ID, NAME)]
    for use in s.refs:
        inside = s.rebuild.start_byte <= use.start_byte < s.rebuild.end_byte
        if not inside and s.method.start_byte <= use.start_byte < s.method.end_byte and local != syntax.text(use):
            edits.append(Edit(use.start_byte, use.end_byte, local, RULE_ID, NAME))
    return edits


def _class_edits(ctx: TransformContext, drop: list[StateField]) -> list[Edit]:
    deletions: list[Node] = []
    edits: list[Edit] = []
    for s in drop:
        deletions += _declaration(ctx, s)
        deletions += [w for w in s.write_statements if w is not None]
        if s.kind is StateKind.REENTRANCY_GUARD:
            edits += _guard_edits(ctx, s)
        elif s.kind is StateKind.REBUILT_CACHE:
            edits += _cache_edits(ctx, s)
    return removal_edits(ctx.data, deletions, RULE_ID, NAME) + edits


def drop_state(ctx: TransformContext) -> TransformResult:
    result = TransformResult()
    for info in ctx.model.classes:
        if info.kind != "job" or not ctx.may_change_class(info.name):
            continue
        drop, keep = _dropped(ctx, info)
        for s in keep:
            result.manual.append(ManualFollowUp(ctx.rel, s.field.node.start_point[0] + 1, info.name, s.reason))
        if not drop:
            continue
        result.edits += _class_edits(ctx, drop)
        result.touched.append(info.name)
        for s in drop:
            result.manual.append(ManualFollowUp.review(ctx.rel, s.field.node.start_point[0] + 1, info.name,
                                                       REVIEW[s.kind].format(s.name)))
    return result
