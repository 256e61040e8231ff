"""sahelmap against the peers' approach (benchmarks/baseline_app.py) on the same synthetic events.

    .venv/bin/python benchmarks/bench_baseline.py [--events 10000] [--changes 6]

Both pages run under AppTest on the same N synthetic ACLED-format events (tests/factories.py): the
baseline reads them from a CSV in a temporary directory on every rerun; sahelmap imports them into a
temporary store first, as `sahelmap import` would. Each page gets the same number of filter changes,
cycling through period, actor, event type and place; each rerun is timed. The baseline takes seconds
per rerun, so it gets fewer changes than bench_scale.py's 24 (default 8). Prints the medians, the
bytes each page sent (protobuf sizes of one rerun's elements) and the ratio. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
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


def baseline_changes(i: int) -> tuple[str, Any]:
    kind = ("period", "actor", "type", "place")[i % 4]
    step = i // 4
    if kind == "period":
        return kind, (dt.date(2013 + step, 1, 1), dt.date(2016 + step, 6, 30))
    if kind == "actor":
        return kind, [["JNIM: Group for Support of Islam and Muslims"], ["Islamic State (Sahel)"]][step % 2]
    if kind == "type":
        return kind, [["Battles"], ["Violence against civilians"]][step % 2]
    return kind, [["Gao"], ["Mopti"]][step % 2]


def sahelmap_changes(i: int) -> tuple[str, Any]:
    kind = ("period", "actor", "type", "place")[i % 4]
    step = i // 4
    if kind == "period":
        return kind, (dt.date(2013 + step, 1, 1), dt.date(2016 + step, 6, 1))
    if kind == "actor":
        return kind, [["jnim"], ["is_sahel"]][step % 2]
    if kind == "type":
        return kind, [["Battles"], ["Violence against civilians"]][step % 2]
    return kind, [["Gao"], ["Timbuktu"]][step % 2]


def child(page: str, n_changes: int) -> dict[str, Any]:
    from streamlit.testing.v1 import AppTest

    from tests.apptest_helpers import element_sizes

    script = ROOT / ("benchmarks/baseline_app.py" if page == "baseline" else "app.py")
    at = AppTest.from_file(str(script), default_timeout=900)
    t0 = time.perf_counter()
    at.run()
    first = time.perf_counter() - t0
    if at.exception:
        raise SystemExit(f"{page}: first run failed: {at.exception[0].value}")
    sizes_first = element_sizes(at)

    def period() -> Any:
        return at.slider(key="period") if page == "baseline" else at.select_slider[0]

    whole = period().value
    times = []
    for i in range(n_changes):
        kind, value = (baseline_changes if page == "baseline" else sahelmap_changes)(i)
        # One filter at a time, the others back at their defaults, so that no page narrows to nothing.
        period().set_value(value if kind == "period" else whole)
        for other in ("actor", "type", "place"):
            widget = at.multiselect(key=other if page == "baseline" else f"w_{other}")
            widget.set_value(value if other == kind else [])
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        if at.exception:
            raise SystemExit(f"{page}: rerun failed: {at.exception[0].value}")
    return {"first_s": first, "median_s": statistics.median(times), "n": len(times), "sizes": sizes_first}


def run(page: str, n_changes: int, env: dict[str, str]) -> dict[str, Any]:
    args = [sys.executable, __file__, "--child", page, "--changes", str(n_changes)]
    out = subprocess.run(args, capture_output=True, text=True, env=env, check=False, cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"{page} failed:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=8, help="filter changes per page")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.changes)))
        return {}
    from synthetic import prepare_store

    from tests.factories import synthetic_acled

    with tempfile.TemporaryDirectory(prefix="sahelmap-baseline-") as tmp:
        csv = Path(tmp) / "events.csv"
        synthetic_acled(args.events).to_csv(csv, index=False)
        prepare_store(args.events, Path(tmp) / "store")
        env = {**os.environ, "SAHELMAP_BASELINE_CSV": str(csv), "SAHELMAP_DATA_DIR": str(Path(tmp) / "store")}
        ours = run("sahelmap", args.changes, env)
        theirs = run("baseline", args.changes, env)
    ratio = theirs["median_s"] / ours["median_s"]
    mb = 1e6
    rows = [
        (
            f"{args.events:,} synthetic events, AppTest, median of {args.changes} changes",
            "sahelmap",
            "baseline",
        ),
        ("---", "---", "---"),
        ("first run", f"{ours['first_s']:.2f} s", f"{theirs['first_s']:.2f} s"),
        ("rerun after a filter change", f"{ours['median_s'] * 1e3:.0f} ms", f"{theirs['median_s']:.2f} s"),
        (
            "sent by the first run",
            f"{ours['sizes']['total'] / mb:.2f} MB",
            f"{theirs['sizes']['total'] / mb:.2f} MB",
        ),
        ("of which the map", f"{ours['sizes']['map'] / mb:.2f} MB", f"{theirs['sizes']['map'] / mb:.2f} MB"),
    ]
    for row in rows:
        print("| " + " | ".join(row) + " |")
    verdict = "met" if ratio >= 50 else "NOT MET"
    print(f"\nratio of the rerun medians (baseline / sahelmap): {ratio:.0f}x (target >= 50x) [{verdict}]")
    return {"sahelmap": ours, "baseline": theirs, "ratio": ratio}


if __name__ == "__main__":
    main()
