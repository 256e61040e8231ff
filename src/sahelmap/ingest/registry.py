"""Which reader a file needs, and the one path every file takes: read -> map -> validate."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from sahelmap import i18n, schema
from sahelmap.i18n import _, ngettext
from sahelmap.ingest import acled, curated, ucdp
from sahelmap.ingest.textfile import (
    MAX_UNPACKED_BYTES,
    RESTART,
    ReadError,
    TextChunk,
    TextStream,
    open_text_table,
    pack,
    release_unused,
    shown,
    unwrap,
)
from sahelmap.validate import (
    DateEvidence,
    Rejections,
    ValidationResult,
    Validator,
    date_evidence,
    settle_date_order,
)


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


@dataclass
class _File:
    """A file opened for reading in chunks, twice: once to learn its columns, size and date order, once
    to check its rows. Only the chunk in hand is held (JSON, parsed whole by its reader, is the exception).
    """

    name: str
    data: bytes  # unpacked
    max_rows: int | None
    columns: list[str] = field(default_factory=list)
    # JSON, read by its reader in chunks of events (each with the fields its events have), held as
    # Arrow text: the columns are all the fields, known once every chunk is read.
    json: list[tuple[pa.Table, list[str]]] | None = None
    fast: bool = True  # Arrow's parser; False once it refused the file part way
    delimiter: str | None = None  # None for JSON
    notices: list[str] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)
    blank: int = 0
    parsed: int = 0
    stream: TextStream | None = None

    def chunks(self) -> Iterator[TextChunk]:
        """The second reading (the survey decided the parser: no restart)."""
        if self.json is not None:
            for table, columns in self.json:  # a field an event lacks is empty, as in a CSV export
                frame = TextChunk(table).frame(columns)
                frame = frame.loc[:, ~frame.columns.duplicated()].reindex(columns=self.columns, fill_value="")
                yield TextChunk(pack(frame))
            return
        yield from open_text_table(self.data, self.name, self.max_rows, fast=self.fast).chunks

    def open(self) -> None:
        """The columns (a text file's header), before any row is parsed."""
        if self.json is None:
            self.stream = open_text_table(self.data, self.name, self.max_rows)
            self.columns, self.delimiter = self.stream.columns, self.stream.delimiter

    def survey(self) -> Iterator[TextChunk]:
        """The first reading: every chunk, counted (``TooManyRows`` past ``max_rows``, before any row is
        checked). ``RESTART`` when the parser changed part way."""
        stream, self.stream = self.stream, None
        for chunk in self.chunks() if stream is None else stream.chunks:
            if chunk is RESTART:  # Arrow refused the file part way: the C parser reads it from the start
                self.fast, self.skipped, self.blank, self.parsed = False, {}, 0, 0
                yield chunk
                continue
            self.skipped.update(chunk.skipped)
            self.blank += chunk.blank
            self.parsed += chunk.parsed
            if self.max_rows is not None and self.parsed > self.max_rows:  # blank rows count too
                raise TooManyRows(self.name, self.parsed)
            yield chunk
        if stream is not None:
            self.notices += stream.notices(self.name, self.blank)


def open_file(
    data: bytes, name: str, max_unpacked: int = MAX_UNPACKED_BYTES, max_rows: int | None = None
) -> _File:
    """The file unpacked, with JSON read by the readers that know it."""
    data, notices = unwrap(data, name, max_unpacked)
    opened = _File(name, data, max_rows, notices=notices)
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    json_reader = FORMAT_JSON_READERS.get("acled")
    if head[:1] in (b"{", b"[") and json_reader is not None:
        opened.json, opened.data, rows = [], b"", 0
        for frame in json_reader(data, name):
            rows += len(frame)
            if max_rows is not None and rows > max_rows:
                raise TooManyRows(name, rows)
            columns = [str(c) for c in frame.columns]
            opened.json.append((pack(frame), columns))
            opened.columns += [c for c in dict.fromkeys(columns) if c not in opened.columns]
    return opened


# Readers of JSON layouts, by format name (ACLED's API answers in JSON).
FORMAT_JSON_READERS: dict[str, Callable[[bytes, str], Iterator[pd.DataFrame]]] = {
    "acled": acled.read_acled_json_chunks
}
DATE_COLUMNS = [c for c, kind in schema.COLUMN_KINDS.items() if kind == "date"]


def _date_order(
    per_column: list[DateEvidence], given: str | None, default: str | None, name: str
) -> tuple[str | None, list[str]]:
    """The file's date order, or ReadError when its values leave it open or contradict each other."""
    order, evidence = settle_date_order(per_column, given)
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


def _countries(rejections: Rejections, name: str) -> list[str]:
    """'761 rows from 6 other countries skipped (Burkina Faso 400, ...)' from the country rejections."""
    foreign = rejections.values_of("country").str.strip()
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


def _survey(opened: _File, chosen: Format, date_columns: list[str]) -> list[DateEvidence]:
    """The first reading of the file: what each date column says of the date order (in column order)."""
    evidence: dict[str, list[DateEvidence]] = {c: [] for c in date_columns}
    for chunk in opened.survey():
        if chunk is RESTART:
            evidence = {c: [] for c in date_columns}
            continue
        raw = chosen.to_canonical(chunk.frame(opened.columns))
        for column in evidence:
            evidence[column].append(date_evidence(raw[column]))
        release_unused()
    return [settle_date_order(found, None)[1] for found in evidence.values()]


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
    opened = open_file(data, name, max_unpacked, max_rows)
    # The bytes are not needed any more (``opened`` holds them unpacked). A caller that passes them without
    # keeping a name for them (read_dataset(read_path(p), ...)) gets their memory back here.
    del data
    opened.open()
    if len(opened.columns) == 0:
        raise ReadError(_("{name}: no header row").format(name=name))
    chosen = detect(opened.columns, name) if fmt == "auto" else FORMATS[fmt]
    if not chosen.matches(opened.columns):
        raise ReadError(
            _("{name}: not a {format} file: expected {expected}").format(
                name=name, format=chosen.name, expected=chosen.expected
            )
        )
    dataset = label or chosen.name
    # What each chunk's dates (in canonical columns) say of their order: decided on the whole file, and
    # the size checked, before any row is checked.
    canonical = list(chosen.to_canonical(pd.DataFrame(columns=opened.columns, dtype="str")).columns)
    per_column = _survey(opened, chosen, [c for c in DATE_COLUMNS if c in canonical])
    order, said = _date_order(per_column, date_order, chosen.date_order, name)
    validator = Validator(
        name,
        canonical,
        dataset=dataset,
        curated=dataset == schema.CURATED_DATASET,
        earliest=chosen.earliest,
        date_order=order,
        decimal_comma=opened.delimiter == ";",
    )
    skipped = opened.skipped
    empty = opened.parsed == opened.blank and not skipped
    if opened.parsed == len(skipped) + opened.blank and skipped:  # every row unsplit
        validator.add(pd.DataFrame(columns=canonical, dtype="str"), skipped)
    else:
        for chunk in opened.chunks():  # the second reading: each chunk checked, then let go
            validator.add(chosen.to_canonical(chunk.frame(opened.columns)), chunk.skipped)
            release_unused()
    result = validator.result()
    notices = opened.notices + said + [f"{name}: {n}" for n in result.notices]
    notices += _countries(result.rejections, name)
    if empty:
        notices.append(_("{name}: the file has a header but no rows").format(name=name))
    return Ingested(result, chosen.name, notices)
