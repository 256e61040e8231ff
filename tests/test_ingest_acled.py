"""ACLED reader: every layout (current, 2020-era, legacy, HDX with HXL tags, API JSON) on synthetic files.

Every event here is invented for the test; no ACLED row is copied. Headers are ACLED's column names.
"""

from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pyarrow as pa
import pytest

from sahelmap.ingest import acled
from sahelmap.ingest.registry import read_dataset
from sahelmap.ingest.textfile import ReadError
from tests.factories import BASE, CURRENT, ERA_2020, LEGACY, LEGACY_V7, acled_csv, event


def ingest(data: bytes, name: str = "acled.csv", fmt: str = "auto"):
    return read_dataset(data, name, fmt=fmt)


# --- the three generations ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "generation"),
    [(CURRENT, "current"), (ERA_2020, "2020"), (LEGACY, "legacy"), (LEGACY_V7, "legacy")],
    ids=["current", "2020-era", "legacy", "legacy-v7-capitals"],
)
def test_each_generation_is_detected_and_read(header: list[str], generation: str) -> None:
    legacy = "sub_event_type" not in header
    kind = {"event_type": "Battle-No change of territory"} if legacy else {}
    second = event(event_id_cnty="MLI90002", event_date="2022-03-13", **kind)
    ingested = ingest(acled_csv(header, event(**kind), second))
    assert acled.generation(header) == generation
    assert ingested.format == "acled"
    result = ingested.result
    assert result.n_rejected == 0, result.report.to_string()
    first = result.valid.iloc[0]
    assert first["event_id"] == "MLI90001"
    assert first["dataset"] == "acled"
    assert first["event_date"] == pd.Timestamp("2022-03-12")
    assert (first["event_type"], first["sub_event_type"]) == ("Battles", "Armed clash")
    assert first["assoc_actor_1"] == "Wagner Group"  # ally_actor_1 in the oldest layout
    assert (first["location"], first["admin1"], first["admin2"]) == ("Sofara", "Mopti", "Djenne")
    assert (first["latitude"], first["longitude"]) == (14.0167, -4.2425)
    assert first["fatalities"] == 4
    assert first["source"] == "Studio Tamani; Menastream"
    assert first["notes"].startswith("Synthetic: soldiers")
    assert pd.isna(first["source_url"]) and pd.isna(first["source_title"])
    assert bool(first["civilian_targeting"]) is False
    has_timestamp = "timestamp" in header
    assert (first["timestamp"] == 1650000000) if has_timestamp else pd.isna(first["timestamp"])
    assert result.valid["event_date"].iloc[1] == pd.Timestamp("2022-03-13")


@pytest.mark.parametrize(
    ("given", "expected"),
    [("Civilian targeting", True), ("", False), ("civilian targeting", True)],
)
def test_current_civilian_targeting_column(given: str, expected: bool) -> None:
    row = event(event_type="Violence against civilians", sub_event_type="Attack", civilian_targeting=given)
    result = ingest(acled_csv(CURRENT, row)).result
    assert result.n_rejected == 0
    assert bool(result.valid["civilian_targeting"].iloc[0]) is expected


@pytest.mark.parametrize("header", [ERA_2020, LEGACY], ids=["2020-era", "legacy"])
@pytest.mark.parametrize(
    ("event_type", "sub_event_type", "targeted"),
    [
        ("Violence against civilians", "Attack", True),
        ("Battles", "Armed clash", False),
        ("Strategic developments", "Other", False),
    ],
)
def test_older_files_derive_civilian_targeting(
    header: list[str], event_type: str, sub_event_type: str, targeted: bool
) -> None:
    if header is LEGACY:  # the legacy names of the same types
        event_type = {
            "Battles": "Battle-No change of territory",
            "Strategic developments": "Strategic development",
        }.get(event_type, event_type)
    row = event(event_type=event_type, sub_event_type=sub_event_type)
    result = ingest(acled_csv(header, row)).result
    assert result.n_rejected == 0, result.report.to_string()
    assert bool(result.valid["civilian_targeting"].iloc[0]) is targeted


