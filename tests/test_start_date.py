"""The StartDate a migrated job gets is the cron's NEXT occurrence, proven by running the generated C#.

A StartDate in the past runs the job at the first pass after installation, and from Oqtane 10.0.4 every later
d/w/M run is computed from the day of the previous one: a monthly job would move to the installation day for good
(defect D4 of docs/field-test.md). The generated statements are compiled with mcs (C# 7.2) and run with mono for
many fixed instants — month and year ends, the day of the run before and after its time, every weekday — and each
result must equal croniter's next occurrence of the cron the schedule came from.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from croniter import croniter

from csharp_compiler import find_mcs
from oqmigrate.schedule import Schedule
from oqmigrate.transforms.migrate_worker.generate import start_date

CRONS = ["0 6 1 * *", "30 23 15 * *", "0 0 1 * *", "59 23 28 * *", "0 2 * * *", "45 23 * * *", "0 0 * * *",
         "0 3 * * 1", "15 7 * * 0", "0 0 * * 6", "30 12 * * 5"]

CLOCK_READ = "var now = DateTime.UtcNow;"


def instants() -> list[dt.datetime]:
    """Instants around the cases that go wrong: the day and minute of a run, month and year ends, leap day."""
    out = [dt.datetime(2026, 12, 31, 23, 59, 59), dt.datetime(2026, 12, 1, 5, 59), dt.datetime(2026, 12, 1, 6, 0),
           dt.datetime(2026, 12, 1, 6, 1), dt.datetime(2027, 1, 1, 0, 0), dt.datetime(2028, 2, 29, 12, 0),
           dt.datetime(2026, 2, 28, 23, 59), dt.datetime(2026, 1, 31, 23, 30), dt.datetime(2026, 11, 15, 23, 30),
           dt.datetime(2026, 11, 15, 23, 29), dt.datetime(2026, 11, 28, 23, 59), dt.datetime(2026, 6, 15, 2, 0),
           dt.datetime(2026, 6, 15, 1, 59), dt.datetime(2026, 6, 15, 23, 45), dt.datetime(2026, 6, 15, 23, 46)]
    t = dt.datetime(2026, 1, 1, 0, 17)
    while t.year == 2026:  # every weekday, at shifting times of day
        out.append(t)
        t += dt.timedelta(days=3, hours=7, minutes=13)
    return out


def program(crons: list[str]) -> str:
    methods = []
    for i, cron in enumerate(crons):
        lines = start_date(Schedule.from_cron(cron))
        assert lines[0] == CLOCK_READ and not any("DateTime.UtcNow" in x or "DateTime.Now" in x for x in lines[1:])
        assert lines[-1].startswith("StartDate = ")
        body = "\n".join(["        " + x for x in lines[1:-1]] +
                         ["        return " + lines[-1][len("StartDate = "):]])
        methods.append(f"    static DateTime S{i}(DateTime now)\n    {{\n{body}\n    }}")
    calls = "\n".join(f'            Console.WriteLine(S{i}(now).ToString("yyyy-MM-dd HH:mm:ss") + " " + S{i}(now).Kind);'
                      for i in range(len(crons)))
    return ("using System;\nusing System.Globalization;\n\nstatic class StartDates\n{\n" + "\n\n".join(methods) +
            "\n\n    static void Main(string[] args)\n    {\n        foreach (var a in args)\n        {\n"
            "            var now = DateTime.SpecifyKind(DateTime.ParseExact(a, \"yyyy-MM-ddTHH:mm:ss\", "
            "CultureInfo.InvariantCulture), DateTimeKind.Utc);\n" + calls + "\n        }\n    }\n}\n")


@pytest.mark.skipif(find_mcs() is None or shutil.which("mono") is None, reason="mcs/mono not installed")
def test_generated_start_date_is_the_next_occurrence(tmp_path):
    src = tmp_path / "StartDates.cs"
    src.write_text(program(CRONS), encoding="utf-8")
    exe = tmp_path / "StartDates.exe"
    built = subprocess.run([find_mcs(), "-langversion:7.2", f"-out:{exe}", str(src)], capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    nows = instants()
    ran = subprocess.run(["mono", str(exe), *(t.strftime("%Y-%m-%dT%H:%M:%S") for t in nows)],
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    lines = iter(ran.stdout.splitlines())
    wrong = []
    for now in nows:
        for cron in CRONS:
            got = next(lines)
            expected = croniter(cron, now).get_next(dt.datetime).strftime("%Y-%m-%d %H:%M:%S") + " Utc"
            if got != expected:
                wrong.append(f"{cron} at {now}: {got}, expected {expected}")
    assert wrong == []


def test_schedules_without_a_time_of_day_have_no_start_date():
    assert start_date(Schedule.from_seconds(3600)) == []
    assert start_date(Schedule.from_cron("*/15 * * * *")) == []
