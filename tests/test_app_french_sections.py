"""The comparison, "who did it" and link notices with lang=fr (issue 14), and after a language switch."""

from __future__ import annotations

import pytest

from sahelmap import i18n, perpetrators
from tests.apptest_helpers import run_app, warnings_text

pytestmark = pytest.mark.slow

LINK = {
    "type": "violence-against-civilians",
    "a": "2021-01-01..2021-12-31",
    "b": "2022-01-01..2022-12-31",
    "actor": "martians",  # an unknown value: a notice
    "zoom": "99",  # an invalid map value: a notice
}


def markdown_text(at) -> str:
    return " ".join(str(m.value) for m in at.markdown).replace("\\", "")


def test_a_french_comparison_link_reads_in_french_and_switches_to_english() -> None:
    at = run_app(lang="fr", **LINK)
    assert not at.exception
    notices = warnings_text(at)
    assert "Lien : paramètre 'actor' ignoré : groupe d'acteurs : valeur inconnue 'martians'" in notices
    assert "paramètre ignoré 'zoom' : '99' n'est pas un nombre entier de 4 à 16" in notices
    assert "ignored" not in notices
    text = markdown_text(at)
    assert "Violence contre les civils, en comptant chaque événement qui chevauche la période : " in text
    assert "Périodes : A 1 janv. 2021 – 31 déc. 2021, B 1 janv. 2022 – 31 déc. 2022." in text
    with i18n.using("fr"):
        assert perpetrators.rule_text()[:80] in text
    table = next(d.value for d in at.dataframe if "events_b" in d.value.columns)
    assert table["group"].iloc[0] == "Tout (l'ensemble du filtre)"
    rows = next(d.value for d in at.dataframe if "unknown_toll" in d.value.columns)
    assert rows["row"].iloc[0] == "Camp de l'État (forces maliennes, Wagner / Africa Corps)"
    assert any(p.startswith("Années consécutives : ") for p in at.selectbox(key="cmp_preset").options)
    # the switch: the same link's notices, summary and rule now in English. AppTest formats the widgets'
    # values in the test's thread, so the French page's widgets are read with French current here.
    with i18n.using("fr"):
        at.sidebar.segmented_control[0].set_value("en")
        at.run()
    assert not at.exception
    notices = warnings_text(at)
    assert "Link: ignored parameter 'actor': unknown actor group 'martians'" in notices
    assert "ignored parameter 'zoom': '99' is not a whole number from 4 to 16" in notices
    text = markdown_text(at)
    assert "Violence against civilians, counting each event that overlaps the period: " in text
    assert perpetrators.RULE[:80] in text


def test_a_comparison_preset_chosen_in_french() -> None:
    at = run_app(lang="fr")
    choice = next(o for o in at.selectbox(key="cmp_preset").options if o.startswith("Années consécutives : "))
    with i18n.using("fr"):  # AppTest formats the French page's widget values in this thread
        at.selectbox(key="cmp_preset").set_value(choice)
        at.run()
    assert not at.exception
    first, second = choice.removeprefix("Années consécutives : ").split(" et ")
    assert at.query_params["a"] in ([f"{first}-01-01..{first}-12-31"], f"{first}-01-01..{first}-12-31")
    assert f"pour {second} contre " in markdown_text(at)


def test_a_quick_period_chosen_in_french() -> None:
    """The presets are named in the page's language; a callback runs before the script sets it."""
    at = run_app(lang="fr")
    with i18n.using("fr"):
        choice = at.sidebar.selectbox(key="preset").options[1]
        at.sidebar.selectbox(key="preset").set_value(choice)
        at.run()
    assert choice == "12 derniers mois de données"
    assert not at.exception
