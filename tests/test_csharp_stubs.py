"""The C# stubs and the bundled fixture solution compile with a real compiler (mcs, C# 7.2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from csharp_compiler import STUBS_DIR, compile_csharp, find_mcs, stub_sources

REPO = Path(__file__).resolve().parent.parent
SOLUTION = REPO / "fixtures" / "solutions" / "Acme.Module.Tasks"

requires_mcs = pytest.mark.skipif(
    find_mcs() is None,
    reason="mcs not installed: install Debian's mono-mcs to compile-check C# (CI does)",
)


def _solution_sources(*projects: str) -> list[Path]:
    return [p for project in projects for p in sorted((SOLUTION / project).rglob("*.cs"))]


def _write(tmp_path: Path, name: str, code: str) -> Path:
    path = tmp_path / name
    path.write_text(code, encoding="utf-8")
    return path


def test_stubs_exist():
    names = {p.name for p in stub_sources()}
    assert {"Oqtane.cs", "Microsoft.Extensions.Hosting.cs", "Cronos.cs", "NCrontab.cs"} <= names
    assert STUBS_DIR.is_dir()


@requires_mcs
def test_stubs_compile_alone():
    result = compile_csharp([])
    assert result.ok, result.output


@requires_mcs
def test_solution_server_and_shared_compile_against_stubs():
    sources = _solution_sources("Server", "Shared")
    assert len(sources) >= 10
    result = compile_csharp(sources)
    assert result.ok, result.output


@requires_mcs
def test_compile_errors_are_reported(tmp_path):
    broken = _write(tmp_path, "Broken.cs", "namespace X { public class Y { public int Z() { return \"no\"; } } }\n")
    result = compile_csharp([broken])
    assert not result.ok
    assert "CS0029" in result.output


@requires_mcs
def test_langversion_7_2_rejects_newer_syntax(tmp_path):
    code = (
        "using System.IO;\n"
        "namespace X { public class Y { public void Z() { using var s = new MemoryStream(); } } }\n"
    )
    newer = _write(tmp_path, "UsingVar.cs", code)
    assert not compile_csharp([newer]).ok


@requires_mcs
def test_migrated_job_shape_compiles(tmp_path):
    job = _write(
        tmp_path,
        "CleanupWorker.cs",
        """using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Oqtane.Infrastructure;
using Oqtane.Repository;

namespace Acme.Jobs
{
    public class CleanupWorker : HostedServiceBase
    {
        public CleanupWorker(IServiceScopeFactory serviceScopeFactory) : base(serviceScopeFactory)
        {
            Name = "Cleanup Worker";
            Frequency = "m";
            Interval = 30;
            StartDate = DateTime.UtcNow.Date.AddHours(2);
            RetentionHistory = 5;
            MaximumDuration = 60;
            IsEnabled = true;
        }

        public override async Task<string> ExecuteJobAsync(IServiceProvider provider)
        {
            try
            {
                var sites = provider.GetRequiredService<ISiteRepository>();
                var tenants = provider.GetRequiredService<ITenantManager>();
                var logger = provider.GetRequiredService<ILogger<CleanupWorker>>();
                foreach (var site in sites.GetSites())
                {
                    tenants.SetAlias(tenants.GetTenant().TenantId, site.SiteId);
                    logger.LogInformation("site {Site}", site.Name);
                }
                await Task.Delay(0, CancellationToken.None);
                return "Cleanup Worker completed<br />";
            }
            catch (Exception ex)
            {
                return $"Cleanup Worker failed: {ex.Message}<br />";
            }
        }
    }
}
""",
    )
    result = compile_csharp([job])
    assert result.ok, result.output


@requires_mcs
def test_worker_shapes_compile(tmp_path):
    worker = _write(
        tmp_path,
        "Workers.cs",
        """using System;
using System.Threading;
using System.Threading.Tasks;
using Cronos;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NCrontab;

namespace Acme.Workers
{
    public class Opts { public int Minutes { get; set; } }

