#!/usr/bin/env python3
"""Benchmark `oqmigrate scan` on large synthetic (or real) Oqtane trees, against the floor and ast-grep.

    python benchmarks/bench_scan.py [--tree PATH] [--files 15000] [--worker-share 0.03] [--runs 3]
                                    [--jobs N] [--no-ast-grep] [--regenerate] [--json]
    python benchmarks/bench_scan.py --sizes 15000,60000,120000 [--runs 3] [--ast-grep-all]

For each tree (the default `benchmarks/out/tree`, `--tree PATH`, or with `--sizes` one generated tree per size in
`benchmarks/out/tree-N`):

1. generates the tree with generate.py when it is missing;
2. reads every file once so that all runs see a warm page cache;
3. measures the floor: one process that starts Python, imports the CLI (`import oqmigrate.cli`) and reads every
   byte of every .cs file (os.walk + open/read), RUNS times;
4. runs `oqmigrate scan TREE --format json --no-progress --fail-on never` as a subprocess RUNS times and reports
   wall time (best / median), CPU time (user + system, pool processes included), files/s and MB/s (best run), peak
   RSS (largest single process: the CLI or one pool worker, from wait4), finding counts per rule and recall
   against the tree's expected.json, and the ratio to the floor;
5. if `ast-grep` is on PATH (PyPI `ast-grep-cli`), runs the rule set in benchmarks/ast-grep/ over the same tree
   the same way (with `--sizes`: on the first size only, unless --ast-grep-all) and prints the time ratio.

With several sizes it ends with the growth: time and peak RSS per size, time per 1,000 files, and how much the
time grew against how much the tree grew (1.00 = linear).

Times are printed, never asserted.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_TREE = HERE / "out" / "tree"
SG_CONFIG = HERE / "ast-grep" / "sgconfig.yml"

# ast-grep rule id -> the oqmigrate rule it stands in for
SG_RULES = {"worker-class": "OQJ001", "timer": "OQJ002", "polling-loop": "OQJ002", "task-run": "OQJ003",
            "static-field-in-job": "OQJ004", "tenant-resolution": "OQJ005", "cron": "OQJ006",
            "add-hosted-service": "OQJ014", "job-class": "(job)"}


def tree_stats(tree: Path) -> tuple[int, int]:
    """Warm the page cache: read every .cs file once. Returns (files, bytes)."""
    n = size = 0
    for dirpath, dirnames, filenames in os.walk(tree):
        dirnames.sort()
        for name in filenames:
            if name.endswith(".cs"):
                with open(os.path.join(dirpath, name), "rb") as fh:
                    size += len(fh.read())
                n += 1
    return n, size


def ensure_bytecode() -> None:
    """Compile oqmigrate's modules to bytecode, as pip does when it installs a wheel. An editable install under
    PYTHONDONTWRITEBYTECODE=1 (some CI images set it) would otherwise compile every module from source in the
    CLI and in each pool process on every run: a cost no installed copy pays. The floor imports the same CLI."""
    spec = importlib.util.find_spec("oqmigrate")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("oqmigrate is not importable: install it (pip install -e .) or set PYTHONPATH")
    compileall.compile_dir(spec.submodule_search_locations[0], quiet=1)


def timed(cmd: list[str], cwd: str | None = None) -> tuple[float, float, int, bytes, bytes, int]:
    """Run cmd; return (wall seconds, CPU seconds (user + system of the process and every child it waited for),
    peak RSS in KiB of the largest single process, stdout, stderr, exit code)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, out.read(), err.read(), proc.returncode


def bench(cmd: list[str], runs: int, label: str) -> dict:
    times, cpus, rss = [], [], []
    stdout = b""
    for i in range(runs):
        wall, cpu, maxrss, stdout, stderr, rc = timed(cmd)
        if rc not in (0, 1):
            sys.stderr.write(stderr.decode("utf-8", "replace")[-2000:])
            raise SystemExit(f"{label} failed with exit code {rc}: {' '.join(cmd)}")
        times.append(wall)
        cpus.append(cpu)
        rss.append(maxrss)
        print(f"  {label} run {i + 1}: {wall:.3f} s, CPU {cpu:.2f} s, peak RSS {maxrss / 1024:.0f} MiB", file=sys.stderr)
    return {"times": times, "best": min(times), "median": statistics.median(times), "cpu_best": min(cpus),
            "peak_rss_mib": max(rss) / 1024, "stdout": stdout}


FLOOR_SCRIPT = """
import os, sys
import oqmigrate.cli
n = size = 0
for dirpath, dirnames, filenames in os.walk(sys.argv[1]):
    for name in filenames:
        if name.endswith(".cs"):
            with open(os.path.join(dirpath, name), "rb") as fh:
                size += len(fh.read())
            n += 1
print(n, size)
"""


