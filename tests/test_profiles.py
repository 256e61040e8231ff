"""Profiles of a focus place and of a region: the summary figures, worked out by hand from the shared
fixture (tests/factories.py ROWS), in English and in French."""

from __future__ import annotations

import datetime as dt

import pytest

from sahelmap import filters, i18n, profiles
from sahelmap.filters import FilterSpec
from tests.factories import shared_events


@pytest.fixture(scope="module")
def table():
    return shared_events()


# --- a focus place -------------------------------------------------------------------------------------


def test_kidal_profile(table) -> None:
    # S11 (31 Dec 2024, unknown toll, Mali + Wagner) and S12 (1 Jan 2025, 3 deaths, Wagner) are at Kidal
    p = profiles.profile(table, "Kidal")
    assert p.subject == profiles.place("Kidal")
    assert (p.events, p.deaths, p.unknown_deaths) == (2, 3, 1)
    assert (p.first, p.last) == (dt.date(2024, 12, 31), dt.date(2025, 1, 1))
    assert p.groups.iloc[0]["group"] == "Wagner / Africa Corps" and p.groups.iloc[0]["events"] == 2
    assert list(p.years["year"]) == [2025, 2024]  # one event each: the later year first
    assert p.types.to_dict("records") == [
        {"event_type": "Violence against civilians", "events": 2, "deaths": 3}
    ]
    assert list(p.deadliest["fatalities"]) == [3]  # an unknown toll is not "deadliest"
    assert p.deadliest.iloc[0]["source_url"] == "https://example.org/s12"
    assert p.datasets == ["curated"]
    assert p.link() == "./?place=kidal"
    assert p.link("fr") == "./?place=kidal&lang=fr"


def test_gao_profile_counts_nearby_events(table) -> None:
    # S01 at Gao (12) and S02 at Kadji, 3 km away (7); S09 is located only to the region: not at Gao
    p = profiles.profile(table, "Gao")
    assert (p.events, p.deaths, p.region_only) == (2, 19, 0)
    assert list(p.deadliest["fatalities"]) == [12, 7]


def test_place_summary_agrees_with_the_figures(table) -> None:
    text = profiles.profile(table, "Gao").summary()
    assert text.startswith("2 events at Gao from 31 Dec 2021 to 1 Jan 2022, with 19 reported deaths. ")
    assert "no reported toll" not in text  # every event at Gao has a toll
    assert "Busiest years, by events: 2022 (1), 2021 (1)." in text
    assert "Most frequent event types: Violence against civilians (1), Battles (1)." in text
    assert "Datasets: curated." in text
    assert "within 50 km of it" in text and "are not counted here" in text  # what a town counts
    assert text.endswith("ucdp 2019-03-23 to 2023-10-01 (2 events).")  # the loaded data's coverage


def test_a_place_with_no_events(table) -> None:
    p = profiles.profile(table.iloc[:0], "Bamako")
    assert p.events == 0 and p.first is None and p.deadliest.empty and p.types.empty
    assert p.summary().startswith("No event in the loaded data is located at Bamako. A town's profile counts")


# --- a region ------------------------------------------------------------------------------------------


def test_gao_region_counts_every_event_in_its_boundaries(table) -> None:
    # S01 at Gao (12, 2021), S02 at Kadji (7, 2022) and S09, located only to the region (1, 2023, ucdp)
    p = profiles.profile(table, profiles.region("Gao"))
    assert (p.events, p.deaths, p.unknown_deaths, p.region_only) == (3, 20, 0, 1)
    assert (p.first, p.last) == (dt.date(2021, 12, 31), dt.date(2023, 10, 1))
    assert p.years.to_dict("records") == [
        {"year": 2023, "events": 1, "deaths": 1},
        {"year": 2022, "events": 1, "deaths": 7},
        {"year": 2021, "events": 1, "deaths": 12},
    ]
    assert p.types.to_dict("records") == [  # ties: the later name first, as the years
        {"event_type": "Violence against civilians", "events": 1, "deaths": 7},
        {"event_type": "Explosions/Remote violence", "events": 1, "deaths": 1},
        {"event_type": "Battles", "events": 1, "deaths": 12},
    ]
    assert p.groups.iloc[0].to_dict() == {"group": "Wagner / Africa Corps", "events": 2, "deaths": 19}
    assert list(p.deadliest["fatalities"]) == [12, 7, 1]
    assert p.datasets == ["curated", "ucdp"]
    assert p.link() == "./?focus_region=gao"
    # the town's profile is the region's minus the event located only to the region
    assert p.events - profiles.profile(table, "Gao").events == p.region_only


def test_kidal_region_holds_two_focus_places(table) -> None:
    # S08 (21) and S10 (unknown) at Tinzaouaten, S11 (unknown) and S12 (3) at Kidal
    p = profiles.profile(table, profiles.region("Kidal"))
    assert (p.events, p.deaths, p.unknown_deaths, p.region_only) == (4, 24, 2, 0)
    towns = [profiles.profile(table, s).events for s in profiles.related(profiles.region("Kidal"))]
    assert towns == [2, 2]
    assert p.datasets == ["acled", "curated"]


