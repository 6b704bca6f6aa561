"""review: one self-contained HTML page for reviewing a whole migration.

`render_html(data)` turns plain data (findings as `Finding.to_json()` dicts, pending changes as old/new file
texts with their review notes, the follow-ups left for a person) into a page that needs nothing but a browser:
no network, inline CSS and JavaScript only, so it works when opened from a file or attached to a ticket.
Everything that comes from the scanned code (class names, paths, messages, source lines) is HTML-escaped.
Side-by-side diffs come from `difflib.SequenceMatcher`; the filters are plain JavaScript over `data-*`
attributes and read `?rule=…&project=…` or `#rule=…&project=…` on load.
"""

from __future__ import annotations

import difflib
import html
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Optional

CONTEXT_LINES = 3
SIMILAR = 0.6  # lines at least this alike get their differing characters marked
NO_PROJECT = "(no project)"
NONE = '<p class="none muted" hidden>Nothing here for this filter.</p>'  # shown by the script


@dataclass(frozen=True)
class FileChange:
    """One file of a pending change: its path (relative, as the user sees it) and its text before and after."""

    path: str
    old_text: str
    new_text: str


@dataclass
class Change:
    """One pending changeset: the classes it migrates, its files, what a reviewer should check, and the
    findings it resolves or leaves in its files (as `Finding.to_json()` dicts)."""

    symbols: list[str]
    files: list[FileChange]
    notes: list[str] = field(default_factory=list)
    resolves: list[dict] = field(default_factory=list)
    remaining: list[dict] = field(default_factory=list)
    command: str = ""


@dataclass
class FollowUp:
    """A class the codemods leave for a person, with their reasons and the findings it keeps."""

    symbol: str
    path: str
    line: int
    reasons: list[str]
    findings: list[dict] = field(default_factory=list)


@dataclass
class ReviewData:
    title: str
    findings: list[dict]
    changes: list[Change] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    untouched: list[dict] = field(default_factory=list)  # findings no codemod addresses (fix by hand)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, message): files not fully read
    rule_names: dict[str, str] = field(default_factory=dict)  # rule id -> name
    projects: dict[str, str] = field(default_factory=dict)  # path -> project name, for files without findings
    tool_version: str = ""


def finding_key(f: dict) -> tuple:
    return f["rule_id"], f["path"], f["line"], f["column"], f["symbol"], f["message"]


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _attr_list(values: Iterable[str]) -> str:
    return _e(json.dumps(sorted(set(values))))


def _filter_attrs(rules: Iterable[str], projects: Iterable[str]) -> str:
    return f' data-rules="{_attr_list(rules)}" data-projects="{_attr_list(projects)}"'


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _project(f: dict) -> str:
    return f.get("project") or NO_PROJECT


class _Index:
    """What the sections share: which change fixes which finding, and the project of each path."""

    def __init__(self, data: ReviewData):
        self.fixed_by: dict[tuple, int] = {}
        for n, change in enumerate(data.changes, 1):
            for f in change.resolves:
                self.fixed_by.setdefault(finding_key(f), n)
        self.project_of: dict[str, str] = dict(data.projects)
        for f in (*data.findings, *data.untouched):
            if f.get("project"):
                self.project_of.setdefault(f["path"], f["project"])

    def projects(self, paths: Iterable[str]) -> set[str]:
        return {self.project_of.get(p, NO_PROJECT) for p in paths}


# --- side-by-side diff ----------------------------------------------------------------------------

