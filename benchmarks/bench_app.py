"""Figures for the dashboard: rerun time after a filter change, bytes sent to the map, filter speed.

    .venv/bin/python benchmarks/bench_app.py [--acled ../shared/realdata/acled_mali_2015-01_2023-03.csv]

Runs app.py headless (Streamlit's AppTest) against a temporary data directory: first on the bundled
curated table, then (with --acled) after importing that file, as a user would. Prints one line per
figure; nothing is asserted (speed is measured here, never in tests).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")


def map_payload(at) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Bytes of the st_folium component's arguments, and of the event layer alone."""
    from tests.apptest_helpers import map_args

    args = map_args(at)
    return len(json.dumps(args).encode()), len(args["feature_group"].encode())


def rerun_seconds(at, change, repeats: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for i in range(repeats):
        change(at, i)
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_app(label: str) -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    started = time.perf_counter()
    at.run()
    first = time.perf_counter() - started
    events = at.metric[0].value
    total, layer = map_payload(at)
    print(f"[{label}] first run (load + render): {first:.2f} s; events: {events}")
    print(f"[{label}] map payload, all events: {total / 1e3:.1f} kB (event layer {layer / 1e3:.1f} kB)")

    def toggle_type(at, i):  # type: ignore[no-untyped-def]
        at.multiselect(key="w_type").set_value([] if i % 2 else ["Battles"])

    def toggle_actor(at, i):  # type: ignore[no-untyped-def]
        at.multiselect(key="w_actor").set_value([] if i % 2 else ["wagner"])

    def new_minimum(at, i):  # type: ignore[no-untyped-def]
        at.number_input(key="w_min_deaths").set_value(i + 1)

    # A filter no session has used yet: nothing cached (map layer and charts are cached per filter).
    print(f"[{label}] rerun after a never-seen filter (median of 5): {rerun_seconds(at, new_minimum):.3f} s")
    at.number_input(key="w_min_deaths").set_value(0)
    print(f"[{label}] rerun after an event-type change (median of 5): {rerun_seconds(at, toggle_type):.3f} s")
    print(
        f"[{label}] rerun after an actor-group change (median of 5): {rerun_seconds(at, toggle_actor):.3f} s"
    )
    at.multiselect(key="w_type").set_value([])
    at.multiselect(key="w_actor").set_value(["wagner"])
    at.run()
    total, layer = map_payload(at)
    wagner = at.metric[0].value
    print(f"[{label}] map payload, Wagner / Africa Corps only ({wagner} events): {total / 1e3:.1f} kB")


def bench_filters(n: int = 100_000) -> None:
    """FilterSpec masks on a synthetic table of n rows."""
    from sahelmap import filters
    from sahelmap.filters import FilterSpec

    rng = np.random.default_rng(1)
    types = ["Battles", "Violence against civilians", "Protests", "Explosions/Remote violence"]
    frame = pd.DataFrame(
        {
            "event_date": pd.to_datetime("2015-01-01") + pd.to_timedelta(rng.integers(0, 3000, n), unit="D"),
            "end_date": pd.NaT,
            "event_type": pd.Categorical(rng.choice(types, n)),
            "sub_event_type": pd.Categorical(rng.choice(["Armed clash", "Attack"], n)),
            "actor_group_mask": rng.integers(0, 2**13, n).astype("int32"),
            "focus_place": pd.Categorical(rng.choice(["Gao", "Kidal", None], n)),
            "admin1": rng.choice(["Gao", "Mopti", "Kidal"], n),
            "fatalities": pd.array(rng.integers(0, 20, n), dtype="Int32"),
            "civilian_targeting": rng.random(n) < 0.3,
            "dataset": pd.Categorical(["acled"] * n),
        }
    )
    spec = FilterSpec(
        start=pd.Timestamp("2018-01-01").date(),
        end=pd.Timestamp("2022-12-31").date(),
        actor=("wagner", "jnim"),
        type=("Battles", "Violence against civilians"),
        place=("Gao", "Kidal"),
        min_deaths=1,
    )
    times = []
    for _ in range(10):
        started = time.perf_counter()
        filters.mask(frame, spec)
        times.append(time.perf_counter() - started)
    median_ms = statistics.median(times) * 1e3
    print(f"[filters] combined FilterSpec mask on {n:,} rows (median of 10): {median_ms:.1f} ms")


def bench_layers() -> None:
    """Building the map's event layer (as st_folium renders it): circles up to the limit, grid cells above."""
    from streamlit_folium import _get_feature_group_string

    from sahelmap import mapview
    from sahelmap.events import load_events

    base = load_events(include_stored=True).events
    for n in (500, 10_000, 100_000, 1_000_000):
        events = base.sample(n, replace=True, random_state=1).reset_index(drop=True)
        events["event_id"] = [f"E{i}" for i in range(n)]
        started = time.perf_counter()
        layer = mapview.event_layer(events)
        script = _get_feature_group_string(layer.group, mapview.base_map())
        built = time.perf_counter() - started
        print(
            f"[layers] {n:,} events -> {layer.mode}, {layer.n_features:,} features, "
            f"{len(script.encode()) / 1e3:.0f} kB of script, built in {built:.3f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--acled", type=Path, help="an ACLED export to import for the second round")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        os.environ["SAHELMAP_DATA_DIR"] = data_dir
        bench_app("bundled table")
        bench_filters()
        if args.acled:
            from sahelmap import store
            from sahelmap.ingest.registry import read_dataset

            ingested = read_dataset(args.acled.read_bytes(), args.acled.name, label="acled")
            store.save_dataset(ingested.result, "acled", fmt=ingested.format, source_file=args.acled.name)
            from streamlit.runtime.caching import cache_resource

            cache_resource.clear()
            bench_app("bundled + ACLED")
        bench_layers()


if __name__ == "__main__":
    main()
