"""One filter language for the app, its URL and the CLI: FilterSpec, apply(), describe(), query strings.

A FilterSpec is frozen: the app builds one from its widgets, the URL and `sahelmap export --query`
build one from the same query string, and ``apply`` turns it into boolean masks over the table.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd

from sahelmap import actors, schema

MAX_TEXT_LENGTH = 200  # free-text searches are bounded: longer input is cut, with a notice


def slug(text: str) -> str:
    """URL-friendly name: 'Violence against civilians' -> 'violence-against-civilians'."""
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")


EVENT_TYPE_BY_SLUG = {slug(t): t for t in schema.EVENT_TYPES}
SUB_EVENT_TYPE_BY_SLUG = {slug(s): s for s in schema.SUB_EVENT_TYPES}
PLACE_BY_SLUG = {slug(p): p for p in schema.FOCUS_PLACES} | {
    slug(alias): place for place, aliases in schema.FOCUS_PLACE_ALIASES.items() for alias in aliases
}
ELSEWHERE = "elsewhere"  # the place filter's value for events at none of the six focus places


@dataclass(frozen=True)
class FilterSpec:
    """What the user asked to see. Empty tuples and None mean "no restriction"."""

    start: dt.date | None = None  # inclusive
    end: dt.date | None = None  # inclusive
    actor_groups: tuple[str, ...] = ()  # keys of schema.ACTOR_GROUPS; any of them
    actor_text: str = ""  # substring of any raw actor name
    event_types: tuple[str, ...] = ()
    sub_event_types: tuple[str, ...] = ()  # narrows within the chosen types
    places: tuple[str, ...] = ()  # focus places, or ELSEWHERE
    regions: tuple[str, ...] = ()  # admin1 names
    min_fatalities: int = 0
    civilians_only: bool = False
    text: str = ""  # substring of location or notes
    datasets: tuple[str, ...] = ()
    one_per_event: bool = False  # count each real event once across linked datasets

    def is_default(self) -> bool:
        return self == FilterSpec()


# --- applying ------------------------------------------------------------------------------


def _contains(values: pd.Series, needle: str) -> np.ndarray:
    return values.fillna("").str.contains(needle, case=False, regex=False).to_numpy()


def mask(events: pd.DataFrame, spec: FilterSpec) -> np.ndarray:
    """Boolean mask of the events the spec selects (vectorised; no copies of the table)."""
    keep = np.ones(len(events), dtype=bool)
    if spec.start is not None:
        # An event that overlaps the period counts; single-day events end on their start.
        last_day = events["end_date"].fillna(events["event_date"])
        keep &= (last_day >= pd.Timestamp(spec.start)).to_numpy()
    if spec.end is not None:
        keep &= (events["event_date"] <= pd.Timestamp(spec.end)).to_numpy()
    if spec.actor_groups:
        bits = sum(actors.GROUP_BIT[g] for g in spec.actor_groups)
        keep &= (events["actor_group_mask"].to_numpy() & bits) != 0
    if spec.actor_text:
        any_actor = np.zeros(len(events), dtype=bool)
        for column in schema.ACTOR_COLUMNS:
            any_actor |= _contains(events[column], spec.actor_text)
        keep &= any_actor
    if spec.event_types:
        keep &= events["event_type"].isin(spec.event_types).to_numpy()
    if spec.sub_event_types:
        # A sub-type narrows its own type only: other chosen types stay whole.
        in_sub = events["sub_event_type"].isin(spec.sub_event_types).to_numpy()
        whole = events["event_type"].isin(whole_types(spec)).to_numpy()
        keep &= in_sub | whole
    if spec.places:
        named = [p for p in spec.places if p != ELSEWHERE]
        at_place = events["focus_place"].isin(named).to_numpy()
        if ELSEWHERE in spec.places:
            at_place = at_place | events["focus_place"].isna().to_numpy()
        keep &= at_place
    if spec.regions:
        keep &= events["admin1"].isin(spec.regions).to_numpy()
    if spec.min_fatalities > 0:
        keep &= (events["fatalities"].fillna(0) >= spec.min_fatalities).to_numpy()
    if spec.civilians_only:
        keep &= events["civilian_targeting"].to_numpy(dtype=bool)
    if spec.text:
        keep &= _contains(events["location"], spec.text) | _contains(events["notes"], spec.text)
    if spec.datasets:
        keep &= events["dataset"].isin(spec.datasets).to_numpy()
    if spec.one_per_event and "duplicate_of" in events:
        keep &= events["duplicate_of"].isna().to_numpy()
    return keep


def whole_types(spec: FilterSpec) -> list[str]:
    """Chosen event types that no chosen sub-type narrows."""
    narrowed = {schema.PARENT_TYPE[s] for s in spec.sub_event_types}
    return [t for t in spec.event_types if t not in narrowed]


def apply(events: pd.DataFrame, spec: FilterSpec) -> pd.DataFrame:
    return events[mask(events, spec)]


# --- describing ----------------------------------------------------------------------------


def _join_words(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _period_bound(day: dt.date, is_end: bool) -> str:
    """A month when the bound is a whole month's edge, else the exact day (presets set days)."""
    whole_month = day.day == calendar.monthrange(day.year, day.month)[1] if is_end else day.day == 1
    return day.strftime("%b %Y") if whole_month else f"{day.day} {day:%b %Y}"


