"""Events or deaths per region or cercle, for a choropleth whose totals equal the KPIs."""

from __future__ import annotations

from typing import NamedTuple

import geopandas as gpd
import pandas as pd

from sahelmap import geography

MEASURES: tuple[str, ...] = ("events", "deaths")


class AreaCounts(NamedTuple):
    areas: gpd.GeoDataFrame  # every polygon of the level, with a `value` column (0 where nothing)
    # The measure for events in no polygon: no point, outside Mali, or (per cercle) located only to a region.
    unassigned: int


def event_weights(filtered: pd.DataFrame, measure: str) -> pd.Series:
    """What each event adds: 1 for events; its fatalities for deaths (unknown counts as 0, as in the KPIs)."""
    if measure == "events":
        return pd.Series(1, index=filtered.index, dtype="int64")
    if measure == "deaths":
        return filtered["fatalities"].astype("Float64").fillna(0).astype("int64")
    raise ValueError(f"unknown measure {measure!r} (known: {', '.join(MEASURES)})")


def counts_by_area(filtered: pd.DataFrame, level: str = "admin1", measure: str = "events") -> AreaCounts:
    """Sum of the measure per polygon of the level, by the spatial join (the polygon the point is in)."""
    if level not in geography.JOIN_COLUMNS:
        raise ValueError(f"unknown level {level!r} (known: {', '.join(geography.JOIN_COLUMNS)})")
    weights = event_weights(filtered, measure)
    area = filtered[geography.JOIN_COLUMNS[level]].astype("str")
    placed = area.notna() & area.ne(geography.OUTSIDE)
    if level == "admin2":
        placed &= ~geography.cercle_unknown(filtered)
    sums = weights[placed].groupby(area[placed]).sum()
    areas = geography.boundaries(level).copy()
    areas["value"] = areas[level].map(sums).fillna(0).astype("int64")
    # A name the polygons do not have cannot come from the join; count it rather than lose it.
    unassigned = int(weights[~placed].sum()) + int(sums[~sums.index.isin(areas[level])].sum())
    return AreaCounts(areas, unassigned)
