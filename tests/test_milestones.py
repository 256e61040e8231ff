"""The milestones file: every row sourced and well formed, and a broken row named by row and column."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from sahelmap import milestones
from sahelmap.errors import ReferenceDataError

HEADER = "date,time_precision,label,label_fr,kind,source,source_url,source_date,source_title,notes\n"
GOOD = "2023-11-14,1,Army retakes Kidal,L'armée reprend Kidal,military,AP,,2023-11-14,A headline,A note.\n"


def test_the_bundled_milestones_are_valid_and_in_order() -> None:
    rows = milestones.milestones()
    assert len(rows) >= 15
    assert [m.date for m in rows] == sorted(m.date for m in rows)
    assert all(m.source and m.source_title and (m.source_date or m.source_url) for m in rows)


@pytest.mark.parametrize(
    ("date", "label"),
    [
        ("2012-01-17", None),  # before the first milestone the file needs: checked below
        ("2013-01-11", "Serval"),
        ("2021-12-14", "Timbuktu"),
        ("2022-08-15", "French"),
        ("2023-11-14", "Kidal"),
        ("2023-12-31", "MINUSMA"),
        ("2024-07-25", "Tinzaouaten"),
    ],
)
def test_the_milestones_the_issue_names_are_there(date: str, label: str | None) -> None:
    by_date = {m.date: m for m in milestones.milestones()}
    day = dt.date.fromisoformat(date)
    if label is None:
        assert min(by_date) > day
    else:
        assert label.lower() in by_date[day].label.lower()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("2023-13-01" + GOOD[10:], ":2: date: '2023-13-01' is not a date"),
        (GOOD.replace(",military,", ",rumour,"), ":2: kind: not one of"),
        (GOOD.replace(",2023-11-14,A headline", ",,A headline"), ":2: source_date: empty, and no source_url"),
        (GOOD.replace(",AP,,", ",AP,javascript:alert(1),"), ":2: source_url: not an http(s) link"),
        (GOOD.replace("A headline", ""), ":2: source_title: is empty"),
        (GOOD.replace("Army retakes Kidal", "x" * 46), ":2: label: longer than 45"),
    ],
)
def test_a_bad_row_is_named(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "milestones.csv"
    path.write_text(HEADER + GOOD + line, encoding="utf-8")
    with pytest.raises(ReferenceDataError, match=re.escape(message.replace(":2:", ":3:"))):
        milestones.read_milestones(path)
