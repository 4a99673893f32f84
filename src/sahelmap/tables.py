"""Reader of sahelmap's published tables (what ``sahelmap build`` writes), so the
site can be rendered from them without recomputing the analysis."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from ._errors import InputError
from .axes import AXIS_COLUMNS

CSV_TABLES = ("events", "claims", "movements", "presence", "zones", "periods")


def read_text_csv(path: Path) -> pd.DataFrame:
    """A table written by sahelmap, every column as text (empty cells as ''): the frame
    ``pd.read_csv(path, dtype=str, keep_default_na=False)`` gives, read by Arrow on
    several threads (values may span lines: notes do)."""
    with open(path, encoding="utf-8", newline="") as fh:
        names = next(csv.reader(fh), [])
    table = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(newlines_in_values=True),
                           convert_options=pacsv.ConvertOptions(
                               column_types={n: pa.string() for n in names},
                               strings_can_be_null=False))
    return table.to_pandas()


def read_tables(directory: Path | str) -> dict[str, pd.DataFrame]:
    directory = Path(directory)
    out: dict[str, pd.DataFrame] = {}
    for name in CSV_TABLES:
        path = directory / f"{name}.csv"
        if not path.is_file():
            raise InputError(f"{path}: table not found; run 'sahelmap build --out {directory}' "
                             "first (make does)")
        out[name] = read_text_csv(path)
    for name in ("events", "claims"):
        for col in ("latitude", "longitude"):
            out[name][col] = pd.to_numeric(out[name][col], errors="coerce")
    out["events"]["fatalities"] = pd.to_numeric(out["events"]["fatalities"], errors="coerce")
    for col in ("activity", "score", "share", "area_present", "area_contested", "area_dominant",
                "area_control", "stability"):
        out["presence"][col] = pd.to_numeric(out["presence"][col], errors="coerce")
    out["zones"]["stability"] = pd.to_numeric(out["zones"]["stability"], errors="coerce")
    for col in ("age_days", "n_events"):
        out["presence"][col] = pd.to_numeric(out["presence"][col]).astype("int64")
    out["presence"]["date_uncertain"] = out["presence"]["date_uncertain"] == "True"
    out["presence"]["evidence_events"] = out["presence"]["evidence_events"].fillna("")
    out["periods"]["days"] = pd.to_numeric(out["periods"]["days"])
    axes = directory / "axes.geojson"
    if not axes.is_file():
        raise InputError(f"{axes}: table not found; run 'sahelmap build --out {directory}' first")
    datasets = directory / "datasets.csv"
    out["datasets"] = (pd.read_csv(datasets, dtype={"dataset": str, "licence": str})
                       if datasets.is_file() else pd.DataFrame(columns=["dataset", "events",
                                                                        "published", "licence"]))
    frame = gpd.read_file(axes, engine="pyogrio")
    missing = [c for c in AXIS_COLUMNS if c not in frame.columns and c != "geometry"]
    for col in missing:  # an empty GeoJSON carries no columns
        frame[col] = pd.Series(dtype=object)
    out["axes"] = frame
    if "strength" in out["axes"]:
        out["axes"]["strength"] = pd.to_numeric(out["axes"]["strength"], errors="coerce")
    return out
