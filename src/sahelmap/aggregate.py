"""What the events map draws when there are too many events for one marker each (pure, no folium).

Above ``DETAIL_LIMIT`` events the map shows square grid cells: non-overlapping polygons (each drawn a
little inside its square, so neighbours never touch) coloured on a sequential colour-blind-safe scale by
the user's measure (events or reported deaths). The cells get finer as the map zooms in, and once the
part of the map in view holds ``DETAIL_LIMIT`` events or fewer, those events are drawn one by one.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sahelmap import i18n, schema
from sahelmap.i18n import N_, _, ngettext

DETAIL_LIMIT = 500  # above this many events (in view), draw cells: an event's popup costs ~1.3 kB
# Cell side in degrees by map zoom: about 55 km at the country view down to about 7 km.
CELL_DEG_BY_ZOOM: dict[int, float] = {5: 0.5, 6: 0.25, 7: 0.25, 8: 0.125, 9: 0.0625}
MAX_CELLS = 800  # more cells than this (~330 bytes each): the squares double in size until fewer
WHOLE_MAP_ZOOM = 6  # up to this zoom the cells cover every filtered event (cached per filter)
VIEW_PADDING = 0.25  # the view's bounds widened by a quarter on each side: small pans show no gap
INSET = 0.04  # each cell is drawn 4% of its side inside its square
# ColorBrewer YlOrRd, 5 classes: sequential, readable with the common colour-vision deficiencies.
SCALE: tuple[str, ...] = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
ZERO_COLOR = "#eeeeee"  # nothing counted: a neutral grey, not the scale's lightest yellow
# The legend's title per measure, said in the current language where it is shown.
LEGEND_TITLES = {
    "events": N_("Events per square of about {km} km"),
    "deaths": N_("Reported deaths per square of about {km} km"),
}


@dataclass(frozen=True)
class Bounds:
    south: float
    west: float
    north: float
    east: float

    @classmethod
    def from_st_folium(cls, value: Any) -> Bounds | None:
        """st_folium's ``bounds`` ({"_southWest": {"lat", "lng"}, "_northEast": ...}), or None if unusable."""
        try:
            sw, ne = value["_southWest"], value["_northEast"]
            south, west, north, east = (
                float(sw["lat"]),
                float(sw["lng"]),
                float(ne["lat"]),
                float(ne["lng"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
        if not all(np.isfinite([south, west, north, east])) or south >= north or west >= east:
            return None
        return cls(south, west, north, east)

    def padded(self, share: float = VIEW_PADDING) -> Bounds:
        dy, dx = (self.north - self.south) * share, (self.east - self.west) * share
        return Bounds(self.south - dy, self.west - dx, self.north + dy, self.east + dx)

    def holds(self, events: pd.DataFrame) -> np.ndarray:
        lat, lon = events["latitude"].to_numpy(float), events["longitude"].to_numpy(float)
        return (lat >= self.south) & (lat <= self.north) & (lon >= self.west) & (lon <= self.east)

    def rounded(self, step: float = 0.05) -> Bounds:
        """Outward to a grid of ``step`` degrees, so nearby views share one cache entry."""
        return Bounds(
            float(np.floor(self.south / step) * step),
            float(np.floor(self.west / step) * step),
            float(np.ceil(self.north / step) * step),
            float(np.ceil(self.east / step) * step),
        )


@dataclass(frozen=True)
class Plan:
    """What the events map draws: ``mode`` "events" (one marker each) or "cells"; which events."""

    mode: str
    events: pd.DataFrame
    cell_deg: float = 0.0
    in_view: bool = False  # events: only those in (or near) the view; cells: only cells near the view


def cell_deg_for(zoom: int | None) -> float:
    zoom = 5 if zoom is None else int(zoom)
    return CELL_DEG_BY_ZOOM[min(max(zoom, min(CELL_DEG_BY_ZOOM)), max(CELL_DEG_BY_ZOOM))]


def plan(filtered: pd.DataFrame, bounds: Bounds | None, zoom: int | None, limit: int = DETAIL_LIMIT) -> Plan:
    """Single events when every filtered event, or every event near the view, fits under the limit;
    otherwise cells (of the whole filter up to WHOLE_MAP_ZOOM, of the padded view beyond)."""
    if len(filtered) <= limit:
        return Plan("events", filtered)
    near = filtered[bounds.padded().holds(filtered)] if bounds is not None else filtered
    if bounds is not None and len(near) <= limit:
        return Plan("events", near, in_view=True)
    if zoom is not None and zoom > WHOLE_MAP_ZOOM and bounds is not None:
        return Plan("cells", near, cell_deg_for(zoom), in_view=True)
    return Plan("cells", filtered, cell_deg_for(zoom))


def class_breaks(values: np.ndarray, classes: int = len(SCALE)) -> list[int]:
    """Upper bounds of up to ``classes`` classes of whole numbers (quantiles of the non-zero values,
    rounded up, made distinct); the last bound is the maximum."""
    positive = np.asarray(values, dtype=float)
    positive = positive[positive > 0]
    if positive.size == 0:
        return []
    qs = np.quantile(positive, np.linspace(0, 1, classes + 1)[1:])
    return sorted({int(np.ceil(q)) for q in qs})


def color_for(values: np.ndarray, breaks: list[int]) -> list[str]:
    """The scale's colour of each value (ZERO_COLOR for 0); the darkest colours go to the top classes."""
    values = np.asarray(values, dtype=float)
    offset = len(SCALE) - len(breaks)
    index = np.searchsorted(np.asarray(breaks, dtype=float), values, side="left")
    return [
        ZERO_COLOR if v <= 0 or not breaks else SCALE[offset + min(int(i), len(breaks) - 1)]
        for v, i in zip(values, index, strict=True)
    ]


def legend_rows(breaks: list[int], with_zero: bool = False) -> list[tuple[str, str]]:
    """(colour, "lo–hi") per class, as the legend shows them (a "0" row first with ``with_zero``)."""
    offset = len(SCALE) - len(breaks)
    rows: list[tuple[str, str]] = [(ZERO_COLOR, "0")] if with_zero else []
    low = 1
    for i, high in enumerate(breaks):
        shown = i18n.number(low) if low == high else f"{i18n.number(low)}–{i18n.number(high)}"
        rows.append((SCALE[offset + i], shown))
        low = high + 1
    return rows


def _cell_keys(events: pd.DataFrame, cell_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Each event's square as one int64 key that sorts as (row, col) do (row and column: the floor of
    degrees / cell_deg), and the squares' distinct keys in that order with each event's index into them.

    Hashing (pandas' factorize) and then sorting only the distinct keys: a sort of every event's key cost
    more than the rest of the counting at 100k events."""
    row = np.floor(events["latitude"].to_numpy(float) / cell_deg).astype("int64")
    col = np.floor(events["longitude"].to_numpy(float) / cell_deg).astype("int64")
    if not len(row):
        return row, row
    base_row, base_col = int(row.min()), int(col.min())
    width = int(col.max()) - base_col + 1
    codes, keys = pd.factorize((row - base_row) * width + (col - base_col))
    order = np.argsort(keys)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    squares = np.asarray(keys)[order]
    corner = np.stack([squares // width + base_row, squares % width + base_col])
    return corner, rank[codes]


def count_cells(events: pd.DataFrame, cell_deg: float) -> int:
    """How many squares of ``cell_deg`` hold events (what cells() would return, without summarising)."""
    corner, _inverse = _cell_keys(events, cell_deg)
    return corner.shape[-1] if len(events) else 0


def cells(events: pd.DataFrame, cell_deg: float) -> pd.DataFrame:
    """Events binned to squares of ``cell_deg``: south-west corner, events, deaths, first/last date and
    the commonest place per cell (ties: the first in table order).

    Counted on integer keys with numpy (a groupby over the place names took about 40 ms at 100k events).
    """
    corner, inverse = _cell_keys(events, cell_deg)
    n = corner.shape[-1] if len(events) else 0
    deaths = schema.counted_deaths(events["fatalities"]).to_numpy().astype(np.float64)
    dates = events["event_date"].to_numpy()
    first = np.full(n, np.iinfo(np.int64).max)
    last = np.full(n, np.iinfo(np.int64).min)
    np.minimum.at(first, inverse, dates.view("int64"))
    np.maximum.at(last, inverse, dates.view("int64"))
    # the commonest place of each square: count (square, place) pairs, the largest count first, ties to
    # the pair met first in table order (factorize numbers them in that order); no place name, no count
    places, names = pd.factorize(events["location"])
    named = places >= 0
    pair_codes, pairs = pd.factorize(inverse[named] * (len(names) + 1) + places[named])
    pairs = np.asarray(pairs)
    pair_n = np.bincount(pair_codes, minlength=len(pairs))
    pair_square = pairs // (len(names) + 1)
    best = np.lexsort((np.arange(len(pairs)), -pair_n, pair_square))
    if len(best):
        best = best[np.r_[True, pair_square[best][1:] != pair_square[best][:-1]]]
    place = np.full(n, np.nan, dtype=object)
    place[pair_square[best]] = np.asarray(names, dtype=object)[pairs[best] % (len(names) + 1)]
    summary = pd.DataFrame(
        {
            "row": corner[0] if n else np.zeros(0, "int64"),
            "col": corner[1] if n else np.zeros(0, "int64"),
            "events": np.bincount(inverse, minlength=n).astype("int64"),
            "deaths": np.rint(np.bincount(inverse, weights=deaths, minlength=n)).astype("int64"),
            "first": first.view(dates.dtype),
            "last": last.view(dates.dtype),
            "place": pd.array(place, dtype=events["location"].dtype),
        }
    )
    summary["south"] = summary["row"] * cell_deg
    summary["west"] = summary["col"] * cell_deg
    return summary


def cell_polygon(south: float, west: float, cell_deg: float) -> list[list[float]]:
    """The cell's ring (lon, lat), drawn INSET inside its square so no two cells touch."""
    m = cell_deg * INSET
    s, w = round(south + m, 5), round(west + m, 5)
    n, e = round(south + cell_deg - m, 5), round(west + cell_deg - m, 5)
    return [[w, s], [e, s], [e, n], [w, n], [w, s]]


def legend_title(measure: str, cell_deg: float) -> str:
    return _(LEGEND_TITLES[measure]).format(km=i18n.number(round(cell_deg * 111)))


@functools.lru_cache(maxsize=512)
def _month(year: int, month: int, lang: str) -> str:
    """A cell's month as the language writes it ("Feb 2012", "févr. 2012"), formatted once per month."""
    return i18n.month(dt.date(year, month, 1), lang)


def cell_tooltip(events: int, deaths: int, place: str, first: dt.date, last: dt.date) -> str:
    """A cell's tooltip (HTML, the place escaped): its events and deaths, its commonest place, its months."""
    lang = i18n.current()
    start, end = _month(first.year, first.month, lang), _month(last.year, last.month, lang)
    span = start if start == end else f"{start} – {end}"
    most = _("most at {place}").format(place=html.escape(place))
    return f"<b>{counts_text(events, deaths)}</b><br>{most}<br>{span}"


def events_text(n: int) -> str:
    """ "12 events", "12 événements"."""
    return ngettext("{n} event", "{n} events", n).format(n=i18n.number(n))


def deaths_text(n: int) -> str:
    """ "30 reported deaths", "30 morts signalés"."""
    return ngettext("{n} reported deaths", "{n} reported deaths", n).format(n=i18n.number(n))


def counts_text(events: int, deaths: int) -> str:
    """ "12 events, 30 reported deaths" (a cell's or an area's tooltip)."""
    return f"{events_text(events)}, {deaths_text(deaths)}"


def cell_features(
    events: pd.DataFrame, cell_deg: float, measure: str
) -> tuple[dict[str, Any], list[int], float]:
    """The cells as a FeatureCollection of polygons with colour and tooltip, the class breaks, and the
    cell size drawn (``cell_deg``, doubled until at most MAX_CELLS cells)."""
    while count_cells(events, cell_deg) > MAX_CELLS:
        cell_deg *= 2
    table = cells(events, cell_deg)
    values = table[measure].to_numpy()
    breaks = class_breaks(values)
    colors = color_for(values, breaks)
    features = []
    # plain Python values (rows of Timestamps cost more than the rest at 800 cells); months named once
    columns = ["events", "deaths", "place", "south", "west"]
    for (events_n, deaths_n, place, south, west), first, last, color in zip(
        zip(*(table[c].tolist() for c in columns), strict=True),
        table["first"].to_numpy().astype("datetime64[M]").astype(object),
        table["last"].to_numpy().astype("datetime64[M]").astype(object),
        colors,
        strict=True,
    ):
        tooltip = cell_tooltip(events_n, deaths_n, str(place), first, last)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [cell_polygon(south, west, cell_deg)]},
                "properties": {"color": color, "tooltip": tooltip},
            }
        )
    return {"type": "FeatureCollection", "features": features}, breaks, cell_deg
