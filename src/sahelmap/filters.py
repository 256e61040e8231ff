"""The filter registry: one declaration per filter, from which FilterSpec, the URL, the CLI and the sidebar
are all built.

Each ``Filter`` holds everything about one filter: its name (the FilterSpec attribute, the URL key and the
widget key, with the period's ``from``/``to`` as the one exception), its widget, how a query string value
is parsed and written back, its boolean mask over the event table, its words in the description line and
its part of a download's file name. Adding a filter is one entry in ``FILTERS`` (docs/architecture.md).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sahelmap import actors, geography, i18n, schema, text
from sahelmap.errors import QueryError
from sahelmap.i18n import N_, _, ngettext

MAX_TEXT_LENGTH = 200  # free-text searches are bounded: longer input is cut, with a notice
ELSEWHERE = "elsewhere"  # the place filter's value for events at none of the six focus places
MAX_MIN_DEATHS = 999_999  # the largest "at least N deaths" a URL or the widget accepts

slug = text.slug


@dataclass(frozen=True)
class Choices:
    """What the loaded data offers the filters: its dates, regions and datasets."""

    first: dt.date
    last: dt.date
    regions: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    covers_more_than_focus: bool = False
    has_links: bool = False  # some imported events are linked copies of curated ones


def choices(events: pd.DataFrame) -> Choices:
    """The choices of one table; the app's widgets and the CLI's checks both use these."""
    if events.empty:
        today = dt.date.today()
        return Choices(today, today)
    return Choices(
        first=events["event_date"].min().date(),
        last=events["event_date"].max().date(),
        regions=tuple(sorted(str(r) for r in events["admin1"].dropna().unique())),
        datasets=tuple(sorted(str(d) for d in events["dataset"].astype("str").unique())),
        covers_more_than_focus=bool(events["focus_place"].isna().any()),
        has_links=bool(schema.DUPLICATE_OF in events and events[schema.DUPLICATE_OF].notna().any()),
    )


@dataclass(frozen=True)
class Widget:
    """How the sidebar shows a filter. ``kind``: period, multiselect, text, number or toggle."""

    kind: str
    label: str
    help: str = ""
    placeholder: str = ""

    def help_text(self) -> str:
        """The help in the current language, with the figures it names ("" for none)."""
        return _(self.help).format(radius_km=f"{schema.FOCUS_RADIUS_KM:.0f}") if self.help else ""


@dataclass(frozen=True)
class Filter:
    name: str
    default: Any
    widget: Widget
    parse: Callable[[list[str], Choices], Any]  # URL values (split on commas) -> value; QueryError if bad
    mask: Callable[[pd.DataFrame, Any, FilterSpec], np.ndarray]
    # words for the description line ("" for none; a list of items to be joined with the slot's others)
    describe: Callable[[Any, FilterSpec], str | list[str]]
    slot: str  # where the words go: what, who, where, how, period, counting
    format: Callable[[Any], str] = lambda v: ",".join(v) if isinstance(v, tuple) else str(v)
    file_part: Callable[[Any, FilterSpec], list[str]] = lambda v, s: []  # words of a download's name
    # A filter whose rows depend on what the others selected (counting once: a copy is left out only when
    # the event it copies is itself counted) masks last, given that selection: (events, value, selected).
    mask_selected: Callable[[pd.DataFrame, Any, np.ndarray], np.ndarray] | None = None
    # The widget's choices (multiselect), given the data and the other filters' current values.
    options: Callable[[Choices, Mapping[str, Any]], list[str]] = lambda c, now: []
    shown: Callable[[Choices], bool] = lambda c: True  # whether the sidebar offers it for this data
    option_label: Callable[[str], str] = str
    url_key: str = ""  # only where the URL's name differs from ``name``
    free_text: bool = False  # commas are part of the value, not separators
    # The value a view of this data starts with (a fresh page, Reset, a link that does not name the filter).
    # None: the default. A link names the filter whenever its value differs from this start.
    start: Callable[[Choices], Any] | None = None

    def start_for(self, choices: Choices | None) -> Any:
        return self.default if self.start is None or choices is None else self.start(choices)

    @property
    def key(self) -> str:
        return self.url_key or self.name


# --- parsing helpers ---------------------------------------------------------------------------


def _one_date(values: list[str], is_end: bool) -> dt.date:
    """'2022-01' -> 1 Jan 2022 (or 31 Jan as an end); '2022-01-14' -> that day."""
    if len(values) != 1:
        raise QueryError(_("expects one date (YYYY-MM or YYYY-MM-DD)"))
    value = values[0]
    try:
        if re.fullmatch(r"\d{4}-\d{2}", value):
            year, month = int(value[:4]), int(value[5:])
            return dt.date(year, month, calendar.monthrange(year, month)[1] if is_end else 1)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise QueryError(
            _("{value} is not a date (YYYY-MM or YYYY-MM-DD)").format(value=repr(value))
        ) from None


def _choose(
    values: list[str], allowed: Mapping[str, str], what: str, shown: Iterable[str]
) -> tuple[str, ...]:
    chosen = []
    for value in values:
        found = allowed.get(slug(value))
        if found is None:
            raise QueryError(
                _("unknown {what} {value} (known: {known})").format(
                    what=_(what), value=repr(value[:60]), known=", ".join(shown)
                )
            )
        chosen.append(found)
    return tuple(dict.fromkeys(chosen))


def _chooser(
    what: str, options: Callable[[Choices], Iterable[str]], aliases: Mapping[str, str] | None = None
):
    """Parse values into the options of ``what`` (matched by slug, aliases allowed)."""

    def parse(values: list[str], choices: Choices) -> tuple[str, ...]:
        known = [v for v in options(choices) if slug(v)]  # a name with no letters or digits names nothing
        allowed = {slug(v): v for v in known} | dict(aliases or {})
        return _choose(values, allowed, what, [slug(v) for v in known])

    return parse


def _flag(values: list[str], choices: Choices) -> bool:
    if values not in (["1"], ["0"], ["true"], ["false"]):
        raise QueryError(_("{value} is not 1 or 0").format(value=repr(",".join(values))))
    return values[0] in ("1", "true")


def _whole_number(values: list[str], choices: Choices) -> int:
    if len(values) != 1 or not re.fullmatch(r"[0-9]{1,6}", values[0]):
        raise QueryError(
            _("{value} is not a whole number from 0 to {most}").format(
                value=repr(",".join(values)), most=MAX_MIN_DEATHS
            )
        )
    return int(values[0])


def _text(values: list[str], choices: Choices) -> str:
    return values[0] if values else ""


def _contains(values: pd.Series, needle: str) -> np.ndarray:
    return values.fillna("").str.contains(needle, case=False, regex=False).to_numpy()


_join_words = i18n.join_words


def _slugs(values: tuple[str, ...]) -> str:
    return ",".join(v if v == ELSEWHERE else slug(v) for v in values)


# --- masks that need more than one line ----------------------------------------------------------


def subtypes_for(event_types: Iterable[str]) -> list[str]:
    """Sub-types offered: those of the chosen types, or all when no type is chosen."""
    return [s for t in (list(event_types) or schema.EVENT_TYPES) for s in schema.EVENT_TYPES[t]]


def _copies_of_counted_events_left_out(events: pd.DataFrame, on: bool, selected: np.ndarray) -> np.ndarray:
    """Leave out an imported copy only when the curated event it copies is counted in the same view, so
    each real event counts once and a view of the imported data alone (dataset=acled) still counts all of
    it. A table that was never linked has no copies."""
    keep = np.ones(len(events), bool)
    if not on or schema.DUPLICATE_OF not in events:
        return keep
    owner = events[schema.DUPLICATE_OF]
    copies = np.flatnonzero(owner.notna().to_numpy())  # few rows: the work stays small at any N
    if len(copies):
        curated = (events["dataset"] == schema.CURATED_DATASET).to_numpy()
        # only the selected curated ids and the copies' owners become Python strings, not the whole column
        counted = set(events["event_id"].iloc[np.flatnonzero(selected & curated)].tolist())
        keep[copies] = [o not in counted for o in owner.iloc[copies].tolist()]
    return keep


def whole_types(spec: FilterSpec) -> list[str]:
    """Chosen event types that no chosen sub-type narrows."""
    narrowed = {schema.PARENT_TYPE[s] for s in spec.subtype}
    return [t for t in spec.type if t not in narrowed]


def _subtype_mask(events: pd.DataFrame, subtypes: tuple[str, ...], spec: FilterSpec) -> np.ndarray:
    # A sub-type narrows its own type only: other chosen types stay whole.
    in_sub = events["sub_event_type"].isin(subtypes).to_numpy()
    return in_sub | events["event_type"].isin(whole_types(spec)).to_numpy()


def _place_mask(events: pd.DataFrame, places: tuple[str, ...], spec: FilterSpec) -> np.ndarray:
    at_place = events["focus_place"].isin([p for p in places if p != ELSEWHERE]).to_numpy()
    if ELSEWHERE in places:
        at_place = at_place | events["focus_place"].isna().to_numpy()
    return at_place


def _actor_name_mask(events: pd.DataFrame, name: str, spec: FilterSpec) -> np.ndarray:
    found = np.zeros(len(events), dtype=bool)
    for column in schema.ACTOR_COLUMNS:
        found = found | _contains(events[column], name)
    return found


def _place_words(places: tuple[str, ...], spec: FilterSpec) -> str:
    named = [p for p in places if p != ELSEWHERE]
    words = [_("in {places}").format(places=_join_words([i18n.label(p) for p in named]))] if named else []
    if ELSEWHERE in places:
        words.append(_("elsewhere in Mali"))
    return f" {_('and')} ".join(words)


def _region_words(regions: tuple[str, ...], spec: FilterSpec) -> str:
    named_places = any(p != ELSEWHERE for p in spec.place)
    names = _join_words(list(regions))
    if named_places:
        return ngettext("within {names} region", "within {names} regions", len(regions)).format(names=names)
    return ngettext("in {names} region", "in {names} regions", len(regions)).format(names=names)


def region_label(region: str) -> str:
    """How the page names an admin-1 polygon: "Ségou region", "Bamako district"."""
    name = i18n.label(geography.region_labels().get(region, region))  # a focus place's name in French
    return (_("{name} district") if region == "Bamako" else _("{name} region")).format(name=name)


def _focus_region_words(regions: tuple[str, ...], spec: FilterSpec) -> str:
    if len(regions) == 1:
        return _("in the {region}").format(region=region_label(regions[0]))
    names = [i18n.label(geography.region_labels().get(r, r)) for r in regions]
    return _("in the {names} regions").format(names=_join_words(names))


def _focus_region_aliases() -> dict[str, str]:
    """A focus place's name (any spelling) picks the region holding it: tinzaouaten -> Kidal."""
    regions = geography.focus_regions()
    return {
        slug(alias): regions[place]
        for place, names in schema.FOCUS_PLACE_ALIASES.items()
        if place in regions
        for alias in (place, *names)
    } | {slug(place): region for place, region in regions.items()}


