"""Links carry the datasets they were made with; a recipient with other data is told (issue 9, item 7)."""

from __future__ import annotations

import pandas as pd

from sahelmap import extract, provenance
from sahelmap.events import EventTable
from sahelmap.filters import FilterSpec
from tests.factories import shared_events


def test_dataset_counts_and_the_data_parameter() -> None:
    events = pd.DataFrame({"dataset": pd.Categorical(["curated", "acled", "acled"])})
    counts = provenance.dataset_counts(events)
    assert counts == {"acled": 2, "curated": 1}
    assert provenance.data_param(counts) == "acled:2,curated:1"
    assert provenance.parse_data("acled:2,curated:1") == (counts, [])


def test_same_data_gives_no_notice_and_a_link_without_the_parameter_says_nothing() -> None:
    assert provenance.notices_for({"data": "acled:7293,curated:266"}, {"acled": 7293, "curated": 266}) == []
    assert provenance.notices_for({"place": "gao"}, {"curated": 266}) == []


def test_each_missing_or_different_dataset_is_named() -> None:
    notices = provenance.notices_for(
        {"data": ["acled:7293,upload-mine:5,curated:266"]}, {"curated": 266, "acled": 7468, "ucdp": 1}
    )
    assert notices == [
        "This link was made with the dataset 'acled' holding 7,293 events; here it holds 7,468 events, "
        "so the numbers shown may differ.",
        "This link was made with the dataset 'upload-mine' (5 events), which is not loaded here: the numbers "
        "shown may differ from the ones the link's author saw.",
        "The dataset 'ucdp' (1 event) is loaded here but the link was made without it: the numbers shown may "
        "differ.",
    ]


def test_an_unreadable_or_oversized_data_parameter_is_said_and_bounded() -> None:
    linked, notices = provenance.parse_data("acled:12,<script>:1,curated:x,,curated:3")
    assert linked == {"acled": 12, "curated": 3}
    assert notices == ["2 entries of the link's 'data' parameter could not be read (expected label:events)"]
    many = ",".join(f"d{i}:1" for i in range(provenance.MAX_DATASETS + 5))
    linked, notices = provenance.parse_data(many)
    assert len(linked) == provenance.MAX_DATASETS
    assert notices == ["the link names more than 50 datasets; the first 50 were compared"]


def test_the_cli_reads_a_pasted_link_with_its_data_parameter_strictly() -> None:
    table = EventTable(shared_events(), pd.DataFrame(), ("curated",), {"curated": "curated"})
    spec, notices = extract.spec_from_query_string("?place=gao&data=curated:12,acled:5", table, strict=True)
    assert spec == FilterSpec(place=("Gao",)) and notices == []
