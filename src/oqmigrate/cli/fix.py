"""`oqmigrate diff` and `oqmigrate apply`: the codemods, as a preview or written in place."""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, List, Optional

import typer
from rich.text import Text

from oqmigrate import aftercare, baseline, engine
from oqmigrate.cli.common import (COLOR_OPTION, CONFIG_OPTION, JOBS_OPTION, NO_PROGRESS_OPTION, PATHS, QUIET_OPTION, SELECT_HELP,
                                  Color, Usage, did_you_mean, err_console, plural, print_notices, OQTANE_VERSION_OPTION, versions_of, progress_bar, project_of,
                                  require_sources, selected_rules, set_color, write_bytes_output)
from oqmigrate.config import Config
from oqmigrate.diffing import file_diff
from oqmigrate.mandate import Request
from oqmigrate.transforms import FollowUpKind
from oqmigrate.project_versions import Versions
from oqmigrate.scanner import items_of
from oqmigrate.vcs import GitError, dirty_files, git_root
from oqmigrate.workspace import SourceFile
from oqmigrate.writer import PendingWrite, WriteError, recover, write_all

CODEMOD_OPTION = typer.Option(None, "--codemod", metavar="NAMES",
                              help="only these codemods, comma separated: " + ", ".join(engine.CODEMODS))
ONLY_OPTION = typer.Option(None, "--only", metavar="CLASS", help="change only this class (and its registrations)")
SELECT_OPTION = typer.Option(None, "--select", metavar="RULES", help="fix only findings of these rules: " + SELECT_HELP)
IGNORE_OPTION = typer.Option(None, "--ignore", metavar="RULES", help="leave findings of these rules alone")
FIX_BASELINE_OPTION = typer.Option(None, "--baseline", metavar="FILE",
                                   help="leave findings recorded in this baseline alone (a baseline in the "
                                        "configuration filters `scan` only)")

SUMMARY_WORDS = """\b
Summary: every file considered is counted once — changed (rewritten), unchanged (nothing to do, or
nothing the selection asks for), skipped (not read or left alone: generated, undecodable, next to a
syntax error, part of a change that failed) or failed (a rewrite that did not validate; nothing written)."""

DIFF_EPILOG = SUMMARY_WORDS + """

\b
Exit codes: 0 nothing to change (or --exit-zero); 1 changes shown, or a file failed; 2 usage error.

\b
Examples:
  oqmigrate diff                                  # preview everything
  oqmigrate diff --only ReminderWorker -o step.patch && git apply step.patch
  oqmigrate diff --codemod remove-registration --exit-zero
"""

APPLY_EPILOG = SUMMARY_WORDS + """

\b
Exit codes: 0 done; 1 a file failed (nothing of its change written); 2 usage error, or uncommitted
changes in files to be written (pass --allow-dirty).

\b
Examples:
  oqmigrate apply                                 # everything, in place
  oqmigrate apply --only ReminderWorker           # one worker and its registrations
  oqmigrate apply -i                              # confirm each change
"""


def codemods_of(spec: Optional[str]) -> list:
    try:
        return engine.resolve_codemods(spec)
    except engine.UnknownCodemod as e:
        word = next((n for n in (spec or "").replace(",", " ").split() if n not in engine.CODEMODS), "")
        raise Usage(f"{e}{did_you_mean(word, engine.CODEMODS)}") from None


def codemod_request(rules: set[str], baseline_file: Optional[Path]) -> Request:
    """What the codemods may fix: the selected rules' reported findings, minus a baseline named on the command
    line (a baseline in the configuration filters `scan` only, so a baselined repository can still migrate)."""
    entries = None
    if baseline_file is not None:
        try:
            entries = tuple(baseline.load_entries(baseline_file))
        except baseline.BaselineError as e:
            raise Usage(str(e)) from None
    return Request(frozenset(rules), entries)


def run_codemods(ws, codemods, only: Optional[str], cfg: Config, request: Request, versions: Versions,
                 show_progress: bool = False, jobs: Optional[int] = None, digest=None) -> engine.RunResult:
    try:
        with progress_bar(show_progress, len(ws.files), "reading") as advance:
            return engine.run(ws, codemods, only, cfg.legacy_encoding, advance, request, versions, jobs, digest)
    except engine.UnknownSymbol as e:
        raise Usage(str(e)) from None


def prepared_run(paths, config, codemods, only, select, ignore, baseline_file, oqtane_version, quiet: bool,
                 no_progress: bool, jobs: Optional[int] = None,
                 digest_for: Optional[Callable[..., Callable]] = None) -> tuple:
    """The workspace, configuration, mandate and codemod run that diff and apply share; says the notices.
    `digest_for(ws, cfg, request, versions)` makes the engine's digest of each changed file (see engine.run)."""
    ws, cfg = project_of(paths, config)
    request = codemod_request(selected_rules(select or cfg.select, ignore or cfg.ignore), baseline_file)
    require_sources(ws, paths)
    versions = versions_of(ws, cfg, oqtane_version)
    digest = digest_for(ws, cfg, request, versions) if digest_for is not None else None
    result = run_codemods(ws, codemods, only, cfg, request, versions, not no_progress and not quiet, jobs, digest)
    print_notices(ws, quiet, versions)
    return ws, cfg, request, versions, result