PLACE_ALIASES = {slug(alias): place for place, names in schema.FOCUS_PLACE_ALIASES.items() for alias in names}
ACTOR_LABELS = {slug(label): key for key, label in schema.ACTOR_GROUPS.items()}

# --- the registry: one entry per filter, in the sidebar's order ----------------------------------------

FILTERS: tuple[Filter, ...] = (
    Filter(
        name="start",
        url_key="from",
        default=None,
        widget=Widget(
            "period", N_("Period"), N_("Month steps; the presets and the date inputs set exact days.")
        ),
        parse=lambda values, c: _one_date(values, is_end=False),
        # An event that overlaps the period counts; single-day events end on their start.
        mask=lambda e, day, s: (e["end_date"].fillna(e["event_date"]) >= pd.Timestamp(day)).to_numpy(),
        describe=lambda day, s: "",  # the period is described by describe() itself, start and end together
        slot="period",
        format=lambda day: day.isoformat(),
    ),
    Filter(
        name="end",
        url_key="to",
        default=None,
        widget=Widget("period", N_("Period")),
        parse=lambda values, c: _one_date(values, is_end=True),
        mask=lambda e, day, s: (e["event_date"] <= pd.Timestamp(day)).to_numpy(),
        describe=lambda day, s: "",
        slot="period",
        format=lambda day: day.isoformat(),
    ),
    Filter(
        name="actor",
        default=(),
        widget=Widget(
            "multiselect",
            N_("Actor group"),
            N_("Matched across actor 1, actor 2 and their associated actors."),
        ),
        options=lambda c, now: list(schema.ACTOR_GROUPS),
        option_label=lambda key: i18n.label(schema.ACTOR_GROUPS.get(key, key)),
        parse=_chooser(N_("actor group"), lambda c: schema.ACTOR_GROUPS, ACTOR_LABELS),
        mask=lambda e, groups, s: (e[schema.ACTOR_GROUP_MASK].to_numpy() & actors.mask_of(groups)) != 0,
        # any of the groups: "involving A or B" (with "and", a reader would take it for both at once)
        describe=lambda groups, s: _join_words([i18n.label(schema.ACTOR_GROUPS[g]) for g in groups], "or"),
        slot="who",
        file_part=lambda groups, s: list(groups),
    ),
    Filter(
        name="actor_name",
        default="",
        widget=Widget("text", N_("Actor name contains"), placeholder=N_("e.g. Katiba Macina")),
        parse=_text,
        mask=_actor_name_mask,
        describe=lambda name, s: _('an actor named "{name}"').format(name=name),
        slot="who",
        free_text=True,
    ),
    Filter(
        name="type",
        default=(),
        widget=Widget("multiselect", N_("Event type")),
        options=lambda c, now: list(schema.EVENT_TYPES),
        option_label=i18n.label,
        parse=_chooser(N_("event type"), lambda c: schema.EVENT_TYPES),
        mask=lambda e, types, s: e["event_type"].isin(types).to_numpy(),
        describe=lambda types, s: "",  # described with the sub-types: see describe()
        slot="what",
        format=_slugs,
        # the narrower words win; in the current language (ACLED's French labels in French)
        file_part=lambda types, s: [slug(i18n.label(t)) for t in s.subtype or types],
    ),
    Filter(
        name="subtype",
        default=(),
        widget=Widget(
            "multiselect", N_("Sub-event type"), N_("Only the sub-types of the chosen event types.")
        ),
        options=lambda c, now: subtypes_for(now.get("type", ())),
        option_label=i18n.label,
        parse=_chooser(N_("sub-event type"), lambda c: schema.SUB_EVENT_TYPES),
        mask=_subtype_mask,
        describe=lambda subtypes, s: "",
        slot="what",
        format=_slugs,
        file_part=lambda subtypes, s: [] if s.type else [slug(i18n.label(t)) for t in subtypes],
    ),
    Filter(
        name="place",
        default=(),
        widget=Widget(
            "multiselect",
            N_("Place"),
            N_(
                "An event counts at a focus place when it is there or within {radius_km} km "
                "(events located only to a region do not)."
            ),
        ),
        options=lambda c, now: [*schema.FOCUS_PLACES, *([ELSEWHERE] if c.covers_more_than_focus else [])],
        option_label=lambda p: _("Elsewhere in Mali") if p == ELSEWHERE else i18n.label(p),
        parse=_chooser(N_("place"), lambda c: [*schema.FOCUS_PLACES, ELSEWHERE], PLACE_ALIASES),
        mask=_place_mask,
        describe=_place_words,
        slot="where",
        format=_slugs,
        file_part=lambda places, s: [slug(_("elsewhere") if p == ELSEWHERE else p) for p in places],
    ),
    Filter(
        name="region",
        default=(),
        widget=Widget("multiselect", N_("Region"), N_("Admin-1 regions, as the source names them.")),
        options=lambda c, now: list(c.regions),
        parse=lambda values, c: (
            _chooser(N_("region"), lambda c: c.regions)(values, c) if c.regions else tuple(values)
        ),
        mask=lambda e, regions, s: e["admin1"].isin(regions).to_numpy(),
        describe=_region_words,
        slot="where",
        file_part=lambda regions, s: [slug(r) for r in regions],
    ),
    Filter(
        name="focus_region",
        default=(),
        widget=Widget(
            "multiselect",
            N_("Region (boundaries)"),
            N_(
                "The admin-1 polygon each event's point falls in (OCHA COD-AB boundaries), whatever the "
                "source writes; in a link a focus place names its region (focus_region=tinzaouaten: Kidal)."
            ),
        ),
        options=lambda c, now: list(geography.region_labels()),
        option_label=region_label,
        parse=lambda values, c: _chooser(
            N_("region"), lambda c: geography.region_labels(), _focus_region_aliases()
        )(values, c),
        mask=lambda e, regions, s: e[geography.JOIN_COLUMNS["admin1"]].isin(regions).to_numpy(),
        describe=_focus_region_words,
        slot="where",
        format=lambda regions: ",".join(slug(r) for r in regions),
        file_part=lambda regions, s: [slug(_("{region}-region").format(region=slug(r))) for r in regions],
    ),
    Filter(
        name="precision",
        default=(),
        widget=Widget(
            "multiselect",
            N_("Located to"),
            N_("How precisely the source locates each event (ACLED's geo-precision codes)."),
        ),
        options=lambda c, now: [str(code) for code in schema.GEO_PRECISION],
        option_label=lambda code: i18n.label(schema.GEO_PRECISION[int(code)]).capitalize(),
        parse=_chooser(N_("precision"), lambda c: [str(code) for code in schema.GEO_PRECISION]),
        mask=lambda e, codes, s: e["geo_precision"].isin([int(c) for c in codes]).to_numpy(),
        describe=lambda codes, s: (
            _("with location precision ")
            + f" {_('or')} ".join(f"{c} ({i18n.label(schema.GEO_PRECISION[int(c)])})" for c in sorted(codes))
        ),
        slot="how",
    ),
    Filter(
        name="q",
        default="",
        widget=Widget("text", N_("Search place and notes")),
        parse=_text,
        mask=lambda e, q, s: _contains(e["location"], q) | _contains(e["notes"], q),
        describe=lambda q, s: _('mentioning "{q}"').format(q=q),
        slot="how",
        free_text=True,
    ),
    Filter(
        name="min_deaths",
        default=0,
        widget=Widget("number", N_("At least this many reported deaths")),
        parse=_whole_number,
        mask=lambda e, n, s: (e["fatalities"].fillna(0) >= n).to_numpy(),
        describe=lambda n, s: ngettext(
            "with at least {n} reported death", "with at least {n} reported deaths", n
        ).format(n=i18n.number(n)),
        slot="how",
    ),
    Filter(
        name="civilians",
        default=False,
        widget=Widget("toggle", N_("Civilians targeted only")),
        parse=_flag,
        mask=lambda e, on, s: e["civilian_targeting"].to_numpy(dtype=bool),
        describe=lambda on, s: _("targeting civilians"),
        slot="what",
        format=lambda on: "1",
        file_part=lambda on, s: [slug(_("civilians"))],
    ),
    Filter(
        name="dataset",
        default=(),
        widget=Widget("multiselect", N_("Dataset")),
        options=lambda c, now: list(c.datasets),
        shown=lambda c: len(c.datasets) > 1,
        parse=lambda values, c: (
            _chooser(N_("dataset"), lambda c: c.datasets)(values, c) if c.datasets else tuple(values)
        ),
        mask=lambda e, names, s: e["dataset"].isin(names).to_numpy(),
        describe=lambda names, s: _("from {names}").format(names=_join_words(list(names))),
        slot="how",
    ),
    Filter(
        name="once",
        default=False,
        widget=Widget(
            "toggle",
            N_("Count each real event once"),
            N_(
                "On: imported events linked to a curated event (same days, place and kind) are not counted "
                "again. Off: every copy counts, so an event in two datasets counts twice."
            ),
        ),
        parse=_flag,
        mask=lambda e, on, s: np.ones(len(e), bool),  # see mask_selected
        mask_selected=_copies_of_counted_events_left_out,
        describe=lambda on, s: (
            _("(each real event once: imported copies of curated events not counted again)")
            if on
            else _("(every copy counted: an event in two datasets counts twice)")
        ),
        slot="counting",
        format=lambda on: "1" if on else "0",
        shown=lambda c: c.has_links,
        # On whenever linked copies are loaded: a count must not double an event by default (issue 9).
        start=lambda c: c.has_links,
    ),
)
BY_NAME: dict[str, Filter] = {f.name: f for f in FILTERS}
BY_KEY: dict[str, Filter] = {f.key: f for f in FILTERS}


