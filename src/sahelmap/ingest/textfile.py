"""Bytes of a delimited text file -> a frame of strings, whatever its encoding or delimiter.

Users bring files saved by spreadsheets: UTF-8 with or without BOM, Windows-1252 or Latin-1, commas,
semicolons or tabs, CRLF line ends, quoted fields with line breaks. Anything that is not such a file
(a binary, an Excel workbook, a ZIP) is refused with a message saying what it looks like.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import itertools
import re
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import charset_normalizer
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from sahelmap import i18n
from sahelmap.errors import ReadError
from sahelmap.i18n import N_, _
from sahelmap.text import shown

__all__ = [
    "ReadError",
    "TextChunk",
    "TextStream",
    "TextTable",
    "open_text_table",
    "read_path",
    "read_text_table",
]

SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
# A skipped row's reason, stored in English (validate's report); the page translates it (translate_built).
BAD_LINE_REASON = N_("has {saw} fields, the header {expected}")
FIRST_DATA_ROW = 2  # spreadsheet numbering: the header is row 1
UTF8_CHECK_CHUNK = 1 << 20
MAX_UNPACKED_BYTES = 1 << 30  # what a gzip or ZIP may unpack to (the app passes its upload limit)
MAX_COLUMNS = 500  # a header with more is refused before parsing (sources have 31 to 49 columns)
SEP_LINE = re.compile(rb"\A(?:\xef\xbb\xbf)?sep=(.)\r?\n")  # Excel's "sep=," first line
BAD_LINE = re.compile(r"Skipping line (\d+): expected (\d+) fields, saw (\d+)")
# Rows checked at a time: what reading and validating one chunk holds is bounded by it, not by the file.
CHUNK_ROWS = 50_000
CHUNK_BYTES = 4 << 20  # the block Arrow's parser reads at a time
USE_THREADS = True
_TEXT = {pa.string(): pd.StringDtype("pyarrow", na_value=float("nan"))}
_BLANK = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*\Z")  # nothing but a byte-order mark and white space


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


def _header_columns(data: bytes) -> int:
    """An upper bound on the header's number of fields, from its first line, without parsing it."""
    end = data.find(b"\n")
    line = data[: end if end >= 0 else len(data)]
    return 1 + max(line.count(d.encode()) for d in DELIMITERS)


def _sep_line(data: bytes) -> tuple[bytes, str | None]:
    """Excel's ``sep=;`` first line: the data after it and the delimiter it names."""
    match = SEP_LINE.match(data)
    return (data[match.end() :], match.group(1).decode()) if match else (data, None)


@dataclass
class TextChunk:
    """Consecutive rows of a file: at most ``CHUNK_ROWS``, so that the work done on one is bounded.

    The rows are held as Arrow text (4-byte offsets; pandas' text has 8) with their row numbers in a
    last column, until ``frame()`` gives them as a frame of strings.
    """

    table: pa.Table  # the columns' strings, then the spreadsheet row numbers; blank rows removed
    skipped: dict[int, str] = field(default_factory=dict)  # rows that could not be split: row -> reason
    blank: int = 0  # blank rows removed

    @property
    def rows(self) -> int:
        return self.table.num_rows

    @property
    def parsed(self) -> int:
        """Rows the parser went through: kept, blank and unsplit ones."""
        return self.rows + len(self.skipped) + self.blank

    def frame(self, columns: list[str]) -> pd.DataFrame:
        """The rows as a frame of strings named ``columns``, indexed by row number."""
        rows = self.table.column(self.table.num_columns - 1).to_numpy()
        text = [
            self.table.column(i).to_pandas(types_mapper=_TEXT.get) for i in range(self.table.num_columns - 1)
        ]
        frame = (
            pd.concat(text, axis="columns", ignore_index=True)
            if text
            else pd.DataFrame(index=range(len(rows)))
        )
        frame.columns = columns
        frame.index = pd.Index(rows)
        return frame


