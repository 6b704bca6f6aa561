"""A cadence read from configuration is migrated only with a default the analysis can see (defect D3 of
docs/field-test.md). Oqtane stores Frequency/Interval once, when it registers the job; without a visible default the
old code wrote "every minute" with only "interval came from configuration" (sixty runs an hour for an hourly worker).
Now the class stays manual, and the reason says where the value comes from and what to do next."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES, run_cli
from gitrepo import make_repo
from oqmigrate import syntax
from oqmigrate.model import analyse
from oqmigrate.transforms import FollowUpKind, TransformContext
from oqmigrate.transforms.migrate_worker import migrate_worker

NEXT_STEP = ("and no default for it is visible here: the job would get a made-up Frequency/Interval, which Oqtane "
             "stores once, at registration; migrate by hand with the configured interval")

WORKER = """using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Litware.Module.Archive.Services
{{
{declarations}
    public class ArchiveWorker : BackgroundService
    {{
        private readonly {field_type} _source;

        public ArchiveWorker({parameter_type} source)
        {{
            _source = {assigned};
        }}

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {{
            while (!stoppingToken.IsCancellationRequested)
            {{
                Console.WriteLine("archived");
                await Task.Delay({delay}, stoppingToken);
            }}
        }}
    }}
}}
"""

SETTINGS_WITHOUT_DEFAULT = """    public class ArchiveSettings
    {
        public int EveryMinutes { get; set; }
    }
"""
SETTINGS_WITH_DEFAULT = """    public class ArchiveSettings
    {
        public int EveryMinutes { get; set; } = 120;
    }
"""

# style: (declarations in the file, field type, constructor parameter type, value assigned, delay expression)
STYLES = {
    "options-value-in-another-file": ("", "ArchiveSettings", "IOptions<ArchiveSettings>", "source.Value",
                                      "TimeSpan.FromMinutes(_source.EveryMinutes)"),
    "options-monitor-in-another-file": ("", "IOptionsMonitor<ArchiveSettings>", "IOptionsMonitor<ArchiveSettings>",
                                        "source", "TimeSpan.FromMinutes(_source.CurrentValue.EveryMinutes)"),
    "options-field-in-another-file": ("", "IOptions<ArchiveSettings>", "IOptions<ArchiveSettings>", "source",
                                      "TimeSpan.FromMinutes(_source.Value.EveryMinutes)"),
    "options-in-this-file-without-default": (SETTINGS_WITHOUT_DEFAULT, "ArchiveSettings", "IOptions<ArchiveSettings>",
                                             "source.Value", "TimeSpan.FromMinutes(_source.EveryMinutes)"),
    "configuration-without-default": ("", "IConfiguration", "IConfiguration", "source",
                                      'TimeSpan.FromMinutes(_source.GetValue<int>("Archive:EveryMinutes"))'),
}
SOURCES = {
    "options-value-in-another-file": "ArchiveSettings.EveryMinutes (declared in another file)",
    "options-monitor-in-another-file": "ArchiveSettings.EveryMinutes (declared in another file)",
    "options-field-in-another-file": "ArchiveSettings.EveryMinutes (declared in another file)",
    "options-in-this-file-without-default": "ArchiveSettings.EveryMinutes (without a default value)",
    "configuration-without-default": 'configuration "Archive:EveryMinutes" (no default given)',
}


def _worker(declarations: str, field_type: str, parameter_type: str, assigned: str, delay: str) -> bytes:
    return WORKER.format(declarations=declarations, field_type=field_type, parameter_type=parameter_type,
                         assigned=assigned, delay=delay).encode()


def _migrate(data: bytes):
    tree = syntax.parse(data)
    return migrate_worker(TransformContext("ArchiveWorker.cs", data, tree, analyse(tree), "\n", "    "))


@pytest.mark.parametrize("style", STYLES)
def test_configured_cadence_without_a_visible_default_stays_manual(style):
    result = _migrate(_worker(*STYLES[style]))
    assert result.edits == []
    assert [m.reason for m in result.manual] == [
        f"the interval comes from configuration, {SOURCES[style]}, {NEXT_STEP}"]


def test_a_visible_default_is_migrated_with_the_configuration_note():
    result = _migrate(_worker(SETTINGS_WITH_DEFAULT, "ArchiveSettings", "IOptions<ArchiveSettings>", "source.Value",
                              "TimeSpan.FromMinutes(_source.EveryMinutes)"))
    assert [m.reason for m in result.manual if m.kind is FollowUpKind.MANUAL] == []
    text = "".join(e.new_text for e in result.edits)
    assert 'Frequency = "H";' in text
    assert "Interval = 2; // oqmigrate: interval came from configuration: set it in Admin › Scheduled Jobs" in text


def test_options_class_in_its_own_file_through_the_cli(tmp_path):
    """The usual layout (the field-test repro): the scan's fixable verdict and the diff agree, nothing changes."""
    case = FIXTURES / "real-world" / "defect-options-default-in-other-file"
    repo = make_repo(tmp_path / "repo", copy_from=case / "tree")
    code, out, err = run_cli("diff", ".", "--no-progress", cwd=repo)
    assert (code, out) == (0, ""), err
    reason = ("Server/Services/Sweeper.cs:9 Sweeper: the interval comes from configuration, SweepOptions.PeriodSeconds "
              f"(declared in another file), {NEXT_STEP}")
    assert reason in [line.strip() for line in err.splitlines()], err
    code, out, err = run_cli("scan", ".", "--no-progress", "--format", "json", cwd=repo)
    findings = json.loads(out)["findings"]
    assert sorted((f["rule_id"], f["fixable"]) for f in findings) == [("OQJ001", False), ("OQJ002", False)]
