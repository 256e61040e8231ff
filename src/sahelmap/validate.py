"""One place where rows become trusted events: parse strings to types, check every rule, keep rejects.

Two stages, because they fail differently:
1. parsing (``parse``): strings -> typed columns. A value that cannot be read ("31 February",
   "12,5 N") becomes a rejection naming the formats we accept.
2. rules (``_rules_schema``, a pandera schema): ranges, vocabularies, uniqueness and the
   cross-column rules, checked on the typed frame with every failure collected (lazy validation).

Row numbers are spreadsheet rows: the header is row 1, the first event row 2. Readers put the row
number in the frame's index, so a file with multi-line quoted fields still reports true rows.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from sahelmap import schema
from sahelmap.text import shown

REPORT_COLUMNS = ("file", "row", "column", "value", "reason")
# Dates we read besides day/month/year numbers (NUMERIC_DATE). ISO first: the canonical form, never ambiguous.
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%Y-%m-%d %H:%M:%S")
# 12/03/2022, 12-03-2022, 12.03.2022, with or without a time: day-first or month-first, one order per
# file (decide_date_order), never guessed value by value.
NUMERIC_DATE = r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}:\d{2}(?::\d{2})?))?$"
DATE_ORDERS = ("dmy", "mdy")
# An Excel serial day number (the cell's date lost its format): 5 digits are the years 1927 to 2173.
EXCEL_SERIAL = r"^\d{5}$"
EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # serial 1 is 1900-01-01, counting Excel's 29 February 1900
DATE_FORMATS_HUMAN = (
    "YYYY-MM-DD, '01 March 2023', DD/MM/YYYY or MM/DD/YYYY (one order per file, see --date-order), "
    "or an Excel day number"
)
# Words spreadsheets and databases write for "no value": read as empty, and counted in a notice.
MISSING_WORDS = frozenset({"na", "n/a", "null", "#n/a"})
# Columns where invisible format characters (Unicode category Cf: zero-width space, joiners, bidi
# marks) are removed: ids and names compared with others, where "Wag\u200bner" must be "Wagner".
NORMALISED_COLUMNS = ("event_id", *schema.ACTOR_COLUMNS, "location", "admin1", "admin2")
TRUE_WORDS = frozenset({"true", "1", "yes", "y", "t", "civilian targeting"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "f"})
MAX_VALUE_IN_REPORT = 200  # characters of the offending value echoed back in a report
# Columns the rejected rows gain. A file may hold them already (a re-uploaded download of rejected
# rows): its old values are replaced by this check's.
REJECTED_EXTRA_COLUMNS = ("row", "rejection_reasons")


@dataclass(frozen=True)
class ValidationResult:
    """Typed valid rows, one report line per problem, and the rejected rows as the user gave them."""

    valid: pd.DataFrame
    report: pd.DataFrame
    rejected: pd.DataFrame
    rows_read: int
    notices: tuple[str, ...] = ()  # what reading changed, said (NA read as empty, decimal commas, ...)

    @property
    def n_rejected(self) -> int:
        return len(self.rejected)

    def file_errors(self) -> pd.DataFrame:
        """Problems with the file as a whole (no row), such as missing columns."""
        return self.report[self.report["row"].isna()]


def empty_report() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "row" else "str") for c in REPORT_COLUMNS})


# --- parsing -------------------------------------------------------------------------------


def _clean_text(values: pd.Series) -> pd.Series:
    """Strip, and treat empty strings and missing-value words (NA, N/A, null, #N/A) as missing.

    A column with nothing to strip and nothing empty (notes, ids) is returned as it is, sharing its
    memory with the input: a million-row import then holds its long texts once, not twice.
    """
    text = values.astype("str")
    stripped = text.str.strip()
    keep = stripped.ne("") & values.notna() & ~_missing_word(stripped)
    if keep.all() and stripped.eq(text).all():
        return text
    return stripped.where(keep)


def _missing_word(text: pd.Series) -> pd.Series:
    short = text.str.len().le(4)  # the longest word is 4 characters: only those are lower-cased
    return short & text.where(short).str.lower().isin(MISSING_WORDS)


@functools.cache
def _format_characters() -> str:
    """A regex class of every Unicode format character (category Cf), built once on first use."""
    return (
        "["
        + "".join(
            re.escape(chr(c)) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"
        )
        + "]"
    )


def _numeric_dates(text: pd.Series) -> pd.DataFrame:
    """The parts of day/month/year numbers: columns a, b (the first two numbers), year, time."""
    parts = text.str.extract(NUMERIC_DATE)
    parts.columns = ["a", "b", "year", "time"]
    return parts


def decide_date_order(
    columns: Iterable[pd.Series], given: str | None
) -> tuple[str | None, dict[str, tuple[object, str]]]:
    """The file's date order (dmy or mdy) and the evidence: {"dmy"|"mdy"|"ambiguous": (row, value)}.

    A value such as 28/02/2019 can only be day-first, 2/28/2019 only month-first; 3/1/2023 could be
    either. ``given`` (--date-order) wins; otherwise the order is None when the values settle nothing.
    """
    evidence: dict[str, tuple[object, str]] = {}
    for column in columns:
        text = column.dropna().astype("str").str.strip()
        parts = _numeric_dates(text).dropna(subset=["a"])
        if parts.empty:
            continue
        a, b = parts["a"].astype("int64"), parts["b"].astype("int64")
        kinds = {
            "dmy": (a > 12) & (b <= 12),
            "mdy": (b > 12) & (a <= 12),
            "ambiguous": (a <= 12) & (b <= 12) & (a != b),
        }
        for kind, mask in kinds.items():
            if mask.any() and kind not in evidence:
                row = mask.idxmax()
                evidence[kind] = (row, text[row])
    if given is not None:
        return given, evidence
    settled = [k for k in DATE_ORDERS if k in evidence]
    return (settled[0] if len(settled) == 1 else None), evidence


def parse_dates(text: pd.Series, order: str | None = None) -> pd.Series:
    """Parse each distinct string once (event tables repeat dates a lot) in the accepted formats.

    Day/month/year numbers are read in ``order`` (dmy or mdy); with no order, only those whose day and
    month agree either way (01/01/2020) are read.
    """
    codes, uniques = pd.factorize(text)
    distinct = pd.Series(uniques, dtype="str")
    parsed = pd.Series(pd.NaT, index=distinct.index, dtype="datetime64[ns]")
    for fmt in DATE_FORMATS:
        todo = parsed.isna()
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(distinct[todo], format=fmt, errors="coerce")
    parts = _numeric_dates(distinct.where(parsed.isna())).dropna(subset=["a"])
    if len(parts):
        same = parts["a"].astype("int64") == parts["b"].astype("int64")
        day, month = (parts["a"], parts["b"]) if order != "mdy" else (parts["b"], parts["a"])
        iso = parts["year"] + "-" + month.str.zfill(2) + "-" + day.str.zfill(2)
        iso = (iso + " " + parts["time"].fillna("00:00")).where(same | (order is not None))
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
            todo = parsed[parts.index].isna() & iso.notna()
            parsed[todo[todo].index] = pd.to_datetime(iso[todo], format=fmt, errors="coerce")
    serial = distinct.where(parsed.isna()).str.fullmatch(EXCEL_SERIAL).fillna(False).astype("bool")
    if serial.any():
        parsed[serial] = EXCEL_EPOCH + pd.to_timedelta(distinct[serial].astype("int64"), unit="D")
    values = np.append(parsed.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))
    return pd.Series(values[codes], index=text.index)  # code -1 (missing) picks the NaT at the end


def _parse_bool(text: pd.Series) -> pd.Series:
    lowered = text.str.lower()
    out = pd.Series(pd.NA, index=text.index, dtype="boolean")
    out[lowered.isin(TRUE_WORDS)] = True
    out[lowered.isin(FALSE_WORDS)] = False
    return out


@dataclass(frozen=True)
class _ParseProblem:
    column: str
    mask: pd.Series
    reason: str | pd.Series  # one reason, or one per row (the country a row names)


# Numbers outside these bounds are rejected when read (a cast would wrap them: 3e9 deaths is not -1.3e9).
# Every other whole number must be exact in a float64, which every accepted value passes through.
SAFE_INTEGER = 2**53
INT_BOUNDS: dict[str, tuple[float, float, str]] = {
    "fatalities": (
        -SAFE_INTEGER,  # below zero is "negative", a rule
        schema.MAX_FATALITIES_PER_EVENT,
        f"more than {schema.MAX_FATALITIES_PER_EVENT:,} deaths in one event (sahelmap's bound for one event)",
    ),
    "timestamp": (
        *schema.TIMESTAMP_BOUNDS,
        f"timestamp outside {schema.TIMESTAMP_BOUNDS[0]}..{schema.TIMESTAMP_BOUNDS[1]} "
        "(Unix seconds from 1970 to 2100)",
    ),
}
NUMBER_TEXT = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
DECIMAL_COMMA = r"^([+-]?\d+),(\d+)$"


def parse(
    raw: pd.DataFrame, date_order: str | None = None, decimal_comma: bool = False
) -> tuple[pd.DataFrame, list[_ParseProblem], list[str]]:
    """Strings -> typed canonical columns; unreadable values become NA and a problem; plus notices."""
    typed: dict[str, pd.Series] = {}
    problems: list[_ParseProblem] = []
    counts = {"missing": 0, "format": 0, "comma": 0}
    for column, kind in schema.COLUMN_KINDS.items():
        given_text = raw[column] if column in raw else pd.Series(pd.NA, index=raw.index, dtype="str")
        text = _clean_text(given_text)
        counts["missing"] += int(
            (text.isna() & given_text.notna() & given_text.astype("str").str.strip().ne("")).sum()
        )
        if column in NORMALISED_COLUMNS and text.notna().any():
            invisible = text.str.contains(_format_characters(), regex=True, na=False)
            if invisible.any():
                counts["format"] += int(invisible.sum())
                text = text.mask(invisible, text.str.replace(_format_characters(), "", regex=True))
        given = text.notna()
        if kind in ("text", "category"):
            typed[column] = text
        elif kind == "date":
            typed[column] = parse_dates(text, date_order)
            bad = given & typed[column].isna()
            problems.append(_ParseProblem(column, bad, f"not a date (accepted: {DATE_FORMATS_HUMAN})"))
        elif kind in ("int", "float"):
            if decimal_comma:
                comma = text.str.match(DECIMAL_COMMA, na=False)
                counts["comma"] += int(comma.sum())
                text = text.mask(comma, text.str.replace(DECIMAL_COMMA, r"\1.\2", regex=True))
            number = pd.to_numeric(text, errors="coerce").astype("float64")
            unread = given & number.isna()
            too_long = unread & text.str.fullmatch(NUMBER_TEXT, na=False)  # beyond any float (5,000 digits)
            problems.append(_ParseProblem(column, unread & ~too_long, "not a number"))
            problems.append(_ParseProblem(column, too_long, "too many digits"))
            problems.append(_ParseProblem(column, np.isinf(number), "not a finite number"))
            number = number.where(np.isfinite(number))
            if kind == "int":
                low, high, reason = INT_BOUNDS.get(column, (-SAFE_INTEGER, SAFE_INTEGER, "too large"))
                outside = number.notna() & ~number.between(low, high)
                problems.append(_ParseProblem(column, outside, reason))
                fractional = number.notna() & (number != np.floor(number))
                problems.append(_ParseProblem(column, fractional, "not a whole number"))
                number = number.where(~fractional & ~outside)
                typed[column] = number.astype("Float64").astype("Int64")
            else:
                typed[column] = number
        elif kind == "bool":
            flag = _parse_bool(text)
            problems.append(_ParseProblem(column, given & flag.isna(), "not true/false"))
            typed[column] = flag
    if "country" in raw:  # not stored: a row naming another country is not a Mali event
        country = _clean_text(raw["country"])
        foreign = country.notna() & country.str.casefold().ne(schema.COUNTRY.casefold())
        reason = (
            "country is " + country.map(lambda v: shown(v, MAX_VALUE_IN_REPORT)) + ", not " + schema.COUNTRY
        )
        problems.append(_ParseProblem("country", foreign, reason))
    notices = []
    if counts["missing"]:
        notices.append(f"{counts['missing']:,} values NA, N/A, null or #N/A read as empty")
    if counts["format"]:
        notices.append(
            f"{counts['format']:,} ids or names held invisible format characters (such as a zero-width "
            "space), removed"
        )
    if counts["comma"]:
        notices.append(f"{counts['comma']:,} numbers with a decimal comma read as decimals (14,1 = 14.1)")
    return pd.DataFrame(typed, index=raw.index), problems, notices


# --- rules ---------------------------------------------------------------------------------


def _in_range(low: float | pd.Timestamp, high: float | pd.Timestamp, reason: str) -> pa.Check:
    return pa.Check(lambda s: s.between(low, high), error=reason)


@functools.cache
def _rules_schema(today: dt.date, curated: bool, earliest: str = schema.EARLIEST_DATE) -> pa.DataFrameSchema:
    """Every rule a typed row must meet. Built on first use, once per day."""
    b = schema.MALI_BOUNDS
    first, latest = pd.Timestamp(earliest), pd.Timestamp(today)
    date_rule = _in_range(first, latest, f"date outside {earliest}..{today.isoformat()}")
    required = set(schema.REQUIRED_COLUMNS) | (set(schema.CURATED_REQUIRED) if curated else set())

    def col(name: str, *checks: pa.Check, unique: bool = False) -> pa.Column:
        return pa.Column(
            nullable=name not in required,
            checks=list(checks),
            unique=unique,
            report_duplicates="exclude_first",
            required=False,
        )

    columns = {
        "event_id": col("event_id", unique=True),
        "event_date": col("event_date", date_rule),
        "end_date": col("end_date", date_rule),
        "source_date": col("source_date", date_rule),
        "time_precision": col(
            "time_precision", pa.Check.isin(list(schema.TIME_PRECISION), error="not 1, 2 or 3")
        ),
        "geo_precision": col(
            "geo_precision", pa.Check.isin(list(schema.GEO_PRECISION), error="not 1, 2 or 3")
        ),
        "event_type": col(
            "event_type", pa.Check.isin(list(schema.EVENT_TYPES), error="not one of ACLED's 6 event types")
        ),
        "sub_event_type": col(
            "sub_event_type",
            pa.Check.isin(list(schema.SUB_EVENT_TYPES), error="not one of ACLED's 25 sub-event types"),
        ),
        "latitude": col("latitude", _in_range(b["min_lat"], b["max_lat"], "latitude outside Mali")),
        "longitude": col("longitude", _in_range(b["min_lon"], b["max_lon"], "longitude outside Mali")),
        "fatalities": col("fatalities", pa.Check.ge(0, error="negative")),
    }
    for name in schema.CANONICAL_COLUMNS:
        columns.setdefault(name, col(name))
    cross = [
        pa.Check(
            lambda d: d["end_date"].isna() | d["event_date"].isna() | (d["end_date"] >= d["event_date"]),
            error="end_date: before event_date",
        ),
        pa.Check(
            lambda d: (
                d["sub_event_type"].isna()
                | d["event_type"].isna()
                | d["sub_event_type"].map(schema.PARENT_TYPE).eq(d["event_type"]).fillna(True)
            ),
            error="sub_event_type: does not belong to event_type",
        ),
    ]
    if curated:
        cross.append(
            pa.Check(
                lambda d: d["source_date"].notna() | d["source_url"].notna(),
                error="source_date: empty, and no source_url either (a curated source needs one of them)",
            )
        )
    return pa.DataFrameSchema(columns, checks=cross, coerce=False)


def _rule_failures(
    typed: pd.DataFrame, curated: bool, today: dt.date, earliest: str = schema.EARLIEST_DATE
) -> pd.DataFrame:
    """pandera failure cases -> (index, column, reason)."""
    try:
        _rules_schema(today, curated, earliest).validate(typed, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    else:
        return pd.DataFrame(columns=["index", "column", "reason"])
    cases = cases[cases["index"].notna()].copy()
    reason = cases["check"].astype("str")
    reason = reason.replace(
        {"not_nullable": "is empty", "field_uniqueness": "duplicate (an earlier row has it)"}
    )
    # Dataframe-wide checks name their column in the message ("end_date: ..."): use that one.
    named = reason.str.contains(": ", regex=False)
    cases["column"] = cases["column"].where(~named, reason.str.split(": ", n=1).str[0])
    cases["reason"] = reason.where(~named, reason.str.split(": ", n=1).str[1])
    return cases[["index", "column", "reason"]].drop_duplicates()


def _swapped_hint(typed: pd.DataFrame, index: Iterable[object]) -> pd.Series:
    """For rows outside Mali, say when swapping latitude and longitude would put them inside."""
    b = schema.MALI_BOUNDS
    rows = typed.loc[list(index)]
    inside_if_swapped = rows["longitude"].between(b["min_lat"], b["max_lat"]) & rows["latitude"].between(
        b["min_lon"], b["max_lon"]
    )
    return inside_if_swapped


# --- entry point ---------------------------------------------------------------------------


def validate(
    raw: pd.DataFrame,
    file: str,
    *,
    dataset: str | None = None,
    curated: bool = False,
    today: dt.date | None = None,
    earliest: str = schema.EARLIEST_DATE,
    date_order: str | None = None,
    decimal_comma: bool = False,
    unreadable: dict[int, str] | None = None,
) -> ValidationResult:
    """Check a frame of strings in canonical column names; return typed valid rows and rejects.

    ``raw``'s index holds the source row numbers. ``dataset`` fills the dataset column where a
    file does not say it. Curated rows must also carry precision codes, notes and a dated, titled source.
    ``earliest`` is the first date accepted: a source covering earlier years (UCDP GED) passes its own.
    ``date_order`` (dmy or mdy) reads day/month/year numbers; ``decimal_comma`` reads 14,1 as 14.1.
    ``unreadable``: rows the reader could not split into fields (row -> reason), rejected here too.
    """
    today = today or dt.date.today()
    missing = [c for c in schema.REQUIRED_COLUMNS if c not in raw.columns]
    if missing:
        report = pd.DataFrame(
            {
                "file": file,
                "row": pd.array([pd.NA] * len(missing), dtype="Int64"),
                "column": missing,
                "value": "",
                "reason": "required column is missing (required: " + ", ".join(schema.REQUIRED_COLUMNS) + ")",
            }
        )
        rejected = raw.drop(columns=list(REJECTED_EXTRA_COLUMNS), errors="ignore")
        rejected.insert(0, "row", rejected.index)  # the same layout as rows rejected one by one
        rejected["rejection_reasons"] = "file is missing required columns: " + ", ".join(missing)
        return ValidationResult(_empty_typed(), report, rejected.reset_index(drop=True), len(raw))

    typed, parse_problems, notices = parse(raw, date_order, decimal_comma)
    lines: list[pd.DataFrame] = [
        pd.DataFrame(
            {
                "index": typed.index[p.mask.to_numpy()],
                "column": p.column,
                "reason": p.reason if isinstance(p.reason, str) else p.reason[p.mask].to_numpy(),
            }
        )
        for p in parse_problems
        if p.mask.any()
    ]
    parse_failed = pd.concat(lines, ignore_index=True) if lines else None
    rules = _rule_failures(typed, curated, today, earliest)
    if parse_failed is not None:  # an unreadable value is reported once, not again as "is empty"
        seen = pd.MultiIndex.from_frame(parse_failed[["index", "column"]])
        rules = rules[~pd.MultiIndex.from_frame(rules[["index", "column"]]).isin(seen)]
    found = pd.concat([*lines, rules], ignore_index=True)

    outside = found["reason"].isin(["latitude outside Mali", "longitude outside Mali"])
    if outside.any():
        swapped = _swapped_hint(typed, found.loc[outside, "index"]).to_numpy()
        found.loc[found.index[outside][swapped], "reason"] += " (latitude and longitude look swapped)"

    report = _report(found, raw, file)
    bad_index = pd.Index(found["index"].unique())
    good = ~typed.index.isin(bad_index)
    valid = typed[good]
    if dataset is not None:
        valid = valid.assign(dataset=valid["dataset"].fillna(dataset))
    rejected = raw.loc[~good].drop(columns=list(REJECTED_EXTRA_COLUMNS), errors="ignore")
    reasons = (report["column"] + ": " + report["reason"]).groupby(report["row"]).agg("; ".join)
    rejected.insert(0, "row", rejected.index)
    rejected["rejection_reasons"] = rejected["row"].map(reasons)
    if unreadable:
        rows = pd.array(list(unreadable), dtype="Int64")
        unsplit_lines = pd.DataFrame(
            {"file": file, "row": rows, "column": "row", "value": "", "reason": list(unreadable.values())}
        )
        report = pd.concat([report, unsplit_lines], ignore_index=True).sort_values("row", kind="stable")
        unsplit = pd.DataFrame({"row": rows, "rejection_reasons": "row: " + unsplit_lines["reason"]})
        rejected = pd.concat([rejected, unsplit], ignore_index=True).sort_values("row", kind="stable")
    return ValidationResult(
        schema.coerce(valid),
        report.reset_index(drop=True),
        rejected.reset_index(drop=True),
        len(raw) + len(unreadable or {}),
        tuple(notices),
    )


def _report(found: pd.DataFrame, raw: pd.DataFrame, file: str) -> pd.DataFrame:
    if found.empty:
        return empty_report()
    found = found.sort_values(["index", "column"], kind="stable")
    # The offending values, column by column (a lookup per cell costs seconds for 100,000 bad rows).
    values = pd.Series("", index=found.index, dtype="object")
    for column, where in found.groupby("column", sort=False).groups.items():
        if column in raw.columns:
            given = raw[column].reindex(found.loc[where, "index"]).astype("str")
            values[where] = given.str.slice(0, MAX_VALUE_IN_REPORT).fillna("").to_numpy()
    return pd.DataFrame(
        {
            "file": file,
            "row": pd.array(found["index"].astype("int64"), dtype="Int64"),
            "column": found["column"].astype("str").to_numpy(),
            "value": values.to_numpy(),
            "reason": found["reason"].astype("str").to_numpy(),
        }
    )


def _empty_typed() -> pd.DataFrame:
    typed, _, _ = parse(pd.DataFrame(columns=list(schema.CANONICAL_COLUMNS), dtype="str"))
    return schema.coerce(typed)
