"""Aggregations (pure, testable) and the charts drawn from them, as Vega-Lite specs (plain dicts)."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from sahelmap import actors, i18n, schema
from sahelmap.i18n import _
from sahelmap.mapview import EVENT_COLORS
from sahelmap.milestones import Milestone

LABEL_LIMIT = 320  # pixels: the longest actor group label ("Malian armed forces (FAMa, ...)") fits whole
COUNT_AXIS = {"format": "d", "tickMinStep": 1}  # counts are whole: no 0.5 ticks


def _months(days: np.ndarray) -> np.ndarray:
    """Months since 1970 of days since 1970, through a table of the days spanned (numpy's own day ->
    month conversion is the slow part of a monthly count)."""
    if not len(days):
        return days
    first = days.min()
    span = np.arange(first, days.max() + 1).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return span[days - first]


def monthly_counts(events: pd.DataFrame) -> pd.DataFrame:
    """Events and reported deaths per month and event type (months with no events are absent).

    Counted with numpy's bincount over (month, type code): one pass, ~10x faster than a groupby at 1M rows.
    """
    types = events["event_type"].astype("category")
    codes = types.cat.codes.to_numpy()
    known = codes >= 0  # an event with no type is in no bar, as a groupby would leave it out
    if not known.any():
        return pd.DataFrame(columns=["month", "month_end", "event_type", "events", "deaths"])
    months = _months(events["event_date"].to_numpy(dtype="datetime64[D]").astype(np.int64))
    first, n_types = months[known].min(), len(types.cat.categories)
    key = (months[known] - first) * n_types + codes[known]
    deaths = schema.counted_deaths(events["fatalities"]).to_numpy()[known]
    n_events = np.bincount(key)
    n_deaths = np.bincount(key, weights=deaths.astype(np.float64))  # exact below 2**53 deaths
    cells = np.flatnonzero(n_events)
    month = (cells // n_types + first).astype("datetime64[M]")
    unit = events["event_date"].dtype
    return pd.DataFrame(
        {
            "month": pd.Series(month).astype(unit),
            "event_type": types.cat.categories[cells % n_types].astype("str"),
            "events": n_events[cells].astype("int64"),
            "deaths": np.rint(n_deaths[cells]).astype("int64"),
            "month_end": pd.Series(month + 1).astype(unit),  # bars span the whole month
        }
    )


def coverage(events: pd.DataFrame) -> pd.DataFrame:
    """Each dataset's coverage: its first and last event date and its number of events, in dataset order."""
    columns = ["dataset", "first", "last", "events"]
    if events.empty:
        return pd.DataFrame(columns=columns)
    by = events.assign(dataset=events["dataset"].astype("str")).groupby("dataset", sort=True)
    out = by.agg(first=("event_date", "min"), last=("event_date", "max"), events=("event_id", "size"))
    return out.reset_index()[columns]


def coverage_gaps(cover: pd.DataFrame, first_month: pd.Timestamp, last_month: pd.Timestamp) -> pd.DataFrame:
    """Runs of months from ``first_month`` to ``last_month`` that some loaded dataset does not cover (a month
    before the month of its first event or after the month of its last): start, end (exclusive) and
    the datasets missing. A cliff where a file ends then reads as the end of the file, not of the violence.
    """
    columns = ["start", "end", "missing"]
    if cover.empty or pd.isna(first_month) or pd.isna(last_month):
        return pd.DataFrame(columns=columns)
    months = pd.period_range(first_month, last_month, freq="M")
    starts = pd.PeriodIndex(pd.to_datetime(cover["first"]).dt.to_period("M"))
    ends = pd.PeriodIndex(pd.to_datetime(cover["last"]).dt.to_period("M"))
    names = cover["dataset"].astype("str").tolist()
    missing = [
        ", ".join(n for n, a, b in zip(names, starts, ends, strict=True) if not a <= m <= b) for m in months
    ]
    rows: list[dict[str, object]] = []
    previous = ""
    for month, text in zip(months, missing, strict=True):
        if text and text == previous:  # the run goes on
            rows[-1]["end"] = (month + 1).to_timestamp()
        elif text:
            rows.append({"start": month.to_timestamp(), "end": (month + 1).to_timestamp(), "missing": text})
        previous = text
    return pd.DataFrame(rows, columns=columns)