# --- legacy event types -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "changes", "new_type", "new_sub"),
    [
        ("Battle-No change of territory", {}, "Battles", "Armed clash"),
        ("Battle-Government regains territory", {}, "Battles", "Government regains territory"),
        ("Battle-Non-state actor overtakes territory", {}, "Battles", "Non-state actor overtakes territory"),
        ("BATTLE-NO CHANGE OF TERRITORY", {}, "Battles", "Armed clash"),
        ("Remote violence", {}, "Explosions/Remote violence", "Remote explosive/landmine/IED"),
        ("Riots/Protests", {"actor1": "Protesters (Mali)", "inter1": "6"}, "Protests", "Peaceful protest"),
        ("Riots/Protests", {"actor1": "Rioters (Mali)", "inter1": "5"}, "Riots", "Violent demonstration"),
        ("Riots/Protests", {"actor1": "Youths", "inter1": "Rioters"}, "Riots", "Violent demonstration"),
        ("Violence against civilians", {}, "Violence against civilians", "Attack"),
        ("Strategic development", {}, "Strategic developments", "Other"),
        (
            "Headquarters or base established",
            {},
            "Strategic developments",
            "Headquarters or base established",
        ),
        (
            "Non-violent transfer of territory",
            {},
            "Strategic developments",
            "Non-violent transfer of territory",
        ),
    ],
)
def test_legacy_event_types_map_to_the_current_taxonomy(
    old: str, changes: dict[str, str], new_type: str, new_sub: str
) -> None:
    result = ingest(acled_csv(LEGACY, event(event_type=old, **changes))).result
    assert result.n_rejected == 0, result.report.to_string()
    row = result.valid.iloc[0]
    assert (row["event_type"], row["sub_event_type"]) == (new_type, new_sub)


def test_every_legacy_mapping_lands_in_the_taxonomy() -> None:
    from sahelmap import schema

    for old, (event_type, sub_event_type) in acled.LEGACY_EVENT_TYPES.items():
        assert schema.PARENT_TYPE[sub_event_type] == event_type, old
    assert schema.PARENT_TYPE[acled.LEGACY_RIOT[1]] == acled.LEGACY_RIOT[0]


def test_unknown_legacy_type_is_rejected_showing_the_value() -> None:
    result = ingest(acled_csv(LEGACY, event(event_type="Battle-Stalemate"))).result
    assert result.n_rejected == 1
    line = result.report[result.report["column"] == "event_type"].iloc[0]
    assert line["value"] == "Battle-Stalemate" and "not one of ACLED's 6" in line["reason"]


def test_old_type_in_a_current_file_is_rejected_not_guessed() -> None:
    row = event(event_type="Remote violence", sub_event_type="")
    result = ingest(acled_csv(CURRENT, row)).result
    assert result.n_rejected == 1
    assert set(result.report["column"]) >= {"event_type", "sub_event_type"}


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("2", "2"),
        ("2.0", "2"),
        ("State forces", "1"),
        ("Rebel group", "2"),
        ("Political militia", "3"),
        ("Identity militia", "4"),
        ("rioters", "5"),
        ("Protesters", "6"),
        ("Civilians", "7"),
        ("External/Other forces", "8"),
        ("", ""),
        ("Something else", "Something else"),
    ],
)
def test_inter_codes_from_numbers_or_labels(given: str, code: str) -> None:
    assert acled.inter_codes(pd.Series([given], dtype="str")).iloc[0] == code


# --- dates, HXL, rows --------------------------------------------------------------------------


@pytest.mark.parametrize("written", ["01 March 2023", "2023-03-01"])
def test_date_formats(written: str) -> None:
    result = ingest(acled_csv(CURRENT, event(event_date=written))).result
    assert result.n_rejected == 0
    assert result.valid["event_date"].iloc[0] == pd.Timestamp("2023-03-01")


def test_a_file_of_ambiguous_day_month_numbers_needs_the_order() -> None:
    data = acled_csv(CURRENT, event(event_date="01-03-2023"))
    with pytest.raises(ReadError, match=r"can be day-first or month-first.*--date-order dmy"):
        ingest(data)
    result = read_dataset(data, "acled.csv", date_order="dmy").result
    assert result.valid["event_date"].tolist() == [pd.Timestamp("2023-03-01")]
    result = read_dataset(data, "acled.csv", date_order="mdy").result
    assert result.valid["event_date"].tolist() == [pd.Timestamp("2023-01-03")]


