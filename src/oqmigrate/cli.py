"""The command line: scan, rules, explain, baseline, diff, apply, plan.

Machine output and diffs go to stdout; progress, status and summaries to stderr. Every usage error —
a missing path, an unknown rule id, a malformed option — is one line on stderr and exit code 2.
"""

from __future__ import annotations

import enum
import io
import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterator, List, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from oqmigrate import __version__, baseline, engine, plan as planning, report
from oqmigrate.catalog import (SEVERITIES, UnknownRuleError, all_rule_ids, explain_text, load_catalog, resolve_rule_ids,
                               rule_by_id)
from oqmigrate.config import Config, ConfigError, apply_exclude, load_config
from oqmigrate.diffing import file_diff
from oqmigrate.scanner import scan as run_scan
from oqmigrate.vcs import GitError, dirty_files, git_root
from oqmigrate.workspace import UsageError, discover
from oqmigrate.writer import PendingWrite, WriteError, write_all

try:  # typer >= 0.20 vendors click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer with click installed
    from click import exceptions as click_errors

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
                  help="Find Oqtane scheduled-job anti-patterns and rewrite them into HostedServiceBase jobs.")


class Usage(Exception):
    """A usage error raised by a command: printed as one line, exit code 2."""


class ScanFormat(str, enum.Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    markdown = "markdown"


class FailOn(str, enum.Enum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


class ListFormat(str, enum.Enum):
    text = "text"
    json = "json"


def stdout_console() -> Console:
    # Redirected output gets wide lines instead of rich's 80-column default.
    return Console(highlight=False) if sys.stdout.isatty() else Console(highlight=False, width=160)


def err_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def selected_rules(select: Optional[str], ignore: Optional[str]) -> set[str]:
    try:
        chosen = resolve_rule_ids(select) if select is not None else all_rule_ids()
        if select is not None and not chosen:
            raise Usage("--select names no rule")
        return chosen - (resolve_rule_ids(ignore) if ignore else set())
    except UnknownRuleError as e:
        raise Usage(str(e)) from None


def project_of(paths: Optional[List[Path]], config: Optional[Path]) -> tuple:
    """The workspace (minus what the config excludes) and the configuration."""
    try:
        ws = discover([str(p) for p in (paths or [Path(".")])])
        cfg = load_config(ws.root, config)
    except (UsageError, ConfigError) as e:
        raise Usage(str(e)) from None
    return apply_exclude(ws, cfg), cfg


def with_severities(findings: list, cfg: Config) -> list:
    return [replace(f, severity=cfg.severity[f.rule_id]) if f.rule_id in cfg.severity else f for f in findings]


@contextmanager
def progress_bar(enabled: bool, total: int, label: str) -> Iterator:
    if not enabled or not sys.stderr.isatty() or total == 0:
        yield None
        return
    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def write_output(text: str, output: Optional[Path]) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as e:
        raise Usage(f"cannot write {output}: {e.strerror or e}") from None


def write_bytes_output(data: bytes, output: Path) -> None:
    try:
        output.write_bytes(data)
    except OSError as e:
        raise Usage(f"cannot write {output}: {e.strerror or e}") from None


PATHS = typer.Argument(None, help="Folders, .cs files, .sln, .slnx or .csproj (default: .)", show_default=False)
CONFIG_OPTION = typer.Option(None, "--config", help="configuration file (default: oqmigrate.toml found upwards)")


@app.command()
def scan(
    paths: Optional[List[Path]] = PATHS,
    format: ScanFormat = typer.Option(ScanFormat.text, "--format", help="text, json, sarif or markdown"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="write the report to FILE instead of stdout"),
    select: Optional[str] = typer.Option(None, "--select", help="only these rule ids or names (comma separated)"),
    ignore: Optional[str] = typer.Option(None, "--ignore", help="skip these rule ids or names"),
    baseline_file: Optional[Path] = typer.Option(None, "--baseline", help="report only findings not in this baseline"),
    fail_on: Optional[FailOn] = typer.Option(None, "--fail-on", help="exit 1 when a finding is at least this severe "
                                                                      "(default: warning)"),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="worker processes (default: all cores)"),
    no_progress: bool = typer.Option(False, "--no-progress", help="no progress bar"),
    config: Optional[Path] = CONFIG_OPTION,
) -> int:
    """Report every worker and job that breaks the scheduled-jobs playbook."""
    ws, cfg = project_of(paths, config)
    rules = selected_rules(select or cfg.select, ignore or cfg.ignore)
    fail_on = fail_on or FailOn(cfg.fail_on or "warning")
    baseline_file = baseline_file or cfg.baseline
    known = None
    if baseline_file is not None:
        try:
            known = baseline.load(baseline_file)
        except baseline.BaselineError as e:
            raise Usage(str(e)) from None
    with progress_bar(not no_progress, len(ws.files), "scanning") as advance:
        result = run_scan(ws, rules, jobs, advance, cfg.legacy_encoding)
    findings, covered = with_severities(result.findings, cfg), 0
    if known is not None:
        findings, covered = baseline.subtract(findings, known)
    if format is ScanFormat.json:
        write_output(report.dumps(report.to_json(result.root, result.files_scanned, findings, result.errors, result.skipped)), output)
    elif format is ScanFormat.sarif:
        write_output(report.dumps(report.to_sarif(result.root, findings, result.errors)), output)
    elif format is ScanFormat.markdown:
        write_output(report.to_markdown(result.root, result.files_scanned, findings, result.errors), output)
    elif output is not None:
        buffer = io.StringIO()
        report.render_text(Console(file=buffer, width=160, no_color=True), findings, result.errors)
        write_output(buffer.getvalue(), output)
    else:
        report.render_text(stdout_console(), findings, result.errors)
    err_console().print(report.summary_line(result.files_scanned, findings, result.errors, covered), markup=False)
    if fail_on is FailOn.never:
        return 0
    threshold = SEVERITIES.index(fail_on.value)
    return 1 if any(SEVERITIES.index(f.severity) <= threshold for f in findings) else 0


@app.command("baseline")
def baseline_cmd(
    paths: Optional[List[Path]] = PATHS,
    output: Path = typer.Option(Path("oqmigrate-baseline.json"), "--output", "-o", help="baseline file to write"),
    select: Optional[str] = typer.Option(None, "--select", help="only these rule ids or names"),
    ignore: Optional[str] = typer.Option(None, "--ignore", help="skip these rule ids or names"),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1),
    no_progress: bool = typer.Option(False, "--no-progress"),
    config: Optional[Path] = CONFIG_OPTION,
) -> int:
    """Record today's findings so that `scan --baseline` reports only new ones."""
    ws, cfg = project_of(paths, config)
    rules = selected_rules(select or cfg.select, ignore or cfg.ignore)
    with progress_bar(not no_progress, len(ws.files), "scanning") as advance:
        result = run_scan(ws, rules, jobs, advance, cfg.legacy_encoding)
    write_output(report.dumps(baseline.build(result.findings)), output)
    err_console().print(f"baseline of {len(result.findings)} findings written to {output}", markup=False)
    return 0


