"""The scan runner: prefilter → load → parse → analyse → find, over a process pool.

A file is parsed only when its bytes contain a trigger token of a selected rule (sound: a rule cannot
match a file without its tokens). Classes may derive from a worker/job base declared in another file,
so a second, smaller pass re-checks the files whose meaning depends on other files: subclasses of
project-local worker bases (found by their base's name, also in files the first prefilter skipped),
files using a framework name that the scan declares itself, and registrations of classes declared
elsewhere.
"""

from __future__ import annotations

import importlib
import os
from array import array
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

from oqmigrate import model, source, syntax
from oqmigrate.catalog import trigger_tokens
from oqmigrate.findings import Finding
from oqmigrate.prefilter import minimal_tokens, prefilter
from oqmigrate.project_versions import Versions
from oqmigrate.vcs import git_root
from oqmigrate.versions import CURRENT, Version
from oqmigrate.workspace import SourceFile, Workspace, is_generated_content

SUPPRESSION_TOKEN = b"oqmigrate-ignore"
# BackgroundService, and HostedService for IHostedService and HostedServiceBase: what declares a worker or a job.
KIND_TOKENS = {b"BackgroundService", b"HostedService"}
MAX_BYTES = 4_000_000
INLINE_LIMIT = 64  # below this many files a process pool costs more than it saves
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
NUL = b"\0"  # in a file that is not UTF-16: a binary file


class Item(NamedTuple):
    """How the scan sees one file (a tuple: a large tree makes one per file, and they cross to the pool)."""

    path: str
    rel: str
    role: str
    project: str | None
    fallback: str = "cp1252"  # codec for files that are neither UTF-8 nor UTF-16
    anchor: str = ""  # path for fingerprints: relative to the git work tree, so baselines survive another scan root
    scope_blocker: str | None = None  # why no codemod may change this file's project (not an Oqtane module)
    oqtane_version: str = str(CURRENT)  # the Oqtane version the file's project builds against


