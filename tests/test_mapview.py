"""Maps rendered to HTML: what each feature carries, what a popup says, and that nothing in the data runs.

Leaflet puts a feature's ``popup`` and ``tooltip`` into the page as HTML. So the tests decode the
FeatureCollection from the rendered script and parse those strings as a browser would: the data must
come out as text, never as tags or attributes.
"""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import folium
import pandas as pd
import pytest
import shapely
import shapely.geometry

from sahelmap import geography, mapparams, mapview, paths, schema
from sahelmap.gazetteer import load_gazetteer
from sahelmap.mapview import EVENT_COLORS, base_map, event_layer, popup_html
from tests.factories import (
    ALL,
    GAO,
    KIDAL,
    P_GAO,
    TOTAL_DEATHS,
    VAC,
    build_events,
    event_row,
    shared_events,
)

pytestmark = pytest.mark.filterwarnings("ignore:CartoDB tiles now require an API key")

PAYLOADS = (
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "\"'><svg onload=alert(1)>",
)
EVIL = " ".join(PAYLOADS)
TEXT_FIELDS = (
    "event_id",
    "dataset",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "location",
    "admin1",
    "admin2",
    "notes",
    "source",
    "source_title",
    "source_url",
)
POPUP_TAGS = {"div", "b", "br", "i", "a", "small"}


@pytest.fixture
def table() -> pd.DataFrame:
    return shared_events().copy()


@pytest.fixture(scope="module")
def focus_places() -> pd.DataFrame:
    return load_gazetteer(paths.places_path()).focus_places()


def render(events: pd.DataFrame, places: pd.DataFrame | None = None, **layer_args) -> tuple[str, object]:
    fmap = base_map(places=places)
    layer = event_layer(events, **layer_args)
    layer.group.add_to(fmap)
    return fmap.get_root().render(), layer


def features_in(page: str, outline: bool = False) -> list[dict]:
    """Every feature the page's script adds to a layer, decoded as the browser would: the filtered
    layer's, or with ``outline`` the base map's country and region borders."""
    found = []
    decoder = json.JSONDecoder()
    for match in re.finditer(r"_add\(", page):
        data, _ = decoder.raw_decode(page, match.end())
        assert data["type"] == "FeatureCollection"
        found.extend(f for f in data["features"] if ("kind" in f["properties"]) == outline)
    return found


class Markup(HTMLParser):
    """What a browser would build from an HTML fragment: tags with attributes, and the text."""

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.chunks: list[str] = []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.chunks.append(data)

    @property
    def text(self) -> str:
        return "".join(self.chunks)

    def links(self) -> list[str | None]:
        return [attrs.get("href") for tag, attrs in self.tags if tag == "a"]


def event_record(table: pd.DataFrame, event_id: str) -> dict:
    return table[table["event_id"] == event_id].iloc[0].to_dict()


def popup_of(table: pd.DataFrame, event_id: str) -> Markup:
    return Markup(popup_html(event_record(table, event_id)))


# --- what a popup says ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event_id", "date_text"),
    [
        ("S02", "01 Jan 2022"),  # precision 1: the day
        ("S07", "week of 10 Feb 2023"),  # precision 2
        ("S05", "week of 15 Jun 2022"),
        ("S04", "May 2022"),  # precision 3: the month only
        ("S10", "27 Jul 2024 – 28 Jul 2024"),  # a two-day event shows its end
    ],
)
def test_popup_date_says_its_precision(table, event_id: str, date_text: str) -> None:
    markup = popup_of(table, event_id)
    assert markup.chunks[0] == date_text


def test_tooltip_names_date_sub_type_and_place(table) -> None:
    assert mapview.tooltip_text(event_record(table, "S02")) == "01 Jan 2022 · Attack · Kadji"


def test_tooltip_date_keeps_the_precision(table) -> None:
    assert mapview.tooltip_text(event_record(table, "S04")).startswith("May 2022 ·")