def patch_base(root: Path) -> Path:
    """Patch paths are relative to the git work tree when there is one, else to the scan root."""
    return git_root(root) or root


def changeset_patch(cs: engine.Changeset, base: Path) -> bytes:
    return b"".join(file_diff(engine.display_path(c.path, base), c.old, c.new, binary=c.binary) for c in cs.files)


@dataclass(frozen=True)
class Previewed:
    """What `diff` keeps of a changed file: its patch and what aftercare needs of its new text."""

    patch: bytes
    facts: Optional[aftercare.ChangeFacts]


@dataclass(frozen=True)
class PreviewDigest:
    """The engine's digest for `diff`: run in the pool worker that changed the file, it makes the file's patch
    and aftercare facts there, so the old and new bytes of every changed file never pile up in one process."""

    base: Path
    selected: frozenset[str]
    fallback: str
    versions: Versions
    with_facts: bool  # the summary's aftercare needs them (not with --quiet)

    def __call__(self, c: engine.Changed, sf: SourceFile) -> engine.Changed:
        patch = file_diff(engine.display_path(c.path, self.base), c.old, c.new, binary=c.binary)
        facts = None
        if self.with_facts:
            item = items_of([sf], self.fallback, None, self.versions)[0]
            facts = aftercare.facts_of(item, c.new, set(self.selected), None)
        return replace(c, old=b"", new=b"", digest=Previewed(patch, facts))


def show_patch(patch: bytes) -> None:
    if not sys.stdout.isatty():
        sys.stdout.flush()
        sys.stdout.buffer.write(patch)
        sys.stdout.buffer.flush()
        return
    from oqmigrate.cli.common import stdout_console
    console = stdout_console()
    styles = {"+": "green", "-": "red", "@": "cyan"}
    for line in patch.decode("utf-8", "replace").splitlines():
        style = "bold" if line.startswith(("diff --git", "--- ", "+++ ")) else styles.get(line[:1], "")
        console.print(Text(line, style=style), soft_wrap=True, highlight=False)


def print_summary(result: engine.RunResult, applied: Optional[list[engine.Changeset]] = None,
                  declined: int = 0, next_step: str = "", aftercare_items: tuple[list[str], ...] = ()) -> None:
    """Counts that add up to the files considered, the outcomes worth a look, the review notes of the changes
    made (or shown), the manual follow-ups, and the command to run next."""
    console = err_console()
    shown = result.changesets if applied is None else applied
    changed = sum(len(cs.files) for cs in shown)
    skipped, failed = result.count("skipped"), result.count("failed")
    not_written = result.count("changed") - changed if applied is not None else 0
    unchanged = result.files_considered - changed - skipped - failed - not_written
    verb = "would change" if applied is None else "changed"
    extra = f", {declined} declined" if declined else ""
    if not_written - declined > 0:
        extra += f", {not_written - declined} not asked (quit)"
    console.print(f"{verb} {plural(changed, 'file')}{extra}; {unchanged} unchanged, {skipped} skipped, {failed} failed "
                  f"({plural(result.files_considered, 'file')} considered)", markup=False)
    for o in result.outcomes:
        if o.kind == "skipped":
            console.print(f"  skipped {o.rel}: {o.reason}", markup=False)
        elif o.kind == "failed":
            console.print(f"  failed  {o.rel}: {o.error}", markup=False)
    symbols = {s for cs in shown for s in cs.symbols}
    review = [m for m in result.manual if m.kind is FollowUpKind.REVIEW and m.symbol in symbols]
    manual = [m for m in result.manual if m.kind is FollowUpKind.MANUAL]
    review_lines = [f"{m.rel}:{m.line} {m.symbol}: {m.reason}" for m in review]
    for extra in aftercare_items:
        review_lines.extend(extra)
    manual_lines = [f"{m.rel}:{m.line} {m.symbol}: {m.reason}" for m in manual]
    for title, items in (("review the migrated code", review_lines), ("manual follow-ups (left unchanged)", manual_lines)):
        if items:
            console.print(f"{title} ({len(items)}):", markup=False)
            for line in items:
                console.print(f"  {line}", markup=False)
    if next_step:
        console.print(next_step, markup=False)


