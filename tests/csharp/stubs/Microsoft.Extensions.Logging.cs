// Microsoft.Extensions.Logging(.Abstractions) API surface, signatures only.
using System;

namespace Microsoft.Extensions.Logging
{
    public enum LogLevel { Trace, Debug, Information, Warning, Error, Critical, None }

    public readonly struct EventId
    {
        public EventId(int id, string name = null) { throw null; }
        public int Id { get { throw null; } }
        public string Name { get { throw null; } }
        public static implicit operator EventId(int i) { throw null; }
    }

    public interface ILogger
    {
        void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception exception, Func<TState, Exception, string> formatter);
        bool IsEnabled(LogLevel logLevel);
        IDisposable BeginScope<TState>(TState state);
    }

    public interface ILogger<out TCategoryName> : ILogger
    {
    }

    public interface ILoggerProvider : IDisposable
    {
        ILogger CreateLogger(string categoryName);
    }

    public interface ILoggerFactory : IDisposable
    {
        ILogger CreateLogger(string categoryName);
        void AddProvider(ILoggerProvider provider);
    }

    public static class LoggerFactoryExtensions
    {
        public static ILogger<T> CreateLogger<T>(this ILoggerFactory factory) { throw null; }
        public static ILogger CreateLogger(this ILoggerFactory factory, Type type) { throw null; }
    }

    public static class LoggerExtensions
    {
        public static void LogTrace(this ILogger logger, string message, params object[] args) { }
        public static void LogTrace(this ILogger logger, Exception exception, string message, params object[] args) { }
        public static void LogDebug(this ILogger logger, string message, params object[] args) { }
        public static void LogDebug(this ILogger logger, Exception exception, string message, params object[] args) { }
        public static void LogInformation(this ILogger logger, string message, params object[] args) { }
        public static void LogInformation(this ILogger logger, Exception exception, string message, params object[] args) { }
        public static void LogWarning(this ILogger logger, string message, params object[] args) { }
        public static void LogWarning(this ILogger logger, Exception exception, string message, params object[] args) { }
        public static void LogError(this ILogger logger, string message, params object[] args) { }
        public static void LogError(this ILogger logger, Exception exception, string message, params object[] args) { }
        public static void LogCritical(this ILogger logger, string message, params object[] args) { }
        public static void LogCritical(this ILogger logger, Exception exception, string message, params object[] args) { }
        public static void Log(this ILogger logger, LogLevel logLevel, string message, params object[] args) { }
        public static void Log(this ILogger logger, LogLevel logLevel, Exception exception, string message, params object[] args) { }
    }
}
