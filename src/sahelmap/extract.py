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

from sahelmap import export, filters
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


def known_values(table: EventTable) -> dict[str, list[str]]:
    events = table.events
    return {
        "region": sorted(str(r) for r in events["admin1"].dropna().unique()),
        "dataset": sorted(str(d) for d in events["dataset"].astype("str").unique()),
    }


def data_range(table: EventTable) -> tuple[dt.date, dt.date] | None:
    dates = table.events["event_date"]
    return (dates.min().date(), dates.max().date()) if len(dates) else None


def view_of(table: EventTable, spec: FilterSpec) -> View:
    filtered = filters.apply(table.events, spec)
    deaths = int(filtered["fatalities"].astype("Float64").fillna(0).sum())
    datasets = sorted(filtered["dataset"].astype("str").unique()) if len(filtered) else []
    return View(
        spec=spec,
        filtered=filtered,
        description=filters.describe(spec, len(filtered), deaths, data_range(table)),
        stem=filters.file_stem(spec),
        attributions=export.attribution_for(datasets, table.formats),
        query=urlencode(filters.to_query(spec)),
    )


def spec_from_query_string(
    query: str, table: EventTable, strict: bool = True
) -> tuple[FilterSpec, list[str]]:
    """Exactly what the app's URL carries after '?' -> FilterSpec (strict: an invalid parameter raises)."""
    params: Mapping[str, list[str]] = parse_qs(query.lstrip("?"), keep_blank_values=True)
    return filters.parse_query(params, known=known_values(table), strict=strict)
