"""The aggregate map: square cells that never overlap, coloured on a sequential scale with a legend that
matches, and the switch to single events when the view holds few enough."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from sahelmap import aggregate, mapview, schema
from sahelmap.aggregate import Bounds
from tests.factories import TOTAL_DEATHS, shared_events


def scattered(n: int, seed: int = 1) -> pd.DataFrame:
    """n copies of the fixture's events, moved to random points over Mali (lat 10-25, lon -12-4)."""
    table = shared_events()
    rows = table.iloc[np.arange(n) % len(table)].reset_index(drop=True)
    rng = np.random.default_rng(seed)
    return rows.assign(
        event_id=[f"X{i}" for i in range(n)],
        latitude=rng.uniform(10, 25, n),
        longitude=rng.uniform(-12, 4, n),
    )


def polygons(collection: dict) -> list[shapely.Polygon]:
    return [shapely.geometry.shape(f["geometry"]) for f in collection["features"]]


@pytest.mark.parametrize("cell_deg", sorted(set(aggregate.CELL_DEG_BY_ZOOM.values())))
def test_no_two_cells_intersect(cell_deg: float) -> None:
    cells, _, _ = aggregate.cell_features(scattered(3000), cell_deg, "events")
    shapes = polygons(cells)
    assert len(shapes) > 100
    assert all(s.is_valid and s.area > 0 for s in shapes)
    tree = shapely.STRtree(shapes)
    pairs = tree.query(shapes, predicate="intersects")
    assert (pairs[0] == pairs[1]).all(), "two cells intersect (not even touching is allowed)"


@given(
    lat=st.lists(st.floats(-5, 30, allow_nan=False), min_size=2, max_size=60),
    cell_deg=st.sampled_from(sorted(set(aggregate.CELL_DEG_BY_ZOOM.values()))),
)
@settings(max_examples=50, deadline=None)
def test_cells_never_intersect_and_hold_their_events(lat: list[float], cell_deg: float) -> None:
    events = scattered(len(lat)).assign(latitude=lat, longitude=[x / 3 - 6 for x in lat])
    cells, _, _ = aggregate.cell_features(events, cell_deg, "events")
    shapes = polygons(cells)
    tree = shapely.STRtree(shapes)
    pairs = tree.query(shapes, predicate="intersects")
    assert (pairs[0] == pairs[1]).all()
    table = aggregate.cells(events, cell_deg)
    assert table["events"].sum() == len(events)
    # every event lies in the square of its cell
    for row in table.itertuples():
        inside = (
            (events["latitude"] >= row.south)
            & (events["latitude"] < row.south + cell_deg)
            & (events["longitude"] >= row.west)
            & (events["longitude"] < row.west + cell_deg)
        )
        assert inside.sum() == row.events


def test_cells_add_up_and_name_their_commonest_place() -> None:
    table = shared_events()
    cells = aggregate.cells(table, 0.25)
    assert cells["events"].sum() == len(table) and cells["deaths"].sum() == TOTAL_DEATHS
    kidal = cells[(cells["south"] <= 18.44) & (cells["south"] + 0.25 > 18.44)]
    assert kidal["place"].tolist() == ["Kidal"] and kidal["events"].tolist() == [2]
    collection, _, _ = aggregate.cell_features(table, 0.25, "events")
    tooltips = [f["properties"]["tooltip"] for f in collection["features"]]
    assert any("2 events, 3 reported deaths</b><br>most at Kidal" in t for t in tooltips)


def test_cell_tooltips_escape_place_names() -> None:
    table = shared_events().assign(location="<img src=x onerror=alert(1)>")
    collection, _, _ = aggregate.cell_features(table, 0.5, "events")
    assert all("<img" not in f["properties"]["tooltip"] for f in collection["features"])


