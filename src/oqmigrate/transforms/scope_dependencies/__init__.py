"""scope-dependencies (OQJ009, OQJ010, OQJ016): services a job keeps become locals resolved from the provider of
each run.

Oqtane creates a job outside any tenant and calls its execute method once per tenant with that tenant's provider.
A service injected into the constructor, resolved from a scope the job opened itself (often in the constructor,
which also leaks the scope), new-ed up, or cached in a field by an earlier run serves the wrong tenant. This codemod
turns each such field into `var x = provider.GetRequiredService<T>();` at the top of the execute method (at the top
of its outermost try block when the body has one), passes it as a parameter to the private helpers that read it,
reduces the constructor to `IServiceScopeFactory` → `base(...)` plus the metadata, and drops the scope plumbing
that only served the moved fields. A field the execute method assigns from the provider becomes a local there.

Kept by rule: fields and constructor parameters of the logger types (`ILogger`, `ILogger<T>`, `ILoggerFactory`,
singletons without tenant state; OQJ015 is about how they are used) and `IServiceScopeFactory`. The decision —
what moves, what stays, what a person must do — is `plan.plan`, shared by the transform and `verdict`.
"""

from __future__ import annotations

from oqmigrate import syntax
from oqmigrate.analyse.members import fields
from oqmigrate.edits import Edit
from oqmigrate.model import ClassInfo
from oqmigrate.syntax import Node
from oqmigrate.transforms import ClassVerdict, ManualFollowUp, TransformContext, TransformResult
from oqmigrate.transforms.migrate_worker.usings import using_edit
from oqmigrate.transforms.scope_dependencies.plan import NOTHING_TO_MOVE, RESOLVE, Plan, plan

NAME = "scope-dependencies"
RULE_ID = "OQJ010"
DI_NAMESPACE = "Microsoft.Extensions.DependencyInjection"

__all__ = ["NAME", "scope_dependencies", "verdict"]


def verdict(ctx: TransformContext, info: ClassInfo) -> ClassVerdict:
    """What scope_dependencies would do to the class (the scan's `fixable`). Carried over as they are: the
    constructor statements with side effects it leaves for a person (their OQJ016 findings stay) and every member
    it does not move (a field that caches a service per run goes, so its OQJ004 finding is resolved; other state
    is not)."""
    p = plan(ctx, info)
    if isinstance(p, str):
        return ClassVerdict(p)
    moved = {d.decl.id for d in p.deps}
    kept = [(s.start_byte, s.end_byte) for s in p.kept]
    kept += [(f.node.start_byte, f.node.end_byte) for f in fields(info) if f.node.id not in moved]
    return ClassVerdict(None, tuple(kept))


def scope_dependencies(ctx: TransformContext) -> TransformResult:
    result = TransformResult()
    class_edits: list[Edit] = []
    for info in ctx.model.classes:
        if info.kind != "job" or info.is_secondary_part or not ctx.may_change_class(info.name):
            continue
        p = plan(ctx, info)
        if isinstance(p, str):
            if ctx.classes is not None or p != NOTHING_TO_MOVE:  # a compliant job is no follow-up
                result.manual.append(ManualFollowUp(ctx.rel, info.line, info.name, p))
            continue
        class_edits.extend(_edits(ctx, p))
        result.touched.append(info.name)
        for d in p.deps:
            if d.note:
                result.manual.append(ManualFollowUp.review(ctx.rel, info.line, info.name, d.note))
        for why in p.kept_why:
            result.manual.append(ManualFollowUp(ctx.rel, info.line, info.name, why))
    if not class_edits:
        return result
    result.edits.extend(class_edits)
    edit = using_edit(ctx, class_edits, {DI_NAMESPACE})
    if edit is not None:
        result.edits.append(edit)
    return result


def _edits(ctx: TransformContext, p: Plan) -> list[Edit]:
    data = ctx.data
    edits: list[Edit] = []
    lines = [_whole_lines(data, d.decl) for d in p.deps if d.decl.type != "parameter"]
    lines += [_whole_lines(data, s) for s in p.removed_statements]
    edits.extend(_tidy(data, lines))
    edits.extend(_parameter_removals(p.removed_params))
    for node, d in p.reads:
        if syntax.text(node) == d.local:
            continue  # a primary constructor's parameter read by the local of the same name
        edits.append(Edit(node.start_byte, node.end_byte, d.local, RULE_ID, f"{d.member} -> {d.local}"))
    for d in p.deps:
        if d.in_execute is not None:
            a = d.in_execute.named_children[0]
            right = a.child_by_field_name("right")
            declared = "var" if _resolves_exactly(right, d.type_text) else d.type_text
            edits.append(Edit(d.in_execute.start_byte, right.start_byte, f"{declared} {d.local} = ", RULE_ID,
                              f"{d.member} becomes a local"))
    read_in_execute = {d.member for node, d in p.reads if _within(node, p.execute)}
    read_in_execute |= {d.member for _, ds in p.calls for d in ds}
    top = [d for d in p.deps if d.in_execute is None and d.member in read_in_execute]
    if top:
        at, indent = _top_of(data, p.insert_block, ctx.indent)
        text = "".join(f"{indent}var {d.local} = {d.resolve.format(p=p.provider)};{ctx.newline}" for d in top)
        edits.append(Edit(at, at, text, RULE_ID, "services resolved from the provider"))
    for method, deps in p.helpers.values():
        plist = method.child_by_field_name("parameters")
        sep = ", " if any(c.type == "parameter" for c in plist.named_children) else ""
        text = sep + ", ".join(f"{d.type_text} {d.local}" for d in deps)
        edits.append(Edit(plist.end_byte - 1, plist.end_byte - 1, text, RULE_ID, "helper receives its services"))
    for alist, deps in p.calls:
        sep = ", " if alist.named_children else ""
        edits.append(Edit(alist.end_byte - 1, alist.end_byte - 1, sep + ", ".join(d.local for d in deps), RULE_ID,
                          "helper call passes the services"))
    return edits


