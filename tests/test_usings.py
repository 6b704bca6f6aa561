"""Using maintenance of migrate-worker (transforms/migrate_worker/usings.py): no `using Oqtane.Infrastructure;`
next to a using that exports one of its names (CS0104, proved with mcs), no duplicate of a `global using`.
Real parser, real CLI, real compiler."""


import pytest

from conftest import FIXTURES, run_cli
from csharp_compiler import compile_csharp, find_mcs
from oqmigrate import model, syntax
from oqmigrate.transforms import TransformContext
from oqmigrate.transforms.migrate_worker.usings import (
    global_usings, infrastructure_collisions, qualify_infrastructure, using_edit)

MIGRATE = FIXTURES / "migrate-worker"


def context(source: str) -> TransformContext:
    data = source.encode()
    tree = syntax.parse(data)
    return TransformContext("Case.cs", data, tree, model.analyse(tree))


WORKER = """{usings}
namespace Acme.Module.Archive.Workers
{{
    public class ArchiveWorker : BackgroundService
    {{
        protected override Task ExecuteAsync(CancellationToken stoppingToken)
        {{
            {body}
            return Task.CompletedTask;
        }}
    }}
}}
"""


def test_a_name_imported_from_nlog_collides():
    ctx = context(WORKER.format(usings="using NLog;", body='LogManager.GetCurrentClassLogger().Info("x");'))
    assert infrastructure_collisions(ctx) == {"LogManager"}
    assert qualify_infrastructure(ctx)


def test_a_qualified_use_does_not_collide():
    ctx = context(WORKER.format(usings="", body='NLog.LogManager.GetCurrentClassLogger().Info("x");'))
    assert not qualify_infrastructure(ctx)


def test_no_collision_once_the_file_imports_the_namespace_itself():
    ctx = context(WORKER.format(usings="using NLog;\nusing Oqtane.Infrastructure;", body="var s = new ServerState();"))
    assert not qualify_infrastructure(ctx)


def test_a_type_declared_in_an_enclosing_namespace_wins_and_does_not_collide():
    source = WORKER.format(usings="", body="var s = new ServerState();") + "namespace Acme.Module { class ServerState { } }\n"
    assert not qualify_infrastructure(context(source))


@pytest.mark.parametrize("case", ["nlog_logmanager_collision", "token_replace_project_type_collision"])
def test_migration_imports_only_the_job_base(case):
    after = (MIGRATE / f"{case}.after.cs").read_text()
    assert "using Oqtane.Infrastructure;" not in after
    # the base spelled out (the job writer asks qualify_infrastructure), or else a one-name alias for it
    assert (": Oqtane.Infrastructure.HostedServiceBase" in after) != \
        ("using HostedServiceBase = Oqtane.Infrastructure.HostedServiceBase;" in after)


@pytest.mark.skipif(find_mcs() is None, reason="mcs not installed")
def test_the_namespace_using_would_not_compile(tmp_path):
    # the stubs model the collision: importing the whole namespace is CS0104, which is why it is not done
    after = (MIGRATE / "nlog_logmanager_collision.after.cs").read_text()
    broken = tmp_path / "Broken.cs"
    assert ": Oqtane.Infrastructure.HostedServiceBase" in after  # written qualified instead of importing the namespace
    broken.write_text(after.replace("Oqtane.Infrastructure.HostedServiceBase", "HostedServiceBase")
                      .replace("using NLog;", "using NLog;\nusing Oqtane.Infrastructure;"))
    result = compile_csharp([broken])
    assert not result.ok and "CS0104" in result.output and "LogManager" in result.output


