"""The local store of imported datasets: round trip, merge by event_id, atomic writes, lock, kills.

All events are synthetic (an ACLED-format table generated here).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sahelmap import events, schema, store
from sahelmap.ingest.registry import read_dataset
from sahelmap.validate import ValidationResult

ROOT = Path(__file__).resolve().parents[1]


def acled_table(
    n: int, *, first_id: int = 1, timestamp: int = 1_600_000_000, fatalities: int = 1
) -> pd.DataFrame:
    """n invented events in ACLED's current columns (only those the reader needs, plus a few)."""
    ids = np.arange(first_id, first_id + n)
    return pd.DataFrame(
        {
            "event_id_cnty": "SYN" + pd.Series(ids).astype(str),
            "event_date": pd.Series(
                pd.Timestamp("2020-01-01") + pd.to_timedelta(ids % 1000, unit="D")
            ).dt.strftime("%d %B %Y"),
            "time_precision": "1",
            "disorder_type": "Political violence",
            "event_type": "Battles",
            "sub_event_type": "Armed clash",
            "actor1": "Military Forces of Mali (2021-)",
            "assoc_actor_1": "",
            "actor2": "Unidentified Armed Group (Mali)",
            "assoc_actor_2": "",
            "civilian_targeting": "",
            "admin1": "Gao",
            "admin2": "Ansongo",
            "location": "Testville",
            "latitude": "15.66",
            "longitude": "0.50",
            "geo_precision": "1",
            "source": "Test Source",
            "notes": "Synthetic event number " + pd.Series(ids).astype(str) + ".",
            "fatalities": str(fatalities),
            "timestamp": str(timestamp),
        }
    )


def result_of(table: pd.DataFrame, name: str = "synthetic.csv") -> ValidationResult:
    return read_dataset(table.to_csv(index=False).encode(), name).result


def save(result: ValidationResult, data_dir: Path, label: str = "acled", **kwargs) -> store.SaveSummary:
    return store.save_dataset(
        result, label, fmt="acled", source_file="synthetic.csv", data_dir=data_dir, **kwargs
    )


def stored(data_dir: Path, label: str = "acled") -> pd.DataFrame:
    return store._read_frame(store.dataset_path(label, data_dir)).set_index("event_id")


# --- round trip and manifest ---------------------------------------------------------------------


def test_round_trip_keeps_values_and_dtypes(tmp_path: Path) -> None:
    result = result_of(acled_table(50))
    summary = save(result, tmp_path)
    assert (summary.new, summary.updated, summary.unchanged, summary.changed) == (50, 0, 0, True)
    [loaded] = store.load_stored(tmp_path)
    expected = result.valid.reset_index(drop=True)
    pd.testing.assert_frame_equal(loaded.valid.reset_index(drop=True), expected)
    assert loaded.report.empty


def test_files_manifest_and_listing(tmp_path: Path) -> None:
    bad = acled_table(3)
    bad.loc[1, "latitude"] = "48.85"
    now = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    summary = save(result_of(bad), tmp_path, now=now)
    directory = tmp_path / "datasets"
    assert (
        summary.path == directory / "acled.parquet"
        and summary.report_path == directory / "acled.rejected.csv"
    )
    assert sorted(p.name for p in directory.iterdir()) == [
        ".lock",
        "acled.json",
        "acled.parquet",
        "acled.rejected.csv",
    ]
    manifest = json.loads((directory / "acled.json").read_text())
    assert manifest["label"] == "acled" and manifest["format"] == "acled"
    assert manifest["source_file"] == "synthetic.csv"
    assert (manifest["rows"], manifest["rows_read"], manifest["rejected"]) == (2, 3, 1)
    assert (manifest["date_min"], manifest["date_max"]) == ("2020-01-02", "2020-01-04")
    assert manifest["imported_at"] == "2026-01-02T03:04:05+00:00"
    [info] = store.list_datasets(tmp_path)
    assert info.rows == 2 and info.imported_at == manifest["imported_at"]
    report = store.read_report(directory / "acled.rejected.csv")
    assert report["row"].tolist() == [3] and report["column"].tolist() == ["latitude"]
    [loaded] = store.load_stored(tmp_path)
    assert loaded.report["row"].tolist() == [3]


