"""Choropleth counts: per region or cercle, and always reconciling with the KPIs."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sahelmap import choropleth, dashboard, filters, geography, mapview
from sahelmap.events import load_events
from sahelmap.filters import FilterSpec

SPECS = [
    FilterSpec(),
    FilterSpec(actor=("wagner",)),
    FilterSpec(start=dt.date(2022, 1, 1), end=dt.date(2022, 12, 31)),
    FilterSpec(region=("Segou",)),
    FilterSpec(focus_region=("Segou",)),
    FilterSpec(focus_region=("Kidal", "Gao"), type=("Battles",)),
    FilterSpec(min_deaths=10),
    FilterSpec(start=dt.date(1990, 1, 1), end=dt.date(1990, 12, 31)),  # nothing
]


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    table = load_events().events
    # One event beyond the tolerance and one with unknown deaths, so reconciliation has work to do.
    for column in geography.JOIN_COLUMNS.values():
        table[column] = table[column].astype("object")
    table.loc[0, ["admin1_join", "admin2_join"]] = geography.OUTSIDE
    table.loc[1, "fatalities"] = pd.NA
    return table


def kpis(filtered: pd.DataFrame) -> dict[str, int]:
    return {"events": len(filtered), "deaths": int(filtered["fatalities"].astype("Float64").fillna(0).sum())}


@pytest.mark.parametrize("spec", SPECS, ids=range(len(SPECS)))
@pytest.mark.parametrize("level", ["admin1", "admin2"])
@pytest.mark.parametrize("measure", choropleth.MEASURES)
def test_totals_equal_the_kpis(events, spec, level, measure) -> None:
    filtered = filters.apply(events, spec)
    counts = choropleth.counts_by_area(filtered, level, measure)
    assert int(counts.areas["value"].sum()) + counts.unassigned == kpis(filtered)[measure]
    assert len(counts.areas) == len(geography.boundaries(level))
    assert counts.areas.crs == "EPSG:4326"


def test_counts_land_in_the_right_polygons(events) -> None:
    filtered = events.iloc[2:]
    counts = choropleth.counts_by_area(filtered, "admin1").areas.set_index("admin1")["value"]
    expected = filtered["admin1_join"].astype(str).value_counts()
    assert counts[expected.index].tolist() == expected.tolist() and counts.sum() == len(filtered)


def test_outside_and_region_only_events_are_unassigned(events) -> None:
    assert choropleth.counts_by_area(events.iloc[:1], "admin1").unassigned == 1
    region_only = events[events["geo_precision"].eq(3)]
    assert len(region_only)
    assert choropleth.counts_by_area(region_only, "admin2").unassigned == len(region_only)
    assert choropleth.counts_by_area(region_only, "admin1").unassigned == 0


def test_unknown_level_or_measure_is_refused(events) -> None:
    with pytest.raises(ValueError, match="level"):
        choropleth.counts_by_area(events, "admin3")
    with pytest.raises(ValueError, match="measure"):
        choropleth.counts_by_area(events, "admin1", "wounded")


@pytest.mark.parametrize("spec", SPECS, ids=range(len(SPECS)))
@pytest.mark.parametrize("level", ["admin1", "admin2"])
def test_the_drawn_layer_adds_up_to_the_kpis(events, spec, level) -> None:
    """What the map draws (each polygon's events and deaths, plus what no polygon holds) is the KPIs."""
    filtered = filters.apply(events, spec)
    figures = dashboard.kpis(filtered)
    layer = choropleth.area_layer(filtered, level, "deaths")
    drawn = [f["properties"] for f in layer.data["features"]]
    assert len(drawn) == len(geography.boundaries(level))
    assert sum(p["events"] for p in drawn) + layer.unassigned_events == figures.events == len(filtered)
    assert sum(p["deaths"] for p in drawn) + layer.unassigned_deaths == figures.deaths


def test_a_region_filter_leaves_only_its_polygon_counted(events) -> None:
    filtered = filters.apply(events, FilterSpec(focus_region=("Segou",)))
    layer = choropleth.area_layer(filtered, "admin1")
    counted = {f["properties"]["unit"]: f["properties"]["events"] for f in layer.data["features"]}
    assert counted["Segou"] == len(filtered) > 0
    assert sum(counted.values()) == counted["Segou"] and layer.unassigned_events == 0


def test_tooltips_give_both_numbers_and_the_legend_the_unassigned(events) -> None:
    layer = choropleth.area_layer(events, "admin2")
    feature = next(f for f in layer.data["features"] if f["properties"]["events"])
    p = feature["properties"]
    assert f"{p['events']:,} events, {p['deaths']:,} reported deaths" in p["tooltip"]
    note = choropleth.unassigned_note(layer, "admin2")
    assert note.startswith(f"{layer.unassigned_events:,} events (") and "not assigned to a cercle" in note
    drawn = mapview.layer_data(events, "cercles")
    assert drawn.legend.notes == [note] and drawn.legend.title == "Events per cercle"
    assert mapview.layer_data(events, "regions", "deaths").legend.title == "Reported deaths per region"


def _clicked(unit: str, level: str = "admin1", where: tuple[float, float] = (14.0, -6.0)) -> dict:
    return {
        "zoom": 5,
        "last_object_clicked": {"lat": where[0], "lng": where[1]},
        "last_active_drawing": {"type": "Feature", "properties": {"unit": unit, "level": level}},
    }


def test_a_click_on_a_region_filters_to_it() -> None:
    assert choropleth.click_filter(_clicked("Segou"), {}, "admin1") == ("focus_region", "Segou")
    assert choropleth.click_filter(_clicked("Segou"), None, "admin1") == ("focus_region", "Segou")
    spec = FilterSpec().replace(focus_region=("Segou",))
    assert "in the Ségou region" in filters.describe(spec, 1, 0)


@pytest.mark.parametrize(
    ("value", "before"),
    [
        (_clicked("Segou"), _clicked("Segou")),  # the same click reported again (after a zoom)
        ({**_clicked("Segou"), "last_object_clicked": None}, {}),  # no click yet
        (_clicked("Segou", level="admin2"), {}),  # a cercle, not a region
        (_clicked("Atlantis"), {}),  # not a region of the boundaries
        (
            {
                **_clicked("Segou"),
                "last_active_drawing": {"type": "Feature", "properties": {"kind": "region"}},
            },
            {},
        ),
        ({**_clicked("Segou"), "last_active_drawing": "junk"}, {}),
        ("junk", {}),
    ],
)
def test_what_is_not_a_new_click_on_a_region_changes_nothing(value, before) -> None:
    assert choropleth.click_filter(value, before, "admin1") is None


def test_a_second_click_elsewhere_on_the_same_region_filters_again() -> None:
    first = _clicked("Segou")
    assert choropleth.click_filter(_clicked("Segou", where=(13.0, -5.0)), first, "admin1") == (
        "focus_region",
        "Segou",
    )
    assert choropleth.click_filter(_clicked("Segou"), first, "") is None  # events mode: no clicks
