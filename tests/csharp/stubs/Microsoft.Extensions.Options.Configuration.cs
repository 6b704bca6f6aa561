// Microsoft.Extensions.Options and Microsoft.Extensions.Configuration(.Abstractions/.Binder) API surface.
using System;
using System.Collections.Generic;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Options
{
    public interface IOptions<out TOptions> where TOptions : class
    {
        TOptions Value { get; }
    }

    public interface IOptionsSnapshot<out TOptions> : IOptions<TOptions> where TOptions : class
    {
        TOptions Get(string name);
    }

    public interface IOptionsMonitor<out TOptions>
    {
        TOptions CurrentValue { get; }
        TOptions Get(string name);
        IDisposable OnChange(Action<TOptions, string> listener);
    }

    public static class Options
    {
        public static readonly string DefaultName = "";
        public static IOptions<TOptions> Create<TOptions>(TOptions options) where TOptions : class { throw null; }
    }
}

namespace Microsoft.Extensions.Configuration
{
    public interface IConfiguration
    {
        string this[string key] { get; set; }
        IConfigurationSection GetSection(string key);
        IEnumerable<IConfigurationSection> GetChildren();
    }

    public interface IConfigurationSection : IConfiguration
    {
        string Key { get; }
        string Path { get; }
        string Value { get; set; }
    }

    public static class ConfigurationExtensions
    {
        public static string GetConnectionString(this IConfiguration configuration, string name) { throw null; }
        public static bool Exists(this IConfigurationSection section) { throw null; }
        public static IConfigurationSection GetRequiredSection(this IConfiguration configuration, string key) { throw null; }
    }

    public static class ConfigurationBinder
    {
        public static T GetValue<T>(this IConfiguration configuration, string key) { throw null; }
        public static T GetValue<T>(this IConfiguration configuration, string key, T defaultValue) { throw null; }
        public static T Get<T>(this IConfiguration configuration) { throw null; }
        public static void Bind(this IConfiguration configuration, object instance) { }
        public static void Bind(this IConfiguration configuration, string key, object instance) { }
    }
}

namespace Microsoft.Extensions.DependencyInjection
{
    public static class OptionsServiceCollectionExtensions
    {
        public static IServiceCollection AddOptions(this IServiceCollection services) { throw null; }
        public static IServiceCollection Configure<TOptions>(this IServiceCollection services, Action<TOptions> configureOptions) where TOptions : class { throw null; }
    }

    public static class OptionsConfigurationServiceCollectionExtensions
    {
        public static IServiceCollection Configure<TOptions>(this IServiceCollection services, IConfiguration config) where TOptions : class { throw null; }
    }
}
