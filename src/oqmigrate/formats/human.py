"""Findings for people: `concise` (one clickable `path:line:col: OQJ001 [*] message` line each, greppable, the
default when stdout is not a terminal), `full` (grouped by project and file, messages wrapped to the terminal's
width, the default on a terminal), the closing summary line and `--statistics`."""

from __future__ import annotations

import textwrap
from collections import Counter, defaultdict

from rich.console import Console
from rich.text import Text

from oqmigrate.catalog import SEVERITIES
from oqmigrate.checks import Finding
from oqmigrate.formats import ScanView

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
FIX_MARK = "[*]"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def concise(view: ScanView, console: Console) -> None:
    for f in view.findings:
        line = Text(f"{view.display(f.rel)}:{f.line}:{f.column}: ", style="bold")
        line.append(f.rule_id, style=SEVERITY_STYLE[f.severity])
        line.append(f" {FIX_MARK} " if f.fixable else " ")
        line.append(f.message)
        console.print(line, soft_wrap=True, highlight=False)
    for rel, msg in view.errors:
        console.print(Text(f"{view.display(rel)}: error: {msg}"), soft_wrap=True, highlight=False)


def full(view: ScanView, console: Console) -> None:
    width = max(40, min(console.width, 120))
    groups: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for f in view.findings:
        groups[f.project or "(no project)"][f.rel].append(f)
    versions = {p["name"]: p.get("oqtane_version") for p in view.projects}
    for project, files in sorted(groups.items()):
        header = Text(project, style="bold underline")
        if versions.get(project):
            header.append(f"  Oqtane {versions[project]['version']} ({versions[project]['detail']})", style="dim")
        console.print(header, highlight=False, soft_wrap=True)
        for rel, items in sorted(files.items()):
            console.print(Text(view.display(rel), style="bold"), highlight=False)
            for f in items:
                head = Text(f"  {f.line}:{f.column} ")
                head.append(f.rule_id, style=SEVERITY_STYLE[f.severity])
                head.append(f" {f.severity}")
                head.append(f" {FIX_MARK}" if f.fixable else "")
                head.append(f" {f.symbol}" if f.symbol else "", style="bold")
                console.print(head, highlight=False, soft_wrap=True)
                for part in textwrap.wrap(f.message, width - 6) or [""]:
                    console.print(Text("      " + part), highlight=False, soft_wrap=True)
                if not f.fixable and f.fix_blocker and f.rule_id != "OQJ000":
                    for i, part in enumerate(textwrap.wrap("not fixable: " + f.fix_blocker, width - 6)):
                        console.print(Text("      " + part, style="dim"), highlight=False, soft_wrap=True)
        console.print()
    if view.errors:
        console.print(Text("File errors", style="bold red"), highlight=False)
        for rel, msg in view.errors:
            console.print(Text(f"  {view.display(rel)}: {msg}"), highlight=False, soft_wrap=True)


def summary_line(files_scanned: int, findings: list[Finding], errors: list, baselined: int = 0) -> str:
    counts = Counter(f.severity for f in findings)
    parts = [f"{counts.get(s, 0)} {s}{'s' if counts.get(s, 0) != 1 and s != 'info' else ''}" for s in SEVERITIES]
    text = f"{plural(len(findings), 'finding')} ({', '.join(parts)}) in {plural(files_scanned, 'file')}"
    fixable = sum(1 for f in findings if f.fixable)
    if fixable:
        text += f"; {fixable} fixable with `oqmigrate apply` ({FIX_MARK})"
    if baselined:
        text += f"; {baselined} known from the baseline"
    if errors:
        text += f"; {plural(len(errors), 'file error')}"
    return text


def statistics(view: ScanView, console: Console) -> None:
    """Counts per rule, most frequent first, like `ruff --statistics` (instead of the findings)."""
    findings = view.findings
    by_rule = Counter((f.rule_id, f.rule_name) for f in findings)
    fixable = Counter(f.rule_id for f in findings if f.fixable)
    for (rule_id, name), n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        mark = f"{FIX_MARK} {fixable[rule_id]} fixable" if fixable[rule_id] else ""
        console.print(Text(f"{n:>5}  {rule_id}  {name:<28} {mark}".rstrip()), highlight=False, soft_wrap=True)