@app.command()
def rules(format: ListFormat = typer.Option(ListFormat.text, "--format", help="text or json")) -> int:
    """List the rule catalog."""
    catalog = load_catalog()
    if format is ListFormat.json:
        write_output(report.dumps({"rules": [
            {"id": r.id, "name": r.name, "severity": r.severity, "summary": r.summary, "fixable": r.fixable,
             "codemod": r.codemod, "playbook_section": r.playbook_section, "help_uri": r.help_uri}
            for r in catalog.values()]}), None)
        return 0
    table = Table(show_edge=False, pad_edge=False)
    for col in ("id", "name", "severity", "codemod", "summary"):
        table.add_column(col, overflow="fold")
    for r in catalog.values():
        table.add_row(r.id, r.name, r.severity, (r.codemod or "-") + ("" if r.fixable or not r.codemod else " (manual)"), r.summary)
    stdout_console().print(table)
    return 0


@app.command()
def explain(rule_id: str = typer.Argument(..., help="a rule id (OQJ004) or name (job-state)")) -> int:
    """Explain one rule: rationale, playbook section, noncompliant and compliant code, the codemod."""
    try:
        ids = resolve_rule_ids(rule_id)
    except UnknownRuleError as e:
        raise Usage(str(e)) from None
    if len(ids) != 1:
        raise Usage("explain takes exactly one rule id")
    write_output(explain_text(rule_by_id(ids.pop())) + "\n", None)
    return 0


