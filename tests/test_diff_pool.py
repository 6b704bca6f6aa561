"""`oqmigrate diff` over a process pool, through the real CLI in a real git repository.

The engine rewrites a file that depends on no other file's migration in one pass, and holds back the files
that do (a startup registering workers declared elsewhere, a subclass of another file's worker, a class name two
modules declare) until every migration is known. Whatever the number of worker processes, the patch and the
summary must be the same, and the patch must apply.
"""

import subprocess

from conftest import run_cli
from gitrepo import git, make_repo

WORKER = """using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

namespace Acme.Module.{module}.Services
{{
    public class {name} : BackgroundService
    {{
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {{
            while (!stoppingToken.IsCancellationRequested)
            {{
                Console.WriteLine("{name}");
                await Task.Delay(TimeSpan.FromMinutes({minutes}), stoppingToken);
            }}
        }}
    }}
}}
"""

BASE = """using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

namespace Acme.Module.Mail.Services
{
    public abstract class PollingWorkerBase : BackgroundService
    {
        protected abstract Task PollAsync();

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            do
            {
                await PollAsync();
                await Task.Delay(TimeSpan.FromMinutes(15), stoppingToken);
            } while (!stoppingToken.IsCancellationRequested);
        }
    }
}
"""

DERIVED = """using System.Threading.Tasks;

namespace Acme.Module.Mail.Services
{
    public class OutboxWorker : PollingWorkerBase
    {
        protected override Task PollAsync() => Task.CompletedTask;
    }
}
"""

STARTUP = """using Microsoft.Extensions.DependencyInjection;

namespace Acme.Module.{module}.Startup
{{
    public class ServerStartup
    {{
        public void ConfigureServices(IServiceCollection services)
        {{
{registrations}
        }}
    }}
}}
"""

PLAIN = """namespace Acme.Module.{module}.Models
{{
    public class Model{n}
    {{
        public int Id {{ get; set; }}
        public string Name{n} {{ get; set; }}
    }}
}}
"""


def _tree() -> dict[str, bytes]:
    files: dict[str, str] = {}
    for module in ("Feeds", "Mail"):
        names = [f"{module}Worker{n}" for n in range(6)] + ["DigestWorker"]  # DigestWorker: in both modules
        for n, name in enumerate(names):
            files[f"{module}/Services/{name}.cs"] = WORKER.format(module=module, name=name, minutes=5 + n)
        registrations = "\n".join(f"            services.AddHostedService<{name}>();" for name in names)
        files[f"{module}/Startup/ServerStartup.cs"] = STARTUP.format(module=module, registrations=registrations)
        for n in range(40):
            files[f"{module}/Models/Model{n}.cs"] = PLAIN.format(module=module, n=n)
    files["Mail/Services/PollingWorkerBase.cs"] = BASE
    files["Mail/Services/OutboxWorker.cs"] = DERIVED
    return {rel: text.encode() for rel, text in files.items()}


def test_diff_is_the_same_with_one_and_with_several_workers_and_the_patch_applies(tmp_path):
    tree = _tree()
    assert len(tree) >= 64  # enough files for the engine to use its process pool
    repo = make_repo(tmp_path / "r", tree)
    one = run_cli("diff", ".", "--no-progress", "--jobs", "1", cwd=repo)
    two = run_cli("diff", ".", "--no-progress", "--jobs", "2", cwd=repo)
    assert one[0] == two[0] == 1, one[2]
    assert "Traceback" not in one[2] + two[2]
    assert one[1] == two[1] and one[2] == two[2]
    patch = one[1]
    changed = sorted(line.split(" b/")[1] for line in patch.splitlines() if line.startswith("diff --git "))
    workers = [f"{m}/Services/{m}Worker{n}.cs" for m in ("Feeds", "Mail") for n in range(6)]
    assert set(workers) <= set(changed)
    assert {"Feeds/Services/DigestWorker.cs", "Mail/Services/DigestWorker.cs", "Feeds/Startup/ServerStartup.cs",
            "Mail/Startup/ServerStartup.cs"} <= set(changed)
    assert not any("Models/" in c for c in changed)
    (tmp_path / "p.patch").write_text(patch)
    subprocess.run(["git", "apply", str(tmp_path / "p.patch")], cwd=repo, check=True)
    for rel in workers:
        assert b"HostedServiceBase" in (repo / rel).read_bytes()
    startup = (repo / "Feeds/Startup/ServerStartup.cs").read_text()
    assert "AddHostedService<Feeds" not in startup and "AddHostedService<DigestWorker>" not in startup
    after = git(repo, "status", "--porcelain").stdout.decode().split("\n")
    assert {line[3:] for line in after if line} == set(changed)
