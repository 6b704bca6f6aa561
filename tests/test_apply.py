"""`oqmigrate diff` / `apply` on real git repositories: safety of in-place migration."""

import os
import pty
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from conftest import FIXTURES, run_cli
from csharp_compiler import compile_csharp, find_mcs
from gitrepo import git, make_repo
from oqmigrate.edits import Edit, OverlappingEdits, apply_edits
from oqmigrate.writer import TEMP_PREFIX

SOLUTION = FIXTURES / "solutions" / "Acme.Module.Tasks"

JOB_AND_STARTUP = {
    "Jobs/FeedJob.cs": b"""using System;
using Microsoft.Extensions.DependencyInjection;
using Oqtane.Infrastructure;

namespace Acme.Module.Feeds.Jobs
{
    public class FeedJob : HostedServiceBase
    {
        public FeedJob(IServiceScopeFactory serviceScopeFactory) : base(serviceScopeFactory)
        {
            Name = "Feed Job";
            Frequency = "m";
            Interval = 5;
            IsEnabled = true;
        }

        public override string ExecuteJob(IServiceProvider provider)
        {
            return "Feed Job completed<br />";
        }
    }
}
""",
    "Startup/ServerStartup.cs": b"""using Microsoft.Extensions.DependencyInjection;
using Oqtane.Infrastructure;

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
""",
}


def leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(TEMP_PREFIX)]


# --- edits ----------------------------------------------------------------------------------------

@st.composite
def edits_for(draw):
    data = draw(st.binary(max_size=200))
    cuts = sorted(draw(st.lists(st.integers(0, len(data)), max_size=12, unique=True)))
    edits = []
    for a, b in zip(cuts[0::2], cuts[1::2]):
        edits.append(Edit(a, b, draw(st.text(max_size=8))))
    return data, edits


@given(edits_for())
@settings(max_examples=300, deadline=None)
def test_non_overlapping_edits_apply_like_splicing_left_to_right(case):
    data, edits = case
    expected, last = b"", 0
    for e in sorted(edits):
        expected += data[last:e.start_byte] + e.new_text.encode()
        last = e.end_byte
    expected += data[last:]
    assert apply_edits(data, list(reversed(edits))) == expected


def test_overlapping_edits_fail_the_file():
    with pytest.raises(OverlappingEdits):
        apply_edits(b"0123456789", [Edit(2, 6, "x"), Edit(5, 8, "y")])
    with pytest.raises(OverlappingEdits):  # two insertions at one place: their order would be a guess
        apply_edits(b"0123456789", [Edit(3, 3, "x"), Edit(3, 3, "y")])


# --- apply safety ---------------------------------------------------------------------------------

def test_dirty_tree_guard_writes_nothing(tmp_path):
    repo = make_repo(tmp_path / "r", JOB_AND_STARTUP)
    startup = repo / "Startup/ServerStartup.cs"
    startup.write_bytes(startup.read_bytes() + b"// my uncommitted edit\n")
    before = startup.read_bytes()
    code, out, err = run_cli("apply", ".", cwd=repo)
    assert code == 2
    assert "uncommitted changes" in err and "Startup/ServerStartup.cs" in err
    assert startup.read_bytes() == before
    code, _, err = run_cli("apply", ".", "--allow-dirty", cwd=repo)
    assert code == 0, err
    assert b"AddHostedService" not in startup.read_bytes() and b"my uncommitted edit" in startup.read_bytes()


def test_untracked_file_counts_as_uncommitted(tmp_path):
    repo = make_repo(tmp_path / "r", {"README.md": b"x\n"})
    for rel, data in JOB_AND_STARTUP.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_bytes(data)
    assert run_cli("apply", ".", cwd=repo)[0] == 2


def test_outside_git_no_guard_and_mode_is_kept(tmp_path):
    for rel, data in JOB_AND_STARTUP.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(data)
    startup = tmp_path / "Startup/ServerStartup.cs"
    os.chmod(startup, 0o750)
    code, _, err = run_cli("apply", tmp_path)
    assert code == 0, err
    assert stat.S_IMODE(os.stat(startup).st_mode) == 0o750
    assert b"AddHostedService" not in startup.read_bytes()
    assert not leftovers(tmp_path)


