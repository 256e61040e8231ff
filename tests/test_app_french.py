"""The page with lang=fr (issue 14): no English interface text remains.

Two checks over every label, help, caption, markdown and message of the French dashboard and methodology
page: no English message of the catalogue is shown, and no common English word is (``english_words``), which
also catches a string never wrapped in ``_()``. The map's HTML (what st_folium sends) is read the same way:
popups, tooltips, legend, captions and notes in French, the data as sourced.
"""

from __future__ import annotations

import functools
import json
import re

import pytest
from babel.messages.pofile import read_po

from sahelmap import export, i18n, mapview, schema
from sahelmap.events import load_events
from tests.apptest_helpers import map_args, map_features, run_app
from tests.factories import english_words, html_text

pytestmark = pytest.mark.slow

METHODOLOGY = "src/sahelmap/site_pages/methodology.py"
# English still shown in French, each for a stated reason and with the text that shows it. The test fails
# when one is no longer shown, so an entry cannot outlive its reason: delete it then.
PENDING: dict[str, str] = {}
ENGLISH_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b")


def english_messages() -> dict[str, str]:
    """msgid -> French for every message whose French differs from its English (so "Date" or "Format",
    the same in both, cannot count as left in English)."""
    with i18n.po_path("fr").open("rb") as po:
        catalog = read_po(po, locale="fr")
    found: dict[str, str] = {}
    for m in catalog:
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        for msgid, string in zip(ids, strings, strict=False):
            if msgid and msgid != string:
                found[msgid] = string
    return found


@functools.cache
def data_values() -> tuple[str, ...]:
    """What the page shows as sourced, never translated: the bundled events' names, notes and sources,
    the ACLED and UCDP citations as published, and the README's heading the bundled note points to."""
    events = load_events().events
    columns = [*schema.ACTOR_COLUMNS, "location", "admin1", "admin2", "notes", "source", "source_title"]
    values = {str(v) for c in columns for v in events[c].dropna().unique()}
    values |= {str(v) for v in events["dataset"].unique()} | {str(v) for v in events["event_id"]}
    values |= {export.ATTRIBUTION["acled"], export.ATTRIBUTION["ucdp"], "Data and sources"}
    # titles of works inside the translated citations stay as published
    values |= {"Armed Conflict Location & Event Data Project", "Introducing ACLED"}
    values |= {"Journal of Peace Research", "UCDP Georeferenced Event Dataset"}
    return tuple(values)


def shown_texts(at) -> list[str]:
    """Every interface text of the run: titles, headers, captions, markdown, messages, widget labels,
    their help and the options they show, metrics, expanders."""
    texts = [
        str(e.value)
        for kind in (
            "title",
            "header",
            "subheader",
            "caption",
            "markdown",
            "info",
            "warning",
            "success",
            "error",
        )
        for e in getattr(at, kind)
    ]
    widgets = []
    for kind in ("multiselect", "selectbox", "text_input", "number_input", "toggle", "button", "radio"):
        widgets += list(getattr(at, kind))
    widgets += [*at.date_input, *at.select_slider, *at.metric, *at.sidebar.multiselect]
    for widget in widgets:
        texts += [widget.label, str(getattr(widget, "help", "") or "")]
    for widget in [*at.radio, *at.selectbox, *at.multiselect]:
        texts += [str(option) for option in widget.options]  # as shown (format_func applied)
    texts += [e.label for e in at.expander]
    return [t.replace("\\", "") for t in texts if t]


def english_left(texts: list[str]) -> tuple[list[tuple[str, list[str]]], set[str]]:
    """(texts with English words and no pending reason, the pending fragments seen)."""
    left, pending = [], set()
    for text in texts:
        words = english_words(text, data_values())
        reasons = [fragment for fragment in PENDING if fragment in text]
        pending.update(reasons)
        if words and not reasons:
            left.append((text[:160], words))
    return left, pending


@pytest.fixture(scope="module")
def french_page():
    at = run_app(lang="fr")
    assert not at.exception
    return at


def test_the_french_page_shows_no_english_message_of_the_catalogue(french_page) -> None:
    at = french_page
    english = english_messages()
    texts = shown_texts(at)
    assert len(texts) > 40
    left = [t for t in texts if t in english]
    # a long English message inside a longer text (a caption built from several) counts too
    left += [t for t in texts for msgid in english if len(msgid) > 25 and "{" not in msgid and msgid in t]
    left = [t for t in left if not any(fragment in t for fragment in PENDING)]
    assert left == []
    assert at.title[0].value == "sahelmap · événements de conflit armé au Mali"
    assert at.query_params["lang"] in ("fr", ["fr"])


def test_the_french_page_shows_no_english_words(french_page) -> None:
    """Catches text that never went through _(): it is in no catalogue, so the test above misses it."""
    left, pending = english_left(shown_texts(french_page))
    assert left == []
    gone = {fragment: PENDING[fragment] for fragment in set(PENDING) - pending}
    assert gone == {}, f"no longer shown in English: delete from PENDING {gone}"


