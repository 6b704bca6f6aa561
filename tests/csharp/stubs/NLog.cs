// NLog API surface, signatures only: the static logger factory whose name collides with
// Oqtane.Infrastructure.LogManager when a file imports both namespaces.
using System;

namespace NLog
{
    public class Logger
    {
        public string Name { get { return ""; } }
        public void Trace(string message) { }
        public void Debug(string message) { }
        public void Info(string message) { }
        public void Warn(string message) { }
        public void Error(string message) { }
        public void Error(Exception exception, string message) { }
        public void Fatal(string message) { }
    }

    public static class LogManager
    {
        public static Logger GetCurrentClassLogger() { throw null; }
        public static Logger GetLogger(string name) { throw null; }
    }
}
