"""The worker analysis: everything that decides whether (and how) a worker class becomes an Oqtane job.

`analyse_worker(ctx, info)` reads a BackgroundService / IHostedService worker — its members, what drives it (a
loop, a timer, a started task), its schedule, the unit of work and the dependencies that work uses — and returns a
`WorkerModel`. Its `blockers` are empty exactly when the migrate-worker codemod migrates the class: the codemod
emits from this analysis and cannot refuse later. The scan reads the same model to say whether a finding is
fixable, without generating code.

The analysis is one object, `WorkerAnalysis`, whose methods are grouped by concern in the modules beside this one:
`partial_worker` (partial classes), `worker_members` (fields, constructor, members, logging), `driver` (timer,
loop or started task, lifecycle), `loop` (the loop, its pacing, the unit of work), `clock` (polled clock checks),
`schedule_of_worker` (cron and cadence), `dependencies` (fields the work uses), `run_scope` (scopes and disposals
the run's provider must replace), `lifecycle_notes` (what changes over the host's lifetime), `tenant_notes` (what now runs once per tenant), `reentrancy` (an overlap guard the framework
makes redundant) and `recorder` (the removals and replacements the rewrite will make). It stops at the first blocker.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from oqmigrate import syntax
from oqmigrate.analyse.blockers import Blocked, Blocker, BlockerKind
from oqmigrate.analyse.clock import ClockMixin
from oqmigrate.analyse.dependencies import DependenciesMixin
from oqmigrate.analyse.driver import DriverMixin
from oqmigrate.analyse.lifecycle_notes import LifecycleNotesMixin
from oqmigrate.analyse.loop import LoopMixin
from oqmigrate.analyse.partial_worker import PartsMixin, parts_of
from oqmigrate.analyse.recorder import RecorderMixin
from oqmigrate.analyse.reentrancy import ReentrancyMixin
from oqmigrate.analyse.run_scope import RunScopeMixin
from oqmigrate.analyse.schedule_of_worker import CadenceMixin
from oqmigrate.analyse.tenant_notes import TenantNotesMixin
from oqmigrate.analyse.worker_facts import DISABLED_NOTE, Driver, Field, Plan, Replacement
from oqmigrate.analyse.worker_members import MembersMixin
from oqmigrate.analyse.members import identifiers_named, node_index, nodes_of_type
from oqmigrate.model import TYPE_DECLARATIONS, ClassInfo
from oqmigrate.schedule import Schedule
from oqmigrate.syntax import Node
from oqmigrate.transforms import TransformContext, emit
from oqmigrate.analyse.names import camel_words

__all__ = ["Blocker", "BlockerKind", "Driver", "WorkerAnalysis", "WorkerModel", "analyse_worker"]


@dataclass
class WorkerModel:
    """What the analysis found about one worker class.

    `blockers`: empty ⇔ migrate-worker migrates the class (the analysis stops at the first one, so there is at
    most one). `driver`: what made it run repeatedly (None when that was not found). `schedule`: the job's
    Frequency/Interval/StartDate (None when blocked). `kept_ranges`: sorted, disjoint byte ranges [start, end)
    of the file that the job carries over — the unit of work, the helper methods it calls, the constants and
    fields it keeps; node-anchored replacements still apply inside them (the token becomes
    `CancellationToken.None`, `scope.ServiceProvider` becomes `provider`, fields become locals). Every other byte
    of the class from its name to its closing brace is removed or regenerated (in the other parts of a partial
    class only the members the lifecycle alone used go). `notes`: the review notes a migration reports.
    """
    info: ClassInfo
    blockers: list[Blocker]
    driver: Driver | None
    schedule: Schedule | None
    kept_ranges: list[tuple[int, int]]
    notes: list[str] = field(default_factory=list)
    analysis: WorkerAnalysis | None = field(default=None, repr=False)  # what migrate-worker emits from

    @property
    def migratable(self) -> bool:
        return not self.blockers


def analyse_worker(ctx: TransformContext, info: ClassInfo) -> WorkerModel:
    """Analyse one worker class (ClassInfo.kind == "worker") of the file in `ctx`. A secondary part of a partial
    class (no base list, another part in the file has one) is analysed through the part with the base list. On an
    Oqtane version that cannot run the job (before 2.0.1: no job metadata; a schedule whose frequency code the
    version lacks and has no substitute for) nothing is migrated."""
    unsupported = emit.unsupported(ctx.version)
    if unsupported is not None:
        return WorkerModel(info, [Blocker(BlockerKind.UNSUPPORTED_VERSION, unsupported)], None, None, [])
    if info.is_partial and not info.bases:
        primary = next((p for p in parts_of(ctx, info) if p.bases), None)
        if primary is not None:
            info = primary
    analysis = WorkerAnalysis(ctx, info)
    try:
        analysis.analyse()
    except Blocked as why:
        return WorkerModel(info, [why.blocker], analysis.plan.driver, None, [])
    schedule = analysis.plan.schedule
    missing_code = emit.frequency_blocker(ctx.version, schedule.frequency) if schedule is not None else None
    if missing_code is not None:
        return WorkerModel(info, [Blocker(BlockerKind.UNSUPPORTED_VERSION, missing_code)], analysis.plan.driver,
                           None, [])
    return WorkerModel(info, [], analysis.plan.driver, analysis.plan.schedule, analysis.kept_ranges(),
                       list(analysis.notes), analysis)


class WorkerAnalysis(PartsMixin, MembersMixin, DriverMixin, LoopMixin, ClockMixin, CadenceMixin, DependenciesMixin,
                     RecorderMixin, RunScopeMixin, LifecycleNotesMixin,
                     TenantNotesMixin, ReentrancyMixin):
    """The state of one worker's analysis. `analyse()` raises Blocked with the first reason the class cannot be
    migrated; after it returns, the plan, fields, helpers and recorded replacements describe the job."""

    def __init__(self, ctx: TransformContext, info: ClassInfo):
        self.ctx = ctx
        self.info = info
        self.data = ctx.data
        self.nl = ctx.newline
        self.node = info.node
        self.body = info.body
        self.root = ctx.tree.root_node
        self.aliases: dict[str, str] = ctx.model.aliases
        self.other_parts: list[Node] = []  # bodies of the other parts of a partial class, all in this file
        self.bodies: list[Node] = [self.body] if self.body is not None else []
        self.replacements: list[Replacement] = []
        self.deleted: list[tuple[int, int]] = []
        self.notes: list[str] = []
        self.lifecycle_notes: list[str] = []  # what the job does differently over the host's lifetime
        self.needs: set[str] = set()
        self.fields: dict[str, Field] = {}
        self.methods: dict[str, list[Node]] = {}
        self.constant_properties: dict[str, Node] = {}  # expression-bodied properties that only compute → value
        self.ctor: Node | None = None
        self.plan = Plan()
        self.outcome_name = camel_words(info.name)
        self.scope_names: set[str] = set()
        self.cron_locals: set[str] = set()
        self._cron_removed: list[Node] = []
        self._failure_backoffs: list[tuple[Node, Node, Node]] = []  # (try, catch, wait) of retries after failures
        self._polled_setup: list[Node] = []  # statements before the loop that only prime a next/last-run value
        self._index: dict[str, list[Node]] | None = None
        self._indexed: list[Node] = []  # the bodies `_index` was built from
        self._walked: list[Node] = []  # every node of `_indexed`, in document order, once walked
        self._shared: dict[str, list[Node]] | None = None  # the class's node index, when `_index` is taken from it
        self._order: dict[int, int] | None = None  # node id -> its position in `_walked`, when asked
        self._starts: dict[str, list[int]] = {}  # node type -> the start bytes of `_index[type]`
        self._by_name: dict[str, list[Node]] | None = None

    def analyse(self) -> None:
        info = self.info
        problems = syntax.syntax_problems(self.ctx.tree)
        if any(p.start_byte < info.node.end_byte and p.end_byte > info.node.start_byte for p in problems):
            raise Blocked(BlockerKind.SYNTAX_ERROR, "syntax errors in or near the class; fix them first")
        if self.body is None:
            raise Blocked(BlockerKind.UNSUPPORTED_SHAPE, "class has no body")
        if info.is_abstract:
            raise Blocked(BlockerKind.ABSTRACT_BASE,
                          "abstract worker base shared by subclasses: migrate each subclass by hand")
        if info.via.rsplit(".", 1)[-1] not in ("BackgroundService", "IHostedService"):
            raise Blocked(BlockerKind.DERIVED_WORKER,
                          f"derives from the worker base {info.via}: migrate the base and its subclasses together")
        if info.is_partial:
            self._check_parts()
        if any(c.type == "type_parameter_list" for c in self.node.named_children):
            raise Blocked(BlockerKind.GENERIC_CLASS, "generic worker class")
        self._collect_members()
        if self.other_parts:
            self._check_parts_complete()
        self._find_driver()
        self._check_members()
        self._check_hidden_clock_checks()
        self._drop_reentrancy_guard()
        self._plan_dependencies()
        self._check_dependency_sources()
        self._check_run_scopes()
        self.plan.passed_tokens = self._passed_tokens()
        self._collect_lifecycle_notes()
        self.notes.extend(self.plan.cadence_notes)
        self.notes.extend(self.lifecycle_notes)
        tenant_note = self._tenant_note()
        if tenant_note is not None:
            self.notes.append(tenant_note)
        if not self.plan.enabled:
            self.notes.append(DISABLED_NOTE)

    def _class_nodes(self, node_type: str) -> list[Node]:
        """The nodes of one type in the class bodies (all the parts in this file, nested types included), in
        document order. Taken from the class's node index (`members.node_index`, which the rules have built
        already) when that holds the same nodes — no nested types, the parts in the same order, no parse error —
        else from one walk of the bodies, made after the parts are known; later lookups are dictionary reads."""
        if self._index is None:
            self._index = {}
            self._indexed = list(self.bodies)
            if self._index_is_shared():
                self._shared = node_index(self.info)
            else:
                self._walk_bodies()
        if self._shared is not None and node_type not in self._index:
            self._index[node_type] = self._in_bodies(nodes_of_type(self.info, node_type))
        return self._index.get(node_type, [])

    def _in_bodies(self, nodes) -> list[Node]:
        """The nodes that lie inside one of the indexed bodies."""
        if len(self._indexed) == 1:
            s, e = self._indexed[0].start_byte, self._indexed[0].end_byte
            return [n for n in nodes if s <= n.start_byte and n.end_byte <= e]
        ranges = [(b.start_byte, b.end_byte) for b in self._indexed]
        return [n for n in nodes if any(s <= n.start_byte and n.end_byte <= e for s, e in ranges)]

    def _index_is_shared(self) -> bool:
        """Do the class's own nodes (`members.node_index`) inside its bodies equal a walk of `self.bodies`?"""
        parts = (self.info.node, *self.info.parts)
        if self.root.has_error or len(parts) != len(self._indexed) or any(
                b.parent is None or b.parent.id != p.id for b, p in zip(self._indexed, parts)):
            return False
        return not any(t in node_index(self.info) for t in TYPE_DECLARATIONS)

    def _walk_bodies(self) -> None:
        """Index every node of the bodies by type, in one walk (when the class's own index cannot serve)."""
        index, walked = self._index, self._walked
        for body in self._indexed:
            for n in syntax.walk(body):
                walked.append(n)
                index.setdefault(n.type, []).append(n)

    def _nodes_within(self, root: Node, start: int, end: int, *types: str) -> list[Node]:
        """`syntax.nodes_within(root, start, end, *types)`, answered from the class's node index when the range lies
        in one of the class bodies (else by walking): the nodes of the types wholly inside [start, end) that do
        not end at `start` nor start at `end` (so a zero-width node on either edge is not one of them), in
        document order."""
        self._class_nodes(types[0])
        if not any(b.start_byte <= start and end <= b.end_byte for b in self._indexed):
            return list(syntax.nodes_within(root, start, end, *types))
        whole_file = root.id == self.root.id
        found = []
        for t in types:
            nodes = self._class_nodes(t)
            if not nodes:
                continue
            if t not in self._starts:
                starts = [n.start_byte for n in nodes]
                # parts of a partial class out of document order: not sorted, so not searchable
                self._starts[t] = starts if all(a <= b for a, b in zip(starts, starts[1:])) else None
            starts = self._starts[t]
            if starts is None:
                return list(syntax.nodes_within(root, start, end, *types))
            for i in range(bisect_left(starts, start), len(nodes)):
                if starts[i] >= end:
                    break
                n = nodes[i]
                e = n.end_byte
                if start < e <= end:
                    if not whole_file and starts[i] == root.start_byte and e == root.end_byte and n.id != root.id:
                        return list(syntax.nodes_within(root, start, end, *types))  # `root` or its ancestor
                    found.append(n)
        if len(types) > 1 and len(found) > 1:
            self._document_order(found)
        return found

    def _document_order(self, found: list[Node]) -> None:
        """Sort nodes of the bodies into document (pre-)order. Without a parse error (so no zero-width node)
        an ancestor starts no later and ends no earlier, and nodes that do not nest do not overlap: ordering by
        (start, longest first) is pre-order unless two nodes have the same extent; then the walk decides."""
        keys = [(n.start_byte, -n.end_byte) for n in found]
        if not self.root.has_error and len(set(keys)) == len(keys) and all(s != -e for s, e in keys):
            order = sorted(range(len(found)), key=keys.__getitem__)
            found[:] = [found[i] for i in order]
            return
        if self._order is None:
            if not self._walked:
                self._walk_all()
            self._order = {n.id: i for i, n in enumerate(self._walked)}
        order_of = self._order
        found.sort(key=lambda n: order_of[n.id])

    def _walk_all(self) -> None:
        """Number every node of the bodies in document order (`_walked`), without touching the index."""
        for body in self._indexed:
            self._walked.extend(syntax.walk(body))

    def _identifiers_named(self, name: str) -> list[Node]:
        """The identifiers spelled `name` in the class, in document order."""
        if self._by_name is None:
            self._by_name = {}
            self._class_nodes("identifier")
            if self._shared is None:
                for n in self._class_nodes("identifier"):
                    self._by_name.setdefault(syntax.text(n), []).append(n)
        if self._shared is not None and name not in self._by_name:  # the class's own index by spelling, filtered
            self._by_name[name] = self._in_bodies(identifiers_named(self.info, name))
        return self._by_name.get(name, [])

    def kept_ranges(self) -> list[tuple[int, int]]:
        """The byte ranges the job carries over, minus the statements the analysis already removed from them."""
        ranges = [(p.start, p.end) for p in self.plan.pieces]
        ranges += [(h.start_byte, h.end_byte) for h in self.helpers]
        ranges += [(f.declaration.start_byte, f.declaration.end_byte) for f in self.kept_fields]
        return _subtract(_merged(ranges), _merged(self.deleted))


def _merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(ranges):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _subtract(ranges: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    for s, e in ranges:
        pos = s
        for hs, he in holes:
            if he <= pos or hs >= e:
                continue
            if hs > pos:
                out.append((pos, hs))
            pos = max(pos, he)
        if pos < e:
            out.append((pos, e))
    return out
