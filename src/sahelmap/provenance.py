"""Which datasets a link was made with, so that a recipient with other data is told (issue 9, item 7).

A link carries ``data=curated:266,acled:7293``: each loaded dataset's label and its number of events
(the whole table's, not the view's). Opened where the loaded datasets differ, the page names each
dataset the link was made with that is missing here, or that holds another number of events. Labels
are store labels or upload labels ([A-Za-z0-9_.-]), so commas and colons never occur in them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from sahelmap import i18n
from sahelmap.i18n import _, ngettext

DATA_KEY = "data"  # the URL key; not a filter (filters.parse_query never sees it)
MAX_DATASETS = 50  # a link naming more is cut to this many, with a notice
ENTRY = re.compile(r"([A-Za-z0-9_.-]{1,80}):([0-9]{1,10})")


def dataset_counts(events: pd.DataFrame) -> dict[str, int]:
    """Events per loaded dataset, by label (sorted)."""
    counts = events["dataset"].value_counts(sort=False)  # a category: counted on its codes, no strings made
    return {str(label): int(n) for label, n in sorted(counts.items(), key=lambda kv: str(kv[0])) if n}


def data_param(counts: Mapping[str, int]) -> str:
    """{"acled": 7293, "curated": 266} -> "acled:7293,curated:266"."""
    return ",".join(f"{label}:{n}" for label, n in sorted(counts.items()))


def split_params(
    params: Mapping[str, str | list[str]],
) -> tuple[dict[str, str | list[str]], str | None]:
    """The filter parameters, and the ``data`` value (its last one) if the link carries it."""
    filters_only = {k: v for k, v in params.items() if k != DATA_KEY}
    raw = params.get(DATA_KEY)
    if isinstance(raw, list):
        raw = raw[-1] if raw else None
    return filters_only, raw


def parse_data(raw: str) -> tuple[dict[str, int], list[str]]:
    """ "acled:7293,curated:266" -> ({"acled": 7293, "curated": 266}, notices about what was not read)."""
    counts: dict[str, int] = {}
    notices: list[str] = []
    unread = 0
    for entry in raw.split(","):
        entry = entry.strip()
        found = ENTRY.fullmatch(entry)
        if found is None:
            unread += bool(entry)
            continue
        if len(counts) == MAX_DATASETS:
            notices.append(
                _("the link names more than {n} datasets; the first {n} were compared").format(n=MAX_DATASETS)
            )
            break
        counts[found.group(1)] = int(found.group(2))
    if unread:
        notices.append(
            ngettext(
                "{n} entry of the link's '{key}' parameter could not be read (expected label:events)",
                "{n} entries of the link's '{key}' parameter could not be read (expected label:events)",
                unread,
            ).format(n=i18n.number(unread), key=DATA_KEY)
        )
    return counts, notices


def _events(n: int) -> str:
    return ngettext("{n} event", "{n} events", n).format(n=i18n.number(n))


def differences(linked: Mapping[str, int], loaded: Mapping[str, int]) -> list[str]:
    """One notice per dataset the link was made with that is missing here or holds another number of events,
    and one per dataset loaded here that the link was made without."""
    notices = []
    for label, n in linked.items():
        if label not in loaded:
            notices.append(
                _(
                    "This link was made with the dataset '{label}' ({events}), which is not loaded here: "
                    "the numbers shown may differ from the ones the link's author saw."
                ).format(label=label, events=_events(n))
            )
        elif loaded[label] != n:
            notices.append(
                _(
                    "This link was made with the dataset '{label}' holding {events}; here it holds "
                    "{events_here}, so the numbers shown may differ."
                ).format(label=label, events=_events(n), events_here=_events(loaded[label]))
            )
    for label, n in loaded.items():
        if label not in linked:
            notices.append(
                _(
                    "The dataset '{label}' ({events}) is loaded here but the link was made without it: "
                    "the numbers shown may differ."
                ).format(label=label, events=_events(n))
            )
    return notices


def notices_for(params: Mapping[str, str | list[str]], loaded: Mapping[str, int]) -> list[str]:
    """Everything a recipient should be told about the data behind a link (nothing when it carries none)."""
    _, raw = split_params(params)
    if raw is None:
        return []
    linked, notices = parse_data(str(raw))
    return notices + differences(linked, loaded)
