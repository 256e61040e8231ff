"""The page's issue-12 parts run headless (AppTest): exact dates, comparison, profiles, methodology."""

from __future__ import annotations

import datetime as dt

import pytest

from sahelmap import filters
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
