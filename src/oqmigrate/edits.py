"""Byte-range edits: the only thing a transform produces.

Offsets are into the UTF-8 bytes the tree was parsed from (see syntax.py). Edits are applied in reverse
order so earlier offsets stay valid; two edits that overlap are an error of the whole file, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True, order=True)
class Edit:
    start_byte: int
    end_byte: int
    new_text: str
    rule_id: str = ""
    note: str = ""


class OverlappingEdits(ValueError):
    def __init__(self, first: Edit, second: Edit):
        super().__init__(
            f"overlapping edits at bytes {first.start_byte}-{first.end_byte} and {second.start_byte}-{second.end_byte}"
        )
        self.first = first
        self.second = second


def sorted_checked(edits: Iterable[Edit]) -> list[Edit]:
    """Edits in document order; raises OverlappingEdits. Two insertions at one offset also overlap,
    because their relative order would be a guess."""
    ordered = sorted(set(edits), key=lambda e: (e.start_byte, e.end_byte))
    for before, after in zip(ordered, ordered[1:]):
        if after.start_byte < before.end_byte or (
            after.start_byte == before.start_byte and (before.start_byte == before.end_byte or after.start_byte == after.end_byte)
        ):
            raise OverlappingEdits(before, after)
    return ordered


def apply_edits(data: bytes, edits: Iterable[Edit]) -> bytes:
    ordered = sorted_checked(edits)
    for e in ordered:
        if not (0 <= e.start_byte <= e.end_byte <= len(data)):
            raise ValueError(f"edit out of range: {e.start_byte}-{e.end_byte} in {len(data)} bytes")
    out = data
    for e in reversed(ordered):
        out = out[: e.start_byte] + e.new_text.encode("utf-8") + out[e.end_byte :]
    return out
