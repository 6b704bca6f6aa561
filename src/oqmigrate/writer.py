"""write: the only code that changes source files.

Each file is written to a temporary file in its own folder and then renamed over the original, keeping
its permission bits. A changeset's files are all staged before any is renamed; Ctrl-C is held off during
the renames, so an interrupted run leaves every file fully old or fully new and no temporary file behind.
"""

from __future__ import annotations

import os
import signal
import stat
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

TEMP_PREFIX = ".oqmigrate-"


class WriteError(Exception):
    pass


@dataclass(frozen=True)
class PendingWrite:
    path: Path
    data: bytes


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


def _stage(w: PendingWrite) -> str:
    st = os.stat(w.path)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".tmp", dir=w.path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(w.data)
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


def write_all(writes: Sequence[PendingWrite]) -> None:
    """Write every file or none (as far as the file system allows): stage all, then rename all. Ctrl-C is
    held until the changeset is done, so it can never strand a temporary file or half a changeset."""
    staged: list[str] = []
    with _sigint_deferred():
        try:
            for w in writes:
                # The read-only bit is the owner's intent (also for root, whom the OS lets write anyway).
                if not os.stat(w.path).st_mode & stat.S_IWUSR:
                    raise WriteError(f"{w.path.name} is read-only; nothing of this change was written")
                staged.append(_stage(w))
            for tmp, w in zip(staged, writes):
                os.replace(tmp, w.path)
            staged = []
        except OSError as e:
            where = f" {e.filename}" if e.filename else ""
            raise WriteError(f"cannot write{where}: {e.strerror or e}") from None
        finally:
            for tmp in staged:
                _remove(tmp)
