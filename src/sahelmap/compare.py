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

from sahelmap import actors, export, filters, i18n, schema
from sahelmap.errors import QueryError
from sahelmap.events import EventTable
from sahelmap.filters import Choices, FilterSpec
from sahelmap.i18n import N_, _
from sahelmap.milestones import Milestone, milestones

# Labels in English, marked for translation where they are shown (_()); the keys are the CSV's and JSON's.
MEASURES: dict[str, str] = {
    "events": N_("Events"),
    "deaths": N_("Reported deaths"),
    "civilian_events": N_("Events targeting civilians"),
    "civilian_deaths": N_("Reported deaths in events targeting civilians"),
}
BREAKDOWNS: dict[str, str] = {
    "actor-group": N_("Actor group"),
    "place": N_("Focus place"),
    "region": N_("Region (admin 1)"),
    "type": N_("Event type"),
}
# The comparison table's headers on the page: "{measure}, A" ... (the CSV keeps the column keys).
COLUMN_PARTS: dict[str, str] = {
    "a": N_("{measure}, A"),
    "b": N_("{measure}, B"),
    "change": N_("{measure}, change"),
    "pct": N_("{measure}, change (%)"),
    "per_month_a": N_("{measure} per month, A"),
    "per_month_b": N_("{measure} per month, B"),
    "per_month_pct": N_("{measure} per month, change (%)"),
}
# Row labels the comparison writes itself (the CSV and JSON keep them in English, as data).
ALL_ROWS = N_("All (the whole filter)")
FILLS = {"place": N_("Elsewhere in Mali"), "region": N_("(no region)"), "type": N_("(no type)")}
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
        """'2022', 'Q3 2022', 'Jan 2021 - Mar 2021', or the exact days, in the current language."""
        s, e = self.start, self.end
        month_end = e.day == calendar.monthrange(e.year, e.month)[1]
        if s.day == 1 and month_end:
            if s.year == e.year and s.month == 1 and e.month == 12:
                return str(s.year)
            if s.year == e.year and s.month % 3 == 1 and e.month == s.month + 2:
                return _("Q{quarter} {year}").format(quarter=s.month // 3 + 1, year=s.year)
            if (s.year, s.month) == (e.year, e.month):
                return i18n.month(s)
            return _("{start} - {end}").format(start=i18n.month(s), end=i18n.month(e))
        return _days(self)

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
        raise QueryError(
            _("{text} is not a period FROM..TO (e.g. 2021-01-01..2021-12-31)").format(text=repr(text[:60]))
        )
    anywhere = Choices(dt.date.min, dt.date.max)  # dates are checked against the data elsewhere
    start = filters.BY_NAME["start"].parse([first.strip()], anywhere)
    end = filters.BY_NAME["end"].parse([last.strip()], anywhere)
    if start > end:
        raise QueryError(_("{text}: the period starts after it ends").format(text=repr(text[:60])))
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
        options[_("Consecutive years: {a} and {b}").format(a=last_year - 1, b=last_year)] = (
            year_of(last_year - 1),
            year_of(last_year),
        )
    last_q = quarter_of(c.last)
    if last_q.end != c.last:
        last_q = quarter_of(last_q.start - dt.timedelta(days=1))
    prev_q = quarter_of(last_q.start - dt.timedelta(days=1))
    if prev_q.start >= quarter_of(c.first).start:
        options[_("Consecutive quarters: {a} and {b}").format(a=prev_q.label, b=last_q.label)] = (
            prev_q,
            last_q,
        )
    for months in (12, 24):
        for m in marks:
            if c.first < m.date <= c.last:
                name = _("{months} months before and after: {milestone} ({day})").format(
                    months=months, milestone=m.shown_label, day=m.shown_day
                )
                options[name] = months_around(m.date, months)
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
        raise QueryError(
            _("'by': {value} is not one of {known}").format(
                value=repr(value[:40]), known=", ".join(BREAKDOWNS)
            )
        )
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
        notices.append(
            _("the dashboard's period (from/to) does not apply to a comparison: periods a and b do")
        )
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
        notices.append(_("ignored the comparison: {error}").format(error=error))
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
    fill = FILLS[by]  # kept in English: the rows are data (the page translates them, group_label)
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
    """A change in percent ("+12.5%", "+12,5 %"), or in words where A is zero."""
    if value is None:
        return _("new") if b else _("no change")
    return i18n.percent_change(value)


def group_label(group: str) -> str:
    """A row of the comparison in the current language: the rows the comparison names itself, and the data's
    words (event types, actor groups); places and regions stay as sourced."""
    if group == ALL_ROWS or group in FILLS.values():
        return _(group)
    return i18n.label(group)


def column_label(column: str) -> str:
    """A column of the comparison table as the page heads it: "Events, A", "Reported deaths, change (%)"."""
    if column == "group":
        return _("Group")
    for measure, name in MEASURES.items():
        part = column.removeprefix(measure + "_")
        if part != column and part in COLUMN_PARTS:
            return _(COLUMN_PARTS[part]).format(measure=_(name))
    return column


@dataclass(frozen=True)
class Comparison:
    request: Request
    a: dict[str, int]
    b: dict[str, int]
    unknown_a: int  # events with no reported toll
    unknown_b: int
    rows: pd.DataFrame  # one row per group of the breakdown
    datasets: list[str]
    formats: Mapping[str, str]  # each dataset's source format, for its citation

    # The words are built when asked for, in the current language: a comparison is computed once and may
    # be read in either language.
    @property
    def selection(self) -> str:
        """The filters in words ("Violence against civilians involving ...")."""
        return filters.describe_selection(self.request.spec)

    @property
    def attributions(self) -> list[str]:
        return export.attribution_for(self.datasets, dict(self.formats))

    @property
    def unequal(self) -> bool:
        """The periods differ in length: per-month rates are the fair comparison."""
        return self.request.a.days != self.request.b.days

    def rate(self, side: str, measure: str) -> float:
        period = self.request.a if side == "a" else self.request.b
        return (self.a if side == "a" else self.b)[measure] / period.months

    def summary(self) -> str:
        """One paragraph stating what was counted, over which periods and datasets, and the numbers, in the
        current language."""
        r, a, b = self.request, self.a, self.b
        n = i18n.number
        counting = filters.counting_words(r.spec)
        parts = [
            _(
                "{selection}, counting each event that overlaps the period: {b} in {period_b} against {a} in "
                "{period_a} ({change})."
            ).format(
                selection=self.selection + (" " + counting if counting else ""),
                b=n(b["events"]),
                a=n(a["events"]),
                period_b=r.b.label,
                period_a=r.a.label,
                change=pct_text(change(a["events"], b["events"]), b["events"]),
            ),
            _(
                "Reported deaths: {b} against {a} ({change}); events with no reported toll add none "
                "({unknown_b} in {period_b}, {unknown_a} in {period_a})."
            ).format(
                b=n(b["deaths"]),
                a=n(a["deaths"]),
                change=pct_text(change(a["deaths"], b["deaths"]), b["deaths"]),
                unknown_b=n(self.unknown_b),
                unknown_a=n(self.unknown_a),
                period_b=r.b.label,
                period_a=r.a.label,
            ),
            _(
                "Of these, events coded as targeting civilians: {b} against {a}, with {deaths_b} against "
                "{deaths_a} reported deaths."
            ).format(
                b=n(b["civilian_events"]),
                a=n(a["civilian_events"]),
                deaths_b=n(b["civilian_deaths"]),
                deaths_a=n(a["civilian_deaths"]),
            ),
        ]
        if self.unequal:
            ra, rb = self.rate("a", "events"), self.rate("b", "events")
            parts.append(
                _(
                    "The periods differ in length ({days_a} and {days_b} days): per month, {b} events "
                    "against {a} ({change})."
                ).format(
                    days_a=n(r.a.days),
                    days_b=n(r.b.days),
                    b=i18n.decimal(rb),
                    a=i18n.decimal(ra),
                    change=pct_text(change(ra, rb), rb),
                )
            )
        parts.append(
            _("Periods: A {a}, B {b}. Datasets: {datasets}.").format(
                a=_days(r.a),
                b=_days(r.b),
                datasets=", ".join(self.datasets) if self.datasets else _("none (no event matches)"),
            )
        )
        return " ".join(parts)

    def table_for_page(self) -> pd.DataFrame:
        """The table as the page shows it: the rows' names in the current language, the columns' keys as
        in the CSV (the page heads them with ``column_labels``)."""
        shown = self.table()
        shown["group"] = shown["group"].map(group_label)
        return shown

    def column_labels(self) -> dict[str, str]:
        """Each column's header in the current language: "Events, A", "Reported deaths, change (%)"."""
        return {column: column_label(column) for column in self.table().columns}

    def table(self) -> pd.DataFrame:
        """The whole filter, then each group of the breakdown: A, B, change and % for every measure."""
        overall = pd.DataFrame([{"group": ALL_ROWS, **self._cells(self.a, self.b)}])
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
    """The exact days: "15 Aug 2022 - 14 Aug 2023", "15 août 2022 – 14 août 2023"."""
    return _("{start} - {end}").format(start=i18n.day(period.start), end=i18n.day(period.end))


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
        formats=dict(formats or {}),
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