def actor_group_counts(events: pd.DataFrame) -> pd.DataFrame:
    """Events per actor group (an event with several groups counts once for each)."""
    masks = events[schema.ACTOR_GROUP_MASK].to_numpy()
    deaths = schema.counted_deaths(events["fatalities"]).to_numpy()
    rows = []
    for key, label in schema.ACTOR_GROUPS.items():
        hit = (masks & actors.GROUP_BIT[key]) != 0
        if hit.any():
            rows.append({"group": label, "events": int(hit.sum()), "deaths": int(deaths[hit].sum())})
    return pd.DataFrame(rows, columns=["group", "events", "deaths"]).sort_values("events", ascending=False)


def monthly_totals(
    events: pd.DataFrame, start: dt.date | None = None, end: dt.date | None = None
) -> pd.DataFrame:
    """Events and reported deaths for every month from start's to end's (those of the events by default),
    months with no events included with zeros, so a line over them drops to zero instead of jumping.

    Counted with numpy's bincount over the month (the groupby it replaced cost 16 ms a rerun at 100k rows).
    """
    if start is None or end is None:
        if events.empty:
            return pd.DataFrame({"month": pd.Series(dtype="datetime64[ns]"), "events": [], "deaths": []})
        start = start or events["event_date"].min().date()
        end = end or events["event_date"].max().date()
    months = pd.period_range(start, end, freq="M").to_timestamp()
    first = np.datetime64(pd.Timestamp(start).to_period("M").start_time, "M").astype(np.int64)
    index = _months(events["event_date"].to_numpy(dtype="datetime64[D]").astype(np.int64)) - first
    inside = (index >= 0) & (index < len(months))  # events outside the months shown are left out
    deaths = schema.counted_deaths(events["fatalities"]).to_numpy()[inside].astype(np.float64)
    n_events = np.bincount(index[inside], minlength=len(months))
    n_deaths = np.bincount(index[inside], weights=deaths, minlength=len(months))  # exact below 2**53
    return pd.DataFrame(
        {
            "month": months,
            "events": n_events[: len(months)].astype("int64"),
            "deaths": np.rint(n_deaths[: len(months)]).astype("int64"),
        }
    )


# Over a long period the milestones' labels overlap into an unreadable block: beyond this many, only
# their rules are drawn (each names itself on hover) and the list below the chart gives them in full.
MAX_LABELLED_MILESTONES = 8


def milestone_rows(marks: Sequence[Milestone], start: dt.date, end: dt.date) -> pd.DataFrame:
    """The milestones inside the shown period, as the chart's rules and labels need them."""
    rows = [
        {"date": pd.Timestamp(m.date), "label": m.shown_label, "source": m.source}
        for m in marks
        if start <= m.date <= end
    ]
    return pd.DataFrame(rows, columns=["date", "label", "source"])


def _type_labels() -> dict[str, str]:
    """The event types as the current language names them, for the legend and the tooltip."""
    return {name: i18n.label(name) for name in EVENT_COLORS}


def _type_legend() -> dict[str, Any]:
    # two columns of labels up to 170 px fit a 400 px wide chart; in another language than English the
    # labels are looked up in the browser, so the data and the colour scale keep ACLED's names
    names = _type_labels()
    shown = {k: v for k, v in names.items() if k != v}
    legend: dict[str, Any] = {"columns": 2, "labelLimit": 170, "orient": "bottom"}
    if shown:
        legend["labelExpr"] = f"({json.dumps(shown)})[datum.label] || datum.label"
    return legend


def _type_color_scale() -> dict[str, Any]:
    return {"domain": list(EVENT_COLORS), "range": list(EVENT_COLORS.values())}


GAP_COLOR = "#bbbbbb"


# --- Vega-Lite specs as plain dicts (issue 10) ----------------------------------------------------------
# The charts are written as the Vega-Lite dicts st.vega_lite_chart takes. Building them with Altair cost
# about 100 ms a rerun at 100,000 events (its channel wrapping, validation and to_dict), for specs of a few
# hundred rows: the rows are aggregated first (monthly_counts, monthly_totals, actor_group_counts), so a
# spec's size and cost do not grow with the events. The dicts have the layout Altair gave them (named
# datasets, its default view size); tests/test_charts.py validates them against Vega-Lite's JSON schema.
VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
_VIEW_CONFIG = {"view": {"continuousWidth": 300, "continuousHeight": 300}}


