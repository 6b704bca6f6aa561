"""guard-execution (OQJ012): make a job's execute method turn every exception into its returned outcome.

What counts as guarded is `oqmigrate.analyse.guard` (the rule reads it too). For each ExecuteJob /
ExecuteJobAsync the rule reports:

- an unguarded block body is wrapped, one level deeper, in `try { … } catch (Exception ex) { return <failed>; }`;
  harmless declarations at its top (`var log = "";`, a logger resolved from the provider) stay outside, so that
  when the body ends with `return log;` the catch returns `log + <failed>` and the notes written before the
  failure (the framework's `log += "…<br />"` style) are kept. An existing inner try/catch stays as it is.
- an expression-bodied method (or a body written on one line) becomes a block with the same guard;
- a catch-all that swallows the failure (falls through to a return that ignores it: it only logs, or is empty)
  gets `return <failed>;` at its end (naming the exception `ex` when it had no name); returns after the try that
  can then no longer be reached go;
- ExecuteJobAsync without `async` is guarded only when it returns `Task.FromResult(…)` everywhere (its catch
  returns `Task.FromResult(<failed>)`); one that returns a task from elsewhere is left to a person, because a
  catch would not see that task fail.

The outcome is `emit.failed(name, ex)`: `$"<Name> failed: {ex.Message}<br />"`, with the job's declared Name (or
its class name in words, as declare-metadata adds it). In a method it changes, every `return null;`, `return "";`,
`return string.Empty;` or `return default;` becomes `return "<Name> completed<br />";` so the job history shows an
outcome for every run. Existing guards are kept: a guarded method is not touched.

Before Oqtane 2.0.1 there is no tenant loop: the framework logs a thrown exception as a failed run, so a guard
would only make failed runs look succeeded. There the rule reports only a catch that swallows the failure, and
this codemod leaves it to a person with `BEFORE_TENANT_LOOP` (rethrow it).
"""

from __future__ import annotations

from dataclasses import dataclass

from oqmigrate import syntax
from oqmigrate.analyse.guard import ExecuteGuard, GuardState, always_exits, catch_variable, execute_guard
from oqmigrate.analyse.members import deferred_within, execute_methods, modifiers
from oqmigrate.analyse.metadata import job_metadata
from oqmigrate.analyse.names import camel_words
from oqmigrate.edits import Edit
from oqmigrate.model import ClassInfo
from oqmigrate.syntax import Node
from oqmigrate.transforms import ClassVerdict, ManualFollowUp, TransformContext, TransformResult, emit
from oqmigrate.versions import Feature, Version, supports
from oqmigrate.transforms.job_text import (apply_inside, brace_on_own_line, exception_type, free_name, indent_lines,
                                           line_indent, line_start, same_line, starts_line)

NAME = "guard-execution"
RULE_ID = "OQJ012"

NOT_ASYNC = ("ExecuteJobAsync is not async and returns a task it does not build with Task.FromResult: a try/catch "
             "around it would not see that task fail; make it async (return await …), then run guard-execution again")
LAYOUT = ("the execute body shares a line with its braces; put its statements on lines of their own, then run "
          "guard-execution again")
ALREADY = "every execute method already turns exceptions into its returned outcome"


@dataclass(frozen=True)
class MethodPlan:
    guard: ExecuteGuard
    blocker: str | None


def before_tenant_loop(version: Version) -> str:
    """Why a job on a version without the tenant loop gets no guard."""
    since = Feature.JOB_METADATA_AND_TENANT_LOOP.since
    return (f"Oqtane {version} has no tenant loop (from {since}): a thrown exception ends only this run and is logged "
            "as a failed run, so a guard returning the failure would only log failed runs as Succeeded = true; "
            "rethrow the exception from this catch (throw;) by hand")


def method_plans(data: bytes, info: ClassInfo, version: Version) -> list[MethodPlan]:
    """The execute methods the rule reports in this class on Oqtane `version`, each with why it cannot be changed
    (None: it can)."""
    out = []
    tenant_loop = supports(version, Feature.JOB_METADATA_AND_TENANT_LOOP)
    for m in execute_methods(info):
        g = execute_guard(m)
        if g.state is GuardState.NO_BODY or (g.state is GuardState.GUARDED and not g.escaping_throws):
            continue
        if not tenant_loop:
            if g.state is GuardState.SWALLOWS:  # the only case the rule reports there
                out.append(MethodPlan(g, before_tenant_loop(version)))
            continue
        out.append(MethodPlan(g, _blocker(data, g)))
    return out