def test_read_only_file_fails_and_is_not_written(tmp_path):
    repo = make_repo(tmp_path / "r", JOB_AND_STARTUP)
    startup = repo / "Startup/ServerStartup.cs"
    os.chmod(startup, 0o444)
    before = startup.read_bytes()
    code, _, err = run_cli("apply", ".", cwd=repo)
    assert code == 1
    assert "read-only" in err and "failed" in err
    assert startup.read_bytes() == before
    assert not leftovers(repo)


def test_changeset_is_all_or_nothing(tmp_path):
    """A migrated worker and its registration form one change: a read-only startup keeps the worker as is."""
    repo = make_repo(tmp_path / "r", copy_from=SOLUTION)
    startup = repo / "Server/Startup/ServerStartup.cs"
    worker = repo / "Server/Services/ReminderWorker.cs"
    os.chmod(startup, 0o444)
    before = worker.read_bytes()
    code, _, err = run_cli("apply", ".", "--only", "ReminderWorker", cwd=repo)
    assert code == 1, err
    assert worker.read_bytes() == before and b"AddHostedService<ReminderWorker>" in startup.read_bytes()


def test_only_restricts_to_one_class_and_its_registration(tmp_path):
    repo = make_repo(tmp_path / "r", copy_from=SOLUTION)
    code, _, err = run_cli("apply", ".", "--only", "ReminderWorker", cwd=repo)
    assert code == 0, err
    changed = git(repo, "diff", "--name-only").stdout.decode().split()
    assert changed == ["Server/Services/ReminderWorker.cs", "Server/Startup/ServerStartup.cs"]
    startup = (repo / "Server/Startup/ServerStartup.cs").read_text(encoding="utf-8")
    assert "AddHostedService<ReminderWorker>" not in startup and "AddSingleton<IHostedService, DigestMailer>" in startup


def test_interactive_refuses_without_a_terminal(tmp_path):
    repo = make_repo(tmp_path / "r", JOB_AND_STARTUP)
    code, _, err = run_cli("apply", ".", "--interactive", cwd=repo, input="y\n")
    assert code == 2 and "terminal" in err
    assert git(repo, "status", "--porcelain").stdout == b""


def _run_in_pty(args, cwd, answers: bytes, timeout=120) -> tuple[int, str]:
    """The CLI with a pseudo-terminal as stdin (a person at the keyboard), answers typed into it."""
    primary, secondary = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "oqmigrate", *args], cwd=cwd, stdin=secondary,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    os.close(secondary)
    os.write(primary, answers)
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        os.close(primary)
    return proc.returncode, err.decode("utf-8", "replace")


def test_interactive_yes_no_quit(tmp_path):
    repo = make_repo(tmp_path / "r", copy_from=SOLUTION)
    # Changesets in path order: NightlyCleanup alone, TenantSweeper (a job whose tenant loop is unwrapped), then
    # DigestMailer + ReminderWorker, which share ServerStartup.cs (both registrations go). So: no, no, yes (the
    # "q" is never read).
    code, err = _run_in_pty(["apply", ".", "--interactive"], repo, b"n\nn\ny\nq\n")
    assert code == 0, err
    assert err.count("apply this change") == 3
    assert "changed 3 files, 2 declined" in err
    changed = git(repo, "diff", "--name-only").stdout.decode().split()
    assert changed == ["Server/Services/DigestMailer.cs", "Server/Services/ReminderWorker.cs",
                       "Server/Startup/ServerStartup.cs"]


def test_interactive_all_remaining(tmp_path):
    repo = make_repo(tmp_path / "r", copy_from=SOLUTION)
    code, err = _run_in_pty(["apply", ".", "--interactive"], repo, b"a\n")
    assert code == 0, err
    assert run_cli("diff", ".", cwd=repo)[0] == 0


def test_ctrl_c_leaves_files_whole_and_no_temporary_files(tmp_path):
    """SIGINT at many different moments of a real multi-file write."""
    files = [tmp_path / f"F{i:03}.cs" for i in range(120)]
    old, new = b"old\n" * 2000, b"new\n" * 3000
    script = (
        "import sys; from pathlib import Path; from oqmigrate.writer import PendingWrite, write_all\n"
        "paths = [Path(p) for p in sys.argv[1:]]\n"
        "print('ready', flush=True)\n"
        f"write_all([PendingWrite(p, {new!r}) for p in paths])\n"
    )
    outcomes = set()
    for delay in (0.0, 0.002, 0.005, 0.01, 0.02, 0.05):
        for f in files:
            f.write_bytes(old)
        proc = subprocess.Popen([sys.executable, "-c", script, *map(str, files)], stdout=subprocess.PIPE)
        proc.stdout.readline()
        time.sleep(delay)
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
        contents = {f.read_bytes() for f in files}
        assert contents <= {old, new}
        assert not leftovers(tmp_path)
        outcomes.add(frozenset(contents))
    assert outcomes  # every run ended with whole files only


