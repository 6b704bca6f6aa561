"""persist-state (OQJ004, opt-in: runs only when named with `--codemod persist-state`): a scalar watermark field
(DateTime, DateTimeOffset, int, long, bool, string, Guid) that a run reads and then writes becomes a value kept in
the current tenant's database through Oqtane's ISettingRepository, as the framework's SearchIndexJob keeps its
last indexing time.

Storage: entity `JobState` (not Host, Job, ModuleDefinition, Theme or master:*, so SettingRepository keeps it
in the tenant's own database, not the master one: the value is per tenant), EntityId -1, SettingName
`<JobType>.<field>`; only GetSettings/AddSetting/UpdateSetting, present since 2.0.1. The value is read once at
the start of the run (the field's initial value when there is no setting yet) and written once, right before the
run's successful `return`, formatted and parsed with the invariant culture.

What is rewritten: a watermark whose every use lies in the block holding the run's one successful `return` —
the execute body or its outermost try — with no other `return` on the success path. Everything else (nullable
or other types, collections, several returns) stays with a reason saying where such state belongs.
"""

from __future__ import annotations

from dataclasses import dataclass

from oqmigrate import syntax
from oqmigrate.analyse.names import job_local_name
from oqmigrate.analyse.job_state import StateField, StateKind, classify, scalar_type
from oqmigrate.analyse.members import EXECUTE_METHODS, enclosing_function, enclosing_member, params
from oqmigrate.analyse.names import node_text
from oqmigrate.edits import Edit
from oqmigrate.model import ClassInfo
from oqmigrate.syntax import Node
from oqmigrate.transforms import ClassVerdict, ManualFollowUp, TransformContext, TransformResult
from oqmigrate.transforms.job_text import alone_on_lines, indent_of, line_start, removal_edits
from oqmigrate.transforms.migrate_worker.usings import using_edit
from oqmigrate.versions import Feature, supports

NAME = "persist-state"
RULE_ID = "OQJ004"
ENTITY_NAME = "JobState"  # not a master entity: SettingRepository keeps it in the tenant's database
SETTING_NAME_LIMIT = 50  # Setting.EntityName / SettingName columns
NEEDS = {"System.Globalization", "System.Linq", "Microsoft.Extensions.DependencyInjection", "Oqtane.Models",
         "Oqtane.Repository"}

# type -> (C# that parses `{s}`, C# that formats `{v}`)
CODECS = {
    "DateTime": ("DateTime.ParseExact({s}, \"o\", CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)",
                 "{v}.ToString(\"o\", CultureInfo.InvariantCulture)"),
    "DateTimeOffset": ("DateTimeOffset.ParseExact({s}, \"o\", CultureInfo.InvariantCulture, DateTimeStyles.None)",
                       "{v}.ToString(\"o\", CultureInfo.InvariantCulture)"),
    "int": ("int.Parse({s}, CultureInfo.InvariantCulture)", "{v}.ToString(CultureInfo.InvariantCulture)"),
    "long": ("long.Parse({s}, CultureInfo.InvariantCulture)", "{v}.ToString(CultureInfo.InvariantCulture)"),
    "bool": ("bool.Parse({s})", "{v}.ToString(CultureInfo.InvariantCulture)"),
    "string": ("{s}", "{v}"),
    "Guid": ("Guid.Parse({s})", "{v}.ToString(\"D\", CultureInfo.InvariantCulture)"),
}
ALIASES = {"Int32": "int", "Int64": "long", "Boolean": "bool", "String": "string"}
DEFAULTS = {"DateTime": "DateTime.MinValue", "DateTimeOffset": "DateTimeOffset.MinValue", "int": "0", "long": "0",
            "bool": "false", "string": "\"\"", "Guid": "Guid.Empty"}

ELSEWHERE = ("state other than a scalar watermark belongs in the tenant's database (a table of the module, "
             "through its repository) or, for a small value, in the tenant's settings (ISettingRepository); "
             "move it there by hand")


@dataclass(frozen=True)
class Persist:
    state: StateField
    type: str  # a key of CODECS
    block: Node  # the block that holds the uses and the successful return
    final_return: Node
    local: str


def _reason_not(s: StateField, why: str) -> str:
    return f"persist-state leaves '{s.name}' as it is: {why}"


