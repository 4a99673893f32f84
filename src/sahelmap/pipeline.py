"""The stages composed: records → located records → periods → presence → axes.

Pure functions on frames, used by the CLI and the site builder alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from ._arrays import map_text
from .axes import AxesSettings, axes
from ._errors import InputError
from .gazetteer import build_gazetteer, name_index
from .geocode import geocode, geocode_movements, has_coordinates
from .geodata import Geodata
from .join import carry_former, join_admin, join_vintages, locate_units
from .merge import link_duplicates
from .periods import make_periods, windows
from .presence import PresenceSettings, places_for, presence_tables
from .records import Records
from .sensitivity import sensitivity as stability
from .settings import SUPPORTS
from .units import unit_names, with_unit_names


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
    # the name index once, if some record is to be placed by its name
    by_name = len(records.movements) or any(
        not has_coordinates(f).all() for f in (records.events, records.claims) if len(f))
    index = name_index(places) if by_name else None
    events, rep_e = geocode(records.events, places, index=index)
    claims, rep_c = geocode(records.claims, places, index=index)
    moves, rep_m = geocode_movements(records.movements, places, index)
    events = join_admin(events, geodata.admin1, geodata.admin2)
    claims = join_admin(claims, geodata.admin1, geodata.admin2)
    if geodata.former is not None:  # records naming a region of an older vintage
        events = carry_former(events, geodata.crosswalk, geodata.admin1, geodata.admin2)
        claims = carry_former(claims, geodata.crosswalk, geodata.admin1, geodata.admin2)
    if geodata.history:  # several vintages given: each record's, beside the drawn units
        events = join_vintages(events, geodata.history, geodata.admin1)
        claims = join_vintages(claims, geodata.history, geodata.admin1)
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
        for level in ("admin1", "admin2"):  # named, for readers of movements.csv
            names = getattr(geodata, level).set_index("unit_id")["name"]
            out[f"{end}_{level}_name"] = map_text(out[f"{end}_{level}_id"], names, "").to_numpy()
    return out


def _named_ends(ax: gpd.GeoDataFrame, geodata: Geodata) -> gpd.GeoDataFrame:
    """Axes with the name of the unit at each end beside its id."""
    out = ax.copy()
    names = unit_names(geodata, pd.concat([out["origin_unit"], out["destination_unit"]]))
    keyed = names.set_index("unit_id")["unit_name"]
    for end in ("origin", "destination"):
        out.insert(out.columns.get_loc(f"{end}_unit") + 1, f"{end}_unit_name",
                   map_text(out[f"{end}_unit"], keyed, "").to_numpy())
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


def unit_of(frame: pd.DataFrame, level: int, split: frozenset[str]) -> np.ndarray:
    """The admin unit at ``level`` (1, or 2 for the leaf) a located record supports ('' for none).

    At level 2 a record in a region with provinces needs a province: a
    region-level location there supports no province.
    """
    a1 = frame["admin1_id"].fillna("").astype(str).to_numpy(dtype=object)
    if level == 1:
        return a1
    a2 = frame["admin2_id"].fillna("").astype(str).to_numpy(dtype=object)
    return np.where(a2 != "", a2, np.where(np.isin(a1, list(split)), "", a1))


def axis_level(settings: PresenceSettings) -> int:
    """Axes run between admin units: the presence level's, or the leaf units for the grid
    (a cell is too small to read a movement from)."""
    return 1 if settings.level == "admin1" else 2


def endpoint_units(moves: pd.DataFrame, settings: PresenceSettings, geodata: Geodata
                   ) -> pd.DataFrame:
    """``origin_unit``/``destination_unit`` of each movement at the axes' admin level."""
    out = moves.copy()
    for end in ("origin", "destination"):
        frame = pd.DataFrame({"admin1_id": out[f"{end}_admin1_id"],
                              "admin2_id": out[f"{end}_admin2_id"]})
        out[f"{end}_unit"] = unit_of(frame, axis_level(settings), split_units(geodata))
    return out


def unit_points(places: pd.DataFrame) -> pd.DataFrame:
    """Label point and name of every admin unit."""
    admin = places[places["kind"].isin(["admin1", "admin2"])]
    return pd.DataFrame({"unit_id": admin["place_id"].str.removeprefix("admin:"),
                         "name": admin["name"], "longitude": admin["longitude"],
                         "latitude": admin["latitude"]}).reset_index(drop=True)


def analyse(located: dict[str, pd.DataFrame], geodata: Geodata, places: pd.DataFrame, *,
            presence_settings: PresenceSettings | None = None,
            axes_settings: AxesSettings | None = None,
            period_spec: PeriodSpec | None = None, sensitivity: bool = False,
            progress=None) -> dict[str, pd.DataFrame]:
    """Periods, presence (with zones) and axes from located records.

    ``sensitivity``: rerun presence over the parameter ranges of
    :mod:`sahelmap.sensitivity` and add each row's ``stability`` (and ``runs``).
    ``progress(what, done, total)``: counts periods modelled and sensitivity runs.
    """
    ps = presence_settings or PresenceSettings()
    spec = period_spec or PeriodSpec()
    periods = make_period_table(spec, located)
    events = located["events"]
    if "duplicate_of" in events:  # an event two datasets report counts once
        events = events[events["duplicate_of"].fillna("") == ""]
    grid_places = places_for(geodata.admin1, geodata.admin2, ps.cell_km)
    tables = presence_tables(events, located["claims"], periods, geodata.actors, ps,
                             places=grid_places, progress=progress)
    runs = None
    if sensitivity:
        out = stability(events, located["claims"], periods, geodata.actors, ps,
                        places=grid_places, base=tables, progress=progress)
        tables = {**tables, "presence": out["presence"], "zones": out["zones"]}
        runs = out["runs"]
    moves = endpoint_units(located["movements"], ps, geodata)
    ax = axes(moves, tables["activity"], periods, unit_points(places), axes_settings)
    ax = _named_ends(ax, geodata)
    names = unit_names(geodata, pd.concat([tables["presence"]["unit_id"],
                                           tables["zones"]["unit_id"]]))
    result = {"periods": periods, "presence": with_unit_names(tables["presence"], names),
              "zones": with_unit_names(tables["zones"], names), "axes": ax}
    if runs is not None:
        result["runs"] = with_unit_names(runs, names)
    return result
