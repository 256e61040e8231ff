"""ACLED exports -> canonical columns of strings, for every ACLED layout a user may hold.

Three generations of the ACLED table are read:

- current (2023-): 31 columns with ``disorder_type``, ``civilian_targeting``, ``tags`` and ``timestamp``;
- 2020-era: ``data_id``, ``event_id_no_cnty``, ``iso3``; no ``disorder_type`` nor ``civilian_targeting``;
- pre-2019 (legacy): no ``sub_event_type``, and the old event types (``Battle-No change of territory``,
  ``Remote violence``, ``Riots/Protests``, ...), mapped to today's taxonomy by ``LEGACY_EVENT_TYPES``.
  Old files may spell the columns in capitals and call the associated actors ``ally_actor_1/2``.

HDX country files carry an HXL hashtag row as their second line; it is dropped and the spreadsheet row
numbers of the events are kept. ACLED's API answers in JSON (``{"data": [...]}`` or a bare list), with
``inter1``/``inter2`` as numbers or as labels; ``read_acled_json`` turns it into the same table of strings.

Kept: ``event_id_cnty`` as ``event_id``, ``timestamp`` (used to keep the newest version of an event on
re-import), ``admin1``, ``admin2``, ``source`` (ACLED's publisher names) and ``notes``. ACLED gives no
article URL or title, so ``source_url`` and ``source_title`` stay empty.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Final

import pandas as pd

from sahelmap import i18n, schema
from sahelmap.i18n import _
from sahelmap.ingest import textfile
from sahelmap.ingest.hxl import drop_hxl_row
from sahelmap.ingest.textfile import MAX_COLUMNS, ReadError

# The current (2023-) export layout: 31 columns, in the export tool's order.
CURRENT_HEADER: Final[tuple[str, ...]] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)

# ACLED columns that carry a canonical column of the same name.
SAME_NAME: Final[tuple[str, ...]] = (
    "event_date",
    "time_precision",
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "location",
    "admin1",
    "admin2",
    "latitude",
    "longitude",
    "geo_precision",
    "fatalities",
    "notes",
    "source",
    "timestamp",
)
# Older spellings of column names (after lower-casing): old name -> current name.
COLUMN_ALIASES: Final[dict[str, str]] = {"ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2"}
# The columns that make a file ACLED's, in every generation and in the API's JSON.
IDENTIFYING_COLUMNS: Final[tuple[str, ...]] = ("event_id_cnty", "event_date", "event_type", "actor1")

VIOLENCE_AGAINST_CIVILIANS: Final = "Violence against civilians"

# Pre-2019 event types (lower-cased) -> (event_type, sub_event_type) of today's taxonomy.
LEGACY_EVENT_TYPES: Final[dict[str, tuple[str, str]]] = {
    # The old battle types named the territorial outcome, which is exactly what today's sub-types say.
    "battle-no change of territory": ("Battles", "Armed clash"),
    "battle-government regains territory": ("Battles", "Government regains territory"),
    "battle-non-state actor overtakes territory": ("Battles", "Non-state actor overtakes territory"),
    # No sub-type of Explosions/Remote violence is neutral: each names a weapon, and the old type does not.
    # We choose Remote explosive/landmine/IED, the commonest remote violence in Mali (600 of the 964
    # Explosions/Remote violence events of 2015-2023 in ACLED's Mali export). A choice, not a fact.
    "remote violence": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    # Riots and protests were one type. Peaceful protest is the most neutral reading; events whose first
    # actor is rioters (inter1 5, "Rioters (Mali)") become Riots/Violent demonstration (see RIOTERS_INTER).
    "riots/protests": ("Protests", "Peaceful protest"),
    # Attack is the general sub-type; the old type did not set sexual violence or abductions apart.
    "violence against civilians": (VIOLENCE_AGAINST_CIVILIANS, "Attack"),
    # "Other" is the catch-all sub-type of Strategic developments; the old type says nothing more.
    "strategic development": ("Strategic developments", "Other"),
    # These two old types survive as sub-types of Strategic developments, unchanged.
    "headquarters or base established": ("Strategic developments", "Headquarters or base established"),
    "non-violent transfer of territory": ("Strategic developments", "Non-violent transfer of territory"),
}
LEGACY_RIOT: Final[tuple[str, str]] = ("Riots", "Violent demonstration")
RIOTERS_INTER: Final = "5"

# ACLED's actor-type codes (inter1/inter2): the API now answers with labels, older answers with numbers.
INTER_LABELS: Final[dict[str, str]] = {
    "state forces": "1",
    "rebel group": "2",
    "rebel groups": "2",
    "political militia": "3",
    "political militias": "3",
    "identity militia": "4",
    "identity militias": "4",
    "communal militia": "4",
    "rioters": "5",
    "protesters": "6",
    "civilians": "7",
    "external/other forces": "8",
    "other forces": "8",
}


def _lower_columns(columns: list[str]) -> list[str]:
    return [COLUMN_ALIASES.get(c.strip().lower(), c.strip().lower()) for c in columns]


def looks_acled(columns: list[str]) -> bool:
    return set(IDENTIFYING_COLUMNS) <= set(_lower_columns(columns))


def generation(columns: list[str]) -> str:
    """``current``, ``2020`` or ``legacy``: which ACLED layout the header is."""
    names = set(_lower_columns(columns))
    if "sub_event_type" not in names:
        return "legacy"
    if "disorder_type" in names or "civilian_targeting" in names:
        return "current"
    return "2020"


def inter_codes(values: pd.Series) -> pd.Series:
    """inter1/inter2 as ACLED's number codes ("2"), whether given as numbers ("2", 2.0) or labels."""
    text = values.astype("str").str.strip()
    by_label = text.str.lower().map(INTER_LABELS)
    number = pd.to_numeric(text, errors="coerce")
    whole = number.notna() & (number % 1 == 0)
    code = text.copy()
    code[whole] = number[whole].astype("int64").astype("str")
    return by_label.fillna(code).astype("str")