def decide(ctx: TransformContext, info: ClassInfo, s: StateField) -> Persist | str:
    """How one reported field becomes a setting, or why it stays."""
    if s.kind is StateKind.RUN_ONCE:  # a setting would not make it right: say what the flag really does
        return _reason_not(s, f"it is not a scalar watermark: {s.reason}")
    if s.kind is not StateKind.WATERMARK:
        return _reason_not(s, f"it is not a scalar watermark ({s.kind.value}); {ELSEWHERE}")
    if not supports(ctx.version, Feature.JOB_METADATA_AND_TENANT_LOOP):
        return _reason_not(s, f"Oqtane {ctx.version} runs jobs without a tenant (from "
                              f"{Feature.JOB_METADATA_AND_TENANT_LOOP.since}), so a per-tenant setting has no tenant")
    raw = (scalar_type(s.field) or "")
    kind = ALIASES.get(raw, raw)
    if kind not in CODECS or syntax.text(s.field.type_node).strip().endswith("?"):
        return _reason_not(s, f"a nullable or unknown type; {ELSEWHERE}")
    setting_name = f"{info.name}.{s.name}"
    if len(setting_name) > SETTING_NAME_LIMIT:
        return _reason_not(s, f"the setting name {setting_name} is longer than {SETTING_NAME_LIMIT} characters")
    run_refs = [r for r in s.refs if enclosing_member(r) is None or
                enclosing_member(r).type not in ("constructor_declaration", "field_declaration",
                                                 "property_declaration")]
    ctor_refs = [r for r in s.refs if r not in run_refs]
    if any(enclosing_member(r).type == "constructor_declaration" for r in ctor_refs) or s.field.declarator is None or \
            sum(1 for c in s.field.declarator.parent.named_children if c.type == "variable_declarator") != 1:
        return _reason_not(s, "it is set in the constructor, declared with other fields, or a property")
    methods = {enclosing_function(r) for r in run_refs}
    method = next(iter(methods)) if len(methods) == 1 else None
    if method is None or method.type != "method_declaration" or \
            node_text(method.child_by_field_name("name")) not in EXECUTE_METHODS:
        return _reason_not(s, "it is used outside the execute method (in a helper or a lambda)")
    body = method.child_by_field_name("body")
    final = _final_return(body)
    if final is None:
        return _reason_not(s, "the run has no single successful `return` at the end of its body or of its "
                              "outermost try, where the value would be saved")
    block = final.parent
    if not all(block.start_byte <= r.start_byte < final.end_byte for r in run_refs):
        return _reason_not(s, "it is used outside the block that ends with the run's successful return")
    local = job_local_name(s.name)
    taken = {syntax.text(i) for i in syntax.descendants(method, "identifier")}
    if {local, local + "Setting", "settingRepository"} & taken:
        return _reason_not(s, f"the names {local}, {local}Setting or settingRepository are taken in the method")
    if not alone_on_lines(ctx.data, final) or not alone_on_lines(ctx.data, s.field.node):
        return _reason_not(s, "its declaration or the final return shares its lines with other code")
    return Persist(s, kind, block, final, local)


def _final_return(body: Node) -> Node | None:
    """The one `return` of the success path: last statement of the body or of its outermost try (returns in
    catch clauses, lambdas and local functions do not count)."""
    stmts = syntax.block_statements(body)
    if not stmts:
        return None
    last = stmts[-1]
    block = body
    if last.type == "try_statement":
        block = last.child_by_field_name("body")
        inner = syntax.block_statements(block)
        last = inner[-1] if inner else None
    if last is None or last.type != "return_statement":
        return None
    for r in syntax.descendants(body, "return_statement"):
        if r == last or enclosing_function(r) != body.parent:
            continue
        if syntax.first_ancestor(r, "catch_clause") is not None:
            continue
        return None
    return last


def _plans(ctx: TransformContext, info: ClassInfo) -> tuple[list[Persist], list[str]]:
    plans, reasons = [], []
    for s in classify(info):
        p = decide(ctx, info, s)
        (reasons if isinstance(p, str) else plans).append(p)
    return plans, reasons


