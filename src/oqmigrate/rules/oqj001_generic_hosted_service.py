"""OQJ001 generic-hosted-service: a BackgroundService or hand-written IHostedService.

Oqtane runs scheduled work only as HostedServiceBase jobs; a generic worker starts on every install, outside
the scheduler and outside any tenant. A worker whose work runs once at start-up (no loop, no timer, no event
it waits for: a database migration, a cache warm-up) is still reported, but it is not a job either: the
message points to an IServerStartup or a migration instead. Queue consumers, event subscribers and workers that
hand their stopping token to another class's method (`oqmigrate.analyse.consumers`) are reported with what they
are: a consumer or subscriber may stay an IHostedService, and the finding is suppressed with that reason.

Per file, a class that overrides `ExecuteAsync(CancellationToken)` from a base class the scan does not
contain (a project-local `BackgroundService` wrapper in another repository) is reported as a worker too, and
the message says the base was not found (`oqmigrate.analyse.unknown_base`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate import syntax
from oqmigrate.analyse.consumers import find_consumer
from oqmigrate.analyse.drivers import POLLING_LOOPS, timer_creations
from oqmigrate.analyse.members import class_nodes, methods
from oqmigrate.analyse.names import simple
from oqmigrate.analyse.unknown_base import unknown_base_workers
from oqmigrate.findings import FileHit, Hit
from oqmigrate.model import ClassInfo
from oqmigrate.syntax import Node

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ001"

HANDLERS = ("lambda_expression", "anonymous_method_expression")


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    if cls.kind == "worker" and cls.via != cls.name:  # report a partial class once, on the part with the base list
        what = f"implements {simple(cls.via)}" if simple(cls.via) == "IHostedService" else f"derives from {simple(cls.via)}"
        # the work of a subclass of a worker declared in the scan is in its base: judged there
        direct = not cls.is_abstract and simple(cls.via) in ("BackgroundService", "IHostedService")
        consumer = find_consumer(cls, ctx.model) if direct else None
        if consumer is not None:
            yield Hit(RULE_ID, cls.name_node, consumer.finding_message(cls.name, what, ctx.version))
        elif direct and runs_once(cls, ctx):
            yield Hit(RULE_ID, cls.name_node,
                      f"'{cls.name}' {what} and does its work once at start-up (no loop, timer or event): that is not a "
                      "scheduled job; move the work to an IServerStartup (or, for a schema or data change, a module "
                      "migration) and remove the worker")
        else:
            yield Hit(RULE_ID, cls.name_node,
                      f"'{cls.name}' {what}; Oqtane runs scheduled work only as a HostedServiceBase job")


def check_file(ctx: CheckContext, root: Node) -> Iterator[FileHit]:
    for cls, base in unknown_base_workers(ctx, root):
        yield FileHit(Hit(RULE_ID, cls.name_node,
                          f"'{cls.name}' overrides ExecuteAsync(CancellationToken) of '{base}', a base class not found in "
                          "the scanned code: most likely a BackgroundService; Oqtane runs scheduled work only as a "
                          "HostedServiceBase job"), cls.name)


def runs_once(cls: ClassInfo, ctx: CheckContext) -> bool:
    """No timer, no loop and no event handler: the worker's work runs once, when the host starts."""
    if next(timer_creations(cls, ctx.model), None) is not None or next(class_nodes(cls, *POLLING_LOOPS), None) is not None:
        return False
    own_methods = {syntax.text(m.child_by_field_name("name")) for m in methods(cls)}
    for a in class_nodes(cls, "assignment_expression"):
        op, right = a.child_by_field_name("operator"), a.child_by_field_name("right")
        if op is not None and syntax.text(op) == "+=" and right is not None and (
                right.type in HANDLERS or syntax.text(right).rsplit(".", 1)[-1] in own_methods):
            return False
    # a worker that only waits for the host to stop, or hands itself to another scheduler, is not one-shot either
    return not any(i for i in class_nodes(cls, "invocation_expression")
                   if syntax.text(i.child_by_field_name("function") or i).endswith(("WaitToReadAsync", "ReadAllAsync")))
