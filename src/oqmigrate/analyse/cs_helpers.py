"""Small helpers over tree-sitter C# nodes and schedules, shared by the worker analysis and the migrate-worker
codemod."""

from __future__ import annotations

import re

from oqmigrate import syntax
from oqmigrate.schedule import Schedule, evaluate_timespan
from oqmigrate.syntax import Node

def words(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)


def local_name(field: str) -> str:
    name = field
    for prefix in ("m_", "_"):
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix):]
            break
    name = name[0].lower() + name[1:]
    if name in ("provider", "ex", "scope"):
        name += "Service"
    if name in CSHARP_KEYWORDS:
        name = "@" + name
    return name


CSHARP_KEYWORDS = {"event", "object", "string", "class", "base", "this", "operator", "checked", "lock", "params",
                    "default", "delegate", "namespace", "internal", "fixed", "out", "ref", "in", "is", "as"}


def schedule_seconds(s: Schedule | None) -> float | None:
    """The period of a schedule in seconds (None for months and one-off runs)."""
    if s is None:
        return None
    unit = {"m": 60, "H": 3600, "d": 86400, "w": 7 * 86400}.get(s.frequency)
    return None if unit is None else float(unit * s.interval)


def span_words(seconds: float) -> str:
    for unit, word in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= unit and seconds % unit == 0:
            n = int(seconds // unit)
            return f"{n} {word}" + ("" if n == 1 else "s")
    return f"{seconds:g} s"


DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]


def statements(block: Node | None) -> list[Node]:
    if block is None:
        return []
    if block.type != "block":
        return [block]
    return [c for c in block.named_children if c.type != "comment"]


def statements_with_comments(block: Node | None) -> list[Node]:
    if block is None:
        return []
    if block.type != "block":
        return [block]
    return list(block.named_children)


def returns_nothing(st: Node) -> bool:
    """`return;` or, in a method returning a Task, `return Task.CompletedTask;`."""
    values = [c for c in st.named_children if c.type != "comment"]
    return not values or syntax.text(values[0]) in ("Task.CompletedTask", "System.Threading.Tasks.Task.CompletedTask")


def assignment(st: Node) -> Node | None:
    """The assignment of `x = y;` (or of an expression body `=> x = y`)."""
    if st.type in ("expression_statement", "arrow_expression_clause") and st.named_children and \
            st.named_children[0].type == "assignment_expression":
        return st.named_children[0]
    return None


def assigned_field(st: Node) -> str | None:
    a = assignment(st)
    if a is None or operator(a) != "=":
        return None
    left = a.child_by_field_name("left")
    if left.type == "identifier":
        return syntax.text(left)
    if left.type == "member_access_expression" and syntax.text(left.child_by_field_name("expression")) == "this":
        return syntax.text(left.child_by_field_name("name"))
    return None


def strip_null_guard(value: Node) -> Node:
    """`x ?? throw new ArgumentNullException(nameof(x))` → `x`."""
    if value.type == "binary_expression" and syntax.text(value.child_by_field_name("operator")) == "??" and \
            value.child_by_field_name("right").type == "throw_expression":
        return value.child_by_field_name("left")
    return value


def operator(n: Node) -> str:
    op = n.child_by_field_name("operator")
    if op is not None:
        return syntax.text(op)
    return syntax.text(n.children[1]) if len(n.children) > 1 else ""


def unwrap_await(n: Node) -> Node:
    while True:
        if n.type == "await_expression":
            n = n.named_children[-1]
            continue
        if n.type == "invocation_expression":
            fn = n.child_by_field_name("function")
            if fn.type == "member_access_expression" and syntax.text(fn.child_by_field_name("name")) == "ConfigureAwait":
                n = fn.child_by_field_name("expression")
                continue
        if n.type == "parenthesized_expression" and n.named_children:
            n = n.named_children[0]
            continue
        return n


def member_root(n: Node) -> str:
    """`_timer` for `_timer`, `this._timer`, `_timer?`."""
    if n.type == "member_access_expression" and syntax.text(n.child_by_field_name("expression")) == "this":
        return syntax.text(n.child_by_field_name("name"))
    if n.type == "conditional_access_expression":
        return member_root(n.named_children[0])
    return syntax.text(n)


