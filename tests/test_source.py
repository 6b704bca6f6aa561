import os
import sys

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from oqmigrate.source import (
    UTF8_BOM,
    UTF16_BE_BOM,
    UTF16_LE_BOM,
    BinaryFile,
    EncodeError,
    FileMissing,
    LoadError,
    TooLarge,
    Undecodable,
    Unreadable,
    decode,
    encode,
    load,
)

# (encoding, BOM) pairs a file can have on disk.
FLAVOURS = [
    ("utf-8", b""),
    ("utf-8", UTF8_BOM),
    ("utf-16-le", UTF16_LE_BOM),
    ("utf-16-be", UTF16_BE_BOM),
    ("cp1252", b""),
    ("latin-1", b""),
]

lines = st.lists(st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"), max_size=20), max_size=8)


@given(lines, st.sampled_from(["\r\n", "\n", "\r"]), st.sampled_from(FLAVOURS), st.booleans(), st.data())
def test_round_trip_over_random_text(parts, newline, flavour, final, data):
    encoding, bom = flavour
    if data.draw(st.booleans(), label="mix newlines"):
        text = "".join(part + data.draw(st.sampled_from(["\r\n", "\n", "\r"])) for part in parts)
    else:
        text = newline.join(parts) + (newline if final and parts else "")
    try:
        raw = bom + text.encode(encoding)
    except UnicodeEncodeError:
        assume(False)
    if not encoding.startswith("utf-16"):
        assume("\0" not in text)  # a NUL byte means binary
    if not bom:
        assume(not text.startswith("\ufeff"))  # would read back as a UTF-8 BOM

    fallback = encoding if encoding in ("cp1252", "latin-1") else "cp1252"
    source = decode(raw, fallback)

    assert encode(source) == raw
    if source.encoding == encoding:
        assert source.text == text
        assert source.bom == bom
    else:
        # Legacy bytes that happen to be valid UTF-8 read as UTF-8: still the same bytes on the way back.
        assert encoding in ("cp1252", "latin-1") and source.encoding == "utf-8"
    assert decode(encode(source), fallback).text == source.text
    assert source.utf8() == source.text.encode("utf-8")


@given(st.binary(max_size=64), st.sampled_from([b"", UTF8_BOM, UTF16_LE_BOM, UTF16_BE_BOM]))
def test_any_bytes_that_decode_encode_back_identically(body, bom):
    raw = bom + body
    try:
        source = decode(raw)
    except LoadError:
        return
    assert encode(source) == raw


def test_crlf_with_utf8_bom():
    raw = UTF8_BOM + b"using System;\r\nnamespace Acme;\r\n"
    source = decode(raw)
    assert (source.encoding, source.bom, source.newline) == ("utf-8", UTF8_BOM, "\r\n")
    assert source.text == "using System;\r\nnamespace Acme;\r\n"
    assert not source.mixed_newlines and source.final_newline
    assert encode(source) == raw
    assert source.utf8() == b"using System;\r\nnamespace Acme;\r\n"


@pytest.mark.parametrize(("bom", "codec"), [(UTF16_LE_BOM, "utf-16-le"), (UTF16_BE_BOM, "utf-16-be")])
def test_utf16_with_bom(bom, codec):
    text = "// Größe\r\nclass Café { }\r\n"
    raw = bom + text.encode(codec)
    source = decode(raw)
    assert (source.encoding, source.bom, source.text) == (codec, bom, text)
    assert source.utf8() == text.encode("utf-8")
    assert encode(source, text + "// 日本\r\n") == bom + (text + "// 日本\r\n").encode(codec)


def test_utf16_odd_length_and_lone_surrogate_are_undecodable():
    with pytest.raises(Undecodable, match="odd number"):
        decode(UTF16_LE_BOM + b"a\0b")
    with pytest.raises(Undecodable):
        decode(UTF16_LE_BOM + "x".encode("utf-16-le") + b"\x00\xd8" + "y".encode("utf-16-le"))


def test_cp1252_fallback_keeps_non_ascii_comment():
    text = "// Größe – café\nclass A { }\n"
    raw = text.encode("cp1252")
    source = decode(raw)
    assert (source.encoding, source.bom, source.text) == ("cp1252", b"", text)
    assert encode(source) == raw
    assert source.utf8().decode("utf-8") == text


def test_undefined_cp1252_byte_is_undecodable():
    with pytest.raises(Undecodable, match="cp1252"):
        decode(b"// \x81 oops\n")


def test_invalid_utf8_after_utf8_bom_is_undecodable():
    with pytest.raises(Undecodable, match="BOM"):
        decode(UTF8_BOM + b"caf\xe9\n")


def test_no_final_newline():
    source = decode(b"class A { }")
    assert not source.final_newline
    assert source.newline == "\n"
    assert encode(source) == b"class A { }"


def test_mixed_newlines_are_kept_and_the_dominant_style_reported():
    raw = b"a\r\nb\r\nc\nd\re\r\n"
    source = decode(raw)
    assert source.text == "a\r\nb\r\nc\nd\re\r\n"
    assert source.mixed_newlines
    assert source.newline == "\r\n"
    assert encode(source) == raw
    assert decode(b"a\nb\nc\r\n").newline == "\n"
    assert decode(b"a\rb\r").newline == "\r"


def test_nul_byte_means_binary():
    with pytest.raises(BinaryFile, match="offset 3"):
        decode(b"MZ\x90\x00\x03")
    with pytest.raises(BinaryFile):
        decode(UTF8_BOM + b"a\x00")


def test_empty_file():
    source = decode(b"")
    assert (source.text, source.encoding, source.bom, source.newline) == ("", "utf-8", b"", "\n")
    assert not source.final_newline and not source.mixed_newlines
    assert encode(source) == b""


def test_encode_error_names_character_and_line():
    source = decode(b"// caf\xe9\nclass A { }\n", fallback="latin-1")
    assert source.encoding == "latin-1"
    with pytest.raises(EncodeError, match=r"'€' \(U\+20AC\) on line 2") as info:
        encode(source, "// café\r\n// 5 € \nclass A { }\n")
    assert (info.value.char, info.value.line, info.value.encoding) == ("€", 2, "latin-1")

    legacy = decode("// Größe\n".encode("cp1252"))
    with pytest.raises(EncodeError, match="line 3") as info:
        encode(legacy, "// Größe\r// x\n// 日本\n")
    assert info.value.char == "日"


def test_load_reads_file(tmp_path):
    path = tmp_path / "A.cs"
    path.write_bytes(UTF8_BOM + b"class A { }\r\n")
    source = load(path)
    assert source.bom == UTF8_BOM and source.text == "class A { }\r\n"


def test_load_errors(tmp_path):
    with pytest.raises(FileMissing, match="not found"):
        load(tmp_path / "gone.cs")
    with pytest.raises(Unreadable, match="folder"):
        load(tmp_path)
    big = tmp_path / "Big.cs"
    big.write_bytes(b"x" * 101)
    with pytest.raises(TooLarge):
        load(big, max_bytes=100)
    assert load(big, max_bytes=101).text == "x" * 101
    binary = tmp_path / "Bin.cs"
    binary.write_bytes(b"\x00\x01\x02")
    with pytest.raises(BinaryFile):
        load(binary)


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="permissions are not enforced")
def test_load_permission_denied(tmp_path):
    path = tmp_path / "Secret.cs"
    path.write_text("class S { }\n")
    path.chmod(0)
    try:
        with pytest.raises(Unreadable, match="permission denied"):
            load(path)
    finally:
        path.chmod(0o644)
