"""`oqmigrate rules` and `oqmigrate explain`: the rule catalog."""

from __future__ import annotations

import enum
import textwrap

import typer
from rich.text import Text

from oqmigrate.catalog import UnknownRuleError, all_rules, explain_text, resolve_rule_ids, rule_by_id
from oqmigrate.cli.common import Usage, did_you_mean, stdout_console, write_output
from oqmigrate.formats.machine import dumps


class ListFormat(str, enum.Enum):
    text = "text"
    json = "json"


def _all_rules() -> list:
    return list(all_rules().values())


def rules(format: ListFormat = typer.Option(ListFormat.text, "--format", "-f", help="text or json")) -> int:
    """List the rule catalog: id, name, severity, the codemod that fixes it, summary."""
    catalog = _all_rules()
    if format is ListFormat.json:
        write_output(dumps({"rules": [
            {"id": r.id, "name": r.name, "severity": r.severity, "summary": r.summary, "fixable": r.fixable,
             "codemod": r.codemod, "playbook_section": r.playbook_section, "help_uri": r.help_uri}
            for r in catalog]}), None)
        return 0
    console = stdout_console()
    width = max(60, min(console.width, 120))
    name_width = max(len(r.name) for r in catalog)
    for r in catalog:
        fix = r.codemod if r.fixable else "by hand"
        head = Text(f"{r.id}  {r.name:<{name_width}}  {r.severity:<7}  ")
        head.append(fix, style="green" if r.fixable else "dim")
        console.print(head, highlight=False, soft_wrap=True)
        for line in textwrap.wrap(r.summary, width - 8):
            console.print(Text("        " + line), highlight=False, soft_wrap=True)
    return 0


def explain(rule_id: str = typer.Argument(..., metavar="RULE", help="a rule id (OQJ004) or name (job-state)")) -> int:
    """Explain one rule: why, the playbook section, noncompliant and compliant code, the codemod."""
    try:
        ids = resolve_rule_ids(rule_id)
    except UnknownRuleError as e:
        names = [r.id for r in _all_rules()] + [r.name for r in _all_rules()]
        raise Usage(f"{e}{did_you_mean(rule_id.upper() if rule_id[:3].lower() == 'oqj' else rule_id, names)}") from None
    if len(ids) != 1:
        raise Usage("explain takes exactly one rule id")
    write_output(explain_text(rule_by_id(ids.pop())) + "\n", None)
    return 0