def codemods_of(spec: Optional[str]) -> list:
    try:
        return engine.resolve_codemods(spec)
    except engine.UnknownCodemod as e:
        raise Usage(str(e)) from None


def patch_base(root: Path) -> Path:
    """Patch paths are relative to the git work tree when there is one, else to the scan root."""
    return git_root(root) or root


def changeset_patch(cs: engine.Changeset, base: Path) -> bytes:
    return b"".join(file_diff(engine.display_path(c.path, base), c.old, c.new, binary=c.binary) for c in cs.files)


def show_patch(patch: bytes) -> None:
    if not sys.stdout.isatty():
        sys.stdout.flush()
        sys.stdout.buffer.write(patch)
        sys.stdout.buffer.flush()
        return
    console = Console(highlight=False, soft_wrap=True)
    styles = {"+": "green", "-": "red", "@": "cyan"}
    for line in patch.decode("utf-8", "replace").splitlines():
        style = "bold" if line.startswith(("diff --git", "--- ", "+++ ")) else styles.get(line[:1], "")
        console.print(Text(line, style=style))


def print_summary(result: engine.RunResult, written: Optional[int] = None, declined: int = 0) -> None:
    console = err_console()
    changed = result.count("changed") if written is None else written
    verb = "would change" if written is None else "changed"
    not_asked = result.count("changed") - changed - declined if written is not None else 0
    extra = (f", {declined} declined" if declined else "") + (f", {not_asked} not asked (quit)" if not_asked > 0 else "")
    console.print(f"{verb} {changed} files{extra}; {result.count('unchanged')} unchanged, {result.count('skipped')} "
                  f"skipped, {result.count('failed')} failed ({result.files_considered} files considered)", markup=False)
    for o in result.outcomes:
        if o.kind == "skipped":
            console.print(f"  skipped {o.rel}: {o.reason}", markup=False)
        elif o.kind == "failed":
            console.print(f"  failed  {o.rel}: {o.error}", markup=False)
    review = [m for m in result.manual if m.reason.startswith("review: ")]
    manual = [m for m in result.manual if not m.reason.startswith("review: ")]
    for title, items in (("review the migrated code", review), ("manual follow-ups (left unchanged)", manual)):
        if items:
            console.print(f"{title} ({len(items)}):", markup=False)
            for m in items:
                console.print(f"  {m.rel}:{m.line} {m.symbol}: {m.reason.removeprefix('review: ')}", markup=False)


def codemod_request(rules: set[str], baseline_file: Optional[Path]) -> engine.Request:
    """What the codemods may fix: the selected rules' reported findings, minus a baseline named on the command
    line (a baseline in the configuration filters `scan` only, so a baselined repository can still migrate)."""
    known = None
    if baseline_file is not None:
        try:
            known = baseline.load(baseline_file)
        except baseline.BaselineError as e:
            raise Usage(str(e)) from None
    return engine.Request(frozenset(rules), known)


def run_codemods(ws, codemods, only: Optional[str], cfg: Config, request: engine.Request,
                 show_progress: bool = False) -> engine.RunResult:
    try:
        with progress_bar(show_progress, len(ws.files), "reading") as advance:
            return engine.run(ws, codemods, only, cfg.legacy_encoding, advance, request)
    except engine.UnknownSymbol as e:
        raise Usage(str(e)) from None


