"""A place profile page (one per focus place): app.py registers it under each place's URL and names the
place in ``st.session_state.profile_place`` before running it. Widgets and layout only."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sahelmap import charts, dashboard, profiles, schema
from sahelmap.milestones import milestones

place = st.session_state.get("profile_place") or schema.FOCUS_PLACES[0]
events: pd.DataFrame = st.session_state["profile_events"]
profile = profiles.profile(events, place)

st.title(f"{place}: profile")
st.markdown(dashboard.md_escape(profile.summary()))
st.markdown(f"[Open the dashboard with {dashboard.md_escape(place)} selected]({profile.link})")

if profile.events:
    assert profile.first is not None and profile.last is not None
    period = (dashboard.month_start(profile.first), dashboard.month_end(profile.last))
    at = events[events["focus_place"] == place]
    marks = charts.milestone_rows(milestones(), *period)
    timeline = charts.monthly_chart(
        charts.monthly_counts(at), charts.monthly_totals(at, *period), period, marks
    )
    st.subheader("Events per month, with milestones")
    st.vega_lite_chart(spec=timeline, width="stretch")
    shown = dashboard.milestones_between(*period)
    if shown:
        st.dataframe(
            pd.DataFrame(shown),
            hide_index=True,
            width="stretch",
            column_config={"url": st.column_config.LinkColumn("Link", display_text="open")},
        )
    left, right = st.columns(2)
    left.subheader("Most active actor groups")
    left.dataframe(profile.groups, hide_index=True, width="stretch")
    right.subheader("Busiest years")
    right.dataframe(profile.years, hide_index=True, width="stretch")
    st.subheader("Deadliest events, with their sources")
    st.dataframe(
        profile.deadliest,
        hide_index=True,
        width="stretch",
        column_config={
            "event_date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
            "fatalities": st.column_config.NumberColumn("Reported deaths", format="%d"),
            "source_url": st.column_config.LinkColumn("Link", display_text="open"),
        },
    )
