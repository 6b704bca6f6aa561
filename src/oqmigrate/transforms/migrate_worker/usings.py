"""Using maintenance for a migrated file: add the namespaces the job needs, drop the ones it no longer uses."""

from __future__ import annotations

from oqmigrate import syntax
from oqmigrate.analyse.worker_facts import LOG_METHODS
from oqmigrate.edits import Edit, apply_edits
from oqmigrate.syntax import Node
from oqmigrate.transforms import TransformContext
from oqmigrate.transforms.migrate_worker.rule import RULE_ID

# Namespaces a migrated file may stop needing, with the names that show they are still used.
REMOVABLE_USINGS = {
    "Microsoft.Extensions.Hosting": {"BackgroundService", "IHostedService", "IHostApplicationLifetime",
                                     "IApplicationLifetime", "IHostEnvironment", "IHostingEnvironment", "IHost",
                                     "Host", "IHostBuilder", "HostBuilder", "Environments"},
    "Cronos": {"CronExpression", "CronFormat", "CronFormatException"},
    "NCrontab": {"CrontabSchedule", "CrontabException"},
    "System.Timers": {"Timer", "ElapsedEventArgs", "ElapsedEventHandler"},
    "Microsoft.Extensions.Logging": {"ILogger", "ILoggerFactory", "LogLevel", "EventId", "LoggerMessage",
                                     "BeginScope", "NullLogger"} | LOG_METHODS,
    "Microsoft.Extensions.Options": {"IOptions", "IOptionsMonitor", "IOptionsSnapshot", "Options", "OptionsBuilder",
                                     "IConfigureOptions", "IPostConfigureOptions", "IValidateOptions",
                                     "ValidateOptionsResult", "OptionsWrapper", "IOptionsFactory",
                                     "IOptionsMonitorCache", "ConfigureOptions"},
    # GetValue, GetSection, Bind, … are extension methods of this namespace: any of them keeps the using.
    "Microsoft.Extensions.Configuration": {"IConfiguration", "IConfigurationSection", "IConfigurationRoot",
                                           "IConfigurationBuilder", "ConfigurationBuilder", "ConfigurationBinder",
                                           "ConfigurationPath", "ConfigurationManager", "ConfigurationExtensions",
                                           "ConfigurationRootExtensions", "BinderOptions", "GetValue", "GetSection",
                                           "GetChildren", "GetConnectionString", "GetRequiredSection", "Bind", "Get",
                                           "AsEnumerable", "Exists", "AddJsonFile", "AddEnvironmentVariables",
                                           "AddInMemoryCollection", "AddUserSecrets", "AddCommandLine"},
}


def using_edit(ctx: TransformContext, class_edits: list[Edit], needs: set[str]) -> Edit | None:
    root = ctx.tree.root_node
    directives = [c for c in root.named_children if c.type == "using_directive"]
    if not directives:
        for ns in root.named_children:
            if ns.type in ("namespace_declaration", "file_scoped_namespace_declaration"):
                body = ns.child_by_field_name("body") or ns
                directives = [c for c in body.named_children if c.type == "using_directive"]
                break
    plain = [d for d in directives if d.child_by_field_name("name") is None and
             not any(c.type in ("static", "global") for c in d.children)]
    present = {_using_target(d) for d in plain}
    namespaces = {c.namespace for c in ctx.model.classes}
    wanted = sorted(n for n in needs if n not in present and not any(
        ns == n or ns.startswith(n + ".") for ns in namespaces if ns))
    new_data = apply_edits(ctx.data, class_edits)
    new_tree = syntax.parse(new_data)
    before_names = _names_outside_usings(ctx.tree.root_node)
    after_names = _names_outside_usings(new_tree.root_node)
    remove = []
    for d in directives:
        if any(c.type in ("static", "global") for c in d.children):
            continue
        alias = d.child_by_field_name("name")
        target = _using_target(d)
        if alias is not None:
            # an alias is file-local: once the migration removed its last use (`using Tick =
            # System.Threading.Timer;`), nothing else can need it
            a = syntax.text(alias)
            if a in before_names and a not in after_names:
                remove.append(d)
            continue
        names = REMOVABLE_USINGS.get(target)
        if names and (names & before_names) and not (names & after_names):
            remove.append(d)
    if not wanted and not remove:
        return None
    if not directives:
        first = root.named_children[0] if root.named_children else None
        at = 0 if first is None else first.start_byte
        text = "".join(f"using {n};{ctx.newline}" for n in wanted) + ctx.newline
        return Edit(at, at, text, RULE_ID, "usings")
    data = ctx.data
    start = data.rfind(b"\n", 0, directives[0].start_byte) + 1
    end = data.find(b"\n", directives[-1].end_byte)
    end = len(data) if end < 0 else end + 1
    indent = data[start:directives[0].start_byte].decode()
    lines = data[start:end].decode().splitlines(keepends=True)
    removed_rows = {d.start_point[0] for d in remove}
    first_row = directives[0].start_point[0]
    directive_rows = {d.start_point[0]: d for d in plain}
    kept: list[tuple[str, str | None]] = []  # (line, target when the line is a plain using)
    for i, line in enumerate(lines):
        row = first_row + i
        if row in removed_rows:
            continue
        d = directive_rows.get(row)
        kept.append((line, _using_target(d) if d is not None else None))
    eol = ctx.newline
    for n in wanted:
        new_line = f"{indent}using {n};{eol}"
        pos = len(kept)
        for i, (line, target) in enumerate(kept):
            if target is not None and _using_key(target) > _using_key(n):
                pos = i
                break
        else:
            # after the last plain using
            for i in range(len(kept) - 1, -1, -1):
                if kept[i][1] is not None:
                    pos = i + 1
                    break
        if pos == len(kept) and kept and not kept[-1][0].endswith("\n"):
            kept[-1] = (kept[-1][0] + eol, kept[-1][1])
        kept.insert(pos, (new_line, n))
    text = "".join(line for line, _ in kept)
    if not data[start:end].endswith(b"\n") and text.endswith(eol):
        text = text[: -len(eol)]
    return Edit(start, end, text, RULE_ID, "usings")


def _using_key(ns: str) -> tuple[int, str]:
    return (0 if ns == "System" or ns.startswith("System.") else 1, ns)


def _using_target(d: Node) -> str:
    alias = d.child_by_field_name("name")
    targets = [c for c in d.named_children if c is not alias and c.type != "comment"]
    return syntax.text(targets[-1]) if targets else ""


def _names_outside_usings(root: Node) -> set[str]:
    """Every identifier outside using directives: one walk that skips their subtrees (asking each identifier for
    its ancestors made deeply nested code quadratic)."""
    names = set()
    stack = [root]
    while stack:
        n = stack.pop()
        if n.type == "using_directive":
            continue
        if n.type == "identifier":
            names.add(syntax.text(n))
        stack.extend(n.children)
    return names


