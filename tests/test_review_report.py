"""`oqmigrate report`: the self-contained HTML review page, rendered in a real browser (headless Chromium)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

import pngcheck
from conftest import FIXTURES, run_cli
from oqmigrate import review

SOLUTION = FIXTURES / "solutions" / "Acme.Module.Tasks"

def run_report(*args, cwd=None):
    return run_cli("report", *args, cwd=cwd)


def chromium() -> str | None:
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)


def browse(url: str, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    flags = ["--headless", "--disable-gpu", "--no-first-run", "--hide-scrollbars", f"--user-data-dir={tmp / 'profile'}"]
    if os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to start as root otherwise
    proc = subprocess.run([chromium(), *flags, *args, url], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


class Articles(HTMLParser):
    """The change articles of a dumped DOM: id -> hidden or not; and the body's filter attribute."""

    def __init__(self):
        super().__init__()
        self.changes: dict[str, bool] = {}
        self.body_filter = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article" and "change" in (a.get("class") or "").split():
            self.changes[a["id"]] = "hidden" in a
        if tag == "body":
            self.body_filter = a.get("data-filter")


def parse(dom: str) -> Articles:
    parser = Articles()
    parser.feed(dom)
    return parser


def text_of(dom: str) -> str:
    return re.sub(r"<[^>]+>", "", dom).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def test_page_escapes_user_data_and_loads_nothing_from_the_network():
    hostile = '<script>alert("x")</script>'
    data = review.ReviewData(
        title="review: <b>x</b>",
        findings=[{"rule_id": "OQJ001", "rule_name": "generic-hosted-service", "severity": "error",
                   "path": 'Server/"Odd" & <Path>.cs', "line": 3, "column": 5, "end_line": 3, "end_column": 9,
                   "symbol": hostile, "project": "P<1>", "message": "derives from <BackgroundService>",
                   "fixable": True, "fingerprint": "f"}],
        changes=[review.Change([hostile], [review.FileChange("A.cs", "class A<T> { }\n", "class A<T> : B<T> { }\n")],
                               notes=["check <this> & that"])],
        follow_ups=[review.FollowUp(hostile, "B.cs", 2, ["reason with </ul> in it"])],
        rule_names={"OQJ001": "generic-hosted-service"},
    )
    page = review.render_html(data)
    assert hostile not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "class A&lt;T&gt;" in page and "check &lt;this&gt; &amp; that" in page and "reason with &lt;/ul&gt;" in page
    assert "Server/&quot;Odd&quot; &amp; &lt;Path&gt;.cs" in page and "<title>review: &lt;b&gt;x&lt;/b&gt;</title>" in page
    # self-contained: no external resource, and a policy that forbids loading any
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "default-src 'none'" in page and page.count("<script>") == 1


def test_side_by_side_diff_pairs_lines_and_folds_unchanged_runs():
    old = "".join(f"line {n}\n" for n in range(1, 21))
    new = old.replace("line 10\n", "line ten\n").replace("line 2\n", "")
    table = review.side_by_side(old, new)
    assert '<td class="no">10</td><td class="code del">line <span class="x">10</span></td>' in table
    assert '<td class="no">9</td><td class="code add">line <span class="x">ten</span></td>' in table
    assert '<td class="code del">line 2</td><td class="no"></td><td class="code empty"></td>' in table
    assert "⋯ 1 unchanged line<" in table and "⋯ 7 unchanged lines" in table  # line 6 folded, 14-20 folded
    assert "line 12" in table and "line 14" not in table  # context of 3 after the change
    unrelated = review.side_by_side("alpha();\n", "Zyx.Q = 1;\n")
    assert 'class="x"' not in unrelated  # unrelated lines are not marked character by character


def test_report_of_the_bundled_solution(tmp_path):
    out = tmp_path / "review.html"
    code, _, err = run_report(SOLUTION, "--output", out)
    assert code == 0, err
    assert "review report written to" in err and "3 pending changes" in err
    page = out.read_text(encoding="utf-8")
    assert page.count('<article class="change"') == 3  # TenantSweeper's tenant loop is unwrapped too
    assert "ReminderWorker" in page and "DigestMailer" in page and "NightlyCleanup" in page
    assert '<td class="code add">using Oqtane.Infrastructure;</td>' in page
    assert 'cron &quot;0 2 * * *&quot;; times are UTC' in page  # review note of the NightlyCleanup change
    assert "is a last-run gate" in page and "TenantSweeper" in page  # its static _lastRun is left for a person
    assert "/work/" not in page and str(SOLUTION) not in page  # no local absolute path

    code, stdout, _ = run_report(SOLUTION, "--select", "OQJ014", "--output", "-")
    assert code == 0 and stdout.startswith("<!DOCTYPE html>")
    assert "OQJ014" in stdout and "<code>OQJ005</code>" not in stdout


def test_report_usage_errors(tmp_path):
    code, _, err = run_report(SOLUTION, "--select", "OQJ999", "--output", tmp_path / "r.html")
    assert code == 2 and "OQJ999" in err and not (tmp_path / "r.html").exists()
    code, _, err = run_report(SOLUTION, "--output", tmp_path / "missing" / "r.html")
    assert code == 2 and "cannot write" in err


def test_report_through_the_real_cli(tmp_path):
    out = tmp_path / "review.html"
    code, _, err = run_cli("report", SOLUTION, "--output", out)
    assert code == 0, err
    assert "ReminderWorker" in out.read_text(encoding="utf-8")
    code, _, err = run_cli("report", SOLUTION, "--select", "OQJ999", "--output", out)
    assert code == 2 and err.startswith("oqmigrate: error:") and err.count("\n") == 1
    assert "report" in run_cli("report", "--help")[1]


@pytest.mark.skipif(chromium() is None, reason="no Chromium installed (apt-get install -y chromium)")
def test_page_renders_in_chromium_and_filters(tmp_path):
    out = tmp_path / "review.html"
    code, _, err = run_report(SOLUTION, "--output", out)
    assert code == 0, err
    url = out.as_uri()

    shot = tmp_path / "shot.png"
    browse(url, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000")
    colours = pngcheck.distinct_colours(shot)
    assert len(colours) > 50, "the screenshot is (nearly) blank"
    assert bytes((0xda, 0xfb, 0xe1)) in colours and bytes((0xff, 0xeb, 0xe9)) in colours  # added and removed lines

    dom = browse(url, tmp_path, "--dump-dom").stdout
    assert "ReminderWorker" in dom and '<td class="code add">using Oqtane.Infrastructure;</td>' in dom
    assert "public class ReminderWorker : HostedServiceBase" in text_of(dom)
    everything = parse(dom)
    assert everything.body_filter == "* *"  # the script ran
    assert everything.changes == {"change-1": False, "change-2": False, "change-3": False}

    assert '<p class="none muted">' not in dom  # no "nothing here" note without a filter
    for query in ("?rule=OQJ014", "#rule=OQJ014"):  # both read on load
        dom = browse(url + query, tmp_path, "--dump-dom").stdout
        filtered = parse(dom)
        assert filtered.body_filter == "OQJ014 *"
        # only the DigestMailer/ReminderWorker change resolves the registrations (OQJ014)
        assert filtered.changes == {"change-1": True, "change-2": True, "change-3": False}
        # nothing left for a person has OQJ014: that section says so instead of showing an empty list
        assert re.search(r'id="manual">.*<p class="none muted">Nothing here for this filter.</p></section>', dom)
    unknown = parse(browse(url + "#project=Nope", tmp_path, "--dump-dom").stdout)
    assert unknown.body_filter == "* *" and not any(unknown.changes.values())  # unknown value: filter off