def describe(
    spec: FilterSpec, n_events: int, deaths: int, data_range: tuple[dt.date, dt.date] | None = None
) -> str:
    """One line a journalist could paste: what, who, where, when, how many.

    ``data_range`` (first and last event dates of the table) names an open end of the period.
    """
    what = _join_words(whole_types(spec) + list(spec.sub_event_types)) or "All events"
    if spec.civilians_only:
        what += " targeting civilians"
    parts = [what]
    who = [schema.ACTOR_GROUPS[g] for g in spec.actor_groups]
    if spec.actor_text:
        who.append(f'an actor named "{spec.actor_text}"')
    if who:
        parts.append("involving " + _join_words(who))
    named = [p for p in spec.places if p != ELSEWHERE]
    places = [f"in {_join_words(named)}"] if named else []
    if ELSEWHERE in spec.places:
        places.append("elsewhere in Mali")
    if places:
        parts.append(" and ".join(places))
    if spec.regions:
        region_word = "region" if len(spec.regions) == 1 else "regions"
        parts.append(f"{'within' if named else 'in'} {_join_words(list(spec.regions))} {region_word}")
    if spec.text:
        parts.append(f'mentioning "{spec.text}"')
    if spec.min_fatalities:
        parts.append(f"with at least {spec.min_fatalities} reported deaths")
    if spec.datasets:
        parts.append("from " + _join_words(list(spec.datasets)))
    sentence = " ".join(parts)
    if spec.start or spec.end:
        first, last = data_range or (None, None)
        # The user's own bounds keep their day; an open end is named by the data's month.
        start = _period_bound(spec.start, is_end=False) if spec.start else (first and f"{first:%b %Y}")
        end = _period_bound(spec.end, is_end=True) if spec.end else (last and f"{last:%b %Y}")
        start, end = start or "the start", end or "the latest event"
        sentence += f", {start} - {end}"
    unit = "event" if n_events == 1 else "events"
    counted = " (each real event once)" if spec.one_per_event else ""
    return f"{sentence}: {n_events:,} {unit}{counted}, {deaths:,} reported deaths"


# --- query strings -------------------------------------------------------------------------
# name in the URL -> FilterSpec field. Lists are comma-separated; repeated keys are merged.
QUERY_KEYS: dict[str, str] = {
    "from": "start",
    "to": "end",
    "actor": "actor_groups",
    "actor_name": "actor_text",
    "type": "event_types",
    "subtype": "sub_event_types",
    "place": "places",
    "region": "regions",
    "min_deaths": "min_fatalities",
    "civilians": "civilians_only",
    "q": "text",
    "dataset": "datasets",
    "once": "one_per_event",
}
FIELD_TO_KEY = {v: k for k, v in QUERY_KEYS.items()}


class QueryError(ValueError):
    """An invalid query parameter; the message names it."""


TEXT_KEYS = frozenset({"q", "actor_name"})


def _values(raw: str | list[str], key: str = "") -> list[str]:
    items = raw if isinstance(raw, list) else [raw]
    if key in TEXT_KEYS:  # free text keeps its commas; a repeated key keeps its last value
        text = str(items[-1]).strip() if items else ""
        return [text] if text else []
    return [v.strip() for item in items for v in str(item).split(",") if v.strip()]


def _parse_month_or_day(text: str, end: bool) -> dt.date:
    """'2022-01' -> 1 Jan 2022 (or 31 Jan as an end); '2022-01-14' -> that day."""
    if re.fullmatch(r"\d{4}-\d{2}", text):
        year, month = int(text[:4]), int(text[5:])
        day = calendar.monthrange(year, month)[1] if end else 1
        return dt.date(year, month, day)
    return dt.date.fromisoformat(text)


def _choose(
    values: list[str], allowed: Mapping[str, str], what: str, shown: Iterable[str] | None = None
) -> tuple[str, ...]:
    chosen = []
    for v in values:
        key = slug(v)
        if key not in allowed:
            known = ", ".join(shown if shown is not None else sorted(allowed))
            raise QueryError(f"unknown {what} {v[:60]!r} (known: {known})")
        chosen.append(allowed[key])
    return tuple(dict.fromkeys(chosen))


