"""Aggregations (pure, testable) and the Altair charts drawn from them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from sahelmap import actors, i18n, schema
from sahelmap.i18n import _
from sahelmap.mapview import EVENT_COLORS
from sahelmap.milestones import Milestone

LABEL_LIMIT = 320  # pixels: the longest actor group label ("Malian armed forces (FAMa, ...)") fits whole
COUNT_AXIS = alt.Axis(format="d", tickMinStep=1)  # counts are whole: no 0.5 ticks


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
    months with no events included with zeros, so a line over them drops to zero instead of jumping."""
    if start is None or end is None:
        if events.empty:
            return pd.DataFrame({"month": pd.Series(dtype="datetime64[ns]"), "events": [], "deaths": []})
        start = start or events["event_date"].min().date()
        end = end or events["event_date"].max().date()
    months = pd.period_range(start, end, freq="M").to_timestamp()
    per_month = (
        events.assign(
            month=events["event_date"].dt.to_period("M").dt.to_timestamp(),
            deaths=schema.counted_deaths(events["fatalities"]),
        )
        .groupby("month")
        .agg(events=("event_id", "size"), deaths=("deaths", "sum"))
    )
    out = per_month.reindex(months, fill_value=0).rename_axis("month").reset_index()
    return out.astype({"events": "int64", "deaths": "int64"})


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


def _type_legend() -> alt.Legend:
    # two columns of labels up to 170 px fit a 400 px wide chart; in another language than English the
    # labels are looked up in the browser, so the data and the colour scale keep ACLED's names
    names = _type_labels()
    shown = {k: v for k, v in names.items() if k != v}
    label_expr = f"({json.dumps(shown)})[datum.label] || datum.label" if shown else alt.Undefined
    return alt.Legend(orient="bottom", columns=2, labelLimit=170, labelExpr=label_expr)


def _type_color_scale() -> alt.Scale:
    return alt.Scale(domain=list(EVENT_COLORS), range=list(EVENT_COLORS.values()))


GAP_COLOR = "#bbbbbb"


