"""Fuzzed URLs: whatever a link holds, the filter language gives a FilterSpec and notices, never a crash.

Property tests (hypothesis) over ``filters.parse_query`` with any text keys and values, repeated keys,
unicode, NUL bytes and very long strings; then the page itself run with random invalid links.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sahelmap import filters, schema
from sahelmap.events import load_events
from sahelmap.filters import FilterSpec, QueryError
from tests.apptest_helpers import metric, run_app, warnings_text
from tests.factories import choices_from

pytestmark = pytest.mark.filterwarnings("ignore")

KEYS = list(filters.BY_KEY)
# Values the language knows, so that random combinations reach past the first check.
TOKENS = [
    "2022-01",
    "2024-12-31",
    "2022-13",
    "0000-01",
    "２０２２-01",
    "wagner",
    "jnim",
    "Wagner / Africa Corps",
    "battles",
    "air-drone-strike",
    "gao",
    "Tombouctou",
    "elsewhere",
    "Mopti",
    "curated",
    "1",
    "0",
    "true",
    "999999",
    "1000000",
    "-1",
    "",
    " ",
    ",",
]
# Any text: unicode of every category, NUL and other control characters included.
any_text = st.text(max_size=60)
long_text = st.builds(lambda chunk, n: chunk * n, st.text(min_size=1, max_size=8), st.integers(100, 20_000))
value_text = st.one_of(
    any_text,
    st.sampled_from(TOKENS),
    st.lists(st.one_of(st.sampled_from(TOKENS), any_text), min_size=1, max_size=5).map(",".join),
    long_text,
)
values = st.one_of(value_text, st.lists(value_text, max_size=4))
params_strategy = st.dictionaries(st.one_of(st.sampled_from(KEYS), any_text, long_text), values, max_size=8)
known_strategy = st.fixed_dictionaries(
    {},
    optional={
        "region": st.lists(st.one_of(st.sampled_from(["Mopti", "Gao", "Ségou"]), any_text), max_size=4),
        "dataset": st.lists(st.one_of(st.sampled_from(["curated", "acled"]), any_text), max_size=3),
    },
)
QUICK = settings(max_examples=300, deadline=None, database=None)


@QUICK
@given(params=params_strategy, known=known_strategy)
def test_any_query_gives_a_spec_and_notices(params, known) -> None:
    spec, notices = filters.parse_query(params, choices_from(known))
    assert isinstance(spec, FilterSpec)
    assert isinstance(notices, list) and all(isinstance(n, str) for n in notices)
    assert len(spec.q) <= filters.MAX_TEXT_LENGTH and len(spec.actor_name) <= filters.MAX_TEXT_LENGTH
    assert set(spec.actor) <= set(schema.ACTOR_GROUPS)
    assert set(spec.type) <= set(schema.EVENT_TYPES)
    assert set(spec.place) <= {*schema.FOCUS_PLACES, filters.ELSEWHERE}
    assert 0 <= spec.min_deaths <= 999_999
    assert not (spec.start and spec.end and spec.start > spec.end)
    for notice in notices:  # a notice quotes at most a bounded piece of what it was given
        assert len(notice) < 600


@QUICK
@given(params=params_strategy, known=known_strategy)
def test_strict_raises_only_query_error_and_exactly_when_a_link_would_be_ignored(params, known) -> None:
    lenient, notices = filters.parse_query(params, choices_from(known))
    ignored = any(n.startswith("ignored") for n in notices)
    try:
        strict, _ = filters.parse_query(params, choices_from(known), strict=True)
    except QueryError as error:
        assert ignored, f"strict refused what the app accepts without a notice: {error}"
    else:
        assert not ignored, notices
        assert strict == lenient


@QUICK
@given(params=params_strategy, known=known_strategy)
@example(params={"q": "a " * 150}, known={})  # cut at a space: found by this test, once
def test_a_parsed_query_survives_the_round_trip_through_a_url(params, known) -> None:
    spec, _ = filters.parse_query(params, choices_from(known))
    again, notices = filters.parse_query(filters.to_query(spec), choices_from(known))
    assert notices == []
    assert again == spec


@settings(max_examples=100, deadline=None, database=None)
@given(text=st.text(min_size=1), repeat=st.integers(1, 200_000))
def test_huge_text_values_are_cut_with_a_notice(text, repeat) -> None:
    value = (text * repeat)[:400_000]
    spec, notices = filters.parse_query({"q": value, "actor_name": [value, value]})
    assert len(spec.q) <= filters.MAX_TEXT_LENGTH and len(spec.actor_name) <= filters.MAX_TEXT_LENGTH
    if len(value.strip()) > filters.MAX_TEXT_LENGTH:
        assert "'q' was cut to 200 characters" in notices


# --- the page, run with random invalid links -------------------------------------------------------

VALIDATED_KEYS = [
    k for k in KEYS if k not in {f.key for f in filters.FILTERS if f.free_text}
]  # free text is never invalid
STREAMLIT_RESERVED = {"embed", "embed_options"}  # st.query_params hides these from the app
# "zz" makes the first value of a validated parameter invalid, whatever follows it.
invalid_value_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40).map(
    lambda tail: "zz" + tail
)
invalid_values = st.one_of(
    invalid_value_text,
    st.tuples(invalid_value_text, st.lists(st.text(max_size=20), max_size=3)).map(lambda t: [t[0], *t[1]]),
)
unknown_key = st.text(min_size=1, max_size=40).filter(
    lambda k: k not in filters.BY_KEY and k.lower() not in STREAMLIT_RESERVED
)
invalid_params = st.dictionaries(
    st.one_of(st.sampled_from(VALIDATED_KEYS), unknown_key),
    st.one_of(invalid_values, st.text(max_size=40)),
    min_size=1,
    max_size=5,
).map(
    # an unknown key is ignored whatever its value; a validated one needs an invalid value
    lambda d: {
        k: (v if k not in filters.BY_KEY or _starts_invalid(v) else "zz" + str(v)) for k, v in d.items()
    }
)


def _starts_invalid(value: str | list[str]) -> bool:
    first = value[0] if isinstance(value, list) else value
    return first.startswith("zz")


@pytest.fixture(scope="module")
def default_count() -> int:
    return len(load_events().events)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(params=invalid_params)
def test_the_app_ignores_invalid_links_with_a_notice(params, default_count) -> None:
    at = run_app(**params)
    assert not at.exception, at.exception
    text = warnings_text(at)
    assert text.count("ignored parameter") == len(params), (params, text)
    assert metric(at, "Events") == default_count


def test_the_invalid_params_strategy_only_draws_invalid_links() -> None:
    """The app test above relies on it: every parameter it draws must be ignored."""

    @settings(max_examples=200, deadline=None, database=None)
    @given(params=invalid_params)
    def check(params) -> None:
        known = {"region": ["Mopti", "Gao"], "dataset": ["curated"]}
        spec, notices = filters.parse_query(params, choices_from(known))
        assert spec == FilterSpec()
        assert sum(n.startswith("ignored parameter") for n in notices) == len(params)

    check()


@pytest.mark.slow
def test_markup_in_a_link_is_shown_as_text() -> None:
    at = run_app(**{"zz<b>key": "1", "from": "zz" + string.punctuation})
    raw = " ".join(str(w.value) for w in at.warning)
    assert r"ignored parameter 'zz\<b\>key'" in raw  # escaped: markdown shows <b>, it does not bold
    assert "ignored parameter 'from'" in warnings_text(at)
