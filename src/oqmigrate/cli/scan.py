"""`oqmigrate scan` and `oqmigrate baseline`: find what breaks the scheduled-jobs playbook."""

from __future__ import annotations

import enum
import io
import sys
import tempfile
from pathlib import Path
from typing import List, Optional

import typer
from rich.console import Console

from oqmigrate import baseline
from oqmigrate.catalog import SEVERITIES
from oqmigrate.cli.common import (COLOR_OPTION, CONFIG_OPTION, JOBS_OPTION, NO_PROGRESS_OPTION, PATHS, QUIET_OPTION,
                                  SELECT_HELP, Color, Usage, err_console, progress_bar, project_of, require_sources,
                                  OQTANE_VERSION_OPTION, print_notices, selected_rules, versions_of, set_color, stdout_console, with_severities,
                                  projects_with, workspace_notices, write_chunks, write_output)
from oqmigrate.config import load_config
from oqmigrate.formats import Fix, FileChange, ScanFormat, ScanView, human, machine, sarif
from oqmigrate.mandate import Request
from oqmigrate.project_versions import Versions
from oqmigrate.scanner import Workers, scan as run_scan
from oqmigrate.vcs import git_root
from oqmigrate.workspace import SourceFile, Workspace, discover


class FailOn(str, enum.Enum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


SCAN_EPILOG = """\b
Formats: full (grouped, the default on a terminal), concise (path:line:col: OQJ001 [*] message, the
default when piped), json, sarif, markdown, github (workflow annotations), junit. `text` = full.
[*] marks findings `oqmigrate apply` fixes in this run.

\b
Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it, or files that could not be
read or parsed (unless --fail-on never); 2 usage error, or no C# file found.

\b
Examples:
  oqmigrate scan                                   # the current folder
  oqmigrate scan MyModule.sln --format sarif -o oqmigrate.sarif
  oqmigrate scan Server --select OQJ001,OQJ002 --statistics
  cat Worker.cs | oqmigrate scan - --stdin-filename Server/Jobs/Worker.cs
"""


def stdin_workspace(name: Optional[str], tmp: Path) -> Workspace:
    """A workspace of one file read from stdin, seen as if it were at `name` (its project, role and path)."""
    if not name:
        raise Usage("`-` reads a file from stdin and needs --stdin-filename PATH to say where it belongs")
    shown = Path(name)
    data = sys.stdin.buffer.read()
    copy = tmp / (shown.name if shown.suffix.lower() == ".cs" else shown.name + ".cs")
    copy.write_bytes(data)
    project = None
    if shown.is_file():
        found = discover([shown])
        project = found.files[0].project if found.files else None
    root = Path.cwd()
    rel = Path(name).as_posix() if not shown.is_absolute() else shown.as_posix()
    return Workspace(root, [SourceFile(copy, rel, project)], [p for p in [project] if p])


def scan(
    paths: Optional[List[Path]] = PATHS,
    format: Optional[ScanFormat] = typer.Option(None, "--format", "-f", show_default=False,
                                                help="full, concise, json, sarif, markdown, github or junit "
                                                     "(default: full on a terminal, concise when piped)"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE",
                                          help="write the report to FILE instead of stdout"),
    select: Optional[str] = typer.Option(None, "--select", metavar="RULES", help="only these rules: " + SELECT_HELP),
    ignore: Optional[str] = typer.Option(None, "--ignore", metavar="RULES", help="skip these rules"),
    baseline_file: Optional[Path] = typer.Option(None, "--baseline", metavar="FILE",
                                                 help="report only findings not recorded in this baseline"),
    fail_on: Optional[FailOn] = typer.Option(None, "--fail-on", show_default=False,
                                             help="exit 1 when a finding is at least this severe: error, warning, "
                                                  "info or never (default: warning)"),
    statistics: bool = typer.Option(False, "--statistics", help="print the number of findings per rule"),
    stdin_filename: Optional[str] = typer.Option(None, "--stdin-filename", metavar="PATH",
                                                 help="with `-` as the path: where the file read from stdin lives"),
    oqtane_version: Optional[str] = OQTANE_VERSION_OPTION,
    jobs: Optional[int] = JOBS_OPTION,
    quiet: bool = QUIET_OPTION,
    color: Optional[Color] = COLOR_OPTION,
    no_progress: bool = NO_PROGRESS_OPTION,
    config: Optional[Path] = CONFIG_OPTION,
) -> int:
    """Report every worker and job that breaks the scheduled-jobs playbook."""
    set_color(color)
    with tempfile.TemporaryDirectory(prefix="oqmigrate-stdin-") as tmp:
        if paths and [str(p) for p in paths] == ["-"]:
            ws = stdin_workspace(stdin_filename, Path(tmp))
            cfg = load_config(ws.root, config)
            return _scan(ws, cfg, paths, format, output, select, ignore, baseline_file, fail_on, statistics,
                         Workers(1), quiet, no_progress, oqtane_version)
        if stdin_filename is not None:
            raise Usage("--stdin-filename goes with `-` as the only path")
        # The pool starts before discovery: its processes fork from a small parent and start while it walks.
        with Workers(jobs) as workers:
            ws, cfg = project_of(paths, config)
            return _scan(ws, cfg, paths, format, output, select, ignore, baseline_file, fail_on, statistics,
                         workers, quiet, no_progress, oqtane_version)


def project_facts(ws: Workspace, versions: Versions) -> list[dict]:
    """Each project of the scan as JSON: where it is, its assembly, whether Oqtane loads it and why not, and the
    Oqtane version it builds against (and where that was read)."""
    return [{"name": p.name, "path": ws_rel(ws, p.path), "role": p.role, "assembly": p.assembly,
             "scope": p.scope.value, "reason": p.scope_reason,
             "oqtane_version": versions.by_project[str(p.path)].to_json()} for p in ws.projects]


def ws_rel(ws: Workspace, path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(ws.root).resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


def _scan(ws, cfg, paths, format, output, select, ignore, baseline_file, fail_on, statistics, workers: Workers,
          quiet, no_progress, oqtane_version) -> int:
    rules = selected_rules(select or cfg.select, ignore or cfg.ignore)
    fail_on = fail_on or FailOn(cfg.fail_on or "warning")
    baseline_file = baseline_file or cfg.baseline
    known = None
    if baseline_file is not None:
        try:
            known = baseline.load(baseline_file)
        except baseline.BaselineError as e:
            raise Usage(str(e)) from None
    require_sources(ws, paths)
    versions = versions_of(ws, cfg, oqtane_version)
    with progress_bar(not no_progress and not quiet, len(ws.files), "scanning") as advance:
        result = run_scan(ws, rules, None, advance, cfg.legacy_encoding, versions, workers)
    workers.close()  # the pool's work is done: its processes hold no memory while the report is written
    findings, covered, fixed = with_severities(result.findings, cfg), [], []
    if known is not None:
        findings, covered, fixed = baseline.match(findings, known)
    relevant = projects_with(ws, [f.rel for f in result.findings] + [f.rel for f in result.suppressed])
    view = ScanView(Path(ws.root), result.files_scanned, findings, result.errors, result.skipped,
                    covered if known is not None else None, srcroot=git_root(ws.root) or Path(ws.root),
                    notices=workspace_notices(ws, relevant) + versions.notices(ws, relevant), projects=project_facts(ws, versions))
    format = format or (ScanFormat.full if sys.stdout.isatty() and output is None else ScanFormat.concise)
    if format is ScanFormat.sarif and any(f.fixable for f in findings):
        view.fixes = _fixes(ws, cfg, rules, versions)
    human_format = format in (ScanFormat.full, ScanFormat.concise, ScanFormat.text)
    if format is ScanFormat.json:
        write_chunks(machine.iter_dumps(machine.to_json(view, lazy=True)), output)
    elif format is ScanFormat.sarif:
        write_chunks(machine.iter_dumps(sarif.to_sarif(view, result.suppressed)), output)
    elif format is ScanFormat.markdown:
        write_output(machine.to_markdown(view), output)
    elif format is ScanFormat.github:
        write_output(machine.to_github(view), output)
    elif format is ScanFormat.junit:
        write_output(machine.to_junit(view), output)
    elif output is not None:
        buffer = io.StringIO()
        render = human.statistics if statistics else human.concise if format is ScanFormat.concise else human.full
        render(view, Console(file=buffer, width=100, no_color=True, highlight=False))
        write_output("".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines()), output)
    else:
        render = human.statistics if statistics else human.concise if format is ScanFormat.concise else human.full
        render(view, stdout_console())
    if statistics and not human_format:
        human.statistics(view, err_console())
    print_notices(ws, quiet, versions, relevant)
    if not quiet:
        err_console().print(human.summary_line(result.files_scanned, findings, result.errors, len(covered)),
                            markup=False)
        if fixed:
            err_console().print(f"{len(fixed)} baseline entr{'y is' if len(fixed) == 1 else 'ies are'} fixed (no "
                                f"longer found); `oqmigrate baseline --update -o {baseline_file}` drops them",
                                markup=False)
    if fail_on is FailOn.never:
        return 0
    threshold = SEVERITIES.index(fail_on.value)
    return 1 if result.errors or any(SEVERITIES.index(f.severity) <= threshold for f in findings) else 0


def _fixes(ws, cfg, rules, versions) -> list[Fix]:
    from oqmigrate import engine  # only SARIF with fixable findings runs the codemods: a scan does not load them

    run = engine.run(ws, engine.resolve_codemods(None), None, cfg.legacy_encoding, None, Request(frozenset(rules)),
                     versions)
    return [Fix(cs.symbols, [FileChange(c.rel, c.old, c.new) for c in cs.files]) for cs in run.changesets]


BASELINE_EPILOG = """\b
Examples:
  oqmigrate baseline                       # writes oqmigrate-baseline.json
  oqmigrate scan --baseline oqmigrate-baseline.json
  oqmigrate baseline --update              # drop entries that are fixed, keep the rest
"""


def baseline_cmd(
    paths: Optional[List[Path]] = PATHS,
    output: Path = typer.Option(Path("oqmigrate-baseline.json"), "--output", "-o", metavar="FILE",
                                help="baseline file to write"),
    update: bool = typer.Option(False, "--update", help="tighten an existing baseline: keep only its entries "
                                                        "that still match a finding (fixed ones go, new ones are "
                                                        "not added)"),
    select: Optional[str] = typer.Option(None, "--select", metavar="RULES", help="only these rules: " + SELECT_HELP),
    ignore: Optional[str] = typer.Option(None, "--ignore", metavar="RULES", help="skip these rules"),
    jobs: Optional[int] = JOBS_OPTION,
    quiet: bool = QUIET_OPTION,
    no_progress: bool = NO_PROGRESS_OPTION,
    config: Optional[Path] = CONFIG_OPTION,
) -> int:
    """Record today's findings so that `scan --baseline` reports only new ones."""
    ws, cfg = project_of(paths, config)
    require_sources(ws, paths)
    rules = selected_rules(select or cfg.select, ignore or cfg.ignore)
    with progress_bar(not no_progress and not quiet, len(ws.files), "scanning") as advance:
        result = run_scan(ws, rules, jobs, advance, cfg.legacy_encoding)
    if update:
        try:
            old = baseline.load_entries(output)
        except baseline.BaselineError as e:
            raise Usage(str(e)) from None
        kept, fixed = baseline.tighten(old, result.findings)
        write_output(machine.dumps(baseline.document(kept)), output)
        if not quiet:
            err_console().print(f"baseline {output}: {len(kept)} kept, {len(fixed)} fixed and removed", markup=False)
        return 0
    write_output(machine.dumps(baseline.build(result.findings)), output)
    if not quiet:
        err_console().print(f"baseline of {len(result.findings)} findings written to {output}", markup=False)
    return 0
