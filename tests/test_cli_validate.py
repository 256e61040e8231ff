from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sahelmap.cli import main
from tests.factories import frame_of, good_row


def write_csv(path: Path, *rows: dict[str, str]) -> Path:
    frame_of(*rows).to_csv(path, index=False)
    return path


def test_valid_file_exits_0_and_prints_counts(tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "ok.csv",
        good_row(event_id="a"),
        good_row(event_id="b", location="Kati", latitude="12.7441", longitude="-8.0726"),
    )
    result = CliRunner().invoke(main, ["validate", str(f)])
    assert result.exit_code == 0, result.output
    assert "2 rows read, 2 valid, 0 rejected" in result.output
    assert "dates: 2022-03-27 .. 2022-03-27" in result.output
    assert "Bamako 1" in result.output  # Kati lies within the focus radius of Bamako


def test_rejected_rows_exit_1_with_file_row_column_reason(tmp_path: Path) -> None:
    f = write_csv(tmp_path / "bad.csv", good_row(event_id="a"), good_row(event_id="b", fatalities="-2"))
    result = CliRunner().invoke(main, ["validate", str(f)])
    assert result.exit_code == 1
    assert f"{f}:3: fatalities: negative (value: '-2')" in result.output


@pytest.mark.slow
def test_unreadable_file_exits_2_without_traceback(tmp_path: Path) -> None:
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    result = subprocess.run(
        [sys.executable, "-m", "sahelmap.cli", "validate", str(binary), str(tmp_path / "missing.csv")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{binary}: this looks like a binary file" in result.stderr
    assert "missing.csv: cannot read the file" in result.stderr


def test_missing_columns_exit_1_and_are_named(tmp_path: Path) -> None:
    f = tmp_path / "cols.csv"
    f.write_text(
        "event_id,event_date,event_type,sub_event_type,actor1,location,latitude,longitude,source\n"
        "x,2022-01-01,Battles,Armed clash,A,Gao,16.2,-0.04,AFP\n"
    )
    (tmp_path / "other.csv").write_text("name,value\na,1\n")
    result = CliRunner().invoke(main, ["validate", str(f), str(tmp_path / "other.csv")])
    assert result.exit_code == 2
    assert "match no known format" in result.output + str(result.stderr_bytes or b"")


def test_bundled_table_validates_with_no_rejections() -> None:
    result = CliRunner().invoke(main, ["validate", "data/events.csv"])
    assert result.exit_code == 0, result.output
    assert " 0 rejected" in result.output
