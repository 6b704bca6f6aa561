"""The platform-specific parts, exercised on both path styles and both liveness policies.

CI runs on Linux only, so what differs on Windows is kept in small named helpers (`vcs.repo_relative`,
`writer.left_by_dead_run`, `writer.replace_retrying`, `source.load`'s folder message) and tested here with
PureWindowsPath / the Windows policy selected explicitly, on real files.
"""

import os
import time
from pathlib import PurePosixPath, PureWindowsPath

import pytest

from conftest import run_cli
from gitrepo import git, make_repo
from oqmigrate import source
from oqmigrate.vcs import dirty_files, git_root, repo_relative
from oqmigrate.writer import (STALE_AFTER_SECONDS, PendingWrite, WriteError, left_by_dead_run, replace_retrying,
                              temp_prefix, write_all)

WORKER_STARTUP = b"""using Microsoft.Extensions.DependencyInjection;

namespace Acme.Module.Feeds.Startup
{
    public class ServerStartup
    {
        public void ConfigureServices(IServiceCollection services)
        {
            services.AddHostedService<FeedJob>();
        }
    }
}
"""


# --- repository-relative paths --------------------------------------------------------------------------

@pytest.mark.parametrize("path, root, expected", [
    (PurePosixPath("/repo/Server/Jobs/A.cs"), PurePosixPath("/repo"), "Server/Jobs/A.cs"),
    (PurePosixPath("/repo/Sp ace/Ünï.cs"), PurePosixPath("/repo"), "Sp ace/Ünï.cs"),
    (PurePosixPath("/other/A.cs"), PurePosixPath("/repo"), None),
    (PurePosixPath("/repo"), PurePosixPath("/repo"), None),
    (PureWindowsPath(r"C:\Repo\Server\Jobs\A.cs"), PureWindowsPath(r"C:\Repo"), "Server/Jobs/A.cs"),
    (PureWindowsPath(r"c:\repo\Server\A.cs"), PureWindowsPath("C:/Repo"), "Server/A.cs"),  # drive and case
    (PureWindowsPath(r"D:\Repo\A.cs"), PureWindowsPath(r"C:\Repo"), None),  # another drive
    (PureWindowsPath(r"\\server\share\Repo\A.cs"), PureWindowsPath(r"\\server\share\Repo"), "A.cs"),  # UNC
])
def test_repo_relative_speaks_git_on_both_path_styles(path, root, expected):
    assert repo_relative(path, root) == expected


def test_dirty_files_with_spaces_non_ascii_glob_characters_and_a_path_outside(tmp_path):
    names = ["Sp ace/Ünï.cs", "Glob/[ab]*.cs", "Glob/a.cs", "Clean/C.cs"]
    repo = make_repo(tmp_path / "r", {n: b"class A {}\n" for n in names})
    for n in names[:2]:
        (repo / n).write_bytes(b"class B {}\n")
    outside = tmp_path / "outside.cs"
    outside.write_bytes(b"class O {}\n")
    root = git_root(repo)
    paths = [repo / n for n in names] + [outside]
    # `[ab]*.cs` is a literal name: the clean `a.cs` it would match as a pattern stays clean.
    assert dirty_files(root, paths) == [repo / names[0], repo / names[1]]


# --- which temporary files belong to a run that is over -------------------------------------------------

def test_posix_policy_asks_whether_the_process_lives(tmp_path):
    tmp = tmp_path / (temp_prefix(1) + "x.tmp")
    tmp.write_bytes(b"")
    assert not left_by_dead_run(tmp, os.getpid(), windows=False)  # this very run
    assert not left_by_dead_run(tmp, os.getppid(), windows=False)  # a live process
    proc = __import__("subprocess").Popen(["true"])
    proc.wait()  # reaped: its pid names no process (until the OS reuses it, which only keeps the file)
    assert left_by_dead_run(tmp, proc.pid, windows=False)


