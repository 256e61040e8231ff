"""Issue 9, store and command line: a label keeps its format, ids are counted once, report and data are
one commit, exports are atomic, `remove` fails cleanly and the CLI says what it cut."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest

from sahelmap import export, extract, store
from sahelmap.events import load_events
from tests.factories import DOWNLOAD, acled_file, run_cli, ucdp_csv, ucdp_event

# --- item 5: a label keeps its format ------------------------------------------------------------


def test_a_label_refuses_another_format_unless_replaced(tmp_path: Path, data_dir: Path) -> None:
    acled = acled_file(tmp_path / "a.csv")
    ucdp = tmp_path / "ged.csv"
    ucdp.write_bytes(ucdp_csv(DOWNLOAD, ucdp_event()))
    assert run_cli("import", str(acled), "--label", "mix").exit_code == 0
    refused = run_cli("import", str(ucdp), "--label", "mix")
    assert refused.exit_code == 2
    assert (
        "error: the dataset 'mix' holds acled data and this file is ucdp: import it under another "
        "--label, or give --replace to replace 'mix' with it"
    ) in refused.stderr
    assert "Traceback" not in refused.output
    stored = pd.read_parquet(data_dir / "datasets" / "mix.parquet")
    assert stored["event_id"].tolist() == ["SYN1", "SYN2", "SYN3"]  # nothing lost
    assert store.read_info(data_dir / "datasets" / "mix.parquet").format == "acled"

    replaced = run_cli("import", str(ucdp), "--label", "mix", "--replace")
    assert replaced.exit_code == 0, replaced.output
    info = store.read_info(data_dir / "datasets" / "mix.parquet")
    assert info.format == "ucdp" and info.rows == 1
    assert pd.read_parquet(data_dir / "datasets" / "mix.parquet")["event_id"].str.startswith("UCDP-").all()


def test_citations_follow_each_rows_source(tmp_path: Path, data_dir: Path) -> None:
    ucdp = tmp_path / "ged.csv"
    ucdp.write_bytes(ucdp_csv(DOWNLOAD, ucdp_event()))
    assert run_cli("import", str(acled_file(tmp_path / "a.csv")), "--label", "first").exit_code == 0
    assert run_cli("import", str(ucdp), "--label", "second").exit_code == 0
    assert run_cli("import", str(ucdp), "--label", "first").exit_code == 2  # refused: 'first' stays ACLED
    table = load_events(include_stored=True, data_dir=data_dir)
    lines = export.attribution_for(["first", "second"], table.formats)
    assert "ACLED" in lines[0] and "UCDP" not in lines[0]
    assert "UCDP" in lines[1]


# --- item 4: the same ACLED/UCDP id under two labels --------------------------------------------


def test_ids_already_stored_under_another_label_warn_and_count_once(tmp_path: Path, data_dir: Path) -> None:
    assert run_cli("import", str(acled_file(tmp_path / "all.csv", n=3)), "--label", "acled").exit_code == 0
    half = run_cli("import", str(acled_file(tmp_path / "half.csv", n=2)), "--label", "acled2021")
    assert half.exit_code == 0, half.output
    assert "warning: 2 of these events are already stored under 'acled'" in half.stderr
    assert "warning: 2 of these events are already stored under 'acled'" in half.stdout
    table = load_events(include_stored=True, data_dir=data_dir)
    imported = table.events[table.events["dataset"].astype(str) != "curated"]
    assert len(imported) == 5  # every copy is kept (and shown when asked) ...
    copies = imported[imported["duplicate_of"].notna()]
    assert sorted(copies["event_id"]) == ["SYN1", "SYN2"]  # ... but the second label's are marked copies
    assert set(copies["dataset"].astype(str)) == {"acled2021"}
    once = imported[imported["duplicate_of"].isna()]
    assert sorted(once["event_id"]) == ["SYN1", "SYN2", "SYN3"]
    assert int(once["fatalities"].sum()) == 6


def test_curated_layout_ids_are_not_global(tmp_path: Path, data_dir: Path) -> None:
    """Two uploads of sahelmap's own layout may both say T-1: only ACLED and UCDP ids are global."""
    summary_ids = store._stored_elsewhere(pd.Series(["T-1"]), "b", "curated", data_dir)
    assert summary_ids == {}


