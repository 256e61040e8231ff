"""The bad-input corpus (tests/data/bad, described in its README) through every door a file comes in.

Each file goes through (a) `sahelmap validate` run as a real process (exit status, `file:row: column:
reason` lines, never a traceback), (b) ``uploads.read_upload``, the app's reader (rows kept, rejected rows
downloadable with their reasons, a message naming the file) and, for a representative subset, (c) the
page itself under AppTest (a success or error message, no exception, the KPI grown by the kept rows).
Last, HTML and script payloads in every text field of an upload must reach the map escaped and the
page's messages inert. All files are synthetic.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from sahelmap import uploads
from sahelmap.ingest import registry
from sahelmap.uploads import read_upload, rejected_csv
from tests.apptest_helpers import map_args, map_features, metric, run_app
from tests.factories import ROOT, good_row

pytestmark = pytest.mark.filterwarnings("ignore")

BAD = ROOT / "tests" / "data" / "bad"
LONG_CELL = 1 << 20  # 1 MB in one cell, generated: not committed
TOO_LARGE = (uploads.MAX_UPLOAD_MB + 1) << 20  # over the upload limit, generated: not committed
DATE_REASON = (
    "not a date (accepted: YYYY-MM-DD, '01 March 2023', DD/MM/YYYY or MM/DD/YYYY (one order per file"
)
NO_FORMAT = "the columns match no known format. Found: "
SPREADSHEET_FILE = "this looks like a ZIP archive or an Excel .xlsx workbook: save the sheet as CSV (UTF-8)"
SEGOU_MENAKA = ["Ségou", "Ménaka"]


# --- the table: what every file must give -------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One corpus file and what it must give, wherever it comes in.

    ``error``: the file cannot be read; the message after "<file>: ". Otherwise ``kept`` and
    ``rejected`` rows, and ``problems`` as (row, column, start of the reason); row None = the file.
    """

    name: str
    error: str | None = None
    kept: int = 0
    rejected: int = 0
    problems: tuple[tuple[int | None, str, str], ...] = ()
    notices: tuple[str, ...] = ()
    check: Callable[[pd.DataFrame], None] | None = None  # on the kept rows
    check_rejected: Callable[[list[dict[str, str]]], None] | None = None  # on the downloaded rejects

    @property
    def exit_code(self) -> int:
        if self.error is not None:
            return 2
        return 1 if self.rejected or any(row is None for row, _, _ in self.problems) else 0


def _values(column: str, expected: list[object]) -> Callable[[pd.DataFrame], None]:
    def check(valid: pd.DataFrame) -> None:
        assert valid[column].tolist() == expected

    return check


def _accents(valid: pd.DataFrame) -> None:
    assert valid["location"].tolist() == SEGOU_MENAKA
    assert valid["admin1"].tolist() == SEGOU_MENAKA


def _cp1252(valid: pd.DataFrame) -> None:
    _accents(valid)
    assert "“incertain”" in valid["notes"].iloc[0] and "5 €" in valid["notes"].iloc[0]
    assert valid["source_title"].iloc[1] == "Ménaka : l’armée œuvre…"


def _bom(valid: pd.DataFrame) -> None:
    _accents(valid)
    assert valid["event_id"].tolist() == ["BAD-001", "BAD-002"]  # not '\ufeffevent_id' as the column


def _no_carriage_returns(valid: pd.DataFrame) -> None:
    assert valid["location"].tolist() == ["Gao", "Ménaka"]
    text = valid.select_dtypes("object").astype("str")
    assert not text.apply(lambda c: c.str.contains("\r", regex=False)).any().any()


def _multiline(valid: pd.DataFrame) -> None:
    note = valid["notes"].iloc[0]
    assert note.startswith("First line of the note.\nSecond line") and note.endswith("Third line.")
    assert valid["actor1"].iloc[1] == "Military Forces of Mali (2021-)\nWagner Group"


def _dates(valid: pd.DataFrame) -> None:
    # ISO, '12 March 2022', 12-03-2022, 12/03/2022, 12/03/2022 00:00:00, ISO with a time: day-first,
    # as 27/03/2022 (row 15, kept) shows
    assert valid["event_id"].tolist() == [*(f"BAD-{i:03d}" for i in range(1, 7)), "BAD-014"]
    assert valid["event_date"].tolist() == [pd.Timestamp("2022-03-12")] * 6 + [pd.Timestamp("2022-03-27")]


