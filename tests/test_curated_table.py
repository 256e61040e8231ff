"""Integrity of the bundled, curated event table: every row valid, sourced and placed by the gazetteer."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from sahelmap import paths, schema
from sahelmap.events import load_events
from sahelmap.gazetteer import load_gazetteer, read_places
from sahelmap.ingest.curated import read_curated_file

MIN_EVENTS_PER_FOCUS_PLACE = 12
# Issue 13's targets for the table (never lowered; unmet ones are strict xfails below).
TARGET_EVENTS = 320
TARGET_WITHIN_50_KM = 25
TARGET_PER_FOCUS_REGION = 40
TARGET_RECENT = 150
RECENT_YEARS = (2021, 2025)
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


def _places() -> pd.DataFrame:
    return read_places(paths.places_path())


def _aliases() -> list[tuple[str, str]]:
    places = _places()
    return [
        (alias.strip(), row.name)
        for row in places.itertuples(index=False)
        for alias in row.aliases.split("|")
        if alias.strip()
    ]


@pytest.mark.parametrize(("alias", "place"), _aliases())
def test_every_alias_resolves_to_its_place(alias: str, place: str) -> None:
    resolved = load_gazetteer(paths.places_path()).resolve(alias)
    assert resolved is not None and resolved.name == place, (alias, place)


@pytest.mark.parametrize(
    ("spelling", "place"),
    [
        ("Moura", "Mora"),
        ("Mourra", "Mora"),
        ("Konna", "Kona"),
        ("Sevare", "Sévaré"),
        ("Diabaly", "Diabali"),
        ("Intahaka", "Intahaka"),
        ("Inathaka", "Intahaka"),
        ("N'Tahaka", "Intahaka"),
    ],
)
def test_spellings_people_search_for_find_the_place(spelling: str, place: str) -> None:
    resolved = load_gazetteer(paths.places_path()).resolve(spelling)
    assert resolved is not None and resolved.name == place


# Notes that say nobody died or was hurt; "no casualty figure" (a toll unknown) is not one of them.
NOBODY_DIED = re.compile(
    r"\bno casualties\b|\bwithout (?:any )?casualties\b|\bno (?:deaths|fatalities|injuries)\b"
    r"|\bno(?:body| one) was (?:killed|hurt|injured)(?: or (?:killed|hurt|injured))?",
    re.IGNORECASE,
)
SOMEONE_DIED = re.compile(r"\b(?:killed|killing|killings|dead|died|deaths?|executed|bodies)\b", re.IGNORECASE)


def test_notes_saying_nobody_died_have_zero_fatalities(raw) -> None:
    says_none = raw[raw["notes"].str.contains(NOBODY_DIED)]
    wrong = says_none.loc[says_none["fatalities"] != "0", ["event_id", "fatalities"]]
    assert wrong.empty, wrong.to_string()


def test_zero_fatalities_never_say_people_were_killed(raw) -> None:
    zero = raw[raw["fatalities"] == "0"]
    rest = zero["notes"].str.replace(NOBODY_DIED, "", regex=True)
    wrong = zero.loc[rest.str.contains(SOMEONE_DIED), "event_id"]
    assert wrong.empty, list(wrong)


def test_the_fatality_rules_catch_the_cases_they_are_for() -> None:
    assert NOBODY_DIED.search("a French army spokesman said nobody was hurt")
    assert NOBODY_DIED.search("rockets fell without casualties")
    assert not NOBODY_DIED.search("no casualty figure was given")
    assert not NOBODY_DIED.search("nobody claimed the attack")
    assert SOMEONE_DIED.search("two soldiers were killed")
    assert not SOMEONE_DIED.search(NOBODY_DIED.sub("", "a spokesman said no one was killed or hurt"))


# Target still unmet on the table (358 rows; every other target met): Tinzaouaten within 50 km (23 of 25).
# It flips to XPASS (a failure) once met.
_UNMET = pytest.mark.xfail(strict=True, reason="issue 13 target not yet met by the sourced table")


def _focus_region(place: str) -> str:
    places = _places()
    return str(places.loc[places["name"] == place, "admin1"].iloc[0])


def test_focus_regions_are_the_places_admin1() -> None:
    assert _focus_region("Tinzaouaten") == "Kidal"
    assert _focus_region("Timbuktu") == "Tombouctou"


def test_the_table_reaches_the_total_target(table) -> None:
    assert len(table) >= TARGET_EVENTS


@pytest.mark.parametrize(
    "place",
    [
        "Bamako",
        "Timbuktu",
        "Gao",
        "Kidal",
        "Ségou",
        pytest.param("Tinzaouaten", marks=_UNMET),
    ],
)
def test_each_focus_place_has_the_target_within_50_km(table, place: str) -> None:
    assert (table["focus_place"] == place).sum() >= TARGET_WITHIN_50_KM


@pytest.mark.parametrize(
    "place",
    ["Bamako", "Timbuktu", "Gao", "Kidal", "Ségou", "Tinzaouaten"],
)
def test_each_focus_region_has_the_target(table, place: str) -> None:
    assert (table["admin1"] == _focus_region(place)).sum() >= TARGET_PER_FOCUS_REGION


def test_the_recent_years_reach_the_target(table) -> None:
    years = table["event_date"].dt.year
    assert years.between(*RECENT_YEARS).sum() >= TARGET_RECENT


def test_places_without_a_geonames_id_name_the_source_of_their_coordinates() -> None:
    """A site GeoNames lacks (the Intahaka mine) carries coordinates from a source the gazetteer's
    README names, row by row; a silent gap would hide where a point came from."""
    readme = (paths.geo_path("README.md")).read_text(encoding="utf-8")
    places = _places()
    without = places.loc[places["geonames_id"].isna(), "name"].tolist()
    assert without, "the Intahaka mine is expected here; drop this test if GeoNames gains it"
    for name in without:
        assert f"| {name} |" in readme, name


def test_the_intahaka_mine_event_sits_at_the_mine_not_at_i_n_tillit(raw) -> None:
    row = raw.set_index("event_id").loc["SM-0146"]
    assert row["location"] == "Intahaka" and int(row["geo_precision"]) == 1
