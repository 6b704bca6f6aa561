"""write: the only code that changes source files.

Each file is written to a temporary file in its own folder and then renamed over the original, keeping
its permission bits. A changeset's files are all staged before any is renamed; Ctrl-C is held off during
the renames, so an interrupted run leaves every file fully old or fully new and no temporary file behind.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
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


# --- git ------------------------------------------------------------------------------------------

def git_root(path: Path) -> Path | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=path, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0 or not out.stdout.strip():
        return None
    return Path(out.stdout.strip()).resolve()


def dirty_files(root: Path, paths: Sequence[Path]) -> list[Path]:
    """Those of `paths` with uncommitted changes (modified, staged or untracked) in the work tree at `root`."""
    if not paths:
        return []
    rels = [os.path.relpath(p.resolve(), root) for p in paths]
    out = subprocess.run(["git", "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *rels],
                         cwd=root, capture_output=True, timeout=60)
    if out.returncode != 0:
        raise WriteError("git status failed: " + out.stderr.decode("utf-8", "replace").strip().splitlines()[0:1][0]
                         if out.stderr.strip() else "git status failed")
    dirty = set()
    entries = out.stdout.split(b"\0")
    i = 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if len(entry) < 4:
            continue
        code, name = entry[:2], entry[3:].decode("utf-8", "surrogateescape")
        if code[:1] in (b"R", b"C"):
            i += 1  # the rename's source path follows
        dirty.add(os.path.normpath(name))
    return [p for p, rel in zip(paths, rels) if os.path.normpath(rel) in dirty]
