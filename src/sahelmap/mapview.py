"""Folium layers from a filtered frame: per-event circles with escaped popups, or a grid aggregate.

Measured on this project's machine (BENCHMARKS.md): one folium CircleMarker per event costs ~1.6 s per 1,000
events, a GeoJson layer fed a hand-built FeatureCollection ~0.34 s per 10,000. So events become one
GeoJson layer whose style and popup come from feature properties, and above DETAIL_LIMIT events the
map shows grid cells (counts and deaths per cell) so the payload stays small at any N.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement, Template
from folium.plugins import MarkerCluster
from folium.utilities import JsCode

from sahelmap import geography, schema
from sahelmap.text import is_http_url

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
EVENT_COLORS: dict[str, str] = {
    "Battles": "#D55E00",
    "Explosions/Remote violence": "#E69F00",
    "Violence against civilians": "#0072B2",
    "Protests": "#009E73",
    "Riots": "#CC79A7",
    "Strategic developments": "#56B4E9",
}
UNKNOWN_COLOR = "#666666"
DETAIL_LIMIT = 500  # above this many events, draw grid cells: popups cost ~1.3 kB each
GRID_CELL_DEG = 0.25  # ~27 km: finer than a cercle, coarse enough to bound the payload
MALI_CENTER = (17.0, -4.0)
MALI_ZOOM = 5
PLACE_ZOOM = 10
# Basemaps that need no API key (CARTO's now do).
BASEMAPS: dict[str, str] = {
    "Light grey (Esri)": "Esri.WorldGrayCanvas",
    "OpenStreetMap": "OpenStreetMap",
    "Satellite (Esri)": "Esri.WorldImagery",
}
PRECISION_DATE_FORMAT = {1: "%d %b %Y", 2: "week of %d %b %Y", 3: "%B %Y"}
REGION_ONLY = "located only to a region: the point is a stand-in, not the town"  # tooltip and legend

# Style and popup come from each feature's properties; the popup HTML was escaped in Python.
_STYLE_AND_POPUP = JsCode(
    """
