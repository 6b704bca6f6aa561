"""Patches from `diffing.file_diff` against real git: created, deleted, binary (UTF-16), CRLF, no final newline."""

import subprocess

import pytest

from gitrepo import git, make_repo
from oqmigrate.diffing import file_diff

CASES = {
    "crlf": (b"a\r\nb\r\nc\r\n", b"a\r\nB\r\nc\r\n"),
    "no final newline, both": (b"a\nb", b"a\nc"),
    "final newline added": (b"a\nb", b"a\nb\n"),
    "final newline removed": (b"a\nb\n", b"a\nb"),
    "mixed": (b"a\r\nb\nc\r\n", b"a\r\nb\nx\r\nc\r\n"),
    "cp1252 bytes": ("// café\nx\n".encode("cp1252"), "// café\ny\n".encode("cp1252")),
    "empty to text": (b"", b"x\n"),
    "far apart": (b"".join(b"%d\n" % i for i in range(100)), b"".join(b"%d\n" % (i if i not in (5, 80) else -i) for i in range(100))),
}


@pytest.mark.parametrize("old,new", CASES.values(), ids=CASES.keys())
def test_text_patch_applies_with_git_and_patch(tmp_path, old, new):
    repo = make_repo(tmp_path / "r", {"dir with space/F.cs": old})
    patch = tmp_path / "p.patch"
    patch.write_bytes(file_diff("dir with space/F.cs", old, new))
    assert git(repo, "apply", "--check", str(patch), check=False).returncode == 0, patch.read_bytes()
    dry = subprocess.run(["patch", "-p1", "--dry-run", "-i", str(patch)], cwd=repo, capture_output=True)
    assert dry.returncode == 0, dry.stdout
    git(repo, "apply", str(patch))
    assert (repo / "dir with space/F.cs").read_bytes() == new


def test_created_and_deleted_files(tmp_path):
    repo = make_repo(tmp_path / "r", {"Old.cs": b"class Old {}\n"})
    patch = tmp_path / "p.patch"
    patch.write_bytes(file_diff("New.cs", None, b"class New {}\n") + file_diff("Old.cs", b"class Old {}\n", None))
    text = patch.read_text()
    assert "new file mode 100644" in text and "deleted file mode 100644" in text and "/dev/null" in text
    git(repo, "apply", str(patch))
    assert (repo / "New.cs").read_bytes() == b"class New {}\n" and not (repo / "Old.cs").exists()


def test_utf16_file_gets_a_git_binary_patch(tmp_path):
    old = "\ufeffclass A {}\r\n".encode("utf-16-le")
    new = "\ufeffclass B {}\r\n".encode("utf-16-le")
    repo = make_repo(tmp_path / "r", {"U.cs": old})
    patch = tmp_path / "p.patch"
    patch.write_bytes(file_diff("U.cs", old, new, binary=True))
    assert b"GIT binary patch" in patch.read_bytes()
    git(repo, "apply", str(patch))
    assert (repo / "U.cs").read_bytes() == new


def test_equal_contents_give_no_diff():
    assert file_diff("F.cs", b"x\n", b"x\n") == b""
