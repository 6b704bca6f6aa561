"""The codemod runner: load → parse → analyse → transform → validate, returning per-file outcomes (see `run` for
how the files are spread over a process pool with small records per file).

It never writes and never prints: `cli` decides between a diff and an in-place write. Outcomes are a
closed set (`Changed`, `Unchanged`, `Skipped`, `Failed`); one bad file never aborts the run. Files that
one logical change touches together (a migrated worker and the files that registered it) form a
changeset: if any of its files fails, none of them is changed.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence, Union

from oqmigrate import baseline as baselines, checks, mandate, model, pool, project_usings, source, syntax
from oqmigrate.catalog import load_catalog
from oqmigrate.findings import Finding
from oqmigrate.mandate import Request
from oqmigrate.prefilter import minimal_tokens, prefilter
from oqmigrate.suppressions import find_suppressions
from oqmigrate.edits import Edit, OverlappingEdits, apply_edits
from oqmigrate.scanner import MAX_BYTES, Item, binary_reason, items_of, preload, read_source, searchable
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
    digest: object = None  # what a caller's digest (see `run`) kept of the change; then old and new are dropped


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
    item: Item | None = None  # how the scan sees the file (role, project, fingerprint path)
    global_usings: frozenset[str] = frozenset()  # what its project imports into every file
    symbols: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)  # reported in this run: the codemods' mandate
    original: bytes = b""  # the UTF-8 text as read
    original_problems: int = 0  # parse errors the file had when read: a rewrite may not add any
    mandate_stale: bool = False  # the text changed since the findings were read
    # the findings of the current text, with the kinds and the rules they were checked for (see `_checked`)
    checked: tuple[dict[str, str], frozenset[str], list[Finding]] | None = None

    unit: str | None = None  # see `indent`

    @property
    def changed(self) -> bool:
        return self.utf8 != self.original

    @property
    def indent(self) -> str:
        """The file's indentation unit, read once from the original text when a codemod first needs it."""
        if self.unit is None:
            self.unit = _indent_unit(self.original)
        return self.unit


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


@lru_cache(maxsize=None)
def _version(text: str) -> Version:
    """Version.parse, once per version a run meets (every codemod of every file asks)."""
    return Version.parse(text)


def _context(f: _File, **kw) -> TransformContext:
    version = _version(f.item.oqtane_version) if f.item is not None else CURRENT
    return TransformContext(f.sf.rel, f.utf8, f.tree, f.model, f.text.newline if f.text.newline else "\n",
                            f.indent, version=version, global_usings=f.global_usings, **kw)


def _load(sf: SourceFile, tokens: tuple[bytes, ...], fallback: str,
          usings: list[frozenset[str]] | None = None) -> _File | None | Skipped:
    """The file read, parsed and analysed; None when it holds none of `tokens`. `usings` receives what its
    `global using` directives import (see project_usings.of_file), whatever else it holds."""
    raw = read_source(sf.fspath)
    haystack = searchable(raw)
    if usings is not None:
        usings.append(project_usings.of_file(haystack, fallback))
    binary = binary_reason(raw, haystack)
    if binary is not None:  # skipped whether or not the prefilter would read it, as scan reports it
        return Skipped(sf.rel, binary)
    if not prefilter(tokens, False)(haystack)[0]:
        return None
    if is_generated_content(raw):
        return Skipped(sf.rel, "generated file")
    text = source.decode(raw, fallback)
    utf8 = text.utf8()
    tree = syntax.parse(utf8)
    problems = syntax.syntax_problems(tree)
    return _File(sf, raw, text, utf8, tree, problems, model.analyse(tree), original=utf8,
                 original_problems=len(problems))


def _outside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return False
    except ValueError:
        return True


