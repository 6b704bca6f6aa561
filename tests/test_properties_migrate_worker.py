"""Property tests of migrate-worker over generated worker files (tests/generated_workers.py).

Each generated file goes through the real pipeline in-process — `engine.run` over a real file (the same runner the
CLI calls: load, decode, parse, analyse, transform, validate) and `writer.write_all` to disk — and the written
bytes are checked: they decode in the file's own encoding with its BOM, re-parse without ERROR/MISSING nodes, use
the file's newline and indentation, keep every byte outside the worker class and the using block, and declare the
Frequency/Interval the README documents for the drawn cadence (computed by the generator, not by the product);
a second run changes nothing. The migrated C# 7.2 files are compiled with mcs against the Oqtane stubs of their
era, batched into a few compiler calls, and each migrated job is constructed under mono (tests/csharp/probes/
JobMetadata.cs) to read the Frequency, Interval, StartDate and IsEnabled it really declares. Shapes the README leaves for a person must stay byte for byte unchanged
with the reason reported.

Hypothesis runs derandomized (the same examples on every run) with no deadline and no example database.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings

from csharp_compiler import compile_csharp, find_mcs
from csharp_eras import compile_for_era
from generated_workers import ERA_VERSIONS, WorkerFile, worker_files
from oqmigrate import syntax
from oqmigrate.edits import apply_edits
from oqmigrate.engine import Changed, resolve_codemods, run
from oqmigrate.model import analyse
from oqmigrate.transforms import TransformContext
from oqmigrate.transforms.migrate_worker import migrate_worker
from oqmigrate.project_versions import Versions
from oqmigrate.versions import VersionInfo, VersionSource
from oqmigrate.workspace import discover
from oqmigrate.writer import PendingWrite, write_all

EXAMPLES = 100
PROFILE = settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

USING_LINE = re.compile(rb"using [A-Za-z0-9_.]+;")


def _migrate(path: Path, wf: WorkerFile):
    versions = Versions(loose=VersionInfo(wf.version, VersionSource.OVERRIDE, "drawn by the property test", True))
    return run(discover([path]), resolve_codemods("migrate-worker"), versions=versions)


def _utf8_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _class_node(tree, name: str):
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "class_declaration" and syntax.text(node.child_by_field_name("name")) == name:
            return node
        stack.extend(node.children)
    return None


def _check_outside_bytes(wf: WorkerFile, new_text: str, new_raw: bytes) -> tuple[int, int]:
    """Everything but the using block and the worker class is byte for byte what it was; returns the UTF-8 span
    of the new class."""
    old = wf.text.encode("utf-8")
    new = new_text.encode("utf-8")
    us, ue = (_utf8_offset(wf.text, i) for i in wf.using_span)
    cs, ce = (_utf8_offset(wf.text, i) for i in wf.class_span)
    head, middle, tail = old[:us], old[ue:cs], old[ce:]
    assert new.startswith(head)
    assert new.endswith(tail)
    node = _class_node(syntax.parse(new), wf.class_name)
    assert node is not None, "the worker class is gone"
    assert node.end_byte == len(new) - len(tail), "the class must end where the old one ended (same tail)"
    assert new[node.start_byte - len(middle):node.start_byte] == middle
    using_block = new[len(head):node.start_byte - len(middle)]
    lines = [line.strip() for line in using_block.split(wf.newline.encode())]
    assert all(USING_LINE.fullmatch(line) for line in lines if line), using_block
    assert using_block.endswith(wf.newline.encode())
    assert new[node.start_byte:].startswith(b"public class " + wf.class_name.encode())
    # the same, on the file's own bytes: BOM, encoding, untouched head and tail
    assert new_raw.startswith(wf.bom + wf.text[:wf.using_span[0]].encode(wf.encoding))
    assert new_raw.endswith(wf.text[wf.class_span[1]:].encode(wf.encoding))
    return node.start_byte, node.end_byte


def _check_style(wf: WorkerFile, job: str) -> None:
    if wf.newline == "\r\n":
        assert job.count("\n") == job.count("\r\n"), "a bare LF in a CRLF file"
    else:
        assert "\r" not in job
    for line in job.splitlines()[1:]:
        lead = line[: len(line) - len(line.lstrip(" \t"))]
        if wf.indent == "\t":
            assert " " not in lead, repr(line)
        else:
            assert "\t" not in lead and len(lead) % len(wf.indent) == 0, repr(line)


def _check_schedule(wf: WorkerFile, job: str) -> None:
    frequency, interval = wf.expected_schedule()
    found = (re.findall(r'\bFrequency = "(\w+)";', job), re.findall(r"\bInterval = (\d+);", job))
    assert found == ([frequency], [str(interval)]), (wf.cadence, wf.clock, wf.version, found)
    if wf.clock is None:
        assert "StartDate" not in job, "a fixed cadence has no time of day"
    else:
        assert len(re.findall(r"\bStartDate = ", job)) == 1, "the time of day is the StartDate's"
        assert "DateTime.UtcNow" not in job.split("ExecuteJob")[-1], "the clock check is gone from the work"
    assert re.search(r"\bIsEnabled = true;", job)
    assert "BackgroundService" not in job and "IHostedService" not in job


def _check_one(tmp: Path, wf: WorkerFile, stats: Counter, compiled: list) -> None:
    path = tmp / "Worker.cs"
    path.write_bytes(wf.raw)
    result = _migrate(path, wf)
    [outcome] = result.outcomes
    mine = [m for m in result.manual if m.symbol == wf.class_name]
    if wf.refusal is not None:
        stats["refused"] += 1
        event(f"refused: {wf.refusal}")
        assert outcome.kind == "unchanged", outcome
        assert path.read_bytes() == wf.raw
        reasons = [m.reason for m in mine if m.kind.value == "manual"]
        expected = {"before_2_0_1": "upgrade Oqtane to 2.0.1", "one_shot_timer": "one-shot"}[wf.refusal]
        assert len(reasons) == 1 and expected in reasons[0], reasons
        return

    stats["migrated"] += 1
    event(f"migrated: {wf.driver}")
    assert isinstance(outcome, Changed), (outcome, [m.reason for m in mine])
    assert [m.reason for m in mine if m.kind.value == "manual"] == [], "migrated, so no manual reason"
    assert outcome.old == wf.raw
    write_all([PendingWrite(path, outcome.new, expected=wf.raw)])
    new_raw = path.read_bytes()
    assert new_raw == outcome.new
    assert new_raw.startswith(wf.bom)
    new_text = new_raw[len(wf.bom):].decode(wf.encoding)  # strict: the file's own encoding
    if not wf.bom:
        assert not new_text.startswith("\ufeff")

    tree = syntax.parse(new_text.encode("utf-8"))
    assert syntax.syntax_problems(tree) == [], new_text
    start, end = _check_outside_bytes(wf, new_text, new_raw)
    job = new_text.encode("utf-8")[start:end].decode("utf-8")
    _check_style(wf, job)
    _check_schedule(wf, job)

    again = _migrate(path, wf)
    assert [o.kind for o in again.outcomes] in ([], ["unchanged"]), again.outcomes
    assert path.read_bytes() == new_raw
    if wf.csharp72:
        compiled.append((wf, new_text))


def _batches(items: list[tuple[WorkerFile, str]]) -> list[list[tuple[WorkerFile, str]]]:
    """Group files so that no two in a group declare the same type in the same namespace (one mcs call each)."""
    groups: list[tuple[set, list]] = []
    for wf, text in items:
        ns = wf.namespace if wf.namespace_style != "none" else ""
        names = {(ns, re.sub(r"^.*\b(?:class|interface|enum) ", "", head).split()[0])
                 for head in (*wf.before, *wf.after)} | {(ns, wf.class_name)}
        for declared, members in groups:
            if not declared & names:
                declared |= names
                members.append((wf, text))
                break
        else:
            groups.append((set(names), [(wf, text)]))
    return [members for _, members in groups]


PROBE = Path(__file__).parent / "csharp" / "probes" / "JobMetadata.cs"


def _compile_all(items: list[tuple[WorkerFile, str]], compile_batch, probe: Path | None = None) -> int:
    """Compile the files in as few mcs calls as the type names allow; with a `probe` (JobMetadata.exe), run it
    over each library and check the metadata the jobs really declare. Returns the number of jobs probed."""
    probed = 0
    with tempfile.TemporaryDirectory(prefix="oqmigrate-prop-") as d:
        for b, batch in enumerate(_batches(items)):
            paths = []
            for i, (wf, text) in enumerate(batch):
                p = Path(d) / f"b{b}_{i}_{wf.class_name}.cs"
                p.write_bytes(wf.bom + text.encode(wf.encoding))
                paths.append(p)
            library = Path(d) / f"b{b}.dll"
            r = compile_batch(paths, library)
            assert r.ok, r.output + "\n\n" + "\n\n".join(f"// {p.name}\n{t}" for p, (_, t) in zip(paths, batch))
            if probe is not None:
                probed += _check_metadata(probe, library, [wf for wf, _ in batch])
    return probed


def _probe_program(d: Path) -> Path | None:
    mono = shutil.which("mono")
    if mono is None:
        return None
    exe = d / "JobMetadata.exe"
    proc = subprocess.run([find_mcs(), "-langversion:7.2", f"-out:{exe}", str(PROBE)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return exe


def _check_metadata(probe: Path, library: Path, files: list[WorkerFile]) -> int:
    """Construct every job of the library under mono and compare what it declares with what the generator drew:
    Frequency and Interval, IsEnabled, and for a clock schedule a UTC StartDate at the drawn time of day (and
    weekday or day of the month) within a month of now; no StartDate for a fixed cadence."""
    proc = subprocess.run(["mono", str(probe), str(library)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [line.split("\t") for line in proc.stdout.splitlines()]
    now = datetime.fromisoformat(lines[0][1][:26])
    jobs = {parts[0]: parts[1:] for parts in lines[1:]}
    for wf in files:
        full = wf.class_name if wf.namespace_style == "none" else f"{wf.namespace}.{wf.class_name}"
        frequency, interval, start, kind, enabled = jobs[full]
        assert (frequency, int(interval), enabled) == (*wf.expected_schedule(), "True"), (full, jobs[full])
        if wf.clock is None:
            assert (start, kind) == ("-", "-"), (full, jobs[full])
            continue
        at = datetime.fromisoformat(start[:26])
        assert kind == "Utc", (full, jobs[full])
        assert (at.hour, at.minute, at.second) == (wf.clock.hour, wf.clock.minute, 0), (full, wf.clock, start)
        if wf.clock.weekday is not None:
            assert (at.weekday() + 1) % 7 == wf.clock.weekday, (full, wf.clock, start)
        if wf.clock.day is not None:
            assert at.day == wf.clock.day, (full, wf.clock, start)
        assert abs((at - now).days) <= 31, (full, start, now)
    return len(files)


needs_mcs = pytest.mark.skipif(find_mcs() is None, reason="mcs (Debian mono-mcs) is not installed")


def test_generated_workers_migrate_correctly():
    stats: Counter = Counter()
    compiled: list[tuple[WorkerFile, str]] = []
    before: list[tuple[WorkerFile, str]] = []

    @PROFILE
    @given(worker_files())
    def migrate(wf: WorkerFile) -> None:
        with tempfile.TemporaryDirectory(prefix="oqmigrate-prop-") as d:
            _check_one(Path(d), wf, stats, compiled)
        if wf.csharp72:
            before.append((wf, wf.text))

    migrate()
    total = stats["migrated"] + stats["refused"]
    # the generator mostly draws shapes the README lists as migrated; each of those was migrated (asserted above)
    assert total >= EXAMPLES // 2 and stats["migrated"] >= 0.8 * total, stats
    assert stats["refused"] > 0, "the refused shapes were never drawn"
    if find_mcs() is None:
        return
    _compile_all(before, lambda paths, out: compile_csharp(paths, out=out))
    by_era: dict[str, list] = {}
    for wf, text in compiled:
        by_era.setdefault(wf.version_era, []).append((wf, text))
    assert set(by_era) == set(ERA_VERSIONS), "every era's API is exercised"
    assert any(wf.clock is not None for wf, _ in compiled), "a clock schedule was compiled"
    with tempfile.TemporaryDirectory(prefix="oqmigrate-probe-") as d:
        probe = _probe_program(Path(d))
        probed = sum(_compile_all(items, lambda paths, out, era=era: compile_for_era(paths, era, out=out), probe)
                     for era, items in by_era.items())
    assert probe is None or probed == len(compiled)


# --- defects the generator found, reduced to minimal examples (fixed; kept as regression tests) ---------------------------------------------------

HELPER_TOKEN_WORKER = b"""using System;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;

