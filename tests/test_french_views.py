"""The map, the table, the charts' data and the methodology's label table in French (issue 14), pure.

Field names, legends and captions are in French; notes, actor and place names stay as sourced; event
types and sub-types use the vocabulary catalogue's labels; English stays exactly as before.
"""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from sahelmap import aggregate, choropleth, dashboard, export, filters, i18n, mapview, reference, schema
from sahelmap.filters import FilterSpec
from tests.factories import build_events, english_words, event_row, html_text, shared_events

pytestmark = pytest.mark.filterwarnings("ignore:CartoDB tiles now require an API key")

NNBSP = "\u202f"  # Babel's French thousands separator
DATA_COLUMNS = (
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
)


@pytest.fixture
def table() -> pd.DataFrame:
    return shared_events().copy()


def record(table: pd.DataFrame, event_id: str) -> dict:
    return table[table["event_id"] == event_id].iloc[0].to_dict()


def data_values(events: pd.DataFrame) -> list[str]:
    """What a popup shows as sourced: never translated, so never counted as English left."""
    return [str(v) for c in DATA_COLUMNS for v in events[c].dropna().unique()]


# --- popups and tooltips -------------------------------------------------------------------------


def test_a_popup_in_french_names_its_fields_in_french_and_keeps_the_data_as_sourced(table) -> None:
    event = record(table, "S01")
    with i18n.using("fr"):
        text = html_text(mapview.popup_html(event))
    assert text.split()[:3] == ["31", "déc.", "2021"]
    assert "Batailles / Affrontement armé" in text
    assert "Acteurs :" in text and "Lieu :" in text and "Morts signalés :" in text and "Source :" in text
    for english in ("Actors:", "Place:", "Reported deaths:", "Source:", "Battles", "Armed clash"):
        assert english not in text
    assert "Military Forces of Mali (2021-); Wagner Group" in text  # actor names as sourced
    assert str(event["notes"]) in text
    assert "5 avr. 2022 : « Report on S01 »" in text
    assert english_words(text, data_values(table)) == []


def test_a_popup_in_french_says_precision_and_unknown_tolls_in_french(table) -> None:
    with i18n.using("fr"):
        week = html_text(mapview.popup_html(record(table, "S07")))
        month = html_text(mapview.popup_html(record(table, "S04")))
        unknown = html_text(mapview.popup_html(record(table, "S06")))
        region = html_text(mapview.popup_html(record(table, "S09")))
    assert week.strip().startswith("semaine du 10 févr. 2023")
    assert month.strip().startswith("mai 2022")
    assert "Morts signalés :  inconnu" in unknown
    assert "(région)" in region and "(region)" not in region


def test_french_tooltips_name_the_sub_type_in_french() -> None:
    region = event_row(
        "R1", "curated", "2025-02-17", ("Gao", "Gao", "", "16.27,-0.04"), geo_precision="3",
        sub_event_type="Attack", actor1="X",
    )  # fmt: skip
    town = event_row(
        "T1", "curated", "2025-02-17", ("Gao", "Gao", "Gao", "16.27,-0.04"), geo_precision="1",
        sub_event_type="Attack", actor1="X",
    )  # fmt: skip
    events = build_events([region, town])
    with i18n.using("fr"):
        props = {f["properties"]["id"]: f["properties"] for f in mapview.event_features(events)["features"]}
    assert html_text(props["T1"]["tooltip"]) == "17 févr. 2025 · Attaque · Gao"
    assert html_text(props["R1"]["tooltip"]).startswith("17 févr. 2025 · Attaque · région de Gao, localisé")


def test_english_popups_are_unchanged(table) -> None:
    """The same event in English: the field names and ACLED's words as before the translation."""
    text = html_text(mapview.popup_html(record(table, "S01")))
    assert "Battles / Armed clash" in text and "Actors:" in text and "Reported deaths:" in text
    assert mapview.tooltip_text(record(table, "S02")) == "01 Jan 2022 · Attack · Kadji"


def test_a_payload_stays_text_in_a_french_popup(table) -> None:
    evil = "<img src=x onerror=alert(1)>"
    event = record(table, "S01") | {"notes": evil, "location": evil, "actor1": evil}
    with i18n.using("fr"):
        popup = mapview.popup_html(event)
        tooltip = mapview.tooltip_text(event)
    assert "<img" not in popup and "<img" not in tooltip
    assert evil in html_text(popup) and evil in html_text(tooltip)


# --- legends, captions, cells and areas ----------------------------------------------------------


def test_the_event_legend_in_french() -> None:
    with i18n.using("fr"):
        legend = html_text(mapview.legend_html(mapview.event_legend()))
    assert "Type d'événement" in legend and "★ lieu suivi" in legend
    assert all(i18n.translations("fr", i18n.VOCABULARY).gettext(t) in legend for t in mapview.EVENT_COLORS)
    assert english_words(legend) == []


