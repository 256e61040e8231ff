"""UCDP GED reader: both CSV layouts, the mapping tables, multi-line quoted fields; synthetic events only."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from sahelmap import schema
from sahelmap.ingest import ucdp
from sahelmap.ingest.registry import read_dataset
from tests.factories import BULK, DOWNLOAD, ucdp_csv, ucdp_event


def ingest(data: bytes, name: str = "ged.csv"):
    return read_dataset(data, name)


def one(data: bytes) -> pd.Series:
    result = ingest(data).result
    assert result.n_rejected == 0, result.report.to_string()
    return result.valid.iloc[0]


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        (DOWNLOAD, "02/01/2013 00:00:00", "02/03/2013 00:00:00"),
        (BULK, "2013-02-01", "2013-02-03"),
        (BULK, "2013-02-01 00:00:00.000", "2013-02-03 00:00:00.000"),
    ],
    ids=["download-page", "bulk-iso", "bulk-iso-midnight"],
)
def test_both_layouts_read_the_same_event(header: list[str], start: str, end: str) -> None:
    ingested = ingest(ucdp_csv(header, ucdp_event(date_start=start, date_end=end)))
    assert ingested.format == "ucdp"
    result = ingested.result
    assert result.n_rejected == 0, result.report.to_string()
    row = result.valid.iloc[0]
    assert row["event_id"] == "UCDP-900001" and row["dataset"] == "ucdp"
    assert row["event_date"] == pd.Timestamp("2013-02-01") and row["end_date"] == pd.Timestamp("2013-02-03")
    assert (row["event_type"], row["sub_event_type"]) == ("Battles", "Armed clash")
    assert (row["actor1"], row["actor2"]) == ("Government of Mali", "JNIM")
    assert (row["location"], row["admin1"], row["admin2"]) == ("Gao", "Gao", "Gao")
    assert (row["latitude"], row["longitude"]) == (16.271667, -0.044722)
    assert row["fatalities"] == 8
    assert row["source"] == "Agence Test, 2013-02-01, Clashes near Gao"
    assert row["source_title"] == "Clashes near Gao"
    assert row["source_date"] == pd.Timestamp("2013-02-01")  # the earliest of the listed dates
    assert pd.isna(row["timestamp"])


def test_end_date_only_when_it_differs() -> None:
    assert pd.isna(one(ucdp_csv(DOWNLOAD, ucdp_event()))["end_date"])


@pytest.mark.parametrize(
    ("code", "event_type", "sub_event_type", "targeted", "label"),
    [
        ("1", "Battles", "Armed clash", False, "State-based conflict"),
        ("2", "Battles", "Armed clash", False, "Non-state conflict"),
        ("3", "Violence against civilians", "Attack", True, "One-sided violence"),
    ],
)
def test_type_of_violence(
    code: str, event_type: str, sub_event_type: str, targeted: bool, label: str
) -> None:
    row = one(ucdp_csv(DOWNLOAD, ucdp_event(type_of_violence=code)))
    assert (row["event_type"], row["sub_event_type"]) == (event_type, sub_event_type)
    assert bool(row["civilian_targeting"]) is targeted
    assert row["notes"].startswith(label + ": Government of Mali v JNIM at Gao town")


def test_unknown_type_of_violence_is_rejected_with_its_value() -> None:
    result = ingest(ucdp_csv(DOWNLOAD, ucdp_event(type_of_violence="4"))).result
    assert result.n_rejected == 1
    line = result.report[result.report["column"] == "event_type"].iloc[0]
    assert line["value"] == "UCDP type_of_violence 4"


@pytest.mark.parametrize(("date_prec", "expected"), [("1", 1), ("2", 2), ("3", 2), ("4", 3), ("5", 3)])
def test_date_precision(date_prec: str, expected: int) -> None:
    assert one(ucdp_csv(DOWNLOAD, ucdp_event(date_prec=date_prec)))["time_precision"] == expected


@pytest.mark.parametrize(
    ("where_prec", "expected"), [("1", 1), ("2", 2), ("3", 2), ("4", 3), ("5", 3), ("6", 3), ("7", 3)]
)
def test_where_precision(where_prec: str, expected: int) -> None:
    assert one(ucdp_csv(DOWNLOAD, ucdp_event(where_prec=where_prec)))["geo_precision"] == expected


def test_precision_tables_cover_ucdps_codes_with_canonical_values() -> None:
    assert set(ucdp.DATE_PRECISION) == {"1", "2", "3", "4", "5"}
    assert set(ucdp.WHERE_PRECISION) == {str(i) for i in range(1, 8)}
    assert {int(v) for v in ucdp.DATE_PRECISION.values()} <= set(schema.TIME_PRECISION)
    assert {int(v) for v in ucdp.WHERE_PRECISION.values()} <= set(schema.GEO_PRECISION)


def test_unknown_precision_code_is_rejected() -> None:
    result = ingest(ucdp_csv(DOWNLOAD, ucdp_event(where_prec="9"))).result
    assert result.n_rejected == 1 and result.report["column"].tolist() == ["geo_precision"]


def test_estimates_and_civilian_deaths_go_to_notes() -> None:
    notes = one(ucdp_csv(DOWNLOAD, ucdp_event()))["notes"]
    assert notes.endswith("UCDP deaths: best 8, low 6, high 12, of them civilians 2.")


@pytest.mark.parametrize(
    ("field", "given", "column", "expected"),
    [
        ("adm_1", "Ménaka region", "admin1", "Menaka"),
        ("adm_1", "Segou Region", "admin1", "Segou"),
        ("adm_2", "Koro Cercle", "admin2", "Koro"),
        ("adm_2", "Abeïbara cercle", "admin2", "Abeibara"),
        ("adm_2", "Djenné cercle", "admin2", "Djenne"),
        ("where_coordinates", "Ti-n-Zaouatene town", "location", "Ti-n-Zaouatene"),
        ("where_coordinates", "Aguelhok village", "location", "Aguelhok"),
        ("where_coordinates", "Bamako city", "location", "Bamako"),
        # A point placed only in a region is not an event in the region's capital.
        ("where_coordinates", "Gao region", "location", "Gao region"),
        ("where_coordinates", "I-n-Déliman well", "location", "I-n-Déliman well"),
    ],
)
def test_place_names(field: str, given: str, column: str, expected: str) -> None:
    assert one(ucdp_csv(DOWNLOAD, ucdp_event(**{field: given})))[column] == expected


@pytest.mark.parametrize(
    ("changes", "source"),
    [
        ({"source_article": "", "source_office": "Test Office"}, "Test Office"),
        ({"source_article": "", "source_office": ""}, "UCDP GED"),
        ({"source_article": "Agence Test,\n  2013-02-01,\tClashes"}, "Agence Test, 2013-02-01, Clashes"),
    ],
)
def test_source_fallbacks_and_one_line(changes: dict[str, str], source: str) -> None:
    assert one(ucdp_csv(DOWNLOAD, ucdp_event(**changes)))["source"] == source


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2013-02-03;2013-02-01", "2013-02-01"),
        ("1753-01-01;2013-02-04", "2013-02-04"),  # UCDP's "unknown date" placeholder is skipped
        ("1753-01-01", None),
        ("", None),
    ],
)
def test_source_date(given: str, expected: str | None) -> None:
    value = one(ucdp_csv(DOWNLOAD, ucdp_event(source_date=given)))["source_date"]
    assert (pd.isna(value) and expected is None) or value == pd.Timestamp(str(expected))


def test_multiline_quoted_fields_keep_record_row_numbers() -> None:
    rows = [
        ucdp_event(
            id="1", source_headline="Three killed\nCR \tVoice of Test", source_article='"Agency,\n2013"'
        ),
        ucdp_event(id="2", latitude="48.85"),  # the 2nd record: spreadsheet row 3, though the file's 4th line
        ucdp_event(id="3"),
    ]
    data = ucdp_csv(DOWNLOAD, *rows)
    assert data.count(b"\n") > 4  # the quoted line breaks are really in the file
    result = ingest(data).result
    assert result.rows_read == 3
    assert result.report["row"].tolist() == [3]
    assert list(result.valid["event_id"]) == ["UCDP-1", "UCDP-3"]
    first = result.valid.iloc[0]
    assert first["source_title"] == "Three killed CR Voice of Test"
    assert first["source"] == '"Agency, 2013"'


def test_hxl_row_is_dropped() -> None:
    text = ucdp_csv(DOWNLOAD, ucdp_event()).decode()
    header, rest = text.split("\r\n", 1)
    tags = ",".join(
        "#event+code" if c == "id" else ("#date+start" if c == "date_start" else "") for c in DOWNLOAD
    )
    result = ingest(f"{header}\r\n{tags}\r\n{rest}".encode()).result
    assert result.rows_read == 1 and result.n_rejected == 0
    assert list(result.valid.index) == [3]


# --- the earliest date: UCDP's events from 1989 on are real ---------------------------------------


@pytest.mark.parametrize(
    ("start", "accepted"),
    [("06/28/1990 00:00:00", True), ("01/01/1989 00:00:00", True), ("12/31/1988 00:00:00", False)],
)
def test_ucdp_rows_before_1997_are_accepted_from_1989(start: str, accepted: bool) -> None:
    result = ingest(ucdp_csv(DOWNLOAD, ucdp_event(date_start=start, date_end=start, source_date=""))).result
    assert (result.n_rejected == 0) is accepted, result.report.to_string()
    if not accepted:
        assert "date outside 1989-01-01" in result.report["reason"].iloc[0]


def test_other_formats_keep_acleds_1997_floor() -> None:
    from sahelmap.validate import validate

    row = {
        "event_id": "X-1",
        "event_date": "1990-06-28",
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "actor1": "A",
        "location": "Gao",
        "latitude": "16.27",
        "longitude": "-0.04",
        "source": "S",
    }
    frame = pd.DataFrame([row], dtype="str", index=[2])
    assert validate(frame, "f.csv", today=dt.date(2026, 1, 1)).n_rejected == 1
    early = validate(frame, "f.csv", today=dt.date(2026, 1, 1), earliest=schema.UCDP_EARLIEST_DATE)
    assert early.n_rejected == 0


def test_detection_needs_the_fatality_column_of_one_layout() -> None:
    assert ucdp.looks_ucdp(DOWNLOAD) and ucdp.looks_ucdp(BULK)
    assert not ucdp.looks_ucdp([c for c in DOWNLOAD if c != "best_est"])
    assert ucdp.fatality_columns(BULK) == ("best", "high", "low")
    assert ucdp.fatality_columns(DOWNLOAD) == ("best_est", "high_est", "low_est")
