"""Chart aggregations add up to the table they summarise; unknown deaths count as none, not as NaN."""

from __future__ import annotations

import datetime as dt
import functools
import json

import jsonschema
import numpy as np
import pandas as pd
import pytest
from altair.vegalite.v6.schema.core import load_schema

from sahelmap import charts, filters, i18n, schema
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
    assert isinstance(monthly, dict) and isinstance(actors_, dict)  # what st.vega_lite_chart takes
    spec = monthly
    colour = spec["layer"][0]["encoding"]["color"]["scale"]
    assert colour["domain"] == list(schema.EVENT_TYPES)  # the same colours as the map
    assert actors_["height"] >= 24 * 10


# --- the specs are written as dicts (issue 10): each must be valid Vega-Lite -----------------------------


@functools.cache
def _vega_lite_validator() -> jsonschema.protocols.Validator:
    """Vega-Lite's JSON schema, as Altair ships it for the version the specs name."""
    schema_ = load_schema()
    validator = jsonschema.validators.validator_for(schema_)
    return validator(schema_)


def _problems(spec: dict) -> list[str]:
    return [error.message for error in _vega_lite_validator().iter_errors(spec)]


def _every_chart(table: pd.DataFrame) -> list[dict]:
    period = (dt.date(2021, 6, 1), dt.date(2022, 12, 31))
    marks = charts.milestone_rows((milestone("2022-08-15", "Last French troops leave Mali"),), *period)
    cover = pd.DataFrame(
        {
            "dataset": ["x"],
            "first": [pd.Timestamp("2021-09-01")],
            "last": [pd.Timestamp("2022-06-30")],
            "events": [3],
        }
    )
    totals = charts.monthly_totals(table, *period)
    gaps = charts.coverage_gaps(cover, totals["month"].min(), totals["month"].max())
    change = pd.DataFrame({"group": ["Battles", "Riots"], "a": [3, 1], "b": [1, 4], "change": [-2, 3]})
    return [
        charts.monthly_chart(charts.monthly_counts(table), totals, period, marks, gaps),
        charts.monthly_chart(charts.monthly_counts(table.iloc[0:0])),
        charts.actor_chart(charts.actor_group_counts(table)),
        charts.change_chart(change, "events", "Event type"),
    ]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_chart_spec_is_valid_vega_lite(table, lang: str) -> None:
    with i18n.using(lang):
        specs = _every_chart(table)
    assert [len(_layers(spec)) for spec in specs] == [5, 2, 1, 1]  # shade, bars, line, rule, text
    for spec in specs:
        assert spec["$schema"] == charts.VEGA_LITE_SCHEMA
        assert _problems(spec) == []
        assert json.loads(json.dumps(spec)) == spec  # plain JSON values: no numpy numbers, no timestamps


def test_the_schema_check_finds_an_invalid_spec(table) -> None:
    spec = charts.actor_chart(charts.actor_group_counts(table))
    spec["mark"]["type"] = "barr"
    spec["encoding"]["x"]["type"] = "number"
    assert len(_problems(spec)) >= 1


def test_chart_rows_are_json_with_dates_as_local_iso_text() -> None:
    frame = pd.DataFrame(
        {
            "day": pd.to_datetime(["2022-03-01", None]),
            "n": np.array([1, 2], dtype="int64"),
            "x": [0.5, np.nan],
            "name": pd.array(["a", None], dtype="string"),
            "kind": pd.Categorical(["k", None]),
        }
    )
    spec = charts.actor_chart(frame)
    assert _data_of(spec, spec) == [
        {"day": "2022-03-01T00:00:00", "n": 1, "x": 0.5, "name": "a", "kind": "k"},
        {"day": "", "n": 2, "x": None, "name": None, "kind": None},
    ]
    assert all(type(row["n"]) is int for row in _data_of(spec, spec))


# --- the chart defects of issue 12, each checked on the Vega-Lite spec ---------------------------------


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def _data_of(spec: dict, layer: dict) -> list[dict]:
    name = layer["data"]["name"] if "data" in layer else spec["data"]["name"]
    return spec["datasets"][name]


def test_actor_chart_labels_every_bar_in_full(table) -> None:
    spec = charts.actor_chart(charts.actor_group_counts(table))
    axis = spec["encoding"]["y"]["axis"]
    assert axis["labelOverlap"] is False  # Vega-Lite would otherwise drop every other label
    longest = max(len(label) for label in schema.ACTOR_GROUPS.values())
    assert axis["labelLimit"] >= 6.5 * longest  # ~6.5 px per character at the default 10 px font
    assert spec["height"] >= 24 * len(charts.actor_group_counts(table))


def test_count_axes_show_whole_numbers(table) -> None:
    monthly = charts.monthly_chart(charts.monthly_counts(table), charts.monthly_totals(table))
    actor = charts.actor_chart(charts.actor_group_counts(table))
    axes = [layer["encoding"]["y"]["axis"] for layer in _layers(monthly)[:2]]
    axes.append(actor["encoding"]["x"]["axis"])
    for axis in axes:
        assert axis["format"] == "d" and axis["tickMinStep"] == 1


