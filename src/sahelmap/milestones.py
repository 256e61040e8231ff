"""Milestones of the conflict (data/milestones.csv): dated, sourced turning points for charts and presets.

Each row is held to the curated table's standard: a publication a reader can find (publisher, headline,
and its date or a checked URL). ``time_precision`` is 1 when the cited source gives the day, 3 when it
gives only the month.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from dataclasses import dataclass
from importlib.abc import Traversable

import pandas as pd

from sahelmap import i18n, paths
from sahelmap.errors import ReferenceDataError
from sahelmap.text import is_http_url

KINDS = ("political", "military", "international")
REQUIRED = ("date", "time_precision", "label", "label_fr", "kind", "source", "source_title", "notes")
MAX_LABEL = 45  # a label must fit beside a rule on the time chart
MAX_NOTES = 300


@dataclass(frozen=True)
class Milestone:
    date: dt.date
    time_precision: int
    label: str
    label_fr: str
    kind: str
    source: str
    source_url: str
    source_date: str
    source_title: str
    notes: str

    @property
    def shown_label(self) -> str:
        """The label in the current language (label_fr in French)."""
        return self.label_fr if i18n.current() == "fr" else self.label

    @property
    def shown_day(self) -> str:
        """The date as its source gives it, in the current language: the day, or only the month (time
        precision 3)."""
        return i18n.month(self.date) if self.time_precision == 3 else i18n.day(self.date)


def _problems(row: dict[str, str]) -> list[str]:
    found = [f"{c}: is empty" for c in REQUIRED if not row.get(c, "").strip()]
    for column in ("date", "source_date"):
        if row.get(column):
            try:
                dt.date.fromisoformat(row[column])
            except ValueError:
                found.append(f"{column}: {row[column][:40]!r} is not a date (YYYY-MM-DD)")
    if row.get("time_precision") not in ("1", "3"):
        found.append("time_precision: not 1 (day) or 3 (month)")
    if row.get("kind") and row["kind"] not in KINDS:
        found.append(f"kind: not one of {', '.join(KINDS)}")
    if not row.get("source_date") and not row.get("source_url"):
        found.append("source_date: empty, and no source_url either (a source needs one of them)")
    if row.get("source_url") and not is_http_url(row["source_url"]):
        found.append("source_url: not an http(s) link")
    for column in ("label", "label_fr"):
        if len(row.get(column, "")) > MAX_LABEL:
            found.append(f"{column}: longer than {MAX_LABEL} characters")
    if len(row.get("notes", "")) > MAX_NOTES or "<" in row.get("notes", ""):
        found.append(f"notes: longer than {MAX_NOTES} characters or holds '<'")
    return found


def read_milestones(path: Traversable) -> list[Milestone]:
    """Every milestone, in date order; ReferenceDataError naming the row and column of any problem."""
    table = pd.read_csv(io.BytesIO(path.read_bytes()), dtype=str, keep_default_na=False)
    missing = [c for c in (*REQUIRED, "source_url", "source_date") if c not in table.columns]
    if missing:
        raise ReferenceDataError(f"{path}: missing columns: {', '.join(missing)}")
    problems = [
        f"{path}:{row_number}: {problem}"
        for row_number, row in enumerate(table.to_dict("records"), start=2)
        for problem in _problems(row)
    ]
    if problems:
        raise ReferenceDataError("; ".join(problems[:20]))
    milestones = [
        Milestone(
            date=dt.date.fromisoformat(r["date"]),
            time_precision=int(r["time_precision"]),
            **{k: r[k].strip() for k in ("label", "label_fr", "kind", "source", "source_url")},
            **{k: r[k].strip() for k in ("source_date", "source_title", "notes")},
        )
        for r in table.to_dict("records")
    ]
    return sorted(milestones, key=lambda m: m.date)


@functools.cache
def milestones() -> tuple[Milestone, ...]:
    """The bundled milestones, read and checked once per process."""
    return tuple(read_milestones(paths.milestones_path()))
