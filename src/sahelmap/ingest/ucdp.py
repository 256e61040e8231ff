"""UCDP Georeferenced Event Dataset (GED) CSV -> canonical columns of strings.

Two layouts are read: the bulk GED CSV (fatalities ``best``/``high``/``low``) and the country download
page's (``best_est``/``high_est``/``low_est``). Dates come as ``MM/DD/YYYY 00:00:00`` (download page) or
ISO (``2009-06-16``, or with a midnight time part, which is dropped). Quoted fields may hold line
breaks; ``textfile.read_text_table`` parses them, and row numbers count records, as a spreadsheet does.

How UCDP's concepts become canonical columns (every choice is a table below):

- ``type_of_violence`` -> ``event_type``/``sub_event_type``/``civilian_targeting`` (``VIOLENCE_TYPES``).
- ``date_start``/``date_end`` -> ``event_date``/``end_date``; ``end_date`` only when it differs.
- ``date_prec`` (1..5) -> ``time_precision``, ``where_prec`` (1..7) -> ``geo_precision``.
- ``best``/``best_est`` -> ``fatalities``. The low and high estimates and ``deaths_civilians`` have no
  canonical column: they go into ``notes``, which UCDP does not otherwise fill (see ``notes_of``).
- ``side_a``/``side_b`` -> ``actor1``/``actor2``.
- ``where_coordinates`` -> ``location`` without the feature word UCDP appends to settlements
  ("Gao town" -> "Gao"), so the gazetteer recognises the place; "Gao region" keeps its word, since an
  event placed only in a region is not an event in its capital.
- ``adm_1``/``adm_2`` -> ``admin1``/``admin2`` without " region"/" cercle" and without accents, so they
  match ACLED's spelling ("Ménaka region" -> "Menaka").
- ``source_article`` -> ``source`` (else ``source_office``, else "UCDP GED"), ``source_headline`` ->
  ``source_title``, the earliest of the ``;``-separated ``source_date`` values -> ``source_date``
  (UCDP's placeholder for an unknown date, 1753-01-01, is skipped).
- ``event_id`` is ``UCDP-<id>``.
"""

from __future__ import annotations

from typing import Final

import pandas as pd

from sahelmap import schema
from sahelmap.ingest.hxl import drop_hxl_row

IDENTIFYING_COLUMNS: Final[tuple[str, ...]] = (
    "id",
    "type_of_violence",
    "side_a",
    "side_b",
    "date_start",
    "date_end",
    "latitude",
    "longitude",
)
# Fatality estimates (best, high, low): the bulk CSV's names, then the download page's.
FATALITY_LAYOUTS: Final[tuple[tuple[str, str, str], ...]] = (
    ("best", "high", "low"),
    ("best_est", "high_est", "low_est"),
)
EVENT_ID_PREFIX: Final = "UCDP-"
SOURCE_FALLBACK: Final = "UCDP GED"  # the dataset itself, when an event names no source

# type_of_violence -> (event_type, sub_event_type, civilian_targeting, label for notes)
VIOLENCE_TYPES: Final[dict[str, tuple[str, str, str, str]]] = {
    # State-based: a government fights an organised armed group (or another state). ACLED codes such
    # fighting as Battles; UCDP does not say whether territory changed hands, so Armed clash.
    "1": ("Battles", "Armed clash", "false", "State-based conflict"),
    # Non-state: two organised groups fight, neither a government. Also Battles/Armed clash in ACLED.
    "2": ("Battles", "Armed clash", "false", "Non-state conflict"),
    # One-sided: an organised actor kills civilians. ACLED: Violence against civilians/Attack (the general
    # sub-type: UCDP counts deaths only, so not sexual violence nor abduction), civilians targeted.
    "3": ("Violence against civilians", "Attack", "true", "One-sided violence"),
}
# date_prec -> time_precision (1 day, 2 week, 3 month or vaguer). UCDP: 1 exact day; 2 within 2-6 days;
# 3 the week is known; 4 the month is known (8-30 days); 5 only the year (more than a month).
DATE_PRECISION: Final[dict[str, str]] = {"1": "1", "2": "2", "3": "2", "4": "3", "5": "3"}
# where_prec -> geo_precision (1 town, 2 near a town / part of a region, 3 region or vaguer). UCDP: 1 exact
# place; 2 within 25 km of a known point; 3 only the second-order unit (cercle) is known; 4 only the
# first-order unit (region); 5 a linear feature or large area (border, valley, "Northern Mali");
# 6 only the country; 7 international waters or airspace.
WHERE_PRECISION: Final[dict[str, str]] = {
    "1": "1",
    "2": "2",
    "3": "2",
    "4": "3",
    "5": "3",
    "6": "3",
    "7": "3",
}
# Words UCDP appends to a settlement's name in where_coordinates.
SETTLEMENT_SUFFIX: Final = r"\s+(?:town|village|city)$"
ISO_MIDNIGHT: Final = r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(?:\.0+)?$"
# UCDP writes 1753-01-01 (the smallest SQL Server date) for a source whose date is unknown.
UNKNOWN_SOURCE_DATE: Final = "1753-01-01"


