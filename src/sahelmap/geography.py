"""Mali's regions and cercles (data/geo, OCHA COD-AB) and the spatial join that places every event in them.

Rules, in order, for a point (WGS84 latitude/longitude):

1. Inside a cercle: that cercle and its region.
2. On a border, or outside every cercle but within ``TOLERANCE_KM`` of one (border posts such as
   Tinzaouaten lie about 0.5 km outside the outline; sources round coordinates): the nearest cercle,
   measured in a metric CRS. Of cercles equally near (a point on a shared border), the one with the
   lower P-code, so the answer never depends on row order.
3. Farther away: ``OUTSIDE`` at both levels and flagged; ``outside_mali`` gives importers the rows to
   reject, with ``OUTSIDE_REASON`` as the reason.

The source's own ``admin1``/``admin2`` are kept; where they name another unit than the join, the row is
flagged in ``admin_flag`` with the reason. Where the source gives none, the join fills them in.
"""

from __future__ import annotations

import functools
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.geometry

from sahelmap import paths, reference, schema
from sahelmap.gazetteer import Gazetteer
from sahelmap.i18n import N_
from sahelmap.text import name_key

LEVELS: tuple[str, ...] = ("admin1", "admin2")
JOIN_COLUMNS: dict[str, str] = {"admin1": "admin1_join", "admin2": "admin2_join"}
FLAG_COLUMN = "admin_flag"
OUTSIDE = "outside"
TOLERANCE_KM = 10.0
# UTM 30N: Mali (12°W to 4°E) lies within 9° of its central meridian, where the scale error stays under
# 1.2%, about 100 m on the 10 km tolerance.
METRIC_CRS = "EPSG:32630"
OUTSIDE = N_("more than {km} km outside Mali's outline (OCHA COD-AB boundaries)")  # a reason's template
OUTSIDE_REASON = OUTSIDE.format(km=f"{TOLERANCE_KM:g}")
# Other spellings sources use for an OCHA unit, folded by name_key: ACLED writes Baraoueli for Baroueli.
SPELLINGS: dict[str, str] = {"baraoueli": "baroueli", "koulikouro": "koulikoro"}


@functools.cache
def boundaries(level: str) -> gpd.GeoDataFrame:
    """The shipped polygons of one level ("admin0", "admin1", "admin2"), read once; do not modify."""
    frame = gpd.read_file(paths.geo_path(f"mali_{level}.geojson"))
    return frame.set_crs(schema.CRS, allow_override=True)


@functools.cache
def _cercles_metric() -> gpd.GeoDataFrame:
    return boundaries("admin2")[[*LEVELS, "geometry"]].to_crs(METRIC_CRS)


@functools.cache
def _near_mali() -> gpd.GeoDataFrame:
    """Mali widened by the tolerance plus 1 km (a margin for the reprojected edges), in WGS84: only points
    in it need the slower nearest-cercle search."""
    widened = boundaries("admin0").to_crs(METRIC_CRS).buffer((TOLERANCE_KM + 1) * 1000)
    return gpd.GeoDataFrame(geometry=widened.to_crs(schema.CRS))


def _first_match(joined: pd.DataFrame) -> pd.DataFrame:
    """One row per point: the cercle with the lowest index (the files are sorted by P-code)."""
    ordered = joined.sort_values("index_right", kind="stable").sort_index(kind="stable")
    return ordered[~ordered.index.duplicated(keep="first")]


def join_points(latitude: pd.Series, longitude: pd.Series) -> pd.DataFrame:
    """admin1_join and admin2_join for each point, by the rules in the module docstring (NA: no point)."""
    index = latitude.index
    lat, lon = latitude.to_numpy(float), longitude.to_numpy(float)
    has_point = np.isfinite(lat) & np.isfinite(lon)
    points = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(lon[has_point], lat[has_point]), crs=schema.CRS
    ).set_index(np.flatnonzero(has_point))
    cercles = boundaries("admin2")[[*LEVELS, "geometry"]]
    # "within" is faster than "intersects"; a point on a border is then found by the nearest search.
    inside = gpd.sjoin(points, cercles, how="inner", predicate="within")
    missed = points.drop(inside.index.unique())
    missed = gpd.sjoin(missed, _near_mali(), how="inner", predicate="within")[["geometry"]]
    missed = missed.to_crs(METRIC_CRS)
    near = gpd.sjoin_nearest(missed, _cercles_metric(), how="inner", max_distance=TOLERANCE_KM * 1000)
    found = pd.concat([_first_match(m)[list(LEVELS)] for m in (inside, near)])
    out = pd.DataFrame(pd.NA, index=range(len(index)), columns=list(JOIN_COLUMNS.values()), dtype="str")
    out.loc[np.flatnonzero(has_point)] = OUTSIDE
    for level, column in JOIN_COLUMNS.items():
        out.loc[found.index, column] = found[level].to_numpy()
    out.index = index
    return out


def outside_mali(latitude: pd.Series, longitude: pd.Series) -> np.ndarray:
    """True where a point lies farther than TOLERANCE_KM from Mali (reason: OUTSIDE_REASON)."""
    return join_points(latitude, longitude)["admin1_join"].eq(OUTSIDE).to_numpy()


def _unit_key(names: pd.Series) -> pd.Series:
    codes, uniques = pd.factorize(names)
    keys = [SPELLINGS.get(k, k) for k in (name_key(str(u)) for u in uniques)]
    return pd.Series(np.array([*keys, ""], dtype=object)[codes], index=names.index)


