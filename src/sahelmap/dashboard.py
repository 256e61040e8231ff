"""Pure helpers behind the page: choices offered by the widgets, presets, KPIs, table rows.

app.py only wires Streamlit widgets to these; everything here is testable without Streamlit.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sahelmap import charts, mapview, schema
from sahelmap.filters import FilterSpec

FRENCH_HANDOVER_TIMBUKTU = dt.date(2021, 12, 14)
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: str) -> str:
    """Make user or data text inert inside Streamlit markdown (no links, images or emphasis)."""
    return MARKDOWN_SPECIALS.sub(r"\\\1", text)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return (pd.Timestamp(day) + pd.offsets.MonthEnd(0)).date()


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of every month from first's month to last's month."""
    return [p.to_timestamp().date() for p in pd.period_range(first, last, freq="M")]


@dataclass(frozen=True)
class Choices:
    """What the widgets offer, derived from the loaded table."""

    first: dt.date
    last: dt.date
    months: list[dt.date]
    regions: list[str]
    datasets: list[str]
    covers_more_than_focus: bool


def choices(events: pd.DataFrame) -> Choices:
    if events.empty:
        today = dt.date.today()
        return Choices(today, today, [month_start(today)], [], [], False)
    first, last = events["event_date"].min().date(), events["event_date"].max().date()
    regions = sorted(str(r) for r in events["admin1"].dropna().unique())
    datasets = [str(d) for d in events["dataset"].astype("str").unique()]
    return Choices(
        first,
        last,
        months_between(first, last),
        regions,
        sorted(datasets),
        bool(events["focus_place"].isna().any()),
    )


def presets(c: Choices) -> dict[str, tuple[dt.date, dt.date]]:
    """Quick periods; each clipped to the data."""
    last_year = max(c.first, month_start((pd.Timestamp(c.last) - pd.DateOffset(months=11)).date()))
    options = {
        "Whole range": (c.first, c.last),
        "Since the French handover of Timbuktu (14 Dec 2021)": (
            max(c.first, FRENCH_HANDOVER_TIMBUKTU),
            c.last,
        ),
        "Last 12 months of data": (last_year, c.last),
        "2012-2013 crisis and Serval": (c.first, min(c.last, dt.date(2013, 12, 31))),
    }
    return {k: v for k, v in options.items() if v[0] <= v[1]}


def subtypes_for(event_types: tuple[str, ...] | list[str]) -> list[str]:
    """Sub-types offered: those of the chosen types, or all when no type is chosen."""
    chosen = event_types or list(schema.EVENT_TYPES)
    return [s for t in chosen for s in schema.EVENT_TYPES[t]]


@dataclass(frozen=True)
class Kpis:
    events: int
    deaths: int
    civilian_events: int
    places: int
    unknown_deaths: int


def kpis(events: pd.DataFrame) -> Kpis:
    deaths = events["fatalities"].astype("Float64")
    return Kpis(
        events=len(events),
        deaths=int(deaths.fillna(0).sum()),
        civilian_events=int(events["civilian_targeting"].sum()),
        places=int(events["location"].nunique()),
        unknown_deaths=int(deaths.isna().sum()),
    )


TABLE_COLUMNS = {
    "event_date": "Date",
    "event_type": "Type",
    "sub_event_type": "Sub-type",
    "actor1": "Actor 1",
    "actor2": "Actor 2",
    "location": "Place",
    "admin1": "Region",
    "fatalities": "Deaths",
    "source": "Source",
    "source_url": "Link",
    "notes": "Notes",
    "dataset": "Dataset",
    "event_id": "ID",
}


def table_rows(events: pd.DataFrame) -> pd.DataFrame:
    """The columns the table shows, newest first; links only where they are http(s)."""
    rows = events[list(TABLE_COLUMNS)].copy()
    url = rows["source_url"].astype("str")
    rows["source_url"] = url.where(url.str.match(r"^https?://", na=False))
    for column in ("actor1", "actor2", "location", "admin1", "source", "notes"):
        rows[column] = rows[column].fillna("")  # an empty cell, not the word "None"
    return rows.sort_values("event_date", ascending=False, kind="stable")


def clamp_period(spec: FilterSpec, c: Choices) -> tuple[dt.date, dt.date]:
    start = spec.start or c.first
    end = spec.end or c.last
    start, end = max(start, c.first), min(end, c.last)
    return (start, end) if start <= end else (c.first, c.last)


def step_period_end(period: tuple[dt.date, dt.date], months: int, c: Choices) -> tuple[dt.date, dt.date]:
    """Move the end of the period by whole months, never before the start's month nor past the data."""
    start, end = period
    moved = (pd.Timestamp(end) + pd.DateOffset(months=months)).date()
    new_end = min(month_end(max(moved, start)), c.last)
    return start, max(new_end, start)


def playback_start(period: tuple[dt.date, dt.date], c: Choices) -> tuple[dt.date, dt.date]:
    """Playback shows events appear month by month: the period first ends with the start's month."""
    start, _ = period
    return start, min(month_end(start), c.last)


@dataclass(frozen=True)
class ViewFigures:
    """What the map and charts draw for one view, as plain data (cacheable, picklable)."""

    layer_mode: str
    layer: dict[str, Any]
    monthly_chart: dict[str, Any]
    actor_chart: dict[str, Any]


def view_figures(filtered: pd.DataFrame) -> ViewFigures:
    mode, data = mapview.layer_data(filtered)
    return ViewFigures(
        mode,
        data,
        charts.monthly_chart(charts.monthly_counts(filtered)).to_dict(),
        charts.actor_chart(charts.actor_group_counts(filtered)).to_dict(),
    )
