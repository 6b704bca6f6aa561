"""migrate-worker: rewrite a BackgroundService / IHostedService worker into an Oqtane HostedServiceBase job.

The class keeps its name, namespace, attributes and modifiers; everything from the name to the closing brace is
regenerated: base `HostedServiceBase`, a constructor taking only `IServiceScopeFactory` that declares the
metadata (Name, Frequency, Interval, StartDate, IsEnabled), and `ExecuteJob`/`ExecuteJobAsync` holding the unit of
work — the statements that ran once per tick — guarded so that exceptions become the returned outcome. The unit
of work is copied from the original bytes with small, node-anchored replacements (the worker's token becomes
`CancellationToken.None`, `scope.ServiceProvider` becomes `provider`, constructor-injected fields become locals
resolved from `provider`, …) and re-indented to its new depth; comments travel with it.

Whether a class can be migrated, its schedule, its unit of work and what goes with the loop are decided by the
worker analysis (`oqmigrate.analyse.worker.analyse_worker`, which the scan reads too); a class with a blocker is
left untouched and comes back as a ManualFollowUp with the blocker's text. This package only writes: `rewrite`
(replacements inside the kept code, re-indenting), `generate` (the job class text), `usings` (using directives).
Generated code uses C# 7.2 constructs only.
"""

from __future__ import annotations

from oqmigrate.analyse.partial_worker import parts_of as info_parts
from oqmigrate.analyse.worker import analyse_worker
from oqmigrate.edits import Edit
from oqmigrate.model import ClassInfo
from oqmigrate.transforms import ClassVerdict, ManualFollowUp, TransformContext, TransformResult
from oqmigrate.transforms.migrate_worker.generate import JobWriter
from oqmigrate.transforms.migrate_worker.rule import CODEMOD, RULE_ID
from oqmigrate.transforms.migrate_worker.usings import qualify_infrastructure, using_edit

__all__ = ["CODEMOD", "RULE_ID", "migrate_worker", "verdict"]


def verdict(ctx: TransformContext, info: ClassInfo) -> ClassVerdict:
    """What migrate_worker would do to the class, from the analysis alone (the scan's `fixable`)."""
    model = analyse_worker(ctx, info)
    if model.blockers:
        return ClassVerdict(model.blockers[0].text)
    return ClassVerdict(None, tuple(model.kept_ranges))


def migrate_worker(ctx: TransformContext) -> TransformResult:
    result = TransformResult([], [], [])
    class_edits: list[Edit] = []
    needs: set[str] = set()
    qualified: bool | None = None  # asked once per file: every job's base and the using block agree
    for info in ctx.model.classes:
        if info.kind != "worker" or not ctx.may_change_class(info.name):
            continue  # not a worker, or not asked for in this run (deselected, suppressed, --only)
        if info.is_partial and not info.bases and any(p.bases for p in info_parts(ctx, info)):
            continue  # migrated (or reported) with the part that carries the base list
        model = analyse_worker(ctx, info)
        if model.blockers:
            result.manual.append(ManualFollowUp(ctx.rel, info.line, info.name, model.blockers[0].text))
            continue
        if qualified is None:
            qualified = qualify_infrastructure(ctx)
        migration = JobWriter(model, qualified).write()
        class_edits.append(migration.edit)
        class_edits.extend(migration.part_edits)
        if migration.doc_edit is not None:
            class_edits.append(migration.doc_edit)
        needs |= migration.needs
        result.migrated.append(info.name)
        for note in migration.notes:
            result.manual.append(ManualFollowUp.review(ctx.rel, info.line, info.name, note))
    if not class_edits:
        return result
    result.edits.extend(class_edits)
    edit = using_edit(ctx, class_edits, needs, ctx.global_usings, qualified)
    if edit is not None:
        result.edits.append(edit)
    return result