def test_colours_follow_the_measure_on_a_sequential_scale() -> None:
    values = np.array([0, 1, 2, 5, 10, 50, 100])
    breaks = aggregate.class_breaks(values)
    colours = aggregate.color_for(values, breaks)
    assert colours[0] == aggregate.ZERO_COLOR
    ranks = [aggregate.SCALE.index(c) for c in colours[1:]]
    assert ranks == sorted(ranks) and ranks[-1] == len(aggregate.SCALE) - 1
    assert breaks[-1] == 100


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=200))
def test_every_value_falls_in_the_legend_row_of_its_colour(values: list[int]) -> None:
    breaks = aggregate.class_breaks(np.array(values))
    rows = dict(aggregate.legend_rows(breaks, with_zero=True))
    for value, colour in zip(values, aggregate.color_for(np.array(values), breaks), strict=True):
        label = rows[colour]
        low, _, high = label.replace(",", "").partition("–")
        assert int(low) <= value <= int(high or low)


def test_legend_text_per_mode() -> None:
    table = shared_events()
    events = mapview.layer_data(table)
    assert events.kind == "events" and events.legend.title == "Event type"
    assert [label for _, label in events.legend.rows] == list(mapview.EVENT_COLORS)
    assert "Circle size: reported deaths" in events.legend.notes
    cells = mapview.layer_data(table, "events", "events", detail_limit=5)
    assert cells.kind == "cells" and cells.legend.title == "Events per square of about 56 km"
    assert cells.legend.shape == "square" and "Circle size" not in " ".join(cells.legend.notes)
    deaths = mapview.layer_data(table, "events", "deaths", detail_limit=5)
    assert deaths.legend.title == "Reported deaths per square of about 56 km"
    drawn_colours = {f["properties"]["color"] for f in deaths.data["features"]}
    assert drawn_colours <= {c for c, _ in deaths.legend.rows}  # the legend lists every colour drawn
    html = mapview.legend_html(deaths.legend)
    assert "Reported deaths per square" in html and "<details open>" in html
    regions = mapview.layer_data(table, "regions")
    assert regions.kind == "areas" and regions.legend.title == "Events per region"
    assert {f["properties"]["color"] for f in regions.data["features"]} <= {c for c, _ in regions.legend.rows}


# --- the switch to single events ---------------------------------------------------------------

GAO_VIEW = Bounds(15.5, -1.0, 17.0, 1.0)


def test_few_events_are_always_single() -> None:
    table = shared_events()
    plan = aggregate.plan(table, None, None, limit=len(table))
    assert plan.mode == "events" and len(plan.events) == len(table) and not plan.in_view


def test_many_events_and_no_view_give_cells() -> None:
    table = scattered(600)
    assert aggregate.plan(table, None, 5, limit=500).mode == "cells"


def test_a_view_holding_few_enough_events_shows_them_one_by_one() -> None:
    table = scattered(5000)
    near = GAO_VIEW.padded().holds(table)
    assert 0 < near.sum() <= 500
    plan = aggregate.plan(table, GAO_VIEW, 8, limit=500)
    assert plan.mode == "events" and plan.in_view and len(plan.events) == near.sum()
    # the same view with a lower limit: squares of the view, finer than at the country zoom
    fine = aggregate.plan(table, GAO_VIEW, 8, limit=int(near.sum()) - 1)
    assert fine.mode == "cells" and fine.in_view and fine.cell_deg == aggregate.CELL_DEG_BY_ZOOM[8]
    assert len(fine.events) == near.sum()


def test_the_whole_country_in_view_stays_in_squares() -> None:
    table = scattered(5000)
    plan = aggregate.plan(table, Bounds(8, -14, 27, 6), 5, limit=500)
    assert plan.mode == "cells" and len(plan.events) == len(table) and not plan.in_view
    assert plan.cell_deg == aggregate.CELL_DEG_BY_ZOOM[5]


def test_layer_data_draws_the_events_in_view() -> None:
    table = scattered(5000)
    layer = mapview.layer_data(table, "events", "events", GAO_VIEW, 8)
    assert layer.kind == "events" and layer.n_features == GAO_VIEW.padded().holds(table).sum()
    assert "in and around the view" in layer.caption


@pytest.mark.parametrize(
    "value",
    [
        None,
        {},
        {"_southWest": {"lat": 1, "lng": 2}},
        {"_southWest": {"lat": "x", "lng": 2}, "_northEast": {"lat": 3, "lng": 4}},
        {"_southWest": {"lat": 5, "lng": 2}, "_northEast": {"lat": 3, "lng": 4}},  # south above north
        {"_southWest": {"lat": float("nan"), "lng": 2}, "_northEast": {"lat": 3, "lng": 4}},
    ],
)
def test_unusable_bounds_are_none(value) -> None:
    assert Bounds.from_st_folium(value) is None


