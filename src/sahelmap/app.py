"""sahelmap: the Streamlit page, run by `sahelmap app` or `streamlit run app.py`.

Widgets -> one FilterSpec -> views. Only this file imports streamlit, and it holds only widgets and layout:
everything it computes comes from pure functions of the package.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
from folium.plugins import MarkerCluster
from streamlit_folium import st_folium

from sahelmap import dashboard, export, extract, filters, mapview, paths, reference, schema, store, widgets
from sahelmap.errors import StoreError
from sahelmap.events import EventTable, load_events
from sahelmap.filters import FilterSpec
from sahelmap.uploads import (
    MAX_UPLOAD_MB,
    MAX_UPLOAD_ROWS,
    UPLOAD_FILE_TYPES,
    UPLOAD_FORMATS,
    Upload,
    keeping_allowed,
    read_upload,
    rejected_csv,
    with_uploads,
)

st.set_page_config(page_title="sahelmap: conflict events in Mali", page_icon="🗺️", layout="wide")


# --- data, loaded once per process and shared by every session --------------------------------
@st.cache_resource(show_spinner="Loading events…", max_entries=2)
def shared_table(store_version: tuple[tuple[str, int, int], ...]) -> EventTable:
    """The curated table and every stored dataset; a new import changes store_version and reloads."""
    return load_events(include_stored=True)


# --- one view per (data, filter), shared by every session (issue 10: bounded, no per-rerun copies) ----
@st.cache_resource(max_entries=4, show_spinner=False)
def precomputed(_events: pd.DataFrame, table_key: object) -> dashboard.Precomputed:
    return dashboard.precompute(_events)


@st.cache_resource(max_entries=256, show_spinner=False)
def selection(
    _events: pd.DataFrame, table_key: object, _spec: FilterSpec, query_items: tuple[tuple[str, str], ...]
) -> Any:
    """Row positions of the events a filter selects (read-only; 8 bytes an event); query_items is its key."""
    positions = np.flatnonzero(filters.mask(_events, _spec))
    positions.flags.writeable = False
    return positions


@st.cache_data(max_entries=128, show_spinner=False)
def view_figures(
    _events: pd.DataFrame, _positions: Any, table_key: object, query_items: tuple[tuple[str, str], ...]
) -> dashboard.ViewFigures:
    """Map layer data and chart specs for one view, built once per data and filter (any session)."""
    return dashboard.view_figures(dashboard.figure_rows(_events, _positions))


@st.cache_resource(max_entries=64, show_spinner=False)
def table_page(
    _events: pd.DataFrame,
    _positions: Any,
    table_key: object,
    query_items: tuple[tuple[str, str], ...],
    order: str,
) -> dashboard.TablePage:
    """The table's rows for one view and order: at most dashboard.TABLE_ROW_CAP, sorted here."""
    return dashboard.table_page(_events, order, positions=_positions)


uploads: list[Upload] = st.session_state.setdefault("uploads", [])
version = store.version()
uploads_key = tuple((u.label, u.digest) for u in uploads if u.ok)
if not uploads_key:
    table = shared_table(version)
elif st.session_state.get("session_table_key") != (version, uploads_key):
    # Merging and linking uploads costs a fraction of a second: once per change, not per rerun.
    table = st.session_state.session_table = with_uploads(shared_table(version), uploads)
    st.session_state.session_table_key = (version, uploads_key)
else:
    table = st.session_state.session_table
# Identifies the data this session sees, for caches keyed by filter.
table_key = (str(paths.user_data_dir()), version, uploads_key, len(table.events))
events = table.events
options = table.choices


# --- URL -> widget state, once per browser session -----------------------------------------
def set_period(period: tuple[dt.date, dt.date]) -> None:
    """Set the exact period; a new slider key makes the slider start again from it."""
    st.session_state.f_period = period
    st.session_state.period_version = st.session_state.get("period_version", 0) + 1


def state_from_spec(spec: FilterSpec) -> None:
    set_period(dashboard.clamp_period(spec, options))
    st.session_state.update(widgets.state_from_spec(spec, options))


if "initialised" not in st.session_state:
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    url_spec, url_notices = filters.parse_query(params, options)
    state_from_spec(url_spec)
    st.session_state.url_notices = url_notices
    st.session_state.initialised = True
    st.session_state.data_range = (options.first, options.last)

if st.session_state.data_range != (options.first, options.last):
    set_period(dashboard.follow_data(st.session_state.f_period, st.session_state.data_range, options))
    st.session_state.data_range = (options.first, options.last)


def reset_filters() -> None:
    state_from_spec(FilterSpec())
    st.session_state.preset = None