def _us_dates(valid: pd.DataFrame) -> None:
    assert valid["event_date"].tolist() == [pd.Timestamp("2023-03-01"), pd.Timestamp("2019-02-28")]


def _excel_serials(valid: pd.DataFrame) -> None:
    assert valid["event_date"].tolist() == [pd.Timestamp("2023-03-01"), pd.Timestamp("2019-02-28")]


def _bounds(valid: pd.DataFrame) -> None:
    assert valid["event_id"].tolist() == ["MLI90001", "MLI90009"]
    assert valid["fatalities"].tolist() == [100_000, 3]  # the bound itself is kept, exactly
    assert valid["timestamp"].tolist() == [1650000000, 4_102_444_800]


def _missing_words(valid: pd.DataFrame) -> None:
    row = valid.iloc[0]
    assert row[["assoc_actor_1", "actor2", "admin2", "source_url"]].isna().all()
    assert row["actor1"] == "Military Forces of Mali (2021-)"


def _zero_width(valid: pd.DataFrame) -> None:
    assert valid["event_id"].tolist() == ["ZW-1"]
    assert valid["assoc_actor_1"].tolist() == ["Wagner Group"] and valid["location"].tolist() == ["Gao"]


def _decimal_commas(valid: pd.DataFrame) -> None:
    assert valid["latitude"].tolist() == [16.27] and valid["longitude"].tolist() == [-0.04]


def _two_gao_events(valid: pd.DataFrame) -> None:
    assert valid["event_id"].tolist() == ["BAD-001", "BAD-002"]
    assert valid["location"].tolist() == ["Gao", "Gao"]


def _extra_ignored(valid: pd.DataFrame) -> None:
    assert not {"confidence", "my_comment", "row", "rejection_reasons"} & set(valid.columns)


def _extra_kept_in_rejects(rows: list[dict[str, str]]) -> None:
    # the user's own columns come back as given; the file's old row and reasons are replaced
    assert (rows[0]["confidence"], rows[0]["my_comment"]) == ("low", "coordinates unsure")
    assert (rows[0]["row"], rows[0]["rejection_reasons"]) == ("3", "latitude: not a number")


def _first_duplicate_wins(valid: pd.DataFrame) -> None:
    assert valid["notes"].iloc[0].startswith("Synthetic test event")
    assert valid["latitude"].iloc[0] == 16.27


def _raw_markup_kept(valid: pd.DataFrame) -> None:
    # Stored as given: escaping is the job of each output (map popups, markdown), tested below.
    assert valid["notes"].iloc[0].startswith("<script>alert(1)</script>")
    assert valid["actor1"].iloc[0] == "<img src=x onerror=alert(1)>"


def _formulas_kept(valid: pd.DataFrame) -> None:
    assert valid["notes"].iloc[0].startswith("=HYPERLINK(")
    assert valid["location"].iloc[0] == "@SUM(1+1)"


def _formulas_neutralised(rows: list[dict[str, str]]) -> None:
    assert rows[0]["fatalities"] == "'=1+1"
    assert rows[0]["notes"] == "'=cmd|'/C calc'!A0"
    assert rows[0]["longitude"] == "-0.04"  # a plain number is left as given


def _acled_formulas(rows: list[dict[str, str]]) -> None:
    assert rows[0]["source"] == "'@SUM(1)" and rows[0]["latitude"] == "<b>16</b>"


def _long_note(valid: pd.DataFrame) -> None:
    assert len(valid["notes"].iloc[0]) == LONG_CELL


def _fatalities(valid: pd.DataFrame) -> None:
    assert valid["fatalities"].tolist() == [0, pd.NA, 4]


