"""transform: pure functions from a parsed file to byte-range edits.

A codemod never touches the file system or the console; the runner decides whether its edits are
written or shown as a diff.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oqmigrate.edits import Edit
from oqmigrate.model import FileModel
from oqmigrate.syntax import Tree


@dataclass(frozen=True)
class ManualFollowUp:
    rel: str
    line: int
    symbol: str
    reason: str


@dataclass(frozen=True)
class TransformContext:
    rel: str
    data: bytes
    tree: Tree
    model: FileModel
    newline: str = "\n"
    indent: str = "    "
    only: str | None = None
    migrating: frozenset[str] = frozenset()
    jobs: frozenset[str] = frozenset()


@dataclass
class TransformResult:
    edits: list[Edit] = field(default_factory=list)
    manual: list[ManualFollowUp] = field(default_factory=list)
    migrated: list[str] = field(default_factory=list)
    touched: list[str] = field(default_factory=list)  # other classes whose code or registrations the edits change