def apply_preset() -> None:
    choice = st.session_state.get("preset")
    if choice:
        set_period(dashboard.presets(options)[choice])


def step_months(months: int) -> None:
    set_period(dashboard.step_period_end(st.session_state.f_period, months, options))
    st.session_state.preset = None


def toggle_playback() -> None:
    st.session_state.playing = not st.session_state.get("playing", False)
    if st.session_state.playing:
        set_period(dashboard.playback_start(st.session_state.f_period, options))
        st.session_state.last_tick = time.monotonic()


def months_moved(key: str) -> None:
    st.session_state.f_period = dashboard.period_of_months(st.session_state[key], options)
    st.session_state.preset = None


def filter_widget(flt: filters.Filter, now: dict[str, Any]) -> None:
    """One registered filter's widget, drawn from its declaration."""
    key, w = widgets.key_of(flt), flt.widget
    if w.kind == "multiselect":
        offered = flt.options(options, now)
        st.session_state[key] = [v for v in st.session_state.get(key, []) if v in offered]
        st.multiselect(w.label, offered, key=key, format_func=flt.option_label, help=w.help or None)
    elif w.kind == "text":
        st.text_input(
            w.label,
            key=key,
            max_chars=filters.MAX_TEXT_LENGTH,
            placeholder=w.placeholder,
            help=w.help or None,
        )
    elif w.kind == "number":
        st.number_input(w.label, min_value=0, max_value=filters.MAX_MIN_DEATHS, step=1, key=key)
    elif w.kind == "toggle":
        st.toggle(w.label, key=key, help=w.help or None)
    now[flt.name] = st.session_state[key]


# --- sidebar: the filters --------------------------------------------------------------------
with st.sidebar:
    st.header("Filters")
    start, end = st.session_state.f_period
    months_key = f"w_months_{st.session_state.period_version}"
    st.select_slider(
        filters.BY_NAME["start"].widget.label,
        options=dashboard.months_between(options.first, options.last),
        value=(dashboard.month_start(start), dashboard.month_start(end)),
        key=months_key,
        format_func=lambda d: d.strftime("%b %Y"),
        on_change=months_moved,
        args=(months_key,),
        help=filters.BY_NAME["start"].widget.help,
    )
    st.selectbox(
        "Quick period",
        list(dashboard.presets(options)),
        index=None,
        key="preset",
        placeholder="Choose a preset…",
        on_change=apply_preset,
    )
    now: dict[str, Any] = {}
    for flt in widgets.sidebar_filters(options):
        filter_widget(flt, now)
    st.button("Reset all filters", on_click=reset_filters, width="stretch", key="reset")
    st.caption("Playback: watch events appear month by month")
    back, play, forward = st.columns(3)
    back.button(
        "◀",
        on_click=step_months,
        args=(-1,),
        help="End the period one month earlier",
        width="stretch",
        key="back",
    )
    play.button(
        "Pause" if st.session_state.get("playing") else "▶ Play",
        on_click=toggle_playback,
        help=f"Extends the period by one month every {dashboard.PLAY_SECONDS_PER_MONTH:g} s from its start",
        width="stretch",
        key="play",
    )
    forward.button(
        "▶",
        on_click=step_months,
        args=(1,),
        help="End the period one month later",
        width="stretch",
        key="forward",
    )
    basemap = st.selectbox("Basemap", list(mapview.BASEMAPS), key="w_basemap")

if st.session_state.get("playing"):

    @st.fragment(run_every=dashboard.PLAY_SECONDS_PER_MONTH)
    def playback_tick() -> None:
        # Runs inline with every full run too: only a timer tick moves the period on.
        if not dashboard.tick_due(st.session_state.get("last_tick", 0.0), time.monotonic()):
            return
        st.session_state.last_tick = time.monotonic()
        period = st.session_state.f_period
        if period[1] >= options.last:
            st.session_state.playing = False
        else:
            set_period(dashboard.step_period_end(period, 1, options))
        st.rerun(scope="app")

    playback_tick()

spec = widgets.spec_from_state(
    {key: st.session_state[key] for key in widgets.widget_keys() if key in st.session_state},
    dashboard.spec_period(st.session_state.f_period, options),
    options,
)
query = filters.to_query(spec)
if query != {key: st.query_params[key] for key in st.query_params}:
    st.query_params.from_dict(query)

query_items = tuple(sorted(query.items()))  # the filter, as the caches' key
positions = selection(events, table_key, spec, query_items)
view = extract.view_of(table, spec, positions)
figures = dashboard.kpis_at(precomputed(events, table_key), positions)
description = view.description


