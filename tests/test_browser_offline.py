"""The map with no network: every request that leaves the machine is blocked (tiles included).

The map, the outline, the focus places and the events must still appear, the console must hold no
error but the blocked tiles', and a note inside the map says the basemap is unavailable. At 400 px the
legend starts closed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sahelmap import mapview
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, require_browser, streamlit_server
from tests.factories import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = ROOT / "test-artifacts"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'
TILE_HOSTS = ("arcgisonline.com", "openstreetmap.org")


def offline_page(context, origin: str, blocked: list[str], errors: list[str]):  # type: ignore[no-untyped-def]
    """A page whose every non-local request is aborted (and recorded), console errors recorded."""

    def route(r) -> None:  # type: ignore[no-untyped-def]
        url = r.request.url
        if url.startswith((origin, "data:", "blob:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort("internetdisconnected")

    context.route("**/*", route)
    page = context.new_page()

    def console(message) -> None:  # type: ignore[no-untyped-def]
        if message.type == "error":
            where = (message.location or {}).get("url", "")
            errors.append(f"{message.text} @ {where}")

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    return page


def wait_for_map(page) -> None:  # type: ignore[no-untyped-def]
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".leaflet-container").wait_for(state="visible", timeout=90_000)
    page.wait_for_function(
        f"() => {{ const d = document.querySelector('{MAP_FRAME}').contentDocument;"
        " return d && d.querySelectorAll('.leaflet-outline-pane path').length >= 2"
        " && d.querySelectorAll('.marker-cluster, .leaflet-overlay-pane path.leaflet-interactive').length > 0"
        " && d.querySelectorAll('.sm-legend').length === 1; }",
        timeout=60_000,
    )


def assert_apart(frame, first: str, second: str) -> None:  # type: ignore[no-untyped-def]
    a, b = frame.locator(first).bounding_box(), frame.locator(second).bounding_box()
    assert a and b
    apart = (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )
    assert apart, f"{first} {a} overlaps {second} {b}"


def only_tile_errors(errors: list[str]) -> list[str]:
    """Console errors that are not a blocked tile (Chromium logs each failed image load)."""
    return [e for e in errors if not any(host in e for host in TILE_HOSTS)]


def test_the_map_works_with_the_network_unplugged(tmp_path: Path) -> None:
    require_browser()
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    blocked: list[str] = []
    errors: list[str] = []
    with streamlit_server(tmp_path) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1100})
        page = offline_page(context, url, blocked, errors)
        try:
            page.goto(url, wait_until="domcontentloaded")
            wait_for_map(page)
            frame = page.frame_locator(MAP_FRAME)
            # the focus places are labelled, in their pane above the markers
            labels = frame.locator(".leaflet-labels-pane .sm-focus")
            assert labels.count() == 6
            assert frame.locator(".leaflet-labels-pane").evaluate("e => getComputedStyle(e).zIndex") == "640"
            # the basemap's tiles failed: the note inside the map says so
            note = frame.locator(".sm-basemap-note")
            note.wait_for(state="visible", timeout=30_000)
            assert note.inner_text() == mapview.BASEMAP_NOTE
            # the scale bar is metric and neither the legend nor the attribution covers it
            assert frame.locator(".leaflet-control-scale-line").count() == 1
            assert frame.locator(".leaflet-control-scale-line").inner_text().endswith("km")
            assert_apart(frame, ".leaflet-control-scale", ".sm-legend")
            assert_apart(frame, ".leaflet-control-scale", ".leaflet-control-attribution")
            assert frame.locator(".sm-legend details").evaluate("d => d.open") is True
            assert page.locator('[data-testid="stException"]').count() == 0
            page.locator(MAP_FRAME).screenshot(path=str(ARTIFACTS / "offline-map.png"))
            # nothing but tiles was asked of the outside world, and the console has no other error
            assert blocked, "the basemap should have asked for tiles"
            assert all(any(host in u for host in TILE_HOSTS) for u in blocked), [
                u for u in blocked if not any(host in u for host in TILE_HOSTS)
            ]
            assert only_tile_errors(errors) == []

            # a narrow screen: the legend starts closed (a toggle), the map still draws
            narrow = browser.new_context(viewport={"width": 400, "height": 900})
            small = offline_page(narrow, url, blocked, errors)
            small.goto(url, wait_until="domcontentloaded")
            wait_for_map(small)
            small_frame = small.frame_locator(MAP_FRAME)
            assert_apart(small_frame, ".leaflet-control-scale", ".sm-legend")
            assert_apart(small_frame, ".leaflet-control-scale", ".leaflet-control-attribution")
            assert small_frame.locator(".sm-legend details").evaluate("d => d.open") is False
            box = small_frame.locator(".sm-legend").bounding_box()
            map_box = small_frame.locator(".leaflet-container").bounding_box()
            assert (
                box and map_box and box["height"] * box["width"] < 0.1 * map_box["height"] * map_box["width"]
            )
            small.locator(MAP_FRAME).scroll_into_view_if_needed()
            small.locator(MAP_FRAME).screenshot(path=str(ARTIFACTS / "offline-400px-map.png"))
            assert only_tile_errors(errors) == []
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "offline-failure.png"), full_page=True)
            raise
        finally:
            browser.close()
