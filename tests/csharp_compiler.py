"""Compile C# with Mono's ``mcs`` against the API-surface stubs in ``tests/csharp/stubs``.

Tests use this to prove that fixtures and codemod output are valid C# (up to 7.2, the
language level the codemods emit). Debian's ``mono-mcs`` package provides ``mcs``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

STUBS_DIR = Path(__file__).parent / "csharp" / "stubs"

# Warnings that stub-based compiles produce for perfectly good code:
# CS0067 event never used, CS0169/CS0414/CS0649 field never used/assigned,
# CS0162 unreachable code, CS1998 async method without await, CS0618 obsolete member.
NOWARN = ("0067", "0162", "0169", "0414", "0618", "0649", "1998")

TIMEOUT_SECONDS = 180


@dataclass(frozen=True)
class CompileResult:
    ok: bool
    output: str
    command: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.ok


def find_mcs() -> str | None:
    """Path of the ``mcs`` compiler (``$OQMIGRATE_MCS`` wins), or None."""
    override = os.environ.get("OQMIGRATE_MCS")
    if override:
        return override if Path(override).exists() else shutil.which(override)
    return shutil.which("mcs")


def stub_sources() -> list[Path]:
    return sorted(STUBS_DIR.glob("*.cs"))


def compile_csharp(
    files: Iterable[Path],
    *,
    extra_sources: Iterable[Path] = (),
    langversion: str = "7.2",
    out: Path | None = None,
) -> CompileResult:
    """Compile ``files`` (plus ``extra_sources``) together with every stub into a throw-away library.

    ``ok`` is True when mcs exits 0; ``output`` holds its diagnostics (stdout + stderr). With ``out`` the library
    is written there and kept (to load it, e.g. under ``mono``), else it is thrown away.
    Raises RuntimeError when no compiler is installed: callers skip first with ``find_mcs()``.
    """
    mcs = find_mcs()
    if mcs is None:
        raise RuntimeError("mcs not found (install Debian's mono-mcs)")
    sources = [*stub_sources(), *(Path(p) for p in extra_sources), *(Path(p) for p in files)]
    with tempfile.TemporaryDirectory(prefix="oqmigrate-mcs-") as tmp:
        out = out or Path(tmp) / "check.dll"
        command = [
            mcs,
            "-target:library",
            f"-langversion:{langversion}",
            "-nowarn:" + ",".join(NOWARN),
            "-r:System.dll",
            "-r:System.Core.dll",
            f"-out:{out}",
            *(str(s) for s in sources),
        ]
        try:
            proc = subprocess.run(
                command,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=TIMEOUT_SECONDS,
            )
        except subprocess.TimeoutExpired as exc:
            return CompileResult(False, f"mcs timed out after {exc.timeout}s", command)
    output = (proc.stdout + proc.stderr).strip()
    return CompileResult(proc.returncode == 0, output, command)