def test_dataset_column_is_the_label(tmp_path: Path) -> None:
    save(result_of(acled_table(2)), tmp_path, label="my-export_2024")
    [loaded] = store.load_stored(tmp_path)
    assert set(loaded.valid["dataset"]) == {"my-export_2024"}


def test_default_location_is_the_user_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SAHELMAP_DATA_DIR", str(tmp_path / "env"))
    store.save_dataset(result_of(acled_table(2)), "x", fmt="acled", source_file="s.csv")
    assert (tmp_path / "env" / "datasets" / "x.parquet").exists()
    assert [i.label for i in store.list_datasets()] == ["x"]


@pytest.mark.parametrize("label", ["curated", "Curated", "", "../evil", "a b", "-x", "x" * 65, "a/b"])
def test_reserved_or_unusable_labels_are_refused(tmp_path: Path, label: str) -> None:
    with pytest.raises(store.StoreError):
        save(result_of(acled_table(1)), tmp_path, label=label)
    assert not (tmp_path / "datasets").exists() or not list((tmp_path / "datasets").glob("*.parquet"))


# --- merging re-imports --------------------------------------------------------------------------


def test_reimporting_the_same_file_changes_nothing(tmp_path: Path) -> None:
    result = result_of(acled_table(20))
    save(result, tmp_path, now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    directory = tmp_path / "datasets"
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in directory.glob("acled*")}
    again = save(result, tmp_path, now=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    assert (again.new, again.updated, again.unchanged, again.changed) == (0, 0, 20, False)
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in directory.glob("acled*")}
    assert after == before
    assert again.info.imported_at == "2026-01-01T00:00:00+00:00"


def test_newer_timestamp_wins_and_nothing_is_duplicated(tmp_path: Path) -> None:
    save(result_of(acled_table(10, timestamp=1000, fatalities=1)), tmp_path)
    newer = acled_table(5, first_id=8, timestamp=2000, fatalities=7)  # ids 8-12: 3 known, 2 new
    summary = save(result_of(newer), tmp_path)
    assert (summary.new, summary.updated, summary.unchanged) == (2, 3, 0)
    table = stored(tmp_path)
    assert table.index.is_unique and len(table) == 12
    assert table.loc["SYN7", "fatalities"] == 1 and table.loc["SYN8", "fatalities"] == 7
    assert table.loc["SYN12", "timestamp"] == 2000
    assert summary.info.rows == 12 and len(summary.info.imports) == 2


def test_an_older_export_does_not_overwrite_newer_rows(tmp_path: Path) -> None:
    save(result_of(acled_table(5, timestamp=2000, fatalities=7)), tmp_path)
    summary = save(result_of(acled_table(6, timestamp=1000, fatalities=1)), tmp_path)
    assert (summary.new, summary.updated, summary.unchanged) == (1, 0, 5)
    table = stored(tmp_path)
    assert table["fatalities"].tolist() == [7, 7, 7, 7, 7, 1]


@pytest.mark.parametrize(
    ("stored_ts", "incoming_ts", "winner"),
    [
        ("1000", "1000", "incoming"),  # a tie: the later import is taken
        ("", "", "incoming"),  # no timestamps at all (UCDP): the later import is taken
        ("1000", "", "stored"),  # a timestamp beats none
        ("", "1000", "incoming"),
        ("1001", "1000", "stored"),
        ("999", "1000", "incoming"),
    ],
)
def test_merge_rule_table(tmp_path: Path, stored_ts: str, incoming_ts: str, winner: str) -> None:
    first = acled_table(1, fatalities=1).assign(timestamp=stored_ts)
    second = acled_table(1, fatalities=2).assign(timestamp=incoming_ts)
    save(result_of(first), tmp_path)
    save(result_of(second), tmp_path)
    assert stored(tmp_path).loc["SYN1", "fatalities"] == (2 if winner == "incoming" else 1)