def map_legacy_event_types(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(event_type, sub_event_type) of today's taxonomy for a legacy frame (lower-cased column names).

    Unknown old types are left as they are, so validation rejects them and shows the value.
    """
    given = frame["event_type"].astype("str")
    key = given.str.strip().str.lower()
    event_type = key.map({k: v[0] for k, v in LEGACY_EVENT_TYPES.items()}).fillna(given).astype("str")
    sub_event_type = key.map({k: v[1] for k, v in LEGACY_EVENT_TYPES.items()}).fillna("").astype("str")
    rioters = pd.Series(False, index=frame.index)
    if "inter1" in frame:
        rioters |= inter_codes(frame["inter1"]).eq(RIOTERS_INTER)
    if "actor1" in frame:
        rioters |= frame["actor1"].astype("str").str.strip().str.lower().str.startswith("rioters")
    riot = key.eq("riots/protests") & rioters
    event_type = event_type.mask(riot, LEGACY_RIOT[0])
    sub_event_type = sub_event_type.mask(riot, LEGACY_RIOT[1])
    return event_type, sub_event_type


def to_canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """An ACLED table of strings (any generation) -> canonical columns of strings, same index."""
    frame = drop_hxl_row(frame)
    frame = frame.set_axis(_lower_columns([str(c) for c in frame.columns]), axis=1)
    frame = frame.loc[:, ~frame.columns.duplicated()]
    out: dict[str, pd.Series] = {"event_id": frame["event_id_cnty"]}
    out.update({c: frame[c] for c in SAME_NAME if c in frame})
    if "sub_event_type" in frame:
        out["event_type"], out["sub_event_type"] = frame["event_type"], frame["sub_event_type"]
    else:
        out["event_type"], out["sub_event_type"] = map_legacy_event_types(frame)
    if "civilian_targeting" in frame:  # "Civilian targeting" or empty
        out["civilian_targeting"] = frame["civilian_targeting"]
    else:  # older layouts: civilians were the target exactly in violence against civilians
        targeted = out["event_type"].astype("str").str.strip().eq(VIOLENCE_AGAINST_CIVILIANS)
        out["civilian_targeting"] = targeted.map({True: "true", False: "false"}).astype("str")
    if "country" in frame:  # checked by validation (a West Africa export holds other countries), not stored
        out["country"] = frame["country"]
    canonical = pd.DataFrame(out, index=frame.index)
    return canonical[[c for c in (*schema.CANONICAL_COLUMNS, "country") if c in canonical]]


# --- the API's JSON ---------------------------------------------------------------------------


def _as_text(value: object) -> str:
    """One JSON value as the text a CSV export would hold."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    if isinstance(value, int | float | str):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _loads(text: str | bytes, name: str) -> object:
    try:
        return json.loads(text)
    except RecursionError:
        raise ReadError(_("{name}: not valid JSON (nested too deeply)").format(name=name)) from None
    except ValueError as error:  # JSONDecodeError, or an integer of thousands of digits
        raise ReadError(
            _("{name}: not valid JSON ({error})").format(name=name, error=str(error)[:200])
        ) from None


def _ndjson_lines(data: bytes, name: str) -> Iterator[list[object]]:
    """The values of a file of one JSON value a line (NDJSON), CHUNK_ROWS lines at a time: the file's
    values are never all held as Python objects at once."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    batch: list[object] = []
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        line = data[start:end]
        start = end + 1
        if line.strip():
            batch.append(_loads(line, name))
            if len(batch) == textfile.CHUNK_ROWS:
                yield batch
                batch = []
    if batch:
        yield batch


def _record_batches(data: bytes, name: str) -> Iterator[list[object]]:
    """The events of ACLED API JSON (``{"data": [...]}`` or a bare list) or NDJSON, in batches."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReadError(_("{name}: not valid JSON ({error})").format(name=name, error=error)) from None
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        if not error.msg.startswith("Extra data"):
            _loads(text, name)  # the error, worded as every other
        del text
        yield from _ndjson_lines(data, name)  # NDJSON
        return
    except (RecursionError, ValueError):
        _loads(text, name)
    del text
    if isinstance(payload, dict):
        if "data" not in payload:
            said = payload.get("error") or payload.get("message") or payload.get("messages")
            message = _("{name}: JSON without a 'data' list of events, as ACLED's API answers").format(
                name=name
            )
            hint = " " + _("(the file says: {said})").format(said=str(said)[:200]) if said else ""
            raise ReadError(message + hint)
        records = payload["data"]
    else:
        records = payload
    if not isinstance(records, list):
        raise ReadError(
            _("{name}: the JSON is not a list of events (objects with ACLED's fields)").format(name=name)
        )
    size = textfile.CHUNK_ROWS
    for i in range(0, len(records), size):
        yield records[i : i + size]


def read_acled_json_chunks(data: bytes, name: str) -> Iterator[pd.DataFrame]:
    """ACLED API JSON (``{"data": [...]}``, a bare list of events, or NDJSON) -> tables of strings, at
    most CHUNK_ROWS events each; a table has the fields its events have.

    The index numbers the events from 1 in the order the file lists them (JSON has no rows).
    """
    first, any_events = 1, False
    for records in _record_batches(data, name):
        if not all(isinstance(r, dict) for r in records):
            raise ReadError(
                _("{name}: the JSON is not a list of events (objects with ACLED's fields)").format(name=name)
            )
        keys = max(len(r) for r in records)  # type: ignore[arg-type]
        if keys > MAX_COLUMNS:
            raise ReadError(
                _("{name}: an event has {n} fields; sahelmap reads at most {most}").format(
                    name=name, n=i18n.number(keys), most=MAX_COLUMNS
                )
            )
        frame = pd.DataFrame.from_records(records)
        del records
        try:
            frame = frame.apply(lambda column: column.map(_as_text).astype("str"))
        except RecursionError:
            raise ReadError(_("{name}: a value is nested too deeply").format(name=name)) from None
        frame.columns = [str(c).strip() for c in frame.columns]
        frame.index = pd.RangeIndex(first, first + len(frame))
        first += len(frame)
        any_events = True
        yield frame
    if not any_events:
        raise ReadError(_("{name}: the JSON holds no events").format(name=name))


def read_acled_json(data: bytes, name: str) -> pd.DataFrame:
    """The whole of ``read_acled_json_chunks`` as one table (fields an event lacks are empty)."""
    frames = list(read_acled_json_chunks(data, name))
    return pd.concat(frames).fillna("").astype("str") if len(frames) > 1 else frames[0]
