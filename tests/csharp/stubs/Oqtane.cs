// Oqtane framework API surface (Oqtane.Server / Oqtane.Shared), signatures only.
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

        // metadata used only when the Job row is first registered
        public string Name { get; set; } = "";
        public string Frequency { get; set; } = "d";
        public int Interval { get; set; } = 1;
        public DateTime? StartDate { get; set; } = null;
        public DateTime? EndDate { get; set; } = null;
        public int RetentionHistory { get; set; } = 10;
        public bool IsEnabled { get; set; } = false;
        public int MaximumDuration { get; set; } = 30;

        // one of the following methods must be overridden
        public virtual string ExecuteJob(IServiceProvider provider) { return ""; }
        public virtual Task<string> ExecuteJobAsync(IServiceProvider provider) { return Task.FromResult(string.Empty); }

        // not virtual: jobs cannot override the polling loop
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
        void SetAlias(int tenantId, int siteId);
        void SetTenant(int tenantId);
    }

    public interface ITenantResolver
    {
        Oqtane.Models.Alias GetAlias();
        Oqtane.Models.Tenant GetTenant();
    }

    public interface IServerStartup
    {
        void ConfigureServices(IServiceCollection services);
        void Configure(IApplicationBuilder app, IWebHostEnvironment env);
        void ConfigureMvc(IMvcBuilder mvcBuilder);
    }

    public interface ILogManager
    {
        void Log(Oqtane.Shared.LogLevel level, object @class, Oqtane.Shared.LogFunction function, string message, params object[] args);
        void Log(Oqtane.Shared.LogLevel level, object @class, Oqtane.Shared.LogFunction function, Exception exception, string message, params object[] args);
    }

    // Implementations the namespace also exports: their simple names collide with other libraries' types
    // (NLog.LogManager) once a file imports both namespaces (CS0104).
    public class LogManager : ILogManager
    {
        public void Log(Oqtane.Shared.LogLevel level, object @class, Oqtane.Shared.LogFunction function, string message, params object[] args) { }
        public void Log(Oqtane.Shared.LogLevel level, object @class, Oqtane.Shared.LogFunction function, Exception exception, string message, params object[] args) { }
    }

    public class SyncManager { }
    public class CacheManager { }
    public class ConfigManager { }
    public class DatabaseManager { }
    public class DistributedLockManager { }
    public class TokenReplace { }
    public class ServerState { }
    public class FileLogger { }
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
        public int MaximumDuration { get; set; }
    }

    public class JobLog
    {
        public int JobLogId { get; set; }
        public int JobId { get; set; }
        public DateTime StartDate { get; set; }
        public DateTime? FinishDate { get; set; }
        public bool? Succeeded { get; set; }
        public string Notes { get; set; }
        public string Server { get; set; }
        public string Instance { get; set; }
    }
}

namespace Oqtane.Shared
{
    public static class EntityNames
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

    public enum LogFunction { Create, Read, Update, Delete, Security, Other }
}
