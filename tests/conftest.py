from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def isolated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """No test reads or writes the user's own imported datasets."""
    directory = tmp_path_factory.mktemp("sahelmap-data")
    os.environ["SAHELMAP_DATA_DIR"] = str(directory)
    return directory


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store of imported datasets of the test's own, as $SAHELMAP_DATA_DIR."""
    directory = tmp_path / "store"
    monkeypatch.setenv("SAHELMAP_DATA_DIR", str(directory))
    return directory


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser and real-data tests are slow by definition: `-m "not slow"` (the fast tier) leaves them out."""
    for item in items:
        if item.get_closest_marker("browser") or item.get_closest_marker("realdata"):
            item.add_marker(pytest.mark.slow)
