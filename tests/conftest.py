import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"


def run_cli(*args, cwd=None, input=None, env=None):
    """The real CLI in a subprocess: (exit code, stdout, stderr)."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "oqmigrate", *map(str, args)], cwd=cwd, input=input,
                          capture_output=True, text=True, errors="replace", env=full_env, timeout=300)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def cli():
    return run_cli
