"""Writer of the QGIS-ready GeoPackage: data layers, date fields, and a default
QGIS style per layer in ``layer_styles``.

Written through pyogrio with Arrow, as GeoPackage 1.3 (so QGIS 3.22 and GDAL
3.6 read it without warnings), to a temporary file renamed at the end. GDAL's
``OGR_CURRENT_DATE`` pins the timestamps so the same inputs give the same bytes.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from . import styles
from .units import unit_geometries

FIXED_DATE = "2000-01-01T00:00:00.000Z"
LAYERS = ("places", "admin_units", "countries", "events", "claims", "presence", "zones",
          "axes")
# presence and zones hold one row per unit, period and group: each unit's shape is stored
# once (SHAPES) and the rows as a table without geometry; a spatial view joins them under
# the layer's name, registered in gpkg_contents so GDAL and QGIS open it as a layer
VIEWS = ("presence", "zones")
SHAPES = "unit_shapes"
CONFIDENCE_CLASS = {"corroborated": "corroborated", "reported": "reported"}  # else: claimed
DATE_COLUMNS = ("date_start", "date_end", "period_start", "period_end", "last_evidence")
INTEGER_COLUMNS = ("fatalities", "line", "n_events", "level", "population", "age_days")


def _dates(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for col in DATE_COLUMNS:
        if col in frame:
            frame[col] = pd.to_datetime(frame[col].astype(str).replace("", None),
                                        errors="coerce").dt.date
    return frame


def _points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    lon = pd.to_numeric(frame["longitude"], errors="coerce")
    lat = pd.to_numeric(frame["latitude"], errors="coerce")
    geom = gpd.points_from_xy(lon, lat)
    gdf = gpd.GeoDataFrame(frame.drop(columns=[c for c in ("geometry",) if c in frame]),
                           geometry=geom, crs="EPSG:4326")
    gdf.loc[lon.isna() | lat.isna(), "geometry"] = None
    return gdf


def layers(tables: dict[str, pd.DataFrame], geodata, places: pd.DataFrame) -> dict[str, gpd.GeoDataFrame]:
    """The GeoPackage layers as GeoDataFrames (pure)."""
    ev = _points(_dates(tables["events"]))
    cl = _points(_dates(tables["claims"]))
    units = pd.concat([geodata.admin1, geodata.admin2], ignore_index=True)
    admin = gpd.GeoDataFrame(units[["unit_id", "name", "name_alt", "country", "level",
                                    "parent_id", "vintage", "geometry"]],
                             geometry="geometry", crs="EPSG:4326")
    shapes = unit_geometries(geodata, pd.concat([tables["presence"]["unit_id"],
                                                 tables["zones"]["unit_id"]]))
    names = shapes.set_index("unit_id")["name"]
    pres = _dates(tables["presence"])
    pres["category"] = category(pres)
    pres.insert(1, "unit_name", pres["unit_id"].map(names))
    pres["date_uncertain"] = pres["date_uncertain"].astype(str).eq("True")
    zones = _dates(tables["zones"])
    zones["category"] = zones["zone"].astype(str) + ":" + zones["holder"].astype(str)
    zones.insert(1, "unit_name", zones["unit_id"].map(names))
    unit_shapes = gpd.GeoDataFrame(shapes[["unit_id", "geometry"]], geometry="geometry",
                                   crs="EPSG:4326")
    axes = gpd.GeoDataFrame(_dates(tables["axes"]), geometry="geometry", crs="EPSG:4326")
    used = set(tables["events"].get("place_id", [])) | set(tables["claims"].get("place_id", []))
    pl = places[places["latitude"].notna()].copy()
    pl["used"] = pl["place_id"].isin(used)
    pl = _points(pl.drop(columns=["admin1_name"]))
    countries = geodata.countries[["country", "name", "extent", "geometry"]]
    out = {"places": pl, "admin_units": admin, "countries": countries, "events": ev,
           "claims": cl, "presence": pres, "zones": zones, "axes": axes,
           SHAPES: unit_shapes}
    for frame in out.values():
        for col in INTEGER_COLUMNS:
            if col in frame:
                frame[col] = pd.to_numeric(frame[col], errors="coerce").round().astype("Int64")
        if "file" in frame:  # the records file's name, not the path on the builder's machine
            frame["file"] = frame["file"].astype(str).map(lambda p: Path(p).name)
        geom = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
        text = [c for c in frame.columns if c != geom and c not in DATE_COLUMNS
                 and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))]
        for col in text:  # plain text fields; missing values as empty strings
            frame[col] = frame[col].astype(object).where(frame[col].notna(), "").astype(str)
    return out


def category(pres: pd.DataFrame) -> pd.Series:
    """``group:status:confidence`` where confidence is corroborated, reported or claimed
    (claimed or assessed only), the key of the presence style."""
    conf = pres["confidence"].astype(str).map(CONFIDENCE_CLASS).fillna("claimed")
    return pres["group"].astype(str) + ":" + pres["status"].astype(str) + ":" + conf


def style_rows(frames: dict[str, gpd.GeoDataFrame], actors: pd.DataFrame) -> pd.DataFrame:
    pres, ev, ax = frames["presence"], frames["events"], frames["axes"]
    groups_p = sorted(set(pres["group"]))
    statuses = ["present", "contested", "dominant", "control"]
    qml = {
        "presence": styles.presence_qml(actors, groups_p, statuses),
        "zones": styles.zones_qml(actors, sorted(set(frames["zones"]["category"]))),
        "events": styles.events_qml(actors, sorted(set(ev["actor"]) - {""})),
        "claims": styles.events_qml(actors, sorted(set(frames["claims"]["actor"]) - {""})),
        "axes": styles.axes_qml(actors, sorted(set(ax["group"]) - {""})),
        "places": styles.places_qml(),
        "admin_units": styles.outline_qml("#9a948a", 0.3),
        "countries": styles.outline_qml("#555555", 0.6),
    }
    rows = [{"f_table_catalog": "", "f_table_schema": "", "f_table_name": name,
             "f_geometry_column": "geom", "styleName": f"sahelmap {name}", "styleQML": text,
             "styleSLD": "", "useAsDefault": True, "description": "sahelmap default style",
             "owner": "", "ui": "", "update_time": FIXED_DATE}
            for name, text in qml.items()]
    return pd.DataFrame(rows)


def write_gpkg(frames: dict[str, gpd.GeoDataFrame], actors: pd.DataFrame, path: Path | str) -> Path:
    """Write the layers and their styles to ``path`` atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.gpkg")
    tmp.unlink(missing_ok=True)
    old = os.environ.get("OGR_CURRENT_DATE")
    os.environ["OGR_CURRENT_DATE"] = FIXED_DATE
    try:
        tables = [(SHAPES, frames[SHAPES])] + [
            (f"{name}_rows" if name in VIEWS else name, frames[name]) for name in LAYERS]
        for i, (name, frame) in enumerate(tables):
            opts = {"VERSION": "1.3"} if i == 0 else {}
            if name in (SHAPES, "admin_units", "countries"):
                opts["promote_to_multi"] = True
            if not isinstance(frame, gpd.GeoDataFrame):
                frame = pd.DataFrame(frame)
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG", use_arrow=True,
                                    append=i > 0, **opts)
        pyogrio.write_dataframe(style_rows(frames, actors), tmp, layer="layer_styles",
                                driver="GPKG", use_arrow=True, append=True, FID="id")
        con = sqlite3.connect(tmp)
        try:
            _spatial_views(con, frames)
            con.commit()
            con.execute("VACUUM")
        finally:
            con.close()
    finally:
        if old is None:
            os.environ.pop("OGR_CURRENT_DATE", None)
        else:
            os.environ["OGR_CURRENT_DATE"] = old
    os.replace(tmp, path)
    return path


