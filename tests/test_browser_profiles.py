"""A real browser opens a region's profile by its address in French, follows its link into the dashboard
(the region selected, the language kept) and the dashboard's link back to the profile."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sahelmap import i18n
from sahelmap.events import load_events
from sahelmap.filters import FilterSpec, apply
from tests.browser_support import browser_context, require_browser, streamlit_server
from tests.factories import ROOT

pytestmark = pytest.mark.browser
ARTIFACTS = ROOT / "test-artifacts"


def test_a_region_profile_by_its_address_and_back_in_french(tmp_path: Path) -> None:
    require_browser()
    from playwright.sync_api import expect

    in_gao = apply(load_events().events, FilterSpec(focus_region=("Gao",)))
    ARTIFACTS.mkdir(exist_ok=True)
    with streamlit_server(tmp_path) as url, browser_context(url, locale="en-GB") as context:
        page = context.new_page()
        page.goto(f"{url}/region-gao?lang=fr", wait_until="domcontentloaded")
        expect(page.get_by_role("heading", name="Région de Gao : profil")).to_be_visible(timeout=60_000)
        events = page.locator('[data-testid="stMetricValue"]').first
        expect(events).to_have_text(i18n.number(len(in_gao), "fr"), timeout=30_000)
        assert page.locator('[data-testid="stException"]').count() == 0
        page.screenshot(path=str(ARTIFACTS / "profile_region_gao_fr.png"), full_page=True)

        into_dashboard = "Ouvrir le tableau de bord avec la sélection : région de Gao"
        link = page.get_by_role("link", name=into_dashboard)
        assert link.get_attribute("target") == "_blank"  # Streamlit opens Markdown links in a new tab
        with context.expect_page(timeout=60_000) as opened:
            link.click()
        page = opened.value
        page.wait_for_url(re.compile(r"focus_region=gao"), timeout=60_000)
        assert "lang=fr" in page.url
        expect(
            page.get_by_role("heading", name="sahelmap · événements de conflit armé au Mali")
        ).to_be_visible(timeout=60_000)
        expect(page.locator('[data-testid="stMetricValue"]').first).to_have_text(
            i18n.number(len(in_gao), "fr"), timeout=60_000
        )

        page.get_by_role("link", name="Profil : région de Gao").click()
        page.wait_for_url(re.compile(r"/region-gao"), timeout=60_000)
        expect(page.get_by_role("heading", name="Région de Gao : profil")).to_be_visible(timeout=60_000)
        assert page.locator('[data-testid="stException"]').count() == 0
