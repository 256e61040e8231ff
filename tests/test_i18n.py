"""Translations (issue 14): the catalogues are complete, and numbers, dates and the description line read
naturally in both languages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from sahelmap import dashboard, filters, i18n, schema
from sahelmap.filters import FilterSpec

ROOT = Path(__file__).resolve().parents[1]
NNBSP = "\u202f"  # CLDR's French thousands separator
NBSP = "\u00a0"


def catalogue(domain: str):
    with i18n.po_path("fr", domain).open("rb") as po:
        return read_po(po, locale="fr")


def source_messages() -> set[str | tuple[str, ...]]:
    """Every string marked in the package with _(), N_() or ngettext(), through Babel's extractor and the
    project's babel.cfg (as `pybabel extract -F babel.cfg` sees them)."""
    method_map = [("src/sahelmap/**.py", "python")]
    found = extract_from_dir(
        str(ROOT), method_map=method_map, keywords={"_": None, "N_": None, "ngettext": (1, 2)}
    )
    return {message for _file, _line, message, _comments, _context in found}


def test_babel_cfg_names_the_package_sources() -> None:
    assert "[python: src/sahelmap/**.py]" in (ROOT / "babel.cfg").read_text()


@pytest.mark.parametrize("domain", [i18n.DOMAIN, i18n.VOCABULARY])
def test_every_message_of_the_catalogue_has_a_french_translation(domain: str) -> None:
    untranslated = [
        m.id
        for m in catalogue(domain)
        if m.id and (not all(m.string) if isinstance(m.string, tuple | list) else not m.string)
    ]
    assert untranslated == []


def test_every_string_marked_in_the_source_is_in_the_french_catalogue() -> None:
    """Fails on a new _("...") that no one has translated: run pybabel update (docs/architecture.md)."""
    ids = {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalogue(i18n.DOMAIN) if m.id}
    marked = source_messages()
    assert len(marked) > 100
    assert sorted(map(str, marked - ids)) == []


def test_no_stale_message_is_left_in_the_catalogue() -> None:
    ids = {m.id if isinstance(m.id, str) else tuple(m.id) for m in catalogue(i18n.DOMAIN) if m.id}
    assert sorted(map(str, ids - source_messages())) == []


def test_the_vocabulary_holds_every_event_type_sub_type_actor_group_and_precision_word() -> None:
    words = {*schema.EVENT_TYPES, *schema.SUB_EVENT_TYPES, *schema.ACTOR_GROUPS.values()}
    words |= set(schema.GEO_PRECISION.values())
    ids = {m.id for m in catalogue(i18n.VOCABULARY) if m.id}
    assert sorted(words - ids) == []


@pytest.mark.parametrize(
    ("english", "french"),
    [
        ("Battles", "Batailles"),
        ("Violence against civilians", "Violence contre les civils"),
        ("Protests", "Manifestations"),
        ("Riots", "Émeutes"),
        ("Explosions/Remote violence", "Explosions/Violence à distance"),
        ("Strategic developments", "Développements stratégiques"),
    ],
)
def test_event_types_use_acled_french_labels(english: str, french: str) -> None:
    with i18n.using("fr"):
        assert i18n.label(english) == french
    assert i18n.label(english) == english


def test_data_outside_the_vocabulary_stays_as_sourced() -> None:
    with i18n.using("fr"):
        assert i18n.label("Katiba Macina") == "Katiba Macina"
        assert i18n.label("") == ""


@pytest.mark.parametrize(
    ("lang", "value", "expected"),
    [
        ("en", 1811, "1,811"),
        ("fr", 1811, f"1{NNBSP}811"),
        ("en", 0, "0"),
        ("fr", 1_234_567, f"1{NNBSP}234{NNBSP}567"),
        ("en", 1_234_567, "1,234,567"),
        ("fr", 1.5, "1,5"),
    ],
)
def test_numbers(lang: str, value: float, expected: str) -> None:
    assert i18n.number(value, lang) == expected
    with i18n.using(lang):
        assert i18n.number(value) == expected


@pytest.mark.parametrize(
    ("lang", "value", "as_month", "as_day"),
    [
        ("fr", dt.date(2012, 2, 1), "févr. 2012", "1 févr. 2012"),
        ("en", dt.date(2012, 2, 1), "Feb 2012", "1 Feb 2012"),
        ("fr", dt.date(2021, 12, 14), "déc. 2021", "14 déc. 2021"),
        ("en", dt.date(2021, 12, 14), "Dec 2021", "14 Dec 2021"),
        ("fr", dt.date(2022, 8, 31), "août 2022", "31 août 2022"),
        ("fr", dt.date(2023, 5, 2), "mai 2023", "2 mai 2023"),
    ],
)
def test_dates(lang: str, value: dt.date, as_month: str, as_day: str) -> None:
    assert i18n.month(value, lang) == as_month
    assert i18n.day(value, lang) == as_day