public interface IOrderStore { Task<int> PurgeAsync(CancellationToken cancellationToken); }

public class OrderWorker : BackgroundService
{
    private readonly IOrderStore _orderStore;

    public OrderWorker(IOrderStore orderStore)
    {
        _orderStore = orderStore;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await DoWorkAsync(stoppingToken);
            await Task.Delay(TimeSpan.FromMinutes(1), stoppingToken);
        }
    }

    private async Task DoWorkAsync(CancellationToken stoppingToken)
    {
        await _orderStore.PurgeAsync(stoppingToken);
    }
}
"""


def test_helper_with_a_differently_named_token_is_migrated():
    """The same worker with the helper's parameter named differently from the worker's token migrates too."""
    data = HELPER_TOKEN_WORKER.replace(b"DoWorkAsync(CancellationToken stoppingToken)",
                                       b"DoWorkAsync(CancellationToken ct)").replace(b"PurgeAsync(stoppingToken)",
                                                                                     b"PurgeAsync(ct)")
    tree = syntax.parse(data)
    result = migrate_worker(TransformContext("Worker.cs", data, tree, analyse(tree)))
    out = apply_edits(data, result.edits)
    assert result.migrated == ["OrderWorker"]
    assert syntax.syntax_problems(syntax.parse(out)) == []


def test_helper_taking_the_token_under_the_same_name_is_migrated():
    """Found by the generator: the helper's own parameter shadows the worker's token name, so its declaration and
    uses stay; only the call site passes CancellationToken.None."""
    tree = syntax.parse(HELPER_TOKEN_WORKER)
    result = migrate_worker(TransformContext("Worker.cs", HELPER_TOKEN_WORKER, tree, analyse(tree)))
    out = apply_edits(HELPER_TOKEN_WORKER, result.edits)
    assert result.migrated == ["OrderWorker"]
    assert b"CancellationToken CancellationToken.None" not in out
    assert syntax.syntax_problems(syntax.parse(out)) == []
