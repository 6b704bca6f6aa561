"""diff: unified diffs of byte contents that `git apply` and `patch -p1` accept.

Lines are compared as bytes with their own line endings, so CRLF files stay CRLF in the patch and a
legacy-encoded file's bytes pass through untouched. A last line without a newline gets the
`\\ No newline at end of file` marker. UTF-16 files cannot be expressed as a text patch; they get a
git binary patch (git apply only).
"""

from __future__ import annotations

import difflib
import hashlib
import zlib

NO_NEWLINE = b"\\ No newline at end of file\n"
CONTEXT = 3


def _lines(data: bytes) -> list[bytes]:
    return data.splitlines(keepends=True)


def _range(start: int, count: int) -> str:
    # unified diff convention: an empty range names the line before it
    if count == 0:
        return f"{start},0"
    return f"{start + 1}" if count == 1 else f"{start + 1},{count}"


def _emit(out: list[bytes], prefix: bytes, line: bytes) -> None:
    out.append(prefix + line)
    if not line.endswith(b"\n"):
        out.append(b"\n" + NO_NEWLINE)


def _hunks(old: list[bytes], new: list[bytes]) -> list[bytes]:
    out: list[bytes] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for group in matcher.get_grouped_opcodes(CONTEXT):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append(f"@@ -{_range(i1, i2 - i1)} +{_range(j1, j2 - j1)} @@\n".encode())
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                for line in old[a1:a2]:
                    _emit(out, b" ", line)
                continue
            for line in old[a1:a2]:
                _emit(out, b"-", line)
            for line in new[b1:b2]:
                _emit(out, b"+", line)
    return out


def _quote(path: str) -> str:
    if any(c in path for c in '"\\\t\n') or not path.isprintable():
        return '"' + path.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n") + '"'
    return path


def _blob_id(data: bytes | None) -> str:
    if data is None:
        return "0" * 40
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _binary_literal(data: bytes) -> list[bytes]:
    """git's base85 'literal' block for `data`."""
    packed = zlib.compress(data)
    out = [b"literal %d\n" % len(data)]
    for i in range(0, len(packed), 52):
        chunk = packed[i:i + 52]
        n = len(chunk)
        prefix = bytes([ord("A") + n - 1]) if n <= 26 else bytes([ord("a") + n - 27])
        padded = chunk + b"\0" * (-n % 4)
        out.append(prefix + _git_b85(padded) + b"\n")
    out.append(b"\n")
    return out


_GIT_B85 = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~"


def _git_b85(data: bytes) -> bytes:
    out = bytearray()
    for i in range(0, len(data), 4):
        acc = int.from_bytes(data[i:i + 4], "big")
        chars = bytearray()
        for _ in range(5):
            acc, r = divmod(acc, 85)
            chars.append(_GIT_B85[r])
        out += bytes(reversed(chars))
    return bytes(out)


def file_diff(path: str, old: bytes | None, new: bytes | None, mode: int = 0o100644, binary: bool = False) -> bytes:
    """A git-style diff for one file; `old` None = created, `new` None = deleted. Empty when equal."""
    if old == new:
        return b""
    a, b = _quote("a/" + path), _quote("b/" + path)
    header = [f"diff --git {a} {b}\n".encode()]
    if old is None:
        header.append(f"new file mode {mode:o}\n".encode())
    elif new is None:
        header.append(f"deleted file mode {mode:o}\n".encode())
    if binary:
        header.append(f"index {_blob_id(old)}..{_blob_id(new)}".encode() + (b"\n" if old is None or new is None else f" {mode:o}\n".encode()))
        header.append(b"GIT binary patch\n")
        return b"".join(header + _binary_literal(new or b"") + _binary_literal(old or b""))
    # Like git: a trailing tab ends a name with spaces, so that `patch` reads the whole name.
    tab = "\t" if " " in path else ""
    header.append(f"--- {a + tab if old is not None else '/dev/null'}\n".encode())
    header.append(f"+++ {b + tab if new is not None else '/dev/null'}\n".encode())
    return b"".join(header + _hunks(_lines(old or b""), _lines(new or b"")))
