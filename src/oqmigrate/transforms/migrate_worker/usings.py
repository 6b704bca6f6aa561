"""Using maintenance for a migrated file: add the namespaces the job needs, drop the ones it no longer uses.

Placement is one rule: a new directive is sorted into the existing block (`System*` first, then ordinal), never
appended elsewhere. A namespace already imported by a `global using` (in this file, or in another file of the
project when the caller passes them: `global_usings`) is not imported again.

`using Oqtane.Infrastructure;` imports ~50 names (`LogManager`, `SyncManager`, `TokenReplace`, …). When the file
already uses one of those simple names from another namespace (`NLog.LogManager`), adding the using makes that
name ambiguous (CS0104). Then `qualify_infrastructure(ctx)` is True and the namespace is not imported: the job's
base is written `Oqtane.Infrastructure.HostedServiceBase` (or, while the class text still says
`HostedServiceBase`, a one-name alias `using HostedServiceBase = Oqtane.Infrastructure.HostedServiceBase;` is
added instead, which imports nothing else).
"""

from __future__ import annotations

from typing import Iterable

from oqmigrate import syntax
from oqmigrate.edits import Edit, apply_edits
from oqmigrate.syntax import Node
from oqmigrate.transforms import TransformContext
from oqmigrate.transforms.migrate_worker.namespace_names import used_names
from oqmigrate.transforms.migrate_worker.rule import INFRASTRUCTURE, RULE_ID

# The public types of namespace Oqtane.Infrastructure (Oqtane.Server/Infrastructure and Oqtane.Shared, read from
# oqtane.framework): each is a simple name `using Oqtane.Infrastructure;` brings into a file.
INFRASTRUCTURE_TYPES = frozenset({
    "AliasAccessor", "CacheManager", "ConfigManager", "DatabaseManager", "DistributedLockManager",
    "EventDistributorHostedService", "ExampleSiteMigration", "FileLogger", "FileLoggerProvider", "GlobalReplaceTask",
    "HostedServiceBase", "IAliasAccessor", "ICacheManager", "IConfigManager", "IDatabaseManager",
    "IDistributedLockManager", "IEventSubscriber", "IHostResources", "IInstallable", "IInstallationManager",
    "ILocalizationManager", "ILogManager", "IServerStartup", "ISiteMigration", "ISiteNamedOptions", "ISiteOptions",
    "ISiteTask", "ISiteTemplate", "ISyncManager", "ITenantManager", "ITokenReplace", "IUpgradeManager",
    "ImportUsersTask", "InstallationManager", "LocalizationManager", "LocalizationOptions", "LogManager",
    "NotificationJob", "PurgeJob", "RightToLeftCulture", "RightToLeftCultureCalendar", "SearchIndexJob",
    "ServerState", "SiteMigrationAttribute", "SiteNamedOptions", "SiteOptions", "SiteOptionsCache",
    "SiteOptionsFactory", "SiteOptionsManager", "SiteTaskBase", "SiteTaskJob", "SyncManager", "SynchronizationJob",
    "TenantManager", "TokenReplace", "UpgradeManager",
})
_INFRASTRUCTURE_BYTES = INFRASTRUCTURE.encode()  # a directive's target is its text: no text, no such directive
_INFRASTRUCTURE_TYPE_BYTES = tuple(sorted(n.encode() for n in INFRASTRUCTURE_TYPES))
JOB_BASE = "HostedServiceBase"
QUALIFIED_JOB_BASE = f"{INFRASTRUCTURE}.{JOB_BASE}"

def infrastructure_collisions(ctx: TransformContext) -> set[str]:
    """The simple names the file uses that `using Oqtane.Infrastructure;` would make ambiguous: names of that
    namespace the file does not declare itself, when the file does not import the namespace yet (then every such
    name it uses comes from elsewhere: `NLog.LogManager` through `using NLog;`, a project type)."""
    root = ctx.tree.root_node
    if INFRASTRUCTURE in ctx.global_usings or any(c.namespace == INFRASTRUCTURE or c.namespace.startswith(
            INFRASTRUCTURE + ".") for c in ctx.model.classes):
        return set()
    if _INFRASTRUCTURE_BYTES in ctx.data and INFRASTRUCTURE in _directive_targets(root):
        return set()
    if not any(n in ctx.data for n in _INFRASTRUCTURE_TYPE_BYTES):
        return set()  # an identifier the file uses is in its text (the walks below read every node)
    # A type the file declares in a namespace enclosing every class of the file wins over imported ones: no
    # ambiguity. One declared elsewhere (`namespace A.Text { class TokenReplace }` used from `A.Workers` through
    # `using A.Text;`) is imported like Oqtane's and collides.
    spaces = {c.namespace for c in ctx.model.classes}
    winning = {d.name for d in ctx.model.declared
               if all(ns == d.namespace or not d.namespace or ns.startswith(d.namespace + ".") for ns in spaces)}
    return {n for n in _simple_names_used(root) if n in INFRASTRUCTURE_TYPES and n not in winning}


def qualify_infrastructure(ctx: TransformContext) -> bool:
    """Write `Oqtane.Infrastructure.HostedServiceBase` instead of importing the namespace (see the module doc).
    migrate_worker asks once per file: the job writer spells each job's base with the answer and `using_edit`
    then leaves the namespace out."""
    return bool(infrastructure_collisions(ctx))


