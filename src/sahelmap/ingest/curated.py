"""The canonical CSV format: sahelmap's own curated table, or any file already in canonical columns."""

from __future__ import annotations

from importlib.abc import Traversable

from sahelmap import schema
from sahelmap.ingest.textfile import read_text_table
from sahelmap.validate import ValidationResult, validate


def looks_canonical(columns: list[str]) -> bool:
    return set(schema.REQUIRED_COLUMNS) <= set(columns) and "event_id_cnty" not in columns


def read_curated_file(path: Traversable) -> ValidationResult:
    """Validate the bundled curated table, held to the curated standard (a dated, titled source per row)."""
    name = str(path)
    return validate(
        read_text_table(path.read_bytes(), name).frame, name, dataset=schema.CURATED_DATASET, curated=True
    )
