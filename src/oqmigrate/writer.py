"""write: the only code that changes source files.

Each file is written to a temporary file in its own folder, ``.oqmigrate-<pid>-<random>.tmp``, and then renamed
over the original, keeping its permission bits. A changeset's files are all staged before any is renamed; right
before its rename each file is compared with the bytes the change was computed from: a file edited or deleted
meanwhile fails the changeset, and the files of it already renamed are put back (nothing of it stays written). Ctrl-C is held off while a changeset is written, so an
interrupted run leaves every file fully old or fully new and no temporary file behind.

A run killed outright (SIGKILL, power loss) can leave temporary files; they carry the pid of the run that made
them, and `recover` removes those whose run is no longer alive (on Windows, where a pid cannot be probed
safely, those older than an hour) so the next run can mention and clean them.

On Windows an editor or a virus scanner holding the file open makes the rename fail with PermissionError for a
moment: the rename is retried with a short back-off, then the file is reported as failed.

Test-only switch: with the environment variable ``OQMIGRATE_TEST_PAUSE_BETWEEN_WRITES=<seconds>``, before
staging and before renaming each file the writer prints ``oqmigrate-test-pause: <stage|replace> <path>`` on
stderr and sleeps that long, so a test can kill or disturb a run at a known moment without timing races.
"""

from __future__ import annotations

import os
import re
import signal
import stat
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Literal, Sequence

TEMP_PREFIX = ".oqmigrate-"
TEMP_NAME = re.compile(r"\.oqmigrate-([1-9][0-9]{0,9})-[A-Za-z0-9_]+\.tmp")
PAUSE_ENV = "OQMIGRATE_TEST_PAUSE_BETWEEN_WRITES"
PAUSE_MARKER = "oqmigrate-test-pause:"
STALE_AFTER_SECONDS = 3600.0  # Windows: a temporary file this old is taken as left by a dead run
REPLACE_ATTEMPTS = 6  # back-off 0.05 + 0.1 + 0.2 + 0.4 + 0.8 s: about 1.5 s for an editor to let go
REPLACE_BACKOFF_SECONDS = 0.05
IS_WINDOWS = os.name == "nt"

Phase = Literal["stage", "replace"]


class WriteError(Exception):
    """A changeset that was not written; ``str(e)`` is a one-line reason for the user."""


@dataclass(frozen=True)
class PendingWrite:
    path: Path
    data: bytes
    expected: bytes | None = None  # the bytes the change was computed from; None: written without that check


# --- platform-specific helpers: the only places that differ between POSIX and Windows ----------------------

def process_alive(pid: int) -> bool:
    """Whether a process with this pid exists (POSIX only: signal 0 probes without signalling).

    On Windows ``os.kill(pid, 0)`` would terminate the process, so callers must not use this there."""
    if IS_WINDOWS:
        raise NotImplementedError("process_alive probes with os.kill(pid, 0), which terminates the process on Windows")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, it belongs to someone else
        return True
    except (OverflowError, OSError):
        return True  # cannot tell: keep the file
    return True


def left_by_dead_run(path: Path, pid: int, windows: bool = IS_WINDOWS, now: float | None = None) -> bool:
    """Whether the temporary file ``path``, made by the run with ``pid``, belongs to a run that is over.

    POSIX: that process no longer exists. Windows (no safe liveness probe): the file is older than an hour,
    far longer than any run takes to write one changeset. A reused pid only makes this keep a file."""
    if pid == os.getpid():
        return False
    if not windows:
        return not process_alive(pid)
    try:
        age = (time.time() if now is None else now) - path.stat().st_mtime
    except OSError:
        return False
    return age > STALE_AFTER_SECONDS


def replace_retrying(src: str | os.PathLike[str], dst: str | os.PathLike[str],
                     replace: Callable[[str | os.PathLike[str], str | os.PathLike[str]], None] = os.replace,
                     attempts: int = REPLACE_ATTEMPTS, backoff: float = REPLACE_BACKOFF_SECONDS,
                     sleep: Callable[[float], None] = time.sleep) -> int:
    """Rename ``src`` over ``dst``, retrying a PermissionError (Windows: the target is open in another program)
    with a doubling back-off; the last PermissionError propagates. Returns the attempts it took."""
    for attempt in range(1, attempts + 1):
        try:
            replace(src, dst)
            return attempt
        except PermissionError:
            if attempt == attempts:
                raise
            sleep(backoff * 2 ** (attempt - 1))
    raise ValueError("attempts must be at least 1")


