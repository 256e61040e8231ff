"""The page with lang=fr (issue 14): no English interface text remains among the translated elements."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po

from sahelmap import i18n
from tests.apptest_helpers import run_app

pytestmark = pytest.mark.slow


def english_messages() -> dict[str, str]:
    """msgid -> French for every message whose French differs from its English (so "Date" or "Format",
    the same in both, cannot count as left in English)."""
    with i18n.po_path("fr").open("rb") as po:
        catalog = read_po(po, locale="fr")
    found: dict[str, str] = {}
    for m in catalog:
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        for msgid, string in zip(ids, strings, strict=False):
            if msgid and msgid != string:
                found[msgid] = string
    return found


def shown_texts(at) -> list[str]:
    texts = [
        e.value for kind in ("title", "header", "subheader", "caption", "markdown") for e in getattr(at, kind)
    ]
    for kind in ("multiselect", "selectbox", "text_input", "number_input", "toggle", "button", "radio"):
        texts += [e.label for e in getattr(at, kind)]
    texts += [e.label for e in at.sidebar.multiselect] + [e.label for e in at.metric]
    texts += [e.label for e in at.expander]
    return [t.replace("\\", "") for t in texts if t]


def test_the_french_page_shows_no_english_interface_text() -> None:
    at = run_app(lang="fr")
    assert not at.exception
    english = english_messages()
    texts = shown_texts(at)
    assert len(texts) > 40
    left = [t for t in texts if t in english]
    # a long English message inside a longer text (a caption built from several) counts too
    left += [t for t in texts for msgid in english if len(msgid) > 25 and "{" not in msgid and msgid in t]
    assert left == []
    assert at.title[0].value == "sahelmap · événements de conflit armé au Mali"
    assert at.query_params["lang"] in ("fr", ["fr"])


def test_english_stays_the_default_and_adds_nothing_to_the_link() -> None:
    at = run_app()
    assert not at.exception
    assert at.title[0].value == "sahelmap · armed-conflict events in Mali"
    assert "lang" not in at.query_params