class FilterSpec(Mapping[str, Any]):
    """What the user asked to see: one value per registered filter (``spec.actor``, ``spec["actor"]``).

    Frozen and hashable. A filter left at its default does not restrict anything.
    """

    __slots__ = ("_values",)
    _values: dict[str, Any]

    def __init__(self, **values: Any) -> None:
        unknown = set(values) - set(BY_NAME)
        if unknown:
            raise TypeError(f"unknown filters: {', '.join(sorted(unknown))}")
        object.__setattr__(
            self, "_values", {name: values.get(name, f.default) for name, f in BY_NAME.items()}
        )

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("FilterSpec is frozen: use replace()")

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __hash__(self) -> int:
        return hash(tuple(self._values.items()))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FilterSpec) and self._values == other._values

    def __reduce__(self) -> tuple[Any, ...]:
        return (_spec_from_items, (tuple(self.active().items()),))

    def __repr__(self) -> str:
        return "FilterSpec(" + ", ".join(f"{k}={v!r}" for k, v in self.active().items()) + ")"

    def replace(self, **changes: Any) -> FilterSpec:
        return FilterSpec(**(self._values | changes))

    def active(self) -> dict[str, Any]:
        """The filters that restrict something (not at their default)."""
        return {name: v for name, v in self._values.items() if v != BY_NAME[name].default}


