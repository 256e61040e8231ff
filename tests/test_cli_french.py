"""`sahelmap export --lang fr` and `sahelmap compare --lang fr` (issue 14): the human text in French, the
machine-readable parts (CSV columns, JSON keys, the link) the same in every language."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from sahelmap import export, extract, i18n
from sahelmap.events import load_events
from tests.factories import run_cli

QUERY = "type=battles&place=kidal&from=2022-08"
COMPARE = ["--query", "type=violence-against-civilians", "--a", "2021", "--b", "2022-01-01..2023-06-30"]


@pytest.fixture(scope="module")
def table():
    return load_events(include_stored=True)


def french_view(table, query: str = QUERY) -> extract.View:
    with i18n.using("fr"):
        spec, _notices = extract.spec_from_query_string(query, table)
        return extract.view_of(table, spec)


def test_export_writes_the_french_description_and_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("export", "--lang", "fr", "--query", QUERY)
    assert result.exit_code == 0, result.output
    view = french_view(table)
    # ACLED's French label in the file name, "à ce jour" for an open end
    assert view.stem == "sahelmap_batailles_kidal_2022-08_a-ce-jour"
    assert (tmp_path / "sahelmap_batailles_kidal_2022-08_a-ce-jour.csv").exists()
    lines = result.stdout.splitlines()
    assert lines[0] == view.description
    assert lines[0].startswith("Batailles à Kidal, août 2022 – ")
    n = len(view.filtered)
    assert n > 1  # the bundled table has battles at Kidal since August 2022
    assert f": {n} événements, " in lines[0]
    assert lines[1] == f"{n} événements écrits dans sahelmap_batailles_kidal_2022-08_a-ce-jour.csv"
    assert any(line.startswith("  à citer : Événements sélectionnés par sahelmap") for line in lines)


def test_the_csv_keeps_acleds_column_names(tmp_path: Path, table) -> None:
    french, english = tmp_path / "fr.csv", tmp_path / "en.csv"
    assert run_cli("export", "--lang", "fr", "--query", QUERY, "-o", str(french)).exit_code == 0
    assert run_cli("export", "--query", QUERY, "-o", str(english)).exit_code == 0
    assert french.read_bytes() == english.read_bytes()  # the data holds no interface text
    columns = pd.read_csv(french, encoding="utf-8-sig", dtype=str).columns
    assert list(columns) == export.EXPORT_COLUMNS
    assert {"event_date", "event_type", "fatalities", "actor1"} <= set(columns)


def test_the_zip_readme_is_in_french(tmp_path: Path, table) -> None:
    archive = tmp_path / "x.zip"
    query = "type=violence-against-civilians"
    result = run_cli("export", "--lang", "fr", "--query", query, "--format", "zip", "-o", str(archive))
    assert result.exit_code == 0, result.output
    files = zipfile.ZipFile(io.BytesIO(archive.read_bytes()))
    stem = french_view(table, "type=violence-against-civilians").stem
    assert stem == "sahelmap_violence-contre-les-civils"
    assert sorted(files.namelist()) == sorted(["README.txt", f"{stem}.csv", f"{stem}.geojson"])
    readme = files.read("README.txt").decode("utf-8")
    lines = readme.splitlines()
    assert lines[:2] == ["Extrait sahelmap", "================"]
    assert lines[3] == "Filtre : " + french_view(table, "type=violence-against-civilians").description
    assert lines[4] == "Requête : ?type=violence-against-civilians"
    assert lines[5].startswith("Créé le : ") and lines[5].endswith(" UTC")
    assert "Sources à citer :" in lines
    assert "- Événements sélectionnés par sahelmap : compilés par le projet sahelmap" in readme
    assert "Les colonnes reprennent les noms d'ACLED" in readme
    assert "inconnu ne veut pas dire zéro" in readme
    for english in ("Filter:", "Sources to cite", "Columns follow", "curated events"):
        assert english not in readme


def test_without_lang_the_readme_stays_english(tmp_path: Path) -> None:
    archive = tmp_path / "x.zip"
    assert run_cli("export", "--query", "type=battles", "--format", "zip", "-o", str(archive)).exit_code == 0
    readme = zipfile.ZipFile(io.BytesIO(archive.read_bytes())).read("README.txt").decode("utf-8")
    assert readme.startswith("sahelmap extract\n================\n\nFilter: Battles: ")
    assert "Columns follow ACLED's names" in readme


def test_compare_json_keys_are_the_same_in_both_languages(table) -> None:
    french = run_cli("compare", *COMPARE, "--format", "json", "--lang", "fr", "-o", "-")
    english = run_cli("compare", *COMPARE, "--format", "json", "-o", "-")
    assert french.exit_code == 0 and english.exit_code == 0, french.output + english.output
    fr, en = json.loads(french.stdout), json.loads(english.stdout)

    def keys(value: object) -> object:
        if isinstance(value, dict):
            return {k: keys(v) for k, v in value.items()}
        if isinstance(value, list):
            return [keys(v) for v in value]
        return type(value).__name__

    assert keys(fr) == keys(en)
    for same in ("query", "by", "unequal_lengths", "change", "datasets"):
        assert fr[same] == en[same]
    for side in ("a", "b"):  # the numbers and the rows' groups (data) are the same; the labels are French
        assert {k: v for k, v in fr[side].items() if k != "label"} == {
            k: v for k, v in en[side].items() if k != "label"
        }
    assert (fr["a"]["label"], fr["b"]["label"]) == ("2021", "janv. 2022 – juin 2023")
    assert fr["filter"] == "Violence contre les civils"
    assert fr["summary"].startswith(
        "Violence contre les civils, en comptant chaque événement qui chevauche la période : "
    )
    assert "Les périodes n'ont pas la même durée (365 et 546 jours)" in fr["summary"]
    assert fr["cite"][0].startswith("Événements sélectionnés par sahelmap")
    # the summary goes to stderr when the data owns stdout
    assert french.stderr.splitlines()[0] == fr["summary"]


def test_compare_csv_keeps_its_columns_and_translates_its_comments(tmp_path: Path) -> None:
    french, english = tmp_path / "fr.csv", tmp_path / "en.csv"
    result = run_cli("compare", *COMPARE, "--lang", "fr", "-o", str(french))
    assert result.exit_code == 0, result.output
    assert run_cli("compare", *COMPARE, "-o", str(english)).exit_code == 0

    def parts(path: Path) -> tuple[pd.DataFrame, list[str]]:
        text = path.read_text(encoding="utf-8-sig")
        body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
        return pd.read_csv(io.StringIO(body)), [line for line in text.splitlines() if line.startswith("#")]

    (fr_table, fr_comments), (en_table, en_comments) = parts(french), parts(english)
    pd.testing.assert_frame_equal(fr_table, en_table)  # columns and groups are data: unchanged
    assert fr_table.iloc[0]["group"] == "All (the whole filter)"
    assert fr_comments[0].startswith("# Violence contre les civils, en comptant chaque événement")
    assert fr_comments[1] == en_comments[1]  # the link
    assert fr_comments[1].startswith("# link: ?type=violence-against-civilians&a=2021-01-01..2021-12-31")
    assert fr_comments[2].startswith("# cite: Événements sélectionnés par sahelmap")
    out = result.stdout.splitlines()
    assert out[0] == fr_comments[0][2:]
    assert out[1] == f"comparaison écrite dans {french}"
    assert out[2].startswith("  à citer : ")


@pytest.mark.parametrize(
    ("args", "english", "french"),
    [
        (
            ["export", "--query", "actor=martians"],
            "error: parameter 'actor': unknown actor group 'martians' (known: ",
            "erreur : paramètre 'actor' : groupe d'acteurs : valeur inconnue 'martians' (valeurs connues : ",
        ),
        (
            ["compare", "--a", "2021"],
            "error: give both periods: --a FROM..TO and --b FROM..TO (or a and b in --query)",
            "erreur : indiquez les deux périodes : --a DÉBUT..FIN et --b DÉBUT..FIN (ou a et b dans --query)",
        ),
        (
            ["compare", "--a", "2022", "--b", "2021-12..2021-01"],
            "error: '2021-12..2021-01': the period starts after it ends",
            "erreur : '2021-12..2021-01' : la période commence après sa fin",
        ),
    ],
)
def test_errors_are_english_unless_lang_is_given(tmp_path: Path, args, english: str, french: str) -> None:
    plain = run_cli(*args, "-o", str(tmp_path / "x.csv"))
    assert plain.exit_code == 2 and plain.stderr.startswith(english), plain.stderr
    translated = run_cli(*args, "--lang", "fr", "-o", str(tmp_path / "x.csv"))
    assert translated.exit_code == 2 and translated.stderr.startswith(french), translated.stderr


def test_a_note_in_french(tmp_path: Path) -> None:
    long_search = "q=" + "x" * 250
    result = run_cli("export", "--lang", "fr", "--query", long_search, "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 0
    assert "remarque : 'q' a été coupé à 200 caractères" in result.stderr


def test_lang_accepts_either_case_and_refuses_other_languages(tmp_path: Path) -> None:
    assert (
        run_cli("export", "--lang", "FR", "--query", "type=battles", "-o", str(tmp_path / "x.csv")).exit_code
        == 0
    )
    refused = run_cli("export", "--lang", "de", "-o", str(tmp_path / "y.csv"))
    assert refused.exit_code == 2 and "--lang" in refused.output
