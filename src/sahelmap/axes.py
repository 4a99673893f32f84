"""Axes of reinforcement: declared movements, and shifts of activity inferred
between consecutive periods; plus declared routes of influence (kind
``influence``: a road a source says a group dominates, not forces moving).

Declared axes come from the movement records: one LineString from origin to
destination per movement and period it overlaps. Inferred shifts are drawn
from presence activity: for each group and each pair of consecutive periods,
the units where its activity fell most are paired with the units where it
rose most, and the activity that moved is shared out in proportion to both
(see ``docs/method.md``). They are marked ``inferred`` and carry their
strength; they are hypotheses to check, not observations.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .periods import slice_records

AXIS_COLUMNS = ["axis_id", "kind", "group", "period", "period_start", "period_end", "weight",
                "origin_name", "origin_place_id", "origin_unit", "origin_precision",
                "destination_name", "destination_place_id", "destination_unit",
                "destination_precision", "size", "strength", "confidence",
                "method", "evidence", "note", "geometry"]
DECLARED_METHOD = "declared movement record"
INFLUENCE_METHOD = "declared route of influence (a source says the route is under the group's influence)"
INFERRED_METHOD = ("activity shift between consecutive periods: top declines paired with top "
                   "rises, moved activity shared in proportion to both")
EARTH_KM = 6371.0088


@dataclass(frozen=True)
class AxesSettings:
    """Parameters of the inferred shifts; defaults argued in docs/method.md."""

    min_change: float = 0.5   # a unit's activity must change at least this much
    min_shift: float = 0.5    # a drawn shift carries at least this much activity
    top_k: int = 3            # declining and rising units paired per group and period
    max_km: float = 800.0     # no shift longer than this (great-circle, between label points)
    infer: bool = True

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def updated(self, **changes) -> "AxesSettings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def haversine_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype="float64"))
                              for a in (lon1, lat1, lon2, lat2))
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_KM * np.arcsin(np.sqrt(a))


def declared_axes(movements: gpd.GeoDataFrame, periods: pd.DataFrame) -> gpd.GeoDataFrame:
    """One row per declared movement and period it overlaps.

    A movement with an end that could not be located is kept with no geometry
    and a note, so it stays visible in tables and reports.
    """
    if len(movements) == 0:
        return gpd.GeoDataFrame(columns=AXIS_COLUMNS, geometry="geometry", crs="EPSG:4326")
    sl = slice_records(movements["date_start"], movements["date_end"], periods)
    m = movements.iloc[sl["row"].to_numpy()].reset_index(drop=True)
    per = periods.iloc[sl["pidx"].to_numpy()].reset_index(drop=True)
    geom = m.geometry.values
    note = np.where(shapely.is_missing(geom), "an end of this movement could not be located", "")
    out = pd.DataFrame({
        "axis_id": m["movement_id"].to_numpy(),
        "kind": np.where(m.get("kind", pd.Series("movement", index=m.index)).fillna("movement")
                         == "influence", "influence", "declared"),
        "group": m["actor"].to_numpy(),
        "period": per["period"].to_numpy(),
        "period_start": per["period_start"].to_numpy(),
        "period_end": per["period_end"].to_numpy(),
        "weight": sl["weight"].round(6).to_numpy(),
        "origin_name": m["origin"].to_numpy(),
        "origin_place_id": m.get("origin_place_id", pd.Series("", index=m.index)).to_numpy(),
        "origin_unit": m.get("origin_unit", pd.Series("", index=m.index)).to_numpy(),
        "origin_precision": m["origin_location_precision"].to_numpy(),
        "destination_name": m["destination"].to_numpy(),
        "destination_place_id": m.get("destination_place_id",
                                      pd.Series("", index=m.index)).to_numpy(),
        "destination_unit": m.get("destination_unit", pd.Series("", index=m.index)).to_numpy(),
        "destination_precision": m["destination_location_precision"].to_numpy(),
        "size": m["size"].to_numpy(),
        "strength": np.nan,
        "confidence": m["confidence"].to_numpy(),
        "method": np.where(m.get("kind", pd.Series("movement", index=m.index)).fillna("movement")
                           == "influence", INFLUENCE_METHOD, DECLARED_METHOD),
        "evidence": m["movement_id"].to_numpy(),
        "note": note,
    })
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geom, crs="EPSG:4326"))


def inferred_shifts(presence: pd.DataFrame, periods: pd.DataFrame, unit_points: pd.DataFrame,
                    settings: AxesSettings | None = None) -> gpd.GeoDataFrame:
    """Shifts of each group's activity between consecutive periods.

    ``presence`` is the output of :func:`sahelmap.presence.presence`;
    ``unit_points`` maps ``unit_id`` to ``longitude``/``latitude`` (label points).
    """
    settings = settings or AxesSettings()
    empty = gpd.GeoDataFrame(columns=AXIS_COLUMNS, geometry="geometry", crs="EPSG:4326")
    if not settings.infer or presence.empty or len(periods) < 2:
        return empty
    changes = _changes(presence, periods, settings)
    pairs = _pairs(changes) if len(changes) else changes
    if pairs.empty:
        return empty
    pairs, coords = _within_reach(pairs, unit_points, settings)
    if pairs.empty:
        return empty
    return _inferred_rows(pairs, periods, unit_points, coords)


def _changes(presence: pd.DataFrame, periods: pd.DataFrame, settings: AxesSettings
             ) -> pd.DataFrame:
    """Each group's largest rises and falls of activity per unit from one period to the
    next (at least ``min_change``; the ``top_k`` of each sign)."""
    pidx = pd.Series(np.arange(len(periods)), index=periods["period"].to_numpy())
    act = presence[presence["activity"] > 0]
    keys = act[["unit_id", "group"]].drop_duplicates().sort_values(["unit_id", "group"])
    keys = keys.reset_index(drop=True)
    kidx = pd.MultiIndex.from_frame(keys)
    A = np.zeros((len(keys), len(periods)))
    A[kidx.get_indexer(pd.MultiIndex.from_frame(act[["unit_id", "group"]])),
      act["period"].map(pidx).to_numpy()] = act["activity"].to_numpy()
    delta = A[:, 1:] - A[:, :-1]
    k, p = np.nonzero(np.abs(delta) >= settings.min_change)
    ch = pd.DataFrame({"unit": keys["unit_id"].to_numpy()[k], "group": keys["group"].to_numpy()[k],
                       "p": p + 1, "delta": delta[k, p]})
    ch["mag"] = ch["delta"].abs()
    ch["sign"] = np.sign(ch["delta"]).astype(int)
    ch = ch.sort_values(["group", "p", "sign", "mag", "unit"],
                        ascending=[True, True, True, False, True])
    return ch[ch.groupby(["group", "p", "sign"]).cumcount() < settings.top_k]


def _pairs(ch: pd.DataFrame) -> pd.DataFrame:
    """Every fall paired with every rise of the same group and period, with the share
    of the activity moved that the pair carries (its strength)."""
    down = ch[ch["sign"] < 0].rename(columns={"unit": "origin_unit", "mag": "fall"})
    up = ch[ch["sign"] > 0].rename(columns={"unit": "destination_unit", "mag": "rise"})
    down = down.assign(total_fall=down.groupby(["group", "p"])["fall"].transform("sum"))
    up = up.assign(total_rise=up.groupby(["group", "p"])["rise"].transform("sum"))
    pairs = down[["group", "p", "origin_unit", "fall", "total_fall"]].merge(
        up[["group", "p", "destination_unit", "rise", "total_rise"]], on=["group", "p"])
    if pairs.empty:
        return pairs
    total_fall, total_rise = pairs["total_fall"], pairs["total_rise"]
    moved = np.minimum(total_fall, total_rise)
    pairs["strength"] = moved * (pairs["fall"] / total_fall) * (pairs["rise"] / total_rise)
    return pairs


def _within_reach(pairs: pd.DataFrame, unit_points: pd.DataFrame, settings: AxesSettings
                  ) -> tuple[pd.DataFrame, np.ndarray]:
    """The pairs strong enough and near enough, with their ends' coordinates."""
    pts = unit_points.set_index("unit_id")
    lon1 = pairs["origin_unit"].map(pts["longitude"]).to_numpy()
    lat1 = pairs["origin_unit"].map(pts["latitude"]).to_numpy()
    lon2 = pairs["destination_unit"].map(pts["longitude"]).to_numpy()
    lat2 = pairs["destination_unit"].map(pts["latitude"]).to_numpy()
    pairs["km"] = haversine_km(lon1, lat1, lon2, lat2)
    ok = ((pairs["strength"] >= settings.min_shift) & (pairs["km"] <= settings.max_km)
          & np.isfinite(pairs["km"])).to_numpy()
    coords = np.stack([np.column_stack([lon1[ok], lat1[ok]]),
                       np.column_stack([lon2[ok], lat2[ok]])], axis=1)
    return pairs[ok].reset_index(drop=True), coords


