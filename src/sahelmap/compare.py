"""Compare two periods under the same filters (pure): the page's "Compare two periods" and `sahelmap compare`.

Both build a Comparison from a link (the app's query string: the filters, plus ``a``, ``b`` and ``by``),
so the same link gives the same numbers in the page, the CSV and the CLI.

Counting rules, as the page states them:
- an event counts in a period when it overlaps it (the dashboard's period filter, applied to A and B in
  turn), so an event spanning both periods counts in both;
- reported deaths add each event's toll; an event with no reported toll adds nothing and the number of
  such events is given;
- "civilians targeted" are the events the source codes as targeting civilians, and their deaths;
- by actor group, an event with several groups counts once for each; by place, region and type, once.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

import numpy as np
import pandas as pd

from sahelmap import actors, export, filters, schema
from sahelmap.errors import QueryError
from sahelmap.events import EventTable
from sahelmap.filters import Choices, FilterSpec
from sahelmap.milestones import Milestone, milestones

MEASURES: dict[str, str] = {
    "events": "Events",
    "deaths": "Reported deaths",
    "civilian_events": "Events targeting civilians",
    "civilian_deaths": "Reported deaths in events targeting civilians",
}
BREAKDOWNS: dict[str, str] = {
    "actor-group": "Actor group",
    "place": "Focus place",
    "region": "Region (admin 1)",
    "type": "Event type",
}
DEFAULT_BY = "actor-group"
DAYS_PER_MONTH = 365.25 / 12
PERIOD_SEPARATOR = ".."
COMPARE_KEYS = ("a", "b", "by")  # the link's keys for a comparison, beside the filters' own


# --- periods ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def months(self) -> float:
        return self.days / DAYS_PER_MONTH

    @property
    def label(self) -> str:
        """'2022', 'Q3 2022', 'Jan 2021 - Mar 2021', or the exact days."""
        s, e = self.start, self.end
        month_end = e.day == calendar.monthrange(e.year, e.month)[1]
        if s.day == 1 and month_end:
            if s.year == e.year and s.month == 1 and e.month == 12:
                return str(s.year)
            if s.year == e.year and s.month % 3 == 1 and e.month == s.month + 2:
                return f"Q{s.month // 3 + 1} {s.year}"
            if (s.year, s.month) == (e.year, e.month):
                return f"{s:%b %Y}"
            return f"{s:%b %Y} - {e:%b %Y}"
        return f"{s.day} {s:%b %Y} - {e.day} {e:%b %Y}"

    def text(self) -> str:
        """The link's form: 2021-01-01..2021-12-31."""
        return f"{self.start.isoformat()}{PERIOD_SEPARATOR}{self.end.isoformat()}"


def parse_period(text: str) -> Period:
    """'2021-01-01..2021-12-31' (or months: '2021-01..2021-03', or a year '2021') -> Period."""
    text = text.strip()
    if text.isdigit() and len(text) == 4:
        return Period(dt.date(int(text), 1, 1), dt.date(int(text), 12, 31))
    first, sep, last = text.partition(PERIOD_SEPARATOR)
    if not sep:
        raise QueryError(f"{text[:60]!r} is not a period FROM..TO (e.g. 2021-01-01..2021-12-31)")
    anywhere = Choices(dt.date.min, dt.date.max)  # dates are checked against the data elsewhere
    start = filters.BY_NAME["start"].parse([first.strip()], anywhere)
    end = filters.BY_NAME["end"].parse([last.strip()], anywhere)
    if start > end:
        raise QueryError(f"{text[:60]!r}: the period starts after it ends")
    return Period(start, end)


@functools.lru_cache(maxsize=1024)  # the page's presets ask for ~45 of these on every rerun
def months_around(day: dt.date, months: int) -> tuple[Period, Period]:
    """The ``months`` months before ``day`` (to the day before) and from ``day`` on."""
    before = (pd.Timestamp(day) - pd.DateOffset(months=months)).date()
    after = (pd.Timestamp(day) + pd.DateOffset(months=months)).date() - dt.timedelta(days=1)
    return Period(before, day - dt.timedelta(days=1)), Period(day, after)


def quarter_of(day: dt.date) -> Period:
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    last_month = first.month + 2
    return Period(first, dt.date(day.year, last_month, calendar.monthrange(day.year, last_month)[1]))


def year_of(year: int) -> Period:
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31))


