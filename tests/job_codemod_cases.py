"""Shared by the tests of the codemods that rewrite existing jobs in place (unwrap-tenant-loop, drop-state,
persist-state): their fixture cases, a TransformContext built by the real parser, compile checks with mcs."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES
from csharp_compiler import find_mcs
from oqmigrate import syntax
from oqmigrate.edits import apply_edits
from oqmigrate.model import analyse
from oqmigrate.transforms import TransformContext
from oqmigrate.versions import CURRENT, Version

needs_mcs = pytest.mark.skipif(find_mcs() is None, reason="mcs (Debian mono-mcs) is not installed: C# compile "
                                                          "checks skipped")


def cases(codemod: str) -> list[str]:
    return sorted(p.name[: -len(".before.cs")] for p in (FIXTURES / codemod).glob("*.before.cs"))


def pair(codemod: str, case: str) -> tuple[Path, Path | None]:
    before = FIXTURES / codemod / f"{case}.before.cs"
    after = FIXTURES / codemod / f"{case}.after.cs"
    return before, after if after.exists() else None


def context(data: bytes, version: Version = CURRENT, rel: str = "Case.cs") -> TransformContext:
    tree = syntax.parse(data)
    newline = "\r\n" if b"\r\n" in data else "\n"
    indent = "\t" if b"\n\t" in data else "    "
    return TransformContext(rel, data, tree, analyse(tree), newline, indent, version=version)


def run(transform, data: bytes, version: Version = CURRENT):
    """(result, output bytes) of one codemod over UTF-8 bytes (a BOM is the engine's business: strip it first)."""
    result = transform(context(data, version))
    return result, apply_edits(data, result.edits)


def utf8(path: Path) -> bytes:
    data = path.read_bytes()
    return data[3:] if data.startswith(b"\xef\xbb\xbf") else data


def uses_newer_syntax(path: Path) -> bool:
    """A file-scoped namespace (C# 10): beyond mcs, which stops at C# 7.2."""
    tree = syntax.parse(utf8(path))
    return any(n.type == "file_scoped_namespace_declaration" for n in tree.root_node.named_children)
