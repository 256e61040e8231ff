"""Which reader a file needs, and the one path every file takes: read -> map -> validate."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from sahelmap import schema
from sahelmap.ingest import acled, curated, ucdp
from sahelmap.ingest.textfile import ReadError, read_text_table
from sahelmap.validate import ValidationResult, validate


@dataclass(frozen=True)
class Format:
    name: str
    matches: Callable[[list[str]], bool]
    to_canonical: Callable[[pd.DataFrame], pd.DataFrame]  # strings in, canonical strings out
    expected: str  # the columns that identify it, for error messages
    earliest: str = schema.EARLIEST_DATE  # the first event date the source can hold


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
    shown = ", ".join(columns[:12]) + (" ..." if len(columns) > 12 else "")
    raise ReadError(f"{name}: the columns match no known format. Found: {shown}. Expected one of: {expected}")


def frame_from_bytes(data: bytes, name: str) -> tuple[pd.DataFrame, list[str]]:
    """The file's table of strings; JSON goes to the readers that know it."""
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    json_reader = FORMAT_JSON_READERS.get("acled")
    if head[:1] in (b"{", b"[") and json_reader is not None:
        return json_reader(data, name), []
    table = read_text_table(data, name)
    return table.frame, table.notices


# Readers of JSON layouts, by format name (ACLED's API answers in JSON).
FORMAT_JSON_READERS: dict[str, Callable[[bytes, str], pd.DataFrame]] = {"acled": acled.read_acled_json}


def read_dataset(data: bytes, name: str, fmt: str = "auto", label: str | None = None) -> Ingested:
    """Read any supported file into validated canonical rows plus a report of rejected ones."""
    frame, notices = frame_from_bytes(data, name)
    # The bytes are not needed any more. A caller that passes them without keeping a name for them
    # (read_dataset(read_path(p), ...)) gets their memory back here, before validation needs it.
    del data
    if len(frame.columns) == 0:
        raise ReadError(f"{name}: no header row")
    chosen = detect(list(frame.columns), name) if fmt == "auto" else FORMATS[fmt]
    if not chosen.matches([str(c) for c in frame.columns]):
        raise ReadError(f"{name}: not a {chosen.name} file: expected {chosen.expected}")
    dataset = label or chosen.name
    empty = len(frame) == 0
    raw = chosen.to_canonical(frame)
    del frame  # the source's other columns are not needed any more: free them before validation
    result = validate(
        raw, name, dataset=dataset, curated=dataset == schema.CURATED_DATASET, earliest=chosen.earliest
    )
    if empty:
        notices.append(f"{name}: the file has a header but no rows")
    return Ingested(result, chosen.name, notices)
