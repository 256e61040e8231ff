"""Time and peak memory of `sahelmap import`'s path: read -> map -> validate -> store (Parquet).

Two files: the real 7,293-row ACLED Mali export (../shared/realdata, skipped when absent; target <= 2 s)
and a synthetic ACLED-format CSV of 1,000,000 rows generated in a temporary directory (target <= 30 s and
<= 2 GB peak memory). Each import runs in a fresh child process, so its peak RSS
(``resource.getrusage``) is the import's alone.

    .venv/bin/python benchmarks/bench_import.py [--rows 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sahelmap.ingest import acled

ROOT = Path(__file__).resolve().parents[1]
REAL_ACLED = ROOT.parent / "shared" / "realdata" / "acled_mali_2015-01_2023-03.csv"
TARGET_REAL_S, TARGET_BIG_S, TARGET_BIG_RSS_MB = 2.0, 30.0, 2048.0

# The current 31-column ACLED export header.
ACLED_COLUMNS = list(acled.CURRENT_HEADER)
TYPES = [
    ("Political violence", "Battles", "Armed clash"),
    ("Political violence", "Violence against civilians", "Attack"),
    ("Political violence", "Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Strategic developments", "Strategic developments", "Looting/property destruction"),
    ("Demonstrations", "Protests", "Peaceful protest"),
    ("Demonstrations", "Riots", "Mob violence"),
]
ACTORS = [
    "Military Forces of Mali (2021-)",
    "JNIM: Group for Support of Islam and Muslims",
    "Islamic State (Sahel)",
    "Wagner Group",
    "Unidentified Armed Group (Mali)",
    "Civilians (Mali)",
    "Dozo Communal Militia (Mali)",
]
PLACES = [  # (location, admin1, admin2, latitude, longitude): a few invented points inside Mali
    ("Alpha", "Mopti", "Bankass", 14.08, -3.52),
    ("Bravo", "Gao", "Ansongo", 15.66, 0.50),
    ("Charlie", "Segou", "Niono", 14.25, -5.99),
    ("Delta", "Kidal", "Tessalit", 20.20, 1.01),
    ("Echo", "Tombouctou", "Goundam", 16.41, -3.67),
]
SOURCES = [
    "Studio Tamani",
    "Twitter",
    "Le Républicain (Mali); AFP",
    "Menastream; Studio Tamani",
    "Local partner",
]


def synthetic_acled(rows: int, seed: int = 1) -> pd.DataFrame:
    """An ACLED-format table of invented events (no real ACLED row), vectorised."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2012-01-01", "2024-12-31", freq="D")
    date = days[rng.integers(0, len(days), rows)]
    kind = rng.integers(0, len(TYPES), rows)
    place = rng.integers(0, len(PLACES), rows)
    pick = np.array
    types = pick(TYPES, dtype=object)
    places = pick(PLACES, dtype=object)
    actors = pick(ACTORS, dtype=object)
    lat = places[place, 3].astype(float) + rng.uniform(-0.2, 0.2, rows)
    lon = places[place, 4].astype(float) + rng.uniform(-0.2, 0.2, rows)
    fatalities = rng.poisson(1.5, rows)
    words = pick(
        ["militants", "attacked", "the village", "near", "a market", "soldiers", "reported"], dtype=object
    )
    phrase = [pd.Series(words[rng.integers(0, len(words), rows)]).astype(str) for _ in range(3)]
    notes = (
        "On "
        + date.strftime("%d %B %Y")
        + ", "
        + phrase[0]
        + " "
        + phrase[1]
        + " "
        + phrase[2]
        + " in the area of "
        + places[place, 0]
        + " ("
        + places[place, 2]
        + ", "
        + places[place, 1]
        + "). A synthetic event written for benchmarking: it describes nothing that happened, and is as "
        + "long as ACLED’s notes on average."
    )
    frame = pd.DataFrame(
        {
            "event_id_cnty": "SYN" + pd.Series(np.arange(1, rows + 1)).astype(str),
            "event_date": date.strftime("%d %B %Y"),
            "year": date.year.astype(str),
            "time_precision": rng.integers(1, 4, rows).astype(str),
            "disorder_type": types[kind, 0],
            "event_type": types[kind, 1],
            "sub_event_type": types[kind, 2],
            "actor1": actors[rng.integers(0, 5, rows)],
            "assoc_actor_1": np.where(rng.random(rows) < 0.1, "Wagner Group", ""),
            "inter1": "1",
            "actor2": actors[rng.integers(4, 7, rows)],
            "assoc_actor_2": "",
            "inter2": "7",
            "interaction": "17",
            "civilian_targeting": np.where(
                types[kind, 1] == "Violence against civilians", "Civilian targeting", ""
            ),
            "iso": "466",
            "region": "Western Africa",
            "country": "Mali",
            "admin1": places[place, 1],
            "admin2": places[place, 2],
            "admin3": "",
            "location": places[place, 0],
            "latitude": np.round(lat, 4).astype(str),
            "longitude": np.round(lon, 4).astype(str),
            "geo_precision": rng.integers(1, 4, rows).astype(str),
            "source": pick(SOURCES, dtype=object)[rng.integers(0, len(SOURCES), rows)],
            "source_scale": "National",
            "notes": notes,
            "fatalities": fatalities.astype(str),
            "tags": "",
            "timestamp": (1_600_000_000 + rng.integers(0, 10**8, rows)).astype(str),
        }
    )
    return frame[ACLED_COLUMNS]