def _inferred_rows(pairs: pd.DataFrame, periods: pd.DataFrame, unit_points: pd.DataFrame,
                   coords: np.ndarray) -> gpd.GeoDataFrame:
    """The axis rows of the pairs, lines from origin to destination."""
    per = periods.iloc[pairs["p"].to_numpy()].reset_index(drop=True)
    prev = periods["period"].to_numpy()[pairs["p"].to_numpy() - 1]
    names = unit_points.set_index("unit_id").get("name", pd.Series(dtype=object))
    out = pd.DataFrame({
        "axis_id": ("inferred:" + pairs["group"] + ":" + per["period"] + ":"
                    + pairs["origin_unit"] + ">" + pairs["destination_unit"]),
        "kind": "inferred",
        "group": pairs["group"],
        "period": per["period"],
        "period_start": per["period_start"],
        "period_end": per["period_end"],
        "weight": 1.0,
        "origin_name": pairs["origin_unit"].map(names).fillna(pairs["origin_unit"]),
        "origin_place_id": "admin:" + pairs["origin_unit"],
        "origin_unit": pairs["origin_unit"],
        "origin_precision": "unit",
        "destination_name": pairs["destination_unit"].map(names).fillna(pairs["destination_unit"]),
        "destination_place_id": "admin:" + pairs["destination_unit"],
        "destination_unit": pairs["destination_unit"],
        "destination_precision": "unit",
        "size": "",
        "strength": pairs["strength"].round(6),
        "confidence": "inferred",
        "method": INFERRED_METHOD,
        "evidence": ("activity " + pairs["origin_unit"] + " -" + pairs["fall"].round(2).astype(str)
                     + ", " + pairs["destination_unit"] + " +" + pairs["rise"].round(2).astype(str)
                     + " from " + prev + " to " + per["period"]),
        "note": "",
    })
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(shapely.linestrings(coords),
                                                        crs="EPSG:4326"))


def axes(movements: gpd.GeoDataFrame, presence: pd.DataFrame, periods: pd.DataFrame,
         unit_points: pd.DataFrame, settings: AxesSettings | None = None) -> gpd.GeoDataFrame:
    """Declared axes and inferred shifts in one frame, sorted by period, kind and id."""
    parts = [f for f in (declared_axes(movements, periods),
                         inferred_shifts(presence, periods, unit_points, settings)) if len(f)]
    if not parts:
        return gpd.GeoDataFrame(columns=AXIS_COLUMNS, geometry="geometry", crs="EPSG:4326")
    out = pd.concat(parts, ignore_index=True)[AXIS_COLUMNS]
    out = out.sort_values(["period_start", "kind", "axis_id"], kind="stable").reset_index(drop=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
