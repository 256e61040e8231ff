"""Aggregations (pure, testable) and the Altair charts drawn from them."""

from __future__ import annotations

import altair as alt
import pandas as pd

from sahelmap import actors, schema
from sahelmap.mapview import EVENT_COLORS


def monthly_counts(events: pd.DataFrame) -> pd.DataFrame:
    """Events and reported deaths per month and event type (months with no events are absent)."""
    if events.empty:
        return pd.DataFrame(columns=["month", "month_end", "event_type", "events", "deaths"])
    month = events["event_date"].dt.to_period("M").dt.to_timestamp()
    grouped = (
        events.assign(month=month, deaths=schema.counted_deaths(events["fatalities"]))
        .groupby(["month", "event_type"], observed=True)
        .agg(events=("event_id", "size"), deaths=("deaths", "sum"))
        .reset_index()
    )
    grouped["month_end"] = grouped["month"] + pd.offsets.MonthBegin(1)  # bars span the whole month
    grouped["event_type"] = grouped["event_type"].astype("str")
    grouped["deaths"] = grouped["deaths"].astype("int64")
    return grouped


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


def _type_color_scale() -> alt.Scale:
    return alt.Scale(domain=list(EVENT_COLORS), range=list(EVENT_COLORS.values()))


GAP_COLOR = "#bbbbbb"


def monthly_chart(counts: pd.DataFrame, gaps: pd.DataFrame | None = None) -> alt.LayerChart:
    """Stacked bars of events per month by type, with reported deaths as a line on its own axis.

    ``gaps`` (coverage_gaps) shades the months some loaded dataset does not cover, with a tooltip naming it.
    """
    base = alt.Chart(counts).encode(x=alt.X("month:T", title=None))
    bars = base.mark_bar(stroke="white", strokeWidth=0.3).encode(
        x2="month_end:T",
        y=alt.Y("sum(events):Q", title="Events per month"),
        color=alt.Color(
            "event_type:N",
            scale=_type_color_scale(),
            title="Event type",
            legend=alt.Legend(orient="bottom", columns=3),
        ),
        tooltip=[
            alt.Tooltip("yearmonth(month):T", title="Month"),
            alt.Tooltip("event_type:N", title="Type"),
            alt.Tooltip("sum(events):Q", title="Events"),
            alt.Tooltip("sum(deaths):Q", title="Reported deaths"),
        ],
    )
    deaths = base.mark_line(color="#333", strokeDash=[4, 2], point=True).encode(
        x=alt.X("yearmonth(month):T", title=None),
        y=alt.Y("sum(deaths):Q", title="Reported deaths (line)"),
        tooltip=[
            alt.Tooltip("yearmonth(month):T", title="Month"),
            alt.Tooltip("sum(deaths):Q", title="Deaths"),
        ],
    )
    layers: list[alt.Chart] = [bars, deaths]
    if gaps is not None and len(gaps):
        shade = (
            alt.Chart(gaps.assign(label="not covered by " + gaps["missing"]))
            .mark_rect(color=GAP_COLOR, opacity=0.25)
            .encode(
                x="start:T",
                x2="end:T",
                tooltip=[
                    alt.Tooltip("label:N", title="Coverage"),
                    alt.Tooltip("yearmonth(start):T", title="From"),
                    alt.Tooltip("yearmonth(end):T", title="Until (exclusive)"),
                ],
            )
        )
        layers.insert(0, shade)
    return alt.layer(*layers).resolve_scale(y="independent").properties(height=280)


def actor_chart(counts: pd.DataFrame) -> alt.Chart:
    return (
        alt.Chart(counts)
        .mark_bar(color="#0072B2")
        .encode(
            x=alt.X("events:Q", title="Events involving the group"),
            y=alt.Y("group:N", sort="-x", title=None),
            tooltip=[
                alt.Tooltip("group:N", title="Actor group"),
                alt.Tooltip("events:Q", title="Events"),
                alt.Tooltip("deaths:Q", title="Reported deaths"),
            ],
        )
        .properties(height=max(120, 24 * len(counts)))
    )