def release_unused() -> None:
    """Give the memory a chunk's work freed back to the system (with the C library's allocator, which
    sahelmap asks Arrow for: see sahelmap/__init__.py, this is malloc_trim); otherwise the pages of
    every chunk's temporaries stay with the process."""
    pa.default_memory_pool().release_unused()


def pack(frame: pd.DataFrame) -> pa.Table:
    """A frame of strings (index = row numbers) as a chunk's table."""
    arrays = [pa.array(frame.iloc[:, i].astype("str"), type=pa.string()) for i in range(frame.shape[1])]
    arrays.append(pa.array(frame.index.to_numpy(dtype="int64")))
    return pa.Table.from_arrays(arrays, names=[*(f"c{i}" for i in range(frame.shape[1])), ROW])


ROW = "__row__"


@dataclass
class TextStream:
    """A delimited file opened for reading in chunks: its columns, how it was read, and its rows."""

    columns: list[str]
    encoding: str
    delimiter: str
    chunks: Iterator[TextChunk]

    def notices(self, name: str, blank: int) -> list[str]:
        """What reading changed, said once the chunks are read (``blank`` rows skipped in all)."""
        notices = (
            [_("{name}: {n} blank rows skipped").format(name=name, n=i18n.number(blank))] if blank else []
        )
        if self.encoding != "utf-8":
            notices.append(
                _("{name}: read as {encoding} (not UTF-8); check accented names such as Ségou").format(
                    name=name, encoding=self.encoding
                )
            )
        if self.delimiter != ",":
            notices.append(
                _("{name}: fields separated by {delimiter}, not commas").format(
                    name=name, delimiter=repr(self.delimiter)
                )
            )
        return notices


def _blank_removed(table: pa.Table) -> tuple[pa.Table, int]:
    """A blank line, or one of only delimiters: no event, and not a rejected one."""
    if table.num_columns < 2 or not table.num_rows:
        return table, 0
    blank = functools.reduce(
        pc.and_, (pc.fill_null(pc.equal(table.column(i), ""), True) for i in range(table.num_columns - 1))
    )
    count = pc.sum(blank).as_py() or 0
    return (table.filter(pc.invert(blank)), count) if count else (table, 0)


