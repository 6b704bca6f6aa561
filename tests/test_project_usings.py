"""What a project imports into every file (oqmigrate.project_usings) and what migrate-worker therefore does not
add: `global using` in another file of the project, `<Using Include>` items, the SDK's implicit usings. Real
project files, the real CLI in a real git repository."""

from pathlib import Path

from conftest import run_cli
from gitrepo import make_repo
from oqmigrate.project_usings import from_project_file, project_sdk

WORKER = """using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Acme.Module.Ledger.Workers
{
    public interface ILedgerCloser
    {
        Task CloseDayAsync();
    }

    public class LedgerCloseWorker : BackgroundService
    {
        private readonly IServiceScopeFactory _scopes;

        public LedgerCloseWorker(IServiceScopeFactory scopes)
        {
            _scopes = scopes;
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                using (var scope = _scopes.CreateScope())
                {
                    await scope.ServiceProvider.GetRequiredService<ILedgerCloser>().CloseDayAsync();
                }
                await Task.Delay(TimeSpan.FromDays(1), stoppingToken);
            }
        }
    }
}
"""

# without `using System;` / `using System.Threading.Tasks;` / DI: what an implicit-usings project writes
BARE_WORKER = "\n".join(line for line in WORKER.splitlines() if line not in (
    "using System;", "using System.Threading;", "using System.Threading.Tasks;",
    "using Microsoft.Extensions.DependencyInjection;", "using Microsoft.Extensions.Hosting;")).lstrip("\n") + "\n"


def project(sdk: str = "Microsoft.NET.Sdk", properties: str = "", items: str = "") -> str:
    return (f'<Project Sdk="{sdk}">\n  <PropertyGroup>\n    <TargetFramework>net8.0</TargetFramework>\n'
            f"    <AssemblyName>Acme.Module.Ledger.Server.Oqtane</AssemblyName>\n{properties}  </PropertyGroup>\n"
            f'  <ItemGroup>\n    <PackageReference Include="Oqtane.Server" Version="10.0.0" />\n{items}'
            "  </ItemGroup>\n</Project>\n")


def migrate(tmp_path: Path, files: dict[str, str]) -> str:
    repo = make_repo(tmp_path / "repo", {k: v.encode() for k, v in files.items()})
    code, _, err = run_cli("apply", ".", "--codemod", "migrate-worker", cwd=repo)
    assert code == 0, err
    return (repo / "Server" / "LedgerCloseWorker.cs").read_text()


def usings(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("using ")]


def test_a_using_item_of_the_project_is_not_imported_again(tmp_path):
    text = migrate(tmp_path, {"Server/Ledger.Server.csproj": project(items='    <Using Include="Oqtane.Infrastructure" />\n'),
                              "Server/LedgerCloseWorker.cs": WORKER})
    assert "public class LedgerCloseWorker : HostedServiceBase" in text
    assert usings(text) == ["using System;", "using System.Threading.Tasks;",
                            "using Microsoft.Extensions.DependencyInjection;"]


def test_a_global_using_in_another_file_of_the_project_is_not_imported_again(tmp_path):
    text = migrate(tmp_path, {"Server/Ledger.Server.csproj": project(),
                              "Server/GlobalUsings.cs": "global using Oqtane.Infrastructure;\n"
                                                        "global using Microsoft.Extensions.DependencyInjection;\n",
                              "Server/LedgerCloseWorker.cs": WORKER.replace(
                                  "using Microsoft.Extensions.DependencyInjection;\n", "")})
    assert "public class LedgerCloseWorker : HostedServiceBase" in text
    assert usings(text) == ["using System;", "using System.Threading.Tasks;"]


def test_implicit_usings_of_the_web_sdk_are_not_imported_again(tmp_path):
    text = migrate(tmp_path, {"Server/Ledger.Server.csproj": project("Microsoft.NET.Sdk.Web",
                                                                     "    <ImplicitUsings>enable</ImplicitUsings>\n"),
                              "Server/LedgerCloseWorker.cs": BARE_WORKER})
    assert usings(text) == ["using Oqtane.Infrastructure;"]


