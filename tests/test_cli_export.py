"""`sahelmap export`: the app's extract for a query string, from the command line."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sahelmap import extract
from sahelmap.cli import main
from sahelmap.events import load_events
from sahelmap.filters import FilterSpec

QUERY = "actor=wagner&place=gao,kidal,timbuktu&from=2022-01&to=2024-12"


@pytest.fixture(scope="module")
def table():
    return load_events(include_stored=True)


def test_csv_equals_the_apps_extract_for_the_same_query(tmp_path: Path, table) -> None:
    out = tmp_path / "x.csv"
    result = CliRunner().invoke(main, ["export", "--query", QUERY, "-o", str(out)])
    assert result.exit_code == 0, result.output
    spec, notices = extract.spec_from_query_string(QUERY, table)
    assert notices == []
    assert spec == FilterSpec(
        actor=("wagner",),
        place=("Gao", "Kidal", "Timbuktu"),
        start=dt.date(2022, 1, 1),
        end=dt.date(2024, 12, 31),
    )
    assert out.read_bytes() == extract.view_of(table, spec).extract("csv")
    rows = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert f"wrote {len(rows)} events" in result.output
    assert rows["actor_groups"].str.contains("Wagner").all()


def test_default_file_name_says_the_filter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["export", "--query", QUERY])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sahelmap_wagner_gao_kidal_timbuktu_2022-01_2024-12.csv").exists()


def test_geojson_and_zip(tmp_path: Path) -> None:
    runner = CliRunner()
    geo, archive = tmp_path / "x.geojson", tmp_path / "x.zip"
    assert (
        runner.invoke(
            main, ["export", "--query", "type=battles", "--format", "geojson", "-o", str(geo)]
        ).exit_code
        == 0
    )
    data = json.loads(geo.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    assert {f["properties"]["event_type"] for f in data["features"]} == {"Battles"}
    assert (
        runner.invoke(
            main, ["export", "--query", "type=battles", "--format", "zip", "-o", str(archive)]
        ).exit_code
        == 0
    )
    names = zipfile.ZipFile(io.BytesIO(archive.read_bytes())).namelist()
    assert sorted(names) == ["README.txt", "sahelmap_battles.csv", "sahelmap_battles.geojson"]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("actor=martians", "'actor'"),
        ("from=2022-13", "'from'"),
        ("colour=red", "'colour'"),
        ("min_deaths=-1", "'min_deaths'"),
    ],
)
def test_invalid_parameter_is_an_error_naming_it(tmp_path: Path, query: str, named: str) -> None:
    result = CliRunner().invoke(main, ["export", "--query", query, "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 2
    assert named in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.csv").exists()
