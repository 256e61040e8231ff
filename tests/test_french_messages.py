"""What the page tells a French reader (issue 14): a link's notices, an uploaded file's report, and the
formats they use. English stays word for word as it was; French reads as French."""

from __future__ import annotations

import datetime as dt

import pytest

from sahelmap import extract, filters, i18n, mapparams, provenance, uploads, validate
from tests.factories import CURRENT, acled_csv, event

NNBSP = "\u202f"
NBSP = "\u00a0"
CHOICES = filters.Choices(dt.date(2012, 1, 17), dt.date(2025, 11, 14), regions=("Gao", "Kidal"))


# --- link notices -------------------------------------------------------------------------------------


def test_a_links_notices_in_both_languages() -> None:
    params = {
        "actor": ["martians"],
        "q": ["x" * 250],
        "zoom": ["99"],
        "data": ["acled:1500,curated:266"],
        "a": ["2021"],
        "b": ["2022"],
        "by": ["colour"],
        "lang": ["fr"],
    }
    loaded = {"curated": 266}
    english = extract.read_link(params, CHOICES, loaded).notices
    with i18n.using("fr"):
        french = extract.read_link(params, CHOICES, loaded).notices
    assert english[0].startswith("ignored parameter 'actor': unknown actor group 'martians' (known: ")
    assert french[0].startswith(
        "paramètre 'actor' ignoré : groupe d'acteurs : valeur inconnue 'martians' (valeurs connues : "
    )
    assert french[1:] == [
        "'q' a été coupé à 200 caractères",
        "comparaison ignorée : 'by' : 'colour' n'est pas l'une des valeurs possibles (actor-group, place, "
        "region, type)",
        f"Ce lien a été créé avec le jeu de données 'acled' (1{NNBSP}500 événements), qui n'est pas chargé "
        "ici : les chiffres affichés peuvent différer de ceux qu'a vus l'auteur du lien.",
        "paramètre ignoré 'zoom' : '99' n'est pas un nombre entier de 4 à 16",
    ]
    assert english[1:] == [
        "'q' was cut to 200 characters",
        "ignored the comparison: 'by': 'colour' is not one of actor-group, place, region, type",
        "This link was made with the dataset 'acled' (1,500 events), which is not loaded here: the numbers "
        "shown may differ from the ones the link's author saw.",
        "ignored parameter 'zoom': '99' is not a whole number from 4 to 16",
    ]


def test_the_link_is_read_the_same_in_both_languages() -> None:
    params = {"actor": ["wagner"], "place": ["gao"], "a": ["2021"], "b": ["2022"], "mapmode": ["regions"]}
    english = extract.read_link(params, CHOICES, {})
    with i18n.using("fr"):
        french = extract.read_link(params, CHOICES, {})
    assert (french.spec, french.map_view, french.request) == (english.spec, english.map_view, english.request)
    assert french.spec == filters.FilterSpec(actor=("wagner",), place=("Gao",))
    assert french.map_view == mapparams.MapView(mode="regions") and french.notices == []


@pytest.mark.parametrize(
    ("params", "english", "french"),
    [
        (
            {"from": ["2022-13"]},
            "ignored parameter 'from': '2022-13' is not a date (YYYY-MM or YYYY-MM-DD)",
            "paramètre 'from' ignoré : '2022-13' n'est pas une date (AAAA-MM ou AAAA-MM-JJ)",
        ),
        (
            {"civilians": ["maybe"]},
            "ignored parameter 'civilians': 'maybe' is not 1 or 0",
            "paramètre 'civilians' ignoré : 'maybe' ne vaut ni 1 ni 0",
        ),
        (
            {"min_deaths": ["-1"]},
            "ignored parameter 'min_deaths': '-1' is not a whole number from 0 to 999999",
            "paramètre 'min_deaths' ignoré : '-1' n'est pas un nombre entier de 0 à 999999",
        ),
        (
            {"from": ["2023-01"], "to": ["2022-01"]},
            "ignored the period: 'from' is after 'to'",
            "période ignorée : 'from' est après 'to'",
        ),
        (
            {"region": ["atlantis"]},
            "ignored parameter 'region': unknown region 'atlantis' (known: gao, kidal)",
            "paramètre 'region' ignoré : région : valeur inconnue 'atlantis' (valeurs connues : gao, kidal)",
        ),
    ],
)
def test_filter_notices(params: dict, english: str, french: str) -> None:
    assert filters.parse_query(params, CHOICES)[1] == [english]
    with i18n.using("fr"):
        assert filters.parse_query(params, CHOICES)[1] == [french]


def test_provenance_notices_in_french() -> None:
    with i18n.using("fr"):
        notices = provenance.notices_for({"data": ["curated:266,acled:1,??"]}, {"curated": 265, "ucdp": 2})
    assert notices == [
        "1 entrée du paramètre 'data' du lien n'a pas pu être lue (forme attendue : label:events)",
        "Ce lien a été créé avec le jeu de données 'curated' contenant 266 événements ; ici, il contient "
        "265 événements, les chiffres affichés peuvent donc différer.",
        "Ce lien a été créé avec le jeu de données 'acled' (1 événement), qui n'est pas chargé ici : les "
        "chiffres affichés peuvent différer de ceux qu'a vus l'auteur du lien.",
        "Le jeu de données 'ucdp' (2 événements) est chargé ici, mais le lien a été créé sans lui : les "
        "chiffres affichés peuvent différer.",
    ]


