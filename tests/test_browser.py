"""One real-browser test: markers appear, a filter updates the map without resetting the view,
and the downloaded CSV holds exactly the events the KPI counts."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, make_router, require_browser, streamlit_server
from tests.factories import ROOT

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"
MAP_FRAME = 'iframe[title="streamlit_folium.st_folium"]'

# Markers on the map: cluster bubbles carry their count, single events are SVG circles.
COUNT_MARKERS = """() => {
    let total = 0;
    document.querySelectorAll('.marker-cluster span').forEach(s => total += parseInt(s.textContent, 10));
    total += document.querySelectorAll('path.leaflet-interactive').length;
    return total;
}"""


def kpi_events(page) -> int:  # type: ignore[no-untyped-def]
    value = page.locator('[data-testid="stMetricValue"]').first.inner_text()
    return int(value.replace(",", ""))


def wait_until_idle(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the app has finished its reruns (Streamlit shows its status widget while running)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000
    )


def wait_for_zoom(page, zoom: int) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_function(
        f"() => document.querySelector('{MAP_FRAME}').contentWindow.map.getZoom() === {zoom}", timeout=30_000
    )


def test_map_filter_and_download_in_a_real_browser(tmp_path: Path) -> None:
    require_browser()
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with streamlit_server(tmp_path) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
        context.route("**/*", make_router(url))
        page = context.new_page()
        try:
            page.goto(url, wait_until="domcontentloaded")
            frame = page.frame_locator(MAP_FRAME)
            frame.locator(".leaflet-container").wait_for(state="visible", timeout=60_000)
            map_frame = page.locator(MAP_FRAME).element_handle().content_frame()
            total = kpi_events(page)
            assert total > 0
            assert page.locator('[data-testid="stException"]').count() == 0
            page.wait_for_function(
                f"() => document.querySelector('{MAP_FRAME}').contentDocument"
                ".querySelectorAll('.marker-cluster, path.leaflet-interactive').length > 0",
                timeout=30_000,
            )
            assert map_frame.evaluate(COUNT_MARKERS) == total
            page.wait_for_timeout(1000)  # let the charts draw before the picture for the README
            page.screenshot(path=str(ARTIFACTS / "dashboard.png"))
            if os.environ.get("SAHELMAP_UPDATE_SCREENSHOT"):
                shutil.copy(ARTIFACTS / "dashboard.png", ROOT / "docs" / "dashboard.png")

            # Zoom in, then change a filter: the markers change, the view does not.
            wait_until_idle(page)
            map_frame.evaluate("() => window.map.setZoom(7)")
            wait_for_zoom(page, 7)
            page.get_by_role("combobox", name="Event type", exact=True).click()
            page.keyboard.type("Battles")
            page.keyboard.press("Enter")
            page.keyboard.press("Escape")
            expect(page.locator('[data-testid="stMetricValue"]').first).not_to_have_text(
                f"{total:,}", timeout=30_000
            )
            battles = kpi_events(page)
            assert 0 < battles < total
            assert page.locator('[data-testid="stException"]').count() == 0
            assert "type=battles" in page.url
            map_frame.evaluate("() => window.map.setZoom(5)")  # count every marker at the overview
            page.wait_for_function(
                f"() => {{ const d = document.querySelector('{MAP_FRAME}').contentDocument;"
                " let t = 0; d.querySelectorAll('.marker-cluster span')"
                ".forEach(s => t += parseInt(s.textContent, 10));"
                f" return t + d.querySelectorAll('path.leaflet-interactive').length === {battles}; }}",
                timeout=30_000,
            )
            wait_until_idle(page)  # a rerun still in flight would redraw the map
            map_frame.evaluate("() => window.map.setZoom(7)")
            wait_for_zoom(page, 7)
            wait_until_idle(page)
            assert map_frame.evaluate("() => window.map.getZoom()") == 7

            # The CSV download holds exactly the events the KPI counts.
            wait_until_idle(page)  # a button redrawn by a rerun in flight would swallow the click
            with page.expect_download(timeout=60_000) as download:
                page.get_by_role("button", name="CSV", exact=True).click()
            data = Path(download.value.path()).read_bytes()
            rows = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str)
            assert len(rows) == battles
            assert set(rows["event_type"]) == {"Battles"}
            assert download.value.suggested_filename == "sahelmap_battles.csv"
            # The command line writes the very same file for the URL the browser shows.
            query = page.url.split("?", 1)[1]
            cli_file = tmp_path / "cli.csv"
            subprocess.run(
                [sys.executable, "-m", "sahelmap.cli", "export", "--query", query, "-o", str(cli_file)],
                check=True,
                env={**os.environ, "SAHELMAP_DATA_DIR": str(tmp_path)},
                capture_output=True,
            )
            assert cli_file.read_bytes() == data

        except Exception:
            page.screenshot(path=str(ARTIFACTS / "browser-failure.png"), full_page=True)
            raise
        finally:
            browser.close()
