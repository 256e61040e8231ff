"""Give every curated event the coordinates and admin units of its place in the gazetteer.

    python scripts/fill_curated_places.py

The curated table's coordinates come from data/geo/places.csv (which cites GeoNames), never typed by
hand. Run this after adding events or places; the test suite checks that they agree.
"""

from __future__ import annotations

import sys

import pandas as pd

from sahelmap import paths
from sahelmap.gazetteer import load_gazetteer


def main() -> int:
    gazetteer = load_gazetteer(paths.places_path())
    events = pd.read_csv(paths.curated_events_path(), dtype=str, keep_default_na=False)
    unknown = []
    for i, name in events["location"].items():
        place = gazetteer.resolve(name)
        if place is None:
            unknown.append(f"row {int(str(i)) + 2}: {name!r}")
            continue
        events.loc[i, ["latitude", "longitude"]] = [f"{place.latitude:.5f}", f"{place.longitude:.5f}"]
        events.loc[i, ["admin1", "admin2"]] = [place.admin1, place.admin2]
    if unknown:
        print("not in data/geo/places.csv (add them with their GeoNames id):\n  " + "\n  ".join(unknown))
        return 1
    events.to_csv(paths.curated_events_path(), index=False, lineterminator="\n")
    print(f"filled {len(events)} events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
