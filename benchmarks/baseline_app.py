"""The peers' approach, for comparison only (issue 10): a conflict-events page written the common way.

Every rerun re-reads the CSV, builds one folium CircleMarker with a popup per event and renders the
map with st_folium's defaults (which send every map interaction back as a rerun), then shows every
filtered row in st.dataframe. Not part of sahelmap: benchmarks/bench_baseline.py times it against
app.py on the same synthetic events. The CSV is $SAHELMAP_BASELINE_CSV (an ACLED-format export).
"""

from __future__ import annotations

import html
import os

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

st.set_page_config(page_title="Baseline conflict map", layout="wide")

events = pd.read_csv(os.environ["SAHELMAP_BASELINE_CSV"])  # re-read on every rerun
events["event_date"] = pd.to_datetime(events["event_date"], format="%d %B %Y")

with st.sidebar:
    first, last = events["event_date"].min().date(), events["event_date"].max().date()
    period = st.slider("Period", min_value=first, max_value=last, value=(first, last), key="period")
    actors = st.multiselect("Actor", sorted(events["actor1"].dropna().unique()), key="actor")
    types = st.multiselect("Event type", sorted(events["event_type"].unique()), key="type")
    places = st.multiselect("Region", sorted(events["admin1"].dropna().unique()), key="place")

shown = events[(events["event_date"].dt.date >= period[0]) & (events["event_date"].dt.date <= period[1])]
if actors:
    shown = shown[shown["actor1"].isin(actors)]
if types:
    shown = shown[shown["event_type"].isin(types)]
if places:
    shown = shown[shown["admin1"].isin(places)]

st.title("Conflict events")
st.metric("Events", len(shown))
fmap = folium.Map(location=[17, -4], zoom_start=5)
for row in shown.itertuples():
    popup = (
        f"<b>{row.event_date:%d %b %Y}</b><br>{html.escape(str(row.event_type))}<br>"
        f"{html.escape(str(row.location))}<br>{html.escape(str(row.notes))}<br>Deaths: {row.fatalities}"
    )
    folium.CircleMarker(
        [row.latitude, row.longitude], radius=4, popup=folium.Popup(popup, max_width=300), fill=True
    ).add_to(fmap)
st_folium(fmap, width=1100, height=560)
st.dataframe(shown)
