"""The job class text: `HostedServiceBase`, a constructor with the job's metadata, and ExecuteJob/ExecuteJobAsync
holding the unit of work (guarded so that exceptions become the returned outcome) and the helpers it calls.

What the job may contain depends on the project's Oqtane version (`oqmigrate.transforms.emit`): the frequency is
declared as the version knows it (weekly becomes every 7·n days before 3.0.2, with a note), and async work on a
version without `ExecuteJobAsync` (before 4.0.3) moves into a private `async Task<string> RunJobAsync(provider)`
that the synchronous `ExecuteJob` runs to completion (`GetAwaiter().GetResult()`, inside a catch-all that returns
the failed outcome, so nothing escapes the execute method), with a review note. Versions
that cannot run a job at all are refused by the analysis (`analyse_worker`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from oqmigrate import syntax
from oqmigrate.analyse.members import LOGGER_TYPES
from oqmigrate.analyse.worker import WorkerModel
from oqmigrate.analyse.worker_facts import DISABLED_NOTE, WORKER_BASES, Field, Piece
from oqmigrate.edits import Edit
from oqmigrate.schedule import Schedule, WEEKDAYS
from oqmigrate.syntax import Node
from oqmigrate.transforms import emit
from oqmigrate.transforms.migrate_worker.ctor_doc import doc_comments, kept_doc_lines, without_removed_parameters
from oqmigrate.transforms.migrate_worker.rewrite import SENTINEL, Rewriter, blank_line_between
from oqmigrate.transforms.migrate_worker.rule import DEPENDENCY_INJECTION, INFRASTRUCTURE, RULE_ID
from oqmigrate.transforms.migrate_worker.usings import QUALIFIED_JOB_BASE
from oqmigrate.analyse.names import is_member_name


JOB_CONSTRUCTOR_PARAMETER = "serviceScopeFactory"


@dataclass
class Migration:
    edit: Edit  # the class from its name to its closing brace
    needs: set[str]  # namespaces the job uses
    notes: list[str]  # review notes
    part_edits: list[Edit] = field(default_factory=list)  # in the other parts of a partial class
    doc_edit: Edit | None = None  # the class's doc without the <param> tags of its primary constructor


class JobWriter(Rewriter):
    """Writes the job from a finished WorkerAnalysis. It reads the analysis' state (fields, plan, helpers, recorded
    replacements) as its own attributes and adds the replacements and usings that writing needs; a model is
    written once."""

    def __init__(self, model: WorkerModel, qualified: bool):
        """`qualified`: spell the base `Oqtane.Infrastructure.HostedServiceBase` (`usings.qualify_infrastructure`)."""
        if model.analysis is None:
            raise ValueError(f"{model.info.name} is not migratable: {model.blockers}")
        self.__dict__["_analysis"] = model.analysis
        self.__dict__["qualified"] = qualified

    def __getattr__(self, name: str):
        return getattr(self.__dict__["_analysis"], name)

    def write(self) -> Migration:
        self._plan_rewrites({h.start_byte for h in self.helpers})
        text = self._generate()
        edit = Edit(self._class_rewrite_start(), self.node.end_byte, text, RULE_ID, "; ".join(self.notes))
        return Migration(edit, self.needs, list(self.notes), self._part_edits(), self._class_doc_edit())

    def unit(self) -> str:
        member = self.member_indent()
        cls = self._line_indent(self.node.start_byte)
        if member.startswith(cls) and len(member) > len(cls):
            return member[len(cls):]
        return self.ctx.indent

    def member_indent(self) -> str:
        for m in self.body.named_children:
            return self._line_indent(m.start_byte)
        return self._line_indent(self.node.start_byte) + self.ctx.indent

    def _class_rewrite_start(self) -> int:
        name = self.node.child_by_field_name("name")
        return name.end_byte

    def _resolution(self, name: str) -> str:
        f = self.fields[name]
        expr = self._dependency_expression(f)
        return f"var {self.resolved[name]} = {expr};"

    def _dependency_expression(self, f: Field) -> str:
        value = f.ctor_value
        params = {}
        for p in self._parameters():
            params[syntax.text(p.child_by_field_name("name"))] = syntax.text(p.child_by_field_name("type"))
        out = []
        pos = value.start_byte
        for n in syntax.descendants(value, "identifier"):
            nm = syntax.text(n)
            if is_member_name(n) or n.parent.type in ("type_argument_list", "generic_name"):
                continue
            if nm in params:
                t = params[nm]
                out.append(self.data[pos:n.start_byte].decode())
                if t.rsplit(".", 1)[-1] == "IServiceProvider":
                    out.append("provider")
                else:
                    out.append(f"provider.GetRequiredService<{t}>()")
                    self.needs.add(DEPENDENCY_INJECTION)
                pos = n.end_byte
                if n.parent.type == "conditional_access_expression" and n.parent.named_children[0] == n and \
                        t.rsplit(".", 1)[-1] != "IServiceProvider":
                    # `options?.Value`: GetRequiredService never returns null
                    pos = self.data.index(b"?", pos) + 1
        out.append(self.data[pos:value.end_byte].decode())
        return "".join(out)

    def _generate(self) -> str:
        nl = self.nl
        unit = self.unit()
        cls_indent = self._line_indent(self.node.start_byte)
        m = self.member_indent()
        s1 = m + unit
        s2 = s1 + unit
        knr = self._knr()
        sched = self.plan.schedule
        name = self.info.name
        self.needs |= {INFRASTRUCTURE, DEPENDENCY_INJECTION, "System"}

        def open_brace(indent: str) -> str:
            return " {" if knr else nl + indent + "{"

        # qualified where `using Oqtane.Infrastructure;` would make a name the file uses ambiguous (CS0104)
        bases = [QUALIFIED_JOB_BASE if self.qualified else "HostedServiceBase"]
        for b in self.info.bases:
            if b.simple not in WORKER_BASES:
                bases.append(syntax.text(b.node))
        out = [" : " + ", ".join(bases), open_brace(cls_indent), nl]

        members: list[str] = []
        for f in self.kept_fields:
            if self._in_main_part(f.declaration):
                members.append(self._member_text(f.declaration))

        ctor = [f"{m}{line}{nl}" for line in self._constructor_doc()]
        ctor.append(f"{m}public {name}(IServiceScopeFactory serviceScopeFactory) : base(serviceScopeFactory)"
                    f"{open_brace(m)}")
        version = self.ctx.version
        freq = emit.frequency(version, sched.frequency, sched.interval)
        cadence_notes = list(self.plan.cadence_notes)
        if freq.note:
            cadence_notes.append(freq.note)
            self.notes.append(freq.note)
        body = [f'Name = "{self.outcome_name}";', f'Frequency = "{freq.code}";']
        start = start_date(sched)
        # the cadence notes go on the StartDate line when there is one (they are about the time), else on Interval
        cadence_note = " // oqmigrate: " + "; ".join(cadence_notes) if cadence_notes else ""
        body.append(f"Interval = {freq.interval};" + ("" if start else cadence_note))
        if start:
            body.extend(start[:-1])
            body.append(start[-1] + cadence_note)
        if self.plan.enabled:
            body.append("IsEnabled = true; // the worker ran unconditionally")
        else:
            body.append("IsEnabled = false; // oqmigrate: " + DISABLED_NOTE)
        ctor.extend(nl + s1 + line for line in body)
        ctor.append(nl + m + "}")
        members.append("".join(ctor))

        is_async = self._is_async()
        bridge = None
        if is_async:
            self.needs.add("System.Threading.Tasks")
            if not emit.can_run_async(version):
                # the async work moves into a private method that the synchronous ExecuteJob runs to completion
                bridge = emit.sync_bridge_method(set(self.methods) | set(self.fields) | {name})
                self.notes.append(emit.SYNC_BRIDGE_NOTE)
                members.append("".join([
                    f"{m}{emit.execute_signature(version, is_async)}", open_brace(m),
                    nl + s1 + "// oqmigrate: " + emit.SYNC_BRIDGE_NOTE,
                    nl + s1 + "try" + open_brace(s1), nl + s2 + emit.run_async_text(bridge), nl + s1 + "}",
                    nl + s1 + "catch (Exception ex)" + open_brace(s1),
                    nl + s2 + f"return {emit.failed(self.outcome_name, 'ex')};", nl + s1 + "}",
                    nl + m + "}"]))
        if bridge is not None:
            sig = f"{m}private async Task<string> {bridge}(IServiceProvider provider)"
        else:
            sig = m + emit.execute_signature(version, is_async)
        method = [sig, open_brace(m)]
        # Loggers are resolved before the try so the catch can log; everything else inside it, so that a
        # missing registration becomes the job's outcome instead of an exception.
        ordered = self._ordered(self.direct_fields)
        loggers = [f for f in ordered if self.fields[f].simple_type in LOGGER_TYPES]
        for fname in loggers:
            method.append(nl + s1 + self._resolution(fname))
        merged_catch = self._mergeable_catch()
        method.append(nl + s1 + "try" + open_brace(s1))
        for fname in ordered:
            if fname not in loggers:
                method.append(nl + s2 + self._resolution(fname))
        work_pieces = self.plan.pieces
        catch_var = "ex"
        catch_lines: list[str] = []
        if merged_catch is not None:
            try_node, catch = merged_catch
            work_pieces = self._merge_comments(syntax.block_statements(try_node.child_by_field_name("body"), comments=True))
            work_pieces = self._pieces([self._node_at(p.start) for p in work_pieces])
            decl = next((x for x in catch.named_children if x.type == "catch_declaration"), None)
            nm = decl.child_by_field_name("name") if decl is not None else None
            if nm is not None:
                catch_var = syntax.text(nm)
            cbody = catch.child_by_field_name("body")
            catch_lines = [self._render_piece(p.start, p.end, s2)
                           for p in self._merge_comments(syntax.block_statements(cbody, comments=True))]
            catch_lines = [c for c in catch_lines if c.strip()]
        method.extend(self._work_text(work_pieces, s2))
        method.append(nl + s2 + f"return {emit.completed(self.outcome_name)};")
        method.append(nl + s1 + "}")
        method.append(nl + s1 + f"catch (Exception {catch_var})" + open_brace(s1))
        for line in catch_lines:
            method.append(nl + s2 + line)
        method.append(nl + s2 + f"return {emit.failed(self.outcome_name, catch_var)};")
        method.append(nl + s1 + "}")
        method.append(nl + m + "}")
        members.append("".join(method))

        for h in self.helpers:
            if self._in_main_part(h):
                members.append(self._member_text(h))
        text = (nl + nl).join(members)
        out.append(text.replace(SENTINEL, "\n"))
        out.append(nl + cls_indent + "}")
        return "".join(out)

    def _constructor_doc(self) -> list[str]:
        """The old constructor's XML doc minus what described parameters the job's constructor does not have."""
        ctor = self.ctor
        if ctor is None or not self._in_main_part(ctor):
            return []
        return kept_doc_lines(doc_comments(ctor), {JOB_CONSTRUCTOR_PARAMETER})

    def _class_doc_edit(self) -> Edit | None:
        """A primary constructor's parameters are documented by `<param>` tags in the class's doc: they go with
        the parameters (the job's constructor is written in the class body and documents nothing)."""
        if self.info.primary_parameters is None:
            return None
        comments = doc_comments(self.node)
        kept = without_removed_parameters(comments, set())
        if kept is None or len(kept) == len(comments):
            return None
        start = self.data.rfind(b"\n", 0, comments[0].start_byte) + 1
        end = self.data.find(b"\n", comments[-1].end_byte)
        end = len(self.data) if end < 0 else end + 1
        indent = self._line_indent(comments[0].start_byte)
        return Edit(start, end, "".join(indent + line + self.nl for line in kept), RULE_ID, "doc")

    def _work_text(self, pieces: list[Piece], indent: str) -> list[str]:
        out = []
        prev_end = None
        for p in pieces:
            rendered = self._render_piece(p.start, p.end, indent)
            if not rendered.strip():
                prev_end = p.end
                continue
            if self._expression_pieces:
                rendered = rendered + ";"
            if prev_end is not None and blank_line_between(self.data, prev_end, p.start):
                out.append(self.nl)
            out.append(self.nl + indent + rendered)
            prev_end = p.end
        return out

    def _member_text(self, member: Node) -> str:
        start = self._leading_comments_start(member)
        return self._line_indent(start) + self._render(start, member.end_byte)

    def _knr(self) -> bool:
        brace = self.body.children[0]
        header_end = self.body.prev_sibling.end_point[0] if self.body.prev_sibling else self.node.start_point[0]
        return brace.start_point[0] == header_end

    def _is_async(self) -> bool:
        host = self.plan.host
        if host is not None and host.type == "lambda_expression" and any(c.type == "async" for c in host.children):
            return True
        if host is not None and host.type == "method_declaration" and self.plan.loop is None and \
                "async" in {syntax.text(c) for c in host.children if c.type == "modifier"}:
            return True
        for p in self.plan.pieces:
            for n in syntax.nodes_within(self.root, p.start, p.end, "await_expression", "await"):
                if self._is_deleted(n):
                    continue
                if self._inside_function_below_root(n):
                    continue
                return True
        return False

    def _mergeable_catch(self):
        """When the unit of work is one try with a single catch-all clause, that clause becomes the job's."""
        real = [p for p in self.plan.pieces if self._node_at(p.start) is not None and
                self._node_at(p.start).type != "comment"]
        if len(real) != 1 or len(self.plan.pieces) != 1:
            return None
        n = self._node_at(real[0].start)
        if n.type != "try_statement" or n.end_byte != real[0].end:
            return None
        clauses = [c for c in n.named_children if c.type in ("catch_clause", "finally_clause") and not self._is_deleted(c)]
        if len(clauses) != 1 or clauses[0].type != "catch_clause":
            return None
        c = clauses[0]
        decl = next((x for x in c.named_children if x.type == "catch_declaration"), None)
        if any(x.type == "catch_filter_clause" for x in c.named_children):
            return None
        if decl is not None and syntax.text(decl.child_by_field_name("type")) not in ("Exception", "System.Exception"):
            return None
        return n, c


def start_date(s: Schedule) -> list[str]:
    """The constructor statements that set StartDate to the schedule's NEXT occurrence (UTC), strictly after the
    moment the job is constructed; none for a schedule without a time of day.

    A StartDate in the past would run the job at the first pass after installation, and from 10.0.4 Oqtane
    computes every later d/w/M run from the day of the previous one (today at its time of day + the interval), so a
    monthly job would move to the installation day for good. Before 10.0.4 the time of day is taken from StartDate:
    the next occurrence is right there too. The clock is read once (`now`), so a day or month boundary between two
    reads cannot pick the wrong occurrence; only operators, properties and DateTime/TimeSpan construction are used
    (C# 7.2, and nothing OQJ016 calls a side effect)."""
    if s.start_time is None:
        return []
    h, m = s.start_time.hour, s.start_time.minute
    now = "var now = DateTime.UtcNow;"
    if s.frequency == "M":
        at = f"{s.start_day}, {h}, {m}, 0, DateTimeKind.Utc"
        return [now,
                f"var thisMonth = new DateTime(now.Year, now.Month, {at});",
                f"var nextMonth = new DateTime(now.Year + now.Month / 12, now.Month % 12 + 1, {at});",
                "StartDate = thisMonth > now ? thisMonth : nextMonth;"]
    days, period = "", 1
    if s.frequency == "w":
        days, period = f"((int)DayOfWeek.{WEEKDAYS[s.start_weekday]} - (int)now.DayOfWeek + 7) % 7, ", 7
    return [now,
            f"var start = now.Date + new TimeSpan({days}{h}, {m}, 0);",
            f"StartDate = start > now ? start : start + TimeSpan.FromDays({period});"]
