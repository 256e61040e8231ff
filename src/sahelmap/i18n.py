"""Languages: the current one, its gettext catalogue, and Babel's number and date formats.

The interface is written in English in the source; each user-visible string is wrapped in ``_()`` (or
``ngettext()``), or marked with ``N_()`` where it is declared before a language is known (the filter
registry, labels in dicts) and translated where it is shown. ``pybabel extract`` collects them
(babel.cfg; commands in docs/architecture.md) and translators edit
``src/sahelmap/locale/fr/LC_MESSAGES/sahelmap.po`` with their usual tools.

The catalogue is read at run time from the .po (``babel.messages.pofile.read_po``) and compiled in memory
once per process, so no compiled .mo is committed and the .po is the one source of truth.

The current language is a context variable: the page sets it at the top of each run (Streamlit runs each
session's script in its thread), the CLI from ``--lang``; everything else reads it through ``_()``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gettext
import io
import re
import string
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

LANGUAGES = ("en", "fr")
DEFAULT = "en"
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
URL_KEY = "lang"  # the page's URL parameter; not a filter (see split)
DOMAIN = "sahelmap"  # the interface's strings, extracted from the source (pybabel extract/update)
VOCABULARY = "vocabulary"  # the data's words: ACLED's event types and sub-types, actor groups (by hand)
LOCALE_DIR = Path(__file__).with_name("locale")

_current: ContextVar[str] = ContextVar("sahelmap_language", default=DEFAULT)


def po_path(lang: str, domain: str = DOMAIN) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def current() -> str:
    return _current.get()


def set_language(lang: str) -> None:
    """Make ``lang`` the current language of this context (the page's run, the CLI's command)."""
    _current.set(lang if lang in LANGUAGES else DEFAULT)


@contextlib.contextmanager
def using(lang: str) -> Iterator[None]:
    """The current language is ``lang`` inside the block."""
    token = _current.set(lang if lang in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


@functools.cache
def translations(lang: str, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The catalogue of ``lang``: its .po compiled in memory once per process; English is the source."""
    path = po_path(lang, domain)
    if lang == DEFAULT or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang, domain=domain)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def N_(message: str) -> str:
    """Marks a string for extraction where it is declared; ``_()`` translates it where it is shown."""
    return message


