"""The user's boundaries in place of the reference units (pure): the units of the
countries the user's files cover replace the built-in ones at both levels, and the
built-in units stay everywhere else.

For a country the user covers:
  level 1 from the user's level-1 file, else made from the level-2 units by their
  parent codes (the parent's name where the file has it: COD-AB and GADM do);
  level 2 from the user's level-2 file, else none (the country's records then join
  to level 1 only: built-in provinces would not nest in the user's regions).
Level-2 units whose file names no parent (geoBoundaries) get the level-1 unit that
holds their representative point.

Vintages: where a country and level has several sets (``valid_from`` apart), the set
in force last is drawn; every set makes the country's :class:`~sahelmap.geodata.Epoch`
list (which :func:`sahelmap.join.join_vintages` joins records to by date); units of
older sets under names the drawn set lacks stay places (``former``), which a crosswalk
carries onto the drawn units (:func:`sahelmap.join.carry_former`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ._errors import InputError
from ._names import name_keys
from .boundaries import UNIT_COLUMNS, AdminSet
from .geodata import Epoch, Geodata
from .join import leaf_index, locate_units

REFERENCE_COLUMNS = ["unit_id", "name", "name_alt", "country", "level", "parent_id",
                     "unit_type", "iso_3166_2", "vintage", "geometry"]


def with_boundaries(geodata: Geodata, sets: list[AdminSet]) -> Geodata:
    """``geodata`` with the units of ``sets`` in place of the built-in units of the
    countries they cover: for each country and level the set in force last; sets in
    force earlier (an earlier ``valid_from``) make the country's :class:`Epoch` list."""
    if not sets:
        return geodata
    pieces = _pieces(sets)
    current = {key: versions[-1] for key, versions in pieces.items()}
    admin1, admin2 = _levels(current, sets)
    covered = sorted({country for country, _ in pieces})
    keep1 = geodata.admin1[~geodata.admin1["country"].isin(covered)]
    keep2 = geodata.admin2[~geodata.admin2["country"].isin(covered)]
    _check_unique(admin1, admin2, keep1, keep2, sets)
    new1, new2 = _reference(keep1, admin1), _reference(keep2, admin2)
    former = _former_units(pieces, new1, new2)
    return replace(geodata, admin1=new1, admin2=new2,
                   former=former if len(former) else None,
                   crosswalk=_crosswalks(sets, pieces, new1, new2),
                   boundary_files=tuple(sorted({s.units["vintage"].iloc[0] for s in sets
                                                if len(s.units)})),
                   countries=_countries(geodata.countries, admin1, covered),
                   geonames=_relocated(geodata.geonames, new1, new2, covered),
                   curated=_repointed(geodata, new1, new2, covered, former),
                   history=_epochs(pieces, sets))


class Piece(NamedTuple):
    """One set's units of one country at one level."""

    valid_from: str  # "" for in force from the start
    label: str  # the set's file (its vintage)
    units: gpd.GeoDataFrame
    file: str


def _pieces(sets: list[AdminSet]) -> dict[tuple[str, int], list[Piece]]:
    """Each country and level's units, one piece per set, in order of ``valid_from``
    ("" first); two sets in force from the same day are refused."""
    pieces: dict[tuple[str, int], list[Piece]] = {}
    for s in sets:
        for country, units in s.units.groupby("country", sort=True):
            key = (country, int(units["level"].iloc[0]))
            pieces.setdefault(key, []).append(Piece(s.valid_from, s.units["vintage"].iloc[0],
                                                    units, s.source.file))
    for (country, level), versions in pieces.items():
        versions.sort(key=lambda p: p.valid_from)
        for earlier, later in zip(versions, versions[1:]):
            if earlier.valid_from == later.valid_from:
                day = earlier.valid_from
                since = f"from {day}" if day else "with no valid_from"
                raise InputError(f"{later.file}: level-{level} units of {country} were "
                                 f"already given by {earlier.file}, both in force {since}; "
                                 "give one file per country, level and valid_from (set "
                                 "valid_from to tell vintages apart)")
    return pieces