def test_popup_says_everything_a_reader_needs(table) -> None:
    text = popup_of(table, "S01").text
    assert "Battles / Armed clash" in text
    assert (
        "Actors: Military Forces of Mali (2021-); Wagner Group; JNIM: Group for Support of Islam and Muslims"
        in text
    )
    assert "Place: Gao, Gao, Gao" in text
    assert "Reported deaths: 12" in text
    assert "FAMa and Russian personnel clashed with JNIM fighters at the airport." in text
    assert "Source: Test Publisher, 05 Apr 2022: “Report on S01”" in text
    assert text.endswith("curated · S01")
    assert popup_of(table, "S01").links() == ["https://example.org/s01"]


def test_popup_unknown_deaths_are_not_zero(table) -> None:
    assert "Reported deaths: unknown" in popup_of(table, "S06").text
    assert "Reported deaths: 0" in popup_of(table, "S04").text  # a reported zero stays zero
    assert "unknown" not in popup_of(table, "S04").text


def test_popup_says_when_a_place_is_only_approximate(table) -> None:
    text = popup_of(table, "S09").text  # geo_precision 3, no cercle given
    assert "Place: Gao region, Gao (region)" in text


def test_popup_leaves_out_empty_lines(table) -> None:
    event = event_record(table, "S07") | {"notes": None, "source_url": None, "source_title": None}
    markup = Markup(popup_html(event))
    assert markup.links() == []
    assert "Actors: Protesters (Mali)" in markup.text  # no "; " left by the empty actor fields
    assert "Protesters (Mali);" not in markup.text
    assert [t for t, _ in markup.tags].count("i") == 0


def test_popup_shows_linked_events(table) -> None:
    event = event_record(table, "S13") | {"linked_events": "ACLED MLI1234"}
    assert "Also in: ACLED MLI1234" in Markup(popup_html(event)).text


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://example.org/a?b=1&c=2", "https://example.org/a?b=1&c=2"),
        ("http://example.org", "http://example.org"),
        ("  HTTPS://EXAMPLE.ORG/X  ", "HTTPS://EXAMPLE.ORG/X"),
        ('https://example.org/" onmouseover="alert(1)', 'https://example.org/" onmouseover="alert(1)'),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(document.cookie)", None),
        (" javascript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("vbscript:msgbox(1)", None),
        ("//evil.example/x", None),
        ("example.org/page", None),
        ("", None),
        (None, None),
    ],
)
def test_source_is_a_link_only_for_http_urls(table, url: str | None, link: str | None) -> None:
    event = event_record(table, "S01") | {"source_url": url}
    markup = Markup(popup_html(event))
    assert markup.links() == ([link] if link else [])
    for _tag, attrs in markup.tags:
        assert not any(name.startswith("on") for name in attrs)  # the quote did not open an attribute
    assert "Test Publisher" in markup.text  # the source is named either way


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://x.org", "https://x.org"),
        (" http://x.org ", "http://x.org"),
        ("javascript:alert(1)", None),
        ("ftp://x.org", None),
        (float("nan"), None),
        (pd.NA, None),
        (None, None),
    ],
)
def test_safe_url(url, safe) -> None:
    assert mapview.safe_url(url) == safe


@pytest.mark.parametrize(
    ("value", "text"),
    [("<b>&'\"", "&lt;b&gt;&amp;&#x27;&quot;"), (None, ""), (float("nan"), ""), (pd.NA, ""), (5, "5")],
)
def test_esc(value, text: str) -> None:
    assert mapview.esc(value) == text


# --- XSS: every text field carries the payloads ------------------------------------------------


def evil_events(n: int = 1) -> pd.DataFrame:
    rows = [
        event_row("E", "curated", "2023-01-02", ("Gao", "Gao", "Gao", ",".join(GAO)), event_type=VAC,
             sub_event_type="Attack", actor1="x", fatalities="", civilian_targeting="true")
        | {field: f"{EVIL} {field} {i}" for field in TEXT_FIELDS}
        for i in range(n)
    ]  # fmt: skip
    frame = build_events(rows)
    assert (frame["notes"].str.startswith(EVIL)).all()  # the payloads reached the table untouched
    return frame