def identifiers(n: Node | None) -> list[str]:
    if n is None:
        return []
    return [syntax.text(x) for x in syntax.descendants(n, "identifier")]


def is_member_name(n: Node) -> bool:
    p = n.parent
    if p is None:
        return False
    if p.type == "member_access_expression" and p.child_by_field_name("name") == n:
        return True
    if p.type == "member_binding_expression":
        return True
    if p.type in ("named_argument", "argument") and p.child_by_field_name("name") == n:
        return True
    return False


def is_param(value: Node | None, params: list[Node]) -> bool:
    if value is None or value.type != "identifier":
        return False
    return any(syntax.text(p.child_by_field_name("name")) == syntax.text(value) for p in params)


def nodes_in(root: Node, start: int, end: int, *types: str):
    wanted = set(types)
    stack = [root]
    while stack:
        n = stack.pop()
        if n.end_byte <= start or n.start_byte >= end:
            continue
        if n.type in wanted and n.start_byte >= start and n.end_byte <= end:
            yield n
        stack.extend(reversed(n.children))


CLOCKS = {"DateTime.UtcNow": True, "System.DateTime.UtcNow": True, "DateTimeOffset.UtcNow": True,
           "DateTime.Now": False, "System.DateTime.Now": False, "DateTimeOffset.Now": False}


FLIPPED = {"==": "==", "!=": "!=", ">=": "<=", "<=": ">=", ">": "<", "<": ">"}


ADD_UNITS = {"AddMilliseconds": 0.001, "AddSeconds": 1.0, "AddMinutes": 60.0, "AddHours": 3600.0,
              "AddDays": 86400.0}


def write_statement(ref: Node) -> Node | None:
    """The expression statement `ref = …;`, `ref += …;`, `ref++;` or `--ref;` whose target is `ref`."""
    p = ref.parent
    if p.type == "assignment_expression" and p.child_by_field_name("left") == ref:
        st = p.parent
    elif p.type in ("postfix_unary_expression", "prefix_unary_expression") and syntax.text(p).replace(
            syntax.text(ref), "").strip() in ("++", "--"):
        st = p.parent
    else:
        return None
    return st if st is not None and st.type == "expression_statement" else None


def is_written(ref: Node) -> bool:
    """Is `ref` the target of an assignment, `++`/`--`, or a `ref`/`out` argument?"""
    p = ref.parent
    if p.type == "assignment_expression":
        return p.child_by_field_name("left") == ref
    if p.type in ("postfix_unary_expression", "prefix_unary_expression"):
        return syntax.text(p).replace(syntax.text(ref), "").strip() in ("++", "--")
    if p.type == "argument":
        return any(syntax.text(c) in ("ref", "out") for c in p.children if c != ref)
    return False


PURE_CALLS = ("DateTime.", "DateTimeOffset.", "TimeSpan.", "System.DateTime.", "System.TimeSpan.", "Math.")


def has_effects(value: Node) -> bool:
    """Could evaluating `value` do anything besides produce the value? Calls count, except date arithmetic."""
    for n in syntax.walk(value):
        if n.type == "invocation_expression":
            if not syntax.text(n.child_by_field_name("function")).startswith(PURE_CALLS):
                return True
        elif n.type == "object_creation_expression":
            if syntax.text(n.child_by_field_name("type")) not in ("DateTime", "DateTimeOffset", "TimeSpan"):
                return True
        elif n.type in ("await_expression", "assignment_expression", "postfix_unary_expression"):
            return True
        elif n.type == "prefix_unary_expression" and syntax.text(n)[:2] in ("++", "--"):
            return True
    return False


def unparenthesized(n: Node) -> Node:
    while n.type == "parenthesized_expression" and n.named_children:
        n = n.named_children[0]
    return n


