"""The run's scope: where the work creates service scopes and disposes services, and whether the job's single
`provider` can take their place.

A job gets one `provider` per tenant per pass, disposed when `ExecuteJob` returns. A scope created at the top of the
unit of work (or of a helper it calls) becomes that provider. Three shapes cannot: a scope created inside code that
can run after the job returns (a lambda handed to `Task.Run`, a continuation, a callback), a fresh scope per item of
a loop (one DbContext per item, on purpose), and a service the work disposes itself (the provider owns it and hands
the same instance to the next tenants of the pass).
"""

from __future__ import annotations

from oqmigrate import syntax
from oqmigrate.analyse.blockers import Blocked, BlockerKind
from oqmigrate.analyse.worker_facts import SCOPE_SOURCES
from oqmigrate.syntax import Node
from oqmigrate.analyse.expressions import awaited
from oqmigrate.analyse.members import DEFERRED_CODE, member_root

# Calls whose lambda argument runs later, outside the caller's await: the job may have returned by then.
DEFERRING_CALLS = {"Run", "StartNew", "ContinueWith", "QueueUserWorkItem", "UnsafeQueueUserWorkItem", "Register",
                   "Schedule", "Enqueue", "SetTimer"}
DEFERRING_TYPES = {"Timer", "Thread", "System.Threading.Timer", "System.Threading.Thread"}
RESOLVE_CALLS = {"GetRequiredService", "GetService"}
DISPOSE_CALLS = {"Dispose", "DisposeAsync"}


class RunScopeMixin:
    """Part of WorkerAnalysis (oqmigrate.analyse.worker); see there for the state it reads and writes."""

    def _check_run_scopes(self) -> None:
        """Blocked when a scope the work creates, or a service it disposes, cannot become the run's provider."""
        for top, n in self._work_nodes("invocation_expression"):
            fn = n.child_by_field_name("function")
            if fn.type != "member_access_expression":
                continue
            name = syntax.text(fn.child_by_field_name("name"))
            if name in ("CreateScope", "CreateAsyncScope"):
                source = self.fields.get(member_root(fn.child_by_field_name("expression")))
                if source is not None and source.simple_type in SCOPE_SOURCES:
                    self._check_scope_place(n, top)
            elif name in DISPOSE_CALLS and not syntax.arguments(n):
                target = member_root(fn.child_by_field_name("expression"))
                if target in self.resolved or target in self._resolved_locals():
                    raise Blocked(BlockerKind.DISPOSES_SERVICE, _disposes(target, f"{target}.{name}()"))
        for _, n in self._work_nodes("using_statement", "local_declaration_statement"):
            if n.type == "local_declaration_statement" and not any(c.type == "using" for c in n.children):
                continue
            for d in syntax.descendants(n, "variable_declarator"):
                if d.parent.parent != n:
                    continue
                value = d.named_children[-1] if len(d.named_children) > 1 else None
                if value is not None and _resolves(value):
                    local = syntax.text(d.named_children[0])
                    raise Blocked(BlockerKind.DISPOSES_SERVICE, _disposes(local, f"using ({local} = …)"))

    def _work_nodes(self, *types: str):
        """(boundary, node) for each node of the types in the unit of work and the helpers it calls; the boundary
        is the piece's outermost node or the helper's declaration."""
        for p in self.plan.pieces:
            top = self._node_at(p.start)
            for n in self._nodes_within(self.root, p.start, p.end, *types):
                if not self._is_deleted(n):
                    yield top, n
        for h in self.helpers:
            for n in self._nodes_within(h, h.start_byte, h.end_byte, *types):
                if not self._is_deleted(n):
                    yield h, n

    def _resolved_locals(self) -> set[str]:
        """Locals of the work assigned a service resolved from a provider (`var db = sp.GetRequiredService<T>()`)."""
        names = set()
        for _, d in self._work_nodes("variable_declarator"):
            value = d.named_children[-1] if len(d.named_children) > 1 else None
            if value is not None and _resolves(value):
                names.add(syntax.text(d.named_children[0]))
        return names

    def _check_scope_place(self, creation: Node, boundary: Node | None) -> None:
        for a in syntax.ancestors(creation):
            if a == self.plan.work_root or a.type in ("method_declaration", "class_declaration"):
                return
            if a.type in DEFERRED_CODE:
                later = _deferring_call(a)
                if later is not None:
                    raise Blocked(BlockerKind.DEFERRED_SCOPE,
                                  f"a scope is created inside code handed to {later}, which can run after the job "
                                  "returns; the job's provider is disposed then, so it cannot replace that scope: "
                                  "migrate by hand and keep creating the scope there (IServiceScopeFactory)")
                raise Blocked(BlockerKind.SCOPE_PER_ITEM, _PER_ITEM)
            if a.type in syntax.LOOP_STATEMENTS:
                raise Blocked(BlockerKind.SCOPE_PER_ITEM, _PER_ITEM)
            if a == boundary:
                return


_PER_ITEM = ("a fresh scope is created per item (so one item cannot affect the others); the job has one provider "
             "per tenant per run, and a scope created inside a job loses the tenant the framework set: migrate by "
             "hand")


def _disposes(local: str, how: str) -> str:
    return (f"the work disposes {local}, a service resolved from the scope ({how}); in a job the run's provider owns "
            "it and hands the same instance to the next tenants of the pass: remove the disposal (the scope disposes "
            "its services), then migrate")


def _resolves(value: Node) -> bool:
    """`x.GetRequiredService<T>()` / `x.GetService(typeof(T))`, possibly awaited or cast."""
    v = awaited(value)
    while v.type in ("cast_expression", "parenthesized_expression"):
        v = v.named_children[-1]
    if v.type != "invocation_expression":
        return False
    fn = v.child_by_field_name("function")
    if fn.type != "member_access_expression":
        return False
    name = fn.child_by_field_name("name")
    if name.type == "generic_name":
        name = name.named_children[0]
    return syntax.text(name) in RESOLVE_CALLS


def _deferring_call(fn_scope: Node) -> str | None:
    """`Task.Run(…)` when the lambda is an argument of a call that runs it later (or a `+=` event handler)."""
    parent = fn_scope.parent
    if parent is not None and parent.type == "assignment_expression" and syntax.operator(parent) == "+=":
        return "an event handler"
    arg = parent
    if arg is None or arg.type != "argument":
        return None
    call = arg.parent.parent if arg.parent is not None else None
    if call is None:
        return None
    if call.type == "invocation_expression":
        fn = call.child_by_field_name("function")
        name = fn.child_by_field_name("name") if fn.type == "member_access_expression" else fn
        if syntax.text(name) in DEFERRING_CALLS:
            return syntax.text(fn)
    if call.type == "object_creation_expression" and syntax.text(call.child_by_field_name("type")) in DEFERRING_TYPES:
        return f"new {syntax.text(call.child_by_field_name('type'))}(…)"
    return None
