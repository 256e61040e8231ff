"""FilterSpec on a small synthetic table: one large table of specs -> the exact events they select.

The table goes through the real validation and the real derivations (gazetteer and actor rules from
``sahelmap.paths``), so the actor groups and focus places the filters use are the ones the app computes.
The expected event ids below were worked out by hand from the rows, not copied from a run.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from sahelmap import filters, schema
from sahelmap.dashboard import kpis
from sahelmap.filters import ELSEWHERE, MAX_TEXT_LENGTH, FilterSpec, QueryError, parse_query, to_query
from tests.factories import (
    ALL,
    BATTLES,
    EXPLOSIONS,
    JNIM,
    MALI,
    P_GAO,
    TOTAL_DEATHS,
    UNKNOWN_DEATHS,
    VAC,
    D,
    build_events,
    choices_from,
    event_row,
    shared_events,
)


@pytest.fixture
def table() -> pd.DataFrame:
    """The synthetic table; a copy, so that no test can change another's data."""
    return shared_events().copy()


def ids(frame: pd.DataFrame) -> set[str]:
    return set(frame["event_id"])


def ids_of(events_: pd.DataFrame, spec: FilterSpec) -> set[str]:
    return ids(filters.apply(events_, spec))


# --- the fixture is what the expectations assume ---------------------------------------------


def test_fixture_derived_columns_are_the_real_ones(table) -> None:
    by_id = table.set_index("event_id")
    focus = by_id["focus_place"].astype("object").where(by_id["focus_place"].notna(), None).to_dict()
    assert focus == {
        "S01": "Gao",
        "S02": "Gao",  # Kadji, 3 km away
        "S03": None,
        "S04": "Timbuktu",  # by its alias Tombouctou
        "S05": None,
        "S06": "Ségou",
        "S07": "Bamako",
        "S08": "Tinzaouaten",
        "S09": None,  # located only to the region, even though the point is at Gao
        "S10": "Tinzaouaten",
        "S11": "Kidal",
        "S12": "Kidal",
        "S13": None,
    }
    assert by_id.loc["S01", "actor_groups"].split("; ") == [
        schema.ACTOR_GROUPS["wagner"],
        schema.ACTOR_GROUPS["mali_state"],
        schema.ACTOR_GROUPS["jnim"],
    ]
    assert by_id.loc["S10", "actor_groups"].split("; ") == [
        schema.ACTOR_GROUPS[g] for g in ("wagner", "mali_state", "azawad")
    ]
    assert set(by_id.index[by_id["fatalities"].isna()]) == UNKNOWN_DEATHS
    assert kpis(table).deaths == TOTAL_DEATHS == 243


# --- one large table: spec -> exact events ---------------------------------------------------

