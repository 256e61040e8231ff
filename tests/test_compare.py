"""Comparing two periods: arithmetic on small frames, the summary sentence, the link, CSV/JSON and the CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
from urllib.parse import urlencode

import pandas as pd
import pytest

from sahelmap import compare, filters, i18n
from sahelmap.compare import Period, Request
from sahelmap.errors import QueryError
from sahelmap.events import load_events
from sahelmap.filters import FilterSpec
from tests.factories import (
    BATTLES,
    CIVILIANS,
    JNIM,
    P_GAO,
    P_KIDAL,
    VAC,
    WAGNER,
    build_events,
    event_row,
    milestone,
    run_cli,
    shared_events,
)

D = dt.date
Y2020 = Period(D(2020, 1, 1), D(2020, 12, 31))
Y2021 = Period(D(2021, 1, 1), D(2021, 12, 31))
Y2022 = Period(D(2022, 1, 1), D(2022, 12, 31))
DEC_2021 = Period(D(2021, 12, 1), D(2021, 12, 31))
NOTHING = {"events": 0, "deaths": 0, "civilian_events": 0, "civilian_deaths": 0}


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return shared_events()


def fig(events: int, deaths: int, civilian_events: int, civilian_deaths: int) -> dict[str, int]:
    return dict(zip(compare.MEASURES, (events, deaths, civilian_events, civilian_deaths), strict=True))


# The shared fixture (tests/factories.py ROWS): S01 31 Dec 2021 battle, 12 deaths (curated); in 2022 S02 VAC
# 7 (curated), S03 2 (curated), S04 0 (acled), S05 40 (acled), S06 unknown toll (curated).
CASES = [
    (
        "years",
        FilterSpec(),
        Y2021,
        Y2022,
        fig(1, 12, 0, 0),
        fig(5, 49, 1, 7),
        ["curated"],
        ["acled", "curated"],
    ),
    ("empty A", FilterSpec(), Y2020, Y2021, NOTHING, fig(1, 12, 0, 0), [], ["curated"]),
    ("both empty", FilterSpec(), Y2020, Y2020, NOTHING, NOTHING, [], []),
    (
        "unequal",
        FilterSpec(),
        DEC_2021,
        Y2022,
        fig(1, 12, 0, 0),
        fig(5, 49, 1, 7),
        ["curated"],
        ["acled", "curated"],
    ),
    (
        "civilians only",
        FilterSpec(civilians=True),
        Y2022,
        Period(D(2024, 1, 1), D(2025, 12, 31)),
        fig(1, 7, 1, 7),
        fig(2, 3, 2, 3),  # S11 (unknown toll) and S12 (3)
        ["curated"],
        ["curated"],
    ),
    (
        "one dataset",
        FilterSpec(dataset=("acled",)),
        Y2021,
        Y2022,
        NOTHING,
        fig(2, 40, 0, 0),
        [],
        ["acled"],
    ),
    (
        # S10 runs 27-28 Jul 2024: it overlaps both periods and counts in both
        "event spanning both",
        FilterSpec(),
        Period(D(2024, 7, 1), D(2024, 7, 27)),
        Period(D(2024, 7, 28), D(2024, 8, 31)),
        fig(1, 0, 0, 0),
        fig(1, 0, 0, 0),
        ["curated"],
        ["curated"],
    ),
]


@pytest.mark.parametrize(
    ("spec", "a", "b", "want_a", "want_b", "datasets_a", "datasets_b"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_comparison_arithmetic(table, spec, a, b, want_a, want_b, datasets_a, datasets_b) -> None:
    result = compare.compare(table, Request(spec, a, b))
    assert result.a == want_a and result.b == want_b
    assert result.datasets == sorted(set(datasets_a) | set(datasets_b))
    assert len(result.attributions) == len(result.datasets)
    assert result.unequal == (a.days != b.days)
    overall = result.table().iloc[0]
    for m in compare.MEASURES:
        assert overall[f"{m}_change"] == want_b[m] - want_a[m]
        pct = overall[f"{m}_pct"]
        if want_a[m] == 0:
            assert pct is None or pd.isna(pct)
        else:
            assert pct == round((want_b[m] - want_a[m]) / want_a[m] * 100, 1)


def test_per_month_rates_only_when_lengths_differ(table) -> None:
    unequal = compare.compare(table, Request(FilterSpec(), DEC_2021, Y2022))
    row = unequal.table().iloc[0]
    assert row["events_per_month_a"] == round(1 / (31 / compare.DAYS_PER_MONTH), 2)
    assert row["events_per_month_b"] == round(5 / 12, 2)
    assert "differ in length (31 and 365 days)" in unequal.summary()
    equal = compare.compare(table, Request(FilterSpec(), Y2021, Y2022))
    assert "events_per_month_a" not in equal.table().columns
    assert "differ in length" not in equal.summary()


@pytest.mark.parametrize(
    ("by", "group", "want_a", "want_b"),
    [
        # 2021: S01 (Malian forces, Wagner, JNIM); 2022: S02 Wagner, S03 JNIM + Mali, S05 JNIM + IS Sahel
        ("actor-group", "Wagner / Africa Corps", 1, 1),
        ("actor-group", "JNIM and its katibas", 1, 2),
        ("actor-group", "Islamic State Sahel", 0, 1),
        ("type", BATTLES, 1, 2),
        ("type", VAC, 0, 1),
        ("place", "Gao", 1, 1),  # S01 at Gao, S02 at Kadji (3 km away)
        ("place", "Elsewhere in Mali", 0, 2),  # S03 Hombori, S05 Ménaka
        ("region", "Gao", 1, 1),
    ],
)
def test_breakdown_rows(table, by, group, want_a, want_b) -> None:
    result = compare.compare(table, Request(FilterSpec(), Y2021, Y2022, by))
    row = result.rows.set_index("group").loc[group]
    assert (row["events_a"], row["events_b"]) == (want_a, want_b)
    assert row["events_change"] == want_b - want_a


def test_breakdown_by_type_adds_up_to_the_whole(table) -> None:
    result = compare.compare(table, Request(FilterSpec(), Y2021, Y2022, "type"))
    for m in compare.MEASURES:
        assert result.rows[f"{m}_a"].sum() == result.a[m]
        assert result.rows[f"{m}_b"].sum() == result.b[m]


SUMMARY_NUMBERS = re.compile(
    r": (?P<eb>[\d,]+) in (?P<lb>.+?) against (?P<ea>[\d,]+) in (?P<la>.+?) \((?P<pct>[^)]+)\)\. "
    r"Reported deaths: (?P<db>[\d,]+) against (?P<da>[\d,]+) .*?"
    r"targeting civilians: (?P<cb>[\d,]+) against (?P<ca>[\d,]+), "
    r"with (?P<cdb>[\d,]+) against (?P<cda>[\d,]+)"
)


@pytest.mark.parametrize(("spec", "a", "b"), [c[1:4] for c in CASES], ids=[c[0] for c in CASES])
def test_summary_agrees_with_the_numbers(table, spec, a, b) -> None:
    result = compare.compare(table, Request(spec, a, b))
    text = result.summary()
    found = SUMMARY_NUMBERS.search(text)
    assert found, text
    n = {k: int(v.replace(",", "")) for k, v in found.groupdict().items() if k not in ("la", "lb", "pct")}
    assert (n["ea"], n["eb"], n["da"], n["db"]) == (
        result.a["events"],
        result.b["events"],
        result.a["deaths"],
        result.b["deaths"],
    )
    assert (n["ca"], n["cb"], n["cda"], n["cdb"]) == (
        result.a["civilian_events"],
        result.b["civilian_events"],
        result.a["civilian_deaths"],
        result.b["civilian_deaths"],
    )
    assert (found["la"], found["lb"]) == (a.label, b.label)
    assert found["pct"] == compare.pct_text(compare.change(n["ea"], n["eb"]), n["eb"])
    assert text.startswith(filters.describe_selection(spec))
    assert ("Datasets: " + ", ".join(result.datasets)) in text or not result.datasets


def test_summary_names_the_filter_and_the_datasets(table) -> None:
    spec = FilterSpec(type=(VAC,), actor=("wagner", "mali_state"))
    text = compare.compare(table, Request(spec, Y2021, Y2022)).summary()
    assert text.startswith(
        "Violence against civilians involving Wagner / Africa Corps or Malian armed forces"
    )
    assert "1 in 2022 against 0 in 2021 (new)" in text
    assert text.endswith("Datasets: curated.")


@pytest.mark.parametrize(
    ("text", "period", "label"),
    [
        ("2021-01-01..2021-12-31", Y2021, "2021"),
        ("2021", Y2021, "2021"),
        ("2022-07..2022-09", Period(D(2022, 7, 1), D(2022, 9, 30)), "Q3 2022"),
        ("2021-12-01..2021-12-31", DEC_2021, "Dec 2021"),
        ("2021-01..2021-06", Period(D(2021, 1, 1), D(2021, 6, 30)), "Jan 2021 - Jun 2021"),
        ("2022-08-15..2023-08-14", Period(D(2022, 8, 15), D(2023, 8, 14)), "15 Aug 2022 - 14 Aug 2023"),
    ],
)
def test_periods_parse_and_label(text, period, label) -> None:
    assert compare.parse_period(text) == period
    assert period.label == label
    assert compare.parse_period(period.text()) == period


@pytest.mark.parametrize(
    "text", ["2021-12-31..2021-01-01", "2021-01-01", "last year", "2021-13..2022-01", ""]
)
def test_bad_periods_are_refused(text) -> None:
    with pytest.raises(QueryError):
        compare.parse_period(text)


def test_presets_around_milestones_quarters_and_years() -> None:
    marks = (milestone("2023-11-14", "Army and Wagner take Kidal"), milestone("2010-01-01", "Too early"))
    presets = compare.presets(filters.Choices(D(2015, 1, 1), D(2024, 12, 31)), marks)
    assert presets["Consecutive years: 2023 and 2024"] == (
        Period(D(2023, 1, 1), D(2023, 12, 31)),
        Period(D(2024, 1, 1), D(2024, 12, 31)),
    )
    assert presets["Consecutive quarters: Q3 2024 and Q4 2024"][1] == Period(D(2024, 10, 1), D(2024, 12, 31))
    key = "12 months before and after: Army and Wagner take Kidal (14 Nov 2023)"
    assert presets[key] == (
        Period(D(2022, 11, 14), D(2023, 11, 13)),
        Period(D(2023, 11, 14), D(2024, 11, 13)),
    )
    assert presets[key.replace("12", "24")][0].start == D(2021, 11, 14)
    assert not any("Too early" in k for k in presets)
    # data ending mid-quarter and mid-year: the last whole ones are offered
    partial = compare.presets(filters.Choices(D(2015, 1, 1), D(2023, 3, 15)), ())
    assert set(partial) == {"Consecutive years: 2021 and 2022", "Consecutive quarters: Q3 2022 and Q4 2022"}


def test_the_link_round_trips() -> None:
    request = Request(FilterSpec(actor=("wagner",), place=("Kidal",)), Y2021, DEC_2021, "place")
    again, notices = compare.request_from_query(urlencode(request.query()), None)
    assert again == request and notices == []


def test_a_link_without_both_periods_asks_for_no_comparison() -> None:
    assert compare.request_from_query("actor=wagner&a=2021", None)[0] is None


def test_the_dashboard_period_in_a_link_is_left_out_with_a_notice() -> None:
    request, notices = compare.request_from_query("from=2020-01&a=2021&b=2022", None)
    assert request is not None and request.spec == FilterSpec()
    assert any("from/to" in n for n in notices)


def test_a_bad_comparison_in_a_link_is_named(table) -> None:
    with pytest.raises(QueryError, match="by"):
        compare.request_from_query("a=2021&b=2022&by=colour", None)
    request, notices = compare.request_from_query("a=2021&b=2022&by=colour", None, strict=False)
    assert request is None and any("by" in n for n in notices)


def test_json_has_a_and_b_with_events_deaths_and_rows(table) -> None:
    result = compare.compare(table, Request(FilterSpec(), Y2021, Y2022, "type"))
    data = json.loads(result.to_json())
    for side, figures in (("a", result.a), ("b", result.b)):
        assert data[side]["events"] == figures["events"]
        assert data[side]["deaths"] == figures["deaths"]
        assert sum(r["events"] for r in data[side]["rows"]) == figures["events"]
    assert data["change"]["events"] == {"absolute": 4, "percent": 400.0}
    assert data["summary"] == result.summary()


def test_csv_holds_the_table_and_its_citation(table) -> None:
    rows = [
        event_row("C1", "curated", "2021-03-01", P_GAO, event_type=VAC, sub_event_type="Attack",
                  actor1="=cmd|' /C calc'!A0", actor2=CIVILIANS, fatalities="4", civilian_targeting="true"),
    ]  # fmt: skip
    result = compare.compare(build_events(rows), Request(FilterSpec(), Y2021, Y2022))
    text = result.to_csv().decode("utf-8-sig")
    body = [line for line in text.splitlines() if not line.startswith("#")]
    frame = pd.read_csv(io.StringIO("\n".join(body)))
    assert frame.iloc[0]["group"] == "All (the whole filter)"
    assert frame.iloc[0]["events_a"] == 1 and frame.iloc[0]["deaths_a"] == 4
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert comments[0] == "# " + result.summary()
    assert comments[1].startswith("# link: ?a=2021-01-01..2021-12-31")
    assert any(line.startswith("# cite: sahelmap curated events") for line in comments)


def test_change_chart_data_orders_by_size_of_change(table) -> None:
    result = compare.compare(table, Request(FilterSpec(), Y2021, Y2022, "type"))
    data = compare.change_chart_data(result)
    assert list(data["change"].abs()) == sorted(data["change"].abs(), reverse=True)
    assert (data["change"] != 0).all()


def test_a_fresh_table_with_both_datasets(table) -> None:
    rows = [
        event_row("K1", "curated", "2023-11-10", P_KIDAL, event_type=BATTLES, sub_event_type="Armed clash",
                  actor1=WAGNER, actor2=JNIM, fatalities="5", civilian_targeting="false"),
        event_row("K2", "acled", "2023-11-20", P_KIDAL, event_type=BATTLES, sub_event_type="Armed clash",
                  actor1=WAGNER, actor2=JNIM, fatalities="", civilian_targeting="false"),
    ]  # fmt: skip
    a, b = compare.months_around(D(2023, 11, 14), 12)
    result = compare.compare(build_events(rows), Request(FilterSpec(place=("Kidal",)), a, b))
    assert result.a == fig(1, 5, 0, 0) and result.b == fig(1, 0, 0, 0)
    assert result.unknown_b == 1 and result.unknown_a == 0
    assert result.datasets == ["acled", "curated"]
    assert "(-100.0%)" in result.summary()


def test_cli_and_the_app_function_give_the_same_numbers_for_the_same_link() -> None:
    link = "type=violence-against-civilians&a=2021-01-01..2021-12-31&b=2022-01-01..2022-12-31&by=type"
    table = load_events(include_stored=True)
    request, _ = compare.request_from_query(link, table.choices)
    assert request is not None
    in_app = compare.compare_table(table, request)
    cli = run_cli("compare", "--query", link, "--format", "json", "-o", "-")
    assert cli.exit_code == 0, cli.output
    data = json.loads(cli.output[: cli.output.rindex("}") + 1])
    assert data == json.loads(in_app.to_json())
    assert (data["a"]["events"], data["b"]["events"]) == (in_app.a["events"], in_app.b["events"])


def test_cli_asks_for_both_periods() -> None:
    result = run_cli("compare", "--a", "2021")
    assert result.exit_code == 2 and "--b" in result.output


# --- in French (issue 14): the words in the current language, the numbers and the CSV/JSON keys the same ---

NBSP = "\u00a0"


def test_the_summary_in_french(table) -> None:
    spec = FilterSpec(type=(VAC,), actor=("wagner",))
    result = compare.compare(table, Request(spec, Y2021, Y2022))
    with i18n.using("fr"):
        assert result.summary() == (
            "Violence contre les civils impliquant Wagner / Africa Corps, en comptant chaque événement qui "
            "chevauche la période : 1 pour 2022 contre 0 pour 2021 (nouveau). Morts signalés : 7 contre 0 "
            "(nouveau) ; les événements sans bilan signalé n'en ajoutent aucun (0 pour 2022, 0 pour 2021). "
            "Parmi eux, événements codés comme visant des civils : 1 contre 0, avec 7 contre 0 morts "
            "signalés. Périodes : A 1 janv. 2021 – 31 déc. 2021, B 1 janv. 2022 – 31 déc. 2022. "
            "Jeux de données : curated."
        )
    # the same comparison, read in English afterwards, is wholly English
    assert result.summary().startswith("Violence against civilians involving Wagner / Africa Corps, counting")


def test_the_per_month_note_in_french(table) -> None:
    result = compare.compare(table, Request(FilterSpec(), DEC_2021, Y2022, "type"))
    with i18n.using("fr"):
        text = result.summary()
    assert text.startswith(
        "Tous les événements, en comptant chaque événement qui chevauche la période : 5 pour 2022 contre 1 "
        f"pour déc. 2021 (+400,0{NBSP}%). Morts signalés : 49 contre 12 (+308,3{NBSP}%) ;"
    )
    assert (
        "Les périodes n'ont pas la même durée (31 et 365 jours) : événements par mois, 0,4 contre 1,0 "
        f"(-57,5{NBSP}%)."
    ) in text
    assert text.endswith("Périodes : A 1 déc. 2021 – 31 déc. 2021, B 1 janv. 2022 – 31 déc. 2022. "
                         "Jeux de données : acled, curated.")  # fmt: skip


def test_the_table_for_the_page_in_french_and_the_csv_unchanged(table) -> None:
    result = compare.compare(table, Request(FilterSpec(), DEC_2021, Y2022, "type"))
    english_csv = result.to_csv()
    with i18n.using("fr"):
        shown = result.table_for_page()
        labels = result.column_labels()
        french_json = json.loads(result.to_json())
        french_csv = result.to_csv()
    assert list(labels.values())[:5] == [
        "Groupe",
        "Événements, A",
        "Événements, B",
        "Événements, variation",
        "Événements, variation (%)",
    ]
    assert labels["events_per_month_a"] == "Événements par mois, A"
    assert (
        labels["civilian_deaths_pct"] == "Morts signalés dans les événements visant des civils, variation (%)"
    )
    assert result.column_labels()["deaths_change"] == "Reported deaths, change"
    assert shown["group"].iloc[0] == "Tout (l'ensemble du filtre)"
    assert set(shown["group"]) >= {"Batailles", "Violence contre les civils"}  # ACLED's French labels
    assert shown.drop(columns="group").equals(result.table().drop(columns="group"))
    # CSV columns, groups and JSON keys stay as they are: tools read them
    assert french_csv.splitlines()[0] == english_csv.splitlines()[0]
    assert set(french_json) == set(json.loads(result.to_json()))
    assert french_json["a"]["rows"] == json.loads(result.to_json())["a"]["rows"]
    assert (french_json["a"]["label"], french_json["b"]["label"]) == ("déc. 2021", "2022")
    with i18n.using("fr"):
        assert english_csv != french_csv and b"# Tous les \xc3\xa9v\xc3\xa9nements, en comptant" in french_csv


@pytest.mark.parametrize(
    ("period", "label"),
    [
        (Y2021, "2021"),
        (Period(D(2022, 7, 1), D(2022, 9, 30)), "T3 2022"),
        (DEC_2021, "déc. 2021"),
        (Period(D(2021, 1, 1), D(2021, 6, 30)), "janv. 2021 – juin 2021"),
        (Period(D(2022, 8, 15), D(2023, 8, 14)), "15 août 2022 – 14 août 2023"),
    ],
)
def test_period_labels_in_french(period: Period, label: str) -> None:
    with i18n.using("fr"):
        assert period.label == label


def test_presets_in_french() -> None:
    marks = (dataclasses.replace(milestone("2023-11-14", "Army and Wagner take Kidal"),
                                 label_fr="L'armée et Wagner prennent Kidal"),)  # fmt: skip
    with i18n.using("fr"):
        presets = compare.presets(filters.Choices(D(2015, 1, 1), D(2024, 12, 31)), marks)
    assert list(presets) == [
        "Années consécutives : 2023 et 2024",
        "Trimestres consécutifs : T3 2024 et T4 2024",
        "12 mois avant et après : L'armée et Wagner prennent Kidal (14 nov. 2023)",
        "24 mois avant et après : L'armée et Wagner prennent Kidal (14 nov. 2023)",
    ]


@pytest.mark.parametrize(
    ("value", "b", "english", "french"),
    [(12.5, 1, "+12.5%", f"+12,5{NBSP}%"), (-100.0, 0, "-100.0%", f"-100,0{NBSP}%"),
     (None, 3, "new", "nouveau"), (None, 0, "no change", "sans changement")],
)  # fmt: skip
def test_changes_in_both_languages(value, b, english: str, french: str) -> None:
    assert compare.pct_text(value, b) == english
    with i18n.using("fr"):
        assert compare.pct_text(value, b) == french


def test_a_bad_comparison_link_in_french() -> None:
    with i18n.using("fr"):
        request, notices = compare.request_from_query(
            "from=2020-01&a=2021&b=2022&by=colour", None, strict=False
        )
    assert request is None
    assert notices == [
        "la période du tableau de bord (from/to) ne s'applique pas à une comparaison : ce sont les périodes "
        "a et b qui comptent",
        "comparaison ignorée : 'by' : 'colour' n'est pas l'une des valeurs possibles (actor-group, place, "
        "region, type)",
    ]


@pytest.mark.parametrize("by", list(compare.BREAKDOWNS))
def test_breakdown_counts_each_group_as_figures_does_on_its_rows(table, by: str) -> None:
    """The breakdown counts on arrays; each group's figures are those of its own rows."""
    got = compare.breakdown(table, by)
    want = {label: compare.figures(table[hit]) for label, hit in compare._group_keys(table, by) if hit.any()}
    assert got == want
    assert list(got) == list(want)  # the groups' order too
    if by != "actor-group":  # one group per event; an event of several actor groups counts in each
        assert sum(g["events"] for g in got.values()) == len(table)
