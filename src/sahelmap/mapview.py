"""The map: a base that does not depend on the filters, and one layer that does.

The base (``base_map``): tiles, the outline of the country and its regions under everything, the focus
places labelled in a pane above the markers, a metric scale bar, a note that appears when the basemap
tiles fail, and Leaflet itself served from the Python environment (``OFFLINE_ASSETS``), so the map needs
no network but the tiles.

The layer (``layer_data`` -> ``LayerData``, plain data the app caches; ``layer_from_data`` -> folium):
single events (one GeoJson layer whose style and popup come from feature properties; measured in
BENCHMARKS.md, one folium CircleMarker per event costs ~1.6 s per 1,000 events, a GeoJson layer ~0.34 s
per 10,000), grid cells above the detail limit (aggregate.py), or a choropleth of regions or cercles
(choropleth.py). Each layer carries its own legend, so the legend always matches what is drawn.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import folium
import numpy as np
import pandas as pd
import xyzservices
from babel.dates import format_date
from branca.element import MacroElement, Template
from folium.plugins import MarkerCluster
from folium.utilities import JsCode

from sahelmap import aggregate, choropleth, geography, i18n, mapparams, schema
from sahelmap.aggregate import Bounds
from sahelmap.i18n import N_, _, ngettext
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
DETAIL_LIMIT = aggregate.DETAIL_LIMIT
MALI_CENTER = (17.0, -4.0)
ALL_OF_MALI = N_("All of Mali")  # the "Zoom to" choice that shows the whole country
MALI_ZOOM = mapparams.DEFAULT_ZOOM
PLACE_ZOOM = 10
BOUNDARY_CREDIT = N_("Boundaries © OCHA COD-AB, CC BY-IGO 3.0")  # in the map; the full citation beside it
BOUNDARY_CITATION = N_(
    "Boundaries: Mali administrative boundaries (COD-AB), © OCHA, CC BY-IGO 3.0, via the Humanitarian "
    "Data Exchange (simplified by sahelmap)"
)
BASEMAP_NOTE = N_(
    "Basemap unavailable (its tiles could not be loaded): the outline, places and events are drawn "
    "without it."
)
# A popup's day (Babel's patterns): "01 Jan 2022" in English as before, "1 janv. 2022" in French.
POPUP_DAY = {"en": "dd MMM y", "fr": "d MMM y"}
WEEK_OF = N_("week of {day}")  # ACLED time precision 2
REGION_ONLY = N_("located only to a region: the point is a stand-in, not the town")  # tooltip and legend

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


def popup_day(date: pd.Timestamp) -> str:
    lang = i18n.current()
    return format_date(date, POPUP_DAY.get(lang, POPUP_DAY["en"]), locale=lang)


def format_event_date(date: pd.Timestamp, precision: object) -> str:
    """The event's date as precisely as its source gives it: the day, its week, or only its month."""
    code = int(precision) if precision is not None and not pd.isna(precision) else 1  # type: ignore[call-overload]
    if code == 2:
        return _(WEEK_OF).format(day=popup_day(date))
    if code == 3:
        return format_date(date, "MMMM y", locale=i18n.current())
    return popup_day(date)


def data_label(value: object) -> str:
    """An event type, sub-type or precision word in the current language ("" when missing)."""
    return "" if value is None or pd.isna(value) else i18n.label(value)


def _line(label: str, value: str) -> str:
    return f"<b>{label}</b> {value}<br>" if value else ""


