"""Bytes of a delimited text file -> a frame of strings, whatever its encoding or delimiter.

Users bring files saved by spreadsheets: UTF-8 with or without BOM, Windows-1252 or Latin-1, commas,
semicolons or tabs, CRLF line ends, quoted fields with line breaks. Anything that is not such a file
(a binary, an Excel workbook, a ZIP) is refused with a message saying what it looks like.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import charset_normalizer
import pandas as pd

from sahelmap import i18n
from sahelmap.errors import ReadError
from sahelmap.i18n import N_, _
from sahelmap.text import shown

__all__ = ["ReadError", "TextTable", "read_path", "read_text_table"]

SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
FIRST_DATA_ROW = 2  # spreadsheet numbering: the header is row 1
UTF8_CHECK_CHUNK = 1 << 20
MAX_UNPACKED_BYTES = 1 << 30  # what a gzip or ZIP may unpack to (the app passes its upload limit)
MAX_COLUMNS = 500  # a header with more is refused before parsing (sources have 31 to 49 columns)
SEP_LINE = re.compile(rb"\A(?:\xef\xbb\xbf)?sep=(.)\r?\n")  # Excel's "sep=," first line
BAD_LINE = re.compile(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)")
_BLANK = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*\Z")  # nothing but a byte-order mark and white space
# A skipped row's reason, stored in English (validate's report); the page translates it (translate_built).
BAD_LINE_REASON = N_("has {saw} fields, the header {expected}")


@dataclass
class TextTable:
    frame: pd.DataFrame  # strings; index = spreadsheet row numbers
    encoding: str
    delimiter: str
    notices: list[str] = field(default_factory=list)
    # Rows the parser could not split into the header's fields: row number -> reason. They are rejected
    # one by one (validate's ``unreadable``), not the whole file.
    skipped: dict[int, str] = field(default_factory=dict)
    blank: int = 0  # blank rows skipped


def _kind_of_binary(head: bytes) -> str | None:
    if head.startswith(b"PK\x03\x04"):
        return _("a ZIP archive or an Excel .xlsx workbook: save the sheet as CSV (UTF-8) and load that")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _("an old Excel .xls workbook: save the sheet as CSV (UTF-8) and load that")
    if head.startswith(b"%PDF"):
        return _("a PDF document, not a table")
    if b"\x00" in head[:8192]:
        return _("a binary file, not a text table")
    return None


def too_big(name: str, max_bytes: int) -> str:
    return _("{name}: unpacks to more than {n} MB, more than sahelmap reads").format(
        name=name, n=i18n.number(max_bytes >> 20)
    )


def unwrap(data: bytes, name: str, max_bytes: int = MAX_UNPACKED_BYTES) -> tuple[bytes, list[str]]:
    """The file inside a gzip or a ZIP holding one file, as UTF-8 when it was UTF-16; notices say so.

    ``max_bytes`` bounds what is unpacked (a small archive can unpack to gigabytes).
    """
    notices = []
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, name, max_bytes)
        notices.append(_("{name}: unpacked from gzip").format(name=name))
    elif data[:4] == b"PK\x03\x04":
        data, member = _only_member(data, name, max_bytes)
        if member is not None:
            notices.append(
                _("{name}: read {member} from the ZIP archive").format(name=name, member=shown(member))
            )
    encoding = _utf16_encoding(data[:8192])
    if encoding is not None:
        try:
            data = data.decode(encoding).encode("utf-8")
        except UnicodeDecodeError:
            raise ReadError(
                _("{name}: looks like UTF-16 text but cannot be decoded as such").format(name=name)
            ) from None
        notices.append(_('{name}: read as UTF-16 (Excel\'s "Unicode text")').format(name=name))
    return data, notices


def _gunzip(data: bytes, name: str, max_bytes: int) -> bytes:
    inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflate.decompress(data, max_bytes + 1)
    except zlib.error as error:
        raise ReadError(_("{name}: a damaged gzip file ({error})").format(name=name, error=error)) from None
    if len(out) > max_bytes:
        raise ReadError(too_big(name, max_bytes))
    return out


def _only_member(data: bytes, name: str, max_bytes: int) -> tuple[bytes, str | None]:
    """The one file of a ZIP archive (ACLED's downloads are zipped CSVs); a workbook stays as it is."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if "[Content_Types].xml" in names:
                return data, None  # an Excel or OpenDocument workbook: refused by _kind_of_binary
            files = [
                i for i in archive.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")
            ]
            if len(files) != 1:
                raise ReadError(
                    _("{name}: the ZIP archive holds {n} files; sahelmap reads a ZIP holding one CSV").format(
                        name=name, n=len(files)
                    )
                )
            with archive.open(files[0]) as member:
                out = member.read(max_bytes + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError, EOFError, zlib.error) as error:
        raise ReadError(
            _("{name}: a ZIP archive that cannot be read ({error})").format(name=name, error=shown(error))
        ) from None
    if len(out) > max_bytes:
        raise ReadError(too_big(name, max_bytes))
    return out, files[0].filename


def _utf16_encoding(head: bytes) -> str | None:
    """utf-16 (with a byte-order mark), utf-16-le/-be (without: text of Latin letters, every other
    byte zero), or None."""
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    even, odd = head[0::2], head[1::2]
    if len(head) < 4 or head.count(0) < len(head) // 4:
        return None
    if odd.count(0) > 0.9 * len(odd) and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) == 0:
        return "utf-16-be"
    return None