def _spec_from_items(items: tuple[tuple[str, Any], ...]) -> FilterSpec:
    return FilterSpec(**dict(items))


# --- applying ------------------------------------------------------------------------------


def mask(events: pd.DataFrame, spec: FilterSpec) -> np.ndarray:
    """Boolean mask of the events the spec selects (vectorised; no copies of the table)."""
    keep = np.ones(len(events), dtype=bool)
    active = spec.active()
    for name, value in active.items():
        keep &= BY_NAME[name].mask(events, value, spec)
    for name, value in active.items():
        after = BY_NAME[name].mask_selected
        if after is not None:
            keep &= after(events, value, keep)
    return keep


def apply(events: pd.DataFrame, spec: FilterSpec) -> pd.DataFrame:
    return events[mask(events, spec)]


# --- describing ----------------------------------------------------------------------------


def _period_bound(day: dt.date, is_end: bool) -> str:
    """A month when the bound is a whole month's edge, else the exact day (presets set days)."""
    whole_month = day.day == calendar.monthrange(day.year, day.month)[1] if is_end else day.day == 1
    return i18n.month(day) if whole_month else i18n.day(day)


def _words(spec: FilterSpec, slot: str, choices: Choices | None = None) -> list[str]:
    """The words of every filter in this slot that restricts something or differs from where this data's
    view starts (every copy counted while linked copies are loaded), in registry order."""
    words: list[str] = []
    for flt in FILTERS:
        value = spec[flt.name]
        if flt.slot == slot and (value != flt.default or value != flt.start_for(choices)):
            said = flt.describe(value, spec)
            words += [said] if isinstance(said, str) else said
    return [w for w in words if w]


