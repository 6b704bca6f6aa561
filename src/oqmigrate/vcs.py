"""git: the work-tree root (patch paths, stable fingerprints) and which files have uncommitted changes.

Paths are compared the way git prints them: "/"-separated and relative to the work-tree top, whatever the
platform's separator (`repo_relative`).
"""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePath, PurePosixPath
from typing import Sequence


class GitError(Exception):
    pass


def git_root(path: Path) -> Path | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=path, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0 or not out.stdout.strip():
        return None
    return Path(out.stdout.strip()).resolve()


def repo_relative(path: PurePath, root: PurePath) -> str | None:
    """``path`` relative to the work-tree top ``root`` in git's spelling ("/"-separated), or None when it lies
    outside (another folder, or another drive on Windows). Both must be absolute and of the same flavour."""
    try:
        rel = path.relative_to(root)
    except ValueError:
        return None
    return PurePosixPath(*rel.parts).as_posix() if rel.parts else None


def dirty_files(root: Path, paths: Sequence[Path]) -> list[Path]:
    """Those of `paths` with uncommitted changes (modified, staged or untracked) in the work tree at `root`;
    a path outside that work tree has none there."""
    rels = [repo_relative(p.resolve(), root) for p in paths]
    inside = [rel for rel in rels if rel is not None]
    if not inside:
        return []
    out = subprocess.run(["git", "status", "--porcelain=v1", "-z", "--untracked-files=all", "--",
                          *(":(literal)" + rel for rel in inside)],
                         cwd=root, capture_output=True, timeout=60)
    if out.returncode != 0:
        first = (out.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[0]
        raise GitError(f"git status failed: {first}")
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
        dirty.add(name)
    return [p for p, rel in zip(paths, rels) if rel is not None and rel in dirty]
