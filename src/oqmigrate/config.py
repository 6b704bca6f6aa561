"""Project configuration: `oqmigrate.toml` (or `.oqmigrate.toml`) next to the code.

Looked up from the scan root upwards, stopping at the git work-tree root; `--config FILE` names one
explicitly. Command-line options win over the file.

    select = ["OQJ001", "OQJ002"]        # rule ids or names; default: all
    ignore = ["custom-logging"]
    fail-on = "error"                    # error | warning | info | never
    baseline = "oqmigrate-baseline.json" # relative to the config file
    exclude = ["legacy/**", "**/*.Tests/**"]   # .gitignore-style patterns, relative to the config file
    legacy-encoding = "cp1252"           # codec for files that are not UTF-8/UTF-16
    oqtane-version = "4.0.2"             # the Oqtane version to emit code for (default: found per project)

    [severity]                           # per-rule severity overrides
    OQJ015 = "warning"
"""

from __future__ import annotations

import codecs
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from oqmigrate.catalog import SEVERITIES, UnknownRuleError, resolve_rule_ids
from oqmigrate.workspace import Workspace

CONFIG_NAMES = ("oqmigrate.toml", ".oqmigrate.toml")
KEYS = {"select", "ignore", "fail-on", "baseline", "exclude", "legacy-encoding", "oqtane-version", "severity"}


class ConfigError(Exception):
    pass


@dataclass
class Config:
    path: Path | None = None
    select: str | None = None
    ignore: str | None = None
    fail_on: str | None = None
    baseline: Path | None = None
    exclude: list[str] = field(default_factory=list)
    legacy_encoding: str = "cp1252"
    oqtane_version: str | None = None
    severity: dict[str, str] = field(default_factory=dict)


def find_config(start: Path) -> Path | None:
    folder = start.resolve()
    while True:
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
        if (folder / ".git").exists() or folder.parent == folder:
            return None
        folder = folder.parent


def _rule_list(value, key: str, path: Path) -> str:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{path}: '{key}' must be a list of rule ids or names")
    spec = ",".join(value)
    try:
        resolve_rule_ids(spec)
    except UnknownRuleError as e:
        raise ConfigError(f"{path}: {e}") from None
    return spec


def load_config(root: Path, explicit: Path | None = None) -> Config:
    path = explicit if explicit is not None else find_config(root)
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config not found: {path}") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot read config {path}: {e}") from None
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown key '{unknown[0]}' (known: {', '.join(sorted(KEYS))})")
    cfg = Config(path=path)
    if "select" in data:
        cfg.select = _rule_list(data["select"], "select", path)
    if "ignore" in data:
        cfg.ignore = _rule_list(data["ignore"], "ignore", path)
    if "fail-on" in data:
        if data["fail-on"] not in (*SEVERITIES, "never"):
            raise ConfigError(f"{path}: 'fail-on' must be one of error, warning, info, never")
        cfg.fail_on = data["fail-on"]
    if "baseline" in data:
        if not isinstance(data["baseline"], str):
            raise ConfigError(f"{path}: 'baseline' must be a path")
        cfg.baseline = path.parent / data["baseline"]
    if "exclude" in data:
        if not isinstance(data["exclude"], list) or not all(isinstance(v, str) for v in data["exclude"]):
            raise ConfigError(f"{path}: 'exclude' must be a list of patterns")
        cfg.exclude = data["exclude"]
    if "legacy-encoding" in data:
        try:
            # a text codec: rot13, hex and friends are codecs but not encodings
            if not getattr(codecs.lookup(str(data["legacy-encoding"])), "_is_text_encoding", True):
                raise LookupError
            "x".encode(str(data["legacy-encoding"]))
        except (LookupError, ValueError):
            raise ConfigError(f"{path}: unknown encoding '{data['legacy-encoding']}'") from None
        cfg.legacy_encoding = str(data["legacy-encoding"])
    if "oqtane-version" in data:
        value = str(data["oqtane-version"])
        if not re.fullmatch(r"v?\d+\.\d+(\.\d+)?", value.strip()):
            raise ConfigError(f"{path}: 'oqtane-version' must be a version like \"4.0.2\"")
        cfg.oqtane_version = value.strip()
    severity = data.get("severity", {})
    if not isinstance(severity, dict):
        raise ConfigError(f"{path}: [severity] must be a table of RULE_ID = \"error|warning|info\"")
    for rule, level in severity.items():
        try:
            ids = resolve_rule_ids(rule)
        except UnknownRuleError as e:
            raise ConfigError(f"{path}: {e}") from None
        if level not in SEVERITIES:
            raise ConfigError(f"{path}: severity of {rule} must be one of error, warning, info")
        for rid in ids:
            cfg.severity[rid] = level
    return cfg


def apply_exclude(ws: Workspace, cfg: Config) -> Workspace:
    """Drop the files the config excludes (patterns relative to the config file's folder)."""
    if not cfg.exclude or cfg.path is None:
        return ws
    spec = pathspec.GitIgnoreSpec.from_lines(cfg.exclude)
    base = cfg.path.parent.resolve()
    kept, excluded = [], []
    for f in ws.files:
        try:
            rel = f.path.resolve().relative_to(base).as_posix()
        except ValueError:
            kept.append(f)
            continue
        (excluded if spec.match_file(rel) else kept).append(f)
    ws.files = kept
    ws.skipped = sorted(ws.skipped + [(f.rel, "excluded by " + cfg.path.name) for f in excluded])
    return ws
