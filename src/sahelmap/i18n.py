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
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

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


def label(name: object) -> str:
    """An ACLED event type or sub-type, an actor group or a precision word in the current language (the
    vocabulary catalogue); any other value (an actor, a place) stays as sourced."""
    text = str(name)
    return translations(current(), VOCABULARY).gettext(text) if text else text


__all__ = [
    "DEFAULT",
    "LANGUAGES",
    "N_",
    "_",
    "current",
    "day",
    "from_accept_language",
    "label",
    "month",
    "ngettext",
    "number",
    "parse",
    "set_language",
    "split",
    "using",
]
