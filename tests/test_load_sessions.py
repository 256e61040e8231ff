"""The load script's own logic (benchmarks/load_sessions.py): valid links, loopback only, widget changes."""

from __future__ import annotations

import importlib.util
import random
import sys
import urllib.parse
from types import ModuleType

import pytest

from sahelmap import filters
from tests.factories import ROOT


@pytest.fixture(scope="module")
def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("load_sessions", ROOT / "benchmarks" / "load_sessions.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["load_sessions"] = module
    spec.loader.exec_module(module)
    return module


def test_random_links_are_valid(load: ModuleType) -> None:
    """Every link the sessions open parses strictly: a notice on the page is then an app error."""
    rng = random.Random(1)
    for _ in range(500):
        query = load.random_query(rng)
        params = urllib.parse.parse_qs(query, keep_blank_values=True)
        spec, notices = filters.parse_query(params, strict=True)
        assert notices == []
        assert filters.to_query(spec) == {k: v[-1] for k, v in params.items()}


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8501", "https://127.0.0.2:8443/", "http://[::1]:8501", "http://localhost:8501"]
)
def test_loopback_urls_are_accepted(load: ModuleType, url: str) -> None:
    assert load.check_loopback(url) == url.rstrip("/")


@pytest.mark.parametrize(
    "url", ["http://10.0.0.1:8501", "http://192.168.1.2", "ftp://127.0.0.1", "http://8.8.8.8"]
)
def test_other_addresses_are_refused(load: ModuleType, url: str) -> None:
    with pytest.raises(SystemExit):
        load.check_loopback(url)


def test_user_key(load: ModuleType) -> None:
    assert load.user_key("$$ID-31ee943bab982b7de049b45df9bf23bb-w_actor") == "w_actor"
    assert load.user_key("plain") == "plain"


def test_widget_changes_use_the_widgets_options(load: ModuleType) -> None:
    widgets = {
        "w_actor": load.Widget("$$ID-a-w_actor", "multiselect", "Actor group", ["Wagner", "JNIM"]),
        "w_type": load.Widget("$$ID-b-w_type", "multiselect", "Event type", ["Battles"]),
        "w_place": load.Widget("$$ID-c-w_place", "multiselect", "Place", ["Gao", "Kidal"]),
        "w_months_1": load.Widget("$$ID-d-w_months_1", "slider", "Period", ["Jan 20", "Feb 20", "Mar 20"]),
        "w_min_deaths": load.Widget("$$ID-e-w_min_deaths", "number_input", "Deaths", []),
        "w_civilians": load.Widget("$$ID-f-w_civilians", "checkbox", "Civilians", []),
        "None": load.Widget("$$ID-g-None", "button", "Reset all filters", []),
    }
    rng = random.Random(3)
    seen = set()
    for _ in range(300):
        change = load.random_widget_change(rng, widgets)
        assert change is not None
        action, state = change
        seen.add(action)
        widget = next(w for w in widgets.values() if w.id == state.id)
        if widget.kind in ("multiselect", "slider"):
            assert set(state.string_array_value.data) <= set(widget.options)
        if widget.kind == "slider":
            first, last = state.string_array_value.data
            assert widget.options.index(first) < widget.options.index(last)
        if widget.kind == "button":
            assert state.trigger_value
    assert seen == set(load.FILTER_ACTIONS)
