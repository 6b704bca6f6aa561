// Oqtane API as of 10.2.0 — the era 10.2.0 onwards (current: 10.2.4) — beyond ../Oqtane.cs and common.cs,
// signatures only. New in 10.2.0: HostedServiceBase.MaximumDuration and Job.MaximumDuration (stuck jobs are healed
// after it), JobLog.Server and JobLog.Instance. Also here, from earlier releases of the 4.0.3 era:
// SetAlias(tenantId, siteId) (5.0.1), GetSettingValue (6.1.3); and everything v4_0_3.cs has.
using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace Oqtane.Infrastructure
{
    public abstract partial class HostedServiceBase
    {
        public int MaximumDuration { get; set; } = 30; // minutes; a job running longer is healed (new in 10.2.0)

        // one of the following methods must be overridden (ExecuteJobAsync and the virtual ExecuteJob: since 4.0.3)
        public virtual string ExecuteJob(IServiceProvider provider) { return ""; }
        public virtual Task<string> ExecuteJobAsync(IServiceProvider provider) { return Task.FromResult(string.Empty); }
    }

    public interface ITenantManager
    {
        Oqtane.Models.Alias GetAlias();
        Oqtane.Models.Tenant GetTenant();
        void SetAlias(Oqtane.Models.Alias alias);
        void SetAlias(int tenantId, int siteId);
        void SetTenant(int tenantId);
    }
}

namespace Oqtane.Modules
{
    // marker interface: Oqtane registers implementations as Transient (since 3.1.4)
    public interface ITransientService { }
}

namespace Oqtane.Repository
{
    using Oqtane.Models;

    public partial interface ISettingRepository
    {
        Setting GetSetting(string entityName, int settingId);
        Setting GetSetting(string entityName, int entityId, string settingName);
        void DeleteSetting(string entityName, int settingId);
        string GetSettingValue(IEnumerable<Setting> settings, string settingName, string defaultValue);
        string GetSettingValue(string entityName, int entityId, string settingName, string defaultValue);
    }
}

namespace Oqtane.Models
{
    public partial class Tenant
    {
        public string DBType { get; set; }
    }

    public partial class Alias
    {
        public bool IsDefault { get; set; }
    }

    public partial class Setting
    {
        public bool IsPrivate { get; set; }
    }

    public partial class Job
    {
        public int MaximumDuration { get; set; }
    }

    public partial class JobLog
    {
        public string Server { get; set; }
        public string Instance { get; set; }
    }
}

namespace Oqtane.Shared
{
    public partial class EntityNames
    {
        public const string Alias = "Alias";
        public const string Job = "Job";
    }

    public enum LogLevel { Trace, Debug, Information, Warning, Error, Critical, None }
}
