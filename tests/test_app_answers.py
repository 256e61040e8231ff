"""The page's issue-12 parts run headless (AppTest): exact dates, comparison, methodology (the profile pages:
test_app_profiles.py)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import pytest

from sahelmap import compare, filters, perpetrators
from sahelmap.events import load_events
from sahelmap.filters import FilterSpec
from tests.apptest_helpers import metric, run_app

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]


@pytest.fixture(scope="module")
def events():
    return load_events().events


def date_input(at, label: str):
    found = [d for d in at.date_input if d.label == label]
    assert len(found) == 1, f"expected one date input {label!r}, found {len(found)}"
    return found[0]


def test_exact_dates_set_the_period_the_slider_and_the_url(events) -> None:
    at = run_app()
    date_input(at, "From").set_value(dt.date(2022, 8, 15))
    at.run()
    date_input(at, "To").set_value(dt.date(2023, 11, 14))
    at.run()
    assert not at.exception
    assert at.query_params["from"] in (["2022-08-15"], "2022-08-15")
    assert at.query_params["to"] in (["2023-11-14"], "2023-11-14")
    want = len(filters.apply(events, FilterSpec(start=dt.date(2022, 8, 15), end=dt.date(2023, 11, 14))))
    assert metric(at, "Events") == want
    assert at.select_slider[0].value == (dt.date(2022, 8, 1), dt.date(2023, 11, 1))  # the slider follows


def test_a_link_with_days_fills_the_date_inputs() -> None:
    at = run_app(**{"from": "2022-08-15", "to": "2023-11-14"})
    assert date_input(at, "From").value == dt.date(2022, 8, 15)
    assert date_input(at, "To").value == dt.date(2023, 11, 14)


def test_a_milestone_preset_sets_exact_days() -> None:
    at = run_app()
    label = "Since: Last French troops leave Mali (15 Aug 2022)"
    assert label in at.selectbox(key="preset").options
    at.selectbox(key="preset").set_value(label)
    at.run()
    assert date_input(at, "From").value == dt.date(2022, 8, 15)
    assert at.query_params["from"] in (["2022-08-15"], "2022-08-15")


def test_moving_the_slider_updates_the_date_inputs() -> None:
    at = run_app()
    at.select_slider[0].set_value((dt.date(2021, 1, 1), dt.date(2021, 12, 1)))
    at.run()
    assert date_input(at, "From").value == dt.date(2021, 1, 1)
    assert date_input(at, "To").value == dt.date(2021, 12, 31)


# --- compare two periods ------------------------------------------------------------------------------

LINK = {"type": "violence-against-civilians", "a": "2021-01-01..2021-12-31", "b": "2022-01-01..2022-12-31"}


def metrics_by_label(at, label: str) -> list[int]:
    return [int(str(m.value).replace(",", "")) for m in at.metric if m.label == label]


def test_a_comparison_link_restores_the_comparison_with_the_clis_numbers() -> None:
    at = run_app(**LINK)
    assert not at.exception
    table = load_events(include_stored=True)
    request, _ = compare.request_from_query(urlencode(LINK), table.choices)
    assert request is not None
    want = compare.compare_table(table, request)
    # side by side: A then B for each measure
    assert metrics_by_label(at, "Events targeting civilians") == [
        want.a["civilian_events"],
        want.b["civilian_events"],
    ]
    assert metrics_by_label(at, "Reported deaths")[-2:] == [want.a["deaths"], want.b["deaths"]]
    assert any(want.summary().split(":")[0] in str(m.value).replace("\\", "") for m in at.markdown)
    assert at.query_params["a"] in (["2021-01-01..2021-12-31"], "2021-01-01..2021-12-31")
    assert at.query_params["by"] in (["actor-group"], "actor-group")
    table_shown = next(d.value for d in at.dataframe if "events_b" in d.value.columns)
    assert table_shown.iloc[0]["events_b"] == want.b["events"]


def test_choosing_a_comparison_preset_puts_it_in_the_url() -> None:
    at = run_app()
    assert "a" not in at.query_params  # no comparison until one is asked for
    options = at.selectbox(key="cmp_preset").options
    choice = next(
        o for o in options if o.startswith("12 months before and after: Army and Wagner take Kidal")
    )
    at.selectbox(key="cmp_preset").set_value(choice)
    at.run()
    assert not at.exception
    assert at.query_params["a"] in (["2022-11-14..2023-11-13"], "2022-11-14..2023-11-13")
    assert at.query_params["b"] in (["2023-11-14..2024-11-13"], "2023-11-14..2024-11-13")


def test_who_did_it_section_states_the_rule_and_adds_up(events) -> None:
    at = run_app(**{"from": "2024-01-01", "to": "2024-12-31"})
    assert any(perpetrators.RULE[:60] in str(m.value).replace("\\", "") for m in at.markdown)
    shown = next(d.value for d in at.dataframe if "unknown_toll" in d.value.columns)
    top = shown[~shown["row"].str.startswith(" ")]
    assert top["events"].sum() == metric(at, "Events")
    assert top["deaths"].sum() == metric(at, "Reported deaths")


# --- pages ---------------------------------------------------------------------------------------------


def test_the_methodology_page() -> None:
    at = run_app()
    at.switch_page("src/sahelmap/site_pages/methodology.py").run()
    assert not at.exception
    text = " ".join(str(m.value).replace("\\", "") for m in at.markdown)
    for words in ("Reported deaths", "Reporting is uneven", "Open an issue"):
        assert words in text
    assert "Raleigh, C." in text and "CC BY 4.0" in text
    assert [h.value for h in at.header][:2] == [
        "What the numbers mean",
        "Known biases of media-based event data",
    ]