def _count_axis() -> dict[str, Any]:
    return dict(COUNT_AXIS)  # a fresh dict per spec: specs are handed out and may be changed by the caller


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as JSON values: dates as ISO text with a time and no zone (Vega-Lite reads them as
    local time, as it shows them), missing values as null, numbers as Python numbers."""
    columns: dict[str, list[Any]] = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            days = column.to_numpy(dtype="datetime64[s]")
            text = np.datetime_as_string(days, unit="s").astype(object)
            text[np.isnat(days)] = ""
            columns[str(name)] = text.tolist()
        elif pd.api.types.is_float_dtype(column.dtype):
            values = column.to_numpy(dtype="float64")
            cells = values.astype(object)
            cells[~np.isfinite(values)] = None
            columns[str(name)] = cells.tolist()
        elif pd.api.types.is_numeric_dtype(column.dtype) and not column.hasnans:  # ints and bools
            columns[str(name)] = column.to_numpy().tolist()
        else:  # text, categories, nullable numbers
            cells = column.to_numpy(dtype=object, copy=True)
            cells[pd.isna(cells)] = None
            columns[str(name)] = cells.tolist()
    names = list(columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _dataset(datasets: dict[str, list[dict[str, Any]]], frame: pd.DataFrame) -> dict[str, str]:
    """Adds a frame's rows to ``datasets`` under a name derived from them (layers with the same rows share
    one dataset) and returns the layer's ``data``."""
    values = _records(frame)
    text = json.dumps(values, sort_keys=True, default=str)
    name = "data-" + hashlib.sha256(text.encode()).hexdigest()[:32]
    datasets[name] = values
    return {"name": name}


