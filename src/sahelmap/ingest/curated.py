"""The canonical CSV format: sahelmap's own curated table, or any file already in canonical columns."""

from __future__ import annotations

from importlib.abc import Traversable

from sahelmap import schema
from sahelmap.ingest.textfile import TextTable, read_text_table
from sahelmap.validate import ValidationResult, validate


def looks_canonical(columns: list[str]) -> bool:
    return set(schema.REQUIRED_COLUMNS) <= set(columns) and "event_id_cnty" not in columns


def read_curated(
    data: bytes, name: str, *, dataset: str = schema.CURATED_DATASET
) -> tuple[ValidationResult, TextTable]:
    """Validate a canonical CSV. The bundled table is held to the curated standard."""
    table = read_text_table(data, name)
    result = validate(table.frame, name, dataset=dataset, curated=dataset == schema.CURATED_DATASET)
    return result, table


def read_curated_file(path: Traversable) -> ValidationResult:
    result, _ = read_curated(path.read_bytes(), str(path))
    return result