CASES = [
    ("no filter", FilterSpec(), ALL),
    # period: both ends inclusive; S01 is the day before, S12 the day after
    (
        "period, inclusive ends",
        FilterSpec(start=D(2022, 1, 1), end=D(2024, 12, 31)),
        {"S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09", "S10", "S11"},
    ),
    ("start only", FilterSpec(start=D(2022, 1, 1)), ALL - {"S01", "S13"}),
    ("end only, on S01's day", FilterSpec(end=D(2021, 12, 31)), {"S13", "S01"}),
    ("one-day period", FilterSpec(start=D(2022, 1, 1), end=D(2022, 1, 1)), {"S02"}),
    ("start on the last event's day", FilterSpec(start=D(2025, 1, 1)), {"S12"}),
    ("period with no events", FilterSpec(start=D(2020, 1, 1), end=D(2021, 6, 30)), set()),
    # actor groups: any of them
    ("wagner", FilterSpec(actor=("wagner",)), {"S01", "S02", "S10", "S11", "S12"}),
    (
        "wagner or IS Sahel",
        FilterSpec(actor=("wagner", "is_sahel")),
        {"S01", "S02", "S05", "S10", "S11", "S12"},
    ),
    (
        "civilians as actor",
        FilterSpec(actor=("civilians",)),
        {"S02", "S06", "S08", "S11", "S12", "S13"},
    ),
    ("azawad", FilterSpec(actor=("azawad",)), {"S08", "S10"}),
    ("pro-government militias", FilterSpec(actor=("pro_government_militias",)), {"S13"}),
    ("a group with no events", FilterSpec(actor=("france",)), set()),
    # raw actor names: case-insensitive substring of any of the four fields, not a regex
    ("actor name, case-insensitive", FilterSpec(actor_name="AZAWAD"), {"S08", "S10"}),
    (
        "actor name in assoc_actor_1",
        FilterSpec(actor_name="wagner group"),
        {"S01", "S02", "S10", "S11", "S12"},
    ),
    ("actor name with brackets", FilterSpec(actor_name="(Sahel)"), {"S05"}),
    ("actor name '.' is not a regex", FilterSpec(actor_name="."), set()),
    # event types and sub-types
    ("one type", FilterSpec(type=(VAC,)), {"S02", "S11", "S12", "S13"}),
    (
        "two types",
        FilterSpec(type=(BATTLES, EXPLOSIONS)),
        {"S01", "S03", "S05", "S10", "S08", "S09"},
    ),
    (
        "sub-type within its type",
        FilterSpec(type=(VAC,), subtype=("Attack",)),
        {"S02", "S12", "S13"},
    ),
    (
        "sub-type narrows only its own type",
        FilterSpec(type=(BATTLES, VAC), subtype=("Attack",)),
        {"S01", "S03", "S05", "S10", "S02", "S12", "S13"},
    ),
    (
        "sub-types of two types",
        FilterSpec(type=(BATTLES, VAC), subtype=("Attack", "Armed clash")),
        {"S01", "S05", "S10", "S02", "S12", "S13"},
    ),
    # places
    ("Gao, incl. 3 km away", FilterSpec(place=("Gao",)), {"S01", "S02"}),
    ("Gao and Kidal", FilterSpec(place=("Gao", "Kidal")), {"S01", "S02", "S11", "S12"}),
    ("Timbuktu (written Tombouctou)", FilterSpec(place=("Timbuktu",)), {"S04"}),
    ("Ségou", FilterSpec(place=("Ségou",)), {"S06"}),
    ("Bamako", FilterSpec(place=("Bamako",)), {"S07"}),
    ("Tinzaouaten, two spellings", FilterSpec(place=("Tinzaouaten",)), {"S08", "S10"}),
    ("elsewhere", FilterSpec(place=(ELSEWHERE,)), {"S03", "S05", "S09", "S13"}),
    (
        "a focus place or elsewhere",
        FilterSpec(place=("Tinzaouaten", ELSEWHERE)),
        {"S08", "S10", "S03", "S05", "S09", "S13"},
    ),
    # location precision (S09 is located only to its region)
    ("located only to a region", FilterSpec(precision=("3",)), {"S09"}),
    ("located to a town or near one", FilterSpec(precision=("1", "2")), ALL - {"S09"}),
    # regions (admin1)
    ("region Kidal", FilterSpec(region=("Kidal",)), {"S08", "S10", "S11", "S12"}),
    ("regions Gao and Mopti", FilterSpec(region=("Gao", "Mopti")), {"S01", "S02", "S09", "S03", "S13"}),
    ("unknown region", FilterSpec(region=("Atlantis",)), set()),
    # regions by the polygons (admin1_join): Tinzaouaten's region is Kidal
    ("Kidal region (polygon)", FilterSpec(focus_region=("Kidal",)), {"S08", "S10", "S11", "S12"}),
    ("Ségou region (polygon)", FilterSpec(focus_region=("Segou",)), {"S06"}),
    (
        "Gao and Mopti regions (polygons)",
        FilterSpec(focus_region=("Gao", "Mopti")),
        {"S01", "S02", "S03", "S09", "S13"},
    ),
    ("a region with no events", FilterSpec(focus_region=("Kayes",)), set()),
    # fatalities: unknown counts as 0, the minimum is inclusive
    ("min deaths 0 keeps unknown", FilterSpec(min_deaths=0), ALL),
    (
        "min deaths 1 drops zero and unknown",
        FilterSpec(min_deaths=1),
        {"S01", "S02", "S03", "S05", "S08", "S09", "S12", "S13"},
    ),
    ("min deaths 21, inclusive", FilterSpec(min_deaths=21), {"S05", "S08", "S13"}),
    ("min deaths 22", FilterSpec(min_deaths=22), {"S05", "S13"}),
    ("min deaths above all", FilterSpec(min_deaths=158), set()),
    # civilians, text, datasets
    ("civilians targeted", FilterSpec(civilians=True), {"S02", "S11", "S12", "S13"}),
    ("text in location or notes", FilterSpec(q="gao"), {"S01", "S09"}),
    ("text in notes only, any case", FilterSpec(q="RUSSIAN"), {"S01", "S11", "S12"}),
    ("text with a hyphen", FilterSpec(q="Gao-Ansongo"), {"S09"}),
    ("text with an accent", FilterSpec(q="ménaka"), {"S05"}),
    ("text found nowhere", FilterSpec(q="Atlantis"), set()),
    ("one dataset", FilterSpec(dataset=("acled",)), {"S04", "S05", "S08"}),
    ("two datasets", FilterSpec(dataset=("ucdp", "acled")), {"S04", "S05", "S08", "S09", "S13"}),
    ("once without links keeps all", FilterSpec(once=True), ALL),
    # combinations: every filter must hold
    (
        "the journalist's question",
        FilterSpec(
            type=(VAC,),
            actor=("wagner",),
            place=("Gao", "Kidal"),
            start=D(2022, 1, 1),
            end=D(2024, 12, 31),
        ),
        {"S02", "S11"},
    ),
    ("civilians and min deaths", FilterSpec(civilians=True, min_deaths=5), {"S02", "S13"}),
    ("elsewhere and JNIM", FilterSpec(place=(ELSEWHERE,), actor=("jnim",)), {"S03", "S05"}),
    (
        "region, group and type",
        FilterSpec(region=("Kidal",), actor=("azawad",), type=(BATTLES,)),
        {"S10"},
    ),
    ("dataset and elsewhere", FilterSpec(dataset=("curated",), place=(ELSEWHERE,)), {"S03"}),
    ("place and region disagree", FilterSpec(place=("Gao",), region=("Kidal",)), set()),
    ("Bamako has no battles", FilterSpec(place=("Bamako",), type=(BATTLES,)), set()),
    (
        "period and text",
        FilterSpec(start=D(2024, 1, 1), q="russian"),
        {"S11", "S12"},
    ),
    (
        "actor name and min deaths",
        FilterSpec(actor_name="JNIM", min_deaths=10),
        {"S01", "S05"},
    ),
]


