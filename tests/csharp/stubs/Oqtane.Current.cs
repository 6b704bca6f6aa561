// Today's Oqtane API (10.2) beyond what every release has (Oqtane.cs), signatures only. A plain compile
// (tests/csharp_compiler.py) includes it; an era compile (tests/csharp_eras.py) replaces it with eras/common.cs and
// the era's file. Unlike the framework (and the era stubs), LogFunction is in Oqtane.Shared and ITenantResolver in
// Oqtane.Infrastructure here.
using System;
using System.Threading.Tasks;

namespace Oqtane.Infrastructure
{
    public abstract partial class HostedServiceBase
    {
        public int MaximumDuration { get; set; } = 30;

        // one of the following methods must be overridden
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

    public interface ITenantResolver
    {
        Oqtane.Models.Alias GetAlias();
        Oqtane.Models.Tenant GetTenant();
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
    // marker interface: Oqtane registers implementations as Transient
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
