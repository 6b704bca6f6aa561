"""fixtures/<codemod>/<case>.before.cs → <case>.after.cs, through the real CLI in a real git repository.

For every case: `diff --output` writes a patch that `git apply --check` (and, for text files,
`patch -p1 --dry-run`) accepts; `apply` writes exactly the `.after.cs` bytes (or leaves the file alone
when there is none); applying the patch with git reproduces exactly what `apply` wrote; a second `diff`
prints nothing and exits 0.
"""

import shutil
import subprocess

import pytest

from conftest import FIXTURES, run_cli
from gitrepo import git, make_repo
from oqmigrate.engine import CODEMODS


def cases():
    out = []
    for name in CODEMODS:
        for before in sorted((FIXTURES / name).glob("*.before.cs")):
            case = before.name[: -len(".before.cs")]
            out.append(pytest.param(name, before, id=f"{name}/{case}"))
    return out


@pytest.mark.parametrize("codemod,before", cases())
def test_fixture_through_cli(tmp_path, codemod, before):
    after = before.with_name(before.name.replace(".before.cs", ".after.cs"))
    repo = make_repo(tmp_path / "repo", {"Case.cs": before.read_bytes()})
    patch = tmp_path / "change.patch"

    code, out, err = run_cli("diff", "Case.cs", "--codemod", codemod, "--output", patch, cwd=repo)
    assert "Traceback" not in err
    if not after.exists():
        assert code == 0, err
        assert patch.read_bytes() == b""
        code, _, err = run_cli("apply", "Case.cs", "--codemod", codemod, cwd=repo)
        assert code == 0, err
        assert (repo / "Case.cs").read_bytes() == before.read_bytes()
        return

    assert code == 1, err
    assert git(repo, "apply", "--check", str(patch), check=False).returncode == 0, patch.read_text("latin-1")
    if b"GIT binary patch" not in patch.read_bytes() and shutil.which("patch"):
        dry = subprocess.run(["patch", "-p1", "--dry-run", "-i", str(patch)], cwd=repo, capture_output=True)
        assert dry.returncode == 0, dry.stdout + dry.stderr

    code, _, err = run_cli("apply", "Case.cs", "--codemod", codemod, cwd=repo)
    assert code == 0, err
    written = (repo / "Case.cs").read_bytes()
    assert written == after.read_bytes()

    git(repo, "checkout", "--", "Case.cs")
    git(repo, "apply", str(patch))
    assert (repo / "Case.cs").read_bytes() == written

    code, out, err = run_cli("diff", "Case.cs", "--codemod", codemod, cwd=repo)
    assert (code, out) == (0, ""), err


@pytest.mark.parametrize("after", sorted((FIXTURES / "migrate-worker").glob("*.after.cs")),
                         ids=lambda p: f"migrate-worker/{p.name[:-len('.after.cs')]}")
def test_migrated_code_scans_clean(after):
    """After migration `scan` reports nothing above info for the migrated classes."""
    from oqmigrate.catalog import all_rule_ids
    from oqmigrate.scanner import scan
    from oqmigrate.workspace import discover

    result = scan(discover([after]), all_rule_ids(), jobs=1)
    assert [(f.rule_id, f.line, f.message) for f in result.findings if f.severity != "info"] == []