def test_the_english_word_check_finds_an_untranslated_string(french_page) -> None:
    """The check can fail: an English caption that no catalogue holds is found."""
    left, _pending = english_left([*shown_texts(french_page), "Showing the squares of the map"])
    assert left == [("Showing the squares of the map", ["Showing", "the", "of", "the"])]


def test_the_methodology_page_in_french() -> None:
    at = run_app(lang="fr")
    with i18n.using("fr"):
        at.switch_page(METHODOLOGY).run()
    assert not at.exception
    assert at.title[0].value == "Méthodologie et sources"
    assert [h.value for h in at.header][:2] == [
        "Ce que signifient les chiffres",
        "Biais connus des données d'événements issues des médias",
    ]
    texts = shown_texts(at)
    left, _pending = english_left(texts)
    assert left == []
    english = english_messages()
    assert [t for t in texts if t in english] == []
    markdown = " ".join(texts)
    assert "Raleigh, C." in markdown and "CC BY 4.0" in markdown  # citations as published
    assert "Les morts ne sont attribués au camp de l'auteur" in markdown
    assert "(Bamako, Tombouctou, Gao" in markdown
    assert "Forces armées maliennes (FAMa, police, gendarmerie)" in markdown  # the groups, in French
    # the event types' labels, from the vocabulary catalogue
    [table] = [d.value for d in at.dataframe if "label" in d.value.columns]
    rows = i18n.taxonomy("fr")
    assert list(table["label"]) == [r.label for r in rows]
    assert list(table["event_type"]) == [r.event_type for r in rows]
    assert set(table.loc[table["sub_event_type"] == "", "origin"]) == {"ACLED"}
    assert "Batailles" in set(table["label"]) and "Affrontement armé" in set(table["label"])


def legend_of(script: str) -> str:
    """The text of the legend the layer's script builds (its HTML is a JSON string there)."""
    start = script.index("box.innerHTML = ") + len("box.innerHTML = ")
    return html_text(json.JSONDecoder().raw_decode(script, start)[0])


def script_string(script: str, before: str) -> str:
    start = script.index(before) + len(before)
    return json.JSONDecoder().raw_decode(script, start)[0]


def test_the_map_in_french(french_page) -> None:
    """What st_folium sends: popups, tooltips, the legend and the map's notes in French."""
    at = french_page
    args = map_args(at)
    features = map_features(at)
    assert len(features) > 100  # the bundled table, one by one
    popups = [html_text(f["properties"]["popup"]) for f in features]
    tooltips = [html_text(f["properties"]["tooltip"]) for f in features]
    for field in ("Acteurs :", "Lieu :", "Morts signalés :", "Source :"):
        assert any(field in p for p in popups), field
    for english in ("Actors:", "Place:", "Reported deaths:", "Source:", "Also in:", "week of"):
        assert not any(english in p for p in popups), english
    for event_type in schema.EVENT_TYPES:
        assert not any(f"{event_type} / " in p for p in popups), event_type
    assert any("Batailles / " in p for p in popups)
    for text in popups + tooltips:
        assert english_words(text, data_values()) == [], text[:200]
    dates = [t.split(" · ")[0] for t in tooltips] + [p.strip().split("  ")[0] for p in popups]
    assert all(re.search(r"\d{4}$", d) and not ENGLISH_MONTH.search(d) for d in dates), dates[:5]
    assert any("déc." in d or "janv." in d for d in dates)
    legend = legend_of(args["feature_group"])
    assert legend.strip().startswith("Type d'événement") and "★ lieu suivi" in legend
    assert english_words(legend) == []
    note = script_string(args["script"], "box.textContent = ")
    assert note.startswith("Fond de carte indisponible") and note != mapview.BASEMAP_NOTE
    assert script_string(args["script"], "addAttribution(") == "Limites © OCHA COD-AB, CC BY-IGO 3.0"


def test_the_choropleth_in_french() -> None:
    at = run_app(lang="fr", mapmode="regions")
    assert not at.exception
    args = map_args(at)
    legend = legend_of(args["feature_group"])
    assert legend.strip().startswith("Événements par région") and english_words(legend) == []
    tooltips = [html_text(f["properties"]["tooltip"]) for f in map_features(at)]
    assert len(tooltips) == 10 and all("(région)" in t and "événement" in t for t in tooltips)
    assert all(english_words(t, data_values()) == [] for t in tooltips)
    captions = [str(c.value).replace("\\", "") for c in at.caption]
    assert any(c.startswith("Événements et morts signalés par région (les 10 régions)") for c in captions)


def test_english_stays_the_default_and_adds_nothing_to_the_link() -> None:
    at = run_app()
    assert not at.exception
    assert at.title[0].value == "sahelmap · armed-conflict events in Mali"
    assert "lang" not in at.query_params
    legend = legend_of(map_args(at)["feature_group"])
    assert legend.strip().startswith("Event type") and "★ focus place" in legend
