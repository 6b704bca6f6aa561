"""transform: pure functions from a parsed file to byte-range edits.

A codemod never touches the file system or the console; the runner decides whether its edits are
written or shown as a diff.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from oqmigrate.edits import Edit
from oqmigrate.model import FileModel
from oqmigrate.syntax import Tree
from oqmigrate.versions import CURRENT, Version


class FollowUpKind(enum.Enum):
    REVIEW = "review"  # the code was changed: something a reviewer must check
    MANUAL = "manual"  # the code was left unchanged: what a person must do, and why


@dataclass(frozen=True)
class ManualFollowUp:
    """What a codemod tells the person behind the diff about one class: a MANUAL reason why the code was left
    unchanged (and what to do next), or a REVIEW note about a change it made (build with `ManualFollowUp.review`)."""

    rel: str
    line: int
    symbol: str
    reason: str
    kind: FollowUpKind = FollowUpKind.MANUAL

    @classmethod
    def review(cls, rel: str, line: int, symbol: str, note: str) -> ManualFollowUp:
        return cls(rel, line, symbol, note, FollowUpKind.REVIEW)


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
    # What the user asked for, decided by the engine from this run's reported findings (selection,
    # suppressions, baseline, project scope): the classes a class codemod may rewrite and the lines of the
    # registrations a registration codemod may remove. None: no restriction (the codemod's own tests).
    classes: frozenset[str] | None = None
    registration_lines: frozenset[int] | None = None
    version: Version = CURRENT  # the Oqtane version the file's project builds against: emit only what it has
    # namespaces the file's project imports into every file (global usings, <Using> items, implicit usings):
    # a codemod does not add a using for them
    global_usings: frozenset[str] = frozenset()

    def may_change_class(self, name: str) -> bool:
        return (self.classes is None or name in self.classes) and (self.only is None or name == self.only)


@dataclass
class TransformResult:
    edits: list[Edit] = field(default_factory=list)
    manual: list[ManualFollowUp] = field(default_factory=list)
    migrated: list[str] = field(default_factory=list)
    touched: list[str] = field(default_factory=list)  # other classes whose code or registrations the edits change


@dataclass(frozen=True)
class ClassVerdict:
    """What a class codemod would do to one class, decided without producing edits (the scan's `fixable`):
    `blocker` says why it would leave the class alone (None: it rewrites it); findings inside `kept` (byte
    ranges it carries over as they are) are not resolved by it."""

    blocker: str | None
    kept: tuple[tuple[int, int], ...] = ()
