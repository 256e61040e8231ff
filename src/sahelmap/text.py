"""Small text rules used across the package, written once: folding, slugs, URLs, report lines."""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

HTTP_URL = re.compile(r"^https?://", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # escape codes must never reach a terminal raw


def shown(text: object, limit: int = 200) -> str:
    """Text fit to echo in a message: control characters written as escapes, cut to ``limit``."""
    value = str(text)
    cut = _CONTROL.sub(lambda m: repr(m.group())[1:-1], value[:limit])
    return cut + (f"... ({len(value):,} characters)" if len(value) > limit else "")


def fold(text: str) -> str:
    """Drop accents: 'Ségou' -> 'Segou' (compatibility decomposition, combining marks removed)."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def slug(text: str) -> str:
    """URL-friendly name: 'Violence against civilians' -> 'violence-against-civilians'."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text.lower())).strip("-")


def name_key(name: str) -> str:
    """A matching key for names: no accents, no case, letters and digits only ('Ti-n-Zaouâtene')."""
    return "".join(ch for ch in fold(name) if ch.isalnum()).casefold()


def is_http_url(value: object) -> bool:
    return isinstance(value, str) and bool(HTTP_URL.match(value))


def http_urls(values: pd.Series) -> pd.Series:
    """The values that are http(s) links; anything else (javascript:, data:, text) becomes missing."""
    text = values.astype("str")
    return text.where(text.str.match(HTTP_URL, na=False))


def report_line(file: object, row: object, column: object, reason: object, value: object = "") -> str:
    """One problem as the CLI and the app print it: ``file:row: column: reason (value: '...')``."""
    where = str(file) if row is None or pd.isna(row) else f"{file}:{row}"
    return f"{where}: {column}: {reason}" + (f" (value: {value!r})" if value else "")