def _params(cases: list[tuple[str, FilterSpec, set[str]]]) -> list:
    return [pytest.param(spec, expected, id=name, marks=[]) for name, spec, expected in cases]


@pytest.mark.parametrize(("spec", "expected"), _params(CASES))
def test_filter_selects_exactly(table, spec: FilterSpec, expected: set[str]) -> None:
    assert ids_of(table, spec) == expected


@pytest.mark.parametrize(("spec", "expected"), _params(CASES))
def test_mask_matches_apply_and_keeps_order(table, spec: FilterSpec, expected: set[str]) -> None:
    keep = filters.mask(table, spec)
    assert keep.dtype == bool and keep.shape == (len(table),)
    selected = filters.apply(table, spec)
    assert list(selected.index) == list(table.index[keep])  # a view of rows in table order, not a copy


def test_filters_do_not_change_the_table(table) -> None:
    before = table.copy()
    filters.apply(table, FilterSpec(region=("Kidal",), actor=("azawad",), type=(BATTLES,)))
    filters.apply(table, FilterSpec(min_deaths=5, q="x", place=("Gao",)))
    pd.testing.assert_frame_equal(table, before)


def test_one_per_event_drops_linked_duplicates(table) -> None:
    linked = table.assign(duplicate_of=pd.Series(pd.NA, index=table.index, dtype="str"))
    linked.loc[linked["event_id"] == "S13", "duplicate_of"] = "S02"
    linked.loc[linked["event_id"] == "S09", "duplicate_of"] = "S01"
    assert ids_of(linked, FilterSpec(once=True)) == ALL - {"S13", "S09"}
    assert ids_of(linked, FilterSpec()) == ALL


def test_empty_table_gives_empty_selection(table) -> None:
    empty = table.iloc[0:0]
    assert filters.apply(empty, FilterSpec(place=("Kidal",), min_deaths=1, q="gao")).empty


def test_sub_type_alone_selects_only_that_sub_type(table) -> None:
    assert ids_of(table, FilterSpec(subtype=("Attack",))) == {"S02", "S12", "S13"}


def test_multi_day_event_overlapping_the_start_counts() -> None:
    row = event_row("M1", "ucdp", "2021-12-30", P_GAO, end_date="2022-01-02", event_type=BATTLES,
               sub_event_type="Armed clash", actor1=JNIM, actor2=MALI)  # fmt: skip
    frame = build_events([row])
    assert ids_of(frame, FilterSpec(start=D(2022, 1, 1), end=D(2022, 1, 31))) == {"M1"}


# --- describe() --------------------------------------------------------------------------------


def describe_on(table: pd.DataFrame, spec: FilterSpec) -> str:
    selected = filters.apply(table, spec)
    figures = kpis(selected)
    return filters.describe(spec, figures.events, figures.deaths)


def test_describe_the_journalists_question(table) -> None:
    spec = FilterSpec(
        type=(VAC,),
        actor=("wagner",),
        place=("Gao", "Kidal"),
        start=D(2022, 1, 1),
        end=D(2024, 12, 31),
    )
    # S02 (7 deaths) and S11 (unknown): 2 events, 7 reported deaths
    assert describe_on(table, spec) == (
        "Violence against civilians involving Wagner / Africa Corps in Gao and Kidal, "
        "Jan 2022 - Dec 2024: 2 events, 7 reported deaths"
    )


