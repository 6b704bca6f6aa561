"""Workers that are not scheduled work: queue consumers, event subscribers, and workers that hand their stopping
token to a method of another class.

A BackgroundService or IHostedService is not always a schedule in disguise. Three shapes are told apart here,
from the class alone, and only when the class has no timer and no loop that waits between rounds (those are
schedules, for the migration to follow):

- a **queue consumer** drains a queue, channel or stream until shutdown: `foreach` over
  `GetConsumingEnumerable(…)` (BlockingCollection), `await foreach` over `ReadAllAsync(…)` (Channel), a loop on
  `WaitToReadAsync(…)`, or a loop that runs until shutdown without a wait and whose every round takes the next
  item from a member with a call given the stopping token (`var item = await _queue.DequeueAsync(token)`,
  `_consumer.Consume(token)`): that call is what it waits in;
- an **event subscriber** registers a handler — `x.Event += handler` or `x.Subscribe(…, handler)` with a lambda,
  an anonymous method or a method of the class — and then only waits for shutdown or returns;
- a **delegating worker** has no loop, timer or handler of its own and awaits a method of another object, handing
  it the stopping token (the docs' "consume a scoped service" worker): that method decides what runs and how
  often, and it is not in this class.

Consumers and subscribers may stay an IHostedService (Oqtane registers any IHostedService of a module assembly
from 3.2.1); the queue, bus or event source they read (`Consumer.sources`) is theirs to keep for as long as they
run. OQJ001 words its finding from this, OQJ010 leaves the sources alone, and migrate-worker refuses with
`manual_reason`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from oqmigrate import syntax
from oqmigrate.analyse.drivers import POLLING_LOOPS, WAIT_CALLS, repeating_loops, timer_creations
from oqmigrate.analyse.expressions import awaited
from oqmigrate.analyse.members import class_nodes, deferred_within, fields, memoized, methods, params
from oqmigrate.analyse.names import invoked_name, node_text, simple
from oqmigrate.model import ClassInfo, FileModel, type_name
from oqmigrate.syntax import Node
from oqmigrate.versions import Feature, Version, supports

CONSUMING_CALLS = frozenset({"GetConsumingEnumerable", "ReadAllAsync"})
"""Calls whose result a foreach drains until the queue is completed or the token is cancelled."""
WAIT_FOR_ITEMS_CALLS = frozenset({"WaitToReadAsync"})
"""Calls a loop condition waits in until the next item (or the end of the channel)."""
SUBSCRIBE_CALLS = ("Subscribe",)
"""Registration calls (prefix: Subscribe, SubscribeAsync) that hand a handler to a bus or client."""
HANDLERS = ("lambda_expression", "anonymous_method_expression")
SUPPRESSION = "// oqmigrate-ignore OQJ001: <reason>, on the line above the class"
NOT_DELEGATES = frozenset({"Task", "base", "this", "Thread", "Console", "Timeout"})
"""Receivers whose methods are not another object's work (a wait, the base class, the class itself)."""


class ConsumerKind(enum.Enum):
    QUEUE = "queue consumer"
    SUBSCRIBER = "event subscriber"
    DELEGATING = "delegating worker"


