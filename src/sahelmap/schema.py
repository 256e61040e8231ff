"""The canonical event schema: column names, dtypes and vocabularies, named once.

Column names follow ACLED wherever ACLED has the concept, so an ACLED user recognises them.
Validation lives in ``validate.py``; this module describes, and ``coerce`` gives any frame the table's
dtypes (the one place where column types are set).
"""

from __future__ import annotations

from typing import Final

import pandas as pd

# --- ACLED's taxonomy: 6 event types and 25 sub-event types --------------------------------
EVENT_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "Battles": (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": (
        "Sexual violence",
        "Attack",
        "Abduction/forced disappearance",
    ),
    "Protests": (
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}
SUB_EVENT_TYPES: Final[tuple[str, ...]] = tuple(s for subs in EVENT_TYPES.values() for s in subs)
# Sub-type names are unique across types, so each sub-type names its parent.
PARENT_TYPE: Final[dict[str, str]] = {sub: t for t, subs in EVENT_TYPES.items() for sub in subs}

TIME_PRECISION: Final[dict[int, str]] = {1: "day", 2: "week", 3: "month or vaguer"}
GEO_PRECISION: Final[dict[int, str]] = {
    1: "town",
    2: "near a town / part of a region",
    3: "region",
}

# --- Actor groups (normalised); rules mapping raw names to them live in data/actor_groups.csv ---
# key -> label shown to users. Order is the order of legends and filters.
ACTOR_GROUPS: Final[dict[str, str]] = {
    "wagner": "Wagner / Africa Corps",
    "mali_state": "Malian armed forces (FAMa, police, gendarmerie)",
    "jnim": "JNIM and its katibas",
    "is_sahel": "Islamic State Sahel",
    "azawad": "Azawad movements (CMA, MNLA, CSP, FLA)",
    "pro_government_militias": "Pro-government militias",
    "france": "French forces (Serval, Barkhane, Takuba)",
    "un": "MINUSMA and other UN",
    "other_foreign": "Other foreign forces",
    "communal_militias": "Communal and ethnic militias",
    "civilians": "Civilians",
    "protesters": "Protesters and rioters",
    "unidentified": "Unidentified armed groups",
    "other": "Other",
}

# --- The six focus places (display names as the project writes them) ---------------------
FOCUS_PLACES: Final[tuple[str, ...]] = ("Bamako", "Timbuktu", "Gao", "Kidal", "Ségou", "Tinzaouaten")
# Other spellings users type for the focus places (in URLs too); the gazetteer has the full list.
FOCUS_PLACE_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "Timbuktu": ("Tombouctou",),
    "Ségou": ("Segou",),
    "Tinzaouaten": ("Tin Zaouaten", "Tin-Zaouatene", "Ti-n-Zaouâtene", "Tinzaouatene"),
}
# An event within this distance of a focus place (and located more precisely than "region")
# counts as at that place: wide enough for airports, camps and suburbs (Kati is 15 km from Bamako).
FOCUS_RADIUS_KM: Final[float] = 50.0

# --- Geography ------------------------------------------------------------------------------
CRS: Final[str] = "EPSG:4326"  # coordinates as sources give them (WGS 84 degrees)
# Mali's outline bounds (OCHA COD-AB admin-0) widened by a margin: border posts such as
# Tinzaouaten sit on the edge, and sources round coordinates.
MALI_BOUNDS_MARGIN_DEG: Final[float] = 0.1
MALI_BOUNDS: Final[dict[str, float]] = {
    "min_lon": -12.2426 - MALI_BOUNDS_MARGIN_DEG,
    "max_lon": 4.2450 + MALI_BOUNDS_MARGIN_DEG,
    "min_lat": 10.1595 - MALI_BOUNDS_MARGIN_DEG,
    "max_lat": 25.0000 + MALI_BOUNDS_MARGIN_DEG,
}
EARLIEST_DATE: Final[str] = "1997-01-01"  # ACLED's coverage starts in 1997
# UCDP GED covers 1989 onwards, and its earlier events are real: UCDP rows are checked against this date
# instead (the registry passes it to validation), so a 1990 typo in an ACLED or curated row is still caught.
UCDP_EARLIEST_DATE: Final[str] = "1989-01-01"

COUNTRY: Final[str] = "Mali"  # rows whose country column names another country are rejected

# --- Bounds on numbers (README, "Using your own data"): a value outside is rejected, never wrapped ---
# No real event comes near this many deaths; a larger figure is a typo or a sum, not one event.
MAX_FATALITIES_PER_EVENT: Final[int] = 100_000
# ACLED's timestamp (last modified, Unix seconds): from 1970-01-01 to 2100-01-01.
TIMESTAMP_BOUNDS: Final[tuple[int, int]] = (0, 4_102_444_800)

