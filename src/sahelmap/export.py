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


TABLE_FORMATS = (".csv", ".geojson", ".parquet")


def write_table(frame: pd.DataFrame, path: Path | str) -> Path:
    """Write a table by its suffix: ``.csv``, ``.geojson`` (needs geometry) or
    ``.parquet`` (GeoParquet when the frame has geometry). Atomic and deterministic."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in TABLE_FORMATS:
        raise ValueError(f"{path}: output format {suffix or '(none)'!r} is not supported; "
                         f"use one of: {', '.join(TABLE_FORMATS)}")
    if suffix == ".csv":
        return write_csv(frame, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{suffix}")
    frame = frame.copy()
    for col in frame.columns:
        if frame[col].dtype == object and len(frame) and hasattr(frame[col].iloc[0], "isoformat"):
            frame[col] = frame[col].astype(str)
    if suffix == ".geojson":
        if not isinstance(frame, gpd.GeoDataFrame):
            raise ValueError(f"{path}: GeoJSON needs geometry; write .csv or .parquet instead")
        tmp.unlink(missing_ok=True)
        frame.to_file(tmp, driver="GeoJSON", engine="pyogrio", layer=path.stem,
                      COORDINATE_PRECISION=5, WRITE_BBOX="NO")
    elif isinstance(frame, gpd.GeoDataFrame):
        frame.to_parquet(tmp, index=False)
    else:
        frame.to_parquet(tmp, index=False)
    os.replace(tmp, path)
    return path
