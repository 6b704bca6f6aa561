"""unwrap-tenant-loop (OQJ005): a job that loops over every tenant and switches to each one by hand runs its
work tenants² times, because HostedServiceBase already calls it once per tenant with that tenant set. Only the
loop's body is kept, for the current tenant.

What is unwrapped — anything less regular is left for a person, with the reason:
- one `foreach` over `ITenantRepository.GetTenants()` (directly, or through a local holding it) in ExecuteJob or
  ExecuteJobAsync, whose body switches tenant as a statement of its own: `SetTenant(tenant.TenantId)`, or an
  assignment of an alias made from the tenant to `SiteState.Alias`; nothing else in the body calls SetTenant
  or GetTenants;
- the loop is the last statement of the execute body, or of the body's outermost `try`, with only
  side-effect-free locals before it (services resolved from the provider, literals) and at most
  `return <log>;` after it (in the try, and after the try);
- the Oqtane version has ITenantManager (2.1.0).
The switching statements go; the loop variable, when the body still reads it, becomes
`provider.GetRequiredService<ITenantManager>().GetTenant()`; `continue`/`break` of the loop become the
`return` that followed it; locals that only fed the loop (the tenant repository, the tenant manager, the tenant
list) go. `SetAlias(tenantId, siteId)` for site context and loops over sites stay: the framework does not loop
over sites. A loop over aliases (one per site address, across tenants) is never unwrapped.
"""

from __future__ import annotations

from dataclasses import dataclass

from oqmigrate import syntax
from oqmigrate.analyse.expressions import has_effects
from oqmigrate.analyse.members import EXECUTE_METHODS, class_nodes, enclosing_function, params
from oqmigrate.analyse.names import invoked_name, node_text
from oqmigrate.analyse.tenancy import (is_site_state_alias_assignment, site_state_alias_assignments,
                                       site_state_holders, tenant_calls)
from oqmigrate.edits import Edit
from oqmigrate.model import ClassInfo
from oqmigrate.syntax import Node
from oqmigrate.transforms import ClassVerdict, ManualFollowUp, TransformContext, TransformResult
from oqmigrate.transforms.job_text import (alone_on_lines, apply_edits_inside, block_content, dedent, indent_of,
                                           line_end, line_start, removal_edits, spans_lines_inside_literal)
from oqmigrate.transforms.migrate_worker.usings import using_edit
from oqmigrate.versions import Feature, supports

NAME = "unwrap-tenant-loop"
RULE_ID = "OQJ005"
SERVICE_CALLS = {"GetRequiredService", "GetService"}
QUERY_CALLS = {"GetTenants", "ToList", "ToArray", "AsEnumerable"}
CURRENT_TENANT = "GetRequiredService<ITenantManager>().GetTenant()"

# reasons a loop stays (ManualFollowUp text and the scan's fix_blocker)
NO_LOOP = ("switches or resolves the tenant outside a loop over tenants; Oqtane sets the tenant before each run: "
           "read it with provider.GetRequiredService<ITenantManager>().GetTenant() and remove the switching by hand")
SEVERAL_LOOPS = "loops over tenants more than once; Oqtane already runs the job once per tenant: merge the loops by hand"
ALIAS_LOOP = ("loops over aliases (one per site address, across all tenants) and switches SiteState.Alias; Oqtane "
              "already runs the job once per tenant: loop over the tenant's sites (ISiteRepository.GetSites()) and "
              "call SetAlias(tenantId, siteId) where site context is needed")
NOT_FOREACH = "loops over tenants with something other than a foreach over GetTenants(); remove the loop by hand"
NOT_IN_EXECUTE = ("loops over tenants outside ExecuteJob/ExecuteJobAsync (in a helper or a lambda); keep only the "
                  "current tenant's work by hand")
NOT_LAST = ("the loop over tenants is not the last statement of the execute body or of its outermost try (only "
            "side-effect-free locals before it and `return <log>;` after it are unwrapped); remove it by hand")
NOT_SWITCHING = ("loops over tenants without switching to each one (SetTenant or SiteState.Alias as a statement of "
                 "the loop body); Oqtane runs the job once per tenant: keep only the current tenant's work by hand")