def global_usings(sources: Iterable[bytes]) -> frozenset[str]:
    """The namespaces `global using X;` imports in these files (a project's other files): a file of that
    project must not import them again."""
    out: set[str] = set()
    for data in sources:
        if b"global" not in data:
            continue
        for d in syntax.parse(data).root_node.named_children:
            if d.type == "using_directive" and _is_global(d) and d.child_by_field_name("name") is None \
                    and not any(c.type == "static" for c in d.children):
                out.add(_using_target(d))
    return frozenset(out)


def using_edit(ctx: TransformContext, class_edits: list[Edit], needs: set[str],
               project_global_usings: frozenset[str] = frozenset(), qualified: bool | None = None) -> Edit | None:
    """The one edit of the using block: needed namespaces sorted in, unused ones out (None: nothing to do).
    `project_global_usings`: what `global using` directives of the project's other files import. `qualified`:
    `qualify_infrastructure(ctx)` when the caller has asked already (else it is asked here when it matters)."""
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
    global_targets = _directive_targets(root, only_global=True) if b"global" in ctx.data else set()
    present = {_using_target(d) for d in plain} | global_targets | project_global_usings
    namespaces = {c.namespace for c in ctx.model.classes}
    wanted = sorted(n for n in needs if n not in present and not any(
        ns == n or ns.startswith(n + ".") for ns in namespaces if ns))
    new_data = apply_edits(ctx.data, class_edits)
    alias_line = None
    if INFRASTRUCTURE in wanted and (qualify_infrastructure(ctx) if qualified is None else qualified):
        wanted.remove(INFRASTRUCTURE)
        if _mentions_bare_job_base(new_data):
            alias_line = f"using {JOB_BASE} = {QUALIFIED_JOB_BASE};"
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
        # only a using the migration made unused: one of its names was used before, none is now
        names = used_names(target)
        if names and (names & before_names) and not (names & after_names):
            remove.append(d)
    if not wanted and not remove and alias_line is None:
        return None
    if not directives:
        first = root.named_children[0] if root.named_children else None
        at = 0 if first is None else first.start_byte
        text = "".join(f"using {n};{ctx.newline}" for n in sorted(wanted, key=_using_key)) + (f"{alias_line}{ctx.newline}" if alias_line else "")
        return Edit(at, at, text + ctx.newline, RULE_ID, "usings")
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
    if alias_line is not None:
        # an alias goes after the plain usings (where C# style puts aliases)
        last = max((i for i, (_, target) in enumerate(kept) if target is not None), default=len(kept) - 1)
        if last == len(kept) - 1 and kept and not kept[-1][0].endswith("\n"):
            kept[-1] = (kept[-1][0] + eol, kept[-1][1])
        kept.insert(last + 1, (f"{indent}{alias_line}{eol}", None))
    text = "".join(line for line, _ in kept)
    if not data[start:end].endswith(b"\n") and text.endswith(eol):
        text = text[: -len(eol)]
    return Edit(start, end, text, RULE_ID, "usings")


def _is_global(d: Node) -> bool:
    return any(c.type == "global" for c in d.children)


def _directive_targets(root: Node, only_global: bool = False) -> set[str]:
    """Namespaces imported by plain (or only global) using directives anywhere in the file."""
    return {_using_target(d) for d in syntax.descendants(root, "using_directive")
            if d.child_by_field_name("name") is None and not any(c.type == "static" for c in d.children)
            and (_is_global(d) or not only_global)}


def _simple_names_used(root: Node) -> set[str]:
    """Identifiers the file uses as simple names: not the right-hand part of `A.B` (member access or qualified
    name) and not inside a using directive. One walk that skips using directives (asking each identifier for its
    ancestors is quadratic in the nesting depth)."""
    names = set()
    # One walk that skips using directives and carries each node's parent: tree-sitter's `.parent` searches down
    # from the root, so asking every identifier for its ancestors was cubic in the nesting depth.
    stack: list[tuple[Node, Node | None]] = [(root, None)]
    while stack:
        n, parent = stack.pop()
        if n.type == "using_directive":
            continue
        if n.type == "identifier":
            right = parent.child_by_field_name("name") if parent is not None and parent.type in (
                "member_access_expression", "qualified_name") else None
            if right is None or right.id != n.id:
                names.add(syntax.text(n))
        stack.extend((c, n) for c in n.children)
    return names


def _mentions_bare_job_base(data: bytes) -> bool:
    """Does the migrated text name `HostedServiceBase` other than as `Oqtane.Infrastructure.HostedServiceBase`?"""
    return data.count(JOB_BASE.encode()) > data.count(QUALIFIED_JOB_BASE.encode())


def _using_key(ns: str) -> tuple[int, str]:
    return (0 if ns == "System" or ns.startswith("System.") else 1, ns)


def _using_target(d: Node) -> str:
    alias = d.child_by_field_name("name")
    targets = [c for c in d.named_children if c is not alias and c.type != "comment"]
    return syntax.text(targets[-1]).removeprefix("global::") if targets else ""


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