def test_windows_policy_goes_by_age_and_never_probes_the_pid(tmp_path):
    tmp = tmp_path / (temp_prefix(4242) + "x.tmp")
    tmp.write_bytes(b"")
    now = time.time()
    os.utime(tmp, (now, now))
    assert not left_by_dead_run(tmp, 4242, windows=True, now=now + 60)
    assert left_by_dead_run(tmp, 4242, windows=True, now=now + STALE_AFTER_SECONDS + 1)
    assert not left_by_dead_run(tmp_path / "gone.tmp", 4242, windows=True, now=now + 10 * STALE_AFTER_SECONDS)
    assert not left_by_dead_run(tmp, os.getpid(), windows=True, now=now + 10 * STALE_AFTER_SECONDS)


# --- the rename retry policy ----------------------------------------------------------------------------

class FailsFirst:
    """A real replace that refuses the first `n` calls the way Windows does while an editor holds the file."""

    def __init__(self, n: int):
        self.n = n
        self.calls = 0

    def __call__(self, src, dst):
        self.calls += 1
        if self.calls <= self.n:
            raise PermissionError(13, "The process cannot access the file because it is being used by another process", str(dst))
        os.replace(src, dst)


def _pair(tmp_path):
    src, dst = tmp_path / "new.tmp", tmp_path / "A.cs"
    src.write_bytes(b"new\n")
    dst.write_bytes(b"old\n")
    return src, dst


def test_replace_is_retried_with_a_doubling_back_off_until_the_file_is_free(tmp_path):
    src, dst = _pair(tmp_path)
    waits = []
    replace = FailsFirst(3)
    assert replace_retrying(src, dst, replace=replace, attempts=6, backoff=0.01, sleep=waits.append) == 4
    assert dst.read_bytes() == b"new\n" and not src.exists()
    assert waits == [0.01, 0.02, 0.04]


def test_replace_gives_up_after_the_last_attempt_and_leaves_the_target_alone(tmp_path):
    src, dst = _pair(tmp_path)
    waits = []
    replace = FailsFirst(10)
    with pytest.raises(PermissionError):
        replace_retrying(src, dst, replace=replace, attempts=3, backoff=0.01, sleep=waits.append)
    assert replace.calls == 3 and len(waits) == 2
    assert dst.read_bytes() == b"old\n" and src.read_bytes() == b"new\n"


def test_other_errors_are_not_retried(tmp_path):
    src, dst = _pair(tmp_path)
    src.unlink()
    waits = []
    with pytest.raises(FileNotFoundError):
        replace_retrying(src, dst, sleep=waits.append)
    assert waits == []


def test_the_default_policy_waits_long_enough_for_an_editor_with_the_real_clock(tmp_path):
    src, dst = _pair(tmp_path)
    start = time.monotonic()
    assert replace_retrying(src, dst, replace=FailsFirst(2)) == 3
    assert 0.1 <= time.monotonic() - start < 2
    assert dst.read_bytes() == b"new\n"


# --- source.load: the folder message is the same on both platforms ------------------------------------

def test_a_folder_is_reported_as_a_folder(tmp_path):
    folder = tmp_path / "x.cs"
    folder.mkdir()
    with pytest.raises(source.Unreadable, match="is a folder"):
        source.load(folder)


# --- writer: a changeset whose second file cannot be replaced is put back -----------------------------

def test_a_failed_write_leaves_the_changeset_as_it_was(tmp_path):
    first, second = tmp_path / "A.cs", tmp_path / "B.cs"
    first.write_bytes(b"a old\n")
    second.write_bytes(b"b old\n")
    os.chmod(second, 0o444)
    with pytest.raises(WriteError, match="B.cs is read-only"):
        write_all([PendingWrite(first, b"a new\n", b"a old\n"), PendingWrite(second, b"b new\n", b"b old\n")])
    assert first.read_bytes() == b"a old\n" and second.read_bytes() == b"b old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A.cs", "B.cs"]


def test_backslash_paths_on_the_command_line_are_a_usage_error_on_posix_not_a_crash(tmp_path):
    """On POSIX a backslash is part of a file name; naming a path that way must fail cleanly (exit 2)."""
    repo = make_repo(tmp_path / "r", {"Server/Startup.cs": WORKER_STARTUP})
    code, out, err = run_cli("scan", "Server\\Startup.cs", cwd=repo)
    assert code == 2 and "Traceback" not in err
    assert git(repo, "status", "--porcelain").stdout == b""
