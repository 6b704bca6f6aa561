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
import re
from pathlib import Path
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from typing import Callable, Iterable, Sequence

from oqmigrate import checks, fixes, model, source, syntax
from oqmigrate.catalog import trigger_tokens
from oqmigrate.findings import Finding
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


@dataclass(frozen=True)
class Item:
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
    """A file's bytes, or source.LoadError with a one-line reason."""
    try:
        size = os.path.getsize(path)
        if size > MAX_BYTES:
            raise source.TooLarge(f"file is too large to scan ({size} bytes > {MAX_BYTES})")
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise source.FileMissing("file vanished during the scan") from None
    except OSError as e:
        raise source.Unreadable(f"cannot read: {e.strerror or e}") from None


def searchable(data: bytes) -> bytes:
    return data.decode("utf-16", "replace").encode("utf-8") if data[:2] in UTF16_BOMS else data


IDENTIFIER = re.compile(rb"[A-Za-z_]\w*")
TYPE_KEYWORDS = (b"class", b"struct", b"record", b"interface")


def declared_base_names(data: bytes) -> set[str]:
    """Every name after the colon of a type declaration, up to its body (`class X<T> : A, B<T> where T : C {`):
    a superset of the file's base types, read without parsing, to find subclasses of project-local worker
    bases among the files the prefilter skipped. bytes.find keeps this at memory speed."""
    names: set[str] = set()
    for keyword in TYPE_KEYWORDS:
        i = data.find(keyword)
        while i >= 0:
            stops = [j for j in (data.find(b"{", i), data.find(b";", i)) if j >= 0]
            end = min(stops) if stops else len(data)
            colon = data.find(b":", i, end)
            if colon >= 0:
                names.update(n.decode() for n in IDENTIFIER.findall(data, colon + 1, end))
            i = data.find(keyword, end)
    return names


def check_bytes(item: Item, data: bytes, selected: set[str], table: model.TypeTable | None,
                kinds: dict[str, str] | None) -> FileReport:
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
    found, pending = checks.check_file(ctx, tree.root_node, selected, registrations_resolved=False,
                                       silenced=report.suppressed)
    verdict = fixes.decide(item.rel, utf8, tree, fm, found + [f for f, _ in pending], selected, item.role,
                           item.scope_blocker, version)
    report.findings = verdict.findings[:len(found)]
    report.pending = [(f, name) for f, (_, name) in zip(verdict.findings[len(found):], pending)]
    report.migratable = verdict.migratable
    report.registrations = {(item.rel, line, col): claim for (line, col), claim in verdict.registrations.items()}
    return report


def scan_items(items: Sequence[Item], selected: set[str], tokens: Sequence[bytes],
               table: model.TypeTable | None = None, kinds: dict[str, str] | None = None,
               collect_bases: bool = False) -> list[FileReport]:
    reports = []
    for item in items:
        try:
            data = read_source(item.path)
        except source.LoadError as e:
            reports.append(FileReport(item.rel, errors=[str(e)]))
            continue
        if is_generated_content(data):
            reports.append(FileReport(item.rel, skipped="generated"))
            continue
        haystack = searchable(data)
        binary = binary_reason(data, haystack)
        if binary is not None:  # reported whether or not the prefilter would read it: a binary file is not C#
            reports.append(FileReport(item.rel, errors=[binary]))
            continue
        if any(t in haystack for t in tokens):
            try:
                reports.append(check_bytes(item, data, selected, table, kinds))
            except Exception as e:  # a defect of ours must cost one file, not the run
                reports.append(FileReport(item.rel, errors=[f"internal error while checking this file "
                                                           f"({type(e).__name__}: {e}); please report it"]))
        elif collect_bases:
            reports.append(FileReport(item.rel, bases_used=declared_base_names(haystack)))
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


def items_of(files: Iterable[SourceFile], fallback: str = "cp1252", anchor_root: Path | None = None,
             versions: Versions | None = None) -> list[Item]:
    prefix = str(anchor_root).rstrip(os.sep) + os.sep if anchor_root is not None else None

    def anchor(f: SourceFile) -> str:
        path = str(f.path)  # string slicing: pathlib costs more than the rest of the scan per file
        if prefix is not None and path.startswith(prefix):
            return path[len(prefix):].replace(os.sep, "/")
        return f.rel

    versions = versions or Versions()
    return [Item(str(f.path), f.rel, f.project.role if f.project else "unknown", f.project.name if f.project else None,
                 fallback, anchor(f), f.project.scope_reason if f.project else None, str(versions.of(f).version))
            for f in files]


def scan(ws: Workspace, selected: set[str], jobs: int | None = None,
         progress: Callable[[int], None] | None = None, fallback: str = "cp1252",
         versions: Versions | None = None) -> ScanResult:
    jobs = jobs or os.cpu_count() or 1
    items = items_of(ws.files, fallback, git_root(ws.root), versions)
    # Files declaring workers and jobs are always read: other files' findings depend on what they declare.
    # Suppressions of the selected rules are applied (and judged, when OQJ000 is selected) wherever they are.
    tokens = minimal_tokens(set(trigger_tokens(selected)) | KIND_TOKENS | {SUPPRESSION_TOKEN})
    reports = {r.rel: r for r in _run(items, jobs, progress, selected, tokens, None, None, True)}

    # Pass 2, repeated while it finds more: what depends on other files.
    rechecked: set[str] = set()
    while True:
        table = _type_table(reports.values())
        kinds = table.kinds()
        shadowed = {name for name in model.FRAMEWORK_BASES if name in table.by_name}
        kind_names = set(kinds)
        recheck = []
        for it in items:
            r = reports.get(it.rel)
            if r is None or it.rel in rechecked:
                continue
            depends = (r.bases_used & kind_names) - r.own_kinds.keys()
            hidden = r.parsed and r.bases_used & shadowed and not (r.bases_used & shadowed) <= {d.name for d in r.declared}
            if depends or hidden:
                recheck.append(it)
        if not recheck:
            break
        rechecked.update(it.rel for it in recheck)
        # A skipped file is parsed now whatever its tokens: it declares a subclass of a worker/job base.
        for r in _run(recheck, jobs, None, selected, (b"",), table, kinds):
            reports[r.rel] = r
    kinds = _type_table(reports.values()).kinds()
    findings: list[Finding] = []
    errors: list[tuple[str, str]] = list(ws.errors)
    migratable: set[str] = set()
    claims: dict[tuple[str, int, int], tuple[str, str | None]] = {}
    for r in reports.values():
        findings.extend(r.findings)
        for f, name in r.pending:
            if kinds.get(name) in ("worker", "job"):
                findings.append(f)
        errors.extend((r.rel, e) for e in r.errors)
        migratable |= r.migratable
        claims.update(r.registrations)
    findings = fixes.resolve_registrations(findings, claims, kinds, migratable)
    findings.sort(key=Finding.sort_key)
    suppressed = sorted((f for r in reports.values() for f in r.suppressed), key=Finding.sort_key)
    errors.sort()
    skipped = sorted(list(ws.skipped) + [(r.rel, r.skipped) for r in reports.values() if r.skipped])
    return ScanResult(str(ws.root), len(items), sum(1 for r in reports.values() if r.parsed), findings, errors, skipped,
                      kinds, suppressed)


def minimal_tokens(tokens: set[bytes]) -> tuple[bytes, ...]:
    """Drop tokens that contain another token: a file containing the longer one contains the shorter."""
    return tuple(sorted(t for t in tokens if not any(o != t and o in t for o in tokens)))


def _type_table(reports) -> model.TypeTable:
    return model.TypeTable.of(r.declared for r in reports)
