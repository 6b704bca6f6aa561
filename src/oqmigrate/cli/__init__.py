"""The command line: scan, baseline, rules, explain, diff, apply, plan.

Machine output and diffs go to stdout; progress, status and summaries to stderr. Every usage error — a missing
path, an unknown rule id, a malformed option — is one line on stderr and exit code 2. One module per group of
commands: `scan` (scan, baseline), `catalog` (rules, explain), `fix` (diff, apply), `plan`, `report` (the HTML
review page); `common` holds what
they share.
"""

from __future__ import annotations

import importlib
import re
import sys
from typing import List, Optional

import typer

from oqmigrate import __version__
from oqmigrate.cli.common import CONTEXT, Usage, did_you_mean

try:  # typer >= 0.20 vendors click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer with click installed
    from click import exceptions as click_errors

# command -> (module in oqmigrate.cli, function, epilog constant or None), in the order `--help` lists them.
COMMANDS: dict[str, tuple[str, str, str | None]] = {
    "scan": ("scan", "scan", "SCAN_EPILOG"),
    "baseline": ("scan", "baseline_cmd", "BASELINE_EPILOG"),
    "rules": ("catalog", "rules", None),
    "explain": ("catalog", "explain", None),
    "diff": ("fix", "diff", "DIFF_EPILOG"),
    "apply": ("fix", "apply", "APPLY_EPILOG"),
    "plan": ("plan", "plan", "PLAN_EPILOG"),
    "report": ("report", "report", "REPORT_EPILOG"),
}


def build_app(only: str | None = None) -> typer.Typer:
    """The command-line application; with `only`, just that command (what a run of it needs to import: a scan
    does not load the rewriting engine). `--help`, a misspelt command and `--version` get every command."""
    app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                      rich_markup_mode=None, context_settings=CONTEXT,
                      help="Find Oqtane scheduled-job anti-patterns and rewrite them into HostedServiceBase jobs.")
    for name, (module_name, function, epilog) in COMMANDS.items():
        if only is not None and name != only:
            continue
        module = importlib.import_module(f"oqmigrate.cli.{module_name}")
        app.command(name, epilog=getattr(module, epilog) if epilog else None,
                    context_settings=CONTEXT)(getattr(module, function))
    app.callback()(root)
    return app


def version_callback(value: bool) -> None:
    if value:
        sys.stdout.write(f"oqmigrate {__version__}\n")
        raise typer.Exit(0)


def root(version: bool = typer.Option(False, "--version", callback=version_callback, is_eager=True,
                                      help="print the version and exit")) -> None:
    pass


def main(argv: Optional[List[str]] = None) -> None:
    args = sys.argv[1:] if argv is None else list(argv)
    command = args[0] if args and args[0] in COMMANDS else None
    try:
        rv = build_app(command)(args=args, prog_name="oqmigrate", standalone_mode=False)
    except click_errors.NoArgsIsHelpError as e:
        sys.stderr.write(e.format_message() + "\n")
        sys.exit(2)
    except click_errors.UsageError as e:
        sys.stderr.write(f"oqmigrate: error: {_plain(e)}\n")
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
    if rv == 130:  # typer turns Ctrl-C into exit code 130 before it reaches the handler above
        sys.stderr.write("oqmigrate: interrupted\n")
    sys.exit(rv if isinstance(rv, int) else 0)


def _plain(e: Exception) -> str:
    """click's message on one line, in plain words, with the closest option name when one was misspelt."""
    if isinstance(e, click_errors.NoSuchOption):
        close = [p for p in (e.possibilities or []) if p not in ("--help", "-h")]
        return f"unknown option {e.option_name}" + (f"; did you mean {close[0]}?" if close else "")
    message = " ".join(e.format_message().split())
    choice = re.search(r"Invalid value for '([^']+)'.*?'([^']*)' is not one of (.+?)\.?$", message)
    if choice:
        options = [c.strip(" '") for c in choice.group(3).split(",")]
        return (f"invalid value {choice.group(2)!r} for {choice.group(1)}; choose from {', '.join(options)}"
                f"{did_you_mean(choice.group(2), options)}")
    return message


def __getattr__(name: str):
    if name == "app":  # the whole application, for tools that introspect it
        return build_app()
    raise AttributeError(name)
