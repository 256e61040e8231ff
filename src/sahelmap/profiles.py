"""Profiles (pure): a factual summary of the events at one focus place or in one region, computed from the
loaded data.

One ``Subject`` names what a profile is about: a focus place (the ``place`` filter: events within
``schema.FOCUS_RADIUS_KM`` km of the town, located more precisely than a region) or a region (the
``focus_region`` filter: every event whose point falls in the admin-1 polygon, events located only to the
region included). ``profile()`` computes the same figures for both, through the filter registry, so a
profile counts exactly what the dashboard counts with that place or region selected. The pages
(site_pages/place.py) show them; every text is in the current language (i18n).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pandas as pd

from sahelmap import charts, dashboard, filters, geography, i18n, schema
from sahelmap.filters import Choices, FilterSpec
from sahelmap.i18n import N_, _, ngettext
from sahelmap.text import slug

TOP = 3
COLUMNS = ["event_date", "event_type", "location", "fatalities", "actor1", "actor2", "source", "source_url"]
PLACE, REGION = "place", "region"
REGION_PATH_PREFIX = "region-"  # a region page's URL path: region-gao (a place's is its slug: gao)
# geo_precision 3: the source locates the event only to a region (schema.GEO_PRECISION)
REGION_ONLY_PRECISION = 3

# Column headers of the tables a profile page shows (translated where shown).
GROUP_COLUMNS = {"group": N_("Actor group"), "events": N_("Events"), "deaths": N_("Reported deaths")}
YEAR_COLUMNS = {"year": N_("Year"), "events": N_("Events"), "deaths": N_("Reported deaths")}
TYPE_COLUMNS = {"event_type": N_("Event type"), "events": N_("Events"), "deaths": N_("Reported deaths")}
DEADLIEST_COLUMNS = {
    "event_date": N_("Date"),
    "event_type": N_("Event type"),
    "location": N_("Location"),
    "fatalities": N_("Reported deaths"),
    "actor1": N_("Actor 1"),
    "actor2": N_("Actor 2"),
    "source": N_("Source"),
    "source_url": N_("Link"),
}


@dataclass(frozen=True)
class Subject:
    """What a profile is about: a focus place (``key`` its name) or a region (``key`` its admin1, the
    boundaries' spelling: "Tombouctou", "Segou")."""

    kind: str
    key: str

    @property
    def name(self) -> str:
        """The name the page shows: "Kidal" ("Tombouctou" for Timbuktu in French); a region: "Gao region"."""
        return i18n.label(self.key) if self.kind == PLACE else filters.region_label(self.key)

    @property
    def heading(self) -> str:
        """The name as a heading or a navigation entry: "Région de Gao" in French."""
        return self.name[:1].upper() + self.name[1:]

    @property
    def url_path(self) -> str:
        """The page's URL path: "kidal", "region-tombouctou" (the focus_region filter's slug)."""
        return slug(self.key) if self.kind == PLACE else REGION_PATH_PREFIX + slug(self.key)

    def spec(self, choices: Choices | None = None) -> FilterSpec:
        """The filter that selects the subject's events: the view a page of this data starts with, with
        this place or region selected and no period."""
        start = filters.initial(choices) if choices is not None else FilterSpec()
        start = start.replace(start=None, end=None)
        if self.kind == PLACE:
            return start.replace(place=(self.key,))
        return start.replace(focus_region=(self.key,))


def place(name: str) -> Subject:
    return Subject(PLACE, name)


def region(admin1: str) -> Subject:
    return Subject(REGION, admin1)


def subjects() -> list[Subject]:
    """Every profile the site offers: the focus places, then the regions (boundaries' order, by P-code)."""
    return [place(p) for p in schema.FOCUS_PLACES] + [region(r) for r in geography.region_labels()]


def by_url_path() -> dict[str, Subject]:
    return {s.url_path: s for s in subjects()}


@dataclass(frozen=True)
class Profile:
    subject: Subject
    spec: FilterSpec
    events: int
    deaths: int
    unknown_deaths: int
    region_only: int  # events located only to a region (geo_precision 3) among those counted
    first: dt.date | None
    last: dt.date | None
    groups: pd.DataFrame  # group, events, deaths: most active actor groups first
    years: pd.DataFrame  # year, events, deaths: busiest years first
    types: pd.DataFrame  # event_type, events, deaths: most frequent event types first
    deadliest: pd.DataFrame  # the events with the most reported deaths, with their sources
    datasets: list[str]
    coverage: pd.DataFrame  # charts.coverage of the whole loaded table: what the profile was computed on
    choices: Choices | None = None
    rows: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False, compare=False)  # the events counted

    def link(self, lang: str | None = None) -> str:
        """The dashboard with this place or region selected (a relative link: the page's own address),
        in ``lang`` when given (the page passes its own link's, so the dashboard opens in its language)."""
        query = filters.to_query(self.spec, self.choices)
        if lang:
            query[i18n.URL_KEY] = lang
        return "./?" + urlencode(query)

    def rule(self) -> str:
        """What the profile counts, in words."""
        if self.subject.kind == PLACE:
            return _(
                "A town's profile counts the events located at the town or within {radius} km of it, to a "
                "town or nearer. Events that the sources locate only to the region (geo-precision 3) are not "
                "counted here: the profile of the region holding the town counts them."
            ).format(radius=i18n.number(round(schema.FOCUS_RADIUS_KM)))
        return _(
            "A region's profile counts every event whose point falls within the region's boundaries (OCHA "
            "COD-AB), whatever the source names, including the events the sources locate only to the region "
            "(geo-precision 3), which no town's profile counts."
        )

    def in_region(self) -> str:
        """ "in the Gao region", "in the Bamako district" (French needs "la région", "le district")."""
        label = geography.region_labels().get(self.subject.key, self.subject.key)
        if self.subject.key == "Bamako":
            return _("in the {name} district").format(name=label)
        return _("in the {name} region").format(name=label)

    def headline(self) -> str:
        """Events, deaths and period in one sentence."""
        name = self.subject.name
        if not self.events:
            if self.subject.kind == PLACE:
                return _("No event in the loaded data is located at {place}.").format(place=name)
            return _("No event in the loaded data is located {in_region}.").format(in_region=self.in_region())
        events = ngettext("{n} event", "{n} events", self.events).format(n=i18n.number(self.events))
        deaths = ngettext("{n} reported death", "{n} reported deaths", self.deaths).format(
            n=i18n.number(self.deaths)
        )
        assert self.first is not None and self.last is not None
        values = {
            "events": events,
            "deaths": deaths,
            "first": i18n.day(self.first),
            "last": i18n.day(self.last),
        }
        if self.first == self.last:
            if self.subject.kind == PLACE:
                return _("{events} at {place} on {first}, with {deaths}.").format(place=name, **values)
            return _("{events} {in_region} on {first}, with {deaths}.").format(
                in_region=self.in_region(), **values
            )
        if self.subject.kind == PLACE:
            return _("{events} at {place} from {first} to {last}, with {deaths}.").format(
                place=name, **values
            )
        return _("{events} {in_region} from {first} to {last}, with {deaths}.").format(
            in_region=self.in_region(), **values
        )

    def details(self) -> list[str]:
        """The summary's other sentences: tolls, who, when, what, where from (none without events)."""
        if not self.events:
            return []
        lines = []
        if self.unknown_deaths:
            lines.append(
                ngettext(
                    "{n} event has no reported toll and adds none to the deaths.",
                    "{n} events have no reported toll and add none to the deaths.",
                    self.unknown_deaths,
                ).format(n=i18n.number(self.unknown_deaths))
            )
        if self.subject.kind == REGION and not self.region_only:
            lines.append(_("None of these events is located only to the region (geo-precision 3)."))
        elif self.subject.kind == REGION:
            lines.append(
                ngettext(
                    "{n} of these events is located only to the region (geo-precision 3).",
                    "{n} of these events are located only to the region (geo-precision 3).",
                    self.region_only,
                ).format(n=i18n.number(self.region_only))
            )
        if len(self.groups):
            lines.append(
                _("Most active actor groups, by events involving them: {groups}.").format(
                    groups=_counted(self.groups, "group", label=True)
                )
            )
        lines.append(_("Busiest years, by events: {years}.").format(years=_counted(self.years, "year")))
        lines.append(
            _("Most frequent event types: {types}.").format(
                types=_counted(self.types, "event_type", label=True)
            )
        )
        lines.append(_("Datasets: {datasets}.").format(datasets=", ".join(self.datasets)))
        return lines

    def summary(self) -> str:
        """The computed summary: what is counted, the figures, and the data they were computed on."""
        parts = [self.headline(), *self.details(), self.rule()]
        parts.append(dashboard.coverage_line(self.coverage) + ".")
        return " ".join(parts)

    def shown(self, table: str) -> pd.DataFrame:
        """One of the tables (``groups``, ``years``, ``types``, ``deadliest``) with event types and actor
        groups in the current language (actor names, places and sources stay as sourced)."""
        frame = getattr(self, table).copy()
        for column in ("group", "event_type"):
            if column in frame:
                frame[column] = frame[column].map(i18n.label)
        return frame


