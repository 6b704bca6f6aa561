#!/usr/bin/env python3
"""Benchmark `oqmigrate diff` against `oqmigrate scan` on generated trees of growing size.

    python benchmarks/bench_diff.py [--sizes 15000,60000,120000] [--runs 3] [--jobs N] [--out DIR] [--json]

For each size it generates the tree with generate.py when it is missing (`DIR/tree-<size>`, default
benchmarks/out, gitignored; the same seed as bench_scan.py), reads every file once so that all runs see a warm
page cache, then runs, each `--runs` times, as subprocesses:

    oqmigrate scan TREE --format json --no-progress --fail-on never [--jobs N]
    oqmigrate diff TREE --no-progress --exit-zero -o PATCH [--jobs N]      (stdout to /dev/null)

and prints per size: wall time best / median, CPU time (user + sys of the CLI and its pool workers) best, peak
RSS of the largest single process (the CLI or one pool worker, from wait4), the files `diff` would change, and
the diff/scan ratios of the best wall and CPU times; then how each measure grows from the smallest size (per
file: 1.00 = linear). The patch is checked with `git apply --check` on the smallest tree when git is installed.

Other sessions may share the machine: compare CPU times, repeat runs, and read wall times with that caveat.
Times are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_scan import ensure_bytecode, ensure_tree, timed as timed_run, tree_stats  # noqa: E402  (read every .cs file once: the warm page cache both benchmarks use)
WORKER_SHARE = 0.03
CHANGED = re.compile(rb"would change (\d+) files?")


def tree_of(out: Path, files: int) -> Path:
    """The generated tree of `files` files under `out` (bench_scan's generator and seed), made when missing."""
    tree = out / f"tree-{files}"
    ensure_tree(tree, files, WORKER_SHARE, regenerate=False)
    return tree


def timed(cmd: list[str]) -> dict:
    """bench_scan.timed as a dict: wall seconds, CPU seconds, peak RSS (KiB) of the largest process, exit code."""
    wall, cpu, rss_kib, _, stderr, code = timed_run(cmd)
    return {"wall": wall, "cpu": cpu, "rss_kib": rss_kib, "code": code, "stderr": stderr}


def bench(cmd: list[str], runs: int, label: str) -> dict:
    walls, cpus, rss = [], [], []
    stderr = b""
    for i in range(runs):
        r = timed(cmd)
        if r["code"] not in (0, 1):
            sys.stderr.write(r["stderr"].decode("utf-8", "replace")[-2000:])
            raise SystemExit(f"{label} failed with exit code {r['code']}: {' '.join(cmd)}")
        walls.append(r["wall"])
        cpus.append(r["cpu"])
        rss.append(r["rss_kib"])
        stderr = r["stderr"]
        print(f"  {label} run {i + 1}: {r['wall']:.2f} s wall, {r['cpu']:.2f} s CPU, peak RSS "
              f"{r['rss_kib'] / 1024:.0f} MiB", file=sys.stderr)
    return {"best": min(walls), "median": statistics.median(walls), "cpu_best": min(cpus),
            "cpu_median": statistics.median(cpus), "peak_rss_mib": max(rss) / 1024, "stderr": stderr}


def oqmigrate() -> list[str]:
    exe = shutil.which("oqmigrate")
    return [exe] if exe and "PYTHONPATH" not in os.environ else [sys.executable, "-m", "oqmigrate"]


def git_apply_check(tree: Path, patch: Path) -> str:
    """`git apply --check` of the patch in a scratch repository holding only the files it names."""
    git = shutil.which("git")
    if git is None:
        return "skipped (no git)"
    names = [n.decode() for n in re.findall(rb"^diff --git a/(.+?) b/", patch.read_bytes(), re.M)]
    if not names:
        return "no patch"
    # Patch paths are relative to the git work tree around TREE when there is one, else to TREE.
    base = next((d for d in (tree, *tree.parents) if (d / names[0]).is_file()), None)
    if base is None:
        return f"FAILED: {names[0]} not found above {tree}"
    with tempfile.TemporaryDirectory() as scratch:
        for name in names:
            target = Path(scratch) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(base / name, target)
        subprocess.run([git, "init", "-q"], cwd=scratch, check=True)
        r = subprocess.run([git, "apply", "--check", str(patch)], cwd=scratch, capture_output=True)
    return f"ok ({len(names)} files)" if r.returncode == 0 else "FAILED: " + r.stderr.decode()[:300]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="15000,60000,120000", help="comma-separated tree sizes (files)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, help="passed to oqmigrate --jobs")
    ap.add_argument("--out", type=Path, default=HERE / "out", help="where the trees are (generated when missing)")
    ap.add_argument("--json", action="store_true", help="print machine-readable results instead of the table")
    a = ap.parse_args(argv)
    ensure_bytecode()
    sizes = [int(s) for s in a.sizes.split(",") if s.strip()]
    jobs = ["--jobs", str(a.jobs)] if a.jobs else []
    rows = []
    for n in sizes:
        tree = tree_of(a.out, n).resolve()
        files, size = tree_stats(tree)
        print(f"{tree}: {files} .cs files, {size / 1e6:.1f} MB (page cache warmed)", file=sys.stderr)
        scan = bench(oqmigrate() + ["scan", str(tree), "--format", "json", "--no-progress", "--fail-on", "never"]
                     + jobs, a.runs, f"scan {n}")
        with tempfile.TemporaryDirectory() as tmp:
            patch = Path(tmp) / "diff.patch"
            diff = bench(oqmigrate() + ["diff", str(tree), "--no-progress", "--exit-zero", "-o", str(patch)] + jobs,
                         a.runs, f"diff {n}")
            applies = git_apply_check(tree, patch) if n == min(sizes) else "-"
            patch_bytes = patch.stat().st_size
        m = CHANGED.search(diff.pop("stderr"))
        scan.pop("stderr")
        rows.append({"files": files, "bytes": size, "scan": scan, "diff": diff, "patch_bytes": patch_bytes,
                     "files_changed": int(m.group(1)) if m else None, "git_apply_check": applies,
                     "ratio_wall": diff["best"] / scan["best"], "ratio_cpu": diff["cpu_best"] / scan["cpu_best"]})
    result = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                          "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None},
              "jobs": a.jobs, "sizes": rows}
    if a.json:
        print(json.dumps(result, indent=1))
        return 0
    print(f"cpus {os.cpu_count()}, --jobs {a.jobs or 'default'}, {a.runs} runs each; load average at the end "
          f"{result['machine']['load_average']}")
    head = (f"{'files':>8} {'MB':>6} | {'scan wall best/med':>18} {'CPU':>6} {'RSS':>7} | {'diff wall best/med':>18} "
            f"{'CPU':>6} {'RSS':>7} {'changed':>7} | {'diff/scan wall':>14} {'CPU':>5}")
    print(head)
    print("-" * len(head))
    for r in rows:
        s, d = r["scan"], r["diff"]
        print(f"{r['files']:>8} {r['bytes'] / 1e6:>6.0f} | {s['best']:>8.2f}/{s['median']:<7.2f}s {s['cpu_best']:>5.1f}s "
              f"{s['peak_rss_mib']:>4.0f}MiB | {d['best']:>8.2f}/{d['median']:<7.2f}s {d['cpu_best']:>5.1f}s "
              f"{d['peak_rss_mib']:>4.0f}MiB {r['files_changed'] or '?':>7} | {r['ratio_wall']:>13.2f}x "
              f"{r['ratio_cpu']:>4.2f}x")
    first = rows[0]
    if len(rows) > 1:
        print()
        print("growth per file against the smallest tree (1.00 = linear): " + "; ".join(
            f"{r['files']}: scan wall {r['scan']['best'] / r['files'] / (first['scan']['best'] / first['files']):.2f}"
            f" CPU {r['scan']['cpu_best'] / r['files'] / (first['scan']['cpu_best'] / first['files']):.2f},"
            f" diff wall {r['diff']['best'] / r['files'] / (first['diff']['best'] / first['files']):.2f}"
            f" CPU {r['diff']['cpu_best'] / r['files'] / (first['diff']['cpu_best'] / first['files']):.2f}"
            for r in rows[1:]))
    print(f"git apply --check of the {first['files']}-file patch ({first['patch_bytes']} bytes): {first['git_apply_check']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
