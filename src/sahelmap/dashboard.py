"""Pure helpers behind the page: choices offered by the widgets, presets, KPIs, table rows.

app.py only wires Streamlit widgets to these; everything here is testable without Streamlit.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sahelmap import charts, i18n, mapview, schema
from sahelmap.filters import Choices, FilterSpec
from sahelmap.i18n import N_, _, ngettext
from sahelmap.milestones import Milestone, milestones
from sahelmap.text import http_urls, is_http_url

# One line above the KPIs: what the bundled table is, and where its sources are.
BUNDLED_TABLE_NOTE = N_(
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
    return m.shown_day


def milestone_presets(
    c: Choices, marks: tuple[Milestone, ...] | None = None
) -> dict[str, tuple[dt.date, dt.date]]:
    """ "Since <milestone> (<date>)" for each milestone after the first event and not after the last.

    A milestone on or before the first event would repeat "Whole range"; one after the last event would
    select nothing, so neither is offered.
    """
    marks = milestones() if marks is None else marks
    return {
        _("Since: {milestone} ({day})").format(milestone=m.shown_label, day=milestone_day(m)): (
            m.date,
            c.last,
        )
        for m in marks
        if c.first < m.date <= c.last
    }


def presets(c: Choices, marks: tuple[Milestone, ...] | None = None) -> dict[str, tuple[dt.date, dt.date]]:
    """Quick periods, each clipped to the data: general ones, then one per milestone (milestones.csv)."""
    last_year = max(c.first, month_start((pd.Timestamp(c.last) - pd.DateOffset(months=11)).date()))
    options = {
        _("Whole range"): (c.first, c.last),
        _("Last 12 months of data"): (last_year, c.last),
        _("2012-2013 crisis and Serval"): (c.first, min(c.last, dt.date(2013, 12, 31))),
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


@dataclass(frozen=True)
class Precomputed:
    """Columns of one table as plain arrays, computed once per table and shared by every session, so a
    rerun counts its selection with array indexing instead of copying rows."""

    deaths: np.ndarray  # float64, NaN where the toll is unknown
    civilians: np.ndarray  # bool
    location_codes: np.ndarray  # int32 codes of the place names, -1 for none
    n_locations: int


def precompute(events: pd.DataFrame) -> Precomputed:
    codes, names = pd.factorize(events["location"])
    return Precomputed(
        deaths=events["fatalities"].to_numpy(dtype="float64", na_value=np.nan),
        civilians=events["civilian_targeting"].to_numpy(dtype=bool),
        location_codes=codes.astype(np.int32),
        n_locations=len(names),
    )


def kpis_at(pre: Precomputed, positions: np.ndarray) -> Kpis:
    """The same figures as kpis(), for the rows at ``positions``, from precomputed arrays."""
    deaths = pre.deaths[positions]
    known = ~np.isnan(deaths)
    codes = pre.location_codes[positions]
    return Kpis(
        events=len(positions),
        deaths=int(deaths[known].astype(np.int64).sum()),
        civilian_events=int(pre.civilians[positions].sum()),
        places=int(np.count_nonzero(np.bincount(codes[codes >= 0], minlength=pre.n_locations))),
        unknown_deaths=int((~known).sum()),
    )


def kpis(events: pd.DataFrame) -> Kpis:
    return Kpis(
        events=len(events),
        deaths=schema.total_deaths(events["fatalities"]),
        civilian_events=int(events["civilian_targeting"].sum()),
        places=int(events["location"].nunique()),
        unknown_deaths=int(events["fatalities"].isna().sum()),
    )


# The table's columns in the order a reader needs them: on a 1,400 px screen the place, the deaths and
# the source are in view without scrolling sideways; actors, notes and the rest follow.
TABLE_COLUMNS = {
    "event_date": N_("Date"),
    "location": N_("Place"),
    "event_type": N_("Type"),
    "fatalities": N_("Deaths"),
    "source": N_("Source"),
    "source_url": N_("Link"),
    "actor1": N_("Actor 1"),
    "actor2": N_("Actor 2"),
    "notes": N_("Notes"),
    "dataset": N_("Dataset"),
    "sub_event_type": N_("Sub-type"),
    "admin1": N_("Region"),
    "event_id": N_("ID"),
}
# The milestone table's column headers (its rows come from milestones_between).
MILESTONE_COLUMNS = {
    "date": N_("Date"),
    "milestone": N_("Milestone"),
    "source": N_("Source"),
    "title": N_("Title"),
    "published": N_("Published"),
    "url": N_("Link"),
}
TABLE_ROW_CAP = 1_000  # rows the table sends at most, whatever the filters select
TABLE_BYTES = 270_000  # and at most about this many bytes of cells (the element is bounded to 300 kB)
# What a table cell shows where the data has no value: nothing, in every language (Streamlit would write
# "None"). An unknown toll stays an empty cell, never 0; the Deaths column's help says so.
MISSING_CELL = ""
NOTES_CHARS = 80  # the table shows the start of each note; the map's popup and the downloads hold it all
TABLE_ORDERS = {"newest": N_("newest first"), "deaths": N_("most reported deaths first")}
# The table's cells that hold ACLED's vocabulary: shown in the current language (i18n.label); the
# downloads keep ACLED's own values.
TABLE_LABELLED = ("event_type", "sub_event_type")


@dataclass(frozen=True)
class TablePage:
    """The rows the table shows (at most the cap, sorted on the server) and the line that says so."""

    rows: pd.DataFrame  # indexed by the events' own index labels
    total: int  # events the filters select
    order: str

    @property
    def shown(self) -> int:
        return len(self.rows)

    @property
    def caption(self) -> str:
        order = _(TABLE_ORDERS[self.order])
        if self.shown < self.total:
            return _(
                "Showing {shown} of {total} events ({order}): narrow the filters or download them all below."
            ).format(shown=i18n.number(self.shown), total=i18n.number(self.total), order=order)
        return ngettext("All {n} event, {order}.", "All {n} events, {order}.", self.total).format(
            n=i18n.number(self.total), order=order
        )


def _sort_key(events: pd.DataFrame, positions: np.ndarray, order: str) -> np.ndarray:
    """One int64 per selected row, larger first; the later row first among equals (a total order).

    Packed as (deaths + 1) * 2**39 + day * 2**23 + position: days since the selection's first day
    (< 2**16, 179 years), positions < 2**23 (8 million rows), deaths up to 2**23 (unknown = -1, last).
    """
    if len(positions) >= 2**23:
        raise ValueError(f"the table can sort at most {2**23:,} rows")
    days = events["event_date"].to_numpy(dtype="datetime64[D]")[positions].astype(np.int64)
    days = np.clip(days - (days.min() if len(days) else 0), 0, 2**16 - 1)
    key = days * 2**23 + np.arange(len(positions), dtype=np.int64)
    if order == "deaths":
        deaths = events["fatalities"].to_numpy(dtype="float64", na_value=-1.0)[positions]
        key += (np.clip(deaths, -1, 2**23 - 2) + 1).astype(np.int64) * 2**39
    return key


def table_page(
    events: pd.DataFrame,
    order: str = "newest",
    cap: int = TABLE_ROW_CAP,
    positions: np.ndarray | None = None,
) -> TablePage:
    """The table's rows: the ``cap`` first in ``order`` among ``positions`` (row positions; all by default).

    Only the rows shown are copied, so the cost is one sort key over the selection, whatever its size.
    Links are kept only where they are http(s); empty text cells are empty, not "None"; event types and
    sub-types are in the current language.
    """
    if order not in TABLE_ORDERS:
        raise ValueError(f"unknown table order {order!r} (known: {', '.join(TABLE_ORDERS)})")
    if positions is None:
        positions = np.arange(len(events))
    key = _sort_key(events, positions, order)
    if len(key) > cap:
        top = np.argpartition(-key, cap - 1)[:cap] if cap > 0 else np.array([], dtype=np.int64)
    else:
        top = np.arange(len(key))
    top = top[np.argsort(-key[top], kind="stable")]
    rows = events.iloc[positions[top], [events.columns.get_loc(c) for c in TABLE_COLUMNS]].copy()
    rows["source_url"] = http_urls(rows["source_url"])
    for column in TABLE_LABELLED:
        rows[column] = rows[column].map(i18n.label, na_action="ignore")
    for column in ("actor1", "actor2", "location", "admin1", "source", "notes"):
        rows[column] = rows[column].fillna("")  # an empty cell, not the word "None"
    long = rows["notes"].str.len() > NOTES_CHARS
    rows.loc[long, "notes"] = rows.loc[long, "notes"].str.slice(0, NOTES_CHARS - 1).str.rstrip() + "…"
    within = np.cumsum(_row_bytes(rows)) <= TABLE_BYTES
    return TablePage(rows[within], len(positions), order)


def _row_bytes(rows: pd.DataFrame) -> np.ndarray:
    """About what each row costs in the table's Arrow data: its text as UTF-8, plus 8 bytes a cell and for
    the index (offsets, numbers and dates), so the estimate errs on the high side."""
    size = np.full(len(rows), 8 * (len(rows.columns) + 1), dtype=np.int64)
    for column in rows.columns:
        if rows[column].dtype == object or isinstance(rows[column].dtype, pd.StringDtype):
            text = pa.array(rows[column].fillna("").astype(str), type=pa.large_string())
            size += pc.binary_length(text).to_numpy(zero_copy_only=False)  # UTF-8 bytes, counted by Arrow
    return size


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


# What the charts and the aggregate map read (mapview.grid_cells, charts.*): above the map's detail limit
# only these columns of the selection are copied. Single events (few rows) get every column for popups.
FIGURE_COLUMNS = (
    "event_id",
    "event_date",
    "event_type",
    "location",
    "latitude",
    "longitude",
    "fatalities",
    "geo_precision",  # hollow rings: located only to a region
    "admin1",
    "admin2",
    "admin1_join",  # the choropleth's areas
    "admin2_join",
    "dataset",
    schema.ACTOR_GROUP_MASK,
)


def figure_rows(events: pd.DataFrame, positions: np.ndarray) -> pd.DataFrame:
    """The selected rows with the columns the map and the charts need (all of them for single events)."""
    if len(positions) <= mapview.DETAIL_LIMIT:
        return events.iloc[positions]
    return events.iloc[positions, [events.columns.get_loc(c) for c in FIGURE_COLUMNS]]


def view_figures(
    filtered: pd.DataFrame, period: tuple[dt.date, dt.date] | None = None, cover: pd.DataFrame | None = None
) -> ViewFigures:
    """Chart data: the time chart spans ``period`` (the events' own months without one) with its milestones;
    ``cover`` (charts.coverage of the loaded datasets the view includes) shades the months outside it."""
    totals = charts.monthly_totals(filtered, *(period or (None, None)))
    marks = charts.milestone_rows(milestones(), *period) if period else None
    counts = charts.monthly_counts(filtered)
    groups = charts.actor_group_counts(filtered)
    groups["group"] = groups["group"].map(i18n.label)  # the bars' names in the current language
    gaps = None
    if cover is not None and len(totals):
        gaps = charts.coverage_gaps(cover, totals["month"].min(), totals["month"].max())
    return ViewFigures(
        charts.monthly_chart(counts, totals, period, marks, gaps),
        charts.actor_chart(groups),
    )


def milestones_between(start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """The milestones a chart of this period shows, with their sources, as table rows."""
    return [
        {
            "date": m.date,
            "milestone": m.shown_label,
            "source": m.source,
            "title": m.source_title,
            "published": m.source_date,
            "url": m.source_url if is_http_url(m.source_url) else None,
        }
        for m in milestones()
        if start <= m.date <= end
    ]


def coverage_line(cover: pd.DataFrame) -> str:
    """Each loaded dataset's first and last event date and its events, for the line beside the KPIs."""
    parts = [
        ngettext(
            "{dataset} {first} to {last} ({n} event)", "{dataset} {first} to {last} ({n} events)", c.events
        ).format(
            dataset=c.dataset, first=f"{c.first:%Y-%m-%d}", last=f"{c.last:%Y-%m-%d}", n=i18n.number(c.events)
        )
        for c in cover.itertuples(index=False)
    ]
    return _("Coverage of the loaded data: ") + ("; ".join(parts) if parts else _("no events loaded"))


def view_coverage(cover: pd.DataFrame, spec: FilterSpec) -> pd.DataFrame:
    """The coverage (``EventTable.coverage``) of the loaded datasets this view includes: all of them, or
    those its dataset filter names."""
    return cover[cover["dataset"].isin(spec.dataset)] if spec.dataset else cover