    public class Ticker : BackgroundService
    {
        private readonly IServiceScopeFactory _factory;
        private readonly IOptionsMonitor<Opts> _opts;
        private readonly IConfiguration _config;
        public Ticker(IServiceScopeFactory factory, IOptionsMonitor<Opts> opts, IConfiguration config) { _factory = factory; _opts = opts; _config = config; }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using (var timer = new PeriodicTimer(TimeSpan.FromMinutes(_opts.CurrentValue.Minutes)))
            {
                while (await timer.WaitForNextTickAsync(stoppingToken))
                {
                    var scope = _factory.CreateAsyncScope();
                    try
                    {
                        var log = scope.ServiceProvider.GetService<ILoggerFactory>().CreateLogger<Ticker>();
                        log.LogWarning(new Exception("x"), "tick {N}", _config.GetValue<int>("N", 3));
                        var cron = CronExpression.Parse("*/5 * * * * *", CronFormat.IncludeSeconds);
                        DateTimeOffset? next = cron.GetNextOccurrence(DateTimeOffset.UtcNow, TimeZoneInfo.Utc);
                        DateTime next2 = CrontabSchedule.Parse("0 * * * *").GetNextOccurrence(DateTime.UtcNow);
                        log.LogDebug("{A} {B} {C}", next, next2, _config["Section:Key"]);
                    }
                    finally
                    {
                        await scope.DisposeAsync();
                    }
                }
            }
        }
    }

    public class Legacy : IHostedService, IDisposable
    {
        private System.Timers.Timer _t;
        private Timer _t2;
        public Task StartAsync(CancellationToken cancellationToken)
        {
            _t = new System.Timers.Timer(60000);
            _t2 = new Timer(_ => Task.Run(() => { }), null, TimeSpan.Zero, TimeSpan.FromMinutes(1));
            return Task.CompletedTask;
        }
        public Task StopAsync(CancellationToken cancellationToken) { _t2.Change(Timeout.Infinite, 0); return Task.CompletedTask; }
        public void Dispose() { _t.Dispose(); _t2.Dispose(); }
    }

    public static class Registration
    {
        public static void Register(IServiceCollection services)
        {
            services.AddHostedService<Ticker>();
            services.AddSingleton<IHostedService, Legacy>();
            services.AddSingleton(typeof(IHostedService), typeof(Legacy));
            services.AddScoped<Opts>();
            services.AddTransient(typeof(Opts), typeof(Opts));
            services.Configure<Opts>(o => o.Minutes = 5);
            var provider = services.BuildServiceProvider();
            var ticker = ActivatorUtilities.CreateInstance<Ticker>(provider);
        }
    }
}
""",
    )
    result = compile_csharp([worker])
    assert result.ok, result.output


@requires_mcs
def test_job_cannot_override_execute_async(tmp_path):
    # HostedServiceBase.ExecuteAsync is not virtual in Oqtane; the stub must say so.
    bad = _write(
        tmp_path,
        "BadJob.cs",
        """using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Oqtane.Infrastructure;

namespace Acme.Jobs
{
    public class BadJob : HostedServiceBase
    {
        public BadJob(IServiceScopeFactory f) : base(f) { }
        protected override Task ExecuteAsync(CancellationToken stoppingToken) { return Task.CompletedTask; }
    }
}
""",
    )
    result = compile_csharp([bad])
    assert not result.ok
    assert "CS0506" in result.output


def test_fixture_solution_layout():
    for rel in (
        "Acme.Module.Tasks.slnx",
        "Acme.Module.Tasks.sln",
        "Client/Acme.Module.Tasks.Client.csproj",
        "Server/Acme.Module.Tasks.Server.csproj",
        "Shared/Acme.Module.Tasks.Shared.csproj",
        "Package/Acme.Module.Tasks.Package.csproj",
        "Package/Acme.Module.Tasks.nuspec",
        "Server/Startup/ServerStartup.cs",
    ):
        assert (SOLUTION / rel).is_file(), rel
    server = (SOLUTION / "Server/Acme.Module.Tasks.Server.csproj").read_text()
    assert "<AssemblyName>Acme.Module.Tasks.Server.Oqtane</AssemblyName>" in server


def test_fixture_encodings():
    # Exactly one file is BOM + CRLF, as real repos mix styles; everything else is plain LF UTF-8.
    bom_crlf = []
    for path in sorted(SOLUTION.rglob("*")):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data.startswith(b"\xef\xbb\xbf") or b"\r\n" in data:
            bom_crlf.append(path.relative_to(SOLUTION).as_posix())
    assert bom_crlf == ["Server/Services/DigestMailer.cs"]
    data = (SOLUTION / "Server/Services/DigestMailer.cs").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\n") == data.count(b"\r\n")
