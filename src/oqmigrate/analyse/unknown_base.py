"""Workers whose base class the scan cannot see: a class that overrides `ExecuteAsync(CancellationToken)` of a
base declared nowhere in the file (a project-local `BackgroundService` wrapper kept in another repository or
package) and whose work repeats (a loop that waits, a timer) or waits (`Task.Delay`).

`model` only knows a class is a worker when it can follow its bases to BackgroundService/IHostedService, so
such a class is an "other" class there. The override is the signal: the only framework type with a protected
`ExecuteAsync(CancellationToken)` a module overrides is BackgroundService, and the repeating work says the
class is a worker, not some command object with the same method name. A base that the rest of the scan knows
as a worker makes the class a worker in the model (its findings come from the per-class checks instead).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate.analyse.drivers import WAIT_CALLS, repeating_loops, timer_creations
from oqmigrate.analyse.members import class_nodes, methods, modifiers, params
from oqmigrate.analyse.names import invoked_name
from oqmigrate.model import ClassInfo

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext
    from oqmigrate.syntax import Node

# Bytes a file must contain to hold such a class (the scanner's prefilter uses the same token).
TOKEN = b"ExecuteAsync"


def overrides_execute_async(cls: ClassInfo) -> bool:
    """`protected override Task ExecuteAsync(CancellationToken token)` (any return type spelling)."""
    for m in methods(cls, "ExecuteAsync"):
        ps = params(m.child_by_field_name("parameters"))
        if "override" in modifiers(m) and len(ps) == 1 and ps[0].simple_type == "CancellationToken":
            return True
    return False


def unknown_base(cls: ClassInfo, ctx: CheckContext) -> str | None:
    """The class's base class when neither this file nor the scan's known workers and jobs declare it."""
    if not cls.bases:
        return None
    base = cls.bases[0]
    name = base.simple
    if name == cls.name or name in ctx.model.local_types or name in (ctx.kinds or {}):
        return None
    if len(name) > 1 and name[0] == "I" and name[1].isupper():
        return None  # an interface: the class declares ExecuteAsync itself, it overrides nothing of it
    return base.resolved


def does_repeating_work(cls: ClassInfo, ctx: CheckContext) -> bool:
    """A loop that waits, a timer, or at least a wait: what a worker does and a command object does not."""
    if repeating_loops(cls) or next(timer_creations(cls, ctx.model), None) is not None:
        return True
    return any(invoked_name(i)[1] in WAIT_CALLS for i in class_nodes(cls, "invocation_expression"))


def unknown_base_workers(ctx: CheckContext, root: Node) -> Iterator[tuple[ClassInfo, str]]:
    """(class, its unseen base) for each such worker of the file, in document order."""
    if TOKEN not in ctx.data:
        return
    for cls in ctx.model.classes:
        if cls.kind != "other" or cls.is_static or cls.body is None:
            continue
        if not overrides_execute_async(cls):
            continue
        base = unknown_base(cls, ctx)
        if base is not None and does_repeating_work(cls, ctx):
            yield cls, base
