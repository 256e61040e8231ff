"""Between the sidebar's widget values and a FilterSpec, for every filter in the registry (pure).

The page draws one widget per registered filter under the key ``w_<name>``; these functions turn a
FilterSpec into those widgets' values (a link opened, Reset) and the values back into a FilterSpec.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sahelmap.filters import FILTERS, Choices, Filter, FilterSpec

PERIOD = "period"  # the one widget kind that is not one filter: the period holds start and end


def key_of(flt: Filter) -> str:
    return f"w_{flt.name}"


def widget_keys() -> list[str]:
    """The session-state keys of every filter's widget (the period aside): all spec_from_state reads."""
    return [key_of(f) for f in FILTERS if f.widget.kind != PERIOD]


def sidebar_filters(choices: Choices) -> list[Filter]:
    """The filters the sidebar shows for this data, in order (the period is drawn on its own)."""
    return [f for f in FILTERS if f.widget.kind != PERIOD and f.shown(choices)]


def _widget_value(flt: Filter, value: Any, choices: Choices, now: Mapping[str, Any]) -> Any:
    if flt.widget.kind == "multiselect":
        offered = set(flt.options(choices, now))
        return [v for v in value if v in offered]  # a link may name a region this data lacks
    return value


def state_from_spec(spec: FilterSpec, choices: Choices) -> dict[str, Any]:
    """Widget key -> value for every filter's widget, from a spec."""
    state: dict[str, Any] = {}
    now: dict[str, Any] = {}
    for flt in FILTERS:
        if flt.widget.kind == PERIOD:
            continue
        now[flt.name] = spec[flt.name]
        state[key_of(flt)] = _widget_value(flt, spec[flt.name], choices, now)
    return state


def _spec_value(flt: Filter, value: Any) -> Any:
    kind = flt.widget.kind
    if kind == "multiselect":
        return tuple(value or ())
    if kind == "text":
        return str(value or "").strip()
    if kind == "number":
        return int(value or 0)
    return bool(value)


def spec_from_state(
    state: Mapping[str, Any], period: tuple[dt.date | None, dt.date | None], choices: Choices
) -> FilterSpec:
    """The FilterSpec the widgets show; a filter whose widget is hidden for this data keeps its default."""
    values = {
        flt.name: _spec_value(flt, state.get(key_of(flt), flt.default))
        for flt in FILTERS
        if flt.widget.kind != PERIOD and flt.shown(choices)
    }
    start, end = period
    return FilterSpec(start=start, end=end, **values)


def start_state(choices: Choices) -> dict[str, Any]:
    """Widget key -> start value for the filters whose start depends on the data (``Filter.start``)."""
    return {
        key_of(f): f.start_for(choices) for f in FILTERS if f.start is not None and f.widget.kind != PERIOD
    }
