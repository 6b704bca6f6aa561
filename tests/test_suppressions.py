"""Suppressions read where they stand, whatever comes before the first token of the file."""

import json

from conftest import run_cli

JOB = """public class PingJob : Oqtane.Infrastructure.HostedServiceBase
{
    // oqmigrate-ignore OQJ004: diagnostics only, never read by the work
    private static int _runs;
}
"""


def test_a_suppression_on_its_own_line_after_leading_blank_lines(tmp_path):
    for prefix in ("", "\n\n", "// header comment\n\n"):
        (tmp_path / "PingJob.cs").write_text(prefix + JOB, encoding="utf-8")
        code, out, err = run_cli("scan", tmp_path, "--format", "json", "--select", "OQJ004,OQJ000", "--no-progress")
        assert json.loads(out)["findings"] == [], (repr(prefix), out)
