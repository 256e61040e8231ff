"""Where things live: the bundled tables (package data ``sahelmap.data``) and the user's data directory."""

from __future__ import annotations

import os
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

DATA_DIR_ENV = "SAHELMAP_DATA_DIR"
BUNDLED_PACKAGE = "sahelmap.data"


def bundled(*parts: str) -> Traversable:
    """A bundled file, wherever the package is installed (wheel, `pip install .` or editable)."""
    return resources.files(BUNDLED_PACKAGE).joinpath(*parts)


def curated_events_path() -> Traversable:
    return bundled("events.csv")


def places_path() -> Traversable:
    return bundled("geo", "places.csv")


def actor_rules_path() -> Traversable:
    return bundled("actor_groups.csv")


def milestones_path() -> Traversable:
    return bundled("milestones.csv")


def app_script() -> Path:
    """The Streamlit page's script (a file inside the installed package, as `streamlit run` needs)."""
    return Path(__file__).with_name("app.py")


def geo_path(name: str) -> Traversable:
    """A file of data/geo/, such as the boundaries mali_admin1.geojson."""
    return bundled("geo", name)


def user_data_dir() -> Path:
    """Imported datasets: $SAHELMAP_DATA_DIR, else the XDG data directory (~/.local/share/sahelmap)."""
    if os.environ.get(DATA_DIR_ENV):
        return Path(os.environ[DATA_DIR_ENV]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "sahelmap"
