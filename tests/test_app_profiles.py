"""Profile pages under AppTest (issue 12, issue 14): a region's and a place's page opened by their URL, with
the bundled table's numbers (computed here with the filter the page names), the dashboard's link to them,
and the pages in French."""

from __future__ import annotations

import pytest

from sahelmap import schema
from sahelmap.events import load_events
from sahelmap.filters import FilterSpec, apply
from tests.apptest_helpers import english_left, metric, open_page, page_texts, run_app

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore")]


@pytest.fixture(scope="module")
def events():
    return load_events().events


def markdown_text(at) -> str:
    return " ".join(str(m.value) for m in at.markdown).replace("\\", "")


def page_links(at) -> dict[str, str]:
    return {link.proto.page: link.proto.label for link in at.get("page_link")}


def test_a_region_page_opened_by_its_url(events) -> None:
    at = open_page("region-gao")
    assert not at.exception
    assert at.title[0].value == "Gao region: profile"
    # every event whose point falls in the Gao polygon, those located only to the region included
    there = apply(events, FilterSpec(focus_region=("Gao",)))
    assert len(there) > 0 and (there["geo_precision"] == 3).any()  # the test is about something
    assert metric(at, "Events") == len(there)
    assert metric(at, "Reported deaths") == int(schema.counted_deaths(there["fatalities"]).sum())
    assert metric(at, "Located only to the region") == int((there["geo_precision"] == 3).sum())
    text = markdown_text(at)
    assert text.startswith(f"{len(there):,} events in the Gao region from ")
    assert "(./?focus_region=gao)" in text  # into the dashboard with the region selected
    rule = str(at.info[0].value).replace("\\", "")
    assert "including the events the sources locate only to the region" in rule
    assert page_links(at) == {"gao": "Profile: Gao"}  # its focus place
    assert len(at.get("vega_lite_chart")) == 1  # its own timeline


def test_a_place_page_opened_by_its_url_counts_less_than_its_region(events) -> None:
    at = open_page("kidal")
    assert not at.exception
    assert at.title[0].value == "Kidal: profile"
    at_kidal = apply(events, FilterSpec(place=("Kidal",)))
    in_region = apply(events, FilterSpec(focus_region=("Kidal",)))
    assert metric(at, "Events") == len(at_kidal) < len(in_region)
    assert metric(at, "Reported deaths") == int(schema.counted_deaths(at_kidal["fatalities"]).sum())
    assert "(./?place=kidal)" in markdown_text(at)
    assert page_links(at) == {"region-kidal": "Profile: Kidal region"}


def test_the_dashboard_links_to_the_selected_region_and_place() -> None:
    at = run_app(focus_region="gao", place="gao")
    assert not at.exception
    assert page_links(at) == {"gao": "Profile: Gao", "region-gao": "Profile: Gao region"}
    assert page_links(run_app()) == {}  # nothing selected, no profile to point to


@pytest.mark.parametrize("url_path", ["region-gao", "kidal"])
def test_profile_pages_in_french_show_no_english_text(url_path: str) -> None:
    at = open_page(url_path, lang="fr")
    assert not at.exception
    texts = page_texts(at)
    assert len(texts) > 25  # the page was drawn: title, figures, summary, tables
    assert english_left(texts) == []
    assert at.query_params["lang"] in ("fr", ["fr"])  # a shared link keeps the language
    assert any(t.startswith("Profil : ") for t in texts)  # the link to the town or the region
    assert "Morts signalés" in texts


def test_the_english_catalogue_check_finds_english() -> None:
    # the same page in English: the check must find its messages, or it could not fail
    texts = page_texts(open_page("region-gao"))
    found = {english for english, _text in english_left(texts)}
    assert {"Reported deaths", "{events} {in_region} from {first} to {last}, with {deaths}."} <= found
    assert "Battles" in found or "Violence against civilians" in found