def dashboard_columns() -> dict[str, Any]:
    return {
        "event_date": st.column_config.DateColumn("Date", format="YYYY-MM-DD"),
        "source_url": st.column_config.LinkColumn("Link", display_text="open"),
        "fatalities": st.column_config.NumberColumn("Deaths", format="%d"),
        "notes": st.column_config.TextColumn(
            "Notes",
            help=f"The first {dashboard.NOTES_CHARS} characters; the map's popup and the downloads hold "
            "every note in full.",
        ),
        **{
            k: v
            for k, v in dashboard.TABLE_COLUMNS.items()
            if k not in ("event_date", "source_url", "fatalities", "notes")
        },
    }


# --- page ------------------------------------------------------------------------------------
st.title("sahelmap · armed-conflict events in Mali")
st.caption(dashboard.md_escape(description))
for notice in st.session_state.get("url_notices", []):
    st.warning("Link: " + dashboard.md_escape(notice), icon="⚠️")
if len(table.report):
    st.warning(f"{len(table.report)} problems were found in the loaded data; those rows are not shown.")

k1, k2, k3, k4 = st.columns(4)
k1.metric("Events", f"{figures.events:,}")
k2.metric(
    "Reported deaths", f"{figures.deaths:,}", help=f"{figures.unknown_deaths:,} events have no reported toll"
)
k3.metric("Civilians targeted", f"{figures.civilian_events:,}")
k4.metric("Places", f"{figures.places:,}")

if not len(positions):
    st.info(
        "No events match these filters. Widen the period or remove a filter (or press Reset in the sidebar)."
    )

# --- map -------------------------------------------------------------------------------------
places = reference.gazetteer().focus_places()
zoom_choice = st.segmented_control(
    "Zoom to", ["All of Mali", *schema.FOCUS_PLACES], default="All of Mali", key="w_zoom"
)
center, zoom = mapview.MALI_CENTER, mapview.MALI_ZOOM
if zoom_choice in schema.FOCUS_PLACES:
    place = places[places["name"] == zoom_choice].iloc[0]
    center, zoom = (float(place["latitude"]), float(place["longitude"])), mapview.PLACE_ZOOM

figures_for_view = view_figures(events, positions, table_key, query_items)
layer = mapview.layer_from_data(figures_for_view.layer_mode, figures_for_view.layer)
# A fresh base map every run: st_folium adds the event layer to the map object it is given, so a
# cached map would collect old layers. Its script is the same each run, so the browser keeps it mounted.
base = mapview.base_map(basemap, places)
# The browser loads the map's plugins (their <script> tags) only with the first map it mounts; later
# reruns swap the event layer alone. A page first drawn with grid cells then filtered down to single
# (clustered) events drew nothing: load the cluster plugin always (an empty cluster group, invisible).
MarkerCluster(control=False).add_to(base)
if layer.mode == "grid":
    st.caption(
        f"{figures.events:,} events are drawn as {layer.n_features:,} grid cells; narrow the filters to "
        f"{mapview.DETAIL_LIMIT:,} events or fewer to see each event with its source."
    )
# A row chosen in the table below puts the map on that event.
table_order = st.session_state.get("w_table_order") or "newest"
page = table_page(events, positions, table_key, query_items, table_order)
table_rows = page.rows
chosen_rows = st.session_state.get("event_table", {}).get("selection", {}).get("rows", [])
chosen = table_rows.iloc[chosen_rows[0]] if chosen_rows and chosen_rows[0] < len(table_rows) else None
if chosen is not None:
    event = events.loc[chosen.name]
    center, zoom = (float(event["latitude"]), float(event["longitude"])), mapview.PLACE_ZOOM + 2
    st.info(
        f"Showing {event['event_date']:%d %b %Y}, {dashboard.md_escape(str(event['sub_event_type']))} at "
        f"{dashboard.md_escape(str(event['location']))} ({dashboard.md_escape(str(event['event_id']))}): "
        "click its circle for the details and the source.",
        icon="📍",
    )
# Clicks open popups in the browser; nothing is sent back, so panning, zooming and clicking never rerun.
st_folium(
    base,
    key="map",
    feature_group_to_add=layer.group,
    center=center,
    zoom=zoom,
    height=560,
    use_container_width=True,
    returned_objects=[],
    # st_folium renders the map again itself; its first render (render=True) was half its cost per
    # rerun and only repeated each focus place's setIcon in the script (issue 10's profile).
    render=False,
)

# --- charts ----------------------------------------------------------------------------------
left, right = st.columns([3, 2])
with left:
    st.subheader("Events per month")
    st.vega_lite_chart(spec=figures_for_view.monthly_chart, width="stretch")
