"""SARIF 2.1.0 for code scanning: percent-encoded URIs under SRCROOT (the git work tree when there is one),
columns in Unicode code points (`columnKind`), `fixes` for fixable findings (the changeset `diff` would make, as
byte-range replacements), `suppressions` for findings silenced in the source, and `baselineState: "new"` on every
result when a baseline is given (findings the baseline covers are left out, as in the other formats, so code
scanning raises no alert for them). Validated against the OASIS schema in the tests."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

from oqmigrate import __version__
from oqmigrate.catalog import SUPPRESSION_RULE, Rule, load_catalog, project_urls
from oqmigrate.findings import Finding
from oqmigrate.formats import Fix, ScanView

SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _uri(view: ScanView, rel: str) -> str:
    base = view.srcroot or view.root
    path = (view.root / rel).resolve()
    try:
        rel_to_base = path.relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.as_uri()
    return quote(rel_to_base, safe="/")


def _rule_descriptor(rule: Rule) -> dict:
    markdown = (
        f"**{rule.summary}**\n\n{rule.rationale.strip()}\n\n"
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


def _replacement(old: bytes, new: bytes) -> dict:
    """The one byte range that differs between two versions of a file, as a SARIF replacement."""
    start = 0
    limit = min(len(old), len(new))
    while start < limit and old[start] == new[start]:
        start += 1
    end_old, end_new = len(old), len(new)
    while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
        end_old -= 1
        end_new -= 1
    inserted = new[start:end_new]
    content = {"text": inserted.decode("utf-8")} if _is_utf8(inserted) else {"binary": _b64(inserted)}
    return {"deletedRegion": {"byteOffset": start, "byteLength": end_old - start}, "insertedContent": content}


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _b64(data: bytes) -> str:
    import base64
    return base64.b64encode(data).decode("ascii")


def _fix_for(f: Finding, fixes: list[Fix]) -> Fix | None:
    mine = [x for x in fixes if f.symbol in x.symbols] or [x for x in fixes if any(c.rel == f.rel for c in x.files)]
    return mine[0] if mine else None


def _result(f: Finding, view: ScanView, index: dict[str, int], state: str | None) -> dict:
    result = {
        "ruleId": f.rule_id,
        "ruleIndex": index[f.rule_id],
        "level": SARIF_LEVEL[f.severity],
        "message": {"text": f.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": _uri(view, f.rel), "uriBaseId": "SRCROOT"},
                "region": {"startLine": f.line, "startColumn": f.column, "endLine": f.end_line,
                           "endColumn": f.end_column},
            },
        }],
        "partialFingerprints": {"oqmigrate/v1": f.fingerprint},
        "properties": {"fixable": bool(f.fixable)},
    }
    if f.symbol:
        result["locations"][0]["logicalLocations"] = [{"name": f.symbol, "kind": "type"}]
    if f.fix_blocker:
        result["properties"]["fixBlocker"] = f.fix_blocker
    if state is not None:
        result["baselineState"] = state
    if f.suppressed is not None:
        result["suppressions"] = [{"kind": "inSource", "justification": f.suppressed}]
    fix = _fix_for(f, view.fixes) if f.fixable and view.fixes else None
    if fix is not None:
        result["fixes"] = [{
            "description": {"text": f"oqmigrate apply: {', '.join(fix.symbols) or 'registrations'}"},
            "artifactChanges": [{"artifactLocation": {"uri": _uri(view, c.rel), "uriBaseId": "SRCROOT"},
                                 "replacements": [_replacement(c.old, c.new)]} for c in fix.files],
        }]
    return result


def to_sarif(view: ScanView, suppressed: list[Finding] = ()) -> dict:
    catalog = load_catalog()
    rules = [_rule_descriptor(r) for r in (*catalog.values(), SUPPRESSION_RULE)]
    index = {r["id"]: i for i, r in enumerate(rules)}
    baseline = view.baselined is not None
    results = [_result(f, view, index, "new" if baseline else None) for f in view.findings]
    results += [_result(replace(f, fixable=False, fix_blocker="suppressed in the source"), view, index,
                        "new" if baseline else None) for f in suppressed]
    base = (view.srcroot or view.root).resolve()
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": _driver(rules)},
            "originalUriBaseIds": {"SRCROOT": {"uri": Path(base).as_uri().rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"level": "error", "message": {"text": msg},
                     "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(view, rel),
                                                                              "uriBaseId": "SRCROOT"}}}]}
                    for rel, msg in view.errors
                ] + [{"level": "note", "message": {"text": line}} for line in view.notices],
            }],
            "results": results,
        }],
    }
