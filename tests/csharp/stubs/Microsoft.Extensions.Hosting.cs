// Microsoft.Extensions.Hosting(.Abstractions) API surface, signatures only.
using System;
using System.Threading;
using System.Threading.Tasks;

namespace Microsoft.Extensions.Hosting
{
    public interface IHostedService
    {
        Task StartAsync(CancellationToken cancellationToken);
        Task StopAsync(CancellationToken cancellationToken);
    }

    public abstract class BackgroundService : IHostedService, IDisposable
    {
        public virtual Task ExecuteTask { get { throw null; } }
        protected abstract Task ExecuteAsync(CancellationToken stoppingToken);
        public virtual Task StartAsync(CancellationToken cancellationToken) { throw null; }
        public virtual Task StopAsync(CancellationToken cancellationToken) { throw null; }
        public virtual void Dispose() { }
    }

    public interface IHostApplicationLifetime
    {
        CancellationToken ApplicationStarted { get; }
        CancellationToken ApplicationStopping { get; }
        CancellationToken ApplicationStopped { get; }
        void StopApplication();
    }

    public interface IHostEnvironment
    {
        string EnvironmentName { get; set; }
        string ApplicationName { get; set; }
        string ContentRootPath { get; set; }
    }

    public static class HostEnvironmentEnvExtensions
    {
        public static bool IsDevelopment(this IHostEnvironment hostEnvironment) { throw null; }
        public static bool IsProduction(this IHostEnvironment hostEnvironment) { throw null; }
        public static bool IsEnvironment(this IHostEnvironment hostEnvironment, string environmentName) { throw null; }
    }
}
