"""A profile page, one per focus place and one per region: app.py registers this script under each
subject's URL path (profiles.Subject.url_path) and puts the subject, the loaded table and the pages in
``st.session_state`` (``profile_subject``, ``profile_table``, ``profile_pages``) before running it.
Widgets and layout only: the figures and their words come from profiles.py."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from streamlit.navigation.page import StreamlitPage

from sahelmap import charts, dashboard, i18n, profiles, schema
from sahelmap.events import EventTable
from sahelmap.i18n import _
from sahelmap.milestones import milestones

subject: profiles.Subject = st.session_state.get("profile_subject") or profiles.place(schema.FOCUS_PLACES[0])
table: EventTable = st.session_state["profile_table"]
pages: dict[str, StreamlitPage] = st.session_state.get("profile_pages", {})
profile = profiles.profile(table.events, subject, choices=table.choices, coverage=table.coverage)
name = subject.name


def headers(columns: dict[str, str]) -> dict[str, str]:
    return {key: _(label) for key, label in columns.items()}


st.title(_("{name}: profile").format(name=subject.heading))
events_col, deaths_col, only_col = st.columns(3)
events_col.metric(_("Events"), i18n.number(profile.events))
deaths_col.metric(_("Reported deaths"), i18n.number(profile.deaths))
if subject.kind == profiles.REGION:
    only_col.metric(_("Located only to the region"), i18n.number(profile.region_only))
st.markdown(dashboard.md_escape(" ".join([profile.headline(), *profile.details()])))
st.info(dashboard.md_escape(profile.rule()), icon="ℹ️")
st.caption(dashboard.md_escape(dashboard.coverage_line(profile.coverage) + "."))
st.markdown(
    "["
    + dashboard.md_escape(_("Open the dashboard with {name} selected").format(name=name))
    + f"]({profile.link(st.query_params.get(i18n.URL_KEY))})"  # the language this page's link keeps
)
for other in profiles.related(subject):
    if other.url_path in pages:
        st.page_link(pages[other.url_path], label=_("Profile: {name}").format(name=other.name), icon="➡️")

if profile.events:
    assert profile.first is not None and profile.last is not None
    period = (dashboard.month_start(profile.first), dashboard.month_end(profile.last))
    marks = charts.milestone_rows(milestones(), *period)
    timeline = charts.monthly_chart(
        charts.monthly_counts(profile.rows), charts.monthly_totals(profile.rows, *period), period, marks
    )
    st.subheader(_("Events per month, with milestones"))
    st.vega_lite_chart(spec=timeline, width="stretch")
    shown = dashboard.milestones_between(*period)
    if shown:
        st.dataframe(
            pd.DataFrame(shown),
            hide_index=True,
            width="stretch",
            placeholder=dashboard.MISSING_CELL,
            column_config={
                **headers(dashboard.MILESTONE_COLUMNS),
                "date": st.column_config.DateColumn(_("Date"), format="YYYY-MM-DD"),
                "url": st.column_config.LinkColumn(_("Link"), display_text=_("open")),
            },
        )
    left, middle, right = st.columns(3)
    left.subheader(_("Most active actor groups"))
    left.dataframe(
        profile.shown("groups"),
        hide_index=True,
        width="stretch",
        column_config=headers(profiles.GROUP_COLUMNS),
    )
    middle.subheader(_("Busiest years"))
    middle.dataframe(
        profile.shown("years"), hide_index=True, width="stretch", column_config=headers(profiles.YEAR_COLUMNS)
    )
    right.subheader(_("Most frequent event types"))
    right.dataframe(
        profile.shown("types"), hide_index=True, width="stretch", column_config=headers(profiles.TYPE_COLUMNS)
    )
    st.subheader(_("Deadliest events, with their sources"))
    st.dataframe(
        profile.shown("deadliest"),
        hide_index=True,
        width="stretch",
        placeholder=dashboard.MISSING_CELL,
        column_config={
            **headers(profiles.DEADLIEST_COLUMNS),
            "event_date": st.column_config.DateColumn(_("Date"), format="YYYY-MM-DD"),
            "fatalities": st.column_config.NumberColumn(_("Reported deaths"), format="%d"),
            "source_url": st.column_config.LinkColumn(_("Link"), display_text=_("open")),
        },
    )