def floor(tree: Path, runs: int) -> dict:
    """Start the CLI and read every byte: what any scan of the tree costs at least (one process)."""
    res = bench([sys.executable, "-c", FLOOR_SCRIPT, str(tree)], runs, "floor")
    res.pop("stdout")
    return res


def recall_oqmigrate(findings: list[dict], expected: dict) -> dict:
    by_symbol = {(f["rule_id"], f["path"], f.get("symbol")) for f in findings}
    by_line = {(f["rule_id"], f["path"], f["line"]) for f in findings}
    wanted = found = 0
    missed = []
    workers = workers_found = 0
    for c in expected["classes"]:
        for rule in c["rules"]:
            wanted += 1
            if (rule, c["path"], c["class"]) in by_symbol:
                found += 1
            else:
                missed.append({"rule": rule, "path": c["path"], "class": c["class"], "shape": c["shape"]})
        if "OQJ001" in c["rules"]:
            workers += 1
            workers_found += (("OQJ001", c["path"], c["class"]) in by_symbol)
    for reg in expected["registrations"]:
        wanted += 1
        if ("OQJ014", reg["path"], reg["line"]) in by_line:
            found += 1
        else:
            missed.append({"rule": "OQJ014", "path": reg["path"], "class": reg["class"], "shape": "registration"})
    # errors on classes built to be clean, and any finding in a file with no worker, job or registration
    compliant = {(c["path"], c["class"]) for c in expected["classes"] if c["shape"] == "job_compliant"}
    known = {c["path"] for c in expected["classes"]} | {r["path"] for r in expected["registrations"]}
    allowed = {(c["path"], c["class"], rule) for c in expected["classes"] for rule in c["rules"]}
    false_pos = [f for f in findings
                 if (f["severity"] == "error" and (f["path"], f.get("symbol")) in compliant
                     and (f["path"], f.get("symbol"), f["rule_id"]) not in allowed)
                 or f["path"] not in known]
    return {"expected": wanted, "found": found, "recall": found / wanted if wanted else 1.0,
            "workers": workers, "workers_found": workers_found, "missed": missed,
            "unexpected": [{k: f[k] for k in ("rule_id", "path", "line", "symbol", "message")} for f in false_pos]}


def recall_ast_grep(matches: list[dict], expected: dict) -> dict:
    starts = {(m["ruleId"], m["file"], m["range"]["start"]["line"] + 1) for m in matches}
    workers = [c for c in expected["classes"] if "OQJ001" in c["rules"]]
    found = [c for c in workers if ("worker-class", c["path"], c["line"]) in starts]
    missed_shapes = Counter(c["shape"] for c in workers if ("worker-class", c["path"], c["line"]) not in starts)
    return {"workers": len(workers), "workers_found": len(found), "missed_by_shape": dict(missed_shapes)}


def ensure_tree(tree: Path, files: int, worker_share: float, regenerate: bool) -> None:
    if regenerate or not (tree / "expected.json").is_file():
        sys.path.insert(0, str(HERE))
        import generate
        print(f"generating {files} files into {tree} ...", file=sys.stderr)
        generate.generate(tree, files, worker_share, seed=7)