@dataclass
class _Run:
    """What every file's work needs to know about the whole run; set before a pool forks, so workers inherit it."""

    ws: Workspace
    codemods: Sequence[Codemod]
    only: str | None
    fallback: str
    request: Request | None
    versions: Versions | None
    anchor_root: Path | None
    tokens: tuple[bytes, ...]  # the codemods' tokens (minimal): a file holding none of them is not for the codemods
    digest: Callable[[Changed, SourceFile], Changed] | None = None
    table: model.TypeTable = field(default_factory=model.TypeTable)
    kinds: dict[str, str] = field(default_factory=dict)  # worker/job kinds before any codemod ran
    kept: dict[int, set[str]] | None = None  # with a baseline: the fingerprints of each file's findings it leaves
    migrated: list[tuple[int, str]] = field(default_factory=list)  # (file index, class) in the order migrated
    migrating_codemod: int = -1  # the index of the codemod that turns workers into jobs (migrate-worker)
    jobs: frozenset[str] = frozenset()  # the jobs before any codemod ran
    every: frozenset[str] = frozenset()  # all the classes it migrated
    jobs_after: frozenset[str] = frozenset()  # the jobs once it is done
    final_kinds: dict[str, str] = field(default_factory=dict)  # the run-wide kinds once it is done
    where: list[int] = field(default_factory=list)  # the file index of each entry of `migrated`

    declared_by: dict[str, int] | None = None  # a class that may be migrated -> the file declaring it (-1: several)
    # each project's global usings: what its files import is gathered in wave 1, its project file read once
    usings: ProjectUsings | None = None

    def migrated_done(self) -> None:
        """Freeze what the migrating codemod did, for the last wave."""
        self.every = frozenset(name for _, name in self.migrated)
        self.jobs_after = self.jobs | self.every
        self.final_kinds = self.kinds_through(len(self.ws.files))
        self.where = [j for j, _ in self.migrated]

    def migrated_before(self, i: int) -> frozenset[str]:
        """The classes migrated in the files before file `i` (what the migrating codemod's loop had seen)."""
        return frozenset(name for _, name in self.migrated[:bisect_left(self.where, i)])

    def kinds_through(self, i: int) -> dict[str, str]:
        """The run-wide kinds once the files up to file `i` were migrated."""
        kinds = dict(self.kinds)
        kinds.update({name: "job" for j, name in self.migrated if j <= i})
        return kinds


_RUN: _Run | None = None


@dataclass
class _Declared:
    """Wave 1's record of a file the codemods read: what it declares, for the run-wide type table."""

    declared: list[model.DeclaredType]
    may_have_workers: bool  # a worker class, or a class whose base may be declared elsewhere
    bases: frozenset[str]


@dataclass
class _FileResult:
    """Wave 3's record of one file: its outcome (a Changed one as the digest left it), the classes its change
    is about, the manual follow-ups by the index of the codemod that wrote them, what it migrated."""

    index: int
    outcome: Outcome
    symbols: set[str]
    manual: list[tuple[int, ManualFollowUp]]
    migrated: list[str]


MIGRATING_CODEMOD = "migrate-worker"  # the only codemod whose TransformResult.migrated turns a worker into a job


