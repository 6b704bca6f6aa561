// Oqtane framework API surface (Oqtane.Server / Oqtane.Shared) that every supported release has (2.0.1 onwards),
// signatures only. Every compile includes it: a plain compile (tests/csharp_compiler.py) adds today's API from
// Oqtane.Current.cs, an era compile (tests/csharp_eras.py) adds eras/common.cs and the era's own file instead. The
// types whose members differ between releases are `partial` here; the other parts hold what differs.
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
    // Oqtane.Server/Infrastructure/Jobs/HostedServiceBase.cs; the execute hooks (ExecuteJob, ExecuteJobAsync) and
    // MaximumDuration differ by release
    public abstract partial class HostedServiceBase : IHostedService, IDisposable
    {
        public HostedServiceBase(IServiceScopeFactory serviceScopeFactory) { }

        // metadata used only when the Job row is first registered (automatically since 2.0.1)
        public string Name { get; set; } = "";
        public string Frequency { get; set; } = "d";
        public int Interval { get; set; } = 1;
        public DateTime? StartDate { get; set; } = null;
        public DateTime? EndDate { get; set; } = null;
        public int RetentionHistory { get; set; } = 10;
        public bool IsEnabled { get; set; } = false;

        // not virtual: jobs cannot override the polling loop
        protected Task ExecuteAsync(CancellationToken stoppingToken) { throw null; }

        public Task StartAsync(CancellationToken cancellationToken) { throw null; }
        public Task StopAsync(CancellationToken cancellationToken) { throw null; }
        public void Dispose() { }
    }

    public interface IServerStartup
    {
        void ConfigureServices(IServiceCollection services);
        void Configure(IApplicationBuilder app, IWebHostEnvironment env);
        void ConfigureMvc(IMvcBuilder mvcBuilder);
    }
}

namespace Oqtane.Modules
{
    // marker interface: Oqtane registers implementations as Scoped (ITransientService arrives in 3.1.4)
    public interface IService { }
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

    // reading and deleting one setting differ by release (by id before 3.0.2, by entity name from 3.0.2)
    public partial interface ISettingRepository
    {
        IEnumerable<Setting> GetSettings(string entityName);
        IEnumerable<Setting> GetSettings(string entityName, int entityId);
        Setting AddSetting(Setting setting);
        Setting UpdateSetting(Setting setting);
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

    public partial class Tenant
    {
        public int TenantId { get; set; }
        public string Name { get; set; }
        public string DBConnectionString { get; set; }
    }

    public partial class Alias
    {
        public int AliasId { get; set; }
        public string Name { get; set; }
        public int TenantId { get; set; }
        public int SiteId { get; set; }
    }

    public partial class Setting
    {
        public int SettingId { get; set; }
        public string EntityName { get; set; }
        public int EntityId { get; set; }
        public string SettingName { get; set; }
        public string SettingValue { get; set; }
    }

    public partial class Job
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

    public partial class JobLog
    {
        public int JobLogId { get; set; }
        public int JobId { get; set; }
        public DateTime StartDate { get; set; }
        public DateTime? FinishDate { get; set; }
        public bool? Succeeded { get; set; }
        public string Notes { get; set; }
    }
}