def _resolves_exactly(expr: Node, type_text: str) -> bool:
    """`x.GetRequiredService<T>()` / `x.GetService<T>()` with T written as the field's type: `var` keeps the type."""
    fn = expr.child_by_field_name("function") if expr.type == "invocation_expression" else None
    name = fn.child_by_field_name("name") if fn is not None and fn.type == "member_access_expression" else None
    if name is None or name.type != "generic_name" or syntax.text(name).split("<", 1)[0] not in RESOLVE:
        return False
    targs = name.named_children[-1].named_children
    return len(targs) == 1 and syntax.text(targs[0]) == type_text


def _within(node: Node, outer: Node) -> bool:
    return outer.start_byte <= node.start_byte and node.end_byte <= outer.end_byte


def _whole_lines(data: bytes, node: Node) -> tuple[int, int]:
    """The lines the node occupies, when nothing but blanks and a trailing comment share them; else the node."""
    start = data.rfind(b"\n", 0, node.start_byte) + 1
    nl = data.find(b"\n", node.end_byte)
    end = len(data) if nl < 0 else nl + 1
    rest = data[node.end_byte:end].strip()
    if data[start:node.start_byte].strip() or (rest and not rest.startswith(b"//")):
        end = node.end_byte
        while end < len(data) and data[end:end + 1] in (b" ", b"\t"):
            end += 1
        return node.start_byte, end
    return start, end


def _line_at(data: bytes, pos: int) -> tuple[int, int]:
    start = data.rfind(b"\n", 0, pos) + 1
    nl = data.find(b"\n", pos)
    return start, len(data) if nl < 0 else nl + 1


def _tidy(data: bytes, ranges: list[tuple[int, int]]) -> list[Edit]:
    """Merge line deletions that touch; a blank line left right after an opening brace or another blank line, or
    right before a closing brace, goes with them."""
    merged: list[list[int]] = []
    for s, e in sorted(ranges):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out = []
    for s, e in merged:
        whole = (s == 0 or data[s - 1:s] == b"\n") and (e == len(data) or data[e - 1:e] == b"\n")
        if whole and s > 0:
            ps, pe = _line_at(data, s - 1)
            prev = data[ps:pe].strip()
            if e < len(data):
                ns, ne = _line_at(data, e)
                nxt = data[ns:ne].strip()
                if not nxt and (not prev or prev.endswith(b"{")):
                    e = ne
                elif nxt.startswith(b"}") and not prev:
                    s = ps
        out.append(Edit(s, e, "", RULE_ID, "moved into the execute method"))
    return out


def _parameter_removals(removed: list[Node]) -> list[Edit]:
    """Delete constructor parameters with the separator that joined them to a kept one."""
    if not removed:
        return []
    plist = removed[0].parent
    every = [c for c in plist.named_children if c.type == "parameter"]
    gone = {n.id for n in removed}
    out = []
    i = 0
    while i < len(every):
        if every[i].id not in gone:
            i += 1
            continue
        j = i
        while j + 1 < len(every) and every[j + 1].id in gone:
            j += 1
        if i > 0:
            start, end = every[i - 1].end_byte, every[j].end_byte
        elif j + 1 < len(every):
            start, end = every[i].start_byte, every[j + 1].start_byte
        else:
            start, end = every[i].start_byte, every[j].end_byte
        out.append(Edit(start, end, "", RULE_ID, "constructor takes only the scope factory"))
        i = j + 1
    return out


def _top_of(data: bytes, block: Node, unit: str) -> tuple[int, str]:
    """Where the first statement of a block goes, and its indentation."""
    open_brace = block.children[0]
    first = next((c for c in block.children[1:] if c.type != "}"), None)
    if first is not None:
        start = data.rfind(b"\n", 0, first.start_byte) + 1
        if not data[start:first.start_byte].strip() and start > open_brace.end_byte:
            return start, data[start:first.start_byte].decode()
    bs = data.rfind(b"\n", 0, open_brace.start_byte) + 1
    brace_indent = data[bs:open_brace.start_byte].decode()
    brace_indent = brace_indent[:len(brace_indent) - len(brace_indent.lstrip())]
    nl = data.find(b"\n", open_brace.end_byte)
    return (nl + 1 if nl >= 0 else open_brace.end_byte), brace_indent + unit
