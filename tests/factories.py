"""Builders shared by the tests: paths, synthetic rows and tables, synthetic ACLED files.

Test modules import from here, never from one another. Every event here is invented for the tests; no
third-party row is copied.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import html
import io
import os
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sahelmap import events, filters, schema, store
from sahelmap.ingest import acled
from sahelmap.milestones import Milestone
from sahelmap.validate import validate

ROOT = Path(__file__).resolve().parents[1]
REALDATA = Path(os.environ.get("SAHELMAP_REALDATA", ROOT.parent / "shared" / "realdata"))
ACLED_FILE = REALDATA / "acled_mali_2015-01_2023-03.csv"
UCDP_FILE = REALDATA / "ucdp_ged_mali_1990-2019.csv"


def require_realdata(path: Path) -> Path:
    if not path.exists():
        pytest.skip(
            f"real third-party data not found at {path} (it lives in ../shared/realdata beside a clone)"
        )
    return path


def good_row(**overrides: str) -> dict[str, str]:
    """One valid canonical row as strings; tests change one field at a time."""
    row = {
        "event_id": "T-1",
        "dataset": "test",
        "event_date": "2022-03-27",
        "end_date": "",
        "time_precision": "1",
        "event_type": "Violence against civilians",
        "sub_event_type": "Attack",
        "actor1": "Military Forces of Mali (2021-)",
        "assoc_actor_1": "Wagner Group",
        "actor2": "Civilians (Mali)",
        "assoc_actor_2": "",
        "location": "Moura",
        "admin1": "Mopti",
        "admin2": "Djenne",
        "latitude": "14.1",
        "longitude": "-4.05",
        "geo_precision": "1",
        "fatalities": "5",
        "civilian_targeting": "true",
        "notes": "A test event.",
        "source": "Test Publisher",
        "source_url": "",
        "source_date": "2022-04-05",
        "source_title": "A title",
    }
    row.update(overrides)
    return row


def frame_of(*rows: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), dtype="str")
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    return frame


def choices_from(known: dict | None) -> filters.Choices | None:
    """Choices naming these regions and datasets (as a loaded table would), for parse_query."""
    if known is None:
        return None
    today = dt.date.today()
    return filters.Choices(
        today, today, regions=tuple(known.get("region", ())), datasets=tuple(known.get("dataset", ()))
    )


# --- a small synthetic event table, validated and derived as the app does it ------------------------

TODAY = dt.date(2026, 1, 1)
D = dt.date

MALI = "Military Forces of Mali (2021-)"
WAGNER = "Wagner Group"
JNIM = "JNIM: Group for Support of Islam and Muslims"
CIVILIANS = "Civilians (Mali)"
VAC = "Violence against civilians"
BATTLES = "Battles"
EXPLOSIONS = "Explosions/Remote violence"

# Coordinates of the named places are those of data/geo/places.csv.
GAO = ("16.27167", "-0.04472")
KIDAL = ("18.44111", "1.40778")
TINZAOUATEN = ("19.95427", "2.96732")


def event_row(event_id: str, dataset: str, date: str, place: tuple[str, str, str, str], **more: str) -> dict:
    location, admin1, admin2, latlon = place[0], place[1], place[2], place[3]
    lat, lon = latlon.split(",")
    base = {
        "event_id": event_id,
        "dataset": dataset,
        "event_date": date,
        "location": location,
        "admin1": admin1,
        "admin2": admin2,
        "latitude": lat,
        "longitude": lon,
        "actor1": "",
        "assoc_actor_1": "",
        "actor2": "",
        "assoc_actor_2": "",
        "source_url": f"https://example.org/{event_id.lower()}",
        "source_title": f"Report on {event_id}",
    }
    base.update(more)
    return good_row(**base)


# (location, admin1, admin2, "lat,lon")
P_GAO = ("Gao", "Gao", "Gao", ",".join(GAO))
P_KADJI = ("Kadji", "Gao", "Gao", "16.29337,-0.06643")  # ~3 km from Gao: at Gao by distance
P_GAO_REGION = ("Gao region", "Gao", "", "16.27,-0.04")  # region-level point: at no focus place
P_HOMBORI = ("Hombori", "Mopti", "Douentza", "15.27898,-1.70037")
P_TOMBOUCTOU = ("Tombouctou", "Tombouctou", "Tombouctou", "16.77348,-3.00742")  # alias of Timbuktu
P_MENAKA = ("Ménaka", "Menaka", "Menaka", "15.91820,2.40220")
P_SEGOU = ("Ségou", "Segou", "Segou", "13.44032,-6.25947")
P_BAMAKO = ("Bamako", "Bamako", "Bamako", "12.65000,-8.00000")
P_TIN_ZAOUATEN = ("Tin Zaouaten", "Kidal", "Abeibara", ",".join(TINZAOUATEN))
P_TI_N_ZAOUATENE = ("Ti-n-Zaouâtene", "Kidal", "Abeibara", ",".join(TINZAOUATEN))
P_KIDAL = ("Kidal", "Kidal", "Kidal", ",".join(KIDAL))
P_OGASSAGOU = ("Ogassagou-Peulh", "Mopti", "Bankass", "13.96014,-3.57019")

ROWS = [
    event_row("S01", "curated", "2021-12-31", P_GAO, event_type=BATTLES, sub_event_type="Armed clash",
         actor1=MALI, assoc_actor_1=WAGNER, actor2=JNIM, fatalities="12", civilian_targeting="false",
         notes="FAMa and Russian personnel clashed with JNIM fighters at the airport."),
    event_row("S02", "curated", "2022-01-01", P_KADJI, event_type=VAC, sub_event_type="Attack",
         actor1=WAGNER, actor2=CIVILIANS, fatalities="7", civilian_targeting="true",
         notes="Armed men executed seven herders at a weekly market."),
    event_row("S03", "curated", "2022-03-01", P_HOMBORI, event_type=BATTLES,
         sub_event_type="Non-state actor overtakes territory", actor1=JNIM, actor2=MALI,
         fatalities="2", civilian_targeting="false", notes="JNIM fighters took a military post."),
    event_row("S04", "acled", "2022-05-05", P_TOMBOUCTOU, time_precision="3",
         event_type="Strategic developments", sub_event_type="Looting/property destruction",
         actor1="Unidentified Armed Group (Mali)", fatalities="0", civilian_targeting="false",
         notes="Unidentified gunmen looted a storehouse."),
    event_row("S05", "acled", "2022-06-15", P_MENAKA, time_precision="2", event_type=BATTLES,
         sub_event_type="Armed clash", actor1=JNIM, actor2="Islamic State (Sahel)", fatalities="40",
         civilian_targeting="false", notes="JNIM and IS Sahel fighters clashed near the town."),
    event_row("S06", "curated", "2022-08-01", P_SEGOU, event_type="Riots", sub_event_type="Mob violence",
         actor1="Rioters (Mali)", actor2=CIVILIANS, fatalities="", civilian_targeting="false",
         notes="A crowd beat a man accused of theft."),
    event_row("S07", "curated", "2023-02-10", P_BAMAKO, time_precision="2", event_type="Protests",
         sub_event_type="Peaceful protest", actor1="Protesters (Mali)", fatalities="0",
         civilian_targeting="false", notes="Residents marched against power cuts."),
    event_row("S08", "acled", "2023-05-10", P_TIN_ZAOUATEN, event_type=EXPLOSIONS,
         sub_event_type="Air/drone strike", actor1=MALI, actor2="FLA: Azawad Liberation Front",
         assoc_actor_2=CIVILIANS, fatalities="21", civilian_targeting="false",
         notes="A drone strike hit a gathering; civilians among the dead."),
    event_row("S09", "ucdp", "2023-10-01", P_GAO_REGION, geo_precision="3", event_type=EXPLOSIONS,
         sub_event_type="Remote explosive/landmine/IED", actor1="Unidentified Armed Group (Mali)",
         actor2="MINUSMA: United Nations Multidimensional Integrated Stabilization Mission in Mali",
         fatalities="1", civilian_targeting="false", notes="An IED struck a convoy on the Gao-Ansongo road."),
    event_row("S10", "curated", "2024-07-27", P_TI_N_ZAOUATENE, end_date="2024-07-28", event_type=BATTLES,
         sub_event_type="Armed clash", actor1=WAGNER, assoc_actor_1=MALI,
         actor2="CSP-DPA: Permanent Strategic Framework for the Defense of the People of Azawad",
         fatalities="", civilian_targeting="false",
         notes="Several days of fighting near the Algerian border."),
    event_row("S11", "curated", "2024-12-31", P_KIDAL, event_type=VAC,
         sub_event_type="Abduction/forced disappearance", actor1=MALI, assoc_actor_1=WAGNER,
         actor2=CIVILIANS, fatalities="", civilian_targeting="true",
         notes="Soldiers and Russian personnel detained villagers."),
    event_row("S12", "curated", "2025-01-01", P_KIDAL, event_type=VAC, sub_event_type="Attack",
         actor1=WAGNER, actor2=CIVILIANS, fatalities="3", civilian_targeting="true",
         notes="Russian personnel killed three civilians."),
    event_row("S13", "ucdp", "2019-03-23", P_OGASSAGOU, event_type=VAC, sub_event_type="Attack",
         actor1="Dan Na Ambassagou", actor2=CIVILIANS, fatalities="157", civilian_targeting="true",
         notes="Dan Na Ambassagou militiamen attacked the Peulh village."),
]  # fmt: skip
ALL = {f"S{i:02d}" for i in range(1, 14)}
TOTAL_DEATHS = 12 + 7 + 2 + 0 + 40 + 0 + 21 + 1 + 0 + 3 + 157  # S06, S10, S11 unknown
UNKNOWN_DEATHS = {"S06", "S10", "S11"}


def build_events(rows: list[dict] | None = None) -> pd.DataFrame:
    """Rows -> validated, derived and combined as the app does it (a fresh frame each call)."""
    result = validate(frame_of(*(rows if rows is not None else ROWS)), "synthetic.csv", today=TODAY)
    assert result.report.empty, result.report.to_string()
    return events.combine([events.derive_columns(result.valid)])


@functools.cache
def shared_events() -> pd.DataFrame:
    return build_events()


# --- synthetic ACLED files ---------------------------------------------------------------------------

CURRENT = list(acled.CURRENT_HEADER)
ERA_2020 = [
    "data_id",
    "iso",
    "event_id_cnty",
    "event_id_no_cnty",
    "event_date",
    "year",
    "time_precision",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "timestamp",
    "iso3",
]
LEGACY = [c for c in ERA_2020 if c != "sub_event_type"]
# ACLED Africa version 7 and earlier: capitals, ally_actor_*, no timestamp.
LEGACY_V7 = [
    "GWNO",
    "EVENT_ID_CNTY",
    "EVENT_ID_NO_CNTY",
    "EVENT_DATE",
    "YEAR",
    "TIME_PRECISION",
    "EVENT_TYPE",
    "ACTOR1",
    "ALLY_ACTOR_1",
    "INTER1",
    "ACTOR2",
    "ALLY_ACTOR_2",
    "INTER2",
    "INTERACTION",
    "COUNTRY",
    "ADMIN1",
    "ADMIN2",
    "ADMIN3",
    "LOCATION",
    "LATITUDE",
    "LONGITUDE",
    "GEO_PRECISION",
    "SOURCE",
    "NOTES",
    "FATALITIES",
]
HXL_TAGS = {  # HDX's tags for the columns they tag; the others stay blank, as in HDX files
    "event_id_cnty": "#event+code",
    "event_date": "#date+occurred",
    "event_type": "#event+type",
    "actor1": "#group+name+first",
    "location": "#loc+name",
    "latitude": "#geo+lat",
    "longitude": "#geo+lon",
    "fatalities": "#affected+killed",
}

# An invented event (values in ACLED's style), and the fields of its older spellings.
BASE = {
    "event_id_cnty": "MLI90001",
    "event_date": "12 March 2022",
    "year": "2022",
    "time_precision": "1",
    "disorder_type": "Political violence",
    "event_type": "Battles",
    "sub_event_type": "Armed clash",
    "actor1": "Military Forces of Mali (2021-)",
    "assoc_actor_1": "Wagner Group",
    "inter1": "1",
    "actor2": "JNIM: Group for Support of Islam and Muslims",
    "assoc_actor_2": "",
    "inter2": "2",
    "interaction": "12",
    "civilian_targeting": "",
    "iso": "466",
    "region": "Western Africa",
    "country": "Mali",
    "admin1": "Mopti",
    "admin2": "Djenne",
    "admin3": "Fakala",
    "location": "Sofara",
    "latitude": "14.0167",
    "longitude": "-4.2425",
    "geo_precision": "1",
    "source": "Studio Tamani; Menastream",
    "source_scale": "National",
    "notes": "Synthetic: soldiers and militants fought near Sofara, test only.",
    "fatalities": "4",
    "tags": "",
    "timestamp": "1650000000",
    "data_id": "1",
    "event_id_no_cnty": "90001",
    "iso3": "MLI",
    "gwno": "432",
}
ALIASES = {"ally_actor_1": "assoc_actor_1", "ally_actor_2": "assoc_actor_2"}


def event(**changes: str) -> dict[str, str]:
    return {**BASE, **changes}


def acled_csv(header: list[str], *rows: dict[str, str], hxl: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    if hxl:
        writer.writerow([HXL_TAGS.get(c.lower(), "") for c in header])
    for row in rows:
        writer.writerow([row.get(ALIASES.get(c.lower(), c.lower()), "") for c in header])
    return out.getvalue().encode("utf-8")


def run_cli(*args: str):  # type: ignore[no-untyped-def]
    """`sahelmap ARGS` in this process (click's runner): exit code and output."""
    from click.testing import CliRunner

    from sahelmap.cli import main

    return CliRunner().invoke(main, list(args))


# --- a synthetic ACLED export file -------------------------------------------------------------------

ACLED_FILE_COLUMNS = [
    "event_id_cnty", "event_date", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "civilian_targeting", "admin1",
    "admin2", "location", "latitude", "longitude", "geo_precision", "source", "notes", "fatalities", "tags",
    "timestamp",
]  # fmt: skip


def acled_file(path: Path, n: int = 3, **changes_by_row: dict[str, str]) -> Path:
    """n invented ACLED-format events on 1..n March 2023; changes_by_row: {"r2": {...}} edits event 2."""
    rows = []
    for i in range(1, n + 1):
        row = {
            "event_id_cnty": f"SYN{i}",
            "event_date": f"{i:02d} March 2023",
            "time_precision": "1",
            "disorder_type": "Political violence",
            "event_type": "Violence against civilians",
            "sub_event_type": "Attack",
            "actor1": "Unidentified Armed Group (Mali)",
            "actor2": "Civilians (Mali)",
            "inter1": "3",
            "inter2": "7",
            "civilian_targeting": "Civilian targeting",
            "admin1": "Mopti",
            "admin2": "Bandiagara",
            "location": "Testville",
            "latitude": "14.35",
            "longitude": "-3.61",
            "geo_precision": "2",
            "source": "Test Radio",
            "notes": f"Synthetic event {i}.",
            "fatalities": "2",
            "timestamp": "1700000000",
        }
        row.update(changes_by_row.get(f"r{i}", {}))
        rows.append(row)
    pd.DataFrame(rows).reindex(columns=ACLED_FILE_COLUMNS, fill_value="").to_csv(path, index=False)
    return path


# --- synthetic UCDP GED files ------------------------------------------------------------------------

# The download page's 47 columns (fatalities best_est/high_est/low_est); the bulk CSV says best/high/low.
DOWNLOAD = [
    "id", "relid", "year", "active_year", "code_status", "type_of_violence", "conflict_dset_id",
    "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id", "dyad_name", "side_a_dset_id",
    "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id", "side_b", "number_of_sources",
    "source_article", "source_office", "source_date", "source_headline", "source_original", "where_prec",
    "where_coordinates", "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt",
    "priogrid_gid", "country", "country_id", "region", "event_clarity", "date_prec", "date_start", "date_end",
    "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best_est", "high_est", "low_est",
]  # fmt: skip
BULK = [{"best_est": "best", "high_est": "high", "low_est": "low"}.get(c, c) for c in DOWNLOAD]

# An invented event in UCDP's style.
UCDP_BASE = {
    "id": "900001",
    "relid": "MLI-2013-1-000-1",
    "year": "2013",
    "active_year": "True",
    "code_status": "Clear",
    "type_of_violence": "1",
    "conflict_name": "Mali: Government",
    "dyad_name": "Government of Mali - JNIM",
    "side_a": "Government of Mali",
    "side_b": "JNIM",
    "number_of_sources": "2",
    "source_article": "Agence Test, 2013-02-01, Clashes near Gao",
    "source_office": "",
    "source_date": "2013-02-03;2013-02-01",
    "source_headline": "Clashes near Gao",
    "source_original": "security sources",
    "where_prec": "1",
    "where_coordinates": "Gao town",
    "where_description": "Gao town, Gao cercle, Gao region",
    "adm_1": "Gao region",
    "adm_2": "Gao cercle",
    "latitude": "16.271667",
    "longitude": "-0.044722",
    "geom_wkt": "POINT (-0.044722 16.271667)",
    "country": "Mali",
    "country_id": "432",
    "region": "Africa",
    "event_clarity": "1",
    "date_prec": "1",
    "date_start": "02/01/2013 00:00:00",
    "date_end": "02/01/2013 00:00:00",
    "deaths_a": "1",
    "deaths_b": "5",
    "deaths_civilians": "2",
    "deaths_unknown": "0",
    "best_est": "8",
    "high_est": "12",
    "low_est": "6",
}


def ucdp_event(**changes: str) -> dict[str, str]:
    """An invented UCDP GED event, with these fields changed."""
    return {**UCDP_BASE, **changes}


def ucdp_csv(header: list[str], *rows: dict[str, str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        values = {**row, "best": row["best_est"], "high": row["high_est"], "low": row["low_est"]}
        writer.writerow([values.get(c, "") for c in header])
    return out.getvalue().encode("utf-8")


def milestone(date: str, label: str, time_precision: int = 1) -> Milestone:
    """A milestone as milestones.read_milestones gives it (sources filled with placeholders)."""
    return Milestone(
        date=dt.date.fromisoformat(date),
        time_precision=time_precision,
        label=label,
        label_fr=label,
        kind="political",
        source="Example",
        source_url="https://example.org/m",
        source_date=date,
        source_title=f"Report on {label}",
        notes="",
    )


# --- many synthetic ACLED-format events (issue 10: bounds and benchmarks at 10k to 1M) ------------------

SYNTHETIC_TYPES = [(t, s) for t, subs in schema.EVENT_TYPES.items() for s in subs]
SYNTHETIC_ACTORS = [
    "Military Forces of Mali (2021-)",
    "JNIM: Group for Support of Islam and Muslims",
    "Islamic State (Sahel)",
    "Wagner Group",
    "Unidentified Armed Group (Mali)",
    "Dozo Communal Militia (Mali)",
    "Civilians (Mali)",
    "Protesters (Mali)",
]


def synthetic_acled(rows: int, seed: int = 1) -> pd.DataFrame:
    """``rows`` invented events in ACLED's export format (strings), spread over Mali, 2012-2025.

    Built in memory and never written to the repository. Events sit within about 5 km of the
    gazetteer's places (so focus-place filters select some of them, and each place name appears at many
    coordinates); notes are about as long as ACLED's; one event in 100 has a source link.
    """
    rng = np.random.default_rng(seed)
    gazetteer = pd.read_csv(ROOT / "data" / "geo" / "places.csv")
    days = pd.date_range("2012-01-01", "2025-06-30", freq="D")
    date = days[rng.integers(0, len(days), rows)]
    kind = rng.integers(0, len(SYNTHETIC_TYPES), rows)
    types = np.array(SYNTHETIC_TYPES, dtype=object)
    where = rng.integers(0, len(gazetteer), rows)
    place = gazetteer.iloc[where].reset_index(drop=True)
    actors = np.array(SYNTHETIC_ACTORS, dtype=object)
    ids = pd.Series(np.arange(1, rows + 1)).astype(str)
    words = np.array(["militants", "attacked", "a village", "near", "a market", "soldiers", "reported"])
    notes = (
        "On "
        + pd.Series(date.strftime("%d %B %Y"))
        + ", "
        + pd.Series(words[rng.integers(0, len(words), rows)])
        + " "
        + pd.Series(words[rng.integers(0, len(words), rows)])
        + " around "
        + place["name"]
        + ". An invented event for tests and benchmarks: it describes nothing that happened, and is about "
        "as long as ACLED's notes."
    )
    event_type = types[kind, 0]
    return pd.DataFrame(
        {
            "event_id_cnty": "SYN" + ids,
            "event_date": date.strftime("%d %B %Y"),
            "year": date.year.astype(str),
            "time_precision": rng.integers(1, 4, rows).astype(str),
            "disorder_type": "Political violence",
            "event_type": event_type,
            "sub_event_type": types[kind, 1],
            "actor1": actors[rng.integers(0, 6, rows)],
            "assoc_actor_1": np.where(rng.random(rows) < 0.1, "Wagner Group", ""),
            "inter1": "1",
            "actor2": actors[rng.integers(4, 8, rows)],
            "assoc_actor_2": "",
            "inter2": "7",
            "interaction": "17",
            "civilian_targeting": np.where(
                event_type == "Violence against civilians", "Civilian targeting", ""
            ),
            "iso": "466",
            "region": "Western Africa",
            "country": "Mali",
            "admin1": place["admin1"].fillna(""),
            "admin2": place["admin2"].fillna(""),
            "admin3": "",
            "location": place["name"],
            "latitude": (place["latitude"] + rng.uniform(-0.04, 0.04, rows)).round(4).astype(str),
            "longitude": (place["longitude"] + rng.uniform(-0.04, 0.04, rows)).round(4).astype(str),
            "geo_precision": rng.choice(["1", "1", "2", "3"], rows),
            "source": rng.choice(
                ["Studio Tamani", "Le Républicain (Mali); AFP", "Menastream", "Partner"], rows
            ),
            "source_scale": "National",
            "notes": notes,
            "fatalities": rng.poisson(1.5, rows).astype(str),
            "tags": "",
            "timestamp": "1700000000",
        }
    )[list(acled.CURRENT_HEADER)]


def store_synthetic_acled(rows: int, data_dir: Path, label: str = "synthetic", seed: int = 1) -> int:
    """Import ``rows`` synthetic events into the store at ``data_dir``, as `sahelmap import` would."""
    result = validate(acled.to_canonical(synthetic_acled(rows, seed)), "synthetic.csv", dataset=label)
    store.save_dataset(result, label, fmt="acled", source_file="synthetic.csv", data_dir=data_dir)
    return len(result.valid)


# --- issue 14: English left in a French page -----------------------------------------------------------

# Common English interface words, as whole words: none is a French word, so any found in a French text
# (once its data values are taken out) is interface text that was never translated, whether or not the
# catalogue has it.
# Lower case or capitalised only, so "CC BY 4.0" is not "by".
ENGLISH_WORDS = (
    "the", "and", "of", "with", "per", "from", "only", "not", "or", "is", "are", "this", "by", "to", "in",
    "at", "each", "which", "where", "when", "events?", "deaths?", "reported", "region", "show(ing)?",
    "download", "zoom", "click", "select", "unknown", "week",
)  # fmt: skip
_ENGLISH = re.compile(r"\b(" + "|".join(f"[{w[0]}{w[0].upper()}]{w[1:]}" for w in ENGLISH_WORDS) + r")\b")


def english_words(text: str, data: Iterable[str] = ()) -> list[str]:
    """The English interface words in ``text`` once every value of ``data`` (notes, actor and place names,
    sources: shown as sourced) is taken out of it, longest first."""
    for value in sorted({d for d in data if d}, key=len, reverse=True):
        text = text.replace(value, " ")
    return [m.group(0) for m in _ENGLISH.finditer(text)]


def html_text(fragment: str) -> str:
    """The text a browser shows for an HTML fragment (tags dropped, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]*>", " ", fragment))