def presets(c: Choices, marks: tuple[Milestone, ...] | None = None) -> dict[str, tuple[Period, Period]]:
    """Pairs of periods to compare: consecutive years and quarters ending with the last whole one in the
    data, and the 12 or 24 months before and after each milestone inside the data."""
    marks = milestones() if marks is None else marks
    options: dict[str, tuple[Period, Period]] = {}
    last_year = c.last.year if c.last == dt.date(c.last.year, 12, 31) else c.last.year - 1
    if last_year - 1 >= c.first.year:
        options[f"Consecutive years: {last_year - 1} and {last_year}"] = (
            year_of(last_year - 1),
            year_of(last_year),
        )
    last_q = quarter_of(c.last)
    if last_q.end != c.last:
        last_q = quarter_of(last_q.start - dt.timedelta(days=1))
    prev_q = quarter_of(last_q.start - dt.timedelta(days=1))
    if prev_q.start >= quarter_of(c.first).start:
        options[f"Consecutive quarters: {prev_q.label} and {last_q.label}"] = (prev_q, last_q)
    for months in (12, 24):
        for m in marks:
            if c.first < m.date <= c.last:
                options[f"{months} months before and after: {m.label} ({m.date:%d %b %Y})"] = months_around(
                    m.date, months
                )
    return options


# --- the link --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    spec: FilterSpec  # every filter but the period
    a: Period
    b: Period
    by: str = DEFAULT_BY

    def query(self) -> dict[str, str]:
        """The link: the filters' parameters, then a, b and by."""
        return {**filters.to_query(self.spec), "a": self.a.text(), "b": self.b.text(), "by": self.by}


def parse_by(value: str) -> str:
    if value not in BREAKDOWNS:
        raise QueryError(f"'by': {value[:40]!r} is not one of {', '.join(BREAKDOWNS)}")
    return value


def request_from_query(
    query: str | Mapping[str, Any], choices: Choices | None, strict: bool = True
) -> tuple[Request | None, list[str]]:
    """A link (query string or parameters) -> the comparison it asks for, or None without both a and b.

    The dashboard's own period (from/to) does not apply to a comparison and is left out, with a notice.
    """
    params: dict[str, Any] = (
        dict(parse_qs(query.lstrip("?"), keep_blank_values=True)) if isinstance(query, str) else dict(query)
    )
    notices: list[str] = []
    own = {k: params.pop(k) for k in COMPARE_KEYS if k in params}
    dropped = [k for k in ("from", "to") if params.pop(k, None) is not None]
    if dropped:
        notices.append("the dashboard's period (from/to) does not apply to a comparison: periods a and b do")
    spec, more = filters.parse_query(params, choices, strict=strict)
    notices += more

    def one(key: str) -> str:
        raw = own.get(key, "")
        return str(raw[-1] if isinstance(raw, list) and raw else raw)

    if not one("a") or not one("b"):
        return None, notices
    try:
        request = Request(
            spec, parse_period(one("a")), parse_period(one("b")), parse_by(one("by") or DEFAULT_BY)
        )
    except QueryError as error:
        if strict:
            raise
        notices.append(f"ignored the comparison: {error}")
        return None, notices
    return request, notices


# --- counting --------------------------------------------------------------------------------------


def figures(events: pd.DataFrame) -> dict[str, int]:
    """The four measures over a set of events."""
    deaths = schema.counted_deaths(events["fatalities"])
    civilians = events["civilian_targeting"].to_numpy(dtype=bool)
    return {
        "events": len(events),
        "deaths": int(deaths.sum()),
        "civilian_events": int(civilians.sum()),
        "civilian_deaths": int(deaths[civilians].sum()),
    }


def _group_keys(events: pd.DataFrame, by: str) -> list[tuple[str, np.ndarray]]:
    """(group label, boolean mask) for each group of the breakdown that has events here."""
    if by == "actor-group":
        masks = events[schema.ACTOR_GROUP_MASK].to_numpy()
        return [(label, (masks & actors.GROUP_BIT[key]) != 0) for key, label in schema.ACTOR_GROUPS.items()]
    column = {"place": "focus_place", "region": "admin1", "type": "event_type"}[by]
    fill = {"place": "Elsewhere in Mali", "region": "(no region)", "type": "(no type)"}[by]
    values = events[column].astype("str").where(events[column].notna(), fill).to_numpy()
    return [(str(v), values == v) for v in pd.unique(values)]


def breakdown(events: pd.DataFrame, by: str) -> dict[str, dict[str, int]]:
    """figures() for each group of the breakdown that has events here, counted on arrays (no copy of the
    rows per group)."""
    deaths = schema.counted_deaths(events["fatalities"]).to_numpy()
    civilians = events["civilian_targeting"].to_numpy(dtype=bool)
    out = {}
    for label, hit in _group_keys(events, by):
        n = int(np.count_nonzero(hit))
        if n:
            out[label] = {
                "events": n,
                "deaths": int(deaths[hit].sum()),
                "civilian_events": int(np.count_nonzero(civilians & hit)),
                "civilian_deaths": int(deaths[civilians & hit].sum()),
            }
    return out


