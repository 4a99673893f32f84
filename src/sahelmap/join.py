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

from ._arrays import codes, map_text, take_text
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
    no per-point Python. The points are sorted by longitude once, so each unit
    looks only at the strip of points under its bounding box. A point on a shared
    border goes to the first unit.
    """
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    idx = np.full(len(lon), -1, dtype="int64")
    geoms = np.array(leaves.geometry.values, dtype=object)
    shapely.prepare(geoms)
    bounds = shapely.bounds(geoms)
    by_lon = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    by_lon = by_lon[np.argsort(lon[by_lon])]
    x, y = lon[by_lon], lat[by_lon]    # points in longitude order: strips are slices
    free = np.ones(len(by_lon), bool)
    for i, (x0, y0, x1, y1) in enumerate(bounds):
        a, b = np.searchsorted(x, x0, "left"), np.searchsorted(x, x1, "right")
        cand = a + np.flatnonzero(free[a:b] & (y[a:b] >= y0) & (y[a:b] <= y1))
        if len(cand) == 0:
            continue
        hit = cand[shapely.intersects_xy(geoms[i], x[cand], y[cand])]
        idx[by_lon[hit]] = i
        free[hit] = False
    return idx


def _leaf_table(admin1: gpd.GeoDataFrame, admin2: gpd.GeoDataFrame
                ) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The leaf units, and per leaf (plus a last row of blanks for "no unit") its
    admin-1 and admin-2 ids and names and its country."""
    leaves = leaf_units(admin1, admin2)
    is2 = (leaves["level"].to_numpy() == 2)
    parent = admin2.set_index("unit_id")["parent_id"]
    ids = leaves["unit_id"].to_numpy(dtype=object)
    # as text even when there are no level-2 units at all (a map through none gives floats)
    a1 = np.where(is2, pd.Series(ids).map(parent).astype(object).fillna("").to_numpy(
        dtype=object), ids)
    a2 = np.where(is2, ids, "")
    info1 = admin1.set_index("unit_id")
    names2 = admin2.set_index("unit_id")["name"]
    table = pd.DataFrame({
        "admin1_id": a1, "admin2_id": a2,
        "admin_country": pd.Series(a1).map(info1["country"]).astype(object).fillna(""),
        "admin1_name": pd.Series(a1).map(info1["name"]).astype(object).fillna(""),
        "admin2_name": pd.Series(a2).map(names2).astype(object).fillna(""),
    }).astype(object)
    blank = pd.DataFrame({c: [""] for c in table.columns}, dtype=object)
    return leaves, pd.concat([table, blank], ignore_index=True)


def _leaf_rows(lon: np.ndarray, lat: np.ndarray, leaves: gpd.GeoDataFrame) -> np.ndarray:
    """The row of the leaf table for each point (the last row, blanks, for none)."""
    idx = leaf_index(lon, lat, leaves)
    return np.where(idx < 0, len(leaves), idx)


def locate_units(lon: np.ndarray, lat: np.ndarray, admin1: gpd.GeoDataFrame,
                 admin2: gpd.GeoDataFrame) -> pd.DataFrame:
    """For coordinate arrays, the admin-1 and admin-2 unit holding each point.

    NaN coordinates and points outside every unit get empty ids.
    """
    leaves, table = _leaf_table(admin1, admin2)
    take = _leaf_rows(lon, lat, leaves)
    return pd.DataFrame({c: table[c].to_numpy(dtype=object)[take]
                         for c in ("admin1_id", "admin2_id", "admin_country")})