def _(message: str) -> str:
    """``message`` in the current language (itself in English, or when the catalogue lacks it)."""
    return translations(current()).gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` in the current language (French counts 0 and 1 as one)."""
    return translations(current()).ngettext(singular, plural, n)


def number(n: float, lang: str | None = None) -> str:
    """A count as the language writes it: "1,811" in English, "1 811" (narrow no-break space) in French."""
    return format_decimal(n, locale=lang or current())


def month(day: dt.date, lang: str | None = None) -> str:
    """A month: "Feb 2012", "févr. 2012"."""
    return _month(day, lang or current())


@functools.lru_cache(maxsize=8192)
def _month(day: dt.date, lang: str) -> str:
    # the period slider names every month of the data on every rerun (about 340 for 1997-2025): Babel's
    # formatting of them cost about 9 ms a rerun, so each month is formatted once per language
    return format_date(day, "MMM y", locale=lang)


def day(value: dt.date, lang: str | None = None) -> str:
    """A day: "14 Dec 2021", "14 déc. 2021"."""
    return format_date(value, "d MMM y", locale=lang or current())


def decimal(value: float, digits: int = 1, lang: str | None = None) -> str:
    """A rate with a fixed number of decimals: "2.0", "1,234.5" in English; "2,0", "1 234,5" in French."""
    return format_decimal(value, format="#,##0." + "0" * digits, locale=lang or current())


def percent_change(value: float, lang: str | None = None) -> str:
    """A signed change in percent with one decimal, as the language writes it: "+12.5%", "+12,5 %"."""
    locale = lang or current()
    pattern = Locale.parse(locale).percent_formats[None].pattern.replace("#,##0", "#,##0.0")
    return format_percent(value / 100, format=f"+{pattern};-{pattern}", locale=locale)


def parse(value: object) -> str | None:
    """A ``lang`` URL or CLI value -> a supported language, or None ("fr-FR" and "FR" are French)."""
    code = str(value or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def from_accept_language(header: str | None) -> str:
    """The first supported language of a browser's Accept-Language header (by weight), else English."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")):
        tag, _sep, params = item.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        lang = parse(tag)
        if lang is not None and weight > 0:
            ranked.append((-weight, position, lang))
    return min(ranked)[2] if ranked else DEFAULT


def split(params: Mapping[str, list[str]]) -> tuple[dict[str, list[str]], str | None]:
    """Query parameters -> (the others, the language the link names or None)."""
    others = {k: v for k, v in params.items() if k != URL_KEY}
    values = params.get(URL_KEY) or []
    return others, (parse(values[-1]) if values else None)


def join_words(items: list[str], conjunction: str = "and") -> str:
    """ "A, B and C" / "A, B et C"; ``conjunction`` is "and" or "or"."""
    if len(items) <= 1:
        return "".join(items)
    word = _("and") if conjunction == "and" else _("or")
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


@functools.cache
def _template_pattern(template: str) -> re.Pattern[str]:
    """ "date outside {first}..{last}" -> a pattern matching the texts the template builds."""
    parts, seen = [], set()
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field is not None:
            parts.append(f"(?P={field})" if field in seen else f"(?P<{field}>.+?)")
            seen.add(field)
    return re.compile("".join(parts), re.DOTALL)


_COUNT = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+")


def translate_built(text: str, templates: Iterable[str] = ()) -> str:
    """A text made in English (a report's reason, kept in English where it is stored) in the current language.

    A message id is translated; a text built by ``template.format(...)`` from one of ``templates`` (each
    marked with N_ where it is declared) is built again from the template's translation with the same
    values, each translated the same way (a reason inside a reason) and counts written as the language
    writes them. Any other text stays as it is."""
    if current() == DEFAULT or not text:
        return text
    translated = _(text)
    if translated != text:
        return translated
    chosen = tuple(templates)
    for template in chosen:
        found = _template_pattern(template).fullmatch(text)
        if found is not None:
            values = {
                key: number(int(value.replace(",", "")))
                if _COUNT.fullmatch(value)
                else translate_built(value, chosen)
                for key, value in found.groupdict().items()
            }
            return _(template).format(**values)
    return text


def label(name: object) -> str:
    """An ACLED event type or sub-type, an actor group or a precision word in the current language (the
    vocabulary catalogue); any other value (an actor, a place) stays as sourced."""
    text = str(name)
    return translations(current(), VOCABULARY).gettext(text) if text else text


# A vocabulary entry whose comment holds this says its label is ACLED's own in that language.
ACLED_OWN = "ACLED's French label"


@dataclass(frozen=True)
class VocabularyRow:
    """One word of ACLED's taxonomy and its label in a language, as the vocabulary catalogue holds it."""

    event_type: str
    sub_event_type: str  # "" on the row of the event type itself
    label: str
    acled_own: bool  # the label is ACLED's own (the catalogue's comment says so), not sahelmap's


@functools.cache
def vocabulary_comments(lang: str) -> dict[str, str]:
    """msgid -> the comment the vocabulary catalogue gives it (where the label comes from)."""
    path = po_path(lang, VOCABULARY)
    if not path.exists():
        return {}
    with path.open("rb") as po:
        catalog = read_po(po, locale=lang, domain=VOCABULARY)
    return {str(m.id): " ".join(m.auto_comments) for m in catalog if m.id}


def taxonomy(lang: str) -> list[VocabularyRow]:
    """ACLED's event types, each followed by its sub-types, with their labels in ``lang`` from the
    vocabulary catalogue (the table the methodology page lists)."""
    from sahelmap import schema  # the taxonomy's words; schema needs nothing from here

    comments = vocabulary_comments(lang)
    with using(lang):
        return [
            VocabularyRow(kind, sub, label(sub or kind), ACLED_OWN in comments.get(sub or kind, ""))
            for kind, subs in schema.EVENT_TYPES.items()
            for sub in ("", *subs)
        ]


__all__ = [
    "DEFAULT",
    "LANGUAGES",
    "N_",
    "_",
    "current",
    "day",
    "decimal",
    "from_accept_language",
    "label",
    "month",
    "ngettext",
    "number",
    "parse",
    "percent_change",
    "set_language",
    "split",
    "translate_built",
    "using",
]
