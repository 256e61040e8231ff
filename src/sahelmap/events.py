"""The event table the app works on: validated rows of every dataset plus derived columns."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.abc import Traversable
from pathlib import Path

import pandas as pd

from sahelmap import actors, charts, filters, geography, linking, paths, reference, schema, store
from sahelmap.gazetteer import Gazetteer, assign_focus_place
from sahelmap.ingest.curated import read_curated_file
from sahelmap.validate import ValidationResult, empty_report


@dataclass(frozen=True)
class EventTable:
    events: pd.DataFrame
    report: pd.DataFrame = field(default_factory=empty_report)
    datasets: tuple[str, ...] = ()
    formats: dict[str, str] = field(default_factory=dict)  # dataset label -> source format (for attribution)

    def __len__(self) -> int:
        return len(self.events)

    @functools.cached_property
    def choices(self) -> filters.Choices:
        """What the filters can offer on this table (dates, regions, datasets)."""
        return filters.choices(self.events)

    @functools.cached_property
    def coverage(self) -> pd.DataFrame:
        """Each dataset's first and last event date and its events (charts.coverage), once per table."""
        return charts.coverage(self.events)


def derive_columns(
    valid: pd.DataFrame, gazetteer: Gazetteer | None = None, rules: Sequence[actors.Rule] | None = None
) -> pd.DataFrame:
    """Add actor groups, focus place and the spatial join (filling admin units the source left empty).

    The bundled gazetteer and actor rules are used unless others are given.
    """
    out = geography.fill_admin(pd.concat([valid, geography.assign_admin(valid)], axis=1))
    out[schema.ACTOR_GROUP_MASK] = actors.actor_group_masks(out, rules or reference.actor_rules())
    out["actor_groups"] = actors.labels_from_masks(out[schema.ACTOR_GROUP_MASK])
    out["focus_place"] = assign_focus_place(out, gazetteer or reference.gazetteer())
    return out


def combine(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """One frame, sorted by date, with a fresh index and vocabulary dtypes kept."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return schema.coerce(pd.DataFrame(columns=[*schema.TABLE_COLUMNS, schema.ACTOR_GROUP_MASK]))
    events = schema.coerce(pd.concat(frames, ignore_index=True))
    return events.sort_values(["event_date", "event_id"], kind="stable").reset_index(drop=True)


def load_events(
    curated: Traversable | None = None,
    extra: list[ValidationResult] | None = None,
    gazetteer: Gazetteer | None = None,
    rules: Sequence[actors.Rule] | None = None,
    *,
    include_stored: bool = False,
    data_dir: Path | None = None,
) -> EventTable:
    """The curated table (and any already validated datasets), typed and with derived columns.

    ``include_stored`` adds every dataset imported with ``sahelmap import`` (``store.load_stored``, from
    ``data_dir`` or the user's data directory).
    """
    stored = store.load_stored(data_dir) if include_stored else []
    others = [*(extra or []), *stored]
    if curated is None and gazetteer is None and rules is None:
        bundled, bundled_frame = _bundled_curated()
    else:
        bundled = read_curated_file(curated or paths.curated_events_path())
        bundled_frame = derive_columns(bundled.valid, gazetteer, rules)
    results = [bundled, *others]
    frames = [bundled_frame, *(derive_columns(r.valid, gazetteer, rules) for r in others)]
    formats = {schema.CURATED_DATASET: "curated"}
    if include_stored:
        formats.update({info.label: info.format for info in store.list_datasets(data_dir)})
    events = linking.link(combine(frames), formats)
    report = pd.concat([r.report for r in results], ignore_index=True)
    return EventTable(events, report, tuple(events["dataset"].cat.categories), formats)


@functools.cache
def _bundled_curated() -> tuple[ValidationResult, pd.DataFrame]:
    """The bundled table, validated and derived once per process: it only changes with the package, and
    every reload after an import or an upload would otherwise redo its checks and spatial join."""
    result = read_curated_file(paths.curated_events_path())
    return result, derive_columns(result.valid)