def test_hxl_row_is_dropped_and_row_numbers_stay_the_spreadsheets() -> None:
    rows = [event(event_id_cnty=f"MLI9000{i}") for i in range(1, 4)]
    rows[1]["latitude"] = "48.85"  # outside Mali: the 2nd event, on spreadsheet row 4 (header, tags, event 1)
    result = ingest(acled_csv(CURRENT, *rows, hxl=True)).result
    assert result.rows_read == 3
    assert list(result.valid["event_id"]) == ["MLI90001", "MLI90003"]
    assert list(result.valid.index) == [3, 5]
    assert result.report["row"].tolist() == [4]
    assert result.rejected["row"].tolist() == [4]


def test_a_first_row_that_is_an_event_is_kept() -> None:
    result = ingest(acled_csv(CURRENT, event(event_id_cnty="#1"))).result  # odd id, but not an HXL row
    assert result.rows_read == 1 and len(result.valid) == 1


def test_duplicate_event_ids_are_rejected() -> None:
    result = ingest(acled_csv(CURRENT, event(), event())).result
    assert result.n_rejected == 1 and "duplicate" in result.report["reason"].iloc[0]


# --- the API's JSON -----------------------------------------------------------------------------


def api_record(**changes: object) -> dict[str, object]:
    record: dict[str, object] = {c: BASE[c] for c in CURRENT}
    record.update(
        latitude=14.0167,
        longitude=-4.2425,
        fatalities=4,
        timestamp=1650000000,
        inter1=1,
        inter2=2,
        time_precision=1,
        geo_precision=1,
        event_date="2022-03-12",
    )
    record.update(changes)
    return record


@pytest.mark.parametrize(
    "payload",
    [
        {
            "status": 200,
            "success": True,
            "count": 2,
            "data": [api_record(), api_record(event_id_cnty="MLI90002")],
        },
        [
            api_record(inter1="State forces", inter2="Rebel group"),
            api_record(event_id_cnty="MLI90002", inter1="State forces", inter2="Rebel group"),
        ],
        {
            "data": [
                api_record(
                    inter1="1", inter2="2", fatalities="4", latitude="14.0167", timestamp=1650000000.0
                ),
                api_record(event_id_cnty="MLI90002"),
            ]
        },
    ],
    ids=["object-numeric-inter", "bare-list-label-inter", "strings-and-floats"],
)
def test_api_json(payload: object) -> None:
    ingested = ingest(json.dumps(payload).encode(), "acled.json")
    assert ingested.format == "acled"
    result = ingested.result
    assert result.n_rejected == 0, result.report.to_string()
    row = result.valid.iloc[0]
    assert row["event_id"] == "MLI90001" and row["event_date"] == pd.Timestamp("2022-03-12")
    assert (row["latitude"], row["fatalities"], row["timestamp"]) == (14.0167, 4, 1650000000)
    assert list(result.valid.index) == [1, 2]  # events numbered from 1 in file order


def test_api_json_legacy_riot_by_label() -> None:
    records = [
        {
            k: v
            for k, v in api_record(event_type="Riots/Protests", actor1="Youths", inter1="Rioters").items()
            if k not in ("sub_event_type", "civilian_targeting", "disorder_type")
        }
    ]
    row = ingest(json.dumps({"data": records}).encode(), "old.json").result.valid.iloc[0]
    assert (row["event_type"], row["sub_event_type"]) == ("Riots", "Violent demonstration")


def test_json_reader_numbers_and_nulls_as_text() -> None:
    frame = acled.read_acled_json(
        json.dumps([{"a": 2.0, "b": 16.1739, "c": None, "d": True, "e": [1]}]).encode(), "x.json"
    )
    assert frame.iloc[0].tolist() == ["2", "16.1739", "", "true", "[1]"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"error": {"status": 403, "message": "Access denied"}}', "without a 'data' list"),
        (b'{"data": []}', "holds no events"),
        (b'{"data": [1, 2]}', "not a list of events"),
    ],
)
def test_bad_json_is_a_read_error(data: bytes, message: str) -> None:
    with pytest.raises(ReadError, match=message):
        ingest(data, "api.json")


