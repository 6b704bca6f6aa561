"""What the user asked the codemods to fix, in one place for `scan` (fixable), `diff`, `apply` and `plan`.

A codemod acts on a class or registration only when its primary finding is *reported* in this run: the rule is
selected (command line or configuration), the finding is not suppressed, it is not covered by a baseline given
to the command, and the file belongs to a project Oqtane loads. A suppression of any rule inside a class (or on
the line above it) also keeps a class codemod away from that class: someone decided about code the rewrite
would change. The texts here are the reasons users see, as manual follow-ups and as `fix_blocker`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from oqmigrate.baseline import Entry
from oqmigrate.checks import Suppression
from oqmigrate.model import ClassInfo


@dataclass(frozen=True)
class Request:
    """The selected rules and, when given to the command, a baseline whose findings are left alone."""

    selected: frozenset[str]
    baseline: tuple[Entry, ...] | None = None


def effective(suppressions: Iterable[Suppression]) -> list[Suppression]:
    """Suppressions that suppress (well-formed, with rules and a reason)."""
    return [s for s in suppressions if s.reason and s.ids and not s.malformed]


def suppression_in(info: ClassInfo, suppressions: list[Suppression]) -> Suppression | None:
    """The first effective suppression inside the class, or on the line above its declaration."""
    first = info.node.start_point[0] + 1
    last = info.node.end_point[0] + 1
    return next((s for s in suppressions if first <= s.line <= last or s.covers(first) or s.covers(info.line)), None)


def suppressed_reason(s: Suppression, codemod: str) -> str:
    return (f"suppressed: `oqmigrate-ignore {', '.join(s.ids)}` at line {s.line} ({s.reason}) marks code the "
            f"{codemod} rewrite would change; remove the suppression to let {codemod} change it")


def deselected_reason(codemod: str, primary: str) -> str:
    return f"{codemod} acts only where {primary} is reported, and {primary} is not selected in this run"


def primary_suppressed_reason(codemod: str, primary: str) -> str:
    return f"{primary} is suppressed here, so {codemod} leaves this code alone"


def role_reason(role: str) -> str | None:
    """Why a class codemod leaves a class in a project of this role alone (None: it may change it)."""
    if role in ("client", "shared"):
        return (f"in a {role.capitalize()} project (OQJ013): Oqtane runs jobs only from the module's Server project; "
                "move the class there, then migrate it")
    return None


def class_blocker(info: ClassInfo, suppressions: list[Suppression], role: str, codemod: str) -> str | None:
    """Why a class codemod must leave a class whose primary finding is reported alone, before any analysis of
    the class itself: a suppression in it, or a project role where a job cannot run."""
    s = suppression_in(info, suppressions)
    if s is not None:
        return suppressed_reason(s, codemod)
    return role_reason(role)