@pytest.mark.parametrize(
    ("spec", "n", "deaths", "expected"),
    [
        (FilterSpec(), 13, 243, "All events: 13 events, 243 reported deaths"),
        (FilterSpec(), 1, 0, "All events: 1 event, 0 reported deaths"),
        (FilterSpec(), 0, 0, "All events: 0 events, 0 reported deaths"),
        (FilterSpec(), 12345, 1234567, "All events: 12,345 events, 1,234,567 reported deaths"),
        (
            FilterSpec(civilians=True),
            4,
            167,
            "All events targeting civilians: 4 events, 167 reported deaths",
        ),
        (
            FilterSpec(type=(BATTLES, EXPLOSIONS, "Riots")),
            7,
            76,
            "Battles, Explosions/Remote violence and Riots: 7 events, 76 reported deaths",
        ),
        (
            FilterSpec(type=(VAC,), subtype=("Attack", "Abduction/forced disappearance")),
            4,
            167,
            "Attack and Abduction/forced disappearance: 4 events, 167 reported deaths",
        ),
        (
            FilterSpec(actor=("jnim", "is_sahel"), actor_name="Katiba Macina"),
            3,
            54,
            "All events involving JNIM and its katibas or Islamic State Sahel and an actor named "
            '"Katiba Macina": 3 events, 54 reported deaths',
        ),
        (FilterSpec(region=("Kidal",)), 4, 21, "All events in Kidal region: 4 events, 21 reported deaths"),
        (
            FilterSpec(place=("Ségou", ELSEWHERE)),
            5,
            200,
            "All events in Ségou and elsewhere in Mali: 5 events, 200 reported deaths",
        ),
        (
            FilterSpec(q="airport", min_deaths=10, dataset=("acled", "ucdp")),
            0,
            0,
            'All events mentioning "airport" with at least 10 reported deaths from acled and ucdp: '
            "0 events, 0 reported deaths",
        ),
        (
            FilterSpec(start=D(2022, 1, 1)),
            11,
            74,
            "All events, Jan 2022 - the latest event: 11 events, 74 reported deaths",
        ),
        (
            FilterSpec(end=D(2013, 12, 31)),
            0,
            0,
            "All events, the start - Dec 2013: 0 events, 0 reported deaths",
        ),
        (
            FilterSpec(once=True),
            12,
            200,
            "All events: 12 events (each real event once: imported copies of curated events not counted "
            "again), 200 reported deaths",
        ),
    ],
)
def test_describe_text(spec: FilterSpec, n: int, deaths: int, expected: str) -> None:
    assert filters.describe(spec, n, deaths) == expected


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (FilterSpec(start=D(2022, 1, 1)), "All events, Jan 2022 - Jan 2025: 11 events, 74 reported deaths"),
        (FilterSpec(end=D(2024, 12, 31)), "All events, Mar 2019 - Dec 2024: 11 events, 74 reported deaths"),
        (FilterSpec(), "All events: 11 events, 74 reported deaths"),  # no period asked, none named
    ],
)
def test_describe_names_open_ends_from_the_data(spec: FilterSpec, expected: str) -> None:
    assert filters.describe(spec, 11, 74, data_range=(D(2019, 3, 23), D(2025, 1, 1))) == expected


def test_describe_keeps_a_period_that_does_not_start_on_the_first() -> None:
    text = filters.describe(FilterSpec(start=D(2021, 12, 14), end=D(2024, 7, 15)), 5, 10)
    assert "14 Dec 2021" in text and "15 Jul 2024" in text


def test_describe_elsewhere_alone_reads_well() -> None:
    text = filters.describe(FilterSpec(place=(ELSEWHERE,)), 4, 200)
    assert "elsewhere in Mali" in text and "in elsewhere" not in text


def test_describe_keeps_types_that_sub_types_do_not_narrow() -> None:
    text = filters.describe(FilterSpec(type=(BATTLES, VAC), subtype=("Attack",)), 7, 221)
    assert "Battles" in text and "Attack" in text


def test_describe_tells_place_from_region() -> None:
    either = filters.describe(FilterSpec(place=("Gao", "Kidal")), 0, 0)
    both = filters.describe(FilterSpec(place=("Gao",), region=("Kidal",)), 0, 0)
    assert either != both


# --- file_stem() -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "stem"),
    [
        (FilterSpec(), "sahelmap"),
        (
            FilterSpec(actor=("wagner",), place=("Gao",), start=D(2022, 1, 1), end=D(2024, 12, 31)),
            "sahelmap_wagner_gao_2022-01_2024-12",
        ),
        (
            FilterSpec(type=(VAC,), actor=("wagner", "mali_state"), place=("Gao", "Kidal")),
            "sahelmap_wagner_mali_state_violence-against-civilians_gao_kidal",
        ),
        (
            FilterSpec(type=(EXPLOSIONS,), subtype=("Air/drone strike",)),
            "sahelmap_air-drone-strike",
        ),
        (
            FilterSpec(place=("Ségou", ELSEWHERE), region=("Tombouctou",)),
            "sahelmap_segou_elsewhere_tombouctou",
        ),
        (FilterSpec(civilians=True, start=D(2022, 3, 14)), "sahelmap_civilians_2022-03_latest"),
        (FilterSpec(end=D(2013, 12, 31)), "sahelmap_start_2013-12"),
        # what the stem leaves out: text searches, deaths, datasets
        (FilterSpec(q="Moura", min_deaths=5, dataset=("acled",)), "sahelmap"),
    ],
)
def test_file_stem(spec: FilterSpec, stem: str) -> None:
    assert filters.file_stem(spec) == stem


def test_file_stem_is_bounded_and_safe() -> None:
    spec = FilterSpec(
        actor=tuple(schema.ACTOR_GROUPS),
        subtype=schema.SUB_EVENT_TYPES,
        region=("../../etc/passwd", "C:\\Windows", "a b/c"),
    )
    stem = filters.file_stem(spec)
    assert len(stem) <= 120 and stem.startswith("sahelmap_wagner")
    assert re.fullmatch(r"[a-z0-9_\-]+", stem)


