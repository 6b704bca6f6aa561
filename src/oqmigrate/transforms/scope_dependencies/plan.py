"""What scope-dependencies would do to one job, decided without edits: the services it moves and where to.

`plan(ctx, info)` returns a `Plan` (the rewrite is possible) or a `str` (the exact reason it is not, which the
transform reports as a manual follow-up and the scan shows as `fix_blocker`). Both `verdict` and the transform
call it, so `fixable` and the diff cannot disagree.

A dependency is a field or property that holds a service:
- assigned in the constructor from a constructor parameter (any parameter but IServiceScopeFactory and the loggers),
- assigned once in the constructor (or its initializer) from `X.GetRequiredService<T>()`/`GetService<T>()` on a
  provider or scope, `ActivatorUtilities.CreateInstance<T>(sp)`, or `new T()` (no arguments), or
- assigned once inside the execute method from the provider (cached across tenants and runs).
The first two become `provider.GetRequiredService<T>()` locals at the top of the execute method (at the top of its
outermost try block when the body has one, so a guarded body stays guarded); private helpers that read them get
them as parameters. The third becomes a local where it is assigned. Kept on purpose: fields and parameters of the
logger types (`ILogger`, `ILogger<T>`, `ILoggerFactory`: singletons that hold no tenant state) and
`IServiceScopeFactory`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from oqmigrate import syntax
from oqmigrate.analyse.members import (
    DEFERRED_CODE, LOGGER_TYPES, Field, assigned_member, class_nodes, constructor_base_args, constructors, enclosing_member,
    execute_methods, fields, initializer, methods, modifiers, params, writes,
)
from oqmigrate.analyse.names import invoked_name, local_name, node_text, simple
from oqmigrate.analyse.statements import constructor_statements, statement_head
from oqmigrate.model import ClassInfo, type_name
from oqmigrate.rules import oqj010_cached_dependency as oqj010
from oqmigrate.rules import oqj016_constructor_side_effects as oqj016
from oqmigrate.syntax import Node
from oqmigrate.transforms import TransformContext

FACTORY = "IServiceScopeFactory"
KEPT_TYPES = LOGGER_TYPES | {FACTORY}
RESOLVE = ("GetRequiredService", "GetService")
SCOPE_CALLS = ("CreateScope", "CreateAsyncScope")
# Calls and constructions whose delegate argument runs after the execute method returned.
DEFERRING_CALLS = ("Run", "StartNew", "QueueUserWorkItem", "ContinueWith", "Register", "Subscribe")
DEFERRING_TYPES = ("Timer", "Thread")
METADATA = ("Name", "Frequency", "Interval", "StartDate", "EndDate", "RetentionHistory", "IsEnabled")
NOTHING_TO_MOVE = "the job keeps no service that scope-dependencies can move"


@dataclass
class Dependency:
    member: str  # the field or property
    local: str  # the local (and helper parameter) it becomes
    type_text: str  # the service type, as written
    resolve: str  # C# of the resolving expression, with `{p}` for the provider parameter
    decl: Node  # its declaration (removed)
    in_execute: Node | None = None  # the statement assigning it inside the execute method (becomes a declaration)
    note: str = ""  # a review note for the person


@dataclass
class Plan:
    execute: Node
    provider: str
    insert_block: Node  # the block whose top receives the locals
    deps: list[Dependency]
    removed_params: list[Node]
    removed_statements: list[Node]  # constructor statements that go
    helpers: dict[int, tuple[Node, list[Dependency]]]  # helper method id -> (method, the dependencies it receives)
    calls: list[tuple[Node, list[Dependency]]]  # argument lists of helper calls that receive the locals
    reads: list[tuple[Node, Dependency]]  # nodes (identifier or this._x) replaced by the local
    kept: list[Node] = field(default_factory=list)  # constructor statements with side effects left for a person
    kept_why: list[str] = field(default_factory=list)



def _identifiers(node: Node) -> set[str]:
    return {syntax.text(n) for n in syntax.descendants(node, "identifier")}


def _member_reads(info: ClassInfo, name: str) -> list[Node]:
    """Nodes that name the member: `_x` or `this._x` (the latter as the member access)."""
    out = []
    for n in class_nodes(info, "identifier"):
        if syntax.text(n) != name:
            continue
        parent = n.parent
        if parent is None:
            continue
        if parent.type in ("variable_declarator", "property_declaration", "parameter") and \
                parent.child_by_field_name("name") is not None and parent.child_by_field_name("name").id == n.id:
            continue
        if parent.type == "variable_declarator" and parent.named_children and parent.named_children[0].id == n.id:
            continue
        if parent.type == "member_access_expression" and parent.child_by_field_name("name") is not None \
                and parent.child_by_field_name("name").id == n.id:
            e = parent.child_by_field_name("expression")
            if e is not None and e.type in ("this", "this_expression"):
                out.append(parent)
            continue  # other._x names another object's member
        out.append(n)
    return out


def _resolution(rhs: Node, provider_names: set[str]) -> tuple[str, str] | str:
    """(type, C# with `{p}`) for a recognised service resolution, else why not."""
    if rhs.type == "invocation_expression":
        recv, name = invoked_name(rhs)
        fn = rhs.child_by_field_name("function")
        gname = fn.child_by_field_name("name") if fn is not None and fn.type == "member_access_expression" else None
        args = syntax.arguments(rhs)
        if gname is not None and gname.type == "generic_name":
            targs = gname.named_children[-1].named_children
            if len(targs) == 1:
                t = syntax.text(targs[0])
                if name in RESOLVE and not args:
                    return t, "{p}." + name + "<" + t + ">()"
                if simple(recv) == "ActivatorUtilities" and name == "CreateInstance" and len(args) == 1:
                    return t, "ActivatorUtilities.CreateInstance<" + t + ">({p})"
        return f"assigned from `{syntax.text(rhs)}`, which the codemod does not read as a service resolution"
    if rhs.type == "object_creation_expression":
        tnode = rhs.child_by_field_name("type")
        t = syntax.text(tnode) if tnode is not None else "?"
        alist = rhs.child_by_field_name("arguments")
        if (alist is not None and alist.named_children) or rhs.child_by_field_name("initializer") is not None:
            return (f"created with `{syntax.text(rhs)}`, whose arguments dependency injection cannot supply; register "
                    f"{t} with DI (in the module's Startup) and resolve it with provider.GetRequiredService<{t}>() in "
                    "the execute method by hand")
        return t, "{p}.GetRequiredService<" + t + ">()"
    return f"assigned from `{syntax.text(rhs)}`, which the codemod does not read as a service resolution"


def _defers(lam: Node) -> str | None:
    """Why a delegate runs after the execute method returned, or None when it runs within the call (LINQ, …)."""
    parent = lam.parent
    while parent is not None and parent.type in ("argument", "parenthesized_expression", "cast_expression"):
        parent = parent.parent
    if parent is None:
        return None
    if parent.type == "argument_list":
        call = parent.parent
        if call is not None and call.type == "invocation_expression":
            _, name = invoked_name(call)
            if name in DEFERRING_CALLS:
                return f"a delegate passed to {name}(), which runs after the execute method returned"
        if call is not None and call.type == "object_creation_expression":
            t = simple(type_name(call.child_by_field_name("type")))
            if t in DEFERRING_TYPES:
                return f"a delegate given to a {t}, which runs after the execute method returned"
    if parent.type == "assignment_expression":
        op = "".join(syntax.text(c) for c in parent.children if not c.is_named)
        left = parent.child_by_field_name("left")
        if op == "+=" or (left is not None and assigned_member(left)):
            return "a delegate stored in a field or event, which outlives the run"
    return None


def _outliving_lambda(node: Node, stop: Node) -> str | None:
    for a in syntax.ancestors(node):
        if a.id == stop.id:
            return None
        if a.type in DEFERRED_CODE:
            why = _defers(a)
            if why:
                return why
    return None


def _within(node: Node, outer: Node) -> bool:
    return outer.start_byte <= node.start_byte and node.end_byte <= outer.end_byte


def _top_try(body: Node) -> Node | None:
    return next((s for s in body.named_children if s.type == "try_statement"), None)


def plan(ctx: TransformContext, info: ClassInfo) -> Plan | str:
    """The rewrite of one job class, or why scope-dependencies leaves it to a person."""
    if info.primary_parameters is not None:
        return _primary_plan(ctx, info)
    ctors = constructors(info)
    if len(ctors) != 1:
        return ("the job has no constructor" if not ctors else "the job has several constructors") + \
            ("; give it one `public " + info.name + "(IServiceScopeFactory serviceScopeFactory) : "
             "base(serviceScopeFactory)` that declares the metadata, by hand")
    ctor = ctors[0]
    ps = params(ctor.child_by_field_name("parameters"))
    factories = [p for p in ps if p.simple_type == FACTORY]
    base_args = constructor_base_args(ctor)
    if "public" not in modifiers(ctor):
        return "the constructor is not public (Oqtane creates jobs through it); make it public by hand"
    if not factories:
        return ("the constructor does not take IServiceScopeFactory; make it take `IServiceScopeFactory "
                "serviceScopeFactory` and pass it to base(...) by hand")
    if base_args is None or factories[0].name not in base_args:
        return f"the constructor does not pass {factories[0].name} to base(...); pass it by hand"
    found = _execute_of(info)
    if isinstance(found, str):
        return found
    execute, body, provider = found

    ctor_body = ctor.child_by_field_name("body")
    ctor_params = {p.name: p for p in ps}
    from_params = {}
    for fname, (pname, _pt) in _param_assignments(ctor).items():
        from_params[fname] = ctor_params[pname]
    provider_names = {p.name for p in ps}
    all_writes: dict[str, list[Node]] = {}
    for name, node in writes(info):
        all_writes.setdefault(name, []).append(node)

    deps: list[Dependency] = []
    removed: list[Node] = []
    for f in fields(info):
        if "const" in f.modifiers or (f.type_node is not None and simple(type_name(f.type_node)) in KEPT_TYPES):
            continue
        dep = _dependency(ctx, info, f, from_params, all_writes, ctor, execute, provider_names)
        if dep is None:
            continue
        if isinstance(dep, str):
            return dep
        deps.append(dep)
    removed_params = [p for p in ctor.child_by_field_name("parameters").named_children
                      if p.type == "parameter" and simple(type_name(p.child_by_field_name("type"))) not in KEPT_TYPES]

    # constructor statements that go: assignments of moved members, then the scopes and providers only they used
    moved = {d.member for d in deps}
    for stmt in (s for s in ctor_body.named_children if s.type != "comment") if ctor_body is not None else ():
        if _assigns(stmt, moved):
            removed.append(stmt)
    changed = True
    while changed and ctor_body is not None:
        changed = False
        for stmt in ctor_body.named_children:
            if stmt.type == "comment" or any(stmt.id == r.id for r in removed):
                continue
            if _scope_plumbing(stmt, moved, removed, ctor_body):
                removed.append(stmt)
                changed = True
    removed_names = {node_text(p.child_by_field_name("name")) for p in removed_params} | moved
    removed_names |= {n for s in removed for n in _declared(s)}
    kept: list[Node] = []
    kept_why: list[str] = []
    for stmt in ctor_body.named_children if ctor_body is not None else ():
        if stmt.type == "comment" or any(stmt.id == r.id for r in removed):
            continue
        used = sorted(removed_names & _identifiers(stmt))
        if used and _sets_metadata(stmt):
            return (f"the constructor uses {used[0]} in `{_one_line(stmt)}`: metadata cannot come from a service "
                    "(Oqtane reads it outside any tenant, once, to create the job row); declare a constant value and "
                    "let administrators change it in Admin › Scheduled Jobs, by hand")
        if used:
            return (f"the constructor uses {used[0]} in `{_one_line(stmt)}`, which runs outside any tenant each time "
                    "Oqtane creates the job; move that work into the execute method by hand")
        for inner in [stmt, *(s for s in constructor_statements(stmt) if s.id != stmt.id)]:
            why = oqj016._side_effect(statement_head(inner))
            if why:
                kept.append(stmt)
                kept_why.append(f"the constructor {why} (`{_one_line(stmt)}`): move that work into the execute method "
                                "by hand")
                break
    if not deps and not removed_params and not removed:
        return kept_why[0] if kept_why else NOTHING_TO_MOVE

    return _placement(info, deps, removed_params, removed, kept, kept_why, execute, body, provider)


def _placement(info: ClassInfo, deps: list[Dependency], removed_params: list[Node], removed: list[Node],
               kept: list[Node], kept_why: list[str], execute: Node, body: Node, provider: str) -> Plan | str:
    """Where each dependency is read — the execute method, private helpers it calls, nowhere else — and the plan."""
    try_stmt = _top_try(body)
    insert_block = try_stmt.child_by_field_name("body") if try_stmt is not None else body
    helpers: dict[int, tuple[Node, list[Dependency]]] = {}
    reads: list[tuple[Node, Dependency]] = []
    removed_ids = [r for r in removed]
    for d in deps:
        for r in _member_reads(info, d.member):
            if any(_within(r, s) for s in removed_ids) or any(_within(r, x.decl) for x in deps):
                continue
            if d.in_execute is not None and _within(r, d.in_execute.child_by_field_name("left") or d.in_execute):
                continue
            member = enclosing_member(r)
            if member is None:
                return f"{d.member} is read outside a member; move it by hand"
            why = _outliving_lambda(r, member)
            if why:
                return (f"{d.member} is used in {why}; await that work inside the run (ExecuteJobAsync) by hand, "
                        "then run scope-dependencies again")
            if member.id == execute.id:
                if d.in_execute is not None:
                    block = d.in_execute.parent
                    if not (_within(r, block) and r.start_byte > d.in_execute.end_byte):
                        return (f"{d.member} is read in the execute method outside the block that assigns it; "
                                "make it a local by hand")
                elif not _within(r, insert_block):
                    return (f"{d.member} is read outside the execute method's try block; resolve it where it is used, "
                            "by hand")
                reads.append((r, d))
                continue
            if d.in_execute is None and member.type == "method_declaration" and _private_helper(member):
                helpers.setdefault(member.id, (member, []))
                if d not in helpers[member.id][1]:
                    helpers[member.id][1].append(d)
                reads.append((r, d))
                continue
            where = node_text(member.child_by_field_name("name")) or member.type.replace("_", " ")
            return (f"{d.member} is used by {where}, which is not a private instance helper of the execute method; "
                    f"pass {d.type_text} to it from the execute method by hand")
    # helper calls: only from the execute method, only direct calls
    calls: list[tuple[Node, list[Dependency]]] = []
    for method, hdeps in helpers.values():
        hname = node_text(method.child_by_field_name("name"))
        if len(methods(info, hname)) != 1:
            return f"{hname} is overloaded; pass {hdeps[0].type_text} to it by hand"
        hp = {syntax.text(i) for i in syntax.descendants(method, "identifier")
              if not any(_within(i, r) for r, _ in reads)}
        for d in hdeps:
            if d.local in hp:
                return f"{hname} already uses the name {d.local}; pass {d.type_text} to it by hand"
        for ident in class_nodes(info, "identifier"):
            if syntax.text(ident) != hname or (ident.parent is not None and ident.parent.id == method.id):
                continue
            if _names_other_object_member(ident):
                continue  # `other.Save(...)`: another object's method
            call = _call_of(ident)
            if call is None:
                return f"{hname} is used as a delegate; pass {hdeps[0].type_text} to it by hand"
            if not _within(call, insert_block) or _outliving_lambda(call, execute):
                where = enclosing_member(call)
                wname = node_text(where.child_by_field_name("name")) if where is not None else "?"
                return (f"{hname} is called from {wname if where is None or where.id != execute.id else 'outside the execute method try block'}, "
                        f"which does not resolve {hdeps[0].type_text}; pass it by hand")
            calls.append((call.child_by_field_name("arguments"), hdeps))
    # the new locals must not collide with names the execute method already uses
    replaced = [r for r, _ in reads]
    taken = {syntax.text(i) for i in syntax.descendants(execute, "identifier")
             if not any(_within(i, r) for r in replaced)} | {provider}
    for d in deps:
        if not d.local:
            return f"no local name can be derived from {d.member}; move it by hand"
        if d.local in taken and d.in_execute is None:
            return f"the execute method already uses the name {d.local}; move {d.member} into it by hand"
        taken.add(d.local)
    return Plan(execute, provider, insert_block, deps, removed_params, removed, helpers, calls, reads, kept, kept_why)


def _sets_metadata(stmt: Node) -> bool:
    """`Name = ...`, `this.Interval = ...`: an assignment of one of HostedServiceBase's metadata properties."""
    if stmt.type != "expression_statement" or not stmt.named_children:
        return False
    a = stmt.named_children[0]
    left = a.child_by_field_name("left") if a.type == "assignment_expression" else None
    return left is not None and assigned_member(left) in METADATA


def _execute_of(info: ClassInfo) -> tuple[Node, Node, str] | str:
    """(execute method, its block body, its provider parameter), or why there is none to move services into."""
    execs = execute_methods(info)
    if len(execs) != 1:
        return ("the job has no ExecuteJob or ExecuteJobAsync" if not execs else
                "the job overrides both ExecuteJob and ExecuteJobAsync") + "; fix that first, then run scope-dependencies"
    execute = execs[0]
    body = execute.child_by_field_name("body")
    eps = params(execute.child_by_field_name("parameters"))
    if body is None or body.type != "block" or len(eps) != 1:
        return "the execute method has no block body; give it one, then run scope-dependencies"
    return execute, body, eps[0].name


def _primary_plan(ctx: TransformContext, info: ClassInfo) -> Plan | str:
    """A C# 12 primary constructor (the file already uses C# 12): its service parameters leave the parameter list
    and become locals of the same name in the execute method (helpers receive them as parameters)."""
    if constructors(info):
        return "the job has a primary constructor and other constructors; keep one constructor by hand"
    plist = info.primary_parameters
    ps = params(plist)
    factories = [p for p in ps if p.simple_type == FACTORY]
    base_args = None
    for b in info.node.named_children:
        if b.type == "base_list":
            for x in b.named_children:
                if x.type in ("argument_list", "primary_constructor_base_type"):
                    base_args = [syntax.text(a).strip() for a in syntax.descendants(x, "argument")]
    if not factories:
        return ("the primary constructor does not take IServiceScopeFactory; make it take `IServiceScopeFactory "
                "serviceScopeFactory` and pass it to the base class by hand")
    if base_args is None or factories[0].name not in base_args:
        return f"the primary constructor does not pass {factories[0].name} to the base class; pass it by hand"
    found = _execute_of(info)
    if isinstance(found, str):
        return found
    execute, body, provider = found
    by_name = {node_text(n.child_by_field_name("name")): n for n in plist.named_children if n.type == "parameter"}
    deps: list[Dependency] = []
    removed_params: list[Node] = []
    for p in ps:
        if p.simple_type in KEPT_TYPES:
            continue
        if p.type_node is None or p.type_node.type == "predefined_type":
            return (f"the primary constructor takes {p.name}, a value Oqtane cannot supply; declare it as a constant "
                    "or read it from settings in the execute method, by hand")
        if any(node_text(d.child_by_field_name("name")) == p.name and d.parent is not None and d.parent.id != plist.id
               for d in class_nodes(info, "variable_declarator", "parameter")):
            return f"the job declares another {p.name}; move the parameter {p.name} into the execute method by hand"
        t = syntax.text(p.type_node)
        deps.append(Dependency(p.name, p.name, t, "{p}.GetRequiredService<" + t + ">()", by_name[p.name]))
        removed_params.append(by_name[p.name])
    all_writes: dict[str, list[Node]] = {}
    for name, node in writes(info):
        all_writes.setdefault(name, []).append(node)
    param_types = {p.name: p for p in ps}
    for f in fields(info):
        if "const" in f.modifiers or (f.type_node is not None and simple(type_name(f.type_node)) in KEPT_TYPES):
            continue
        init = initializer(f.declarator)
        if init is not None and init.type == "identifier" and syntax.text(init) in param_types:
            p = param_types[syntax.text(init)]
            if p.simple_type in KEPT_TYPES:
                continue
            why = _movable_declaration(f)
            if why:
                return why
            if all_writes.get(f.name):
                return f"{f.name} is assigned again after its initializer; make it a local of the execute method by hand"
            t = syntax.text(p.type_node)
            deps.append(Dependency(f.name, local_name(f.name), t, "{p}.GetRequiredService<" + t + ">()", f.node))
            continue
        dep = _dependency(ctx, info, f, {}, all_writes, None, execute, set())
        if dep is None:
            continue
        if isinstance(dep, str):
            return dep
        deps.append(dep)
    if not deps:
        return NOTHING_TO_MOVE
    return _placement(info, deps, removed_params, [], [], [], execute, body, provider)


def _param_assignments(ctor: Node) -> dict[str, tuple[str, Node]]:
    """field -> (constructor parameter, its type) for `_x = p;` and `_x = p ?? throw ...;`."""
    ps = {p.name: p.type_node for p in params(ctor.child_by_field_name("parameters"))}
    out = {}
    for a in syntax.descendants(ctor, "assignment_expression"):
        left, right = a.child_by_field_name("left"), a.child_by_field_name("right")
        name = assigned_member(left) if left is not None else None
        r = right
        if r is not None and r.type == "binary_expression" and syntax.text(r.child_by_field_name("operator")) == "??":
            r = r.child_by_field_name("left")
        if name and r is not None and r.type == "identifier" and syntax.text(r) in ps:
            out[name] = (syntax.text(r), ps[syntax.text(r)])
    return out


def _dependency(ctx, info: ClassInfo, f: Field, from_params, all_writes, ctor: Node | None, execute: Node,
                provider_names: set[str]) -> Dependency | str | None:
    """The dependency a field is, None when it holds no service, or why it cannot be moved."""
    name = f.name
    ws = all_writes.get(name, [])
    init = initializer(f.declarator)
    if name in from_params:
        p = from_params[name]
        if p.simple_type in KEPT_TYPES:
            return None
        why = _movable_declaration(f)
        if why:
            return why
        if len(ws) != 1 or init is not None:
            return f"{name} is assigned more than once; move it into the execute method by hand"
        if not _top_level_in(ws[0], ctor):
            return f"{name} is assigned inside a condition or loop of the constructor; move it by hand"
        if p.type_node is None or p.type_node.type == "predefined_type":
            return (f"the constructor takes {p.name}, a value Oqtane cannot supply; declare it as a constant or read "
                    "it from settings in the execute method, by hand")
        if p.simple_type in ("IServiceProvider",):
            return (f"{name} keeps the root IServiceProvider; use the execute method's provider parameter instead, by "
                    "hand")
        t = syntax.text(p.type_node)
        return Dependency(name, local_name(name), t, "{p}.GetRequiredService<" + t + ">()", f.node)
    values = [w.child_by_field_name("right") for w in ws if w.type == "assignment_expression"]
    flagged = any(oqj010._resolves_service(v) for v in values + ([init] if init is not None else []) if v is not None)
    if not flagged:
        return None
    why = _movable_declaration(f)
    if why:
        return why
    sources = ws + ([init] if init is not None else [])
    if len(sources) != 1 or (ws and ws[0].type != "assignment_expression"):
        return f"{name} is assigned more than once; make it a local of the execute method by hand"
    if ws and enclosing_member(ws[0]) is not None and enclosing_member(ws[0]).id == execute.id:
        stmt = ws[0].parent
        op = "".join(syntax.text(c) for c in ws[0].children if not c.is_named)
        if stmt is None or stmt.type != "expression_statement" or op != "=" or stmt.parent is None \
                or stmt.parent.type != "block":
            return f"{name} is assigned inside an expression of the execute method; make it a local by hand"
        t = syntax.text(f.type_node)
        return Dependency(name, local_name(name), t, "", f.node, in_execute=stmt)
    rhs = init if init is not None else ws[0].child_by_field_name("right")
    if init is None:
        if not _top_level_in(ws[0], ctor, scopes=True):
            where = enclosing_member(ws[0])
            wname = node_text(where.child_by_field_name("name")) if where is not None else "?"
            return (f"{name} is resolved in {wname}, not in the constructor or the execute method; resolve it from "
                    "provider in the execute method by hand")
    res = _resolution(rhs, provider_names)
    if isinstance(res, str):
        return f"{name} is {res}"
    t, expr = res
    note = ""
    if rhs.type == "object_creation_expression":
        created = t
        declared = syntax.text(f.type_node) if f.type_node is not None else t
        if declared != t and re.match(r"I[A-Z]", simple(type_name(f.type_node))):
            t, expr = declared, "{p}.GetRequiredService<" + declared + ">()"  # resolve the service, as registered
        note = (f"{name} was created with `new {created}()`; it is now resolved from the provider as {t}, so {t} must "
                "be registered with dependency injection (implement Oqtane's ITransientService, or add it in the "
                "module's IServerStartup ConfigureServices)")
    return Dependency(name, local_name(name), t, expr, f.node, note=note)


def _movable_declaration(f: Field) -> str | None:
    if "static" in f.modifiers:
        return (f"{f.name} is static: one service shared by every instance, tenant and run; make it a local of the "
                "execute method and remove the static state by hand")
    if f.declarator is not None:
        decl = f.declarator.parent
        if decl is not None and sum(1 for c in decl.named_children if c.type == "variable_declarator") > 1:
            return f"{f.name} is declared together with other fields; split the declaration, then run the codemod again"
    elif f.node.type == "property_declaration":
        acc = f.node.child_by_field_name("accessors")
        if acc is None or any(a.child_by_field_name("body") is not None for a in acc.named_children
                              if a.type == "accessor_declaration"):
            return f"{f.name} is a property with code; move it by hand"
        if "public" in f.modifiers or "protected" in f.modifiers or "internal" in f.modifiers:
            return f"{f.name} is visible outside the job; move it by hand"
    if "public" in f.modifiers or "protected" in f.modifiers or "internal" in f.modifiers:
        return f"{f.name} is visible outside the job; move it by hand"
    return None


def _top_level_in(write: Node, ctor: Node | None, scopes: bool = False) -> bool:
    """The write is an expression statement of the constructor body (or, with `scopes`, of a using block on a
    scope the constructor creates)."""
    stmt = write.parent
    if ctor is None:
        return False
    if stmt is None or stmt.type != "expression_statement" or stmt.parent is None:
        return False
    block = stmt.parent
    body = ctor.child_by_field_name("body")
    if body is not None and block.id == body.id:
        return True
    return scopes and block.parent is not None and block.parent.type == "using_statement" and \
        block.parent.parent is not None and body is not None and block.parent.parent.id == body.id and \
        _creates_scope(block.parent)


def _creates_scope(using: Node) -> bool:
    for inv in syntax.descendants(using, "invocation_expression"):
        if syntax.first_ancestor(inv, "block") is not None and _within(syntax.first_ancestor(inv, "block"), using):
            continue
        if invoked_name(inv)[1] in SCOPE_CALLS:
            return True
    return False


def _assigns(stmt: Node, moved: set[str]) -> bool:
    if stmt.type != "expression_statement" or not stmt.named_children:
        return False
    a = stmt.named_children[0]
    if a.type != "assignment_expression":
        return False
    left = a.child_by_field_name("left")
    return left is not None and assigned_member(left) in moved


def _declared(stmt: Node) -> list[str]:
    return [node_text(d.child_by_field_name("name") or d.named_children[0])
            for d in syntax.descendants(stmt, "variable_declarator")]


def _scope_plumbing(stmt: Node, moved: set[str], removed: list[Node], body: Node) -> bool:
    """A scope or provider local only the removed statements use, or a `using` scope block whose statements
    all go."""
    if stmt.type == "using_statement":
        block = stmt.child_by_field_name("body") or next((c for c in stmt.named_children if c.type == "block"), None)
        if block is None or not _creates_scope(stmt):
            return False
        inner = [s for s in block.named_children if s.type != "comment"]
        return all(_assigns(s, moved) for s in inner) and bool(inner)
    if stmt.type != "local_declaration_statement":
        return False
    names = _declared(stmt)
    decls = list(syntax.descendants(stmt, "variable_declarator"))
    for d in decls:
        value = initializer(d)
        if value is None or not _plumbing_value(value):
            return False
    others = [s for s in body.named_children if s.id != stmt.id and not any(s.id == r.id for r in removed)]
    return bool(names) and not any(set(names) & _identifiers(s) for s in others)


def _plumbing_value(value: Node) -> bool:
    """`f.CreateScope()`, `scope.ServiceProvider`, `f.CreateScope().ServiceProvider`."""
    if value.type == "invocation_expression":
        return invoked_name(value)[1] in SCOPE_CALLS and not syntax.arguments(value)
    if value.type == "member_access_expression":
        inner = value.child_by_field_name("expression")
        return node_text(value.child_by_field_name("name")) == "ServiceProvider" and inner is not None and (
            inner.type == "identifier" or _plumbing_value(inner))
    return False


def _private_helper(method: Node) -> bool:
    mods = modifiers(method)
    return "static" not in mods and not ({"public", "protected", "internal", "override", "virtual", "abstract"} & mods)


def _names_other_object_member(ident: Node) -> bool:
    parent = ident.parent
    if parent is None or parent.type != "member_access_expression":
        return False
    name = parent.child_by_field_name("name")
    e = parent.child_by_field_name("expression")
    return name is not None and name.id == ident.id and (e is None or e.type not in ("this", "this_expression"))


def _call_of(ident: Node) -> Node | None:
    """The invocation in which `ident` (or `this.ident`) is the called function, else None."""
    fn = ident
    if ident.parent is not None and ident.parent.type == "member_access_expression":
        e = ident.parent.child_by_field_name("expression")
        if e is None or e.type not in ("this", "this_expression"):
            return None
        fn = ident.parent
    call = fn.parent
    if call is not None and call.type == "invocation_expression" and call.child_by_field_name("function").id == fn.id:
        return call
    return None


def _one_line(node: Node) -> str:
    t = " ".join(syntax.text(node).split())
    return t if len(t) <= 80 else t[:77] + "..."
