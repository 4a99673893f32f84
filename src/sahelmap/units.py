"""The polygons and names of the places presence is reported on: admin units, and
the hexagon cells of the grid (named after the admin units that hold them).

Shared by the writers (site, GeoPackage, figures) and the CLI; pure functions.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ._arrays import map_text
from ._errors import InputError
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


def unit_geometries(geodata: Geodata, ids) -> gpd.GeoDataFrame:
    """Polygons and names of the given unit ids: admin units, and grid cells (``h<km>:q:r``,
    named after the admin units holding their centre)."""
    ids = ids if isinstance(ids, pd.Series) else pd.Series(list(ids), dtype=object)
    ids = pd.Series(np.asarray(pd.unique(ids), dtype=object), dtype=object)
    km = cell_size(ids)
    units = pd.concat([geodata.admin1, geodata.admin2], ignore_index=True)
    admin = gpd.GeoDataFrame(units[units["unit_id"].isin(set(ids))][
        ["unit_id", "name", "country", "geometry"]], geometry="geometry", crs="EPSG:4326")
    if km is None:
        return admin.reset_index(drop=True)
    grid = Grid(km)
    is_cell, q, r = grid.parse(ids)
    q, r = q[is_cell], r[is_cell]
    lon, lat = grid.unproject(*grid.centre(q, r))
    where = locate_units(lon, lat, geodata.admin1, geodata.admin2)
    n1 = map_text(where["admin1_id"], geodata.admin1.set_index("unit_id")["name"], "")
    n2 = map_text(where["admin2_id"], geodata.admin2.set_index("unit_id")["name"], "")
    label = (n2 + ", " + n1).str.strip(", ")
    names = np.where(label != "", label + " (cell " + ids[is_cell].to_numpy() + ")",
                     "cell " + ids[is_cell].to_numpy())
    cells = gpd.GeoDataFrame({"unit_id": ids[is_cell].to_numpy(), "name": names,
                              "country": where["admin_country"].to_numpy()},
                             geometry=grid.polygons(q, r), crs="EPSG:4326")
    out = pd.concat([admin, cells], ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