# --- the bundled solution, end to end --------------------------------------------------------------

def test_bundled_solution_migrates_compiles_and_settles(tmp_path):
    repo = make_repo(tmp_path / "r", copy_from=SOLUTION)
    patch = tmp_path / "migration.patch"
    code, out, err = run_cli("diff", "Acme.Module.Tasks.slnx", "--output", patch, cwd=repo)
    assert code == 1, err
    assert out.encode() == patch.read_bytes() or out == patch.read_text(encoding="utf-8", errors="replace")
    assert git(repo, "apply", "--check", str(patch), check=False).returncode == 0
    code, _, err = run_cli("apply", "Acme.Module.Tasks.slnx", cwd=repo)
    assert code == 0, err
    git(repo, "stash")
    git(repo, "apply", str(patch))
    applied = {p: p.read_bytes() for p in (repo / "Server").rglob("*.cs")}
    git(repo, "checkout", "--", ".")
    git(repo, "stash", "pop")
    assert {p: p.read_bytes() for p in (repo / "Server").rglob("*.cs")} == applied  # the patch is what apply wrote
    code, out, err = run_cli("diff", "Acme.Module.Tasks.slnx", cwd=repo)
    assert (code, out) == (0, ""), err
    # the CRLF + BOM file kept both
    mailer = (repo / "Server/Services/DigestMailer.cs").read_bytes()
    assert mailer.startswith(b"\xef\xbb\xbf") and b"\r\n" in mailer and b"\n" not in mailer.replace(b"\r\n", b"")
    if find_mcs() is None:
        pytest.skip("mcs not installed: the compile check needs Debian's mono-mcs (.ci/run installs it)")
    sources = sorted((repo / "Server").rglob("*.cs")) + sorted((repo / "Shared").rglob("*.cs"))
    result = compile_csharp(sources)
    assert result.ok, result.output


def test_symlinked_source_is_written_through_and_patched_at_its_target(tmp_path):
    repo = make_repo(tmp_path / "r", {"Jobs/Startup.cs": JOB_AND_STARTUP["Startup/ServerStartup.cs"],
                                      "Jobs/FeedJob.cs": JOB_AND_STARTUP["Jobs/FeedJob.cs"]})
    os.symlink("Startup.cs", repo / "Jobs" / "Alias.cs")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "link")
    patch = tmp_path / "p.patch"
    code, _, err = run_cli("diff", "Jobs", "--output", patch, cwd=repo)
    assert code == 1, err
    assert git(repo, "apply", "--check", str(patch), check=False).returncode == 0
    code, _, err = run_cli("apply", "Jobs", cwd=repo)
    assert code == 0, err
    assert (repo / "Jobs" / "Alias.cs").is_symlink()
    assert b"AddHostedService" not in (repo / "Jobs" / "Startup.cs").read_bytes()


def test_symlink_to_a_file_outside_the_scan_is_skipped(tmp_path):
    repo = make_repo(tmp_path / "r", JOB_AND_STARTUP)
    (repo / "proj").mkdir()
    os.symlink("../Startup/ServerStartup.cs", repo / "proj" / "Linked.cs")
    os.symlink("../Jobs/FeedJob.cs", repo / "proj" / "Job.cs")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "links")
    code, out, err = run_cli("apply", "proj", cwd=repo)
    assert code == 0 and "outside" in err
    assert git(repo, "status", "--porcelain").stdout == b""


def test_registrations_of_an_existing_job_are_removed_file_by_file(tmp_path):
    """A syntax error in one startup file must not hold back the removal in another."""
    files = dict(JOB_AND_STARTUP)
    files["Startup/Broken.cs"] = files["Startup/ServerStartup.cs"].replace(
        b"class ServerStartup", b"class OtherStartup").replace(b"AddHostedService<FeedJob>();", b"AddHostedService<FeedJob>(;")
    repo = make_repo(tmp_path / "r", files)
    code, _, err = run_cli("apply", ".", cwd=repo)
    assert code == 0, err
    assert "skipped Startup/Broken.cs" in err
    assert git(repo, "diff", "--name-only").stdout.decode().split() == ["Startup/ServerStartup.cs"]