function(feature, layer) {
    var p = feature.properties;
    if (layer.setStyle) {
        // An event located only to a region is a hollow ring: its point is a stand-in, not the town.
        layer.setStyle(p.hollow
            ? {color: p.color, weight: 2.5, fill: true, fillColor: p.color, fillOpacity: 0}
            : {color: "#222", weight: 0.6, fill: true, fillColor: p.color, fillOpacity: 0.75});
        layer.setRadius(p.radius);
    }
    layer.bindPopup(p.popup, {maxWidth: 380});
    layer.bindTooltip(p.tooltip);
}
"""
)


def esc(value: object) -> str:
    """HTML-escape anything, treating missing values as empty."""
    return "" if pd.isna(value) else html.escape(str(value), quote=True)


def safe_url(url: object) -> str | None:
    """The URL if it is an http(s) link (never javascript: or data:), else None."""
    text = "" if pd.isna(url) else str(url).strip()
    return text if is_http_url(text) else None


def radius_for(fatalities: pd.Series) -> np.ndarray:
    """Area grows with deaths; unknown or zero deaths get the smallest circle."""
    deaths = schema.counted_deaths(fatalities).to_numpy(dtype=float)
    return np.clip(4 + 2.2 * np.sqrt(deaths), 4, 26).round(1)


def format_event_date(date: pd.Timestamp, precision: object) -> str:
    code = int(precision) if precision is not None and not pd.isna(precision) else 1  # type: ignore[call-overload]
    return date.strftime(PRECISION_DATE_FORMAT.get(code, "%d %b %Y"))


def _line(label: str, value: str) -> str:
    return f"<b>{label}</b> {value}<br>" if value else ""


def popup_html(event: dict[str, Any]) -> str:
    """Everything a reader needs to judge one event; every value escaped."""
    date = format_event_date(event["event_date"], event.get("time_precision"))
    if pd.notna(event.get("end_date")) and event["end_date"] != event["event_date"]:
        date += " – " + event["end_date"].strftime("%d %b %Y")
    actors = "; ".join(esc(event.get(c)) for c in schema.ACTOR_COLUMNS if esc(event.get(c)))
    place = ", ".join(
        x for x in (esc(event.get("location")), esc(event.get("admin2")), esc(event.get("admin1"))) if x
    )
    geo = event.get("geo_precision")
    if geo is not None and not pd.isna(geo) and int(geo) > 1:
        place += f" ({esc(schema.GEO_PRECISION[int(geo)])})"
    deaths = event.get("fatalities")
    deaths_text = "unknown" if deaths is None or pd.isna(deaths) else f"{int(deaths):,}"
    source = esc(event.get("source"))
    if pd.notna(event.get("source_date")):
        source += f", {event['source_date']:%d %b %Y}"
    if esc(event.get("source_title")):
        source += f": “{esc(event.get('source_title'))}”"
    url = safe_url(event.get("source_url"))
    if url:
        source = f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{source}</a>'
    parts = [
        f"<div class='sm-popup'><b>{esc(date)}</b><br>",
        f"{esc(event.get('event_type'))} / {esc(event.get('sub_event_type'))}<br>",
        _line("Actors:", actors),
        _line("Place:", place),
        _line("Reported deaths:", esc(deaths_text)),
        f"<i>{esc(event.get('notes'))}</i><br>" if esc(event.get("notes")) else "",
        _line("Source:", source),
        _line("Also in:", esc(event.get(schema.LINKED_EVENTS))),
        f"<small>{esc(event.get('dataset'))} · {esc(event.get('event_id'))}</small></div>",
    ]
    return "".join(parts)


def tooltip_text(event: dict[str, Any], region_only: bool = False) -> str:
    date = format_event_date(event["event_date"], event.get("time_precision"))
    where = f"{event.get('admin1')} region, {REGION_ONLY}" if region_only else event.get("location")
    return esc(f"{date} · {event.get('sub_event_type')} · {where}")


def event_features(events: pd.DataFrame) -> dict[str, Any]:
    """A GeoJSON FeatureCollection built by hand: one point per event, style and popup in properties."""
    colors = events["event_type"].astype("str").map(EVENT_COLORS).fillna(UNKNOWN_COLOR).to_numpy()
    radii = radius_for(events["fatalities"])
    hollow = geography.cercle_unknown(events).to_numpy()
    records = events.to_dict("records")
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(e["longitude"], 5), round(e["latitude"], 5)]},
            "properties": {
                "id": str(e["event_id"]),
                "color": colors[i],
                "radius": float(radii[i]),
                "hollow": bool(hollow[i]),
                "popup": popup_html(e),
                "tooltip": tooltip_text(e, bool(hollow[i])),
            },
        }
        for i, e in enumerate(records)
    ]
    return {"type": "FeatureCollection", "features": features}


def grid_cells(events: pd.DataFrame, cell_deg: float = GRID_CELL_DEG) -> pd.DataFrame:
    """Events binned to square cells: count, deaths and the commonest event type per cell."""
    cells = events.assign(
        cell_lat=(np.floor(events["latitude"] / cell_deg) + 0.5) * cell_deg,
        cell_lon=(np.floor(events["longitude"] / cell_deg) + 0.5) * cell_deg,
        deaths=schema.counted_deaths(events["fatalities"]),
        event_type=events["event_type"].astype("str"),
    )
    keys = ["cell_lat", "cell_lon"]
    by_type = cells.groupby([*keys, "event_type"], observed=True).size().rename("n").reset_index()
    top = by_type.sort_values("n", ascending=False, kind="stable").drop_duplicates(keys)
    summary = cells.groupby(keys).agg(
        events=("event_id", "size"),
        deaths=("deaths", "sum"),
        first=("event_date", "min"),
        last=("event_date", "max"),
    )
    # The place named in a cell's label: its commonest location (vectorised: a per-cell lambda is slow).
    by_place = cells.groupby([*keys, "location"], observed=True).size().rename("n").reset_index()
    place = by_place.sort_values("n", ascending=False, kind="stable").drop_duplicates(keys)
    summary = summary.join(place.set_index(keys)["location"].rename("place"))
    mix = (
        by_type.assign(text=by_type["event_type"] + " " + by_type["n"].astype(str))
        .groupby(keys)["text"]
        .agg(", ".join)
    )
    return (
        summary.join(top.set_index(keys)["event_type"].rename("top_type"))
        .join(mix.rename("mix"))
        .reset_index()
    )


def grid_features(events: pd.DataFrame, cell_deg: float = GRID_CELL_DEG) -> dict[str, Any]:
    cells = grid_cells(events, cell_deg)
    features = []
    for c in cells.itertuples(index=False):
        label = f"{c.events:,} events, {int(c.deaths):,} reported deaths around {c.place}"
        popup = (
            f"<div class='sm-popup'><b>{esc(label)}</b><br>{esc(c.first.strftime('%b %Y'))} – "
            f"{esc(c.last.strftime('%b %Y'))}<br>{esc(c.mix)}<br>"
            "<small>Zoom in or narrow the filters to see single events.</small></div>"
        )
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(c.cell_lon, 4), round(c.cell_lat, 4)]},
                "properties": {
                    "color": EVENT_COLORS.get(c.top_type, UNKNOWN_COLOR),
                    "radius": round(min(30.0, 4 + 3 * math.log1p(c.events)), 1),
                    "popup": popup,
                    "tooltip": esc(label),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


@dataclass(frozen=True)
class EventLayer:
    group: folium.FeatureGroup
    mode: str  # "events" or "grid"
    n_features: int


def layer_data(events: pd.DataFrame, detail_limit: int = DETAIL_LIMIT) -> tuple[str, dict[str, Any]]:
    """What the event layer draws: ("events", one feature per event) or ("grid", one per cell).

    Plain data, so the app can cache it per filter; building it is most of a layer's cost.
    """
    if len(events) <= detail_limit:
        return "events", event_features(events)
    return "grid", grid_features(events)


def event_layer(events: pd.DataFrame, detail_limit: int = DETAIL_LIMIT) -> EventLayer:
    """The layer the app swaps when filters change (through st_folium's feature_group_to_add)."""
    return layer_from_data(*layer_data(events, detail_limit))


def layer_from_data(mode: str, data: dict[str, Any]) -> EventLayer:
    group = folium.FeatureGroup(name="Events", control=False)
    if mode == "events":
        target: folium.Element = MarkerCluster(
            name="events", options={"maxClusterRadius": 30, "spiderfyOnMaxZoom": True}
        ).add_to(group)
    else:
        target = group
    if data["features"]:
        folium.GeoJson(
            data,
            marker=folium.CircleMarker(radius=5),
            on_each_feature=_STYLE_AND_POPUP,
            name="events",
            control=False,
        ).add_to(target)
    return EventLayer(group, mode, len(data["features"]))


class Legend(MacroElement):
    """The colour key, drawn as a fixed box on the map (our own static text)."""

    _template = Template(
        """
{% macro html(this, kwargs) %}
<div style="position: absolute; bottom: 24px; left: 10px; z-index: 9999; background: rgba(255,255,255,0.92);
 padding: 6px 8px; border-radius: 4px; font: 12px sans-serif; box-shadow: 0 0 4px rgba(0,0,0,0.3);">
<b>Event type</b><br>
{% for label, color in this.items %}
<span style="display:inline-block;width:10px;height:10px;border-radius:5px;background:{{ color }};
 border:1px solid #222;"></span> {{ label }}<br>
{% endfor %}
<span style="color:#444">Circle size: reported deaths</span><br>
<span style="display:inline-block;width:10px;height:10px;border-radius:5px;border:2px solid #444;"></span>
<span style="color:#444">hollow: located only to a region, not at the town it is drawn on</span><br>
<span style="color:#444">&#9733; focus place</span>
</div>
{% endmacro %}
"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "Legend"
        self.items = [(esc(k), v) for k, v in EVENT_COLORS.items()]


def base_map(basemap: str = "Light grey (Esri)", places: pd.DataFrame | None = None) -> folium.Map:
    """The part of the map that does not depend on the filters: tiles, focus places, legend."""
    tiles = BASEMAPS.get(basemap, BASEMAPS["Light grey (Esri)"])
    fmap = folium.Map(location=MALI_CENTER, zoom_start=MALI_ZOOM, tiles=tiles, control_scale=True)
    if places is not None:
        focus = folium.FeatureGroup(name="Focus places", control=False)
        for place in places.itertuples(index=False):
            folium.Marker(
                [float(place.latitude), float(place.longitude)],
                tooltip=esc(place.name),
                icon=folium.DivIcon(
                    html=f"<div class='sm-focus' title='{esc(place.name)}' style='font:bold 12px "
                    "sans-serif;color:#111;white-space:nowrap;text-shadow:0 0 3px #fff'>"
                    f"&#9733; {esc(place.name)}</div>",
                    icon_size=(120, 16),
                    icon_anchor=(6, 8),
                ),
            ).add_to(focus)
        focus.add_to(fmap)
    fmap.add_child(Legend())
    return fmap
