"""`sahelmap import`, `sahelmap datasets`, `sahelmap remove` on synthetic files in a temporary store."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.factories import ROOT, acled_file, run_cli


def test_import_prints_counts_dates_and_report_path(tmp_path: Path, data_dir: Path) -> None:
    f = acled_file(tmp_path / "export.csv")
    result = run_cli("import", str(f))
    assert result.exit_code == 0, result.output
    assert f"{f} (acled): 3 rows read, 3 stored (3 new, 0 updated), 0 unchanged, 0 rejected" in result.stdout
    assert "dataset 'acled': 3 events, 2023-03-01 .. 2023-03-03" in result.stdout
    report = data_dir / "datasets" / "acled.rejected.csv"
    assert f"rejection report: {report}" in result.stdout and report.exists()
    assert "reading and checking" in result.stderr and "done" in result.stderr  # stage-by-stage progress
    assert (data_dir / "datasets" / "acled.parquet").exists()


def test_reimport_stores_nothing_new(tmp_path: Path, data_dir: Path) -> None:
    f = acled_file(tmp_path / "export.csv")
    assert run_cli("import", str(f)).exit_code == 0
    again = run_cli("import", str(f))
    assert again.exit_code == 0
    assert "3 rows read, 0 stored (0 new, 0 updated), 3 unchanged, 0 rejected" in again.stdout
    assert "nothing changed" in again.stdout


def test_newer_export_updates_and_adds(tmp_path: Path, data_dir: Path) -> None:
    assert run_cli("import", str(acled_file(tmp_path / "old.csv"))).exit_code == 0
    newer = acled_file(tmp_path / "new.csv", n=4, r3={"fatalities": "9", "timestamp": "1800000000"})
    result = run_cli("import", str(newer))
    assert "4 rows read, 2 stored (1 new, 1 updated), 2 unchanged, 0 rejected" in result.stdout
    assert "dataset 'acled': 4 events, 2023-03-01 .. 2023-03-04" in result.stdout


def test_rejected_rows_exit_1_are_listed_and_saved(tmp_path: Path, data_dir: Path) -> None:
    f = acled_file(tmp_path / "bad.csv", r2={"latitude": "48.85", "longitude": "2.35"})
    result = run_cli("import", str(f), "--label", "mine")
    assert result.exit_code == 1
    assert "3 rows read, 2 stored (2 new, 0 updated), 0 unchanged, 1 rejected" in result.stdout
    assert f"{f}:3: latitude: latitude outside Mali (value: '48.85')" in result.stdout
    report = pd.read_csv(data_dir / "datasets" / "mine.rejected.csv")
    assert report[["row", "column", "value"]].values.tolist() == [[3, "latitude", 48.85]]


def test_many_rejections_are_summarised(tmp_path: Path, data_dir: Path) -> None:
    changes = {f"r{i}": {"fatalities": "-1"} for i in range(1, 31)}
    result = run_cli("import", str(acled_file(tmp_path / "bad.csv", n=31, **changes)))
    assert result.exit_code == 1
    assert "... and 10 more lines in the rejection report" in result.stdout


def test_no_valid_row_stores_nothing(tmp_path: Path, data_dir: Path) -> None:
    result = run_cli(
        "import", str(acled_file(tmp_path / "bad.csv", n=1, r1={"event_date": "31 February 2023"}))
    )
    assert result.exit_code == 1
    assert "nothing stored" in result.stdout
    assert not list((data_dir / "datasets").glob("*.parquet"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--label", "curated"], "reserved for the bundled table"),
        (["--label", "../x"], "is not usable"),
        (["--format", "ucdp"], "not a ucdp file: expected UCDP GED columns"),
    ],
)
def test_refused_imports_exit_2(tmp_path: Path, data_dir: Path, args: list[str], message: str) -> None:
    result = run_cli("import", str(acled_file(tmp_path / "e.csv")), *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not (data_dir / "datasets").exists() or not list((data_dir / "datasets").glob("*.parquet"))


def test_canonical_file_needs_its_own_label(tmp_path: Path, data_dir: Path) -> None:
    canonical = tmp_path / "mine.csv"
    canonical.write_text(
        "event_id,event_date,event_type,sub_event_type,actor1,location,latitude,longitude,source\n"
        "X-1,2022-01-01,Battles,Armed clash,Someone,Gao,16.27,-0.04,Test\n"
    )
    refused = run_cli("import", str(canonical))
    assert refused.exit_code == 2 and "reserved" in refused.stderr
    result = run_cli("import", str(canonical), "--label", "my-events")
    assert result.exit_code == 0, result.output
    assert "(curated): 1 rows read, 1 stored" in result.stdout


@pytest.mark.slow
def test_unreadable_file_exits_2_without_traceback(tmp_path: Path) -> None:
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    done = subprocess.run(
        [sys.executable, "-m", "sahelmap.cli", "import", str(binary)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SAHELMAP_DATA_DIR": str(tmp_path / "store")},
        cwd=ROOT,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{binary}: this looks like a binary file" in done.stderr


@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("missing.csv", [], "cannot read the file"),
        ("e.csv", ["--label", "a b"], "is not usable"),
        ("empty.csv", [], "the file is empty"),
        ("not-json.json", [], "not valid JSON"),
    ],
)
def test_bad_input_exits_2_with_a_message(
    tmp_path: Path, data_dir: Path, name: str, args: list[str], message: str
) -> None:
    path = tmp_path / name
    if name == "e.csv":
        acled_file(path)
    elif name == "empty.csv":
        path.write_text("\n")
    elif name == "not-json.json":
        path.write_text("[{]")
    result = run_cli("import", str(path), *args)
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)  # no uncaught error, so no traceback
    assert message in result.stderr


def test_datasets_and_remove(tmp_path: Path, data_dir: Path) -> None:
    empty = run_cli("datasets")
    assert empty.exit_code == 0 and "no imported datasets" in empty.stdout
    run_cli("import", str(acled_file(tmp_path / "a.csv")), "--label", "first")
    run_cli("import", str(acled_file(tmp_path / "b.csv", n=2)), "--label", "second")
    listing = run_cli("datasets").stdout.splitlines()
    assert listing[0].split() == ["label", "format", "events", "dates", "imported", "(UTC)", "source", "file"]
    assert listing[1].split()[:6] == ["first", "acled", "3", "2023-03-01", "..", "2023-03-03"]
    assert listing[2].split()[:3] == ["second", "acled", "2"] and listing[2].endswith("b.csv")
    removed = run_cli("remove", "first")
    assert removed.exit_code == 0 and "removed dataset 'first'" in removed.stdout
    assert [line.split()[0] for line in run_cli("datasets").stdout.splitlines()[1:-1]] == ["second"]
    missing = run_cli("remove", "first")
    assert missing.exit_code == 1 and "no dataset labelled 'first'" in missing.stderr
    reserved = run_cli("remove", "curated")
    assert reserved.exit_code == 2 and "reserved" in reserved.stderr


def test_import_of_ucdp_and_json(tmp_path: Path, data_dir: Path) -> None:
    ucdp = tmp_path / "ged.csv"
    ucdp.write_text(
        "id,type_of_violence,side_a,side_b,date_start,date_end,latitude,longitude,best,where_prec,date_prec,"
        "where_coordinates,adm_1,source_article\n"
        "7,3,JNIM,Civilians,06/28/1990 00:00:00,06/29/1990 00:00:00,14.35,-3.61,4,1,1,Test village,"
        '"Mopti region","Agency,\nline two"\n'
    )
    result = run_cli("import", str(ucdp))
    assert result.exit_code == 0, result.output
    assert "(ucdp): 1 rows read, 1 stored" in result.stdout and "1990-06-28 .. 1990-06-28" in result.stdout
    api = tmp_path / "api.json"
    api.write_text(pd.read_csv(acled_file(tmp_path / "e.csv"), dtype=str).to_json(orient="records"))
    result = run_cli("import", str(api), "--label", "api")
    assert result.exit_code == 0, result.output
    assert "(acled): 3 rows read, 3 stored" in result.stdout
