"""The public names a namespace brings into a file, for the usings a migrated worker may stop needing.

`using N;` is removable only when no identifier left in the file could bind to something N imports: a type of N
(with an attribute's short name: `[LoggerMessage]`) or an extension method of N (`env.IsDevelopment()`); a using
directive imports no nested namespace. Each list is the namespace's public
surface in the packages modules use (.NET 6-9 base library and Microsoft.Extensions.*; Cronos; NCrontab), written
from their API documentation. A namespace that is not listed here is never removed; neither is one whose surface
is mostly extension methods (System.Linq, Microsoft.Extensions.DependencyInjection): a missing name would break
the build, an extra one only keeps a using.
"""

from __future__ import annotations

from dataclasses import dataclass

from oqmigrate.analyse.worker_facts import LOG_METHODS


@dataclass(frozen=True)
class NamespaceSurface:
    types: frozenset[str]
    extension_methods: frozenset[str] = frozenset()

    @property
    def names(self) -> frozenset[str]:
        short = {t[: -len("Attribute")] for t in self.types if t.endswith("Attribute") and t != "Attribute"}
        return self.types | short | self.extension_methods


def _surface(types: str, extension_methods: str = "") -> NamespaceSurface:
    return NamespaceSurface(frozenset(types.split()), frozenset(extension_methods.split()))