def popup_html(event: dict[str, Any]) -> str:
    """Everything a reader needs to judge one event; every value escaped."""
    date = format_event_date(event["event_date"], event.get("time_precision"))
    if pd.notna(event.get("end_date")) and event["end_date"] != event["event_date"]:
        date += " – " + popup_day(event["end_date"])
    actors = "; ".join(esc(event.get(c)) for c in schema.ACTOR_COLUMNS if esc(event.get(c)))
    place = ", ".join(
        x for x in (esc(event.get("location")), esc(event.get("admin2")), esc(event.get("admin1"))) if x
    )
    geo = event.get("geo_precision")
    if geo is not None and not pd.isna(geo) and int(geo) > 1:
        place += f" ({esc(data_label(schema.GEO_PRECISION[int(geo)]))})"
    deaths = event.get("fatalities")
    deaths_text = _("unknown") if deaths is None or pd.isna(deaths) else i18n.number(int(deaths))
    source = esc(event.get("source"))
    if pd.notna(event.get("source_date")):
        source += f", {esc(popup_day(event['source_date']))}"
    if esc(event.get("source_title")):
        source = _("{source}: “{title}”").format(source=source, title=esc(event.get("source_title")))
    url = safe_url(event.get("source_url"))
    if url:
        source = f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{source}</a>'
    parts = [
        f"<div class='sm-popup'><b>{esc(date)}</b><br>",
        f"{esc(data_label(event.get('event_type')))} / {esc(data_label(event.get('sub_event_type')))}<br>",
        _line(esc(_("Actors:")), actors),
        _line(esc(_("Place:")), place),
        _line(esc(_("Reported deaths:")), esc(deaths_text)),
        f"<i>{esc(event.get('notes'))}</i><br>" if esc(event.get("notes")) else "",
        _line(esc(_("Source:")), source),
        _line(esc(_("Also in:")), esc(event.get(schema.LINKED_EVENTS))),
        f"<small>{esc(event.get('dataset'))} · {esc(event.get('event_id'))}</small></div>",
    ]
    return "".join(parts)


def tooltip_text(event: dict[str, Any], region_only: bool = False) -> str:
    date = format_event_date(event["event_date"], event.get("time_precision"))
    where = str(event.get("location"))
    if region_only:
        where = _("{name} region").format(name=event.get("admin1")) + ", " + _(REGION_ONLY)
    return esc(f"{date} · {data_label(event.get('sub_event_type'))} · {where}")


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


# --- what the filtered layer draws, as plain data ------------------------------------------------


@dataclass(frozen=True)
class LegendSpec:
    """A legend's content: title, (colour, label) rows drawn as ``shape``, and notes; all plain text."""

    title: str
    rows: list[tuple[str, str]]
    shape: str = "circle"  # or "square"
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class LayerData:
    """One map layer as plain data (cacheable, picklable): what it is, its features and its legend."""

    kind: str  # "events", "cells" or "areas"
    data: dict[str, Any]
    legend: LegendSpec
    caption: str = ""  # what the page says under the map about what is drawn
    level: str = ""  # areas: admin1 or admin2

    @property
    def n_features(self) -> int:
        return len(self.data["features"])


EVENT_LEGEND_NOTES = [  # in English; event_legend() says them in the current language
    N_("Circle size: reported deaths"),
    f"Hollow ring: {REGION_ONLY}",
    N_("Grey bubbles: groups of nearby events (their number)"),
]


def event_legend() -> LegendSpec:
    """The events' legend in the current language (event types in ACLED's French labels in French)."""
    rows = [(color, i18n.label(label)) for label, color in EVENT_COLORS.items()]
    size, _ring, bubbles = EVENT_LEGEND_NOTES
    notes = [_(size), _("Hollow ring: {what}").format(what=_(REGION_ONLY)), _(bubbles)]
    return LegendSpec(_("Event type"), rows, "circle", notes)


def cell_legend(measure: str, cell_deg: float, breaks: list[int], with_zero: bool) -> LegendSpec:
    return LegendSpec(
        aggregate.legend_title(measure, cell_deg),
        aggregate.legend_rows(breaks, with_zero),
        "square",
        [_("Zoom in for single events")],
    )


