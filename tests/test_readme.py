"""The README's first two commands stay true: the preview runs on the bundled solution, the tests command is pytest."""

import re
import shlex

from conftest import REPO, run_cli


def readme_commands():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)```", text, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_first_command_installs_and_previews_the_bundled_solution():
    first = readme_commands()[0]
    parts = [shlex.split(p) for p in first.split("&&")]
    assert parts[0] == ["pip", "install", "."]
    steps = parts[1:]
    assert [s[:2] for s in steps] == [["oqmigrate", "scan"], ["oqmigrate", "diff"]]
    code, out, err = run_cli(*steps[0][1:], cwd=REPO)
    assert code == 0 and "OQJ001" in out, err
    code, out, err = run_cli(*steps[1][1:], cwd=REPO)
    assert code == 0 and out.startswith("diff --git") and "HostedServiceBase" in out, err  # --exit-zero: a newcomer sees success
    assert "oqmigrate apply" in err, "the preview says what to run next"


def test_second_command_runs_the_tests():
    assert readme_commands()[1] == "pip install '.[test]' && python -m pytest"