def _coordinates(frame: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Longitude and latitude of each record's point (NaN where it has none)."""
    geom = frame.geometry.values
    has_point = ~(shapely.is_missing(geom) | shapely.is_empty(geom))
    return (np.where(has_point, shapely.get_x(geom), np.nan),
            np.where(has_point, shapely.get_y(geom), np.nan))


def join_admin(located: gpd.GeoDataFrame, admin1: gpd.GeoDataFrame,
               admin2: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add admin unit ids and names to located records, as far as their precision allows.

    Records without a point keep empty ids. ``join_note`` says why a record
    supports fewer levels than the layer has, or that its point falls outside
    the stated country or outside every unit. Text is looked up per leaf unit and
    per distinct value, never per record.
    """
    out = located.copy()
    lon, lat = _coordinates(out)
    has_point = np.isfinite(lon) & np.isfinite(lat)
    leaves, table = _leaf_table(admin1, admin2)
    take = _leaf_rows(lon, lat, leaves)
    none = len(leaves)
    p_codes, p_names = codes(out["location_precision"]) if len(out) else \
        (np.array([], "int64"), np.array([], dtype=object))

    def precision_in(levels):
        return np.isin(p_names, [p for p, lv in SUPPORTS.items() if levels(lv)])[p_codes]

    at1 = np.where(precision_in(lambda lv: 1 in lv), take, none)
    at2 = np.where(precision_in(lambda lv: 2 in lv), take, none)
    for c, at in (("admin1_id", at1), ("admin2_id", at2), ("admin_country", take),
                  ("admin1_name", at1), ("admin2_name", at2)):
        out[c] = take_text(table[c], at)
    out["join_note"] = _join_notes(out, has_point, take, table, p_codes, p_names,
                                   lon, lat, admin1, admin2)
    return out


def _join_notes(out, has_point, take, table, p_codes, p_names, lon, lat, admin1, admin2
                ) -> np.ndarray:
    """Why a record supports fewer levels than the layer has, or where its point falls
    against the country it states."""
    note = np.full(len(out), "", dtype=object)
    country = table["admin_country"].to_numpy(dtype=object)
    outside = has_point & (table["admin1_id"].to_numpy(dtype=object) == "")[take]
    note[outside] = "point falls outside every admin unit"
    note[has_point & (p_names == "country")[p_codes]] = "country-level location supports no unit"
    note[has_point & (p_names == "admin1")[p_codes]] = "region-level location supports admin-1 only"
    if "country" not in out or len(out) == 0:
        return note
    s_codes, s_names = codes(out["country"])
    # stated and point countries compared on codes of one vocabulary
    vocab = np.unique(np.concatenate([s_names, country]).astype(str))
    stated_at = np.searchsorted(vocab, s_names.astype(str))[s_codes]
    point_at = np.searchsorted(vocab, country.astype(str))[take]
    differs = has_point & (s_names != "")[s_codes] & (stated_at != point_at)
    stated = s_names[s_codes[differs]]
    mismatch = differs & ~outside
    note[mismatch] = [f"point falls in {c}, record says {s}" for c, s in
                      zip(country[take[mismatch]], s_names[s_codes[mismatch]])]
    if differs.any():
        # a classic export error: latitude and longitude swapped. Report it, never fix it.
        flipped = locate_units(lat[differs], lon[differs], admin1, admin2)["admin_country"]
        hit = np.flatnonzero(differs)[flipped.to_numpy() == stated]
        note[hit] = [f"latitude and longitude look swapped: swapped, the point falls in {c}; "
                     "not changed" for c in s_names[s_codes[hit]]]
    return note


def join_vintages(joined: gpd.GeoDataFrame, history, admin1: gpd.GeoDataFrame
                  ) -> gpd.GeoDataFrame:
    """Where the user gave several vintages of a country's boundaries (``history``, a
    list of :class:`~sahelmap.geodata.Epoch`): the vintage in force on each record's
    ``date_start`` and the units of that vintage holding its point (at the levels its
    precision supports, as :func:`join_admin` decides). Records of other countries keep
    their ids, and name the source of their level-1 unit. One point-in-polygon pass per
    vintage, over the records of its span."""
    out = joined.copy()
    a1 = out["admin1_id"].astype(object).to_numpy(dtype=object)
    a2 = out["admin2_id"].astype(object).to_numpy(dtype=object)
    vintage = np.asarray(map_text(out["admin1_id"], admin1.set_index("unit_id")["vintage"], ""),
                         dtype=object)
    v1, v2 = a1.copy(), a2.copy()
    if len(out) and history:
        day = pd.Series(out["date_start"]).astype(str).str[:10].to_numpy(dtype=object)
        country = out["admin_country"].astype(object).to_numpy(dtype=object)
        lon, lat = _coordinates(out)
        for ep in history:
            sel = (country == ep.country) & (day >= ep.start) & ((day < ep.end) if ep.end
                                                                 else True)
            if not sel.any():
                continue
            units = locate_units(lon[sel], lat[sel], ep.admin1, ep.admin2)
            vintage[sel] = ep.label
            v1[sel] = np.where(a1[sel] != "", units["admin1_id"].to_numpy(dtype=object), "")
            v2[sel] = np.where(a2[sel] != "", units["admin2_id"].to_numpy(dtype=object), "")
    out["vintage"], out["vintage_admin1_id"], out["vintage_admin2_id"] = vintage, v1, v2
    return out


def carry_former(joined: gpd.GeoDataFrame, crosswalk: pd.DataFrame | None,
                 admin1: gpd.GeoDataFrame, admin2: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Records placed at a former unit (a region of an older vintage that no longer
    exists) support the drawn unit the crosswalk gives the largest share of it (the
    first such row on a tie) instead of the unit under its label point; the join note
    says where it went, and that it went by its label point where no crosswalk names it."""
    pid = joined["place_id"].astype(object).fillna("").astype(str)
    former = pid.str.startswith("former:")
    if not former.any():
        return joined
    out = joined.copy()
    walk = crosswalk if crosswalk is not None else pd.DataFrame(
        columns=["place_id", "to_unit", "share", "level"])
    best = walk.sort_values(["place_id", "share"], ascending=[True, False],
                            kind="stable").drop_duplicates("place_id").set_index("place_id")
    split = pd.Series({p: ", ".join(f"{t} ({s:g})" for t, s in zip(g["to_unit"], g["share"]))
                       for p, g in walk.groupby("place_id", sort=False)}, dtype=object)
    place = pid[former]
    old = place.str.split(":", n=2).str[2]
    to = map_text(place, best["to_unit"], "")  # "" where no crosswalk names the unit
    walked = to != ""
    level = place.map(best["level"]).fillna(0).astype(int)
    parents = admin2.set_index("unit_id")["parent_id"]
    names = pd.concat([admin1, admin2]).set_index("unit_id")["name"]
    a1 = to.where(level == 1, map_text(to, parents, ""))
    idx = place.index[walked]
    out.loc[idx, "admin1_id"] = a1[walked]
    out.loc[idx, "admin1_name"] = map_text(a1[walked], names, "")
    two = walked & (level == 2) & (out.loc[place.index, "admin2_id"] != "")
    out.loc[place.index[two], "admin2_id"] = to[two]
    out.loc[place.index[two], "admin2_name"] = map_text(to[two], names, "")
    said = np.where(walked, "former unit " + old + ": to " + map_text(place, split, "")
                    + " by the crosswalk; supports " + to,
                    "former unit " + old + ": placed by its label point (no crosswalk "
                    "names it)")
    before = out.loc[place.index, "join_note"].astype(object).fillna("").astype(str)
    out.loc[place.index, "join_note"] = np.where(before != "", before + "; " + said, said)
    return out