def test_squares_in_french_legend_caption_and_tooltips(table) -> None:
    many = pd.concat(
        [table.assign(event_id=table["event_id"] + f"-{k}") for k in range(90)], ignore_index=True
    )
    with i18n.using("fr"):
        layer = mapview.layer_data(many, "events", "events", detail_limit=100)
    assert layer.kind == "cells"
    assert layer.legend.title == "Événements par carré d'environ 56 km"
    assert layer.legend.notes == ["Zoomez pour voir chaque événement"]
    assert layer.caption.startswith(f"1{NNBSP}170 événements sont représentés par ")
    with i18n.using("fr"):
        rows = [label for _color, label in aggregate.legend_rows([1_500, 12_000], with_zero=True)]
    assert rows == ["0", f"1–1{NNBSP}500", f"1{NNBSP}501–12{NNBSP}000"]
    tooltips = [html_text(f["properties"]["tooltip"]) for f in layer.data["features"]]
    assert all(" événement" in t and " mort" in t and "surtout à " in t for t in tooltips)
    for text in [layer.legend.title, layer.caption, *layer.legend.notes, *tooltips]:
        assert english_words(text, data_values(many)) == [], text


def test_regions_and_cercles_in_french(table) -> None:
    with i18n.using("fr"):
        regions = mapview.layer_data(table, "regions", "deaths")
        cercles = mapview.layer_data(table, "cercles", "events")
    assert regions.legend.title == "Morts signalés par région"
    assert regions.caption.startswith("Événements et morts signalés par région (les 10 régions)")
    assert regions.caption.endswith("Cliquez sur une région pour n'afficher que ses événements.")
    assert cercles.legend.title == "Événements par cercle"
    assert cercles.legend.notes == [
        "1 événement (1 mort signalé) non attribué à un cercle (sans coordonnées, hors du Mali, ou localisé "
        "seulement à la région)"
    ]
    tooltip = html_text(regions.data["features"][0]["properties"]["tooltip"])
    assert "(région)" in tooltip and " événement" in tooltip and " mort" in tooltip
    for layer in (regions, cercles):
        texts = [layer.legend.title, layer.caption, *layer.legend.notes]
        texts += [html_text(f["properties"]["tooltip"]) for f in layer.data["features"]]
        for text in texts:
            assert english_words(text, data_values(table)) == [], text


def test_the_unassigned_note_agrees_with_its_count_in_french(table) -> None:
    layer = choropleth.area_layer(table, "admin2", "events")
    many = layer._replace(unassigned_events=2_500, unassigned_deaths=1)
    with i18n.using("fr"):
        assert choropleth.unassigned_note(many, "admin1") == (
            f"2{NNBSP}500 événements (1 mort signalé) non attribués à une région "
            "(sans coordonnées ou hors du Mali)"
        )
    assert choropleth.unassigned_note(many, "admin1") == (
        "2,500 events (1 reported deaths) not assigned to a region (no point, outside Mali)"
    )


def script_string(page: str, before: str) -> str:
    """The JavaScript string literal (JSON) the map's script writes right after ``before``."""
    start = page.index(before) + len(before)
    return json.JSONDecoder().raw_decode(page, start)[0]


def test_the_map_notes_in_french() -> None:
    with i18n.using("fr"):
        page = mapview.base_map().get_root().render()
    note = script_string(page, "box.textContent = ")
    assert note.startswith("Fond de carte indisponible (ses tuiles n'ont pas pu être chargées)")
    assert script_string(page, "addAttribution(") == "Limites © OCHA COD-AB, CC BY-IGO 3.0"
    assert english_words(note) == []
    english = mapview.base_map().get_root().render()
    assert script_string(english, "box.textContent = ") == mapview.BASEMAP_NOTE


def test_cell_months_in_french_and_english() -> None:
    first, last = pd.Timestamp("2012-02-03"), pd.Timestamp("2013-12-30")
    assert aggregate.cell_tooltip(3, 1_811, "Gao", first, last) == (
        "<b>3 events, 1,811 reported deaths</b><br>most at Gao<br>Feb 2012 – Dec 2013"
    )
    with i18n.using("fr"):
        assert aggregate.cell_tooltip(1, 0, "Gao", first, first) == (
            "<b>1 événement, 0 mort signalé</b><br>surtout à Gao<br>févr. 2012"
        )


# --- the table and the charts ----------------------------------------------------------------------