with right:
    st.subheader("Events by actor group")
    st.vega_lite_chart(spec=figures_for_view.actor_chart, width="stretch")

# --- table -----------------------------------------------------------------------------------
st.subheader("Events")
st.segmented_control(
    "Sort the table",
    list(dashboard.TABLE_ORDERS),
    format_func=lambda order: dashboard.TABLE_ORDERS[order].capitalize(),
    default="newest",
    key="w_table_order",
)
st.caption(page.caption + " Select a row to show the event on the map.")
st.dataframe(
    table_rows,
    key="event_table",
    on_select="rerun",
    selection_mode="single-row",
    hide_index=True,
    width="stretch",
    column_config=dashboard_columns(),
    height=420,
)

# --- downloads -------------------------------------------------------------------------------
st.subheader("Download this selection")
st.markdown("**" + dashboard.md_escape(description) + "**")
for line in view.attributions:
    st.caption(dashboard.md_escape(line))
if any(d != schema.CURATED_DATASET for d in view.datasets):
    st.caption("This extract includes imported rows: cite their original publisher as above.")
LABELS = {"csv": "CSV", "geojson": "GeoJSON", "gpkg": "GeoPackage", "zip": "ZIP (CSV, GeoJSON, README)"}
MIMES = {
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "zip": "application/zip",
}
for column, fmt in zip(st.columns(len(export.EXTRACT_FORMATS)), export.EXTRACT_FORMATS, strict=True):
    column.download_button(
        LABELS[fmt],
        data=functools.partial(view.extract, fmt),  # built only when clicked
        file_name=view.stem + export.EXTRACT_FORMATS[fmt],
        mime=MIMES[fmt],
        width="stretch",
        on_click="ignore",
        key=f"download_{fmt}",
    )


# --- your own data ---------------------------------------------------------------------------
def add_upload() -> None:
    file = st.session_state.get("w_upload")
    if file is None:
        return
    taken = {u.label for u in st.session_state.uploads} | set(options.datasets)
    size_mb = file.size / 1e6
    with st.spinner(f"Reading and checking {file.name} ({size_mb:.1f} MB)…"):
        upload = read_upload(
            file.getvalue(), file.name, st.session_state.get("w_upload_format", "auto"), taken
        )
    st.session_state.uploads.append(upload)


def keep_upload(index: int) -> None:
    upload = st.session_state.uploads[index]
    if upload.result is None:
        return
    try:
        store.save_dataset(upload.result, upload.label, fmt=upload.format, source_file=upload.name)
    except StoreError as error:
        st.session_state.keep_error = str(error)
        return
    st.session_state.uploads.pop(index)
    shared_table.clear()


with st.expander("Add your data (ACLED or UCDP GED export)", expanded=bool(uploads)):
    st.caption(
        f"CSV from ACLED's export tool or HDX, ACLED API JSON, or a UCDP GED CSV; up to {MAX_UPLOAD_MB} MB "
        f"and {MAX_UPLOAD_ROWS:,} rows. The data stays in this browser session unless you keep it."
    )
    left_col, right_col = st.columns([3, 1])
    right_col.selectbox("Format", UPLOAD_FORMATS, key="w_upload_format")
    left_col.file_uploader("Event file", type=UPLOAD_FILE_TYPES, key="w_upload", on_change=add_upload)
    if st.session_state.get("keep_error"):
        st.error(dashboard.md_escape(st.session_state.pop("keep_error")))
    for i, upload in enumerate(uploads):
        with st.container(border=True):
            if upload.result is None:
                st.error(dashboard.md_escape(upload.summary()))
            elif len(upload.result.valid) == 0:  # read, but nothing could be kept
                st.warning(dashboard.md_escape(upload.summary()))
            else:
                st.success(dashboard.md_escape(upload.summary()))
            for notice in upload.notices:
                st.caption(dashboard.md_escape(notice))
            if upload.result is not None and upload.result.n_rejected:
                report = upload.result.report.head(200)
                st.dataframe(report, hide_index=True, width="stretch", height=180)
                st.download_button(
                    f"Rejected rows with reasons ({upload.result.n_rejected:,})",
                    data=functools.partial(rejected_csv, upload),
                    file_name=f"{upload.label or 'upload'}_rejected.csv",
                    mime="text/csv",
                    on_click="ignore",
                    key=f"rejected_{i}",
                )
            if upload.ok and keeping_allowed():
                st.button(
                    f"Keep as dataset '{upload.label}'",
                    key=f"keep_{i}",
                    on_click=keep_upload,
                    args=(i,),
                    help="Store it on this server, like `sahelmap import`.",
                )
