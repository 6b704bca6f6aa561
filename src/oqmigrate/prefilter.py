"""prefilter: which files the scan parses, decided from their bytes alone.

A file is parsed when it contains one of the trigger tokens of the selected rules (sound: a rule cannot match a
file without its tokens). For a file that is not parsed, the scan also wants the names written after the colon of
its type declarations (`class X<T> : A, B<T> where T : C {` gives A, B, T, C): a superset of the file's base
types, from which it finds subclasses of project-local worker bases declared in other files.

Nearly every file of a tree is read only here, so this is the scan's per-byte cost. With the Hyperscan library
installed (`hyperscan` on PyPI; a dependency on the platforms it has wheels for) one pass over the bytes answers
both questions; otherwise `bytes.find` does, one pass per token. Both give the same answers (a test holds them to
it); only the speed differs.
"""

from __future__ import annotations

import re
from typing import Protocol, Sequence

try:  # Hyperscan: multi-pattern search in one pass. Optional: every answer has a plain-Python fallback.
    import hyperscan
except ImportError:  # pragma: no cover - exercised where the wheel is not installed
    hyperscan = None

IDENTIFIER = re.compile(rb"[A-Za-z_]\w*")
TYPE_KEYWORDS = (b"class", b"struct", b"record", b"interface")
# The colon that starts a base list: after a type keyword, with no body, statement end or other colon between.
BASE_LIST_COLON = rb"(?:class|struct|record|interface)[^{;:]*:"


class Verdict(Protocol):
    def __call__(self, haystack: bytes) -> tuple[bool, set[str] | None]: ...


def minimal_tokens(tokens: set[bytes]) -> tuple[bytes, ...]:
    """Drop tokens that contain another token: a file containing the longer one contains the shorter."""
    return tuple(sorted(t for t in tokens if not any(o != t and o in t for o in tokens)))


def _head_end(data: bytes, i: int) -> int:
    """Where a declaration's head that runs through offset `i` ends: its body (`{`) or its end (`;`)."""
    stops = [j for j in (data.find(b"{", i), data.find(b";", i)) if j >= 0]
    return min(stops) if stops else len(data)


def _names_between(data: bytes, colon: int, end: int) -> set[str]:
    return {n.decode() for n in IDENTIFIER.findall(data, colon + 1, end)}


def declared_base_names(data: bytes) -> set[str]:
    """Every name after the colon of a type declaration, up to its body, read without parsing (bytes.find)."""
    names: set[str] = set()
    for keyword in TYPE_KEYWORDS:
        i = data.find(keyword)
        while i >= 0:
            end = _head_end(data, i)
            colon = data.find(b":", i, end)
            if colon >= 0:
                names |= _names_between(data, colon, end)
            i = data.find(keyword, end)
    return names


class PlainPrefilter:
    """`bytes.find`: one pass over the file per token, and per type keyword for the base names."""

    engine = "bytes.find"

    def __init__(self, tokens: Sequence[bytes], collect_bases: bool):
        self.tokens = tuple(tokens)
        self.collect_bases = collect_bases

    def __call__(self, haystack: bytes) -> tuple[bool, set[str] | None]:
        """(whether to parse the file, the base-like names of a file not parsed, when collected)."""
        for t in self.tokens:
            if t in haystack:
                return True, None
        return False, declared_base_names(haystack) if self.collect_bases else None


class HyperscanPrefilter:
    """One Hyperscan pass: the tokens as literals (the first one found ends the pass) and the base-list colons."""

    engine = "hyperscan"

    def __init__(self, tokens: Sequence[bytes], collect_bases: bool):
        self.tokens = tuple(tokens)
        self.collect_bases = collect_bases
        patterns = [re.escape(t) for t in self.tokens]
        if collect_bases:
            patterns.append(BASE_LIST_COLON)
        self.colon_id = len(self.tokens)
        self.db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        self.db.compile(expressions=patterns, ids=list(range(len(patterns))),
                        flags=[hyperscan.HS_FLAG_SINGLEMATCH] * len(self.tokens)
                        + ([0] if collect_bases else []))

    def __call__(self, haystack: bytes) -> tuple[bool, set[str] | None]:
        colons: list[int] = []
        colon_id = self.colon_id

        def on_match(pattern: int, start: int, end: int, flags: int, context: object) -> bool:
            if pattern == colon_id:
                colons.append(end - 1)
                return False
            return True  # a token: the file is parsed, nothing else is needed

        try:
            self.db.scan(haystack, match_event_handler=on_match)
        except hyperscan.ScanTerminated:
            return True, None
        if not self.collect_bases:
            return False, None
        names: set[str] = set()
        for colon in colons:
            names |= _names_between(haystack, colon, _head_end(haystack, colon))
        return False, names


_cache: dict[tuple[tuple[bytes, ...], bool], Verdict] = {}


def prefilter(tokens: Sequence[bytes], collect_bases: bool) -> Verdict:
    """The fastest prefilter available for these tokens, made once per process. An empty token (every file is
    parsed) needs no search at all."""
    key = (tuple(tokens), collect_bases)
    found = _cache.get(key)
    if found is None:
        if any(not t for t in tokens):
            found = _everything
        elif hyperscan is not None:
            found = HyperscanPrefilter(tokens, collect_bases)
        else:
            found = PlainPrefilter(tokens, collect_bases)
        _cache[key] = found
    return found


def _everything(haystack: bytes) -> tuple[bool, set[str] | None]:
    return True, None