@dataclass
class FileReport:
    rel: str
    parsed: bool = False
    findings: list[Finding] = field(default_factory=list)
    pending: list[tuple[Finding, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    declared: list[model.DeclaredType] = field(default_factory=list)
    bases_used: set[str] = field(default_factory=set)
    own_kinds: dict[str, str] = field(default_factory=dict)
    skipped: str | None = None
    migratable: set[str] = field(default_factory=set)  # workers migrate-worker rewrites in this run
    suppressed: list[Finding] = field(default_factory=list)  # silenced in the source (SARIF reports them so)
    registrations: dict[tuple[str, int, int], tuple[str, str | None]] = field(default_factory=dict)


@dataclass
class ScanResult:
    root: str
    files_scanned: int
    files_parsed: int
    findings: list[Finding]
    errors: list[tuple[str, str]]
    skipped: list[tuple[str, str]]
    kinds: dict[str, str] = field(default_factory=dict)  # worker/job classes declared in the scan
    suppressed: list[Finding] = field(default_factory=list)  # findings silenced by a suppression in the source


def binary_reason(data: bytes, haystack: bytes) -> str | None:
    """Why a file is binary (a NUL byte outside UTF-16), or None; `haystack` is `searchable(data)`."""
    if haystack is data and NUL in data:
        return f"binary file (NUL byte at offset {data.find(NUL)})"
    return None


def read_source(path: str) -> bytes:
    """A file's bytes, or source.LoadError with a one-line reason. One open, fstat and read (plus the read that
    sees the end) per file, without a buffered file object: the scan reads every file of the tree."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise source.FileMissing("file vanished during the scan") from None
    except OSError as e:
        raise source.Unreadable(f"cannot read: {e.strerror or e}") from None
    try:
        size = os.fstat(fd).st_size
        if size > MAX_BYTES:
            raise source.TooLarge(f"file is too large to scan ({size} bytes > {MAX_BYTES})")
        chunks = [os.read(fd, size + 1)]
        while chunks[-1]:  # to the end, also when the file grew since fstat
            chunks.append(os.read(fd, 1 << 16))
        return chunks[0] if len(chunks) == 2 else b"".join(chunks)
    except OSError as e:
        raise source.Unreadable(f"cannot read: {e.strerror or e}") from None
    finally:
        os.close(fd)


def searchable(data: bytes) -> bytes:
    return data.decode("utf-16", "replace").encode("utf-8") if data[:2] in UTF16_BOMS else data


def check_bytes(item: Item, data: bytes, selected: set[str], table: model.TypeTable | None,
                kinds: dict[str, str] | None) -> FileReport:
    from oqmigrate import checks, fixes  # imported by the pool's processes (see preload), not by the parent
    from oqmigrate.suppressions import find_suppressions

    report = FileReport(item.rel)
    try:
        text = source.decode(data, item.fallback)
    except source.LoadError as e:
        report.errors.append(str(e))
        return report
    utf8 = text.utf8()
    tree = syntax.parse(utf8)
    problems = syntax.syntax_problems(tree)
    if problems:
        report.errors.append(f"{problems[0].describe()}: findings cover only the parts that parsed")
    fm = model.analyse(tree, table, kinds)
    report.parsed = True
    report.declared = fm.declared
    report.bases_used = {b.simple for c in fm.classes for b in c.bases}
    report.own_kinds = {c.name: c.kind for c in fm.classes if c.kind != "other"}
    version = Version.parse(item.oqtane_version)
    ctx = checks.CheckContext(item.rel, utf8, fm, item.role, item.project, kinds, item.anchor or item.rel, version)
    # Found once, read by the checks and by the verdict on fixable.
    suppressions = find_suppressions(tree.root_node)
    found, pending = checks.check_file(ctx, tree.root_node, selected, registrations_resolved=False,
                                       silenced=report.suppressed, suppressions=suppressions)
    verdict = fixes.decide(item.rel, utf8, tree, fm, found + [f for f, _ in pending], selected, item.role,
                           item.scope_blocker, version, suppressions, problems)
    report.findings = verdict.findings[:len(found)]
    report.pending = [(f, name) for f, (_, name) in zip(verdict.findings[len(found):], pending)]
    report.migratable = verdict.migratable
    report.registrations = {(item.rel, line, col): claim for (line, col), claim in verdict.registrations.items()}
    return report


@dataclass
class Batch:
    """What one batch of files gives back to the parent: reports of the files that were parsed, could not be read
    or were skipped, and, for files the prefilter left unparsed, the names after `class … :` that could make
    them subclasses of a worker base declared elsewhere; each by its position in the batch. Nothing else of an
    unparsed file crosses the process boundary."""

    reports: list[tuple[int, FileReport]] = field(default_factory=list)
    bases: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)


def scan_items(items: Sequence[Item], selected: set[str], tokens: Sequence[bytes],
               table: model.TypeTable | None = None, kinds: dict[str, str] | None = None,
               collect_bases: bool = False) -> Batch:
    out = Batch()
    for position, item in enumerate(items):
        report = _scan_one(item, selected, tokens, table, kinds, collect_bases, out.bases, position)
        if report is not None:
            out.reports.append((position, report))
    return out


def _scan_one(item: Item, selected: set[str], tokens: Sequence[bytes], table: model.TypeTable | None,
              kinds: dict[str, str] | None, collect_bases: bool, bases: list, position: int) -> FileReport | None:
    try:
        data = read_source(item.path)
    except source.LoadError as e:
        return FileReport(item.rel, errors=[str(e)])
    if is_generated_content(data):
        return FileReport(item.rel, skipped="generated")
    haystack = searchable(data)
    binary = binary_reason(data, haystack)
    if binary is not None:  # reported whether or not the prefilter would read it: a binary file is not C#
        return FileReport(item.rel, errors=[binary])
    parse, names = prefilter(tokens, collect_bases)(haystack)
    if not parse:
        if names:
            bases.append((position, tuple(names)))
        return None
    try:
        return check_bytes(item, data, selected, table, kinds)
    except Exception as e:  # a defect of ours must cost one file, not the run
        return FileReport(item.rel, errors=[f"internal error while checking this file "
                                            f"({type(e).__name__}: {e}); please report it"])


def _scan_batch(start: int, items: Sequence[Item], args: tuple) -> tuple[int, int, Batch]:
    return start, len(items), scan_items(items, *args)


def _batch_size(n: int, jobs: int) -> int:
    return max(16, min(256, n // (jobs * 8) or 1))


def preload() -> None:
    """Import what checking a file needs — the rules, the analysis, the codemods' verdicts — and make the parser.
    A pool process does this while the parent discovers the files; the parent itself never needs them."""
    from oqmigrate.transforms.registry import CODEMODS

    for module in ("oqmigrate.checks", "oqmigrate.fixes", "oqmigrate.suppressions"):
        importlib.import_module(module)
    for codemod in CODEMODS.values():
        if codemod.verdict:
            codemod.load_verdict()
    syntax.parse(b"")


class Workers:
    """The process pool of a scan, shared by its passes.

    Start it before discovery (``with Workers(jobs) as workers:``): the pool's processes are forked while the
    parent is still small, so none of them carries a copy of the parent's workspace, and they start while the
    parent walks the tree. At most ``2 * jobs`` batches are in flight: the parent's memory does not grow with
    the number of batches waiting for it. ``jobs <= 1``, or a known number of `files` below INLINE_LIMIT, scans
    in the calling process.
    """

    def __init__(self, jobs: int | None = None, files: int | None = None):
        self.jobs = jobs or os.cpu_count() or 1
        if files is not None and files < INLINE_LIMIT:
            self.jobs = 1
        self._pool: ProcessPoolExecutor | None = None
        if self.jobs > 1:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=get_context("fork"))
            for _ in range(self.jobs):  # with fork, the first submit starts every process; each preloads
                self._pool.submit(preload)

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def run(self, items: Sequence[Item], args: tuple,
            progress: Callable[[int], None] | None = None) -> Iterator[tuple[int, Batch]]:
        """(start index in `items`, Batch) for every batch, as they complete."""
        if self._pool is None:
            size = _batch_size(len(items), 1)
            for start in range(0, len(items), size):
                chunk = items[start:start + size]
                yield start, scan_items(chunk, *args)
                if progress:
                    progress(len(chunk))
            return
        size = _batch_size(len(items), self.jobs)
        starts = iter(range(0, len(items), size))
        in_flight: set = set()

        def submit() -> bool:
            start = next(starts, None)
            if start is None:
                return False
            in_flight.add(self._pool.submit(_scan_batch, start, items[start:start + size], args))
            return True

        while len(in_flight) < 2 * self.jobs and submit():
            pass
        try:
            while in_flight:
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for fut in done:
                    in_flight.discard(fut)
                    start, count, batch = fut.result()
                    submit()
                    yield start, batch
                    if progress:
                        progress(count)
        finally:
            for fut in in_flight:
                fut.cancel()


def items_of(files: Iterable[SourceFile], fallback: str = "cp1252", anchor_root: Path | None = None,
             versions: Versions | None = None) -> list[Item]:
    return list(ItemView(files if isinstance(files, Sequence) else list(files), fallback, anchor_root, versions))


class ItemView(Sequence):
    """The workspace's files as scan Items, made when asked for (by index or slice): a scan of a large tree never
    holds an Item for every file at once. What an item takes from its project is worked out once per project
    (pathlib costs more than the rest of the scan per file)."""

    def __init__(self, files: Sequence[SourceFile], fallback: str = "cp1252", anchor_root: Path | None = None,
                 versions: Versions | None = None):
        self.files = files
        self.fallback = fallback
        self.prefix = str(anchor_root).rstrip(os.sep) + os.sep if anchor_root is not None else None
        self.versions = versions or Versions()
        self._per_project: dict[int, tuple[str, str | None, str | None, str]] = {}

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._item(f) for f in self.files[index]]
        return self._item(self.files[index])

    def _item(self, f: SourceFile) -> Item:
        project = f.project
        facts = self._per_project.get(id(project))
        if facts is None:
            facts = self._per_project[id(project)] = (
                project.role if project else "unknown", project.name if project else None,
                project.scope_reason if project else None, str(self.versions.of(f).version))
        path = f.fspath
        prefix = self.prefix
        if prefix is not None and path.startswith(prefix):
            anchor = path[len(prefix):].replace(os.sep, "/")
        else:
            anchor = f.rel
        return Item(path, f.rel, facts[0], facts[1], self.fallback, anchor, facts[2], facts[3])


def scan(ws: Workspace, selected: set[str], jobs: int | None = None,
         progress: Callable[[int], None] | None = None, fallback: str = "cp1252",
         versions: Versions | None = None, workers: Workers | None = None) -> ScanResult:
    """Scan the workspace. `workers`: a pool started earlier (see Workers); without one, a pool of `jobs`
    processes is started here."""
    if workers is None:
        with Workers(jobs, len(ws.files)) as own:
            return scan(ws, selected, jobs, progress, fallback, versions, own)
    items = ItemView(ws.files, fallback, git_root(ws.root), versions)
    # Files declaring workers and jobs are always read: other files' findings depend on what they declare.
    # Suppressions of the selected rules are applied (and judged, when OQJ000 is selected) wherever they are.
    tokens = minimal_tokens(set(trigger_tokens(selected)) | KIND_TOKENS | {SUPPRESSION_TOKEN})
    parsed: dict[int, FileReport] = {}  # by file index: reports that pass 2 may replace
    final: list[FileReport] = []  # files that could not be read or were skipped: nothing depends on them
    # For files the prefilter did not parse: base-like name -> the files naming it (file indices).
    named_by: dict[str, array] = {}

    def keep(index: int, report: FileReport) -> None:
        if report.parsed:
            parsed[index] = report
        elif report.errors or report.skipped:
            final.append(report)

    for start, batch in workers.run(items, (selected, tokens, None, None, True), progress):
        for position, r in batch.reports:
            keep(start + position, r)
        for position, names in batch.bases:
            for name in names:
                indices = named_by.get(name)
                if indices is None:
                    indices = named_by[name] = array("q")
                indices.append(start + position)

    # Pass 2, repeated while it finds more: what depends on other files.
    rechecked: set[int] = set()
    while True:
        table = _type_table(parsed[i] for i in sorted(parsed))
        kinds = table.kinds()
        shadowed = {name for name in model.FRAMEWORK_BASES if name in table.by_name}
        kind_names = set(kinds)
        candidates: set[int] = set()
        for name in kind_names:
            candidates.update(i for i in named_by.get(name, ()) if i not in parsed)
        for i, r in parsed.items():
            depends = (r.bases_used & kind_names) - r.own_kinds.keys()
            hidden = r.bases_used & shadowed and not (r.bases_used & shadowed) <= {d.name for d in r.declared}
            if depends or hidden:
                candidates.add(i)
        recheck = sorted(candidates - rechecked)
        if not recheck:
            break
        rechecked.update(recheck)
        # A skipped file is parsed now whatever its tokens: it declares a subclass of a worker/job base.
        for start, batch in workers.run([items[i] for i in recheck], (selected, (b"",), table, kinds)):
            for position, r in batch.reports:
                i = recheck[start + position]
                parsed.pop(i, None)
                keep(i, r)
    reports = [parsed[i] for i in sorted(parsed)] + final
    kinds = _type_table(reports).kinds()
    findings: list[Finding] = []
    errors: list[tuple[str, str]] = list(ws.errors)
    migratable: set[str] = set()
    claims: dict[tuple[str, int, int], tuple[str, str | None]] = {}
    for r in reports:
        findings.extend(r.findings)
        for f, name in r.pending:
            if kinds.get(name) in ("worker", "job"):
                findings.append(f)
        errors.extend((r.rel, e) for e in r.errors)
        migratable |= r.migratable
        claims.update(r.registrations)
    from oqmigrate.fixes import resolve_registrations  # late: the parent needs the codemods only from here on

    findings = resolve_registrations(findings, claims, kinds, migratable)
    findings.sort(key=Finding.sort_key)
    suppressed = sorted((f for r in reports for f in r.suppressed), key=Finding.sort_key)
    errors.sort()
    skipped = sorted(list(ws.skipped) + [(r.rel, r.skipped) for r in reports if r.skipped])
    return ScanResult(str(ws.root), len(items), len(parsed), findings, errors, skipped, kinds, suppressed)


def _type_table(reports) -> model.TypeTable:
    return model.TypeTable.of(r.declared for r in reports)
