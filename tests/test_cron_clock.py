"""A cron evaluated on the server's local clock is migrated with a note that says so (defect D5 of
docs/field-test.md): Oqtane's StartDate is UTC, so the same hour in UTC is off by the server's offset. The
review list of `diff` (the real CLI, in a real git repository) tells UTC from local time the way the polled-clock
path does, for Cronos and NCrontab in the styles workers write them."""

from __future__ import annotations

import pytest

from conftest import run_cli
from gitrepo import make_repo

LOCAL = "the worker used local time; StartDate is UTC — check the hour"

HEAD = """using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using {library};

namespace Fabrikam.Module.Reminders.Services
{{
    public class {name} : BackgroundService
    {{
        private readonly {type} _cron = {type}.Parse("{cron}");

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {{
            while (!stoppingToken.IsCancellationRequested)
            {{
{wait}
                Console.WriteLine("{name} ran");
            }}
        }}
    }}
}}
"""

PROJECT = """<Project Sdk="Microsoft.NET.Sdk.Razor">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <AssemblyName>Fabrikam.Module.Reminders.Server.Oqtane</AssemblyName>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Oqtane.Server" Version="10.2.4" />
    <PackageReference Include="Cronos" Version="0.11.0" />
    <PackageReference Include="NCrontab" Version="3.3.3" />
  </ItemGroup>
</Project>
"""

CRONOS = ("Cronos", "CronExpression")
NCRONTAB = ("NCrontab", "CrontabSchedule")

# name: (library, cron, the statements that wait, what the review must say about the clock)
STYLES = {
    "CronosUtc": (CRONOS, "0 4 * * *", """                var next = _cron.GetNextOccurrence(DateTime.UtcNow);
                if (next == null) return;
                await Task.Delay(next.Value - DateTime.UtcNow, stoppingToken);""", "times are UTC"),
    "CronosLocalZone": (CRONOS, "30 6 * * 1", """                var from = DateTimeOffset.Now;
                var next = _cron.GetNextOccurrence(from, TimeZoneInfo.Local);
                if (next == null) return;
                await Task.Delay(next.Value - from, stoppingToken);""", LOCAL),
    "CronosUtcZone": (CRONOS, "0 5 1 * *", """                var next = _cron.GetNextOccurrence(DateTimeOffset.UtcNow, TimeZoneInfo.Utc);
                if (next == null) return;
                await Task.Delay(next.Value - DateTimeOffset.UtcNow, stoppingToken);""", "times are UTC"),
    "CronosParisZone": (CRONOS, "0 8 * * *", """                var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
                var next = _cron.GetNextOccurrence(DateTime.UtcNow, paris);
                if (next == null) return;
                await Task.Delay(next.Value - DateTime.UtcNow, stoppingToken);""",
                        "the worker evaluated the cron against the time zone "
                        'TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris"); StartDate is UTC — check the hour'),
    "CronosLocalZoneVariable": (CRONOS, "0 18 * * 5", """                var zone = TimeZoneInfo.Local;
                var next = _cron.GetNextOccurrence(DateTime.UtcNow, zone);
                if (next == null) return;
                await Task.Delay(next.Value - DateTime.UtcNow, stoppingToken);""", LOCAL),
    "NcrontabInlineNow": (NCRONTAB, "0 22 * * *", """                await Task.Delay(_cron.GetNextOccurrence(DateTime.Now) - DateTime.Now, stoppingToken);""",
                          LOCAL),
    "NcrontabLocalNow": (NCRONTAB, "15 1 10 * *", """                var clock = DateTime.Now;
                var next = _cron.GetNextOccurrence(clock);
                await Task.Delay(next - clock, stoppingToken);""", LOCAL),
    "NcrontabUtcNow": (NCRONTAB, "0 3 * * 0", """                var utc = DateTime.UtcNow;
                var next = _cron.GetNextOccurrence(utc);
                await Task.Delay(next - utc, stoppingToken);""", "times are UTC"),
}


@pytest.fixture(scope="module")
def review(tmp_path_factory) -> list[str]:
    files = {}
    for name, ((library, type_), cron, wait, _) in STYLES.items():
        text = HEAD.format(library=library, type=type_, name=name, cron=cron, wait=wait)
        files[f"Server/Services/{name}.cs"] = text.encode()
    files["Server/Fabrikam.Module.Reminders.Server.csproj"] = PROJECT.encode()
    repo = make_repo(tmp_path_factory.mktemp("cron-clock") / "repo", files)
    code, out, err = run_cli("diff", ".", "--no-progress", cwd=repo)
    assert "Traceback" not in err
    assert code == 1, err
    assert "manual follow-ups" not in err, err  # every style migrates
    return [line.strip() for line in err.splitlines() if line.startswith("  ")]


@pytest.mark.parametrize("name", STYLES)
def test_review_says_which_clock_the_cron_ran_on(review, name):
    cron, expected = STYLES[name][1], STYLES[name][3]
    mine = [line for line in review if f" {name}: cron " in line]
    assert mine == [f'Server/Services/{name}.cs:9 {name}: cron "{cron}"; {expected}; first run at the next occurrence'], \
        review