# --- Columns --------------------------------------------------------------------------------
# kind drives parsing: text, category, date, int, float, bool.
COLUMN_KINDS: Final[dict[str, str]] = {
    "event_id": "text",
    "dataset": "category",
    "event_date": "date",
    "end_date": "date",
    "time_precision": "int",
    "event_type": "category",
    "sub_event_type": "category",
    "actor1": "text",
    "assoc_actor_1": "text",
    "actor2": "text",
    "assoc_actor_2": "text",
    "location": "text",
    "admin1": "text",
    "admin2": "text",
    "latitude": "float",
    "longitude": "float",
    "geo_precision": "int",
    "fatalities": "int",
    "civilian_targeting": "bool",
    "notes": "text",
    "source": "text",
    "source_url": "text",
    "source_date": "date",
    "source_title": "text",
    "timestamp": "int",
}
CANONICAL_COLUMNS: Final[tuple[str, ...]] = tuple(COLUMN_KINDS)
REQUIRED_COLUMNS: Final[tuple[str, ...]] = (
    "event_id",
    "event_date",
    "event_type",
    "sub_event_type",
    "actor1",
    "location",
    "latitude",
    "longitude",
    "source",
)
ACTOR_COLUMNS: Final[tuple[str, ...]] = ("actor1", "assoc_actor_1", "actor2", "assoc_actor_2")
MULTI_VALUE_SEPARATOR: Final[str] = "; "

# Columns the loader derives; they are not read from files.
# admin*_join and admin_flag: the spatial join on the OCHA polygons (geography.py).
DERIVED_COLUMNS: Final[tuple[str, ...]] = (
    "actor_groups",
    "focus_place",
    "admin1_join",
    "admin2_join",
    "admin_flag",
)
# Every column of the table the app works on, in export order.
TABLE_COLUMNS: Final[tuple[str, ...]] = CANONICAL_COLUMNS + DERIVED_COLUMNS
# Internal columns: for fast filtering and for counting each real event once (linking.py).
ACTOR_GROUP_MASK: Final = "actor_group_mask"  # int32, one bit per actor group (actors.GROUP_BIT)
LINKED_EVENTS: Final = "linked_events"  # on a curated row: the imported events describing it
DUPLICATE_OF: Final = "duplicate_of"  # on an imported row: the curated event it describes
INTERNAL_COLUMNS: Final[tuple[str, ...]] = (ACTOR_GROUP_MASK, LINKED_EVENTS, DUPLICATE_OF)

# --- Dtypes: one per column, internal ones included ----------------------------------------------
_KIND_DTYPES: Final[dict[str, str]] = {
    "text": "str",
    "category": "category",
    "date": "datetime64[ns]",
    "float": "float64",
    "bool": "bool",
}
DTYPES: Final[dict[str, object]] = {
    **{c: _KIND_DTYPES.get(k, "Int64") for c, k in COLUMN_KINDS.items()},
    # vocabularies keep their full list of categories, so filters and charts know every value
    "event_type": pd.CategoricalDtype(list(EVENT_TYPES)),
    "sub_event_type": pd.CategoricalDtype(list(SUB_EVENT_TYPES)),
    "time_precision": "Int8",
    "geo_precision": "Int8",
    "fatalities": "Int32",  # bounded per event (validate.py), so int32 never overflows a total of rows
    "actor_groups": "str",
    "focus_place": pd.CategoricalDtype(list(FOCUS_PLACES)),
    "admin1_join": "category",  # about 70 names for up to millions of rows
    "admin2_join": "category",
    "admin_flag": "str",
    ACTOR_GROUP_MASK: "int32",
    LINKED_EVENTS: "str",
    DUPLICATE_OF: "str",
}


def coerce(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with the table's dtype for each known column it has (others untouched).

    Every path that builds the table (validation, the store, combining datasets) ends here, so a column
    has the same type whichever way it came in. Unchanged columns are not copied.
    """
    out = frame.copy(deep=False)
    for column in out.columns.intersection(list(DTYPES)):
        dtype = DTYPES[column]
        values = out[column]
        if dtype == "bool":
            values = values.astype("boolean").fillna(False)
        elif dtype == "datetime64[ns]":
            values = pd.to_datetime(values)
        elif dtype == "category" and isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype("str")  # categories of the frame it came from are not carried over
        out[column] = values.astype(dtype)
    return out


def counted_deaths(fatalities: pd.Series) -> pd.Series:
    """Each event's reported deaths as totals count them: an unknown toll adds nothing (int64, no overflow).

    Every total shown says how many events have an unknown toll, so nothing is hidden by the zero.
    """
    return fatalities.astype("Float64").fillna(0).astype("int64")


def total_deaths(fatalities: pd.Series) -> int:
    return int(counted_deaths(fatalities).sum())


# Curated rows are held to a higher standard than imported ones: precision codes, a note, and a
# publication a reader can find, by its headline plus either its date or a checked URL. (Some pages
# show no date; an inferred date would be an invented fact, so the URL identifies them instead.)
CURATED_REQUIRED: Final[tuple[str, ...]] = (
    "time_precision",
    "geo_precision",
    "admin1",
    "notes",
    "source_title",
)
CURATED_DATASET: Final[str] = "curated"
