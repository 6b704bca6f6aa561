// What every era stub shares beyond ../Oqtane.cs (the API all releases have), signatures only: the places where
// the framework's namespaces differ from ../Oqtane.Current.cs (today's stub): LogFunction is Oqtane.Enums.LogFunction
// and ITenantResolver is Oqtane.Repository.ITenantResolver in every release. An era compile (tests/csharp_eras.py)
// is ../Oqtane.cs + this file + the era's own file.
using System;

namespace Oqtane.Infrastructure
{
    public interface ILogManager
    {
        void Log(Oqtane.Shared.LogLevel level, object @class, Oqtane.Enums.LogFunction function, string message, params object[] args);
        void Log(Oqtane.Shared.LogLevel level, object @class, Oqtane.Enums.LogFunction function, Exception exception, string message, params object[] args);
    }
}

namespace Oqtane.Repository
{
    using Oqtane.Models;

    public interface ITenantResolver
    {
        Alias GetAlias();
        Tenant GetTenant();
    }
}

namespace Oqtane.Shared
{
    // EntityNames.Alias and EntityNames.Job arrive in 3.2.1 (the 3.0.2 era): in the era files from 4.0.3
    public partial class EntityNames
    {
        public const string Module = "Module";
        public const string Page = "Page";
        public const string Site = "Site";
        public const string Tenant = "Tenant";
        public const string User = "User";
    }
}

namespace Oqtane.Enums
{
    public enum LogFunction { Create, Read, Update, Delete, Security, Other }
}
