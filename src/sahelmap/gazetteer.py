"""Place names and their aliases -> coordinates and admin units (data/geo/places.csv).

Names match whatever the accents, case, hyphens or spaces: "Ti-n-Zaouâtene", "Tin Zaouaten" and
"TINZAOUATEN" are one place.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from importlib.abc import Traversable

import geopandas as gpd
import numpy as np
import pandas as pd

from sahelmap import schema
from sahelmap.errors import ReferenceDataError
from sahelmap.text import name_key

ALIAS_SEPARATOR = "|"
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    admin1: str
    admin2: str
    geonames_id: int | None
    focus: bool


class Gazetteer:
    """Resolves names and aliases to places; built from a places table."""

    def __init__(self, places: pd.DataFrame) -> None:
        self.places = places.reset_index(drop=True)
        self._by_key: dict[str, int] = {}
        for i, row in self.places.iterrows():
            names = [row["name"], *str(row["aliases"]).split(ALIAS_SEPARATOR)]
            for name in filter(None, (n.strip() for n in names)):
                key = name_key(name)
                if key in self._by_key and self._by_key[key] != i:
                    raise ReferenceDataError(f"places.csv: name {name!r} is given to two places")
                self._by_key[key] = int(str(i))

    def resolve(self, name: str) -> Place | None:
        i = self._by_key.get(name_key(name))
        if i is None:
            return None
        row = self.places.loc[i]
        gid = row["geonames_id"]
        return Place(
            name=row["name"],
            latitude=float(row["latitude"]),
            longitude=float(row["longitude"]),
            admin1=row["admin1"],
            admin2=row["admin2"],
            geonames_id=None if pd.isna(gid) else int(gid),
            focus=bool(row["focus"]),
        )

    def canonical_names(self, names: pd.Series) -> pd.Series:
        """The gazetteer's own name for each name (NA where unknown); each distinct name looked up once."""
        codes, uniques = pd.factorize(names)
        found = [self._by_key.get(name_key(str(u))) for u in uniques]
        canon = np.array(
            [None if i is None else self.places.at[i, "name"] for i in found] + [None], dtype=object
        )
        return pd.Series(canon[codes], index=names.index, dtype="str")

    def focus_places(self) -> pd.DataFrame:
        return self.places[self.places["focus"]]


def read_places(path: Traversable) -> pd.DataFrame:
    places = pd.read_csv(
        io.BytesIO(path.read_bytes()), dtype={"geonames_id": "Int64"}, keep_default_na=False, na_values=[""]
    )
    places["focus"] = places["focus"].astype(str).str.lower().eq("true")
    places["aliases"] = places["aliases"].fillna("")
    return places


def load_gazetteer(path: Traversable) -> Gazetteer:
    return Gazetteer(read_places(path))


def haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: float, lon2: float) -> np.ndarray:
    """Great-circle distance from many points to one point."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def distance_within_km(
    lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float, radius_km: float
) -> np.ndarray:
    """Which points lie within radius_km of (lat0, lon0), on the WGS84 ellipsoid.

    Measured in an azimuthal equidistant CRS centred on the place, where distances from the centre are
    exact. Only points in a box around it are projected: a degree is at least 100 km in Mali (latitude
    everywhere, longitude below 25°N), so the box of radius/100 degrees holds every point in range.
    """
    box = radius_km / 100
    candidates = np.flatnonzero((np.abs(lat - lat0) <= box) & (np.abs(lon - lon0) <= box))
    local = f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +datum=WGS84 +units=m"
    points = gpd.GeoSeries(gpd.points_from_xy(lon[candidates], lat[candidates]), crs=schema.CRS).to_crs(local)
    within = np.zeros(len(lat), dtype=bool)
    within[candidates] = np.hypot(points.x.to_numpy(), points.y.to_numpy()) <= radius_km * 1000
    return within


def assign_focus_place(
    events: pd.DataFrame, gazetteer: Gazetteer, radius_km: float = schema.FOCUS_RADIUS_KM
) -> pd.Series:
    """The focus place an event is at: its location is that place, or it lies within radius_km of it
    (measured in a metric CRS by distance_within_km).

    Events located only to a region (geo_precision 3) are at no focus place, neither by distance nor by
    name: their location names the region's capital as a stand-in ("an unknown site in the Gao or Kidal
    region" is placed on Gao), which says nothing about the capital itself (README, "Place").
    """
    focus = gazetteer.focus_places()
    precise = events["geo_precision"].fillna(1).lt(3).to_numpy()
    by_name = gazetteer.canonical_names(events["location"]).where(lambda s: s.isin(set(focus["name"])))
    result = by_name.astype("object").where(precise)
    lat, lon = events["latitude"].to_numpy(float), events["longitude"].to_numpy(float)
    # The focus places lie hundreds of km apart, so no event is near two of them.
    for place in focus.itertuples():
        near_place = distance_within_km(lat, lon, float(place.latitude), float(place.longitude), radius_km)
        near = precise & result.isna().to_numpy() & near_place
        result[near] = place.name
    return pd.Series(pd.Categorical(result, categories=list(schema.FOCUS_PLACES)), index=events.index)