def monthly_chart(
    counts: pd.DataFrame,
    totals: pd.DataFrame | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    marks: pd.DataFrame | None = None,
    gaps: pd.DataFrame | None = None,
) -> alt.LayerChart:
    """Stacked bars of events per month by type, reported deaths as a line on its own axis (every month of
    ``totals``, empty ones at zero), the time axis spanning ``period``, milestones as labelled rules.

    ``gaps`` (coverage_gaps) shades the months some loaded dataset does not cover, with a tooltip naming it.
    """
    totals = totals if totals is not None else monthly_totals(pd.DataFrame(columns=["event_date"]))
    domain = None
    if period is not None:
        # the axis runs from the first day of the period to the end of its last day
        domain = [
            pd.Timestamp(period[0]).isoformat(),
            (pd.Timestamp(period[1]) + pd.Timedelta(days=1)).isoformat(),
        ]
    x_scale = alt.Scale(domain=domain) if domain else alt.Undefined
    # month_end is computed in the browser: sent with every row it was a third of the chart's bytes.
    bars = (
        alt.Chart(counts.drop(columns=["month_end"], errors="ignore"))
        .transform_calculate(
            month_end="datetime(year(datum.month), month(datum.month) + 1, 1)",
            type_label=f"({json.dumps(_type_labels())})[datum.event_type] || datum.event_type",
        )
        .mark_bar(stroke="white", strokeWidth=0.3)
        .encode(
            x=alt.X("month:T", title=None, scale=x_scale),
            x2="month_end:T",
            y=alt.Y("sum(events):Q", title=_("Events per month"), axis=COUNT_AXIS),
            color=alt.Color(
                "event_type:N",
                scale=_type_color_scale(),
                title=_("Event type"),
                legend=_type_legend(),
            ),
            tooltip=[
                alt.Tooltip("yearmonth(month):T", title=_("Month")),
                alt.Tooltip("type_label:N", title=_("Type")),
                alt.Tooltip("sum(events):Q", title=_("Events")),
                alt.Tooltip("sum(deaths):Q", title=_("Reported deaths")),
            ],
        )
    )
    middle = totals.assign(mid=totals["month"] + pd.Timedelta(days=14))  # each point mid-month
    deaths = (
        alt.Chart(middle)
        .mark_line(color="#333", strokeDash=[4, 2], point=True)
        .encode(
            x=alt.X("mid:T", title=None, scale=x_scale),
            y=alt.Y("deaths:Q", title=_("Reported deaths (line)"), axis=COUNT_AXIS),
            tooltip=[
                alt.Tooltip("yearmonth(month):T", title=_("Month")),
                alt.Tooltip("deaths:Q", title=_("Reported deaths")),
                alt.Tooltip("events:Q", title=_("Events")),
            ],
        )
    )
    layers: list[alt.Chart] = [bars, deaths]
    if marks is not None and len(marks):
        rule = alt.Chart(marks).mark_rule(color="#777", strokeWidth=1)
        layers.append(rule.encode(x=alt.X("date:T", scale=x_scale), tooltip=["label:N", "source:N"]))
        text = alt.Chart(marks).mark_text(angle=270, align="right", baseline="bottom", dx=-4, fontSize=10)
        layers.append(text.encode(x=alt.X("date:T", scale=x_scale), y=alt.value(0), text="label:N"))
    if gaps is not None and len(gaps):
        shade = (
            alt.Chart(gaps.assign(label=_("not covered by ") + gaps["missing"]))
            .mark_rect(color=GAP_COLOR, opacity=0.25)
            .encode(
                x=alt.X("start:T", scale=x_scale),
                x2="end:T",
                tooltip=[
                    alt.Tooltip("label:N", title=_("Coverage")),
                    alt.Tooltip("yearmonth(start):T", title=_("From")),
                    alt.Tooltip("yearmonth(end):T", title=_("Until (exclusive)")),
                ],
            )
        )
        layers.insert(0, shade)
    return alt.layer(*layers).resolve_scale(y="independent").properties(height=300)


def actor_chart(counts: pd.DataFrame) -> alt.Chart:
    """One bar per actor group, every bar labelled in full."""
    return (
        alt.Chart(counts)
        .mark_bar(color="#0072B2")
        .encode(
            x=alt.X("events:Q", title=_("Events involving the group"), axis=COUNT_AXIS),
            y=alt.Y(
                "group:N",
                sort="-x",
                title=None,
                axis=alt.Axis(labelLimit=LABEL_LIMIT, labelOverlap=False),
            ),
            tooltip=[
                alt.Tooltip("group:N", title=_("Actor group")),
                alt.Tooltip("events:Q", title=_("Events")),
                alt.Tooltip("deaths:Q", title=_("Reported deaths")),
            ],
        )
        # 24 px per bar: room for each label, so none is dropped as overlapping
        .properties(height=max(120, 24 * len(counts)))
    )


def change_chart(data: pd.DataFrame, measure_label: str, group_label: str) -> alt.Chart:
    """Where the change happened: one bar per group, its change from period A to period B."""
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "change:Q",
                title=_("Change in {measure}, B minus A").format(measure=_(measure_label).lower()),
                axis=COUNT_AXIS,
            ),
            y=alt.Y("group:N", sort=None, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            color=alt.condition("datum.change > 0", alt.value("#D55E00"), alt.value("#0072B2")),
            tooltip=[
                alt.Tooltip("group:N", title=group_label),
                alt.Tooltip("a:Q", title=_("Period A")),
                alt.Tooltip("b:Q", title=_("Period B")),
                alt.Tooltip("change:Q", title=_("Change")),
            ],
        )
        .properties(height=max(80, 22 * len(data)))
    )
