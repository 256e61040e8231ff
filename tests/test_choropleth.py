"""Choropleth counts: per region or cercle, and always reconciling with the KPIs."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sahelmap import choropleth, filters, geography
from sahelmap.events import load_events
from sahelmap.filters import FilterSpec

SPECS = [
    FilterSpec(),
    FilterSpec(actor=("wagner",)),
    FilterSpec(start=dt.date(2022, 1, 1), end=dt.date(2022, 12, 31)),
    FilterSpec(region=("Segou",)),
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
