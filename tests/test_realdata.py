"""The real ACLED and UCDP exports in ../shared/realdata, read where they lie (never copied into the repo).

The expected figures are the facts listed in ../shared/realdata/README.md.
"""

from __future__ import annotations

import dataclasses
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import shapely

from sahelmap import actors, events, geography, paths, schema, store
from sahelmap.gazetteer import load_gazetteer
from sahelmap.ingest.registry import Ingested, read_dataset
from sahelmap.ingest.textfile import read_path

ROOT = Path(__file__).resolve().parents[1]
REALDATA = Path(__file__).resolve().parents[1].parent / "shared" / "realdata"
ACLED_FILE = REALDATA / "acled_mali_2015-01_2023-03.csv"
UCDP_FILE = REALDATA / "ucdp_ged_mali_1990-2019.csv"

pytestmark = pytest.mark.realdata


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(
            f"real third-party data not found: {path} (../shared/realdata beside the clone is absent)"
        )
    return path


@pytest.fixture(scope="module")
def acled() -> Ingested:
    return read_dataset(read_path(need(ACLED_FILE)), ACLED_FILE.name)


@pytest.fixture(scope="module")
def ucdp() -> Ingested:
    return read_dataset(read_path(need(UCDP_FILE)), UCDP_FILE.name)


@pytest.fixture(scope="module")
def acled_events(acled: Ingested) -> pd.DataFrame:
    rules = actors.read_rules(paths.actor_rules_path())
    return events.derive_columns(acled.result.valid, load_gazetteer(paths.places_path()), rules)


# --- ACLED -------------------------------------------------------------------------------------


def test_acled_file_imports_whole(acled: Ingested) -> None:
    result = acled.result
    assert acled.format == "acled"
    assert result.rows_read == 7293 and result.n_rejected == 0, result.report.head(20).to_string()
    assert len(result.valid) == 7293 and result.valid["event_id"].is_unique
    assert result.valid["event_date"].min() == pd.Timestamp("2015-01-03")
    assert result.valid["event_date"].max() == pd.Timestamp("2023-03-01")
    assert int(result.valid["civilian_targeting"].sum()) == 2658  # rows saying "Civilian targeting"
    assert result.valid["timestamp"].notna().all()


def test_wagner_africa_corps_group(acled_events: pd.DataFrame) -> None:
    bit = actors.GROUP_BIT["wagner"]
    wagner = acled_events[(acled_events[schema.ACTOR_GROUP_MASK] & bit) != 0]
    assert len(wagner) == 193
    assert wagner["event_date"].min() == pd.Timestamp("2021-12-25")
    assert wagner["event_date"].max() == pd.Timestamp("2023-02-28")
    moura = wagner.set_index("event_id").loc["MLI6455"]
    assert (moura["location"], moura["event_date"], moura["fatalities"]) == (
        "Moura",
        pd.Timestamp("2022-03-31"),
        129,
    )


def test_focus_place_rows_by_location(acled: Ingested) -> None:
    counts = acled.result.valid["location"].value_counts()
    expected = {"Bamako": 280, "Timbuktu": 177, "Gao": 215, "Kidal": 167, "Segou": 23, "Tin Zaouaten": 9}
    assert {place: int(counts.get(place, 0)) for place in expected} == expected
    # The README's "Bamako 283" counts the 3 rows located in Bamako-Coura, a quarter of Bamako, as well.
    assert int(acled.result.valid["location"].str.startswith("Bamako").sum()) == 283
    tin = acled.result.valid[acled.result.valid["location"] == "Tin Zaouaten"].iloc[0]
    assert (tin["latitude"], tin["longitude"], tin["admin2"]) == (19.9486, 2.9649, "Abeibara")


# --- UCDP --------------------------------------------------------------------------------------


def test_ucdp_file_imports_all_940_events(ucdp: Ingested) -> None:
    result = ucdp.result
    assert ucdp.format == "ucdp"
    assert result.rows_read == 940 and result.n_rejected == 0, result.report.to_string()
    valid = result.valid
    assert valid["event_date"].min() == pd.Timestamp("1990-06-28")  # before ACLED's 1997: accepted
    assert valid["event_date"].max() == pd.Timestamp("2019-12-30")
    assert valid["event_type"].value_counts().to_dict() == {
        "Battles": 705,  # type_of_violence 1 (575) and 2 (130)
        "Violence against civilians": 235,  # type 3
        "Explosions/Remote violence": 0,
        "Protests": 0,
        "Riots": 0,
        "Strategic developments": 0,
    }
    assert int(valid["civilian_targeting"].sum()) == 235
    assert set(valid["admin1"].dropna()) <= {
        "Bamako", "Gao", "Kayes", "Kidal", "Koulikoro", "Menaka", "Mopti", "Segou", "Sikasso", "Tombouctou",
        "Timetrine",  # one UCDP event names this region, which ACLED does not use
    }  # fmt: skip
    assert valid["source"].notna().all() and not valid["source"].str.contains("\n").any()


# --- the store with real files -------------------------------------------------------------------


