"""Shared plumbing for the tests of codemods that edit existing jobs (guard-execution, declare-metadata): read a
fixture pair, run a codemod the way the engine does (real parser, file style from the text), compile with mcs."""

from __future__ import annotations

from pathlib import Path

from oqmigrate import source, syntax
from oqmigrate.edits import apply_edits
from oqmigrate.model import analyse
from oqmigrate.transforms import TransformContext, TransformResult
from oqmigrate.versions import CURRENT, Version

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def cases(codemod: str) -> list[str]:
    return sorted(p.name[: -len(".before.cs")] for p in (FIXTURES / codemod).glob("*.before.cs"))


def utf8(path: Path) -> bytes:
    """The UTF-8 text the engine parses (BOM removed, newlines kept)."""
    return source.decode(path.read_bytes(), "cp1252").utf8()


def context(data: bytes, version: Version = CURRENT) -> TransformContext:
    tree = syntax.parse(data)
    newline = "\r\n" if b"\r\n" in data else "\n"
    indent = "\t" if b"\n\t" in data else "    "
    return TransformContext("Case.cs", data, tree, analyse(tree), newline, indent, version=version)


def run(transform, data: bytes, version: Version = CURRENT) -> tuple[TransformResult, bytes]:
    result = transform(context(data, version))
    return result, apply_edits(data, result.edits)