def bench_tree(tree: Path, a, with_ast_grep: bool) -> dict:
    tree = tree.resolve()
    expected = None
    if (tree / "expected.json").is_file():
        expected = json.loads((tree / "expected.json").read_text(encoding="utf-8"))

    t0 = time.perf_counter()
    files, size = tree_stats(tree)
    t0 = time.perf_counter() - t0
    print(f"warmed page cache: {files} .cs files, {size / 1e6:.1f} MB in {t0:.2f} s", file=sys.stderr)

    exe = shutil.which("oqmigrate")
    cmd = ([exe] if exe else [sys.executable, "-m", "oqmigrate"]) + [
        "scan", str(tree), "--format", "json", "--no-progress", "--fail-on", "never"]
    if a.jobs:
        cmd += ["--jobs", str(a.jobs)]
    fl = floor(tree, a.runs)
    oq = bench(cmd, a.runs, "oqmigrate")
    report = json.loads(oq.pop("stdout"))
    if report.get("files_scanned") != files:
        print(f"warning: oqmigrate scanned {report.get('files_scanned')} files, the tree has {files} .cs files "
              "(a .gitignore above the tree? generated files?)", file=sys.stderr)
    findings = report["findings"]
    result = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
              "tree": str(tree), "files": files, "bytes": size, "jobs": a.jobs, "floor": fl,
              "oqmigrate": {**oq, "files_scanned": report.get("files_scanned"), "errors": len(report.get("errors", [])),
                            "files_per_s": files / oq["best"], "mb_per_s": size / 1e6 / oq["best"],
                            "ratio_to_floor": oq["best"] / fl["best"],
                            "counts": dict(sorted(Counter(f["rule_id"] for f in findings).items()))}}
    if expected:
        result["expected_counts"] = expected.get("expected_rule_counts", {})
        result["oqmigrate"]["recall"] = recall_oqmigrate(findings, expected)

    sg = shutil.which("ast-grep")
    if not with_ast_grep:
        result["ast_grep"] = {"skipped": "--no-ast-grep" if a.no_ast_grep else "not run at this size (--ast-grep-all)"}
    elif not sg:
        result["ast_grep"] = {"skipped": "ast-grep not installed"}
    else:
        # Both tools honour .gitignore files; the generated tree carries a .git marker so that this
        # repository's ignore of benchmarks/out/ does not apply to it.
        sg_cmd = [sg, "scan", "-c", str(SG_CONFIG), "--json=stream", str(tree)]
        if a.jobs:
            sg_cmd += ["--threads", str(a.jobs)]
        res = bench(sg_cmd, a.runs, "ast-grep")
        matches = [json.loads(line) for line in res.pop("stdout").splitlines() if line.strip()]
        for m in matches:
            m["file"] = os.path.relpath(m["file"] if os.path.isabs(m["file"]) else os.path.abspath(m["file"]), tree).replace(os.sep, "/")
        counts = Counter(m["ruleId"] for m in matches)
        res["counts"] = {f"{k} ({SG_RULES.get(k, '?')})": v for k, v in sorted(counts.items())}
        res["files_per_s"] = files / res["best"]
        res["version"] = subprocess.run([sg, "--version"], capture_output=True, text=True).stdout.strip()
        if expected:
            res["recall"] = recall_ast_grep(matches, expected)
        res["ratio_ast_grep_over_oqmigrate"] = res["best"] / oq["best"]
        result["ast_grep"] = res
    return result


def print_tree(result: dict, a) -> None:
    files, size, tree = result["files"], result["bytes"], result["tree"]
    o, fl = result["oqmigrate"], result["floor"]
    rows = [("tree", str(tree)), ("files / size", f"{files} .cs / {size / 1e6:.1f} MB"),
            ("cpus / --jobs", f"{os.cpu_count()} / {a.jobs or 'default'}"),
            ("floor wall best / median", f"{fl['best']:.3f} s / {fl['median']:.3f} s (start the CLI + read every byte)"),
            ("oqmigrate wall best / median", f"{o['best']:.3f} s / {o['median']:.3f} s"),
            ("oqmigrate CPU (user+sys, all procs)", f"{o['cpu_best']:.2f} s (best run)"),
            ("oqmigrate / floor", f"{o['ratio_to_floor']:.2f}x (best runs)"),
            ("oqmigrate files/s, MB/s", f"{o['files_per_s']:.0f} files/s, {o['mb_per_s']:.1f} MB/s"),
            ("oqmigrate peak RSS", f"{o['peak_rss_mib']:.0f} MiB (largest process)"),
            ("oqmigrate files scanned / errors", f"{o['files_scanned']} / {o['errors']}")]
    for k, v in rows:
        print(f"{k:36} {v}")
    print()
    exp = result.get("expected_counts", {})
    print(f"{'rule':8} {'found':>7} {'expected':>9}")
    for rule in sorted(set(o["counts"]) | set(exp)):
        print(f"{rule:8} {o['counts'].get(rule, 0):>7} {exp.get(rule, '-'):>9}")
    rec = o.get("recall")
    if rec:
        print()
        print(f"recall: {rec['found']}/{rec['expected']} expected findings ({rec['recall']:.1%}); "
              f"workers with OQJ001: {rec['workers_found']}/{rec['workers']}; "
              f"unexpected findings: {len(rec['unexpected'])}")
        for m in rec["missed"][:20]:
            print(f"  missed {m['rule']} {m['shape']:22} {m['class']} ({m['path']})")
        if len(rec["missed"]) > 20:
            print(f"  ... {len(rec['missed']) - 20} more (see --json)")
        for f in rec["unexpected"][:10]:
            print(f"  unexpected {f['rule_id']} {f['path']}:{f['line']} {f['symbol']}: {f['message'][:70]}")
    s = result["ast_grep"]
    print()
    if "skipped" in s:
        print(f"ast-grep: skipped ({s['skipped']})")
        return
    print(f"{'ast-grep':36} {s['version']}")
    print(f"{'ast-grep wall best / median':36} {s['best']:.3f} s / {s['median']:.3f} s")
    print(f"{'ast-grep CPU (user+sys)':36} {s['cpu_best']:.2f} s (best run)")
    print(f"{'ast-grep files/s':36} {s['files_per_s']:.0f} files/s")
    print(f"{'ast-grep peak RSS':36} {s['peak_rss_mib']:.0f} MiB")
    for k, v in s["counts"].items():
        print(f"  {k:34} {v}")
    if "recall" in s:
        r = s["recall"]
        print(f"{'ast-grep workers found':36} {r['workers_found']}/{r['workers']} (missed by shape: {r['missed_by_shape'] or 'none'})")
    print(f"{'speed ratio ast-grep / oqmigrate':36} {s['ratio_ast_grep_over_oqmigrate']:.2f}x (best runs; >1 = oqmigrate faster)")


