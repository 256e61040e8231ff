"""A view of the table as the app shows it: the filtered rows, their description, file name and sources.

The app's download buttons and `sahelmap export` both build their files from a View, so the same
query string gives the same extract in both.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

import numpy as np
import pandas as pd

from sahelmap import compare, export, filters, i18n, mapparams, provenance, schema
from sahelmap.events import EventTable
from sahelmap.filters import Choices, FilterSpec


@dataclass(frozen=True, eq=False)
class View:
    """One FilterSpec over a table. The selected rows are copied only when asked for (``filtered``):
    the page reads them through ``positions`` and builds its elements from the columns each needs."""

    spec: FilterSpec
    events: pd.DataFrame  # the whole table, shared, never changed
    positions: np.ndarray  # row positions of the selected events, in table order
    description: str
    stem: str
    attributions: list[str]
    query: str
    datasets: tuple[str, ...] = ()  # the datasets the selected events come from

    @functools.cached_property
    def filtered(self) -> pd.DataFrame:
        """The selected rows (a copy, with the table's index labels): for downloads and the CLI."""
        return self.events.iloc[self.positions]

    def extract(self, fmt: str, generated: dt.datetime | None = None) -> bytes:
        return export.extract_bytes(
            self.filtered,
            fmt,
            stem=self.stem,
            description=self.description,
            attributions=self.attributions,
            query=self.query,
            generated=generated or dt.datetime.now(dt.UTC),
        )


def view_of(table: EventTable, spec: FilterSpec, positions: np.ndarray | None = None) -> View:
    """The view of ``spec``; ``positions`` when the caller already has them (the page caches them)."""
    events = table.events
    if positions is None:
        positions = np.flatnonzero(filters.mask(events, spec))
    deaths = schema.total_deaths(events["fatalities"].take(positions))
    codes = events["dataset"].cat.codes.to_numpy()[positions]
    categories = events["dataset"].cat.categories
    datasets = sorted(str(categories[c]) for c in np.unique(codes) if c >= 0)
    data_range = (table.choices.first, table.choices.last) if len(events) else None
    return View(
        spec=spec,
        events=events,
        positions=positions,
        description=filters.describe(spec, len(positions), deaths, data_range, table.choices),
        stem=filters.file_stem(spec),
        attributions=export.attribution_for(datasets, table.formats),
        query=urlencode(filters.to_query(spec, table.choices)),
        datasets=tuple(datasets),
    )


def spec_from_query_string(
    query: str, table: EventTable, strict: bool = True
) -> tuple[FilterSpec, list[str]]:
    """Exactly what the app's URL carries after '?' -> FilterSpec (strict: an invalid parameter raises).

    The map's own parameters (zoom, basemap, map mode, measure) choose no events and are left out."""
    params: Mapping[str, list[str]] = parse_qs(query.lstrip("?"), keep_blank_values=True)
    not_map, _ = mapparams.split(params)  # the map's zoom, basemap and mode filter nothing
    filter_params, _ = provenance.split_params(not_map)  # nor the datasets a link was made with
    return filters.parse_query(filter_params, table.choices, strict=strict)


@dataclass(frozen=True)
class Link:
    """What a page link asks for: the filters, the map's view, a comparison, and what the recipient is told
    about the values left out and the data it was made with (in the current language)."""

    spec: FilterSpec
    map_view: mapparams.MapView
    request: compare.Request | None
    notices: list[str]


def read_link(params: Mapping[str, list[str]], choices: Choices, loaded: Mapping[str, int]) -> Link:
    """The page's URL parameters -> Link. ``loaded``: events per dataset loaded here (provenance).

    Pure and cheap: the page reads a link once, and again in the current language to show its notices."""
    params = dict(params)
    # a comparison link's a, b and by are the comparison's (issue 12), not filters
    compare_params = {k: params.pop(k) for k in compare.COMPARE_KEYS if k in params}
    params, _lang = i18n.split(params)  # the language is not a filter (issue 14)
    not_map, map_params = mapparams.split(params)
    filter_params, _data = provenance.split_params(not_map)
    spec, notices = filters.parse_query(filter_params, choices)
    map_view, map_notices = mapparams.parse(map_params)
    request, compare_notices = compare.request_from_query(compare_params, choices, strict=False)
    # issue 9: a link made with other datasets than those loaded here says so
    notices += compare_notices + provenance.notices_for(params, loaded) + map_notices
    return Link(spec, map_view, request, notices)
