"""The stages composed: records → located records → periods → presence → axes.

Pure functions on frames, used by the CLI and the site builder alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .axes import AxesSettings, axes
from ._errors import InputError
from .gazetteer import build_gazetteer
from .geocode import geocode, geocode_movements
from .geodata import Geodata
from .join import join_admin, locate_units
from .merge import link_duplicates
from .periods import make_periods, windows
from .presence import PresenceSettings, presence, unit_of
from .records import Records
from .settings import SUPPORTS


@dataclass(frozen=True)
class PeriodSpec:
    """How to cut time: a frequency over a date range, or explicit windows."""

    freq: str = "month"
    start: str | None = None
    end: str | None = None
    windows: tuple = ()


def locate(records: Records, geodata: Geodata, places: pd.DataFrame | None = None
           ) -> dict[str, pd.DataFrame]:
    """Geocode and join every kind of record; one report lists what needs a look."""
    places = build_gazetteer(geodata) if places is None else places
    events, rep_e = geocode(records.events, places)
    claims, rep_c = geocode(records.claims, places)
    moves, rep_m = geocode_movements(records.movements, places)
    events = join_admin(events, geodata.admin1, geodata.admin2)
    claims = join_admin(claims, geodata.admin1, geodata.admin2)
    moves = _join_ends(moves, geodata)
    events, links = link_duplicates(events)
    report = pd.concat([rep_e, rep_c, rep_m, _join_report(events), _link_report(events, links)],
                       ignore_index=True)
    rejected = records.rejected
    if len(rejected):
        extra = pd.DataFrame({"file": rejected["file"], "line": rejected["line"],
                              "record_id": rejected.get("record_id", ""), "status": "rejected",
                              "resolution": "row not read", "fix": rejected["reason"]})
        report = pd.concat([report, extra], ignore_index=True)
    report = report.fillna("").sort_values(["file", "line", "field"], kind="stable")
    return {"events": events, "claims": claims, "movements": moves,
            "report": report.reset_index(drop=True)}


def _join_report(events: pd.DataFrame) -> pd.DataFrame:
    """Rows whose point contradicts their stated country (swapped coordinates included)."""
    bad = events[events["join_note"].str.startswith(("latitude and longitude", "point falls in"))]
    return pd.DataFrame({"file": bad.get("file", ""), "line": bad.get("line", 0),
                         "record_id": bad["event_id"], "field": "latitude",
                         "place_name": bad["place_name"], "country": bad["country"],
                         "status": "coordinates", "resolution": bad["join_note"],
                         "fix": "check the coordinates against the place name; sahelmap does "
                                "not change them"})


def _link_report(events: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    if links.empty:
        return pd.DataFrame()
    ev = events.set_index("event_id")
    return pd.DataFrame({"file": links["event_id"].map(ev["file"]),
                         "line": links["event_id"].map(ev["line"]),
                         "record_id": links["event_id"], "field": "event_id",
                         "status": "duplicate",
                         "resolution": ("linked to " + links["duplicate_of"] + " ("
                                        + links["km"].astype(str) + " km, "
                                        + links["days_apart"].astype(str)
                                        + " day(s) apart); counted once"),
                         "fix": "nothing to do; remove one record if they are not the same event"})


def _join_ends(moves: gpd.GeoDataFrame, geodata: Geodata) -> gpd.GeoDataFrame:
    """Admin units of both ends of each movement, as far as their precision allows."""
    out = moves.copy()
    for end in ("origin", "destination"):
        lon = pd.to_numeric(out[f"{end}_longitude"], errors="coerce").to_numpy()
        lat = pd.to_numeric(out[f"{end}_latitude"], errors="coerce").to_numpy()
        units = locate_units(lon, lat, geodata.admin1, geodata.admin2)
        prec = out[f"{end}_location_precision"].fillna("").to_numpy()
        out[f"{end}_admin1_id"] = np.where(
            np.isin(prec, [p for p, lv in SUPPORTS.items() if 1 in lv]), units["admin1_id"], "")
        out[f"{end}_admin2_id"] = np.where(
            np.isin(prec, [p for p, lv in SUPPORTS.items() if 2 in lv]), units["admin2_id"], "")
    return out


def split_units(geodata: Geodata) -> frozenset[str]:
    return frozenset(geodata.admin2["parent_id"])


def make_period_table(spec: PeriodSpec, located: dict[str, pd.DataFrame]) -> pd.DataFrame:
    if spec.windows:
        return windows(list(spec.windows))
    parts = [pd.to_datetime(located[k][c]) for k in ("events", "claims", "movements")
             for c in ("date_start", "date_end") if len(located[k])]
    dates = pd.concat(parts) if parts else pd.Series(dtype="datetime64[ns]")
    if dates.empty and not (spec.start and spec.end):
        raise InputError("no valid dated record to make periods from; fix the rows reported "
                         "above, or give --start and --end")
    start = spec.start or dates.min()
    end = spec.end or dates.max()
    try:
        return make_periods(start, end, spec.freq)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def endpoint_units(moves: pd.DataFrame, level: PresenceSettings, geodata: Geodata
                   ) -> pd.DataFrame:
    """``origin_unit``/``destination_unit`` of each movement at the presence level."""
    out = moves.copy()
    for end in ("origin", "destination"):
        frame = pd.DataFrame({
            "admin1_id": out[f"{end}_admin1_id"], "admin2_id": out[f"{end}_admin2_id"],
            "location_precision": out[f"{end}_location_precision"],
            "longitude": out[f"{end}_longitude"], "latitude": out[f"{end}_latitude"]})
        out[f"{end}_unit"] = unit_of(frame, level, split_units(geodata))
    return out


def unit_points(level: PresenceSettings, places: pd.DataFrame, ids=None) -> pd.DataFrame:
    """Label point and name of every unit at a presence level."""
    if level.level == "grid":
        ids = pd.Series(pd.unique(pd.Series(ids if ids is not None else [], dtype=object)))
        parts = ids.str.split(":", expand=True) if len(ids) else pd.DataFrame(columns=[0, 1, 2])
        size = level.grid_size
        lon = (parts[1].astype(float) + 0.5) * size if len(ids) else []
        lat = (parts[2].astype(float) + 0.5) * size if len(ids) else []
        return pd.DataFrame({"unit_id": ids, "name": ids, "longitude": lon, "latitude": lat})
    admin = places[places["kind"].isin(["admin1", "admin2"])]
    return pd.DataFrame({"unit_id": admin["place_id"].str.removeprefix("admin:"),
                         "name": admin["name"], "longitude": admin["longitude"],
                         "latitude": admin["latitude"]}).reset_index(drop=True)


def unit_geometries(level: PresenceSettings, geodata: Geodata, ids) -> gpd.GeoDataFrame:
    """Polygons of the given unit ids (admin units, or grid cells)."""
    ids = pd.Series(pd.unique(pd.Series(list(ids), dtype=object)))
    if level.level == "grid":
        parts = ids.str.split(":", expand=True)
        x0 = parts[1].astype(float).to_numpy() * level.grid_size
        y0 = parts[2].astype(float).to_numpy() * level.grid_size
        geom = shapely.box(x0, y0, x0 + level.grid_size, y0 + level.grid_size)
        return gpd.GeoDataFrame({"unit_id": ids, "name": ids, "country": ""},
                                geometry=geom, crs="EPSG:4326")
    units = pd.concat([geodata.admin1, geodata.admin2], ignore_index=True)
    units = units[units["unit_id"].isin(ids)]
    return gpd.GeoDataFrame(units[["unit_id", "name", "country", "geometry"]],
                            geometry="geometry", crs="EPSG:4326").reset_index(drop=True)


def analyse(located: dict[str, pd.DataFrame], geodata: Geodata, places: pd.DataFrame, *,
            presence_settings: PresenceSettings | None = None,
            axes_settings: AxesSettings | None = None,
            period_spec: PeriodSpec | None = None) -> dict[str, pd.DataFrame]:
    """Periods, presence and axes from located records."""
    ps = presence_settings or PresenceSettings()
    spec = period_spec or PeriodSpec()
    periods = make_period_table(spec, located)
    events = located["events"]
    if "duplicate_of" in events:  # an event two datasets report counts once
        events = events[events["duplicate_of"].fillna("") == ""]
    pres = presence(events, located["claims"], periods, geodata.actors, ps,
                    split_units=split_units(geodata))
    moves = endpoint_units(located["movements"], ps, geodata)
    points = unit_points(ps, places, pres["unit_id"] if ps.level == "grid" else None)
    ax = axes(moves, pres, periods, points, axes_settings)
    return {"periods": periods, "presence": pres, "axes": ax}