def run(ws: Workspace, codemods: Sequence[Codemod], only: str | None = None, fallback: str = "cp1252",
        progress: Callable[[int], None] | None = None, request: Request | None = None,
        versions: Versions | None = None, jobs: int | None = None,
        digest: Callable[[Changed, SourceFile], Changed] | None = None) -> RunResult:
    """Run the codemods over the workspace. With a `request`, a codemod acts only where its primary finding is
    reported in this run (see `Request`); without one (the codemods' own fixture tests), wherever it can.

    The work is done file by file in waves over a process pool (`jobs`, default: every core), keeping only small
    records per file: (1) read every file, and what the files the codemods can change declare (the type table);
    (with a baseline: the findings of those files, since a baseline entry matches across files); (2) every
    codemod, then the validation, on each file that mentions no class another file may migrate; (3) which
    workers migrate-worker migrates in the other files; (4) every codemod and the validation on those. Each file
    sees the same run-wide state as it did when one codemod after the other ran over all files, so the outcome
    does not depend on the number of processes. A `digest` (run in the worker, so the file's bytes never reach
    this process) replaces each Changed outcome by what the caller keeps of it."""
    global _RUN
    jobs = jobs or os.cpu_count() or 1
    inline = len(ws.files) < pool.INLINE_LIMIT
    state = _Run(ws, codemods, only, fallback, request, versions, git_root(ws.root),
                 minimal_tokens({t for c in codemods for t in c.tokens}), digest)
    names = [c.name for c in codemods]
    state.migrating_codemod = names.index(MIGRATING_CODEMOD) if MIGRATING_CODEMOD in names else -1
    state.usings = ProjectUsings(state.anchor_root)
    outcomes: dict[str, Outcome] = {}
    loaded: list[int] = []
    declared: dict[int, _Declared] = {}
    _RUN = state
    try:
        pooled = preload_now = not inline and jobs > 1
        for part in pool.ordered_map(_wave_declare, pool.batches(range(len(ws.files)), jobs), jobs, inline):
            if preload_now:  # while the pool reads the files
                _preload(codemods)
                preload_now = False
            for i, result, usings in part:
                state.usings.add(ws.files[i], usings)
                if isinstance(result, _Declared):
                    loaded.append(i)
                    declared[i] = result
                    if pooled:  # the project files the next waves' pools need, while this one reads files
                        state.usings.read_project(ws.files[i])
                elif result is not None:
                    outcomes[ws.files[i].rel] = result
            if progress:
                progress(len(part))
        state.table = model.TypeTable.of(declared[i].declared for i in loaded)
        state.kinds = state.table.kinds()
        state.jobs = _jobs(state.kinds)
        if only is not None and only not in state.kinds:
            raise UnknownSymbol(f"no worker or job named {only} in the scanned files")
        parts = pool.batches(loaded, jobs, largest=16)
        if request is not None and request.baseline is not None:
            found: list[tuple[int, list[Finding]]] = []
            for part in pool.ordered_map(_wave_findings, parts, jobs, inline):
                found.extend(part)
            new, _ = baselines.subtract([x for _, fs in found for x in fs], request.baseline)
            keep = {id(x) for x in new}
            state.kept = {i: {x.fingerprint for x in fs if id(x) in keep} for i, fs in found}
            del found, new, keep
        if state.migrating_codemod >= 0:
            state.declared_by = _migratable(declared, loaded)
        del declared
        done: dict[int, _FileResult] = {}
        deferred: list[int] = []
        for part in pool.ordered_map(_wave_alone, parts, jobs, inline):
            for i, r in part:
                if r is None:
                    deferred.append(i)
                else:
                    done[i] = r
        # Set once the waves are over (inline, a wave sees `state`); a stable sort keeps each file's own order.
        migrated = [(i, name) for i, r in done.items() for name in r.migrated]
        for part in pool.ordered_map(_wave_migrated, pool.batches(deferred, jobs, largest=16), jobs, inline):
            migrated.extend((i, name) for i, names_ in part for name in names_)
        state.migrated = sorted(migrated, key=lambda x: x[0])
        state.migrated_done()
        for part in pool.ordered_map(_wave_files, pool.batches(deferred, jobs, largest=16), jobs, inline):
            for r in part:
                done[r.index] = r
        results = [done[i] for i in loaded if i in done]
        for r in results:
            outcomes[ws.files[r.index].rel] = r.outcome
    finally:
        _RUN = None
    migrating = set(state.every)
    manual = [m for _, _, m in sorted(((k, n, m) for n, r in enumerate(results) for k, m in r.manual),
                                      key=lambda x: (x[0], x[1]))]
    changesets = _changesets([(ws.files[r.index].rel, r.symbols) for r in results], outcomes, migrating)
    ordered = [outcomes.get(sf.rel) for sf in ws.files]
    return RunResult([o for o in ordered if o is not None], changesets, manual, len(ws.files))


def _preload(codemods: Sequence[Codemod]) -> None:
    """Import the codemods and what checking a file needs, and read the rule catalog and the grammar here, once,
    rather than in every process of every later wave's pool (they fork from this one)."""
    preload()  # also makes the parser
    for c in codemods:
        c.load()
    load_catalog()


def _migratable(declared: dict[int, _Declared], loaded: list[int]) -> dict[str, int]:
    """Every class the migrating codemod could migrate (a worker has a base), with the file declaring it."""
    out: dict[str, int] = {}
    for i in loaded:
        for d in declared[i].declared:
            if d.base_names:
                out[d.name] = i if out.get(d.name, i) == i else -1
    return out


IDENTIFIER = re.compile(r"\w+")


def _alone(f: _File, i: int) -> bool:
    """Whether the file mentions no class that another file may migrate: then what the codemods do to it, and
    what they need of the run, depends on no other file's migration (the run-wide kinds and migrated classes are
    only ever looked up by names the file mentions: bases, registered classes)."""
    st = _RUN
    if st.declared_by is None:
        return True  # nothing is migrated in this run
    if b"\\u" in f.utf8 or b"\\U" in f.utf8:
        return False  # a name spelled with a Unicode escape: do not try to read it
    by = st.declared_by
    return all(by[n] == i for n in by.keys() & set(IDENTIFIER.findall(f.utf8.decode("utf-8", "replace"))))


def _wave_alone(indices: list[int]) -> list[tuple[int, _FileResult | None]]:
    """Every codemod on each file that depends on no other file's migration; None for the others, which wait
    until every migration is known."""
    out: list[tuple[int, _FileResult | None]] = []
    for i in indices:
        try:
            out.append((i, _one_file(i, alone=True)))
        except Exception as e:  # a defect of ours must cost one file, not the run
            out.append((i, _internal_error(i, e)))
    return out