def test_deaths_line_drops_to_zero_over_empty_months(table) -> None:
    totals = charts.monthly_totals(table, dt.date(2021, 12, 1), dt.date(2022, 12, 31))
    assert len(totals) == 13  # every month, empty ones too
    assert totals.set_index("month").loc[pd.Timestamp("2022-02-01"), "deaths"] == 0  # no event in Feb 2022
    assert totals["events"].sum() == 6  # S01..S06
    spec = charts.monthly_chart(charts.monthly_counts(table), totals)
    line = _layers(spec)[1]
    points = _data_of(spec, line)
    assert len(points) == 13  # the line has a point for every month, so it never joins across a gap
    assert line["encoding"]["y"]["field"] == "deaths"  # no aggregate over absent months


def test_time_axis_spans_the_selected_period(table) -> None:
    one = table[table["event_id"] == "S02"]  # one event must not fill the chart
    period = (dt.date(2021, 1, 1), dt.date(2022, 12, 31))
    spec = charts.monthly_chart(charts.monthly_counts(one), charts.monthly_totals(one, *period), period)
    for layer in _layers(spec):
        assert layer["encoding"]["x"]["scale"]["domain"] == ["2021-01-01T00:00:00", "2023-01-01T00:00:00"]


def test_legend_fits_400_px(table) -> None:
    spec = charts.monthly_chart(charts.monthly_counts(table), charts.monthly_totals(table))
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
    )
    marks_drawn = [layer["mark"]["type"] for layer in _layers(spec)]
    assert marks_drawn == ["bar", "line", "rule", "text"]
    text = _layers(spec)[3]
    assert text["encoding"]["text"]["field"] == "label"
    assert _data_of(spec, text)[0]["label"] == "Last French troops leave Mali"


def test_too_many_milestones_keep_their_rules_but_not_their_overlapping_labels(table) -> None:
    period = (dt.date(2012, 1, 1), dt.date(2025, 12, 31))
    many = tuple(
        milestone(f"{2012 + i}-06-01", f"Milestone {i}") for i in range(charts.MAX_LABELLED_MILESTONES + 1)
    )
    totals = charts.monthly_totals(table, *period)
    for marks, drawn in (
        (many, ["bar", "line", "rule"]),
        (many[:-1], ["bar", "line", "rule", "text"]),
    ):
        spec = charts.monthly_chart(
            charts.monthly_counts(table), totals, period, charts.milestone_rows(marks, *period)
        )
        assert [layer["mark"]["type"] for layer in _layers(spec)] == drawn
        assert len(_data_of(spec, _layers(spec)[2])) == len(marks)  # every rule, named on hover


def test_no_milestone_layers_when_none_is_inside(table) -> None:
    rows = charts.milestone_rows(
        (milestone("2019-01-01", "Before"),), dt.date(2022, 1, 1), dt.date(2022, 12, 31)
    )
    spec = charts.monthly_chart(charts.monthly_counts(table), charts.monthly_totals(table), None, rows)
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
    spec = charts.monthly_chart(counts, gaps=gaps)
    shade = spec["layer"][0]
    assert shade["mark"]["type"] == "rect" and shade["mark"]["color"] == charts.GAP_COLOR
    rows = spec["datasets"][shade["data"]["name"]]
    assert [(r["start"][:10], r["end"][:10], r["label"]) for r in rows] == [
        ("2023-04-01", "2023-06-01", "not covered by acled")
    ]
    assert len(charts.monthly_chart(counts)["layer"]) == 2  # no gaps, no shade


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


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_monthly_totals_match_a_groupby(seed: int) -> None:
    """Every month of the period, empty ones at zero; events outside the period's months are left out."""
    base = shared_events()
    rng = np.random.default_rng(seed)
    rows = base.iloc[rng.integers(0, len(base), 500)].reset_index(drop=True)
    start, end = dt.date(2021, 3, 17), dt.date(2023, 2, 2)
    months = pd.period_range(start, end, freq="M").to_timestamp()
    expected = (
        rows.assign(
            month=rows["event_date"].dt.to_period("M").dt.to_timestamp(),
            deaths=schema.counted_deaths(rows["fatalities"]),
        )
        .groupby("month")
        .agg(events=("event_id", "size"), deaths=("deaths", "sum"))
        .reindex(months, fill_value=0)
    )
    for got, want in (
        (charts.monthly_totals(rows, start, end), expected),
        (charts.monthly_totals(rows), None),
    ):
        if want is None:  # the events' own months
            assert got["month"].min() == rows["event_date"].min().to_period("M").to_timestamp()
            assert got["events"].sum() == len(rows)
            continue
        assert got["month"].tolist() == list(months)
        assert pd.api.types.is_datetime64_dtype(got["month"])
        assert got["events"].tolist() == want["events"].tolist()
        assert got["deaths"].tolist() == want["deaths"].tolist()
        assert got["events"].dtype == got["deaths"].dtype == "int64"
