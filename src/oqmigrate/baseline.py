"""Baselines: the findings a legacy repository already has, so CI fails only on new ones.

An entry stores the finding's fingerprint (rule, path, class and the finding's line text — not line numbers,
so edits elsewhere in a file do not invalidate it) and, from format 2 on, its identity (the same without the
path). A finding is covered by an entry with its fingerprint, else by an entry with its identity whose path no
longer exists in the scan — a file moved with `git mv`. Each entry absorbs one finding. Format 1 files (no
identity) keep working; `baseline --update` rewrites them as format 2.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from oqmigrate import __version__
from oqmigrate.checks import Finding

FORMAT = 2
READABLE = (1, 2)


class BaselineError(Exception):
    pass


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    identity: str
    rule_id: str
    path: str
    symbol: str
    message: str

    def to_json(self) -> dict:
        return {"fingerprint": self.fingerprint, "identity": self.identity, "rule_id": self.rule_id,
                "path": self.path, "symbol": self.symbol, "message": self.message}


def entry_of(f: Finding) -> Entry:
    return Entry(f.fingerprint, f.identity, f.rule_id, f.rel, f.symbol, f.message)


def document(entries: list[Entry]) -> dict:
    return {"oqmigrate_baseline": FORMAT, "version": __version__, "findings": [e.to_json() for e in entries]}


def build(findings: list[Finding]) -> dict:
    return document([entry_of(f) for f in findings])


def load_entries(path: Path) -> list[Entry]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"baseline not found: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BaselineError(f"cannot read baseline {path}: {e}") from None
    if not isinstance(data, dict) or data.get("oqmigrate_baseline") not in READABLE \
            or not isinstance(data.get("findings"), list):
        raise BaselineError(f"not an oqmigrate baseline (format {' or '.join(map(str, READABLE))}): {path}")
    return [Entry(str(f.get("fingerprint", "")), str(f.get("identity", "")), str(f.get("rule_id", "")),
                  str(f.get("path", "")), str(f.get("symbol", "")), str(f.get("message", "")))
            for f in data["findings"] if isinstance(f, dict)]


def load(path: Path) -> list[Entry]:
    return load_entries(path)


def match(findings: list[Finding], entries: list[Entry]) -> tuple[list[Finding], list[Finding], list[Entry]]:
    """(findings no entry covers, findings covered, entries that cover nothing — fixed)."""
    by_fingerprint: dict[str, list[Entry]] = {}
    for e in entries:
        by_fingerprint.setdefault(e.fingerprint, []).append(e)
    used: set[int] = set()
    rest: list[Finding] = []
    covered: list[Finding] = []
    for f in findings:
        candidates = [e for e in by_fingerprint.get(f.fingerprint, []) if id(e) not in used]
        if candidates:
            used.add(id(candidates[0]))
            covered.append(f)
        else:
            rest.append(f)
    # A moved file: same rule, class and line text, at a path the scan no longer reports.
    live_paths = {f.rel for f in findings}
    by_identity: dict[str, list[Entry]] = {}
    for e in entries:
        if id(e) not in used and e.identity and e.path not in live_paths:
            by_identity.setdefault(e.identity, []).append(e)
    new: list[Finding] = []
    for f in rest:
        candidates = [e for e in by_identity.get(f.identity, []) if id(e) not in used] if f.identity else []
        if candidates:
            used.add(id(candidates[0]))
            covered.append(f)
        else:
            new.append(f)
    return new, covered, [e for e in entries if id(e) not in used]


def split(findings: list[Finding], entries: list[Entry]) -> tuple[list[Finding], list[Finding]]:
    """Findings not covered by the baseline, and those it covers."""
    new, covered, _ = match(findings, entries)
    return new, covered


def subtract(findings: list[Finding], entries: list[Entry]) -> tuple[list[Finding], int]:
    new, covered, _ = match(findings, entries)
    return new, len(covered)


def tighten(entries: list[Entry], findings: list[Finding]) -> tuple[list[Entry], list[Entry]]:
    """The entries that still cover a finding (rewritten from the current finding: new path, format 2) and
    the entries that cover nothing any more (fixed)."""
    _, covered, fixed = match(findings, entries)
    return [entry_of(f) for f in covered], fixed
