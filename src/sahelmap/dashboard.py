"""Pure helpers behind the page: choices offered by the widgets, presets, KPIs, table rows.

app.py only wires Streamlit widgets to these; everything here is testable without Streamlit.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sahelmap import charts, schema
from sahelmap.filters import Choices, FilterSpec
from sahelmap.milestones import Milestone, milestones
from sahelmap.text import http_urls, is_http_url

# One line above the KPIs: what the bundled table is, and where its sources are.
BUNDLED_TABLE_NOTE = (
    "The bundled table is a curated selection of events at six focus places and elsewhere in Mali, "
    "not a complete count. Each row names its source (the source, source_title and source_url "
    "columns); how rows were chosen is in the README, under Data and sources."
)
PLAY_SECONDS_PER_MONTH = 1.5  # playback speed: one month of events every this many seconds
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


def milestone_day(m: Milestone) -> str:
    """A milestone's date as its source gives it: the day, or only the month (time precision 3)."""
    return f"{m.date:%b %Y}" if m.time_precision == 3 else f"{m.date.day} {m.date:%b %Y}"


def milestone_presets(
    c: Choices, marks: tuple[Milestone, ...] | None = None
) -> dict[str, tuple[dt.date, dt.date]]:
    """ "Since <milestone> (<date>)" for each milestone after the first event and not after the last.

    A milestone on or before the first event would repeat "Whole range"; one after the last event would
    select nothing, so neither is offered.
    """
    marks = milestones() if marks is None else marks
    return {
        f"Since: {m.label} ({milestone_day(m)})": (m.date, c.last)
        for m in marks
        if c.first < m.date <= c.last
    }


def presets(c: Choices, marks: tuple[Milestone, ...] | None = None) -> dict[str, tuple[dt.date, dt.date]]:
    """Quick periods, each clipped to the data: general ones, then one per milestone (milestones.csv)."""
    last_year = max(c.first, month_start((pd.Timestamp(c.last) - pd.DateOffset(months=11)).date()))
    options = {
        "Whole range": (c.first, c.last),
        "Last 12 months of data": (last_year, c.last),
        "2012-2013 crisis and Serval": (c.first, min(c.last, dt.date(2013, 12, 31))),
    }
    general = {k: v for k, v in options.items() if v[0] <= v[1]}
    return general | milestone_presets(c, marks)


def period_from_dates(start: dt.date, end: dt.date, c: Choices) -> tuple[dt.date, dt.date]:
    """The exact period two date inputs ask for, within the data; a reversed pair is put in order."""
    start, end = min(start, end), max(start, end)
    start, end = min(max(start, c.first), c.last), max(min(end, c.last), c.first)
    return start, end


@dataclass(frozen=True)
class Kpis:
    events: int
    deaths: int
    civilian_events: int
    places: int
    unknown_deaths: int


def kpis(events: pd.DataFrame) -> Kpis:
    return Kpis(
        events=len(events),
        deaths=schema.total_deaths(events["fatalities"]),
        civilian_events=int(events["civilian_targeting"].sum()),
        places=int(events["location"].nunique()),
        unknown_deaths=int(events["fatalities"].isna().sum()),
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
    rows["source_url"] = http_urls(rows["source_url"])
    for column in ("actor1", "actor2", "location", "admin1", "source", "notes"):
        rows[column] = rows[column].fillna("")  # an empty cell, not the word "None"
    return rows.sort_values("event_date", ascending=False, kind="stable")


def follow_data(
    period: tuple[dt.date, dt.date], old: tuple[dt.date, dt.date], new: Choices
) -> tuple[dt.date, dt.date]:
    """The period once the data's range changed from ``old`` (an upload, a new import).

    A period that reached an end of the old range follows it to the new end, so new events are not
    silently left out; a period inside the range stays as it was, clipped to the new range.
    """
    start, end = period
    start = new.first if start <= old[0] else max(start, new.first)
    end = new.last if end >= old[1] else min(end, new.last)
    return (start, end) if start <= end else (new.first, new.last)


def spec_period(period: tuple[dt.date, dt.date], c: Choices) -> tuple[dt.date | None, dt.date | None]:
    """The FilterSpec's start and end for a period the widgets hold: an edge of the data is no limit."""
    start, end = period
    return (None if start == c.first else start, None if end == c.last else end)


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


def period_of_months(months: tuple[dt.date, dt.date], c: Choices) -> tuple[dt.date, dt.date]:
    """The exact period a month slider shows: first day of its first month to last day of its last."""
    first, last = months
    return max(first, c.first), min(month_end(last), c.last)


def tick_due(last_tick: float, now: float) -> bool:
    """Whether playback should move on: a full rerun between two timer ticks must not step it."""
    return now - last_tick >= PLAY_SECONDS_PER_MONTH * 0.9


def playback_start(period: tuple[dt.date, dt.date], c: Choices) -> tuple[dt.date, dt.date]:
    """Playback shows events appear month by month: the period first ends with the start's month."""
    start, _ = period
    return start, min(month_end(start), c.last)


@dataclass(frozen=True)
class ViewFigures:
    """What the charts draw for one view, as plain data (cacheable, picklable); the map's layer is
    mapview.layer_data, cached by the page per filter, map mode and view."""

    monthly_chart: dict[str, Any]
    actor_chart: dict[str, Any]


def view_figures(
    filtered: pd.DataFrame, period: tuple[dt.date, dt.date] | None = None, cover: pd.DataFrame | None = None
) -> ViewFigures:
    """Chart data: the time chart spans ``period`` (the events' own months without one) with its milestones;
    ``cover`` (charts.coverage of the loaded datasets the view includes) shades the months outside it."""
    totals = charts.monthly_totals(filtered, *(period or (None, None)))
    marks = charts.milestone_rows(milestones(), *period) if period else None
    counts = charts.monthly_counts(filtered)
    gaps = None
    if cover is not None and len(totals):
        gaps = charts.coverage_gaps(cover, totals["month"].min(), totals["month"].max())
    return ViewFigures(
        charts.monthly_chart(counts, totals, period, marks, gaps).to_dict(),
        charts.actor_chart(charts.actor_group_counts(filtered)).to_dict(),
    )


def milestones_between(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The milestones a chart of this period shows, with their sources, as table rows."""
    return [
        {
            "date": m.date,
            "milestone": m.label,
            "source": m.source,
            "title": m.source_title,
            "published": m.source_date,
            "url": m.source_url if is_http_url(m.source_url) else None,
        }
        for m in milestones()
        if start <= m.date <= end
    ]


def _events_word(n: int) -> str:
    return "event" if n == 1 else "events"


def coverage_line(cover: pd.DataFrame) -> str:
    """Each loaded dataset's first and last event date and its events, for the line beside the KPIs."""
    parts = [
        f"{c.dataset} {c.first:%Y-%m-%d} to {c.last:%Y-%m-%d} ({c.events:,} {_events_word(c.events)})"
        for c in cover.itertuples(index=False)
    ]
    return "Coverage of the loaded data: " + ("; ".join(parts) if parts else "no events loaded")


def view_coverage(events: pd.DataFrame, spec: FilterSpec) -> pd.DataFrame:
    """The coverage of the loaded datasets this view includes (all, or those its dataset filter names)."""
    cover = charts.coverage(events)
    return cover[cover["dataset"].isin(spec.dataset)] if spec.dataset else cover
