"""Events or deaths per region or cercle, for a choropleth whose totals equal the KPIs."""

from __future__ import annotations

import html
from typing import Any, NamedTuple

import geopandas as gpd
import pandas as pd
import shapely.geometry

from sahelmap import aggregate, geography
from sahelmap.i18n import N_, _, ngettext

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


# What the page says about a level, whole sentences per level (French nouns have genders: "une région",
# "un cercle"), translated where they are shown.
LEVEL_NAME = {"admin1": N_("region"), "admin2": N_("cercle")}
LEGEND_TITLES = {
    ("events", "admin1"): N_("Events per region"),
    ("deaths", "admin1"): N_("Reported deaths per region"),
    ("events", "admin2"): N_("Events per cercle"),
    ("deaths", "admin2"): N_("Reported deaths per cercle"),
}
CAPTIONS = {
    "admin1": N_("Events and reported deaths per region (all {n} regions)"),
    "admin2": N_("Events and reported deaths per cercle (all {n} cercles)"),
}


class AreaLayer(NamedTuple):
    """What a choropleth draws: polygons with colour and tooltip, the class breaks of the measure, and
    the events and deaths the polygons do not hold (both always, whatever the measure)."""

    data: dict[str, Any]
    breaks: list[int]
    unassigned_events: int
    unassigned_deaths: int


def area_layer(filtered: pd.DataFrame, level: str = "admin1", measure: str = "events") -> AreaLayer:
    """Every polygon of the level (simplified for drawing) with its events and deaths under the filter,
    coloured by the measure; a feature's `unit` names it for a click."""
    by_events = counts_by_area(filtered, level, "events")
    by_deaths = counts_by_area(filtered, level, "deaths")
    values = (by_events if measure == "events" else by_deaths).areas["value"].to_numpy()
    breaks = aggregate.class_breaks(values)
    colors = aggregate.color_for(values, breaks)
    shapes = geography.drawn(level).set_index(level).geometry
    level_name = _(LEVEL_NAME[level])
    features = []
    for i, (unit, n_events, n_deaths) in enumerate(
        zip(by_events.areas[level], by_events.areas["value"], by_deaths.areas["value"], strict=True)
    ):
        name = geography.region_labels().get(unit, unit) if level == "admin1" else unit
        counts = aggregate.counts_text(int(n_events), int(n_deaths))
        tooltip = f"<b>{html.escape(str(name))}</b> ({level_name})<br>{counts}"
        features.append(
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(shapes[unit]),
                "properties": {
                    "unit": str(unit),
                    "level": level,
                    "events": int(n_events),
                    "deaths": int(n_deaths),
                    "color": colors[i],
                    "tooltip": tooltip,
                },
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    return AreaLayer(collection, breaks, by_events.unassigned, by_deaths.unassigned)


def unassigned_note(layer: AreaLayer, level: str) -> str:
    """What the polygons leave out, in words ("" when nothing)."""
    n = layer.unassigned_events
    if not n:
        return ""
    if level == "admin2":
        sentence = ngettext(
            "{events} ({deaths}) not assigned to a cercle (no point, outside Mali, or located only to a "
            "region)",
            "{events} ({deaths}) not assigned to a cercle (no point, outside Mali, or located only to a "
            "region)",
            n,
        )
    else:
        sentence = ngettext(
            "{events} ({deaths}) not assigned to a region (no point, outside Mali)",
            "{events} ({deaths}) not assigned to a region (no point, outside Mali)",
            n,
        )
    return sentence.format(
        events=aggregate.events_text(n), deaths=aggregate.deaths_text(layer.unassigned_deaths)
    )


def click_filter(value: object, before: object, level: str) -> tuple[str, str] | None:
    """st_folium's returned value after an interaction -> (filter name, value) to set, or None.

    A click is new when ``last_object_clicked`` (where it happened) differs from the value before;
    ``last_active_drawing`` is then the clicked feature. Only a polygon of ``level`` from
    ``area_layer`` counts: a zoom, a pan or a click on anything else changes nothing.
    """
    if not isinstance(value, dict) or not level or level not in CLICK_FILTERS:
        return None
    clicked = value.get("last_object_clicked")
    if clicked is None or (isinstance(before, dict) and before.get("last_object_clicked") == clicked):
        return None
    drawing = value.get("last_active_drawing")
    properties = drawing.get("properties") if isinstance(drawing, dict) else None
    if not isinstance(properties, dict) or properties.get("level") != level:
        return None
    unit = properties.get("unit")
    if not isinstance(unit, str) or unit not in set(geography.boundaries(level)[level].astype(str)):
        return None
    return (CLICK_FILTERS[level], unit)


# The filter a click on a polygon of each level sets (a registry filter on the join's column).
CLICK_FILTERS: dict[str, str] = {"admin1": "focus_region"}