def test_a_global_using_of_the_file_is_not_imported_again(tmp_path):
    (tmp_path / "QuoteWorker.cs").write_text(
        "global using System;\nusing System.Threading;\nusing System.Threading.Tasks;\nusing Microsoft.Extensions.Hosting;\n\n"
        "namespace Acme.Quotes\n{\n    public class QuoteWorker : BackgroundService\n    {\n"
        "        protected override async Task ExecuteAsync(CancellationToken stoppingToken)\n        {\n"
        "            while (!stoppingToken.IsCancellationRequested)\n            {\n"
        "                Console.WriteLine(\"refreshing quotes\");\n"
        "                await Task.Delay(TimeSpan.FromMinutes(10), stoppingToken);\n            }\n        }\n    }\n}\n")
    code, _, err = run_cli("apply", tmp_path, "--codemod", "migrate-worker")
    assert code == 0, err
    text = (tmp_path / "QuoteWorker.cs").read_text()
    assert ": HostedServiceBase" in text and "using Oqtane.Infrastructure;" in text
    assert text.splitlines().count("using System;") == 0 and text.startswith("global using System;\n")


def test_project_global_usings_are_read_and_not_duplicated():
    found = global_usings([b"global using System;\nglobal using global::System.Linq;\nglobal using static System.Math;\n"
                           b"global using Json = System.Text.Json;\nusing Acme;\n", b"namespace X { }\n"])
    assert found == {"System", "System.Linq"}
    ctx = context(WORKER.format(usings="using Microsoft.Extensions.Hosting;", body=""))
    added = using_edit(ctx, [], {"System"})
    assert added is not None and "using System;" in added.new_text
    assert using_edit(ctx, [], {"System"}, project_global_usings=frozenset({"System"})) is None


# --- usings the migration makes unused --------------------------------------------------------------------

LOOP_WORKER = """{usings}

namespace Acme.Module.Mail.Workers
{{
    public class OutboxWorker : BackgroundService
    {{
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {{
            while (!stoppingToken.IsCancellationRequested)
            {{
                {work}
                await Task.Delay(TimeSpan.FromMinutes(2), stoppingToken);
            }}
        }}
    }}
}}
"""
BASE_USINGS = "using System;\nusing System.Threading;\nusing System.Threading.Tasks;\nusing Microsoft.Extensions.Hosting;"


def migrated_usings(usings: str, work: str) -> list[str]:
    from oqmigrate.edits import apply_edits
    from oqmigrate.transforms.migrate_worker import migrate_worker
    ctx = context(LOOP_WORKER.format(usings=usings, work=work))
    result = migrate_worker(ctx)
    assert result.migrated == ["OutboxWorker"]
    text = apply_edits(ctx.data, result.edits).decode()
    return [line for line in text.splitlines() if line.lstrip().startswith(("using ", "global using "))
            and line.rstrip().endswith(";") and "(" not in line]


def test_a_using_whose_last_name_went_with_the_loop_is_removed():
    assert "using System.Threading;" not in migrated_usings(BASE_USINGS, 'Console.WriteLine("sending");')
    assert "using Microsoft.Extensions.Hosting;" not in migrated_usings(BASE_USINGS, 'Console.WriteLine("sending");')


def test_a_using_stays_while_any_name_of_its_namespace_is_left():
    work = "var gate = new SemaphoreSlim(1); gate.Wait(); gate.Release();"
    assert "using System.Threading;" in migrated_usings(BASE_USINGS, work)


def test_an_extension_method_of_the_namespace_keeps_it():
    # `Run` is HostingAbstractionsHostExtensions.Run: without the receiver's type it may bind to it, so the using stays
    assert "using Microsoft.Extensions.Hosting;" in migrated_usings(BASE_USINGS, "Runner.Instance.Run();")


def test_global_usings_and_namespaces_not_listed_are_never_removed():
    usings = ("global using System.Threading;\nusing System;\nusing System.Threading.Tasks;\n"
              "using Microsoft.Extensions.Hosting;\nusing Acme.Scheduling;")
    # what Acme.Scheduling exports is not known here: it is never removed
    kept = migrated_usings(usings, "Pacer.Note();")
    assert "global using System.Threading;" in kept and "using Acme.Scheduling;" in kept


def test_a_using_that_was_unused_before_stays():
    after = (MIGRATE / "usings_already_unused_are_kept.after.cs").read_text()
    before = (MIGRATE / "usings_already_unused_are_kept.before.cs").read_text()
    assert "using System.Timers;" in before and "using System.Timers;" in after  # nothing of it was used before
    assert "using System.Threading;" in before and "using System.Threading;" not in after  # the migration's doing
