"""Crash safety of `oqmigrate apply`: killed with SIGINT or SIGKILL at known moments of a large run.

The repository is generated (benchmarks/generate.py: 400 files, about half of them workers, ~100 files
rewritten). The writer's test-only switch OQMIGRATE_TEST_PAUSE_BETWEEN_WRITES makes it print a marker on
stderr and pause before staging and before renaming each file; the test reads the markers and kills the run
at the marker it chose, so no moment depends on timing. After every kill each source file must be byte for
byte its old content or what a full, uninterrupted `apply` writes.
"""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from conftest import REPO, run_cli
from gitrepo import git, make_repo
from oqmigrate.writer import PAUSE_ENV, PAUSE_MARKER, TEMP_NAME, TEMP_PREFIX, recover, temp_prefix

Marker = tuple[str, str]  # (phase, path)
PAUSE = "0.005"


def sources(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*.cs") if ".git" not in p.parts}


def leftovers(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob(TEMP_PREFIX + "*") if ".git" not in p.parts)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """(pristine repository, its sources, the sources after one uninterrupted apply)."""
    base = tmp_path_factory.mktemp("crash")
    tree = base / "pristine"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), str(tree), "--files", "400",
                    "--worker-share", "0.45"], check=True, capture_output=True)
    (tree / "expected.json").unlink()
    make_repo(tree)
    reference = base / "reference"
    shutil.copytree(tree, reference, symlinks=True)
    code, _, err = run_cli("apply", ".", "--no-progress", cwd=reference)
    assert code == 0, err
    old, new = sources(tree), sources(reference)
    assert sum(old[k] != new[k] for k in old) >= 100, "the run must be large: hundreds of files, ~100 rewritten"
    return tree, old, new


