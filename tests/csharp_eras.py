"""Compile C# against the Oqtane API of one era, to prove that version-aware output compiles where it claims to.

An era is a run of Oqtane releases with the same job API (``HostedServiceBase``); its stub in
``tests/csharp/stubs/eras/`` is the API of the era's FIRST release, so code that compiles against it compiles
on every release of the era. The Oqtane API is stubbed in layers: ``Oqtane.cs`` holds what every release has (the
types whose members differ are ``partial``), ``Oqtane.Current.cs`` adds today's API, ``eras/common.cs`` what every
era stub shares (the framework's namespaces) and ``eras/<era>.cs`` only what differs in that era.
`compile_for_era` compiles with every stub of ``tests/csharp/stubs`` except ``Oqtane.Current.cs``, plus
``eras/common.cs`` and the era's file.

Built on `csharp_compiler`'s public pieces (`find_mcs`, `stub_sources`, `NOWARN`, `CompileResult`);
`csharp_compiler.compile_csharp` itself always includes ``Oqtane.Current.cs``, so the mcs call is made here.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from csharp_compiler import NOWARN, STUBS_DIR, TIMEOUT_SECONDS, CompileResult, find_mcs, stub_sources

from oqmigrate.versions import CURRENT, Version

ERAS_DIR = STUBS_DIR / "eras"
CURRENT_OQTANE_STUB = STUBS_DIR / "Oqtane.Current.cs"  # today's API beyond Oqtane.cs: not in an era compile
ERA_COMMON_STUB = ERAS_DIR / "common.cs"  # what every era stub shares beyond Oqtane.cs


@dataclass(frozen=True)
class Era:
    name: str
    first: Version  # the release the stub describes
    last: Version  # the last release of the era so far
    stub: Path  # only what differs in this era: compiled after Oqtane.cs and eras/common.cs
    summary: str

    def contains(self, version: Version) -> bool:
        return self.first <= version <= self.last


ERAS: dict[str, Era] = {
    era.name: era
    for era in (
        Era("v2_0_1", Version(2, 0, 1), Version(3, 0, 1), ERAS_DIR / "v2_0_1.cs",
            "job metadata and tenant loop; abstract ExecuteJob only; ITenantManager only from 2.1.0"),
        Era("v3_0_2", Version(3, 0, 2), Version(4, 0, 2), ERAS_DIR / "v3_0_2.cs",
            '"w"/"O" frequencies, settings by name; abstract ExecuteJob only'),
        Era("v4_0_3", Version(4, 0, 3), Version(10, 1, 2), ERAS_DIR / "v4_0_3.cs",
            "ExecuteJobAsync and a virtual ExecuteJob; no MaximumDuration"),
        Era("v10_2_0", Version(10, 2, 0), CURRENT, ERAS_DIR / "v10_2_0.cs",
            "MaximumDuration"),
    )
}


def era_of(version: Version) -> Era | None:
    """The era ``version`` belongs to; None before 2.0.1 (no era: nothing is migrated there)."""
    found = None
    for era in ERAS.values():
        if era.first <= version:
            found = era
    return found


def era_sources(era: Era | str) -> list[Path]:
    """Every stub of an era compile: the shared stubs (Oqtane.cs: the API every release has) without today's
    Oqtane API, then what every era shares, then the era's own stub."""
    era = ERAS[era] if isinstance(era, str) else era
    return [p for p in stub_sources() if p != CURRENT_OQTANE_STUB] + [ERA_COMMON_STUB, era.stub]


def compile_for_era(
    sources: Iterable[Path],
    era: Era | str,
    *,
    extra_sources: Iterable[Path] = (),
    langversion: str = "7.2",
    out: Path | None = None,
) -> CompileResult:
    """Compile ``sources`` against the Oqtane API of ``era`` (a name from `ERAS` or an `Era`).

    Same contract as `csharp_compiler.compile_csharp`: ``ok`` when mcs exits 0, ``output`` its diagnostics,
    ``out`` keeps the library; RuntimeError when mcs is missing (callers skip first with ``find_mcs()``).
    """
    mcs = find_mcs()
    if mcs is None:
        raise RuntimeError("mcs not found (install Debian's mono-mcs)")
    files = [*era_sources(era), *(Path(p) for p in extra_sources), *(Path(p) for p in sources)]
    with tempfile.TemporaryDirectory(prefix="oqmigrate-era-") as tmp:
        out = out or Path(tmp) / "check.dll"
        command = [
            mcs,
            "-target:library",
            f"-langversion:{langversion}",
            "-nowarn:" + ",".join(NOWARN),
            "-r:System.dll",
            "-r:System.Core.dll",
            f"-out:{out}",
            *(str(f) for f in files),
        ]
        try:
            proc = subprocess.run(command, capture_output=True, text=True, errors="replace",
                                  timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as exc:
            return CompileResult(False, f"mcs timed out after {exc.timeout}s", command)
    return CompileResult(proc.returncode == 0, (proc.stdout + proc.stderr).strip(), command)
