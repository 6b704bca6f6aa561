"""The members of a worker or job class: its own nodes, fields and properties, constructors, methods,
parameters, the writes to its members, and where a node sits (enclosing function or member).

A partial class is read as one class: every part declared in the file (`ClassInfo.parts`) contributes.
Nested types are not entered: their nodes belong to them, not to the class.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable, Iterator, NamedTuple, TypeVar

from oqmigrate import syntax
from oqmigrate.model import TYPE_DECLARATIONS, ClassInfo, modifiers, type_name
from oqmigrate.analyse.names import invoked_name, node_text, simple
from oqmigrate.syntax import Node

LOGGER_TYPES = {"ILogger", "ILoggerFactory"}
"""Simple names of the logging types a class may inject."""

EXECUTE_METHODS = ("ExecuteJob", "ExecuteJobAsync")
"""The methods HostedServiceBase calls once per tenant; a job overrides one of them."""

DEFERRED_CODE = ("lambda_expression", "anonymous_method_expression", "local_function_statement")
"""Functions written inside a member: their code runs later (when called), if at all, not where it stands."""
FUNCTION_NODES = ("method_declaration", "constructor_declaration", "accessor_declaration", "destructor_declaration",
                  "operator_declaration") + DEFERRED_CODE
"""Every node that has a body of its own: member functions and the deferred code written inside them."""
MEMBER_NODES = ("method_declaration", "constructor_declaration", "property_declaration", "field_declaration",
                "destructor_declaration", "operator_declaration", "event_declaration", "indexer_declaration")


class Field(NamedTuple):
    """A field (one per declarator: `int a, b;` is two) or a property."""

    node: Node  # the field_declaration / event_field_declaration / property_declaration
    name: str
    type_node: Node | None
    declarator: Node | None  # None for a property
    modifiers: frozenset[str]


T = TypeVar("T")


def memoized(cls: ClassInfo, key: object, compute: Callable[[], T]) -> T:
    """A fact of the class computed once (`ClassInfo.memo`): the tree and the class do not change while they are
    analysed. Memoized values are immutable (tuples, frozen data); a caller that wants a list copies."""
    memo = cls.memo
    if key not in memo:
        memo[key] = compute()
    return memo[key]


class Param(NamedTuple):
    name: str
    type_node: Node | None
    simple_type: str  # as written, without namespace or generic arguments


def members(cls: ClassInfo, *types: str) -> list[Node]:
    """Members of the class, of every part of a partial class in this file."""
    return [m for t, m in _members(cls) if t in types]


def _members(cls: ClassInfo) -> tuple[tuple[str, Node], ...]:
    """(type, node) of every named child of the class bodies, in order: read once per class."""
    def build() -> tuple[tuple[str, Node], ...]:
        out = []
        for node in (cls.node, *cls.parts):
            body = node.child_by_field_name("body")
            if body is not None:
                out.extend((m.type, m) for m in body.named_children)
        return tuple(out)
    return memoized(cls, "members", build)


def inside_class(node: Node, cls: ClassInfo) -> bool:
    """True when `node` belongs to `cls` itself (any of its parts) and not to a class nested in it."""
    owner = syntax.first_ancestor(node, *TYPE_DECLARATIONS)
    return owner is not None and owner.id in {cls.node.id, *(p.id for p in cls.parts)}


def node_index(cls: ClassInfo) -> dict[str, list[Node]]:
    """The class's own named nodes by type, in document order, built once: nested types are not entered.
    (Anonymous nodes — punctuation, keywords — are about half of a tree and no rule looks for them by type;
    `nodes_of_type` answers for those types from a full index.)"""
    if cls.index is None:
        index: dict[str, list[Node]] = {}
        for part in (cls.node, *cls.parts):
            cursor = part.walk()  # a cursor walk: cheaper than building every node's list of children
            if not cursor.goto_first_child():
                continue
            depth = 1
            while depth:
                n = cursor.node
                t = None
                if n.is_named:
                    t = n.type
                    if t in index:
                        index[t].append(n)
                    else:
                        index[t] = [n]
                if t not in TYPE_DECLARATIONS and cursor.goto_first_child():
                    depth += 1
                    continue
                while not cursor.goto_next_sibling():
                    cursor.goto_parent()
                    depth -= 1
                    if not depth:
                        break
        cls.index = index
    return cls.index


@lru_cache(maxsize=None)
def _anonymous_kind(node_type: str) -> bool:
    """Can a node of this type be anonymous (a token such as `this` or `await`)?"""
    return syntax.language().id_for_node_kind(node_type, False) is not None


def _full_index(cls: ClassInfo) -> dict[str, list[Node]]:
    """`node_index` with the anonymous nodes too, built only when a type that can be anonymous is asked for."""
    def build() -> dict[str, list[Node]]:
        index: dict[str, list[Node]] = {}
        stack = [c for part in reversed((cls.node, *cls.parts)) for c in reversed(part.children)]
        while stack:
            n = stack.pop()
            index.setdefault(n.type, []).append(n)
            if n.type not in TYPE_DECLARATIONS:
                stack.extend(reversed(n.children))
        return index
    return memoized(cls, "full_index", build)


def nodes_of_type(cls: ClassInfo, node_type: str) -> list[Node]:
    """The class's own nodes of one type, in document order (nested types not entered)."""
    index = _full_index(cls) if _anonymous_kind(node_type) else node_index(cls)
    return index.get(node_type, [])