def copy_of(generated, tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(generated[0], repo, symlinks=True)
    return repo


def apply_until(repo: Path, stop: Callable[[list[Marker]], bool], sig: int) -> tuple[int, list[Marker], str]:
    """Run apply with the pause switch; send `sig` when `stop(markers so far)` says so. Returns the exit code,
    the markers seen and the rest of stderr."""
    env = dict(os.environ, **{PAUSE_ENV: PAUSE})
    proc = subprocess.Popen([sys.executable, "-m", "oqmigrate", "apply", ".", "--no-progress"], cwd=repo, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    markers: list[Marker] = []
    stopped = False
    try:
        for raw in proc.stderr:
            line = raw.decode("utf-8", "replace")
            if line.startswith(PAUSE_MARKER):
                phase, path = line[len(PAUSE_MARKER):].strip().split(" ", 1)
                markers.append((phase, path))
                if stop(markers):
                    proc.send_signal(sig)
                    stopped = True
                    break
        rest = proc.stderr.read().decode("utf-8", "replace")
        code = proc.wait(timeout=120)  # reaped: a killed run's pid no longer names a live process
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert stopped, f"the run ended before the chosen moment ({len(markers)} markers)"
    return code, markers, rest


def first_stage(markers: list[Marker]) -> bool:
    return len(markers) == 1


def mid_changeset(markers: list[Marker]) -> bool:
    """A rename that follows another rename: a changeset of several files, one already renamed, one not."""
    return len(markers) >= 2 and markers[-1][0] == markers[-2][0] == "replace"


def nth(n: int) -> Callable[[list[Marker]], bool]:
    return lambda markers: len(markers) == n


def stage_after_staging(markers: list[Marker]) -> bool:
    """About to stage a file while the changeset's earlier files are staged (temporary files exist)."""
    return len(markers) >= 2 and markers[-1][0] == markers[-2][0] == "stage"


def assert_whole(repo: Path, old: dict[str, bytes], new: dict[str, bytes]) -> dict[str, int]:
    now = sources(repo)
    assert now.keys() == old.keys()
    torn = [rel for rel, data in now.items() if data not in (old[rel], new[rel])]
    assert not torn, f"files neither old nor new: {torn[:5]}"
    return {"new": sum(now[r] == new[r] != old[r] for r in now), "old": sum(now[r] == old[r] != new[r] for r in now)}


def assert_only_sources_changed(repo: Path) -> None:
    for line in git(repo, "status", "--porcelain", "--untracked-files=all").stdout.decode().splitlines():
        assert line.startswith(" M ") and line.endswith(".cs"), line


@pytest.mark.parametrize("moment", [first_stage, mid_changeset, nth(120)], ids=["first-stage", "mid-changeset", "late"])
def test_sigint_finishes_the_changeset_and_leaves_no_temporary_file(generated, tmp_path, moment):
    _, old, new = generated
    repo = copy_of(generated, tmp_path)
    code, markers, rest = apply_until(repo, moment, signal.SIGINT)
    assert code == 130  # (typer turns KeyboardInterrupt into exit 130 before cli.main can print "interrupted")
    counts = assert_whole(repo, old, new)
    assert counts["old"] > 0  # it did stop early
    if moment is not first_stage:
        assert counts["new"] > 0
    assert leftovers(repo) == []
    assert_only_sources_changed(repo)
    # the interrupted run's changesets are whole: a second apply finishes exactly like an uninterrupted one
    code, _, err = run_cli("apply", ".", "--no-progress", cwd=repo)
    assert code == 0, err
    assert sources(repo) == new


@pytest.mark.parametrize("moment", [mid_changeset, stage_after_staging, nth(150)],
                         ids=["mid-changeset", "while-staging", "late"])
def test_sigkill_leaves_whole_files_and_recover_cleans_up_what_the_dead_run_left(generated, tmp_path, moment):
    _, old, new = generated
    repo = copy_of(generated, tmp_path)
    code, markers, _ = apply_until(repo, moment, signal.SIGKILL)
    assert code == -signal.SIGKILL
    counts = assert_whole(repo, old, new)
    assert counts["old"] > 0
    left = leftovers(repo)
    assert left, "killed while files were staged: their temporary files remain"
    pids = {int(TEMP_NAME.fullmatch(p.name).group(1)) for p in left}
    assert len(pids) == 1 and pids != {os.getpid()}
    assert {p.parent for p in left} <= {Path(path).parent for _, path in markers}
    for tmp in left:  # a staged file is a complete copy of a new content, never a fragment
        assert tmp.read_bytes() in set(new.values())

    folders = {p.parent for p in repo.rglob("*.cs")}
    assert recover(folders) == left
    assert leftovers(repo) == [] and recover(folders) == []
    code, _, err = run_cli("apply", ".", "--no-progress", cwd=repo)
    assert code == 0, err
    assert sources(repo) == new
    assert_only_sources_changed(repo)


def test_the_next_apply_removes_and_mentions_what_a_killed_run_left(generated, tmp_path):
    _, old, new = generated
    repo = copy_of(generated, tmp_path)
    apply_until(repo, mid_changeset, signal.SIGKILL)
    left = leftovers(repo)
    assert left
    code, _, err = run_cli("apply", ".", "--no-progress", cwd=repo)
    assert code == 0, err
    assert f"removed {len(left)} temporary file" in err and "interrupted run" in err
    assert all(p.relative_to(repo).as_posix() in err for p in left)
    assert leftovers(repo) == []
    assert sources(repo) == new


def test_temporary_files_of_a_live_run_are_never_removed(generated, tmp_path):
    """recover() in another process while a real apply is paused with a changeset staged: nothing of the live
    run is touched. Once that run is killed, the same call removes exactly its files."""
    _, old, new = generated
    repo = copy_of(generated, tmp_path)
    env = dict(os.environ, **{PAUSE_ENV: "0.2"})
    proc = subprocess.Popen([sys.executable, "-m", "oqmigrate", "apply", ".", "--no-progress"], cwd=repo, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    folders = {p.parent for p in repo.rglob("*.cs")}
    try:
        for raw in proc.stderr:
            if raw.startswith(f"{PAUSE_MARKER} replace ".encode()):
                proc.send_signal(signal.SIGSTOP)  # alive but held still, a staged file waiting for its rename
                break
        live = leftovers(repo)
        assert live and all(p.name.startswith(temp_prefix(proc.pid)) for p in live)
        assert recover(folders) == []
        assert leftovers(repo) == live
    finally:
        proc.kill()
        proc.wait()
    assert_whole(repo, old, new)
    assert recover(folders) == live
    assert leftovers(repo) == []


def test_recover_keeps_files_of_a_live_pid_and_what_is_not_ours(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        alive_tmp = tmp_path / f"{temp_prefix(sleeper.pid)}abc123.tmp"
        dead_tmp = tmp_path / f"{temp_prefix(dead.pid)}def456.tmp"
        mine = tmp_path / f"{temp_prefix()}ghi789.tmp"
        foreign = [tmp_path / ".oqmigrate-notapid-x.tmp", tmp_path / f"{temp_prefix(dead.pid)}x.bak",
                   tmp_path / ".oqmigrate-0-x.tmp"]
        for p in [alive_tmp, dead_tmp, mine, *foreign]:
            p.write_bytes(b"x")
        folder_named_like_one = tmp_path / f"{temp_prefix(dead.pid)}dir.tmp"
        folder_named_like_one.mkdir()
        assert recover([tmp_path, tmp_path / "missing"]) == [dead_tmp]
        assert alive_tmp.exists() and mine.exists() and all(p.exists() for p in foreign)
        assert folder_named_like_one.is_dir()
    finally:
        sleeper.kill()
        sleeper.wait()
