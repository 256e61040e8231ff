"""Integrity of the bundled, curated event table: every row valid, sourced and placed by the gazetteer."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sahelmap import paths, schema
from sahelmap.events import load_events
from sahelmap.gazetteer import load_gazetteer
from sahelmap.ingest.curated import read_curated_file

MIN_EVENTS_PER_FOCUS_PLACE = 12
# Publications and fragments that must never stand as a source: the project's own files.
NOT_A_SOURCE = ("articles/", ".txt", "file", "shared/")


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return pd.read_csv(paths.curated_events_path(), dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def table():
    return load_events(include_stored=False).events


def test_every_row_is_valid_under_the_curated_rules() -> None:
    result = read_curated_file(paths.curated_events_path())
    assert result.n_rejected == 0, result.report.to_string()
    assert result.rows_read >= 150


def test_ids_are_unique_and_follow_the_pattern(raw) -> None:
    assert raw["event_id"].is_unique
    assert raw["event_id"].str.fullmatch(r"SM-\d{4}").all()
    assert (raw["dataset"] == schema.CURATED_DATASET).all()


def test_every_row_cites_a_findable_publication(raw) -> None:
    assert (raw["source"].str.strip() != "").all()
    assert (raw["source_title"].str.strip() != "").all()
    assert ((raw["source_date"] != "") | (raw["source_url"] != "")).all()
    urls = raw.loc[raw["source_url"] != "", "source_url"]
    assert urls.str.match(r"^https?://").all()
    for fragment in NOT_A_SOURCE:
        assert not raw["source"].str.contains(fragment, regex=False).any(), fragment


def test_notes_are_one_sentence_of_our_own(raw) -> None:
    notes = raw["notes"].str.strip()
    assert (notes != "").all()
    assert notes.str.len().max() <= 700
    assert not notes.str.contains("<", regex=False).any()


def test_unknown_fatalities_are_empty_not_zero_by_default(raw) -> None:
    deaths = pd.to_numeric(raw["fatalities"].replace("", None))
    assert deaths.isna().any(), "some tolls are unknown; they must stay empty"
    assert (deaths.dropna() >= 0).all()


def test_coordinates_and_admin_units_come_from_the_gazetteer(raw) -> None:
    gazetteer = load_gazetteer(paths.places_path())
    for row in raw.itertuples(index=False):
        place = gazetteer.resolve(row.location)
        assert place is not None, f"{row.event_id}: {row.location} is not in the gazetteer"
        assert (float(row.latitude), float(row.longitude)) == pytest.approx(
            (place.latitude, place.longitude), abs=1e-5
        ), row.event_id
        assert (row.admin1, row.admin2) == (place.admin1, place.admin2), row.event_id


def test_every_focus_place_has_enough_events(table) -> None:
    counts = table["focus_place"].value_counts()
    for place in schema.FOCUS_PLACES:
        assert counts.get(place, 0) >= MIN_EVENTS_PER_FOCUS_PLACE, (place, counts.to_dict())


def test_dates_run_from_the_2012_crisis_to_recent_years(table) -> None:
    assert table["event_date"].min() >= pd.Timestamp("2012-01-01")
    assert table["event_date"].max() >= pd.Timestamp("2025-01-01")
    assert table["event_date"].max() <= pd.Timestamp(dt.date.today())
    ends = table.dropna(subset=["end_date"])
    assert (ends["end_date"] >= ends["event_date"]).all()


@pytest.mark.parametrize(
    ("group", "minimum"),
    [
        ("wagner", 10),
        ("mali_state", 40),
        ("jnim", 15),
        ("is_sahel", 3),
        ("azawad", 10),
        ("france", 8),
        ("un", 8),
        ("civilians", 20),
        ("protesters", 5),
    ],
)
def test_the_actors_the_articles_discuss_are_covered(table, group: str, minimum: int) -> None:
    from sahelmap import actors

    hits = (table["actor_group_mask"] & actors.GROUP_BIT[group]) != 0
    assert hits.sum() >= minimum


@pytest.mark.parametrize(
    ("date", "place", "words"),
    [
        ("2021-12-14", "Timbuktu", "hand(?:ed|over)"),  # French handover of the Timbuktu base
        ("2022-01-14", "Bamako", "ECOWAS"),  # rally against ECOWAS sanctions
        ("2023-11-14", "Kidal", ""),  # FAMa and Wagner take Kidal
        ("2024-07-25", "Tinzaouaten", ""),  # battle of Tinzaouaten
    ],
)
def test_landmark_events_are_present(table, date: str, place: str, words: str) -> None:
    on_day = table[(table["event_date"] == pd.Timestamp(date)) & (table["focus_place"] == place)]
    assert len(on_day) >= 1, (date, place)
    if words:
        assert on_day["notes"].str.contains(words, case=False).any()