def test_labels_are_separate_datasets(tmp_path: Path) -> None:
    save(result_of(acled_table(3)), tmp_path, label="a")
    save(result_of(acled_table(4)), tmp_path, label="b")
    assert [(i.label, i.rows) for i in store.list_datasets(tmp_path)] == [("a", 3), ("b", 4)]
    assert store.remove_dataset("a", tmp_path) is True
    assert store.remove_dataset("a", tmp_path) is False
    assert [i.label for i in store.list_datasets(tmp_path)] == ["b"]
    assert sorted(p.name for p in (tmp_path / "datasets").glob("a*")) == []
    with pytest.raises(store.StoreError, match="reserved"):
        store.remove_dataset("curated", tmp_path)


# --- damage, locks, kills ------------------------------------------------------------------------


def test_a_damaged_file_becomes_a_report_line(tmp_path: Path) -> None:
    save(result_of(acled_table(3)), tmp_path, label="good")
    (tmp_path / "datasets" / "broken.parquet").write_bytes(b"not parquet")
    results = store.load_stored(tmp_path)
    assert [len(r.valid) for r in results] == [0, 3]  # broken, good
    assert "cannot be read" in results[0].report["reason"].iloc[0]
    assert [i.label for i in store.list_datasets(tmp_path)] == ["good"]


def test_saving_over_a_damaged_file_says_how_to_recover(tmp_path: Path) -> None:
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "acled.parquet").write_bytes(b"not parquet")
    with pytest.raises(store.StoreError, match=r"cannot be read .*sahelmap remove acled"):
        save(result_of(acled_table(2)), tmp_path)
    assert store.remove_dataset("acled", tmp_path)
    assert save(result_of(acled_table(2)), tmp_path).info.rows == 2


def test_a_held_lock_blocks_a_second_writer(tmp_path: Path) -> None:
    result = result_of(acled_table(2))
    with store.locked(tmp_path), pytest.raises(store.StoreError, match="another import"):
        save(result, tmp_path, lock_timeout=0.2)
    assert not (tmp_path / "datasets" / "acled.parquet").exists()
    save(result, tmp_path, lock_timeout=0.2)  # free again
    assert (tmp_path / "datasets" / "acled.parquet").exists()


@pytest.mark.slow  # two real processes
def test_two_processes_importing_at_once_lose_nothing(tmp_path: Path) -> None:
    """Each process adds its own ids to one label; without the lock one merge would drop the other's rows."""
    files = []
    for i in range(2):
        path = tmp_path / f"part{i}.csv"
        acled_table(3000, first_id=1 + i * 3000).to_csv(path, index=False)
        files.append(path)
    env = {**os.environ, "SAHELMAP_DATA_DIR": str(tmp_path / "data")}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "sahelmap.cli", "import", str(f), "--label", "shared"], env=env, cwd=ROOT
        )
        for f in files
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    table = stored(tmp_path / "data", "shared")
    assert len(table) == 6000 and table.index.is_unique


