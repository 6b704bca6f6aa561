// NCrontab (atifaziz/NCrontab) public API surface, signatures only.
using System;
using System.Collections.Generic;

namespace NCrontab
{
    public sealed class CrontabSchedule
    {
        public sealed class ParseOptions
        {
            public bool IncludingSeconds { get; set; }
        }

        private CrontabSchedule() { }

        public static CrontabSchedule Parse(string expression) { throw null; }
        public static CrontabSchedule Parse(string expression, ParseOptions options) { throw null; }
        public static CrontabSchedule TryParse(string expression) { throw null; }
        public static CrontabSchedule TryParse(string expression, ParseOptions options) { throw null; }

        public DateTime GetNextOccurrence(DateTime baseTime) { throw null; }
        public DateTime GetNextOccurrence(DateTime baseTime, DateTime endTime) { throw null; }
        public IEnumerable<DateTime> GetNextOccurrences(DateTime baseTime, DateTime endTime) { throw null; }

        public override string ToString() { throw null; }
    }

    public class CrontabException : Exception
    {
        public CrontabException(string message) : base(message) { }
    }
}