def conjuncts(cond: Node) -> list[Node]:
    cond = unparenthesized(cond)
    if cond.type == "binary_expression" and operator(cond) == "&&":
        return conjuncts(cond.child_by_field_name("left")) + conjuncts(cond.child_by_field_name("right"))
    return [cond]


def disjuncts(cond: Node) -> list[Node]:
    cond = unparenthesized(cond)
    if cond.type == "binary_expression" and operator(cond) == "||":
        return disjuncts(cond.child_by_field_name("left")) + disjuncts(cond.child_by_field_name("right"))
    return [cond]


NEGATED = {"==": "!=", "!=": "==", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}


def negated(n: Node) -> tuple[Node, str, Node] | None:
    """`now.Hour != 2` → (now.Hour, "==", 2): one term of a guard that skips the work, turned positive."""
    cmp = comparison(n)
    if cmp is None:
        return None
    left, op, right = cmp
    return left, NEGATED[op], right


def comparison(n) -> tuple[Node, str, Node] | None:
    if isinstance(n, tuple):
        return n  # a comparison already taken apart (and possibly negated)
    n = unparenthesized(n)
    if n.type != "binary_expression" or operator(n) not in FLIPPED:
        return None
    return n.child_by_field_name("left"), operator(n), n.child_by_field_name("right")


def assigned_name(st: Node) -> str | None:
    """The field or local a statement assigns (`x = …`, `this.x = …`, `x += …`)."""
    a = assignment(st)
    if a is None:
        return None
    return member_root(a.child_by_field_name("left"))


def neutral_start(value: Node | None) -> bool:
    """A first value of a next-run or last-run field that does not delay the first run."""
    if value is None:
        return True
    t = "".join(syntax.text(value).split())
    return t in ("DateTime.MinValue", "System.DateTime.MinValue", "DateTimeOffset.MinValue", "default",
                 "default(DateTime)", "default(DateTimeOffset)", "null", "DateTime.UtcNow", "DateTime.Now",
                 "DateTimeOffset.UtcNow", "DateTimeOffset.Now")


def one_line(n: Node) -> str:
    t = " ".join(syntax.text(n).split())
    return t if len(t) <= 80 else t[:77] + "..."


def normalized(n: Node) -> str:
    return "".join(syntax.text(n).split())


def evaluate_with_overrides(node: Node, overrides: dict[str, Node], unit: float, data: bytes) -> float | None:
    """Evaluate with whole sub-expressions (by their text) replaced by other nodes, e.g. an options property read
    by its declared default. evaluate_timespan looks names up by identifier; member accesses and calls are
    handled by re-parsing a copy of the expression with the defaults spliced in."""
    text = syntax.text(node)
    subs = {k: syntax.text(v) for k, v in overrides.items() if not k.isidentifier()}

    def substitute(text: str) -> str:
        for k in sorted(subs, key=len, reverse=True):
            text = text.replace(k, "(" + subs[k] + ")")
        return text

    # Inline fields and locals holding the expression (`_period = TimeSpan.FromMinutes(config…)`, `var interval =
    # TimeSpan.FromSeconds(_settings.PollSeconds)`), replacing configuration reads by their defaults as soon as
    # they appear, before the field they read (`_settings`) is inlined in turn.
    text = substitute(text)
    for _ in range(3):
        for k, v in overrides.items():
            if k.isidentifier():
                text = re.sub(rf"(?<![\w.]){re.escape(k)}(?!\w)", lambda _m: "(" + syntax.text(v) + ")", text)
                text = substitute(text)
    if text == syntax.text(node):
        return None
    src = f"class C {{ void M() {{ var x = {text}; }} }}".encode()
    tree = syntax.parse(src)
    if tree.root_node.has_error:
        return None
    decl = list(syntax.descendants(tree.root_node, "variable_declarator"))[-1]
    constants = {k: v for k, v in overrides.items() if k.isidentifier()}
    return evaluate_timespan(decl.named_children[-1], src, constants, number_unit=unit)


FUNCTION_SCOPES = ("lambda_expression", "anonymous_method_expression", "local_function_statement")


LOOPS = ("while_statement", "do_statement", "for_statement", "foreach_statement")
