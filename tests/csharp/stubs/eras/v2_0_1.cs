// Oqtane API as of 2.0.1 — the era 2.0.1 to 3.0.1 — beyond ../Oqtane.cs and common.cs, signatures only. Each era
// stub is the API of the era's FIRST release, so code that compiles here compiles on every release of the era.
// Arriving later in this era:
//   2.1.0  ITenantManager (Oqtane.Infrastructure), Tenant.DBType
// Not yet here (later eras): the "w"/"O" frequencies (3.0.2, a run-time matter: an unknown code runs on every
// one-minute pass), ISettingRepository.GetSetting(entityName, entityId, settingName) (3.0.2; until then settings
// are read by id), Setting.IsPrivate and Alias.IsDefault (3.0.2), LogLevel.None (3.1.0), ITransientService
// (3.1.4), EntityNames.Alias/Job (3.2.1), ExecuteJobAsync (4.0.3), MaximumDuration (10.2.0).
using System;

namespace Oqtane.Infrastructure
{
    public abstract partial class HostedServiceBase
    {
        // the only hook: every job overrides it
        public abstract string ExecuteJob(IServiceProvider provider);
    }
}

namespace Oqtane.Repository
{
    using Oqtane.Models;

    public partial interface ISettingRepository
    {
        Setting GetSetting(int settingId);
        void DeleteSetting(int settingId);
    }
}

namespace Oqtane.Shared
{
    public enum LogLevel { Trace, Debug, Information, Warning, Error, Critical }
}
