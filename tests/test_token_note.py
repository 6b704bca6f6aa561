"""A worker's cancellation token that the job passes on as CancellationToken.None is said in the review list: a host
shutdown no longer cancels that work. Through the real CLI."""

from __future__ import annotations

from conftest import run_cli

WORKER = """using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Acme.Module.Notes.Workers
{{
    public class {name} : BackgroundService
    {{
        private readonly IServiceScopeFactory _scopes;

        public {name}(IServiceScopeFactory scopes)
        {{
            _scopes = scopes;
        }}

        protected override async Task ExecuteAsync(CancellationToken {token})
        {{
            while (!{token}.IsCancellationRequested)
            {{
                using (var scope = _scopes.CreateScope())
                {{
                    {work}
                }}
                await Task.Delay(TimeSpan.FromHours(2), {token});
            }}
        }}
    }}

    public interface IStore {{ Task CompactAsync(CancellationToken token); void Reset(); }}
}}
"""
# The work is given the token: the job passes CancellationToken.None instead.
PASSES_TOKEN = WORKER.format(name="ArchiveWorker", token="shutdown",
                             work="await scope.ServiceProvider.GetRequiredService<IStore>().CompactAsync(shutdown);")
# The token only ends the loop and the wait, which go away with it.
ONLY_PACES = WORKER.format(name="CounterWorker", token="stoppingToken",
                           work="scope.ServiceProvider.GetRequiredService<IStore>().Reset();")


def _review(tmp_path, source: str) -> tuple[str, str]:
    (tmp_path / "Worker.cs").write_text(source, encoding="utf-8")
    code, out, err = run_cli("diff", "Worker.cs", "--exit-zero", "--no-progress", cwd=tmp_path)
    assert code == 0, err
    return out, err


def test_a_token_passed_to_the_work_is_noted_for_review(tmp_path):
    out, err = _review(tmp_path, PASSES_TOKEN)
    assert ".CompactAsync(CancellationToken.None);" in out
    assert ("ArchiveWorker: 'shutdown' became CancellationToken.None (Oqtane gives a job no cancellation token): "
            "stopping the host no longer cancels the work a run passes it to; that work runs to its end") in err


def test_a_token_that_only_paced_the_loop_needs_no_note(tmp_path):
    out, err = _review(tmp_path, ONLY_PACES)
    assert "public override" in out and "CancellationToken.None" not in out
    assert "became CancellationToken.None" not in err