def _levels(chosen: dict[tuple[str, int], Piece], sets: list[AdminSet]
            ) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Level 1 and level 2 from one piece per country and level (level 1 made from
    level 2 where only level 2 is given; parents found where the file names none)."""
    admin1 = _concat([p.units for (_, level), p in chosen.items() if level == 1])
    admin2 = _concat([p.units for (_, level), p in chosen.items() if level == 2])
    derived = _level1_from_level2(admin2[~admin2["country"].isin(set(admin1["country"]))], sets)
    admin1 = _concat([admin1, derived])
    return admin1, _with_parents(admin2, admin1, sets)


def _epochs(pieces: dict[tuple[str, int], list[Piece]], sets: list[AdminSet]
            ) -> tuple[Epoch, ...]:
    """For each country given more than one vintage, its units in each span between
    the days a set comes into force (before the first such day: the oldest sets)."""
    out = []
    for country in sorted({c for (c, _), versions in pieces.items() if len(versions) > 1}):
        mine = {level: pieces.get((country, level), []) for level in (1, 2)}
        days = sorted({p.valid_from for versions in mine.values() for p in versions} - {""})
        for start, end in zip(["", *days], [*days, ""]):
            chosen = {}
            for level, versions in mine.items():
                in_force = [p for p in versions if p.valid_from <= start] or versions[:1]
                if in_force:
                    chosen[(country, level)] = in_force[-1]
            admin1, admin2 = _levels(chosen, sets)
            label = " + ".join(sorted({p.label for p in chosen.values()}))
            out.append(Epoch(country, start, end, admin1, admin2, label))
    return tuple(out)


def _concat(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in UNIT_COLUMNS[:-1]},
                                geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry",
                            crs="EPSG:4326")


def _level1_from_level2(admin2: gpd.GeoDataFrame, sets: list[AdminSet]) -> gpd.GeoDataFrame:
    """Level-1 units dissolved from level-2 units by their parent codes."""
    if not len(admin2):
        return _concat([])
    orphans = admin2[admin2["parent_id"] == ""]
    if len(orphans):
        raise InputError(f"{_file_of(sets, orphans['unit_id'].iloc[0])}: level-2 units "
                         "without a parent code and no level-1 file for "
                         f"{orphans['country'].iloc[0]}; add that country's level-1 "
                         "(ADM1) file, or set parent_field in [[admin]]")
    merged = admin2.dissolve(by=["country", "parent_id"], aggfunc="first",
                             sort=True).reset_index()
    names = np.where(merged["parent_name"] != "", merged["parent_name"], merged["parent_id"])
    return gpd.GeoDataFrame({
        "unit_id": merged["parent_id"], "name": names, "name_alt": "",
        "country": merged["country"], "level": 1, "parent_id": merged["country"],
        "parent_name": "", "vintage": merged["vintage"] + " (level 1 from level 2)",
    }, geometry=merged.geometry.values, crs="EPSG:4326")


def _with_parents(admin2: gpd.GeoDataFrame, admin1: gpd.GeoDataFrame,
                  sets: list[AdminSet]) -> gpd.GeoDataFrame:
    """Level-2 units with a parent: the file's, else the level-1 unit holding the
    unit's representative point; a parent code no level-1 unit has is an error."""
    if not len(admin2):
        return admin2
    admin2 = admin2.copy()
    for country in sorted(set(admin2.loc[admin2["parent_id"] == "", "country"])):
        missing = (admin2["parent_id"] == "") & (admin2["country"] == country)
        own = admin1[admin1["country"] == country]  # a parent in the same country
        points = shapely.point_on_surface(np.asarray(admin2.geometry.values[missing]))
        where = leaf_index(shapely.get_x(points), shapely.get_y(points), own)
        admin2.loc[missing, "parent_id"] = np.where(
            where >= 0, own["unit_id"].to_numpy()[np.maximum(where, 0)], "")
    known = set(zip(admin1["country"], admin1["unit_id"]))  # a parent in the same country
    unknown = ~pd.Series([k in known for k in zip(admin2["country"], admin2["parent_id"])],
                         index=admin2.index)
    if unknown.any():
        row = admin2[unknown].iloc[0]
        what = (f"parent {row['parent_id']!r} is not a level-1 unit" if row["parent_id"]
                else "lies in no level-1 unit")
        raise InputError(f"{_file_of(sets, row['unit_id'])}: unit {row['unit_id']!r} "
                         f"({row['name']!r}): {what} of "
                         f"{row['country']}; give the level-1 file of the same boundary set, "
                         "or set parent_field")
    return admin2


