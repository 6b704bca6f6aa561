"""CI integration as users meet it: the pre-commit hooks through `pre-commit try-repo`, the GitHub Action's own
shell commands, and the recipes of docs/ci.md, all on real git repositories and offline.

Installing oqmigrate the way pre-commit and the Action do needs its build backend and dependencies: the tests take
them from a local wheelhouse (`tests/ci/make_wheelhouse.sh DIR`, then OQMIGRATE_WHEELHOUSE=DIR) with
PIP_NO_INDEX=1, so they never reach the network.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, run_cli
from gitrepo import GIT_ENV, git, make_repo
from oqmigrate.catalog import REPOSITORY_FOLDER

SOLUTION = FIXTURES / "solutions" / "Acme.Module.Tasks"
WHEELHOUSE = os.environ.get("OQMIGRATE_WHEELHOUSE")
NO_WHEELHOUSE = ("no local wheelhouse: run tests/ci/make_wheelhouse.sh DIR and set OQMIGRATE_WHEELHOUSE=DIR "
                 "(installing oqmigrate offline needs hatchling and its dependencies)")
CLEAN_CS = b"namespace Acme { public class Clean { public int Two() { return 2; } } }\n"

try:
    import yaml
except ImportError:  # the Action test then runs the scan script the action calls
    yaml = None


def pre_commit() -> list[str] | None:
    exe = shutil.which("pre-commit")
    if exe:
        return [exe]
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "pre_commit"]


def offline_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment of an install from the wheelhouse only: no index, no user pip configuration, and
    oqmigrate imported from what was installed rather than from PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("PIP_")}
    env.update(GIT_ENV, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(WHEELHOUSE), PIP_CONFIG_FILE=os.devnull,
               PIP_DISABLE_PIP_VERSION_CHECK="1", PRE_COMMIT_HOME=str(tmp / "pre-commit-home"), **extra)
    return env


def hooks_repo(tmp: Path) -> Path:
    """A git repository holding what `pip install` of oqmigrate needs and the hooks manifest, at one commit."""
    dest = tmp / "oqmigrate-hooks"
    dest.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO / name, dest / name)
    for name in ("src", REPOSITORY_FOLDER):  # the rule catalog is force-included into the wheel
        shutil.copytree(REPO / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return make_repo(dest)


def try_repo(hooks: Path, hook: str, repo: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*pre_commit(), "try-repo", str(hooks), *([hook] if hook else []), "--verbose", *args], cwd=repo,
                          capture_output=True, text=True, env=env, timeout=900)


def pre_commit_run(repo: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*pre_commit(), "run", "--verbose", *args], cwd=repo, capture_output=True, text=True,
                          env=env, timeout=900)


def use_hooks(repo: Path, hooks: Path) -> None:
    """A .pre-commit-config.yaml as a user writes it, naming the hooks repository and a commit."""
    rev = git(hooks, "rev-parse", "HEAD").stdout.decode().strip()
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks}\n    rev: {rev}\n    hooks:\n      - id: oqmigrate\n      - id: oqmigrate-diff\n")
    git(repo, "add", ".pre-commit-config.yaml")


@pytest.mark.skipif(pre_commit() is None, reason="pre-commit is not installed (it is in the `test` extra)")
@pytest.mark.skipif(not WHEELHOUSE, reason=NO_WHEELHOUSE)
def test_pre_commit_hooks(tmp_path):
    hooks = hooks_repo(tmp_path)
    env = offline_env(tmp_path)
    sample = make_repo(tmp_path / "sample", copy_from=SOLUTION)

    # `pre-commit try-repo` (a fresh install each time it runs) with both hooks on the whole solution:
    # the scan hook fails and names the findings, the diff hook fails and shows the patch
    done = try_repo(hooks, "", sample, env, "--all-files")
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert re.search(r"oqmigrate scan\.+Failed", out) and re.search(r"oqmigrate diff \(check\)\.+Failed", out)
    assert "OQJ001" in out and "ReminderWorker" in out and "+using Oqtane.Infrastructure;" in out

    # installed in the repository's configuration: only the staged files are checked
    use_hooks(sample, hooks)
    git(sample, "commit", "-qm", "hooks")
    sweeper = sample / "Server" / "Jobs" / "TenantSweeper.cs"
    sweeper.write_bytes(sweeper.read_bytes() + b"\n")
    (sample / "Server" / "Clean.cs").write_bytes(CLEAN_CS)
    git(sample, "add", "Server/Jobs/TenantSweeper.cs", "Server/Clean.cs")
    done = pre_commit_run(sample, env)
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert re.search(r"oqmigrate scan\.+Failed", out) and "TenantSweeper" in out
    assert "ReminderWorker" not in out and "NightlyCleanup" not in out
    # unwrap-tenant-loop rewrites TenantSweeper's hand-written tenant loop: the diff hook shows it and fails
    assert re.search(r"oqmigrate diff \(check\)\.+Failed", out) and "b/Server/Jobs/TenantSweeper.cs" in out

    # both pass on a repository with nothing to report or migrate
    clean = make_repo(tmp_path / "clean", files={"Clean.cs": CLEAN_CS})
    use_hooks(clean, hooks)
    done = pre_commit_run(clean, env, "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"oqmigrate scan\.+Passed", done.stdout) and re.search(r"oqmigrate diff \(check\)\.+Passed", done.stdout)


# --- the GitHub Action ------------------------------------------------------------------------------

EXPRESSION = re.compile(r"\$\{\{\s*(.+?)\s*\}\}")


class ActionRun:
    """Runs the `run:` steps of action.yml the way a runner does (bash -e, the step's env, ${{ }} expressions
    resolved, $GITHUB_OUTPUT collected); `uses:` steps are recorded, not run (they are GitHub's own actions)."""

    def __init__(self, workdir: Path, tmp: Path, env: dict[str, str], inputs: dict[str, str]):
        self.workdir, self.tmp, self.env = workdir, tmp, env
        action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
        self.action = action
        self.inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
        self.inputs.update(inputs)
        self.outputs: dict[str, dict[str, str]] = {}
        self.used: list[str] = []

    def resolve(self, text: str) -> str:
        def one(m: re.Match) -> str:
            expr = m.group(1)
            if expr.startswith("inputs."):
                return self.inputs[expr.removeprefix("inputs.")]
            if expr.startswith("steps."):
                _, step, _, name = expr.split(".")
                return self.outputs.get(step, {}).get(name, "")
            raise AssertionError(f"expression the test does not know: {expr}")
        return EXPRESSION.sub(one, text)

    def condition(self, expr: str) -> bool:
        m = re.fullmatch(r"(\S+) (==|!=) '([^']*)'", expr.strip())
        assert m, f"condition the test does not know: {expr}"
        left = self.resolve("${{ " + m.group(1) + " }}")
        return (left == m.group(3)) == (m.group(2) == "==")

    def run(self) -> list[tuple[str, int]]:
        codes = []
        for step in self.action["runs"]["steps"]:
            if "if" in step and not self.condition(step["if"]):
                continue
            if "uses" in step:
                self.used.append(step["uses"])
                continue
            assert step["shell"] == "bash"
            output = self.tmp / f"output-{len(codes)}"
            output.write_text("")
            env = dict(self.env, GITHUB_ACTION_PATH=str(REPO), GITHUB_OUTPUT=str(output),
                       **{k: self.resolve(str(v)) for k, v in step.get("env", {}).items()})
            proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", self.resolve(step["run"])],
                                  cwd=self.workdir, env=env, capture_output=True, text=True, timeout=900)
            codes.append((step["name"], proc.returncode))
            if "id" in step:
                self.outputs[step["id"]] = dict(line.split("=", 1) for line in output.read_text().splitlines())
            if proc.returncode != 0:
                break
        return codes