def layer_data(
    filtered: pd.DataFrame,
    mode: str = "events",
    measure: str = "events",
    bounds: Bounds | None = None,
    zoom: int | None = None,
    detail_limit: int = DETAIL_LIMIT,
) -> LayerData:
    """What the filtered layer draws for a map mode (mapparams.MODES), measure and view."""
    if mode in mapparams.MODE_LEVEL:
        level = mapparams.MODE_LEVEL[mode]
        areas = choropleth.area_layer(filtered, level, measure)
        values = [f["properties"]["color"] == aggregate.ZERO_COLOR for f in areas.data["features"]]
        note = choropleth.unassigned_note(areas, level)
        legend = LegendSpec(
            _(choropleth.LEGEND_TITLES[measure, level]),
            aggregate.legend_rows(areas.breaks, any(values)),
            "square",
            [note] if note else [],
        )
        caption = _(choropleth.CAPTIONS[level]).format(n=i18n.number(len(areas.data["features"])))
        caption = _("{caption}; {note}.").format(caption=caption, note=note) if note else caption + "."
        if level == "admin1":
            caption += " " + _("Click a region to show only its events.")
        return LayerData("areas", areas.data, legend, caption, level)
    plan = aggregate.plan(filtered, bounds, zoom, detail_limit)
    if plan.mode == "events":
        caption = ""
        if plan.in_view:
            caption = ngettext(
                "Showing the {shown} event in and around the view ({total} in all); zoom out for squares.",
                "Showing the {shown} events in and around the view, one by one ({total} in all); zoom out "
                "for squares.",
                len(plan.events),
            ).format(shown=i18n.number(len(plan.events)), total=i18n.number(len(filtered)))
        return LayerData("events", event_features(plan.events), event_legend(), caption)
    data, breaks, cell_deg = aggregate.cell_features(plan.events, plan.cell_deg, measure)
    zeros = any(f["properties"]["color"] == aggregate.ZERO_COLOR for f in data["features"])
    if plan.in_view:
        caption = ngettext(
            "{n} event in and around the view is drawn as {squares} squares; zoom in until the view holds "
            "{limit} events or fewer, or narrow the filters, to see each event with its source.",
            "{n} events in and around the view are drawn as {squares} squares; zoom in until the view holds "
            "{limit} events or fewer, or narrow the filters, to see each event with its source.",
            len(plan.events),
        )
    else:
        caption = ngettext(
            "{n} event is drawn as {squares} squares; zoom in until the view holds {limit} events or fewer, "
            "or narrow the filters, to see each event with its source.",
            "{n} events are drawn as {squares} squares; zoom in until the view holds {limit} events or "
            "fewer, or narrow the filters, to see each event with its source.",
            len(plan.events),
        )
    caption = caption.format(
        n=i18n.number(len(plan.events)),
        squares=i18n.number(len(data["features"])),
        limit=i18n.number(detail_limit),
    )
    return LayerData("cells", data, cell_legend(measure, cell_deg, breaks, zeros), caption)


# --- folium --------------------------------------------------------------------------------------

# Polygons (cells, regions): colour and tooltip from properties, the tooltip escaped in Python.
_STYLE_POLYGON = JsCode(
    """
function(feature, layer) {
    layer.setStyle({color: "#555", weight: 0.6, fillColor: feature.properties.color, fillOpacity: 0.8});
    layer.bindTooltip(feature.properties.tooltip, {sticky: true});
}
"""
)


class LayerLegend(MacroElement):
    """The layer's legend as a Leaflet control (bottom right, stacked with the attribution), added and
    removed with its layer; a <details> box that starts closed on a narrow map (under 500 px)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function() {
    var group = {{ this._parent.get_name() }};
    var legend = L.control({position: "bottomright"});
    legend.onAdd = function(map) {
        var box = L.DomUtil.create("div", "sm-legend");
        box.innerHTML = {{ this.html|tojson }};
        box.querySelector("details").open = map.getSize().x >= 500;
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
    };
    group.on("add", function(e) { legend.addTo(e.target._map); });
    group.on("remove", function() { legend.remove(); });
})();
{% endmacro %}
"""
    )

    def __init__(self, spec: LegendSpec) -> None:
        super().__init__()
        self._name = "LayerLegend"
        self.html = legend_html(spec)


