"""Every registered codemod (the opt-in persist-state too) over the bundled example solution, through the real
CLI in a real git repository: a second run changes nothing, and what is left is the state that carries
information between runs — TenantSweeper's static `_lastRun` gate — reported with what it really does."""

from __future__ import annotations

import json

from conftest import FIXTURES, run_cli
from gitrepo import make_repo
from oqmigrate.transforms.registry import CODEMODS

SOLUTION = FIXTURES / "solutions" / "Acme.Module.Tasks"


def test_all_codemods_twice_over_the_bundled_solution(tmp_path):
    repo = make_repo(tmp_path / "r", copy_from=SOLUTION)
    every = ",".join(CODEMODS)
    code, out, err = run_cli("apply", ".", "--codemod", every, "--no-progress", cwd=repo)
    assert code == 0, err
    assert "'_lastRun' is a last-run gate" in out + err
    assert "TenantSweeper" in out + err and "0 failed" in out + err
    sweeper = (repo / "Server" / "Jobs" / "TenantSweeper.cs").read_text()
    assert "GetTenants" not in sweeper and "SetTenant" not in sweeper
    assert "provider.GetRequiredService<ITenantManager>().GetTenant()" in sweeper
    assert "private static Dictionary<int, DateTime> _lastRun" in sweeper  # never deleted

    code, out, err = run_cli("diff", ".", "--codemod", every, "--no-progress", cwd=repo)
    assert (code, out.count("diff --git")) == (0, 0), out + err

    code, out, _ = run_cli("scan", ".", "--format", "json", "--no-progress", cwd=repo)
    left = [(f["symbol"], f["rule_id"]) for f in json.loads(out)["findings"] if f["severity"] != "info"]
    assert left == [("TenantSweeper", "OQJ004")]