def _internal_error(i: int, e: Exception) -> _FileResult:
    rel = _RUN.ws.files[i].rel
    return _FileResult(i, Failed(rel, f"internal error ({type(e).__name__}: {e}); nothing written; please report it"),
                       set(), [], [])


def _wave_declare(indices: list[int]) -> list[tuple[int, object, frozenset[str]]]:
    """Read each file: None (not for the codemods), a Skipped outcome, or what it declares; with what its
    `global using` directives import (for its project's other files)."""
    st = _RUN
    out: list[tuple[int, object, frozenset[str]]] = []
    for i in indices:
        sf = st.ws.files[i]
        if sf.project is not None and sf.project.scope_reason:
            out.append((i, None, frozenset()))  # not an Oqtane module: never rewritten (the CLI says so once)
            continue
        usings: list[frozenset[str]] = []
        loaded = _open(sf, usings)
        found = usings[0] if usings else frozenset()
        if isinstance(loaded, _File):
            fm = loaded.model
            out.append((i, _Declared(fm.declared, any(c.kind == "worker" or c.bases for c in fm.classes),
                                     frozenset(b.simple for c in fm.classes for b in c.bases)), found))
        else:
            out.append((i, loaded, found))
    return out


def _open(sf: SourceFile, usings: list[frozenset[str]] | None = None) -> _File | Skipped | None:
    st = _RUN
    try:
        loaded = _load(sf, st.tokens, st.fallback, usings)
    except source.LoadError as e:
        return Skipped(sf.rel, str(e))
    if loaded is None:
        return None
    if not isinstance(loaded, Skipped) and os.path.islink(sf.fspath) and _outside(sf.path, st.ws.root):
        return Skipped(sf.rel, f"symlink to {sf.path.resolve()}, outside {st.ws.root}; migrate it where it lives")
    return loaded


def _prepared(i: int, codemods: Sequence[Codemod] | None = None, wanted: Callable[[_File], bool] | None = None
              ) -> _File | Outcome:
    """The file as the codemods start from it: read, analysed with what the other files declare, its mandate for
    `codemods` read (None: every selected rule; not when `wanted` says the file is not). A file that no longer
    reads as in the first wave is skipped."""
    st = _RUN
    sf = st.ws.files[i]
    f = _open(sf)
    if not isinstance(f, _File):
        return f if isinstance(f, Skipped) else Skipped(sf.rel, CHANGED_DURING_RUN)
    f.item = items_of([sf], st.fallback, st.anchor_root, st.versions)[0]
    if st.usings is not None:
        f.global_usings = st.usings.of(sf)
    if any(b.simple in st.kinds for c in f.model.classes for b in c.bases):
        f.model = model.analyse(f.tree, st.table, st.kinds)
    if wanted is None or wanted(f):
        _first_mandate(f, i, codemods)
    return f


def _first_mandate(f: _File, i: int, codemods: Sequence[Codemod] | None) -> None:
    st = _RUN
    if st.request is not None:
        _read_mandate(f, st.kinds, st.request, _rules(st.request, codemods), baseline=False)
        if st.kept is not None:
            kept = st.kept.get(i, set())
            f.findings = [x for x in f.findings if x.fingerprint in kept]


def _rules(request: Request, codemods: Sequence[Codemod] | None) -> set[str]:
    """The rules whose findings make these codemods act: a codemod reads nothing else of the mandate, and a rule's
    findings (suppressions, fingerprints, baseline matches within a file) do not depend on the other rules."""
    if codemods is None:
        return set(request.selected)
    return {r for c in codemods for r in c.primary if r in request.selected}


CHANGED_DURING_RUN = "the file changed while oqmigrate read it; nothing written (run again)"


def _wave_findings(indices: list[int]) -> list[tuple[int, list[Finding]]]:
    """Each file's mandate before a baseline is subtracted (the baseline is matched over the whole run)."""
    out = []
    for i in indices:
        f = _prepared(i)  # every selected rule: a baseline entry is matched over the findings of the whole run
        out.append((i, f.findings if isinstance(f, _File) else []))
    return out