def class_nodes(cls: ClassInfo, *types: str) -> Iterator[Node]:
    """The class's own nodes of the given types, in document order (from the node index)."""
    if len(types) == 1:
        yield from nodes_of_type(cls, types[0])
        return
    yield from sorted((n for t in types for n in nodes_of_type(cls, t)), key=lambda n: n.start_byte)


def invocations(cls: ClassInfo) -> tuple[tuple[Node, str, str], ...]:
    """(invocation, receiver text, method name) of each of the class's own invocations, in document order
    (`names.invoked_name`, computed once per class: several rules read them)."""
    return memoized(cls, "invocations", lambda: tuple(
        (inv, *invoked_name(inv)) for inv in class_nodes(cls, "invocation_expression")))


def identifiers_named(cls: ClassInfo, name: str) -> tuple[Node, ...]:
    """The class's own identifiers spelled `name`, in document order (from the node index)."""
    return _identifiers_by_name(cls).get(name, ())


def identifier_names(cls: ClassInfo) -> frozenset[str]:
    """How the class's own identifiers are spelled, each once."""
    return memoized(cls, "identifier_names", lambda: frozenset(_identifiers_by_name(cls)))


def _identifiers_by_name(cls: ClassInfo) -> dict[str, tuple[Node, ...]]:
    def build() -> dict[str, tuple[Node, ...]]:
        by_spelling: dict[bytes | None, list[Node]] = {}  # decoded once per spelling, not once per identifier
        for n in class_nodes(cls, "identifier"):
            raw = n.text
            if raw in by_spelling:
                by_spelling[raw].append(n)
            else:
                by_spelling[raw] = [n]
        by_name: dict[str, tuple[Node, ...]] = {}
        for raw, nodes in by_spelling.items():
            name = raw.decode("utf-8", "replace") if raw is not None else ""
            if name in by_name:  # two byte spellings that decode alike (invalid UTF-8): merge in document order
                by_name[name] = tuple(sorted((*by_name[name], *nodes), key=lambda n: n.start_byte))
            else:
                by_name[name] = tuple(nodes)
        return by_name
    return memoized(cls, "identifiers_by_name", build)


def fields(cls: ClassInfo) -> list[Field]:
    """Fields, event fields and properties, in declaration order (fields first)."""
    return list(memoized(cls, "fields", lambda: tuple(_fields(cls))))


def _fields(cls: ClassInfo) -> list[Field]:
    out = []
    for f in members(cls, "field_declaration", "event_field_declaration"):
        mods = modifiers(f)
        decl = next((c for c in f.named_children if c.type == "variable_declaration"), None)
        if decl is None:
            continue
        tnode = decl.child_by_field_name("type")
        for d in decl.named_children:
            if d.type == "variable_declarator":
                out.append(Field(f, node_text(d.child_by_field_name("name") or d.named_children[0]), tnode, d, mods))
    for p in members(cls, "property_declaration"):
        out.append(Field(p, node_text(p.child_by_field_name("name")), p.child_by_field_name("type"), None, modifiers(p)))
    return out


