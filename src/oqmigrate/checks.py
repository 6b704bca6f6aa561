"""find: run the selected rules on an analysed file and turn their hits into findings.

`check_file` runs every selected rule of `oqmigrate.rules` on each worker and job class of the file (one
finding per rule, line and class) and the file-level rules on the whole file, gives each hit its position,
the catalog's name, severity and fixability, applies the file's inline suppressions (`oqmigrate.suppressions`)
and fingerprints what is left (`with_fingerprints`). Whether each finding is fixable is decided afterwards,
from the same analysis, by `oqmigrate.fixes`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from oqmigrate.catalog import load_catalog
from oqmigrate.findings import Finding, Hit, Suppression, position
from oqmigrate.model import FileModel
from oqmigrate.rules import CLASS_CHECKS, FILE_CHECKS
from oqmigrate.suppressions import apply_suppressions, find_suppressions
from oqmigrate.syntax import Node
from oqmigrate.versions import CURRENT, Version
from oqmigrate.workspace import Role

__all__ = ["CheckContext", "check_file", "make_finding", "with_fingerprints"]


@dataclass(frozen=True)
class CheckContext:
    rel: str
    data: bytes
    model: FileModel
    role: Role = "unknown"
    project: str | None = None
    kinds: dict[str, str] | None = None  # worker/job kinds of classes declared anywhere in the scan
    anchor: str = ""  # the path fingerprints use (relative to the git work tree when there is one)
    version: Version = CURRENT  # the Oqtane version the file's project builds against (rules word advice by it)


def make_finding(hit: Hit, symbol: str, ctx: CheckContext) -> Finding:
    rule = load_catalog()[hit.rule_id]
    line, col, end_line, end_col = position(ctx.data, hit.node)
    return Finding(hit.rule_id, rule.name, hit.severity or rule.severity, ctx.rel, line, col, end_line, end_col,
                   symbol, hit.message, rule.fixable, ctx.project)


def _line_text(data: bytes, line: int, starts: list[int] | None = None) -> str:
    """The text of a 1-based line, stripped; `starts`: the offsets the file's lines start at, when known."""
    if starts is not None and 0 < line <= len(starts):
        start = starts[line - 1]
    else:
        start = 0
        for _ in range(line - 1):
            start = data.find(b"\n", start) + 1
    end = data.find(b"\n", start)
    return data[start: end if end >= 0 else len(data)].decode("utf-8", "replace").strip()


def _line_starts(data: bytes, lines: int) -> list[int]:
    """The offsets the first `lines` lines start at (fewer when the file has fewer)."""
    starts = [0]
    while len(starts) < lines:
        i = data.find(b"\n", starts[-1])
        if i < 0:
            break
        starts.append(i + 1)
    return starts


def with_fingerprints(findings: list[Finding], data: bytes, anchor: str | None = None) -> list[Finding]:
    """A fingerprint survives edits elsewhere in the file and another scan root: rule, path from the work
    tree, class and the finding's line text, plus an occurrence counter for identical lines. The identity is
    the same without the path, so a baseline entry follows its file through a rename."""
    seen: dict[str, int] = {}
    out = []
    starts = _line_starts(data, max(f.line for f in findings)) if findings else None
    for f in sorted(findings, key=Finding.sort_key):
        snippet = "|".join((f.rule_id, f.symbol, " ".join(_line_text(data, f.line, starts).split())))
        n = seen.get(snippet, 0)
        seen[snippet] = n + 1
        path = anchor or f.rel
        digest = hashlib.sha256(f"{f.rule_id}|{path}|{snippet.split('|', 1)[1]}|{n}".encode()).hexdigest()[:20]
        identity = hashlib.sha256(f"{snippet}|{n}".encode()).hexdigest()[:20]
        out.append(replace(f, fingerprint=digest, identity=identity))
    return out


def check_file(ctx: CheckContext, root: Node, selected: set[str], registrations_resolved: bool = True,
               silenced: list[Finding] | None = None, suppressions: list[Suppression] | None = None
               ) -> tuple[list[Finding], list[tuple[Finding, str]]]:
    """Findings of the selected rules, suppressions applied, and — when registrations cannot be resolved
    yet because the registered class is declared in another file — the pending OQJ014 findings with the
    class name they depend on. Suppressed findings go to `silenced` when a list is given. `suppressions`: the
    file's suppressions when the caller has found them already (`find_suppressions(root)`)."""
    findings: list[Finding] = []
    reported: set[tuple[str, int, str]] = set()  # (rule, line, class): one finding each

    def report(hit: Hit, symbol: str, distinct: bool = False) -> None:
        f = make_finding(hit, symbol, ctx)
        if not distinct:
            key = (f.rule_id, f.line, f.symbol)
            if key in reported:
                return
            reported.add(key)
        findings.append(f)

    class_checks = [check for rule_id, check in CLASS_CHECKS if rule_id in selected]
    for cls in ctx.model.workers_and_jobs():
        if cls.is_secondary_part:
            continue  # checked together with the part that carries the base list
        for check in class_checks:
            for hit in check(cls, ctx):
                report(hit, cls.name)
    pending: list[tuple[Finding, str]] = []
    for rule_id, check_whole_file in FILE_CHECKS:
        if rule_id not in selected:
            continue
        for fh in check_whole_file(ctx, root):
            if fh.pending_on is None:
                report(fh.hit, fh.symbol, fh.distinct)
            elif not registrations_resolved:
                pending.append((make_finding(fh.hit, fh.symbol, ctx), fh.pending_on))

    # Pending findings take part in suppression and fingerprinting like any finding of the file.
    def key(f: Finding) -> tuple:
        return f.rule_id, f.line, f.column, f.message

    names = {key(f): name for f, name in pending}
    quiet: list[Finding] = []
    if suppressions is None:
        suppressions = find_suppressions(root)
    kept = with_fingerprints(apply_suppressions(findings + [f for f, _ in pending], suppressions, selected,
                                                ctx, quiet), ctx.data, ctx.anchor)
    if silenced is not None:
        silenced.extend(with_fingerprints([f for f in quiet if key(f) not in names], ctx.data, ctx.anchor))
    return [f for f in kept if key(f) not in names], [(f, names[key(f)]) for f in kept if key(f) in names]
