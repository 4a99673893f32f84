"""Writers for tables: deterministic CSV written to a temporary name and renamed.

Only writer modules touch output files.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd


def write_csv(frame: pd.DataFrame, path: Path | str, *, sort_by: list[str] | None = None) -> Path:
    """Write ``frame`` as UTF-8 CSV with LF line ends, atomically.

    A GeoDataFrame loses its geometry column (points are already in
    ``latitude``/``longitude``; lines are written as WKT in ``geometry_wkt``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frame = frame.copy()
    if isinstance(frame, gpd.GeoDataFrame):
        geom = frame.geometry
        if not geom.geom_type.isin(["Point"]).all() and geom.notna().any():
            frame["geometry_wkt"] = geom.to_wkt(rounding_precision=5).fillna("")
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    if sort_by:
        frame = frame.sort_values(sort_by, kind="stable")
    tmp = path.with_name(f".{path.name}.tmp")
    frame.to_csv(tmp, index=False, lineterminator="\n", float_format="%.5f")
    os.replace(tmp, path)
    return path