def looks_ucdp(columns: list[str]) -> bool:
    names = {c.strip().lower() for c in columns}
    return set(IDENTIFYING_COLUMNS) <= names and any(layout[0] in names for layout in FATALITY_LAYOUTS)


def fatality_columns(columns: list[str]) -> tuple[str, str, str]:
    """(best, high, low) column names of this file's layout."""
    names = set(columns)
    return next((layout for layout in FATALITY_LAYOUTS if layout[0] in names), FATALITY_LAYOUTS[0])


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series("", index=frame.index, dtype="str")
    return frame[column].astype("str").str.strip()


def _one_line(values: pd.Series) -> pd.Series:
    """Collapse line breaks, tabs and runs of spaces (UCDP's source fields are full of them)."""
    return values.str.replace(r"\s+", " ", regex=True).str.strip()


def _date(values: pd.Series) -> pd.Series:
    return values.str.replace(ISO_MIDNIGHT, r"\1", regex=True)


def admin_name(values: pd.Series, suffix: str) -> pd.Series:
    """'Ménaka region' -> 'Menaka': no unit word, no accents (ACLED's spelling)."""
    name = values.str.replace(rf"\s+{suffix}$", "", case=False, regex=True).str.strip()
    return name.str.normalize("NFKD").str.replace(r"[\u0300-\u036f]", "", regex=True).astype("str")


def earliest_source_date(values: pd.Series) -> pd.Series:
    """The earliest of several ``;``-separated ISO dates (the first report of the event), unknowns skipped."""
    parts = values.str.split(";").explode().str.strip()
    parts = parts[parts.ne("") & parts.ne(UNKNOWN_SOURCE_DATE)]
    earliest = parts.groupby(level=0).min()
    return earliest.reindex(values.index).fillna("").astype("str")


def notes_of(frame: pd.DataFrame, label: pd.Series, best: str, high: str, low: str) -> pd.Series:
    """One sentence: the kind of violence, the sides, the place and UCDP's death estimates."""
    where = _one_line(_text(frame, "where_description"))
    where = where.where(where.eq(""), " at " + where)
    deaths = (
        "UCDP deaths: best "
        + _text(frame, best)
        + ", low "
        + _text(frame, low)
        + ", high "
        + _text(frame, high)
        + ", of them civilians "
        + _text(frame, "deaths_civilians")
        + "."
    )
    return label + ": " + _text(frame, "side_a") + " v " + _text(frame, "side_b") + where + ". " + deaths


def to_canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """A UCDP GED table of strings (either layout) -> canonical columns of strings, same index."""
    frame = drop_hxl_row(frame)
    frame = frame.set_axis([str(c).strip().lower() for c in frame.columns], axis=1)
    best, high, low = fatality_columns(list(frame.columns))
    violence = _text(frame, "type_of_violence")
    kind = {i: violence.map({k: v[i] for k, v in VIOLENCE_TYPES.items()}) for i in range(4)}
    start, end = _date(_text(frame, "date_start")), _date(_text(frame, "date_end"))
    source = _one_line(_text(frame, "source_article"))
    source = source.mask(source.eq(""), _one_line(_text(frame, "source_office")))
    source = source.mask(source.eq(""), SOURCE_FALLBACK)
    date_prec, where_prec = _text(frame, "date_prec"), _text(frame, "where_prec")
    out = {
        "event_id": EVENT_ID_PREFIX + _text(frame, "id"),
        "event_date": start,
        "end_date": end.where(end.ne(start), ""),
        "time_precision": date_prec.map(DATE_PRECISION).fillna(date_prec),
        # An unknown code stays visible, so validation rejects the row and shows it.
        "event_type": kind[0].fillna("UCDP type_of_violence " + violence),
        "sub_event_type": kind[1].fillna(""),
        # UCDP lists a coalition's members with commas ("GATIA, MSA"); sahelmap separates names with "; ".
        "actor1": _text(frame, "side_a").str.replace(", ", schema.MULTI_VALUE_SEPARATOR, regex=False),
        "actor2": _text(frame, "side_b").str.replace(", ", schema.MULTI_VALUE_SEPARATOR, regex=False),
        "location": _text(frame, "where_coordinates").str.replace(
            SETTLEMENT_SUFFIX, "", case=False, regex=True
        ),
        "admin1": admin_name(_text(frame, "adm_1"), "region"),
        "admin2": admin_name(_text(frame, "adm_2"), "cercle"),
        "latitude": _text(frame, "latitude"),
        "longitude": _text(frame, "longitude"),
        "geo_precision": where_prec.map(WHERE_PRECISION).fillna(where_prec),
        "fatalities": _text(frame, best),
        "civilian_targeting": kind[2].fillna(""),
        "notes": notes_of(frame, kind[3].fillna("UCDP event"), best, high, low),
        "source": source,
        "source_date": earliest_source_date(_text(frame, "source_date")),
        "source_title": _one_line(_text(frame, "source_headline")),
    }
    if "country" in frame:  # checked by validation, not stored
        out["country"] = frame["country"]
    canonical = pd.DataFrame(out, index=frame.index)
    return canonical[[c for c in (*schema.CANONICAL_COLUMNS, "country") if c in canonical]]
