// The few ASP.NET Core types Oqtane's IServerStartup needs, signatures only.
using System;
using System.Collections.Generic;
using Microsoft.Extensions.Hosting;

namespace Microsoft.AspNetCore.Builder
{
    public interface IApplicationBuilder
    {
        IServiceProvider ApplicationServices { get; set; }
        IDictionary<string, object> Properties { get; }
    }
}

namespace Microsoft.AspNetCore.Hosting
{
    public interface IWebHostEnvironment : IHostEnvironment
    {
        string WebRootPath { get; set; }
    }
}
