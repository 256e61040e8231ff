"""Which reader a file needs, and the one path every file takes: read -> map -> validate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from sahelmap import i18n, schema
from sahelmap.i18n import _, ngettext
from sahelmap.ingest import acled, curated, ucdp
from sahelmap.ingest.textfile import MAX_UNPACKED_BYTES, ReadError, TextTable, read_text_table, shown, unwrap
from sahelmap.validate import ValidationResult, decide_date_order, validate


@dataclass(frozen=True)
class Format:
    name: str
    matches: Callable[[list[str]], bool]
    to_canonical: Callable[[pd.DataFrame], pd.DataFrame]  # strings in, canonical strings out
    expected: str  # the columns that identify it, for error messages
    earliest: str = schema.EARLIEST_DATE  # the first event date the source can hold
    # The order of day/month/year numbers the source documents, used when a file's values settle nothing.
    date_order: str | None = None


def _identity(frame: pd.DataFrame) -> pd.DataFrame:
    return frame


FORMATS: dict[str, Format] = {
    "acled": Format(
        "acled",
        acled.looks_acled,
        acled.to_canonical,
        "ACLED export or API columns: " + ", ".join(acled.IDENTIFYING_COLUMNS),
    ),
    "ucdp": Format(
        "ucdp",
        ucdp.looks_ucdp,
        ucdp.to_canonical,
        "UCDP GED columns: " + ", ".join(ucdp.IDENTIFYING_COLUMNS) + " and best or best_est",
        earliest=schema.UCDP_EARLIEST_DATE,
        date_order="mdy",  # UCDP's downloads write MM/DD/YYYY
    ),
    "curated": Format(
        "curated",
        curated.looks_canonical,
        _identity,
        "sahelmap columns: " + ", ".join(schema.REQUIRED_COLUMNS),
    ),
}


@dataclass
class Ingested:
    result: ValidationResult
    format: str
    notices: list[str] = field(default_factory=list)


def detect(columns: list[str], name: str) -> Format:
    for fmt in FORMATS.values():
        if fmt.matches(columns):
            return fmt
    expected = "; ".join(f"{f.name} ({f.expected})" for f in FORMATS.values())
    shown_columns = ", ".join(shown(c, 60) for c in columns[:12]) + (" ..." if len(columns) > 12 else "")
    raise ReadError(
        _("{name}: the columns match no known format. Found: {found}. Expected one of: {expected}").format(
            name=name, found=shown_columns, expected=expected
        )
    )


class TooManyRows(ReadError):
    """More rows than the caller accepts, found before any validation work."""

    def __init__(self, name: str, rows: int) -> None:
        super().__init__(f"{name}: {rows:,} rows")
        self.rows = rows


def frame_from_bytes(
    data: bytes, name: str, max_unpacked: int = MAX_UNPACKED_BYTES, max_rows: int | None = None
) -> tuple[pd.DataFrame, list[str], TextTable | None]:
    """The file's table of strings and notices (and the text table, for CSV); JSON goes to the readers
    that know it."""
    data, notices = unwrap(data, name, max_unpacked)
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    json_reader = FORMAT_JSON_READERS.get("acled")
    if head[:1] in (b"{", b"[") and json_reader is not None:
        return json_reader(data, name), notices, None
    table = read_text_table(data, name, max_rows)
    return table.frame, notices + table.notices, table


# Readers of JSON layouts, by format name (ACLED's API answers in JSON).
FORMAT_JSON_READERS: dict[str, Callable[[bytes, str], pd.DataFrame]] = {"acled": acled.read_acled_json}
DATE_COLUMNS = [c for c, kind in schema.COLUMN_KINDS.items() if kind == "date"]


def _date_order(
    raw: pd.DataFrame, given: str | None, default: str | None, name: str
) -> tuple[str | None, list[str]]:
    """The file's date order, or ReadError when its values leave it open or contradict each other."""
    order, evidence = decide_date_order([raw[c] for c in DATE_COLUMNS if c in raw], given)
    option = _("--date-order dmy (day first) or --date-order mdy (month first)")
    if given is None and "dmy" in evidence and "mdy" in evidence:
        (r1, v1), (r2, v2) = evidence["dmy"], evidence["mdy"]
        raise ReadError(
            _(
                "{name}: some dates are day-first ({day_first} at row {row1}), others month-first "
                "({month_first} at row {row2}); give the file's order with {option}: dates in the other "
                "order are then rejected"
            ).format(name=name, day_first=shown(v1), row1=r1, month_first=shown(v2), row2=r2, option=option)
        )
    if order is None and "ambiguous" in evidence:
        if default is None:
            row, value = evidence["ambiguous"]
            raise ReadError(
                _(
                    "{name}: dates such as {value} (row {row}) can be day-first or month-first, and no "
                    "date in the file settles it; give the order with {option}"
                ).format(name=name, value=shown(value), row=row, option=option)
            )
        return default, [
            _("{name}: dates read month-first (MM/DD/YYYY), as the format documents").format(name=name)
        ]
    if order is not None and given is None and order in evidence:
        row, value = evidence[order]
        said = (
            _("{name}: dates read day-first (DD/MM/YYYY), as {value} at row {row} shows")
            if order == "dmy"
            else _("{name}: dates read month-first (MM/DD/YYYY), as {value} at row {row} shows")
        )
        return order, [said.format(name=name, value=shown(value), row=row)]
    return order, []


