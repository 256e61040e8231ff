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
