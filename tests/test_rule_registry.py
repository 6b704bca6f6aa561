"""The rule registry (`oqmigrate.rules.RULES`) against the catalog: one module per catalog rule, named after
its catalog file, each reporting only its own rule id."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

from conftest import FIXTURES
from oqmigrate import model, rules, syntax
from oqmigrate.catalog import load_catalog
from oqmigrate.checks import CheckContext
from oqmigrate.rules import CLASS_CHECKS, FILE_CHECKS, RULES


def test_registry_holds_exactly_the_catalog_rules():
    assert list(RULES) == list(load_catalog())
    assert sorted(RULES) == [f"OQJ{n:03d}" for n in range(1, 17)]


def test_every_module_of_the_package_is_registered():
    modules = {m.name for m in pkgutil.iter_modules(rules.__path__)}
    assert modules == {m.__name__.rsplit(".", 1)[-1] for m in RULES.values()}


@pytest.mark.parametrize("rule_id", sorted(load_catalog()))
def test_module_is_named_after_its_catalog_entry(rule_id):
    rule = load_catalog()[rule_id]
    module = RULES[rule_id]
    file_stem = Path(module.__file__).stem
    assert module.RULE_ID == rule_id
    assert file_stem == f"{rule.id.lower()}_{rule.name.replace('-', '_')}"
    assert file_stem.startswith(module.RULE_ID.lower() + "_")
    assert importlib.import_module(f"oqmigrate.rules.{file_stem}") is module


@pytest.mark.parametrize("rule_id", sorted(load_catalog()))
def test_module_has_a_check_and_says_what_it_finds(rule_id):
    module = RULES[rule_id]
    assert callable(getattr(module, "check", None)) or callable(getattr(module, "check_file", None))
    assert (module.__doc__ or "").startswith(f"{rule_id} {load_catalog()[rule_id].name}:")


def test_class_and_file_checks_cover_every_rule():
    assert {r for r, _ in CLASS_CHECKS} | {r for r, _ in FILE_CHECKS} == set(RULES)
    assert {r for r, _ in FILE_CHECKS} == {"OQJ001", "OQJ002", "OQJ006", "OQJ014"}


def _rule_fixture_contexts():
    """(context, root) for every C# file of the rule fixtures, in a client project so that OQJ013 applies."""
    for path in sorted((FIXTURES / "rules").rglob("*.cs")):
        data = path.read_bytes()
        tree = syntax.parse(data)
        fm = model.analyse(tree)
        yield CheckContext(str(path), data, fm, role="client", project="Fixture.Client"), tree.root_node


def test_each_rule_reports_only_its_own_id_and_every_rule_reports_something():
    """The find stage runs only the selected rules' modules, so a module must never report another rule."""
    seen: set[str] = set()
    for ctx, root in _rule_fixture_contexts():
        for cls in ctx.model.workers_and_jobs():
            for rule_id, check in CLASS_CHECKS:
                for hit in check(cls, ctx):
                    assert hit.rule_id == rule_id, (ctx.rel, cls.name, hit.message)
                    seen.add(rule_id)
        for rule_id, check in FILE_CHECKS:
            for fh in check(ctx, root):
                assert fh.hit.rule_id == rule_id, (ctx.rel, fh.hit.message)
                seen.add(rule_id)
    assert seen == set(RULES)