def legend_html(spec: LegendSpec) -> str:
    radius = "5px" if spec.shape == "circle" else "1px"
    rows = "".join(
        f"<div><span class='sm-key' style='background:{esc(color)};border-radius:{radius}'></span>"
        f"{esc(label)}</div>"
        for color, label in spec.rows
    )
    notes = "".join(f"<div class='sm-note'>{esc(n)}</div>" for n in [*spec.notes, _("★ focus place")])
    return f"<details open><summary>{esc(spec.title)}</summary>{rows}{notes}</details>"


@dataclass(frozen=True)
class EventLayer:
    group: folium.FeatureGroup
    mode: str  # "events", "cells" or "areas"
    n_features: int


def event_layer(events: pd.DataFrame, detail_limit: int = DETAIL_LIMIT, **view: Any) -> EventLayer:
    """The layer the app swaps when filters change (through st_folium's feature_group_to_add)."""
    return layer_from_data(layer_data(events, detail_limit=detail_limit, **view))


def layer_from_data(layer: LayerData) -> EventLayer:
    group = folium.FeatureGroup(name="Events", control=False)
    if layer.kind == "events":
        target: folium.Element = MarkerCluster(
            name="events", options={"maxClusterRadius": 30, "spiderfyOnMaxZoom": True}
        ).add_to(group)
        if layer.data["features"]:
            folium.GeoJson(
                layer.data,
                marker=folium.CircleMarker(radius=5),
                on_each_feature=_STYLE_AND_POPUP,
                name="events",
                control=False,
            ).add_to(target)
    elif layer.data["features"]:
        folium.GeoJson(
            layer.data,
            on_each_feature=_STYLE_POLYGON,
            name=layer.kind,
            control=False,
        ).add_to(group)
    group.add_child(LayerLegend(layer.legend))
    strip_assets(group)
    return EventLayer(group, layer.kind, layer.n_features)


# --- offline: Leaflet and its plugin from the Python environment ------------------------------------


@dataclass(frozen=True)
class AssetPackage:
    """Files one XStatic package ships: the map loads exactly these, in this order."""

    module: str
    js: tuple[str, ...]
    css: tuple[str, ...]

    @property
    def directory(self) -> Path:
        import importlib

        return Path(importlib.import_module(self.module).BASE_DIR)


OFFLINE_ASSETS: dict[str, AssetPackage] = {
    "leaflet": AssetPackage("xstatic.pkg.leaflet", ("leaflet.js",), ("leaflet.css",)),
    "markercluster": AssetPackage(
        "xstatic.pkg.leaflet_markercluster",
        ("leaflet.markercluster.js",),
        ("MarkerCluster.css", "MarkerCluster.Default.css"),
    ),
}