def _arrow_chunks(data: bytes, delimiter: str, max_rows: int | None) -> tuple[list[str], Iterator[TextChunk]]:
    """UTF-8 through Arrow's streaming parser (several times faster than pandas' C parser), block by
    block. Raises ``pyarrow.ArrowInvalid`` when Arrow refuses the file (a row with too few fields, a row
    longer than a block): the caller then reads it with the C parser, which explains what is wrong."""
    buffer = pa.py_buffer(data)
    if data.startswith(codecs.BOM_UTF8):
        buffer = buffer[len(codecs.BOM_UTF8) :]
    parse = pa_csv.ParseOptions(delimiter=delimiter)
    read = pa_csv.ReadOptions(block_size=CHUNK_BYTES, use_threads=USE_THREADS)
    # The header first (types inferred from one block), then every column as text.
    columns = pa_csv.open_csv(pa.BufferReader(buffer), read_options=read, parse_options=parse).schema.names
    convert = pa_csv.ConvertOptions(
        column_types=dict.fromkeys(columns, pa.string()),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    reader = pa_csv.open_csv(
        pa.BufferReader(buffer), read_options=read, parse_options=parse, convert_options=convert
    )
    names = [c.strip() for c in _numbered_repeats(columns)]

    def chunks() -> Iterator[TextChunk]:
        row = FIRST_DATA_ROW
        held: list[pa.RecordBatch] = []  # Arrow's blocks, cut into chunks of CHUNK_ROWS rows
        for batch in itertools.chain(reader, [None]):
            if batch is not None:
                held.append(batch)
                if sum(b.num_rows for b in held) < CHUNK_ROWS:
                    continue
            if not held:
                return
            table = pa.Table.from_batches(held)
            held = []
            for start in range(0, table.num_rows, CHUNK_ROWS):
                part = table.slice(start, CHUNK_ROWS)
                if part.num_rows < CHUNK_ROWS and batch is not None:  # the rest waits for the next block
                    held = part.to_batches()
                    break
                numbers = pa.array(np.arange(row, row + part.num_rows, dtype="int64"))
                row += part.num_rows
                part, blank = _blank_removed(part.append_column(ROW, numbers))
                yield TextChunk(part, {}, blank)
                if max_rows is not None and row - FIRST_DATA_ROW > max_rows:
                    return

    return names, chunks()


def _numbered_repeats(names: list[str]) -> list[str]:
    """Repeated column names numbered as pandas' parsers number them: a, a.1, a.2."""
    counts: dict[str, int] = {}
    out = []
    for name in names:
        count = counts.get(name, 0)
        while count > 0:
            counts[name] = count + 1
            name = f"{name}.{count}"
            count = counts.get(name, 0)
        out.append(name)
        counts[name] = count + 1
    return out


def _header_names(source: io.BytesIO | io.StringIO, delimiter: str) -> list[str] | None:
    """The names of a header line longer than any real header (``LONG_HEADER``: 500 columns of names
    would not fill it) and without quotes, split here: pandas' parser (and Python's csv module) would
    hold several times the line's size to read it (a 50 MB line without a delimiter: 350 MB). None for
    any other header, which pandas reads, naming repeated and empty columns its way."""
    head = source.read(LONG_HEADER)
    source.seek(0)
    if len(head) < LONG_HEADER:
        return None
    whole = source.getvalue()
    end = whole.find("\n" if isinstance(whole, str) else b"\n")  # type: ignore[arg-type]
    first = whole[: end if end >= 0 else len(whole)]
    del whole
    line = first if isinstance(first, str) else first.decode("utf-8-sig", errors="replace")
    if len(line) < LONG_HEADER or '"' in line or "\r" in line:
        return None
    names = line.split(delimiter)
    return [name.strip() for name in _numbered_repeats(names)]


LONG_HEADER = 1 << 20


def _c_chunks(
    source: io.BytesIO | io.StringIO, encoding: str | None, delimiter: str, name: str, max_rows: int | None
) -> tuple[list[str], Iterator[TextChunk]]:
    """pandas' C parser, CHUNK_ROWS rows at a time: blank lines keep their row numbers, rows with too
    many fields are reported (row -> reason) instead of making the file unreadable."""
    options: dict[str, Any] = {
        "encoding": encoding,
        "sep": delimiter,
        "dtype": str,
        "keep_default_na": False,
        "na_filter": False,
        "skipinitialspace": False,
        "skip_blank_lines": False,
        "on_bad_lines": "warn",
        "engine": "c",
    }

    def read(**extra: Any) -> Any:
        try:
            return pd.read_csv(source, **options, **extra)
        except (pd.errors.ParserError, ValueError) as error:
            raise ReadError(
                _("{name}: not a readable delimited table ({error})").format(
                    name=name, error=str(error).splitlines()[0]
                )
            ) from None

    names = _header_names(source, delimiter) or [str(c).strip() for c in read(nrows=0).columns]
    source.seek(0)

    def chunks() -> Iterator[TextChunk]:  # the parser starts at the first chunk asked for
        reader = read(chunksize=CHUNK_ROWS, nrows=None if max_rows is None else max_rows + 1)
        row = FIRST_DATA_ROW
        while True:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", pd.errors.ParserWarning)
                try:
                    frame = next(reader)
                except StopIteration:
                    return
                except (pd.errors.ParserError, ValueError) as error:
                    raise ReadError(
                        _("{name}: not a readable delimited table ({error})").format(
                            name=name, error=str(error).splitlines()[0]
                        )
                    ) from None
            # "Skipping line 5: expected 3 fields, saw 4": line = record number, header = 1, as a spreadsheet.
            skipped = {
                int(line): BAD_LINE_REASON.format(saw=saw, expected=expected)
                for warning in caught
                for line, expected, saw in BAD_LINE.findall(str(warning.message))
            }
            rows = range(row, row + len(frame) + len(skipped))
            row = rows.stop
            frame.index = pd.Index([r for r in rows if r not in skipped] if skipped else rows)
            table, blank = _blank_removed(pack(frame))
            yield TextChunk(table, skipped, blank)

    return names, chunks()


def open_text_table(data: bytes, name: str, max_rows: int | None = None, fast: bool = True) -> TextStream:
    """Open delimited text for reading in chunks of strings; the empty string stays empty (not NaN).

    ``max_rows``: stop after the chunk that goes over this many rows (blank ones included), so that a
    caller with a row limit sees the file is over it without paying for the whole file. ``fast=False``:
    pandas' C parser, not Arrow's (a caller reading the file again after Arrow refused it part way).
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
    if is_utf8(data):
        # UTF-8 goes to the parser as bytes: decoding a large file into one str and a StringIO first
        # costs several times its size in memory (StringIO holds 4 bytes a character).
        if _BLANK.match(data):
            raise ReadError(_("{name}: the file is empty").format(name=name))
        delimiter = declared or sniff_delimiter(data[:SNIFF_BYTES].decode("utf-8-sig", errors="ignore"))
        # Arrow skips blank lines, which would shift the row numbers of every later row: the C parser
        # reads files with blank lines (or a quoted field holding one: rare, and only slower).
        if fast and b"\n\n" not in data and b"\n\r\n" not in data:
            try:
                names, arrow = _arrow_chunks(data, delimiter, max_rows)
                return TextStream(names, "utf-8", delimiter, _checked(arrow, data, name, delimiter, max_rows))
            except (pa.ArrowInvalid, ValueError):
                pass
        names, chunks = _c_chunks(io.BytesIO(data), "utf-8-sig", delimiter, name, max_rows)
        return TextStream(names, "utf-8", delimiter, chunks)
    text, encoding = decode(data, name)
    if not text.strip():
        raise ReadError(_("{name}: the file is empty").format(name=name))
    delimiter = declared or sniff_delimiter(text)
    names, chunks = _c_chunks(io.StringIO(text), None, delimiter, name, max_rows)
    return TextStream(names, encoding, delimiter, chunks)


def _checked(
    arrow: Iterator[TextChunk], data: bytes, name: str, delimiter: str, max_rows: int | None
) -> Iterator[TextChunk]:
    """Arrow's chunks; when Arrow refuses the file part way, the C parser's from the start instead.

    A caller reads every chunk before it validates any (the date order is decided on the whole file),
    so the chunks already given are dropped, and the C parser's replace them.
    """
    try:
        yield from arrow
    except pa.ArrowInvalid:
        yield RESTART
        yield from _c_chunks(io.BytesIO(data), "utf-8-sig", delimiter, name, max_rows)[1]


# Given by a stream when the chunks before it are to be dropped: the file is read again from its start.
RESTART = TextChunk(pa.table({ROW: pa.array([], pa.int64())}))


def read_text_table(data: bytes, name: str, max_rows: int | None = None) -> TextTable:
    """The whole file as one frame of strings (small files: the curated table); see ``open_text_table``."""
    stream = open_text_table(data, name, max_rows)
    frames: list[pd.DataFrame] = []
    skipped: dict[int, str] = {}
    blank = 0
    for chunk in stream.chunks:
        if chunk is RESTART:
            frames, skipped, blank = [], {}, 0
            continue
        frames.append(chunk.frame(stream.columns))
        skipped.update(chunk.skipped)
        blank += chunk.blank
    frame = pd.concat(frames) if frames else pd.DataFrame(columns=stream.columns, dtype="str")
    frame.columns = stream.columns
    return TextTable(frame, stream.encoding, stream.delimiter, stream.notices(name, blank), skipped, blank)


def read_path(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise ReadError(
            _("{name}: cannot read the file ({error})").format(name=path, error=error.strerror or error)
        ) from None