@dataclass(frozen=True)
class Consumer:
    """Why a worker is not scheduled work, as found in its code."""

    kind: ConsumerKind
    node: Node  # the loop, the registration or the call that shows it
    evidence: str  # that code, quoted the way a message quotes it
    sources: frozenset[str]  # the fields or primary-constructor parameters it reads from or subscribes to

    def finding_message(self, name: str, what: str, version: Version) -> str:
        """OQJ001's message for the class `name`, which `what` ("derives from BackgroundService")."""
        if self.kind is ConsumerKind.DELEGATING:
            return (f"'{name}' {what} and has no loop, timer or event of its own: it hands its stopping token to "
                    f"{self.evidence}, a method of another class, which decides what runs and how often. If that "
                    "runs once at start-up (a schema or data change, a cache warm-up), move it to an IServerStartup "
                    "or a module migration and remove the worker; if it repeats on a schedule, move one pass of its "
                    "loop into an Oqtane job; if it waits for work until shutdown, the worker can stay: suppress "
                    f"OQJ001 with that reason ({SUPPRESSION})")
        return (f"'{name}' {what} and is {self._described()}: it runs until shutdown and is not scheduled work, so "
                f"it is not a job; it can stay an IHostedService ({registration(version)}): suppress OQJ001 with "
                f"that reason ({SUPPRESSION})")

    def manual_reason(self, version: Version) -> str:
        """Why migrate-worker leaves the class alone, and the next step."""
        if self.kind is ConsumerKind.DELEGATING:
            method = syntax.first_ancestor(self.node, "method_declaration")
            where = node_text(method.child_by_field_name("name")) if method is not None else "the worker"
            return (f"no loop, timer or event of its own: {where} hands the stopping token to {self.evidence}, a "
                    "method of another class, which decides what runs and how often; if that method loops on a "
                    "schedule, move one pass of its loop into a job by hand; if it waits for work until shutdown, "
                    f"keep the worker as an IHostedService and suppress OQJ001 with that reason ({SUPPRESSION}); "
                    "if it runs once, "
                    "move it to an IServerStartup or a module migration")
        runs = ("its handler runs when the event is raised" if self.kind is ConsumerKind.SUBSCRIBER
                else "it waits for items until shutdown")
        return (f"{self._described()}: {runs}, not on a schedule, so it is not migrated to a job; keep it as an "
                f"IHostedService ({registration(version)}) and suppress OQJ001 for it with that reason ({SUPPRESSION})")

    def _described(self) -> str:
        if self.kind is ConsumerKind.SUBSCRIBER:
            return f"an event subscriber ({self.evidence})"
        return f"a queue consumer ({self.evidence})"


def registration(version: Version) -> str:
    """Who registers a worker that stays, on `version`."""
    since = Feature.AUTO_REGISTER_ANY_HOSTED_SERVICE.since
    if supports(version, Feature.AUTO_REGISTER_ANY_HOSTED_SERVICE):
        return f"Oqtane registers every IHostedService of a module assembly from {since}"
    return (f"on Oqtane {version} register it with AddHostedService in an IServerStartup; from {since} Oqtane "
            "registers every IHostedService of a module assembly itself")


def find_consumer(cls: ClassInfo, model: FileModel) -> Consumer | None:
    """The queue consumer, event subscriber or delegating worker `cls` is; None for anything else (a class with
    a timer or a loop that waits between rounds is a schedule). Found once per class and file model."""
    found = memoized(cls, ("consumer", id(model)), lambda: (model, _find_consumer(cls, model)))
    return found[1] if found[0] is model else _find_consumer(cls, model)


def _find_consumer(cls: ClassInfo, model: FileModel) -> Consumer | None:
    if cls.kind != "worker" or cls.body is None:
        return None
    if next(timer_creations(cls, model), None) is not None or repeating_loops(cls):
        return None
    tokens = _token_names(cls)
    own = {node_text(m.child_by_field_name("name")) for m in methods(cls)}
    members = _member_names(cls)
    return (_queue_consumer(cls, tokens, members) or _subscriber(cls, own, members)
            or _delegating(cls, tokens, own))


# --- queue consumers --------------------------------------------------------------------------------------------