# --- an uploaded file's report -------------------------------------------------------------------------

FILE = acled_csv(
    CURRENT,
    event(),
    event(event_id_cnty="MLI90002", fatalities="-3"),
    event(event_id_cnty="MLI90003", latitude="-4.2425", longitude="14.0167"),  # swapped
    event(event_id_cnty="MLI90004", event_date="2099-01-01"),
    event(event_id_cnty="MLI90005", country="Niger"),
    event(event_id_cnty="MLI90006", fatalities="abc"),
    event(event_id_cnty="MLI90007", latitude="25.0"),
    event(event_id_cnty="MLI90008", fatalities="200000"),
)


def test_an_upload_reads_in_french_and_its_stored_report_stays_english() -> None:
    english = uploads.read_upload(FILE, "mine.csv")
    with i18n.using("fr"):
        french = uploads.read_upload(FILE, "mine.csv")
        summary = french.summary()
        shown = uploads.report_for_page(french.result.report)
    assert english.summary() == "mine.csv (acled): 8 rows read, 1 kept, 7 rejected; 2022-03-12 to 2022-03-12"
    assert (
        summary == "mine.csv (acled) : lignes lues 8, conservées 1, rejetées 7 ; du 2022-03-12 au 2022-03-12"
    )
    assert french.notices == ["mine.csv : lignes ignorées car d'un autre pays : 1 (Niger 1)"]
    assert english.notices == ["mine.csv: 1 rows from 1 other country skipped (Niger 1)"]
    # the report itself is the same (English, as stored and as the CLI prints it); the page translates it
    assert french.result.report.equals(english.result.report)
    assert list(shown.columns) == ["Fichier", "Ligne", "Colonne", "Valeur", "Motif"]
    assert shown["Motif"].tolist() == [
        "négatif",
        "latitude hors du Mali (latitude et longitude semblent inversées)",
        "longitude hors du Mali (latitude et longitude semblent inversées)",
        f"date hors de 1997-01-01..{dt.date.today().isoformat()}",
        "le pays est Niger, pas Mali",
        "pas un nombre",
        "à plus de 10 km hors du contour du Mali (limites OCHA COD-AB)",
        f"plus de 100{NNBSP}000 morts pour un seul événement (la limite de sahelmap pour un événement)",
    ]
    assert shown["Colonne"].tolist()[:2] == ["fatalities", "latitude"]  # ACLED's column names


@pytest.mark.parametrize(
    ("data", "name", "french"),
    [
        (b"", "vide.csv", "vide.csv : le fichier est vide"),
        (b"%PDF-1.4 ...", "doc.pdf", "doc.pdf : cela ressemble à un document PDF, pas un tableau"),
        (b"a,b\n1,2\n", "autre.csv", "autre.csv : les colonnes ne correspondent à aucun format connu. "),
    ],
)
def test_a_file_that_cannot_be_read_is_named_in_french(data: bytes, name: str, french: str) -> None:
    with i18n.using("fr"):
        assert uploads.read_upload(data, name).summary().startswith(french)


def test_every_reason_template_has_a_french_translation_with_the_same_fields() -> None:
    import string

    def fields(text: str) -> set[str]:
        return {f for _l, f, _s, _c in string.Formatter().parse(text) if f is not None}

    with i18n.using("fr"):
        for template in uploads.REASON_TEMPLATES:
            assert i18n._(template) != template
            assert fields(i18n._(template)) == fields(template)


@pytest.mark.parametrize(
    "reason",
    [validate.EMPTY, validate.DUPLICATE, "not a number", "is empty (latitude and longitude look swapped)"],
)
def test_reasons_without_values(reason: str) -> None:
    assert uploads.reason_text(reason) == reason  # English: as stored
    with i18n.using("fr"):
        assert uploads.reason_text(reason) != reason


def test_text_that_is_no_message_stays_as_it_is() -> None:
    with i18n.using("fr"):
        assert uploads.reason_text("something a future reader says") == "something a future reader says"
        assert i18n.translate_built("date outside x..y", ()) == "date outside x..y"  # no template given


# --- formats --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "english", "french"),
    [(12.5, "+12.5%", f"+12,5{NBSP}%"), (-57.46, "-57.5%", f"-57,5{NBSP}%"), (0, "+0.0%", f"+0,0{NBSP}%"),
     (1234.56, "+1,234.6%", f"+1{NNBSP}234,6{NBSP}%")],
)  # fmt: skip
def test_percent_change(value: float, english: str, french: str) -> None:
    assert i18n.percent_change(value, "en") == english
    assert i18n.percent_change(value, "fr") == french


@pytest.mark.parametrize(("value", "english", "french"), [(2, "2.0", "2,0"), (0.44, "0.4", "0,4")])
def test_decimal(value: float, english: str, french: str) -> None:
    assert i18n.decimal(value, lang="en") == english
    assert i18n.decimal(value, lang="fr") == french
