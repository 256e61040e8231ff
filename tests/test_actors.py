from __future__ import annotations

import collections

import pandas as pd
import pytest

from sahelmap import actors, paths, schema
from sahelmap.errors import ReferenceDataError
from tests.factories import ACLED_FILE, UCDP_FILE, require_realdata


@pytest.fixture(scope="module")
def rules():
    return actors.read_rules(paths.actor_rules_path())


@pytest.mark.parametrize(
    ("name", "groups"),
    [
        ("Wagner Group", {"wagner"}),
        ("Military Forces of Russia (2000-)", {"wagner"}),
        ("Military Forces of Russia (2000-) Africa Corps", {"wagner"}),
        ("Military Forces of Mali (2021-)", {"mali_state"}),
        ("Police Forces of Mali (2013-2020) Gendarmerie", {"mali_state"}),
        ("JNIM: Group for Support of Islam and Muslims", {"jnim"}),
        ("Katiba Macina", {"jnim"}),
        ("AQIM: Al Qaeda in the Islamic Maghreb", {"jnim"}),
        ("Islamic State (Sahel)", {"is_sahel"}),
        ("Islamic State (West Africa) - Greater Sahara Faction", {"is_sahel"}),
        ("CMA: Coordination of Movements of the Azawad", {"azawad"}),
        ("CSP-PSD: Permanent Strategic Framework for Peace, Security and Development", {"azawad"}),
        ("FLA: Azawad Liberation Front", {"azawad"}),
        ("MSA: Movement for Azawad Salvation", {"pro_government_militias"}),
        ("GATIA: Imghad Tuareg and Allies Self-Defense Group", {"pro_government_militias"}),
        ("Dan Na Ambassagou", {"pro_government_militias"}),
        ("Dozo Communal Militia (Mali)", {"pro_government_militias"}),
        ("Military Forces of France (2017-)", {"france"}),
        ("MINUSMA: United Nations Multidimensional Integrated Stabilization Mission in Mali (2021-)", {"un"}),
        ("Military Forces of Chad (2021-)", {"other_foreign"}),
        ("Fulani Ethnic Militia (Mali)", {"communal_militias"}),
        ("Civilians (Mali)", {"civilians"}),
        ("Protesters (Mali)", {"protesters"}),
        ("Rioters (Mali)", {"protesters"}),
        ("Unidentified Armed Group (Mali)", {"unidentified"}),
        ("URD: Union for the Republic and Democracy", {"other"}),
        # UCDP GED's spellings
        ("IS", {"is_sahel"}),
        ("FLM", {"jnim"}),
        ("al-Murabitun", {"jnim"}),
        ("Dozos (Mali)", {"pro_government_militias"}),
        ("Dan na Amassagou", {"pro_government_militias"}),
        ("Fulani", {"communal_militias"}),
        ("FIAA", {"azawad"}),
        ("Government of Mauritania", {"other_foreign"}),
        (
            "JNIM: Group for Support of Islam and Muslims and/or "
            "Islamic State (West Africa) - Greater Sahara Faction",
            {"jnim", "is_sahel"},
        ),
    ],
)
def test_name_to_group(rules, name: str, groups: set[str]) -> None:
    assert actors.group_of_name(name, rules) == groups


def test_event_groups_come_from_all_four_fields(rules) -> None:
    events = pd.DataFrame(
        {
            "actor1": ["Military Forces of Mali (2021-)", "Protesters (Mali)"],
            "assoc_actor_1": ["Wagner Group", None],
            "actor2": ["Civilians (Mali)", None],
            "assoc_actor_2": ["Fulani Ethnic Group (Mali); Women (Mali)", None],
        },
        dtype="str",
    )
    masks = actors.actor_group_masks(events, rules)
    assert actors.groups_from_mask(int(masks[0])) == ["wagner", "mali_state", "civilians"]
    labels = actors.labels_from_masks(masks)
    assert labels[1] == schema.ACTOR_GROUPS["protesters"]


def test_unknown_group_in_rules_file_is_an_error(tmp_path) -> None:
    bad = tmp_path / "rules.csv"
    bad.write_text("pattern,group,why\nfoo,martians,none\n")
    with pytest.raises(ReferenceDataError, match="martians"):
        actors.read_rules(bad)


@pytest.mark.realdata
def test_real_acled_wagner_group_finds_exactly_193_events(rules) -> None:
    acled = pd.read_csv(require_realdata(ACLED_FILE), dtype=str, keep_default_na=False)
    acled = acled.replace("", None)
    masks = actors.actor_group_masks(acled, rules)
    wagner = acled[(masks & actors.GROUP_BIT["wagner"]) != 0]
    assert len(wagner) == 193
    dates = pd.to_datetime(wagner["event_date"], format="%d %B %Y")
    assert (dates.min(), dates.max()) == (pd.Timestamp("2021-12-25"), pd.Timestamp("2023-02-28"))
    # and every one of them names Wagner or Russia, as the data's README counts them
    text = wagner[list(schema.ACTOR_COLUMNS)].fillna("").agg(" ".join, axis=1)
    assert text.str.contains("Wagner|Russia").all()


@pytest.mark.realdata
def test_real_acled_actor_names_coverage(rules) -> None:
    acled = pd.read_csv(require_realdata(ACLED_FILE), dtype=str, keep_default_na=False)
    names = collections.Counter(
        n for column in schema.ACTOR_COLUMNS for field in acled[column] for n in actors.split_names(field)
    )
    other = [n for n in names if actors.group_of_name(n, rules) == {"other"}]
    events_with_names = sum(names.values())
    other_mentions = sum(names[n] for n in other)
    # Most mentions land in a real group; "other" is political parties, NGOs and rare names.
    assert other_mentions / events_with_names < 0.03, sorted(other, key=names.get, reverse=True)[:20]


@pytest.mark.realdata
def test_real_ucdp_actor_names_land_in_groups(rules) -> None:

    ucdp = pd.read_csv(require_realdata(UCDP_FILE), dtype=str, keep_default_na=False)
    names = [n for column in ("side_a", "side_b") for field in ucdp[column] for n in field.split(", ")]
    other = [n for n in names if actors.group_of_name(n, rules) == {"other"}]
    assert len(other) <= 5, collections.Counter(other).most_common(5)