def assert_inert(fragment: str, fields: tuple[str, ...]) -> None:
    """Parsed as HTML: only our own tags, no handlers, no script link; the payloads are text."""
    markup = Markup(fragment)
    for tag, attrs in markup.tags:
        assert tag in POPUP_TAGS, f"<{tag}> reached the page"
        assert not any(name.startswith("on") for name in attrs), attrs
    assert all(href is None or href.lower().startswith(("http://", "https://")) for href in markup.links())
    for field in fields:
        assert f"{EVIL} {field}" in markup.text, f"{field} is not shown as text"
    for payload in PAYLOADS:
        assert payload not in fragment  # only the escaped form is in the markup
    assert html.escape(PAYLOADS[0]) in fragment


def test_payloads_in_every_field_stay_text_in_popup_and_tooltip() -> None:
    page, _ = render(evil_events())
    for payload in (*PAYLOADS, "<svg", "<img", "<script>alert"):
        assert payload not in page, f"{payload!r} appears unescaped in the page"
    [feature] = features_in(page)
    popup_fields = tuple(f for f in TEXT_FIELDS if f != "source_url")  # a javascript: URL is not shown
    assert_inert(feature["properties"]["popup"], popup_fields)
    assert_inert(feature["properties"]["tooltip"], ("location",))
    assert Markup(feature["properties"]["popup"]).links() == []  # the URL starts with "<img", not http
    # the id is data, not markup: it travels as it is and only the JSON encoding guards it in the script
    assert feature["properties"]["id"] == f"{EVIL} event_id 0"


def test_payloads_in_a_javascript_url_do_not_become_a_link() -> None:
    frame = evil_events()
    frame["source_url"] = "javascript:alert(1)//" + PAYLOADS[1]
    [feature] = features_in(render(frame)[0])
    assert Markup(feature["properties"]["popup"]).links() == []
    assert "javascript:" not in feature["properties"]["popup"].lower()


def test_payloads_stay_text_in_grid_cells() -> None:
    frame = evil_events(3)
    page, layer = render(frame, detail_limit=2)
    assert layer.mode == "cells"
    for payload in PAYLOADS:
        assert payload not in page
    [cell] = features_in(page)
    assert_inert(cell["properties"]["tooltip"], ())
    assert f"most at {EVIL} location" in Markup(cell["properties"]["tooltip"]).text


def test_focus_place_names_are_escaped_on_the_base_map() -> None:
    places = pd.DataFrame({"name": [PAYLOADS[2]], "latitude": [16.0], "longitude": [-1.0]})
    page = base_map(places=places).get_root().render()
    assert PAYLOADS[2] not in page and "<svg" not in page


# --- event mode: one feature per event ------------------------------------------------------------


def test_event_mode_renders_one_feature_per_event(table, focus_places) -> None:
    page, layer = render(table, focus_places)
    assert layer.mode == "events" and layer.n_features == len(table) == 13
    features = features_in(page)
    assert {f["properties"]["id"] for f in features} == ALL
    by_id = {f["properties"]["id"]: f for f in features}
    assert by_id["S11"]["geometry"] == {"type": "Point", "coordinates": [float(KIDAL[1]), float(KIDAL[0])]}
    assert by_id["S07"]["geometry"]["coordinates"] == [-8.0, 12.65]  # [lon, lat]
    for f in features:
        assert Markup(f["properties"]["popup"]).text.endswith(f["properties"]["id"])


def test_features_are_coloured_by_event_type(table) -> None:
    assert set(EVENT_COLORS) == set(schema.EVENT_TYPES)
    assert len(set(EVENT_COLORS.values())) == len(EVENT_COLORS)  # six distinct colours
    types = dict(zip(table["event_id"], table["event_type"].astype(str), strict=True))
    for f in mapview.event_features(table)["features"]:
        assert f["properties"]["color"] == EVENT_COLORS[types[f["properties"]["id"]]]
    colours = {f["properties"]["color"] for f in mapview.event_features(table)["features"]}
    assert len(colours) == 6  # the fixture has every type


