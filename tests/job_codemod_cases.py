"""Shared by the tests of the codemods that edit existing jobs (guard-execution, declare-metadata,
unwrap-tenant-loop, drop-state, persist-state): their fixture cases, a TransformContext built by the real parser
with the file's own style, running a codemod the way the engine does, compile checks with mcs."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES
from csharp_compiler import find_mcs
from oqmigrate import source, syntax
from oqmigrate.edits import apply_edits
from oqmigrate.model import analyse
from oqmigrate.transforms import TransformContext, TransformResult
from oqmigrate.versions import CURRENT, Version

needs_mcs = pytest.mark.skipif(find_mcs() is None, reason="mcs (Debian mono-mcs) is not installed: C# compile "
                                                          "checks skipped")


def cases(codemod: str) -> list[str]:
    return sorted(p.name[: -len(".before.cs")] for p in (FIXTURES / codemod).glob("*.before.cs"))


def pair(codemod: str, case: str) -> tuple[Path, Path | None]:
    before = FIXTURES / codemod / f"{case}.before.cs"
    after = FIXTURES / codemod / f"{case}.after.cs"
    return before, after if after.exists() else None


def utf8(path: Path) -> bytes:
    """The UTF-8 text the engine parses (BOM removed, newlines kept)."""
    return source.decode(path.read_bytes(), "cp1252").utf8()


def context(data: bytes, version: Version = CURRENT, rel: str = "Case.cs") -> TransformContext:
    tree = syntax.parse(data)
    newline = "\r\n" if b"\r\n" in data else "\n"
    indent = "\t" if b"\n\t" in data else "    "
    return TransformContext(rel, data, tree, analyse(tree), newline, indent, version=version)


def run(transform, data: bytes, version: Version = CURRENT) -> tuple[TransformResult, bytes]:
    """(result, output bytes) of one codemod over UTF-8 bytes."""
    result = transform(context(data, version))
    return result, apply_edits(data, result.edits)


def uses_newer_syntax(path: Path) -> bool:
    """A file-scoped namespace (C# 10): beyond mcs, which stops at C# 7.2."""
    tree = syntax.parse(utf8(path))
    return any(n.type == "file_scoped_namespace_declaration" for n in tree.root_node.named_children)
