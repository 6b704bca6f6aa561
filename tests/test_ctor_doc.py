"""The worker constructor's XML doc on the job's constructor (transforms/migrate_worker/ctor_doc.py): what it says
about the class stays, the <param> tags (and elements referring to them) of removed parameters go, nothing is
added. Real parser; the fixtures ctor_doc_*.before.cs show the same through migrate_worker."""

from oqmigrate import syntax
from oqmigrate.transforms.migrate_worker.ctor_doc import doc_comments, kept_doc_lines

CLASS = """class W
{{
    private int _x;
{doc}
    public W(IServiceScopeFactory scopes, ILogger logger) {{ }}
}}
"""


def kept(doc: str) -> list[str]:
    data = CLASS.format(doc=doc).encode()
    ctor = next(syntax.descendants(syntax.parse(data).root_node, "constructor_declaration"))
    return kept_doc_lines(doc_comments(ctor), {"serviceScopeFactory"})


def test_summary_and_remarks_stay_and_params_of_removed_parameters_go():
    doc = ("    /// <summary>\n    /// Archives old rows.\n    /// </summary>\n"
           '    /// <param name="scopes">The scopes.</param>\n    /// <param name="logger">\n    /// The log.\n'
           "    /// </param>\n    /// <remarks>Reads the settings each pass.</remarks>")
    assert kept(doc) == ["/// <summary>", "/// Archives old rows.", "/// </summary>",
                         "/// <remarks>Reads the settings each pass.</remarks>"]


def test_an_element_that_refers_to_a_removed_parameter_goes():
    doc = ('    /// <summary>Logs to <paramref name="logger"/>.</summary>\n'
           '    /// <exception cref="ArgumentNullException">never</exception>')
    assert kept(doc) == ['/// <exception cref="ArgumentNullException">never</exception>']


def test_plain_text_doc_stays_and_malformed_doc_goes():
    assert kept("    /// Archives old rows.") == ["/// Archives old rows."]
    assert kept("    /// <summary>Archives old rows.\n    /// <param name=\"scopes\">x</param>") == []


def test_only_doc_comments_directly_above_the_constructor_are_read():
    doc = "    // a plain comment\n\n    /// <summary>Archives.</summary>"
    assert kept(doc) == ["/// <summary>Archives.</summary>"]
    assert kept("    /// <summary>Far away.</summary>\n\n") == []


def test_a_primary_constructors_params_leave_the_class_doc():
    from oqmigrate.edits import apply_edits
    from oqmigrate.model import analyse
    from oqmigrate.transforms import TransformContext
    from oqmigrate.transforms.migrate_worker import migrate_worker
    from conftest import FIXTURES
    data = (FIXTURES / "migrate-worker" / "primary_constructor_class_doc_params.before.cs").read_bytes()
    tree = syntax.parse(data)
    out = apply_edits(data, migrate_worker(TransformContext("W.cs", data, tree, analyse(tree))).edits).decode()
    assert '<param name="scopeFactory">' not in out
    assert "/// Deletes coupons whose validity has ended." in out and "/// <remarks>Coupons are kept" in out


def test_a_malformed_class_doc_is_not_edited():
    from oqmigrate.transforms.migrate_worker.ctor_doc import without_removed_parameters
    data = b'/// <summary>Open\n/// <param name="x">y</param>\nclass W(int x) { }\n'
    cls = next(syntax.descendants(syntax.parse(data).root_node, "class_declaration"))
    assert without_removed_parameters(doc_comments(cls), set()) is None
