"""Findings for tools and CI: `json` (the documented contract), `github` (workflow-command annotations),
`junit` (one test case per rule per file, for CI dashboards) and `markdown` (a pull-request comment)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from xml.etree import ElementTree as ET

from oqmigrate import __version__
from oqmigrate.catalog import SEVERITIES
from oqmigrate.findings import Finding
from oqmigrate.formats import ScanView
from oqmigrate.formats.human import plural, summary_line

GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def to_json(view: ScanView, lazy: bool = False) -> dict:
    """The documented JSON report. `lazy`: the findings as an iterator of their JSON objects, made one at a time
    while `iter_dumps` writes them (a report of many findings never holds them all as dicts)."""
    findings = map(Finding.to_json, view.findings) if lazy else [f.to_json() for f in view.findings]
    return {
        "tool": {"name": "oqmigrate", "version": __version__},
        "root": str(view.root),
        "files_scanned": view.files_scanned,
        "findings": findings,
        "errors": [{"path": rel, "message": msg} for rel, msg in view.errors],
        "skipped": [{"path": rel, "reason": why} for rel, why in view.skipped],
        "projects": list(view.projects),
        "notices": list(view.notices),
    }


def dumps(obj: dict) -> str:
    """`json.dumps(obj, indent=2, ensure_ascii=False)` and a newline, character for character, in a fraction of
    the time: the standard library encodes indented JSON in pure Python, one generator per nesting level; here
    strings go through its C escaper and the layout is written directly."""
    return "".join(iter_dumps(obj))


def iter_dumps(obj) -> Iterator[str]:
    """The text of `dumps(obj)` in pieces — one per element of the top-level object and of the lists in it — to be
    written as they come: a large report is never one string. An iterator (`to_json(view, lazy=True)`'s findings)
    is written as a list."""
    if not isinstance(obj, dict) or not obj:
        yield _encode(obj, "\n") + "\n"
        return
    sep = "{\n  "
    for k, v in obj.items():
        yield f"{sep}{_key(k)}: "
        if isinstance(v, (list, tuple, Iterator)):
            opened = False
            for item in v:
                yield ("[\n    " if not opened else ",\n    ") + _encode(item, "\n    ")
                opened = True
            yield "\n  ]" if opened else "[]"
        else:
            yield _encode(v, "\n  ")
        sep = ",\n  "
    yield "\n}\n"


_escape = json.encoder.encode_basestring  # the C implementation when available, as json.dumps uses it


def _scalar(o) -> str | None:
    if isinstance(o, str):
        return _escape(o)
    if o is None:
        return "null"
    if o is True:
        return "true"
    if o is False:
        return "false"
    if isinstance(o, int):
        return int.__repr__(o)
    if isinstance(o, float):
        if o != o:
            return "NaN"
        if o in (float("inf"), float("-inf")):
            return "Infinity" if o > 0 else "-Infinity"
        return float.__repr__(o)
    return None


def _key(k) -> str:
    if isinstance(k, str):
        return _escape(k)
    if isinstance(k, (bool, int, float)) or k is None:  # written as a string, as json.dumps does
        return _escape(_scalar(k))
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(k).__name__}")


def _encode(o, newline: str) -> str:
    """`newline`: a newline and the indentation of the line `o` starts on."""
    text = _scalar(o)
    if text is not None:
        return text
    inner = newline + "  "
    if isinstance(o, dict):
        if not o:
            return "{}"
        return "{" + inner + ("," + inner).join(f"{_key(k)}: {_encode(v, inner)}" for k, v in o.items()) + newline + "}"
    if isinstance(o, (list, tuple)):
        if not o:
            return "[]"
        return "[" + inner + ("," + inner).join(_encode(v, inner) for v in o) + newline + "]"
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def to_github(view: ScanView) -> str:
    """GitHub Actions workflow commands: one annotation per finding, paths relative to the current directory
    (the workspace a workflow runs in)."""
    lines = []
    for f in view.findings:
        props = (f"file={_gh_property(view.display(f.rel))},line={f.line},col={f.column},endLine={f.end_line},"
                 f"endColumn={f.end_column},title={_gh_property(f'{f.rule_id} {f.rule_name}')}")
        fix = " [*] fixable with oqmigrate apply" if f.fixable else ""
        lines.append(f"::{GITHUB_LEVEL[f.severity]} {props}::{_gh_data(f.message + fix)}")
    for rel, msg in view.errors:
        lines.append(f"::error file={_gh_property(view.display(rel))}::{_gh_data(msg)}")
    return "".join(line + "\n" for line in lines)


def to_junit(view: ScanView) -> str:
    """One failing test case per rule per file; a passing case when nothing is found, so the suite is never
    empty. File errors are test errors."""
    cases = defaultdict(list)
    for f in view.findings:
        cases[(view.display(f.rel), f.rule_id, f.rule_name)].append(f)
    suite = ET.Element("testsuite", name="oqmigrate", tests=str(max(1, len(cases) + len(view.errors))),
                       failures=str(len(cases)), errors=str(len(view.errors)))
    for (path, rule_id, name), items in sorted(cases.items()):
        case = ET.SubElement(suite, "testcase", classname=path, name=f"{rule_id} {name}")
        failure = ET.SubElement(case, "failure", message=f"{plural(len(items), 'finding')} of {rule_id}",
                                type=max((f.severity for f in items), key=lambda s: -SEVERITIES.index(s)))
        failure.text = "\n".join(f"{path}:{f.line}:{f.column}: {f.message}" for f in items)
    for rel, msg in view.errors:
        case = ET.SubElement(suite, "testcase", classname=view.display(rel), name="read and parse")
        ET.SubElement(case, "error", message=msg)
    if not cases and not view.errors:
        ET.SubElement(suite, "testcase", classname="oqmigrate", name=f"scan of {view.files_scanned} files")
    root = ET.Element("testsuites", name="oqmigrate")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(view: ScanView) -> str:
    findings = view.findings
    counts = Counter(f.severity for f in findings)
    lines = ["## oqmigrate scan", "",
             f"{summary_line(view.files_scanned, findings, view.errors)}.", "",
             "| severity | findings |", "| --- | ---: |"]
    lines += [f"| {s} | {counts.get(s, 0)} |" for s in SEVERITIES]
    by_rule = Counter((f.rule_id, f.rule_name) for f in findings)
    if by_rule:
        lines += ["", "| rule | findings | fixable |", "| --- | ---: | ---: |"]
        fixable = Counter(f.rule_id for f in findings if f.fixable)
        lines += [f"| `{rid}` {name} | {n} | {fixable[rid]} |" for (rid, name), n in sorted(by_rule.items())]
    groups: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for f in findings:
        groups[f.project or "(no project)"][f.rel].append(f)
    for project, files in sorted(groups.items()):
        lines += ["", f"### {project}"]
        for rel, items in sorted(files.items()):
            lines += ["", f"**`{rel}`**", "", "| line | rule | severity | symbol | message |",
                      "| ---: | --- | --- | --- | --- |"]
            lines += [f"| {f.line} | `{f.rule_id}` {f.rule_name} | {f.severity} | {'`' + f.symbol + '`' if f.symbol else ''} "
                      f"| {_md_escape(f.message)}{' [*]' if f.fixable else ''} |" for f in items]
    if view.errors:
        lines += ["", "### Files that could not be fully scanned", ""]
        lines += [f"- `{rel}`: {_md_escape(msg)}" for rel, msg in view.errors]
    return "\n".join(lines) + "\n"
