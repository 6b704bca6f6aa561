"""remove-registration (OQJ014): delete hand-written hosted-service registrations of jobs.

Oqtane registers every IHostedService of a module assembly itself; a second `AddSingleton` starts a
second polling loop. A registration is removed only when its class is a job, or is being migrated
to one in the same run; registrations of other services and of unmigrated workers stay. The factory form
`AddHostedService(sp => sp.GetRequiredService<T>())` takes its `AddSingleton<T>()` with it when nothing else in
the file needs T registered (`Registration.companions`).
"""

from __future__ import annotations

from oqmigrate import syntax
from oqmigrate.analyse.registrations import Registration, find_registrations
from oqmigrate.edits import Edit
from oqmigrate.syntax import Node
from oqmigrate.transforms import ManualFollowUp, TransformContext, TransformResult

NAME = "remove-registration"
RULE_ID = "OQJ014"
STATEMENT_PARENTS = ("block", "switch_section", "global_statement")


def _line_bounds(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The byte range of whole lines [start, end) occupies, when nothing else shares them."""
    line_start = data.rfind(b"\n", 0, start) + 1
    if data[line_start:start].strip(b" \t"):
        return None
    nl = data.find(b"\n", end)
    line_end = len(data) if nl < 0 else nl + 1
    rest = data[end:line_end].strip(b" \t\r\n")
    # a comment after the statement belongs to it and goes with the line
    if rest and not (rest.startswith(b"//") or (rest.startswith(b"/*") and rest.endswith(b"*/"))):
        return None
    return line_start, line_end


def _statement_removal(data: bytes, stmt: Node) -> tuple[int, int]:
    bounds = _line_bounds(data, stmt.start_byte, stmt.end_byte)
    if bounds is not None:
        return bounds
    # Shares its line with other code: take the statement and the blanks after it.
    end = stmt.end_byte
    while end < len(data) and data[end:end + 1] in (b" ", b"\t"):
        end += 1
    return stmt.start_byte, end


def removal(data: bytes, reg: Registration) -> Edit | str:
    """The edit that deletes one registration, or why it must be removed by hand. Pure: the scan asks the
    same question to decide whether an OQJ014 finding is fixable."""
    name = reg.type_name
    inv = syntax.first_ancestor(reg.node, "invocation_expression")
    if inv is None:
        return "not a method call; remove the registration by hand"
    fn = inv.child_by_field_name("function")
    receiver = fn.child_by_field_name("expression") if fn is not None else None
    parent = inv.parent
    if parent is not None and parent.type == "expression_statement":
        stmt = parent
        if receiver is not None and receiver.type == "invocation_expression":
            # services.AddFoo().AddHostedService<T>(); keep the rest of the chain
            return Edit(receiver.end_byte, inv.end_byte, "", RULE_ID, f"registration of {name}")
        if stmt.parent is None or stmt.parent.type not in STATEMENT_PARENTS:
            return "registration is the only statement of an if/loop/lambda; remove it by hand"
        start, end = _statement_removal(data, stmt)
        return Edit(start, end, "", RULE_ID, f"registration of {name}")
    if parent is not None and parent.type == "member_access_expression" and receiver is not None:
        # services.AddHostedService<T>().AddFoo(); the call is the receiver of the next one
        return Edit(receiver.end_byte, inv.end_byte, "", RULE_ID, f"registration of {name}")
    return "registration is used as a value; remove it by hand"


def companion_removals(data: bytes, reg: Registration) -> list[Edit]:
    """The edits that delete the factory form's `AddSingleton<T>()` calls; one that cannot be removed on its
    own (used as a value, the only statement of a branch) stays: registering T once more is harmless."""
    out = []
    for node in reg.companions:
        edit = removal(data, Registration(node, reg.type_name))
        if isinstance(edit, Edit):
            out.append(edit)
    return out


def remove_registration(ctx: TransformContext) -> TransformResult:
    result = TransformResult()
    for reg in find_registrations(ctx.tree.root_node, ctx.model):
        name = reg.type_name
        if (name not in ctx.migrating and name not in ctx.jobs) or (ctx.only is not None and name != ctx.only):
            continue
        line = reg.node.start_point[0] + 1
        if ctx.registration_lines is not None and line not in ctx.registration_lines:
            continue  # its finding is not reported in this run (deselected, suppressed or in the baseline)
        edit = removal(ctx.data, reg)
        if isinstance(edit, Edit):
            result.edits.append(edit)
            result.touched.append(name)
            result.edits.extend(companion_removals(ctx.data, reg))
        else:
            inv = syntax.first_ancestor(reg.node, "invocation_expression")
            result.manual.append(ManualFollowUp(ctx.rel, (inv or reg.node).start_point[0] + 1, name, edit))
    result.edits = _tidy(ctx.data, result.edits)
    return result


def _tidy(data: bytes, edits: list[Edit]) -> list[Edit]:
    """Merge whole-line deletions that touch, and take a blank line that would be left hanging above a
    closing brace with them."""
    edits = sorted(edits)
    merged: list[Edit] = []
    for e in edits:
        if merged and merged[-1].end_byte == e.start_byte and not merged[-1].new_text and not e.new_text:
            merged[-1] = Edit(merged[-1].start_byte, e.end_byte, "", e.rule_id, merged[-1].note + "; " + e.note)
        else:
            merged.append(e)
    out = []
    for e in merged:
        whole_lines = e.start_byte == 0 or data[e.start_byte - 1:e.start_byte] == b"\n"
        next_line = data[e.end_byte:data.find(b"\n", e.end_byte) if data.find(b"\n", e.end_byte) >= 0 else len(data)]
        prev_end = e.start_byte - 1
        prev_start = data.rfind(b"\n", 0, prev_end) + 1 if prev_end > 0 else 0
        if whole_lines and prev_end > 0 and next_line.strip().startswith(b"}") and not data[prev_start:prev_end].strip():
            e = Edit(prev_start, e.end_byte, "", e.rule_id, e.note)
        out.append(e)
    return out
