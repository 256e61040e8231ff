"""One place where rows become trusted events: parse strings to types, check every rule, keep rejects.

Two stages, because they fail differently:
1. parsing (``parse``): strings -> typed columns. A value that cannot be read ("31 February",
   "12,5 N") becomes a rejection naming the formats we accept.
2. rules (``rules``, one ``Rule`` each: column, boolean mask, reason): ranges, vocabularies, uniqueness,
   the cross-column rules and the point against Mali's outline, each one vectorised mask over the typed
   frame, so a file of a million bad cells costs a million booleans per rule, not a million objects.

Row numbers are spreadsheet rows: the header is row 1, the first event row 2. Readers put the row
number in the frame's index, so a file with multi-line quoted fields still reports true rows.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sahelmap import geography, i18n, schema
from sahelmap.i18n import N_, _
from sahelmap.ingest import textfile
from sahelmap.text import shown

REPORT_COLUMNS = ("file", "row", "column", "value", "reason")
# Dates we read besides day/month/year numbers (NUMERIC_DATE). ISO first: the canonical form, never ambiguous.
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%Y-%m-%d %H:%M:%S")
# 12/03/2022, 12-03-2022, 12.03.2022, with or without a time: day-first or month-first, one order per
# file (date_evidence per chunk, settle_date_order for the file), never guessed value by value.
NUMERIC_DATE = r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[ T](\d{1,2}:\d{2}(?::\d{2})?))?$"
DATE_ORDERS = ("dmy", "mdy")
# An Excel serial day number (the cell's date lost its format): 5 digits are the years 1927 to 2173.
EXCEL_SERIAL = r"^\d{5}$"
EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # serial 1 is 1900-01-01, counting Excel's 29 February 1900
DATE_FORMATS_HUMAN = N_(
    "YYYY-MM-DD, '01 March 2023', DD/MM/YYYY or MM/DD/YYYY (one order per file, see --date-order), "
    "or an Excel day number"
)
# Words spreadsheets and databases write for "no value": read as empty, and counted in a notice.
MISSING_WORDS = frozenset({"na", "n/a", "null", "#n/a"})
MISSING_WORDS_ARROW = pa.array(sorted(MISSING_WORDS))
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
    """Typed valid rows, and the rejected rows with one report line per problem (``rejections``)."""

    valid: pd.DataFrame
    rejections: Rejections
    rows_read: int
    notices: tuple[str, ...] = ()  # what reading changed, said (NA read as empty, decimal commas, ...)

    @property
    def report(self) -> pd.DataFrame:
        """One line per problem (file, row, column, value, reason). Built on each use: for a look at the
        first lines of a large file, ``rejections.report(limit)``."""
        return self.rejections.report()

    @property
    def rejected(self) -> pd.DataFrame:
        """The rejected rows as the user gave them, with ``row`` and ``rejection_reasons``; built on each
        use."""
        return self.rejections.rejected()

    @property
    def n_rejected(self) -> int:
        return self.rejections.n_rejected

    def file_errors(self) -> pd.DataFrame:
        """Problems with the file as a whole (no row), such as missing columns."""
        lines = self.rejections.file_lines
        return lines[lines["row"].isna()]


def empty_report() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "row" else "str") for c in REPORT_COLUMNS})


# --- parsing -------------------------------------------------------------------------------


def _clean_text(values: pd.Series) -> pd.Series:
    """Strip, and treat empty strings and missing-value words (NA, N/A, null, #N/A) as missing.

    A column with nothing to strip and nothing empty (notes, ids) is returned as it is, sharing its
    memory with the input: a million-row import then holds its long texts once, not twice.
    """
    return _cleaned(values)[0]


def _cleaned(values: pd.Series) -> tuple[pd.Series, int]:
    """``_clean_text``, and how many values were missing-value words. In Arrow compute on the column's
    Arrow text (what pandas' string methods call one by one), without a pandas Series at each step."""
    text = values.astype("str")
    given = pa.array(text.array)
    if not len(given):
        return text, 0
    stripped = pc.utf8_trim_whitespace(given)
    # The longest word is 4 characters: only those are taken and lower-cased (a long note is not copied:
    # pc.if_else would allocate a buffer the size of the whole column).
    short = np.flatnonzero(pc.fill_null(pc.less_equal(pc.utf8_length(stripped), 4), False).to_numpy(False))
    lowered = pc.utf8_lower(stripped.take(pa.array(short, pa.int64())))
    word = np.zeros(len(given), dtype=bool)
    word[short[pc.is_in(lowered, value_set=MISSING_WORDS_ARROW).to_numpy(False)]] = True
    keep = pc.and_(pc.fill_null(pc.not_equal(stripped, ""), False), pa.array(~word))
    words = int(word.sum())
    # Stripping only removes characters: the same length in bytes is the same text.
    if pc.all(keep).as_py() and pc.all(pc.equal(pc.binary_length(stripped), pc.binary_length(given))).as_py():
        return text, words
    cleaned = pc.if_else(keep, stripped, pa.scalar(None, stripped.type))
    cleaned_text = pd.arrays.ArrowStringArray(cleaned, dtype=ARROW_TEXT)
    return pd.Series(cleaned_text, index=values.index, name=values.name), words


# Every Unicode format character (category Cf: zero-width spaces, joiners, tags), in the syntax of Arrow's
# regex engine (RE2), which pandas' Arrow-backed strings use: no class of ~170 characters to build first.
FORMAT_CHARACTER = r"\p{Cf}"
ARROW_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # the "str" dtype, said to be Arrow's


def _numeric_dates(text: pd.Series) -> pd.DataFrame:
    """The parts of day/month/year numbers: columns a, b (the first two numbers), year, time."""
    parts = text.str.extract(NUMERIC_DATE)
    parts.columns = ["a", "b", "year", "time"]
    return parts


DateEvidence = dict[str, tuple[object, str]]  # "dmy"|"mdy"|"ambiguous" -> (row, value) first showing it


def date_evidence(column: pd.Series) -> DateEvidence:
    """What one column's values say of the date order: for each kind, the earliest row showing it.

    A value such as 28/02/2019 can only be day-first ("dmy"), 2/28/2019 only month-first ("mdy");
    3/1/2023 could be either ("ambiguous").
    """
    evidence: DateEvidence = {}
    text = column.dropna().astype("str").str.strip()
    # Each distinct value once (a column repeats its dates), in the order of its first row.
    codes, distinct = pd.factorize(text)
    _, first = np.unique(codes, return_index=True)
    parts = _numeric_dates(pd.Series(distinct, dtype="str")).dropna(subset=["a"])
    if parts.empty:
        return evidence
    a, b = parts["a"].astype("int64"), parts["b"].astype("int64")
    kinds = {
        "dmy": (a > 12) & (b <= 12),
        "mdy": (b > 12) & (a <= 12),
        "ambiguous": (a <= 12) & (b <= 12) & (a != b),
    }
    for kind, mask in kinds.items():
        if mask.any():
            at = int(first[parts.index[mask.to_numpy()]].min())  # the earliest row showing it
            evidence[kind] = (text.index[at], text.iloc[at])
    return evidence


def settle_date_order(
    per_column: Iterable[DateEvidence], given: str | None
) -> tuple[str | None, DateEvidence]:
    """The file's date order (dmy or mdy) and the evidence, from each date column's (in column order):
    a kind is shown by the first column that has it. ``given`` (--date-order) wins; otherwise the order
    is None when the values settle nothing."""
    evidence: DateEvidence = {}
    for found in per_column:
        for kind, where in found.items():
            evidence.setdefault(kind, where)
    if given is not None:
        return given, evidence
    settled = [k for k in DATE_ORDERS if k in evidence]
    return (settled[0] if len(settled) == 1 else None), evidence


def _as_ns(parsed: pd.Series) -> pd.Series:
    """Dates in nanoseconds, the table's unit. One beyond what it holds (before 1678, after 2262, such as
    "3000-01-01") becomes the nearest it holds, which the date rule then rejects with its true reason."""
    values = np.asarray(parsed.to_numpy(), dtype="datetime64[us]")  # NaT stays NaT
    held = np.clip(values, np.datetime64("1678-01-01", "us"), np.datetime64("2262-04-11", "us"))
    return pd.Series(held.astype("datetime64[ns]"), index=parsed.index)


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
        parsed[todo] = _as_ns(pd.to_datetime(distinct[todo], format=fmt, errors="coerce"))
    parts = _numeric_dates(distinct.where(parsed.isna())).dropna(subset=["a"])
    if len(parts):
        same = parts["a"].astype("int64") == parts["b"].astype("int64")
        day, month = (parts["a"], parts["b"]) if order != "mdy" else (parts["b"], parts["a"])
        iso = parts["year"] + "-" + month.str.zfill(2) + "-" + day.str.zfill(2)
        iso = (iso + " " + parts["time"].fillna("00:00")).where(same | (order is not None))
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
            todo = parsed[parts.index].isna() & iso.notna()
            parsed[todo[todo].index] = _as_ns(pd.to_datetime(iso[todo], format=fmt, errors="coerce"))
    serial = distinct.where(parsed.isna()).str.fullmatch(EXCEL_SERIAL).fillna(False).astype("bool")
    if serial.any():
        parsed[serial] = EXCEL_EPOCH + pd.to_timedelta(distinct[serial].astype("int64"), unit="D")
    values = np.append(parsed.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))
    return pd.Series(values[codes], index=text.index)  # code -1 (missing) picks the NaT at the end


def _numbers(text: pd.Series) -> pd.Series:
    """Strings -> float64 (NaN where unreadable), each distinct string read once."""
    codes, distinct = pd.factorize(text)
    read = pd.to_numeric(pd.Series(distinct, dtype="str"), errors="coerce").to_numpy(dtype="float64")
    return pd.Series(np.append(read, np.nan)[codes], index=text.index)  # code -1 (missing) picks the NaN


def _numeric_text(text: pd.Series, where: pd.Series) -> pd.Series:
    """Whether each value (among ``where``) is written as a number, each distinct value matched once."""
    out = pd.Series(False, index=text.index)
    if where.any():
        codes, distinct = pd.factorize(text[where])
        matched = pd.Series(distinct, dtype="str").str.fullmatch(NUMBER_TEXT, na=False).to_numpy(dtype=bool)
        out[where.to_numpy(dtype=bool)] = np.append(matched, False)[codes]
    return out


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
# Reasons are stored in English (reports on disk, the CLI); the page shows them in its language through
# i18n.translate_built, which needs the templates of the reasons that carry values.
TOO_MANY_DEATHS = N_("more than {n} deaths in one event (sahelmap's bound for one event)")
TIMESTAMP_OUTSIDE = N_("timestamp outside {low}..{high} (Unix seconds from 1970 to 2100)")
NOT_A_DATE = N_("not a date (accepted: {formats})")
DATE_OUTSIDE = N_("date outside {first}..{last}")
FOREIGN = N_("country is {value}, not {country}")
SWAPPED = N_("{reason} (latitude and longitude look swapped)")
MISSING_COLUMN = N_("required column is missing (required: {columns})")
INT_BOUNDS: dict[str, tuple[float, float, str]] = {
    "fatalities": (
        -SAFE_INTEGER,  # below zero is "negative", a rule
        schema.MAX_FATALITIES_PER_EVENT,
        TOO_MANY_DEATHS.format(n=f"{schema.MAX_FATALITIES_PER_EVENT:,}"),
    ),
    "timestamp": (
        *schema.TIMESTAMP_BOUNDS,
        TIMESTAMP_OUTSIDE.format(low=schema.TIMESTAMP_BOUNDS[0], high=schema.TIMESTAMP_BOUNDS[1]),
    ),
}
NUMBER_TEXT = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
DECIMAL_COMMA = r"^([+-]?\d+),(\d+)$"


def parse(
    raw: pd.DataFrame, date_order: str | None = None, decimal_comma: bool = False
) -> tuple[pd.DataFrame, list[_ParseProblem], dict[str, int]]:
    """Strings -> typed canonical columns; unreadable values become NA and a problem; plus counts of
    what reading changed (``reading_notices`` says them)."""
    typed: dict[str, pd.Series] = {}
    problems: list[_ParseProblem] = []
    counts = {"missing": 0, "format": 0, "comma": 0}
    dates: dict[str, pd.Series] = {}
    for column, kind in schema.COLUMN_KINDS.items():
        given_text = raw[column] if column in raw else pd.Series(pd.NA, index=raw.index, dtype="str")
        text, words = _cleaned(given_text)
        counts["missing"] += words
        if column in NORMALISED_COLUMNS and text.notna().any():
            arrow_text = text.astype(ARROW_TEXT)
            invisible = arrow_text.str.contains(FORMAT_CHARACTER, regex=True, na=False)
            if invisible.any():
                counts["format"] += int(invisible.sum())
                text = text.mask(invisible, arrow_text.str.replace(FORMAT_CHARACTER, "", regex=True))
        given = text.notna()
        if kind in ("text", "category"):
            typed[column] = text
        elif kind == "date":  # read below, every date column at once
            typed[column], dates[column] = text, text
        elif kind in ("int", "float"):
            if decimal_comma:
                comma = text.str.match(DECIMAL_COMMA, na=False)
                counts["comma"] += int(comma.sum())
                text = text.mask(comma, text.str.replace(DECIMAL_COMMA, r"\1.\2", regex=True))
            number = _numbers(text)
            unread = given & number.isna()
            too_long = unread & _numeric_text(text, unread)  # beyond any float (5,000 digits)
            problems.append(_ParseProblem(column, unread & ~too_long, N_("not a number")))
            problems.append(_ParseProblem(column, too_long, N_("too many digits")))
            problems.append(_ParseProblem(column, np.isinf(number), N_("not a finite number")))
            number = number.where(np.isfinite(number))
            if kind == "int":
                low, high, reason = INT_BOUNDS.get(column, (-SAFE_INTEGER, SAFE_INTEGER, N_("too large")))
                outside = number.notna() & ~number.between(low, high)
                problems.append(_ParseProblem(column, outside, reason))
                fractional = number.notna() & (number != np.floor(number))
                problems.append(_ParseProblem(column, fractional, N_("not a whole number")))
                number = number.where(~fractional & ~outside)
                typed[column] = number.astype("Float64").astype("Int64")
            else:
                typed[column] = number
        elif kind == "bool":
            flag = _parse_bool(text)
            problems.append(_ParseProblem(column, given & flag.isna(), N_("not true/false")))
            typed[column] = flag
    if dates:
        # The date columns' values read in one call: parse_dates reads each distinct value once, and its
        # cost on a chunk is mostly fixed (a dozen pandas calls), not per value.
        read = parse_dates(pd.concat(dates.values(), ignore_index=True), date_order).to_numpy()
        start = 0
        for column, text in dates.items():
            typed[column] = pd.Series(read[start : start + len(text)], index=text.index)
            start += len(text)
            bad = text.notna() & typed[column].isna()
            problems.append(_ParseProblem(column, bad, NOT_A_DATE.format(formats=DATE_FORMATS_HUMAN)))
    if "country" in raw:  # not stored: a row naming another country is not a Mali event
        country = _clean_text(raw["country"])
        foreign = country.notna() & country.str.casefold().ne(schema.COUNTRY.casefold())
        reason = country.map(
            lambda v: FOREIGN.format(value=shown(v, MAX_VALUE_IN_REPORT), country=schema.COUNTRY)
        )
        problems.append(_ParseProblem("country", foreign, reason))
    return pd.DataFrame(typed, index=raw.index), problems, counts


def reading_notices(counts: dict[str, int]) -> list[str]:
    """What ``parse`` changed, in words: counts summed over a file's chunks."""
    counts = {"missing": 0, "format": 0, "comma": 0} | counts
    notices = []  # in the current language (the page reads a file in its own; the CLI in English)
    if counts["missing"]:
        notices.append(
            _("{n} values NA, N/A, null or #N/A read as empty").format(n=i18n.number(counts["missing"]))
        )
    if counts["format"]:
        notices.append(
            _(
                "{n} ids or names held invisible format characters (such as a zero-width space), removed"
            ).format(n=i18n.number(counts["format"]))
        )
    if counts["comma"]:
        notices.append(
            _("{n} numbers with a decimal comma read as decimals (14,1 = 14.1)").format(
                n=i18n.number(counts["comma"])
            )
        )
    return notices


# --- rules ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One rule a typed row must meet: where ``fails`` is True, the row is rejected with ``reason`` on
    ``column``. A rule's mask is False where its value is missing (emptiness is a rule of its own)."""

    column: str
    fails: Callable[[pd.DataFrame], pd.Series]
    reason: str


EMPTY = N_("is empty")
DUPLICATE = N_("duplicate (an earlier row has it)")
# The pseudo-column of rules about the point as a whole; the report shows "latitude, longitude" as its value.
COORDINATES = "latitude, longitude"
OUTSIDE_BOX = (N_("latitude outside Mali"), N_("longitude outside Mali"))


def _outside(column: str, low: float | pd.Timestamp, high: float | pd.Timestamp) -> Callable[..., pd.Series]:
    return lambda d: d[column].notna() & ~d[column].between(low, high)


def _empty(column: str) -> Callable[..., pd.Series]:
    return lambda d: d[column].isna()


def _not_in(column: str, allowed: Iterable[object]) -> Callable[..., pd.Series]:
    values = list(allowed)
    return lambda d: d[column].notna() & ~d[column].isin(values)


def _in_box(d: pd.DataFrame) -> pd.Series:
    b = schema.MALI_BOUNDS
    return d["latitude"].between(b["min_lat"], b["max_lat"]) & d["longitude"].between(
        b["min_lon"], b["max_lon"]
    )


def _outside_outline(d: pd.DataFrame) -> pd.Series:
    """Points inside the bounding box but farther than the tolerance from Mali's polygon (geography.py).
    Each distinct point is checked once: event tables repeat coordinates a lot."""
    candidates = _in_box(d)
    out = pd.Series(False, index=d.index)
    if not candidates.any():
        return out
    points = d.loc[candidates, ["latitude", "longitude"]]
    codes, distinct = pd.factorize(pd.MultiIndex.from_frame(points))
    lat = pd.Series(distinct.get_level_values(0), dtype="float64")
    lon = pd.Series(distinct.get_level_values(1), dtype="float64")
    out[candidates.to_numpy()] = geography.outside_mali(lat, lon)[codes]
    return out


@functools.cache
def rules(today: dt.date, curated: bool, earliest: str = schema.EARLIEST_DATE) -> tuple[Rule, ...]:
    """Every rule a typed row must meet, in report order (cross-column rules first). Built once per day."""
    b = schema.MALI_BOUNDS
    first, latest = pd.Timestamp(earliest), pd.Timestamp(today)
    date_reason = DATE_OUTSIDE.format(first=earliest, last=today.isoformat())
    required = set(schema.REQUIRED_COLUMNS) | (set(schema.CURATED_REQUIRED) if curated else set())
    cross = [
        Rule(
            "end_date",
            lambda d: d["end_date"].notna() & d["event_date"].notna() & (d["end_date"] < d["event_date"]),
            N_("before event_date"),
        ),
        Rule(
            "sub_event_type",
            lambda d: (
                d["sub_event_type"].notna()
                & d["event_type"].notna()
                & d["sub_event_type"].map(schema.PARENT_TYPE).ne(d["event_type"]).fillna(False)
            ),
            N_("does not belong to event_type"),
        ),
    ]
    if curated:
        cross.append(
            Rule(
                "source_date",
                lambda d: d["source_date"].isna() & d["source_url"].isna(),
                N_("empty, and no source_url either (a curated source needs one of them)"),
            )
        )
    checks: dict[str, list[tuple[Callable[..., pd.Series], str]]] = {
        "event_id": [(lambda d: d["event_id"].notna() & d["event_id"].duplicated(keep="first"), DUPLICATE)],
        **{c: [(_outside(c, first, latest), date_reason)] for c in ("event_date", "end_date", "source_date")},
        "time_precision": [(_not_in("time_precision", schema.TIME_PRECISION), N_("not 1, 2 or 3"))],
        "geo_precision": [(_not_in("geo_precision", schema.GEO_PRECISION), N_("not 1, 2 or 3"))],
        "event_type": [(_not_in("event_type", schema.EVENT_TYPES), N_("not one of ACLED's 6 event types"))],
        "sub_event_type": [
            (_not_in("sub_event_type", schema.SUB_EVENT_TYPES), N_("not one of ACLED's 25 sub-event types"))
        ],
        "latitude": [(_outside("latitude", b["min_lat"], b["max_lat"]), OUTSIDE_BOX[0])],
        "longitude": [(_outside("longitude", b["min_lon"], b["max_lon"]), OUTSIDE_BOX[1])],
        "fatalities": [(lambda d: d["fatalities"].notna() & d["fatalities"].lt(0), N_("negative"))],
    }
    per_column = [Rule(name, _empty(name), EMPTY) for name in schema.CANONICAL_COLUMNS if name in required]
    per_column += [Rule(name, fails, reason) for name, found in checks.items() for fails, reason in found]
    order = {name: i for i, name in enumerate(schema.CANONICAL_COLUMNS)}
    per_column.sort(key=lambda r: order[r.column])  # stable: emptiness first, then the column's checks
    # Last, the point against Mali's outline (only points inside the box get there).
    return (*cross, *per_column, Rule(COORDINATES, _outside_outline, geography.OUTSIDE_REASON))


def _swapped(typed: pd.DataFrame) -> np.ndarray:
    """Rows that swapping latitude and longitude would put inside Mali's box."""
    b = schema.MALI_BOUNDS
    inside_if_swapped = typed["longitude"].between(b["min_lat"], b["max_lat"]) & typed["latitude"].between(
        b["min_lon"], b["max_lon"]
    )
    return inside_if_swapped.to_numpy(dtype=bool)


def _name(names: dict[str, int], code: int) -> str:
    return next(name for name, c in names.items() if c == code)


class _Found:
    """Every problem found, as integer codes: the row, its column and its reason (each named once).

    A file of a million bad cells then costs a few arrays of integers, not millions of strings.
    """

    def __init__(self) -> None:
        self.rows: list[np.ndarray] = []
        self.columns: list[np.ndarray] = []
        self.reasons: list[np.ndarray] = []
        self.column_names: dict[str, int] = {}
        self.reason_texts: dict[str, int] = {}

    def _code(self, names: dict[str, int], name: str) -> int:
        return names.setdefault(name, len(names))

    def add(self, rows: np.ndarray, column: str, reason: str | np.ndarray) -> None:
        if not len(rows):
            return
        self.rows.append(np.asarray(rows, dtype="int64"))
        self.columns.append(np.full(len(rows), self._code(self.column_names, column), dtype="int16"))
        if isinstance(reason, str):
            self.reasons.append(np.full(len(rows), self._code(self.reason_texts, reason), dtype="int32"))
        else:  # one reason per row (the country each names): each distinct text coded once
            codes, distinct = pd.factorize(pd.Series(reason, dtype="str"))
            lookup = np.array([self._code(self.reason_texts, str(t)) for t in distinct], dtype="int32")
            self.reasons.append(lookup[codes])

    def sorted(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """rows, column codes, reason codes, by row, then column name; ties keep the order found."""
        if not self.rows:
            empty = np.array([], dtype="int64")
            return empty, empty.astype("int16"), empty.astype("int32")
        names = sorted(self.column_names)
        # Chunks in column-name order (stable), then a stable sort by row: each chunk's rows ascend, so the
        # sort merges a few dozen sorted runs instead of sorting millions of keys.
        chunks = sorted(
            range(len(self.rows)), key=lambda i: names.index(_name(self.column_names, self.columns[i][0]))
        )
        rows = np.concatenate([self.rows[i] for i in chunks])
        self.rows = []
        order = np.argsort(rows, kind="stable")
        rows = rows[order]
        columns = np.concatenate([self.columns[i] for i in chunks])[order]
        reasons = np.concatenate([self.reasons[i] for i in chunks])[order]
        self.columns, self.reasons = [], []
        return rows, columns, reasons


def _problems(
    typed: pd.DataFrame,
    parse_problems: list[_ParseProblem],
    curated: bool,
    today: dt.date,
    earliest: str,
    unreadable: dict[int, str],
    seen_before: np.ndarray | None = None,
) -> _Found:
    """Every problem of a chunk. ``seen_before``: the rows whose event_id an earlier chunk has."""
    found = _Found()
    rows = typed.index.to_numpy(dtype="int64")
    unread: dict[str, np.ndarray] = {}
    for p in parse_problems:
        mask = p.mask.to_numpy(dtype=bool)
        unread[p.column] = unread.get(p.column, np.zeros(len(typed), bool)) | mask
        found.add(rows[mask], p.column, p.reason if isinstance(p.reason, str) else p.reason.to_numpy()[mask])
    swapped: np.ndarray | None = None
    for rule in rules(today, curated, earliest):
        fails = np.asarray(rule.fails(typed), dtype=bool)
        if rule.reason == DUPLICATE and seen_before is not None:
            fails = fails | seen_before
        if rule.column in unread:  # an unreadable value is reported once, not again as "is empty"
            fails = fails & ~unread[rule.column]
        if rule.reason in OUTSIDE_BOX and fails.any():
            swapped = _swapped(typed) if swapped is None else swapped
            found.add(rows[fails & ~swapped], rule.column, rule.reason)
            found.add(rows[fails & swapped], rule.column, SWAPPED.format(reason=rule.reason))
        else:
            found.add(rows[fails], rule.column, rule.reason)
    if unreadable:
        found.add(np.array(list(unreadable), dtype="int64"), "row", np.array(list(unreadable.values())))
    return found


def _text_of(table: pa.Table, column: str, positions: np.ndarray) -> pd.Series:
    """Values of a column of held rows, as the user gave them ("" where none)."""
    if column not in table.column_names:
        return pd.Series("", index=range(len(positions)), dtype="str")
    values = table.column(column).take(pa.array(positions, type=pa.int64())).to_pandas(types_mapper=_TEXT)
    return values.fillna("").astype("str")


_TEXT = {pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get


# Rejected rows repeat a lot (and their offsets grow steadily): zstd holds 50 MB of bad rows in 24 MB,
# LZ4 in 40 MB, in about the same time. Without it (a pyarrow built without zstd) they are held as they are.
PACKING = "zstd" if pa.Codec.is_available("zstd") else None


def _packed(table: pa.Table) -> pa.Buffer:
    """A table as compressed Arrow IPC."""
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression=PACKING)
    with pa.ipc.new_stream(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return sink.getvalue()


def _unpacked(packed: pa.Buffer) -> pa.Table:
    return pa.ipc.open_stream(packed).read_all()


class Rejections:
    """The rejected rows of one file and their problems, held compactly, built into frames on demand.

    A file of 50 MB whose every cell is bad has about 12 million problems: as a report frame (a line per
    problem, each naming its value) and a frame of the rejected rows, that is over a gigabyte. Held here
    instead: the rejected rows as the user gave them (Arrow text, compressed) and, per row,
    the code of its set of problems; each distinct set (its (column, reason) lines and its
    "column: reason; ..." text) is held once. The report's value is the row's own cell, so it is not
    held twice. ``report()`` and ``rejected()`` build the frames as before, with the same content.
    """

    def __init__(self, file: str, columns: Iterable[str] = ()) -> None:
        self.file = file
        self.columns = [c for c in columns if c not in REJECTED_EXTRA_COLUMNS]  # of the rejected rows
        self.file_lines = empty_report()  # problems of the file as a whole (no row)
        self._parts: list[tuple[pa.Buffer, np.ndarray]] = []  # rows (with "row"), packed; their set codes
        self._line_codes: dict[tuple[str, str], int] = {}  # (column, reason) -> line code
        self._sets: dict[tuple[tuple[int, ...], str], int] = {}  # (line codes, text) -> set code
        self._given: pd.DataFrame | None = None  # rejected rows given as a frame (of_frames)

    @classmethod
    def of_frames(cls, report: pd.DataFrame, rejected: pd.DataFrame) -> Rejections:
        """Rejections already held as frames (a report read back from the store, a test's)."""
        held = cls(str(report["file"].iloc[0]) if len(report) else "")
        held.file_lines, held._given = report.reset_index(drop=True), rejected
        return held

    @property
    def nbytes(self) -> int:
        """Bytes held for the rejected rows and their problems (their frames are built on demand)."""
        return sum(packed.size + codes.nbytes for packed, codes in self._parts)

    @property
    def n_rejected(self) -> int:
        given = 0 if self._given is None else len(self._given)
        return given + sum(len(codes) for _, codes in self._parts)

    def add(self, rows: pd.DataFrame, sets: list[ProblemSet], codes: np.ndarray) -> None:
        """Rejected rows (``row`` and the raw columns, in row order), each with the index in ``sets`` of
        its problems: (column, reason) lines in report order, and their text."""
        if not len(rows):
            return
        lookup = np.array(
            [
                self._sets.setdefault(
                    (tuple(self._line_codes.setdefault(line, len(self._line_codes)) for line in lines), text),
                    len(self._sets),
                )
                for lines, text in sets
            ],
            dtype="int32",
        )
        rows = rows.reindex(columns=["row", *self.columns])
        for column in self.columns:
            rows[column] = rows[column].astype("str")
        table = pa.Table.from_pandas(rows, preserve_index=False)
        # large_string (8-byte offsets, pandas' text) -> string (4-byte): half the offsets' memory.
        table = table.cast(
            pa.schema(
                [
                    pa.field(f.name, pa.string() if f.type == pa.large_string() else f.type)
                    for f in table.schema
                ]
            )
        )
        self._parts.append((_packed(table), lookup[codes]))

    def _set_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
        """Per set: its first line's index and its number of lines in ``lines``; every set's line codes,
        one after the other; the sets' texts."""
        keys = list(self._sets)
        lengths = np.array([len(lines) for lines, _ in keys], dtype="int64")
        starts = np.cumsum(lengths) - lengths
        lines = np.array([code for key, _ in keys for code in key], dtype="int64")
        return starts, lengths, lines, [text for _, text in keys]

    def rejected(self) -> pd.DataFrame:
        """The rejected rows as the user gave them: ``row``, their columns, ``rejection_reasons``."""
        if self._given is not None:
            return self._given
        if not self._parts:
            return pd.DataFrame(
                {"row": pd.Series(dtype="int64"), **{c: pd.Series(dtype="str") for c in self.columns}}
            ).assign(rejection_reasons=pd.Categorical([]))
        table = pa.concat_tables([_unpacked(t) for t, _ in self._parts])
        frame = table.to_pandas(types_mapper=_TEXT)
        _, _, _, texts = self._set_arrays()
        # Sets with the same text (a country's name can hold "; ") are one category.
        merged, categories = pd.factorize(pd.Series(texts, dtype="str"))
        codes = merged[np.concatenate([c for _, c in self._parts])]
        frame["rejection_reasons"] = pd.Categorical.from_codes(
            codes, categories=pd.Index(categories, dtype="str")
        )
        return frame

    def report(self, limit: int | None = None) -> pd.DataFrame:
        """One line per problem, by row (file lines first); at most ``limit`` lines when given."""
        frames = [self.file_lines] if len(self.file_lines) else []
        left = None if limit is None else limit - len(self.file_lines)
        if self._parts:
            starts, lengths, lines, _ = self._set_arrays()
            names = list(self._line_codes)
            for packed, codes in self._parts:
                if left is not None and left <= 0:
                    break
                count = lengths[codes]
                if not count.any():  # rows rejected for the file's sake: no line of their own
                    continue
                table = _unpacked(packed)
                if left is not None and count.sum() > left:  # only the rows needed for the first lines
                    keep = int(np.searchsorted(np.cumsum(count), left)) + 1
                    table, codes, count = table.slice(0, keep), codes[:keep], count[:keep]
                frames.append(self._lines_of(table, codes, count, starts, lines, names))
                left = None if left is None else left - int(count.sum())
        if not frames:
            return empty_report()
        if len(frames) == 1 and frames[0] is self.file_lines:
            return self.file_lines if limit is None else self.file_lines.head(limit)
        report = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        for column in ("column", "value", "reason"):  # each distinct text held once
            report[column] = report[column].astype(
                pd.CategoricalDtype(pd.Index(report[column].unique(), dtype="str"))
            )
        return report if limit is None else report.head(limit)

    def _lines_of(
        self,
        table: pa.Table,
        codes: np.ndarray,
        count: np.ndarray,
        starts: np.ndarray,
        lines: np.ndarray,
        names: list[tuple[str, str]],
    ) -> pd.DataFrame:
        position = np.repeat(np.arange(len(codes)), count)
        first_out = np.cumsum(count) - count
        line = lines[np.repeat(starts[codes] - first_out, count) + np.arange(int(count.sum()))]
        columns = np.array([c for c, _ in names], dtype=object)
        reasons = np.array([r for _, r in names], dtype=object)
        value = pd.Series("", index=range(len(line)), dtype="str")
        for code in np.unique(line).tolist():
            where = np.flatnonzero(line == code)
            column = names[code][0]
            shown_columns = ["latitude", "longitude"] if column == COORDINATES else [column]
            if not all(c in table.column_names for c in shown_columns):
                continue
            given = _text_of(table, shown_columns[0], position[where])
            for other in shown_columns[1:]:
                given = given + ", " + _text_of(table, other, position[where])
            value.iloc[where] = given.str.slice(0, MAX_VALUE_IN_REPORT).to_numpy()
        rows = table.column("row").to_numpy()
        return pd.DataFrame(
            {
                "file": pd.Categorical.from_codes(
                    np.zeros(len(line), "int8"), categories=pd.Index([self.file], dtype="str")
                ),
                "row": pd.array(rows[position], dtype="Int64"),
                "column": pd.Series(columns[line], dtype="str"),
                "value": value,
                "reason": pd.Series(reasons[line], dtype="str"),
            }
        )

    def values_of(self, column: str) -> pd.Series:
        """The value of every report line about ``column`` (what ``report()`` holds there), without
        building the report."""
        if self._given is not None or not self._parts:
            report = self.report()
            return report.loc[report["column"].eq(column), "value"].astype("str")
        names = list(self._line_codes)
        per_set = np.array([sum(names[c][0] == column for c in key) for key, _ in self._sets], dtype="int64")
        values = []
        for packed, codes in self._parts:
            times = per_set[codes]
            if times.any():
                table = _unpacked(packed)
                positions = np.repeat(np.arange(len(codes)), times)
                values.append(_text_of(table, column, positions).str.slice(0, MAX_VALUE_IN_REPORT))
        return pd.concat(values, ignore_index=True) if values else pd.Series(dtype="str")


# A rejected row's problems: its (column, reason) lines in the report's order, and its text.
ProblemSet = tuple[tuple[tuple[str, str], ...], str]


def _problem_sets(
    rows: np.ndarray,
    columns: np.ndarray,
    reasons: np.ndarray,
    column_names: list[str],
    reason_texts: list[str],
) -> tuple[list[ProblemSet], np.ndarray]:
    """The distinct problem sets of the rejected rows (``rows`` sorted), and each row's index in them.
    The text is "column: reason; column: reason"."""
    if not len(rows):
        return [], np.array([], dtype="int64")
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    lengths = np.diff(np.r_[starts, len(rows)])
    n = len(reason_texts)
    line = columns.astype("int64") * n + reasons
    # Each row's lines folded into one code, a line at a time: (code so far, next line or none) -> code.
    # pd.factorize numbers keys in the order they first come, so sets are numbered in the order of their
    # first row, as a dictionary filled row by row would number them; without a Python loop over rows.
    codes = np.zeros(len(starts), dtype="int64")
    base = int(line.max()) + 2  # "no line" is 0, line k is k + 1
    for j in range(int(lengths.max())):
        here = lengths > j
        nxt = np.zeros(len(starts), dtype="int64")
        nxt[here] = line[starts[here] + j] + 1
        codes, _ = pd.factorize(codes * base + nxt)
    _, first = np.unique(codes, return_index=True)  # each set's first row, by set code
    sets = []
    for row in first.tolist():
        key = line[starts[row] : starts[row] + lengths[row]].tolist()
        lines = tuple((column_names[k // n], reason_texts[k % n]) for k in key)
        sets.append((lines, "; ".join(f"{c}: {r}" for c, r in lines)))
    return sets, codes


class _SeenIds:
    """The event ids of the chunks checked so far, as Arrow text (about 4 bytes an id more than its
    characters, not a string object): an id an earlier chunk has is a duplicate."""

    def __init__(self) -> None:
        self._seen: list[pa.Array] = []

    def earlier(self, ids: pd.Series) -> np.ndarray:
        """Rows whose (present) id an earlier chunk had; then remember this chunk's ids."""
        present = ids.notna().to_numpy(dtype=bool)
        values = pa.array(ids[present].astype("str"), type=pa.string())
        if isinstance(values, pa.ChunkedArray):
            values = values.combine_chunks()
        out = np.zeros(len(ids), dtype=bool)
        if self._seen and len(values):
            # The earlier ids this chunk has (a table of this chunk's ids, probed by each earlier one),
            # then this chunk's rows holding one of them: two small hash tables, not one of every id.
            seen = pa.chunked_array(self._seen, type=pa.string())
            again = seen.filter(pc.is_in(seen, value_set=values))
            if len(again):
                out[present] = pc.is_in(values, value_set=again.combine_chunks()).to_numpy(
                    zero_copy_only=False
                )
        self._seen.append(values)
        return out


# --- entry point ---------------------------------------------------------------------------


class Validator:
    """Validation of one file, chunk by chunk: what one chunk costs is bounded by its rows, and only the
    valid rows (typed) and the compact ``Rejections`` are kept between chunks.

    What is decided on the whole file is decided before (the date order, by the reader) or carried
    across chunks here (event ids already seen, the counts behind the notices).
    """

    def __init__(
        self,
        file: str,
        columns: Iterable[str],
        *,
        dataset: str | None = None,
        curated: bool = False,
        today: dt.date | None = None,
        earliest: str = schema.EARLIEST_DATE,
        date_order: str | None = None,
        decimal_comma: bool = False,
    ) -> None:
        self.file, self.dataset, self.curated = file, dataset, curated
        self.today, self.earliest = today or dt.date.today(), earliest
        self.date_order, self.decimal_comma = date_order, decimal_comma
        self.columns = list(columns)
        self.rejections = Rejections(file, self.columns)
        self.missing = [c for c in schema.REQUIRED_COLUMNS if c not in self.columns]
        if self.missing:
            self.rejections.file_lines = pd.DataFrame(
                {
                    "file": file,
                    "row": pd.array([pd.NA] * len(self.missing), dtype="Int64"),
                    "column": self.missing,
                    "value": "",
                    "reason": MISSING_COLUMN.format(columns=", ".join(schema.REQUIRED_COLUMNS)),
                }
            )
        self.valid: list[pd.DataFrame] = []
        self.counts: dict[str, int] = {}
        self.seen = _SeenIds()
        self.rows = 0  # rows given

    def add(self, raw: pd.DataFrame, unreadable: dict[int, str] | None = None) -> None:
        """Check one chunk: strings in canonical columns, index = row numbers, after every earlier chunk."""
        if self.missing:  # every row is rejected for the file's sake; the report names the columns once
            self.rows += len(raw)
            rejected = raw.drop(columns=list(REJECTED_EXTRA_COLUMNS), errors="ignore")
            rejected.insert(0, "row", rejected.index)
            text = "file is missing required columns: " + ", ".join(self.missing)
            self.rejections.add(rejected.reset_index(drop=True), [((), text)], np.zeros(len(raw), "int64"))
            return
        unreadable = unreadable or {}
        self.rows += len(raw) + len(unreadable)
        typed, parse_problems, counts = parse(raw, self.date_order, self.decimal_comma)
        for key, n in counts.items():
            self.counts[key] = self.counts.get(key, 0) + n
        seen_before = self.seen.earlier(typed["event_id"])
        found = _problems(
            typed, parse_problems, self.curated, self.today, self.earliest, unreadable, seen_before
        )
        del parse_problems
        rows, columns, reasons = found.sorted()
        good = ~typed.index.isin(rows)
        valid = typed[good]
        if self.dataset is not None:
            valid = valid.assign(dataset=valid["dataset"].fillna(self.dataset))
        self.valid.append(valid)
        del typed
        rejected = raw.loc[~good].drop(columns=list(REJECTED_EXTRA_COLUMNS), errors="ignore")
        rejected.insert(0, "row", rejected.index)
        if unreadable:
            unsplit = pd.DataFrame({"row": np.array(list(unreadable), dtype="int64")})
            rejected = pd.concat([rejected, unsplit], ignore_index=True).sort_values("row", kind="stable")
        # The problems are sorted by row and name every rejected row, so their sets align with these rows.
        sets, codes = _problem_sets(
            rows, columns, reasons, list(found.column_names), list(found.reason_texts)
        )
        self.rejections.add(rejected.reset_index(drop=True), sets, codes)

    def result(self) -> ValidationResult:
        if self.missing:
            return ValidationResult(_empty_typed(), self.rejections, self.rows)
        valid = pd.concat(self.valid) if len(self.valid) > 1 else (self.valid[0] if self.valid else None)
        self.valid = []
        if valid is None:
            valid = _empty_typed()
        return ValidationResult(
            schema.coerce(valid), self.rejections, self.rows, tuple(reading_notices(self.counts))
        )


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
    The frame is checked ``CHUNK_ROWS`` rows at a time (``Validator``).
    """
    validator = Validator(
        file,
        raw.columns,
        dataset=dataset,
        curated=curated,
        today=today,
        earliest=earliest,
        date_order=date_order,
        decimal_comma=decimal_comma,
    )
    unreadable = unreadable or {}
    size = textfile.CHUNK_ROWS
    starts = list(range(0, len(raw), size)) or [0]
    # Each unreadable row goes with the chunk whose rows surround it, so the rejected rows stay in order.
    firsts = raw.index[starts[1:]].to_numpy() if len(raw) else np.array([], dtype="int64")
    chunk_of = {row: int(np.searchsorted(firsts, row, side="right")) for row in unreadable}
    for i, start in enumerate(starts):
        mine = {row: reason for row, reason in unreadable.items() if chunk_of[row] == i}
        validator.add(raw.iloc[start : start + size], mine)
    if validator.missing:
        validator.rows = len(raw)  # unsplit rows of a file missing columns are not counted (as before)
    return validator.result()


def _empty_typed() -> pd.DataFrame:
    typed, _, _ = parse(pd.DataFrame(columns=list(schema.CANONICAL_COLUMNS), dtype="str"))
    return schema.coerce(typed)
