"""OQJ011 job-metadata: a job constructor that leaves out Name, Frequency, Interval or IsEnabled, an invalid
Frequency code or Interval, or metadata set outside the constructor. Oqtane reads the metadata once, when it
creates the Job row; what is missing falls back to defaults (IsEnabled false: installed switched off). The facts
come from `oqmigrate.analyse.metadata`, which the declare-metadata codemod reads too.

Version-aware: before Oqtane 2.0.1 a job has no metadata properties at all (the Job row is created by hand), so
nothing is reported there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from oqmigrate import syntax
from oqmigrate.analyse.metadata import FREQUENCIES, METADATA_PROPERTIES, REQUIRED, job_metadata
from oqmigrate.findings import Hit
from oqmigrate.model import ClassInfo
from oqmigrate.versions import Feature, supports

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext

RULE_ID = "OQJ011"

__all__ = ["FREQUENCIES", "METADATA_PROPERTIES", "REQUIRED", "RULE_ID", "check"]


def check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]:
    if cls.kind != "job" or not supports(ctx.version, Feature.JOB_METADATA_AND_TENANT_LOOP):
        return
    meta = job_metadata(cls)
    for ctor in meta.constructors:
        if ctor.missing and meta.reports_missing:
            yield Hit(RULE_ID, ctor.node.child_by_field_name("name"), missing_message(ctor.missing))
        for a, value in ctor.bad_frequencies:
            yield Hit(RULE_ID, a, f"Frequency \"{value}\" is not one of m H d w M O; Oqtane would run it every minute", "error")
        for a in ctor.bad_intervals:
            yield Hit(RULE_ID, a, f"Interval {syntax.text(a.child_by_field_name('right'))} is below 1", "error")
    if not meta.constructors and meta.reports_missing:
        yield Hit(RULE_ID, cls.name_node, "the job declares no Name, Frequency, Interval or IsEnabled")
    for name, a in meta.run_time:
        yield Hit(RULE_ID, a, f"{name} is set at run time; Oqtane reads job metadata once, at registration")


def missing_message(missing: tuple[str, ...]) -> str:
    return ("the constructor does not declare " + ", ".join(missing)
            + (" (IsEnabled defaults to false: the job is registered disabled)" if "IsEnabled" in missing else ""))