def growth(results: list[dict]) -> list[dict]:
    """Per size: time, CPU, peak RSS, time per 1,000 files, and the time's growth over the tree's growth against
    the smallest size (1.00 = linear)."""
    first = results[0]
    out = []
    for r in results:
        o = r["oqmigrate"]
        out.append({"files": r["files"], "mb": r["bytes"] / 1e6, "best_s": o["best"], "cpu_s": o["cpu_best"],
                    "floor_s": r["floor"]["best"], "ratio_to_floor": o["ratio_to_floor"],
                    "peak_rss_mib": o["peak_rss_mib"], "ms_per_1000_files": o["best"] / r["files"] * 1e6,
                    "growth_vs_linear": (o["best"] / first["oqmigrate"]["best"]) / (r["files"] / first["files"])})
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Benchmark oqmigrate scan (and ast-grep) on a large C# tree.")
    ap.add_argument("--tree", type=Path, help="scan this tree (default: generate benchmarks/out/tree)")
    ap.add_argument("--files", type=int, default=15000, help="files to generate when the tree is missing")
    ap.add_argument("--sizes", help="comma-separated file counts: generate and scan benchmarks/out/tree-N for each "
                                    "(e.g. 15000,60000,120000) and print the growth")
    ap.add_argument("--worker-share", type=float, default=0.03)
    ap.add_argument("--regenerate", action="store_true", help="regenerate the default tree even if it exists")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--jobs", type=int, help="passed to oqmigrate --jobs and ast-grep --threads")
    ap.add_argument("--no-ast-grep", action="store_true", help="skip the ast-grep comparison")
    ap.add_argument("--ast-grep-all", action="store_true", help="with --sizes: run ast-grep on every size")
    ap.add_argument("--json", action="store_true", help="print machine-readable results instead of the table")
    a = ap.parse_args(argv)
    ensure_bytecode()

    if a.sizes:
        if a.tree is not None:
            ap.error("--sizes generates its own trees; it does not go with --tree")
        sizes = [int(n) for n in a.sizes.split(",") if n.strip()]
        trees = [HERE / "out" / f"tree-{n}" for n in sizes]
        for tree, n in zip(trees, sizes):
            ensure_tree(tree, n, a.worker_share, a.regenerate)
    else:
        trees = [a.tree or DEFAULT_TREE]
        if a.tree is None:
            ensure_tree(trees[0], a.files, a.worker_share, a.regenerate)
        if not trees[0].is_dir():
            ap.error(f"no such tree: {trees[0]}")
    results = [bench_tree(tree, a, not a.no_ast_grep and (i == 0 or a.ast_grep_all)) for i, tree in enumerate(trees)]

    if a.json:
        doc = results[0] if len(results) == 1 else {"sizes": results, "growth": growth(results)}
        print(json.dumps(doc, indent=1))
        return 0
    for i, result in enumerate(results):
        if i:
            print("\n" + "-" * 100 + "\n")
        print_tree(result, a)
    if len(results) > 1:
        print("\n" + "-" * 100 + "\n")
        print(f"{'files':>8} {'MB':>7} {'floor s':>8} {'wall s':>8} {'CPU s':>7} {'x floor':>8} {'ms/1k files':>12} "
              f"{'growth/linear':>14} {'peak RSS MiB':>13}")
        for g in growth(results):
            print(f"{g['files']:>8} {g['mb']:>7.1f} {g['floor_s']:>8.3f} {g['best_s']:>8.3f} {g['cpu_s']:>7.2f} "
                  f"{g['ratio_to_floor']:>8.2f} {g['ms_per_1000_files']:>12.1f} {g['growth_vs_linear']:>14.2f} "
                  f"{g['peak_rss_mib']:>13.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