def _blocker(data: bytes, g: ExecuteGuard) -> str | None:
    if not _is_async(g.method) and _is_async_hook(g.method) and \
            not all(_from_result(v) is not None for v in _returned_values(g)):
        return NOT_ASYNC
    body = g.body
    if body is not None and body.type == "block" and len(body.named_children) <= len(g.leading):
        return LAYOUT  # nothing but declarations: not a body that compiles as an execute method
    if body is not None and body.type == "block" and g.state is not GuardState.SWALLOWS and not _compact(data, body):
        inner = body.named_children
        if inner and (same_line(data, body.children[0].end_byte, inner[0].start_byte)
                      or same_line(data, inner[-1].end_byte, body.children[-1].start_byte)):
            return LAYOUT
    return None


def verdict(ctx: TransformContext, info: ClassInfo) -> ClassVerdict:
    """What guard_execution would do to the class (the scan's `fixable`), without producing edits."""
    plans = method_plans(ctx.data, info, ctx.version)
    if not plans:
        if not supports(ctx.version, Feature.JOB_METADATA_AND_TENANT_LOOP):
            return ClassVerdict(f"Oqtane {ctx.version} has no tenant loop (from "
                                f"{Feature.JOB_METADATA_AND_TENANT_LOOP.since}) and logs a thrown exception as a "
                                "failed run: nothing to guard")
        return ClassVerdict(ALREADY)
    blocked = [p for p in plans if p.blocker is not None]
    if len(blocked) == len(plans):
        return ClassVerdict(blocked[0].blocker)
    return ClassVerdict(None, tuple((p.guard.method.start_byte, p.guard.method.end_byte) for p in blocked))


# What changes at run time, for the reviewer: the framework's catch sits around the whole tenant loop.
GUARDED_NOTE = ("an exception now becomes this tenant's outcome: the run goes on with the other tenants and is logged "
                "Succeeded = true with \"failed\" in its notes (before, the first exception ended the run for every "
                "later tenant and was logged Succeeded = false); look for \"failed\" in Admin › Scheduled Jobs › Log")


def guard_execution(ctx: TransformContext) -> TransformResult:
    result = TransformResult()
    for info in ctx.model.classes:
        if info.kind != "job" or not ctx.may_change_class(info.name):
            continue
        name = outcome_name(info)
        for plan in method_plans(ctx.data, info, ctx.version):
            if plan.blocker is not None:
                line = plan.guard.method.start_point[0] + 1
                result.manual.append(ManualFollowUp(ctx.rel, line, info.name, plan.blocker))
                continue
            result.edits.extend(_Writer(ctx, plan.guard, name).edits())
            if info.name not in result.touched:
                result.touched.append(info.name)
                result.manual.append(ManualFollowUp.review(ctx.rel, info.line, info.name, GUARDED_NOTE))
    return result


def outcome_name(info: ClassInfo) -> str:
    """The job's declared Name when it is a plain literal, else its class name in words (what declare-metadata
    adds): the text its outcomes start with."""
    for ctor in job_metadata(info).constructors:
        for a in ctor.assigned.get("Name", []):
            right = a.child_by_field_name("right")
            if right is not None and right.type == "string_literal":
                value = syntax.text(right)[1:-1]
                if value.strip() and not any(ch in value for ch in '\\{}"'):
                    return value
    return camel_words(info.name)


def _is_async(method: Node) -> bool:
    return "async" in modifiers(method)


def _is_async_hook(method: Node) -> bool:
    return syntax.text(method.child_by_field_name("name")) == "ExecuteJobAsync"


def _compact(data: bytes, block: Node) -> bool:
    """A block body written on one line."""
    return same_line(data, block.start_byte, block.end_byte)


def _returned_values(g: ExecuteGuard) -> list[Node | None]:
    """What the method returns: each own return statement's value, or the arrow's expression."""
    if g.body is not None and g.body.type == "arrow_expression_clause":
        return [g.body.named_children[0] if g.body.named_children else None]
    return [(r.named_children[0] if r.named_children else None)
            for r in syntax.descendants(g.method, "return_statement") if not deferred_within(r, g.method)]


def _from_result(value: Node | None) -> Node | None:
    """The argument of `Task.FromResult(x)` / `Task.FromResult<string>(x)`; None for anything else."""
    if value is None or value.type != "invocation_expression":
        return None
    fn = value.child_by_field_name("function")
    if fn is None or fn.type != "member_access_expression":
        return None
    name = fn.child_by_field_name("name")
    owner = syntax.text(fn.child_by_field_name("expression"))
    if name is None or syntax.text(name).split("<")[0] != "FromResult" or owner.split(".")[-1] != "Task":
        return None
    args = [a for a in fn.parent.child_by_field_name("arguments").named_children if a.type == "argument"]
    return args[0].named_children[0] if len(args) == 1 and args[0].named_children else None