# --- query strings -----------------------------------------------------------------------------

ROUND_TRIP_SPECS = [
    FilterSpec(),
    FilterSpec(start=D(2022, 1, 1), end=D(2024, 12, 31)),
    FilterSpec(start=D(2022, 1, 14)),
    FilterSpec(end=D(2024, 2, 29)),
    FilterSpec(actor=("wagner",)),
    FilterSpec(actor=tuple(schema.ACTOR_GROUPS)),
    FilterSpec(actor_name="Katiba Macina"),
    FilterSpec(type=tuple(schema.EVENT_TYPES)),
    FilterSpec(type=(EXPLOSIONS,), subtype=("Shelling/artillery/missile attack", "Air/drone strike")),
    FilterSpec(subtype=schema.SUB_EVENT_TYPES),
    FilterSpec(place=schema.FOCUS_PLACES),
    FilterSpec(place=(ELSEWHERE, "Ségou")),
    FilterSpec(region=("Kidal", "Tombouctou")),
    FilterSpec(min_deaths=1),
    FilterSpec(min_deaths=999_999),
    FilterSpec(civilians=True),
    FilterSpec(q="Moura"),
    FilterSpec(q='l\'aéroport & "camp" <b>?x=1#y</b> 100%'),
    FilterSpec(q="x" * MAX_TEXT_LENGTH),
    FilterSpec(dataset=("acled", "ucdp")),
    FilterSpec(once=True),
    FilterSpec(
        start=D(2021, 12, 14),
        end=D(2023, 6, 30),
        actor=("wagner", "mali_state"),
        actor_name="Russia",
        type=(BATTLES, VAC),
        subtype=("Attack",),
        place=("Gao", "Kidal", "Timbuktu", ELSEWHERE),
        region=("Gao", "Menaka"),
        min_deaths=10,
        civilians=True,
        q="market",
        dataset=("curated",),
        once=True,
    ),
]


@pytest.mark.parametrize("spec", ROUND_TRIP_SPECS, ids=lambda s: "&".join(to_query(s)) or "default")
def test_query_round_trip(spec: FilterSpec) -> None:
    query = to_query(spec)
    assert all(isinstance(v, str) for v in query.values())
    back, notices = parse_query(query)
    assert notices == []
    assert back == spec
    # the app checks regions and datasets against those present: the round trip holds there too
    known = {"region": ["Gao", "Kidal", "Menaka", "Tombouctou"], "dataset": ["acled", "curated", "ucdp"]}
    assert parse_query(query, choices_from(known), strict=True) == (spec, [])


def test_to_query_leaves_defaults_out_and_uses_slugs() -> None:
    assert to_query(FilterSpec()) == {}
    assert to_query(
        FilterSpec(
            start=D(2022, 1, 1),
            type=(EXPLOSIONS,),
            subtype=("Remote explosive/landmine/IED",),
            place=("Ségou", ELSEWHERE),
            actor=("mali_state",),
            civilians=True,
            once=False,
        )
    ) == {
        "from": "2022-01-01",
        "type": "explosions-remote-violence",
        "subtype": "remote-explosive-landmine-ied",
        "place": "segou,elsewhere",
        "actor": "mali_state",
        "civilians": "1",
    }


@pytest.mark.parametrize("spec", [FilterSpec(q="Tessit, Gao"), FilterSpec(actor_name="Ansar Dine, AQIM")])
def test_query_round_trip_of_text_with_a_comma(spec: FilterSpec) -> None:
    assert parse_query(to_query(spec))[0] == spec


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"from": "2022-01", "to": "2024-12"}, FilterSpec(start=D(2022, 1, 1), end=D(2024, 12, 31))),
        ({"to": "2024-02"}, FilterSpec(end=D(2024, 2, 29))),  # leap year
        ({"to": "2023-02"}, FilterSpec(end=D(2023, 2, 28))),
        ({"from": "2022-01-14"}, FilterSpec(start=D(2022, 1, 14))),
        ({"from": " 2022-01 "}, FilterSpec(start=D(2022, 1, 1))),
        ({"type": "BATTLES"}, FilterSpec(type=(BATTLES,))),
        ({"type": "Violence against civilians"}, FilterSpec(type=(VAC,))),
        ({"type": "battles,riots,battles"}, FilterSpec(type=(BATTLES, "Riots"))),
        ({"type": ["battles", "riots"]}, FilterSpec(type=(BATTLES, "Riots"))),
        ({"type": ["battles,protests", "riots"]}, FilterSpec(type=(BATTLES, "Protests", "Riots"))),
        ({"actor": "Wagner / Africa Corps"}, FilterSpec(actor=("wagner",))),
        ({"actor": "mali-state,JNIM"}, FilterSpec(actor=("mali_state", "jnim"))),
        ({"place": "Segou,ségou,ELSEWHERE"}, FilterSpec(place=("Ségou", ELSEWHERE))),
        ({"subtype": "Air/drone strike"}, FilterSpec(subtype=("Air/drone strike",))),
        ({"min_deaths": "007"}, FilterSpec(min_deaths=7)),
        ({"civilians": "true", "once": "0"}, FilterSpec(civilians=True)),
        ({"q": "  Moura  "}, FilterSpec(q="Moura")),
        (
            {"region": "Kidal", "dataset": "my-upload"},
            FilterSpec(region=("Kidal",), dataset=("my-upload",)),
        ),
        ({"type": "", "q": ""}, FilterSpec()),  # empty values are no filter, and no notice
    ],
)
def test_parse_query_values(params: dict, expected: FilterSpec) -> None:
    assert parse_query(params) == (expected, [])


