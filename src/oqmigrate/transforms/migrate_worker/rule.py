"""The rule migrate-worker fixes and the namespaces generated jobs use."""

RULE_ID = "OQJ001"
CODEMOD = "migrate-worker"

INFRASTRUCTURE = "Oqtane.Infrastructure"
DEPENDENCY_INJECTION = "Microsoft.Extensions.DependencyInjection"
