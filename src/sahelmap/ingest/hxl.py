"""HXL hashtag rows: HDX publishes country files with a second line of tags (``#event+code,#date,...``)."""

from __future__ import annotations

import pandas as pd


def is_hxl_row(values: pd.Series) -> bool:
    """True when every filled cell of the row is an HXL hashtag and at least one is."""
    filled = values.astype("str").str.strip()
    filled = filled[filled.ne("") & values.notna()]
    return bool(len(filled)) and bool(filled.str.startswith("#").all())


FIRST_ROWS = (1, 2)  # the first event of a file: row 2 of a spreadsheet (header = 1), record 1 of JSON


def drop_hxl_row(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without its first row when that row is HXL tags; the index (spreadsheet rows) is kept.

    Only the file's first row can be tags: a file read in chunks passes each chunk here, and a later
    chunk's first row is an event, however it looks.
    """
    if len(frame) and frame.index[0] in FIRST_ROWS and is_hxl_row(frame.iloc[0]):
        return frame.iloc[1:]
    return frame
