"""`oqmigrate report`: gather a whole migration (scan, pending changes, plan) and write the review page.

The data comes from the same public functions as `plan` (workspace discovery, configuration, scan, codemod
run, plan); `review.render_html` turns it into the page. The command is registered in `cli` with
`app.command("report")(commands_report.report)`; it imports nothing from `cli`, so that import can sit at
the top of `cli.py`. Usage errors are click usage errors: `cli.main` prints them as one line, exit code 2.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import List, Optional

import typer

from oqmigrate import __version__, baseline, engine, plan as planning, review, source
from oqmigrate.catalog import UnknownRuleError, all_rule_ids, load_catalog, resolve_rule_ids
from oqmigrate.config import Config, ConfigError, apply_exclude, load_config
from oqmigrate.mandate import Request
from oqmigrate.scanner import scan as run_scan
from oqmigrate.workspace import UsageError, Workspace, discover

try:  # typer >= 0.20 vendors click
    from typer._click.exceptions import UsageError as ClickUsageError
except ImportError:  # pragma: no cover - older typer with click installed
    from click.exceptions import UsageError as ClickUsageError

DEFAULT_OUTPUT = Path("oqmigrate-report.html")


def _usage(message: str) -> ClickUsageError:
    return ClickUsageError(message)


def _rules(select: Optional[str], ignore: Optional[str]) -> set[str]:
    try:
        chosen = resolve_rule_ids(select) if select is not None else all_rule_ids()
        if select is not None and not chosen:
            raise _usage("--select names no rule")
        return chosen - (resolve_rule_ids(ignore) if ignore else set())
    except UnknownRuleError as e:
        raise _usage(str(e)) from None


def _workspace(paths: Optional[List[Path]], config: Optional[Path]) -> tuple[Workspace, Config]:
    try:
        ws = discover([str(p) for p in (paths or [Path(".")])])
        cfg = load_config(ws.root, config)
    except (UsageError, ConfigError) as e:
        raise _usage(str(e)) from None
    return apply_exclude(ws, cfg), cfg


def _text(data: bytes, fallback: str) -> str:
    try:
        return source.decode(data, fallback).text
    except source.LoadError:
        return data.decode("utf-8", "replace")


def gather(ws: Workspace, cfg: Config, rules: set[str], known: Optional[Counter] = None,
           jobs: Optional[int] = None) -> review.ReviewData:
    """Everything the page shows, from one scan and one codemod run over the workspace."""
    result = run_scan(ws, rules, jobs, None, cfg.legacy_encoding)
    if known is not None:
        result.findings = baseline.subtract(result.findings, known)[0]
    result.findings = [replace(f, severity=cfg.severity[f.rule_id]) if f.rule_id in cfg.severity else f
                       for f in result.findings]
    run = engine.run(ws, engine.resolve_codemods(None), None, cfg.legacy_encoding, None,
                     Request(frozenset(rules), known))
    the_plan = planning.build(ws, result, run, rules, cfg.legacy_encoding)
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
    paths: Optional[List[Path]] = typer.Argument(None, metavar="PATH", show_default=False,
                                                 help="Folders, .cs files, .sln, .slnx or .csproj (default: .)"),
    output: Path = typer.Option(DEFAULT_OUTPUT, "--output", "-o", metavar="FILE.html",
                                help="the HTML page to write; - writes it to stdout"),
    select: Optional[str] = typer.Option(None, "--select", metavar="RULES",
                                         help="only findings of these rule ids or names (comma separated)"),
    ignore: Optional[str] = typer.Option(None, "--ignore", metavar="RULES", help="leave out these rule ids or names"),
    baseline_file: Optional[Path] = typer.Option(None, "--baseline", metavar="FILE",
                                                 help="leave out findings recorded in this baseline"),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, metavar="N",
                                       help="worker processes for the scan (default: all cores)"),
    config: Optional[Path] = typer.Option(None, "--config", metavar="FILE",
                                          help="configuration file (default: oqmigrate.toml found upwards)"),
) -> int:
    """Write one self-contained HTML page for reviewing the whole migration: progress per project, findings by
    rule, every pending change as a side-by-side diff with its review notes, and what is left for a person.

    Example: oqmigrate report . --output migration.html
    """
    ws, cfg = _workspace(paths, config)
    rules = _rules(select or cfg.select, ignore or cfg.ignore)
    known = None
    if baseline_file is not None:
        try:
            known = baseline.load(baseline_file)
        except baseline.BaselineError as e:
            raise _usage(str(e)) from None
    data = gather(ws, cfg, rules, known, jobs)
    page = review.render_html(data)
    if str(output) == "-":
        sys.stdout.write(page)
        sys.stdout.flush()
    else:
        try:
            output.write_text(page, encoding="utf-8")
        except OSError as e:
            raise _usage(f"cannot write {output}: {e.strerror or e}") from None
    fixed = sum(len(c.resolves) for c in data.changes)
    where = "stdout" if str(output) == "-" else str(output)
    sys.stderr.write(f"review report written to {where}: {len(data.findings)} findings, {fixed} fixed by "
                     f"{len(data.changes)} pending changes, {len(data.follow_ups) + len(data.untouched)} "
                     "items left for a person\n")
    return 0