def test_known_regions_and_datasets_are_matched_by_slug() -> None:
    known = {"region": ["Kidal", "Tombouctou"], "dataset": ["acled_2023", "curated"]}
    spec, notices = parse_query({"region": "kidal,TOMBOUCTOU", "dataset": "acled-2023"}, choices_from(known))
    assert spec == FilterSpec(region=("Kidal", "Tombouctou"), dataset=("acled_2023",)) and notices == []


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"type": "war"}, "type"),
        ({"subtype": "massacre"}, "subtype"),
        ({"actor": "nato"}, "actor"),
        ({"place": "paris"}, "place"),
        ({"from": "2022-13"}, "from"),
        ({"from": "yesterday"}, "from"),
        ({"to": "2022-02-30"}, "to"),
        ({"from": ["2022-01", "2023-01"]}, "from"),
        ({"min_deaths": "-1"}, "min_deaths"),
        ({"min_deaths": "1.5"}, "min_deaths"),
        ({"min_deaths": "1000000"}, "min_deaths"),
        ({"min_deaths": "many"}, "min_deaths"),
        ({"civilians": "yes"}, "civilians"),
        ({"once": "2"}, "once"),
        ({"region": "Atlantis"}, "region"),
        ({"dataset": "nope"}, "dataset"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_parameter(params: dict, name: str) -> None:
    known = {"region": ["Gao", "Kidal"], "dataset": ["acled", "curated"]}
    # strict (the CLI): QueryError naming the parameter
    with pytest.raises(QueryError, match=f"parameter '{name}'"):
        parse_query(params, choices_from(known), strict=True)
    # lenient (the URL): the default for that filter, a notice naming it, and the other filters kept
    spec, notices = parse_query(
        {**params, "place": "gao"} if name != "place" else params, choices_from(known)
    )
    assert len(notices) == 1 and f"'{name}'" in notices[0], notices
    expected = FilterSpec(place=("Gao",)) if name != "place" else FilterSpec()
    assert spec == expected


def test_period_in_the_wrong_order() -> None:
    params = {"from": "2024-01", "to": "2022-12", "type": "riots"}
    with pytest.raises(QueryError, match="'from' is after 'to'"):
        parse_query(params, strict=True)
    spec, notices = parse_query(params)
    assert spec == FilterSpec(type=("Riots",))
    assert len(notices) == 1 and "period" in notices[0]


@pytest.mark.parametrize(("key", "field"), [("q", "q"), ("actor_name", "actor_name")])
def test_long_text_is_cut_with_a_notice(key: str, field: str) -> None:
    spec, notices = parse_query({key: "é" * (MAX_TEXT_LENGTH + 50)})
    assert getattr(spec, field) == "é" * MAX_TEXT_LENGTH
    assert len(notices) == 1 and f"'{key}'" in notices[0] and str(MAX_TEXT_LENGTH) in notices[0]
    spec, notices = parse_query({key: "é" * MAX_TEXT_LENGTH})
    assert getattr(spec, field) == "é" * MAX_TEXT_LENGTH and notices == []


def test_notices_do_not_echo_huge_input() -> None:
    _, notices = parse_query({"type": "x" * 100_000, "k" * 10_000: "1"})
    assert len(notices) == 2
    assert all(len(n) < 400 for n in notices)


# --- property: any query string is survivable ----------------------------------------------------

_JUNK = ["", ",", " , ", "%00", "\x00", "<script>", "2022-13", "0000-01", "9999-12", "-1", "1e3", "１２"]
_VOCABULARY: dict[str, list[str]] = {
    "from": ["2022-01", "2022-01-14", "2025-01-01", "2019-02-29"],
    "to": ["2024-12", "2021-12-31", "2012-01", "2024-02"],
    "actor": [*schema.ACTOR_GROUPS, *schema.ACTOR_GROUPS.values()],
    "actor_name": ["wagner", "(Sahel)", ".", "Mali"],
    "type": [*map(filters.slug, schema.EVENT_TYPES), *schema.EVENT_TYPES],
    "subtype": [*map(filters.slug, schema.SUB_EVENT_TYPES), *schema.SUB_EVENT_TYPES],
    "place": [*map(filters.slug, schema.FOCUS_PLACES), *schema.FOCUS_PLACES, ELSEWHERE],
    "region": ["Gao", "Kidal", "Mopti", "Segou", "Atlantis"],
    "focus_region": ["segou", "Ségou", "tinzaouaten", "timbuktu", "tombouctou", "menaka", "Atlantis"],
    "min_deaths": ["0", "1", "7", "21", "158", "999999"],
    "civilians": ["1", "0", "true", "false"],
    "q": ["gao", "russian", "Ménaka", "x" * (MAX_TEXT_LENGTH + 1)],
    "dataset": ["acled", "ucdp", "curated", "mine"],
    "once": ["1", "0"],
    "precision": ["1", "2", "3", "town"],
}
_text = st.text(max_size=300)


def _values_for(key: str) -> st.SearchStrategy:
    one = st.one_of(st.sampled_from(_VOCABULARY[key]), st.sampled_from(_JUNK), _text)
    return st.one_of(one, st.lists(one, max_size=4), st.lists(one, max_size=4).map(",".join))


# Every filter key, each present or not, with plausible values, mixed with keys and values of any text.
_filter_params = st.fixed_dictionaries({}, optional={k: _values_for(k) for k in filters.BY_KEY})
_any_params = st.dictionaries(
    st.one_of(st.sampled_from(list(filters.BY_KEY)), st.text(max_size=30)),
    st.one_of(_text, st.lists(_text, max_size=4)),
    max_size=6,
)
_params = st.tuples(_any_params, _filter_params).map(lambda pair: {**pair[0], **pair[1]})
_known = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "region": st.lists(st.sampled_from(["Gao", "Kidal", "Mopti"]) | st.text(max_size=12), max_size=3),
            "dataset": st.lists(st.sampled_from(["acled", "curated"]) | st.text(max_size=12), max_size=3),
        }
    ),
)
_FAST = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FAST
@given(params=_params, known=_known)
def test_any_query_parses_to_a_bounded_spec(params: dict, known: dict | None) -> None:
    spec, notices = parse_query(params, choices_from(known))
    assert isinstance(spec, FilterSpec)
    assert isinstance(notices, list) and all(isinstance(n, str) and len(n) < 400 for n in notices)
    assert len(spec.q) <= MAX_TEXT_LENGTH and len(spec.actor_name) <= MAX_TEXT_LENGTH
    assert set(spec.type) <= set(schema.EVENT_TYPES)
    assert set(spec.subtype) <= set(schema.SUB_EVENT_TYPES)
    assert set(spec.actor) <= set(schema.ACTOR_GROUPS)
    assert set(spec.place) <= {*schema.FOCUS_PLACES, ELSEWHERE}
    if known and known["region"]:
        assert set(spec.region) <= set(known["region"])
    assert 0 <= spec.min_deaths <= 999_999
    assert not (spec.start and spec.end and spec.start > spec.end)
    assert len(notices) >= sum(k not in filters.BY_KEY for k in params)

    filters.describe(spec, 3, 0)
    stem = filters.file_stem(spec)
    assert len(stem) <= 120 and re.fullmatch(r"[a-z0-9_\-]*", stem)
    assert all(isinstance(v, str) for v in to_query(spec).values())

    # strict mode (the CLI) either agrees or raises QueryError, never anything else
    try:
        strict_spec, _ = parse_query(params, choices_from(known), strict=True)
    except QueryError:
        return
    assert strict_spec == spec