IRREGULAR_BODY = ("the loop over tenants switches tenant or lists tenants again inside nested code; remove the "
                  "switching by hand")
EXIT_WITHOUT_RETURN = ("the loop over tenants is left with continue/break but no `return <log>;` follows it; "
                       "unwrap it by hand")
EXIT_WITH_FINALLY = ("the loop over tenants is left with continue/break inside a try with a finally clause; unwrap it "
                     "by hand")
NAME_CLASH = "a local of the loop body has the name of another local of the execute method; unwrap the loop by hand"
LAYOUT = ("the loop over tenants shares its lines with other code, or its body has a string over several lines; "
          "unwrap it by hand")


def _no_tenant_manager(ctx: TransformContext) -> str:
    if not supports(ctx.version, Feature.JOB_METADATA_AND_TENANT_LOOP):
        return (f"Oqtane {ctx.version} does not run jobs once per tenant (from "
                f"{Feature.JOB_METADATA_AND_TENANT_LOOP.since}): the loop over tenants is needed there")
    return (f"Oqtane {ctx.version} has no ITenantManager (from {Feature.TENANT_MANAGER.since}) to read the current "
            "tenant; remove the loop by hand, or upgrade Oqtane first")


@dataclass(frozen=True)
class Unwrap:
    """One loop to unwrap and everything that changes with it."""

    loop: Node
    variable: str
    declared_type: str  # `var`, `Tenant`, … as the foreach wrote it
    provider: str  # the execute method's IServiceProvider parameter
    switches: tuple[Node, ...]  # statements of the body that switch tenant
    exits: tuple[Node, ...]  # continue/break of the loop
    returned: str | None  # the expression of the `return` that follows the loop
    dead: tuple[Node, ...]  # local declarations only the loop used (before the loop or in its body)
    reads_variable: bool
    kept: tuple[tuple[int, int], ...]  # OQJ005 hits it leaves as they are


def tenant_hits(info: ClassInfo) -> list[Node]:
    """What OQJ005 reports in the class, as nodes."""
    resolvers = [n for n in class_nodes(info, "identifier") if syntax.text(n) == "ITenantResolver"]
    return sorted(tenant_calls(info) + site_state_alias_assignments(info) + resolvers, key=lambda n: n.start_byte)


def _calls(n: Node, name: str) -> bool:
    return any(invoked_name(i)[1] == name for i in syntax.descendants(n, "invocation_expression"))


def _local_declarators(stmt: Node) -> list[Node]:
    if stmt.type != "local_declaration_statement":
        return []
    decl = next((c for c in stmt.named_children if c.type == "variable_declaration"), None)
    return [] if decl is None else [d for d in decl.named_children if d.type == "variable_declarator"]


def _initializer(declarator: Node) -> Node | None:
    kids = [c for c in declarator.named_children if c.type != "comment"]
    return kids[-1] if len(kids) > 1 else None


def _harmless(value: Node | None) -> bool:
    """No visible effect besides producing the value: literals, date arithmetic, services resolved from the
    provider, the tenant list, an object made without arguments (`new StringBuilder()`)."""
    if value is None:
        return True
    for n in syntax.walk(value):
        if n.type == "invocation_expression" and invoked_name(n)[1] in SERVICE_CALLS | QUERY_CALLS:
            continue
        if n.type == "object_creation_expression" and not syntax.arguments(n):
            continue
        if n.type in ("invocation_expression", "object_creation_expression", "await_expression",
                      "assignment_expression", "postfix_unary_expression", "prefix_unary_expression"):
            if has_effects(n):
                return False
    return True


def _harmless_local(stmt: Node) -> bool:
    decls = _local_declarators(stmt)
    return bool(decls) and all(_harmless(_initializer(d)) for d in decls)


def _simple_return(stmt: Node) -> str | None:
    """The expression of `return <log>;` (a name, a literal, `log.ToString()`); None for anything else."""
    if stmt.type != "return_statement":
        return None
    values = [c for c in stmt.named_children if c.type != "comment"]
    if len(values) != 1:
        return None
    v = values[0]
    if v.type in ("identifier", "string_literal", "null_literal", "member_access_expression") or (
            v.type == "invocation_expression" and invoked_name(v)[1] == "ToString" and not syntax.arguments(v)):
        return syntax.text(v)
    return None


