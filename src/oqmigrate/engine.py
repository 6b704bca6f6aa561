"""The codemod runner: load → parse → analyse → transform → validate, returning per-file outcomes.

It never writes and never prints: `cli` decides between a diff and an in-place write. Outcomes are a
closed set (`Changed`, `Unchanged`, `Skipped`, `Failed`); one bad file never aborts the run. Files that
one logical change touches together (a migrated worker and the files that registered it) form a
changeset: if any of its files fails, none of them is changed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence, Union

from oqmigrate import baseline as baselines, checks, mandate, model, source, syntax
from oqmigrate.findings import Finding
from oqmigrate.mandate import Request
from oqmigrate.suppressions import find_suppressions
from oqmigrate.edits import Edit, OverlappingEdits, apply_edits
from oqmigrate.scanner import MAX_BYTES, Item, binary_reason, items_of, read_source, searchable
from oqmigrate.transforms import ManualFollowUp, TransformContext
from oqmigrate.transforms.registry import CODEMODS, Codemod, Target, default_codemods
from oqmigrate.project_usings import ProjectUsings
from oqmigrate.project_versions import Versions
from oqmigrate.vcs import git_root
from oqmigrate.versions import CURRENT, Version
from oqmigrate.workspace import SourceFile, Workspace, is_generated_content



class UnknownCodemod(ValueError):
    pass


class UnknownSymbol(ValueError):
    pass


def resolve_codemods(spec: str | None) -> list[Codemod]:
    if spec is None:
        return default_codemods()
    names = [n for n in spec.replace(",", " ").split() if n]
    if not names:
        raise UnknownCodemod("--codemod names no codemod")
    unknown = [n for n in names if n not in CODEMODS]
    if unknown:
        raise UnknownCodemod(f"unknown codemod: {unknown[0]} (known: {', '.join(CODEMODS)})")
    return [c for c in CODEMODS.values() if c.name in names]


@dataclass(frozen=True)
class Changed:
    rel: str
    path: Path
    old: bytes
    new: bytes
    binary: bool = False  # UTF-16: only a git binary patch can carry it
    kind: str = "changed"


@dataclass(frozen=True)
class Unchanged:
    rel: str
    kind: str = "unchanged"


@dataclass(frozen=True)
class Skipped:
    rel: str
    reason: str
    kind: str = "skipped"


@dataclass(frozen=True)
class Failed:
    rel: str
    error: str
    kind: str = "failed"


Outcome = Union[Changed, Unchanged, Skipped, Failed]


@dataclass
class Changeset:
    symbols: list[str]
    files: list[Changed]


@dataclass
class RunResult:
    outcomes: list[Outcome]
    changesets: list[Changeset]
    manual: list[ManualFollowUp]
    files_considered: int

    def count(self, kind: str) -> int:
        return sum(1 for o in self.outcomes if o.kind == kind)


@dataclass
class _File:
    """A file being rewritten. `utf8`, `tree`, `problems` and `model` are its current state: each codemod sees
    what the codemods before it wrote; `original` is what was read."""

    sf: SourceFile
    raw: bytes
    text: source.SourceText
    utf8: bytes
    tree: syntax.Tree
    problems: list[syntax.SyntaxProblem]
    model: model.FileModel
    indent: str  # the file's indentation unit, read once from the original text
    item: Item | None = None  # how the scan sees the file (role, project, fingerprint path)
    global_usings: frozenset[str] = frozenset()  # what its project imports into every file
    symbols: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)  # reported in this run: the codemods' mandate
    original: bytes = b""  # the UTF-8 text as read
    original_problems: int = 0  # parse errors the file had when read: a rewrite may not add any
    mandate_stale: bool = False  # the text changed since the findings were read

    @property
    def changed(self) -> bool:
        return self.utf8 != self.original


def _indent_unit(data: bytes) -> str:
    counts: dict[str, int] = {}
    for line in data.splitlines()[:400]:
        stripped = line.lstrip(b" \t")
        if not stripped or stripped == line:
            continue
        lead = line[: len(line) - len(stripped)]
        if lead.startswith(b"\t"):
            counts["\t"] = counts.get("\t", 0) + 1
        elif len(lead) in (2, 4):
            counts[" " * len(lead)] = counts.get(" " * len(lead), 0) + 1
    if counts.get("\t", 0) > sum(v for k, v in counts.items() if k != "\t"):
        return "\t"
    return "  " if counts.get("  ", 0) > counts.get("    ", 0) else "    "


def _context(f: _File, **kw) -> TransformContext:
    version = Version.parse(f.item.oqtane_version) if f.item is not None else CURRENT
    return TransformContext(f.sf.rel, f.utf8, f.tree, f.model, f.text.newline if f.text.newline else "\n",
                            f.indent, version=version, global_usings=f.global_usings, **kw)


def _load(sf: SourceFile, tokens: Sequence[bytes], fallback: str) -> _File | None | Skipped:
    raw = read_source(str(sf.path))
    haystack = searchable(raw)
    binary = binary_reason(raw, haystack)
    if binary is not None:  # skipped whether or not the prefilter would read it, as scan reports it
        return Skipped(sf.rel, binary)
    if not any(t in haystack for t in tokens):
        return None
    if is_generated_content(raw):
        return Skipped(sf.rel, "generated file")
    text = source.decode(raw, fallback)
    utf8 = text.utf8()
    tree = syntax.parse(utf8)
    problems = syntax.syntax_problems(tree)
    return _File(sf, raw, text, utf8, tree, problems, model.analyse(tree), _indent_unit(utf8), original=utf8,
                 original_problems=len(problems))


def _outside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return False
    except ValueError:
        return True


def run(ws: Workspace, codemods: Sequence[Codemod], only: str | None = None, fallback: str = "cp1252",
        progress: Callable[[int], None] | None = None, request: Request | None = None,
        versions: Versions | None = None) -> RunResult:
    """Run the codemods over the workspace. With a `request`, a codemod acts only where its primary finding is
    reported in this run (see `Request`); without one (the codemods' own fixture tests), wherever it can."""
    tokens = tuple(sorted({t for c in codemods for t in c.tokens}))
    outcomes: dict[str, Outcome] = {}
    files: list[_File] = []
    items = {item.rel: item for item in items_of(ws.files, fallback, git_root(ws.root), versions)}
    project_usings = ProjectUsings(ws.files, git_root(ws.root), fallback)
    for sf in ws.files:
        if progress:
            progress(1)
        if sf.project is not None and sf.project.scope_reason:
            continue  # not an Oqtane module: never rewritten (the CLI says so once per project)
        try:
            loaded = _load(sf, tokens, fallback)
        except source.LoadError as e:
            outcomes[sf.rel] = Skipped(sf.rel, str(e))
            continue
        if loaded is None:
            continue
        if not isinstance(loaded, Skipped) and sf.path.is_symlink() and _outside(sf.path, ws.root):
            loaded = Skipped(sf.rel, f"symlink to {sf.path.resolve()}, outside {ws.root}; migrate it where it lives")
        if isinstance(loaded, Skipped):
            outcomes[sf.rel] = loaded
            continue
        loaded.item = items[sf.rel]
        loaded.global_usings = project_usings.of(sf)
        files.append(loaded)

    table = model.TypeTable.of(f.model.declared for f in files)
    kinds = table.kinds()
    if only is not None and only not in kinds:
        raise UnknownSymbol(f"no worker or job named {only} in the scanned files")
    for f in files:  # re-analyse with what other files declare (subclasses of project-local bases)
        if any(b.simple in kinds for c in f.model.classes for b in c.bases):
            f.model = model.analyse(f.tree, table, kinds)

    manual: list[ManualFollowUp] = []
    if request is not None:
        _read_mandate(files, kinds, request)
    migrating: set[str] = set()
    jobs = frozenset(n for n, k in kinds.items() if k == "job")
    stopped: dict[str, Outcome] = {}  # files a step failed or skipped: no later codemod touches them
    for codemod in codemods:
        transform = codemod.load()
        for f in files:
            if f.sf.rel in stopped:
                continue
            if request is not None and f.mandate_stale:
                _read_mandate([f], kinds, request)
            ctx = _context(f, only=only, migrating=frozenset(migrating), jobs=jobs)
            if request is not None:
                ctx, blocked = _with_mandate(ctx, f, codemod)
                manual.extend(blocked)
            try:
                result = transform(ctx)
            except Exception as e:  # a defect of ours must cost one file, not the run
                stopped[f.sf.rel] = Failed(f.sf.rel, f"internal error in {codemod.name} "
                                                     f"({type(e).__name__}: {e}); nothing written; please report it")
                continue
            manual.extend(result.manual)
            f.symbols.update(result.migrated, result.touched)
            migrating.update(result.migrated)
            kinds.update({name: "job" for name in result.migrated})
            if result.edits:
                outcome = _step(f, result.edits, codemod, table, kinds)
                if outcome is not None:
                    stopped[f.sf.rel] = outcome

    for f in files:
        if f.sf.rel in stopped:
            outcomes[f.sf.rel] = stopped[f.sf.rel]
            continue
        try:
            outcomes[f.sf.rel] = _finish(f, codemods, only, frozenset(migrating), jobs | frozenset(migrating),
                                         kinds, request)
        except Exception as e:
            outcomes[f.sf.rel] = Failed(f.sf.rel, f"internal error while validating ({type(e).__name__}: {e}); "
                                                  "nothing written; please report it")

    changesets = _changesets(files, outcomes, migrating)
    ordered = [outcomes.get(sf.rel) for sf in ws.files]
    return RunResult([o for o in ordered if o is not None], changesets, manual, len(ws.files))


def _read_mandate(files: list[_File], kinds: dict[str, str], request: Request) -> None:
    """The findings each file reports in this run — the same checks, suppressions and fingerprints as `scan` —
    minus those the request's baseline already knows."""
    for f in files:
        item = f.item
        ctx = checks.CheckContext(item.rel, f.utf8, f.model, item.role, item.project, kinds, item.anchor or item.rel,
                                  Version.parse(item.oqtane_version))
        f.findings = checks.check_file(ctx, f.tree.root_node, set(request.selected))[0]
    if request.baseline is not None:
        new, _ = baselines.subtract([x for f in files for x in f.findings], request.baseline)
        keep = {id(x) for x in new}
        for f in files:
            f.findings = [x for x in f.findings if id(x) in keep]


def _with_mandate(ctx: TransformContext, f: _File, codemod: Codemod) -> tuple[TransformContext, list[ManualFollowUp]]:
    """Narrow a codemod to what this run reports for it. A class codemod also leaves a class alone when a
    suppression inside it (or on the line above it) says a person has decided about code the rewrite would change."""
    primary = [x for x in f.findings if x.rule_id in codemod.primary]
    if codemod.target is Target.REGISTRATION:
        return replace(ctx, registration_lines=frozenset(x.line for x in primary)), []
    classes = {x.symbol for x in primary}
    blocked: list[ManualFollowUp] = []
    suppressions = mandate.effective(find_suppressions(f.tree.root_node)) if classes else []
    role = f.item.role if f.item is not None else "unknown"
    for info in f.model.classes if classes else ():
        if info.name in classes and ctx.may_change_class(info.name):
            why = mandate.class_blocker(info, suppressions, role, codemod.name)
            if why is not None:
                classes.discard(info.name)
                blocked.append(ManualFollowUp(ctx.rel, info.line, info.name, why))
    return replace(ctx, classes=frozenset(classes)), blocked


def _step(f: _File, edits: list[Edit], codemod: Codemod, table: model.TypeTable,
          kinds: dict[str, str]) -> Outcome | None:
    """Apply one codemod's edits to the file's current text, so the next codemod sees them. A change next to a
    syntax error skips the file; overlapping edits or a rewrite that parses worse fail it (nothing written)."""
    rel = f.sf.rel
    for e in edits:
        p = syntax.problem_near(f.tree, f.utf8, f.problems, e.start_byte, e.end_byte)
        if p is not None:
            return Skipped(rel, f"{p.describe()} next to the change; fix the syntax error first")
    try:
        new_utf8 = apply_edits(f.utf8, edits)
    except OverlappingEdits as e:
        return Failed(rel, f"{codemod.name}: {e}")
    new_tree = syntax.parse(new_utf8)
    new_problems = syntax.syntax_problems(new_tree)
    if len(new_problems) > f.original_problems:
        return Failed(rel, f"the rewritten file does not parse ({new_problems[0].describe()}); nothing written")
    f.utf8, f.tree, f.problems = new_utf8, new_tree, new_problems
    f.model = model.analyse(new_tree, table, kinds)
    f.mandate_stale = True
    return None


def _finish(f: _File, codemods: Sequence[Codemod], only, migrating, jobs_after, kinds: dict[str, str],
            request: Request | None) -> Outcome:
    """Validate a file the codemods changed: a second run of every codemod changes nothing, and the text
    encodes back into the file's own encoding."""
    rel = f.sf.rel
    if not f.changed:
        return Unchanged(rel)
    if request is not None:
        _read_mandate([f], kinds, request)
    for codemod in codemods:
        ctx = _context(f, only=only, migrating=migrating, jobs=jobs_after)
        if request is not None:
            ctx = _with_mandate(ctx, f, codemod)[0]
        leftover = codemod.load()(ctx).edits
        if leftover:
            return Failed(rel, f"{codemod.name} is not idempotent here (a second run would change {len(leftover)} "
                               "more places); nothing written")
    new_text = f.utf8.decode("utf-8")
    try:
        new_raw = source.encode(f.text, new_text)
    except source.EncodeError as e:
        return Failed(rel, str(e))
    if len(new_raw) > MAX_BYTES * 2:
        return Failed(rel, "the rewritten file is unexpectedly large; nothing written")
    # A symlinked source is written (and patched) through to the file it points at, which stays a link.
    return Changed(rel, f.sf.path.resolve(), f.raw, new_raw, binary=f.text.encoding.startswith("utf-16"))


def _changesets(files: list[_File], outcomes: dict[str, Outcome], migrated: set[str]) -> list[Changeset]:
    """Group the files of one migration (the worker's file and those that registered it); a failure anywhere
    in a group skips the whole group. Removing registrations of an existing job is a change of each file
    on its own."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for f in files:
        keys = ["file:" + f.sf.rel] + ["sym:" + s for s in sorted(f.symbols & migrated)]
        for k in keys[1:]:
            parent[find(k)] = find(keys[0])
        find(keys[0])
    groups: dict[str, list[_File]] = {}
    for f in files:
        if not isinstance(outcomes[f.sf.rel], Unchanged):  # changed, or a change that failed or was skipped
            groups.setdefault(find("file:" + f.sf.rel), []).append(f)
    changesets = []
    for members in groups.values():
        broken = [outcomes[m.sf.rel] for m in members if not isinstance(outcomes[m.sf.rel], Changed)]
        if broken and len(members) > 1:
            first = broken[0]
            for m in members:
                if isinstance(outcomes[m.sf.rel], Changed):
                    outcomes[m.sf.rel] = Skipped(m.sf.rel, f"part of a change that could not be completed ({first.rel}: "
                                                           f"{getattr(first, 'error', getattr(first, 'reason', ''))})")
            continue
        changed = [outcomes[m.sf.rel] for m in members if isinstance(outcomes[m.sf.rel], Changed)]
        if changed:
            symbols = sorted({s for m in members for s in m.symbols})
            changesets.append(Changeset(symbols, sorted(changed, key=lambda c: c.rel)))
    changesets.sort(key=lambda c: c.files[0].rel)
    return changesets


def display_path(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path, base)).as_posix()
