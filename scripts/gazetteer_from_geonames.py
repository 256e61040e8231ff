"""Fill data/geo/places.csv coordinates and admin units from GeoNames ids (maintainers' tool).

    python scripts/gazetteer_from_geonames.py [--realdata ../shared/realdata]

Each row of places.csv names a place, its aliases, whether it is a focus place, and its GeoNames id.
This script (re)writes latitude and longitude from GeoNames (CC BY 4.0) and admin1 / admin2 from the
OCHA COD-AB cercle polygons (CC BY-IGO) containing the point (the nearest one for border points just
outside them), with accents dropped as ACLED spells regions. Only facts are taken; no file is copied.
"""

from __future__ import annotations

import argparse
import csv
import unicodedata
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

PLACES = Path(__file__).resolve().parents[1] / "data" / "geo" / "places.csv"
COLUMNS = ["name", "aliases", "focus", "latitude", "longitude", "admin1", "admin2", "geonames_id"]


def ascii_name(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdata", type=Path, default=Path("../shared/realdata"))
    args = parser.parse_args()
    geonames = pd.read_csv(
        args.realdata / "geonames_ML.txt",
        sep="\t",
        header=None,
        usecols=[0, 1, 4, 5],
        names=["geonames_id", "gn_name", "lat", "lon"],
        quoting=csv.QUOTE_NONE,
        dtype={0: "int64"},
    ).set_index("geonames_id")
    cercles = gpd.read_file(args.realdata / "mali_adm2_cercles.geojson")
    places = pd.read_csv(PLACES, dtype=str, keep_default_na=False)
    for i, row in places.iterrows():
        if row["geonames_id"]:
            gn = geonames.loc[int(row["geonames_id"])]
            places.loc[i, ["latitude", "longitude"]] = [f"{gn['lat']:.5f}", f"{gn['lon']:.5f}"]
        # else a site GeoNames lacks: its coordinates stay as data/geo/README.md says they were sourced
        point = Point(float(places.loc[i, "longitude"]), float(places.loc[i, "latitude"]))
        inside = cercles[cercles.contains(point)]
        cercle = inside.iloc[0] if len(inside) else cercles.loc[cercles.distance(point).idxmin()]
        places.loc[i, "admin1"] = ascii_name(cercle["admin1Name"])
        places.loc[i, "admin2"] = ascii_name(cercle["admin2Name"])
    places = places.sort_values(["focus", "name"], ascending=[False, True], key=lambda s: s.str.lower())
    places[COLUMNS].to_csv(PLACES, index=False, lineterminator="\n")
    print(f"wrote {len(places)} places to {PLACES}")


if __name__ == "__main__":
    main()