CODEMOD_OPTION = typer.Option(None, "--codemod", help="only these codemods (comma separated): " + ", ".join(engine.CODEMODS))
ONLY_OPTION = typer.Option(None, "--only", help="change only this class (and its registrations)")
SELECT_OPTION = typer.Option(None, "--select", help="fix only findings of these rule ids or names (comma separated)")
IGNORE_OPTION = typer.Option(None, "--ignore", help="leave findings of these rule ids or names alone")
FIX_BASELINE_OPTION = typer.Option(None, "--baseline", help="leave findings recorded in this baseline alone "
                                                            "(a baseline in the configuration is not used here)")


@app.command()
def diff(
    paths: Optional[List[Path]] = PATHS,
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="also write the patch to FILE (git apply / patch -p1)"),
    codemod: Optional[str] = CODEMOD_OPTION,
    only: Optional[str] = ONLY_OPTION,
    select: Optional[str] = SELECT_OPTION,
    ignore: Optional[str] = IGNORE_OPTION,
    baseline_file: Optional[Path] = FIX_BASELINE_OPTION,
    no_progress: bool = typer.Option(False, "--no-progress", help="no progress output"),
    config: Optional[Path] = CONFIG_OPTION,
) -> int:
    """Preview the migration as a unified diff; writes nothing to the sources."""
    codemods = codemods_of(codemod)
    ws, cfg = project_of(paths, config)
    request = codemod_request(selected_rules(select or cfg.select, ignore or cfg.ignore), baseline_file)
    result = run_codemods(ws, codemods, only, cfg, request, not no_progress)
    base = patch_base(ws.root)
    patch = b"".join(changeset_patch(cs, base) for cs in result.changesets)
    if output is not None:
        write_bytes_output(patch, output)
    show_patch(patch)
    print_summary(result)
    return 1 if patch else 0


def ask(prompt: str) -> str:
    while True:
        sys.stderr.write(prompt)
        sys.stderr.flush()
        answer = sys.stdin.readline()
        if not answer:
            return "q"
        answer = answer.strip().lower()[:1]
        if answer in ("y", "n", "a", "q"):
            return answer


@app.command()
def apply(
    paths: Optional[List[Path]] = PATHS,
    codemod: Optional[str] = CODEMOD_OPTION,
    only: Optional[str] = ONLY_OPTION,
    interactive: bool = typer.Option(False, "--interactive", "-i", help="confirm each change (yes/no/all/quit)"),
    allow_dirty: bool = typer.Option(False, "--allow-dirty", help="write even over files with uncommitted changes"),
    select: Optional[str] = SELECT_OPTION,
    ignore: Optional[str] = IGNORE_OPTION,
    baseline_file: Optional[Path] = FIX_BASELINE_OPTION,
    no_progress: bool = typer.Option(False, "--no-progress", help="no progress output"),
    config: Optional[Path] = CONFIG_OPTION,
) -> int:
    """Migrate in place: atomic writes that keep encoding, BOM, newlines and file mode."""
    codemods = codemods_of(codemod)
    if interactive and not sys.stdin.isatty():
        raise Usage("--interactive needs a terminal on stdin; use `oqmigrate diff` to review non-interactively")
    ws, cfg = project_of(paths, config)
    request = codemod_request(selected_rules(select or cfg.select, ignore or cfg.ignore), baseline_file)
    result = run_codemods(ws, codemods, only, cfg, request, not no_progress)
    targets = [c for cs in result.changesets for c in cs.files]
    root = git_root(ws.root)
    if targets and root is not None and not allow_dirty:
        try:
            dirty = dirty_files(root, [c.path for c in targets])
        except GitError as e:
            raise Usage(str(e)) from None
        if dirty:
            lines = "\n".join(f"  {engine.display_path(p, root)}" for p in dirty)
            sys.stderr.write(f"oqmigrate: error: uncommitted changes in files to be written; commit or stash them, "
                             f"or pass --allow-dirty:\n{lines}\n")
            return 2
    base = root or ws.root
    written = declined = 0
    accept_all = not interactive
    for cs in result.changesets:
        if not accept_all:
            show_patch(changeset_patch(cs, base))
            answer = ask(f"apply this change ({', '.join(cs.symbols) or cs.files[0].rel})? [y]es/[n]o/[a]ll/[q]uit ")
            if answer == "q":
                break
            if answer == "n":
                declined += len(cs.files)
                continue
            if answer == "a":
                accept_all = True
        try:
            write_all([PendingWrite(c.path, c.new) for c in cs.files])
            written += len(cs.files)
        except WriteError as e:
            for c in cs.files:
                result.outcomes = [engine.Failed(o.rel, str(e)) if o.rel == c.rel else o for o in result.outcomes]
    print_summary(result, written, declined)
    return 1 if result.count("failed") else 0


