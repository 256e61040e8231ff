"""The page's pure helpers: widget choices, quick periods, sub-types, KPIs, table rows, markdown escaping."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sahelmap import dashboard, filters, schema
from sahelmap.dashboard import md_escape
from sahelmap.filters import Choices, FilterSpec
from tests.factories import TOTAL_DEATHS, UNKNOWN_DEATHS, milestone, shared_events

D = dt.date
HANDOVER = "Since: France hands Timbuktu base to Malian army (14 Dec 2021)"
LAST_12 = "Last 12 months of data"
CRISIS = "2012-2013 crisis and Serval"
MARKS = (milestone("2021-12-14", "France hands Timbuktu base to Malian army"),)


@pytest.fixture
def table() -> pd.DataFrame:
    return shared_events().copy()


def choices_for(first: dt.date, last: dt.date) -> Choices:
    return Choices(first, last)


# --- choices and presets ---------------------------------------------------------------------------


def test_choices_from_the_table(table) -> None:
    c = filters.choices(table)
    assert (c.first, c.last) == (D(2019, 3, 23), D(2025, 1, 1))
    months = dashboard.months_between(c.first, c.last)
    assert months[0] == D(2019, 3, 1) and months[-1] == D(2025, 1, 1)
    assert len(months) == 12 * 5 + 10 + 1  # Mar 2019 .. Jan 2025
    assert c.regions == ("Bamako", "Gao", "Kidal", "Menaka", "Mopti", "Segou", "Tombouctou")
    assert c.datasets == ("acled", "curated", "ucdp")
    assert c.covers_more_than_focus is True
    at_focus_only = table[table["focus_place"].notna()]
    assert filters.choices(at_focus_only).covers_more_than_focus is False


def test_choices_of_an_empty_table(table) -> None:
    c = filters.choices(table.iloc[0:0])
    assert c.first == c.last and c.regions == () and c.datasets == ()


def test_presets_on_the_fixture_are_clipped(table) -> None:
    presets = dashboard.presets(filters.choices(table), MARKS)
    assert presets == {
        "Whole range": (D(2019, 3, 23), D(2025, 1, 1)),
        HANDOVER: (D(2021, 12, 14), D(2025, 1, 1)),
        LAST_12: (D(2024, 2, 1), D(2025, 1, 1)),
        # 2012-2013 is before the first event: not offered
    }


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (
            D(2012, 1, 10),
            D(2013, 6, 30),
            {
                "Whole range": (D(2012, 1, 10), D(2013, 6, 30)),
                LAST_12: (D(2012, 7, 1), D(2013, 6, 30)),
                CRISIS: (D(2012, 1, 10), D(2013, 6, 30)),
            },
        ),
        (
            D(2024, 6, 15),
            D(2024, 9, 10),  # less than 12 months of data: the preset starts at the first event
            {
                "Whole range": (D(2024, 6, 15), D(2024, 9, 10)),
                # the handover is before the first event: "since" it would repeat "Whole range"
                LAST_12: (D(2024, 6, 15), D(2024, 9, 10)),
            },
        ),
        (
            D(2011, 5, 1),
            D(2021, 12, 14),  # the handover is the last day: a one-day period
            {
                "Whole range": (D(2011, 5, 1), D(2021, 12, 14)),
                HANDOVER: (D(2021, 12, 14), D(2021, 12, 14)),
                LAST_12: (D(2021, 1, 1), D(2021, 12, 14)),
                CRISIS: (D(2011, 5, 1), D(2013, 12, 31)),
            },
        ),
    ],
)
def test_presets_are_clipped_to_the_data(first, last, expected) -> None:
    assert dashboard.presets(choices_for(first, last), MARKS) == expected


@settings(max_examples=200, deadline=None)
@given(
    first=st.dates(D(2005, 1, 1), D(2030, 12, 31)),
    days=st.integers(0, 8000),
)
def test_every_preset_lies_within_the_data(first: dt.date, days: int) -> None:
    last = first + dt.timedelta(days=days)
    presets = dashboard.presets(choices_for(first, last))
    assert presets["Whole range"] == (first, last)
    for start, end in presets.values():
        assert first <= start <= end <= last


def test_milestone_presets_come_from_milestones_csv() -> None:
    presets = dashboard.presets(choices_for(D(2015, 1, 1), D(2024, 12, 31)))
    assert presets["Since: Last French troops leave Mali (15 Aug 2022)"] == (D(2022, 8, 15), D(2024, 12, 31))
    assert presets["Since: Army and Wagner take Kidal (14 Nov 2023)"] == (D(2023, 11, 14), D(2024, 12, 31))
    # milestones outside the data are not offered: nothing before 2015 nor after 2024
    since = [k for k in presets if k.startswith("Since: ")]
    assert not any("Serval" in k or "ECOWAS (29" in k or "Mali leaves ECOWAS" in k for k in since)
    assert "Since: Barkhane replaces Serval (Aug 2014)" not in presets


@pytest.mark.parametrize(
    ("first", "last", "offered"),
    [
        (D(2014, 1, 1), D(2014, 12, 31), {"Since: B (Aug 2014)": (D(2014, 8, 1), D(2014, 12, 31))}),
        (D(2014, 8, 1), D(2014, 12, 31), {}),  # on the first event: the same as "Whole range"
        (D(2014, 1, 1), D(2014, 7, 31), {}),  # after the last event: would select nothing
        (D(2014, 1, 1), D(2014, 8, 1), {"Since: B (Aug 2014)": (D(2014, 8, 1), D(2014, 8, 1))}),
    ],
)
def test_milestone_presets_lie_within_the_data(first, last, offered) -> None:
    marks = (milestone("2014-08-01", "B", time_precision=3),)
    assert dashboard.milestone_presets(choices_for(first, last), marks) == offered


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2022, 8, 15), D(2023, 11, 14), (D(2022, 8, 15), D(2023, 11, 14))),  # days kept
        (D(2023, 11, 14), D(2022, 8, 15), (D(2022, 8, 15), D(2023, 11, 14))),  # reversed: put in order
        (D(2010, 1, 1), D(2030, 1, 1), (D(2015, 1, 1), D(2024, 12, 31))),  # clipped to the data
        (D(2026, 1, 1), D(2027, 1, 1), (D(2024, 12, 31), D(2024, 12, 31))),  # all after: the last day
    ],
)
def test_period_from_dates(start, end, expected) -> None:
    assert dashboard.period_from_dates(start, end, choices_for(D(2015, 1, 1), D(2024, 12, 31))) == expected


def test_month_helpers() -> None:
    assert dashboard.month_start(D(2024, 2, 17)) == D(2024, 2, 1)
    assert dashboard.month_end(D(2024, 2, 17)) == D(2024, 2, 29)
    assert dashboard.month_end(D(2023, 2, 28)) == D(2023, 2, 28)
    assert dashboard.month_end(D(2023, 12, 1)) == D(2023, 12, 31)
    assert dashboard.months_between(D(2023, 11, 30), D(2024, 2, 1)) == [
        D(2023, 11, 1),
        D(2023, 12, 1),
        D(2024, 1, 1),
        D(2024, 2, 1),
    ]


@pytest.mark.parametrize(
    ("spec", "period"),
    [
        (FilterSpec(), (D(2019, 3, 23), D(2025, 1, 1))),
        (FilterSpec(start=D(2022, 1, 1), end=D(2024, 12, 31)), (D(2022, 1, 1), D(2024, 12, 31))),
        (FilterSpec(start=D(2010, 1, 1), end=D(2030, 1, 1)), (D(2019, 3, 23), D(2025, 1, 1))),
        (FilterSpec(start=D(2024, 6, 1)), (D(2024, 6, 1), D(2025, 1, 1))),
        (FilterSpec(start=D(2026, 1, 1)), (D(2019, 3, 23), D(2025, 1, 1))),  # after the data: whole range
        (FilterSpec(end=D(2015, 1, 1)), (D(2019, 3, 23), D(2025, 1, 1))),
    ],
)
def test_clamp_period(table, spec: FilterSpec, period) -> None:
    assert dashboard.clamp_period(spec, filters.choices(table)) == period


# --- sub-types offered -----------------------------------------------------------------------------


def test_subtypes_for_no_type_is_all_25() -> None:
    assert filters.subtypes_for(()) == list(schema.SUB_EVENT_TYPES)
    assert len(filters.subtypes_for([])) == 25


@pytest.mark.parametrize(
    ("types", "subtypes"),
    [
        (("Riots",), ["Violent demonstration", "Mob violence"]),
        (
            ["Protests"],
            ["Peaceful protest", "Protest with intervention", "Excessive force against protesters"],
        ),
        (
            ("Riots", "Violence against civilians"),
            [
                "Violent demonstration",
                "Mob violence",
                "Sexual violence",
                "Attack",
                "Abduction/forced disappearance",
            ],
        ),
    ],
)
def test_subtypes_for_chosen_types(types, subtypes) -> None:
    assert filters.subtypes_for(types) == subtypes
    assert all(schema.PARENT_TYPE[s] in types for s in subtypes)


# --- KPIs and table --------------------------------------------------------------------------------


def test_kpis(table) -> None:
    k = dashboard.kpis(table)
    assert k.events == 13 and k.deaths == TOTAL_DEATHS and k.unknown_deaths == len(UNKNOWN_DEATHS)
    assert k.civilian_events == 4
    # 13 rows, Kidal twice and "Tin Zaouaten" / "Ti-n-Zaouâtene" written two ways: 12 distinct names
    assert k.places == 12
    none = dashboard.kpis(table.iloc[0:0])
    assert (none.events, none.deaths, none.civilian_events, none.places, none.unknown_deaths) == (
        0,
        0,
        0,
        0,
        0,
    )


def test_table_rows_newest_first_with_safe_links(table) -> None:
    table.loc[table["event_id"] == "S03", "source_url"] = "javascript:alert(1)"
    table.loc[table["event_id"] == "S04", "source_url"] = None
    rows = dashboard.table_page(table).rows
    assert list(rows.columns) == list(dashboard.TABLE_COLUMNS)
    assert rows["event_id"].iloc[0] == "S12" and rows["event_id"].iloc[-1] == "S13"
    assert rows["event_date"].is_monotonic_decreasing
    links = dict(zip(rows["event_id"], rows["source_url"], strict=True))
    assert pd.isna(links["S03"]) and pd.isna(links["S04"])
    assert links["S01"] == "https://example.org/s01"
    assert table.loc[table["event_id"] == "S03", "source_url"].item() == "javascript:alert(1)"  # not changed


def test_table_columns_come_in_reading_order() -> None:
    labels = list(dashboard.TABLE_COLUMNS.values())
    assert labels[:6] == ["Date", "Place", "Type", "Deaths", "Source", "Link"]
    assert labels[6:10] == ["Actor 1", "Actor 2", "Notes", "Dataset"]


def test_table_page_caps_the_rows_and_says_so(table) -> None:
    page = dashboard.table_page(table, cap=5)
    assert (page.shown, page.total) == (5, len(table))
    assert page.caption == (
        f"Showing 5 of {len(table)} events (newest first): narrow the filters or download them all below."
    )
    assert list(page.rows["event_id"]) == list(dashboard.table_page(table).rows["event_id"][:5])
    assert list(page.rows.columns) == list(dashboard.TABLE_COLUMNS)


def test_table_page_says_when_it_shows_everything(table) -> None:
    assert dashboard.table_page(table).caption == f"All {len(table)} events, newest first."
    one = dashboard.table_page(table, positions=np.array([0]))
    assert one.caption == "All 1 event, newest first." and one.rows.index[0] == table.index[0]
    none = dashboard.table_page(table, positions=np.array([], dtype=int))
    assert none.caption == "All 0 events, newest first." and none.rows.empty


def test_table_page_by_deaths_puts_unknown_tolls_last(table) -> None:
    page = dashboard.table_page(table, order="deaths", cap=len(table))
    assert page.rows["event_id"].iloc[0] == "S13"  # 157 deaths
    deaths = page.rows["fatalities"]
    assert set(page.rows["event_id"].iloc[-len(UNKNOWN_DEATHS) :]) == UNKNOWN_DEATHS
    known = deaths.dropna().tolist()
    assert known == sorted(known, reverse=True)
    assert "most reported deaths first" in dashboard.table_page(table, order="deaths", cap=2).caption
    with pytest.raises(ValueError, match="unknown table order"):
        dashboard.table_page(table, order="alphabetical")


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    cap=st.integers(0, 60),
    order=st.sampled_from(list(dashboard.TABLE_ORDERS)),
)
def test_table_page_is_the_head_of_a_full_sort(seed: int, cap: int, order: str) -> None:
    """The capped rows are exactly the first ``cap`` of a full stable sort (later rows first among ties)."""
    rng = np.random.default_rng(seed)
    base = shared_events()
    many = base.iloc[rng.integers(0, len(base), 200)].reset_index(drop=True)
    many["event_id"] = [f"R{i}" for i in range(len(many))]
    positions = np.sort(rng.choice(len(many), size=rng.integers(0, 200), replace=False))
    chosen = many.iloc[positions].assign(pos=np.arange(len(positions)))
    keys = ["event_date", "pos"] if order == "newest" else ["deaths", "event_date", "pos"]
    chosen["deaths"] = chosen["fatalities"].astype("Float64").fillna(-1)
    expected = chosen.sort_values(keys, ascending=False)["event_id"].head(cap).tolist()
    page = dashboard.table_page(many, order, cap=cap, positions=positions)
    assert page.rows["event_id"].tolist() == expected
    assert page.total == len(positions)


def test_table_page_shortens_notes_and_stays_within_its_byte_budget(table) -> None:
    many = table.iloc[np.arange(2000) % len(table)].reset_index(drop=True)
    many["notes"] = "é" * 5000
    many["actor1"] = "x" * 400
    page = dashboard.table_page(many)
    assert set(page.rows["notes"].str.len()) == {dashboard.NOTES_CHARS}
    assert page.rows["notes"].iloc[0].endswith("…")
    assert 0 < page.shown < dashboard.TABLE_ROW_CAP and page.total == 2000
    assert f"Showing {page.shown:,} of 2,000 events" in page.caption
    text_columns = page.rows.select_dtypes(include=["object", "string"])
    text = sum(len(str(v).encode()) for v in text_columns.fillna("").to_numpy().ravel())
    assert text <= dashboard.TABLE_BYTES
    assert many["notes"].iloc[0] == "é" * 5000  # the table's rows are a copy


def test_kpis_at_positions_match_kpis_of_the_rows(table) -> None:
    pre = dashboard.precompute(table)
    for positions in (np.arange(len(table)), np.array([0, 3, 5]), np.array([], dtype=int)):
        assert dashboard.kpis_at(pre, positions) == dashboard.kpis(table.iloc[positions])


# --- markdown escaping ---------------------------------------------------------------------------

SPECIALS = set("\\`*_{}[]()#+-.!|<>~$:")


def assert_inert_markdown(escaped: str) -> None:
    """Every markdown character is preceded by a backslash that is not itself escaped."""
    i = 0
    while i < len(escaped):
        ch = escaped[i]
        if ch == "\\":
            assert i + 1 < len(escaped) and escaped[i + 1] in SPECIALS, escaped
            i += 2
            continue
        assert ch not in SPECIALS, f"unescaped {ch!r} at {i} in {escaped!r}"
        i += 1


def unescape(escaped: str) -> str:
    return re.sub(r"\\(.)", r"\1", escaped, flags=re.S)


@pytest.mark.parametrize(
    "text",
    [
        "[click me](https://evil.example)",
        "![tracker](https://evil.example/pixel.png)",
        "<img src=x onerror=alert(1)>",
        "**bold** _it_ `code` ~~gone~~ $x^2$ # heading",
        ":red[coloured] :material/warning:",
        "back\\slash \\[not a link\\](x)",
        "Violence against civilians involving Wagner / Africa Corps in Gao and Kidal, Jan 2022 - Dec 2024",
    ],
)
def test_md_escape_neutralises_markdown(text: str) -> None:
    escaped = md_escape(text)
    assert_inert_markdown(escaped)
    assert unescape(escaped) == text
    assert "](" not in escaped.replace("\\]\\(", "")


def test_md_escape_of_a_link() -> None:
    assert md_escape("[a](http://b)") == r"\[a\]\(http\://b\)"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_md_escape_is_inert_and_reversible(text: str) -> None:
    escaped = md_escape(text)
    assert_inert_markdown(escaped)
    assert unescape(escaped) == text


def test_step_period_end_moves_by_months_within_the_data() -> None:
    import datetime as dt

    from sahelmap.dashboard import Choices, playback_start, step_period_end

    c = Choices(dt.date(2012, 2, 2), dt.date(2025, 10, 26), [], [], [], False)
    assert playback_start((dt.date(2012, 2, 2), c.last), c) == (dt.date(2012, 2, 2), dt.date(2012, 2, 29))
    assert step_period_end((dt.date(2012, 2, 2), dt.date(2012, 2, 29)), 1, c)[1] == dt.date(2012, 3, 31)
    assert step_period_end((dt.date(2012, 2, 2), dt.date(2012, 2, 29)), -5, c)[1] == dt.date(2012, 2, 29)
    assert step_period_end((dt.date(2012, 2, 2), dt.date(2025, 10, 26)), 1, c)[1] == c.last


def test_view_figures_survive_the_cache_pickle(table) -> None:
    """st.cache_data pickles what it stores: a class defined in app.py would not unpickle on a server."""
    import pickle

    figures = dashboard.view_figures(table)
    again = pickle.loads(pickle.dumps(figures))
    assert again == figures
    assert again.monthly_chart == figures.monthly_chart
    assert again.monthly_chart["layer"] and again.actor_chart["mark"]


def test_coverage_line_names_each_dataset_its_dates_and_events() -> None:
    cover = pd.DataFrame(
        {
            "dataset": ["acled", "curated"],
            "first": pd.to_datetime(["2015-01-01", "2012-02-02"]),
            "last": pd.to_datetime(["2023-03-31", "2025-11-14"]),
            "events": [7293, 1],
        }
    )
    assert dashboard.coverage_line(cover) == (
        "Coverage of the loaded data: acled 2015-01-01 to 2023-03-31 (7,293 events); "
        "curated 2012-02-02 to 2025-11-14 (1 event)"
    )
    assert dashboard.coverage_line(cover.iloc[0:0]) == "Coverage of the loaded data: no events loaded"


def test_the_bundled_table_note_says_what_it_is_and_where_its_sources_are() -> None:
    note = dashboard.BUNDLED_TABLE_NOTE
    assert "curated selection" in note and "not a complete count" in note and "six focus places" in note
    assert "source_url" in note and "README" in note