# --- detection, encodings ---------------------------------------------------------------------


def test_unknown_columns_name_what_is_expected() -> None:
    with pytest.raises(ReadError) as error:
        ingest(b"name,value\na,1\n", "other.csv")
    message = str(error.value)
    assert "match no known format" in message
    assert "event_id_cnty" in message and "type_of_violence" in message and "best_est" in message


def test_forced_format_that_does_not_fit_is_a_read_error() -> None:
    with pytest.raises(ReadError, match="not a ucdp file: expected UCDP GED columns"):
        ingest(acled_csv(CURRENT, event()), fmt="ucdp")


@pytest.mark.parametrize(
    ("encode", "notice"),
    [
        (lambda text: text.encode("utf-8"), None),
        (lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"), None),
        (lambda text: text.encode("cp1252"), "read as"),
        (lambda text: text.replace(",", ";").encode("utf-8"), "separated by ';'"),
    ],
    ids=["utf-8", "utf-8-bom-crlf", "windows-1252", "semicolons"],
)
def test_spreadsheet_encodings(encode, notice: str | None) -> None:
    text = acled_csv(
        CURRENT,
        event(
            location="Ségou",
            admin1="Segou",
            admin2="Segou",
            latitude="13.44",
            longitude="-6.26",
            notes="Synthetic, in Ségou",
            source="Studio Tamani",
        ),
    ).decode()
    ingested = ingest(encode(text))
    assert ingested.result.n_rejected == 0, ingested.result.report.to_string()
    assert ingested.result.valid["location"].iloc[0] == "Ségou"
    assert (notice is None) == (not ingested.notices), ingested.notices
    if notice:
        assert any(notice in n for n in ingested.notices)


@pytest.mark.parametrize("data", [b"", b"  \n\r\n", b"\xef\xbb\xbf\n"])
def test_empty_file_is_a_read_error(data: bytes) -> None:
    with pytest.raises(ReadError, match="empty"):
        ingest(data)


def test_a_short_row_is_rejected_not_the_file() -> None:
    """Arrow's fast parser refuses a row with too few fields; the C parser then reads the file."""
    data = acled_csv(CURRENT, event(), event(event_id_cnty="MLI90002")) + b"MLI90003,01 March 2023\n"
    result = ingest(data).result
    assert result.rows_read == 3 and len(result.valid) == 2
    assert result.rejected["row"].tolist() == [4]
    assert "is empty" in result.report["reason"].iloc[0]


def test_the_fast_parser_reads_what_the_c_parser_reads() -> None:
    from sahelmap.ingest import textfile

    data = acled_csv(
        CURRENT, event(notes='Quoted "words", a line\nbreak', assoc_actor_1="NA"), event(tags="null")
    )
    names, chunks = textfile._arrow_chunks(data, ",", None)
    fast = pd.concat(chunk.frame(names) for chunk in chunks)
    slow = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, na_filter=False, engine="c")
    slow.index = slow.index + textfile.FIRST_DATA_ROW
    pd.testing.assert_frame_equal(fast, slow, check_index_type=False)
    with pytest.raises(pa.ArrowInvalid):  # Arrow refuses it: the C parser reads it, from the start
        list(textfile._arrow_chunks(data + b"short,row\n", ",", None)[1])
    stream = textfile.open_text_table(data + b"short,row\n", "x.csv")
    chunks = [chunk for chunk in stream.chunks if chunk is not textfile.RESTART]
    assert [c.rows for c in chunks] == [3] and chunks[0].frame(stream.columns).index.tolist() == [2, 3, 4]


def test_quoted_line_breaks_keep_record_row_numbers() -> None:
    rows = [event(notes="Line one\nline two"), event(event_id_cnty="MLI90002", fatalities="-1")]
    result = ingest(acled_csv(CURRENT, *rows)).result
    assert result.valid["notes"].iloc[0] == "Line one\nline two"
    assert result.report["row"].tolist() == [3]


def test_today_bound_still_applies() -> None:
    tomorrow = (dt.date.today() + dt.timedelta(days=2)).isoformat()
    result = ingest(acled_csv(CURRENT, event(event_date=tomorrow))).result
    assert result.n_rejected == 1 and "date outside 1997-01-01" in result.report["reason"].iloc[0]