def describe_selection(spec: FilterSpec) -> str:
    """What the filters other than the period select, in words: "Battles involving JNIM in Gao"."""
    what = _join_words([i18n.label(t) for t in whole_types(spec) + list(spec.subtype)]) or _("All events")
    parts = [" ".join([what, *_words(spec, "what")])]
    who = _words(spec, "who")
    if who:
        parts.append(_("involving {who}").format(who=_join_words(who)))
    parts += _words(spec, "where") + _words(spec, "how")
    return " ".join(parts)


def counting_words(spec: FilterSpec) -> str:
    """How events are counted, when a filter says ("(each real event once)"), else ""."""
    return " ".join(_words(spec, "counting"))


def describe(
    spec: FilterSpec,
    n_events: int,
    deaths: int,
    data_range: tuple[dt.date, dt.date] | None = None,
    choices: Choices | None = None,
) -> str:
    """One line a journalist could paste: what, who, where, when, how many, and how they were counted.

    ``data_range`` (first and last event dates of the table) names an open end of the period.
    ``choices`` (the loaded data's) says whether linked copies are loaded, so that counting every copy
    is said.
    """
    sentence = describe_selection(spec)
    if spec.start or spec.end:
        first, last = data_range or (None, None)
        # The user's own bounds keep their day; an open end is named by the data's month.
        start = _period_bound(spec.start, is_end=False) if spec.start else (first and i18n.month(first))
        end = _period_bound(spec.end, is_end=True) if spec.end else (last and i18n.month(last))
        sentence = _("{selection}, {start} - {end}").format(
            selection=sentence, start=start or _("the start"), end=end or _("the latest event")
        )
    counted = "".join(" " + w for w in _words(spec, "counting", choices))
    events_part = ngettext("{n} event", "{n} events", n_events).format(n=i18n.number(n_events))
    deaths_part = ngettext("{n} reported deaths", "{n} reported deaths", deaths).format(n=i18n.number(deaths))
    return _("{sentence}: {events}, {deaths}").format(
        sentence=sentence, events=events_part + counted, deaths=deaths_part
    )


