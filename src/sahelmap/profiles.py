"""Place profiles (pure): a factual summary of the events at one focus place, computed from the data.

The place pages show these; every figure says what it counts (events at the place: within
``schema.FOCUS_RADIUS_KM`` km of it and located more precisely than a region).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

import pandas as pd

from sahelmap import charts, filters, schema
from sahelmap.filters import FilterSpec

TOP = 3
COLUMNS = ["event_date", "event_type", "location", "fatalities", "actor1", "actor2", "source", "source_url"]


@dataclass(frozen=True)
class Profile:
    place: str
    events: int
    deaths: int
    unknown_deaths: int
    first: dt.date | None
    last: dt.date | None
    groups: pd.DataFrame  # group, events, deaths: most active actor groups first
    years: pd.DataFrame  # year, events, deaths: busiest years first
    deadliest: pd.DataFrame  # the events with the most reported deaths, with their sources
    datasets: list[str]

    @property
    def link(self) -> str:
        """The dashboard with this place selected (a relative link: the page's own address)."""
        return "./?" + urlencode(filters.to_query(FilterSpec(place=(self.place,))))

    def summary(self) -> str:
        if not self.events:
            return f"No event in the loaded data is located at {self.place}."
        groups = ", ".join(
            f"{g} ({n:,})" for g, n in zip(self.groups["group"], self.groups["events"], strict=True)
        )
        years = ", ".join(
            f"{y} ({n:,})" for y, n in zip(self.years["year"], self.years["events"], strict=True)
        )
        return (
            f"{self.events:,} events at {self.place} (within {schema.FOCUS_RADIUS_KM:.0f} km, located to a "
            f"town or nearer) from {self.first:%d %b %Y} to {self.last:%d %b %Y}, "
            f"with {self.deaths:,} reported deaths ({self.unknown_deaths:,} events have no reported toll "
            "and add none). Most active actor "
            f"groups, by events involving them: {groups}. Busiest years, by events: {years}. "
            f"Datasets: {', '.join(self.datasets)}."
        )


def profile(events: pd.DataFrame, place: str, top: int = TOP) -> Profile:
    """The profile of one focus place over a table (every event the table holds at the place)."""
    at = filters.apply(events, FilterSpec(place=(place,)))
    deaths = schema.counted_deaths(at["fatalities"])
    groups = charts.actor_group_counts(at).head(top).reset_index(drop=True)
    years = (
        at.assign(year=at["event_date"].dt.year, deaths=deaths)
        .groupby("year")
        .agg(events=("event_id", "size"), deaths=("deaths", "sum"))
        .reset_index()
        .sort_values(["events", "year"], ascending=[False, False], kind="stable")
        .head(top)
        .reset_index(drop=True)
    )
    deadliest = (
        at[at["fatalities"].notna() & (at["fatalities"].fillna(0) > 0)]
        .sort_values(["fatalities", "event_date"], ascending=[False, True], kind="stable")
        .head(top)[COLUMNS]
        .reset_index(drop=True)
    )
    return Profile(
        place=place,
        events=len(at),
        deaths=int(deaths.sum()),
        unknown_deaths=int(at["fatalities"].isna().sum()),
        first=at["event_date"].min().date() if len(at) else None,
        last=at["event_date"].max().date() if len(at) else None,
        groups=groups,
        years=years,
        deadliest=deadliest,
        datasets=sorted(at["dataset"].astype("str").unique()),
    )
