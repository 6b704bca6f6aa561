"""Property tests of byte-range edits (oqmigrate.edits) and of edits written back through the real writer.

`apply_edits` is checked against a reference written here from the module's contract: edits are half-open byte
ranges of the original data; two edits overlap when their ranges share a byte, and an insertion (an empty range)
overlaps any other edit that starts at the same offset (their order would be a guess) or that contains its offset;
identical edits count once; the result is every untouched byte in order with each edit's text in its place.

The writer properties take text in every encoding a source file can have (UTF-8 with and without BOM, UTF-16 LE/BE
with BOM, cp1252) with LF, CRLF or mixed newlines, apply random edits to its UTF-8 form as the engine does, encode
it back and write it with `writer.write_all`: the bytes before the first edit and after the last one are the
file's own bytes, unchanged.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from oqmigrate import source
from oqmigrate.edits import Edit, OverlappingEdits, apply_edits, sorted_checked
from oqmigrate.writer import PendingWrite, write_all

PROFILE = settings(max_examples=300, derandomize=True, deadline=None, database=None)


def reference_overlap(a: Edit, b: Edit) -> bool:
    if a == b:
        return False
    if a.start_byte == b.start_byte and (a.start_byte == a.end_byte or b.start_byte == b.end_byte):
        return True  # an insertion where another edit starts
    if a.start_byte == a.end_byte:
        return b.start_byte < a.start_byte < b.end_byte
    if b.start_byte == b.end_byte:
        return a.start_byte < b.start_byte < a.end_byte
    return a.start_byte < b.end_byte and b.start_byte < a.end_byte


def reference_apply(data: bytes, edits: list[Edit]) -> bytes | None:
    """The result, or None when two edits overlap."""
    unique = list(dict.fromkeys(edits))
    if any(reference_overlap(a, b) for i, a in enumerate(unique) for b in unique[i + 1:]):
        return None
    out = bytearray()
    pos = 0
    for e in sorted(unique, key=lambda e: e.start_byte):
        out += data[pos:e.start_byte] + e.new_text.encode("utf-8")
        pos = e.end_byte
    return bytes(out + data[pos:])


texts = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=6)


@st.composite
def data_and_edits(draw):
    data = draw(st.binary(max_size=40))
    n = len(data)
    kinds = st.sampled_from(["insert", "replace", "delete", "at_start", "at_end", "adjacent", "duplicate"])
    edits: list[Edit] = []
    for kind in draw(st.lists(kinds, max_size=6)):
        if kind == "adjacent" and edits:  # starts where another ends
            prev = draw(st.sampled_from(edits))
            start = prev.end_byte
            end = draw(st.integers(start, n))
        elif kind == "duplicate" and edits:
            edits.append(draw(st.sampled_from(edits)))
            continue
        elif kind == "at_start":
            start, end = 0, draw(st.integers(0, n))
        elif kind == "at_end":
            start = end = n
        else:
            start = draw(st.integers(0, n))
            end = start if kind == "insert" else draw(st.integers(start, n))
        edits.append(Edit(start, end, "" if kind == "delete" else draw(texts), rule_id=draw(st.sampled_from(["", "X"]))))
    return data, draw(st.permutations(edits))


@PROFILE
@given(data_and_edits())
def test_apply_edits_matches_the_reference(case):
    data, edits = case
    expected = reference_apply(data, edits)
    if expected is None:
        with pytest.raises(OverlappingEdits):
            apply_edits(data, edits)
        return
    assert apply_edits(data, edits) == expected
    ordered = sorted_checked(edits)
    assert ordered == sorted(set(edits), key=lambda e: (e.start_byte, e.end_byte))


@PROFILE
@given(st.binary(max_size=20), st.data())
def test_two_insertions_at_one_offset_are_refused_and_one_at_a_replacement_end_is_not(data, draw):
    at = draw.draw(st.integers(0, len(data)))
    a, b = Edit(at, at, "a"), Edit(at, at, "b")
    with pytest.raises(OverlappingEdits):
        apply_edits(data, [a, b])
    assert apply_edits(data, [a, a]) == data[:at] + b"a" + data[at:]  # the same edit twice is one edit
    start = draw.draw(st.integers(0, at))
    if start < at:
        replaced = apply_edits(data, [Edit(start, at, "R"), Edit(at, at, "i")])
        assert replaced == data[:start] + b"Ri" + data[at:]
        with pytest.raises(OverlappingEdits):
            apply_edits(data, [Edit(start, at, "R"), Edit(start, start, "i")])


@PROFILE
@given(st.binary(max_size=20), st.integers(0, 30), st.integers(0, 30))
def test_edits_out_of_range_are_refused(data, start, length):
    assume(start + length > len(data))
    with pytest.raises(ValueError, match="out of range"):
        apply_edits(data, [Edit(start, start + length, "x")])


# --- through the real writer ------------------------------------------------------------------------------------

FLAVOURS = [("utf-8", b""), ("utf-8", source.UTF8_BOM), ("utf-16-le", source.UTF16_LE_BOM),
            ("utf-16-be", source.UTF16_BE_BOM), ("cp1252", b"")]
# cp1252 holds these; UTF-8 and UTF-16 everything: C# source with accents, a dash, a euro sign
_CHARS = st.sampled_from(list("abcxyz {};()=.éüß€–\t") + ["class A", "// café", "\"Größe\""])
_LINES = st.lists(st.lists(_CHARS, max_size=8).map("".join), min_size=1, max_size=8)


@st.composite
def source_files(draw):
    encoding, bom = draw(st.sampled_from(FLAVOURS))
    lines = draw(_LINES)
    style = draw(st.sampled_from(["\n", "\r\n", "mixed"]))
    if style == "mixed":
        text = "".join(line + draw(st.sampled_from(["\n", "\r\n"])) for line in lines)
    else:
        text = style.join(lines) + (style if draw(st.booleans()) else "")
    if encoding == "cp1252":
        assume(any(ord(c) > 127 for c in text))  # else it is read as UTF-8, also right but not this case
    return encoding, bom, text


@st.composite
def utf8_edits(draw, text: str) -> list[Edit]:
    """Non-overlapping edits at character boundaries of `text`, in UTF-8 offsets, with new text the encoding holds."""
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), min_size=2, max_size=6)))
    pairs = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    edits: list[Edit] = []
    for start, end in pairs:
        edit = Edit(len(text[:start].encode()), len(text[:end].encode()), draw(st.lists(_CHARS, max_size=3).map("".join)))
        if not edits or not reference_overlap(edits[-1], edit):  # an insertion where another edit starts
            edits.append(edit)
    return edits


@settings(PROFILE, max_examples=150)  # each example writes a file
@given(source_files(), st.data())
def test_edits_written_back_keep_every_other_byte(flavour, data):
    encoding, bom, text = flavour
    raw = bom + text.encode(encoding)
    loaded = source.decode(raw)
    assert (loaded.encoding, loaded.bom, loaded.text) == (encoding, bom, text)
    utf8 = loaded.utf8()
    edits = data.draw(utf8_edits(text))
    new_text = apply_edits(utf8, edits).decode("utf-8")
    new_raw = source.encode(loaded, new_text)
    with tempfile.TemporaryDirectory(prefix="oqmigrate-prop-") as d:
        path = Path(d) / "File.cs"
        path.write_bytes(raw)
        write_all([PendingWrite(path, new_raw, expected=raw)])
        written = path.read_bytes()
        assert sorted(p.name for p in Path(d).iterdir()) == ["File.cs"], "no temporary file is left"
    assert written == new_raw
    assert written.startswith(bom) and written[len(bom):].decode(encoding) == new_text
    if not edits:
        assert written == raw
        return
    first = min(e.start_byte for e in edits)
    last = max(e.end_byte for e in edits)
    head = utf8[:first].decode("utf-8")
    tail = utf8[last:].decode("utf-8")
    assert written.startswith(bom + head.encode(encoding))
    assert written.endswith(tail.encode(encoding))