def _file_of(sets: list[AdminSet], unit_id: str) -> str:
    """The file a unit came from (the first that has it), for an error message."""
    return next((s.source.file for s in sets if unit_id in set(s.units["unit_id"])),
                "the admin files")


def _check_unique(admin1, admin2, keep1, keep2, sets: list[AdminSet]) -> None:
    ids = pd.concat([admin1["unit_id"], admin2["unit_id"], keep1["unit_id"], keep2["unit_id"]])
    twice = ids[ids.duplicated()]
    if len(twice):
        files = ", ".join(s.source.file for s in sets)
        raise InputError(f"{files}: unit code {twice.iloc[0]!r} is used twice across the "
                         "admin files and the built-in units; give each level once per country")


def _reference(kept: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The built-in units kept and the user's, in the reference layers' columns."""
    units = units.assign(unit_type="", iso_3166_2="")
    out = pd.concat([kept[REFERENCE_COLUMNS], units[REFERENCE_COLUMNS]], ignore_index=True)
    out["level"] = out["level"].astype("int64")
    return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")


def _countries(countries: gpd.GeoDataFrame, admin1: gpd.GeoDataFrame,
               covered: list[str]) -> gpd.GeoDataFrame:
    """The built-in countries, and an outline for a covered country they lack."""
    new = [c for c in covered if c not in set(countries["country"])]
    if not new:
        return countries
    units = admin1[admin1["country"].isin(new)]
    outline = units.dissolve(by="country", aggfunc="first", sort=True).reset_index()
    add = gpd.GeoDataFrame({"country": outline["country"], "name": outline["country"],
                            "extent": "full", "vintage": outline["vintage"]},
                           geometry=outline.geometry.values, crs="EPSG:4326")
    out = pd.concat([countries, add[countries.columns]], ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")


def _relocated(geonames: pd.DataFrame, admin1: gpd.GeoDataFrame, admin2: gpd.GeoDataFrame,
               covered: list[str]) -> pd.DataFrame:
    """GeoNames places of the covered countries with the units that now hold them
    (the file carries the built-in units' ids)."""
    mine = geonames["country"].isin(covered).to_numpy()
    if not mine.any():
        return geonames
    where = locate_units(geonames["longitude"].to_numpy(float)[mine],
                         geonames["latitude"].to_numpy(float)[mine], admin1, admin2)
    out = geonames.copy()
    for col in ("admin1_id", "admin2_id"):
        out.loc[mine, col] = where[col].to_numpy(dtype=object)
    return out


def _repointed(geodata: Geodata, admin1: gpd.GeoDataFrame, admin2: gpd.GeoDataFrame,
               covered: list[str], former: gpd.GeoDataFrame) -> pd.DataFrame:
    """Curated rows that add spellings to a built-in unit of a covered country, pointed
    at the user's unit of the same level and country with the same name (accents and
    case aside), else at a former unit of that name; where there is none, the row
    stands as a place of its own."""
    curated = geodata.curated.copy()
    old = pd.concat([geodata.admin1, geodata.admin2], ignore_index=True)
    old = old[old["country"].isin(covered)]
    replaced = curated["augments"].isin(set("admin:" + old["unit_id"]))
    if not replaced.any():
        return curated
    new = pd.concat([admin1, admin2], ignore_index=True)
    new = new.assign(place_id="admin:" + new["unit_id"])
    if len(former):
        new = pd.concat([new, former.drop(columns="geometry")], ignore_index=True)
    unique = new.assign(k=_unit_keys(new)).drop_duplicates("k", keep=False).set_index("k")[
        "place_id"]
    old_key = old.assign(k=_unit_keys(old)).set_index("unit_id")["k"]
    unit = curated.loc[replaced, "augments"].str.removeprefix("admin:")
    target = unit.map(old_key).map(unique)
    curated.loc[replaced, "augments"] = [t if isinstance(t, str) else ""
                                         for t in target]  # a few rows: one per unit named
    return curated


def _unit_keys(units: pd.DataFrame) -> pd.Series:
    """Country, level and name (accents and case aside) of each unit."""
    return units["country"] + "|" + units["level"].astype(str) + "|" + name_keys(units["name"])


def _former_units(pieces: dict[tuple[str, int], list[Piece]], admin1: gpd.GeoDataFrame,
                  admin2: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The units of the older vintages under names the drawn units no longer have
    (Boucle du Mouhoun after 2025), as places a record may still name: place_id
    ``former:<file>:<code>``, and the day their set went out of force (``until``)."""
    drawn = set(_unit_keys(pd.concat([admin1, admin2], ignore_index=True)))
    rows = []
    for (_, _), versions in sorted(pieces.items()):
        for piece, after in zip(versions, versions[1:]):
            units = piece.units
            keep = ~_unit_keys(units).isin(drawn)
            gone = units[keep]
            rows.append(gone.assign(place_id=_former_id(piece.label, gone["unit_id"]),
                                    until=after.valid_from))
    cols = ["place_id", "unit_id", "name", "name_alt", "country", "level", "vintage", "until",
            "geometry"]
    if not rows:
        return gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in cols[:-1]},
                                geometry=gpd.GeoSeries([], crs="EPSG:4326"))
    out = pd.concat(rows, ignore_index=True)[cols]
    return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")


def _crosswalks(sets: list[AdminSet], pieces: dict[tuple[str, int], list[Piece]],
                admin1: gpd.GeoDataFrame, admin2: gpd.GeoDataFrame) -> pd.DataFrame | None:
    """Every crosswalk as rows of the former place each old unit is, the drawn unit
    it goes to and its share; a ``to_unit`` the drawn set of the same country and level
    lacks is an error."""
    frames = []
    units = pd.concat([admin1, admin2], ignore_index=True)
    drawn = {key: versions[-1].label for key, versions in pieces.items()}
    for s in sets:
        if s.crosswalk is None or not len(s.units):
            continue
        label = s.units["vintage"].iloc[0]
        level = int(s.units["level"].iloc[0])
        countries = set(s.units["country"])
        if all(drawn.get((c, level)) == label for c in countries):
            raise InputError(f"{s.source.crosswalk}: {s.source.file} is the set in force last; "
                             "give the crosswalk on the older set's [[admin]] entry")
        targets = units[(units["level"] == level) & units["country"].isin(countries)]
        unknown = s.crosswalk[~s.crosswalk["to_unit"].isin(set(targets["unit_id"]))]
        if len(unknown):
            raise InputError(f"{s.source.crosswalk}: to_unit {unknown['to_unit'].iloc[0]!r} is "
                             f"not a level-{level} unit of the boundaries in force last; use "
                             "their codes")
        frames.append(s.crosswalk.assign(place_id=_former_id(label, s.crosswalk["from_unit"]),
                                         level=level))
    return pd.concat(frames, ignore_index=True) if frames else None


def _former_id(label: str, codes: pd.Series) -> pd.Series:
    """The place ids of former units: ``former:<file>:<code>``."""
    return "former:" + label + ":" + codes