def test_a_removed_implicit_using_is_imported(tmp_path):
    csproj = project("Microsoft.NET.Sdk.Web", "    <ImplicitUsings>enable</ImplicitUsings>\n",
                     '    <Using Remove="System.Threading.Tasks" />\n')
    text = migrate(tmp_path, {"Server/Ledger.Server.csproj": csproj, "Server/LedgerCloseWorker.cs": BARE_WORKER})
    assert usings(text) == ["using System.Threading.Tasks;", "using Oqtane.Infrastructure;"]


def test_what_the_project_file_imports(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    csproj = folder / "A.csproj"
    csproj.write_text(project("Microsoft.NET.Sdk.Worker", "    <ImplicitUsings>true</ImplicitUsings>\n",
                              '    <Using Include="Acme.Common" />\n    <Using Include="Acme.Json" Alias="Json" />\n'
                              '    <Using Include="System.Math" Static="true" />\n'
                              "    <Using Include=\"Acme.Debug\" Condition=\"'$(Configuration)' == 'Debug'\" />\n"
                              '    <Using Remove="System.Linq" />\n'))
    assert project_sdk(csproj) == "Microsoft.NET.Sdk.Worker"
    found = from_project_file(csproj)
    assert "Acme.Common" in found and "Microsoft.Extensions.Hosting" in found and "System.Threading.Tasks" in found
    # an alias, a static import, a condition that cannot be evaluated and a removed namespace import nothing here
    assert not found & {"Acme.Json", "System.Math", "Acme.Debug", "System.Linq"}


def test_implicit_usings_are_off_unless_enabled_and_unknown_sdks_add_none(tmp_path):
    folder = tmp_path / "p"
    folder.mkdir()
    csproj = folder / "A.csproj"
    csproj.write_text(project("Microsoft.NET.Sdk.Web"))
    assert from_project_file(csproj) == frozenset()
    csproj.write_text(project("Acme.Custom.Sdk/1.0.0", "    <ImplicitUsings>enable</ImplicitUsings>\n"))
    assert project_sdk(csproj) == "Acme.Custom.Sdk" and from_project_file(csproj) == frozenset()


def _many_files(extra: dict[str, bytes]) -> dict[str, bytes]:
    """A project big enough for a pooled run (more files than pool.INLINE_LIMIT), the worker first, `extra` last."""
    files = {"Server/Ledger.Server.csproj": project().encode(),
             "Server/LedgerCloseWorker.cs": WORKER.replace("using Microsoft.Extensions.DependencyInjection;\n",
                                                           "").encode()}
    for n in range(80):
        files[f"Server/Models/Entry{n:02}.cs"] = (f"namespace Acme.Module.Ledger.Models\n{{\n"
                                                  f"    public class Entry{n:02} {{ public int Id {{ get; set; }} }}\n}}\n"
                                                  ).encode()
    files.update(extra)
    return files


def test_a_global_using_read_by_another_process_is_not_imported_again(tmp_path):
    # The global usings are read once, in the first wave, by whichever process reads the file; the worker is
    # migrated later, possibly in another process: one and two processes must give the same patch.
    global_file = ("global using Oqtane.Infrastructure;\n"
                   "global using Microsoft.Extensions.DependencyInjection;\n").encode("utf-16")
    repo = make_repo(tmp_path / "repo", _many_files({"Server/Zz/GlobalUsings.cs": global_file}))
    patches = []
    for jobs in ("1", "2"):
        code, out, err = run_cli("diff", ".", "--codemod", "migrate-worker", "--jobs", jobs, cwd=repo)
        assert code == 1, err
        patches.append(out)
    assert patches[0] == patches[1]
    added = [line for line in patches[0].splitlines() if line.startswith("+using ")]
    assert "+public class LedgerCloseWorker : HostedServiceBase" in patches[0].replace("    ", "")
    assert added == [], added  # both namespaces come from the UTF-16 GlobalUsings.cs


def test_a_binary_file_that_mentions_global_imports_nothing_and_fails_nothing(tmp_path):
    repo = make_repo(tmp_path / "repo", _many_files({"Server/Zz/Blob.cs": b"global using Oqtane.Infrastructure;\0\1"}))
    code, out, err = run_cli("diff", ".", "--codemod", "migrate-worker", "--jobs", "2", cwd=repo)
    assert code == 1, err
    assert "+using Oqtane.Infrastructure;" in out and "+using Microsoft.Extensions.DependencyInjection;" in out
    assert "1 skipped, 0 failed" in err.splitlines()[0], err  # the binary file is skipped, the worker migrated
