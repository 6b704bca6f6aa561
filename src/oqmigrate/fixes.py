"""fixable: whether `diff`, run with the same selection, resolves a finding — decided from the analysis, never
by running a rewrite during the scan.

A finding is fixable when a registered codemod that fixes its rule acts on its class or registration in this run
(`mandate`: selected, not suppressed, a module project, a Server project) and nothing blocks the rewrite: each
class codemod decides that without edits (its `verdict`: the blockers of the worker analysis for migrate-worker);
a registration is removable when its statement can be deleted and its class is, or becomes, a job. A finding in
code a codemod carries over as it is (`ClassVerdict.kept`) is not resolved by it. Every unfixable finding says why
in `fix_blocker`. Registrations depend on classes in other files, so their verdict is completed by
`resolve_registrations` once the whole scan is known.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field, replace

from oqmigrate import mandate, syntax
from oqmigrate.analyse.registrations import find_registrations
from oqmigrate.findings import Finding, Suppression
from oqmigrate.suppressions import find_suppressions
from oqmigrate.edits import Edit
from oqmigrate.model import ClassInfo, FileModel
from oqmigrate.syntax import Tree
from oqmigrate.transforms import ClassVerdict, TransformContext
from oqmigrate.transforms.registry import CODEMODS, Codemod, Target, codemods_fixing, default_codemods
from oqmigrate.transforms.remove_registration import removal
from oqmigrate.versions import CURRENT, Version

REMOVE = CODEMODS["remove-registration"]


@dataclass
class FileFixes:
    """What one file contributes to the run-wide verdict."""

    findings: list[Finding]
    migratable: set[str] = field(default_factory=set)  # workers migrate-worker rewrites in this run
    # (line, column) of each OQJ014 finding -> (registered class, why it cannot be removed or None)
    registrations: dict[tuple[int, int], tuple[str, str | None]] = field(default_factory=dict)


def decide(rel: str, data: bytes, tree: Tree, fm: FileModel, findings: list[Finding], selected: set[str],
           role: str = "unknown", scope_blocker: str | None = None, version: Version = CURRENT,
           suppressions: list[Suppression] | None = None,
           problems: list[syntax.SyntaxProblem] | None = None) -> FileFixes:
    """Mark each finding of one file fixable or not (registrations provisionally: see resolve_registrations).
    `suppressions` (every one of the file, as `find_suppressions` gives them) and `problems` (its
    `syntax_problems`): what the caller has found already; found here when not given."""
    out = FileFixes(findings)
    if not findings:
        return out
    if scope_blocker is not None:
        out.findings = [_unfixable(f, scope_blocker) for f in findings]
        return out
    by_class: dict[str, list[Finding]] = {}
    for f in findings:
        by_class.setdefault(f.symbol, []).append(f)
    effective = mandate.effective(find_suppressions(tree.root_node) if suppressions is None else suppressions)
    ctx = TransformContext(rel, data, tree, fm, version=version)
    starts = _line_starts(data)
    verdicts: dict[tuple[str, int, int], Finding] = {}
    for info in fm.workers_and_jobs():
        if info.is_secondary_part or info.name not in by_class:
            continue
        own = by_class[info.name]
        resolved: dict[tuple[str, int, int], bool] = {}
        why_not: dict[str, tuple[int, str]] = {}  # rule -> (rank, reason): a codemod that looked at the class first
        for codemod in _class_codemods(info.kind):
            blocker, kept = _verdict(codemod, info, own, selected, effective, ctx, role)
            rank = 1 if not any(r in selected for r in codemod.primary) or not any(
                f.rule_id in codemod.primary for f in own) else 0
            if blocker is None and codemod.name == "migrate-worker":
                out.migratable.add(info.name)
            for f in own:
                if f.rule_id not in codemod.fixes:
                    continue
                if blocker is not None:
                    why = (rank, blocker)
                elif _inside(f, kept, data, starts):
                    why = (0, f"{codemod.name} carries this code over as it is; fix it by hand after the change")
                else:
                    resolved[_key(f)] = True
                    continue
                if f.rule_id not in why_not or why[0] < why_not[f.rule_id][0]:
                    why_not[f.rule_id] = why
        for f in own:
            if resolved.get(_key(f)):
                verdicts[_key(f)] = replace(f, fixable=True, fix_blocker=None)
            elif f.rule_id in why_not:
                verdicts[_key(f)] = _unfixable(f, why_not[f.rule_id][1])
    if problems is None:
        problems = syntax.syntax_problems(tree)
    claims: dict[tuple[int, int], tuple[str, str | None]] = {}
    refused = None  # a removal next to a syntax error: the engine then leaves the whole file alone
    for reg in find_registrations(tree.root_node, fm):
        line = reg.node.start_point[0] + 1
        edit = removal(data, reg)
        if isinstance(edit, Edit):
            near = syntax.problem_near(tree, data, problems, edit.start_byte, edit.end_byte)
            if near is not None:
                refused = edit = f"{near.describe()} next to a registration in this file; fix the syntax error first"
        for f in findings:
            if f.rule_id in REMOVE.primary and f.line == line:
                claims[(f.line, f.column)] = (reg.type_name, None if isinstance(edit, Edit) else edit)
    out.registrations = {k: (name, refused or why) for k, (name, why) in claims.items()}
    kinds = {c.name: c.kind for c in fm.classes}
    out.findings = [verdicts.get(_key(f)) or _default(f, kinds.get(f.symbol)) for f in findings]
    return out


def resolve_registrations(findings: list[Finding], claims: dict[tuple[str, int, int], tuple[str, str | None]],
                          kinds: dict[str, str], migratable: set[str]) -> list[Finding]:
    """Complete the verdict on OQJ014 findings: removable, and the class is a job or is migrated in this run."""
    out = []
    for f in findings:
        claim = claims.get((f.rel, f.line, f.column)) if f.rule_id in REMOVE.primary else None
        if claim is None:
            out.append(f)
            continue
        name, shape = claim
        if shape is not None:
            out.append(_unfixable(f, shape))
        elif kinds.get(name) == "job" or name in migratable:
            out.append(replace(f, fixable=True, fix_blocker=None))
        else:
            out.append(_unfixable(f, f"{name} stays a worker in this run (see its OQJ001 finding); its registration "
                                     "is removed together with its migration"))
    return out


def _class_codemods(kind: str) -> list[Codemod]:
    return [c for c in default_codemods() if c.target is Target.CLASS and kind in c.kinds]


def _verdict(codemod: Codemod, info: ClassInfo, own: list[Finding], selected: set[str], suppressions,
             ctx: TransformContext, role: str) -> tuple[str | None, tuple[tuple[int, int], ...]]:
    """Why the codemod leaves the class alone in this run (None: it changes it), and what it carries over."""
    primary = [r for r in codemod.primary if r in selected]
    if not primary:
        return mandate.deselected_reason(codemod.name, "/".join(codemod.primary)), ()
    if not any(f.rule_id in primary for f in own):
        return mandate.primary_suppressed_reason(codemod.name, "/".join(primary)), ()
    why = mandate.class_blocker(info, suppressions, role, codemod.name)
    if why is not None:
        return why, ()
    verdict: ClassVerdict = codemod.load_verdict()(ctx, info)
    return verdict.blocker, tuple(verdict.kept)


def _default(f: Finding, kind: str | None) -> Finding:
    """No codemod acts on this finding in this run."""
    fixers = codemods_fixing(f.rule_id)
    if fixers and kind and not any(kind in c.kinds for c in fixers if c.target is Target.CLASS):
        return _unfixable(f, f"no codemod fixes {f.rule_id} in a {kind} yet; fix it by hand "
                             f"(oqmigrate explain {f.rule_id})")
    if fixers:
        return _unfixable(f, f"{', '.join(c.name for c in fixers)} does not change this code; fix it by hand "
                             f"(oqmigrate explain {f.rule_id})")
    return _unfixable(f, f"no codemod fixes {f.rule_id}; fix it by hand (oqmigrate explain {f.rule_id})")


def _unfixable(f: Finding, why: str) -> Finding:
    return replace(f, fixable=False, fix_blocker=why)


def _key(f: Finding) -> tuple[str, int, int]:
    return f.rule_id, f.line, f.column


def _line_starts(data: bytes) -> list[int]:
    starts = [0]
    i = data.find(b"\n")
    while i >= 0:
        starts.append(i + 1)
        i = data.find(b"\n", i + 1)
    return starts


def _inside(f: Finding, kept: tuple[tuple[int, int], ...], data: bytes, starts: list[int]) -> bool:
    """Whether the finding lies in one of the byte ranges (columns of findings count code points)."""
    if not kept:
        return False

    def point(offset: int) -> tuple[int, int]:
        line = bisect_right(starts, offset) - 1
        return line + 1, len(data[starts[line]:offset].decode("utf-8", "replace")) + 1

    start, end = (f.line, f.column), (f.end_line, f.end_column)
    return any(point(a) <= start and end <= point(b) for a, b in kept)
