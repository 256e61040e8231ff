from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
REALDATA = Path(os.environ.get("SAHELMAP_REALDATA", ROOT.parent / "shared" / "realdata"))
ACLED_FILE = REALDATA / "acled_mali_2015-01_2023-03.csv"
UCDP_FILE = REALDATA / "ucdp_ged_mali_1990-2019.csv"


@pytest.fixture(autouse=True, scope="session")
def isolated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """No test reads or writes the user's own imported datasets."""
    directory = tmp_path_factory.mktemp("sahelmap-data")
    os.environ["SAHELMAP_DATA_DIR"] = str(directory)
    return directory


def require_realdata(path: Path) -> Path:
    if not path.exists():
        pytest.skip(
            f"real third-party data not found at {path} (it lives in ../shared/realdata beside a clone)"
        )
    return path


def good_row(**overrides: str) -> dict[str, str]:
    """One valid canonical row as strings; tests change one field at a time."""
    row = {
        "event_id": "T-1",
        "dataset": "test",
        "event_date": "2022-03-27",
        "end_date": "",
        "time_precision": "1",
        "event_type": "Violence against civilians",
        "sub_event_type": "Attack",
        "actor1": "Military Forces of Mali (2021-)",
        "assoc_actor_1": "Wagner Group",
        "actor2": "Civilians (Mali)",
        "assoc_actor_2": "",
        "location": "Moura",
        "admin1": "Mopti",
        "admin2": "Djenne",
        "latitude": "14.1",
        "longitude": "-4.05",
        "geo_precision": "1",
        "fatalities": "5",
        "civilian_targeting": "true",
        "notes": "A test event.",
        "source": "Test Publisher",
        "source_url": "",
        "source_date": "2022-04-05",
        "source_title": "A title",
    }
    row.update(overrides)
    return row


def frame_of(*rows: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), dtype="str")
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    return frame
