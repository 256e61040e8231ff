from __future__ import annotations

import pandas as pd
import pytest

from sahelmap import events, paths, schema
from sahelmap.gazetteer import assign_focus_place, haversine_km, load_gazetteer, name_key


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer(paths.places_path())


@pytest.mark.parametrize(
    ("alias", "place"),
    [
        ("Timbuktu", "Timbuktu"),
        ("Tombouctou", "Timbuktu"),
        ("TOMBOUCTOU", "Timbuktu"),
        ("Ségou", "Ségou"),
        ("Segou", "Ségou"),
        ("segou", "Ségou"),
        ("Tinzaouaten", "Tinzaouaten"),
        ("Tin Zaouaten", "Tinzaouaten"),
        ("Tin-Zaouatene", "Tinzaouaten"),
        ("Ti-n-Zaouâtene", "Tinzaouaten"),
        (" kidal ", "Kidal"),
        ("Gao", "Gao"),
        ("Bamako", "Bamako"),
    ],
)
def test_aliases_resolve_accent_and_case_insensitively(gazetteer, alias: str, place: str) -> None:
    found = gazetteer.resolve(alias)
    assert found is not None and found.name == place


def test_unknown_name_resolves_to_none(gazetteer) -> None:
    assert gazetteer.resolve("Atlantis") is None


def test_gao_is_the_northern_town_not_the_kayes_homonym(gazetteer) -> None:
    gao = gazetteer.resolve("Gao")
    assert gao.geonames_id == 2457163 and gao.admin1 == "Gao" and gao.latitude > 16


def test_every_focus_place_is_in_the_gazetteer(gazetteer) -> None:
    assert set(gazetteer.focus_places()["name"]) == set(schema.FOCUS_PLACES)


def test_tinzaouaten_is_in_kidal_region_abeibara(gazetteer) -> None:
    place = gazetteer.resolve("Tin Zaouaten")
    assert (place.admin1, place.admin2) == ("Kidal", "Abeibara")


def test_name_key_folds_accents_and_punctuation() -> None:
    assert name_key("Ti-n-Zaouâtene") == name_key("tin zaouatene") == "tinzaouatene"


def test_haversine_bamako_to_kati_is_about_15_km() -> None:
    d = haversine_km(pd.Series([12.7441]).to_numpy(), pd.Series([-8.0726]).to_numpy(), 12.65, -8.0)
    assert 10 < d[0] < 15


def test_focus_place_by_name_radius_and_never_for_an_event_located_only_to_a_region(gazetteer) -> None:
    events = pd.DataFrame(
        {
            "location": ["Tombouctou", "Kati", "Kati", "Mopti", "Ségou"],
            "latitude": [16.77, 12.7441, 12.7441, 14.4843, 13.44],
            "longitude": [-3.0, -8.0726, -8.0726, -4.18296, -6.26],
            "geo_precision": pd.array([1, 1, 3, 1, 3], dtype="Int8"),
        }
    )
    focus = assign_focus_place(events, gazetteer)
    assert focus.tolist()[:2] == ["Timbuktu", "Bamako"]
    assert pd.isna(focus.iloc[2])  # region-level point near Bamako: not "at Bamako"
    assert pd.isna(focus.iloc[3])  # Mopti is far from every focus place
    assert pd.isna(
        focus.iloc[4]
    )  # located only to a region: "Ségou" names the region's stand-in, not the town


def test_sm_0165_located_only_to_the_gao_or_kidal_region_does_not_count_in_gao() -> None:
    table = events.load_events().events.set_index("event_id")
    assert table.at["SM-0165", "location"] == "Gao" and table.at["SM-0165", "geo_precision"] == 3
    assert pd.isna(table.at["SM-0165", "focus_place"])
