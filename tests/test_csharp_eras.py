"""Per-era Oqtane stubs: hand-written jobs compile on the eras that have their API and fail, with the compiler
error a user would see, on the eras that do not (real mcs, C# 7.2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from csharp_compiler import find_mcs
from csharp_eras import CURRENT_OQTANE_STUB, ERA_COMMON_STUB, ERAS, compile_for_era, era_of, era_sources

from oqmigrate.versions import CURRENT, Feature, Version

REPO = Path(__file__).resolve().parent.parent
SOLUTION = REPO / "fixtures" / "solutions" / "Acme.Module.Tasks"
ERA_NAMES = list(ERAS)

requires_mcs = pytest.mark.skipif(
    find_mcs() is None,
    reason="mcs not installed: install Debian's mono-mcs to compile-check C# (CI does)",
)

USINGS = """using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Oqtane.Enums;
using Oqtane.Infrastructure;
using Oqtane.Models;
using Oqtane.Repository;
using Oqtane.Shared;
"""


def _job(name: str, members: str) -> str:
    return USINGS + f"""
namespace Acme.Module.Notes.Jobs
{{
    public class {name} : HostedServiceBase
    {{
{members}
    }}
}}
"""


def _ctor(name: str, body: str = "") -> str:
    return f"""        public {name}(IServiceScopeFactory serviceScopeFactory) : base(serviceScopeFactory)
        {{
            Name = "Notes {name}";
            Frequency = "d";
            Interval = 1;
            IsEnabled = true;
{body}
        }}
"""


SYNC_EXECUTE_JOB = """        public override string ExecuteJob(IServiceProvider provider)
        {
            return "done";
        }
"""

# what an emitter produces before 4.0.3 for async work: run it to completion inside the only hook there is
SYNC_OVER_ASYNC = """        public override string ExecuteJob(IServiceProvider provider)
        {
            return RunAsync(provider).GetAwaiter().GetResult();
        }

        private async Task<string> RunAsync(IServiceProvider provider)
        {
            await Task.Delay(1);
            return "done";
        }
"""

ASYNC_ONLY = """        public override async Task<string> ExecuteJobAsync(IServiceProvider provider)
        {
            await Task.Delay(1);
            return "done";
        }
"""

TENANT_MANAGER = """        public override string ExecuteJob(IServiceProvider provider)
        {
            var tenants = provider.GetRequiredService<ITenantManager>();
            return tenants.GetTenant().Name;
        }
"""

SET_ALIAS = """        public override string ExecuteJob(IServiceProvider provider)
        {
            provider.GetRequiredService<ITenantManager>().SetAlias(1, 1);
            return "";
        }
"""

SETTING_BY_NAME = """        public override string ExecuteJob(IServiceProvider provider)
        {
            var setting = provider.GetRequiredService<ISettingRepository>().GetSetting(EntityNames.Site, 1, "Notes:Days");
            return setting == null ? "" : setting.SettingValue;
        }
"""

GET_SETTING_VALUE = """        public override string ExecuteJob(IServiceProvider provider)
        {
            return provider.GetRequiredService<ISettingRepository>().GetSettingValue(EntityNames.Site, 1, "Notes:Days", "30");
        }
"""

ENTITY_NAME_JOB = """        public override string ExecuteJob(IServiceProvider provider)
        {
            return EntityNames.Job;
        }
"""

SETTING_BY_ID = """        public override string ExecuteJob(IServiceProvider provider)
        {
            var setting = provider.GetRequiredService<ISettingRepository>().GetSetting(5);
            return setting == null ? "" : setting.SettingValue;
        }
"""

LOG_MANAGER = """        public override string ExecuteJob(IServiceProvider provider)
        {
            provider.GetRequiredService<ILogManager>().Log(LogLevel.Information, this, LogFunction.Other, "Notes purged: {Count}", 3);
            return "";
        }
