"""The page at 10k, 100k and 1M synthetic ACLED-format events: rerun time and what each rerun sends.

    .venv/bin/python benchmarks/bench_scale.py [--sizes 10000 100000 1000000] [--changes 24]
        [--profile N]   # also profile the never-seen reruns at N events (cProfile, top functions)
        [--profile-dump PATH]   # and write that profile's stats (pstats) to PATH.new and PATH.cached

For each size, in a fresh child process: synthetic events (tests/factories.py, generated in memory,
never written outside a temporary directory) are imported into a temporary store, the page runs under
AppTest (the first run loads and derives the table), then ``--changes`` filter changes are made in turn
across the period slider, actor group, event type and place. Each rerun is timed from ``at.run()`` to
its return; the script thread's CPU time is measured too (less sensitive to a busy machine than the wall
time, and without the test harness's own work). Two rounds over the same changes: the first meets every
filter for the first time (nothing cached for it), the second finds each view in the shared caches, as a
second visitor or a shared link would. Prints the median, p90 and max of each round, and the serialized
sizes of the last rerun's elements (map, charts, table, total). Nothing is asserted: speed is measured
here, never in tests.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
warnings.filterwarnings("ignore")

ACTORS = ["jnim", "", "wagner", "", "mali_state", "is_sahel", "", "unidentified"]
TYPES = ["Battles", "", "Violence against civilians", "Explosions/Remote violence", "", "Protests"]
PLACES = ["Gao", "", "Timbuktu", "Bamako", "", "elsewhere"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def changes(n: int) -> list[tuple[str, Any]]:
    """n widget changes cycling through period, actor group, event type and place (each a new view)."""
    out: list[tuple[str, Any]] = []
    for i in range(n):
        kind = ("period", "actor", "type", "place")[i % 4]
        step = i // 4
        if kind == "period":
            first = dt.date(2012 + (step * 3) % 10, 1 + (step * 5) % 12, 1)
            last = dt.date(min(2025, first.year + 2 + step % 4), 1 + (step * 7) % 6, 1)
            out.append((kind, (first, last)))
        elif kind == "actor":
            out.append((kind, [ACTORS[step % len(ACTORS)]] if ACTORS[step % len(ACTORS)] else []))
        elif kind == "type":
            out.append((kind, [TYPES[step % len(TYPES)]] if TYPES[step % len(TYPES)] else []))
        else:
            out.append((kind, [PLACES[step % len(PLACES)]] if PLACES[step % len(PLACES)] else []))
    return out


def apply(at: Any, kind: str, value: Any) -> None:
    if kind == "period":
        at.select_slider[0].set_value(value)
    else:
        at.multiselect(key=f"w_{kind}").set_value(value)


def child(size: int, n_changes: int, profile: bool, dump: str | None = None) -> dict[str, Any]:
    from streamlit.testing.v1 import AppTest
    from synthetic import prepare_store

    from tests.apptest_helpers import element_sizes, metric

    data_dir = Path(os.environ["SAHELMAP_DATA_DIR"])
    imported = prepare_store(size, data_dir)
    stored = size
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    if at.exception:
        raise SystemExit(f"first run failed: {at.exception[0].value}")
    result: dict[str, Any] = {
        "size": size,
        "stored": stored,
        "import_s": imported,
        "first_run_s": first,
        "events_shown_first": metric(at, "Events"),
        "sizes_first": element_sizes(at),
    }
    plan = changes(n_changes)
    profilers = {"new": cProfile.Profile(), "cached": cProfile.Profile()}
    profiler = profilers["new"] if profile else None
    profiling: dict[str, Any] = {"on": False, "round": "new", "cpu": []}
    # The page runs in AppTest's script thread: time its CPU there (what the machine's other jobs do not
    # change much) and, with --profile, profile inside it.
    from streamlit.runtime.scriptrunner import script_runner

    original = script_runner.ScriptRunner._run_script

    def measured(self, rerun_data):  # type: ignore[no-untyped-def]
        if not profiling["on"]:
            return original(self, rerun_data)
        active = profilers[profiling["round"]] if profiler else None
        cpu = time.thread_time()
        if active:
            active.enable()
        try:
            return original(self, rerun_data)
        finally:
            if active:
                active.disable()
            profiling["cpu"].append(time.thread_time() - cpu)

    script_runner.ScriptRunner._run_script = measured  # type: ignore[method-assign]
    for round_name in ("new", "cached"):
        times = []
        profiling["cpu"] = []
        for kind, value in plan:
            apply(at, kind, value)
            profiling.update(on=True, round=round_name)
            t0 = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - t0)
            profiling["on"] = False
            if at.exception:
                raise SystemExit(f"rerun failed after {kind}={value}: {at.exception[0].value}")
        result[round_name] = {
            "median_s": statistics.median(times),
            "p90_s": percentile(times, 0.9),
            "max_s": max(times),
            "n": len(times),
            "cpu_median_s": statistics.median(profiling["cpu"]),
        }
        # Back to the first view, so the second round meets the same views in the same order.
        for kind in ("actor", "type", "place"):
            at.multiselect(key=f"w_{kind}").set_value([])
        at.button(key="reset").click()
        at.run()
    result["sizes_last"] = element_sizes(at)
    result["max_rss_mb"] = __import__("resource").getrusage(0).ru_maxrss / 1024
    if profiler:
        result["profile"] = ""
        for name, prof in profilers.items():
            if dump:
                prof.dump_stats(f"{dump}.{name}")
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(40)
            result["profile"] += f"--- {name} views ---\n" + out.getvalue()
    return result


def run_child(size: int, n_changes: int, profile: bool, dump: str | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sahelmap-scale-") as data_dir:
        env = {**os.environ, "SAHELMAP_DATA_DIR": data_dir}
        args = [sys.executable, __file__, "--child", str(size), "--changes", str(n_changes)]
        if profile:
            args.append("--profile-child")
        if profile and dump:
            args += ["--profile-dump", str(Path(dump).resolve())]
        out = subprocess.run(args, capture_output=True, text=True, env=env, check=False, cwd=ROOT)
        if out.returncode:
            return {"size": size, "error": (out.stdout + out.stderr)[-2000:]}
        return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def kb(n: int) -> str:
    return f"{n / 1e3:,.0f} kB"


def print_table(results: list[dict[str, Any]], targets: dict[int, float]) -> None:
    print(
        "| figure (AppTest, median of the filter changes) | "
        + " | ".join(f"{r['size']:,}" for r in results)
        + " |"
    )
    print("|---|" + "---|" * len(results))

    def row(name: str, cell) -> None:  # type: ignore[no-untyped-def]
        print(f"| {name} | " + " | ".join("error" if "error" in r else cell(r) for r in results) + " |")

    row("store ready (import, or a copy of one kept by this run)", lambda r: f"{r['import_s']:.1f} s")
    row("first run (load, derive, render)", lambda r: f"{r['first_run_s']:.1f} s")
    row(
        "rerun, filter never seen: median / p90 / max",
        lambda r: (
            f"{r['new']['median_s'] * 1e3:.0f} / {r['new']['p90_s'] * 1e3:.0f} / "
            f"{r['new']['max_s'] * 1e3:.0f} ms"
        ),
    )
    row(
        "rerun, view already cached: median / p90 / max",
        lambda r: (
            f"{r['cached']['median_s'] * 1e3:.0f} / {r['cached']['p90_s'] * 1e3:.0f} / "
            f"{r['cached']['max_s'] * 1e3:.0f} ms"
        ),
    )
    row(
        "rerun, CPU time of the script thread: never seen / cached (median)",
        lambda r: f"{r['new']['cpu_median_s'] * 1e3:.0f} / {r['cached']['cpu_median_s'] * 1e3:.0f} ms",
    )
    row(
        "target (never-seen median)",
        lambda r: (
            f"<= {targets[r['size']] * 1e3:.0f} ms: "
            + ("met" if r["new"]["median_s"] <= targets[r["size"]] else "**not met**")
            if r["size"] in targets
            else "none set"
        ),
    )
    for part in ("map", "charts", "table", "total"):
        row(
            f"{part} element(s), every event (bound {BOUNDS[part]})",
            lambda r, p=part: kb(r["sizes_first"][p]),
        )
    row("peak RSS of the process", lambda r: f"{r['max_rss_mb']:,.0f} MB")
    for r in results:
        if "error" in r:
            print(f"\n{r['size']:,} events: error\n{r['error']}")
        if "profile" in r:
            print(f"\ncProfile of the reruns at {r['size']:,} events (cumulative):\n{r['profile']}")


BOUNDS = {"map": "600 kB", "charts": "100 kB", "table": "300 kB", "total": "1 MB"}
TARGETS = {100_000: 0.150, 1_000_000: 0.600}


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--changes", type=int, default=24, help="filter changes per round (>= 20)")
    parser.add_argument("--profile", type=int, help="profile the never-seen reruns at this size")
    parser.add_argument("--profile-dump", help="write the profile's pstats to PATH.new and PATH.cached")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--profile-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.changes, args.profile_child, args.profile_dump)))
        return []
    results = []
    for size in args.sizes:
        print(f"... {size:,} events", file=sys.stderr, flush=True)
        results.append(run_child(size, args.changes, size == args.profile, args.profile_dump))
    print_table(results, TARGETS)
    return results


if __name__ == "__main__":
    main()
