// Oqtane API as of 3.0.2 — the era 3.0.2 to 4.0.2 — beyond ../Oqtane.cs and common.cs, signatures only. Each era
// stub is the API of the era's FIRST release, so code that compiles here compiles on every release of the era.
// New in 3.0.2: the "w"/"O" frequencies (run time), ISettingRepository.GetSetting(entityName, entityId,
// settingName) and settings read and deleted by entity name, Setting.IsPrivate, Alias.IsDefault. Present since
// 2.1.0: ITenantManager, Tenant.DBType. Arriving later in this era: LogLevel.None (3.1.0), ITransientService
// (3.1.4), EntityNames.Alias/Job and the automatic registration of any IHostedService (3.2.1). ExecuteJob stays
// abstract and the only hook until 4.0.3.
using System;

namespace Oqtane.Infrastructure
{
    public abstract partial class HostedServiceBase
    {
        // the only hook: every job overrides it
        public abstract string ExecuteJob(IServiceProvider provider);
    }

    public interface ITenantManager
    {
        Oqtane.Models.Alias GetAlias();
        Oqtane.Models.Tenant GetTenant();
        void SetAlias(Oqtane.Models.Alias alias);
        void SetTenant(int tenantId);
    }
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
    public enum LogLevel { Trace, Debug, Information, Warning, Error, Critical }
}
