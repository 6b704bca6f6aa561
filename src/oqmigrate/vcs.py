"""git: the work-tree root (patch paths, stable fingerprints) and which files have uncommitted changes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
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


def dirty_files(root: Path, paths: Sequence[Path]) -> list[Path]:
    """Those of `paths` with uncommitted changes (modified, staged or untracked) in the work tree at `root`."""
    if not paths:
        return []
    rels = [os.path.relpath(p.resolve(), root) for p in paths]
    out = subprocess.run(["git", "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *rels],
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
        dirty.add(os.path.normpath(name))
    return [p for p, rel in zip(paths, rels) if os.path.normpath(rel) in dirty]