def change(a: float, b: float) -> float | None:
    """Relative change from a to b in percent; None when a is zero (no base to compare with)."""
    return None if a == 0 else (b - a) / a * 100


def pct_text(value: float | None, b: float = 0) -> str:
    if value is None:
        return "new" if b else "no change"
    return f"{value:+.1f}%"


@dataclass(frozen=True)
class Comparison:
    request: Request
    a: dict[str, int]
    b: dict[str, int]
    unknown_a: int  # events with no reported toll
    unknown_b: int
    rows: pd.DataFrame  # one row per group of the breakdown
    datasets: list[str]
    attributions: list[str]
    selection: str  # the filters in words ("Violence against civilians involving ...")

    @property
    def unequal(self) -> bool:
        """The periods differ in length: per-month rates are the fair comparison."""
        return self.request.a.days != self.request.b.days

    def rate(self, side: str, measure: str) -> float:
        period = self.request.a if side == "a" else self.request.b
        return (self.a if side == "a" else self.b)[measure] / period.months

    def summary(self) -> str:
        """One paragraph stating what was counted, over which periods and datasets, and the numbers."""
        r, a, b = self.request, self.a, self.b
        counting = filters.counting_words(r.spec)
        parts = [
            f"{self.selection}{' ' + counting if counting else ''}, counting each event that overlaps the "
            f"period: {b['events']:,} in {r.b.label} against {a['events']:,} in {r.a.label} "
            f"({pct_text(change(a['events'], b['events']), b['events'])})."
        ]
        parts.append(
            f"Reported deaths: {b['deaths']:,} against {a['deaths']:,} "
            f"({pct_text(change(a['deaths'], b['deaths']), b['deaths'])}); "
            f"events with no reported toll add none ({self.unknown_b:,} in {r.b.label}, "
            f"{self.unknown_a:,} in {r.a.label})."
        )
        parts.append(
            f"Of these, events coded as targeting civilians: {b['civilian_events']:,} against "
            f"{a['civilian_events']:,}, with {b['civilian_deaths']:,} against {a['civilian_deaths']:,} "
            "reported deaths."
        )
        if self.unequal:
            ra, rb = self.rate("a", "events"), self.rate("b", "events")
            parts.append(
                f"The periods differ in length ({r.a.days:,} and {r.b.days:,} days): per month, "
                f"{rb:.1f} events against {ra:.1f} ({pct_text(change(ra, rb), rb)})."
            )
        parts.append(
            f"Periods: A {_days(r.a)}, B {_days(r.b)}. "
            f"Datasets: {', '.join(self.datasets) if self.datasets else 'none (no event matches)'}."
        )
        return " ".join(parts)

    def table(self) -> pd.DataFrame:
        """The whole filter, then each group of the breakdown: A, B, change and % for every measure."""
        overall = pd.DataFrame([{"group": "All (the whole filter)", **self._cells(self.a, self.b)}])
        return pd.concat([overall, self.rows], ignore_index=True)

    def _cells(self, a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, Any]:
        return _cells(a, b, self.request if self.unequal else None)

    def to_json(self) -> str:
        r = self.request

        def side(key: str, period: Period, values: dict[str, int], unknown: int) -> dict[str, Any]:
            rows = [
                {"group": row["group"], **{m: int(row[f"{m}_{key}"]) for m in MEASURES}}
                for row in self.rows.to_dict("records")
            ]
            out: dict[str, Any] = {
                "from": period.start.isoformat(),
                "to": period.end.isoformat(),
                "label": period.label,
                "days": period.days,
                **values,
                "unknown_deaths_events": unknown,
                "rows": rows,
            }
            if self.unequal:
                out["per_month"] = {m: round(values[m] / period.months, 3) for m in MEASURES}
            return out

        payload = {
            "query": urlencode(r.query()),
            "filter": self.selection,
            "by": r.by,
            "unequal_lengths": self.unequal,
            "a": side("a", r.a, self.a, self.unknown_a),
            "b": side("b", r.b, self.b, self.unknown_b),
            "change": {
                m: {"absolute": self.b[m] - self.a[m], "percent": _round(change(self.a[m], self.b[m]))}
                for m in MEASURES
            },
            "summary": self.summary(),
            "datasets": self.datasets,
            "cite": self.attributions,
        }
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"

    def to_csv(self) -> bytes:
        """The comparison table, then the summary, the link and the citation lines (as # comments)."""
        buffer = io.StringIO()
        table = self.table()
        table["group"] = export.neutralise(table["group"])
        table.to_csv(buffer, index=False, lineterminator="\n")
        lines = [
            f"# {self.summary()}",
            f"# link: ?{urlencode(self.request.query())}",
            *(f"# cite: {line}" for line in self.attributions),
        ]
        return ("\ufeff" + buffer.getvalue() + "\n".join(lines) + "\n").encode("utf-8")


