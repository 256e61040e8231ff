"""Every error sahelmap reports to a user: one base class, each subclass with its exit status.

The CLI prints ``error: <message>`` and exits with ``exit_code``; the app shows the message. Only these
reach a user: anything else is a bug and is logged for maintainers.
"""

from __future__ import annotations

from sahelmap.text import shown

EXIT_OK, EXIT_REJECTED, EXIT_UNREADABLE = 0, 1, 2


MAX_MESSAGE = 4000  # characters of one message: a 100 MB line must not become a 100 MB error


class SahelmapError(Exception):
    """A failure a user can act on; ``str(error)`` is the message to show them (bounded, no escape codes)."""

    exit_code: int = EXIT_UNREADABLE

    def __init__(self, message: str) -> None:
        super().__init__(shown(message, MAX_MESSAGE))


class ReadError(SahelmapError, ValueError):
    """A file that cannot be read as an event table (the message names the file and why)."""


class QueryError(SahelmapError, ValueError):
    """An invalid filter parameter in a URL or on the command line (the message names it)."""


class StoreError(SahelmapError):
    """A dataset that cannot be stored, found, read or removed; the message says why and what to do."""


class ReferenceDataError(SahelmapError):
    """A bundled reference table (gazetteer, actor rules) is malformed: a packaging or editing mistake."""
