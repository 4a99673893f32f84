"""Join located records to admin units: a vectorised point-in-polygon pass per unit.

The precision of a location decides which levels it may support
(:data:`sahelmap.settings.SUPPORTS`): an exact or near point supports its
province and region, a region label point only its region, a country centroid
nothing.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .settings import SUPPORTS

JOIN_COLUMNS = ["admin1_id", "admin1_name", "admin2_id", "admin2_name", "admin_country",
                "join_note"]


def leaf_units(admin1: gpd.GeoDataFrame, admin2: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The finest units available everywhere: admin-2 where it exists, else admin-1."""
    covered = set(admin2["parent_id"])
    leaves = pd.concat([admin2, admin1[~admin1["unit_id"].isin(covered)]], ignore_index=True)
    return gpd.GeoDataFrame(leaves, geometry="geometry", crs=admin1.crs)


def leaf_index(lon: np.ndarray, lat: np.ndarray, leaves: gpd.GeoDataFrame) -> np.ndarray:
    """Position in ``leaves`` of the unit holding each point, -1 for none.

    One pass per unit (a few hundred), each a bounding-box filter and a
    prepared point-in-polygon test on coordinate arrays: no point objects and
    no per-point Python. A point on a shared border goes to the first unit.
    """
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    idx = np.full(len(lon), -1, dtype="int64")
    geoms = np.array(leaves.geometry.values, dtype=object)
    shapely.prepare(geoms)
    bounds = shapely.bounds(geoms)
    ok = np.isfinite(lon) & np.isfinite(lat)
    for i, (x0, y0, x1, y1) in enumerate(bounds):
        cand = np.flatnonzero(ok & (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1))
        if len(cand) == 0:
            continue
        hit = shapely.intersects_xy(geoms[i], lon[cand], lat[cand])
        idx[cand[hit]] = i
        ok[cand[hit]] = False
    return idx


def locate_units(lon: np.ndarray, lat: np.ndarray, admin1: gpd.GeoDataFrame,
                 admin2: gpd.GeoDataFrame) -> pd.DataFrame:
    """For coordinate arrays, the admin-1 and admin-2 unit holding each point.

    NaN coordinates and points outside every unit get empty ids.
    """
    leaves = leaf_units(admin1, admin2)
    idx = leaf_index(lon, lat, leaves)
    is2 = (leaves["level"].to_numpy() == 2)
    parent = admin2.set_index("unit_id")["parent_id"]
    ids = leaves["unit_id"].to_numpy(dtype=object)
    a1 = np.where(is2, pd.Series(ids).map(parent).fillna("").to_numpy(dtype=object), ids)
    a2 = np.where(is2, ids, "")
    country = pd.Series(a1).map(admin1.set_index("unit_id")["country"]).fillna("").to_numpy(dtype=object)
    # one extra slot at the end holds the "no unit" values for idx == -1
    take = np.where(idx < 0, len(ids), idx)
    pad = np.array([""], dtype=object)
    return pd.DataFrame({"admin1_id": np.concatenate([a1, pad])[take],
                         "admin2_id": np.concatenate([a2, pad])[take].astype(object),
                         "admin_country": np.concatenate([country, pad])[take]})


def join_admin(located: gpd.GeoDataFrame, admin1: gpd.GeoDataFrame,
               admin2: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add admin unit ids and names to located records, as far as their precision allows.

    Records without a point keep empty ids. ``join_note`` says why a record
    supports fewer levels than the layer has, or that its point falls outside
    the stated country or outside every unit.
    """
    out = located.copy()
    geom = out.geometry.values
    has_point = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    lon = np.where(has_point, shapely.get_x(geom), np.nan)
    lat = np.where(has_point, shapely.get_y(geom), np.nan)
    has_point &= np.isfinite(lon) & np.isfinite(lat)
    units = locate_units(lon, lat, admin1, admin2)
    precision = out["location_precision"].fillna("").to_numpy()
    level1 = np.isin(precision, [p for p, lv in SUPPORTS.items() if 1 in lv])
    level2 = np.isin(precision, [p for p, lv in SUPPORTS.items() if 2 in lv])
    out["admin1_id"] = np.where(level1, units["admin1_id"].to_numpy(), "").astype(object)
    out["admin2_id"] = np.where(level2, units["admin2_id"].to_numpy(), "").astype(object)
    out["admin_country"] = units["admin_country"].to_numpy()
    names1 = admin1.set_index("unit_id")["name"]
    names2 = admin2.set_index("unit_id")["name"]
    out["admin1_name"] = _lookup(out["admin1_id"], names1)
    out["admin2_name"] = _lookup(out["admin2_id"], names2)

    note = np.full(len(out), "", dtype=object)
    outside = has_point & (units["admin1_id"].to_numpy() == "")
    note[outside] = "point falls outside every admin unit"
    note[has_point & (precision == "country")] = "country-level location supports no unit"
    note[has_point & (precision == "admin1")] = "region-level location supports admin-1 only"
    stated = out["country"].fillna("").to_numpy() if "country" in out else np.full(len(out), "")
    mismatch = (has_point & ~outside & (stated != "")
                & (stated != units["admin_country"].to_numpy()))
    note[mismatch] = [f"point falls in {c}, record says {s}" for c, s in
                      zip(units["admin_country"].to_numpy()[mismatch], stated[mismatch])]
    wrong = has_point & (stated != "") & (units["admin_country"].to_numpy() != stated)
    if wrong.any():
        # a classic export error: latitude and longitude swapped. Report it, never fix it.
        flipped = locate_units(lat[wrong], lon[wrong], admin1, admin2)["admin_country"].to_numpy()
        hit = np.flatnonzero(wrong)[flipped == stated[wrong]]
        note[hit] = [f"latitude and longitude look swapped: swapped, the point falls in {c}; "
                     "not changed" for c in stated[hit]]
    out["join_note"] = note
    return out


def _lookup(ids: pd.Series, names: pd.Series) -> np.ndarray:
    """Map ids to names through their distinct values (fast on millions of rows)."""
    codes, uniques = pd.factorize(ids)
    mapped = pd.Series(uniques).map(names).fillna("").to_numpy(dtype=object)
    return np.concatenate([mapped, np.array([""], dtype=object)])[codes]
