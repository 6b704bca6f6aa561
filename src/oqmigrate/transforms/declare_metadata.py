"""declare-metadata (OQJ011): complete an existing job's metadata where the intent is certain.

What it changes (facts from `oqmigrate.analyse.metadata`, which the rule reads too):
- a constructor (calling `base(…)`) that does not declare `Name` gets `Name = "<class name in words>";` — the
  words split as migrate-worker and guard-execution write them — before its first metadata assignment (or at
  the top of its body), written `this.Name` when the constructor writes `this.` for its metadata;
- a Frequency literal with exactly one obvious meaning — the other case of a single letter that is a code:
  "h" → "H" (hours), "D" → "d" (days), "W" → "w" (weeks) and "o" → "O" (once), the last two only on an Oqtane
  version that has them (3.0.2) — is corrected, with a note: a site that already installed the job keeps its
  Job row (created once, with the old code), so the job must be updated in Admin › Scheduled Jobs there.

What it leaves to a person, with the reason: any other invalid Frequency ("s": Oqtane has no seconds), an
Interval below 1, a missing Frequency or Interval (the base class defaults, "d" and 1, are running now), metadata
set at run time, a job without a constructor, and a missing IsEnabled — never set by this codemod: the job
registers disabled, and whether it should run is the author's decision. Findings it does not resolve are its
verdict's `kept` ranges, so `fixable` says exactly what the diff resolves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oqmigrate import syntax
from oqmigrate.analyse.members import constructor_base_args
from oqmigrate.analyse.metadata import FREQUENCIES, METADATA_PROPERTIES, ConstructorMetadata, job_metadata
from oqmigrate.edits import Edit
from oqmigrate.model import ClassInfo
from oqmigrate.syntax import Node
from oqmigrate.transforms import ClassVerdict, ManualFollowUp, TransformContext, TransformResult, emit
from oqmigrate.transforms.job_text import brace_on_own_line, line_indent, same_line
from oqmigrate.analyse.names import camel_words

NAME = "declare-metadata"
RULE_ID = "OQJ011"

FREQUENCY_WORDS = {"m": "minutes", "H": "hours", "d": "days", "w": "weeks", "M": "months", "O": "once"}
OLD_ROW = ("sites that already installed the job keep its Job row, created once with the old value: update the job "
           "in Admin › Scheduled Jobs there")


@dataclass
class MetadataPlan:
    """What declare-metadata does to one job class: edits it would make, findings it leaves (node range + why)."""

    add_name: list[Node] = field(default_factory=list)  # constructors that get a Name
    frequencies: list[tuple[Node, str, str]] = field(default_factory=list)  # (literal node, old, new)
    left: list[tuple[Node, str]] = field(default_factory=list)  # (finding node, reason left to a person)
    blocker: str | None = None


def plan_of(ctx: TransformContext, info: ClassInfo) -> MetadataPlan:
    plan = MetadataPlan()
    unsupported = emit.unsupported(ctx.version)
    meta = job_metadata(info)
    if unsupported is not None:
        plan.blocker = unsupported
        return plan
    for ctor in meta.constructors:
        if ctor.missing and meta.reports_missing:
            _plan_missing(plan, ctor)
        for a, value in ctor.bad_frequencies:
            _plan_frequency(ctx, plan, a, value)
        for a in ctor.bad_intervals:
            plan.left.append((a, f"Interval {syntax.text(a.child_by_field_name('right'))} is below 1 and has no obvious "
                                 f"meaning: declare a whole number of at least 1 ({OLD_ROW})"))
    if not meta.constructors and meta.reports_missing:
        plan.left.append((info.name_node, "the job has no constructor: add one taking IServiceScopeFactory that calls "
                                          "base(serviceScopeFactory) and declares Name, Frequency, Interval and IsEnabled"))
    for prop, a in meta.run_time:
        plan.left.append((a, f"{prop} is set at run time, but Oqtane reads job metadata once, when it creates the Job "
                             "row: declare it as a constant in the constructor, or change the job in Admin › Scheduled Jobs"))
    if not plan.add_name and not plan.frequencies:
        plan.blocker = plan.left[0][1] if plan.left else "the job's metadata needs no change this codemod can make"
    return plan


def _plan_missing(plan: MetadataPlan, ctor: ConstructorMetadata) -> None:
    name_node = ctor.node.child_by_field_name("name")
    if constructor_base_args(ctor.node) is None and any(c.type == "constructor_initializer" for c in ctor.node.named_children):
        plan.left.append((name_node, "this constructor calls another one (: this(…)); declare the metadata in the "
                                     "constructor that calls base(serviceScopeFactory)"))
        return
    body = ctor.node.child_by_field_name("body")
    if "Name" in ctor.missing and body is not None and body.type == "block":
        plan.add_name.append(ctor.node)
    others = [m for m in ctor.missing if m != "Name"]
    if others or body is None or body.type != "block":
        reasons = []
        if "Frequency" in others or "Interval" in others:
            gone = " and ".join(m for m in ("Frequency", "Interval") if m in others)
            reasons.append(f"{gone} not declared: the job runs on the base class default (Frequency \"d\", Interval 1); "
                           "declare the schedule it should have")
        if "IsEnabled" in others:
            reasons.append("IsEnabled is not declared: the job registers disabled (the base class default) and runs "
                           "only once someone enables it in Admin › Scheduled Jobs; declare IsEnabled = true if it "
                           "should start enabled (declare-metadata never decides that)")
        if body is None or body.type != "block":
            reasons.append("the constructor has no block body to declare metadata in")
        plan.left.append((name_node, "; ".join(reasons)))


def _plan_frequency(ctx: TransformContext, plan: MetadataPlan, assignment: Node, value: str) -> None:
    literal = assignment.child_by_field_name("right")
    meanings = [c for c in FREQUENCIES if len(value) == 1 and c != value and c.lower() == value.lower()]
    if len(meanings) == 1 and emit.has_frequency(ctx.version, meanings[0]):
        plan.frequencies.append((literal, value, meanings[0]))
        return
    if len(meanings) == 1:
        plan.left.append((assignment, f'Frequency "{value}" means "{meanings[0]}" ({FREQUENCY_WORDS[meanings[0]]}), '
                                      f"which Oqtane {ctx.version} does not have (from 3.0.2); declare another "
                                      f"schedule or upgrade Oqtane ({OLD_ROW})"))
        return
    hint = ' (seconds: jobs run at most once a minute, so "m" with Interval 1 is the closest)' if value == "s" else ""
    plan.left.append((assignment, f'Frequency "{value}" is not an Oqtane frequency{hint}; Oqtane runs the job on '
                                  f"every one-minute pass until it is one of m H d w M O: choose the schedule by hand "
                                  f"({OLD_ROW})"))


def verdict(ctx: TransformContext, info: ClassInfo) -> ClassVerdict:
    """What declare_metadata would do to the class (the scan's `fixable`), without producing edits."""
    plan = plan_of(ctx, info)
    if plan.blocker is not None:
        return ClassVerdict(plan.blocker)
    return ClassVerdict(None, tuple((n.start_byte, n.end_byte) for n, _ in plan.left))


def declare_metadata(ctx: TransformContext) -> TransformResult:
    result = TransformResult()
    for info in ctx.model.classes:
        if info.kind != "job" or not ctx.may_change_class(info.name):
            continue
        plan = plan_of(ctx, info)
        if plan.blocker is not None and not plan.left:
            result.manual.append(ManualFollowUp(ctx.rel, info.line, info.name, plan.blocker))
            continue
        if plan.add_name or plan.frequencies:
            result.touched.append(info.name)  # so that the CLI shows the review notes with the change
        for ctor in plan.add_name:
            result.edits.append(_name_edit(ctx, ctor, camel_words(info.name)))
        for literal, old, new in plan.frequencies:
            result.edits.append(Edit(literal.start_byte, literal.end_byte, f'"{new}"', RULE_ID, "frequency"))
            result.manual.append(ManualFollowUp.review(
                ctx.rel, literal.start_point[0] + 1, info.name,
                f'Frequency "{old}" became "{new}" ({FREQUENCY_WORDS[new]}); until now Oqtane ran the job on '
                f"every one-minute pass; {OLD_ROW}"))
        for node, why in plan.left:
            result.manual.append(ManualFollowUp(ctx.rel, node.start_point[0] + 1, info.name, why))
    return result


def _name_edit(ctx: TransformContext, ctor: Node, name: str) -> Edit:
    body = ctor.child_by_field_name("body")
    metadata = [s for s in body.named_children if s.type == "expression_statement" and _assigns_metadata(s)]
    qualified = bool(metadata) and syntax.text(metadata[0]).startswith("this.")
    statement = f'{"this." if qualified else ""}Name = "{name}";'
    anchor = metadata[0] if metadata else next(iter(body.named_children), None)
    if anchor is not None:
        indent = line_indent(ctx.data, anchor.start_byte)
        return Edit(anchor.start_byte, anchor.start_byte, f"{statement}{ctx.newline}{indent}", RULE_ID, "name")
    indent = line_indent(ctx.data, ctor.start_byte)
    open_brace, close_brace = body.children[0], body.children[-1]
    cls = syntax.first_ancestor(ctor, "class_declaration")
    if same_line(ctx.data, open_brace.start_byte, close_brace.end_byte) and \
            brace_on_own_line(ctx.data, cls.child_by_field_name("body") if cls is not None else None):
        prev = body.prev_sibling  # `{ }` after the signature in a file that puts braces on their own lines
        return Edit(prev.end_byte, body.end_byte, f"{ctx.newline}{indent}{{{ctx.newline}{indent}{ctx.indent}{statement}"
                                                  f"{ctx.newline}{indent}}}", RULE_ID, "name")
    return Edit(open_brace.end_byte, close_brace.start_byte,
                f"{ctx.newline}{indent}{ctx.indent}{statement}{ctx.newline}{indent}", RULE_ID, "name")


def _assigns_metadata(stmt: Node) -> bool:
    a = stmt.named_children[0] if stmt.named_children else None
    if a is None or a.type != "assignment_expression":
        return False
    left = syntax.text(a.child_by_field_name("left"))
    return left.removeprefix("this.") in METADATA_PROPERTIES