def scan_script(workdir: Path, tmp: Path, env: dict[str, str], inputs: dict[str, str]) -> tuple[int, dict[str, str]]:
    """Without a YAML parser: the script the action's scan step calls, with the environment that step sets."""
    output = tmp / "scan-output"
    output.write_text("")
    names = {"paths": "OQMIGRATE_PATHS", "baseline": "OQMIGRATE_BASELINE", "fail-on": "OQMIGRATE_FAIL_ON",
             "sarif-file": "OQMIGRATE_SARIF"}
    step_env = dict(env, GITHUB_ACTION_PATH=str(REPO), GITHUB_OUTPUT=str(output),
                    **{names[k]: v for k, v in inputs.items() if k in names})
    proc = subprocess.run(["bash", str(REPO / "action" / "scan.sh")], cwd=workdir, env=step_env,
                          capture_output=True, text=True, timeout=600)
    return proc.returncode, dict(line.split("=", 1) for line in output.read_text().splitlines())


def current_env() -> dict[str, str]:
    """oqmigrate as this test session runs it, first on PATH."""
    return dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))


def sarif_results(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["runs"][0]["results"]


def test_action_scan_step(tmp_path):
    """The scan step: SARIF written, scan's exit code kept for the last step, a baseline honoured."""
    work = make_repo(tmp_path / "work", copy_from=SOLUTION)
    assert "bash \"$GITHUB_ACTION_PATH/action/scan.sh\"" in (REPO / "action.yml").read_text(encoding="utf-8")

    def scan(inputs: dict[str, str]) -> tuple[list[tuple[str, int]], dict[str, str]]:
        if yaml is None:
            code, outputs = scan_script(work, tmp_path, current_env(), inputs)
            return [("Scan", code)], outputs
        run = ActionRun(work, tmp_path, current_env(), {"upload": "false", **inputs})
        run.action["runs"]["steps"] = [s for s in run.action["runs"]["steps"] if s.get("name") != "Install oqmigrate"]
        codes = run.run()
        assert "github/codeql-action/upload-sarif@v3" not in run.used  # upload: false
        return codes, run.outputs["scan"]

    codes, outputs = scan({})
    assert codes[0] == ("Scan", 0) and outputs == {"exit-code": "0", "sarif-file": "oqmigrate.sarif"}
    assert len(sarif_results(work / "oqmigrate.sarif")) == 16

    codes, outputs = scan({"fail-on": "error", "sarif-file": "out/report.sarif", "paths": "Server"})
    assert codes[0] == ("Scan", 0) and outputs["exit-code"] == "1"  # the SARIF is written, the gate comes later
    if yaml is not None:
        assert codes[-1] == ("Fail on findings", 1)
    assert {r["ruleId"] for r in sarif_results(work / "out" / "report.sarif")} >= {"OQJ001", "OQJ014"}

    assert run_cli("baseline", ".", "--output", "known.json", cwd=work)[0] == 0
    codes, outputs = scan({"baseline": "known.json", "fail-on": "info"})
    assert codes[-1][1] == 0 and outputs["exit-code"] == "0" and sarif_results(work / "oqmigrate.sarif") == []

    codes, outputs = scan({"baseline": "missing.json"})
    assert codes[0] == ("Scan", 2) and outputs["exit-code"] == "2"  # a usage error fails at once


@pytest.mark.skipif(yaml is None, reason="no YAML parser (PyYAML comes with pre-commit) to read action.yml")
@pytest.mark.skipif(not WHEELHOUSE, reason=NO_WHEELHOUSE)
def test_action_installs_and_scans_in_a_fresh_environment(tmp_path):
    """Every shell step of the action in order, from a fresh Python (what actions/setup-python provides)."""
    work = make_repo(tmp_path / "work", copy_from=SOLUTION)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = offline_env(tmp_path)
    env["PATH"] = str(venv / "bin") + os.pathsep + env["PATH"]
    run = ActionRun(work, tmp_path, env, {"fail-on": "warning"})
    codes = run.run()
    assert codes == [("Install oqmigrate", 0), ("Scan", 0), ("Fail on findings", 1)]
    assert run.used == ["actions/setup-python@v5", "github/codeql-action/upload-sarif@v3"]
    assert (venv / "bin" / "oqmigrate").exists()
    assert len(sarif_results(work / "oqmigrate.sarif")) == 16


# --- docs/ci.md -------------------------------------------------------------------------------------

DOC = REPO / "docs" / "ci.md"


def code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def help_of(command: str) -> tuple[int, str, str]:
    return run_cli(command, "--help")


def test_docs_use_only_commands_and_options_that_exist():
    text = DOC.read_text(encoding="utf-8")
    commands = re.findall(r"(?<![\w/.-])oqmigrate ([a-z]+)((?: [^\s`|>]+)*)",
                          "\n".join(code_blocks("yaml") + code_blocks("sh")))
    assert commands, "docs/ci.md shows no oqmigrate command"
    helps: dict[str, str] = {}
    for command, args in commands:
        if command not in helps:
            code, out, err = help_of(command)
            assert code == 0, f"docs/ci.md uses `oqmigrate {command}`, which does not exist: {err}"
            helps[command] = out
        for option in re.findall(r"(?<!\S)(--[a-z-]+)", args):
            assert option in helps[command], f"`oqmigrate {command} {option}` in docs/ci.md: no such option"
    for hook in re.findall(r"- id: (\S+)", text):
        assert f"- id: {hook}" in (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert not re.search(r"https?://(?!docs\.github\.com|docs\.gitlab\.com|pre-commit\.com)", text), \
        "docs/ci.md links somewhere other than the tools' own documentation"


@pytest.mark.skipif(yaml is None, reason="no YAML parser (PyYAML comes with pre-commit)")
def test_docs_workflows_are_valid_yaml_and_use_the_action_inputs():
    action_inputs = set(yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))["inputs"])
    for block in code_blocks("yaml"):
        doc = yaml.safe_load(block)
        assert isinstance(doc, (dict, list))
        for job in (doc.get("jobs") or {}).values() if isinstance(doc, dict) else ():
            for step in job.get("steps", []):
                if "oqmigrate" in str(step.get("uses", "")):
                    assert set(step.get("with", {})) <= action_inputs


def test_gitlab_code_quality_conversion_from_the_docs(tmp_path):
    """The GitLab job turns `scan --format json` into a code-quality report: run its script as written."""
    script = next(b for b in code_blocks("python") if "gl-code-quality-report.json" in b)
    work = make_repo(tmp_path / "work", copy_from=SOLUTION)
    code, out, _ = run_cli("scan", ".", "--format", "json", "--fail-on", "never", "--output", "oqmigrate.json",
                           "--no-progress", cwd=work)
    assert code == 0
    subprocess.run([sys.executable, "-c", script], cwd=work, check=True, timeout=60)
    report = json.loads((work / "gl-code-quality-report.json").read_text(encoding="utf-8"))
    assert len(report) == 16
    first = report[0]
    assert set(first) >= {"description", "check_name", "fingerprint", "severity", "location"}
    assert first["severity"] in {"info", "minor", "major", "critical", "blocker"}
    assert (work / first["location"]["path"]).is_file() and first["location"]["lines"]["begin"] >= 1
    assert len({f["fingerprint"] for f in report}) == len(report)
