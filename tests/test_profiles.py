"""Place profiles: the summary figures of one focus place, worked out by hand from the shared fixture."""

from __future__ import annotations

import datetime as dt

import pytest

from sahelmap import profiles
from tests.factories import shared_events


@pytest.fixture(scope="module")
def table():
    return shared_events()


def test_kidal_profile(table) -> None:
    # S11 (31 Dec 2024, unknown toll, Mali + Wagner) and S12 (1 Jan 2025, 3 deaths, Wagner) are at Kidal
    p = profiles.profile(table, "Kidal")
    assert (p.events, p.deaths, p.unknown_deaths) == (2, 3, 1)
    assert (p.first, p.last) == (dt.date(2024, 12, 31), dt.date(2025, 1, 1))
    assert p.groups.iloc[0]["group"] == "Wagner / Africa Corps" and p.groups.iloc[0]["events"] == 2
    assert list(p.years["year"]) == [2025, 2024]  # one event each: the later year first
    assert list(p.deadliest["fatalities"]) == [3]  # an unknown toll is not "deadliest"
    assert p.deadliest.iloc[0]["source_url"] == "https://example.org/s12"
    assert p.datasets == ["curated"]
    assert p.link == "./?place=kidal"


def test_gao_profile_counts_nearby_events(table) -> None:
    # S01 at Gao (12) and S02 at Kadji, 3 km away (7); S09 is located only to the region: not at Gao
    p = profiles.profile(table, "Gao")
    assert (p.events, p.deaths) == (2, 19)
    assert list(p.deadliest["fatalities"]) == [12, 7]


def test_summary_agrees_with_the_figures(table) -> None:
    p = profiles.profile(table, "Gao")
    text = p.summary()
    assert text.startswith("2 events at Gao (within 50 km")
    assert "with 19 reported deaths (0 events have no reported toll" in text
    assert "from 31 Dec 2021 to 01 Jan 2022" in text
    assert "Busiest years, by events: 2022 (1), 2021 (1)." in text
    assert text.endswith("Datasets: curated.")


def test_a_place_with_no_events(table) -> None:
    p = profiles.profile(table.iloc[:0], "Bamako")
    assert p.events == 0 and p.first is None and p.deadliest.empty
    assert p.summary() == "No event in the loaded data is located at Bamako."