SURFACES: dict[str, NamespaceSurface] = {
    "System.Threading": _surface(
        """AbandonedMutexException ApartmentState AsyncFlowControl AsyncLocal AsyncLocalValueChangedArgs AutoResetEvent
        Barrier BarrierPostPhaseException CancellationToken CancellationTokenRegistration CancellationTokenSource
        CompressedStack ContextCallback CountdownEvent EventResetMode EventWaitHandle EventWaitHandleAcl
        ExecutionContext HostExecutionContext HostExecutionContextManager Interlocked IOCompletionCallback ITimer
        IThreadPoolWorkItem LazyInitializer LazyThreadSafetyMode Lock LockCookie LockRecursionException
        LockRecursionPolicy ManualResetEvent ManualResetEventSlim Monitor Mutex MutexAcl NativeOverlapped Overlapped
        ParameterizedThreadStart PeriodicTimer PreAllocatedOverlapped ReaderWriterLock ReaderWriterLockSlim
        RegisteredWaitHandle Semaphore SemaphoreAcl SemaphoreFullException SemaphoreSlim SendOrPostCallback SpinLock
        SpinWait SynchronizationContext SynchronizationLockException Thread ThreadAbortException
        ThreadExceptionEventArgs ThreadExceptionEventHandler ThreadInterruptedException ThreadLocal ThreadPool
        ThreadPoolBoundHandle ThreadPriority ThreadStart ThreadStartException ThreadState ThreadStateException
        ThreadingAclExtensions Timeout Timer TimerCallback Volatile WaitCallback WaitHandle
        WaitHandleCannotBeOpenedException WaitHandleExtensions WaitOrTimerCallback""",
        "GetSafeWaitHandle SetSafeWaitHandle GetAccessControl SetAccessControl"),
    "System.Timers": _surface("Timer ElapsedEventArgs ElapsedEventHandler TimersDescriptionAttribute"),
    "Microsoft.Extensions.Hosting": _surface(
        """BackgroundService BackgroundServiceExceptionBehavior ConsoleLifetimeOptions EnvironmentName Environments
        Host HostAbortedException HostApplicationBuilder HostApplicationBuilderSettings HostBuilder
        HostBuilderContext HostDefaults HostEnvironmentEnvExtensions HostingAbstractionsHostBuilderExtensions
        HostingAbstractionsHostExtensions HostingEnvironmentExtensions HostingHostBuilderExtensions HostOptions
        IApplicationLifetime IHost IHostApplicationBuilder IHostApplicationLifetime IHostBuilder IHostEnvironment
        IHostedLifecycleService IHostedService IHostingEnvironment IHostLifetime SystemdHostBuilderExtensions
        WindowsServiceLifetimeHostBuilderExtensions WindowsServiceLifetimeOptions""",
        """IsDevelopment IsEnvironment IsProduction IsStaging Run RunAsync Start StartAsync StopAsync WaitForShutdown
        WaitForShutdownAsync ConfigureAppConfiguration ConfigureContainer ConfigureDefaults ConfigureHostConfiguration
        ConfigureHostOptions ConfigureLogging ConfigureMetrics ConfigureServices RunConsoleAsync UseConsoleLifetime
        UseContentRoot UseDefaultServiceProvider UseEnvironment UseSystemd UseWindowsService AddSystemd
        AddWindowsService"""),
    "Cronos": _surface("CronExpression CronExpressionExtensions CronFormat CronFormatException", "IsMatch"),
    "NCrontab": _surface(
        """CrontabException CrontabField CrontabFieldImpl CrontabFieldKind CrontabSchedule CrontabScheduleExtensions
        ErrorHandling ExceptionProvider ICrontabField ValueOrError ParseOptions""",
        "GetNextOccurrences"),
    "Microsoft.Extensions.Logging": _surface(
        """ActivityTrackingOptions EventId IExternalScopeProvider ILogger ILoggerFactory ILoggerProvider
        ILoggingBuilder ISupportExternalScope LogDefineOptions LogLevel Logger LoggerExternalScopeProvider
        LoggerExtensions LoggerFactory LoggerFactoryExtensions LoggerFactoryOptions LoggerFilterOptions
        LoggerFilterRule LoggerMessage LoggerMessageAttribute LoggingBuilderExtensions ProviderAliasAttribute
        FilterLoggingBuilderExtensions ConsoleLoggerExtensions DebugLoggerFactoryExtensions
        EventSourceLoggerFactoryExtensions EventLoggerFactoryExtensions NullLogger NullLoggerFactory
        NullLoggerProvider""",
        " ".join(sorted(LOG_METHODS)) + """ BeginScope CreateLogger AddProvider AddFilter ClearProviders
        SetMinimumLevel AddConsole AddDebug AddEventSourceLogger AddEventLog AddSimpleConsole AddJsonConsole
        AddSystemdConsole AddConfiguration Configure"""),
    "Microsoft.Extensions.Options": _surface(
        """ConfigureNamedOptions ConfigureOptions IConfigureNamedOptions IConfigureOptions IOptions IOptionsChangeTokenSource
        IOptionsFactory IOptionsMonitor IOptionsMonitorCache IOptionsSnapshot IPostConfigureOptions IStartupValidator
        IValidateOptions NamedConfigureFromConfigurationOptions Options OptionsBuilder OptionsCache
        OptionsFactory OptionsManager OptionsMonitor OptionsMonitorExtensions OptionsValidationException
        OptionsWrapper PostConfigureOptions ValidateOptions ValidateOptionsResult ValidateOptionsResultBuilder
        ConfigurationChangeTokenSource ConfigureFromConfigurationOptions DataAnnotationValidateOptions
        OptionsBuilderExtensions OptionsBuilderDataAnnotationsExtensions OptionsBuilderConfigurationExtensions
        OptionsValidatorAttribute ValidateObjectMembersAttribute ValidateEnumeratedItemsAttribute""",
        "OnChange ValidateDataAnnotations ValidateOnStart Bind BindConfiguration"),
    # GetValue, GetSection, Bind, … are extension methods of this namespace: any of them keeps the using.
    "Microsoft.Extensions.Configuration": _surface(
        """BinderOptions ChainedBuilderExtensions ChainedConfigurationProvider ChainedConfigurationSource
        CommandLineConfigurationExtensions ConfigurationBinder ConfigurationBuilder ConfigurationDebugViewContext
        ConfigurationExtensions ConfigurationKeyComparer ConfigurationKeyNameAttribute ConfigurationManager
        ConfigurationPath ConfigurationProvider ConfigurationReloadToken ConfigurationRoot
        ConfigurationRootExtensions ConfigurationSection EnvironmentVariablesExtensions FileConfigurationExtensions
        FileConfigurationProvider FileConfigurationSource FileLoadExceptionContext IConfiguration
        IConfigurationBuilder IConfigurationManager IConfigurationProvider IConfigurationRoot IConfigurationSection
        IConfigurationSource JsonConfigurationExtensions MemoryConfigurationBuilderExtensions
        StreamConfigurationProvider StreamConfigurationSource UserSecretsConfigurationExtensions
        XmlConfigurationExtensions IniConfigurationExtensions""",
        """AddChainedConfiguration AddCommandLine AddConfiguration AddEnvironmentVariables AddIniFile AddInMemoryCollection
        AddJsonFile AddJsonStream AddUserSecrets AddXmlFile AsEnumerable Bind Exists Get GetChildren
        GetConnectionString GetDebugView GetFileLoadExceptionHandler GetFileProvider GetReloadToken GetRequiredSection
        GetSection GetValue SetBasePath SetFileLoadExceptionHandler SetFileProvider Add"""),
}


def used_names(namespace: str) -> frozenset[str] | None:
    """Every name through which code can use `namespace` after `using namespace;`; None when it is not listed
    (such a using is never removed)."""
    surface = SURFACES.get(namespace)
    return surface.names if surface is not None else None