def decode(data: bytes, name: str) -> tuple[str, str]:
    """Text and the encoding used: UTF-8 (BOM or not) first, then the most likely legacy encoding."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data[: 4 * SNIFF_BYTES]).best()
    for encoding in filter(None, [best.encoding if best else None, "cp1252", "latin-1"]):
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    raise ReadError(
        _("{name}: cannot decode the text (not UTF-8, Windows-1252 or Latin-1)").format(name=name)
    )


def is_utf8(data: bytes) -> bool:
    """Whether the bytes are valid UTF-8, checked chunk by chunk: a large file is never copied whole."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(view), UTF8_CHECK_CHUNK):
            decoder.decode(view[start : start + UTF8_CHECK_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def sniff_delimiter(text: str) -> str:
    sample = text[:SNIFF_BYTES]
    header = sample.splitlines()[0] if sample else ""
    try:
        return csv.Sniffer().sniff(header, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: header.count(d) for d in DELIMITERS}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def _read_with_arrow(data: bytes, delimiter: str) -> pd.DataFrame | None:
    """UTF-8 through Arrow's multi-threaded parser: the same strings as the C parser, about eight times
    faster on a large file. None when Arrow refuses the file (a row with too few fields, say): the C
    parser then reads it, or explains what is wrong."""
    try:
        return pd.read_csv(
            io.BytesIO(data),
            engine="pyarrow",
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            encoding="utf-8",
        )
    except (ValueError, NotImplementedError, ImportError):
        return None


def _header_columns(data: bytes) -> int:
    """An upper bound on the header's number of fields, from its first line, without parsing it."""
    end = data.find(b"\n")
    line = data[: end if end >= 0 else len(data)]
    return 1 + max(line.count(d.encode()) for d in DELIMITERS)


def _sep_line(data: bytes) -> tuple[bytes, str | None]:
    """Excel's ``sep=;`` first line: the data after it and the delimiter it names."""
    match = SEP_LINE.match(data)
    return (data[match.end() :], match.group(1).decode()) if match else (data, None)


def read_text_table(data: bytes, name: str, max_rows: int | None = None) -> TextTable:
    """Parse delimited text into strings; the empty string stays empty (not NaN) until validation.

    ``max_rows``: parse at most one row more than this (blank ones included), so that a caller with a
    row limit sees the file is over it without paying for the whole file (50 MB of blank lines).
    """
    kind = _kind_of_binary(data[:8192])
    if kind:
        raise ReadError(_("{name}: this looks like {kind}").format(name=name, kind=kind))
    data, declared = _sep_line(data)
    columns = _header_columns(data)
    if columns > MAX_COLUMNS:  # before any parsing: repeated names cost quadratic time in the parser
        raise ReadError(
            _(
                "{name}: the header has about {n} columns; sahelmap reads at most {most} "
                "(ACLED exports have 31, UCDP's 49)"
            ).format(name=name, n=i18n.number(columns), most=MAX_COLUMNS)
        )
    source: io.BytesIO | io.StringIO
    if is_utf8(data):
        # UTF-8 goes to the parser as bytes: decoding a large file into one str and a StringIO first
        # costs several times its size in memory (StringIO holds 4 bytes a character).
        if _BLANK.match(data):
            raise ReadError(_("{name}: the file is empty").format(name=name))
        encoding, read_encoding = "utf-8", "utf-8-sig"
        delimiter = declared or sniff_delimiter(data[:SNIFF_BYTES].decode("utf-8-sig", errors="ignore"))
        source = io.BytesIO(data)  # shares the bytes, no copy
    else:
        text, encoding = decode(data, name)
        if not text.strip():
            raise ReadError(_("{name}: the file is empty").format(name=name))
        delimiter, read_encoding = declared or sniff_delimiter(text), None
        source = io.StringIO(text)
    # Arrow skips blank lines, which would shift the row numbers of every later row: the C parser reads
    # files with blank lines (or a quoted field holding one: rare, and only slower).
    blank_lines = b"\n\n" in data or b"\n\r\n" in data
    lines = data.count(b"\n")  # at least the number of rows (quoted fields may hold more line breaks)
    small = max_rows is None or lines <= max_rows + 1
    frame = _read_with_arrow(data, delimiter) if read_encoding and not blank_lines and small else None
    skipped: dict[int, str] = {}
    if frame is None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", pd.errors.ParserWarning)
            try:
                frame = pd.read_csv(
                    source,
                    encoding=read_encoding,
                    sep=delimiter,
                    dtype=str,
                    keep_default_na=False,
                    na_filter=False,
                    skipinitialspace=False,
                    skip_blank_lines=False,
                    on_bad_lines="warn",
                    engine="c",
                    nrows=None if max_rows is None else max_rows + 1,
                )
            except (pd.errors.ParserError, ValueError) as error:
                raise ReadError(
                    _("{name}: not a readable delimited table ({error})").format(
                        name=name, error=str(error).splitlines()[0]
                    )
                ) from None
        # "Skipping line 5: expected 3 fields, saw 4": line = record number, header = 1, as a spreadsheet.
        for warning in caught:
            for row, expected, saw in BAD_LINE.findall(str(warning.message)):
                skipped[int(row)] = BAD_LINE_REASON.format(saw=saw, expected=expected)
    frame.columns = [str(c).strip() for c in frame.columns]
    rows = range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(frame) + len(skipped))
    frame.index = pd.Index([r for r in rows if r not in skipped] if skipped else rows)
    if max_rows is not None and len(frame) + len(skipped) > max_rows:  # over the limit: the caller refuses
        return TextTable(frame, encoding, delimiter, [], skipped)
    blank = frame.eq("").all(axis="columns") if len(frame.columns) else pd.Series(False, index=frame.index)
    notices = []
    if blank.any():  # a blank line, or one of only delimiters: no event, and not a rejected one
        frame = frame[~blank]
        notices.append(_("{name}: {n} blank rows skipped").format(name=name, n=i18n.number(int(blank.sum()))))
    if encoding != "utf-8":
        notices.append(
            _("{name}: read as {encoding} (not UTF-8); check accented names such as Ségou").format(
                name=name, encoding=encoding
            )
        )
    if delimiter != ",":
        notices.append(
            _("{name}: fields separated by {delimiter}, not commas").format(
                name=name, delimiter=repr(delimiter)
            )
        )
    return TextTable(frame, encoding, delimiter, notices, skipped, int(blank.sum()))


def read_path(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ReadError(
            _("{name}: cannot read the file ({error})").format(name=path, error=error.strerror or error)
        ) from None
