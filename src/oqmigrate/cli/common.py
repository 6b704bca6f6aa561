"""What every command shares: usage errors with "did you mean", options, consoles and colour, the workspace
and configuration, progress bars, writing output."""

from __future__ import annotations

import difflib
import enum
import os
import sys
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Iterator, List, Optional

import typer
import typer.core
from rich.console import Console

from oqmigrate.catalog import UnknownRuleError, all_rule_ids, all_rules, resolve_rule_ids
from oqmigrate.config import Config, ConfigError, apply_exclude, load_config
from oqmigrate.project_versions import Versions, for_workspace
from oqmigrate.workspace import UsageError, Workspace, discover

CONTEXT = {"help_option_names": ["-h", "--help"]}

# typer prints an argument's Python type after its name in --help (`PATH <list[Path]>`); a user needs only the
# metavar, so an argument that has one shows just that.
_typer_display_type = typer.core.TyperArgument.display_type_rich
typer.core.TyperArgument.display_type_rich = (  # type: ignore[method-assign]
    lambda self, ctx: None if self.metavar else _typer_display_type(self, ctx))


class Usage(Exception):
    """A usage error raised by a command: printed as one line, exit code 2."""


class Color(str, enum.Enum):
    auto = "auto"
    always = "always"
    never = "never"


_color = Color.auto


def set_color(value: Color | None) -> None:
    global _color
    _color = value or Color.auto


def _color_args(is_tty: bool) -> dict:
    if _color is Color.never or (_color is Color.auto and (os.environ.get("NO_COLOR") or not is_tty)):
        return {"no_color": True, "color_system": None}
    if _color is Color.always:
        return {"force_terminal": True}
    return {}


def stdout_console() -> Console:
    """Findings on stdout: the terminal's width, or $COLUMNS (80 when unset) when piped."""
    return Console(highlight=False, **_color_args(sys.stdout.isatty()))


def err_console() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True, **_color_args(sys.stderr.isatty()))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


def selected_rules(select: Optional[str], ignore: Optional[str]) -> set[str]:
    try:
        chosen = resolve_rule_ids(select) if select is not None else all_rule_ids()
        if select is not None and not chosen:
            raise Usage("--select names no rule")
        return chosen - (resolve_rule_ids(ignore) if ignore else set())
    except UnknownRuleError as e:
        token = str(e).rsplit(": ", 1)[-1]
        rules = all_rules().values()
        names = [r.id for r in rules] + [r.name for r in rules]
        raise Usage(f"{e}{did_you_mean(token.upper() if token[:3].lower() == 'oqj' else token, names)} "
                    "(`oqmigrate rules` lists them)") from None


def project_of(paths: Optional[List[Path]], config: Optional[Path]) -> tuple[Workspace, Config]:
    """The workspace (minus what the config excludes) and the configuration."""
    try:
        ws = discover([str(p) for p in (paths or [Path(".")])])
        cfg = load_config(ws.root, config)
    except (UsageError, ConfigError) as e:
        raise Usage(str(e)) from None
    return apply_exclude(ws, cfg), cfg


def require_sources(ws: Workspace, paths: Optional[List[Path]]) -> None:
    """A run over no C# file is a mistake (a wrong folder or a too wide exclude), not a clean result."""
    if not ws.files:
        named = ", ".join(str(p) for p in paths) if paths else "."
        raise Usage(f"no C# files found in {named} (looked for *.cs, skipping bin/, obj/, generated and "
                    "git-ignored files)")


def with_severities(findings: list, cfg: Config) -> list:
    return [replace(f, severity=cfg.severity[f.rule_id]) if f.rule_id in cfg.severity else f for f in findings]


@contextmanager
def progress_bar(enabled: bool, total: int, label: str) -> Iterator:
    if not enabled or not sys.stderr.isatty() or total == 0:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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


def write_chunks(chunks: Iterable[str], output: Optional[Path]) -> None:
    """`write_output` of text that comes in pieces (a large JSON report), written as they come."""
    if output is None:
        write = sys.stdout.write
        for chunk in chunks:
            write(chunk)
        sys.stdout.flush()
        return
    try:
        with output.open("w", encoding="utf-8") as fh:
            for chunk in chunks:
                fh.write(chunk)
    except OSError as e:
        raise Usage(f"cannot write {output}: {e.strerror or e}") from None


def write_bytes_output(data: bytes, output: Path) -> None:
    try:
        output.write_bytes(data)
    except OSError as e:
        raise Usage(f"cannot write {output}: {e.strerror or e}") from None


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


PATHS = typer.Argument(None, help="folders, .cs files, .sln, .slnx or .csproj (default: the current folder)",
                       show_default=False, metavar="PATH")
CONFIG_OPTION = typer.Option(None, "--config", metavar="FILE",
                             help="configuration file (default: oqmigrate.toml found upwards)")
SELECT_HELP = "rule ids or names, comma separated (default: all; see `oqmigrate rules`)"
COLOR_OPTION = typer.Option(None, "--color", help="colour output: auto (a terminal, unless NO_COLOR is set), "
                                                  "always or never", show_default=False)
QUIET_OPTION = typer.Option(False, "--quiet", "-q", help="print only the findings or the diff, no summary")
NO_PROGRESS_OPTION = typer.Option(False, "--no-progress", help="no progress bar")
JOBS_OPTION = typer.Option(None, "--jobs", "-j", min=1, metavar="N",
                           help="worker processes (default: one per core)")


def projects_with(ws: Workspace, rels) -> set[str]:
    """The project files (as strings) of the files named by `rels`: the projects a run found something in."""
    wanted = set(rels)
    return {str(sf.project.path) for sf in ws.files if sf.project is not None and sf.rel in wanted}


def workspace_notices(ws: Workspace, relevant: set[str] | None = None) -> list[str]:
    """One line each for what the run leaves out or assumes: projects outside the scan, projects that are not
    Oqtane modules (scanned, never rewritten), files that belong to no project. With `relevant` (project files),
    a project is named only when the run found something in it: a project with no worker or job has nothing
    that is left alone."""
    lines = [f"skipped {path}: {why}" for path, why in ws.outside]
    distinct = {id(sf.project): sf.project for sf in ws.files if sf.project is not None}  # not a Path per file
    with_files = {p.path for p in distinct.values()}
    for project in ws.projects:
        if project.scope_reason and project.path in with_files and (relevant is None or str(project.path) in relevant):
            lines.append(f"not rewritten: {project.scope_reason}")
    loose = len(ws.loose_files)
    if loose:
        lines.append(f"{plural(loose, 'file')} with no project file: assumed to belong to an Oqtane module's Server "
                     "project")
    return lines


def print_notices(ws: Workspace, quiet: bool, versions: Versions | None = None,
                  relevant: set[str] | None = None) -> None:
    if not quiet:
        console = err_console()
        for line in workspace_notices(ws, relevant) + (versions.notices(ws, relevant) if versions is not None else []):
            console.print(line, markup=False)


OQTANE_VERSION_OPTION = typer.Option(None, "--oqtane-version", metavar="X.Y.Z",
                                     help="emit code for this Oqtane version (default: found per project from its "
                                          "package references, else bounded by its target framework)")


def versions_of(ws: Workspace, cfg: Config, option: Optional[str]) -> Versions:
    """Each project's Oqtane version: the option, else the configuration's, else detected."""
    override, origin = (option, "--oqtane-version") if option else (cfg.oqtane_version, f"oqtane-version in {cfg.path}")
    try:
        return for_workspace(ws, override, origin)
    except ValueError as e:
        raise Usage(f"{origin}: {e}") from None
