"""The load stage: a file's bytes to text and back, exactly.

``encode(decode(data)) == data`` holds byte for byte for every ``data`` that decodes: the BOM is kept apart,
newlines are never translated, and every codec used here is strict, so decoding is one-to-one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

UTF8_BOM = b"\xef\xbb\xbf"
UTF16_LE_BOM = b"\xff\xfe"
UTF16_BE_BOM = b"\xfe\xff"

_BOMS = ((UTF8_BOM, "utf-8"), (UTF16_LE_BOM, "utf-16-le"), (UTF16_BE_BOM, "utf-16-be"))


class LoadError(Exception):
    """A file that cannot be loaded; ``str(e)`` is a one-line message for the user (without the path)."""


class Unreadable(LoadError):
    """The file cannot be read: missing, vanished, a folder, no permission, an I/O error."""


class FileMissing(Unreadable):
    """The file does not exist (or vanished since it was discovered)."""


class TooLarge(LoadError):
    pass


class BinaryFile(LoadError):
    pass


class Undecodable(LoadError):
    pass


class EncodeError(Exception):
    """New text holds a character that the file's encoding cannot represent."""

    def __init__(self, message: str, char: str, line: int, encoding: str):
        super().__init__(message)
        self.char = char
        self.line = line
        self.encoding = encoding


@dataclass(frozen=True)
class SourceText:
    text: str
    encoding: str
    bom: bytes
    newline: str
    mixed_newlines: bool
    final_newline: bool
    _utf8: list[bytes] = field(default_factory=list, init=False, repr=False, compare=False)

    def utf8(self) -> bytes:
        """The text as UTF-8 bytes: what the parser sees (byte offsets of edits refer to this)."""
        if not self._utf8:
            self._utf8.append(self.text.encode("utf-8"))
        return self._utf8[0]


def _newline_style(text: str) -> tuple[str, bool]:
    crlf = text.count("\r\n")
    counts = {"\r\n": crlf, "\n": text.count("\n") - crlf, "\r": text.count("\r") - crlf}
    used = [style for style, n in counts.items() if n]
    if not used:
        return "\n", False
    # max() keeps the first of equal counts, so a tie prefers CRLF, then LF.
    return max(used, key=counts.__getitem__), len(used) > 1


def _source(text: str, encoding: str, bom: bytes) -> SourceText:
    newline, mixed = _newline_style(text)
    return SourceText(
        text=text,
        encoding=encoding,
        bom=bom,
        newline=newline,
        mixed_newlines=mixed,
        final_newline=text.endswith(("\n", "\r")),
    )


def _bad_bytes(exc: UnicodeDecodeError, offset: int) -> str:
    chunk = exc.object[exc.start : exc.start + 4]
    return f"byte {chunk[:1].hex()} at offset {offset + exc.start}"


def decode(data: bytes, fallback: str = "cp1252") -> SourceText:
    """Decode a file's bytes: by BOM first, else strict UTF-8, else the ``fallback`` codec."""
    bom, encoding = b"", ""
    for candidate, codec in _BOMS:
        if data.startswith(candidate):
            bom, encoding = candidate, codec
            break
    body = data[len(bom) :]
    if not encoding.startswith("utf-16"):
        nul = body.find(b"\0")
        if nul >= 0:
            raise BinaryFile(f"binary file (NUL byte at offset {len(bom) + nul})")
    if encoding:
        try:
            return _source(body.decode(encoding), encoding, bom)
        except UnicodeDecodeError as exc:
            if encoding.startswith("utf-16") and len(body) % 2:
                raise Undecodable(f"not valid {encoding.upper()}: odd number of bytes after the BOM") from None
            raise Undecodable(f"not valid {encoding.upper()} despite its BOM ({_bad_bytes(exc, len(bom))})") from None
    try:
        return _source(body.decode("utf-8"), "utf-8", b"")
    except UnicodeDecodeError as utf8_exc:
        first = _bad_bytes(utf8_exc, 0)
    try:
        return _source(body.decode(fallback), fallback, b"")
    except UnicodeDecodeError as exc:
        raise Undecodable(f"neither UTF-8 ({first}) nor {fallback} ({_bad_bytes(exc, 0)})") from None


def _line_of(text: str, index: int) -> int:
    # Count line breaks the way _newline_style does: CRLF, lone LF and lone CR each end a line.
    return 1 + text.count("\n", 0, index) + text.count("\r", 0, index) - text.count("\r\n", 0, index)


def encode(source: SourceText, text: str | None = None) -> bytes:
    """Bytes for ``text`` (default: the loaded text) in the file's own encoding and BOM."""
    if text is None:
        text = source.text
    try:
        return source.bom + text.encode(source.encoding)
    except UnicodeEncodeError as exc:
        char = text[exc.start]
        line = _line_of(text, exc.start)
        raise EncodeError(
            f"cannot write {char!r} (U+{ord(char):04X}) on line {line}: the file's encoding {source.encoding} lacks it",
            char,
            line,
            source.encoding,
        ) from None


def load(path: str | os.PathLike[str], fallback: str = "cp1252", max_bytes: int = 4_000_000) -> SourceText:
    """Read and decode a file; every failure is a LoadError with a one-line reason."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                raise TooLarge(f"file too large ({size:,} bytes, limit {max_bytes:,})")
            # Read one byte past the limit: the file may have grown since fstat.
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise FileMissing("file not found") from None
    except IsADirectoryError:
        raise Unreadable("is a folder, not a file") from None
    except PermissionError:
        # Windows reports opening a folder as "permission denied": say what it really is.
        raise Unreadable("is a folder, not a file" if path.is_dir() else "permission denied") from None
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise TooLarge(f"file too large (more than {max_bytes:,} bytes)")
    return decode(data, fallback)