def verdict(ctx: TransformContext, info: ClassInfo) -> ClassVerdict:
    plans, reasons = _plans(ctx, info)
    if not plans:
        return ClassVerdict("; ".join(reasons) or "no state to persist")
    chosen = {p.state.name for p in plans}
    return ClassVerdict(None, tuple((s.field.node.start_byte, s.field.node.end_byte) for s in classify(info)
                                    if s.name not in chosen))


def _edits(ctx: TransformContext, info: ClassInfo, plans: list[Persist]) -> list[Edit]:
    nl = ctx.newline
    edits = removal_edits(ctx.data, [p.state.field.node for p in plans], RULE_ID, NAME)
    by_block: dict[int, list[Persist]] = {}
    for p in plans:
        by_block.setdefault(p.block.start_byte, []).append(p)
    for group in by_block.values():
        block, final = group[0].block, group[0].final_return
        method = enclosing_function(final)
        plist = params(method.child_by_field_name("parameters"))
        provider = plist[0].name if plist else "provider"
        first = syntax.block_statements(block)[0]
        indent = indent_of(ctx.data, first)
        read = [f"var settingRepository = {provider}.GetRequiredService<ISettingRepository>();"]
        save: list[str] = []
        for p in group:
            parse, fmt = CODECS[p.type]
            setting, name = p.local + "Setting", f"{info.name}.{p.state.name}"
            initial = _initial(p)
            read += [f"var {setting} = settingRepository.GetSettings(\"{ENTITY_NAME}\", -1)"
                     f".FirstOrDefault(item => item.SettingName == \"{name}\");",
                     f"{syntax.text(p.state.field.type_node)} {p.local} = {setting} != null ? "
                     f"{parse.format(s=setting + '.SettingValue')} : {initial};"]
            value = fmt.format(v=p.local)
            save += [f"if ({setting} == null)", "{",
                     f"{ctx.indent}settingRepository.AddSetting(new Setting {{ EntityName = \"{ENTITY_NAME}\", "
                     f"EntityId = -1, SettingName = \"{name}\", SettingValue = {value} }});", "}", "else", "{",
                     f"{ctx.indent}{setting}.SettingValue = {value};",
                     f"{ctx.indent}settingRepository.UpdateSetting({setting});", "}"]
            for use in p.state.refs:
                if block.start_byte <= use.start_byte < block.end_byte:
                    edits.append(Edit(use.start_byte, use.end_byte, p.local, RULE_ID, NAME))
        at = line_start(ctx.data, first.start_byte)
        edits.append(Edit(at, at, "".join(indent + line + nl for line in read), RULE_ID, NAME))
        at = line_start(ctx.data, final.start_byte)
        edits.append(Edit(at, at, "".join((indent + line if line else "") + nl for line in save), RULE_ID, NAME))
    return edits


def _initial(p: Persist) -> str:
    kids = [c for c in p.state.field.declarator.named_children if c.type != "comment"]
    return syntax.text(kids[-1]) if len(kids) > 1 else DEFAULTS[p.type]


def persist_state(ctx: TransformContext) -> TransformResult:
    result = TransformResult()
    edits: list[Edit] = []
    for info in ctx.model.classes:
        if info.kind != "job" or not ctx.may_change_class(info.name):
            continue
        plans, reasons = _plans(ctx, info)
        result.manual += [ManualFollowUp(ctx.rel, info.line, info.name, r) for r in reasons]
        if not plans:
            continue
        edits += _edits(ctx, info, plans)
        result.touched.append(info.name)
        for p in plans:
            result.manual.append(ManualFollowUp.review(
                ctx.rel, info.line, info.name,
                f"'{p.state.name}' is kept per tenant in the setting {ENTITY_NAME}/-1/{info.name}."
                f"{p.state.name} (read at the start of the run, saved before its successful return); the first run "
                f"on each tenant starts from {_initial(p)}"))
    if edits:
        result.edits = edits
        needs = NEEDS if any("CultureInfo" in e.new_text for e in edits) else NEEDS - {"System.Globalization"}
        usings = using_edit(ctx, edits, needs)
        if usings is not None:
            result.edits.append(Edit(usings.start_byte, usings.end_byte, usings.new_text, RULE_ID, "usings"))
    return result