@contextmanager
def _sigint_deferred() -> Iterator[None]:
    received = []
    try:
        previous = signal.signal(signal.SIGINT, lambda *_: received.append(True))
    except ValueError:  # not the main thread: nothing to defer
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            raise KeyboardInterrupt


# --- temporary files ---------------------------------------------------------------------------------------

def temp_prefix(pid: int | None = None) -> str:
    return f"{TEMP_PREFIX}{os.getpid() if pid is None else pid}-"


def recover(folders: Iterable[Path]) -> list[Path]:
    """Remove the temporary files that killed runs left in these folders (never those of a live run) and
    return them, sorted, so the caller can say what it cleaned."""
    removed: list[Path] = []
    for folder in sorted({Path(f) for f in folders}):
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for path in entries:
            match = TEMP_NAME.fullmatch(path.name)
            if match is None or path.is_symlink() or not path.is_file():
                continue
            if not left_by_dead_run(path, int(match.group(1))):
                continue
            try:
                path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed


def _pause(phase: Phase, path: Path) -> None:
    seconds = os.environ.get(PAUSE_ENV)
    if not seconds:
        return
    sys.stderr.write(f"{PAUSE_MARKER} {phase} {path}\n")
    sys.stderr.flush()
    time.sleep(float(seconds))


def _stage(path: Path, data: bytes) -> str:
    st = os.stat(path)
    fd, tmp = tempfile.mkstemp(prefix=temp_prefix(), suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def _remove(tmp: str) -> None:
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass


def _current(w: PendingWrite) -> bytes:
    """The file's bytes now; WriteError when it vanished or no longer holds what the change was computed from."""
    try:
        data = w.path.read_bytes()
    except FileNotFoundError:
        raise WriteError(f"{w.path.name} vanished since it was read; nothing of this change was written") from None
    if w.expected is not None and data != w.expected:
        raise WriteError(f"{w.path.name} changed on disk since it was read; nothing of this change was written "
                         "(run again to migrate the new content)")
    return data


def _replace(tmp: str, path: Path) -> None:
    try:
        replace_retrying(tmp, path)
    except PermissionError as e:
        raise WriteError(f"cannot replace {path.name}: {e.strerror or 'permission denied'} (is it open in another "
                         f"program?); nothing of this change was written") from None


def _os_reason(e: OSError) -> str:
    where = f" {e.filename}" if e.filename else ""
    return f"cannot write{where}: {e.strerror or e}; nothing of this change was written"


def _roll_back(done: list[tuple[Path, bytes]]) -> list[Path]:
    """Put back the original bytes of files already renamed in a changeset that failed half way; returns
    those that could not be restored."""
    stuck = []
    for path, original in reversed(done):
        tmp = None
        try:
            tmp = _stage(path, original)
            replace_retrying(tmp, path)
            tmp = None
        except OSError:
            stuck.append(path)
        finally:
            if tmp is not None:
                _remove(tmp)
    return stuck


def write_all(writes: Sequence[PendingWrite]) -> None:
    """Write every file or none: stage all, then rename each after checking it did not change since it was read
    (a check or rename that fails puts the renamed ones back). Ctrl-C is held until the changeset is done, so it
    can never strand a temporary file or half a changeset."""
    staged: list[str] = []
    with _sigint_deferred():
        try:
            for w in writes:
                _pause("stage", w.path)
                # The read-only bit is the owner's intent (also for root, whom the OS lets write anyway).
                try:
                    writable = os.stat(w.path).st_mode & stat.S_IWUSR
                except FileNotFoundError:
                    raise WriteError(f"{w.path.name} vanished since it was read; nothing of this change was written") from None
                if not writable:
                    raise WriteError(f"{w.path.name} is read-only; nothing of this change was written")
                staged.append(_stage(w.path, w.data))
            done: list[tuple[Path, bytes]] = []
            for i, (tmp, w) in enumerate(zip(staged, writes)):
                _pause("replace", w.path)
                try:
                    original = _current(w)  # right before the rename: edited or deleted meanwhile?
                    _replace(tmp, w.path)
                except (WriteError, OSError) as e:
                    reason = str(e) if isinstance(e, WriteError) else _os_reason(e)
                    stuck = _roll_back(done)
                    if stuck:
                        names = ", ".join(p.name for p in stuck)
                        reason += f"; but {names} could not be restored and hold the new content"
                    raise WriteError(reason) from None
                staged[i] = ""
                done.append((w.path, original))
            staged = []
        except OSError as e:
            raise WriteError(_os_reason(e)) from None
        finally:
            for tmp in staged:
                if tmp:
                    _remove(tmp)
