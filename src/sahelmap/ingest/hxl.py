"""HXL hashtag rows: HDX publishes country files with a second line of tags (``#event+code,#date,...``)."""

from __future__ import annotations

import pandas as pd


def is_hxl_row(values: pd.Series) -> bool:
    """True when every filled cell of the row is an HXL hashtag and at least one is."""
    filled = values.astype("str").str.strip()
    filled = filled[filled.ne("") & values.notna()]
    return bool(len(filled)) and bool(filled.str.startswith("#").all())


def drop_hxl_row(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without its first row when that row is HXL tags; the index (spreadsheet rows) is kept."""
    if len(frame) and is_hxl_row(frame.iloc[0]):
        return frame.iloc[1:]
    return frame
