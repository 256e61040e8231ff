"""Chart aggregations add up to the table they summarise; unknown deaths count as none, not as NaN."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd
import pytest

from sahelmap import charts, filters, schema
from sahelmap.filters import FilterSpec
from tests.factories import ALL, BATTLES, TOTAL_DEATHS, VAC, shared_events


@pytest.fixture
def table() -> pd.DataFrame:
    return shared_events().copy()


def test_monthly_counts_add_up(table) -> None:
    counts = charts.monthly_counts(table)
    assert {"month", "event_type", "events", "deaths"} <= set(counts.columns)
    assert counts["events"].sum() == len(table) == len(ALL)
    assert counts["deaths"].sum() == TOTAL_DEATHS
    assert counts["deaths"].dtype == "int64"  # unknown became 0, so no float or NA
    assert not counts.duplicated(["month", "event_type"]).any()
    assert (counts["month"].dt.day == 1).all()


def test_monthly_counts_put_each_event_in_its_month(table) -> None:
    counts = charts.monthly_counts(table).set_index(["month", "event_type"])
    # S01 on 31 Dec 2021 and S02 on 1 Jan 2022 fall in different months
    assert counts.loc[(pd.Timestamp("2021-12-01"), BATTLES), "events"] == 1
    assert counts.loc[(pd.Timestamp("2021-12-01"), BATTLES), "deaths"] == 12
    assert counts.loc[(pd.Timestamp("2022-01-01"), VAC), "deaths"] == 7
    # a month whose only event has unknown deaths shows 0 deaths, not a gap
    assert counts.loc[(pd.Timestamp("2024-12-01"), VAC), "events"] == 1
    assert counts.loc[(pd.Timestamp("2024-12-01"), VAC), "deaths"] == 0
    assert (pd.Timestamp("2020-01-01"), BATTLES) not in counts.index  # empty months are absent


def test_monthly_counts_group_types_within_a_month(table) -> None:
    same_month = table.copy()
    same_month["event_date"] = pd.Timestamp("2023-03-15")
    counts = charts.monthly_counts(same_month)
    assert set(counts["month"]) == {pd.Timestamp("2023-03-01")}
    per_type = dict(zip(counts["event_type"], counts["events"], strict=True))
    assert per_type == {
        BATTLES: 4,
        "Explosions/Remote violence": 2,
        VAC: 4,
        "Protests": 1,
        "Riots": 1,
        "Strategic developments": 1,
    }
    assert counts.loc[counts["event_type"] == VAC, "deaths"].item() == 7 + 3 + 157


def test_monthly_counts_of_a_filtered_selection(table) -> None:
    selected = filters.apply(table, FilterSpec(type=(VAC,)))
    counts = charts.monthly_counts(selected)
    assert set(counts["event_type"]) == {VAC}
    assert counts["events"].sum() == 4 and counts["deaths"].sum() == 167


def test_monthly_counts_of_nothing(table) -> None:
    counts = charts.monthly_counts(table.iloc[0:0])
    assert counts.empty and {"month", "event_type", "events", "deaths"} <= set(counts.columns)


EXPECTED_GROUPS = {
    # group: (events, deaths) worked out from the fixture rows; unknown deaths count as 0
    "civilians": (6, 7 + 21 + 3 + 157),
    "wagner": (5, 12 + 7 + 3),
    "mali_state": (5, 12 + 2 + 21),
    "jnim": (3, 12 + 2 + 40),
    "azawad": (2, 21),
    "protesters": (2, 0),
    "unidentified": (2, 0 + 1),
    "is_sahel": (1, 40),
    "pro_government_militias": (1, 157),
    "un": (1, 1),
}


def test_actor_group_counts(table) -> None:
    counts = charts.actor_group_counts(table)
    got = {row.group: (row.events, row.deaths) for row in counts.itertuples()}
    assert got == {schema.ACTOR_GROUPS[k]: v for k, v in EXPECTED_GROUPS.items()}
    # an event with several groups counts once for each: the totals are the sum of groups per event
    assert counts["events"].sum() == sum(len(g.split("; ")) for g in table["actor_groups"]) == 28
    assert counts["events"].is_monotonic_decreasing
    assert counts.iloc[0]["group"] == schema.ACTOR_GROUPS["civilians"]
    assert schema.ACTOR_GROUPS["france"] not in set(counts["group"])  # groups with no events are left out


def test_actor_group_counts_of_nothing(table) -> None:
    counts = charts.actor_group_counts(table.iloc[0:0])
    assert counts.empty and list(counts.columns) == ["group", "events", "deaths"]


def test_charts_build_from_the_aggregations(table) -> None:
    monthly = charts.monthly_chart(charts.monthly_counts(table))
    actors_ = charts.actor_chart(charts.actor_group_counts(table))
    assert isinstance(monthly, alt.LayerChart) and isinstance(actors_, alt.Chart)
    spec = monthly.to_dict()
    colour = spec["layer"][0]["encoding"]["color"]["scale"]
    assert colour["domain"] == list(schema.EVENT_TYPES)  # the same colours as the map
    assert actors_.to_dict()["height"] >= 24 * 10


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_monthly_counts_match_a_groupby(seed: int) -> None:
    """The bincount agrees with the plain pandas way of counting, on resampled rows with unknown tolls."""
    base = shared_events()
    rng = np.random.default_rng(seed)
    rows = base.iloc[rng.integers(0, len(base), 500)].reset_index(drop=True)
    month = rows["event_date"].dt.to_period("M").dt.to_timestamp()
    expected = (
        rows.assign(month=month, deaths=schema.counted_deaths(rows["fatalities"]))
        .groupby(["month", "event_type"], observed=True)
        .agg(events=("event_id", "size"), deaths=("deaths", "sum"))
        .reset_index()
    )
    got = charts.monthly_counts(rows)
    assert got["month"].tolist() == expected["month"].tolist()
    assert got["event_type"].tolist() == expected["event_type"].astype(str).tolist()
    assert got["events"].tolist() == expected["events"].tolist()
    assert got["deaths"].tolist() == expected["deaths"].tolist()
    assert (got["month_end"] == got["month"] + pd.offsets.MonthBegin(1)).all()