def _spatial_views(con: sqlite3.Connection, frames: dict) -> None:
    """``presence`` and ``zones`` as views joining their rows to the unit shapes, registered
    as feature layers in the layers' order; the tables behind them left unregistered (a
    GeoPackage may hold other tables), so only the layers are listed."""
    shape_cols = con.execute(f"SELECT min_x, min_y, max_x, max_y FROM gpkg_contents "
                             f"WHERE table_name = '{SHAPES}'").fetchone()
    con.execute(f'CREATE UNIQUE INDEX "{SHAPES}_unit" ON "{SHAPES}" (unit_id)')
    for name in VIEWS:
        rows = f"{name}_rows"
        cols = [r[1] for r in con.execute(f'PRAGMA table_info("{rows}")') if r[1] != "fid"]
        select = ", ".join(f'r."{c}"' for c in cols)
        con.execute(f'CREATE INDEX "{rows}_unit" ON "{rows}" (unit_id)')
        con.execute(f'CREATE VIEW "{name}" AS SELECT r.fid AS fid, s.geom AS geom, {select} '
                    f'FROM "{rows}" AS r JOIN "{SHAPES}" AS s ON s.unit_id = r.unit_id')
    contents = {r[0]: r for r in con.execute("SELECT * FROM gpkg_contents")}
    geometry = {r[0]: r for r in con.execute("SELECT * FROM gpkg_geometry_columns")}
    for name in VIEWS:  # a view: its rows' identity, the shapes' geometry column and extent
        contents[name] = (name, "features", name, "", FIXED_DATE, *shape_cols, 4326)
        geometry[name] = (name, "geom", "MULTIPOLYGON", 4326, 0, 0)
    hidden = [SHAPES, *(f"{v}_rows" for v in VIEWS)]
    for name in hidden:  # the tables behind the views, and the shapes' spatial index
        contents.pop(name, None)
        geometry.pop(name, None)
        con.execute("DELETE FROM gpkg_extensions WHERE table_name = ?", (name,))
    for trigger, in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND "
                                "tbl_name = ?", (SHAPES,)).fetchall():
        con.execute(f'DROP TRIGGER "{trigger}"')
    con.execute(f'DROP TABLE IF EXISTS "rtree_{SHAPES}_geom"')
    order = [*LAYERS, "layer_styles"]  # listed in this order by GDAL and QGIS
    con.execute("DELETE FROM gpkg_geometry_columns")
    con.execute("DELETE FROM gpkg_contents")
    for name in sorted(contents, key=order.index):
        con.execute(f"INSERT INTO gpkg_contents VALUES ({', '.join('?' * len(contents[name]))})",
                    contents[name])
    for name in sorted(geometry, key=order.index):
        con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, ?, ?)", geometry[name])