def _queue_consumer(cls: ClassInfo, tokens: set[str], members: set[str]) -> Consumer | None:
    for loop in class_nodes(cls, "foreach_statement"):
        collection = loop.child_by_field_name("right")
        call = _call_named(collection, CONSUMING_CALLS)
        if call is not None:
            keyword = "await foreach" if loop.children and loop.children[0].type == "await" else "foreach"
            return Consumer(ConsumerKind.QUEUE, loop, f"{keyword} over {syntax.one_line(collection)}",
                            _sources(call, members))
    for loop in class_nodes(cls, *POLLING_LOOPS):
        cond = loop.child_by_field_name("condition")
        call = _call_named(cond, WAIT_FOR_ITEMS_CALLS) if cond is not None else None
        if call is not None:
            return Consumer(ConsumerKind.QUEUE, loop, f"a loop on {syntax.one_line(cond)}", _sources(call, members))
    for loop in class_nodes(cls, *POLLING_LOOPS):
        if not _until_shutdown(loop, tokens) or _waits(loop):
            continue
        take = _take(loop, tokens, members)
        if take is not None:
            return Consumer(ConsumerKind.QUEUE, loop, f"each round waits in {syntax.one_line(take)} for the next item",
                            _sources(take, members))
    return None


def _call_named(node: Node | None, names: frozenset[str]) -> Node | None:
    if node is None:
        return None
    return next((i for i in syntax.walk(node) if i.type == "invocation_expression" and invoked_name(i)[1] in names),
                None)


def _until_shutdown(loop: Node, tokens: set[str]) -> bool:
    """`for (;;)`, `while (true)` or a condition on the stopping token only."""
    if loop.type == "for_statement":
        return loop.child_by_field_name("condition") is None and not any(
            c.type == "variable_declaration" for c in loop.named_children)
    cond = loop.child_by_field_name("condition")
    if cond is None:
        return False
    if syntax.spaceless_text(cond).strip("()") == "true":
        return True
    names = set(syntax.identifiers(cond))
    return bool(names) and names <= tokens | {"IsCancellationRequested", "Token"}


def _waits(loop: Node) -> bool:
    return any(invoked_name(i)[1] in WAIT_CALLS for i in syntax.descendants(loop, "invocation_expression"))


def _take(loop: Node, tokens: set[str], members: set[str]) -> Node | None:
    """The call a round starts by taking an item with: a local declared (or a variable assigned) from a call on a
    member of the class that is given the stopping token, run in the loop itself (not in a lambda)."""
    body = loop.child_by_field_name("body")
    for n in syntax.walk(body) if body is not None else ():
        if n.type not in ("variable_declarator", "assignment_expression") or deferred_within(n, loop):
            continue
        value = n.child_by_field_name("right") if n.type == "assignment_expression" else \
            (n.named_children[-1] if len(n.named_children) > 1 else None)
        call = awaited(value) if value is not None else None
        if call is None or call.type != "invocation_expression":
            continue
        recv, _ = invoked_name(call)
        if _root(recv) in members and any(_is_token(a, tokens) for a in syntax.arguments(call)):
            return call
    return None


def _is_token(arg: Node, tokens: set[str]) -> bool:
    text = syntax.spaceless_text(arg)
    return text in tokens or text.endswith(".Token") or text.split(":")[-1] in tokens


# --- event subscribers ------------------------------------------------------------------------------------------

def _subscriber(cls: ClassInfo, own: set[str], members: set[str]) -> Consumer | None:
    for a in class_nodes(cls, "assignment_expression"):
        left, right = a.child_by_field_name("left"), a.child_by_field_name("right")
        if syntax.operator(a) != "+=" or left is None or right is None or left.type != "member_access_expression":
            continue
        if _is_handler(right, own):
            return Consumer(ConsumerKind.SUBSCRIBER, a, syntax.one_line(a),
                            frozenset({_root(syntax.text(left.child_by_field_name("expression")))}) & members)
    for call in class_nodes(cls, "invocation_expression"):
        recv, name = invoked_name(call)
        if recv and name.startswith(SUBSCRIBE_CALLS) and any(_is_handler(x, own) for x in syntax.arguments(call)):
            return Consumer(ConsumerKind.SUBSCRIBER, call, _quoted_call(call), frozenset({_root(recv)}) & members)
    return None


