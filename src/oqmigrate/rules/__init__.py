"""The catalog's rules as code: one module per rule, named after its catalog file (`OQJ004-job-state.toml`
-> `oqj004_job_state.py`), and the registry `RULES` (rule id -> module).

A rule module has a docstring that says what the rule finds and why, a `RULE_ID`, and one or both of

- `check(cls: ClassInfo, ctx: CheckContext) -> Iterator[Hit]`: run on every worker and job class of a file;
- `check_file(ctx: CheckContext, root: Node) -> Iterator[FileHit]`: run once per file, for what lies outside
  workers and jobs (OQJ006's scheduler set-ups, OQJ014's registrations).

It reads the code through `oqmigrate.analyse` and knows nothing of findings, suppressions or selection:
`oqmigrate.checks` runs the selected rules and turns their hits into findings. To add a rule: its TOML file
under `codemods/`, its module here, and the module's import and entry in `RULES` below
(tests/test_rule_registry.py checks that the three agree).
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Callable, Iterable

from oqmigrate.rules import (
    oqj001_generic_hosted_service,
    oqj002_timer_or_polling_loop,
    oqj003_background_task,
    oqj004_job_state,
    oqj005_manual_tenant_resolution,
    oqj006_custom_scheduling,
    oqj007_blocking_work,
    oqj008_missing_execute,
    oqj009_constructor_contract,
    oqj010_cached_dependency,
    oqj011_job_metadata,
    oqj012_unhandled_exception,
    oqj013_not_in_server_project,
    oqj014_manual_registration,
    oqj015_custom_logging,
    oqj016_constructor_side_effects,
)

if TYPE_CHECKING:
    from oqmigrate.checks import CheckContext
    from oqmigrate.findings import FileHit, Hit
    from oqmigrate.model import ClassInfo
    from oqmigrate.syntax import Node

ClassCheck = Callable[["ClassInfo", "CheckContext"], Iterable["Hit"]]
FileCheck = Callable[["CheckContext", "Node"], Iterable["FileHit"]]

RULES: dict[str, ModuleType] = {m.RULE_ID: m for m in (
    oqj001_generic_hosted_service,
    oqj002_timer_or_polling_loop,
    oqj003_background_task,
    oqj004_job_state,
    oqj005_manual_tenant_resolution,
    oqj006_custom_scheduling,
    oqj007_blocking_work,
    oqj008_missing_execute,
    oqj009_constructor_contract,
    oqj010_cached_dependency,
    oqj011_job_metadata,
    oqj012_unhandled_exception,
    oqj013_not_in_server_project,
    oqj014_manual_registration,
    oqj015_custom_logging,
    oqj016_constructor_side_effects,
)}
"""Every rule module by rule id, in id order."""

CLASS_CHECKS: tuple[tuple[str, ClassCheck], ...] = tuple(
    (rule_id, m.check) for rule_id, m in RULES.items() if hasattr(m, "check"))
"""(rule id, per-class check), in id order."""

FILE_CHECKS: tuple[tuple[str, FileCheck], ...] = tuple(
    (rule_id, m.check_file) for rule_id, m in RULES.items() if hasattr(m, "check_file"))
"""(rule id, per-file check), in id order."""
