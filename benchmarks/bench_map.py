"""Bytes the map sends per rerun (st_folium's arguments), per map mode, on the curated table and on
100,000 synthetic events; and the time to build each layer.

    .venv/bin/python benchmarks/bench_map.py

The synthetic events are the curated ones drawn with replacement and moved by up to 0.5 degrees, so
they spread around the real places (never committed, made here). Nothing is asserted: figures only.
"""

from __future__ import annotations

import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")

from streamlit_folium import _get_feature_group_string, _get_header, _get_map_string  # noqa: E402

from sahelmap import mapview, reference  # noqa: E402
from sahelmap.aggregate import Bounds  # noqa: E402
from sahelmap.events import load_events  # noqa: E402

ASSETS = {name: f"../app.sahelmap_{name}/" for name in mapview.OFFLINE_ASSETS}
GAO_VIEW = Bounds(15.6, -0.9, 16.9, 0.8)  # about 180 x 140 km around Gao, as at zoom 8
SCENARIOS = [
    ("events, whole country (zoom 5)", "events", None, 5),
    ("events, zoom 6", "events", Bounds(10, -12, 25, 4), 6),
    ("events, around Gao (zoom 8)", "events", GAO_VIEW, 8),
    ("regions", "regions", None, 5),
    ("cercles", "cercles", None, 5),
]


def payload_kb(layer: mapview.LayerData) -> tuple[float, float]:
    """(all of st_folium's arguments, the filtered layer alone) in kB, as sent with every rerun."""
    base = mapview.base_map("grey", reference.gazetteer().focus_places(), ASSETS)
    group = mapview.layer_from_data(layer).group
    header = _get_header(base)
    script = _get_map_string(base)
    feature_group = _get_feature_group_string(group, base)
    links = [u for _, u in base.default_js] + [u for _, u in base.default_css]
    args = {"script": script, "header": header, "feature_group": feature_group, "links": links}
    return len(json.dumps(args).encode()) / 1e3, len(feature_group.encode()) / 1e3


def synthetic(n: int, seed: int = 1) -> pd.DataFrame:
    base = load_events().events
    rng = np.random.default_rng(seed)
    events = base.sample(n, replace=True, random_state=seed).reset_index(drop=True)
    events["event_id"] = [f"E{i}" for i in range(n)]
    events["latitude"] = events["latitude"] + rng.uniform(-0.5, 0.5, n)
    events["longitude"] = events["longitude"] + rng.uniform(-0.5, 0.5, n)
    return events


def main() -> None:
    tables = {"curated": load_events().events, "100k synthetic": synthetic(100_000)}
    print("| events | view | drawn | features | map payload | of which the layer | layer built in |")
    print("|---|---|---|---:|---:|---:|---:|")
    for label, events in tables.items():
        for name, mode, bounds, zoom in SCENARIOS:
            for measure in ("events", "deaths") if mode != "events" or len(events) > 500 else ("events",):
                started = time.perf_counter()
                layer = mapview.layer_data(events, mode, measure, bounds, zoom)
                built = time.perf_counter() - started
                total, own = payload_kb(layer)
                print(
                    f"| {label} ({len(events):,}) | {name}, by {measure} | {layer.kind} "
                    f"| {layer.n_features:,} | {total:.0f} kB | {own:.0f} kB | {built:.3f} s |"
                )


if __name__ == "__main__":
    main()
