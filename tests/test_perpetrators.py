"""Who did it: deaths by perpetrator side, by the stated rule, on small frames."""

from __future__ import annotations

import pytest

from sahelmap import i18n
from sahelmap import perpetrators as p
from tests.factories import (
    BATTLES,
    CIVILIANS,
    EXPLOSIONS,
    JNIM,
    MALI,
    P_GAO,
    VAC,
    WAGNER,
    build_events,
    event_row,
    shared_events,
)

STATE, ARMED = list(p.SIDES)[:2]


def one(event_type: str, sub: str, actor1: str, deaths: str, assoc: str = "", actor2: str = CIVILIANS):
    return event_row("X1", "curated", "2022-01-01", P_GAO, event_type=event_type, sub_event_type=sub,
                     actor1=actor1, assoc_actor_1=assoc, actor2=actor2, fatalities=deaths)  # fmt: skip


@pytest.mark.parametrize(
    ("row", "side"),
    [
        (one(VAC, "Attack", WAGNER, "7"), STATE),  # actor 1 is the perpetrator
        (one(VAC, "Attack", MALI, "7", assoc=WAGNER), STATE),  # both state: one side, counted once
        (one(VAC, "Attack", JNIM, "7"), ARMED),
        (one(VAC, "Attack", "Islamic State (Sahel)", "7"), ARMED),
        (one(VAC, "Attack", "Dan Na Ambassagou", "7"), ARMED),
        (one(VAC, "Attack", CIVILIANS, "7", actor2=WAGNER), p.OTHER),  # actor 2 is never the perpetrator
        (one(EXPLOSIONS, "Air/drone strike", MALI, "7", actor2=JNIM), STATE),  # actor 1 struck
        (one(EXPLOSIONS, "Remote explosive/landmine/IED", JNIM, "7", actor2=MALI), ARMED),
        (one(VAC, "Attack", f"{WAGNER} and/or {JNIM}", "7"), p.UNCERTAIN),  # ACLED's uncertain perpetrator
        (one(BATTLES, "Armed clash", MALI, "7", actor2=JNIM), p.BATTLES),  # battles: not attributed
        (one("Riots", "Mob violence", "Rioters (Mali)", "7"), p.NOT_VIOLENT),
    ],
)
def test_rule(row, side) -> None:
    totals = p.side_totals(p.attribute(build_events([row])))
    assert totals[side] == 7
    assert sum(totals.values()) == 7, totals  # each death on exactly one top-level row


def test_group_rows_count_each_group_of_actor1() -> None:
    table = p.attribute(build_events([one(VAC, "Attack", MALI, "7", assoc=WAGNER)])).set_index("row")
    assert table.loc["  of which Wagner / Africa Corps", "deaths"] == 7
    assert table.loc["  of which Malian armed forces (FAMa, police, gendarmerie)", "deaths"] == 7
    assert table.loc[STATE, "deaths"] == 7  # the side counts the event once


def test_on_the_shared_fixture_every_death_is_on_one_row() -> None:
    events = shared_events()
    table = p.attribute(events)
    totals = p.side_totals(table)
    assert sum(totals.values()) == int(events["fatalities"].fillna(0).sum())
    top = table[~table["row"].str.startswith(" ")]
    assert top["events"].sum() == len(events)
    assert top["unknown_toll"].sum() == int(events["fatalities"].isna().sum())
    # S02 (Wagner, 7), S08 (Mali drone strike, 21), S11 (unknown), S12 (Wagner, 3): 31 on the state side
    assert totals[STATE] == 31
    assert totals[p.BATTLES] == 12 + 2 + 40  # S01, S03, S05; S10's toll is unknown


def test_only_its_columns_are_read_and_each_row_counts_once() -> None:
    """The page passes only p.COLUMNS of the selected rows; rows count by position, so a frame whose index
    repeats a label (rows drawn twice) counts each row once."""
    events = shared_events()
    whole = p.attribute(events)
    assert p.attribute(events[list(p.COLUMNS)]).equals(whole)
    twice = events.iloc[[*range(len(events)), *range(len(events))]][list(p.COLUMNS)]
    doubled = p.attribute(twice)
    assert (doubled["events"] == 2 * whole["events"]).all()
    assert (doubled["deaths"] == 2 * whole["deaths"]).all()


def test_an_empty_selection() -> None:
    table = p.attribute(shared_events().iloc[:0])
    assert (table["events"] == 0).all() and (table["deaths"] == 0).all()


def test_the_rule_is_stated_for_each_type() -> None:
    for words in ("violence against civilians, actor 1", "explosions and remote violence", "Battle deaths"):
        assert words in p.RULE


def test_the_rule_and_the_rows_in_french() -> None:
    rows = [
        one(VAC, "Attack", MALI, "7", assoc=WAGNER),
        one(BATTLES, "Armed clash", MALI, "5", actor2=JNIM),
        one(VAC, "Attack", f"{WAGNER} and/or {JNIM}", ""),  # uncertain, with no reported toll
    ]
    events = build_events([{**row, "event_id": f"X{i}"} for i, row in enumerate(rows, 1)])
    with i18n.using("fr"):
        table = p.attribute(events)
        rule = p.rule_text()
    assert table.values.tolist() == [
        ["Camp de l'État (forces maliennes, Wagner / Africa Corps)", 1, 7, 0],
        ["  dont Forces armées maliennes (FAMa, police, gendarmerie)", 1, 7, 0],
        ["  dont Wagner / Africa Corps", 2, 7, 1],  # group rows count the uncertain event too
        ["Groupes armés (JNIM, EI Sahel, mouvements de l'Azawad, milices, non identifiés)", 0, 0, 0],
        ["  dont JNIM et ses katibas", 1, 0, 1],
        ["  dont État islamique au Sahel", 0, 0, 0],
        ["Forces étrangères (françaises, ONU, autres)", 0, 0, 0],
        ["Incertain : l'acteur 1 nomme des groupes de plus d'un camp", 1, 0, 1],
        ["Autres auteurs (civils, émeutiers, noms non classés)", 0, 0, 0],
        ["Batailles : non attribuées à un camp", 1, 5, 0],
        ["Autres types d'événements : non attribués", 0, 0, 0],
    ]
    assert p.side_totals(table)["Batailles : non attribuées à un camp"] == 5
    assert rule.startswith(
        "Les morts ne sont attribués au camp de l'auteur que pour deux types d'événements. Dans les "
        "violences contre des civils, l'acteur 1 est l'auteur (convention d'ACLED). Dans les explosions et "
        "violences à distance, l'acteur 1 est le camp qui a frappé. Les morts des batailles ne sont pas "
        "attribués"
    )
    assert rule.endswith("un événement sans bilan signalé n'en ajoute aucun.")
    assert p.rule_text() == p.RULE  # English outside the block
    assert p.attribute(events)["row"].iloc[0] == STATE