def _days(period: Period) -> str:
    return f"{period.start:%d %b %Y} - {period.end:%d %b %Y}"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _cells(a: Mapping[str, int], b: Mapping[str, int], rates: Request | None) -> dict[str, Any]:
    cells: dict[str, Any] = {}
    for m in MEASURES:
        cells[f"{m}_a"] = a[m]
        cells[f"{m}_b"] = b[m]
        cells[f"{m}_change"] = b[m] - a[m]
        cells[f"{m}_pct"] = _round(change(a[m], b[m]))
        if rates is not None:
            ra, rb = a[m] / rates.a.months, b[m] / rates.b.months
            cells[f"{m}_per_month_a"] = round(ra, 2)
            cells[f"{m}_per_month_b"] = round(rb, 2)
            cells[f"{m}_per_month_pct"] = _round(change(ra, rb))
    return cells


ZERO = dict.fromkeys(MEASURES, 0)
# What the periods' masks, figures(), breakdown() and the datasets line read.
COUNTED_COLUMNS = (
    "event_date",
    "end_date",
    "fatalities",
    "civilian_targeting",
    "event_type",
    "focus_place",
    "admin1",
    "dataset",
    schema.ACTOR_GROUP_MASK,
)


def compare(events: pd.DataFrame, request: Request, formats: Mapping[str, str] | None = None) -> Comparison:
    """The comparison a request asks for, on a table (the app's, or one the CLI loaded)."""
    base = filters.mask(events, request.spec.replace(start=None, end=None))
    # only the columns counted below are copied (the whole table's 30-odd columns cost 20 ms at 100k rows)
    chosen = events.iloc[np.flatnonzero(base), [events.columns.get_loc(c) for c in COUNTED_COLUMNS]]
    in_a = chosen[filters.mask(chosen, FilterSpec(start=request.a.start, end=request.a.end))]
    in_b = chosen[filters.mask(chosen, FilterSpec(start=request.b.start, end=request.b.end))]
    by_a, by_b = breakdown(in_a, request.by), breakdown(in_b, request.by)
    unequal = request.a.days != request.b.days
    rows = [
        {"group": g, **_cells(by_a.get(g, ZERO), by_b.get(g, ZERO), request if unequal else None)}
        for g in dict.fromkeys([*by_a, *by_b])
    ]
    columns = ["group", *_cells(ZERO, ZERO, request if unequal else None)]
    frame = pd.DataFrame(rows, columns=columns)
    if len(frame):
        frame = frame.sort_values(
            ["events_b", "events_a", "group"], ascending=[False, False, True], kind="stable"
        )
        frame = frame.reset_index(drop=True)
    datasets = sorted({str(d) for side in (in_a, in_b) for d in side["dataset"].unique()})
    return Comparison(
        request=request,
        a=figures(in_a),
        b=figures(in_b),
        unknown_a=int(in_a["fatalities"].isna().sum()),
        unknown_b=int(in_b["fatalities"].isna().sum()),
        rows=frame,
        datasets=datasets,
        attributions=export.attribution_for(datasets, dict(formats or {})),
        selection=filters.describe_selection(request.spec),
    )


def compare_table(table: EventTable, request: Request) -> Comparison:
    return compare(table.events, request, table.formats)


def change_chart_data(comparison: Comparison, measure: str = "events") -> pd.DataFrame:
    """Where the change happened: each group's change in ``measure`` from A to B, largest first."""
    rows = comparison.rows
    out = pd.DataFrame(
        {
            "group": rows["group"],
            "change": rows[f"{measure}_change"],
            "a": rows[f"{measure}_a"],
            "b": rows[f"{measure}_b"],
        }
    )
    return out[out["change"] != 0].sort_values("change", key=abs, ascending=False, kind="stable")


def default_periods(c: Choices) -> tuple[Period, Period]:
    """What the page offers before the user chooses: the data's last 12 months against the 12 before."""
    return months_around((pd.Timestamp(c.last) - pd.DateOffset(months=12)).date() + dt.timedelta(days=1), 12)
