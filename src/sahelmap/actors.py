"""Raw actor names -> normalised actor groups, by ordered rules in data/actor_groups.csv.

Each name (an actor field holds several, separated by "; ") takes the group of the first rule whose
pattern it matches; a name that no rule matches is "other". ACLED's "X and/or Y" names an uncertain
perpetrator: both parts count. An event's groups are those of every name in its four actor fields.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.abc import Traversable

import numpy as np
import pandas as pd

from sahelmap import schema
from sahelmap.errors import ReferenceDataError

GROUP_KEYS = tuple(schema.ACTOR_GROUPS)
GROUP_BIT = {key: 1 << i for i, key in enumerate(GROUP_KEYS)}
UNCERTAIN_SEPARATOR = re.compile(r"\s+and/or\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    group: str


def read_rules(path: Traversable) -> list[Rule]:
    table = pd.read_csv(io.BytesIO(path.read_bytes()), dtype=str, keep_default_na=False, comment="#")
    rules = []
    for line, row in enumerate(table.itertuples(index=False), start=2):
        if row.group not in schema.ACTOR_GROUPS:
            raise ReferenceDataError(
                f"{path}:{line}: group: {row.group!r} is not one of {', '.join(GROUP_KEYS)}"
            )
        rules.append(Rule(re.compile(row.pattern, re.IGNORECASE), row.group))
    return rules


def group_of_name(name: str, rules: Sequence[Rule]) -> set[str]:
    groups = set()
    for part in UNCERTAIN_SEPARATOR.split(name):
        groups.add(next((r.group for r in rules if r.pattern.search(part)), "other"))
    return groups


def split_names(field: str) -> list[str]:
    return [n.strip() for n in field.split(";") if n.strip()]


def mask_of(groups: Iterable[str]) -> int:
    """The bits of these actor groups, as stored in the table's actor_group_mask."""
    return sum(GROUP_BIT[g] for g in set(groups))


def groups_from_mask(mask: int) -> list[str]:
    return [key for key in GROUP_KEYS if mask & GROUP_BIT[key]]


def actor_group_masks(events: pd.DataFrame, rules: Sequence[Rule]) -> pd.Series:
    """One bit per actor group found in any of the four actor fields (int32: fast to filter)."""
    mask = np.zeros(len(events), dtype=np.int32)
    for column in schema.ACTOR_COLUMNS:
        codes, fields = pd.factorize(events[column])
        per_field = np.array(
            [mask_of(set().union(*(group_of_name(n, rules) for n in split_names(str(f))))) for f in fields]
            + [0],
            dtype=np.int32,
        )
        mask |= per_field[codes]  # code -1 (empty field) picks the 0 at the end
    return pd.Series(mask, index=events.index, name=schema.ACTOR_GROUP_MASK)


def labels_from_masks(masks: pd.Series) -> pd.Series:
    """Readable "; "-joined group labels, computed once per distinct combination."""
    codes, uniques = pd.factorize(masks)
    text = np.array(
        [
            schema.MULTI_VALUE_SEPARATOR.join(schema.ACTOR_GROUPS[g] for g in groups_from_mask(int(m)))
            for m in uniques
        ],
        dtype=object,
    )
    return pd.Series(text[codes], index=masks.index, dtype="str")