def _wave_migrated(indices: list[int]) -> list[tuple[int, list[str]]]:
    """The classes the migrating codemod migrates in each file. They do not depend on other files: the
    codemods up to it see no migration, and it does not read what other files migrate."""
    st = _RUN
    out = []
    upto = st.codemods[:st.migrating_codemod + 1]
    for i in indices:
        f = _prepared(i, upto, _has_worker)
        if isinstance(f, _File) and _has_worker(f):
            out.append((i, _codemods_on(f, i, st.migrating_codemod)[2]))
    return out


def _has_worker(f: _File) -> bool:
    return any(c.kind == "worker" for c in f.model.classes)


def _codemod_context(f: _File, codemod: Codemod, migrating: frozenset[str],
                     kinds: dict[str, str]) -> tuple[TransformContext, list[ManualFollowUp]]:
    st = _RUN
    if st.request is not None and f.mandate_stale:
        _read_mandate(f, kinds, st.request, _rules(st.request, [codemod]), wide=_rules(st.request, st.codemods))
    ctx = _context(f, only=st.only, migrating=migrating, jobs=st.jobs)
    if st.request is None:
        return ctx, []
    return _with_mandate(ctx, f, codemod)


def _jobs(kinds: dict[str, str]) -> frozenset[str]:
    return frozenset(n for n, k in kinds.items() if k == "job")


def _wave_files(indices: list[int]) -> list[_FileResult]:
    out = []
    for i in indices:
        try:
            out.append(_one_file(i))
        except Exception as e:  # a defect of ours must cost one file, not the run
            out.append(_internal_error(i, e))
    return out


def _one_file(i: int, alone: bool = False) -> _FileResult | None:
    """Every codemod on one file, each seeing what it would see running over all files after the codemods before
    it: before the migrating codemod nothing is migrated, during it the files before this one are, after it all.
    `alone`: the file depends on no other file's migration (None if it does), its own are all it needs."""
    st = _RUN
    f = _prepared(i, st.codemods, (lambda f: False) if alone else None)  # alone: the mandate once it is known
    if not isinstance(f, _File):
        return _FileResult(i, f, set(), [], [])
    if alone:
        if not _alone(f, i):
            return None
        _first_mandate(f, i, st.codemods)
    stopped, manual, migrated = _codemods_on(f, i, len(st.codemods) - 1, alone)
    if not alone and st.migrating_codemod >= 0 and stopped is None and migrated != [
            name for j, name in st.migrated if j == i]:
        stopped = Skipped(f.sf.rel, CHANGED_DURING_RUN)
    if stopped is not None:
        return _FileResult(i, stopped, f.symbols, manual, migrated)
    every, jobs_after, kinds = (frozenset(migrated), st.jobs | frozenset(migrated), _with_jobs(st.kinds, migrated)) \
        if alone else (st.every, st.jobs_after, st.final_kinds)
    try:
        outcome = _finish(f, st.codemods, st.only, every, jobs_after, kinds, st.request)
    except Exception as e:
        outcome = Failed(f.sf.rel, f"internal error while validating ({type(e).__name__}: {e}); nothing written; "
                                   "please report it")
    if isinstance(outcome, Changed) and st.digest is not None:
        outcome = st.digest(outcome, f.sf)
    return _FileResult(i, outcome, f.symbols, manual, migrated)


def _with_jobs(kinds: dict[str, str], names: Sequence[str]) -> dict[str, str]:
    if not names:
        return kinds
    out = dict(kinds)
    out.update({name: "job" for name in names})
    return out


def _codemods_on(f: _File, i: int, last: int, alone: bool = False
                 ) -> tuple[Outcome | None, list[tuple[int, ManualFollowUp]], list[str]]:
    """The codemods up to index `last` on file `i`: the outcome that stopped it (None: it went through), the
    manual follow-ups by codemod index, the classes migrated. `alone`: see `_one_file`."""
    st = _RUN
    k_migrate = st.migrating_codemod
    manual: list[tuple[int, ManualFollowUp]] = []
    migrated: list[str] = []
    for k, codemod in enumerate(st.codemods[:last + 1]):
        if k < k_migrate or k_migrate < 0:
            migrating, kinds = frozenset(), st.kinds
        elif k == k_migrate:  # the kinds of the classes migrated so far, when the step needs them
            migrating, kinds = (frozenset() if alone else st.migrated_before(i)), None
        elif alone:
            migrating, kinds = frozenset(migrated), _with_jobs(st.kinds, migrated)
        else:
            migrating, kinds = st.every, st.final_kinds
        ctx, blocked = _codemod_context(f, codemod, migrating, kinds or st.kinds)
        manual.extend((k, m) for m in blocked)
        try:
            result = codemod.load()(ctx)
        except Exception as e:  # a defect of ours must cost one file, not the run
            return (Failed(f.sf.rel, f"internal error in {codemod.name} ({type(e).__name__}: {e}); nothing written; "
                                     "please report it"), manual, migrated)
        manual.extend((k, m) for m in result.manual)
        f.symbols.update(result.migrated, result.touched)
        migrated.extend(result.migrated)
        if result.edits:
            stopped = _step(f, result.edits, codemod, st.table,
                            kinds or (_with_jobs(st.kinds, migrated) if alone else st.kinds_through(i)))
            if stopped is not None:
                return stopped, manual, migrated
    return None, manual, migrated


