"""The map's own URL parameters: how the map is shown, not which events (so not in FilterSpec).

``zoom`` (a Leaflet zoom level), ``basemap``, ``mapmode`` (events, regions, cercles) and ``measure``
(events or deaths) are read with the same care as the filters: an invalid value is left at its default
and named in a notice. The page and ``sahelmap export --query`` split a query string with ``split`` so
that a link copied from the browser works in both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sahelmap.i18n import N_, _
from sahelmap.text import slug

MIN_ZOOM, MAX_ZOOM = 4, 16
DEFAULT_ZOOM = 5
# Basemaps that need no API key (CARTO's now do): URL value -> (label, folium's tile name).
BASEMAPS: dict[str, tuple[str, str]] = {
    "grey": (N_("Light grey (Esri)"), "Esri.WorldGrayCanvas"),
    "osm": ("OpenStreetMap", "OpenStreetMap"),
    "satellite": (N_("Satellite (Esri)"), "Esri.WorldImagery"),
}
DEFAULT_BASEMAP = "grey"
MODES: dict[str, str] = {"events": N_("Events"), "regions": N_("Regions"), "cercles": N_("Cercles")}
MODE_LEVEL: dict[str, str] = {"regions": "admin1", "cercles": "admin2"}
MEASURES: dict[str, str] = {"events": N_("Events"), "deaths": N_("Reported deaths")}
KEYS: tuple[str, ...] = ("zoom", "basemap", "mapmode", "measure")


@dataclass(frozen=True)
class MapView:
    """How the map is shown; every field at its default adds nothing to the URL."""

    zoom: int | None = None  # None: the map's own choice (all of Mali, or the chosen place)
    basemap: str = DEFAULT_BASEMAP
    mode: str = "events"
    measure: str = "events"

    def with_zoom(self, zoom: object) -> MapView:
        """The view with the map's reported zoom (ignored unless a whole number in range)."""
        if isinstance(zoom, int | float) and float(zoom).is_integer() and MIN_ZOOM <= zoom <= MAX_ZOOM:
            return replace(self, zoom=int(zoom))
        return self


P = TypeVar("P")


def split(params: Mapping[str, P]) -> tuple[dict[str, P], dict[str, P]]:
    """(the filters' parameters, the map's parameters)."""
    filters = {k: v for k, v in params.items() if k not in KEYS}
    return filters, {k: v for k, v in params.items() if k in KEYS}


def _one(raw: object) -> str:
    items = raw if isinstance(raw, list) else [raw]
    return str(items[-1]).strip() if items else ""


def _choice(value: str, known: Mapping[str, Any], key: str) -> str:
    found = slug(value)
    if found not in known:
        raise ValueError(
            _("'{key}': {value} is not one of {known}").format(
                key=key, value=repr(value[:40]), known=", ".join(known)
            )
        )
    return found


def parse(params: Mapping[str, object]) -> tuple[MapView, list[str]]:
    """The map's parameters (others are ignored) -> MapView and notices for the values left out."""
    view, notices = MapView(), []
    for key in KEYS:
        if key not in params:
            continue
        value = _one(params[key])
        try:
            if key == "zoom":
                if not re.fullmatch(r"[0-9]{1,2}", value) or not MIN_ZOOM <= int(value) <= MAX_ZOOM:
                    raise ValueError(
                        _("'zoom': {value} is not a whole number from {least} to {most}").format(
                            value=repr(value[:40]), least=MIN_ZOOM, most=MAX_ZOOM
                        )
                    )
                view = replace(view, zoom=int(value))
            elif key == "basemap":
                view = replace(view, basemap=_choice(value, BASEMAPS, key))
            elif key == "mapmode":
                view = replace(view, mode=_choice(value, MODES, key))
            else:
                view = replace(view, measure=_choice(value, MEASURES, key))
        except ValueError as error:
            notices.append(_("ignored parameter {problem}").format(problem=error))
    return view, notices


def to_query(view: MapView) -> dict[str, str]:
    """MapView -> URL parameters, defaults left out."""
    default = MapView()
    query = {"zoom": str(view.zoom) if view.zoom is not None else None}
    query |= {"basemap": view.basemap, "mapmode": view.mode, "measure": view.measure}
    return {
        key: value
        for key, value in query.items()
        if value is not None and value != str(getattr(default, "mode" if key == "mapmode" else key))
    }


def widget_defaults() -> dict[str, str]:
    """The page's map widgets (by key) at the values a plain link starts with."""
    view = MapView()
    return {"w_basemap": view.basemap, "w_mapmode": view.mode, "w_measure": view.measure}
