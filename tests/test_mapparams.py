"""The map's own URL parameters: zoom, basemap, map mode and measure (not filters)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sahelmap import filters, mapparams
from sahelmap.mapparams import MapView


def test_defaults_add_nothing_to_the_url() -> None:
    assert mapparams.to_query(MapView()) == {}
    assert mapparams.parse({}) == (MapView(), [])


def test_round_trip() -> None:
    view = MapView(zoom=8, basemap="satellite", mode="regions", measure="deaths")
    query = mapparams.to_query(view)
    assert query == {"zoom": "8", "basemap": "satellite", "mapmode": "regions", "measure": "deaths"}
    assert mapparams.parse(query) == (view, [])


@pytest.mark.parametrize(
    ("params", "notice"),
    [
        ({"zoom": "99"}, "'zoom': '99' is not a whole number from 4 to 16"),
        ({"zoom": "7.5"}, "'zoom'"),
        ({"zoom": "-1"}, "'zoom'"),
        ({"basemap": "<script>"}, "'basemap': '<script>' is not one of grey, osm, satellite"),
        ({"mapmode": "heat"}, "'mapmode'"),
        ({"measure": "x" * 500}, "'measure'"),
    ],
)
def test_bad_values_are_left_out_with_a_notice(params, notice) -> None:
    view, notices = mapparams.parse(params)
    assert view == MapView() and len(notices) == 1 and notice in notices[0]
    assert len(notices[0]) < 200


def test_a_browser_link_splits_into_filters_and_map() -> None:
    params = {"type": "battles", "zoom": "7", "basemap": "osm", "focus_region": "segou"}
    filter_params, map_params = mapparams.split(params)
    spec, notices = filters.parse_query(filter_params)
    assert notices == [] and spec.focus_region == ("Segou",)
    assert mapparams.parse(map_params) == (MapView(zoom=7, basemap="osm"), [])


def test_the_zoom_the_map_reports() -> None:
    assert MapView().with_zoom(7).zoom == 7
    assert MapView().with_zoom(7.0).zoom == 7
    for junk in (None, "7", 7.5, 40, True and "x"):
        assert MapView().with_zoom(junk).zoom is None


@given(st.dictionaries(st.sampled_from(mapparams.KEYS), st.text(max_size=50)))
def test_any_values_are_survivable(params) -> None:
    view, notices = mapparams.parse(params)
    assert len(notices) <= len(params)
    assert mapparams.parse(mapparams.to_query(view)) == (view, [])