def child(path: Path, data_dir: Path) -> None:
    """Import one file as `sahelmap import` does; print stage times and peak RSS as JSON."""
    from sahelmap import store
    from sahelmap.ingest.registry import read_dataset
    from sahelmap.ingest.textfile import read_path

    t0 = time.perf_counter()
    ingested = read_dataset(read_path(path), str(path))  # no name kept for the bytes: see read_dataset
    t1 = time.perf_counter()
    summary = store.save_dataset(
        ingested.result, "bench", fmt=ingested.format, source_file=str(path), data_dir=data_dir
    )
    t2 = time.perf_counter()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(
        json.dumps(
            {
                "rows": ingested.result.rows_read,
                "stored": summary.info.rows,
                "rejected": ingested.result.n_rejected,
                "read_validate_s": t1 - t0,
                "store_s": t2 - t1,
                "total_s": t2 - t0,
                "peak_rss_mb": peak_mb,
            }
        )
    )


def run_child(path: Path, work: Path) -> dict[str, float]:
    data_dir = Path(tempfile.mkdtemp(dir=work))
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path), "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def report(name: str, figures: dict[str, float], target_s: float, target_mb: float | None = None) -> None:
    ok = figures["total_s"] <= target_s and (target_mb is None or figures["peak_rss_mb"] <= target_mb)
    mem = f", target <= {target_mb:.0f} MB" if target_mb else ""
    print(
        f"{name}: {int(figures['rows']):,} rows, {int(figures['rejected'])} rejected; "
        f"read+validate {figures['read_validate_s']:.2f} s + store {figures['store_s']:.2f} s "
        f"= {figures['total_s']:.2f} s (target <= {target_s:.0f} s{mem}); "
        f"peak RSS {figures['peak_rss_mb']:.0f} MB  [{'ok' if ok else 'MISSED'}]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="write the synthetic file here and keep it")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.data_dir)
        return
    with tempfile.TemporaryDirectory(prefix="sahelmap-bench-") as tmp:
        work = Path(tmp)
        if REAL_ACLED.exists():
            report("real ACLED Mali export", run_child(REAL_ACLED, work), TARGET_REAL_S)
        else:
            print(f"real ACLED file not found at {REAL_ACLED}: skipped")
        big = (args.keep or work) / f"synthetic_acled_{args.rows}.csv"
        started = time.perf_counter()
        synthetic_acled(args.rows).to_csv(big, index=False)
        size_mb = big.stat().st_size / 1e6
        print(f"generated {big.name}: {size_mb:.0f} MB in {time.perf_counter() - started:.1f} s")
        report(f"synthetic ACLED ({args.rows:,} rows)", run_child(big, work), TARGET_BIG_S, TARGET_BIG_RSS_MB)


if __name__ == "__main__":
    main()
