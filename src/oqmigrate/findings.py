"""The records the stages share: a rule's raw `Hit`, the reported `Finding`, an inline `Suppression`.

Rules yield hits (a node and a message); the find stage (`checks`) turns them into findings with a
position, a fingerprint and the catalog's metadata; suppressions, baselines, reports, plans and the
codemods all read findings. Nothing here knows a particular rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from oqmigrate.syntax import Node

Severity = Literal["error", "warning", "info"]
"""The severities of the catalog (`catalog.SEVERITIES`, most severe first)."""


@dataclass(frozen=True)
class Finding:
    rule_id: str
    rule_name: str
    severity: Severity
    rel: str
    line: int
    column: int
    end_line: int
    end_column: int
    symbol: str
    message: str
    fixable: bool
    project: str | None = None
    fingerprint: str = ""
    fix_blocker: str | None = None  # why a codemod cannot resolve this finding; emitted only when set
    identity: str = ""  # like the fingerprint but without the path: a baseline entry follows its file through git mv
    suppressed: str | None = None  # the justification of the suppression that silences it (SARIF only)

    def sort_key(self):
        return (self.rel, self.line, self.column, self.rule_id, self.message)

    def to_json(self) -> dict:
        out = {
            "rule_id": self.rule_id, "rule_name": self.rule_name, "severity": self.severity, "path": self.rel,
            "line": self.line, "column": self.column, "end_line": self.end_line, "end_column": self.end_column,
            "symbol": self.symbol, "project": self.project, "message": self.message, "fixable": self.fixable,
            "fingerprint": self.fingerprint,
        }
        if self.fix_blocker is not None:
            out["fix_blocker"] = self.fix_blocker
        return out


@dataclass(frozen=True)
class Hit:
    """What a rule reports: its id, the node the finding starts at, and the message."""

    rule_id: str
    node: Node
    message: str
    severity: Severity | None = None  # None: the catalog's default


@dataclass(frozen=True)
class FileHit:
    """A hit of a file-level rule (outside worker and job classes), with the class it is reported on."""

    hit: Hit
    symbol: str
    distinct: bool = False  # its own finding even beside another of the rule on the same line of the class
    pending_on: str | None = None  # a class declared in another file whose kind decides whether it is reported


@dataclass(frozen=True)
class Suppression:
    """An `// oqmigrate-ignore OQJ004: reason` comment."""

    line: int  # 1-based
    ids: tuple[str, ...]  # as written, upper-cased ids or names
    reason: str
    node: Node
    trailing: bool  # after code on its line: covers only that line; on a line of its own it covers the next
    malformed: bool = False

    def covers(self, line: int) -> bool:
        return line == self.line or (not self.trailing and line == self.line + 1)


def position(data: bytes, node: Node) -> tuple[int, int, int, int]:
    """(line, column, end line, end column) of a node, 1-based, columns counted in characters."""
    (sl, sc), (el, ec) = node.start_point, node.end_point
    line_start = node.start_byte - sc
    end_line_start = node.end_byte - ec
    col = len(data[line_start:node.start_byte].decode("utf-8", "replace")) + 1
    end_col = len(data[end_line_start:node.end_byte].decode("utf-8", "replace")) + 1
    return sl + 1, col, el + 1, end_col
