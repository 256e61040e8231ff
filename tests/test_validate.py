"""Table-driven validation: a good row passes; each kind of bad row is rejected for the right reason."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from sahelmap.validate import validate
from tests.factories import frame_of, good_row

TODAY = dt.date(2026, 1, 1)


def test_good_row_is_valid_and_typed() -> None:
    result = validate(frame_of(good_row()), "f.csv", today=TODAY)
    assert result.n_rejected == 0 and result.report.empty
    row = result.valid.iloc[0]
    assert row["event_date"] == pd.Timestamp("2022-03-27")
    assert result.valid["event_type"].dtype == "category"
    assert result.valid["fatalities"].dtype == "Int32"
    assert bool(row["civilian_targeting"]) is True


@pytest.mark.parametrize(
    ("change", "column", "reason"),
    [
        ({"event_date": "2022-02-31"}, "event_date", "not a date"),
        ({"event_date": "20222-01-01"}, "event_date", "not a date"),
        ({"event_date": "1990-05-01"}, "event_date", "date outside"),
        ({"event_date": "2030-01-01"}, "event_date", "date outside"),
        ({"event_date": ""}, "event_date", "is empty"),
        ({"end_date": "2022-03-20"}, "end_date", "before event_date"),
        ({"latitude": "abc"}, "latitude", "not a number"),
        ({"latitude": "48.85", "longitude": "2.35"}, "latitude", "outside Mali"),
        ({"latitude": "-4.05", "longitude": "14.1"}, "latitude", "look swapped"),
        ({"longitude": "nan"}, "longitude", "not a number"),
        ({"fatalities": "-3"}, "fatalities", "negative"),
        ({"fatalities": "2.5"}, "fatalities", "not a whole number"),
        ({"fatalities": "many"}, "fatalities", "not a number"),
        ({"fatalities": "1" + "0" * 5000}, "fatalities", "too many digits"),
        ({"source_date": "yesterday"}, "source_date", "not a date"),
        ({"event_type": "War"}, "event_type", "not one of ACLED's 6"),
        ({"sub_event_type": "Massacre"}, "sub_event_type", "not one of ACLED's 25"),
        ({"sub_event_type": "Armed clash"}, "sub_event_type", "does not belong to event_type"),
        ({"time_precision": "4"}, "time_precision", "not 1, 2 or 3"),
        ({"geo_precision": "0"}, "geo_precision", "not 1, 2 or 3"),
        ({"source": "  "}, "source", "is empty"),
        ({"actor1": ""}, "actor1", "is empty"),
        ({"civilian_targeting": "perhaps"}, "civilian_targeting", "not true/false"),
    ],
)
def test_bad_row_is_rejected_with_reason(change: dict[str, str], column: str, reason: str) -> None:
    raw = frame_of(good_row(event_id="ok"), good_row(**change))
    result = validate(raw, "f.csv", today=TODAY)
    assert list(result.valid["event_id"]) == ["ok"]
    assert result.rejected["row"].tolist() == [3]
    lines = result.report[result.report["column"] == column]
    assert len(lines) >= 1, result.report.to_string()
    assert lines["reason"].str.contains(reason, regex=False).any(), result.report.to_string()
    assert (lines["file"] == "f.csv").all() and (lines["row"] == 3).all()
    # nothing is lost: the rejected row keeps the user's own values and says why
    assert (
        result.rejected.loc[0, "rejection_reasons"].startswith(column)
        or column in result.rejected.loc[0, "rejection_reasons"]
    )


def test_duplicate_ids_keep_the_first() -> None:
    raw = frame_of(good_row(event_id="X"), good_row(event_id="X"), good_row(event_id="Y"))
    result = validate(raw, "f.csv", today=TODAY)
    assert list(result.valid.index) == [2, 4]
    assert result.report.iloc[0]["row"] == 3 and "duplicate" in result.report.iloc[0]["reason"]


def test_missing_required_columns_reject_the_file_and_name_them() -> None:
    raw = frame_of(good_row()).drop(columns=["source", "latitude"])
    result = validate(raw, "f.csv", today=TODAY)
    assert result.valid.empty and result.n_rejected == 1
    assert set(result.file_errors()["column"]) == {"source", "latitude"}


def test_curated_rows_need_a_dated_titled_source_and_precision() -> None:
    raw = frame_of(good_row(source_title="", time_precision=""))
    assert validate(raw, "f.csv", today=TODAY).n_rejected == 0
    strict = validate(raw, "f.csv", curated=True, today=TODAY)
    assert set(strict.report["column"]) == {"source_title", "time_precision"}


@pytest.mark.parametrize(
    ("date", "order"),
    [
        ("2022-03-27", None),
        ("27 March 2022", None),
        ("27-03-2022", "dmy"),
        ("27.03.2022", "dmy"),
        ("03/27/2022 00:00:00", "mdy"),
        ("3/27/2022", "mdy"),
        ("44647", None),  # an Excel serial day number
    ],
)
def test_accepted_date_formats(date: str, order: str | None) -> None:
    result = validate(frame_of(good_row(event_date=date)), "f.csv", today=TODAY, date_order=order)
    assert result.valid.iloc[0]["event_date"] == pd.Timestamp("2022-03-27")


@pytest.mark.parametrize(
    ("date", "order"), [("27-03-2022", "mdy"), ("03/27/2022", "dmy"), ("3/4/2022", None)]
)
def test_day_month_numbers_are_read_only_in_the_files_order(date: str, order: str | None) -> None:
    result = validate(frame_of(good_row(event_date=date)), "f.csv", today=TODAY, date_order=order)
    assert result.valid.empty
    assert result.report["reason"].iloc[0].startswith("not a date (accepted: YYYY-MM-DD")
    assert result.report["value"].iloc[0] == date


def test_unknown_fatalities_stay_unknown_not_zero() -> None:
    result = validate(frame_of(good_row(fatalities="")), "f.csv", today=TODAY)
    assert result.valid["fatalities"].isna().all()


def test_dataset_label_fills_missing_dataset() -> None:
    result = validate(frame_of(good_row(dataset="")), "f.csv", dataset="upload", today=TODAY)
    assert list(result.valid["dataset"]) == ["upload"]


def test_curated_source_needs_a_date_or_a_url() -> None:
    no_date_no_url = frame_of(good_row(source_date="", source_url=""))
    result = validate(no_date_no_url, "f.csv", curated=True, today=TODAY)
    assert result.report["column"].tolist() == ["source_date"]
    assert "source_url" in result.report["reason"].iloc[0]
    with_url = frame_of(good_row(source_date="", source_url="https://example.org/a"))
    assert validate(with_url, "f.csv", curated=True, today=TODAY).n_rejected == 0


def test_a_point_in_the_box_but_beyond_the_tolerance_of_malis_outline_is_rejected() -> None:
    # Ouagadougou (Burkina Faso) lies inside Mali's bounding box, about 200 km beyond its outline;
    # Tinzaouaten's border post about 0.5 km outside it, within the 10 km tolerance.
    raw = frame_of(
        good_row(event_id="ouaga", latitude="12.37", longitude="-1.52"),
        good_row(event_id="tinza", latitude="19.9456", longitude="2.9181"),
    )
    result = validate(raw, "f.csv", today=TODAY)
    assert result.valid["event_id"].tolist() == ["tinza"]
    assert result.report[["row", "column", "value", "reason"]].astype(str).values.tolist() == [
        [
            "2",
            "latitude, longitude",
            "12.37, -1.52",
            "more than 10 km outside Mali's outline (OCHA COD-AB boundaries)",
        ]
    ]
    assert result.rejected["rejection_reasons"].tolist() == [
        "latitude, longitude: more than 10 km outside Mali's outline (OCHA COD-AB boundaries)"
    ]


def test_a_point_outside_the_box_keeps_the_swapped_hint_and_is_not_checked_again_against_the_outline() -> (
    None
):
    raw = frame_of(good_row(latitude="-4.05", longitude="14.1"))
    result = validate(raw, "f.csv", today=TODAY)
    assert result.report[["column", "reason"]].astype(str).values.tolist() == [
        ["latitude", "latitude outside Mali (latitude and longitude look swapped)"],
        ["longitude", "longitude outside Mali (latitude and longitude look swapped)"],
    ]


def test_a_date_beyond_what_the_table_can_hold_is_rejected_as_outside_the_dates_not_a_crash() -> None:
    raw = frame_of(
        good_row(event_id="a", event_date="3000-01-01"), good_row(event_id="b", event_date="01/01/0001")
    )
    result = validate(raw, "f.csv", today=TODAY)
    assert result.report[["row", "column", "value", "reason"]].astype(str).values.tolist() == [
        ["2", "event_date", "3000-01-01", "date outside 1997-01-01..2026-01-01"],
        ["3", "event_date", "01/01/0001", "date outside 1997-01-01..2026-01-01"],
    ]


def test_problem_sets_are_numbered_in_the_order_of_their_first_row_and_a_prefix_is_a_set_of_its_own() -> None:
    from sahelmap.validate import _problem_sets

    # Rows 2..6: lines (column code, reason code); row 3's set starts as row 2's and goes on.
    rows = np.array([2, 3, 3, 4, 5, 5, 6])
    columns = np.array([0, 0, 1, 0, 1, 0, 0], dtype="int16")
    reasons = np.array([0, 0, 1, 0, 1, 0, 1], dtype="int32")
    sets, codes = _problem_sets(rows, columns, reasons, ["a", "b"], ["bad", "worse"])
    assert codes.tolist() == [0, 1, 0, 2, 3]
    assert [text for _, text in sets] == ["a: bad", "a: bad; b: worse", "b: worse; a: bad", "a: worse"]
    assert sets[1][0] == (("a", "bad"), ("b", "worse"))


def test_text_cleaning_strips_and_reads_missing_words_as_empty_and_counts_only_those() -> None:
    from sahelmap.validate import _cleaned

    given = pd.Series(
        [" na ", "N/A", "Null", "#n/a", "nan", "  ", None, "NAME", " x ", "na\u00efve"],
        dtype="str",
        index=range(5, 15),
    )
    text, words = _cleaned(given)
    assert words == 4  # not "nan", not the blank, not the missing value, not the longer words
    assert text.index.equals(given.index) and text.dtype == given.dtype
    assert text.tolist()[4:] == ["nan", np.nan, np.nan, "NAME", "x", "na\u00efve"]
    assert text.iloc[:4].isna().all()


def test_text_with_nothing_to_clean_is_returned_as_it_is_sharing_its_memory() -> None:
    from sahelmap.validate import _cleaned

    given = pd.Series(["Gao", "Mopti", "a long note, " * 10 + "end"], dtype="str")
    text, words = _cleaned(given)
    assert text.equals(given) and words == 0
    held = [pa.array(s.array).buffers()[2].address for s in (given, text)]  # the characters' buffer
    assert held[0] == held[1]


def test_every_date_column_of_a_row_is_read_and_reported_on_its_own() -> None:
    raw = frame_of(
        good_row(event_id="a", event_date="31/02/2022", end_date="2022-03-30", source_date="x"),
        good_row(event_id="b", end_date="12/03/2022", source_date="2022-03-27"),
    )
    result = validate(raw, "f.csv", today=TODAY, date_order="dmy")
    lines = result.report[["row", "column", "reason"]].astype("str").values.tolist()
    assert [line[:2] for line in lines] == [["2", "event_date"], ["2", "source_date"], ["3", "end_date"]]
    assert lines[0][2].startswith("not a date") and lines[1][2].startswith("not a date")
    assert lines[2][2] == "before event_date"
    assert result.valid.empty