@_FAST
@example(params={"place": ELSEWHERE}, known=None)
@given(params=_params, known=_known)
def test_any_parsed_spec_filters_the_table_without_error(params: dict, known: dict | None) -> None:
    table = shared_events()
    spec, _ = parse_query(params, choices_from(known))
    keep = filters.mask(table, spec)
    assert keep.shape == (len(table),)
    assert set(filters.apply(table, spec).index) <= set(table.index)


@_FAST
@given(params=_params, known=_known)
def test_any_parsed_spec_without_elsewhere_filters_the_table(params: dict, known: dict | None) -> None:
    """The same property, minus the known crash above, so the rest stays covered until it is fixed."""
    table = shared_events()
    spec, _ = parse_query(params, choices_from(known))
    assume(ELSEWHERE not in spec.place)
    selected = filters.apply(table, spec)
    assert set(selected.index) <= set(table.index)
    # each filter that is set can only narrow: dropping it keeps at least the same events
    assert ids(selected) <= ids_of(table, spec.replace(min_deaths=0))


@pytest.mark.parametrize(
    ("value", "place"),
    [
        ("tombouctou", "Timbuktu"),
        ("Timbuktu", "Timbuktu"),
        ("segou", "Ségou"),
        ("Ségou", "Ségou"),
        ("tin-zaouaten", "Tinzaouaten"),
        ("Ti-n-Zaouâtene", "Tinzaouaten"),
    ],
)
def test_place_accepts_the_usual_spellings(value: str, place: str) -> None:
    spec, notices = filters.parse_query({"place": value})
    assert spec.place == (place,) and notices == []


