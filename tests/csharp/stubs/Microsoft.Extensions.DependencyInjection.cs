// Microsoft.Extensions.DependencyInjection(.Abstractions) API surface, signatures only.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection
{
    public enum ServiceLifetime { Singleton, Scoped, Transient }

    public class ServiceDescriptor
    {
        public ServiceDescriptor(Type serviceType, Type implementationType, ServiceLifetime lifetime) { }
        public ServiceDescriptor(Type serviceType, object instance) { }
        public ServiceLifetime Lifetime { get { throw null; } }
        public Type ServiceType { get { throw null; } }
        public Type ImplementationType { get { throw null; } }
        public object ImplementationInstance { get { throw null; } }
        public static ServiceDescriptor Singleton<TService, TImplementation>() where TService : class where TImplementation : class, TService { throw null; }
        public static ServiceDescriptor Scoped<TService, TImplementation>() where TService : class where TImplementation : class, TService { throw null; }
        public static ServiceDescriptor Transient<TService, TImplementation>() where TService : class where TImplementation : class, TService { throw null; }
    }

    public interface IServiceCollection : IList<ServiceDescriptor>, ICollection<ServiceDescriptor>, IEnumerable<ServiceDescriptor>, IEnumerable
    {
    }

    public class ServiceCollection : IServiceCollection
    {
        public ServiceDescriptor this[int index] { get { throw null; } set { } }
        public int Count { get { throw null; } }
        public bool IsReadOnly { get { throw null; } }
        public void Add(ServiceDescriptor item) { }
        public void Clear() { }
        public bool Contains(ServiceDescriptor item) { throw null; }
        public void CopyTo(ServiceDescriptor[] array, int arrayIndex) { }
        public IEnumerator<ServiceDescriptor> GetEnumerator() { throw null; }
        public int IndexOf(ServiceDescriptor item) { throw null; }
        public void Insert(int index, ServiceDescriptor item) { }
        public bool Remove(ServiceDescriptor item) { throw null; }
        public void RemoveAt(int index) { }
        IEnumerator IEnumerable.GetEnumerator() { throw null; }
    }

    public interface IServiceScope : IDisposable
    {
        IServiceProvider ServiceProvider { get; }
    }

    public interface IServiceScopeFactory
    {
        IServiceScope CreateScope();
    }

    public readonly struct AsyncServiceScope : IServiceScope, IAsyncDisposable
    {
        public AsyncServiceScope(IServiceScope serviceScope) { throw null; }
        public IServiceProvider ServiceProvider { get { throw null; } }
        public void Dispose() { }
        public ValueTask DisposeAsync() { throw null; }
    }

    public interface IMvcBuilder
    {
        IServiceCollection Services { get; }
    }

    public static class ServiceProviderServiceExtensions
    {
        public static T GetService<T>(this IServiceProvider provider) { throw null; }
        public static T GetRequiredService<T>(this IServiceProvider provider) { throw null; }
        public static object GetRequiredService(this IServiceProvider provider, Type serviceType) { throw null; }
        public static IEnumerable<T> GetServices<T>(this IServiceProvider provider) { throw null; }
        public static IEnumerable<object> GetServices(this IServiceProvider provider, Type serviceType) { throw null; }
        public static IServiceScope CreateScope(this IServiceProvider provider) { throw null; }
        public static AsyncServiceScope CreateAsyncScope(this IServiceProvider provider) { throw null; }
        public static AsyncServiceScope CreateAsyncScope(this IServiceScopeFactory serviceScopeFactory) { throw null; }
    }

    public static class ServiceCollectionServiceExtensions
    {
        public static IServiceCollection AddSingleton(this IServiceCollection services, Type serviceType) { throw null; }
        public static IServiceCollection AddSingleton(this IServiceCollection services, Type serviceType, Type implementationType) { throw null; }
        public static IServiceCollection AddSingleton(this IServiceCollection services, Type serviceType, object implementationInstance) { throw null; }
        public static IServiceCollection AddSingleton<TService>(this IServiceCollection services) where TService : class { throw null; }
        public static IServiceCollection AddSingleton<TService>(this IServiceCollection services, TService implementationInstance) where TService : class { throw null; }
        public static IServiceCollection AddSingleton<TService>(this IServiceCollection services, Func<IServiceProvider, TService> implementationFactory) where TService : class { throw null; }
        public static IServiceCollection AddSingleton<TService, TImplementation>(this IServiceCollection services) where TService : class where TImplementation : class, TService { throw null; }
        public static IServiceCollection AddSingleton<TService, TImplementation>(this IServiceCollection services, Func<IServiceProvider, TImplementation> implementationFactory) where TService : class where TImplementation : class, TService { throw null; }

        public static IServiceCollection AddScoped(this IServiceCollection services, Type serviceType) { throw null; }
        public static IServiceCollection AddScoped(this IServiceCollection services, Type serviceType, Type implementationType) { throw null; }
        public static IServiceCollection AddScoped<TService>(this IServiceCollection services) where TService : class { throw null; }
        public static IServiceCollection AddScoped<TService>(this IServiceCollection services, Func<IServiceProvider, TService> implementationFactory) where TService : class { throw null; }
        public static IServiceCollection AddScoped<TService, TImplementation>(this IServiceCollection services) where TService : class where TImplementation : class, TService { throw null; }
        public static IServiceCollection AddScoped<TService, TImplementation>(this IServiceCollection services, Func<IServiceProvider, TImplementation> implementationFactory) where TService : class where TImplementation : class, TService { throw null; }

        public static IServiceCollection AddTransient(this IServiceCollection services, Type serviceType) { throw null; }
        public static IServiceCollection AddTransient(this IServiceCollection services, Type serviceType, Type implementationType) { throw null; }
        public static IServiceCollection AddTransient<TService>(this IServiceCollection services) where TService : class { throw null; }
        public static IServiceCollection AddTransient<TService>(this IServiceCollection services, Func<IServiceProvider, TService> implementationFactory) where TService : class { throw null; }
        public static IServiceCollection AddTransient<TService, TImplementation>(this IServiceCollection services) where TService : class where TImplementation : class, TService { throw null; }
        public static IServiceCollection AddTransient<TService, TImplementation>(this IServiceCollection services, Func<IServiceProvider, TImplementation> implementationFactory) where TService : class where TImplementation : class, TService { throw null; }
    }

    // lives in Microsoft.Extensions.Hosting.Abstractions but in this namespace
    public static class ServiceCollectionHostedServiceExtensions
    {
        public static IServiceCollection AddHostedService<THostedService>(this IServiceCollection services) where THostedService : class, IHostedService { throw null; }
        public static IServiceCollection AddHostedService<THostedService>(this IServiceCollection services, Func<IServiceProvider, THostedService> implementationFactory) where THostedService : class, IHostedService { throw null; }
    }

    public static class ServiceCollectionContainerBuilderExtensions
    {
        public static IServiceProvider BuildServiceProvider(this IServiceCollection services) { throw null; }
    }

    public static class ActivatorUtilities
    {
        public static T CreateInstance<T>(IServiceProvider provider, params object[] parameters) { throw null; }
        public static object CreateInstance(IServiceProvider provider, Type instanceType, params object[] parameters) { throw null; }
        public static T GetServiceOrCreateInstance<T>(IServiceProvider provider) { throw null; }
        public static object GetServiceOrCreateInstance(IServiceProvider provider, Type type) { throw null; }
    }
}
