"""Aggregations (pure, testable) and the Altair charts drawn from them."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from sahelmap import actors, schema
from sahelmap.mapview import EVENT_COLORS


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
    # month_end is computed in the browser: sent with every row it was a third of the chart's bytes.
    data = counts.drop(columns=["month_end"], errors="ignore")
    base = (
        alt.Chart(data)
        .transform_calculate(month_end="datetime(year(datum.month), month(datum.month) + 1, 1)")
        .encode(x=alt.X("month:T", title=None))
    )
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