# --- item 15: report and data as one commit ---------------------------------------------------------


def test_a_failed_write_leaves_report_and_data_as_they_were(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_cli("import", str(acled_file(tmp_path / "a.csv", n=2))).exit_code == 0
    folder = data_dir / "datasets"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store.pq, "write_table", disk_full)
    bad = acled_file(tmp_path / "b.csv", n=3, r3={"latitude": "x"})
    failed = run_cli("import", str(bad))
    assert failed.exit_code == 2
    assert "cannot store the dataset (No space left on device)" in failed.stderr
    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert after == before  # no new report describing rows never stored, no temporary left


def test_a_report_out_of_step_with_its_data_is_flagged(tmp_path: Path, data_dir: Path) -> None:
    assert run_cli("import", str(acled_file(tmp_path / "a.csv", r2={"latitude": "x"}))).exit_code == 1
    report = data_dir / "datasets" / "acled.rejected.csv"
    info = store.read_info(data_dir / "datasets" / "acled.parquet")
    assert info.report_sha256 == hashlib.sha256(report.read_bytes()).hexdigest()
    [result] = store.load_stored(data_dir)
    assert result.report["reason"].tolist() == ["not a number"]
    report.write_bytes(report.read_bytes().replace(b"not a number", b"something else"))
    [result] = store.load_stored(data_dir)
    assert result.report["reason"].str.contains("not the one of the stored rows").all()


# --- item 16 and 18: export written atomically, -o - is stdout, cuts said ---------------------------


def test_export_is_atomic(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "x.csv"
    out.write_bytes(b"the previous extract")

    def full(self: Path, data: bytes) -> int:
        self.open("wb").write(data[:10])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    result = run_cli("export", "-o", str(out))
    assert result.exit_code == 2
    assert f"error: {out}: cannot write (No space left on device)" in result.stderr
    assert out.read_bytes() == b"the previous extract"
    assert [p.name for p in tmp_path.iterdir() if p.name != "store"] == ["x.csv"]  # no temporary left


def test_export_dash_writes_to_stdout(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("export", "--query", "actor=wagner", "-o", "-")
    assert result.exit_code == 0, result.output
    table = load_events(include_stored=True)
    spec, _ = extract.spec_from_query_string("actor=wagner", table)
    assert result.stdout_bytes == extract.view_of(table, spec).extract("csv")
    assert "wrote" in result.stderr and "to standard output" in result.stderr
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("name", ["q", "actor_name"])
def test_the_cli_says_when_a_search_is_cut(tmp_path: Path, data_dir: Path, name: str) -> None:
    result = run_cli("export", "--query", f"{name}={'w' * 300}", "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 0, result.output
    assert f"note: '{name}' was cut to 200 characters" in result.stderr


# --- item 17: remove fails cleanly -------------------------------------------------------------------


def _assert_clean(result, *expected: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # sys.exit(2), not an uncaught error
    for text in expected:
        assert text in result.stderr, result.stderr


def test_remove_when_the_data_dir_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a directory")
    monkeypatch.setenv("SAHELMAP_DATA_DIR", str(blocker))
    _assert_clean(run_cli("remove", "acled"), "cannot use the data directory: Not a directory")
    assert blocker.read_text() == "not a directory"


def test_remove_with_a_symlinked_lock(tmp_path: Path, data_dir: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    (data_dir / "datasets").mkdir(parents=True)
    (data_dir / "datasets" / ".lock").symlink_to(target)
    _assert_clean(run_cli("remove", "acled"), "the lock file is a symbolic link; remove it and try again")
    assert target.read_text() == "keep me"


def test_remove_on_a_read_only_data_dir(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_cli("import", str(acled_file(tmp_path / "a.csv"))).exit_code == 0

    def read_only(self: Path, missing_ok: bool = False) -> None:
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))

    monkeypatch.setattr(Path, "unlink", read_only)
    _assert_clean(run_cli("remove", "acled"), "acled.parquet: cannot remove it (Read-only file system)")


def test_remove_when_the_lock_cannot_be_created(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(self: object, *args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(data_dir / "datasets" / ".lock"))

    monkeypatch.setattr(store.filelock.FileLock, "acquire", denied)
    _assert_clean(run_cli("remove", "acled"), "cannot use the data directory: Permission denied")