def test_the_table_shows_types_in_french_and_the_downloads_keep_acleds_values(table) -> None:
    with i18n.using("fr"):
        rows = dashboard.table_page(table).rows
    assert set(rows["event_type"].dropna()) <= {
        i18n.translations("fr", i18n.VOCABULARY).gettext(t) for t in schema.EVENT_TYPES
    }
    assert "Batailles" in set(rows["event_type"]) and "Battles" not in set(rows["event_type"])
    assert "Affrontement armé" in set(rows["sub_event_type"])
    english = dashboard.table_page(table).rows
    assert "Battles" in set(english["event_type"]) and "Armed clash" in set(english["sub_event_type"])
    assert list(english["event_id"]) == list(rows["event_id"])  # same rows, same order


def test_an_extract_made_in_french_keeps_acleds_values(table) -> None:
    with i18n.using("fr"):
        data = export.to_csv_bytes(table)
    frame = pd.read_csv(io.BytesIO(data), dtype=str)
    assert "Battles" in set(frame["event_type"]) and "Batailles" not in set(frame["event_type"])
    assert "Armed clash" in set(frame["sub_event_type"])


def test_the_actor_chart_names_the_groups_in_french(table) -> None:
    with i18n.using("fr"):
        spec = dashboard.view_figures(table).actor_chart
    groups = {row["group"] for rows in spec["datasets"].values() for row in rows if "group" in row}
    assert "Forces armées maliennes (FAMa, police, gendarmerie)" in groups
    assert not groups & set(schema.ACTOR_GROUPS.values()) - {"Wagner / Africa Corps"}  # same in both
    english = dashboard.view_figures(table).actor_chart
    assert "Malian armed forces (FAMa, police, gendarmerie)" in {
        row["group"] for rows in english["datasets"].values() for row in rows if "group" in row
    }


# --- the methodology's table of labels -------------------------------------------------------------


def test_the_taxonomy_lists_every_type_and_sub_type_with_its_catalogue_label() -> None:
    rows = i18n.taxonomy("fr")
    assert [(r.event_type, r.sub_event_type) for r in rows if not r.sub_event_type] == [
        (t, "") for t in schema.EVENT_TYPES
    ]
    assert sorted(r.sub_event_type for r in rows if r.sub_event_type) == sorted(schema.SUB_EVENT_TYPES)
    vocabulary = i18n.translations("fr", i18n.VOCABULARY)
    for row in rows:
        word = row.sub_event_type or row.event_type
        assert row.label == vocabulary.gettext(word) and row.label  # the catalogue's own label
        assert row.sub_event_type == "" or schema.PARENT_TYPE[row.sub_event_type] == row.event_type
    # the catalogue says which labels are ACLED's own: the event types'
    assert {r.event_type for r in rows if r.acled_own} == set(schema.EVENT_TYPES)
    assert not any(r.acled_own for r in rows if r.sub_event_type)


def test_the_taxonomy_reads_its_origin_from_the_catalogue_comments(tmp_path, monkeypatch) -> None:
    """The 'ACLED's own' column follows the catalogue's comment, not a second list in the code."""
    po = i18n.po_path("fr", i18n.VOCABULARY).read_text(encoding="utf-8")
    changed = po.replace(
        '#. ACLED event type (ACLED\'s French label)\nmsgid "Riots"', '#. ours\nmsgid "Riots"'
    )
    assert changed != po
    target = tmp_path / "fr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / f"{i18n.VOCABULARY}.po").write_text(changed, encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.vocabulary_comments.cache_clear()
    try:
        own = {r.event_type for r in i18n.taxonomy("fr") if r.acled_own and not r.sub_event_type}
    finally:
        i18n.vocabulary_comments.cache_clear()
    assert own == set(schema.EVENT_TYPES) - {"Riots"}


def test_every_precision_word_has_a_french_label() -> None:
    vocabulary = i18n.translations("fr", i18n.VOCABULARY)
    for word in [*schema.TIME_PRECISION.values(), *schema.GEO_PRECISION.values()]:
        assert vocabulary.gettext(word) != word


def test_timbuktu_is_tombouctou_in_french_on_the_map_and_in_words() -> None:
    """The project's English name for a focus place reads as French names it; links keep the English."""
    with i18n.using("fr"):
        assert filters.region_label("Tombouctou") == "région de Tombouctou"
        place = filters.BY_NAME["place"]
        assert place.option_label("Timbuktu") == "Tombouctou"
        words = filters.describe(FilterSpec(place=("Timbuktu",)), 1, 0)
        page = mapview.base_map(places=reference.gazetteer().focus_places()).get_root().render()
    assert "à Tombouctou" in words and "Timbuktu" not in words
    assert "\\u0026#9733; Tombouctou" in page and "#9733; Timbuktu" not in page  # the label, JSON-escaped
    assert filters.region_label("Tombouctou") == "Timbuktu region"
    assert filters.to_query(FilterSpec(place=("Timbuktu",)))["place"] == "timbuktu"  # links unchanged
