// Cronos (HangfireIO/Cronos) public API surface, signatures only.
using System;
using System.Collections.Generic;

namespace Cronos
{
    [Flags]
    public enum CronFormat
    {
        Standard = 0,
        IncludeSeconds = 1,
    }

    public sealed class CronExpression : IEquatable<CronExpression>
    {
        public static readonly CronExpression Yearly = null;
        public static readonly CronExpression Weekly = null;
        public static readonly CronExpression Monthly = null;
        public static readonly CronExpression Daily = null;
        public static readonly CronExpression Hourly = null;
        public static readonly CronExpression EveryMinute = null;
        public static readonly CronExpression EverySecond = null;

        private CronExpression() { }

        public static CronExpression Parse(string expression) { throw null; }
        public static CronExpression Parse(string expression, CronFormat format) { throw null; }
        public static bool TryParse(string expression, out CronExpression cronExpression) { throw null; }
        public static bool TryParse(string expression, CronFormat format, out CronExpression cronExpression) { throw null; }

        public DateTime? GetNextOccurrence(DateTime fromUtc, bool inclusive = false) { throw null; }
        public DateTime? GetNextOccurrence(DateTime fromUtc, TimeZoneInfo zone, bool inclusive = false) { throw null; }
        public DateTimeOffset? GetNextOccurrence(DateTimeOffset from, TimeZoneInfo zone, bool inclusive = false) { throw null; }

        public IEnumerable<DateTime> GetOccurrences(DateTime fromUtc, DateTime toUtc, bool fromInclusive = true, bool toInclusive = false) { throw null; }
        public IEnumerable<DateTime> GetOccurrences(DateTime fromUtc, DateTime toUtc, TimeZoneInfo zone, bool fromInclusive = true, bool toInclusive = false) { throw null; }
        public IEnumerable<DateTimeOffset> GetOccurrences(DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone, bool fromInclusive = true, bool toInclusive = false) { throw null; }

        public bool Equals(CronExpression other) { throw null; }
        public override bool Equals(object obj) { throw null; }
        public override int GetHashCode() { throw null; }
        public override string ToString() { throw null; }
    }

    public class CronFormatException : FormatException
    {
        public CronFormatException(string message) : base(message) { }
    }
}
