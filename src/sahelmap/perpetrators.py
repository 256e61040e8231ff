"""Who did it: reported deaths attributed to a perpetrator side, by a stated rule (pure).

The rule, as the page states it (``RULE``):
- Violence against civilians: actor 1 (with its associated actors) is the perpetrator, as ACLED codes it.
- Explosions/Remote violence: actor 1 is the perpetrator (the side that fired, struck or planted).
- Battles: the deaths are of either side and sources rarely split them, so they are not attributed to a
  side; they are shown on a row of their own.
- Other event types (protests, riots, strategic developments): not attributed, on a row of their own.
An event whose actor 1 names groups of both sides ("X and/or Y", or a state force with an armed group)
is counted as "uncertain", never given to either side.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sahelmap import actors, i18n, reference, schema
from sahelmap.i18n import N_, _

ATTRIBUTED_TYPES = ("Violence against civilians", "Explosions/Remote violence")
# The rows' labels are in English here and in the current language in ``attribute``'s table.
SIDES: dict[str, tuple[str, ...]] = {
    N_("State side (Malian forces, Wagner / Africa Corps)"): ("mali_state", "wagner"),
    N_("Armed groups (JNIM, IS Sahel, Azawad movements, militias, unidentified)"): (
        "jnim",
        "is_sahel",
        "azawad",
        "pro_government_militias",
        "communal_militias",
        "unidentified",
    ),
    N_("Foreign forces (French, UN, other)"): ("france", "un", "other_foreign"),
}
UNCERTAIN = N_("Uncertain: actor 1 names groups of more than one side")
OTHER = N_("Other perpetrators (civilians, rioters, unclassified names)")
BATTLES = N_("Battles: not attributed to a side")
NOT_VIOLENT = N_("Other event types: not attributed")
# Rows within a side: each group of actor 1 (an event with two groups counts for each).
PERPETRATOR_GROUPS = ("mali_state", "wagner", "jnim", "is_sahel")

RULE = N_(  # translated where it is shown
    "Deaths are attributed to the perpetrator's side in two event types only. In violence against "
    "civilians, actor 1 is the perpetrator (ACLED's convention). In explosions and remote violence, actor 1 "
    "is the side that struck. Battle deaths are not attributed: they fall on either side and sources rarely "
    "split them, so they are shown on a row of their own; so are other event types. An event whose actor 1 "
    "names groups of more than one side counts as uncertain. The state side is the Malian armed forces "
    "(with police and gendarmerie) and Wagner / Africa Corps; armed groups are JNIM, IS Sahel, the Azawad "
    "movements, militias and unidentified armed groups. Deaths are those the sources report, whoever died; "
    "an event with no reported toll adds none."
)


def rule_text() -> str:
    """The rule in the current language."""
    return _(RULE)


@functools.cache
def _groups_of(field: str, rules: tuple[actors.Rule, ...]) -> frozenset[str]:
    return frozenset(g for name in actors.split_names(field) for g in actors.group_of_name(name, rules))


# The columns attribute() reads: a page need not copy more of the selected rows.
COLUMNS = ("event_type", "fatalities", "actor1", "assoc_actor_1")


def _actor1_fields(events: pd.DataFrame) -> pd.Series:
    return events["actor1"].fillna("") + "; " + events["assoc_actor_1"].fillna("")


def _distinct_groups(
    events: pd.DataFrame, rules: Sequence[actors.Rule] | None
) -> tuple[np.ndarray, list[frozenset[str]]]:
    """Each event's index into a list of distinct actor-1 group sets, and that list: names are matched once
    per distinct actor-1 text, not once per event (a table of 100,000 events has a few thousand)."""
    chosen = tuple(rules or reference.actor_rules())
    codes, fields = pd.factorize(_actor1_fields(events))
    return codes, [_groups_of(field, chosen) for field in fields]


def side_of(groups: frozenset[str]) -> str:
    sides = {side for side, keys in SIDES.items() if groups & set(keys)}
    if len(sides) > 1:
        return UNCERTAIN
    return next(iter(sides)) if sides else OTHER


def attribute(events: pd.DataFrame, rules: Sequence[actors.Rule] | None = None) -> pd.DataFrame:
    """Events and reported deaths per perpetrator side, then the rows the rule leaves unattributed.

    Columns: row, events, deaths, unknown_toll (events with no reported toll). Sides are counted once per
    event; the indented group rows below a side count an event for each of its actor-1 groups. The rows'
    labels are in the current language. Reads only ``COLUMNS``.
    """
    deaths = schema.counted_deaths(events["fatalities"]).to_numpy()
    unknown = events["fatalities"].isna().to_numpy()
    types = events["event_type"]
    attributed = types.isin(ATTRIBUTED_TYPES).to_numpy()
    codes, distinct = _distinct_groups(events[attributed], rules)
    sides = np.array([side_of(g) for g in distinct] or [""], dtype=object)[codes]
    deaths_attributed, unknown_attributed = deaths[attributed], unknown[attributed]
    rows = []

    def add(label: str, hit: np.ndarray, deaths: np.ndarray, unknown: np.ndarray) -> None:
        rows.append(
            {
                "row": label,
                "events": int(hit.sum()),
                "deaths": int(deaths[hit].sum()),
                "unknown_toll": int(unknown[hit].sum()),
            }
        )

    for side, keys in [*SIDES.items(), (UNCERTAIN, ()), (OTHER, ())]:
        add(_(side), sides == side, deaths_attributed, unknown_attributed)
        for key in keys:
            if key in PERPETRATOR_GROUPS:
                has = np.array([key in g for g in distinct] or [False], dtype=bool)[codes]
                group = i18n.label(schema.ACTOR_GROUPS[key])
                label = "  " + _("of which {group}").format(group=group)
                add(label, has, deaths_attributed, unknown_attributed)
    for label, hit in (
        (BATTLES, (types == "Battles").to_numpy(dtype=bool)),
        (NOT_VIOLENT, ~types.isin([*ATTRIBUTED_TYPES, "Battles"]).to_numpy()),
    ):
        add(_(label), hit, deaths, unknown)
    return pd.DataFrame(rows, columns=["row", "events", "deaths", "unknown_toll"])


def side_totals(table: pd.DataFrame) -> dict[str, int]:
    """Deaths per top-level row (sides and the unattributed rows), for sentences and checks."""
    return {r: int(d) for r, d in zip(table["row"], table["deaths"], strict=True) if not r.startswith(" ")}
