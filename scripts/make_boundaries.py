"""Write data/geo/mali_admin{0,1,2}.geojson from OCHA Mali COD-AB files (admin-2 cercles with Ménaka).

    python scripts/make_boundaries.py --realdata ../shared/realdata

The cercles are cleaned into an exact coverage (the source has one sliver of overlap between Ansongo
and Ménaka, one pinhole gap in Kayes and a zero-width spike on the Koro/Douentza border), simplified
together with shapely's coverage_simplify so that neighbours keep one shared border, and rounded.
Regions and the country outline are dissolved from the simplified cercles, so every border coincides
at every level. See data/geo/README.md.
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import mapping

OUT_DIR = Path(__file__).resolve().parents[1] / "data" / "geo"
CERCLES = "mali_adm2_cercles.geojson"
# Square root of the triangle area Visvalingam-Whyatt may drop, in degrees (~300 m): every gazetteer
# town stays in its cercle, and the three files fit well under the 500 kB budget.
SIMPLIFY_TOLERANCE_DEG = 0.003
DECIMALS = 5  # 1e-5 degree is about 1 m; 4 decimals made one simplified Koro edge cross itself
SIZE_BUDGET = 500_000
SOURCE_GRID_DEG = 1e-6  # the source's own precision; snapping to it drops the zero-width Koro spike
METRIC_CRS = "EPSG:32630"  # the CRS sahelmap.geography measures in: the polygons must be valid there too


def plain(name: str) -> str:
    """ACLED's accent-free spelling: Ménaka -> Menaka, Inékar -> Inekar."""
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def clean_coverage(polygons: np.ndarray) -> np.ndarray:
    """Node every border, give each face to the first polygon containing it; gaps go to the neighbour
    with the longest shared border. The result is edge-matched, with no overlap and no gap."""
    faces = np.asarray(
        shapely.get_parts(
            shapely.polygonize(shapely.get_parts(shapely.union_all(shapely.boundary(polygons))))
        )
    )
    points = shapely.point_on_surface(faces)
    owner = np.full(len(faces), -1)
    tree = shapely.STRtree(polygons)
    face_idx, poly_idx = tree.query(points, predicate="within")
    for f, p in sorted(zip(face_idx.tolist(), poly_idx.tolist(), strict=True), reverse=True):
        owner[f] = p  # reverse order: the lowest index wins an overlap
    for f in np.flatnonzero(owner < 0):
        shared = shapely.length(shapely.intersection(shapely.boundary(faces[f]), shapely.boundary(polygons)))
        owner[f] = int(np.argmax(shared))
        print(f"gap of {faces[f].area:.2e} deg² given to polygon {owner[f]}")
    return np.array([shapely.union_all(faces[owner == i]) for i in range(len(polygons))])


def round_coords(geometries: np.ndarray) -> np.ndarray:
    return shapely.transform(geometries, lambda xy: np.round(xy, DECIMALS))


def check_coverage(geometries: np.ndarray, what: str) -> None:
    metric = gpd.GeoSeries(geometries, crs="EPSG:4326").to_crs(METRIC_CRS).to_numpy()
    for shapes in (geometries, metric):
        if not (shapely.is_valid(shapes).all() and shapely.coverage_is_valid(shapes)):
            raise SystemExit(f"{what}: not a valid coverage after simplification")


def write_geojson(frame: gpd.GeoDataFrame, path: Path) -> int:
    features = [
        {
            "type": "Feature",
            "properties": {k: v for k, v in row.items() if k != "geometry"},
            "geometry": mapping(row["geometry"]),
        }
        for row in frame.to_dict("records")
    ]
    text = json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":")
    )
    path.write_text(text + "\n", encoding="utf-8")
    return path.stat().st_size


def build(realdata: Path) -> dict[str, gpd.GeoDataFrame]:
    source = (
        gpd.read_file(realdata / CERCLES).to_crs("EPSG:4326").sort_values("admin2Pcod", ignore_index=True)
    )
    cleaned = clean_coverage(shapely.set_precision(source.geometry.to_numpy(), SOURCE_GRID_DEG))
    simplified = round_coords(shapely.coverage_simplify(cleaned, SIMPLIFY_TOLERANCE_DEG))
    check_coverage(simplified, "cercles")
    cercles = gpd.GeoDataFrame(
        {
            "admin1_pcode": source["admin1Pcod"],
            "admin1_name": source["admin1Name"],
            "admin1": source["admin1Name"].map(plain),
            "admin2_pcode": source["admin2Pcod"],
            "admin2_name": source["admin2Name"],
            "admin2": source["admin2Name"].map(plain),
        },
        geometry=simplified,
        crs="EPSG:4326",
    )
    keys = ["admin1_pcode", "admin1_name", "admin1"]
    regions = gpd.GeoDataFrame(
        cercles.groupby(keys, as_index=False).agg(geometry=("geometry", shapely.coverage_union_all)),
        geometry="geometry",
        crs="EPSG:4326",
    )
    check_coverage(regions.geometry.to_numpy(), "regions")
    outline = gpd.GeoDataFrame(
        {"admin0_pcode": ["ML"], "admin0_name": ["Mali"]},
        geometry=[shapely.coverage_union_all(simplified)],
        crs="EPSG:4326",
    )
    return {"mali_admin2.geojson": cercles, "mali_admin1.geojson": regions, "mali_admin0.geojson": outline}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--realdata", type=Path, required=True, help="folder holding " + CERCLES)
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    total = 0
    for name, frame in build(args.realdata).items():
        size = write_geojson(frame, args.out / name)
        total += size
        print(f"{name}: {len(frame)} features, {size / 1000:.1f} kB")
    print(f"total: {total / 1000:.1f} kB (budget {SIZE_BUDGET / 1000:.0f} kB)")
    if total > SIZE_BUDGET:
        raise SystemExit("over budget: raise SIMPLIFY_TOLERANCE_DEG")


if __name__ == "__main__":
    main()
