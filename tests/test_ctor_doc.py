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