"""

OK = None
ALL_OK = {"v2_0_1": OK, "v3_0_2": OK, "v4_0_3": OK, "v10_2_0": OK}
# case → (job class, members after its constructor, extra constructor lines,
#         {era: None when it compiles, else the mcs error code expected})
CASES: dict[str, tuple[str, str, str, dict[str, str | None]]] = {
    "sync_execute_job": ("SyncJob", SYNC_EXECUTE_JOB, "", ALL_OK),
    "sync_over_async": ("SyncOverAsyncJob", SYNC_OVER_ASYNC, "", ALL_OK),
    "async_only": ("AsyncJob", ASYNC_ONLY, "",
                   {"v2_0_1": "CS0115", "v3_0_2": "CS0115", "v4_0_3": OK, "v10_2_0": OK}),
    "no_hook": ("NoHookJob", "", "",
                {"v2_0_1": "CS0534", "v3_0_2": "CS0534", "v4_0_3": OK, "v10_2_0": OK}),
    "maximum_duration": ("LongJob", SYNC_EXECUTE_JOB, "            MaximumDuration = 60;",
                         {"v2_0_1": "CS0103", "v3_0_2": "CS0103", "v4_0_3": "CS0103", "v10_2_0": OK}),
    "tenant_manager": ("TenantJob", TENANT_MANAGER, "",
                       {"v2_0_1": "CS0246", "v3_0_2": OK, "v4_0_3": OK, "v10_2_0": OK}),
    "set_alias_ids": ("AliasJob", SET_ALIAS, "",
                      {"v2_0_1": "CS0246", "v3_0_2": "CS1501", "v4_0_3": "CS1501", "v10_2_0": OK}),
    "setting_by_name": ("SettingJob", SETTING_BY_NAME, "",
                        {"v2_0_1": "CS1501", "v3_0_2": OK, "v4_0_3": OK, "v10_2_0": OK}),
    "get_setting_value": ("SettingValueJob", GET_SETTING_VALUE, "",
                          {"v2_0_1": "CS1061", "v3_0_2": "CS1061", "v4_0_3": "CS1061", "v10_2_0": OK}),
    "setting_by_id": ("SettingByIdJob", SETTING_BY_ID, "",
                      {"v2_0_1": OK, "v3_0_2": "CS1501", "v4_0_3": "CS1501", "v10_2_0": "CS1501"}),
    "log_manager": ("LogJob", LOG_MANAGER, "", ALL_OK),
    "entity_name_job": ("EntityJob", ENTITY_NAME_JOB, "",
                        {"v2_0_1": "CS0117", "v3_0_2": "CS0117", "v4_0_3": OK, "v10_2_0": OK}),
}


def _case_source(case: str) -> str:
    name, members, ctor_lines, _ = CASES[case]
    return _job(name, _ctor(name, ctor_lines) + members)


MATRIX = [(case, era, expected) for case, (*_, outcomes) in CASES.items() for era, expected in outcomes.items()]


def test_every_case_covers_every_era():
    for case, (*_, outcomes) in CASES.items():
        assert list(outcomes) == ERA_NAMES, case


def test_eras_start_where_the_job_api_changes():
    assert [era.first for era in ERAS.values()] == [
        Feature.JOB_METADATA_AND_TENANT_LOOP.since,
        Feature.WEEKLY_AND_ONCE_FREQUENCIES.since,
        Feature.EXECUTE_JOB_ASYNC.since,
        Feature.MAXIMUM_DURATION.since,
    ]
    eras = list(ERAS.values())
    for earlier, later in zip(eras, eras[1:]):
        assert earlier.last < later.first
    assert eras[-1].last == CURRENT
    for era in eras:
        assert era.stub.is_file() and era.contains(era.first) and era.contains(era.last)


@pytest.mark.parametrize(
    "version, era",
    [("2.0.0", None), ("1.0.4", None), ("2.0.1", "v2_0_1"), ("2.1.0", "v2_0_1"), ("3.0.1", "v2_0_1"),
     ("3.0.2", "v3_0_2"), ("4.0.2", "v3_0_2"), ("4.0.3", "v4_0_3"), ("6.2.1", "v4_0_3"), ("10.1.2", "v4_0_3"),
     ("10.2.0", "v10_2_0"), ("10.2.4", "v10_2_0"), ("11.0.0", "v10_2_0")],
)
def test_era_of(version, era):
    found = era_of(Version.parse(version))
    assert (found.name if found else None) == era


def test_era_sources_swap_only_the_oqtane_stub():
    for name in ERA_NAMES:
        sources = era_sources(name)
        assert CURRENT_OQTANE_STUB not in sources and sources[-2:] == [ERA_COMMON_STUB, ERAS[name].stub]
        assert any(p.name == "Microsoft.Extensions.Hosting.cs" for p in sources)
        assert any(p.name == "Oqtane.cs" for p in sources), "the API every release has"
        assert not any(p.parent == ERA_COMMON_STUB.parent and p not in (ERA_COMMON_STUB, ERAS[name].stub)
                       for p in sources), "no other era's stub"


@requires_mcs
@pytest.mark.parametrize("era", ERA_NAMES)
def test_era_stub_compiles_alone(era):
    result = compile_for_era([], era)
    assert result.ok, result.output


@requires_mcs
@pytest.mark.parametrize("era", ERA_NAMES)
def test_jobs_compile_on_the_eras_that_have_their_api(tmp_path, era):
    """All cases expected to compile on ``era``, in one compile (mcs names the file of any error)."""
    sources = []
    for case, (*_, outcomes) in CASES.items():
        if outcomes[era] is OK:
            sources.append(tmp_path / f"{case}.cs")
            sources[-1].write_text(_case_source(case), encoding="utf-8")
    assert len(sources) >= 3
    result = compile_for_era(sources, era)
    assert result.ok, result.output


FAILURES = [(case, era, expected) for case, era, expected in MATRIX if expected is not OK]


@requires_mcs
@pytest.mark.parametrize("case, era, expected", FAILURES, ids=[f"{c}-{e}" for c, e, _ in FAILURES])
def test_job_fails_on_an_era_without_its_api(tmp_path, case, era, expected):
    source = tmp_path / f"{case}.cs"
    source.write_text(_case_source(case), encoding="utf-8")
    result = compile_for_era([source], era)
    assert not result.ok, f"{case} compiled on {era} but should fail with {expected}"
    codes = {line.split("error ", 1)[1].split(":", 1)[0] for line in result.output.splitlines()
             if ": error CS" in line}
    assert codes == {expected}, result.output


@requires_mcs
def test_async_job_before_4_0_3_names_the_missing_override(tmp_path):
    source = tmp_path / "AsyncJob.cs"
    source.write_text(_case_source("async_only"), encoding="utf-8")
    output = compile_for_era([source], "v3_0_2").output
    # mcs stops at this error; the unimplemented abstract ExecuteJob (CS0534) is the no_hook case
    assert "error CS0115" in output
    assert "ExecuteJobAsync(System.IServiceProvider)' is marked as an override but no suitable method" in output


@requires_mcs
def test_bundled_solution_compiles_on_its_own_era():
    """The fixture solution references Oqtane 10.2.4: its server and shared code compile on the 10.2 era."""
    sources = [p for project in ("Server", "Shared") for p in sorted((SOLUTION / project).rglob("*.cs"))]
    result = compile_for_era(sources, era_of(Version(10, 2, 4)))
    assert result.ok, result.output
