"""Baselines: the findings a legacy repository already has, so CI fails only on new ones.

A baseline stores fingerprints (rule, path, class and the finding's line text — not line numbers), so
edits elsewhere in a file do not invalidate it. Each stored fingerprint absorbs one finding.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from oqmigrate import __version__
from oqmigrate.checks import Finding

FORMAT = 1


class BaselineError(Exception):
    pass


def build(findings: list[Finding]) -> dict:
    return {
        "oqmigrate_baseline": FORMAT,
        "version": __version__,
        "findings": [
            {"fingerprint": f.fingerprint, "rule_id": f.rule_id, "path": f.rel, "symbol": f.symbol, "message": f.message}
            for f in findings
        ],
    }


def load(path: Path) -> Counter[str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BaselineError(f"baseline not found: {path}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BaselineError(f"cannot read baseline {path}: {e}") from None
    if not isinstance(data, dict) or data.get("oqmigrate_baseline") != FORMAT or not isinstance(data.get("findings"), list):
        raise BaselineError(f"not an oqmigrate baseline (format {FORMAT}): {path}")
    return Counter(str(f.get("fingerprint", "")) for f in data["findings"] if isinstance(f, dict))


def subtract(findings: list[Finding], known: Counter[str]) -> tuple[list[Finding], int]:
    """Findings not covered by the baseline, and how many were covered."""
    left = Counter(known)
    new, covered = [], 0
    for f in findings:
        if left[f.fingerprint] > 0:
            left[f.fingerprint] -= 1
            covered += 1
        else:
            new.append(f)
    return new, covered