def test_bounds_from_st_folium() -> None:
    value = {"_southWest": {"lat": 15.5, "lng": -1}, "_northEast": {"lat": 17, "lng": 1}}
    assert Bounds.from_st_folium(value) == GAO_VIEW


def test_view_key_depends_on_the_view_only_above_the_limit() -> None:
    assert mapview.view_key(10, "events", GAO_VIEW, 8) == (None, None)
    assert mapview.view_key(10_000, "regions", GAO_VIEW, 8) == (None, None)
    key = mapview.view_key(10_000, "events", GAO_VIEW, 8)
    assert key == (GAO_VIEW.rounded(), 8) and key[0].south <= GAO_VIEW.south


def test_cell_size_by_zoom() -> None:
    assert aggregate.cell_deg_for(None) == aggregate.cell_deg_for(3) == aggregate.CELL_DEG_BY_ZOOM[5]
    assert aggregate.cell_deg_for(12) == aggregate.CELL_DEG_BY_ZOOM[max(aggregate.CELL_DEG_BY_ZOOM)]
    assert schema.CRS == "EPSG:4326"  # cells are in degrees of WGS84


def test_squares_grow_until_the_payload_is_bounded() -> None:
    events = scattered(20_000)
    cells, _, drawn = aggregate.cell_features(events, 0.0625, "events")
    assert len(cells["features"]) <= aggregate.MAX_CELLS and drawn > 0.0625
    assert (
        sum(
            int(f["properties"]["tooltip"].split(" ")[0].lstrip("<b>").replace(",", ""))
            for f in cells["features"]
        )
        == 20_000
    )


@pytest.mark.parametrize(("seed", "cell_deg"), [(0, 0.0625), (1, 0.25), (2, 1.0)])
def test_cells_match_a_groupby(seed: int, cell_deg: float) -> None:
    """The integer-key counting agrees with the plain pandas way: per square, events, deaths, first and
    last date, and the commonest place (ties: the first in table order; no name, not counted)."""
    base = shared_events()
    rng = np.random.default_rng(seed)
    rows = base.iloc[rng.integers(0, len(base), 3000)].reset_index(drop=True)
    rows["latitude"] += rng.uniform(-1, 1, len(rows))
    rows["longitude"] += rng.uniform(-1, 1, len(rows))
    rows.loc[rows.index[::11], "location"] = None
    binned = pd.DataFrame(
        {
            "row": np.floor(rows["latitude"] / cell_deg).astype("int64"),
            "col": np.floor(rows["longitude"] / cell_deg).astype("int64"),
            "deaths": schema.counted_deaths(rows["fatalities"]),
            "date": rows["event_date"],
            "location": rows["location"],
        }
    )
    want = binned.groupby(["row", "col"]).agg(
        events=("date", "size"), deaths=("deaths", "sum"), first=("date", "min"), last=("date", "max")
    )
    counts = binned.groupby(["row", "col", "location"], sort=False).size().rename("n").reset_index()
    commonest = counts.sort_values("n", ascending=False, kind="stable").drop_duplicates(["row", "col"])
    want = want.join(commonest.set_index(["row", "col"])["location"].rename("place")).reset_index()
    got = aggregate.cells(rows, cell_deg)
    for column in ("row", "col", "events", "deaths", "first", "last"):
        assert got[column].tolist() == want[column].tolist(), column
    assert got["place"].fillna("-").tolist() == want["place"].fillna("-").tolist()
    assert aggregate.count_cells(rows, cell_deg) == len(want)


def test_no_events_no_cells() -> None:
    empty = shared_events().iloc[:0]
    assert aggregate.cells(empty, 0.25).empty and aggregate.count_cells(empty, 0.25) == 0
    collection, breaks, _ = aggregate.cell_features(empty, 0.25, "events")
    assert collection["features"] == [] and breaks == []
