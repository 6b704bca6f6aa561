// Oqtane API as of 4.0.3 — the era 4.0.3 to 10.1.x — beyond ../Oqtane.cs and common.cs, signatures only. Each era
// stub is the API of the era's FIRST release, so code that compiles here compiles on every release of the era.
// New in 4.0.3: ExecuteJobAsync and a virtual (no longer abstract) ExecuteJob. Arriving later in this era:
// ITenantManager.SetAlias(tenantId, siteId) (5.0.1), ISettingRepository.GetSettingValue (6.1.3), Job settings in
// the master database (6.2.0, run time), the time of day of "d"/"w"/"M" jobs from the previous run (10.0.4, run
// time). No MaximumDuration before 10.2.0.
using System;
using System.Threading.Tasks;

namespace Oqtane.Infrastructure
{
    public abstract partial class HostedServiceBase
    {
        // one of the following methods must be overridden (ExecuteJobAsync and the virtual ExecuteJob: since 4.0.3)
        public virtual string ExecuteJob(IServiceProvider provider) { return ""; }
        public virtual Task<string> ExecuteJobAsync(IServiceProvider provider) { return Task.FromResult(string.Empty); }
    }

    public interface ITenantManager
    {
        Oqtane.Models.Alias GetAlias();
        Oqtane.Models.Tenant GetTenant();
        void SetAlias(Oqtane.Models.Alias alias);
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
