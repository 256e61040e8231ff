"""Aggregations (pure, testable) and the Altair charts drawn from them."""

from __future__ import annotations

import altair as alt
import pandas as pd

from sahelmap import actors, schema
from sahelmap.mapview import EVENT_COLORS

LABEL_LIMIT = 320  # pixels: the longest actor group label ("Malian armed forces (FAMa, ...)") fits whole
COUNT_AXIS = alt.Axis(format="d", tickMinStep=1)  # counts are whole: no 0.5 ticks


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


def monthly_chart(counts: pd.DataFrame) -> alt.LayerChart:
    """Stacked bars of events per month by type, with reported deaths as a line on its own axis."""
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
    return alt.layer(bars, deaths).resolve_scale(y="independent").properties(height=280)


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


def change_chart(data: pd.DataFrame, measure_label: str, group_label: str) -> alt.Chart:
    """Where the change happened: one bar per group, its change from period A to period B."""
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("change:Q", title=f"Change in {measure_label.lower()}, B minus A", axis=COUNT_AXIS),
            y=alt.Y("group:N", sort=None, title=None, axis=alt.Axis(labelLimit=LABEL_LIMIT)),
            color=alt.condition("datum.change > 0", alt.value("#D55E00"), alt.value("#0072B2")),
            tooltip=[
                alt.Tooltip("group:N", title=group_label),
                alt.Tooltip("a:Q", title="Period A"),
                alt.Tooltip("b:Q", title="Period B"),
                alt.Tooltip("change:Q", title="Change"),
            ],
        )
        .properties(height=max(80, 22 * len(data)))
    )