def _tail(block: Node, stmt: Node) -> tuple[list[Node], list[Node]] | None:
    """(statements before `stmt`, after it) in `block`."""
    body = syntax.block_statements(block)
    if stmt not in body:
        return None
    i = body.index(stmt)
    return body[:i], body[i + 1:]


def _tenant_source(loop: Node, method: Node) -> bool:
    """Does the foreach iterate GetTenants(), directly or through a local holding it?"""
    right = loop.child_by_field_name("right")
    if right is None:
        return False
    if _calls(right, "GetTenants"):
        return True
    if right.type == "identifier":
        for d in syntax.descendants(method, "variable_declarator"):
            if node_text(d.child_by_field_name("name")) == syntax.text(right):
                init = _initializer(d)
                return init is not None and _calls(init, "GetTenants")
    return False


def _alias_loop(loop: Node, holders: set[str]) -> bool:
    right = loop.child_by_field_name("right")
    return right is not None and _calls(right, "GetAliases") and _switches_alias(loop, holders)


def _switches_alias(n: Node, holders: set[str]) -> bool:
    return any(is_site_state_alias_assignment(a, holders) for a in syntax.descendants(n, "assignment_expression"))


def _is_switch(stmt: Node, var: str, holders: set[str]) -> bool:
    """`x.SetTenant(var.TenantId);` or `siteState.Alias = new Alias { TenantId = var.TenantId … };`."""
    if stmt.type != "expression_statement" or not stmt.named_children:
        return False
    e = stmt.named_children[0]
    if e.type == "invocation_expression" and invoked_name(e)[1] == "SetTenant":
        args = syntax.arguments(e)
        return len(args) == 1 and "".join(syntax.text(args[0]).split()) == f"{var}.TenantId"
    if e.type == "assignment_expression" and syntax.text(e.child_by_field_name("operator")) == "=":
        right = e.child_by_field_name("right")
        if not is_site_state_alias_assignment(e, holders):
            return False
        return right.type == "object_creation_expression" and f"{var}.TenantId" in "".join(
            syntax.text(right).split()) and not has_effects_besides_creation(right)
    return False


def has_effects_besides_creation(creation: Node) -> bool:
    """`new Alias { TenantId = t.TenantId, SiteId = -1 }`: an effect only in its arguments or member values."""
    init = creation.child_by_field_name("initializer")
    values = [] if init is None else [a.child_by_field_name("right") if a.type == "assignment_expression" else a
                                      for a in init.named_children]
    return bool(syntax.arguments(creation)) or any(v is None or has_effects(v) for v in values)


def _owning_loop(n: Node) -> Node | None:
    """The loop a continue/break leaves (a break inside a switch leaves the switch: None)."""
    for a in syntax.ancestors(n):
        if a.type in syntax.LOOP_STATEMENTS:
            return a
        if n.type == "break_statement" and a.type in ("switch_section", "switch_statement"):
            return None
        if a.type in ("lambda_expression", "local_function_statement", "anonymous_method_expression"):
            return None
    return None


def _uses(method: Node, name: str, skip: list[Node]) -> int:
    """How often `name` is used in the method, outside the `skip` nodes and outside its own declarations."""
    count = 0
    for ident in syntax.descendants(method, "identifier"):
        if syntax.text(ident) != name or any(s.start_byte <= ident.start_byte < s.end_byte for s in skip):
            continue
        p = ident.parent
        if p.type == "variable_declarator" and p.child_by_field_name("name") == ident:
            continue
        if p.type == "member_access_expression" and p.child_by_field_name("name") == ident:
            continue
        count += 1
    return count


def _declared_names(scope: Node, skip: Node | None = None) -> set[str]:
    """Locals, loop and catch variables, out variables declared in `scope`, outside `skip`."""
    out = set()
    for d in syntax.descendants(scope, "variable_declarator", "foreach_statement", "catch_declaration",
                                "declaration_expression"):
        if skip is not None and skip.start_byte <= d.start_byte < skip.end_byte:
            continue
        name = d.child_by_field_name("name") if d.type != "foreach_statement" else d.child_by_field_name("left")
        if name is not None and name.type == "identifier":
            out.add(syntax.text(name))
    return out