def initializer(declarator: Node | None) -> Node | None:
    """The value a variable declarator is initialised with (`= value`), if any."""
    if declarator is None:
        return None
    kids = declarator.named_children
    return kids[-1] if len(kids) > 1 else None


def declarator_name(declarator: Node) -> str:
    return node_text(declarator.child_by_field_name("name") or declarator.named_children[0])


def is_auto_property(prop: Node) -> bool:
    """`{ get; set; }`: every accessor without a body."""
    acc = prop.child_by_field_name("accessors")
    if acc is None:
        return False
    return all(a.child_by_field_name("body") is None and not any(c.type == "arrow_expression_clause" for c in a.children)
               for a in acc.named_children if a.type == "accessor_declaration")


def constructors(cls: ClassInfo) -> list[Node]:
    """Instance constructors (a static constructor is not one)."""
    return [c for c in members(cls, "constructor_declaration") if "static" not in modifiers(c)]


def methods(cls: ClassInfo, name: str | None = None) -> list[Node]:
    """Methods, all of them or those named `name`."""
    ms = members(cls, "method_declaration")
    return [m for m in ms if name is None or node_text(m.child_by_field_name("name")) == name]


def params(plist: Node | None) -> list[Param]:
    """The parameters of a parameter list."""
    out: list[Param] = []
    if plist is None:
        return out
    for p in plist.named_children:
        if p.type != "parameter":
            continue
        t = p.child_by_field_name("type")
        out.append(Param(node_text(p.child_by_field_name("name")), t, simple(type_name(t)) if t is not None else ""))
    return out


def constructor_base_args(ctor: Node) -> list[str] | None:
    """The argument texts of the constructor's `: base(...)` call; None without one (or with `: this(...)`)."""
    for c in ctor.named_children:
        if c.type == "constructor_initializer":
            if not any(syntax.text(k) == "base" for k in c.children):
                return None
            return [syntax.text(a).strip() for a in syntax.descendants(c, "argument")]
    return None


def constructor_param_assignments(cls: ClassInfo) -> dict[str, tuple[str, Node]]:
    """field -> (constructor parameter it is assigned from, that parameter's type node); `x ?? throw` counts."""
    out = {}
    for ctor in constructors(cls):
        ps = {p.name: p.type_node for p in params(ctor.child_by_field_name("parameters"))}
        for a in syntax.descendants(ctor, "assignment_expression"):
            left, right = a.child_by_field_name("left"), a.child_by_field_name("right")
            name = assigned_member(left) if left is not None else None
            if name and right is not None:
                r = right
                if r.type == "binary_expression" and syntax.text(r.child_by_field_name("operator")) == "??":
                    r = r.child_by_field_name("left")  # `x ?? fallback`: the value still comes from x when given
                if r is not None and r.type == "identifier" and syntax.text(r) in ps:
                    out[name] = (syntax.text(r), ps[syntax.text(r)])
    return out


def execute_methods(cls: ClassInfo) -> list[Node]:
    """A job's ExecuteJob methods, then its ExecuteJobAsync methods."""
    return [m for name in EXECUTE_METHODS for m in methods(cls, name)]


def is_direct_job(cls: ClassInfo) -> bool:
    """Derives from HostedServiceBase itself (not through a base class of the scan)."""
    return simple(cls.via) == "HostedServiceBase"


def assigned_member(left: Node) -> str | None:
    """The member an assignment target names: `_x`, `this._x` -> `_x`; None for anything else."""
    if left.type == "identifier":
        return syntax.text(left)
    if left.type == "member_access_expression":
        e = left.child_by_field_name("expression")
        if e is not None and e.type in ("this_expression", "this"):
            return node_text(left.child_by_field_name("name"))
    return None


def deferred_within(node: Node, outer: Node) -> bool:
    """Is `node` in deferred code (a lambda, anonymous method or local function) nested in `outer`? Such code does
    not run as part of `outer`'s own call, and may run after it returned."""
    for a in syntax.ancestors(node):
        if a.id == outer.id:
            return False
        if a.type in DEFERRED_CODE:
            return True
    return False


