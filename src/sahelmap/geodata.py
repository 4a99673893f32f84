"""Readers for the reference data in ``geodata/``: admin units, places, actors.

Only this module and :mod:`sahelmap.records` read input files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ._errors import GeodataError

ADMIN_FILE = "admin.gpkg"
GEONAMES_FILE = "geonames_places.csv"
CURATED_FILE = "places_curated.csv"
ACTORS_FILE = "actors.csv"

ADMIN_COLUMNS = ["unit_id", "name", "name_alt", "country", "level", "parent_id"]
GEONAMES_COLUMNS = ["place_id", "name", "alt_names", "country", "admin1_id", "admin2_id",
                    "latitude", "longitude", "population"]
CURATED_COLUMNS = ["place_id", "name", "alt_names", "kind", "country", "admin1",
                   "latitude", "longitude", "location_precision", "augments", "source", "notes"]
ACTOR_COLUMNS = ["actor_id", "display_name", "kind", "country", "colour", "aliases"]


@dataclass(frozen=True)
class Epoch:
    """The boundaries of one country in force from ``start`` to the day before ``end``
    ("" for open), when the user gave several vintages: its units at both levels and
    the files they came from."""

    country: str
    start: str
    end: str
    admin1: gpd.GeoDataFrame
    admin2: gpd.GeoDataFrame
    label: str


@dataclass(frozen=True)
class Geodata:
    """The reference layers every stage works against."""

    countries: gpd.GeoDataFrame
    admin1: gpd.GeoDataFrame
    admin2: gpd.GeoDataFrame
    geonames: pd.DataFrame
    curated: pd.DataFrame
    actors: pd.DataFrame
    boundary_files: tuple[str, ...] = ()  # the user's boundary files in use (credited)
    history: tuple[Epoch, ...] = ()  # per country given several vintages, each one's units
    former: gpd.GeoDataFrame | None = None  # older vintages' units under names now gone
    crosswalk: pd.DataFrame | None = None  # former place_id -> to_unit, share


def _need(path: Path) -> Path:
    if not path.is_file():
        raise GeodataError(
            f"{path}: reference file not found; run 'make geodata' or pass --geodata DIR")
    return path


def _check_columns(frame: pd.DataFrame, required: list[str], path: Path) -> None:
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise GeodataError(
            f"{path}:1: missing column(s) {', '.join(missing)}; the file needs "
            f"{', '.join(required)}")


def _read_csv(path: Path, required: list[str]) -> pd.DataFrame:
    frame = pd.read_csv(_need(path), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    _check_columns(frame, required, path)
    return frame


def read_admin(path: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Read the ``countries``, ``admin1`` and ``admin2`` layers of the admin GeoPackage."""
    _need(path)
    layers = []
    for layer in ("countries", "admin1", "admin2"):
        try:
            gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
        except Exception as exc:  # pyogrio raises its own DataLayerError family
            raise GeodataError(f"{path}: cannot read layer {layer!r} ({exc}); "
                               "run 'make geodata' to rebuild it") from None
        if layer != "countries":
            _check_columns(gdf, ADMIN_COLUMNS, path)
            gdf["name_alt"] = gdf["name_alt"].fillna("")
            gdf["parent_id"] = gdf["parent_id"].fillna("")
        layers.append(gdf.to_crs("EPSG:4326"))
    return layers[0], layers[1], layers[2]


def read_geonames(path: Path) -> pd.DataFrame:
    frame = _read_csv(path, GEONAMES_COLUMNS)
    for col in ("latitude", "longitude"):
        frame[col] = pd.to_numeric(frame[col])
    frame["population"] = pd.to_numeric(frame["population"]).astype("int64")
    return frame


def read_curated(path: Path) -> pd.DataFrame:
    frame = _read_csv(path, CURATED_COLUMNS)
    for col in ("latitude", "longitude"):
        frame[col] = pd.to_numeric(frame[col].str.strip().replace("", None), errors="coerce")
    return frame


def read_actors(path: Path) -> pd.DataFrame:
    """The groups; each colour must be ``#rrggbb`` (the pages, the styles and the figures
    all draw with it)."""
    frame = _read_csv(path, ACTOR_COLUMNS)
    bad = ~frame["colour"].astype(str).str.strip().str.fullmatch(r"#[0-9A-Fa-f]{6}")
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise GeodataError(f"{path}:{i + 2}: colour {frame['colour'].iat[i]!r} of "
                           f"{frame['actor_id'].iat[i]!r} is not a colour; write it as #rrggbb "
                           "(six hexadecimal digits, e.g. #D55E00)")
    frame["colour"] = frame["colour"].str.strip()
    return frame


def read_geodata(directory: Path) -> Geodata:
    """Read every reference layer from a ``geodata/`` folder."""
    directory = Path(directory)
    if not directory.is_dir():
        raise GeodataError(f"{directory}: geodata folder not found; pass --geodata DIR "
                           "or set SAHELMAP_GEODATA")
    countries, admin1, admin2 = read_admin(directory / ADMIN_FILE)
    return Geodata(
        countries=countries,
        admin1=admin1,
        admin2=admin2,
        geonames=read_geonames(directory / GEONAMES_FILE),
        curated=read_curated(directory / CURATED_FILE),
        actors=read_actors(directory / ACTORS_FILE),
    )