def test_a_region_counts_what_the_dashboard_counts(table) -> None:
    for admin1 in ("Gao", "Kidal", "Mopti", "Kayes"):
        p = profiles.profile(table, profiles.region(admin1))
        assert p.spec == FilterSpec(focus_region=(admin1,))
        assert p.events == len(filters.apply(table, FilterSpec(focus_region=(admin1,))))


def test_region_summary_agrees_with_the_figures(table) -> None:
    text = profiles.profile(table, profiles.region("Gao")).summary()
    assert text.startswith(
        "3 events in the Gao region from 31 Dec 2021 to 1 Oct 2023, with 20 reported deaths. "
        "1 of these events is located only to the region (geo-precision 3). "
    )
    assert "Busiest years, by events: 2023 (1), 2022 (1), 2021 (1)." in text
    assert "Datasets: curated, ucdp." in text
    assert "including the events the sources locate only to the region (geo-precision 3)" in text
    assert "Coverage of the loaded data: acled 2022-05-05 to 2023-05-10 (3 events);" in text


def test_region_summary_tolls_and_single_days(table) -> None:
    kidal = profiles.profile(table, profiles.region("Kidal")).summary()
    assert "2 events have no reported toll and add none to the deaths." in kidal
    assert "None of these events is located only to the region" in kidal
    bamako = profiles.profile(table, profiles.region("Bamako")).headline()
    assert bamako == "1 event in the Bamako district on 10 Feb 2023, with 0 reported deaths."


def test_a_region_with_no_events(table) -> None:
    p = profiles.profile(table, profiles.region("Kayes"))
    assert (p.events, p.first, p.region_only) == (0, None, 0)
    assert p.headline() == "No event in the loaded data is located in the Kayes region."
    assert p.details() == []


# --- French ----------------------------------------------------------------------------------------------


def test_region_summary_in_french(table) -> None:
    with i18n.using("fr"):
        p = profiles.profile(table, profiles.region("Gao"))
        text = p.summary()
        shown_types = list(p.shown("types")["event_type"])
        link = p.link("fr")
    assert text.startswith(
        "3 événements dans la région de Gao du 31 déc. 2021 au 1 oct. 2023, avec 20 morts signalés. "
        "1 de ces événements n'est localisé qu'à la région (précision géographique 3). "
    )
    assert "Types d'événements les plus fréquents : Violence contre les civils (1)," in text
    assert "Couverture des données chargées : " in text
    assert shown_types == ["Violence contre les civils", "Explosions/Violence à distance", "Batailles"]
    assert link == "./?focus_region=gao&lang=fr"


def test_place_summary_in_french_numbers_and_plurals(table) -> None:
    with i18n.using("fr"):
        kidal = profiles.profile(table, "Kidal").summary()
        bamako = profiles.profile(table, profiles.region("Bamako")).headline()
        empty = profiles.profile(table.iloc[:0], "Kidal").headline()
    assert kidal.startswith("2 événements à Kidal du 31 déc. 2024 au 1 janv. 2025, avec 3 morts signalés. ")
    assert "1 événement n'a pas de bilan signalé et n'ajoute aucun mort." in kidal
    assert bamako == "1 événement dans le district de Bamako le 10 févr. 2023, avec 0 mort signalé."
    assert empty == "Aucun événement des données chargées n'est localisé à Kidal."


# --- which pages exist, and where they point -------------------------------------------------------------


def test_every_place_and_region_has_its_own_url_path() -> None:
    paths = profiles.by_url_path()
    assert len(paths) == len(profiles.subjects()) == 6 + 10
    assert paths["gao"] == profiles.place("Gao") and paths["region-gao"] == profiles.region("Gao")
    assert paths["region-tombouctou"].name == "Timbuktu region"
    assert paths["region-bamako"].name == "Bamako district"


def test_the_dashboard_points_to_the_profiles_of_what_it_selects() -> None:
    assert profiles.selected(FilterSpec()) == []
    assert profiles.selected(FilterSpec(place=("Kidal",), focus_region=("Kidal",))) == [
        profiles.place("Kidal"),
        profiles.region("Kidal"),
    ]
    assert profiles.selected(FilterSpec(focus_region=("Gao", "Kidal"))) == []  # two regions: no one profile
    assert profiles.selected(FilterSpec(place=(filters.ELSEWHERE,))) == []


def test_a_town_points_to_its_region_and_a_region_to_its_towns() -> None:
    assert profiles.related(profiles.place("Tinzaouaten")) == [profiles.region("Kidal")]
    assert profiles.related(profiles.region("Tombouctou")) == [profiles.place("Timbuktu")]
    assert profiles.related(profiles.region("Kayes")) == []


def test_a_place_is_named_as_the_language_names_it() -> None:
    timbuktu = profiles.Subject(profiles.PLACE, "Timbuktu")
    assert timbuktu.name == "Timbuktu" and timbuktu.url_path == "timbuktu"
    with i18n.using("fr"):
        assert (timbuktu.name, timbuktu.url_path) == ("Tombouctou", "timbuktu")  # the address stays