# --- query strings -------------------------------------------------------------------------


def _values(raw: str | list[str], free_text: bool) -> list[str]:
    items = raw if isinstance(raw, list) else [raw]
    if free_text:  # free text keeps its commas; a repeated key keeps its last value
        value = str(items[-1]).strip() if items else ""
        return [value] if value else []
    return [v.strip() for item in items for v in str(item).split(",") if v.strip()]


def _bounded(value: str, key: str, notices: list[str]) -> str:
    if len(value) > MAX_TEXT_LENGTH:
        notices.append(_("'{key}' was cut to {n} characters").format(key=key, n=MAX_TEXT_LENGTH))
        # stripped again after the cut, as the value was before it: the URL and the app then agree
        return value[:MAX_TEXT_LENGTH].rstrip()
    return value


def parse_query(
    params: Mapping[str, str | list[str]], choices: Choices | None = None, strict: bool = False
) -> tuple[FilterSpec, list[str]]:
    """Query parameters -> FilterSpec and notices.

    An invalid or unknown parameter is left at its default and named in a notice; with ``strict`` (the
    CLI), it raises QueryError instead. ``choices`` lists the regions and datasets present, so that their
    values can be checked.
    """
    choices = choices or Choices(dt.date.today(), dt.date.today())
    notices: list[str] = []
    values: dict[str, object] = {f.name: f.start(choices) for f in FILTERS if f.start is not None}
    for key, raw in params.items():
        try:
            flt = BY_KEY.get(key)
            if flt is None:
                raise QueryError(_("is not a filter (known: {known})").format(known=", ".join(BY_KEY)))
            items = _values(raw, flt.free_text)
            if items:
                value = flt.parse(items, choices)
                values[flt.name] = _bounded(value, key, notices) if flt.free_text else value
        except QueryError as error:
            if strict:
                raise QueryError(_("parameter '{key}': {error}").format(key=key, error=error)) from None
            notices.append(
                _("ignored parameter '{key}': {error}").format(key=str(key)[:40], error=str(error)[:300])
            )
    spec = FilterSpec(**values)
    if spec.start and spec.end and spec.start > spec.end:
        message = _("'from' is after 'to'")
        if strict:
            raise QueryError(message)
        notices.append(_("ignored the period: {problem}").format(problem=message))
        spec = spec.replace(start=None, end=None)
    return spec, notices


