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