def test_reimporting_changes_nothing_and_never_duplicates(tmp_path: Path, acled: Ingested) -> None:
    first = store.save_dataset(
        acled.result, "acled", fmt="acled", source_file=ACLED_FILE.name, data_dir=tmp_path
    )
    assert (first.new, first.info.rows) == (7293, 7293)
    parquet = tmp_path / "datasets" / "acled.parquet"
    before = (parquet.read_bytes(), parquet.stat().st_mtime_ns)
    again = store.save_dataset(
        acled.result, "acled", fmt="acled", source_file=ACLED_FILE.name, data_dir=tmp_path
    )
    assert (again.new, again.updated, again.unchanged, again.changed) == (0, 0, 7293, False)
    assert (parquet.read_bytes(), parquet.stat().st_mtime_ns) == before
    # A "newer export": 100 events edited later (newer timestamp), imported under the same label.
    valid = acled.result.valid
    edited = valid.iloc[:100].assign(
        fatalities=pd.array([999] * 100, dtype="Int32"), timestamp=valid["timestamp"] + 1
    )
    newer = dataclasses.replace(acled.result, valid=edited, rows_read=100)
    third = store.save_dataset(newer, "acled", fmt="acled", source_file="newer.csv", data_dir=tmp_path)
    assert (third.new, third.updated, third.info.rows) == (0, 100, 7293)
    [loaded] = store.load_stored(tmp_path)
    assert len(loaded.valid) == 7293 and loaded.valid["event_id"].is_unique
    assert int((loaded.valid["fatalities"] == 999).sum()) == 100


def test_cli_import_of_both_real_files(tmp_path: Path) -> None:
    env = {**os.environ, "SAHELMAP_DATA_DIR": str(tmp_path)}
    for path, label, line in [
        (
            need(ACLED_FILE),
            "acled",
            "7293 rows read, 7293 stored (7293 new, 0 updated), 0 unchanged, 0 rejected",
        ),
        (need(UCDP_FILE), "ucdp", "940 rows read, 940 stored (940 new, 0 updated), 0 unchanged, 0 rejected"),
    ]:
        done = subprocess.run(
            [sys.executable, "-m", "sahelmap.cli", "import", str(path)],
            capture_output=True,
            text=True,
            check=False,
            env=env,
            cwd=ROOT,
        )
        assert done.returncode == 0, done.stderr
        assert line in done.stdout
        assert f"dataset '{label}'" in done.stdout
    table = events.load_events(include_stored=True, data_dir=tmp_path)
    assert {"acled", "ucdp"} <= set(table.datasets)
    assert int((table.events["dataset"] == "acled").sum()) == 7293
    assert int((table.events["dataset"] == "ucdp").sum()) == 940


KILL_CHILD = """
import sys
from pathlib import Path
import pandas as pd
from sahelmap import store
from sahelmap.validate import Rejections, ValidationResult, empty_report

data_dir = Path(sys.argv[1])
[base] = store.load_stored(data_dir)
n = len(base.valid)
none = pd.DataFrame()
versions = [
    ValidationResult(
        base.valid.assign(fatalities=pd.array([f] * n, dtype="Int32")),
        Rejections.of_frames(empty_report(), none),
        n,
    )
    for f in (101, 102)
]
while True:
    for version in versions:
        store.save_dataset(version, "acled", fmt="acled", source_file="x.csv", data_dir=data_dir)
"""


def _snapshot(directory: Path) -> dict[str, tuple[int, int]]:
    """Names, sizes and times of the files; one that vanishes while we look (a temporary being
    renamed into place) is skipped rather than failing the look."""
    seen = {}
    for path in directory.iterdir():
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        seen[path.name] = (stat.st_size, stat.st_mtime_ns)
    return seen


def test_import_killed_mid_write_leaves_the_previous_dataset_readable(
    tmp_path: Path, acled: Ingested
) -> None:
    store.save_dataset(acled.result, "acled", fmt="acled", source_file=ACLED_FILE.name, data_dir=tmp_path)
    directory = tmp_path / "datasets"
    original = acled.result.valid["fatalities"].reset_index(drop=True)
    rng = random.Random(7293)
    for _ in range(3):
        before = _snapshot(directory)
        proc = subprocess.Popen([sys.executable, "-c", KILL_CHILD, str(tmp_path)], cwd=ROOT)
        try:
            deadline = time.monotonic() + 120
            while _snapshot(directory) == before:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.002)
            time.sleep(rng.uniform(0, 0.03))  # somewhere in the write
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        [loaded] = store.load_stored(tmp_path)
        assert len(loaded.valid) == 7293 and loaded.valid["event_id"].is_unique
        fatalities = loaded.valid["fatalities"].reset_index(drop=True)
        assert fatalities.equals(original) or set(fatalities) in ({101}, {102})


def test_acled_points_all_lie_in_mali_within_the_tolerance(acled_events: pd.DataFrame) -> None:
    # README facts: 7 of the 7,293 points lie just outside the outline, on the border.
    assert not acled_events["admin1_join"].eq(geography.OUTSIDE).any()
    outline = geography.boundaries("admin0").geometry.iloc[0]
    points = shapely.points(
        acled_events["longitude"].to_numpy(float), acled_events["latitude"].to_numpy(float)
    )
    assert int((~shapely.covers(outline, points)).sum()) == 7


def test_acled_rows_keep_their_admin_units_and_few_are_flagged(acled_events: pd.DataFrame) -> None:
    flagged = acled_events[geography.FLAG_COLUMN].notna()
    assert 0 < flagged.sum() < 0.02 * len(acled_events)  # 84 when written (BENCHMARKS.md)
    assert acled_events["admin1"].isin(geography.boundaries("admin1")["admin1"]).all()  # ACLED's own
    tinzaouaten = acled_events[acled_events["location"] == "Tin Zaouaten"]
    assert len(tinzaouaten) == 9 and tinzaouaten["admin2_join"].eq("Abeibara").all()
