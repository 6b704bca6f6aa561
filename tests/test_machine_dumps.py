"""formats.machine.dumps writes exactly what `json.dumps(obj, indent=2, ensure_ascii=False)` writes (it only does it
faster): checked on generated documents of every JSON shape and on a real scan's JSON and SARIF."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings, strategies as st

from conftest import FIXTURES, run_cli
from oqmigrate.formats.machine import dumps, iter_dumps

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.text())
keys = st.one_of(st.text(), st.integers(), st.booleans(), st.none(),
                 st.floats(allow_nan=False, allow_infinity=False))
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=5), st.tuples(inner, inner),
                                                         st.dictionaries(keys, inner, max_size=5)), max_leaves=40)


def reference(obj) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


@settings(max_examples=300, deadline=None)
@given(documents)
def test_dumps_is_json_dumps_with_indent_2(doc):
    assert dumps(doc) == reference(doc)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(), documents, max_size=6))
def test_the_pieces_of_iter_dumps_make_the_same_text_and_an_iterator_is_a_list(doc):
    assert "".join(iter_dumps(doc)) == reference(doc)
    lazy = {k: iter(v) if isinstance(v, list) else v for k, v in doc.items()}
    assert "".join(iter_dumps(lazy)) == reference(doc)


def test_special_values_and_strings():
    doc = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "s": "ü \u2028 \"quoted\" \\ \n\t\x00 😀",
           1: [True, False, None, 1.5, -0.0, 10**30], 2.5: {}, None: [], True: {"a": [[]]}}
    assert dumps(doc) == reference(doc)


def test_a_real_scan_in_json_and_sarif_is_unchanged(tmp_path):
    for fmt in ("json", "sarif"):
        code, out, err = run_cli("scan", FIXTURES, "--format", fmt, "--fail-on", "never", "--no-progress")
        assert code == 0, err
        doc = json.loads(out)
        assert out == reference(doc)
        assert dumps(doc) == out
