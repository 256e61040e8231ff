"""Where things live: the bundled data (in the source tree) and the user's data directory."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "SAHELMAP_DATA_DIR"


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def bundled_data_dir() -> Path:
    """data/ of the source tree (sahelmap is installed editable, from a clone)."""
    return project_root() / "data"


def curated_events_path() -> Path:
    return bundled_data_dir() / "events.csv"


def places_path() -> Path:
    return bundled_data_dir() / "geo" / "places.csv"


def geo_path(name: str) -> Path:
    """A file of data/geo/, such as the boundaries mali_admin1.geojson."""
    return bundled_data_dir() / "geo" / name


def actor_rules_path() -> Path:
    return bundled_data_dir() / "actor_groups.csv"


def user_data_dir() -> Path:
    """Imported datasets: $SAHELMAP_DATA_DIR, else the XDG data directory (~/.local/share/sahelmap)."""
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sahelmap"
