"""The polygons and names of the places presence is reported on: admin units, and
the hexagon cells of the grid (named after the admin units that hold them).

Shared by the writers (site, GeoPackage, figures) and the CLI; pure functions.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ._arrays import map_text, take_text
from ._errors import InputError
from .gazetteer import COUNTRY_NAMES
from .geodata import Geodata
from .grid import Grid
from .join import locate_units


CELL_ID = r"h(\d+(?:\.\d+)?):-?\d+:-?\d+"  # a grid cell: h<km>:q:r


def cell_size(ids) -> float | None:
    """The cell size (km) of the grid cell ids among ``ids`` (``h25:q:r`` → 25), or None."""
    prefixes = pd.Series(list(ids), dtype=object).astype(str).str.extract(
        f"^{CELL_ID}$")[0].dropna().unique()
    if len(prefixes) > 1:
        raise InputError(f"the tables mix grid cells of {', '.join(sorted(prefixes))} km; "
                         "rebuild them with one cell size")
    return float(prefixes[0]) if len(prefixes) else None


def unknown_units(geodata: Geodata, ids) -> list[str]:
    """The admin unit ids among ``ids`` (grid cells aside) that ``geodata`` lacks, sorted:
    tables built with other boundaries than those in use."""
    ids = pd.Series(pd.unique(pd.Series(ids, dtype=object)), dtype=object).astype(str)
    cells = ids.str.fullmatch(CELL_ID)
    known = set(geodata.admin1["unit_id"]) | set(geodata.admin2["unit_id"])
    return sorted(set(ids[~cells & (ids != "")]) - known)


def _country_names(codes: pd.Series) -> pd.Series:
    """A country's name from its ISO3 code (the code itself where no name is known)."""
    return map_text(codes.astype(str), lambda c: COUNTRY_NAMES.get(c, (c,))[0], "")


def _admin_names(geodata: Geodata, ids: pd.Series) -> pd.DataFrame:
    units = pd.concat([geodata.admin1, geodata.admin2], ignore_index=True)
    units = units[units["unit_id"].isin(set(ids))]
    regions = geodata.admin1.set_index("unit_id")["name"]
    parent = map_text(units["parent_id"].where(units["level"] == 2, ""), regions, "")
    return pd.DataFrame({"unit_id": units["unit_id"].to_numpy(),
                         "unit_name": units["name"].astype(str).to_numpy(),
                         "country": _country_names(units["country"]).to_numpy(),
                         "parent_name": parent.to_numpy()})


def _cells(geodata: Geodata, ids: pd.Series, km: float) -> tuple[pd.DataFrame, np.ndarray]:
    """The names of the grid cells among ``ids`` (after the units holding their centre)
    and their polygons."""
    grid = Grid(km)
    is_cell, q, r = grid.parse(ids)
    q, r, cell_ids = q[is_cell], r[is_cell], ids[is_cell].to_numpy()
    lon, lat = grid.unproject(*grid.centre(q, r))
    where = locate_units(lon, lat, geodata.admin1, geodata.admin2)
    n1 = map_text(where["admin1_id"], geodata.admin1.set_index("unit_id")["name"], "")
    n2 = map_text(where["admin2_id"], geodata.admin2.set_index("unit_id")["name"], "")
    label = (n2 + ", " + n1).str.strip(", ")
    names = np.where(label != "", label + " (cell " + cell_ids + ")", "cell " + cell_ids)
    names_frame = pd.DataFrame({"unit_id": cell_ids, "unit_name": names,
                                "country": _country_names(where["admin_country"]).to_numpy(),
                                "parent_name": np.where(n2 != "", n2, n1)})
    return names_frame, grid.polygons(q, r)


def unit_names(geodata: Geodata, ids) -> pd.DataFrame:
    """``unit_id``, ``unit_name``, ``country`` (its name) and ``parent_name`` of each
    distinct id among ``ids``: an admin unit's own name, and for a province its region;
    a grid cell (``h<km>:q:r``) is named after the admin units holding its centre, its
    parent being the province (or, without one, the region). Ids the reference data
    lacks are left out."""
    return _named(geodata, ids)[0]


def _named(geodata: Geodata, ids) -> tuple[pd.DataFrame, np.ndarray | None]:
    ids = ids if isinstance(ids, pd.Series) else pd.Series(list(ids), dtype=object)
    ids = pd.Series(np.asarray(pd.unique(ids), dtype=object), dtype=object)
    km = cell_size(ids)
    admin = _admin_names(geodata, ids)
    if km is None:
        return admin.reset_index(drop=True), None
    cells, polygons = _cells(geodata, ids, km)
    return pd.concat([admin, cells], ignore_index=True), polygons


def unit_geometries(geodata: Geodata, ids) -> gpd.GeoDataFrame:
    """Polygons and names of the given unit ids: admin units, and grid cells (``h<km>:q:r``,
    named after the admin units holding their centre); columns ``unit_id``, ``name``,
    ``country`` (its name), ``parent_name`` and ``geometry``."""
    named, cell_polygons = _named(geodata, ids)
    units = pd.concat([geodata.admin1, geodata.admin2], ignore_index=True).set_index("unit_id")
    n_admin = len(named) - (0 if cell_polygons is None else len(cell_polygons))
    shapes = np.empty(len(named), dtype=object)
    shapes[:n_admin] = units.geometry.reindex(named["unit_id"].iloc[:n_admin]).to_numpy()
    if cell_polygons is not None:
        shapes[n_admin:] = np.asarray(cell_polygons, dtype=object)
    return gpd.GeoDataFrame(named.rename(columns={"unit_name": "name"}),
                            geometry=shapes, crs="EPSG:4326")


NAME_COLUMNS = ("unit_name", "country", "parent_name")


def with_unit_names(frame: pd.DataFrame, names: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the unit's name, country and parent unit's name beside its
    ``unit_id`` (from :func:`unit_names`; empty for an id it lacks), replacing any it
    had: a reader of the table sees "Boucle du Mouhoun", not "BF-01"."""
    out = frame.drop(columns=[c for c in NAME_COLUMNS if c in frame])
    at = out.columns.get_loc("unit_id") + 1
    codes, ids = pd.factorize(out["unit_id"], use_na_sentinel=False)  # once for the three
    keyed = names.set_index("unit_id").reindex(pd.Index(ids, dtype=object))
    for i, col in enumerate(NAME_COLUMNS):
        out.insert(at + i, col, take_text(keyed[col].fillna("").to_numpy(dtype=object), codes))
    return out