def decide(ctx: TransformContext, info: ClassInfo) -> Unwrap | str:
    """The loop to unwrap, or why the class's manual tenant resolution stays."""
    hits = tenant_hits(info)
    holders = site_state_holders(info)
    loops = [n for n in class_nodes(info, "foreach_statement")
             if _calls(n.child_by_field_name("right") or n, "GetTenants") or _alias_loop(n, holders)
             or (enclosing_function(n) is not None and _tenant_source(n, enclosing_function(n)))]
    if not loops:
        other = [n for n in class_nodes(info, "for_statement", "while_statement", "do_statement")
                 if _calls(n, "GetTenants")]
        return NOT_FOREACH if other else NO_LOOP
    if not supports(ctx.version, Feature.TENANT_MANAGER):
        return _no_tenant_manager(ctx)
    if any(_alias_loop(n, holders) for n in loops):
        return ALIAS_LOOP
    if len(loops) > 1:
        return SEVERAL_LOOPS
    loop = loops[0]
    method = enclosing_function(loop)
    if method is None or method.type != "method_declaration" or \
            node_text(method.child_by_field_name("name")) not in EXECUTE_METHODS:
        return NOT_IN_EXECUTE
    method_body = method.child_by_field_name("body")
    block = loop.parent
    returned: list[str] = []
    outer_try = None
    if block is not None and block.parent is not None and block.parent.type == "try_statement" and \
            block.parent.parent == method_body and block.parent.child_by_field_name("body") == block:
        outer_try = block.parent
    if block != method_body and outer_try is None:
        return NOT_LAST
    for container, stmt in ((block, loop),) + (((method_body, outer_try),) if outer_try is not None else ()):
        before, after = _tail(container, stmt)
        if not all(_harmless_local(s) for s in before) or len(after) > 1:
            return NOT_LAST
        if after:
            value = _simple_return(after[0])
            if value is None:
                return NOT_LAST
            returned.append(value)
    var_node = loop.child_by_field_name("left")
    body = loop.child_by_field_name("body")
    if var_node is None or var_node.type != "identifier" or body is None or body.type != "block":
        return NOT_FOREACH
    var = syntax.text(var_node)
    switches = [s for s in syntax.block_statements(body) if _is_switch(s, var, holders)]
    if not switches:
        return NOT_SWITCHING
    if any(h.start_byte >= body.start_byte and h.end_byte <= body.end_byte and
           not any(s.start_byte <= h.start_byte < s.end_byte for s in switches) for h in hits):
        return IRREGULAR_BODY
    exits = [n for n in syntax.descendants(body, "continue_statement", "break_statement") if _owning_loop(n) == loop]
    if exits and not returned:
        return EXIT_WITHOUT_RETURN
    if exits and outer_try is not None and any(c.type == "finally_clause" for c in outer_try.named_children):
        return EXIT_WITH_FINALLY
    if not alone_on_lines(ctx.data, loop) or block_content(ctx.data, body) is None or \
            spans_lines_inside_literal(body) or any(not alone_on_lines(ctx.data, s) for s in switches):
        return LAYOUT
    body_names = {syntax.text(d.child_by_field_name("name")) for s in syntax.block_statements(body)
                  for d in _local_declarators(s)}
    if body_names & _declared_names(method_body, skip=loop):
        return NAME_CLASH
    plist = params(method.child_by_field_name("parameters"))
    provider = plist[0].name if plist else "provider"
    # locals that only fed the loop: the tenant list, the repository, the tenant manager, a SiteState
    removed: list[Node] = [loop.child_by_field_name("right"), *switches]
    candidates = [s for s in (syntax.block_statements(method_body) + (syntax.block_statements(block) if outer_try else []) + syntax.block_statements(body))
                  if len(_local_declarators(s)) == 1 and _feeds_loop(_initializer(_local_declarators(s)[0]))]
    dead: list[Node] = []
    changed = True
    while changed:
        changed = False
        for s in candidates:
            name = syntax.text(_local_declarators(s)[0].child_by_field_name("name"))
            if s not in dead and _uses(method, name, removed + dead) == 0 and alone_on_lines(ctx.data, s):
                dead.append(s)
                changed = True
    reads = _uses(body, var, switches + dead) > 0
    kept = tuple((h.start_byte, h.end_byte) for h in hits
                 if not any(r.start_byte <= h.start_byte < r.end_byte for r in removed + dead))
    return Unwrap(loop, var, node_text(loop.child_by_field_name("type")) or "var", provider, tuple(switches),
                  tuple(exits), returned[0] if returned else None, tuple(dead), reads, kept)


