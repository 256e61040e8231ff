"""Switching the language in a real browser keeps every choice shown as chosen, not only in the data.

Streamlit takes a keyed choice whose option words change for a new widget: it kept the value (the map
still drew regions) but showed no option chosen, until the page set the values again (WORDED_CHOICES).
Only a browser shows this; AppTest reads the value, which was right all along.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser_support import browser_context, require_browser, streamlit_server

pytestmark = pytest.mark.browser


def test_switching_to_english_keeps_the_map_choices_shown(tmp_path: Path) -> None:
    require_browser()
    from playwright.sync_api import expect

    with streamlit_server(tmp_path) as url, browser_context(url, locale="en-GB") as context:
        page = context.new_page()
        page.goto(f"{url}/?lang=fr&mapmode=regions&measure=deaths", wait_until="domcontentloaded")
        expect(page.get_by_role("radio", name="Régions", exact=True)).to_be_checked(timeout=60_000)
        expect(page.get_by_role("radio", name="Morts signalés", exact=True)).to_be_checked()
        expect(page.get_by_role("radio", name="Tout le Mali", exact=True)).to_be_checked()

        page.locator('[data-testid="stSidebar"]').get_by_text("English", exact=True).click()
        expect(page.get_by_role("heading", name="sahelmap · armed-conflict events in Mali")).to_be_visible(
            timeout=60_000
        )
        expect(page.get_by_role("radio", name="Regions", exact=True)).to_be_checked(timeout=30_000)
        expect(page.get_by_role("radio", name="Reported deaths", exact=True)).to_be_checked()
        expect(page.get_by_role("radio", name="All of Mali", exact=True)).to_be_checked()
        assert page.locator('[data-testid="stException"]').count() == 0


def test_the_french_navigation_lists_every_page_in_french(tmp_path: Path) -> None:
    """The pages sit in the top bar on a wide screen and fold into the sidebar on a narrow one; in both,
    every place and region is reachable in French, with no Streamlit-drawn "View 8 more"."""
    require_browser()
    from playwright.sync_api import expect

    with streamlit_server(tmp_path) as url, browser_context(url, locale="fr-FR") as context:
        page = context.new_page()
        page.goto(f"{url}/?lang=fr", wait_until="domcontentloaded")
        # In the top bar: the map's mode radio has a "Régions" option too, and may render first.
        page.get_by_test_id("stTopNav").get_by_text("Régions", exact=True).click(timeout=60_000)
        expect(page.get_by_text("Région de Ménaka", exact=True)).to_be_visible(timeout=30_000)
        expect(page.get_by_text("District de Bamako", exact=True)).to_be_visible()

        page.set_viewport_size({"width": 400, "height": 900})
        page.reload(wait_until="domcontentloaded")
        page.get_by_test_id("stExpandSidebarButton").click(timeout=60_000)
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_text("Région de Ménaka", exact=True)).to_be_visible(timeout=30_000)
        expect(sidebar.get_by_text("Tinzaouaten", exact=True)).to_be_visible()
        hidden = sidebar.get_by_text(re.compile(r"View \d+ more"))
        assert hidden.count() == 0, "pages hidden behind Streamlit's 'View more'"
        assert page.locator('[data-testid="stException"]').count() == 0