def _countries(report: pd.DataFrame, name: str) -> list[str]:
    """'761 rows from 6 other countries skipped (Burkina Faso 400, ...)' from the country rejections."""
    foreign = report.loc[report["column"].eq("country"), "value"].str.strip()
    if foreign.empty:
        return []
    counts = foreign.value_counts()
    listed = ", ".join(f"{shown(c, 60)} {i18n.number(n)}" for c, n in counts.head(10).items())
    more = _(", and {n} more").format(n=len(counts) - 10) if len(counts) > 10 else ""
    said = ngettext(
        "{name}: {rows} rows from {n} other country skipped ({listed})",
        "{name}: {rows} rows from {n} other countries skipped ({listed})",
        len(counts),
    )
    return [said.format(name=name, rows=i18n.number(len(foreign)), n=len(counts), listed=listed + more)]


def read_dataset(
    data: bytes,
    name: str,
    fmt: str = "auto",
    label: str | None = None,
    *,
    date_order: str | None = None,
    max_rows: int | None = None,
    max_unpacked: int = MAX_UNPACKED_BYTES,
) -> Ingested:
    """Read any supported file into validated canonical rows plus a report of rejected ones.

    ``date_order`` (dmy or mdy) says how to read dates such as 3/1/2023 (by default the file's own
    values decide, and an undecidable file is refused); ``max_rows`` refuses a larger file before it
    is checked; ``max_unpacked`` bounds what a gzip or ZIP may unpack to.
    """
    frame, notices, table = frame_from_bytes(data, name, max_unpacked, max_rows)
    # The bytes are not needed any more. A caller that passes them without keeping a name for them
    # (read_dataset(read_path(p), ...)) gets their memory back here, before validation needs it.
    del data
    skipped = table.skipped if table is not None else {}
    parsed = len(frame) + len(skipped) + (table.blank if table is not None else 0)
    if max_rows is not None and parsed > max_rows:  # blank rows count: parsing them is the cost
        raise TooManyRows(name, parsed)
    if len(frame.columns) == 0:
        raise ReadError(_("{name}: no header row").format(name=name))
    chosen = detect(list(frame.columns), name) if fmt == "auto" else FORMATS[fmt]
    if not chosen.matches([str(c) for c in frame.columns]):
        raise ReadError(
            _("{name}: not a {format} file: expected {expected}").format(
                name=name, format=chosen.name, expected=chosen.expected
            )
        )
    dataset = label or chosen.name
    empty = len(frame) == 0 and not skipped
    raw = chosen.to_canonical(frame)
    del frame  # the source's other columns are not needed any more: free them before validation
    order, said = _date_order(raw, date_order, chosen.date_order, name)
    result = validate(
        raw,
        name,
        dataset=dataset,
        curated=dataset == schema.CURATED_DATASET,
        earliest=chosen.earliest,
        date_order=order,
        decimal_comma=table is not None and table.delimiter == ";",
        unreadable=skipped,
    )
    notices += said + [f"{name}: {n}" for n in result.notices] + _countries(result.report, name)
    if empty:
        notices.append(_("{name}: the file has a header but no rows").format(name=name))
    return Ingested(result, chosen.name, notices)
