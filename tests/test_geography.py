"""The shipped boundaries and the spatial join: known points, borders, flags, and geopandas at runtime."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from sahelmap import events, geography, paths
from sahelmap.gazetteer import distance_within_km, load_gazetteer, name_key, read_places

WGS84 = Geod(ellps="WGS84")
BOUNDARY_FILES = ("mali_admin0.geojson", "mali_admin1.geojson", "mali_admin2.geojson")
# Gazetteer places outside every polygon, placed by the tolerance rule (documented in data/geo/README.md).
BORDER_PLACES = {"Tinzaouaten"}


def join_one(lat: float, lon: float) -> tuple[str, str]:
    row = geography.join_points(pd.Series([lat]), pd.Series([lon])).iloc[0]
    return row["admin1_join"], row["admin2_join"]


def moved(lat: float, lon: float, azimuth: float, km: float) -> tuple[float, float]:
    lon2, lat2, _ = WGS84.fwd(lon, lat, azimuth, km * 1000)
    return lat2, lon2


# --- the shipped files ----------------------------------------------------------------------------


def test_shipped_boundaries_fit_the_size_budget() -> None:
    assert sum(paths.geo_path(name).stat().st_size for name in BOUNDARY_FILES) <= 500_000


@pytest.mark.parametrize("level", ["admin1", "admin2"])
def test_polygons_have_no_gap_and_no_overlap(level: str) -> None:
    polygons = geography.boundaries(level).to_crs(geography.METRIC_CRS).geometry
    union = shapely.union_all(polygons.to_numpy())
    assert union.geom_type == "Polygon" and len(union.interiors) == 0  # one piece, no holes: no gap
    assert union.area == pytest.approx(polygons.area.sum(), rel=1e-9)  # no overlap
    for a, b in itertools.combinations(polygons, 2):
        assert a.intersection(b).area < 1.0  # m²: neighbours share a border, nothing more
    assert shapely.coverage_is_valid(polygons.to_numpy())


def test_regions_and_outline_are_the_union_of_their_cercles() -> None:
    cercles, regions = geography.boundaries("admin2"), geography.boundaries("admin1")
    assert sorted(regions["admin1"]) == sorted(set(cercles["admin1"]))
    assert len(regions) == 10 and "Menaka" in set(regions["admin1"])
    for region in regions.itertuples():
        parts = cercles.loc[cercles["admin1"] == region.admin1, "geometry"]
        assert shapely.union_all(parts.to_numpy()).symmetric_difference(region.geometry).area < 1e-9
    outline = geography.boundaries("admin0").geometry.iloc[0]
    assert shapely.union_all(cercles.geometry.to_numpy()).symmetric_difference(outline).area < 1e-9


def test_pcodes_and_plain_names_are_kept() -> None:
    cercles = geography.boundaries("admin2")
    assert cercles["admin2_pcode"].is_unique and cercles["admin2_pcode"].str.match(r"^ML\d{4}$").all()
    menaka = cercles[cercles["admin2_pcode"] == "ML1002"].iloc[0]
    assert (menaka["admin1_name"], menaka["admin1"], menaka["admin2_name"], menaka["admin2"]) == (
        "Ménaka",
        "Menaka",
        "Inékar",
        "Inekar",
    )


# --- known points ---------------------------------------------------------------------------------


@pytest.mark.parametrize("place", list(read_places(paths.places_path()).itertuples()), ids=lambda p: p.name)
def test_every_gazetteer_place_falls_in_its_documented_region_and_cercle(place) -> None:
    assert join_one(place.latitude, place.longitude) == (place.admin1, place.admin2)
    outline = geography.boundaries("admin0").geometry.iloc[0]
    inside = outline.covers(shapely.Point(place.longitude, place.latitude))
    assert inside == (place.name not in BORDER_PLACES)


def test_a_point_on_a_shared_border_goes_to_the_lower_pcode() -> None:
    cercles = geography.boundaries("admin2")
    segou, macina = (cercles[cercles["admin2"] == n].geometry.iloc[0] for n in ("Segou", "Macina"))
    x, y = shapely.get_coordinates(segou.boundary.intersection(macina.boundary))[0]
    assert not segou.contains(shapely.Point(x, y)) and not macina.contains(shapely.Point(x, y))
    # Macina (ML0403) before Ségou (ML0406)
    assert join_one(y, x) == ("Segou", "Macina")


def test_points_just_outside_mali_take_the_nearest_cercle_and_far_ones_are_outside() -> None:
    outline = geography.boundaries("admin0").geometry.iloc[0]
    x, y = max(shapely.get_coordinates(outline.exterior), key=lambda c: c[1])  # the northern tip, on 25°N
    assert y == pytest.approx(25.0)
    near, far = moved(y, x, 0, geography.TOLERANCE_KM / 2), moved(y, x, 0, geography.TOLERANCE_KM * 2)
    tip_cercle = join_one(y - 0.01, x)
    assert join_one(*near) == tip_cercle
    assert join_one(*far) == (geography.OUTSIDE, geography.OUTSIDE)
    lat = pd.Series([near[0], far[0], 12.65])
    lon = pd.Series([near[1], far[1], -8.0])
    assert geography.outside_mali(lat, lon).tolist() == [False, True, False]


def test_a_point_with_no_coordinates_gets_no_unit() -> None:
    joined = geography.join_points(pd.Series([np.nan, 12.65]), pd.Series([1.0, -8.0]))
    assert joined["admin1_join"].isna().tolist() == [True, False]


# --- flags and filling ----------------------------------------------------------------------------


def source_rows(admin1: list, admin2: list, lat: float = 13.44032, lon: float = -6.25947) -> pd.DataFrame:
    n = len(admin1)
    return pd.DataFrame({"latitude": [lat] * n, "longitude": [lon] * n, "admin1": admin1, "admin2": admin2})


def test_disagreeing_source_units_are_kept_and_flagged_with_the_reason() -> None:
    rows = source_rows(["Mopti", "SÉGOU", "segou", None], ["Segou", "segou", "Niono", None])
    out = geography.fill_admin(pd.concat([rows, geography.assign_admin(rows)], axis=1))
    assert out["admin1"].tolist() == ["Mopti", "SÉGOU", "segou", "Segou"]  # source kept; empty filled
    assert out["admin2"].tolist() == ["Segou", "segou", "Niono", "Segou"]
    flags = out[geography.FLAG_COLUMN]
    assert "admin1: source says Mopti" in flags[0] and "admin2" not in flags[0]
    assert pd.isna(flags[1])  # case and accents aside, the same unit
    assert flags[2].startswith("admin2: source says Niono, the polygons Segou")
    assert pd.isna(flags[3])


def test_a_known_other_spelling_is_not_a_disagreement() -> None:
    cercles = geography.boundaries("admin2")
    point = cercles[cercles["admin2"] == "Baroueli"].geometry.iloc[0].representative_point()
    rows = source_rows(["Segou", "Segou"], ["Baraoueli", "Bla"], lat=point.y, lon=point.x)
    flags = geography.assign_admin(rows)[geography.FLAG_COLUMN]
    assert pd.isna(flags[0]) and flags[1].startswith("admin2: source says Bla")
    assert name_key("Baraoueli") in geography.SPELLINGS


def test_rows_beyond_the_tolerance_are_flagged_outside_and_not_filled() -> None:
    rows = source_rows([None], [None], lat=30.0, lon=0.0)
    out = geography.fill_admin(pd.concat([rows, geography.assign_admin(rows)], axis=1))
    assert out.at[0, geography.FLAG_COLUMN] == geography.OUTSIDE_REASON
    assert pd.isna(out.at[0, "admin1"]) and out.at[0, "admin1_join"] == geography.OUTSIDE


def test_region_of_focus_place() -> None:
    gazetteer = load_gazetteer(paths.places_path())
    assert geography.region_of_focus_place("Ségou", gazetteer) == "Segou"
    assert geography.region_of_focus_place("Tin Zaouaten", gazetteer) == "Kidal"
    assert geography.region_of_focus_place("Nowhere", gazetteer) is None


def test_the_town_radius_is_measured_on_the_ellipsoid() -> None:
    lat0, lon0 = 12.65, -8.0
    inside = [moved(lat0, lon0, az, 49.9) for az in (0, 90, 200)]
    outside = [moved(lat0, lon0, az, 50.1) for az in (0, 90, 200)]
    lat = np.array([p[0] for p in inside + outside])
    lon = np.array([p[1] for p in inside + outside])
    assert distance_within_km(lat, lon, lat0, lon0, 50.0).tolist() == [True] * 3 + [False] * 3


# --- the runtime path really uses geopandas -------------------------------------------------------


def test_load_events_joins_with_geopandas(monkeypatch) -> None:
    calls: list[int] = []
    real_sjoin = gpd.sjoin

    def spy(left, right, *args, **kwargs):
        calls.append(len(left))
        return real_sjoin(left, right, *args, **kwargs)

    monkeypatch.setattr(gpd, "sjoin", spy)
    events._bundled_curated.cache_clear()  # derived once per process: make this call derive it
    table = events.load_events()
    assert geography.gpd is gpd and len(table) in calls  # (validation also joins each distinct point)
    joined = table.events[list(geography.JOIN_COLUMNS.values())]
    assert joined.notna().all().all() and not joined.eq(geography.OUTSIDE).any().any()
    assert (table.events["admin1_join"].astype(str) == table.events["admin1"]).all()


def test_an_event_located_only_to_a_region_gets_no_cercle_from_the_join() -> None:
    rows = source_rows([None, None], [None, None]).assign(geo_precision=[3, 1])
    out = geography.fill_admin(pd.concat([rows, geography.assign_admin(rows)], axis=1))
    assert out["admin1"].tolist() == ["Segou", "Segou"]
    assert pd.isna(out.at[0, "admin2"]) and out.at[1, "admin2"] == "Segou"