def _intraline(old: str, new: str) -> tuple[str, str]:
    """Both lines escaped, with the characters that differ marked when the lines are alike (as `difflib.Differ`
    does); unrelated lines are left unmarked, their cell colour already says they changed."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR or matcher.ratio() < SIMILAR:
        return _e(old), _e(new)
    left, right = [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = _e(old[i1:i2]), _e(new[j1:j2])
        if tag == "equal":
            left.append(a)
            right.append(b)
        else:
            left.append(f'<span class="x">{a}</span>' if a else "")
            right.append(f'<span class="x">{b}</span>' if b else "")
    return "".join(left), "".join(right)


def _row(old_no: Optional[int], old: Optional[str], new_no: Optional[int], new: Optional[str], tag: str) -> str:
    if tag == "replace" and old is not None and new is not None:
        old_html, new_html = _intraline(old, new)
    else:
        old_html = _e(old) if old is not None else ""
        new_html = _e(new) if new is not None else ""
    old_cls = "ctx" if tag == "equal" else ("del" if old is not None else "empty")
    new_cls = "ctx" if tag == "equal" else ("add" if new is not None else "empty")
    return (f'<tr><td class="no">{old_no or ""}</td><td class="code {old_cls}">{old_html}</td>'
            f'<td class="no">{new_no or ""}</td><td class="code {new_cls}">{new_html}</td></tr>')


def side_by_side(old_text: str, new_text: str, context: int = CONTEXT_LINES) -> str:
    """An HTML table: old lines left, new lines right, unchanged runs longer than 2×context folded."""
    a, b = old_text.splitlines(), new_text.splitlines()
    rows: list[str] = []
    shown_to = 0
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        first = group[0][1]
        if first > shown_to:
            rows.append(f'<tr class="gap"><td colspan="4">⋯ {_plural(first - shown_to, "unchanged line")}</td></tr>')
        for tag, i1, i2, j1, j2 in group:
            for k in range(max(i2 - i1, j2 - j1)):
                old = a[i1 + k] if i1 + k < i2 else None
                new = b[j1 + k] if j1 + k < j2 else None
                rows.append(_row(i1 + k + 1 if old is not None else None, old,
                                 j1 + k + 1 if new is not None else None, new, tag))
        shown_to = group[-1][2]
    if a and shown_to < len(a) and rows:
        rows.append(f'<tr class="gap"><td colspan="4">⋯ {_plural(len(a) - shown_to, "unchanged line")}</td></tr>')
    if not rows:
        rows.append('<tr class="gap"><td colspan="4">no textual change</td></tr>')
    return ('<table class="diff"><colgroup><col class="no"><col><col class="no"><col></colgroup>'
            '<thead><tr><th colspan="2">before</th><th colspan="2">after</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table>")


def _counts(old_text: str, new_text: str) -> tuple[int, int]:
    added = removed = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_text.splitlines(), new_text.splitlines(),
                                                       autojunk=False).get_opcodes():
        if tag != "equal":
            removed += i2 - i1
            added += j2 - j1
    return added, removed


# --- sections -------------------------------------------------------------------------------------

def _rule_label(rule_id: str, names: dict[str, str]) -> str:
    name = names.get(rule_id)
    return f"<code>{_e(rule_id)}</code> {_e(name)}" if name else f"<code>{_e(rule_id)}</code>"


def _rule_ids(findings: Iterable[dict]) -> str:
    ids = sorted({f["rule_id"] for f in findings})
    return _e(", ".join(ids)) if ids else "none"


def _progress(data: ReviewData, index: _Index) -> str:
    by_project: dict[str, list[dict]] = defaultdict(list)
    for f in data.findings:
        by_project[_project(f)].append(f)
    rows = []
    for project, items in sorted(by_project.items()):
        fixed = sum(1 for f in items if finding_key(f) in index.fixed_by)
        left = len(items) - fixed
        share = round(100 * fixed / len(items)) if items else 100
        rows.append(f'<tr{_filter_attrs((f["rule_id"] for f in items), [project])}><th scope="row">{_e(project)}</th>'
                    f'<td class="num">{len(items)}</td><td class="num">{fixed}</td><td class="num">{left}</td>'
                    f'<td><div class="bar" title="{share}% fixed by the pending changes">'
                    f'<div style="width:{share}%"></div></div></td></tr>')
    if not rows:
        return '<section id="progress"><h2>Progress per project</h2><p>No findings: nothing to migrate.</p></section>'
    return ('<section id="progress"><h2>Progress per project</h2><table class="grid"><thead><tr><th>project</th>'
            '<th>findings</th><th>fixed by the pending changes</th><th>left for a person</th><th>progress</th>'
            '</tr></thead><tbody>' + "".join(rows) + f"</tbody></table>{NONE}</section>")


def _by_rule(data: ReviewData, index: _Index) -> str:
    by_rule: dict[str, list[dict]] = defaultdict(list)
    for f in data.findings:
        by_rule[f["rule_id"]].append(f)
    rows = []
    for rule_id, items in sorted(by_rule.items()):
        severities = Counter(f["severity"] for f in items)
        fixed = sum(1 for f in items if finding_key(f) in index.fixed_by)
        rows.append(f'<tr{_filter_attrs([rule_id], map(_project, items))}>'
                    f'<th scope="row">{_rule_label(rule_id, data.rule_names)}</th>'
                    f'<td>{_e(", ".join(f"{n} {s}" for s, n in sorted(severities.items())))}</td>'
                    f'<td class="num">{len(items)}</td><td class="num">{fixed}</td><td class="num">{len(items) - fixed}</td></tr>')
    if not rows:
        return ""
    return ('<section id="rules"><h2>Findings by rule</h2><table class="grid"><thead><tr><th>rule</th><th>severity</th>'
            '<th>findings</th><th>fixed by the pending changes</th><th>left for a person</th></tr></thead><tbody>'
            + "".join(rows) + f"</tbody></table>{NONE}</section>")


def _findings(data: ReviewData, index: _Index) -> str:
    rows = []
    for f in sorted(data.findings, key=lambda f: (f["path"], f["line"], f["column"], f["rule_id"])):
        change = index.fixed_by.get(finding_key(f))
        status = (f'<a href="#change-{change}">fixed by change {change}</a>' if change else "left for a person")
        rows.append(f'<tr class="sev-{_e(f["severity"])}"{_filter_attrs([f["rule_id"]], [_project(f)])}>'
                    f'<td class="loc">{_e(f["path"])}:{_e(f["line"])}:{_e(f["column"])}</td>'
                    f'<td><code>{_e(f["rule_id"])}</code></td><td>{_e(f["severity"])}</td>'
                    f'<td><code>{_e(f["symbol"])}</code></td><td>{_e(f["message"])}</td><td>{status}</td></tr>')
    if not rows:
        return ""
    return (f'<section id="findings"><details><summary><h2>All findings ({len(rows)})</h2></summary>'
            '<table class="grid"><thead><tr><th>location</th><th>rule</th><th>severity</th><th>class</th>'
            '<th>message</th><th>status</th></tr></thead><tbody>' + "".join(rows) + f"</tbody></table>{NONE}</details></section>")


def _change(n: int, change: Change, index: _Index) -> str:
    rules = [f["rule_id"] for f in (*change.resolves, *change.remaining)]
    projects = index.projects(fc.path for fc in change.files)
    title = ", ".join(change.symbols) or change.files[0].path
    parts = [f'<article class="change" id="change-{n}"{_filter_attrs(rules, projects)}>',
             f'<h3>Change {n}: <code>{_e(title)}</code></h3>',
             f'<p>{_plural(len(change.files), "file")}, resolves {_plural(len(change.resolves), "finding")} '
             f'({_rule_ids(change.resolves)})']
    if change.remaining:
        parts.append(f'; still to fix by hand afterwards: {_rule_ids(change.remaining)}')
    parts.append(".</p>")
    if change.command:
        parts.append(f'<p>Apply exactly this change: <code class="cmd">{_e(change.command)}</code></p>')
    if change.notes:
        parts.append('<div class="notes"><h4>Review notes</h4><ul>'
                     + "".join(f"<li>{_e(note)}</li>" for note in change.notes) + "</ul></div>")
    for fc in change.files:
        added, removed = _counts(fc.old_text, fc.new_text)
        parts.append(f'<details class="file" open><summary><code>{_e(fc.path)}</code> '
                     f'<span class="add-n">+{added}</span> <span class="del-n">−{removed}</span></summary>'
                     f'{side_by_side(fc.old_text, fc.new_text)}</details>')
    parts.append("</article>")
    return "".join(parts)


def _changes(data: ReviewData, index: _Index) -> str:
    if not data.changes:
        return '<section id="changes"><h2>Pending changes</h2><p>No pending change: the codemods have nothing to do.</p></section>'
    return (f'<section id="changes"><h2>Pending changes ({len(data.changes)})</h2>'
            '<p>Each change is one reviewable step; the diffs show what <code>oqmigrate apply</code> would write.</p>'
            + "".join(_change(n, c, index) for n, c in enumerate(data.changes, 1)) + f"{NONE}</section>")


def _follow_ups(data: ReviewData, index: _Index) -> str:
    items = []
    for m in data.follow_ups:
        items.append(f'<li{_filter_attrs((f["rule_id"] for f in m.findings), index.projects([m.path]))}>'
                     f'<code>{_e(m.symbol)}</code> <span class="loc">{_e(m.path)}:{_e(m.line)}</span>'
                     f'<ul>{"".join(f"<li>{_e(r)}</li>" for r in m.reasons)}</ul>'
                     f'<span class="muted">findings: {_rule_ids(m.findings)}</span></li>')
    for f in data.untouched:
        items.append(f'<li{_filter_attrs([f["rule_id"]], [_project(f)])}>'
                     f'<code>{_e(f["symbol"])}</code> <span class="loc">{_e(f["path"])}:{_e(f["line"])}</span> '
                     f'<code>{_e(f["rule_id"])}</code>: {_e(f["message"])}'
                     f'<ul><li>no codemod addresses {_e(f["rule_id"])}; see <code>oqmigrate explain {_e(f["rule_id"])}'
                     f'</code></li></ul></li>')
    if not items:
        return ""
    return (f'<section id="manual"><h2>Left for a person ({len(items)})</h2>'
            '<p>The codemods do not guess: these need a decision in the code.</p><ul class="manual">'
            + "".join(items) + f"</ul>{NONE}</section>")


def _errors(data: ReviewData) -> str:
    if not data.errors:
        return ""
    return ('<section id="errors"><h2>Files not fully read</h2><ul>'
            + "".join(f'<li><span class="loc">{_e(p)}</span>: {_e(m)}</li>' for p, m in data.errors) + "</ul></section>")


def _filters(data: ReviewData, index: _Index) -> str:
    rule_ids = sorted({f["rule_id"] for f in (*data.findings, *data.untouched)})
    projects = sorted({_project(f) for f in data.findings} | set(index.project_of.values()))
    rule_opts = "".join(f'<option value="{_e(r)}">{_e(r)} {_e(data.rule_names.get(r, ""))}</option>' for r in rule_ids)
    project_opts = "".join(f'<option value="{_e(p)}">{_e(p)}</option>' for p in projects)
    return ('<form id="filters" class="filters" onsubmit="return false">'
            f'<label>rule <select id="f-rule"><option value="">all rules</option>{rule_opts}</select></label> '
            f'<label>project <select id="f-project"><option value="">all projects</option>{project_opts}</select></label> '
            '<span id="f-status" class="muted"></span></form>')


def _summary(data: ReviewData, index: _Index) -> str:
    fixed = sum(1 for f in data.findings if finding_key(f) in index.fixed_by)
    projects = {_project(f) for f in data.findings}
    return (f'<p class="summary">{_plural(len(data.findings), "finding")} in {_plural(len(projects), "project")}: '
            f'<strong>{fixed}</strong> fixed by {_plural(len(data.changes), "pending change")}, '
            f'<strong>{len(data.findings) - fixed}</strong> left for a person.</p>')


STYLE = """
:root { --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --del: #ffebe9; --add: #dafbe1; --delx: #ffc1bc;
        --addx: #9be9a8; --bg2: #f6f8fa; --accent: #0969da; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); margin: 0 auto;
       max-width: 1400px; padding: 0 24px 48px; }