def test_circle_size_grows_with_deaths_and_unknown_is_smallest() -> None:
    radii = mapview.radius_for(pd.Series([None, 0, 1, 7, 40, 157, 100_000], dtype="Int32"))
    assert radii[0] == radii[1] == radii.min()
    assert list(radii) == sorted(radii) and radii[2] < radii[3] < radii[4] < radii[5]
    assert radii[-1] == radii.max() <= 30  # capped: a huge figure does not cover the country


def test_layer_switches_to_cells_above_the_detail_limit(table) -> None:
    assert event_layer(table, detail_limit=len(table)).mode == "events"
    assert event_layer(table, detail_limit=len(table) - 1).mode == "cells"


def test_default_detail_limit() -> None:
    at_limit = repeat(shared_events(), mapview.DETAIL_LIMIT)
    assert event_layer(at_limit).mode == "events"
    assert event_layer(repeat(shared_events(), mapview.DETAIL_LIMIT + 1)).mode == "cells"


def test_empty_selection_gives_an_empty_layer(table) -> None:
    page, layer = render(table.iloc[0:0])
    assert layer.n_features == 0 and features_in(page) == []


# --- cells: aggregate squares above DETAIL_LIMIT ------------------------------------------------


def repeat(events: pd.DataFrame, n: int) -> pd.DataFrame:
    """n events cycling through the table's rows, each with its own id (same places, types, deaths)."""
    copies = -(-n // len(events))
    frames = [events.assign(event_id=events["event_id"] + f"-{k}") for k in range(copies)]
    return pd.concat(frames, ignore_index=True).iloc[:n]


CELL_LABEL = re.compile(r"^([\d,]+) events, ([\d,]+) reported deaths")


def cell_figures(feature: dict) -> tuple[int, int]:
    match = CELL_LABEL.match(Markup(feature["properties"]["tooltip"]).text)
    assert match, feature["properties"]["tooltip"]
    return int(match[1].replace(",", "")), int(match[2].replace(",", ""))


def cell_at(features: list[dict], lat: float, lon: float) -> dict:
    [cell] = [
        f
        for f in features
        if shapely.geometry.shape(f["geometry"]).buffer(0.03).contains(shapely.Point(lon, lat))
    ]
    return cell


def test_cells_mode_sends_squares_that_add_up(table, focus_places) -> None:
    many = repeat(table, 40 * len(table))  # 520 events
    assert len(many) > mapview.DETAIL_LIMIT
    page, layer = render(many, focus_places)
    assert layer.mode == "cells"
    cells = features_in(page)
    assert len(cells) == layer.n_features
    assert all(c["geometry"]["type"] == "Polygon" for c in cells)
    figures = [cell_figures(c) for c in cells]
    assert sum(n for n, _ in figures) == len(many) == 520
    assert sum(d for _, d in figures) == 40 * TOTAL_DEATHS  # unknown deaths count as none
    assert cell_figures(cell_at(cells, float(KIDAL[0]), float(KIDAL[1])))[0] >= 80
    assert cell_figures(cell_at(cells, 12.65, -8.0)) == (40, 0)  # Bamako: one protest with 0 deaths
    assert len(page) < 60_000  # the payload does not grow with the number of events


# --- the base map ----------------------------------------------------------------------------------


def test_base_map_shows_the_six_focus_places_in_their_own_pane(focus_places) -> None:
    fmap = base_map(places=focus_places)
    markers = [c for c in fmap._children.values() if isinstance(c, folium.FeatureGroup)]
    [group] = markers
    places = [m for m in group._children.values() if isinstance(m, folium.Marker)]
    assert len(places) == 6 and {m.options.get("pane") for m in places} == {"labels"}
    page = fmap.get_root().render()
    assert page.count("sm-focus") == 6
    for name in schema.FOCUS_PLACES:
        assert json.dumps(name)[1:-1] in page or name in page, name
    # the labels' pane lies above Leaflet's marker pane (600), the outline's under the overlays (400)
    panes = dict(re.findall(r'createPane\(\s*"(\w+)"\);\s*\w+\.style\.zIndex = (\d+);', page))
    assert int(panes["labels"]) > 600 and 200 < int(panes["outline"]) < 400


def test_base_map_draws_the_outline_under_the_events() -> None:
    page = base_map().get_root().render()
    kinds = [f["properties"]["kind"] for f in features_in(page, outline=True)]
    assert sorted(kinds) == ["country", "region"]
    assert features_in(page) == []
    assert '"pane": "outline"' in page
    assert len(json.dumps(geography.outline_geojson())) < 25_000  # simplified: a small payload


def test_scale_bar_is_metric_and_the_note_waits_for_tile_errors() -> None:
    page = base_map().get_root().render()
    assert "L.control.scale({imperial: false" in page and "bottomleft" in page
    assert "tileerror" in page and json.dumps(mapview.BASEMAP_NOTE) in page
    assert "COD-AB" in page  # the boundaries credited in the map attribution


def test_the_legend_is_a_toggle_that_starts_closed_on_a_narrow_map(table) -> None:
    page, _ = render(table)
    assert "map.getSize().x >= 500" in page and "\\u003cdetails open\\u003e" in page


def test_with_local_assets_the_map_asks_no_other_server(table) -> None:
    urls = {"leaflet": "../leaflet/", "markercluster": "../cluster/"}
    fmap = base_map(places=None, asset_urls=urls)
    layer = event_layer(table)
    layer.group.add_to(fmap)
    links = []
    for element in [fmap, *mapview._descendants(fmap)]:
        links += [u for _, u in getattr(element, "default_js", [])]
        links += [u for _, u in getattr(element, "default_css", [])]
    assert links and all(u.startswith(("../leaflet/", "../cluster/")) for u in links)
    assert {u.rsplit("/", 1)[1] for u in links} == {
        f for p in mapview.OFFLINE_ASSETS.values() for f in (*p.js, *p.css)
    }
    for package in mapview.OFFLINE_ASSETS.values():  # the files exist in the environment
        for name in (*package.js, *package.css):
            assert (package.directory / name).stat().st_size > 500
    page = fmap.get_root().render()
    assert not re.search(r'(src|href)="https?://', page)


@pytest.mark.parametrize("basemap", [*mapparams.BASEMAPS, "no such basemap"])
def test_every_basemap_renders(basemap: str) -> None:
    page = base_map(basemap).get_root().render()
    assert "L.tileLayer" in page


def test_region_view_frames_the_region() -> None:
    (lat, lon), zoom = mapview.region_view("Segou")
    south, west, north, east = geography.region_bounds()["Segou"]
    assert south < lat < north and west < lon < east and mapview.MALI_ZOOM < zoom <= 10


def test_layer_data_survives_the_cache_pickle(table) -> None:
    import pickle

    for mode in mapparams.MODES:
        layer = mapview.layer_data(table, mode)
        assert pickle.loads(pickle.dumps(layer)) == layer


def test_an_event_located_only_to_a_region_is_a_hollow_ring_and_at_no_focus_place() -> None:
    region = event_row(
        "R1", "curated", "2025-02-17", P_GAO, geo_precision="3", sub_event_type="Attack", actor1="X"
    )
    town = event_row(
        "T1", "curated", "2025-02-17", P_GAO, geo_precision="1", sub_event_type="Attack", actor1="X"
    )
    events = build_events([region, town])
    focus = events.set_index("event_id")["focus_place"]
    assert pd.isna(focus["R1"]) and focus["T1"] == "Gao"
    props = {f["properties"]["id"]: f["properties"] for f in mapview.event_features(events)["features"]}
    assert (props["R1"]["hollow"], props["T1"]["hollow"]) == (True, False)
    assert props["R1"]["tooltip"] == (
        "17 Feb 2025 · Attack · Gao region, located only to a region: the point is a stand-in, not the town"
    )
    assert props["T1"]["tooltip"] == "17 Feb 2025 · Attack · Gao"
    script, _ = render(events)
    assert "p.hollow" in script and "fillOpacity: 0}" in script  # the style reads the property


def test_the_legend_says_what_a_hollow_ring_means() -> None:
    legend = mapview.legend_html(mapview.event_legend())
    assert "Hollow ring: located only to a region: the point is a stand-in, not the town" in legend