def _aftercare(ws, changesets: list[engine.Changeset], request: Request, cfg: Config,
               versions: Versions) -> tuple[list[str], ...]:
    """Review items beyond the codemods' notes: findings the rewritten classes still report, unused packages."""
    if not changesets:
        return ()
    facts = None
    if all(isinstance(c.digest, Previewed) and c.digest.facts is not None for cs in changesets for c in cs.files):
        facts = {c.rel: c.digest.facts for cs in changesets for c in cs.files}
    left = aftercare.left_in_changes(ws, changesets, set(request.selected), None, cfg.legacy_encoding, versions,
                                     facts)
    return aftercare.describe_left(left), [u.describe() for u in aftercare.unused_packages(ws, changesets, facts)]


def _args(paths: Optional[List[Path]]) -> str:
    return "".join(f" {p}" for p in paths or [])


def diff(
    paths: Optional[List[Path]] = PATHS,
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE",
                                          help="also write the patch to FILE (for git apply or patch -p1)"),
    codemod: Optional[str] = CODEMOD_OPTION,
    only: Optional[str] = ONLY_OPTION,
    select: Optional[str] = SELECT_OPTION,
    ignore: Optional[str] = IGNORE_OPTION,
    baseline_file: Optional[Path] = FIX_BASELINE_OPTION,
    exit_zero: bool = typer.Option(False, "--exit-zero", help="exit 0 even when there are changes to show"),
    oqtane_version: Optional[str] = OQTANE_VERSION_OPTION,
    quiet: bool = QUIET_OPTION,
    color: Optional[Color] = COLOR_OPTION,
    no_progress: bool = NO_PROGRESS_OPTION,
    config: Optional[Path] = CONFIG_OPTION,
    jobs: Optional[int] = JOBS_OPTION,
) -> int:
    """Preview the migration as a unified diff; writes nothing to the sources."""
    set_color(color)

    def digest_for(ws, cfg, request, versions) -> PreviewDigest:
        return PreviewDigest(patch_base(ws.root), request.selected, cfg.legacy_encoding, versions, not quiet)

    ws, cfg, request, versions, result = prepared_run(paths, config, codemods_of(codemod), only, select, ignore,
                                                      baseline_file, oqtane_version, quiet, no_progress, jobs,
                                                      digest_for)
    patch = b"".join(c.digest.patch for cs in result.changesets for c in cs.files)
    if output is not None:
        write_bytes_output(patch, output)
    show_patch(patch)
    if not quiet:
        nxt = f"to write these changes: oqmigrate apply{_args(paths)}" if patch else ""
        print_summary(result, next_step=nxt, aftercare_items=_aftercare(ws, result.changesets, request, cfg, versions))
    if result.count("failed"):
        return 1
    return 0 if exit_zero or not patch else 1


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


def apply(
    paths: Optional[List[Path]] = PATHS,
    codemod: Optional[str] = CODEMOD_OPTION,
    only: Optional[str] = ONLY_OPTION,
    interactive: bool = typer.Option(False, "--interactive", "-i", help="confirm each change (yes/no/all/quit)"),
    allow_dirty: bool = typer.Option(False, "--allow-dirty", help="write even over files with uncommitted changes"),
    select: Optional[str] = SELECT_OPTION,
    ignore: Optional[str] = IGNORE_OPTION,
    baseline_file: Optional[Path] = FIX_BASELINE_OPTION,
    oqtane_version: Optional[str] = OQTANE_VERSION_OPTION,
    quiet: bool = QUIET_OPTION,
    color: Optional[Color] = COLOR_OPTION,
    no_progress: bool = NO_PROGRESS_OPTION,
    config: Optional[Path] = CONFIG_OPTION,
    jobs: Optional[int] = JOBS_OPTION,
) -> int:
    """Migrate in place: atomic writes that keep encoding, BOM, newlines and file mode."""
    set_color(color)
    codemods = codemods_of(codemod)
    if interactive and not sys.stdin.isatty():
        raise Usage("--interactive needs a terminal on stdin; use `oqmigrate diff` to review non-interactively")
    ws, cfg, request, versions, result = prepared_run(paths, config, codemods, only, select, ignore, baseline_file,
                                                      oqtane_version, quiet, no_progress, jobs)
    targets = [c for cs in result.changesets for c in cs.files]
    root = git_root(ws.root)
    removed = recover({sf.path.parent for sf in ws.files} | {c.path.parent for c in targets})
    if removed:
        names = ", ".join(engine.display_path(p, root or ws.root) for p in removed)
        err_console().print(f"removed {plural(len(removed), 'temporary file')} left by an interrupted run: {names}",
                            markup=False)
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
    applied: list[engine.Changeset] = []
    declined = 0
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
            write_all([PendingWrite(c.path, c.new, c.old) for c in cs.files])
            applied.append(cs)
        except WriteError as e:
            for c in cs.files:
                result.outcomes = [engine.Failed(o.rel, str(e)) if o.rel == c.rel else o for o in result.outcomes]
    if not quiet:
        nxt = "next: review with `git diff`, then `oqmigrate scan` for what is left" if applied else ""
        print_summary(result, applied, declined, nxt, _aftercare(ws, applied, request, cfg, versions))
    return 1 if result.count("failed") else 0
