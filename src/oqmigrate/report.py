"""report: findings as text (rich), JSON, SARIF 2.1.0 and Markdown."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Iterable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from oqmigrate import __version__
from oqmigrate.catalog import SEVERITIES, SUPPRESSION_RULE, Rule, load_catalog, playbook_reference, project_urls
from oqmigrate.checks import Finding

SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def summary_line(files_scanned: int, findings: list[Finding], errors: list, baselined: int = 0) -> str:
    counts = Counter(f.severity for f in findings)
    parts = [f"{counts.get(s, 0)} {s}{'s' if counts.get(s, 0) != 1 and s != 'info' else ''}" for s in SEVERITIES]
    text = f"{len(findings)} finding{'s' if len(findings) != 1 else ''} ({', '.join(parts)}) in {files_scanned} files"
    if baselined:
        text += f"; {baselined} known from the baseline"
    if errors:
        text += f"; {len(errors)} file error{'s' if len(errors) != 1 else ''}"
    return text


def _grouped(findings: Iterable[Finding]) -> dict[str, dict[str, list[Finding]]]:
    groups: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        groups[f.project or "(no project)"][f.rel].append(f)
    return groups


def render_text(console: Console, findings: list[Finding], errors: list[tuple[str, str]]) -> None:
    for project, files in sorted(_grouped(findings).items()):
        console.print(Text(project, style="bold"))
        for rel, items in sorted(files.items()):
            table = Table(title=rel, title_justify="left", show_edge=False, pad_edge=False, expand=False)
            table.add_column("line", justify="right")
            table.add_column("rule")
            table.add_column("severity")
            table.add_column("symbol")
            table.add_column("message", overflow="fold")
            for f in items:
                table.add_row(str(f.line), f.rule_id, Text(f.severity, style=SEVERITY_STYLE[f.severity]),
                              f.symbol, f.message)
            console.print(table)
        console.print()
    if errors:
        console.print(Text("File errors", style="bold red"))
        for rel, msg in errors:
            console.print(f"  {rel}: {msg}", markup=False, highlight=False)


def to_json(root: str, files_scanned: int, findings: list[Finding], errors: list[tuple[str, str]],
            skipped: list[tuple[str, str]] = ()) -> dict:
    return {
        "tool": {"name": "oqmigrate", "version": __version__},
        "root": root,
        "files_scanned": files_scanned,
        "findings": [f.to_json() for f in findings],
        "errors": [{"path": rel, "message": msg} for rel, msg in errors],
        "skipped": [{"path": rel, "reason": why} for rel, why in skipped],
    }


def _rule_descriptor(rule: Rule) -> dict:
    playbook = f"Playbook: {playbook_reference(rule)}\n\n" if rule.playbook_section else ""
    markdown = (
        f"**{rule.summary}**\n\n{rule.rationale.strip()}\n\n{playbook}"
        f"Fix: {rule.fix.strip()}\n\nNoncompliant:\n\n```csharp\n{rule.noncompliant.strip()}\n```\n\n"
        f"Compliant:\n\n```csharp\n{rule.compliant.strip()}\n```\n"
    )
    descriptor = {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.rationale.strip()},
        "help": {"text": f"{rule.rationale.strip()}\n\nFix: {rule.fix.strip()}", "markdown": markdown},
        "defaultConfiguration": {"level": SARIF_LEVEL[rule.severity]},
        "properties": {"tags": ["oqtane", "scheduled-jobs"], "codemod": rule.codemod, "fixable": rule.fixable},
    }
    if rule.help_uri:  # only when the project's Repository URL is configured (pyproject.toml [project.urls])
        descriptor["helpUri"] = rule.help_uri
    return descriptor


def _driver(rules: list[dict]) -> dict:
    driver = {"name": "oqmigrate", "version": __version__, "rules": rules}
    homepage = project_urls().get("Homepage")  # pyproject.toml [project.urls], unset until publication
    if homepage:
        driver["informationUri"] = homepage
    return driver


def to_sarif(root: str, findings: list[Finding], errors: list[tuple[str, str]]) -> dict:
    catalog = load_catalog()
    rules = [_rule_descriptor(r) for r in (*catalog.values(), SUPPRESSION_RULE)]
    index = {r["id"]: i for i, r in enumerate(rules)}
    results = []
    for f in findings:
        result = {
            "ruleId": f.rule_id,
            "ruleIndex": index[f.rule_id],
            "level": SARIF_LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": f.rel, "uriBaseId": "SRCROOT"},
                    "region": {"startLine": f.line, "startColumn": f.column, "endLine": f.end_line, "endColumn": f.end_column},
                },
            }],
            "partialFingerprints": {"oqmigrate/v1": f.fingerprint},
        }
        if f.symbol:
            result["locations"][0]["logicalLocations"] = [{"name": f.symbol, "kind": "type"}]
        results.append(result)
    root_uri = "file://" + (root if root.startswith("/") else "/" + root.replace("\\", "/"))
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": _driver(rules)},
            "originalUriBaseIds": {"SRCROOT": {"uri": root_uri.rstrip("/") + "/"}},
            "invocations": [{
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"level": "error", "message": {"text": msg},
                     "locations": [{"physicalLocation": {"artifactLocation": {"uri": rel, "uriBaseId": "SRCROOT"}}}]}
                    for rel, msg in errors
                ],
            }],
            "results": results,
        }],
    }


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(root: str, files_scanned: int, findings: list[Finding], errors: list[tuple[str, str]]) -> str:
    counts = Counter(f.severity for f in findings)
    lines = ["## oqmigrate scan", "",
             f"{summary_line(files_scanned, findings, errors)}.", "",
             "| severity | findings |", "| --- | ---: |"]
    lines += [f"| {s} | {counts.get(s, 0)} |" for s in SEVERITIES]
    by_rule = Counter((f.rule_id, f.rule_name) for f in findings)
    if by_rule:
        lines += ["", "| rule | findings |", "| --- | ---: |"]
        lines += [f"| `{rid}` {name} | {n} |" for (rid, name), n in sorted(by_rule.items())]
    for project, files in sorted(_grouped(findings).items()):
        lines += ["", f"### {project}"]
        for rel, items in sorted(files.items()):
            lines += ["", f"**`{rel}`**", "", "| line | rule | severity | symbol | message |", "| ---: | --- | --- | --- | --- |"]
            lines += [f"| {f.line} | `{f.rule_id}` {f.rule_name} | {f.severity} | `{f.symbol}` | {_md_escape(f.message)} |"
                      if f.symbol else
                      f"| {f.line} | `{f.rule_id}` {f.rule_name} | {f.severity} |  | {_md_escape(f.message)} |"
                      for f in items]
    if errors:
        lines += ["", "### Files that could not be fully scanned", ""]
        lines += [f"- `{rel}`: {_md_escape(msg)}" for rel, msg in errors]
    return "\n".join(lines) + "\n"


def dumps(obj: dict) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"