CASES: list[Case] = [
    Case("empty.csv", error="the file is empty"),
    Case("blank_lines_and_bom.csv", error="the file is empty"),
    Case("header_only.csv", notices=("the file has a header but no rows",)),
    Case(
        "semicolon_delimited.csv",
        kept=2,
        notices=("fields separated by ';', not commas",),
        check=_values("location", ["Gao", "Ségou"]),
    ),
    Case(
        "tab_delimited.tsv",
        kept=2,
        notices=("fields separated by '\\t', not commas",),
        check=_values("location", ["Gao", "Ségou"]),
    ),
    Case("missing_required_columns.csv", error=NO_FORMAT + "event_id, event_date"),
    Case(
        "acled_missing_coordinates.csv",
        rejected=2,
        problems=((None, "latitude", "required column is missing"), (None, "longitude", "required")),
    ),
    Case(
        "extra_columns.csv",
        kept=1,
        rejected=1,
        problems=((3, "latitude", "not a number"),),
        check=_extra_ignored,
        check_rejected=_extra_kept_in_rejects,
    ),
    Case("duplicate_header_names.csv", kept=1, check=_first_duplicate_wins),
    Case(
        "latin1_accents.csv",
        kept=2,
        notices=("(not UTF-8); check accented names such as Ségou",),  # cp1252 or Latin-1: same letters
        check=_accents,
    ),
    Case(
        "cp1252_accents.csv",
        kept=2,
        notices=("read as cp1252 (not UTF-8); check accented names such as Ségou",),
        check=_cp1252,
    ),
    Case(
        "acled_semicolon_cp1252.csv",
        kept=2,
        notices=("read as cp1252 (not UTF-8)", "fields separated by ';', not commas"),
        check=_accents,
    ),
    Case("utf8_bom.csv", kept=2, check=_bom),
    Case(
        "crlf_line_endings.csv",
        kept=2,
        rejected=1,
        problems=((4, "fatalities", "negative"),),
        check=_no_carriage_returns,
    ),
    Case(
        "quoted_newlines.csv",
        kept=2,
        rejected=1,
        problems=((4, "latitude", "not a number"),),  # spreadsheet row 4, though it starts on line 8
        check=_multiline,
    ),
    Case("unterminated_quote.csv", error="not a readable delimited table (Error tokenizing data."),
    Case(
        "ragged_rows.csv",
        kept=1,
        rejected=1,
        problems=((3, "row", "has 26 fields, the header 23"),),  # the row, not the whole file
        check=_values("event_id", ["BAD-001"]),
    ),
    Case(
        "dates_mixed.csv",
        kept=7,
        rejected=8,
        problems=(
            (8, "event_date", DATE_REASON),  # 2022-02-31
            (9, "event_date", DATE_REASON),  # 31 February 2022
            (10, "event_date", DATE_REASON),  # year 20222
            (11, "event_date", "date outside 1997-01-01.."),  # 2099
            (12, "event_date", "date outside 1997-01-01.."),  # 1990
            (13, "event_date", DATE_REASON),  # yesterday
            (14, "end_date", "before event_date"),
            (16, "event_date", DATE_REASON),  # 31/02/2022
        ),
        notices=("dates read day-first (DD/MM/YYYY), as 27/03/2022 at row 15 shows",),
        check=_dates,
    ),
    Case(
        "acled_us_dates.csv",
        kept=2,
        notices=("dates read month-first (MM/DD/YYYY), as 2/28/2019 at row 3 shows",),
        check=_us_dates,
    ),
    Case(
        "acled_dates_ambiguous.csv",
        error="dates such as 3/1/2023 (row 2) can be day-first or month-first, and no date in the file "
        "settles it; give the order with --date-order dmy (day first) or --date-order mdy (month first)",
    ),
    Case(
        "acled_dates_conflicting.csv",
        error="some dates are day-first (13/02/2020 at row 2), others month-first (02/13/2020 at row 3); "
        "give the file's order with --date-order dmy",
    ),
    Case("acled_excel_serial_dates.csv", kept=2, check=_excel_serials),
    Case(
        "acled_other_countries.csv",
        kept=1,
        rejected=3,
        problems=(
            (3, "country", "country is Burkina Faso, not Mali"),
            (4, "country", "country is Niger, not Mali"),
            (5, "country", "country is Niger, not Mali"),
        ),
        notices=("3 rows from 2 other countries skipped (Niger 2, Burkina Faso 1)",),
        check=_values("event_id", ["MLI90001"]),
    ),
    Case(
        "acled_number_bounds.csv",
        kept=2,
        rejected=7,
        problems=(
            (3, "fatalities", "more than 100,000 deaths in one event"),
            (4, "fatalities", "more than 100,000 deaths in one event"),  # 3000000000, not -1294967296
            (5, "fatalities", "more than 100,000 deaths in one event"),  # 1e10
            (6, "fatalities", "more than 100,000 deaths in one event"),  # 2**63, not "negative"
            (7, "fatalities", "not a finite number"),  # inf
            (8, "timestamp", "timestamp outside 0..4102444800"),  # 1e30, not -2**63
            (9, "timestamp", "timestamp outside 0..4102444800"),  # -1
        ),
        check=_bounds,
    ),
    Case(
        "missing_value_words.csv",
        kept=1,
        rejected=1,
        problems=((3, "actor1", "is empty"),),  # NA is no actor's name
        notices=("5 values NA, N/A, null or #N/A read as empty",),
        check=_missing_words,
    ),
    Case(
        "zero_width_characters.csv",
        kept=1,
        rejected=1,
        problems=((3, "event_id", "duplicate (an earlier row has it)"),),  # ZW\u200b-1 is ZW-1
        notices=("3 ids or names held invisible format characters (such as a zero-width space), removed",),
        check=_zero_width,
    ),
    Case(
        "blank_rows.csv",
        kept=1,
        rejected=1,
        problems=((6, "latitude", "not a number"),),  # its true row, after 3 blank ones
        notices=("3 blank rows skipped",),
    ),
    Case("sep_line.csv", kept=2, check=_two_gao_events),
    Case(
        "semicolon_decimal_commas.csv",
        kept=1,
        rejected=1,
        problems=((3, "fatalities", "not a whole number"),),  # 1,5 deaths
        notices=("5 numbers with a decimal comma read as decimals (14,1 = 14.1)",),
        check=_decimal_commas,
    ),
    Case(
        "excel_unicode_text.txt",
        kept=2,
        notices=('read as UTF-16 (Excel\'s "Unicode text")', "fields separated by '\\t', not commas"),
        check=_accents,
    ),
    Case("utf16_no_bom.csv", kept=2, notices=("read as UTF-16",), check=_two_gao_events),
    Case("events.csv.gz", kept=2, notices=("unpacked from gzip",), check=_two_gao_events),
    Case("zip_of_two_files.zip", error="the ZIP archive holds 2 files; sahelmap reads a ZIP holding one CSV"),
    Case("acled_ndjson.json", kept=2, check=_values("event_id", ["MLI90001", "MLI90002"])),
    Case("huge_integer.json", error="not valid JSON (Exceeds the limit (4300 digits)"),
    Case(
        "escape_codes_in_header.csv",
        error=NO_FORMAT + "\\x1b[2J\\x1b[31mevent\\x1b]0;owned\\x07, b.",  # escaped, never raw
    ),
    Case(
        "coordinates_bad.csv",
        kept=1,
        rejected=7,
        problems=(
            (3, "latitude", "latitude outside Mali (latitude and longitude look swapped)"),
            (3, "longitude", "longitude outside Mali (latitude and longitude look swapped)"),
            (4, "latitude", "latitude outside Mali"),  # Paris
            (5, "latitude", "not a number"),  # NaN
            (6, "longitude", "not a number"),  # east
            (7, "latitude", "not a number"),  # decimal comma
            (7, "longitude", "not a number"),
            (8, "latitude", "is empty"),
            (8, "longitude", "is empty"),
            (9, "latitude", "not a finite number"),  # inf
        ),
    ),
    Case(
        "fatalities_bad.csv",
        kept=3,
        rejected=3,
        problems=(
            (4, "fatalities", "negative"),
            (5, "fatalities", "not a whole number"),
            (6, "fatalities", "not a number"),
        ),
        check=_fatalities,
    ),
    Case(
        "duplicate_ids.csv",
        kept=2,
        rejected=2,
        problems=(
            (4, "event_id", "duplicate (an earlier row has it)"),
            (5, "event_id", "duplicate (an earlier row has it)"),
        ),
    ),
    Case(
        "acled_bad_values.csv",
        kept=1,
        rejected=6,
        problems=(
            (3, "event_date", DATE_REASON),
            (4, "latitude", "latitude outside Mali (latitude and longitude look swapped)"),
            (5, "fatalities", "negative"),
            (6, "fatalities", "not a whole number"),
            (7, "event_type", "not one of ACLED's 6 event types"),
            (8, "event_id", "duplicate (an earlier row has it)"),
        ),
    ),
    Case("html_and_script.csv", kept=2, check=_raw_markup_kept),
    Case(
        "spreadsheet_formulas.csv",
        kept=1,
        rejected=1,
        problems=((3, "fatalities", "not a number"),),
        check=_formulas_kept,
        check_rejected=_formulas_neutralised,
    ),
    Case(
        "acled_html_and_formulas.csv",
        kept=1,
        rejected=1,
        problems=((3, "latitude", "not a number"),),
        check_rejected=_acled_formulas,
    ),
    Case("binary_renamed.csv", error="this looks like a binary file, not a text table"),
    Case("binary_no_nul.csv", error=NO_FORMAT),
    Case("workbook.xlsx", error=SPREADSHEET_FILE),
    Case("workbook_saved_as.csv", error=SPREADSHEET_FILE),
    Case(
        "events_zipped.zip",
        kept=2,
        notices=("read events.csv from the ZIP archive",),
        check=_values("event_id", ["BAD-001", "BAD-002"]),
    ),
    Case("old_excel.xls", error="this looks like an old Excel .xls workbook"),
    Case("broken.json", error="not valid JSON (Expecting property name"),
    Case("not_events.json", error="JSON without a 'data' list of events, as ACLED's API answers"),
    # Generated by the `generated` fixture: too big to commit.
    Case(
        "long_field.csv",
        kept=1,
        rejected=1,
        problems=((3, "latitude", "not a number"),),
        check=_long_note,
    ),
    Case("too_large.csv", kept=1),  # the command line has no size limit; an upload has (below)
    Case("many_columns.csv", error="the header has about 40,000 columns; sahelmap reads at most 500"),
    Case("long_single_line.csv", error=NO_FORMAT + "x" * 60 + "... (5,242,880 characters)."),
    Case("deep_nesting.json", error="not valid JSON (nested too deeply)"),
]
GENERATED = {
    "long_field.csv",
    "too_large.csv",
    "many_columns.csv",
    "long_single_line.csv",
    "deep_nesting.json",
}
BY_NAME = {case.name: case for case in CASES}