h1 { font-size: 24px; margin: 20px 0 4px; } h2 { font-size: 19px; margin: 28px 0 8px; display: inline-block; }
h3 { font-size: 16px; margin: 0 0 6px; } h4 { font-size: 14px; margin: 8px 0 4px; }
code, .loc, table.diff { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; }
.muted { color: var(--muted); } .summary { font-size: 15px; }
.filters { position: sticky; top: 0; background: #fff; padding: 10px 0; border-bottom: 1px solid var(--line); z-index: 1; }
.filters select { font: inherit; margin: 0 12px 0 4px; }
table.grid { border-collapse: collapse; width: 100%; }
table.grid th, table.grid td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
table.grid thead th { background: var(--bg2); } .num { text-align: right !important; font-variant-numeric: tabular-nums; }
.bar { background: #eaeef2; border-radius: 4px; height: 12px; min-width: 120px; }
.bar div { background: #1f883d; height: 12px; border-radius: 4px; }
.change { border: 1px solid var(--line); border-radius: 6px; padding: 12px 14px; margin: 14px 0; }
.cmd { background: var(--bg2); padding: 2px 6px; border-radius: 4px; }
.notes { background: #fff8c5; border: 1px solid #d4a72c66; border-radius: 6px; padding: 4px 12px; margin: 8px 0; }
.notes ul { margin: 4px 0; }
details.file { margin: 10px 0; } details.file > summary { cursor: pointer; padding: 4px 0; }
.add-n { color: #1a7f37; } .del-n { color: #cf222e; }
table.diff { border-collapse: collapse; width: 100%; table-layout: fixed; font-size: 12px; border: 1px solid var(--line); }
table.diff col.no { width: 44px; }
table.diff th { background: var(--bg2); text-align: left; padding: 3px 8px; font-weight: 600; }
table.diff td { padding: 0 6px; vertical-align: top; }
table.diff td.no { color: var(--muted); text-align: right; user-select: none; background: var(--bg2); }
table.diff td.code { white-space: pre-wrap; overflow-wrap: anywhere; }
td.del { background: var(--del); } td.add { background: var(--add); } td.empty { background: #f0f0f0; }
td.del .x { background: var(--delx); } td.add .x { background: var(--addx); }
tr.gap td { background: #ddf4ff; color: var(--muted); padding: 2px 8px; }
ul.manual > li { margin: 8px 0; } ul.manual ul { margin: 2px 0; }
tr.sev-error td:nth-child(3) { color: #cf222e; } tr.sev-warning td:nth-child(3) { color: #9a6700; }
summary h2 { cursor: pointer; }
[hidden] { display: none !important; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
"""

SCRIPT = """
(function () {
  var rule = document.getElementById('f-rule'), project = document.getElementById('f-project');
  var status = document.getElementById('f-status');
  function wanted() {
    var q = new URLSearchParams(location.search), h = new URLSearchParams(location.hash.slice(1));
    return { rule: h.get('rule') || q.get('rule') || '', project: h.get('project') || q.get('project') || '' };
  }
  function choose(select, value) {
    select.value = Array.prototype.some.call(select.options, function (o) { return o.value === value; }) ? value : '';
  }
  function apply() {
    var r = rule.value, p = project.value, shown = 0, total = 0;
    document.querySelectorAll('[data-rules]').forEach(function (el) {
      var rules = JSON.parse(el.getAttribute('data-rules')), projects = JSON.parse(el.getAttribute('data-projects'));
      var ok = (!r || rules.indexOf(r) >= 0) && (!p || projects.indexOf(p) >= 0);
      el.hidden = !ok;
      if (el.classList.contains('change')) { total += 1; if (ok) shown += 1; }
    });
    document.querySelectorAll('p.none').forEach(function (note) {
      note.hidden = !!note.parentNode.querySelector('[data-rules]:not([hidden])');
    });
    document.body.setAttribute('data-filter', (r || '*') + ' ' + (p || '*'));
    status.textContent = (r || p) ? shown + ' of ' + total + ' changes shown' : '';
  }
  function load() { var w = wanted(); choose(rule, w.rule); choose(project, w.project); apply(); }
  function changed() {
    var q = new URLSearchParams();
    if (rule.value) q.set('rule', rule.value);
    if (project.value) q.set('project', project.value);
    try { history.replaceState(null, '', '#' + q.toString()); } catch (e) { /* some file:// contexts refuse */ }
    apply();
  }
  rule.addEventListener('change', changed);
  project.addEventListener('change', changed);
  window.addEventListener('hashchange', load);
  load();
})();
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"


def render_html(data: ReviewData) -> str:
    """The whole page as one string (UTF-8 when written)."""
    index = _Index(data)
    body = "".join([
        f"<header><h1>{_e(data.title)}</h1>{_summary(data, index)}</header>",
        _filters(data, index),
        _progress(data, index),
        _by_rule(data, index),
        _changes(data, index),
        _follow_ups(data, index),
        _findings(data, index),
        _errors(data),
        f'<footer>Generated by oqmigrate {_e(data.tool_version)}. This page is self-contained: it loads nothing '
        'from the network.</footer>',
    ])
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(data.title)}</title><style>{STYLE}</style></head>"
            f"<body>{body}<script>{SCRIPT}</script></body></html>\n")