def _bounded_text(values: list[str], name: str, notices: list[str]) -> str:
    text = ",".join(values)
    if len(text) > MAX_TEXT_LENGTH:
        notices.append(f"'{name}' was cut to {MAX_TEXT_LENGTH} characters")
        # stripped again after the cut, as the value was before it: the URL and the app then agree
        text = text[:MAX_TEXT_LENGTH].rstrip()
    return text


def _parse_one(key: str, values: list[str], known: Mapping[str, Iterable[str]], notices: list[str]) -> object:
    if key in ("from", "to"):
        if len(values) != 1:
            raise QueryError("expects one date (YYYY-MM or YYYY-MM-DD)")
        try:
            return _parse_month_or_day(values[0], end=key == "to")
        except ValueError:
            raise QueryError(f"{values[0]!r} is not a date (YYYY-MM or YYYY-MM-DD)") from None
    if key == "actor":
        by_key_or_label = {slug(k): k for k in schema.ACTOR_GROUPS} | {
            slug(label): k for k, label in schema.ACTOR_GROUPS.items()
        }
        return _choose(values, by_key_or_label, "actor group", shown=schema.ACTOR_GROUPS)
    if key == "type":
        return _choose(values, EVENT_TYPE_BY_SLUG, "event type")
    if key == "subtype":
        return _choose(values, SUB_EVENT_TYPE_BY_SLUG, "sub-event type")
    if key == "place":
        return _choose(
            values,
            PLACE_BY_SLUG | {ELSEWHERE: ELSEWHERE},
            "place",
            [*map(slug, schema.FOCUS_PLACES), ELSEWHERE],
        )
    if key in ("region", "dataset"):
        options = {slug(v): v for v in known.get(key, ())}
        return _choose(values, options, key) if options else tuple(values)
    if key == "min_deaths":
        if len(values) != 1 or not re.fullmatch(r"[0-9]{1,6}", values[0]):
            raise QueryError(f"{','.join(values)!r} is not a whole number from 0 to 999999")
        return int(values[0])
    if key in ("civilians", "once"):
        if values not in (["1"], ["0"], ["true"], ["false"]):
            raise QueryError(f"{','.join(values)!r} is not 1 or 0")
        return values[0] in ("1", "true")
    return _bounded_text(values, key, notices)


def parse_query(
    params: Mapping[str, str | list[str]],
    known: Mapping[str, Iterable[str]] | None = None,
    strict: bool = False,
) -> tuple[FilterSpec, list[str]]:
    """Query parameters -> FilterSpec and notices.

    An invalid or unknown parameter is left at its default and named in a notice; with
    ``strict`` (the CLI), it raises QueryError instead. ``known`` lists the regions and datasets
    present, so that their values can be checked.
    """
    known = known or {}
    notices: list[str] = []
    values: dict[str, object] = {}
    for key, raw in params.items():
        try:
            if key not in QUERY_KEYS:
                raise QueryError("is not a filter (known: " + ", ".join(QUERY_KEYS) + ")")
            items = _values(raw, key)
            if items:
                values[QUERY_KEYS[key]] = _parse_one(key, items, known, notices)
        except QueryError as error:
            if strict:
                raise QueryError(f"parameter '{key}': {error}") from None
            notices.append(f"ignored parameter '{str(key)[:40]}': {str(error)[:300]}")
    spec = FilterSpec(**values)  # type: ignore[arg-type]
    if spec.start and spec.end and spec.start > spec.end:
        message = "'from' is after 'to'"
        if strict:
            raise QueryError(message)
        notices.append(f"ignored the period: {message}")
        spec = replace(spec, start=None, end=None)
    return spec, notices


def _format_value(name: str, value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, tuple):
        if name in ("event_types", "sub_event_types", "places"):
            return ",".join(slug(v) if v != ELSEWHERE else v for v in value)
        return ",".join(value)
    return str(value)


def to_query(spec: FilterSpec) -> dict[str, str]:
    """FilterSpec -> query parameters, defaults left out (so a plain URL means "everything")."""
    default = FilterSpec()
    out = {}
    for f in fields(FilterSpec):
        value = getattr(spec, f.name)
        if value != getattr(default, f.name):
            out[FIELD_TO_KEY[f.name]] = _format_value(f.name, value)
    return out


def file_stem(spec: FilterSpec) -> str:
    """A file name that says the filter: sahelmap_wagner_gao_2022-01_2024-12."""
    parts = ["sahelmap"]
    parts += list(spec.actor_groups)
    parts += [slug(t) for t in spec.sub_event_types or spec.event_types]
    parts += [slug(p) for p in spec.places] + [slug(r) for r in spec.regions]
    if spec.civilians_only:
        parts.append("civilians")
    if spec.start or spec.end:
        parts.append(spec.start.strftime("%Y-%m") if spec.start else "start")
        parts.append(spec.end.strftime("%Y-%m") if spec.end else "latest")
    stem = "_".join(parts)
    return stem[:120]