KILL_CHILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    import pandas as pd

    from sahelmap import store
    from sahelmap.validate import Rejections, ValidationResult, empty_report

    data_dir, label = Path(sys.argv[1]), sys.argv[2]
    [base] = store.load_stored(data_dir)
    n = len(base.valid)
    versions = [  # same ids and timestamps, other fatalities: each save rewrites every row
        ValidationResult(
            base.valid.assign(fatalities=pd.array([f] * n, dtype="Int32")),
            Rejections.of_frames(empty_report(), pd.DataFrame()),
            n,
        )
        for f in (101, 102)
    ]
    while True:
        for version in versions:
            store.save_dataset(version, label, fmt="acled", source_file="x.csv", data_dir=data_dir)
    """
)


def snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    return {
        p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in directory.iterdir() if p.name != ".lock"
    }


def kill_while_writing(child: list[str], directory: Path, label: str, rng: random.Random) -> bool:
    """Start the writer; SIGKILL it at a random moment just after it starts changing the directory.

    Whatever the way of writing (a temporary file, or the dataset file itself), the kill lands while
    the new version is being written. Returns whether a temporary Parquet file was left behind.
    """
    before = snapshot(directory)
    proc = subprocess.Popen(child, cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while snapshot(directory) == before:
            assert proc.poll() is None, "the writer died by itself"
            assert time.monotonic() < deadline, "the writer never started writing"
            time.sleep(0.002)
        time.sleep(rng.uniform(0, 0.04))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    return bool(list(directory.glob(f".{label}.parquet.*.tmp")))


@pytest.mark.slow  # kills child processes mid-write, many times
def test_import_killed_mid_write_leaves_a_readable_dataset(tmp_path: Path) -> None:
    n = 50_000
    data_dir = tmp_path / "data"
    save(result_of(acled_table(n, fatalities=1)), data_dir, label="victim")
    directory = data_dir / "datasets"
    child = [sys.executable, "-c", KILL_CHILD, str(data_dir), "victim"]
    rng = random.Random(20240601)
    hits = 0
    for _ in range(4):
        hits += kill_while_writing(child, directory, "victim", rng)
        table = stored(data_dir, "victim")  # readable: the previous or the new version, never a mix
        assert len(table) == n and table.index.is_unique
        assert table["fatalities"].nunique() == 1 and int(table["fatalities"].iloc[0]) in (1, 101, 102)
        [info] = store.list_datasets(data_dir)
        assert info.rows == n
        json.loads((directory / "victim.json").read_text())  # the JSON mirror is whole too
    assert hits >= 1, "no kill landed during a write: the test proved nothing"
    save(result_of(acled_table(n, fatalities=3)), data_dir, label="victim")  # the next write cleans up
    assert not list(directory.glob(".*.tmp"))
    assert set(stored(data_dir, "victim")["fatalities"]) == {3}


# --- the app's table -----------------------------------------------------------------------------


def curated_csv(path: Path) -> Path:
    row = {
        "event_id": "SM-9001",
        "dataset": "curated",
        "event_date": "2022-03-27",
        "time_precision": "1",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "Military Forces of Mali (2021-)",
        "location": "Gao",
        "admin1": "Gao",
        "admin2": "Gao",
        "latitude": "16.27",
        "longitude": "-0.04",
        "geo_precision": "1",
        "notes": "A synthetic curated event.",
        "source": "Test",
        "source_url": "https://example.org/a",
        "source_date": "2022-03-28",
        "source_title": "A title",
    }
    pd.DataFrame([row]).to_csv(path, index=False)
    return path


def test_load_events_includes_stored_datasets(tmp_path: Path) -> None:
    save(result_of(acled_table(4)), tmp_path / "data", label="mine")
    curated = curated_csv(tmp_path / "events.csv")
    without = events.load_events(curated)
    assert set(without.events["dataset"]) == {schema.CURATED_DATASET}
    table = events.load_events(curated, include_stored=True, data_dir=tmp_path / "data")
    assert len(table) == 5 and set(table.datasets) == {"curated", "mine"}
    assert table.formats["mine"] == "acled"
    assert table.events["event_id"].is_unique
    assert schema.ACTOR_GROUP_MASK in table.events  # derived columns for stored rows too
    mali = events.actors.GROUP_BIT["mali_state"]
    assert (table.events[schema.ACTOR_GROUP_MASK] & mali).astype(bool).all()


def test_version_changes_with_every_write_and_removal(tmp_path) -> None:
    from sahelmap import store as store_module

    assert store_module.version(tmp_path) == ()
    directory = tmp_path / "datasets"
    directory.mkdir()
    (directory / "a.parquet").write_bytes(b"x")
    first = store_module.version(tmp_path)
    (directory / "a.parquet").write_bytes(b"xy")
    second = store_module.version(tmp_path)
    assert first != second and len(second) == 1
    (directory / "a.parquet").unlink()
    assert store_module.version(tmp_path) == ()