def _feeds_loop(value: Node | None) -> bool:
    if value is None:
        return False
    calls = [invoked_name(i)[1] for i in syntax.descendants(value, "invocation_expression")]
    return bool(calls) and all(c in SERVICE_CALLS | QUERY_CALLS for c in calls)


def verdict(ctx: TransformContext, info: ClassInfo) -> ClassVerdict:
    plan = decide(ctx, info)
    if isinstance(plan, str):
        return ClassVerdict(plan)
    if _loop_edit(ctx, plan) is None:
        return ClassVerdict(LAYOUT)
    return ClassVerdict(None, plan.kept)


def _loop_edit(ctx: TransformContext, plan: Unwrap) -> Edit | None:
    data = ctx.data
    body = plan.loop.child_by_field_name("body")
    start, end = block_content(data, body)
    outer = indent_of(data, plan.loop)
    first = next((s for s in syntax.block_statements(body)), None)
    inner = indent_of(data, first) if first is not None else outer + ctx.indent
    if not inner.startswith(outer) or inner == outer:
        return None
    inside: list[Edit] = []
    switches = list(plan.switches)
    declaration = f"{plan.declared_type} {plan.variable} = {plan.provider}.{CURRENT_TENANT};"
    if plan.reads_variable:
        if first in switches:
            switches.remove(first)
            inside.append(Edit(first.start_byte, first.end_byte, declaration))
        else:
            inside.append(Edit(start, start, inner + declaration + ctx.newline))
    inside += [e for e in removal_edits(data, [*switches, *(d for d in plan.dead if d.parent == body)], RULE_ID, NAME)]
    inside += [Edit(x.start_byte, x.end_byte, f"return {plan.returned};") for x in plan.exits]
    # a removal that reaches the closing brace's line or before the opening one stays inside the content
    inside = [Edit(max(e.start_byte, start), min(e.end_byte, end), e.new_text) for e in inside]
    text = dedent(apply_edits_inside(data, start, end, inside), inner, outer)
    if text is None:
        return None
    return Edit(line_start(data, plan.loop.start_byte), line_end(data, plan.loop.end_byte), text, RULE_ID, NAME)


def unwrap_tenant_loop(ctx: TransformContext) -> TransformResult:
    result = TransformResult()
    edits: list[Edit] = []
    for info in ctx.model.classes:
        if info.kind != "job" or not ctx.may_change_class(info.name) or not tenant_hits(info):
            continue
        plan = decide(ctx, info)
        if isinstance(plan, str):
            result.manual.append(ManualFollowUp(ctx.rel, info.line, info.name, plan))
            continue
        loop_edit = _loop_edit(ctx, plan)
        if loop_edit is None:
            result.manual.append(ManualFollowUp(ctx.rel, info.line, info.name, LAYOUT))
            continue
        edits.append(loop_edit)
        edits += removal_edits(ctx.data, [d for d in plan.dead if d.parent != plan.loop.child_by_field_name("body")],
                               RULE_ID, NAME)
        result.touched.append(info.name)
        result.manual.append(ManualFollowUp.review(
            ctx.rel, info.line, info.name,
            "the loop over tenants is gone; Oqtane runs the job once per tenant with the tenant set, so the "
            "body now does the current tenant's work only"))
    if not edits:
        return result
    result.edits = edits
    if any(CURRENT_TENANT in e.new_text for e in edits):
        usings = using_edit(ctx, edits, {"Microsoft.Extensions.DependencyInjection", "Oqtane.Infrastructure"})
        if usings is not None:
            result.edits.append(Edit(usings.start_byte, usings.end_byte, usings.new_text, RULE_ID, "usings"))
    return result