def test_plurals_follow_each_language() -> None:
    assert [i18n.ngettext("{n} event", "{n} events", n) for n in (0, 1, 2)] == [
        "{n} events",
        "{n} event",
        "{n} events",
    ]
    with i18n.using("fr"):  # French counts zero as one
        assert [i18n.ngettext("{n} event", "{n} events", n) for n in (0, 1, 2)] == [
            "{n} événement",
            "{n} événement",
            "{n} événements",
        ]


def test_the_language_is_restored_after_a_block() -> None:
    assert i18n.current() == "en"
    with i18n.using("fr"):
        assert i18n._("Filters") == "Filtres"
    assert i18n._("Filters") == "Filters"
    with i18n.using("de"):  # not offered: English
        assert i18n.current() == "en"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("fr", "fr"), ("FR", "fr"), ("fr-FR", "fr"), ("fr_ML", "fr"), ("en-GB", "en"), ("de", None), ("", None)],
)
def test_parse(value: str, expected: str | None) -> None:
    assert i18n.parse(value) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("en-US,en;q=0.9,fr;q=0.8", "en"),
        ("de-DE,de;q=0.9,fr;q=0.7,en;q=0.5", "fr"),
        ("en;q=0.4,fr;q=0.6", "fr"),
        ("fr;q=0,en", "en"),
        ("de", "en"),
        ("", "en"),
        (None, "en"),
        ("fr;q=abc, en;q=0.2", "en"),
    ],
)
def test_browser_language(header: str | None, expected: str) -> None:
    assert i18n.from_accept_language(header) == expected


def test_the_language_parameter_is_not_a_filter() -> None:
    others, lang = i18n.split({"lang": ["fr"], "place": ["gao"]})
    assert (others, lang) == ({"place": ["gao"]}, "fr")
    assert i18n.split({"place": ["gao"]}) == ({"place": ["gao"]}, None)
    assert i18n.split({"lang": ["xx"]}) == ({}, None)


GAO = FilterSpec(place=("Gao",), start=dt.date(2022, 8, 1), end=dt.date(2025, 10, 31))
DATA = (dt.date(2012, 1, 17), dt.date(2025, 11, 14))

# The description line, one row per case, in both languages.
DESCRIPTIONS = [
    (
        GAO,
        10,
        81,
        "All events in Gao, Aug 2022 - Oct 2025: 10 events, 81 reported deaths",
        f"Tous les événements à Gao, août 2022 – oct. 2025{NBSP}: 10 événements, 81 morts signalés",
    ),
    (
        FilterSpec(),
        1811,
        1,
        "All events: 1,811 events, 1 reported deaths",
        f"Tous les événements{NBSP}: 1{NNBSP}811 événements, 1 mort signalé",
    ),
    (
        FilterSpec(type=("Battles",), start=dt.date(2021, 12, 14)),
        1,
        0,
        "Battles, 14 Dec 2021 - Nov 2025: 1 event, 0 reported deaths",
        f"Batailles, 14 déc. 2021 – nov. 2025{NBSP}: 1 événement, 0 mort signalé",
    ),
    (
        FilterSpec(type=("Violence against civilians",), actor=("jnim", "wagner"), civilians=True),
        3,
        12,
        "Violence against civilians targeting civilians involving JNIM and its katibas or Wagner / Africa "
        "Corps: 3 events, 12 reported deaths",
        "Violence contre les civils visant des civils impliquant JNIM et ses katibas ou Wagner / Africa "
        f"Corps{NBSP}: 3 événements, 12 morts signalés",
    ),
    (
        FilterSpec(place=("Kidal", filters.ELSEWHERE), min_deaths=5, q="drone"),
        2,
        40,
        'All events in Kidal and elsewhere in Mali mentioning "drone" with at least 5 reported deaths: '
        "2 events, 40 reported deaths",
        "Tous les événements à Kidal et ailleurs au Mali mentionnant « drone » avec au moins 5 morts "
        f"signalés{NBSP}: 2 événements, 40 morts signalés",
    ),
    (
        FilterSpec(subtype=("Air/drone strike",), focus_region=("Mopti",), start=dt.date(2024, 2, 1)),
        4,
        30,
        "Air/drone strike in the Mopti region, Feb 2024 - Nov 2025: 4 events, 30 reported deaths",
        f"Frappe aérienne/de drone dans la région de Mopti, févr. 2024 – nov. 2025{NBSP}: 4 événements, "
        "30 morts signalés",
    ),
]


@pytest.mark.parametrize(("spec", "n", "deaths", "english", "french"), DESCRIPTIONS)
def test_description_line(spec: FilterSpec, n: int, deaths: int, english: str, french: str) -> None:
    assert filters.describe(spec, n, deaths, DATA) == english
    with i18n.using("fr"):
        assert filters.describe(spec, n, deaths, DATA) == french


def test_table_caption_and_coverage_in_french() -> None:
    page = dashboard.TablePage(rows=pd.DataFrame(), total=1811, order="deaths")
    with i18n.using("fr"):
        assert page.caption.startswith(f"0 événements affichés sur 1{NNBSP}811")
        assert dashboard.coverage_line(pd.DataFrame(columns=["dataset"])) == (
            "Couverture des données chargées : aucun événement chargé"
        )
