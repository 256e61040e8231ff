"""The page run headless (AppTest): filters change the KPIs and what is sent to the map."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from sahelmap import dashboard, filters, mapview
from sahelmap.events import load_events
from sahelmap.filters import FilterSpec
from tests.apptest_helpers import event_table, map_args, map_features, metric, run_app, warnings_text
from tests.factories import CURRENT, acled_csv, event

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]


@pytest.fixture(scope="module")
def events():
    return load_events().events


def expected(events, **spec) -> int:
    return len(filters.apply(events, FilterSpec(**spec)))


def test_app_runs_and_shows_every_filter(events) -> None:
    at = run_app()
    assert not at.exception
    assert len(at.select_slider) == 1, "the period slider is missing"
    keys = {w.key for w in at.multiselect}
    assert {"w_actor", "w_type", "w_subtype", "w_place", "w_region"} <= keys
    assert at.toggle(key="w_civilians") is not None
    assert metric(at, "Events") == len(events)
    assert len(map_features(at)) == len(events) <= mapview.DETAIL_LIMIT
    # Only the zoom comes back (for the link): panning and clicking events never rerun the script.
    assert map_args(at)["returned_objects"] == ["zoom"]


def test_actor_group_filter_changes_kpis_and_map(events) -> None:
    at = run_app()
    at.multiselect(key="w_actor").set_value(["wagner"])
    at.run()
    want = expected(events, actor=("wagner",))
    assert 0 < want < len(events)
    assert metric(at, "Events") == want
    assert len(map_features(at)) == want
    assert at.query_params["actor"] == ["wagner"] or at.query_params["actor"] == "wagner"


def test_event_type_filter_changes_kpis_and_map(events) -> None:
    at = run_app()
    at.multiselect(key="w_type").set_value(["Violence against civilians"])
    at.run()
    want = expected(events, type=("Violence against civilians",))
    assert metric(at, "Events") == want and len(map_features(at)) == want
    popup = map_features(at)[0]["properties"]["popup"]
    assert "Violence against civilians" in popup


def test_period_slider_changes_kpis_and_map(events) -> None:
    at = run_app()
    slider = at.select_slider[0]
    slider.set_range(dt.date(2022, 1, 1), dt.date(2023, 12, 1))
    at.run()
    want = expected(events, start=dt.date(2022, 1, 1), end=dt.date(2023, 12, 31))
    assert metric(at, "Events") == want and len(map_features(at)) == want
    assert want < len(events)


def test_url_restores_a_view(events) -> None:
    at = run_app(actor="wagner", place="gao,kidal,timbuktu", **{"from": "2022-01", "to": "2024-12"})
    assert not at.exception and "ignored parameter" not in warnings_text(at)
    assert at.multiselect(key="w_actor").value == ["wagner"]
    assert at.multiselect(key="w_place").value == ["Gao", "Kidal", "Timbuktu"]
    want = expected(
        events,
        actor=("wagner",),
        place=("Gao", "Kidal", "Timbuktu"),
        start=dt.date(2022, 1, 1),
        end=dt.date(2024, 12, 31),
    )
    assert metric(at, "Events") == want


def test_invalid_parameters_fall_back_with_a_notice(events) -> None:
    at = run_app(actor="martians", min_deaths="lots", **{"from": "2022-13"}, zzz="1")
    assert not at.exception
    text = warnings_text(at)
    for name in ("actor", "min_deaths", "from", "zzz"):
        assert f"ignored parameter '{name}'" in text
    assert metric(at, "Events") == len(events)


def test_no_match_shows_a_message_and_still_the_map() -> None:
    at = run_app(q="no-such-text-anywhere-xyz")
    assert metric(at, "Events") == 0
    assert any("No events match" in str(i.value) for i in at.info)
    assert map_features(at) == []
    assert map_args(at)["script"]  # the map itself is still there


def test_reset_restores_everything(events) -> None:
    at = run_app(actor="wagner")
    assert metric(at, "Events") < len(events)
    at.button[0].click()
    at.run()
    assert metric(at, "Events") == len(events)
    assert at.multiselect(key="w_actor").value == []


def test_rerun_time_after_a_filter_change_is_reported(events, record_property) -> None:
    # Not a timed assertion (benchmarks measure speed); records the figure for the report.
    import time

    at = run_app()
    at.multiselect(key="w_type").set_value(["Battles"])
    started = time.perf_counter()
    at.run()
    record_property("rerun_seconds", round(time.perf_counter() - started, 3))
    assert metric(at, "Events") == expected(events, type=("Battles",))


def _acled_upload() -> bytes:

    return acled_csv(
        CURRENT,
        event(event_id_cnty="MLI90001"),
        event(event_id_cnty="MLI90002", latitude="abc"),  # rejected: latitude is not a number
        event(event_id_cnty="MLI90003", location="Gao", latitude="16.27", longitude="-0.04"),
    )


def test_upload_adds_rows_for_the_session_and_offers_the_rejected_ones(events) -> None:
    at = run_app()
    at.file_uploader(key="w_upload").upload("my_export.csv", _acled_upload(), "text/csv").run()
    assert not at.exception
    assert metric(at, "Events") == len(events) + 2
    assert any("2 kept, 1 rejected" in str(s.value) for s in at.success)
    labels = [b.label for b in at.get("download_button")]
    assert any(label.startswith("Rejected rows with reasons (1)") for label in labels)
    assert "upload-my_export" in at.multiselect(key="w_dataset").options


def test_a_binary_upload_gets_a_message_not_a_traceback(events) -> None:
    at = run_app()
    at.file_uploader(key="w_upload").upload(
        "photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "text/csv"
    ).run()
    assert not at.exception
    assert any("photo.csv: this looks like a binary file" in str(e.value).replace("\\", "") for e in at.error)
    assert metric(at, "Events") == len(events)


def test_playback_starts_with_the_first_month_and_steps_forward(events) -> None:
    at = run_app()
    at.button(key="play").click().run()
    first = events["event_date"].min()
    month_end = (first + pd.offsets.MonthEnd(0)).date()
    assert metric(at, "Events") == expected(events, end=month_end)
    at.button(key="forward").click().run()
    after_step = metric(at, "Events")
    next_end = (first + pd.DateOffset(months=1) + pd.offsets.MonthEnd(0)).date()
    assert after_step == expected(events, end=next_end) >= metric(at, "Events") - 0
    at.button(key="play").click().run()  # pause keeps the period reached
    assert metric(at, "Events") == after_step
    at.button(key="back").click().run()
    assert metric(at, "Events") == expected(events, end=month_end)


def test_region_view_is_one_click_and_zooms_there(events) -> None:
    at = run_app()
    at.session_state["w_region_view"] = "Segou"  # what clicking the "Ségou region" pill sets
    at.session_state["w_focus_region"] = ["Segou"]  # and its callback
    at.run()
    want = expected(events, focus_region=("Segou",))
    assert 0 < want < len(events) and metric(at, "Events") == want
    assert "in the Ségou region" in at.caption[0].value
    assert at.query_params["focus_region"] in (["segou"], "segou")
    args = map_args(at)
    assert (
        args["center"] == [*mapview.region_view("Segou")[0]]
        and args["zoom"] == mapview.region_view("Segou")[1]
    )


def test_a_link_sets_the_map_mode_basemap_and_zoom(events) -> None:
    at = run_app(mapmode="regions", measure="deaths", basemap="osm", zoom="7", focus_region="tinzaouaten")
    assert not at.exception and not at.warning
    assert metric(at, "Events") == expected(events, focus_region=("Kidal",))
    args = map_args(at)
    assert args["zoom"] == 7 and "openstreetmap" in args["script"]
    assert "Reported deaths per region" in args["feature_group"]
    assert set(args["returned_objects"]) == {"zoom", "last_active_drawing", "last_object_clicked"}
    assert at.query_params["mapmode"] in (["regions"], "regions")


def test_a_bad_map_parameter_is_named_and_the_rest_works(events) -> None:
    at = run_app(zoom="99", basemap="nowhere", type="battles")
    text = warnings_text(at)
    assert "'zoom'" in text and "'basemap'" in text
    assert metric(at, "Events") == expected(events, type=("Battles",))


def test_the_map_loads_nothing_from_a_cdn() -> None:
    at = run_app()
    args = map_args(at)
    links = args["js_links"] + args["css_links"]
    assert links and all(link.startswith("../") for link in links), links
    assert [link.rsplit("/", 1)[1] for link in args["js_links"]] == ["leaflet.js", "leaflet.markercluster.js"]


def test_an_upload_with_linked_copies_turns_counting_once_on_and_every_copy_can_be_shown(events) -> None:
    curated = events[(events["dataset"].astype(str) == "curated") & (events["geo_precision"] == 1)].iloc[0]
    copy = event(
        event_id_cnty="MLI90009",
        event_date=f"{curated['event_date']:%d %B %Y}",
        event_type=str(curated["event_type"]),
        sub_event_type=str(curated["sub_event_type"]),
        latitude=str(curated["latitude"]),
        longitude=str(curated["longitude"]),
    )
    at = run_app()
    assert not any(t.key == "w_once" for t in at.toggle)  # nothing linked yet: no option
    at.file_uploader(key="w_upload").upload("copy.csv", acled_csv(CURRENT, copy), "text/csv").run()
    assert not at.exception
    assert at.toggle(key="w_once").value is True  # linked copies loaded: counted once from the start
    assert metric(at, "Events") == len(events)
    once = "(each real event once: imported copies of curated events not counted again)"
    assert dashboard.md_escape(once) in at.caption[0].value
    assert "once" not in at.query_params  # where the page starts for this data: not written
    at.toggle(key="w_once").set_value(False).run()
    assert metric(at, "Events") == len(events) + 1
    every = "(every copy counted: an event in two datasets counts twice)"
    assert dashboard.md_escape(every) in at.caption[0].value
    assert at.query_params["once"] == "0"


def test_the_page_says_what_the_bundled_table_is_and_each_datasets_coverage(events) -> None:
    at = run_app()
    assert [i.value for i in at.info][:1] == [dashboard.md_escape(dashboard.BUNDLED_TABLE_NOTE)]
    first, last = events["event_date"].min(), events["event_date"].max()
    line = (
        f"Coverage of the loaded data: curated {first:%Y-%m-%d} to {last:%Y-%m-%d} ({len(events):,} events)"
    )
    assert dashboard.md_escape(line) in [c.value for c in at.caption]


def test_a_link_made_with_other_datasets_names_each_one_missing_here(events) -> None:
    at = run_app(place="gao", data=f"curated:{len(events)},upload-mine:5")
    assert not at.exception
    assert (
        "Link: This link was made with the dataset 'upload-mine' (5 events), which is not loaded here"
        in warnings_text(at)
    )
    assert at.query_params["data"] == f"curated:{len(events)}"  # the page's own link names its data
    same = run_app(place="gao", data=f"curated:{len(events)}")
    assert "Link:" not in warnings_text(same)


def test_a_link_with_a_search_longer_than_the_limit_says_it_was_cut(events) -> None:
    at = run_app(q="w" * 300)
    assert not at.exception
    assert "Link: 'q' was cut to 200 characters" in warnings_text(at)
    assert at.text_input(key="w_q").value == "w" * filters.MAX_TEXT_LENGTH
    assert at.query_params["q"] == "w" * filters.MAX_TEXT_LENGTH  # the page's link is the cut search


def test_an_unknown_toll_shows_as_an_empty_cell_not_none(events) -> None:
    at = run_app()
    table = event_table(at)
    # The bundled table has events whose source gives no toll: those cells must read empty, in any
    # language, not Streamlit's English "None" (and never 0, which means nobody died).
    assert table.value["fatalities"].isna().any()
    assert table.proto.HasField("placeholder"), "missing values would show as None"
    assert table.proto.placeholder == dashboard.MISSING_CELL == ""
    deaths = json.loads(table.proto.columns)["fatalities"]
    assert "no toll" in deaths["help"]


def test_each_chart_has_the_pages_width(events) -> None:
    # In a side column the actor groups' names left the bars a few pixels and cut the axis title.
    def charts(node, in_column: bool = False):
        in_column = in_column or type(node).__name__ == "Column"
        if getattr(node, "type", None) == "vega_lite_chart":
            yield in_column
        children = getattr(node, "children", None) or {}
        for child in children.values() if isinstance(children, dict) else children:
            yield from charts(child, in_column)

    placed = list(charts(run_app().main))
    assert len(placed) >= 2, "the monthly and actor charts are missing"
    assert not any(placed), "a chart sits in a column"
