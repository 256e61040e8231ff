"""Reading what the app sent: the st_folium component's map script and its features."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from tests.factories import ROOT

ADD_DATA = re.compile(r"_add\((\{.*?\})\);", re.S)


def run_app(**params: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    return at


def _walk(node: Any) -> Iterator[Any]:
    children = getattr(node, "children", None)
    items = children.values() if isinstance(children, dict) else (children or [])
    for child in items:
        yield child
        yield from _walk(child)


def map_args(at: AppTest) -> dict[str, Any]:
    """The arguments st_folium sent to the browser (an UnknownElement under AppTest)."""
    found = [
        e for e in _walk(at._tree) if type(e).__name__ == "UnknownElement" and e.type == "component_instance"
    ]
    assert len(found) == 1, f"expected one map component, found {len(found)}"
    return json.loads(found[0].proto.json_args)


def map_features(at: AppTest) -> list[dict[str, Any]]:
    """Every GeoJSON feature in the event layer sent to the map."""
    script = map_args(at)["feature_group"]
    features: list[dict[str, Any]] = []
    for blob in ADD_DATA.findall(script):
        features += json.loads(blob)["features"]
    return features


def metric(at: AppTest, label: str) -> int:
    for m in at.metric:
        if m.label == label:
            return int(str(m.value).replace(",", ""))
    raise AssertionError(f"no metric {label!r}")


def warnings_text(at: AppTest) -> str:
    return " ".join(str(w.value) for w in at.warning).replace("\\", "")


def element_sizes(at: AppTest) -> dict[str, int]:
    """Serialized protobuf bytes of one run's elements, by what they are: map, charts, table, total.

    "total" counts every leaf element of the page (widgets, text, metrics and the above); the
    delta framing Streamlit adds per element is not counted.
    """
    sizes = {"map": 0, "charts": 0, "table": 0, "total": 0}
    for node in _walk(at._tree):
        if getattr(node, "children", None):
            continue  # a container: its elements are counted one by one
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        size = proto.ByteSize()
        kind = type(node).__name__
        sizes["total"] += size
        if kind == "UnknownElement" and node.type == "component_instance":
            sizes["map"] += size
        elif kind == "UnknownElement" and "vega" in node.type:
            sizes["charts"] += size
        elif kind == "Dataframe":
            sizes["table"] += size
    return sizes


def event_table(at: AppTest):  # type: ignore[no-untyped-def]
    """The events table (the page has other tables, such as the milestones under the chart)."""
    found = [d for d in at.dataframe if "event_id" in d.value.columns]
    assert len(found) == 1, f"expected one events table, found {len(found)}"
    return found[0]


def open_page(url_path: str, **params: str) -> AppTest:
    """The app as a browser opening /<url_path>?<params> shows it (a profile page: /region-gao?lang=fr).

    AppTest's public switch_page() finds a page by its script, and every profile page shares one script.
    Streamlit picks the page of a request by the hash of its URL path (st.Page hashes url_path), so the
    first run asks for that hash, as a browser's request for /<url_path> does; the test then checks that
    this page, not the dashboard, ran.
    """
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at._page_hash = calc_hash(url_path)
    at.run()
    ran = at._registered_pages.get(at._finished_page_script_hash, {})
    assert ran.get("url_pathname") == url_path, f"/{url_path} opened {ran.get('url_pathname')!r}"
    return at


# --- French pages: what a page shows against the English catalogue (issue 14) ---------------------------
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _english_patterns(domain: str) -> list[tuple[str, re.Pattern[str]]]:
    """(msgid, pattern) for every message of ``domain`` whose French differs from its English; a
    placeholder matches any text, so a sentence filled in is found too."""
    from babel.messages.pofile import read_po

    from sahelmap import i18n

    with i18n.po_path("fr", domain).open("rb") as po:
        catalog = read_po(po, locale="fr", domain=domain)
    found = []
    for message in catalog:
        pairs = zip(
            message.id if isinstance(message.id, tuple | list) else (message.id,),
            message.string if isinstance(message.string, tuple | list) else (message.string,),
            strict=False,
        )
        for english, french in pairs:
            if english and english != french:
                literal = PLACEHOLDER.split(english)
                found.append((english, re.compile(".+?".join(re.escape(part) for part in literal), re.S)))
    return found


def page_texts(at: AppTest) -> list[str]:
    """Every interface text an AppTest run shows: headings, text, notices, metric and widget labels, page
    links, and the tables' column headers (Markdown's escapes removed)."""
    texts = [
        str(e.value) for kind in ("title", "header", "subheader", "markdown", "caption") for e in at.get(kind)
    ]
    texts += [str(e.value) for kind in ("info", "warning", "error", "success") for e in at.get(kind)]
    texts += [e.label for e in at.metric] + [link.proto.label for link in at.get("page_link")]
    for kind in ("button", "selectbox", "multiselect", "radio", "toggle", "text_input", "date_input"):
        texts += [e.label for e in at.get(kind)]
    for frame in at.dataframe:
        texts += [c["label"] for c in json.loads(frame.proto.columns or "{}").values() if c.get("label")]
    return [t.replace("\\", "") for t in texts if t]


def english_left(texts: list[str], min_literal: int = 12) -> list[tuple[str, str]]:
    """(English message, text) for each English message a text still holds: an interface message equal
    to a whole text, or with at least ``min_literal`` letters outside its placeholders found inside a
    longer text (a summary built from several sentences); a data word (an event type, an actor group:
    the vocabulary catalogue) found as a whole word anywhere."""
    left = []
    for english, pattern in _english_patterns("sahelmap"):
        long_enough = len("".join(PLACEHOLDER.split(english))) >= min_literal
        left += [(english, t) for t in texts if t == english or (long_enough and pattern.search(t))]
    for english, _pattern in _english_patterns("vocabulary"):
        word = re.compile(r"(?<!\w)" + re.escape(english) + r"(?!\w)")
        left += [(english, t) for t in texts if word.search(t)]
    return left
