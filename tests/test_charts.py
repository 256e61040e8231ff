"""Chart aggregations add up to the table they summarise; unknown deaths count as none, not as NaN."""

from __future__ import annotations

import datetime as dt

import altair as alt
import numpy as np
import pandas as pd
import pytest

from sahelmap import charts, filters, schema
from sahelmap.filters import FilterSpec
from tests.factories import ALL, BATTLES, TOTAL_DEATHS, VAC, milestone, shared_events


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


# --- the chart defects of issue 12, each checked on the Vega-Lite spec ---------------------------------


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def _data_of(spec: dict, layer: dict) -> list[dict]:
    name = layer["data"]["name"] if "data" in layer else spec["data"]["name"]
    return spec["datasets"][name]


def test_actor_chart_labels_every_bar_in_full(table) -> None:
    spec = charts.actor_chart(charts.actor_group_counts(table)).to_dict()
    axis = spec["encoding"]["y"]["axis"]
    assert axis["labelOverlap"] is False  # Vega-Lite would otherwise drop every other label
    longest = max(len(label) for label in schema.ACTOR_GROUPS.values())
    assert axis["labelLimit"] >= 6.5 * longest  # ~6.5 px per character at the default 10 px font
    assert spec["height"] >= 24 * len(charts.actor_group_counts(table))


def test_count_axes_show_whole_numbers(table) -> None:
    monthly = charts.monthly_chart(charts.monthly_counts(table), charts.monthly_totals(table)).to_dict()
    actor = charts.actor_chart(charts.actor_group_counts(table)).to_dict()
    axes = [layer["encoding"]["y"]["axis"] for layer in _layers(monthly)[:2]]
    axes.append(actor["encoding"]["x"]["axis"])
    for axis in axes:
        assert axis["format"] == "d" and axis["tickMinStep"] == 1


def test_deaths_line_drops_to_zero_over_empty_months(table) -> None:
    totals = charts.monthly_totals(table, dt.date(2021, 12, 1), dt.date(2022, 12, 31))
    assert len(totals) == 13  # every month, empty ones too
    assert totals.set_index("month").loc[pd.Timestamp("2022-02-01"), "deaths"] == 0  # no event in Feb 2022
    assert totals["events"].sum() == 6  # S01..S06
    spec = charts.monthly_chart(charts.monthly_counts(table), totals).to_dict()
    line = _layers(spec)[1]
    points = _data_of(spec, line)
    assert len(points) == 13  # the line has a point for every month, so it never joins across a gap
    assert line["encoding"]["y"]["field"] == "deaths"  # no aggregate over absent months


def test_time_axis_spans_the_selected_period(table) -> None:
    one = table[table["event_id"] == "S02"]  # one event must not fill the chart
    period = (dt.date(2021, 1, 1), dt.date(2022, 12, 31))
    spec = charts.monthly_chart(
        charts.monthly_counts(one), charts.monthly_totals(one, *period), period
    ).to_dict()
    for layer in _layers(spec):
        assert layer["encoding"]["x"]["scale"]["domain"] == ["2021-01-01T00:00:00", "2023-01-01T00:00:00"]


def test_legend_fits_400_px(table) -> None:
    spec = charts.monthly_chart(charts.monthly_counts(table), charts.monthly_totals(table)).to_dict()
    legend = _layers(spec)[0]["encoding"]["color"]["legend"]
    assert legend["orient"] == "bottom"
    # columns x (label limit + symbol and padding) stays within a 400 px chart
    assert legend["columns"] * (legend["labelLimit"] + 30) <= 400


