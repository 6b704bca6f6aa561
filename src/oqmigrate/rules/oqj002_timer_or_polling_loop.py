"""OQJ002 timer-or-polling-loop: a timer, or a loop that waits and repeats, inside a worker or job.

Oqtane's scheduler already repeats a job (Frequency/Interval); a timer or polling loop runs beside it, unseen by
the scheduler and its history. Per file, the same for a worker whose base class is not in the scanned code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate.analyse.drivers import POLLING_LOOPS, is_repeating_loop, timer_creations
from oqmigrate.analyse.members import class_nodes
from oqmigrate.analyse.unknown_base import unknown_base_workers
from oqmigrate.findings import FileHit, Hit
from oqmigrate.model import ClassInfo
from oqmigrate.syntax import Node

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ002"


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    for n in timer_creations(cls, ctx.model):
        yield Hit(RULE_ID, n, "a timer drives this work; Oqtane schedules jobs itself (Frequency/Interval)")
    flagged: list[Node] = []  # a loop inside a reported loop is part of it
    for loop in class_nodes(cls, *POLLING_LOOPS):
        if any(f.start_byte <= loop.start_byte and loop.end_byte <= f.end_byte for f in flagged):
            continue
        if is_repeating_loop(loop, cls):
            flagged.append(loop)
            yield Hit(RULE_ID, loop, "a loop that waits and repeats; Oqtane calls the job once per scheduled run")


def check_file(ctx: CheckContext, root: Node) -> Iterator[FileHit]:
    """The same findings in a worker whose base class the scan does not contain (`analyse.unknown_base`)."""
    for cls, _ in unknown_base_workers(ctx, root):
        for hit in check(cls, ctx):
            yield FileHit(hit, cls.name)
