"""Extracts of the filtered events: CSV, GeoJSON, GeoPackage, a ZIP with a README; safe for spreadsheets."""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from sahelmap import schema
from sahelmap.i18n import N_, _

# A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"  # a leading apostrophe makes spreadsheets show the text as typed

EXPORT_COLUMNS = [c for c in schema.TABLE_COLUMNS if c != "timestamp"] + [schema.LINKED_EVENTS]

# In English, translated where a line is written (attribution_for): titles of works stay as published.
ATTRIBUTION = {
    "curated": N_(
        "sahelmap curated events: compiled by the sahelmap project from the publications cited in "
        "each row (source, source_date, source_title, source_url)."
    ),
    "acled": N_(
        "ACLED: Armed Conflict Location & Event Data Project (ACLED); www.acleddata.com. Raleigh, C., "
        "Linke, A., Hegre, H. and Karlsen, J. (2010). Introducing ACLED. Journal of Peace Research 47(5). "
        "Use subject to ACLED's terms of use."
    ),
    "ucdp": N_(
        "UCDP Georeferenced Event Dataset (CC BY 4.0): Sundberg, R. and Melander, E. (2013), Journal of "
        "Peace Research 50(4); Pettersson, T. and Öberg, M. (2020), Journal of Peace Research 57(4)."
    ),
}


def attribution_for(datasets: list[str], formats: dict[str, str] | None = None) -> list[str]:
    """One attribution line per dataset included, in the current language; imported datasets cite their
    source format."""
    formats = formats or {}
    lines: list[str] = []
    for name in datasets:
        fmt = formats.get(name, name)
        text = ATTRIBUTION.get(fmt)
        if text is None:
            lines.append(
                _("{name}: data supplied by the user; cite its original publisher.").format(name=name)
            )
        elif fmt == name:
            lines.append(_(text))
        else:
            lines.append(
                _("{name} (imported {format} data): {citation}").format(
                    name=name, format=fmt, citation=_(text)
                )
            )
    return list(dict.fromkeys(lines))


def neutralise(values: pd.Series) -> pd.Series:
    """Prefix formula-like text with an apostrophe; numbers and dates are left alone."""
    text = values.astype("str")
    risky = values.notna().to_numpy() & text.str.startswith(FORMULA_PREFIXES).to_numpy()
    return text.where(~risky, NEUTRALISER + text).where(values.notna(), "")


def _column_text(column: pd.Series) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(column):
        return column.dt.strftime("%Y-%m-%d").fillna("")
    if pd.api.types.is_bool_dtype(column):
        return column.map({True: "true", False: "false"}).astype("str")
    if pd.api.types.is_numeric_dtype(column):
        return column.astype("str").where(column.notna(), "")
    return neutralise(column)


def export_frame(events: pd.DataFrame) -> pd.DataFrame:
    """Every canonical column as text: ISO dates, multi-valued fields joined with '; ', cells made safe."""
    out = pd.DataFrame(index=events.index)
    for column in EXPORT_COLUMNS:
        values = events[column] if column in events else pd.Series(pd.NA, index=events.index, dtype="str")
        out[column] = _column_text(values)
    return out


def to_csv_bytes(events: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so spreadsheets detect the encoding (Ségou stays Ségou)."""
    return export_frame(events).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _json_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def to_geojson_bytes(events: pd.DataFrame) -> bytes:
    """RFC 7946 FeatureCollection (WGS84 lon/lat), properties = the canonical columns, raw values."""
    columns = [c for c in EXPORT_COLUMNS if c in events]
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(r["longitude"]), float(r["latitude"])]},
            "properties": {c: _json_value(r[c]) for c in columns},
        }
        for r in events[columns].to_dict("records")
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode("utf-8")


def readme_text(description: str, attributions: list[str], query: str, generated: dt.datetime) -> str:
    """The extract's README in the current language (column names and codes stay as in the files)."""
    title = _("sahelmap extract")
    lines = [
        title,
        "=" * len(title),
        "",
        _("Filter: {description}").format(description=description),
        _("Query: ?{query}").format(query=query) if query else _("Query: (none: every event)"),
        _("Generated: {time} UTC").format(time=f"{generated:%Y-%m-%d %H:%M}"),
        "",
        _("Sources to cite:"),
        *[f"- {a}" for a in attributions],
        "",
        *_(
            "Columns follow ACLED's names where ACLED has the concept. Dates are ISO (YYYY-MM-DD);\n"
            "time_precision 1 = day, 2 = week, 3 = month or vaguer; "
            "geo_precision 1 = town, 2 = near a town,\n"
            "3 = region. fatalities is empty where no figure was reported (unknown is not zero).\n"
            "Several values in one cell are separated by '; '.\n"
            "Cells that began with = + - @ or a tab/CR start with an apostrophe "
            "so spreadsheets do not run them\n"
            "as formulas; remove that first apostrophe to get the original text back."
        ).splitlines(),
    ]
    return "\n".join(lines) + "\n"


def to_zip_bytes(events: pd.DataFrame, stem: str, readme: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.csv", to_csv_bytes(events))
        archive.writestr(f"{stem}.geojson", to_geojson_bytes(events))
        archive.writestr("README.txt", readme)
    return buffer.getvalue()


GPKG_LAYER = "events"
GPKG_README_LAYER = "readme"


def gpkg_frame(events: pd.DataFrame) -> gpd.GeoDataFrame:
    """Typed columns where GeoPackage has the type (numbers, booleans); text made safe as in the CSV;
    dates as ISO text, as in the other formats."""
    text = export_frame(events)
    out = pd.DataFrame(index=events.index)
    for column in EXPORT_COLUMNS:
        values = events.get(column)
        if values is not None and (
            pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)
        ):
            out[column] = values
        else:
            out[column] = text[column].where(text[column].ne(""), None)
    points = gpd.points_from_xy(events["longitude"].astype(float), events["latitude"].astype(float))
    return gpd.GeoDataFrame(out, geometry=points, crs=schema.CRS)


def to_gpkg_bytes(events: pd.DataFrame, readme: str) -> bytes:
    """A GeoPackage (EPSG:4326) with the events layer, whose description holds the README, and the README
    as a table of lines. GDAL writes only to files, hence the temporary one."""
    with tempfile.TemporaryDirectory(prefix="sahelmap-gpkg-") as folder:
        path = Path(folder) / "extract.gpkg"
        gpkg_frame(events).to_file(path, driver="GPKG", layer=GPKG_LAYER, DESCRIPTION=readme)
        lines = pd.DataFrame({"line": readme.splitlines()})
        pyogrio.write_dataframe(lines, path, layer=GPKG_README_LAYER, driver="GPKG")
        return path.read_bytes()


EXTRACT_FORMATS = {"csv": ".csv", "geojson": ".geojson", "gpkg": ".gpkg", "zip": ".zip"}


def extract_bytes(
    filtered: pd.DataFrame,
    fmt: str,
    *,
    stem: str,
    description: str,
    attributions: list[str],
    query: str,
    generated: dt.datetime,
) -> bytes:
    """The extract the app's download buttons and `sahelmap export` both write."""
    if fmt == "csv":
        return to_csv_bytes(filtered)
    if fmt == "geojson":
        return to_geojson_bytes(filtered)
    if fmt == "gpkg":
        return to_gpkg_bytes(filtered, readme_text(description, attributions, query, generated))
    if fmt == "zip":
        return to_zip_bytes(filtered, stem, readme_text(description, attributions, query, generated))
    raise ValueError(f"unknown extract format {fmt!r} (known: {', '.join(EXTRACT_FORMATS)})")