def is_empty_outcome(value: Node | None) -> bool:
    """`null`, `""`, `@""`, `string.Empty`, `default`, `default(string)`: the job history would show nothing."""
    if value is None:
        return False
    text = syntax.text(value).replace(" ", "")
    return text in ('null', '""', '@""', "string.Empty", "String.Empty", "System.String.Empty", "default",
                    "default(string)", "default(String)")


class _Writer:
    """The edits that guard one execute method."""

    def __init__(self, ctx: TransformContext, guard: ExecuteGuard, name: str):
        self.ctx, self.g, self.name = ctx, guard, name
        self.data = ctx.data
        self.nl, self.unit = ctx.newline, ctx.indent
        self.method = guard.method
        self.sync_task = _is_async_hook(self.method) and not _is_async(self.method)
        self.exception = exception_type(ctx.tree.root_node)

    def edits(self) -> list[Edit]:
        if self.g.state is GuardState.SWALLOWS and not self.g.escaping_throws:
            return self._close_swallowing_catch()
        body = self.g.body
        if body.type == "arrow_expression_clause" or _compact(self.data, body):
            return [self._rebuild()]
        return [self._wrap_block()]

    # --- what the method returns -------------------------------------------------------------------------

    def _completed(self) -> str:
        return emit.completed(self.name)

    def _failed(self, var: str, outcome_var: str | None) -> str:
        text = emit.failed(self.name, var)
        if outcome_var is not None:
            text = f"{outcome_var} + {text}"
        return f"Task.FromResult({text})" if self.sync_task else text

    def _outcome_replacements(self, skip: tuple[Node, ...] = ()) -> list[tuple[int, int, str]]:
        """Empty outcomes become `<Name> completed<br />`."""
        out = []
        skipped = {n.id for n in skip}
        for r in syntax.descendants(self.method, "return_statement"):
            if r.id in skipped or deferred_within(r, self.method) or not r.named_children:
                continue
            value = r.named_children[0]
            inner = _from_result(value) if self.sync_task else value
            if is_empty_outcome(inner):
                out.append((inner.start_byte, inner.end_byte, self._completed()))
        return out

    def _outcome_variable(self, outside: tuple[Node, ...], statements: list[Node]) -> str | None:
        """`log` when the body ends with `return log;` and `log` is a string declared (and initialised) before
        the guard: the catch then keeps the notes written before the failure."""
        if self.sync_task or not statements or statements[-1].type != "return_statement":
            return None
        value = statements[-1].named_children[0] if statements[-1].named_children else None
        if value is None or value.type != "identifier":
            return None
        for decl in outside:
            vd = next((c for c in decl.named_children if c.type == "variable_declaration"), None)
            if vd is None:
                continue
            declared = syntax.text(vd.child_by_field_name("type"))
            for d in vd.named_children:
                if d.type != "variable_declarator" or syntax.text(d.named_children[0]) != syntax.text(value):
                    continue
                init = d.named_children[-1] if len(d.named_children) > 1 else None
                if init is None:
                    return None
                if declared in ("string", "String") or (
                        declared == "var" and (init.type in ("string_literal", "verbatim_string_literal",
                                                             "interpolated_string_expression")
                                               or syntax.text(init) in ("string.Empty", "String.Empty"))):
                    return syntax.text(value)
                return None
        return None

    # --- the guard's text ----------------------------------------------------------------------------------

    def _try_text(self, indent: str, inner: str, catch_var: str, failed: str) -> str:
        """`try { <inner> } catch (Exception ex) { return <failed>; }` at `indent`; `inner` is already indented
        and has no trailing newline."""
        nl, u = self.nl, self.unit
        if brace_on_own_line(self.data, self._style_block()):
            return (f"{indent}try{nl}{indent}{{{nl}{inner}{nl}{indent}}}{nl}"
                    f"{indent}catch ({self.exception} {catch_var}){nl}{indent}{{{nl}"
                    f"{indent}{u}return {failed};{nl}{indent}}}")
        return (f"{indent}try {{{nl}{inner}{nl}{indent}}} catch ({self.exception} {catch_var}) {{{nl}"
                f"{indent}{u}return {failed};{nl}{indent}}}")

    def _style_block(self) -> Node | None:
        body = self.g.body
        if body is not None and body.type == "block" and not _compact(self.data, body):
            return body
        cls = syntax.first_ancestor(self.method, "class_declaration", "struct_declaration", "record_declaration")
        return cls.child_by_field_name("body") if cls is not None else None

    def _wrap_block(self) -> Edit:
        body = self.g.body
        outside = tuple(s for s in self.g.leading
                        if not any(True for _ in syntax.descendants(s, "throw_statement", "throw_expression")))
        children = list(body.named_children)
        first = 0
        if outside:
            first = children.index(next(c for c in children if c.id == outside[-1].id)) + 1
        wrapped = children[first:]
        statements = [s for s in wrapped if s.type != "comment"]
        start = line_start(self.data, wrapped[0].start_byte)
        end = wrapped[-1].end_byte
        indent = line_indent(self.data, wrapped[0].start_byte)
        var = free_name(self.method)
        inner = indent_lines(self.data, self.ctx.tree.root_node, start, end, self.unit, self._outcome_replacements())
        failed = self._failed(var, self._outcome_variable(outside, statements))
        return Edit(start, end, self._try_text(indent, inner, var, failed), RULE_ID, "guard")

    def _rebuild(self) -> Edit:
        """An expression body or a one-line block becomes a block of its own lines, guarded."""
        body = self.g.body
        nl, u = self.nl, self.unit
        indent = line_indent(self.data, self.method.start_byte)
        stmt_indent = indent + u + u
        replacements = self._outcome_replacements()
        if body.type == "arrow_expression_clause":
            expr = body.named_children[0]
            value = _from_result(expr) if self.sync_task else expr
            if is_empty_outcome(value):
                replacements = [(value.start_byte, value.end_byte, self._completed())]
            text = apply_inside(self.data, expr.start_byte, expr.end_byte, replacements)
            keyword = "" if expr.type == "throw_expression" else "return "  # `=> throw …` becomes a throw statement
            lines = [stmt_indent + keyword + text.replace(nl, nl + u + u) + ";"]
        else:
            lines = [stmt_indent + apply_inside(self.data, s.start_byte, s.end_byte, replacements)
                     for s in body.named_children]
        var = free_name(self.method)
        guarded = self._try_text(indent + u, nl.join(lines), var, self._failed(var, None))
        prev = body.prev_sibling
        opening = f"{nl}{indent}{{" if brace_on_own_line(self.data, self._style_block()) else " {"
        return Edit(prev.end_byte, self.method.end_byte, f"{opening}{nl}{guarded}{nl}{indent}}}", RULE_ID, "guard")

    def _close_swallowing_catch(self) -> list[Edit]:
        """The catch-all falls through: it returns the failure; returns it made unreachable go."""
        g = self.g
        catch, block = g.catch, g.catch.child_by_field_name("body")
        edits: list[Edit] = []
        var = catch_variable(catch)
        if var is None:
            var = free_name(self.method)
            decl = next((x for x in catch.named_children if x.type == "catch_declaration"), None)
            if decl is not None:
                t = decl.child_by_field_name("type")
                edits.append(Edit(t.end_byte, t.end_byte, f" {var}", RULE_ID, "guard"))
            else:
                kw = catch.children[0]
                edits.append(Edit(kw.end_byte, kw.end_byte, f" ({self.exception} {var})", RULE_ID, "guard"))
        statements = [s for s in g.body.named_children if s.type != "comment"]
        after = statements[statements.index(next(s for s in statements if s.id == g.guard.id)) + 1:]
        outcome = self._outcome_variable(g.leading, statements)
        stmt = f"return {self._failed(var, outcome)};"
        inner = [c for c in block.named_children]
        if inner:
            at = inner[-1].end_byte
            edits.append(Edit(at, at, self.nl + line_indent(self.data, inner[-1].start_byte) + stmt, RULE_ID, "guard"))
        else:
            indent = line_indent(self.data, catch.start_byte)
            edits.append(Edit(block.children[0].end_byte, block.children[-1].start_byte,
                              f"{self.nl}{indent}{self.unit}{stmt}{self.nl}{indent}", RULE_ID, "guard"))
        clauses = [c for c in g.guard.named_children if c.type == "catch_clause" and c.id != catch.id]
        removed: tuple[Node, ...] = ()
        if always_exits(g.guard.child_by_field_name("body")) and all(always_exits(c.child_by_field_name("body")) for c in clauses) \
                and not any(c.type == "finally_clause" for c in g.guard.named_children):
            removed = tuple(s for s in after if s.type == "return_statement")
            for s in removed:
                edits.append(_statement_removal(self.data, s))
        edits.extend(Edit(a, b, t, RULE_ID, "outcome") for a, b, t in self._outcome_replacements(removed))
        return edits


def _statement_removal(data: bytes, stmt: Node) -> Edit:
    """Delete a statement with its line when it has the line to itself."""
    start = line_start(data, stmt.start_byte)
    nl = data.find(b"\n", stmt.end_byte)
    end = len(data) if nl < 0 else nl + 1
    if starts_line(data, stmt.start_byte) and not data[stmt.end_byte:end].strip():
        return Edit(start, end, "", RULE_ID, "unreachable")
    return Edit(stmt.start_byte, stmt.end_byte, "", RULE_ID, "unreachable")