def _read_mandate(f: _File, kinds: dict[str, str], request: Request, rules: set[str], baseline: bool = True,
                  wide: set[str] | None = None) -> None:
    """The findings the file reports in this run for `rules` — the same checks, suppressions and fingerprints as
    `scan` — minus (unless `baseline` is False) those the request's baseline already knows. `wide`: the rules to
    check if the file's current text has not been checked for these yet (see `_checked`)."""
    f.findings = _checked(f, kinds, rules, rules | wide if wide else rules)
    if baseline and request.baseline is not None:
        new, _ = baselines.subtract(f.findings, request.baseline)
        keep = {id(x) for x in new}
        f.findings = [x for x in f.findings if id(x) in keep]


def _checked(f: _File, kinds: dict[str, str], rules: set[str], wide: set[str]) -> list[Finding]:
    """The findings of `rules` in the file's current text (suppressions applied, no baseline). A text is checked
    once for the `wide` rules (a superset of `rules`) and later asks with the same kinds read their share of it:
    a rule's findings do not depend on the other rules checked with it (see `_rules`)."""
    done = f.checked
    if done is not None and rules <= done[1] and (done[0] is kinds or done[0] == kinds):
        return [x for x in done[2] if x.rule_id in rules]
    item = f.item
    ctx = checks.CheckContext(item.rel, f.utf8, f.model, item.role, item.project, kinds, item.anchor or item.rel,
                              _version(item.oqtane_version))
    found = checks.check_file(ctx, f.tree.root_node, wide)[0]
    f.checked = (kinds, frozenset(wide), found)
    return [x for x in found if x.rule_id in rules]


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
    f.checked = None
    return None


def _finish(f: _File, codemods: Sequence[Codemod], only, migrating, jobs_after, kinds: dict[str, str],
            request: Request | None) -> Outcome:
    """Validate a file the codemods changed: a second run of every codemod changes nothing, and the text
    encodes back into the file's own encoding."""
    rel = f.sf.rel
    if not f.changed:
        return Unchanged(rel)
    if request is not None:
        _read_mandate(f, kinds, request, _rules(request, codemods))
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


def _changesets(files: list[tuple[str, set[str]]], outcomes: dict[str, Outcome], migrated: set[str]) -> list[Changeset]:
    """Group the files of one migration (the worker's file and those that registered it); a failure anywhere
    in a group skips the whole group. Removing registrations of an existing job is a change of each file
    on its own."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for rel, symbols in files:
        keys = ["file:" + rel] + ["sym:" + s for s in sorted(symbols & migrated)]
        for k in keys[1:]:
            parent[find(k)] = find(keys[0])
        find(keys[0])
    groups: dict[str, list[tuple[str, set[str]]]] = {}
    for rel, symbols in files:
        if not isinstance(outcomes[rel], Unchanged):  # changed, or a change that failed or was skipped
            groups.setdefault(find("file:" + rel), []).append((rel, symbols))
    changesets = []
    for members in groups.values():
        broken = [outcomes[m[0]] for m in members if not isinstance(outcomes[m[0]], Changed)]
        if broken and len(members) > 1:
            first = broken[0]
            for m in members:
                if isinstance(outcomes[m[0]], Changed):
                    outcomes[m[0]] = Skipped(m[0], f"part of a change that could not be completed ({first.rel}: "
                                                           f"{getattr(first, 'error', getattr(first, 'reason', ''))})")
            continue
        changed = [outcomes[m[0]] for m in members if isinstance(outcomes[m[0]], Changed)]
        if changed:
            symbols = sorted({s for m in members for s in m[1]})
            changesets.append(Changeset(symbols, sorted(changed, key=lambda c: c.rel)))
    changesets.sort(key=lambda c: c.files[0].rel)
    return changesets


def display_path(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path, base)).as_posix()