class PlanFormat(str, enum.Enum):
    text = "text"
    markdown = "markdown"
    json = "json"


@app.command()
def plan(
    paths: Optional[List[Path]] = PATHS,
    format: PlanFormat = typer.Option(PlanFormat.text, "--format", help="text, markdown or json"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="write the plan to FILE instead of stdout"),
    jobs: Optional[int] = typer.Option(None, "--jobs", "-j", min=1, help="worker processes for the scan"),
    select: Optional[str] = SELECT_OPTION,
    ignore: Optional[str] = IGNORE_OPTION,
    baseline_file: Optional[Path] = FIX_BASELINE_OPTION,
    no_progress: bool = typer.Option(False, "--no-progress", help="no progress bar"),
    config: Optional[Path] = CONFIG_OPTION,
) -> int:
    """Plan a step-by-step migration: one reviewable change per worker, and what is left for a person."""
    ws, cfg = project_of(paths, config)
    rules = selected_rules(select or cfg.select, ignore or cfg.ignore)
    request = codemod_request(rules, baseline_file)
    with progress_bar(not no_progress, len(ws.files), "scanning") as advance:
        result = run_scan(ws, rules, jobs, advance, cfg.legacy_encoding)
    if request.baseline is not None:
        result.findings = baseline.subtract(result.findings, request.baseline)[0]
    result.findings = with_severities(result.findings, cfg)
    the_plan = planning.build(ws, result, run_codemods(ws, engine.resolve_codemods(None), None, cfg, request), rules,
                              cfg.legacy_encoding)
    if format is PlanFormat.json:
        write_output(report.dumps(planning.to_json(the_plan)), output)
    elif format is PlanFormat.markdown:
        write_output(planning.to_markdown(the_plan), output)
    else:
        write_output(planning.to_text(the_plan), output)
    err_console().print(f"{len(the_plan.steps)} automatic steps, {len(the_plan.manual)} classes left for a person, "
                        f"{len(the_plan.untouched)} findings no codemod addresses", markup=False)
    return 0


def version_callback(value: bool) -> None:
    if value:
        sys.stdout.write(f"oqmigrate {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def root(version: bool = typer.Option(False, "--version", callback=version_callback, is_eager=True,
                                      help="print the version and exit")) -> None:
    pass


def main(argv: Optional[List[str]] = None) -> None:
    try:
        rv = app(args=argv, prog_name="oqmigrate", standalone_mode=False)
    except click_errors.NoArgsIsHelpError as e:
        sys.stderr.write(e.format_message() + "\n")
        sys.exit(2)
    except click_errors.UsageError as e:
        sys.stderr.write(f"oqmigrate: error: {e.format_message()}\n")
        sys.exit(2)
    except Usage as e:
        sys.stderr.write(f"oqmigrate: error: {e}\n")
        sys.exit(2)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        sys.stderr.write("oqmigrate: interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    sys.exit(rv if isinstance(rv, int) else 0)
