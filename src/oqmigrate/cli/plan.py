"""`oqmigrate plan`: the playbook adoption, one reviewable step at a time."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import List, Optional

import typer

from oqmigrate import baseline, engine, plan as planning
from oqmigrate.cli.common import (CONFIG_OPTION, JOBS_OPTION, NO_PROGRESS_OPTION, PATHS, QUIET_OPTION, err_console,
                                  OQTANE_VERSION_OPTION, plural, print_notices, progress_bar, project_of, require_sources, selected_rules, with_severities,
                                  versions_of, write_output)
from oqmigrate.cli.fix import FIX_BASELINE_OPTION, IGNORE_OPTION, SELECT_OPTION, codemod_request, run_codemods
from oqmigrate.formats.machine import dumps
from oqmigrate.config import Config
from oqmigrate.mandate import Request
from oqmigrate.project_versions import Versions
from oqmigrate.scanner import ScanResult, scan as run_scan
from oqmigrate.workspace import Workspace


class PlanFormat(str, enum.Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


PLAN_EPILOG = """\b
Examples:
  oqmigrate plan                                  # steps, smallest first, and what is left for a person
  oqmigrate plan --format markdown -o MIGRATION.md   # for a pull request
"""


def planned(ws: Workspace, cfg: Config, request: Request, versions: Versions, jobs: Optional[int] = None,
            advance=None) -> tuple[ScanResult, engine.RunResult, planning.Plan]:
    """One scan (minus a baseline named on the command line, with the configured severities) and one codemod run
    with the same mandate, and the plan built from them: what `plan` prints and `report` shows."""
    rules = set(request.selected)
    result = run_scan(ws, rules, jobs, advance, cfg.legacy_encoding, versions)
    if request.baseline is not None:
        result.findings = baseline.subtract(result.findings, list(request.baseline))[0]
    result.findings = with_severities(result.findings, cfg)
    run = run_codemods(ws, engine.resolve_codemods(None), None, cfg, request, versions)
    return result, run, planning.build(ws, result, run, rules, cfg.legacy_encoding, versions)


def plan(
    paths: Optional[List[Path]] = PATHS,
    format: PlanFormat = typer.Option(PlanFormat.text, "--format", "-f", help="text, markdown or json"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE",
                                          help="write the plan to FILE instead of stdout"),
    select: Optional[str] = SELECT_OPTION,
    ignore: Optional[str] = IGNORE_OPTION,
    baseline_file: Optional[Path] = FIX_BASELINE_OPTION,
    oqtane_version: Optional[str] = OQTANE_VERSION_OPTION,
    jobs: Optional[int] = JOBS_OPTION,
    quiet: bool = QUIET_OPTION,
    no_progress: bool = NO_PROGRESS_OPTION,
    config: Optional[Path] = CONFIG_OPTION,
) -> int:
    """Plan a step-by-step migration: one reviewable change per worker, and what is left for a person."""
    ws, cfg = project_of(paths, config)
    rules = selected_rules(select or cfg.select, ignore or cfg.ignore)
    request = codemod_request(rules, baseline_file)
    require_sources(ws, paths)
    versions = versions_of(ws, cfg, oqtane_version)
    with progress_bar(not no_progress and not quiet, len(ws.files), "scanning") as advance:
        _, _, the_plan = planned(ws, cfg, request, versions, jobs, advance)
    if format is PlanFormat.json:
        write_output(dumps(planning.to_json(the_plan)), output)
    elif format is PlanFormat.markdown:
        write_output(planning.to_markdown(the_plan), output)
    else:
        write_output(planning.to_text(the_plan), output)
    print_notices(ws, quiet, versions)
    if not quiet:
        err_console().print(f"{plural(len(the_plan.steps), 'automatic step')}, "
                            f"{plural(len(the_plan.manual), 'class', 'classes')} left for a person, "
                            f"{plural(len(the_plan.untouched), 'finding')} no codemod addresses", markup=False)
    return 0
