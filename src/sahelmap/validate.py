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
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pandera.pandas as pa

from sahelmap import schema

REPORT_COLUMNS = ("file", "row", "column", "value", "reason")
# Dates we read, tried in order. ISO first: it is the canonical form and is never ambiguous.
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%m-%Y", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y")
# Named exactly as DATE_FORMATS reads them: a day-first 12/03/2022 is 12 March; month-first only with
# a time (UCDP's download page).
DATE_FORMATS_HUMAN = "YYYY-MM-DD, '01 March 2023', DD-MM-YYYY, DD/MM/YYYY or MM/DD/YYYY HH:MM:SS"
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
    """Strip, and treat empty strings as missing.

    A column with nothing to strip and nothing empty (notes, ids) is returned as it is, sharing its
    memory with the input: a million-row import then holds its long texts once, not twice.
    """
    text = values.astype("str")
    stripped = text.str.strip()
    keep = stripped.ne("") & values.notna()
    if keep.all() and stripped.eq(text).all():
        return text
    return stripped.where(keep)


def parse_dates(text: pd.Series) -> pd.Series:
    """Parse each distinct string once (event tables repeat dates a lot) in the accepted formats."""
    codes, uniques = pd.factorize(text)
    distinct = pd.Series(uniques, dtype="str")
    parsed = pd.Series(pd.NaT, index=distinct.index, dtype="datetime64[ns]")
    for fmt in DATE_FORMATS:
        todo = parsed.isna()
        if not todo.any():
            break
        parsed[todo] = pd.to_datetime(distinct[todo], format=fmt, errors="coerce")
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
    reason: str


def parse(raw: pd.DataFrame) -> tuple[pd.DataFrame, list[_ParseProblem]]:
    """Strings -> typed canonical columns; unreadable values become NA and a problem."""
    typed: dict[str, pd.Series] = {}
    problems: list[_ParseProblem] = []
    for column, kind in schema.COLUMN_KINDS.items():
        text = _clean_text(raw[column]) if column in raw else pd.Series(pd.NA, index=raw.index, dtype="str")
        given = text.notna()
        if kind in ("text", "category"):
            typed[column] = text
        elif kind == "date":
            typed[column] = parse_dates(text)
            bad = given & typed[column].isna()
            problems.append(_ParseProblem(column, bad, f"not a date (accepted: {DATE_FORMATS_HUMAN})"))
        elif kind in ("int", "float"):
            number = pd.to_numeric(text, errors="coerce")
            problems.append(_ParseProblem(column, given & number.isna(), "not a number"))
            if kind == "int":
                fractional = number.notna() & (number != np.floor(number))
                problems.append(_ParseProblem(column, fractional, "not a whole number"))
                number = number.where(~fractional)
                typed[column] = number.astype("Float64").astype("Int64")
            else:
                typed[column] = number.astype("float64")
        elif kind == "bool":
            flag = _parse_bool(text)
            problems.append(_ParseProblem(column, given & flag.isna(), "not true/false"))
            typed[column] = flag
    return pd.DataFrame(typed, index=raw.index), problems


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
) -> ValidationResult:
    """Check a frame of strings in canonical column names; return typed valid rows and rejects.

    ``raw``'s index holds the source row numbers. ``dataset`` fills the dataset column where a
    file does not say it. Curated rows must also carry precision codes, notes and a dated, titled source.
    ``earliest`` is the first date accepted: a source covering earlier years (UCDP GED) passes its own.
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

    typed, parse_problems = parse(raw)
    lines: list[pd.DataFrame] = [
        pd.DataFrame({"index": typed.index[p.mask.to_numpy()], "column": p.column, "reason": p.reason})
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
    return ValidationResult(schema.coerce(valid), report, rejected.reset_index(drop=True), len(raw))


def _report(found: pd.DataFrame, raw: pd.DataFrame, file: str) -> pd.DataFrame:
    if found.empty:
        return empty_report()
    found = found.sort_values(["index", "column"], kind="stable")
    values = [
        str(raw.at[i, c])[:MAX_VALUE_IN_REPORT] if c in raw.columns and pd.notna(raw.at[i, c]) else ""
        for i, c in zip(found["index"], found["column"], strict=True)
    ]
    return pd.DataFrame(
        {
            "file": file,
            "row": pd.array(found["index"].astype("int64"), dtype="Int64"),
            "column": found["column"].astype("str").to_numpy(),
            "value": values,
            "reason": found["reason"].astype("str").to_numpy(),
        }
    )


def _empty_typed() -> pd.DataFrame:
    typed, _ = parse(pd.DataFrame(columns=list(schema.CANONICAL_COLUMNS), dtype="str"))
    return schema.coerce(typed)
