"""The scan runner: prefilter → load → parse → analyse → find, over a process pool.

A file is parsed only when its bytes contain a trigger token of a selected rule (sound: a rule cannot
match a file without its tokens). Classes may derive from a worker/job base declared in another file,
so a second, smaller pass re-checks the files whose meaning depends on other files: subclasses of
project-local worker bases (found by their base's name, also in files the first prefilter skipped),
files using a framework name that the scan declares itself, and registrations of classes declared
elsewhere.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Callable, Iterable, Sequence

from oqmigrate import checks, model, source, syntax
from oqmigrate.catalog import trigger_tokens
from oqmigrate.checks import Finding
from oqmigrate.workspace import SourceFile, Workspace

SUPPRESSION_TOKEN = b"oqmigrate-ignore"
KIND_TOKENS = {name.encode() for name in model.FRAMEWORK_BASES}
MAX_BYTES = 4_000_000
INLINE_LIMIT = 64  # below this many files a process pool costs more than it saves
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Item:
    path: str
    rel: str
    role: str
    project: str | None


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


@dataclass
class ScanResult:
    root: str
    files_scanned: int
    files_parsed: int
    findings: list[Finding]
    errors: list[tuple[str, str]]
    skipped: list[tuple[str, str]]


def read_candidate(path: str, tokens: Sequence[bytes]) -> bytes | None:
    """The file's bytes when it contains one of the tokens, else None. Raises source.LoadError."""
    try:
        size = os.path.getsize(path)
    except FileNotFoundError:
        raise source.FileMissing("file vanished during the scan") from None
    except OSError as e:
        raise source.Unreadable(f"cannot read: {e.strerror or e}") from None
    if size > MAX_BYTES:
        raise source.TooLarge(f"file is too large to scan ({size} bytes > {MAX_BYTES})")
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        raise source.FileMissing("file vanished during the scan") from None
    except OSError as e:
        raise source.Unreadable(f"cannot read: {e.strerror or e}") from None
    haystack = data
    if data[:2] in UTF16_BOMS:
        haystack = data.decode("utf-16", "replace").encode("utf-8")
    if any(t in haystack for t in tokens):
        return data
    return None


def check_bytes(item: Item, data: bytes, selected: set[str], table: model.TypeTable | None,
                kinds: dict[str, str] | None, final: bool) -> FileReport:
    report = FileReport(item.rel)
    try:
        text = source.decode(data)
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
    ctx = checks.CheckContext(item.rel, utf8, fm, item.role, item.project, kinds)
    report.findings, report.pending = checks.check_file(ctx, tree.root_node, selected, registrations_resolved=final)
    return report


def scan_items(items: Sequence[Item], selected: set[str], tokens: Sequence[bytes],
               table: model.TypeTable | None = None, kinds: dict[str, str] | None = None,
               final: bool = False) -> list[FileReport]:
    reports = []
    for item in items:
        try:
            data = read_candidate(item.path, tokens)
        except source.LoadError as e:
            reports.append(FileReport(item.rel, errors=[str(e)]))
            continue
        if data is None:
            continue
        reports.append(check_bytes(item, data, selected, table, kinds, final))
    return reports


def _batches(items: Sequence[Item], jobs: int) -> list[list[Item]]:
    size = max(16, min(512, len(items) // (jobs * 8) or 1))
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def _run(items: Sequence[Item], jobs: int, progress: Callable[[int], None] | None, *args) -> list[FileReport]:
    reports: list[FileReport] = []
    if jobs <= 1 or len(items) < INLINE_LIMIT:
        for batch in _batches(items, 1):
            reports.extend(scan_items(batch, *args))
            if progress:
                progress(len(batch))
        return reports
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
        futures = {pool.submit(scan_items, batch, *args): len(batch) for batch in _batches(items, jobs)}
        for fut in as_completed(futures):
            reports.extend(fut.result())
            if progress:
                progress(futures[fut])
    return reports


def items_of(files: Iterable[SourceFile]) -> list[Item]:
    return [Item(str(f.path), f.rel, f.project.role if f.project else "unknown", f.project.name if f.project else None)
            for f in files]


def scan(ws: Workspace, selected: set[str], jobs: int | None = None,
         progress: Callable[[int], None] | None = None) -> ScanResult:
    jobs = jobs or os.cpu_count() or 1
    items = items_of(ws.files)
    # Files declaring workers and jobs are always read: other files' findings depend on what they declare.
    tokens = tuple(sorted(set(trigger_tokens(selected)) | KIND_TOKENS)) + (SUPPRESSION_TOKEN,)
    reports = {r.rel: r for r in _run(items, jobs, progress, selected, tokens)}

    # Pass 2: what depends on other files.
    table = model.TypeTable()
    for r in reports.values():
        for d in r.declared:
            table.add(d)
    kinds = table.kinds()
    # Any worker/job class may be the base of a class in a file the prefilter skipped.
    local_bases = {name for name in kinds if name not in model.FRAMEWORK_BASES}
    shadowed = {name for name in model.FRAMEWORK_BASES if name in table.by_name}
    recheck = [it for it in items if it.rel in reports and reports[it.rel].parsed and (
        (reports[it.rel].bases_used & (set(kinds) - set(reports[it.rel].own_kinds)))
        or (reports[it.rel].bases_used & shadowed and not all(
            n in {d.name for d in reports[it.rel].declared} for n in reports[it.rel].bases_used & shadowed))
        or reports[it.rel].pending)]
    extra_tokens = tuple(sorted(n.encode() for n in local_bases))
    if extra_tokens:
        rest = [it for it in items if it.rel not in reports]
        recheck.extend(rest)
    if recheck:
        again = _run(recheck, jobs, None, selected, tokens + extra_tokens, table, kinds, True)
        for r in again:
            reports[r.rel] = r
    findings: list[Finding] = []
    errors: list[tuple[str, str]] = list(ws.errors)
    for r in reports.values():
        findings.extend(r.findings)
        for f, name in r.pending:
            if kinds.get(name) in ("worker", "job"):
                findings.append(f)
        errors.extend((r.rel, e) for e in r.errors)
    findings.sort(key=Finding.sort_key)
    errors.sort()
    return ScanResult(str(ws.root), len(items), sum(1 for r in reports.values() if r.parsed), findings, errors,
                      list(ws.skipped))
