"""Time and peak memory of the spatial join, and what it flags on the real ACLED file.

1. 1,000,000 synthetic points, uniform over Mali's bounding box widened by 0.5° (about half fall outside
   the outline, so the nearest-cercle search near the border is exercised too), each with a source
   admin1/admin2 to compare; generated in memory, never written. Target: <= 10 s.
2. The real ACLED Mali export (../shared/realdata, skipped when absent), read through
   sahelmap.ingest.registry.read_dataset: rows flagged by level, and rows beyond the tolerance.

    .venv/bin/python benchmarks/bench_geo.py [--rows 1000000] [--acled FILE]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from sahelmap import geography, schema
from sahelmap.ingest.registry import read_dataset
from sahelmap.ingest.textfile import read_path

ROOT = Path(__file__).resolve().parents[1]
REAL_ACLED = ROOT.parent / "shared" / "realdata" / "acled_mali_2015-01_2023-03.csv"
TARGET_S = 10.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def synthetic(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(11)
    b, margin = schema.MALI_BOUNDS, 0.5
    names = geography.boundaries("admin2")[["admin1", "admin2"]].sample(rows, replace=True, random_state=11)
    return pd.DataFrame(
        {
            "latitude": rng.uniform(b["min_lat"] - margin, b["max_lat"] + margin, rows),
            "longitude": rng.uniform(b["min_lon"] - margin, b["max_lon"] + margin, rows),
            "admin1": names["admin1"].to_numpy(),
            "admin2": names["admin2"].to_numpy(),
        }
    )


def bench_synthetic(rows: int) -> None:
    geography.join_points(pd.Series([12.65]), pd.Series([-8.0]))  # read and index the polygons first
    events = synthetic(rows)
    before = peak_rss_mb()
    t0 = time.perf_counter()
    joined = geography.assign_admin(events)
    seconds = time.perf_counter() - t0
    outside = int(joined["admin1_join"].eq(geography.OUTSIDE).sum())
    verdict = "ok" if seconds <= TARGET_S else "MISSED"
    print(
        f"synthetic: {rows:,} points joined in {seconds:.2f} s (target <= {TARGET_S:g} s) [{verdict}]; "
        f"{outside:,} outside; peak RSS {peak_rss_mb():.0f} MB (before the join {before:.0f} MB)"
    )


def bench_acled(path: Path) -> None:
    if not path.exists():
        print(f"ACLED: {path} not found, skipped")
        return
    events = read_dataset(read_path(path), str(path)).result.valid
    t0 = time.perf_counter()
    joined = geography.assign_admin(events)
    seconds = time.perf_counter() - t0
    flags = joined[geography.FLAG_COLUMN].dropna()
    outside = joined["admin1_join"].eq(geography.OUTSIDE)
    outline = geography.boundaries("admin0").geometry.iloc[0]
    points = shapely.points(events["longitude"].to_numpy(float), events["latitude"].to_numpy(float))
    off_outline = int((~shapely.covers(outline, points)).sum())
    print(f"ACLED: {len(events):,} events joined in {seconds:.2f} s; {len(flags):,} flagged rows:")
    print(f"  admin1 disagrees: {int(flags.str.contains('admin1: ').sum()):,}")
    print(f"  admin2 disagrees: {int(flags.str.contains('admin2: ').sum()):,}")
    print(f"  outside Mali beyond {geography.TOLERANCE_KM:g} km: {int(outside.sum()):,}")
    print(
        f"  outside the shipped outline but within the tolerance (placed): {off_outline - int(outside.sum())}"
    )
    print("  most frequent disagreements:")
    for reason, count in flags.value_counts().head(8).items():
        print(f"    {count:4d}  {reason}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--acled", type=Path, default=REAL_ACLED)
    args = parser.parse_args()
    bench_synthetic(args.rows)
    bench_acled(args.acled)


if __name__ == "__main__":
    main()
