// System.Threading.PeriodicTimer arrived in .NET 6; mono's BCL lacks it. Signatures only.
using System;
using System.Threading.Tasks;

namespace System.Threading
{
    public sealed class PeriodicTimer : IDisposable
    {
        public PeriodicTimer(TimeSpan period) { }
        public TimeSpan Period { get { throw null; } set { } }
        public ValueTask<bool> WaitForNextTickAsync(CancellationToken cancellationToken = default(CancellationToken)) { throw null; }
        public void Dispose() { }
    }
}
