"""A view of the table as the app shows it: the filtered rows, their description, file name and sources.

The app's download buttons and `sahelmap export` both build their files from a View, so the same
query string gives the same extract in both.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

import pandas as pd

from sahelmap import export, filters, mapparams, provenance, schema
from sahelmap.events import EventTable
from sahelmap.filters import FilterSpec


@dataclass(frozen=True)
class View:
    spec: FilterSpec
    filtered: pd.DataFrame
    description: str
    stem: str
    attributions: list[str]
    query: str

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


def view_of(table: EventTable, spec: FilterSpec) -> View:
    filtered = filters.apply(table.events, spec)
    deaths = schema.total_deaths(filtered["fatalities"])
    datasets = sorted(filtered["dataset"].astype("str").unique()) if len(filtered) else []
    data_range = (table.choices.first, table.choices.last) if len(table.events) else None
    return View(
        spec=spec,
        filtered=filtered,
        description=filters.describe(spec, len(filtered), deaths, data_range, table.choices),
        stem=filters.file_stem(spec),
        attributions=export.attribution_for(datasets, table.formats),
        query=urlencode(filters.to_query(spec, table.choices)),
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