# --- the region of a focus place, by the polygons ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "region"),
    [
        ("segou", "Segou"),
        ("Ségou", "Segou"),
        ("tinzaouaten", "Kidal"),
        ("timbuktu", "Tombouctou"),
        ("tombouctou", "Tombouctou"),
        ("bamako", "Bamako"),
        ("menaka", "Menaka"),
        ("mopti", "Mopti"),
    ],
)
def test_focus_region_in_a_link_names_the_polygon(value: str, region: str) -> None:
    spec, notices = filters.parse_query({"focus_region": value})
    assert notices == [] and spec.focus_region == (region,)


def test_focus_region_words_url_and_file_name() -> None:
    spec = FilterSpec(focus_region=("Segou",))
    assert "in the Ségou region:" in filters.describe(spec, 3, 4)
    assert filters.to_query(spec) == {"focus_region": "segou"}
    assert filters.file_stem(spec) == "sahelmap_segou-region"
    assert filters.parse_query(filters.to_query(spec))[0] == spec
    assert "in the Ségou and Timbuktu regions" in filters.describe(
        FilterSpec(focus_region=("Segou", "Tombouctou")), 1, 0
    )


def test_unknown_focus_region_is_named_in_a_notice() -> None:
    spec, notices = filters.parse_query({"focus_region": "atlantis"})
    assert spec.focus_region == () and "unknown region 'atlantis'" in notices[0]
    with pytest.raises(filters.QueryError):
        filters.parse_query({"focus_region": "atlantis"}, strict=True)


# --- counting each real event once: on by default whenever linked copies are loaded (issue 9, item 6) ---

LINKED = filters.Choices(D(2020, 1, 1), D(2024, 12, 31), datasets=("acled", "curated"), has_links=True)
UNLINKED = filters.Choices(D(2020, 1, 1), D(2024, 12, 31), datasets=("curated",))


def test_once_starts_on_when_linked_copies_are_loaded_and_off_otherwise() -> None:
    assert filters.initial(LINKED) == FilterSpec(once=True)
    assert filters.initial(UNLINKED) == FilterSpec()
    assert parse_query({}, LINKED) == (FilterSpec(once=True), [])
    assert parse_query({}, UNLINKED) == (FilterSpec(), [])


def test_once_0_in_a_link_shows_every_copy_and_the_link_round_trips() -> None:
    spec, notices = parse_query({"once": "0"}, LINKED)
    assert spec == FilterSpec() and notices == []
    assert to_query(spec, LINKED) == {"once": "0"}  # the start is on for this data: off is said
    assert to_query(FilterSpec(once=True), LINKED) == {}  # on is where the page starts: not written
    assert to_query(FilterSpec(once=True), UNLINKED) == {"once": "1"}
    assert to_query(FilterSpec(), UNLINKED) == {}
    for spec in (FilterSpec(), FilterSpec(once=True), FilterSpec(once=True, civilians=True)):
        for choices in (LINKED, UNLINKED):
            assert parse_query(to_query(spec, choices), choices) == (spec, [])


def test_the_description_says_how_events_were_counted() -> None:
    assert filters.describe(FilterSpec(once=True), 130, 769, choices=LINKED) == (
        "All events: 130 events (each real event once: imported copies of curated events not counted again), "
        "769 reported deaths"
    )
    assert filters.describe(FilterSpec(), 137, 1210, choices=LINKED) == (
        "All events: 137 events (every copy counted: an event in two datasets counts twice), "
        "1,210 reported deaths"
    )
    # with no linked copies loaded there is nothing to say
    assert (
        filters.describe(FilterSpec(), 12, 200, choices=UNLINKED)
        == "All events: 12 events, 200 reported deaths"
    )


def test_counting_once_leaves_out_a_copy_only_when_the_event_it_copies_is_counted() -> None:
    table = shared_events().copy()
    table[schema.DUPLICATE_OF] = pd.Series(pd.NA, index=table.index, dtype="str")
    table.loc[table["event_id"] == "S04", schema.DUPLICATE_OF] = "S01"  # an acled copy of a curated event
    everything = ids_of(table, FilterSpec(once=True))
    assert "S04" not in everything and "S01" in everything  # both shown: the copy is not counted again
    imported_only = ids_of(table, FilterSpec(once=True, dataset=("acled",)))
    assert "S04" in imported_only  # its curated original is not in this view, so the copy counts
    assert imported_only == ids_of(table, FilterSpec(dataset=("acled",)))


def test_counting_once_keeps_a_copy_whose_original_a_filter_left_out() -> None:
    table = shared_events().copy()
    table[schema.DUPLICATE_OF] = pd.Series(pd.NA, index=table.index, dtype="str")
    table.loc[table["event_id"] == "S05", schema.DUPLICATE_OF] = "S01"
    # S01 is a battle at Gao in 2021; a view of 2022 alone leaves it out, so its copy S05 counts there
    assert "S05" in ids_of(table, FilterSpec(once=True, start=D(2022, 1, 1)))
    assert "S05" not in ids_of(table, FilterSpec(once=True))