def enclosing_function(node: Node) -> Node | None:
    """The method, constructor, accessor, local function or lambda a node is in."""
    return syntax.first_ancestor(node, *FUNCTION_NODES)


def enclosing_member(node: Node) -> Node | None:
    """The class member (method, ctor, property, field) a node is in, skipping lambdas."""
    return syntax.first_ancestor(node, *MEMBER_NODES)


def writes(cls: ClassInfo) -> Iterator[tuple[str, Node]]:
    """(member name, writing node) for assignments and ++/-- inside the class."""
    for a in class_nodes(cls, "assignment_expression"):
        left = a.child_by_field_name("left")
        name = assigned_member(left) if left is not None else None
        if name:
            yield name, a
    for u in class_nodes(cls, "postfix_unary_expression", "prefix_unary_expression"):
        op = "".join(syntax.text(c) for c in u.children if not c.is_named)
        if op in ("++", "--") and u.named_children:
            name = assigned_member(u.named_children[0])
            if name:
                yield name, u


def member_root(node: Node) -> str:
    """The member a reference starts from: `_timer` for `_timer`, `this._timer` and `_timer?.…`; the whole text
    of anything else. Unlike `assigned_member` it always answers, so it suits comparisons with a known name."""
    if node.type == "member_access_expression" and node_text(node.child_by_field_name("expression")) == "this":
        return node_text(node.child_by_field_name("name"))
    if node.type == "conditional_access_expression":
        return member_root(node.named_children[0])
    return syntax.text(node)


def assignment(stmt: Node) -> Node | None:
    """The assignment of a statement `x = y;` (any assignment operator), or of an expression body `=> x = y`."""
    if stmt.type in ("expression_statement", "arrow_expression_clause") and stmt.named_children and \
            stmt.named_children[0].type == "assignment_expression":
        return stmt.named_children[0]
    return None


def assigned_field(stmt: Node) -> str | None:
    """The member a plain `x = …;` / `this.x = …;` statement stores into; None for other statements and for
    compound assignments (`x += …`)."""
    a = assignment(stmt)
    if a is None or syntax.operator(a) != "=":
        return None
    return assigned_member(a.child_by_field_name("left"))


def assigned_name(stmt: Node) -> str | None:
    """The field or local an assignment statement writes, whatever its operator (`x = …`, `this.x += …`)."""
    a = assignment(stmt)
    return None if a is None else member_root(a.child_by_field_name("left"))


def strip_null_guard(value: Node) -> Node:
    """`x ?? throw new ArgumentNullException(nameof(x))` → `x`; any other value as it is."""
    if value.type == "binary_expression" and syntax.text(value.child_by_field_name("operator")) == "??" and \
            value.child_by_field_name("right").type == "throw_expression":
        return value.child_by_field_name("left")
    return value


def is_written(ref: Node) -> bool:
    """Is the reference `ref` the target of an assignment, `++`/`--`, or a `ref`/`out` argument?"""
    p = ref.parent
    if p.type == "assignment_expression":
        return p.child_by_field_name("left") == ref
    if p.type in ("postfix_unary_expression", "prefix_unary_expression"):
        return syntax.text(p).replace(syntax.text(ref), "").strip() in ("++", "--")
    if p.type == "argument":
        return any(syntax.text(c) in ("ref", "out") for c in p.children if c != ref)
    return False


def write_statement(ref: Node) -> Node | None:
    """The expression statement `ref = …;`, `ref += …;`, `ref++;` or `--ref;` whose target is the reference `ref`
    (None when `ref` is read, or written inside a larger expression)."""
    p = ref.parent
    if p.type == "assignment_expression" and p.child_by_field_name("left") == ref:
        st = p.parent
    elif p.type in ("postfix_unary_expression", "prefix_unary_expression") and syntax.text(p).replace(
            syntax.text(ref), "").strip() in ("++", "--"):
        st = p.parent
    else:
        return None
    return st if st is not None and st.type == "expression_statement" else None


def is_param(value: Node | None, parameters: list[Node]) -> bool:
    """Is `value` an identifier naming one of the `parameter` nodes?"""
    if value is None or value.type != "identifier":
        return False
    return any(syntax.text(p.child_by_field_name("name")) == syntax.text(value) for p in parameters)
