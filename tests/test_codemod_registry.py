"""The codemod registry and the rule catalog tell one story: a rule names exactly the registered codemods that fix
it, every registered codemod fixes rules that exist, and each registered codemod has fixtures."""

from conftest import FIXTURES
from oqmigrate.catalog import load_catalog
from oqmigrate.transforms.registry import CODEMODS, Target


def test_catalog_names_exactly_the_codemods_that_fix_each_rule():
    catalog = load_catalog()
    for rule in catalog.values():
        fixers = {c.name for c in CODEMODS.values() if rule.id in c.fixes}
        assert set(rule.codemods) == fixers, rule.id
        assert rule.fixable == bool(fixers), rule.id


def test_every_codemod_fixes_catalogued_rules_and_acts_on_one_of_them():
    catalog = load_catalog()
    for codemod in CODEMODS.values():
        assert set(codemod.fixes) <= set(catalog), codemod.name
        assert set(codemod.primary) <= set(codemod.fixes), codemod.name
        codemod.load()  # the module and function exist
        if codemod.target is Target.CLASS:
            assert codemod.kinds and codemod.verdict, codemod.name
            codemod.load_verdict()


def test_every_codemod_has_fixtures():
    for name in CODEMODS:
        assert sorted((FIXTURES / name).glob("*.before.cs")), f"fixtures/{name}/ has no cases"