def _counted(frame: pd.DataFrame, column: str, label: bool = False) -> str:
    return ", ".join(
        f"{i18n.label(v) if label else v} ({i18n.number(n)})"
        for v, n in zip(frame[column], frame["events"], strict=True)
    )


def _by(at: pd.DataFrame, deaths: pd.Series, column: pd.Series, name: str, top: int) -> pd.DataFrame:
    """Events and reported deaths per value of ``column``: most events first, ties by the later value."""
    return (
        pd.DataFrame({name: column.to_numpy(), "deaths": deaths.to_numpy(), "events": 1})
        .groupby(name)
        .agg(events=("events", "sum"), deaths=("deaths", "sum"))
        .reset_index()
        .sort_values(["events", name], ascending=[False, False], kind="stable")
        .head(top)
        .reset_index(drop=True)[[name, "events", "deaths"]]
    )


def profile(
    events: pd.DataFrame,
    subject: Subject | str,
    top: int = TOP,
    choices: Choices | None = None,
    coverage: pd.DataFrame | None = None,
) -> Profile:
    """The profile of one place or region over a table (every event the table holds there, counted as the
    dashboard counts it with that place or region selected). A string names a focus place. ``choices``
    (the table's, ``filters.choices``) and ``coverage`` (``charts.coverage`` of the table) are computed
    from ``events`` when not given."""
    if isinstance(subject, str):
        subject = place(subject)
    choices = choices if choices is not None else filters.choices(events)
    spec = subject.spec(choices)
    at = filters.apply(events, spec)
    deaths = schema.counted_deaths(at["fatalities"])
    years = _by(at, deaths, at["event_date"].dt.year, "year", top)
    types = _by(at, deaths, at["event_type"].astype("str"), "event_type", top)
    deadliest = (
        at[at["fatalities"].notna() & (at["fatalities"].fillna(0) > 0)]
        .sort_values(["fatalities", "event_date"], ascending=[False, True], kind="stable")
        .head(top)[COLUMNS]
        .reset_index(drop=True)
    )
    precision = at["geo_precision"].astype("Float64")
    return Profile(
        subject=subject,
        spec=spec,
        events=len(at),
        deaths=int(deaths.sum()),
        unknown_deaths=int(at["fatalities"].isna().sum()),
        region_only=int(precision.eq(REGION_ONLY_PRECISION).fillna(False).sum()),
        first=at["event_date"].min().date() if len(at) else None,
        last=at["event_date"].max().date() if len(at) else None,
        groups=charts.actor_group_counts(at).head(top).reset_index(drop=True),
        years=years,
        types=types,
        deadliest=deadliest,
        datasets=sorted(at["dataset"].astype("str").unique()),
        coverage=coverage if coverage is not None else charts.coverage(events),
        choices=choices,
        rows=at,
    )


def related(subject: Subject) -> list[Subject]:
    """The other profiles a page points to: a town's region (which also counts the events located only to
    it), or a region's focus places."""
    regions = geography.focus_regions()
    if subject.kind == PLACE:
        return [region(regions[subject.key])] if subject.key in regions else []
    return [place(p) for p in schema.FOCUS_PLACES if regions.get(p) == subject.key]


def selected(spec: FilterSpec) -> list[Subject]:
    """The profiles a dashboard view points to: its focus place and its region (boundaries) when the
    filters select exactly one of each."""
    found = []
    if len(spec.place) == 1 and spec.place[0] in schema.FOCUS_PLACES:
        found.append(place(spec.place[0]))
    if len(spec.focus_region) == 1 and spec.focus_region[0] in geography.region_labels():
        found.append(region(spec.focus_region[0]))
    return found