def test_milestones_inside_the_period_are_labelled_rules(table) -> None:
    marks = (milestone("2022-08-15", "Last French troops leave Mali"), milestone("2019-01-01", "Before"))
    period = (dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    rows = charts.milestone_rows(marks, *period)
    assert list(rows["label"]) == ["Last French troops leave Mali"]
    spec = charts.monthly_chart(
        charts.monthly_counts(table), charts.monthly_totals(table, *period), period, rows
    ).to_dict()
    marks_drawn = [layer["mark"]["type"] for layer in _layers(spec)]
    assert marks_drawn == ["bar", "line", "rule", "text"]
    text = _layers(spec)[3]
    assert text["encoding"]["text"]["field"] == "label"
    assert _data_of(spec, text)[0]["label"] == "Last French troops leave Mali"


def test_no_milestone_layers_when_none_is_inside(table) -> None:
    rows = charts.milestone_rows(
        (milestone("2019-01-01", "Before"),), dt.date(2022, 1, 1), dt.date(2022, 12, 31)
    )
    spec = charts.monthly_chart(
        charts.monthly_counts(table), charts.monthly_totals(table), None, rows
    ).to_dict()
    assert [layer["mark"]["type"] for layer in _layers(spec)] == ["bar", "line"]


# --- coverage (issue 9, item 8): where the loaded data ends is shaded, not read as a fall in violence ---

COVER = pd.DataFrame(
    {
        "dataset": ["acled", "curated"],
        "first": pd.to_datetime(["2015-01-01", "2012-01-17"]),
        "last": pd.to_datetime(["2023-03-31", "2025-06-30"]),
        "events": [7293, 266],
    }
)


def test_coverage_gives_each_datasets_first_and_last_date_and_events() -> None:
    frame = pd.DataFrame(
        {
            "dataset": pd.Categorical(["b", "a", "b"]),
            "event_id": ["1", "2", "3"],
            "event_date": pd.to_datetime(["2020-05-02", "2019-01-01", "2021-02-03"]),
        }
    )
    assert charts.coverage(frame).astype(str).values.tolist() == [
        ["a", "2019-01-01", "2019-01-01", "1"],
        ["b", "2020-05-02", "2021-02-03", "2"],
    ]


def test_coverage_gaps_are_the_runs_of_months_a_dataset_does_not_cover() -> None:
    gaps = charts.coverage_gaps(COVER, pd.Timestamp("2014-11-01"), pd.Timestamp("2023-06-01"))
    assert gaps.astype(str).values.tolist() == [
        ["2014-11-01", "2015-01-01", "acled"],
        ["2023-04-01", "2023-07-01", "acled"],
    ]
    assert charts.coverage_gaps(COVER, pd.Timestamp("2016-01-01"), pd.Timestamp("2023-03-01")).empty
    both = charts.coverage_gaps(COVER, pd.Timestamp("2025-06-01"), pd.Timestamp("2025-08-01"))
    assert both.astype(str).values.tolist() == [
        ["2025-06-01", "2025-07-01", "acled"],
        ["2025-07-01", "2025-09-01", "acled, curated"],
    ]


def test_monthly_chart_shades_the_gaps_with_a_tooltip_naming_the_dataset() -> None:
    counts = pd.DataFrame(
        {
            "month": pd.to_datetime(["2023-02-01", "2023-05-01"]),
            "month_end": pd.to_datetime(["2023-03-01", "2023-06-01"]),
            "event_type": ["Battles", "Battles"],
            "events": [5, 1],
            "deaths": [3, 0],
        }
    )
    gaps = charts.coverage_gaps(COVER, counts["month"].min(), counts["month"].max())
    spec = charts.monthly_chart(counts, gaps=gaps).to_dict()
    shade = spec["layer"][0]
    assert shade["mark"]["type"] == "rect" and shade["mark"]["color"] == charts.GAP_COLOR
    rows = spec["datasets"][shade["data"]["name"]]
    assert [(r["start"][:10], r["end"][:10], r["label"]) for r in rows] == [
        ("2023-04-01", "2023-06-01", "not covered by acled")
    ]
    assert len(charts.monthly_chart(counts).to_dict()["layer"]) == 2  # no gaps, no shade


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