def admin_flags(source: pd.DataFrame, joined: pd.DataFrame) -> pd.Series:
    """Why a row's own admin1/admin2 disagree with the join (accents, case and known spellings aside)."""
    reasons = pd.Series("", index=source.index, dtype="str")
    outside = joined["admin1_join"].eq(OUTSIDE).fillna(False)
    for level, column in JOIN_COLUMNS.items():
        given, found = source[level], joined[column]
        differs = given.notna() & found.notna() & ~outside & _unit_key(given).ne(_unit_key(found))
        text = level + ": source says " + given.astype("str") + ", the polygons " + found.astype("str")
        reasons = reasons.where(~differs, reasons.where(reasons.eq(""), reasons + "; ") + text)
    reasons = reasons.where(~outside, OUTSIDE_REASON)
    return reasons.where(reasons.ne(""), pd.NA)


def assign_admin(events: pd.DataFrame) -> pd.DataFrame:
    """admin1_join, admin2_join and admin_flag for each event (same index)."""
    joined = join_points(events["latitude"], events["longitude"])
    joined[FLAG_COLUMN] = admin_flags(events, joined)
    return joined


def cercle_unknown(events: pd.DataFrame) -> pd.Series:
    """Events located only to a region (geo_precision 3): their point says nothing about the cercle."""
    if "geo_precision" not in events:
        return pd.Series(False, index=events.index)
    return events["geo_precision"].astype("Float64").eq(3).fillna(False).astype(bool)


def fill_admin(events: pd.DataFrame) -> pd.DataFrame:
    """Where the source names no admin1/admin2, take the join's (never OUTSIDE, and no cercle for events
    located only to a region); events need the join columns."""
    out = events.copy()
    for level, column in JOIN_COLUMNS.items():
        found = out[column].where(out[column].ne(OUTSIDE))
        if level == "admin2":
            found = found.where(~cercle_unknown(out))
        out[level] = out[level].where(out[level].notna(), found)
    return out


def region_of_focus_place(place: str, gazetteer: Gazetteer) -> str | None:
    """The region (admin-1) holding a focus place: "Ségou" -> "Segou", "Tinzaouaten" -> "Kidal"."""
    found = gazetteer.resolve(place)
    if found is None:
        return None
    joined = join_points(pd.Series([found.latitude]), pd.Series([found.longitude]))
    region = joined.at[0, "admin1_join"]
    return None if region == OUTSIDE else str(region)


# --- what the map draws: the same polygons, simplified further (a map payload, not a join) ----------
DRAW_TOLERANCE_DEG = 0.02  # about 2 km: barely visible at the zooms that show a whole region or cercle
DRAW_DECIMALS = 3  # about 100 m


def _rounded(geometry: object) -> object:
    return shapely.transform(geometry, lambda xy: np.round(xy, DRAW_DECIMALS))


@functools.cache
def drawn(level: str, tolerance: float = DRAW_TOLERANCE_DEG) -> gpd.GeoDataFrame:
    """The polygons of one level simplified together for drawing (neighbours keep one shared border),
    coordinates rounded to DRAW_DECIMALS; read once, do not modify."""
    frame = boundaries(level).copy()
    geometry = shapely.coverage_simplify(frame.geometry.to_numpy(), tolerance)
    frame["geometry"] = [_rounded(g) for g in geometry]
    return frame


@functools.cache
def outline_geojson() -> dict[str, Any]:
    """Region borders (which include the country's) as light lines: one FeatureCollection of two
    MultiLineStrings, `kind` "region" and "country"."""
    regions = drawn("admin1").geometry.to_numpy()
    country = shapely.union_all(regions)
    inner = shapely.line_merge(
        shapely.difference(shapely.union_all(shapely.boundary(regions)), shapely.boundary(country))
    )
    features = [
        {"type": "Feature", "properties": {"kind": kind}, "geometry": shapely.geometry.mapping(_rounded(g))}
        for kind, g in (("region", inner), ("country", shapely.line_merge(shapely.boundary(country))))
    ]
    return {"type": "FeatureCollection", "features": features}


@functools.cache
def region_bounds() -> dict[str, tuple[float, float, float, float]]:
    """admin1 name -> (south, west, north, east) of its polygon, for zooming the map there."""
    frame = boundaries("admin1")
    return {
        str(name): (float(b[1]), float(b[0]), float(b[3]), float(b[2]))
        for name, b in zip(frame["admin1"], frame.geometry.bounds.to_numpy(), strict=True)
    }


@functools.cache
def region_labels() -> dict[str, str]:
    """admin1 (ACLED's spelling, the join's value) -> the name the page shows: the focus place's name
    where a region is named after one (Segou -> Ségou, Tombouctou -> Timbuktu), else OCHA's (Ménaka)."""
    frame = boundaries("admin1")
    focus = {
        name_key(alias): place
        for place, aliases in schema.FOCUS_PLACE_ALIASES.items()
        for alias in (place, *aliases)
    } | {name_key(place): place for place in schema.FOCUS_PLACES}
    return {
        str(region): focus.get(name_key(str(region)), str(name))
        for region, name in zip(frame["admin1"], frame["admin1_name"], strict=True)
    }


@functools.cache
def focus_regions() -> dict[str, str]:
    """Each focus place -> the region (admin1, the join's spelling) whose polygon holds it."""
    gazetteer = reference.gazetteer()
    found = {place: region_of_focus_place(place, gazetteer) for place in schema.FOCUS_PLACES}
    return {place: region for place, region in found.items() if region}
