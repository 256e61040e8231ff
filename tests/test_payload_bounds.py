"""Every element of a rerun is bounded (issue 10): 100,000 synthetic ACLED-format events in the store.

The sizes are serialized protobuf bytes of the elements AppTest received, a property of the design
(caps on the table's rows and the map's features), not a timing.
"""

from __future__ import annotations

import pytest

from sahelmap import dashboard
from tests.apptest_helpers import element_sizes, event_table, map_args, metric, run_app
from tests.factories import store_synthetic_acled

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]

N_EVENTS = 100_000
KB = 1_000
BOUNDS = {"map": 600 * KB, "table": 300 * KB, "charts": 100 * KB, "total": 1_000 * KB}


@pytest.fixture(scope="module")
def big_store(tmp_path_factory: pytest.TempPathFactory):
    directory = tmp_path_factory.mktemp("store-100k")
    stored = store_synthetic_acled(N_EVENTS, directory)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SAHELMAP_DATA_DIR", str(directory))
        yield stored


def assert_bounded(sizes: dict[str, int]) -> None:
    over = {k: f"{sizes[k]:,} > {bound:,}" for k, bound in BOUNDS.items() if sizes[k] > bound}
    assert not over, f"elements over their bound: {over}; all sizes: {sizes}"


def test_every_element_is_bounded_at_100k_events(big_store: int) -> None:
    at = run_app(once="0")  # every copy counted: none of the stored events is left out of the view
    assert not at.exception
    assert metric(at, "Events") >= big_store == N_EVENTS
    sizes = element_sizes(at)
    assert sizes["map"] > 0 and sizes["charts"] > 0 and sizes["table"] > 0, sizes  # each was measured
    assert_bounded(sizes)
    shown = len(event_table(at).value)
    # at most the row cap, fewer when the cells' bytes reach dashboard.TABLE_BYTES first; the caption says so
    assert 500 <= shown <= dashboard.TABLE_ROW_CAP
    assert any(f"Showing {shown:,} of " in str(c.value) for c in at.caption)


def test_bounds_hold_after_filter_changes_and_the_deaths_order(big_store: int) -> None:
    at = run_app()
    at.multiselect(key="w_type").set_value(["Battles", "Violence against civilians"])
    at.run()
    assert_bounded(element_sizes(at))
    at.multiselect(key="w_place").set_value(["Gao"])
    at.segmented_control(key="w_table_order").set_value("deaths")
    at.run()
    assert not at.exception
    assert_bounded(element_sizes(at))
    deaths = event_table(at).value["fatalities"].fillna(-1).tolist()
    assert deaths == sorted(deaths, reverse=True)


def test_a_map_first_drawn_as_cells_can_still_draw_clustered_events(big_store: int) -> None:
    """The browser loads plugins with the first map only: the cluster plugin must come with a grid view."""
    at = run_app()
    args = map_args(at)
    assert "MarkerCluster" not in args["feature_group"]  # 100k events: grid cells
    assert any("markercluster" in link for link in args["js_links"])
    at.multiselect(key="w_place").set_value(["Gao"])
    at.number_input(key="w_min_deaths").set_value(9)
    at.run()
    assert metric(at, "Events") <= 500 and "markerClusterGroup" in map_args(at)["feature_group"]
