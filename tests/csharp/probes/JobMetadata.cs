// Prints the metadata every job of a compiled library declares, as Oqtane reads it: the job is constructed (with a
// null IServiceScopeFactory, which the stubs' HostedServiceBase ignores) and its properties are read.
// Usage: mono JobMetadata.exe Library.dll
// Output: "now<TAB><DateTime.UtcNow, round-trip format>", then one line per job:
// FullName<TAB>Frequency<TAB>Interval<TAB>StartDate (round-trip format, or -)<TAB>StartDate.Kind (or -)<TAB>IsEnabled
using System;
using System.Linq;
using System.Reflection;

public static class JobMetadata
{
    public static int Main(string[] args)
    {
        var library = Assembly.LoadFrom(args[0]);
        var jobBase = library.GetType("Oqtane.Infrastructure.HostedServiceBase", true);
        Console.WriteLine("now\t" + DateTime.UtcNow.ToString("o"));
        foreach (var type in library.GetTypes().Where(t => !t.IsAbstract && t != jobBase && jobBase.IsAssignableFrom(t)))
        {
            var job = Activator.CreateInstance(type, new object[] { null });
            Func<string, object> read = name => jobBase.GetProperty(name).GetValue(job, null);
            var start = (DateTime?)read("StartDate");
            Console.WriteLine(string.Join("\t", new[] {
                type.FullName, (string)read("Frequency"), read("Interval").ToString(),
                start.HasValue ? start.Value.ToString("o") : "-", start.HasValue ? start.Value.Kind.ToString() : "-",
                read("IsEnabled").ToString() }));
        }
        return 0;
    }
}