def test_every_corpus_file_is_in_the_table_and_the_readme() -> None:
    committed = {p.name for p in BAD.iterdir() if p.name not in ("README.md", ".gitattributes")}
    assert committed | GENERATED == set(BY_NAME)
    readme = (BAD / "README.md").read_text(encoding="utf-8")
    missing = [name for name in BY_NAME if f"`{name}`" not in readme]
    assert not missing, f"files without a line in tests/data/bad/README.md: {missing}"


# --- generated files and the processes of the command line ----------------------------------------


def _canonical_csv(*rows: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("bad-generated")
    (directory / "long_field.csv").write_bytes(
        _canonical_csv(
            good_row(event_id="LONG-1", notes="n" * LONG_CELL),
            good_row(event_id="LONG-2", latitude="x" * LONG_CELL),
        )
    )
    big = _canonical_csv(good_row(event_id="BIG-1", notes="b" * TOO_LARGE))
    assert len(big) > uploads.MAX_UPLOAD_MB * 1024 * 1024
    (directory / "too_large.csv").write_bytes(big)
    (directory / "many_columns.csv").write_bytes(b",".join([b"a"] * 40_000) + b"\n" + b"1" * 10 + b"\n")
    (directory / "long_single_line.csv").write_bytes(b"x" * (5 << 20))  # one 5 MB line, no delimiter
    (directory / "deep_nesting.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    return directory


def path_of(name: str, generated: Path) -> Path:
    return generated / name if name in GENERATED else BAD.relative_to(ROOT) / name


def _sahelmap_command() -> list[str]:
    script = Path(sys.executable).with_name("sahelmap")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sahelmap.cli"]


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def cli_runs(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """`sahelmap validate <file>`: one process per file (forked after one import: tests/validate_each.py)."""
    if not hasattr(os, "fork"):
        pytest.skip("tests/validate_each.py forks one process per file (POSIX only)")
    outdir = tmp_path_factory.mktemp("validate-each")
    paths = [str(path_of(case.name, generated)) for case in CASES]
    done = subprocess.run(
        [sys.executable, "-m", "tests.validate_each", str(outdir), *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    codes = json.loads(done.stdout)
    return {
        case.name: Run(
            codes[i],
            (outdir / f"{i}.out").read_text(encoding="utf-8"),
            (outdir / f"{i}.err").read_text(encoding="utf-8"),
        )
        for i, case in enumerate(CASES)
    }


@pytest.mark.slow
def test_the_installed_command_reads_the_whole_corpus_in_one_go(generated: Path) -> None:
    """The real `sahelmap` script, once over every file: the worst status wins, nothing stops it."""
    paths = [str(path_of(c.name, generated)) for c in CASES]
    result = subprocess.run(
        [*_sahelmap_command(), "validate", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert result.returncode == 2
    for path in paths:
        assert f"{path} (" in result.stdout or f"error: {path}: " in result.stderr, path


@pytest.mark.slow  # one `sahelmap validate` process per corpus file
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_sahelmap_validate(case: Case, cli_runs: dict[str, Run], generated: Path) -> None:
    result = cli_runs[case.name]
    path = path_of(case.name, generated)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert result.returncode == case.exit_code, output[-3000:]
    if case.error is not None:
        assert f"error: {path}: {case.error}" in result.stderr
        return
    assert f"{path} (" in result.stdout
    assert (
        f": {case.kept + case.rejected} rows read, {case.kept} valid, {case.rejected} rejected"
        in result.stdout
    )
    for notice in case.notices:
        # the note names the file, then the notice (an encoding may be detected as cp1252 or latin-1)
        assert any(
            line.startswith(f"  note: {path}: ") and notice in line for line in result.stdout.splitlines()
        ), result.stdout
    for row, column, reason in case.problems:
        where = f"{path}:{row}" if row is not None else str(path)
        assert f"{where}: {column}: {reason}" in result.stdout, result.stdout
    assert len(output) < 20_000, "a report line echoes a whole long value"


# --- the app's reader -----------------------------------------------------------------------------


def _rejected_rows(upload: uploads.Upload) -> tuple[list[str], list[dict[str, str]]]:
    """The download as a spreadsheet would read it: every cell as text."""
    frame = pd.read_csv(
        io.BytesIO(rejected_csv(upload)), dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    return list(frame.columns), frame.to_dict("records")


def _assert_safe_for_spreadsheets(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for value in row.values():
            if value[:1] in ("=", "@", "\t", "\r"):
                raise AssertionError(f"formula-like cell in the rejected rows: {value[:40]!r}")
            if value[:1] in ("+", "-"):
                assert re.fullmatch(uploads.PLAIN_NUMBER, value), value[:40]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_read_upload(case: Case, generated: Path) -> None:
    data = (ROOT / path_of(case.name, generated)).read_bytes()
    upload = read_upload(data, case.name)
    if case.name == "too_large.csv":
        assert upload.error == (
            f"too_large.csv: the file is larger than {uploads.MAX_UPLOAD_MB} MB; "
            "import it with `sahelmap import` instead"
        )
        return
    if case.error is not None:
        assert not upload.ok
        assert upload.error is not None and upload.error.startswith(f"{case.name}: {case.error}")
        assert upload.summary() == upload.error
        assert rejected_csv(upload) == b"\xef\xbb\xbf\r\n"  # nothing to download, and no crash
        return
    assert upload.ok and upload.result is not None, upload.error
    result = upload.result
    assert upload.summary().startswith(
        f"{case.name} ({upload.format}): {case.kept + case.rejected:,} rows read"
    )
    assert (len(result.valid), result.n_rejected) == (case.kept, case.rejected)
    assert (result.valid["dataset"] == upload.label).all()
    for notice in case.notices:
        assert any(n.startswith(f"{case.name}: ") and notice in n for n in upload.notices), upload.notices
    report = result.report
    assert (report["file"] == case.name).all()
    for row, column, reason in case.problems:
        at_row = report["row"].isna() if row is None else report["row"].eq(row).fillna(False)
        lines = report[at_row & report["column"].eq(column)]
        assert lines["reason"].str.startswith(reason).any(), report.to_string()
    if case.check is not None:
        case.check(result.valid)

    columns, rows = _rejected_rows(upload)
    assert len(rows) == case.rejected
    if rows:
        assert columns[0] == "row" and columns[-1] == "rejection_reasons"
        problem_rows = {row for row, _, _ in case.problems}
        expected_rows = set(range(2, 2 + case.rejected)) if problem_rows == {None} else problem_rows - {None}
        assert {int(r["row"]) for r in rows} == expected_rows
        for r in rows:
            assert r["rejection_reasons"], r
        for row, column, reason in case.problems:
            if row is None:  # every row, rejected with the file's missing columns
                assert all("missing required columns: " in r["rejection_reasons"] for r in rows)
                assert all(column in r["rejection_reasons"] for r in rows)
                continue
            text = [r["rejection_reasons"] for r in rows if int(r["row"]) == row]
            assert any(f"{column}: {reason.split(' (')[0]}" in t for t in text), (row, column, text)
        _assert_safe_for_spreadsheets(rows)
    if case.check_rejected is not None:
        case.check_rejected(rows)


def test_an_upload_over_the_row_limit_is_refused_with_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_UPLOAD_ROWS", 3)
    upload = read_upload((BAD / "fatalities_bad.csv").read_bytes(), "fatalities_bad.csv")
    assert not upload.ok
    assert upload.error == (
        "fatalities_bad.csv: more rows than the 3 an upload may hold (blank rows included); "
        "import it with `sahelmap import` instead"
    )


def test_the_row_limit_is_checked_before_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_UPLOAD_ROWS", 3)

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("validation ran on a file over the row limit")

    monkeypatch.setattr(registry, "Validator", never)
    upload = read_upload((BAD / "blank_rows.csv").read_bytes(), "blank_rows.csv")  # 2 rows, 3 blank
    assert upload.error is not None and "more rows than the 3 an upload may hold" in upload.error


def test_an_upload_reads_dates_in_the_order_given() -> None:
    data = (BAD / "acled_dates_ambiguous.csv").read_bytes()
    refused = read_upload(data, "a.csv")
    assert refused.error is not None and "--date-order dmy" in refused.error
    for order, expected in (("dmy", ["2023-01-03", "2022-02-04"]), ("mdy", ["2023-03-01", "2022-04-02"])):
        upload = read_upload(data, "a.csv", date_order=order)
        assert upload.result is not None
        assert upload.result.valid["event_date"].dt.strftime("%Y-%m-%d").tolist() == expected


@pytest.mark.slow  # a `sahelmap import` process each
@pytest.mark.parametrize(
    ("order", "kept", "rejected_value"),
    [("dmy", "2020-02-13", "02/13/2020"), ("mdy", "2020-02-13", "13/02/2020")],
)
def test_the_cli_reads_dates_in_the_order_given(
    order: str, kept: str, rejected_value: str, tmp_path: Path
) -> None:
    path = BAD / "acled_dates_conflicting.csv"
    result = subprocess.run(
        [*_sahelmap_command(), "validate", "--date-order", order, str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "1 valid, 1 rejected" in result.stdout
    assert f"dates: {kept} .. {kept}" in result.stdout
    assert "event_date: not a date" in result.stdout and f"(value: '{rejected_value}')" in result.stdout


def test_downloaded_rejected_rows_can_be_fixed_and_loaded_again() -> None:
    """The point of the download: fix the flagged cells in a spreadsheet, then load the file again."""
    first = read_upload((BAD / "coordinates_bad.csv").read_bytes(), "coordinates_bad.csv")
    columns, rows = _rejected_rows(first)
    assert len(rows) == 7
    for row in rows:  # the fix a user makes: the right coordinates of Gao
        row["latitude"], row["longitude"] = "16.27", "-0.04"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    again = read_upload(out.getvalue().encode("utf-8-sig"), "coordinates_fixed.csv")
    assert again.ok and again.result is not None, again.error
    assert again.result.report.empty, again.result.report.to_string()
    assert len(again.result.valid) == 7
    assert not {"row", "rejection_reasons"} & set(again.result.valid.columns)


# --- the page: a representative subset, uploaded through AppTest -----------------------------------

APP_SUBSET = [
    "empty.csv",
    "header_only.csv",
    "semicolon_delimited.csv",
    "cp1252_accents.csv",
    "quoted_newlines.csv",
    "dates_mixed.csv",
    "coordinates_bad.csv",
    "acled_bad_values.csv",
    "acled_missing_coordinates.csv",
    "binary_no_nul.csv",
    "workbook_saved_as.csv",
    "broken.json",
    "long_field.csv",
    "too_large.csv",
]


def _unescaped(value: object) -> str:
    return str(value).replace("\\", "")


@pytest.mark.slow
@pytest.mark.parametrize("name", APP_SUBSET)
def test_upload_in_the_app(name: str, generated: Path) -> None:
    case = BY_NAME[name]
    at = run_app()
    before = metric(at, "Events")
    data = (ROOT / path_of(name, generated)).read_bytes()
    at.file_uploader(key="w_upload").upload(name, data, "text/csv").run()
    assert not at.exception, at.exception
    successes = [_unescaped(s.value) for s in at.success]
    errors = [_unescaped(e.value) for e in at.error]
    if case.error is not None or name == "too_large.csv":
        assert not successes
        assert any(e.startswith(f"{name}: ") for e in errors), errors
        if case.error is not None:
            assert any(case.error in e for e in errors), errors
        assert metric(at, "Events") == before
        return
    assert not errors
    rows = case.kept + case.rejected
    # read: green when rows were kept, amber when every row was rejected
    summaries = successes if case.kept else [_unescaped(w.value) for w in at.warning]
    assert any(
        s.startswith(f"{name} (")
        and f"{rows:,} rows read, {case.kept:,} kept, {case.rejected:,} rejected" in s
        for s in summaries
    ), summaries
    assert bool(successes) == bool(case.kept)
    assert metric(at, "Events") == before + case.kept
    labels = [b.label for b in at.get("download_button")]
    has_download = any(
        label.startswith(f"Rejected rows with reasons ({case.rejected:,})") for label in labels
    )
    assert has_download == bool(case.rejected), labels


@pytest.mark.slow
def test_uploaded_events_outside_the_curated_dates_are_counted() -> None:
    """The period follows the data's range: events after the last curated date count at once."""
    at = run_app()
    before = metric(at, "Events")
    data = _canonical_csv(
        good_row(event_id="LATE-1", event_date="2026-03-01", source_date="2026-03-02"),
        good_row(event_id="EARLY-1", event_date="2010-05-01", source_date="2010-05-02"),
    )
    at.file_uploader(key="w_upload").upload("beyond.csv", data, "text/csv").run()
    assert any("2 kept" in str(s.value) for s in at.success)
    assert metric(at, "Events") == before + 2


# --- injection: markup in every text field ---------------------------------------------------------

IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"
SVG = "\"'><svg onload=alert(1)>"
PAYLOADS = (IMG, SCRIPT, SVG)
TEXT_FIELDS = (
    "actor1",
    "assoc_actor_1",
    "actor2",
    "assoc_actor_2",
    "location",
    "admin1",
    "admin2",
    "notes",
    "source",
    "source_url",
    "source_title",
)
RAW_MARKUP = ("<img src=x", "<script>alert", "<svg onload", "onerror=alert(1)>")
UNESCAPED_MARKUP = re.compile(r"(?<!\\)[<>\[\]()!]")  # a markup character without its backslash


@pytest.mark.slow
def test_markup_in_every_text_field_arrives_escaped() -> None:
    rows = [
        good_row(event_id=f"{payload} {i}", **dict.fromkeys(TEXT_FIELDS, payload))
        for i, payload in enumerate(PAYLOADS)
    ]
    rows.append(good_row(event_id=f"{IMG} rejected", latitude=IMG))  # its value shows in the report
    name = f"{IMG} [x](javascript:alert(1)).csv"
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]), delimiter=";", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    at = run_app()
    before = metric(at, "Events")
    at.file_uploader(key="w_upload").upload(name, text.getvalue().encode("utf-8"), "text/csv").run()
    assert not at.exception
    assert metric(at, "Events") == before + len(PAYLOADS)

    # The map: popups and tooltips carry the payloads as escaped text, and nothing raw anywhere.
    features = [f for f in map_features(at) if any(p in f["properties"]["id"] for p in PAYLOADS)]
    assert len(features) == len(PAYLOADS)
    for feature in features:
        props = feature["properties"]
        for html_text in (props["popup"], props["tooltip"]):
            assert not any(raw in html_text for raw in RAW_MARKUP), html_text
        assert "&lt;" in props["tooltip"]
    popups = " ".join(f["properties"]["popup"] for f in features)
    assert "&lt;img src=x onerror=alert(1)&gt;" in popups
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in popups
    assert "&quot;&#x27;&gt;&lt;svg onload=alert(1)&gt;" in popups
    assert "javascript:" not in popups and "href=" not in popups  # no link from a non-http source_url
    script = str(map_args(at))
    assert not any(raw in script for raw in RAW_MARKUP)

    # Messages: the file name is shown, but as inert markdown (every special character escaped).
    shown = [
        str(e.value)
        for kind in ("success", "error", "warning", "info", "caption", "markdown")
        for e in at.get(kind)
    ]
    assert any(_unescaped(s).startswith(name) for s in shown), shown
    for text_shown in shown:  # markdown shows a backslash-escaped character as itself
        assert not UNESCAPED_MARKUP.search(text_shown), text_shown
    notice = [s for s in (str(c.value) for c in at.caption) if "not commas" in s]
    assert notice and notice[0].startswith(r"\<img src=x onerror=alert\(1\)\>")


@pytest.mark.parametrize(
    ("value", "allowed"),
    [("", True), ("0", True), ("false", True), ("No", True), ("1", False), ("true", False), ("yes", False)],
)
def test_readonly_switch(value: str, allowed: bool) -> None:
    from sahelmap.uploads import keeping_allowed

    assert keeping_allowed({"SAHELMAP_READONLY": value} if value else {}) is allowed
