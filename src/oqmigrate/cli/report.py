"""`oqmigrate report`: gather a whole migration (scan, pending changes, plan) and write the review page.

The data comes from the same steps as `plan` (workspace, configuration, versions, scan, codemod run with the
same mandate, plan); `review.render_html` turns it into one self-contained HTML page.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer

from oqmigrate import __version__, review, source
from oqmigrate.catalog import load_catalog
from oqmigrate.cli.common import (CONFIG_OPTION, JOBS_OPTION, OQTANE_VERSION_OPTION, PATHS, QUIET_OPTION,
                                  print_notices, project_of, require_sources, selected_rules, versions_of,
                                  write_output)
from oqmigrate.cli.fix import FIX_BASELINE_OPTION, IGNORE_OPTION, SELECT_OPTION, codemod_request
from oqmigrate.cli.plan import planned
from oqmigrate.config import Config
from oqmigrate.mandate import Request
from oqmigrate.project_versions import Versions
from oqmigrate.workspace import Workspace

DEFAULT_OUTPUT = Path("oqmigrate-report.html")
REPORT_EPILOG = """\b
Examples:
  oqmigrate report                                # writes oqmigrate-report.html
  oqmigrate report MyModule.sln -o migration.html --select OQJ001,OQJ014
"""


def _text(data: bytes, fallback: str) -> str:
    try:
        return source.decode(data, fallback).text
    except source.LoadError:
        return data.decode("utf-8", "replace")


def gather(ws: Workspace, cfg: Config, request: Request, versions: Versions,
           jobs: Optional[int] = None) -> review.ReviewData:
    """Everything the page shows, from one scan and one codemod run over the workspace."""
    result, run, the_plan = planned(ws, cfg, request, versions, jobs)
    changesets = {tuple(c.rel for c in cs.files): cs for cs in run.changesets}
    changes = []
    for step in the_plan.steps:
        cs = changesets[tuple(step.files)]
        files = [review.FileChange(c.rel, _text(c.old, cfg.legacy_encoding), _text(c.new, cfg.legacy_encoding))
                 for c in cs.files]
        changes.append(review.Change(step.symbols, files, step.review, [f.to_json() for f in step.resolves],
                                     [f.to_json() for f in step.remaining], step.command))
    follow_ups = [review.FollowUp(m.symbol, m.path, m.line, m.reasons, [f.to_json() for f in m.findings])
                  for m in the_plan.manual]
    return review.ReviewData(
        title=f"oqmigrate review: {ws.root.name or ws.root}",
        findings=[f.to_json() for f in result.findings],
        changes=changes,
        follow_ups=follow_ups,
        untouched=[f.to_json() for f in the_plan.untouched],
        errors=list(result.errors) + [(o.rel, o.error) for o in run.outcomes if o.kind == "failed"],
        rule_names={r.id: r.name for r in load_catalog().values()},
        projects={sf.rel: sf.project.name for sf in ws.files if sf.project is not None},
        tool_version=__version__,
    )


def report(
    paths: Optional[List[Path]] = PATHS,
    output: Path = typer.Option(DEFAULT_OUTPUT, "--output", "-o", metavar="FILE.html",
                                help="the HTML page to write; - writes it to stdout"),
    select: Optional[str] = SELECT_OPTION,
    ignore: Optional[str] = IGNORE_OPTION,
    baseline_file: Optional[Path] = FIX_BASELINE_OPTION,
    oqtane_version: Optional[str] = OQTANE_VERSION_OPTION,
    jobs: Optional[int] = JOBS_OPTION,
    quiet: bool = QUIET_OPTION,
    config: Optional[Path] = CONFIG_OPTION,
) -> int:
    """Write one self-contained HTML page for reviewing the whole migration: progress per project, findings by
    rule, every pending change as a side-by-side diff with its review notes, and what is left for a person."""
    ws, cfg = project_of(paths, config)
    request = codemod_request(selected_rules(select or cfg.select, ignore or cfg.ignore), baseline_file)
    require_sources(ws, paths)
    versions = versions_of(ws, cfg, oqtane_version)
    data = gather(ws, cfg, request, versions, jobs)
    page = review.render_html(data)
    if str(output) == "-":
        sys.stdout.write(page)
        sys.stdout.flush()
    else:
        write_output(page, output)
    print_notices(ws, quiet, versions)
    if quiet:
        return 0
    fixed = sum(len(c.resolves) for c in data.changes)
    where = "stdout" if str(output) == "-" else str(output)
    sys.stderr.write(f"review report written to {where}: {len(data.findings)} findings, {fixed} fixed by "
                     f"{len(data.changes)} pending changes, {len(data.follow_ups) + len(data.untouched)} "
                     "items left for a person\n")
    return 0
