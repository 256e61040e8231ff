"""The event table the app works on: validated rows of every dataset plus derived columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sahelmap import actors, linking, paths, schema, store
from sahelmap.gazetteer import Gazetteer, assign_focus_place, load_gazetteer
from sahelmap.ingest.curated import read_curated_file
from sahelmap.validate import ValidationResult, empty_report

# Internal column for fast filtering; never exported.
ACTOR_MASK = "actor_group_mask"


@dataclass(frozen=True)
class EventTable:
    events: pd.DataFrame
    report: pd.DataFrame = field(default_factory=empty_report)
    datasets: tuple[str, ...] = ()
    formats: dict[str, str] = field(default_factory=dict)  # dataset label -> source format (for attribution)

    def __len__(self) -> int:
        return len(self.events)


def derive_columns(valid: pd.DataFrame, gazetteer: Gazetteer, rules: list[actors.Rule]) -> pd.DataFrame:
    """Add actor groups and focus place to validated rows."""
    out = valid.copy()
    out[ACTOR_MASK] = actors.actor_group_masks(out, rules)
    out["actor_groups"] = actors.labels_from_masks(out[ACTOR_MASK])
    out["focus_place"] = assign_focus_place(out, gazetteer)
    return out


def combine(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """One frame, sorted by date, with a fresh index and vocabulary dtypes kept."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=[*schema.TABLE_COLUMNS, ACTOR_MASK])
    events = pd.concat(frames, ignore_index=True)
    events["dataset"] = events["dataset"].astype("str").astype("category")
    events["event_type"] = pd.Categorical(events["event_type"], categories=list(schema.EVENT_TYPES))
    events["sub_event_type"] = pd.Categorical(
        events["sub_event_type"], categories=list(schema.SUB_EVENT_TYPES)
    )
    events["focus_place"] = pd.Categorical(events["focus_place"], categories=list(schema.FOCUS_PLACES))
    return events.sort_values(["event_date", "event_id"], kind="stable").reset_index(drop=True)


def load_events(
    curated: Path | None = None,
    extra: list[ValidationResult] | None = None,
    gazetteer: Gazetteer | None = None,
    rules: list[actors.Rule] | None = None,
    *,
    include_stored: bool = False,
    data_dir: Path | None = None,
) -> EventTable:
    """The curated table (and any already validated datasets), typed and with derived columns.

    ``include_stored`` adds every dataset imported with ``sahelmap import`` (``store.load_stored``, from
    ``data_dir`` or the user's data directory).
    """
    gazetteer = gazetteer or load_gazetteer(paths.places_path())
    rules = rules or actors.read_rules(paths.actor_rules_path())
    stored = store.load_stored(data_dir) if include_stored else []
    results = [read_curated_file(curated or paths.curated_events_path()), *(extra or []), *stored]
    frames = [derive_columns(r.valid, gazetteer, rules) for r in results]
    formats = {schema.CURATED_DATASET: "curated"}
    if include_stored:
        formats.update({info.label: info.format for info in store.list_datasets(data_dir)})
    events = linking.link(combine(frames), formats)
    report = pd.concat([r.report for r in results], ignore_index=True)
    return EventTable(events, report, tuple(events["dataset"].cat.categories), formats)