def asset_links(base_urls: dict[str, str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(js, css) links as folium lists them, given each package's base URL (ending in "/")."""
    js = [(f"{name}_{f}", base_urls[name] + f) for name, p in OFFLINE_ASSETS.items() for f in p.js]
    css = [(f"{name}_{f}", base_urls[name] + f) for name, p in OFFLINE_ASSETS.items() for f in p.css]
    return js, css


def strip_assets(element: folium.Element) -> None:
    """No CDN links from this element or anything in it (the map lists the local files once)."""
    for child in [element, *_descendants(element)]:
        if hasattr(child, "default_js"):
            setattr(child, "default_js", [])  # noqa: B010 (an instance attribute over the class's)
            setattr(child, "default_css", [])  # noqa: B010


def _descendants(element: folium.Element) -> list[folium.Element]:
    found = []
    for child in element._children.values():
        found += [child, *_descendants(child)]
    return found


# --- the base map --------------------------------------------------------------------------------

# Neutral cluster bubbles (colours are for event types), the legend, the labels and the note, in one
# stylesheet in the map's header.
MAP_CSS = """
<style>
.marker-cluster-small, .marker-cluster-medium, .marker-cluster-large {background-color: rgba(90,90,90,0.35);}
.marker-cluster-small div, .marker-cluster-medium div, .marker-cluster-large div {
  background-color: rgba(70,70,70,0.75); color: #fff; font-weight: bold;}
.sm-legend {background: rgba(255,255,255,0.94); padding: 4px 8px; border-radius: 4px; font: 12px sans-serif;
  box-shadow: 0 0 4px rgba(0,0,0,0.3); max-width: 230px;}
.sm-legend summary {font-weight: bold; cursor: pointer;}
.sm-legend .sm-key {display: inline-block; width: 11px; height: 11px; border: 1px solid #333;
  margin-right: 5px; vertical-align: -1px;}
.sm-legend .sm-note {color: #444; margin-top: 2px;}
.sm-basemap-note {background: rgba(255,248,220,0.95); border: 1px solid #c9a227; padding: 3px 8px;
  border-radius: 4px; font: 12px sans-serif; max-width: min(320px, 55vw);}
.leaflet-labels-pane {pointer-events: none;}
.leaflet-control-attribution {max-width: 62%;}
.leaflet-control-scale {margin-bottom: 6px;}
</style>
"""


class MapExtras(MacroElement):
    """A metric scale bar (bottom left, clear of the legend), the boundaries' citation in the
    attribution, and a note shown inside the map while the basemap's tiles fail to load."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function() {
    var map = {{ this._parent.get_name() }};
    L.control.scale({imperial: false, metric: true, position: "bottomleft"}).addTo(map);
    map.attributionControl.addAttribution({{ this.citation|tojson }});
    var note = L.control({position: "topright"});
    note.onAdd = function() {
        var box = L.DomUtil.create("div", "sm-basemap-note");
        box.textContent = {{ this.note|tojson }};
        box.style.display = "none";
        return box;
    };
    note.addTo(map);
    var failed = 0;
    map.eachLayer(function(layer) {
        if (!(layer instanceof L.TileLayer)) { return; }
        layer.on("loading", function() { failed = 0; });
        layer.on("tileerror", function() { failed += 1; note.getContainer().style.display = "block"; });
        layer.on("load", function() { if (failed === 0) { note.getContainer().style.display = "none"; } });
    });
})();
{% endmacro %}
"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "MapExtras"
        self.citation = esc(_(BOUNDARY_CREDIT))
        self.note = _(BASEMAP_NOTE)


_OUTLINE_STYLE = JsCode(
    """
function(feature, layer) {
    var country = feature.properties.kind === "country";
    layer.setStyle({color: country ? "#444" : "#777", weight: country ? 1.6 : 0.9, opacity: 0.8,
                    dashArray: country ? null : "4 3", fill: false});
}
"""
)


@functools.cache
def _tile_provider(name: str) -> xyzservices.TileProvider:
    """The basemap's tile provider, looked up once: folium given a name searches xyzservices' whole
    catalogue on every map (about 4 ms a rerun)."""
    return xyzservices.providers.query_name("OpenStreetMap Mapnik" if name == "OpenStreetMap" else name)


def base_map(
    basemap: str = mapparams.DEFAULT_BASEMAP,
    places: pd.DataFrame | None = None,
    asset_urls: dict[str, str] | None = None,
) -> folium.Map:
    """The part of the map that does not depend on the filters: tiles, outline, focus places, scale bar.

    ``asset_urls`` (package name -> base URL) makes the map load Leaflet and its plugin from there
    (the app serves them from the Python environment) and nothing else; without it, folium's defaults.
    """
    tiles = mapparams.BASEMAPS.get(basemap, mapparams.BASEMAPS[mapparams.DEFAULT_BASEMAP])[1]
    fmap = folium.Map(
        location=MALI_CENTER, zoom_start=MALI_ZOOM, tiles=_tile_provider(tiles), control_scale=False
    )
    folium.map.CustomPane("outline", z_index=350, pointer_events=False).add_to(fmap)
    folium.map.CustomPane("labels", z_index=640, pointer_events=False).add_to(fmap)
    folium.GeoJson(
        geography.outline_geojson(),
        name="outline",
        on_each_feature=_OUTLINE_STYLE,
        control=False,
        pane="outline",
        interactive=False,
    ).add_to(fmap)
    if places is not None:
        focus = folium.FeatureGroup(name="Focus places", control=False)
        for place in places.itertuples(index=False):
            folium.Marker(
                [float(place.latitude), float(place.longitude)],
                icon=folium.DivIcon(
                    html=f"<div class='sm-focus' title='{esc(i18n.label(place.name))}' style='font:bold "
                    "12px sans-serif;color:#111;white-space:nowrap;text-shadow:0 0 3px #fff,0 0 3px #fff'>"
                    f"&#9733; {esc(i18n.label(place.name))}</div>",
                    icon_size=(120, 16),
                    icon_anchor=(6, 8),
                ),
                pane="labels",
                interactive=False,
            ).add_to(focus)
        focus.add_to(fmap)
    fmap.add_child(MapExtras())
    root: Any = fmap.get_root()
    root.header.add_child(folium.Element(MAP_CSS), name="sahelmap_css")
    if asset_urls is not None:
        strip_assets(fmap)
        fmap.default_js, fmap.default_css = asset_links(asset_urls)
    else:  # folium's CDN links, plus the cluster plugin's (layers list none of their own)
        fmap.default_js = [*folium.Map.default_js, *MarkerCluster.default_js]
        fmap.default_css = [*folium.Map.default_css, *MarkerCluster.default_css]
    return fmap


def region_view(region: str, width_px: int = 900, height_px: int = 520) -> tuple[tuple[float, float], int]:
    """Centre and zoom that show one admin-1 polygon whole on a map of about this size (Web Mercator:
    the world is 256 * 2**zoom pixels wide; near the equator a degree of latitude is about as tall)."""
    south, west, north, east = geography.region_bounds()[region]
    fits = [
        np.log2(pixels * 360 / (256 * max(span, 0.05)))
        for pixels, span in ((width_px, east - west), (height_px, north - south))
    ]
    zoom = int(np.clip(np.floor(min(fits)), MALI_ZOOM, PLACE_ZOOM))
    return ((south + north) / 2, (west + east) / 2), zoom


def view_key(
    n_filtered: int, mode: str, bounds: Bounds | None, zoom: int | None, detail_limit: int = DETAIL_LIMIT
) -> tuple[Bounds | None, int | None]:
    """The part of the map's view the layer depends on (for caching): nothing unless the events mode
    has more events than the detail limit; then the view's bounds (rounded outward) and zoom."""
    if mode != "events" or n_filtered <= detail_limit or bounds is None:
        return None, None
    return bounds.rounded(), zoom


def view_target(
    spec_places: tuple[str, ...],
    spec_regions: tuple[str, ...],
    zoom_to: str | None,
    places: pd.DataFrame,
    url_zoom: int | None,
) -> tuple[tuple[float, float], int]:
    """Where the map looks: the place chosen in "Zoom to", else the one region or the one place the
    filters name, else all of Mali (at the link's zoom, if it gave one)."""

    def place_view(name: str) -> tuple[tuple[float, float], int]:
        row = places[places["name"] == name].iloc[0]
        return (float(row["latitude"]), float(row["longitude"])), PLACE_ZOOM

    if zoom_to in set(places["name"]):
        return place_view(str(zoom_to))
    if len(spec_regions) == 1 and spec_regions[0] in geography.region_bounds():
        return region_view(spec_regions[0])
    named = [p for p in spec_places if p in set(places["name"])]
    if len(named) == 1:
        return place_view(named[0])
    return MALI_CENTER, url_zoom or MALI_ZOOM
