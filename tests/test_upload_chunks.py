"""What an upload's cost rests on (issue 9 item 11): a file is read and checked in chunks of at most
``textfile.CHUNK_ROWS`` rows, and what is kept of its rejected rows is compact, not whole-file frames.

Figures of time and memory are in BENCHMARKS.md (benchmarks/bench_hostile.py); these tests check the
properties behind them, with a chunk of a few rows so that small files span many chunks.
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from sahelmap import validate as validate_module
from sahelmap.ingest import textfile
from sahelmap.ingest.registry import read_dataset
from tests.factories import good_row

CHUNK = 7
ROWS = 60  # about 9 chunks


def _rows() -> list[dict[str, str]]:
    """Good rows and rows with every kind of problem, an id repeated far apart, a foreign country."""
    rows = []
    for i in range(ROWS):
        row = good_row(event_id=f"E-{i}", country="Mali")
        if i % 3 == 1:  # every field bad
            row.update(
                event_date="31/02/2022", end_date="x", time_precision="9", event_type="Picnic",
                sub_event_type="Nap", actor1="NA", location="", latitude="north", longitude="west",
                geo_precision="7", fatalities="-3", civilian_targeting="maybe", source_date="yesterday",
            )  # fmt: skip
        if i % 11 == 5:
            row["event_id"] = "E-0"  # a duplicate of a row chunks earlier
        if i % 13 == 4:
            row["country"] = "Niger; Burkina Faso"
        if i % 17 == 9:
            row.update(latitude="-4.05", longitude="14.1")  # swapped
        rows.append(row)
    return rows


def _csv(rows: list[dict[str, str]], blank_lines: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for i, row in enumerate(rows):
        writer.writerow(row)
        if blank_lines and i % 10 == 3:
            out.write("\n")  # a blank line: pandas' C parser reads the file, not Arrow's
    return out.getvalue().encode()


FILES = {
    "arrow.csv": lambda: _csv(_rows()),
    "c_parser.csv": lambda: _csv(_rows(), blank_lines=True),
    "list.json": lambda: json.dumps([{"event_id_cnty": r["event_id"], **r} for r in _rows()]).encode(),
    "lines.json": lambda: b"\n".join(
        json.dumps({"event_id_cnty": r["event_id"], **r}).encode() for r in _rows()
    ),
}


def _read(data: bytes, name: str) -> tuple[validate_module.ValidationResult, list[str]]:
    ingested = read_dataset(data, name, fmt="curated" if name.endswith(".csv") else "acled")
    return ingested.result, ingested.notices


@pytest.mark.slow  # about 1.5 s each: nine chunks' checks
@pytest.mark.parametrize("name", list(FILES))
def test_a_file_is_checked_chunk_by_chunk_with_the_same_outcome(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = FILES[name]()
    whole, whole_notices = _read(data, name)  # one chunk: the file has far fewer rows than CHUNK_ROWS
    sizes: list[int] = []
    add = validate_module.Validator.add

    def spy(self: validate_module.Validator, raw: pd.DataFrame, *args: object) -> None:
        sizes.append(len(raw))
        add(self, raw, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(textfile, "CHUNK_ROWS", CHUNK)
    monkeypatch.setattr(validate_module.Validator, "add", spy)
    chunked, chunked_notices = _read(data, name)
    # Validation never sees more than a chunk of rows at a time, and sees every row once.
    assert max(sizes) <= CHUNK and len(sizes) >= ROWS // CHUNK
    assert sum(sizes) == whole.rows_read == chunked.rows_read
    # Chunks change nothing: the same rows kept, the same report, the same rejected rows, the same notices.
    pd.testing.assert_frame_equal(chunked.valid, whole.valid)
    pd.testing.assert_frame_equal(chunked.report, whole.report)
    pd.testing.assert_frame_equal(chunked.rejected, whole.rejected)
    assert chunked_notices == whole_notices
    # The repeated id is caught chunks away from its first row, and the foreign rows are counted.
    duplicates = chunked.report[chunked.report["reason"].eq(validate_module.DUPLICATE)]
    assert duplicates["row"].nunique() == len([i for i in range(ROWS) if i % 11 == 5])
    assert any("other country" in n for n in chunked_notices)


def test_the_rejected_rows_are_held_compactly() -> None:
    """Every row bad, every field bad: what is held is smaller than the file (the report frame alone
    would be larger than the file, and pandas' frame of the rows about twice its size)."""
    bad = good_row(
        event_date="31/02/2022", end_date="x", time_precision="9", event_type="Picnic", sub_event_type="Nap",
        actor1="NA", location="", latitude="north", longitude="west", geo_precision="7", fatalities="-3",
        civilian_targeting="maybe", source_date="yesterday",
    )  # fmt: skip
    data = _csv([{**bad, "event_id": f"E-{i}"} for i in range(3000)])
    result, _ = _read(data, "bad.csv")
    assert result.n_rejected == 3000 and len(result.valid) == 0
    assert result.rejections.nbytes < len(data)
    # ... and gives back in full what the user brought, with every problem.
    assert result.rejected["event_id"].tolist() == [f"E-{i}" for i in range(3000)]
    assert len(result.report) == 3000 * result.report["row"].value_counts().iloc[0]
    assert len(result.rejections.report(limit=200)) == 200


def test_arrow_allocates_with_malloc_once_sahelmap_is_imported() -> None:
    """The upload budget rests on it: mimalloc kept each chunk's freed memory (BENCHMARKS.md, issue 9)."""
    import pyarrow as pa

    import sahelmap  # noqa: F401

    assert pa.default_memory_pool().backend_name == "system"
