"""Every figure of issue 10 in one command, printed as the tables of BENCHMARKS.md:

    .venv/bin/python -m benchmarks [--quick]

1. the machine: CPU, cores, memory, load average, Python and package versions, nginx, chromium, commit;
2. reruns at 10k, 100k and 1M synthetic events under AppTest (bench_scale.py), with element sizes;
3. sahelmap against the peers' approach on 10k events (bench_baseline.py);
4. a real browser at 100k and 1M (bench_browser.py);
5. server memory with 1 and 10 sessions sharing one table at 100k (load_sessions.py);
6. throughput and latency with 1 and 2 replicas behind nginx on loopback (load_sessions.py --nginx).

Synthetic stores are built once per size and copied for each benchmark ($SAHELMAP_BENCH_CACHE).
Takes about 8-10 minutes on 2 cores; ``--quick`` runs smaller sizes for a check of the command itself.
Nothing is asserted: the figures go to BENCHMARKS.md, met or not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

PACKAGES = ["streamlit", "streamlit-folium", "folium", "pandas", "numpy", "pyarrow", "altair", "playwright"]


def machine() -> list[str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )

    def version(command: list[str]) -> str:
        if shutil.which(command[0]) is None:
            return "absent"
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        return (
            (done.stdout + done.stderr).strip().splitlines()[0]
            if (done.stdout + done.stderr).strip()
            else "?"
        )

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in PACKAGES if _installed(p))
    return [
        f"- CPU: {cpu}; {os.cpu_count()} cores; {mem_kb / 1024**2:.1f} GiB memory",
        f"- Python {platform.python_version()} on {platform.platform()}",
        f"- {versions}",
        f"- nginx: {version(['nginx', '-v'])}; chromium: {version(['/usr/bin/chromium', '--version'])}",
        f"- commit {commit.stdout.strip()}; load average at the start: {_load()}",
    ]


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + " (1, 5, 15 min)"


def load_run(label: str, args: list[str]) -> dict[str, Any]:
    out = Path(tempfile.mkstemp(suffix=".json")[1])
    done = subprocess.run(
        [sys.executable, str(HERE / "load_sessions.py"), *args, "--json", str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    try:
        report = json.loads(out.read_text()) if out.stat().st_size else {}
    finally:
        out.unlink()
    if not report:
        print(f"{label}: failed\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return report


def sessions_table(size: int, duration: float) -> None:
    print(f"\n## Memory: sessions sharing one table ({size:,} synthetic events, load_sessions.py)\n")
    print("| sessions (think 0-2 s) | reruns | filter change p50 / p95 | RSS idle -> peak (HWM) | errors |")
    print("|---|---|---|---|---|")
    for sessions in (1, 10):
        r = load_run(
            f"{sessions} sessions",
            [
                "--synthetic",
                str(size),
                "--sessions",
                str(sessions),
                "--duration",
                str(duration),
                "--think",
                "1",
            ],
        )
        if r:
            f = r["latency_filter_change"]
            print(
                f"| {sessions} | {r['reruns_completed']} ({r['reruns_per_s']}/s) "
                f"| {f['p50_s']:.2f} / {f['p95_s']:.2f} s "
                f"| {r['server_rss_idle_mb']:.0f} -> {r['server_rss_peak_mb']:.0f} MB "
                f"({r['server_vmhwm_mb']:.0f}) | {r['errors']} |"
            )


def replicas_table(size: int, duration: float) -> None:
    print(f"\n## Replicas behind nginx ({size:,} synthetic events, 12 sessions back to back, loopback TLS)\n")
    if shutil.which("nginx") is None:
        print("nginx is not installed (apt-get install nginx): skipped")
        return
    print("| replicas | reruns/s | latency p50 / p95 / max (all reruns) | CPU, cores | RSS peak | errors |")
    print("|---|---|---|---|---|---|")
    for replicas in (1, 2):
        r = load_run(
            f"{replicas} replicas",
            ["--synthetic", str(size), "--nginx", "--replicas", str(replicas), "--sessions", "12",
             "--duration", str(duration), "--think", "0"],
        )  # fmt: skip
        if r:
            a = r["latency_all"]
            print(
                f"| {replicas} | {r['reruns_per_s']} ({r['reruns_completed']} in {r['duration_s']} s) "
                f"| {a['p50_s']:.2f} / {a['p95_s']:.2f} / {a['max_s']:.2f} s | {r['server_cpu_cores']} "
                f"| {r['server_rss_peak_mb']:.0f} MB | {r['errors']} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="small sizes: checks the command, not the budget"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="sahelmap-bench-cache-") as cache:
        os.environ["SAHELMAP_BENCH_CACHE"] = cache
        print("## Machine\n")
        print("\n".join(machine()))

        import bench_baseline
        import bench_browser
        import bench_scale

        sizes = [2_000, 10_000] if args.quick else [10_000, 100_000, 1_000_000]
        print("\n## Reruns under AppTest (bench_scale.py)\n")
        sys.stdout.flush()
        bench_scale.main(["--sizes", *map(str, sizes), "--changes", "20" if args.quick else "24"])
        print("\n## The peers' approach (bench_baseline.py)\n")
        sys.stdout.flush()
        bench_baseline.main(["--events", str(sizes[0]), "--changes", "4" if args.quick else "8"])
        print("\n## Real browser (bench_browser.py)\n")
        sys.stdout.flush()
        bench_browser.main(
            ["--sizes", *map(str, sizes[-2:] if not args.quick else sizes[:1]), "--changes", "20"]
        )
        sys.stdout.flush()
        sessions_table(sizes[-2], 10 if args.quick else 20)
        replicas_table(sizes[0], 10 if args.quick else 25)
    print(f"\nload average at the end: {_load()}; all benchmarks took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