def _spec(body: dict[str, Any], datasets: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    return {"config": copy.deepcopy(_VIEW_CONFIG), **body, "$schema": VEGA_LITE_SCHEMA, "datasets": datasets}


def _field(shorthand: str, **extra: Any) -> dict[str, Any]:
    """A channel from a shorthand: ``field:T``, ``field:N``, ``field:Q``, ``sum(field):Q``,
    ``yearmonth(field):T``; ``extra`` adds properties (title, axis, scale, ...)."""
    name, kind = shorthand.rsplit(":", 1)
    channel: dict[str, Any] = {}
    if "(" in name:
        function, name = name[:-1].split("(", 1)
        channel["timeUnit" if function == "yearmonth" else "aggregate"] = function
    channel["field"] = name
    channel.update(extra)
    channel["type"] = {"T": "temporal", "N": "nominal", "Q": "quantitative"}[kind]
    return channel


def monthly_chart(
    counts: pd.DataFrame,
    totals: pd.DataFrame | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    marks: pd.DataFrame | None = None,
    gaps: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """Stacked bars of events per month by type, reported deaths as a line on its own axis (every month of
    ``totals``, empty ones at zero), the time axis spanning ``period``, milestones as rules (labels when few).

    ``gaps`` (coverage_gaps) shades the months some loaded dataset does not cover, with a tooltip naming it.
    """
    totals = totals if totals is not None else monthly_totals(pd.DataFrame(columns=["event_date"]))
    scale: dict[str, Any] = {}
    if period is not None:
        # the axis runs from the first day of the period to the end of its last day
        domain = [
            pd.Timestamp(period[0]).isoformat(),
            (pd.Timestamp(period[1]) + pd.Timedelta(days=1)).isoformat(),
        ]
        scale = {"scale": {"domain": domain}}

    def time(field: str, **extra: Any) -> dict[str, Any]:
        return _field(f"{field}:T", **copy.deepcopy(scale), **extra)

    datasets: dict[str, list[dict[str, Any]]] = {}
    layers: list[dict[str, Any]] = []
    if gaps is not None and len(gaps):
        layers.append(
            {
                "data": _dataset(datasets, gaps.assign(label=_("not covered by ") + gaps["missing"])),
                "mark": {"type": "rect", "color": GAP_COLOR, "opacity": 0.25},
                "encoding": {
                    "tooltip": [
                        _field("label:N", title=_("Coverage")),
                        _field("yearmonth(start):T", title=_("From")),
                        _field("yearmonth(end):T", title=_("Until (exclusive)")),
                    ],
                    "x": time("start"),
                    "x2": {"field": "end"},
                },
            }
        )
    # month_end is computed in the browser: sent with every row it was a third of the chart's bytes.
    layers.append(
        {
            "data": _dataset(datasets, counts.drop(columns=["month_end"], errors="ignore")),
            "mark": {"type": "bar", "stroke": "white", "strokeWidth": 0.3},
            "encoding": {
                "color": _field(
                    "event_type:N", legend=_type_legend(), scale=_type_color_scale(), title=_("Event type")
                ),
                "tooltip": [
                    _field("yearmonth(month):T", title=_("Month")),
                    _field("type_label:N", title=_("Type")),
                    _field("sum(events):Q", title=_("Events")),
                    _field("sum(deaths):Q", title=_("Reported deaths")),
                ],
                "x": time("month", title=None),
                "x2": {"field": "month_end"},
                "y": _field("sum(events):Q", axis=_count_axis(), title=_("Events per month")),
            },
            "transform": [
                {"calculate": "datetime(year(datum.month), month(datum.month) + 1, 1)", "as": "month_end"},
                {
                    "calculate": f"({json.dumps(_type_labels())})[datum.event_type] || datum.event_type",
                    "as": "type_label",
                },
            ],
        }
    )
    middle = totals.assign(mid=totals["month"] + pd.Timedelta(days=14))  # each point mid-month
    layers.append(
        {
            "data": _dataset(datasets, middle),
            "mark": {"type": "line", "color": "#333", "point": True, "strokeDash": [4, 2]},
            "encoding": {
                "tooltip": [
                    _field("yearmonth(month):T", title=_("Month")),
                    _field("deaths:Q", title=_("Reported deaths")),
                    _field("events:Q", title=_("Events")),
                ],
                "x": time("mid", title=None),
                "y": _field("deaths:Q", axis=_count_axis(), title=_("Reported deaths (line)")),
            },
        }
    )
    if marks is not None and len(marks):
        data = _dataset(datasets, marks)
        layers.append(
            {
                "data": data,
                "mark": {"type": "rule", "color": "#777", "strokeWidth": 1},
                "encoding": {"tooltip": [_field("label:N"), _field("source:N")], "x": time("date")},
            }
        )
    if marks is not None and 0 < len(marks) <= MAX_LABELLED_MILESTONES:
        layers.append(
            {
                "data": dict(data),
                "mark": {
                    "type": "text",
                    "align": "right",
                    "angle": 270,
                    "baseline": "bottom",
                    "dx": -4,
                    "fontSize": 10,
                },
                "encoding": {"text": _field("label:N"), "x": time("date"), "y": {"value": 0}},
            }
        )
    body = {"layer": layers, "height": 300, "resolve": {"scale": {"y": "independent"}}}
    return _spec(body, datasets)


def actor_chart(counts: pd.DataFrame) -> dict[str, Any]:
    """One bar per actor group, every bar labelled in full."""
    datasets: dict[str, list[dict[str, Any]]] = {}
    body = {
        "data": _dataset(datasets, counts),
        "mark": {"type": "bar", "color": "#0072B2"},
        "encoding": {
            "tooltip": [
                _field("group:N", title=_("Actor group")),
                _field("events:Q", title=_("Events")),
                _field("deaths:Q", title=_("Reported deaths")),
            ],
            "x": _field("events:Q", axis=_count_axis(), title=_("Events involving the group")),
            "y": _field(
                "group:N", axis={"labelLimit": LABEL_LIMIT, "labelOverlap": False}, sort="-x", title=None
            ),
        },
        # 24 px per bar: room for each label, so none is dropped as overlapping
        "height": max(120, 24 * len(counts)),
    }
    return _spec(body, datasets)


def change_chart(data: pd.DataFrame, measure_label: str, group_label: str) -> dict[str, Any]:
    """Where the change happened: one bar per group, its change from period A to period B."""
    datasets: dict[str, list[dict[str, Any]]] = {}
    body = {
        "data": _dataset(datasets, data),
        "mark": {"type": "bar"},
        "encoding": {
            "color": {"condition": {"test": "datum.change > 0", "value": "#D55E00"}, "value": "#0072B2"},
            "tooltip": [
                _field("group:N", title=group_label),
                _field("a:Q", title=_("Period A")),
                _field("b:Q", title=_("Period B")),
                _field("change:Q", title=_("Change")),
            ],
            "x": _field(
                "change:Q",
                axis=_count_axis(),
                title=_("Change in {measure}, B minus A").format(measure=_(measure_label).lower()),
            ),
            "y": _field("group:N", axis={"labelLimit": LABEL_LIMIT}, sort=None, title=None),
        },
        "height": max(80, 22 * len(data)),
    }
    return _spec(body, datasets)