def to_query(spec: FilterSpec, choices: Choices | None = None) -> dict[str, str]:
    """FilterSpec -> query parameters, each filter left out where it is at the value a view of this data
    starts with (``choices``; without them, the default), so a plain URL means "as the page opens"."""
    return {f.key: f.format(spec[f.name]) for f in FILTERS if spec[f.name] != f.start_for(choices)}


def initial(choices: Choices) -> FilterSpec:
    """The view a page of this data starts with: every filter at its start (Reset returns here)."""
    return FilterSpec(**{f.name: f.start_for(choices) for f in FILTERS})


def file_stem(spec: FilterSpec) -> str:
    """A file name that says the filter, in the current language's words: sahelmap_wagner_gao_2022-01_2024-12,
    sahelmap_batailles_2022-01_a-ce-jour."""
    parts = ["sahelmap"]
    for name, value in spec.active().items():
        parts += BY_NAME[name].file_part(value, spec)
    if spec.start or spec.end:
        parts.append(spec.start.strftime("%Y-%m") if spec.start else slug(_("start")))
        parts.append(spec.end.strftime("%Y-%m") if spec.end else slug(_("latest")))
    return "_".join(field for field in parts if field)[:120]


__all__ = [
    "ELSEWHERE",
    "FILTERS",
    "Choices",
    "Filter",
    "FilterSpec",
    "QueryError",
    "Widget",
    "apply",
    "choices",
    "describe",
    "file_stem",
    "initial",
    "mask",
    "parse_query",
    "to_query",
]
