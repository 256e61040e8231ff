"""Link curated events to the events of imported datasets that describe the same happening.

The rule (documented in the README), for a curated event C and an imported event E:
- dates: E starts within DATE_WINDOW_DAYS of C's period (C's event_date..end_date, widened by
  the window, and widened to the whole week or month when C's date is only that precise);
- place: E lies within DISTANCE_KM of C, or within REGION_DISTANCE_KM when either is located
  only to a region (geo_precision 3) - sources place the same fight at a village or at a town;
- type: the event types are compatible (COMPATIBLE_TYPES): the same type; a battle with its
  explosions (air strikes are part of battles); an attack on civilians with a battle or an
  explosion (sources code the same raid on a hotel as an attack on civilians or as a clash with
  the forces that answered it: ACLED codes the Radisson Blu siege as a battle).
Every E that matches gets ``duplicate_of`` = C's id, and C lists them in ``linked_events``; the
"count each real event once" option then keeps C and drops its duplicates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sahelmap import schema
from sahelmap.gazetteer import haversine_km

DATE_WINDOW_DAYS = 3
DISTANCE_KM = 30.0
REGION_DISTANCE_KM = 100.0
PRECISION_SLACK_DAYS = {1: 0, 2: 7, 3: 31}
COMPATIBLE_TYPES: dict[str, frozenset[str]] = {
    "Battles": frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"}),
    "Explosions/Remote violence": frozenset(
        {"Explosions/Remote violence", "Battles", "Violence against civilians"}
    ),
    "Violence against civilians": frozenset(
        {"Violence against civilians", "Explosions/Remote violence", "Battles"}
    ),
    "Protests": frozenset({"Protests", "Riots"}),
    "Riots": frozenset({"Riots", "Protests"}),
    "Strategic developments": frozenset({"Strategic developments"}),
}
DATASET_LABELS = {"acled": "ACLED", "ucdp": "UCDP"}
GLOBAL_ID_FORMATS = frozenset(DATASET_LABELS)  # formats whose event ids are global (store.GLOBAL_ID_FORMATS)


def _label(dataset: str, event_id: str) -> str:
    prefix = DATASET_LABELS.get(dataset, dataset)
    shown = event_id.removeprefix("UCDP-") if dataset == "ucdp" else event_id
    return f"{prefix} {shown}"


def find_links(events: pd.DataFrame) -> pd.DataFrame:
    """Pairs (curated index, other index) that describe the same happening."""
    curated = events[events["dataset"].astype("str") == schema.CURATED_DATASET]
    others = events[events["dataset"].astype("str") != schema.CURATED_DATASET]
    if curated.empty or others.empty:
        return pd.DataFrame({"curated": pd.Series(dtype="int64"), "other": pd.Series(dtype="int64")})
    others = others.sort_values("event_date")
    other_dates = others["event_date"].to_numpy()
    other_lat, other_lon = others["latitude"].to_numpy(float), others["longitude"].to_numpy(float)
    other_types = others["event_type"].astype("str").to_numpy()
    other_region = others["geo_precision"].fillna(1).to_numpy() >= 3
    pairs: list[tuple[int, int]] = []
    for c in curated.itertuples():
        slack = PRECISION_SLACK_DAYS.get(int(c.time_precision) if pd.notna(c.time_precision) else 1, 0)
        first = c.event_date - pd.Timedelta(days=DATE_WINDOW_DAYS)
        last_day = c.end_date if pd.notna(c.end_date) else c.event_date
        last = last_day + pd.Timedelta(days=DATE_WINDOW_DAYS + slack)
        lo, hi = (
            np.searchsorted(other_dates, np.datetime64(first)),
            np.searchsorted(other_dates, np.datetime64(last), side="right"),
        )
        if lo >= hi:
            continue
        window = slice(lo, hi)
        distance = haversine_km(other_lat[window], other_lon[window], float(c.latitude), float(c.longitude))
        c_region = pd.notna(c.geo_precision) and int(c.geo_precision) >= 3
        limit = np.where(other_region[window] | c_region, REGION_DISTANCE_KM, DISTANCE_KM)
        compatible = np.isin(other_types[window], list(COMPATIBLE_TYPES.get(str(c.event_type), ())))
        hits = others.index[window][(distance <= limit) & compatible]
        pairs += [(int(str(c.Index)), int(h)) for h in hits]
    return pd.DataFrame(pairs, columns=["curated", "other"])


def mark_copies(events: pd.DataFrame, formats: dict[str, str]) -> pd.Series:
    """``duplicate_of`` for rows whose ACLED or UCDP id an earlier row of another label already has.

    Such an id names one event wherever it is stored (an export imported twice under two labels):
    the first row (curated first, then labels in order) counts, later ones are copies of its id.
    """
    global_labels = [label for label, fmt in formats.items() if fmt in GLOBAL_ID_FORMATS]
    candidates = events["dataset"].astype("str").isin(global_labels)
    copies = candidates & events["event_id"].where(candidates).duplicated(keep="first")
    return events["event_id"].where(copies).astype("str").where(copies)  # str dtype, NA elsewhere


def link(events: pd.DataFrame, formats: dict[str, str] | None = None) -> pd.DataFrame:
    """Add ``linked_events`` (on curated rows) and ``duplicate_of`` (on the rows they link to, and on
    repeated ACLED/UCDP ids when ``formats`` names each label's format)."""
    out = events.copy()
    out[schema.LINKED_EVENTS] = pd.Series(pd.NA, index=out.index, dtype="str")
    out[schema.DUPLICATE_OF] = pd.Series(pd.NA, index=out.index, dtype="str")
    if formats:
        out[schema.DUPLICATE_OF] = mark_copies(out, formats)
    pairs = find_links(out)
    if pairs.empty:
        return out
    labels = [_label(str(out.at[o, "dataset"]), str(out.at[o, "event_id"])) for o in pairs["other"]]
    listed = pd.Series(labels, index=pairs["curated"]).groupby(level=0).agg(schema.MULTI_VALUE_SEPARATOR.join)
    out.loc[listed.index, schema.LINKED_EVENTS] = listed.to_numpy()
    # An imported event near two curated ones is the duplicate of the first (curated rows are distinct).
    # A copy of an id already stored under another label stays that id's copy.
    first_owner = pairs.drop_duplicates("other")
    first_owner = first_owner[out.loc[first_owner["other"].to_numpy(), schema.DUPLICATE_OF].isna().to_numpy()]
    out.loc[first_owner["other"].to_numpy(), schema.DUPLICATE_OF] = out.loc[
        first_owner["curated"].to_numpy(), "event_id"
    ].to_numpy()
    return out