def _is_handler(node: Node, own: set[str]) -> bool:
    """A lambda, an anonymous method, or a method of the class (`OnMessage`, `this.OnMessage`)."""
    if node.type in HANDLERS:
        return True
    if node.type == "identifier":
        return syntax.text(node) in own
    return node.type == "member_access_expression" and \
        node_text(node.child_by_field_name("expression")) == "this" and \
        node_text(node.child_by_field_name("name")) in own


def _quoted_call(call: Node) -> str:
    """`_pubSub.Subscribe("cache.evict", …)`: the call with a handler argument shortened."""
    fn = syntax.text(call.child_by_field_name("function"))
    args = [("…" if a.type in HANDLERS else syntax.one_line(a)) for a in syntax.arguments(call)]
    return syntax.one_line(call) if len(fn) > 60 else f"{fn}({', '.join(args)})"


# --- delegating workers -----------------------------------------------------------------------------------------

def _delegating(cls: ClassInfo, tokens: set[str], own: set[str]) -> Consumer | None:
    """ExecuteAsync awaits (or returns) another object's method given its stopping token, and the class has no
    loop of its own."""
    if next(class_nodes(cls, *POLLING_LOOPS, "foreach_statement"), None) is not None:
        return None
    for m in methods(cls, "ExecuteAsync"):
        token = {p.name for p in params(m.child_by_field_name("parameters")) if p.simple_type == "CancellationToken"}
        for call in syntax.descendants(m, "invocation_expression"):
            recv, name = invoked_name(call)
            if not recv or simple(_root(recv)) in NOT_DELEGATES or _root(recv) in own or \
                    not any(syntax.spaceless_text(a) in token for a in syntax.arguments(call)):
                continue
            if _handed_over(call, m):
                quoted = f"{recv}.{name}({', '.join(syntax.one_line(a) for a in syntax.arguments(call))})"
                return Consumer(ConsumerKind.DELEGATING, call, quoted, frozenset())
    return None


def _handed_over(call: Node, method: Node) -> bool:
    """The call is what the method waits for: awaited, or returned, in the method's own code."""
    node, parent = call, call.parent
    while parent is not None:  # `(x.RunAsync(token))`, `x.RunAsync(token).ConfigureAwait(false)`
        if parent.type == "parenthesized_expression":
            node, parent = parent, parent.parent
        elif parent.type == "member_access_expression" and parent.child_by_field_name("expression") == node and \
                node_text(parent.child_by_field_name("name")) == "ConfigureAwait" and \
                parent.parent is not None and parent.parent.type == "invocation_expression":
            node, parent = parent.parent, parent.parent.parent
        else:
            break
    if parent is None or parent.type not in ("await_expression", "return_statement", "arrow_expression_clause"):
        return False
    return not deferred_within(call, method)  # `call` is one of the method's descendants


# --- names ------------------------------------------------------------------------------------------------------

def _token_names(cls: ClassInfo) -> set[str]:
    """Parameters of type CancellationToken anywhere in the class (methods, lambdas, local functions), and the
    CancellationTokenSource fields it cancels its work with."""
    out = {f.name for f in fields(cls) if f.type_node is not None and
           simple(type_name(f.type_node)) == "CancellationTokenSource"}
    for p in class_nodes(cls, "parameter"):
        t = p.child_by_field_name("type")
        if t is not None and simple(type_name(t)) == "CancellationToken":
            out.add(node_text(p.child_by_field_name("name")))
    return out


def _member_names(cls: ClassInfo) -> set[str]:
    """Fields, properties and primary-constructor parameters of the class."""
    names = {f.name for f in fields(cls)}
    if cls.primary_parameters is not None:
        names |= {p.name for p in params(cls.primary_parameters)}
    return names


def _root(receiver: str) -> str:
    """The member a receiver text starts from: `_queue` for `_queue`, `this._queue`, `requests.Reader`."""
    text = receiver.removeprefix("this.")
    return text.split(".", 1)[0].split("?", 1)[0].split("[", 1)[0]


def _sources(call: Node, members: set[str]) -> frozenset[str]:
    recv, _ = invoked_name(call)
    return frozenset({_root(recv)}) & members
