"""Real git repositories in temporary folders for the tests."""

import shutil
import subprocess
from pathlib import Path

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid"}


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    import os
    env = dict(os.environ, **GIT_ENV)
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, env=env, check=check)


def make_repo(path: Path, files: dict[str, bytes] | None = None, copy_from: Path | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    if copy_from is not None:
        shutil.copytree(copy_from, path, dirs_exist_ok=True)
    for rel, data in (files or {}).items():
        target = path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    git(path, "init", "-q")
    git(path, "config", "core.autocrlf", "false")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "fixture")
    return path
