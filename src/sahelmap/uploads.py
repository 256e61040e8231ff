"""A file a user brings into the app: read it safely, summarise it, keep what was rejected.

Nothing here raises for bad input: every failure becomes a message naming the file (and the row and
column where there is one), so the page never shows a traceback.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from sahelmap import export, geography, i18n, linking, schema, validate
from sahelmap.errors import ReadError
from sahelmap.events import EventTable, combine, derive_columns
from sahelmap.i18n import N_, _
from sahelmap.ingest.registry import FORMATS, TooManyRows, read_dataset
from sahelmap.ingest.textfile import BAD_LINE_REASON
from sahelmap.validate import ValidationResult

MAX_UPLOAD_MB = 50  # also server.maxUploadSize in .streamlit/config.toml
MAX_UPLOAD_ROWS = 1_000_000
UPLOAD_FILE_TYPES = ["csv", "txt", "tsv", "json"]  # file endings the uploader accepts
UPLOAD_FORMATS = ["auto", *FORMATS]  # "auto" detects the format from the header
LABEL_CLEAN = re.compile(r"[^A-Za-z0-9_.-]+")
# A cell that is just a number (-0.04, +3, 1e5) is no formula: a spreadsheet reads it as that number.
PLAIN_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
log = logging.getLogger(__name__)


@dataclass
class Upload:
    """The outcome of one uploaded file."""

    name: str
    format: str = ""
    label: str = ""
    result: ValidationResult | None = None
    error: str | None = None
    notices: list[str] = field(default_factory=list)
    digest: str = ""  # of the file's bytes: two sessions' uploads of one name are not confused

    @property
    def ok(self) -> bool:
        return self.result is not None

    def summary(self) -> str:
        """What became of the file, in the current language."""
        if self.result is None:
            return self.error or _("{name}: not read").format(name=self.name)
        r = self.result
        text = _("{name} ({format}): {read} rows read, {kept} kept, {rejected} rejected").format(
            name=self.name,
            format=self.format,
            read=i18n.number(r.rows_read),
            kept=i18n.number(len(r.valid)),
            rejected=i18n.number(r.n_rejected),
        )
        if len(r.valid):
            text += _("; {first} to {last}").format(
                first=f"{r.valid['event_date'].min():%Y-%m-%d}",
                last=f"{r.valid['event_date'].max():%Y-%m-%d}",
            )
        return text


READONLY_ENV = "SAHELMAP_READONLY"


def keeping_allowed(environ: Mapping[str, str] = os.environ) -> bool:
    """Visitors may store an upload on the server unless SAHELMAP_READONLY is set (1, true, yes)."""
    value = environ.get(READONLY_ENV, "").strip().lower()
    return value in ("", "0", "false", "no", "off")


def label_for(name: str, fmt: str, taken: set[str]) -> str:
    """A dataset label from the file name, unique in the session, never 'curated'."""
    stem = LABEL_CLEAN.sub("-", name.rsplit(".", 1)[0]).strip("-.")[:40] or fmt or "upload"
    label = f"upload-{stem}"
    n = 2
    while label in taken or label == schema.CURATED_DATASET:
        label, n = f"upload-{stem}-{n}", n + 1
    return label


def read_upload(
    data: bytes, name: str, fmt: str = "auto", taken: set[str] | None = None, date_order: str | None = None
) -> Upload:
    """Read an uploaded file through the same pipeline as `sahelmap import`.

    ``date_order`` (dmy or mdy), when the user gives it, reads dates such as 3/1/2023; otherwise the
    file's own dates decide, and a file whose dates leave it open is refused with a message saying so.
    """
    upload = Upload(name=name, digest=hashlib.sha256(data).hexdigest())
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        upload.error = _(
            "{name}: the file is larger than {mb} MB; import it with `sahelmap import` instead"
        ).format(name=name, mb=MAX_UPLOAD_MB)
        return upload
    try:
        # The row limit is checked before validation, the unpacked size before parsing: cost is bounded.
        probe = read_dataset(
            data,
            name,
            fmt=fmt,
            date_order=date_order,
            max_rows=MAX_UPLOAD_ROWS,
            max_unpacked=MAX_UPLOAD_MB << 20,
        )
        upload.format = probe.format
        upload.label = label_for(name, probe.format, taken or set())
        result = probe.result
        upload.result = dataclasses.replace(result, valid=result.valid.assign(dataset=upload.label))
        upload.notices = probe.notices
    except TooManyRows:
        upload.error = _(
            "{name}: more rows than the {n} an upload may hold (blank rows included); "
            "import it with `sahelmap import` instead"
        ).format(name=name, n=i18n.number(MAX_UPLOAD_ROWS))
    except ReadError as error:
        upload.error = str(error)
    except (ValueError, KeyError, UnicodeError, MemoryError, RecursionError) as error:
        # Unexpected shapes of data: say so plainly and log the detail for maintainers.
        log.exception("upload %s could not be read", name)
        upload.error = _("{name}: could not be read ({error})").format(
            name=name, error=f"{type(error).__name__}: {str(error)[:200]}"
        )
    return upload


# --- the report as the page shows it (issue 14): reasons are stored in English, shown in the page's language

# The templates of reasons that carry values (validate.py, geography.py, textfile.py); the others are
# message ids of their own.
REASON_TEMPLATES = (
    validate.SWAPPED,
    validate.NOT_A_DATE,
    validate.DATE_OUTSIDE,
    validate.FOREIGN,
    validate.TOO_MANY_DEATHS,
    validate.TIMESTAMP_OUTSIDE,
    validate.MISSING_COLUMN,
    geography.OUTSIDE,
    BAD_LINE_REASON,
)
REPORT_HEADERS = {
    "file": N_("File"),
    "row": N_("Row"),
    "column": N_("Column"),
    "value": N_("Value"),
    "reason": N_("Reason"),
}


def reason_text(reason: str) -> str:
    """A rejection reason in the current language ("is empty" -> "est vide")."""
    return i18n.translate_built(reason, REASON_TEMPLATES)


def report_for_page(report: pd.DataFrame) -> pd.DataFrame:
    """The rejection report with its reasons and headers in the current language (column names and values
    as the file has them)."""
    shown = report.copy()
    if "reason" in shown:
        shown["reason"] = shown["reason"].astype("str").map(reason_text)
    return shown.rename(columns={k: _(v) for k, v in REPORT_HEADERS.items()})


def rejected_csv(upload: Upload) -> bytes:
    """The rejected rows as the user gave them, with the reason for each; safe for spreadsheets.

    Formula-like text gets the apostrophe of the extracts; plain numbers such as a longitude of -4.05 are
    left as given, so that a user can fix the flagged cells and load the file again.
    """
    rejected = upload.result.rejected if upload.result is not None else pd.DataFrame()
    safe = rejected.astype("str").where(rejected.notna(), "")
    for column in safe.columns:
        number = safe[column].str.fullmatch(PLAIN_NUMBER).fillna(False).astype(bool)
        safe[column] = export.neutralise(safe[column]).where(~number, safe[column])
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def with_uploads(shared: EventTable, uploads: list[Upload]) -> EventTable:
    """The shared table plus this session's uploads, derived and linked like stored data."""
    good = [u for u in uploads if u.result is not None and len(u.result.valid)]
    if not good:
        return shared
    frames = [shared.events.drop(columns=[schema.LINKED_EVENTS, schema.DUPLICATE_OF], errors="ignore")]
    frames += [derive_columns(u.result.valid) for u in good if u.result is not None]
    events = linking.link(combine(frames))
    formats = shared.formats | {u.label: u.format for u in good}
    events = linking.link(combine(frames), formats)
    return EventTable(events, shared.report, tuple(events["dataset"].cat.categories), formats)
