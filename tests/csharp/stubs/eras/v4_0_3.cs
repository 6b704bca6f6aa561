// Oqtane API surface as of 4.0.3 — the era 4.0.3 to 10.1.x — signatures only, for oqmigrate's compile checks.
// Replaces ../Oqtane.cs in an era compile (tests/csharp_eras.py). Each era stub is the API of the era's FIRST
// release, so code that compiles here compiles on every release of the era. New in 4.0.3: ExecuteJobAsync and a
// virtual (no longer abstract) ExecuteJob. Arriving later in this era: ITenantManager.SetAlias(tenantId, siteId)
// (5.0.1), ISettingRepository.GetSettingValue (6.1.3), Job settings in the master database (6.2.0, run time), the
// time of day of "d"/"w"/"M" jobs from the previous run (10.0.4, run time). No MaximumDuration before 10.2.0.
using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Oqtane.Infrastructure
{
    // Oqtane.Server/Infrastructure/Jobs/HostedServiceBase.cs
    public abstract class HostedServiceBase : IHostedService, IDisposable
    {
        public HostedServiceBase(IServiceScopeFactory serviceScopeFactory) { }

        // metadata used when the Job row is registered automatically (since 2.0.1)
        public string Name { get; set; } = "";
        public string Frequency { get; set; } = "d";
        public int Interval { get; set; } = 1;
        public DateTime? StartDate { get; set; } = null;
        public DateTime? EndDate { get; set; } = null;
        public int RetentionHistory { get; set; } = 10;
        public bool IsEnabled { get; set; } = false;

        // one of the following methods must be overridden (ExecuteJobAsync and the virtual ExecuteJob: since 4.0.3)
        public virtual string ExecuteJob(IServiceProvider provider) { return ""; }
        public virtual Task<string> ExecuteJobAsync(IServiceProvider provider) { return Task.FromResult(string.Empty); }

        protected Task ExecuteAsync(CancellationToken stoppingToken) { throw null; }

        public Task StartAsync(CancellationToken cancellationToken) { throw null; }
        public Task StopAsync(CancellationToken cancellationToken) { throw null; }
        public void Dispose() { }
    }

    public interface ITenantManager
    {
        Oqtane.Models.Alias GetAlias();
        Oqtane.Models.Tenant GetTenant();
        void SetAlias(Oqtane.Models.Alias alias);
        void SetTenant(int tenantId);
    }

    public interface IServerStartup
    {
        void ConfigureServices(IServiceCollection services);
        void Configure(IApplicationBuilder app, IWebHostEnvironment env);
        void ConfigureMvc(IMvcBuilder mvcBuilder);
    }

    public interface ILogManager
    {
        void Log(Oqtane.Shared.LogLevel level, object @class, Oqtane.Enums.LogFunction function, string message, params object[] args);
        void Log(Oqtane.Shared.LogLevel level, object @class, Oqtane.Enums.LogFunction function, Exception exception, string message, params object[] args);
    }
}

namespace Oqtane.Modules
{
    // marker interfaces: Oqtane registers implementations as Scoped / Transient
    public interface IService { }
    public interface ITransientService { }
}

namespace Oqtane.Repository
{
    using Oqtane.Models;

    public interface ITenantResolver
    {
        Alias GetAlias();
        Tenant GetTenant();
    }

    public interface ISiteRepository
    {
        IEnumerable<Site> GetSites();
        Site GetSite(int siteId);
    }

    public interface ITenantRepository
    {
        IEnumerable<Tenant> GetTenants();
        Tenant GetTenant(int tenantId);
    }

    public interface IAliasRepository
    {
        IEnumerable<Alias> GetAliases();
        Alias GetAlias(int aliasId);
    }

    public interface ISettingRepository
    {
        IEnumerable<Setting> GetSettings(string entityName);
        IEnumerable<Setting> GetSettings(string entityName, int entityId);
        Setting GetSetting(string entityName, int settingId);
        Setting GetSetting(string entityName, int entityId, string settingName);
        Setting AddSetting(Setting setting);
        Setting UpdateSetting(Setting setting);
        void DeleteSetting(string entityName, int settingId);
    }

    public interface IJobRepository
    {
        IEnumerable<Job> GetJobs();
        Job GetJob(int jobId);
        Job AddJob(Job job);
        Job UpdateJob(Job job);
        void DeleteJob(int jobId);
    }

    public interface IJobLogRepository
    {
        IEnumerable<JobLog> GetJobLogs();
        JobLog AddJobLog(JobLog jobLog);
        JobLog UpdateJobLog(JobLog jobLog);
        void DeleteJobLog(int jobLogId);
    }
}

namespace Oqtane.Models
{
    public class Site
    {
        public int SiteId { get; set; }
        public int TenantId { get; set; }
        public string Name { get; set; }
        public bool IsDeleted { get; set; }
    }

    public class Tenant
    {
        public int TenantId { get; set; }
        public string Name { get; set; }
        public string DBConnectionString { get; set; }
        public string DBType { get; set; }
    }

    public class Alias
    {
        public int AliasId { get; set; }
        public string Name { get; set; }
        public int TenantId { get; set; }
        public int SiteId { get; set; }
        public bool IsDefault { get; set; }
    }

    public class Setting
    {
        public int SettingId { get; set; }
        public string EntityName { get; set; }
        public int EntityId { get; set; }
        public string SettingName { get; set; }
        public string SettingValue { get; set; }
        public bool IsPrivate { get; set; }
    }

    public class Job
    {
        public int JobId { get; set; }
        public string Name { get; set; }
        public string JobType { get; set; }
        public string Frequency { get; set; }
        public int Interval { get; set; }
        public DateTime? StartDate { get; set; }
        public DateTime? EndDate { get; set; }
        public bool IsEnabled { get; set; }
        public bool IsStarted { get; set; }
        public bool IsExecuting { get; set; }
        public DateTime? NextExecution { get; set; }
        public int RetentionHistory { get; set; }
    }

    public class JobLog
    {
        public int JobLogId { get; set; }
        public int JobId { get; set; }
        public DateTime StartDate { get; set; }
        public DateTime? FinishDate { get; set; }
        public bool? Succeeded { get; set; }
        public string Notes { get; set; }
    }
}

namespace Oqtane.Shared
{
    public class EntityNames
    {
        public const string Alias = "Alias";
        public const string Job = "Job";
        public const string Module = "Module";
        public const string Page = "Page";
        public const string Site = "Site";
        public const string Tenant = "Tenant";
        public const string User = "User";
    }

    public enum LogLevel { Trace, Debug, Information, Warning, Error, Critical, None }
}

namespace Oqtane.Enums
{
    public enum LogFunction { Create, Read, Update, Delete, Security, Other }
}
