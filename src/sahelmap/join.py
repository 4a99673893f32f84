"""Join located records to admin units: one vectorised point-in-polygon query.

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


def locate_units(lon: np.ndarray, lat: np.ndarray, admin1: gpd.GeoDataFrame,
                 admin2: gpd.GeoDataFrame) -> pd.DataFrame:
    """For coordinate arrays, the admin-1 and admin-2 unit holding each point.

    NaN coordinates and points outside every unit get empty ids.
    """
    leaves = leaf_units(admin1, admin2)
    n = len(lon)
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    ok = np.isfinite(lon) & np.isfinite(lat)
    points = shapely.points(np.where(ok, lon, 0.0), np.where(ok, lat, 0.0))
    tree = shapely.STRtree(leaves.geometry.values)
    pt_idx, unit_idx = tree.query(points, predicate="intersects")
    # A point on a shared border touches two units: keep the lowest unit index.
    order = np.lexsort((unit_idx, pt_idx))
    pt_idx, unit_idx = pt_idx[order], unit_idx[order]
    first = np.unique(pt_idx, return_index=True)[1]
    pt_idx, unit_idx = pt_idx[first], unit_idx[first]
    keep = ok[pt_idx]
    pt_idx, unit_idx = pt_idx[keep], unit_idx[keep]

    leaf_id = np.full(n, "", dtype=object)
    leaf_id[pt_idx] = leaves["unit_id"].to_numpy()[unit_idx]
    is_admin2 = np.zeros(n, dtype=bool)
    is_admin2[pt_idx] = (leaves["level"].to_numpy()[unit_idx] == 2)
    parent = admin2.set_index("unit_id")["parent_id"]
    admin1_id = np.where(is_admin2, pd.Series(leaf_id).map(parent).fillna("").to_numpy(), leaf_id)
    admin2_id = np.where(is_admin2, leaf_id, "")
    country = pd.Series(admin1_id).map(admin1.set_index("unit_id")["country"]).fillna("")
    return pd.DataFrame({"admin1_id": admin1_id.astype(object), "admin2_id": admin2_id.astype(object),
                         "admin_country": country.to_numpy()})


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
    out["admin1_id"] = np.where(level1, units["admin1_id"], "")
    out["admin2_id"] = np.where(level2, units["admin2_id"], "")
    out["admin_country"] = units["admin_country"].to_numpy()
    names1 = admin1.set_index("unit_id")["name"]
    names2 = admin2.set_index("unit_id")["name"]
    out["admin1_name"] = out["admin1_id"].map(names1).fillna("")
    out["admin2_name"] = out["admin2_id"].map(names2).fillna("")

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
    out["join_note"] = note
    return out
