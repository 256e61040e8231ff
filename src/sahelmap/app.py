"""sahelmap: the Streamlit page, run by `sahelmap app` or `streamlit run app.py`.

Widgets -> one FilterSpec -> views. Only this file imports streamlit, and it holds only widgets and layout:
everything it computes comes from pure functions of the package.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import streamlit as st
import streamlit.components.v1 as components
from streamlit_folium import st_folium

from sahelmap import (
    charts,
    choropleth,
    compare,
    dashboard,
    export,
    extract,
    filters,
    geography,
    i18n,
    mapparams,
    mapview,
    paths,
    perpetrators,
    profiles,
    provenance,
    reference,
    schema,
    store,
    text,
    widgets,
)
from sahelmap.aggregate import Bounds
from sahelmap.errors import StoreError
from sahelmap.events import EventTable, load_events
from sahelmap.filters import FilterSpec
from sahelmap.i18n import _, ngettext
from sahelmap.uploads import (
    MAX_UPLOAD_MB,
    MAX_UPLOAD_ROWS,
    UPLOAD_FILE_TYPES,
    UPLOAD_FORMATS,
    Upload,
    keeping_allowed,
    read_upload,
    rejected_csv,
    report_for_page,
    with_uploads,
)


# --- language (issue 14): the sidebar's switch, else the link's lang=, else the browser's language -------
def browser_language() -> str:
    """The language the browser asks for: st.context.locale where Streamlit has it, else the header."""
    locale = getattr(st.context, "locale", None)
    if locale:
        return i18n.parse(locale) or i18n.DEFAULT
    return i18n.from_accept_language(st.context.headers.get("Accept-Language"))


# Keyed choices whose shown options are words: in the other language Streamlit sees a new widget, which
# keeps the value but shows nothing chosen unless the value is set again through the Session State API.
# (The sidebar's multiselects are set again on every run: filter_widget.)
WORDED_CHOICES = ("w_basemap", "w_mapmode", "w_measure", "w_zoom", "w_region_view", "w_table_order")


def language_chosen() -> None:
    st.session_state.lang = st.session_state.w_lang or st.session_state.lang
    for key in [
        *WORDED_CHOICES,
        "w_upload_format",
        *(k for k in st.session_state if str(k).startswith("w_cmp_by_")),
    ]:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]
    # the quick periods' names are in the language: a name chosen in the other one names nothing now
    st.session_state.preset = st.session_state.cmp_preset = None


if "lang" not in st.session_state:
    st.session_state.browser_lang = browser_language()
    _ignored, url_lang = i18n.split({key: st.query_params.get_all(key) for key in st.query_params})
    st.session_state.lang = url_lang or st.session_state.browser_lang
lang: str = st.session_state.lang
i18n.set_language(lang)

st.set_page_config(page_title=_("sahelmap: conflict events in Mali"), page_icon="🗺️", layout="wide")


# --- data, loaded once per process and shared by every session --------------------------------
@st.cache_resource(show_spinner=False, max_entries=2)
def shared_table(store_version: tuple[tuple[str, int, int], ...]) -> EventTable:
    """The curated table and every stored dataset; a new import changes store_version and reloads."""
    return load_events(include_stored=True)


# --- one view per (data, filter), shared by every session (issue 10: bounded, no per-rerun copies) ----
@st.cache_resource(max_entries=4, show_spinner=False)
def precomputed(_events: pd.DataFrame, table_key: object) -> dashboard.Precomputed:
    return dashboard.precompute(_events)


@st.cache_resource(max_entries=256, show_spinner=False)
def view_kpis(
    _events: pd.DataFrame, _positions: Any, table_key: object, query_items: tuple[tuple[str, str], ...]
) -> dashboard.Kpis:
    """The four figures above the map for one view (O(selected events) to count: once per data and
    filter for every session)."""
    return dashboard.kpis_at(precomputed(_events, table_key), _positions)


@st.cache_resource(max_entries=256, show_spinner=False)
def selection(
    _events: pd.DataFrame, table_key: object, _spec: FilterSpec, query_items: tuple[tuple[str, str], ...]
) -> Any:
    """Row positions of the events a filter selects (read-only; 8 bytes an event); query_items is its key."""
    positions = np.flatnonzero(filters.mask(_events, _spec))
    positions.flags.writeable = False
    return positions


# The selected rows' figure columns (dashboard.figure_rows), copied only when a cache below misses and then
# once per rerun: a view found in the caches copies nothing (at 1M events the copy cost ~20 ms a rerun).
FigureRows = Callable[[], pd.DataFrame]


def lazy_figure_rows(events: pd.DataFrame, positions: Any) -> FigureRows:
    return functools.cache(functools.partial(dashboard.figure_rows, events, positions))


@st.cache_data(max_entries=128, show_spinner=False)
def view_figures(
    _filtered: FigureRows,
    _cover: pd.DataFrame,
    table_key: object,
    query_items: tuple[tuple[str, str], ...],
    period: tuple[dt.date, dt.date],
    lang: str,
) -> dashboard.ViewFigures:
    """Chart specs for one view, built once per data, filter and period (any session); ``_cover``
    follows from the data and the filter, which the key already holds."""
    with i18n.using(lang):  # cached data is built in the caller's language, which the key holds
        return dashboard.view_figures(_filtered(), period, _cover)


@st.cache_data(max_entries=256, show_spinner=False)
def map_layer(
    _filtered: FigureRows,
    table_key: object,
    query_items: tuple[tuple[str, str], ...],
    mode: str,
    measure: str,
    view: tuple[Bounds | None, int | None],
    lang: str,
) -> mapview.LayerData:
    """The map's filtered layer for one filter, map mode, measure, (above the detail limit) view and
    language."""
    with i18n.using(lang):
        return mapview.layer_data(_filtered(), mode, measure, *view)


@st.cache_data(max_entries=128, show_spinner=False)
def perpetrator_table(
    _events: pd.DataFrame,
    _positions: Any,
    table_key: object,
    query_items: tuple[tuple[str, str], ...],
    lang: str,
) -> pd.DataFrame:
    """Deaths by perpetrator side for one view, from only the columns the rule reads, once per data,
    filter and language for every session."""
    columns = [_events.columns.get_loc(c) for c in perpetrators.COLUMNS]
    with i18n.using(lang):
        return perpetrators.attribute(_events.iloc[_positions, columns])


def built_in(lang: str, build: Callable[[], bytes]) -> bytes:
    """A download built when clicked, outside the script run: in the language of the page that offered it."""
    with i18n.using(lang):
        return build()


@st.cache_resource(max_entries=4, show_spinner=False)
def dataset_counts(_events: pd.DataFrame, table_key: object) -> dict[str, int]:
    """Events per loaded dataset (the link's data= parameter), once per table."""
    return provenance.dataset_counts(_events)


@st.cache_resource
def map_asset_urls() -> dict[str, str]:
    """Leaflet and its plugin served by this server from the Python environment (XStatic packages):
    each directory is declared as a component's files, which Streamlit serves under /component/<name>/.
    The URLs are relative to the map's own frame (/component/streamlit_folium.st_folium/), so they
    work under a proxy's path prefix too."""
    urls = {}
    for name, package in mapview.OFFLINE_ASSETS.items():
        served = components.declare_component(f"sahelmap_{name}", path=str(package.directory))
        urls[name] = f"../{served.name}/"
    return urls


@st.cache_resource(max_entries=64, show_spinner=False)
def comparison(
    _events: pd.DataFrame, table_key: object, _request: compare.Request, request_key: str
) -> compare.Comparison:
    """One comparison, computed once per data and request (``request_key``, its link) for every session:
    the section is always drawn, folded or not, so an uncached comparison cost every rerun its time."""
    return compare.compare(_events, _request, table.formats)


@st.cache_resource(max_entries=64, show_spinner=False)
def table_page(
    _events: pd.DataFrame,
    _positions: Any,
    table_key: object,
    query_items: tuple[tuple[str, str], ...],
    order: str,
    lang: str,
) -> dashboard.TablePage:
    """The table's rows for one view and order: at most dashboard.TABLE_ROW_CAP, sorted here."""
    with i18n.using(lang):
        return dashboard.table_page(_events, order, positions=_positions)


# Every page offers the language switch (the other pages stop before the dashboard's sidebar).
st.session_state.setdefault("w_lang", lang)
st.sidebar.segmented_control(
    "Language / Langue",
    list(i18n.LANGUAGES),
    format_func=lambda code: i18n.LANGUAGE_NAMES[code],
    key="w_lang",
    on_change=language_chosen,
)

uploads: list[Upload] = st.session_state.setdefault("uploads", [])
version = store.version()
uploads_key = tuple((u.label, u.digest) for u in uploads if u.ok)
if not uploads_key:
    with st.spinner(_("Loading events…")):
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


# --- pages (issue 12): the dashboard (this script), a profile per focus place and per region, methodology --
def dashboard_page() -> None:
    """The dashboard is the rest of this script: navigation returns to it, and it runs below."""


PAGES = paths.app_script().parent / "site_pages"
PROFILES = profiles.by_url_path()  # URL path -> place or region: /kidal, /region-gao
PROFILE_PAGES = {
    url: st.Page(PAGES / "place.py", title=subject.heading, url_path=url) for url, subject in PROFILES.items()
}
# In the page's top bar, so the sidebar holds the filters alone: the two single pages as links, the 16
# profiles under two menus. A sidebar list of 18 pages hid most of them behind Streamlit's own English
# "View 8 more".
navigation = st.navigation(
    {
        "": [
            st.Page(dashboard_page, title=_("Dashboard"), default=True),
            st.Page(PAGES / "methodology.py", title=_("Methodology and sources"), url_path="methodology"),
        ],
        _("Places"): [page for url, page in PROFILE_PAGES.items() if PROFILES[url].kind == profiles.PLACE],
        _("Regions"): [page for url, page in PROFILE_PAGES.items() if PROFILES[url].kind == profiles.REGION],
    },
    position="top",
    expanded=True,  # where the bar folds into the sidebar (narrow screens): every page, no "View more"
)
if navigation.url_path:  # another page than the dashboard: it draws itself, the dashboard does not
    st.session_state.profile_subject = PROFILES.get(navigation.url_path)
    st.session_state.profile_table = table
    st.session_state.profile_pages = PROFILE_PAGES
    if lang != i18n.DEFAULT or st.session_state.browser_lang != i18n.DEFAULT:  # a shared page keeps it
        st.query_params[i18n.URL_KEY] = lang
    navigation.run()
    st.stop()


def profile_links(spec: FilterSpec) -> None:
    """Under the figures: the profile of the one focus place or region the filters select, if any."""
    for subject in profiles.selected(spec):
        st.page_link(
            PROFILE_PAGES[subject.url_path], label=_("Profile: {name}").format(name=subject.name), icon="📄"
        )


# --- URL -> widget state, once per browser session -----------------------------------------
def set_period(period: tuple[dt.date, dt.date]) -> None:
    """Set the exact period; a new slider key makes the slider start again from it."""
    st.session_state.f_period = period
    st.session_state.period_version = st.session_state.get("period_version", 0) + 1


def state_from_spec(spec: FilterSpec) -> None:
    set_period(dashboard.clamp_period(spec, options))
    st.session_state.update(widgets.state_from_spec(spec, options))


if "initialised" not in st.session_state:
    # the link as opened, and the data it was read against: its notices are shown in the current language
    st.session_state.link = (
        {key: st.query_params.get_all(key) for key in st.query_params},
        options,
        dataset_counts(events, table_key),
    )
    link = extract.read_link(*st.session_state.link)
    if link.request is not None:
        st.session_state.cmp = (link.request.a, link.request.b, link.request.by)
    state_from_spec(link.spec)
    url_view = link.map_view
    st.session_state.update(w_basemap=url_view.basemap, w_mapmode=url_view.mode, w_measure=url_view.measure)
    st.session_state.map_zoom = url_view.zoom  # the map's zoom as the browser last reported it
    st.session_state.url_zoom = url_view.zoom  # the link's zoom, kept until the map looks elsewhere
    st.session_state.initialised = True
    st.session_state.data_range = (options.first, options.last)

# Streamlit forgets a widget's value after a run that did not draw it (another page of the site): the
# map's own widgets start again from their defaults then, as the filters' widgets do (widgets.py).
for _key, _value in mapparams.widget_defaults().items():
    st.session_state.setdefault(_key, _value)

if st.session_state.data_range != (options.first, options.last):
    set_period(dashboard.follow_data(st.session_state.f_period, st.session_state.data_range, options))
    st.session_state.data_range = (options.first, options.last)

# --- issue 9: filters whose start depends on the data (linked copies appear with an upload) ---------
if st.session_state.get("start_values") != widgets.start_state(options):
    # A filter whose start changed with the data (counting once, when linked copies first appear) moves to
    # its new start; one the user already set away from its old start keeps the user's value.
    old = st.session_state.get("start_values")
    for key, value in widgets.start_state(options).items():
        if old is not None and old.get(key) != value and st.session_state.get(key) == old.get(key):
            st.session_state[key] = value
    st.session_state.start_values = widgets.start_state(options)


def reset_filters() -> None:
    state_from_spec(filters.initial(options))
    st.session_state.preset = None


def apply_preset() -> None:
    i18n.set_language(st.session_state.lang)  # a callback runs before the script sets the language
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
    # set_period, not a plain assignment: the date inputs take new keys and show the slider's days
    set_period(dashboard.period_of_months(st.session_state[key], options))
    st.session_state.preset = None


def dates_moved(from_key: str, to_key: str) -> None:
    """From/to date inputs set the exact period; the month slider follows (a new key)."""
    set_period(dashboard.period_from_dates(st.session_state[from_key], st.session_state[to_key], options))
    st.session_state.preset = None


def filter_widget(flt: filters.Filter, now: dict[str, Any]) -> None:
    """One registered filter's widget, drawn from its declaration."""
    key, w = widgets.key_of(flt), flt.widget
    if w.kind == "multiselect":
        offered = flt.options(options, now)
        st.session_state[key] = [v for v in st.session_state.get(key, []) if v in offered]
        st.multiselect(
            _(w.label),
            offered,
            key=key,
            format_func=flt.option_label,
            help=w.help_text() or None,
            placeholder=_("Choose options"),
        )
    elif w.kind == "text":
        st.text_input(
            _(w.label),
            key=key,
            max_chars=filters.MAX_TEXT_LENGTH,
            placeholder=_(w.placeholder),
            help=w.help_text() or None,
        )
    elif w.kind == "number":
        st.number_input(_(w.label), min_value=0, max_value=filters.MAX_MIN_DEATHS, step=1, key=key)
    elif w.kind == "toggle":
        st.toggle(_(w.label), key=key, help=w.help_text() or None)
    now[flt.name] = st.session_state[key]


# --- sidebar: the filters --------------------------------------------------------------------
with st.sidebar:
    st.header(_("Filters"))
    start, end = st.session_state.f_period
    months_key = f"w_months_{st.session_state.period_version}"
    st.select_slider(
        _(filters.BY_NAME["start"].widget.label),
        options=dashboard.months_between(options.first, options.last),
        value=(dashboard.month_start(start), dashboard.month_start(end)),
        key=months_key,
        format_func=i18n.month,
        on_change=months_moved,
        args=(months_key,),
        help=filters.BY_NAME["start"].widget.help_text(),
    )
    # --- exact dates (issue 12): kept in sync with the slider through f_period and period_version ---
    from_key, to_key = (f"w_{end}_{st.session_state.period_version}" for end in ("from", "to"))
    from_col, to_col = st.columns(2)
    for column, key, label, day in ((from_col, from_key, _("From"), start), (to_col, to_key, _("To"), end)):
        column.date_input(
            label,
            value=day,
            min_value=options.first,
            max_value=options.last,
            key=key,
            format="YYYY-MM-DD",
            on_change=dates_moved,
            args=(from_key, to_key),
        )
    st.selectbox(
        _("Quick period"),
        list(dashboard.presets(options)),
        index=None,
        key="preset",
        placeholder=_("Choose a preset…"),
        on_change=apply_preset,
    )
    now: dict[str, Any] = {}
    for flt in widgets.sidebar_filters(options):
        filter_widget(flt, now)
    st.button(_("Reset all filters"), on_click=reset_filters, width="stretch", key="reset")
    st.caption(_("Playback: watch events appear month by month"))
    back, play, forward = st.columns(3)
    back.button(
        "◀",
        on_click=step_months,
        args=(-1,),
        help=_("End the period one month earlier"),
        width="stretch",
        key="back",
    )
    play.button(
        _("Pause") if st.session_state.get("playing") else _("▶ Play"),
        on_click=toggle_playback,
        help=_("Extends the period by one month every {seconds} s from its start").format(
            seconds=i18n.number(dashboard.PLAY_SECONDS_PER_MONTH)
        ),
        width="stretch",
        key="play",
    )
    forward.button(
        "▶",
        on_click=step_months,
        args=(1,),
        help=_("End the period one month later"),
        width="stretch",
        key="forward",
    )
    basemap = st.selectbox(
        _("Basemap"),
        list(mapparams.BASEMAPS),
        key="w_basemap",
        format_func=lambda key: _(mapparams.BASEMAPS[key][0]),
    )

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
query = filters.to_query(spec, options)
map_view = mapparams.MapView(
    basemap=basemap, mode=st.session_state.w_mapmode, measure=st.session_state.w_measure
).with_zoom(st.session_state.get("map_zoom"))
url = query | mapparams.to_query(map_view)
url[provenance.DATA_KEY] = provenance.data_param(dataset_counts(events, table_key))
if lang != i18n.DEFAULT or st.session_state.browser_lang != i18n.DEFAULT:  # shared links keep the language
    url[i18n.URL_KEY] = lang
if st.session_state.get("cmp"):  # a comparison the user set, or a link opened, stays in the URL
    cmp_a, cmp_b, cmp_by = st.session_state.cmp
    url |= compare.Request(spec, cmp_a, cmp_b, cmp_by).query()
if url != {key: st.query_params[key] for key in st.query_params}:
    st.query_params.from_dict(url)

query_items = tuple(sorted(query.items()))  # the filter, as the caches' key
positions = selection(events, table_key, spec, query_items)
view = extract.view_of(table, spec, positions)
figures = view_kpis(events, positions, table_key, query_items)
description = view.description


def dashboard_columns() -> dict[str, Any]:
    return {
        "event_date": st.column_config.DateColumn(_("Date"), format="YYYY-MM-DD"),
        "source_url": st.column_config.LinkColumn(_("Link"), display_text=_("open")),
        "fatalities": st.column_config.NumberColumn(
            _("Deaths"),
            format="%d",
            help=_("Empty where the source gives no toll; 0 where it says that nobody died."),
        ),
        "notes": st.column_config.TextColumn(
            _("Notes"),
            help=_(
                "The first {n} characters; the map's popup and the downloads hold every note in full."
            ).format(n=dashboard.NOTES_CHARS),
        ),
        **{
            k: _(v)
            for k, v in dashboard.TABLE_COLUMNS.items()
            if k not in ("event_date", "source_url", "fatalities", "notes")
        },
    }


# --- page ------------------------------------------------------------------------------------
st.title(_("sahelmap · armed-conflict events in Mali"))
st.caption(dashboard.md_escape(description))
# --- the link's notices (issue 9, 14): read again in the current language, against the data it was opened on
for notice in extract.read_link(*st.session_state.link).notices:
    st.warning(_("Link: ") + dashboard.md_escape(notice), icon="⚠️")
if len(table.report):
    st.warning(
        ngettext(
            "{n} problem was found in the loaded data; those rows are not shown.",
            "{n} problems were found in the loaded data; those rows are not shown.",
            len(table.report),
        ).format(n=i18n.number(len(table.report)))
    )

# --- issue 9: what the bundled table is, and each dataset's coverage beside the KPIs --------------
if schema.CURATED_DATASET in options.datasets:
    st.info(dashboard.md_escape(_(dashboard.BUNDLED_TABLE_NOTE)), icon="ℹ️")
k1, k2, k3, k4 = st.columns(4)
k1.metric(_("Events"), i18n.number(figures.events))
k2.metric(
    _("Reported deaths"),
    i18n.number(figures.deaths),
    help=ngettext(
        "{n} event has no reported toll", "{n} events have no reported toll", figures.unknown_deaths
    ).format(n=i18n.number(figures.unknown_deaths)),
)
k3.metric(_("Civilians targeted"), i18n.number(figures.civilian_events))
k4.metric(_("Places"), i18n.number(figures.places))
st.caption(dashboard.md_escape(dashboard.coverage_line(table.coverage)))
profile_links(spec)  # issue 12: the selected place's or region's profile page

if not len(positions):
    st.info(
        _(
            "No events match these filters. Widen the period or remove a filter "
            "(or press Reset in the sidebar)."
        )
    )


# --- map -------------------------------------------------------------------------------------
def map_changed() -> None:
    """The map reported a new zoom, view or click (only what returned_objects asks for)."""
    value = st.session_state.get("map") or {}
    zoom = value.get("zoom")
    if zoom is not None:
        st.session_state.map_zoom = zoom
    before = st.session_state.get("map_before") or {}
    change = choropleth.click_filter(value, before, mapparams.MODE_LEVEL.get(st.session_state.w_mapmode, ""))
    st.session_state.map_before = value
    if change is not None:
        name, unit = change
        st.session_state[widgets.key_of(filters.BY_NAME[name])] = [unit]


def region_view_chosen() -> None:
    choice = st.session_state.get("w_region_view")
    st.session_state.w_focus_region = [choice] if choice else []


def map_section() -> None:
    places = reference.gazetteer().focus_places()
    view_regions = list(dict.fromkeys(geography.focus_regions().values()))
    chosen_region = spec.focus_region[0] if len(spec.focus_region) == 1 else None
    st.session_state.w_region_view = chosen_region if chosen_region in view_regions else None
    zoom_col, region_col = st.columns([1, 1])
    with zoom_col:
        st.session_state.setdefault(
            "w_zoom", mapview.ALL_OF_MALI
        )  # set here, not as default=: see WORDED_CHOICES
        zoom_choice = st.segmented_control(
            _("Zoom to"),
            [mapview.ALL_OF_MALI, *schema.FOCUS_PLACES],
            format_func=lambda choice: _(choice) if choice == mapview.ALL_OF_MALI else i18n.label(choice),
            key="w_zoom",
        )
    with region_col:
        st.pills(
            _("Region view: only the events in a focus place's region"),
            view_regions,
            format_func=filters.region_label,
            key="w_region_view",
            on_change=region_view_chosen,
        )
    mode_col, measure_col = st.columns([1, 1])
    with mode_col:
        mode = st.radio(
            _("Map"),
            list(mapparams.MODES),
            format_func=lambda key: _(mapparams.MODES[key]),
            key="w_mapmode",
            horizontal=True,
            help=_("Events: each event (squares when there are many). Regions, cercles: counts per area."),
        )
    with measure_col:
        measure = st.radio(
            _("Colour squares and areas by"),
            list(mapparams.MEASURES),
            format_func=lambda key: _(mapparams.MEASURES[key]),
            key="w_measure",
            horizontal=True,
        )
    returned = st.session_state.get("map") or {}
    bounds = Bounds.from_st_folium(returned.get("bounds"))
    zoom_now = st.session_state.get("map_zoom")
    view = mapview.view_key(len(positions), mode, bounds, zoom_now)
    layer_data = map_layer(figure_frame, table_key, query_items, mode, measure, view, lang)
    layer = mapview.layer_from_data(layer_data)
    # A fresh base map every run: st_folium adds the event layer to the map object it is given, so a
    # cached map would collect old layers. Its script is the same each run, so the browser keeps it mounted.
    base = mapview.base_map(basemap, places, map_asset_urls())
    center, zoom = mapview.view_target(spec.place, spec.focus_region, zoom_choice, places, None)
    if st.session_state.get("map_target") not in (None, center):
        st.session_state.url_zoom = None  # the map now looks elsewhere: the link's zoom is spent
    st.session_state.map_target = center
    if st.session_state.get("url_zoom") and center == mapview.MALI_CENTER:
        zoom = st.session_state.url_zoom
    # A row chosen in the table below puts the map on that event.
    chosen = chosen_row()
    if chosen is not None:
        event = events.loc[chosen.name]
        center, zoom = (float(event["latitude"]), float(event["longitude"])), mapview.PLACE_ZOOM + 2
        st.info(
            _(
                "Showing {day}, {subtype} at {place} ({event_id}): "
                "click its circle for the details and the source."
            ).format(
                day=i18n.day(event["event_date"]),
                subtype=dashboard.md_escape(i18n.label(event["sub_event_type"])),
                place=dashboard.md_escape(str(event["location"])),
                event_id=dashboard.md_escape(str(event["event_id"])),
            ),
            icon="📍",
        )
    # Only what the page uses comes back: the zoom (for the link), the view while squares or events in
    # view depend on it, a click on a region. Anything else (popups, pans) never reruns the script.
    wanted = ["zoom"]
    if view != (None, None) or (mode == "events" and len(positions) > mapview.DETAIL_LIMIT):
        wanted.append("bounds")
    if layer_data.kind == "areas" and layer_data.level in choropleth.CLICK_FILTERS:
        wanted += ["last_active_drawing", "last_object_clicked"]
    st_folium(
        base,
        key="map",
        feature_group_to_add=layer.group,
        center=center,
        zoom=zoom,
        height=560,
        use_container_width=True,
        returned_objects=wanted,
        on_change=map_changed,
        # st_folium renders the map again itself; its first render (render=True) was half its cost per
        # rerun and only repeated each focus place's setIcon in the script (issue 10's profile).
        render=False,
    )
    if layer_data.caption:
        st.caption(dashboard.md_escape(layer_data.caption))
    st.caption(dashboard.md_escape(_(mapview.BOUNDARY_CITATION) + "."))


def chosen_row() -> pd.Series | None:
    chosen_rows = st.session_state.get("event_table", {}).get("selection", {}).get("rows", [])
    if chosen_rows and chosen_rows[0] < len(table_rows):
        return table_rows.iloc[chosen_rows[0]]
    return None


figure_frame = lazy_figure_rows(events, positions)  # the columns the map and charts read
table_order = st.session_state.get("w_table_order") or "newest"
page = table_page(events, positions, table_key, query_items, table_order, lang)
table_rows = page.rows
map_section()
figures_for_view = view_figures(
    figure_frame,
    dashboard.view_coverage(table.coverage, spec),
    table_key,
    query_items,
    st.session_state.f_period,
    lang,
)

# --- charts ----------------------------------------------------------------------------------
# One chart under the other, each the page's width: 14 years of months need it, and so do the actor
# groups' names, which in a side column left the bars a few pixels and cut the axis title.
st.subheader(_("Events per month"))
st.vega_lite_chart(spec=figures_for_view.monthly_chart, width="stretch")
shown_marks = dashboard.milestones_between(*st.session_state.f_period)
if shown_marks:
    st.caption(dashboard.md_escape(_("Milestones on the chart, with their sources:")))
    st.dataframe(
        pd.DataFrame(shown_marks),
        hide_index=True,
        width="stretch",
        key="milestone_table",
        placeholder=dashboard.MISSING_CELL,
        column_config={
            "date": st.column_config.DateColumn(_("Date"), format="YYYY-MM-DD"),
            "url": st.column_config.LinkColumn(_("Link"), display_text=_("open")),
            **{k: _(v) for k, v in dashboard.MILESTONE_COLUMNS.items() if k not in ("date", "url")},
        },
    )
st.subheader(_("Events by actor group"))
st.vega_lite_chart(spec=figures_for_view.actor_chart, width="stretch")


# --- compare two periods (issue 12) ------------------------------------------------------------
def compare_moved(field: str, key: str) -> None:
    """A comparison input changed: store the pair (and so the URL) with the new value."""
    i18n.set_language(st.session_state.lang)  # a callback runs before the script sets the language
    a, b, by = st.session_state.get("cmp") or (*compare.default_periods(options), compare.DEFAULT_BY)
    value = st.session_state[key]
    if field == "by":
        by = value
    elif field in ("a", "b") and isinstance(value, tuple) and len(value) == 2:
        period = compare.Period(*sorted(value))
        a, b = (period, b) if field == "a" else (a, period)
    st.session_state.cmp = (a, b, by)


def compare_preset() -> None:
    i18n.set_language(st.session_state.lang)  # the presets' names are in the page's language
    choice = st.session_state.get("cmp_preset")
    if choice:
        a, b = compare.presets(options)[choice]
        by = st.session_state.cmp[2] if st.session_state.get("cmp") else compare.DEFAULT_BY
        st.session_state.cmp = (a, b, by)
        st.session_state.cmp_version = st.session_state.get("cmp_version", 0) + 1


def compare_section() -> None:
    a, b, by = st.session_state.get("cmp") or (*compare.default_periods(options), compare.DEFAULT_BY)
    version = st.session_state.get("cmp_version", 0)
    st.caption(
        dashboard.md_escape(
            _(
                "The sidebar's filters apply to both periods, its period does not. An event counts in a "
                "period when it overlaps it; deaths are those reported, and an event with no reported toll "
                "adds none."
            )
        )
    )
    st.selectbox(
        _("Compare"),
        list(compare.presets(options)),
        index=None,
        key="cmp_preset",
        placeholder=_("Choose two periods: years, quarters, before and after a milestone…"),
        on_change=compare_preset,
    )
    left, middle, right = st.columns([2, 2, 1])
    for column, field, period, label in ((left, "a", a, _("Period A")), (middle, "b", b, _("Period B"))):
        key = f"w_cmp_{field}_{version}"
        column.date_input(
            label,
            value=(period.start, period.end),
            key=key,
            format="YYYY-MM-DD",
            on_change=compare_moved,
            args=(field, key),
        )
    right.selectbox(
        _("Break down by"),
        list(compare.BREAKDOWNS),
        index=list(compare.BREAKDOWNS).index(by),
        format_func=lambda key: _(compare.BREAKDOWNS[key]),
        key=f"w_cmp_by_{version}",
        on_change=compare_moved,
        args=("by", f"w_cmp_by_{version}"),
    )
    request = compare.Request(spec.replace(start=None, end=None), a, b, by)
    request_key = urlencode(sorted(request.query().items()))  # words are made when shown, in either language
    result = comparison(events, table_key, request, request_key)
    figures_a, figures_b = st.columns(2)
    for column, side, period, values in ((figures_a, "A", a, result.a), (figures_b, "B", b, result.b)):
        column.markdown(
            f"**{side}: {dashboard.md_escape(period.label)}** "
            + dashboard.md_escape(
                ngettext("({n} day)", "({n} days)", period.days).format(n=i18n.number(period.days))
            )
        )
        cells = column.columns(len(compare.MEASURES))
        for cell, (measure, label) in zip(cells, compare.MEASURES.items(), strict=True):
            delta = None
            if side == "B":
                moved_by = values[measure] - result.a[measure]
                delta = (
                    ("+" if moved_by >= 0 else "")
                    + i18n.number(moved_by)
                    + " "
                    + compare.pct_text(compare.change(result.a[measure], values[measure]), values[measure])
                )
            cell.metric(_(label), i18n.number(values[measure]), delta=delta)
    if result.unequal:
        st.info(
            dashboard.md_escape(
                _("The periods differ in length ({a} and {b} days): compare the per-month columns.").format(
                    a=i18n.number(a.days), b=i18n.number(b.days)
                )
            ),
            icon="📏",
        )
    st.markdown(dashboard.md_escape(result.summary()))
    st.dataframe(
        result.table_for_page(), hide_index=True, width="stretch", column_config=result.column_labels()
    )
    moved = compare.change_chart_data(result)
    moved["group"] = moved["group"].map(compare.group_label)
    if len(moved):
        st.caption(
            dashboard.md_escape(
                _("Where the change in events happened, by {breakdown}").format(
                    breakdown=_(compare.BREAKDOWNS[by]).lower()
                )
            )
        )
        chart = charts.change_chart(moved, "events", _(compare.BREAKDOWNS[by]))
        st.vega_lite_chart(spec=chart, width="stretch")
    link = "?" + urlencode(query)
    st.caption(dashboard.md_escape(_("Link to this comparison, with the sidebar's filters:")))
    st.code(link, language=None)
    st.download_button(
        _("Comparison (CSV, with its citation)"),
        data=functools.partial(built_in, lang, result.to_csv),  # built only when clicked
        file_name="_".join(
            [view.stem, text.slug(_("compare")), f"{a.start:%Y-%m-%d}_{b.start:%Y-%m-%d}.csv"]
        ),
        mime="text/csv",
        on_click="ignore",
        key="download_compare",
    )
    for line in result.attributions:
        st.caption(dashboard.md_escape(line))


with st.expander(_("Compare two periods"), expanded=bool(st.session_state.get("cmp"))):
    compare_section()

# --- who did it (issue 12) ------------------------------------------------------------------------
with st.expander(_("Who did it: reported deaths by perpetrator side")):
    st.caption(dashboard.md_escape(description))
    st.markdown(dashboard.md_escape(perpetrators.rule_text()))
    st.dataframe(
        perpetrator_table(events, positions, table_key, query_items, lang),
        hide_index=True,
        width="stretch",
        column_config={
            "row": _("Perpetrator (actor 1) or event type"),
            "events": st.column_config.NumberColumn(_("Events"), format="%d"),
            "deaths": st.column_config.NumberColumn(_("Reported deaths"), format="%d"),
            "unknown_toll": st.column_config.NumberColumn(_("Events with no reported toll"), format="%d"),
        },
    )

# --- table -----------------------------------------------------------------------------------
st.subheader(_("Events"))
st.session_state.setdefault("w_table_order", "newest")  # set here, not as default=: see WORDED_CHOICES
st.segmented_control(
    _("Sort the table"),
    list(dashboard.TABLE_ORDERS),
    format_func=lambda order: _(dashboard.TABLE_ORDERS[order]).capitalize(),
    key="w_table_order",
)
st.caption(page.caption + " " + _("Select a row to show the event on the map."))
st.dataframe(
    table_rows,
    key="event_table",
    on_select="rerun",
    selection_mode="single-row",
    hide_index=True,
    width="stretch",
    column_config=dashboard_columns(),
    placeholder=dashboard.MISSING_CELL,
    height=420,
)

# --- downloads -------------------------------------------------------------------------------
st.subheader(_("Download this selection"))
st.markdown("**" + dashboard.md_escape(description) + "**")
for line in view.attributions:
    st.caption(dashboard.md_escape(line))
if any(d != schema.CURATED_DATASET for d in view.datasets):
    st.caption(_("This extract includes imported rows: cite their original publisher as above."))
LABELS = {
    "csv": "CSV",
    "geojson": "GeoJSON",
    "gpkg": "GeoPackage",
    "zip": i18n.N_("ZIP (CSV, GeoJSON, README)"),
}
MIMES = {
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "gpkg": "application/geopackage+sqlite3",
    "zip": "application/zip",
}
for column, fmt in zip(st.columns(len(export.EXTRACT_FORMATS)), export.EXTRACT_FORMATS, strict=True):
    column.download_button(
        _(LABELS[fmt]),
        data=functools.partial(view.extract, fmt),  # built only when clicked
        file_name=view.stem + export.EXTRACT_FORMATS[fmt],
        mime=MIMES[fmt],
        width="stretch",
        on_click="ignore",
        key=f"download_{fmt}",
    )


# --- your own data ---------------------------------------------------------------------------
def add_upload() -> None:
    i18n.set_language(st.session_state.lang)  # the file's messages in the page's language (a callback)
    file = st.session_state.get("w_upload")
    if file is None:
        return
    taken = {u.label for u in st.session_state.uploads} | set(options.datasets)
    size_mb = file.size / 1e6
    with st.spinner(
        _("Reading and checking {name} ({size} MB)…").format(
            name=file.name, size=i18n.number(round(size_mb, 1))
        )
    ):
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


with st.expander(_("Add your data (ACLED or UCDP GED export)"), expanded=bool(uploads)):
    st.caption(
        _(
            "CSV from ACLED's export tool or HDX, ACLED API JSON, or a UCDP GED CSV; up to {mb} MB and "
            "{rows} rows. The data stays in this browser session unless you keep it."
        ).format(mb=MAX_UPLOAD_MB, rows=i18n.number(MAX_UPLOAD_ROWS))
    )
    left_col, right_col = st.columns([3, 1])
    right_col.selectbox(
        _("Format"),
        UPLOAD_FORMATS,
        key="w_upload_format",
        format_func=lambda fmt: _("auto (from the header)") if fmt == "auto" else fmt,
    )
    left_col.file_uploader(_("Event file"), type=UPLOAD_FILE_TYPES, key="w_upload", on_change=add_upload)
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
                report = report_for_page(upload.result.rejections.report(limit=200))  # a look, not all
                st.dataframe(report, hide_index=True, width="stretch", height=180)
                st.download_button(
                    _("Rejected rows with reasons ({n})").format(n=i18n.number(upload.result.n_rejected)),
                    data=functools.partial(rejected_csv, upload),
                    file_name=(upload.label or "upload") + "_" + text.slug(_("rejected")) + ".csv",
                    mime="text/csv",
                    on_click="ignore",
                    key=f"rejected_{i}",
                )
            if upload.ok and keeping_allowed():
                st.button(
                    _("Keep as dataset '{label}'").format(label=upload.label),
                    key=f"keep_{i}",
                    on_click=keep_upload,
                    args=(i,),
                    help=_("Store it on this server, like `sahelmap import`."),
                )
