"""Writer of the QGIS-ready GeoPackage: data layers, date fields, and a default
QGIS style per layer in ``layer_styles``.

Written through pyogrio with Arrow, as GeoPackage 1.3 (so QGIS 3.22 and GDAL
3.6 read it without warnings), to a temporary file renamed at the end. GDAL's
``OGR_CURRENT_DATE`` pins the timestamps so the same inputs give the same bytes, and
the temporary file is not flushed to disk at each commit (``OGR_SQLITE_SYNCHRONOUS``).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyogrio

from . import styles
from ._arrays import as_text, map_text, take_text, whole_numbers
from ._parallel import alongside
from .units import NAME_COLUMNS, unit_geometries, with_unit_names

FIXED_DATE = "2000-01-01T00:00:00.000Z"
LAYERS = ("places", "admin_units", "countries", "events", "claims", "presence", "zones",
          "axes")
# Large layers are views (GeoPackage 1.3 allows them as feature layers once registered in
# gpkg_contents and gpkg_geometry_columns; GDAL and QGIS open them as layers). Their rows
# are stored once with only their own values, and the values they share with many rows
# (text, dates) in small lookup tables, each distinct combination once, joined by the view;
# the first lookup of a view by unit holds the period, which its rows are indexed by:
#   presence, zones  one row per unit, period and group; the geometry is the unit's shape,
#                    stored once in SHAPES with the unit's id and name
#   events           one row per event; the source, actor and place fields a dataset
#                    repeats in lookups, the point with its place
# The tables behind the views carry no spatial index: GDAL would not use one through a view
# (it needs the indexed table registered as a layer of its own), and it does not need one: at
# 1M events a box or date filter through the view takes as long as on a full indexed table.
SHAPES = "unit_shapes"
UNIT_FIELDS = ("unit_id", *NAME_COLUMNS)
VIEWS = {  # layer -> lookups: (table suffix, fields)
    "events": (
        ("dates", ("date_start", "date_end")),
        ("sources", ("record_kind", "date_precision", "confidence", "source", "file", "dataset",
                     "geocode_method", "location_precision", "join_note")),
        ("actors", ("actor", "actor_raw", "actor_candidates", "opponent", "opponent_raw",
                    "event_type", "event_type_raw")),
        ("places", ("place_name", "country", "admin1", "within", "place_id", "matched_name",
                    "admin1_id", "admin1_name", "admin2_id", "admin2_name", "admin_country",
                    "latitude", "longitude"))),
    "presence": (  # the evidence's dates go with the period: few combinations
        ("dates", ("period", "period_start", "period_end", "last_evidence", "age_days",
                   "date_uncertain")),
        ("keys", ("unit_level", "spatial", "group", "side", "status", "basis", "confidence",
                  "label", "category")),
        ("evidence", ("evidence_events", "evidence_claims")),
        ("areas", ("area_present", "area_contested", "area_dominant", "area_control",
                   "stability"))),  # empty on cells; per unit at the admin levels
    "zones": (
        ("periods", ("period", "period_start", "period_end")),
        ("keys", ("unit_level", "zone", "holder", "holder_status", "basis", "contenders",
                  "category"))),
}
BY_UNIT = ("presence", "zones")  # views whose geometry is the unit's shape
POINTS = {"events": "places"}  # views whose point (made from latitude and longitude) is
                               # stored with a lookup: events repeat their locations
CONFIDENCE_CLASS = {"corroborated": "corroborated", "reported": "reported"}  # else: claimed
DATE_COLUMNS = ("date_start", "date_end", "period_start", "period_end", "last_evidence")
INTEGER_COLUMNS = ("fatalities", "line", "n_events", "level", "population", "age_days")


def _dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Date columns as Arrow dates (OGR Date fields); empty or malformed text as null."""
    frame = frame.copy(deep=False)  # the other columns shared, not copied
    for col in DATE_COLUMNS:
        if col in frame:
            frame[col] = _date_values(frame[col])
    return frame


def _date_values(values: pd.Series) -> pd.Series:
    codes, distinct = pd.factorize(values, use_na_sentinel=False)  # each date read once
    distinct = pd.Series(distinct)  # the column's own type: it turns to text as the column would
    text = pa.array(distinct.astype(str).where(distinct.notna(), ""), type=pa.string())
    stamp = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
    dates = stamp.cast(pa.date32()).take(pa.array(codes.astype("int64")))
    return pd.Series(dates, index=values.index, dtype=pd.ArrowDtype(pa.date32()))


def _points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """The rows with a point from their coordinates (none where one is missing), made
    once per distinct pair: a million events repeat a few thousand locations."""
    codes, first = _distinct(frame, ["longitude", "latitude"])
    lon = pd.to_numeric(frame["longitude"].iloc[first], errors="coerce").to_numpy(float)
    lat = pd.to_numeric(frame["latitude"].iloc[first], errors="coerce").to_numpy(float)
    points = np.asarray(gpd.points_from_xy(lon, lat), dtype=object)
    points[np.isnan(lon) | np.isnan(lat)] = None
    return gpd.GeoDataFrame(frame.drop(columns=[c for c in ("geometry",) if c in frame]),
                            geometry=gpd.GeoSeries(points[codes - 1], index=frame.index),
                            crs="EPSG:4326")


def _shapes(geodata, tables: dict[str, pd.DataFrame]) -> gpd.GeoDataFrame:
    """One row per unit named by presence or zones: its polygon and name (a unit the
    reference data does not know keeps its rows, with no shape)."""
    ids = pd.unique(pd.concat([tables["presence"]["unit_id"], tables["zones"]["unit_id"]]))
    shapes = unit_geometries(geodata, ids)
    missing = sorted(set(ids) - set(shapes["unit_id"]))
    shapes = gpd.GeoDataFrame(
        pd.concat([shapes.rename(columns={"name": "unit_name"}),
                   pd.DataFrame({"unit_id": missing, "unit_name": "", "country": "",
                                 "parent_name": "", "geometry": None})],
                  ignore_index=True), geometry="geometry", crs="EPSG:4326")
    return shapes.sort_values("unit_id", kind="stable").reset_index(drop=True)


def layers(tables: dict[str, pd.DataFrame], geodata, places: pd.DataFrame) -> dict[str, gpd.GeoDataFrame]:
    """The GeoPackage layers as GeoDataFrames (pure); ``presence`` and ``zones`` as
    the rows their views show, without geometry (:data:`SHAPES` holds it)."""
    ev = _points(_dates(tables["events"]))
    cl = _points(_dates(tables["claims"]))
    units = pd.concat([geodata.admin1, geodata.admin2], ignore_index=True)
    admin = gpd.GeoDataFrame(units[["unit_id", "name", "name_alt", "country", "level",
                                    "parent_id", "vintage", "geometry"]],
                             geometry="geometry", crs="EPSG:4326")
    shapes = _shapes(geodata, tables)
    pres = with_unit_names(_dates(tables["presence"]), shapes)
    pres["category"] = category(pres)
    pres["date_uncertain"] = pres["date_uncertain"].astype(str).eq("True")
    zones = with_unit_names(_dates(tables["zones"]), shapes)
    zones["category"] = zones["zone"].astype(str) + ":" + zones["holder"].astype(str)
    axes = gpd.GeoDataFrame(_dates(tables["axes"]), geometry="geometry", crs="EPSG:4326")
    used = _distinct_values(tables["events"].get("place_id", [])) | \
        _distinct_values(tables["claims"].get("place_id", []))
    pl = places[places["latitude"].notna()].copy()
    pl["used"] = pl["place_id"].isin(used)
    pl = _points(pl.drop(columns=["admin1_name"]))
    countries = geodata.countries[["country", "name", "extent", "geometry"]]
    out = {"places": pl, "admin_units": admin, "countries": countries, "events": ev,
           "claims": cl, "presence": pres, "zones": zones, "axes": axes, SHAPES: shapes}
    for frame in out.values():
        for col in INTEGER_COLUMNS:
            if col in frame:
                frame[col] = whole_numbers(frame[col])
        if "file" in frame:
            # the records file's name, not the path on the builder's machine
            frame["file"] = map_text(frame["file"].astype(str), lambda p: Path(p).name, "")
        geom = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
        text = [c for c in frame.columns if c != geom and c not in DATE_COLUMNS
                and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))]
        for col in text:
            frame[col] = as_text(frame[col])
    return out


def _distinct_values(values) -> set:
    """The set of a column's values, found without a Python object per row."""
    return set(pd.unique(pd.Series(values)).tolist())


def category(pres: pd.DataFrame) -> pd.Series:
    """``group:status:confidence`` where confidence is corroborated, reported or claimed
    (claimed or assessed only), the key of the presence style."""
    codes, first = _distinct(pres, ["group", "status", "confidence"])  # each key once
    keys = pres[["group", "status", "confidence"]].iloc[first].astype(str)
    conf = keys["confidence"].map(CONFIDENCE_CLASS).fillna("claimed")
    names = (keys["group"] + ":" + keys["status"] + ":" + conf).to_numpy(dtype=object)
    return pd.Series(take_text(names, codes - 1), index=pres.index)


def style_rows(frames: dict[str, gpd.GeoDataFrame], actors: pd.DataFrame) -> pd.DataFrame:
    pres, ev, ax = frames["presence"], frames["events"], frames["axes"]
    groups_p = sorted(_distinct_values(pres["group"]))
    statuses = ["present", "contested", "dominant", "control"]
    qml = {
        "presence": styles.presence_qml(actors, groups_p, statuses),
        "zones": styles.zones_qml(actors, sorted(_distinct_values(frames["zones"]["category"]))),
        "events": styles.events_qml(actors, sorted(_distinct_values(ev["actor"]) - {""})),
        "claims": styles.events_qml(actors,
                                    sorted(_distinct_values(frames["claims"]["actor"]) - {""})),
        "axes": styles.axes_qml(actors, sorted(_distinct_values(ax["group"]) - {""})),
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


def write_gpkg(frames: dict[str, gpd.GeoDataFrame], actors: pd.DataFrame, path: Path | str,
               *, progress=None) -> Path:
    """Write the layers and their styles to ``path`` atomically; ``progress(what, done,
    total)`` counts the tables written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.gpkg")
    tmp.unlink(missing_ok=True)
    with _gdal_settings():
        _write_tables(frames, actors, tmp, progress)
        con = _connect(tmp)
        try:
            _spatial_views(con, frames)
            con.commit()
            # the tables' statistics, without which SQLite scans every presence row for a
            # period instead of looking its rows up by the period index (0.6 s -> 0.02 s)
            con.execute("ANALYZE")
            con.commit()
        finally:
            con.close()
    os.replace(tmp, path)
    return path


# GDAL's settings while the file is written: timestamps pinned (the same inputs give
# the same bytes), and no flush to disk at each commit: the file is a temporary one,
# renamed into place only once whole, so an interrupted run leaves the old file
SETTINGS = {"OGR_CURRENT_DATE": FIXED_DATE, "OGR_SQLITE_SYNCHRONOUS": "OFF"}


@contextmanager
def _gdal_settings() -> Iterator[None]:
    old = {k: os.environ.get(k) for k in SETTINGS}
    os.environ.update(SETTINGS)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _connect(path: Path) -> sqlite3.Connection:
    """SQLite on the temporary file, as GDAL writes it (no flush at each commit)."""
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous = OFF")
    return con


ASIDE = "presence"  # the view whose stored parts (most of the rows) a second process writes
AT_HOME = ("presence_evidence",)  # but for these, which the main process, with less to
                                  # write, makes and writes itself (0.1 GB less to copy)


def _write_tables(frames: dict, actors: pd.DataFrame, tmp: Path, progress=None) -> None:
    """Every layer through pyogrio and Arrow; a view's layer as its stored parts (made
    one layer at a time, so only one layer's parts are held at once). GDAL writes one
    table at a time and holds the GIL, so the presence parts (but :data:`AT_HOME`) go
    into a file of their own in a forked process meanwhile, and are copied in by SQLite
    at the end."""
    def tables(names):
        for name in names:
            yield from (stored_parts(name, frames[name], frames[SHAPES]).items()
                        if name in VIEWS else [(name, frames[name])])

    def aside(at_home: bool):
        tables = [f"{ASIDE}_rows", *(f"{ASIDE}_{suffix}" for suffix, _ in VIEWS[ASIDE])]
        only = [t for t in tables if (t in AT_HOME) == at_home]
        return stored_parts(ASIDE, frames[ASIDE], frames[SHAPES], only).items()

    total = 2 + sum(len(VIEWS[n]) + 1 if n in VIEWS else 1 for n in LAYERS)  # shapes, styles
    done = 0

    def count(n: int = 1) -> None:
        nonlocal done
        done += n
        if progress:
            progress("GeoPackage tables", done, total)

    count(0)  # the counter shows from the start
    other = tmp.with_name(f"{tmp.stem}.{ASIDE}.gpkg")
    other.unlink(missing_ok=True)
    try:
        with alongside(lambda: _write_indexed(aside(at_home=False), other, ASIDE)):
            _write_frames([(SHAPES, frames[SHAPES])], tmp)
            count()
            _write_frames(tables([n for n in LAYERS if n != ASIDE]), tmp, append=True,
                          count=count)
            _write_frames(aside(at_home=True), tmp, append=True, count=count)
            _write_frames([("layer_styles", style_rows(frames, actors))], tmp, append=True,
                          FID="id")
            count()
        count(_copy_tables(other, tmp))
    finally:
        other.unlink(missing_ok=True)


def _write_indexed(named, path: Path, view: str) -> None:
    """Write the (name, frame) pairs as a new GeoPackage and index the rows of ``view``
    by period there (sorted in this process; :func:`_copy_tables` copies the entries)."""
    _write_frames(named, path)
    con = _connect(path)
    try:
        con.execute(_period_index(view))
        con.commit()
    finally:
        con.close()


def _write_frames(named, path: Path, *, append: bool = False, count=None, **extra) -> None:
    """Write each (name, frame) as a table of the GeoPackage at ``path`` (the first one
    of a new file makes it a GeoPackage 1.3, which GDAL and QGIS 3.22 read)."""
    for i, (name, frame) in enumerate(named):
        opts = {"VERSION": "1.3"} if i == 0 and not append else {}
        if name in (SHAPES, "admin_units", "countries"):
            opts["promote_to_multi"] = True
        if name in (SHAPES, *(f"{v}_{s}" for v, s in POINTS.items())) \
                or name.endswith("_rows"):  # read through the views only
            opts["SPATIAL_INDEX"] = "NO"
        if not isinstance(frame, gpd.GeoDataFrame):
            frame = pd.DataFrame(frame)
        pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG", use_arrow=True,
                                append=append or i > 0, **opts, **extra)
        if count:
            count()


def _copy_tables(source: Path, target: Path) -> int:
    """Copy every table of the GeoPackage ``source`` (tables without geometry) into
    ``target`` as GDAL made it: its definition and indexes (made before the rows, so
    SQLite copies the entries as they are instead of sorting them again), rows, feature
    count and count-keeping triggers (made after the rows, which they would count
    again); how many tables."""
    con = _connect(target)
    try:
        con.execute("ATTACH DATABASE ? AS aside", (str(source),))
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM aside.gpkg_contents ORDER BY rowid")]
        for name in names:  # our own table names (ASIDE's parts), never outside text
            con.execute(con.execute("SELECT sql FROM aside.sqlite_master WHERE type = 'table' "
                                    "AND name = ?", (name,)).fetchone()[0])
            for (sql,) in con.execute("SELECT sql FROM aside.sqlite_master WHERE type = "
                                      "'index' AND tbl_name = ? AND sql IS NOT NULL "
                                      "ORDER BY name", (name,)).fetchall():
                con.execute(sql)
            con.execute(f'INSERT INTO main."{name}" SELECT * FROM aside."{name}"')
            for meta in ("gpkg_contents", "gpkg_ogr_contents"):
                con.execute(f"INSERT INTO main.{meta} SELECT * FROM aside.{meta} "
                            "WHERE table_name = ?", (name,))
            for (sql,) in con.execute("SELECT sql FROM aside.sqlite_master WHERE type = "
                                      "'trigger' AND tbl_name = ? ORDER BY name",
                                      (name,)).fetchall():
                con.execute(sql)
        con.commit()
        con.execute("DETACH DATABASE aside")
    finally:
        con.close()
    return len(names)


def stored_parts(name: str, frame: pd.DataFrame, shapes: pd.DataFrame,
                 only: Collection[str] | None = None) -> dict[str, pd.DataFrame]:
    """A view's rows as stored: ``<name>_rows`` with each row's own values and a reference
    (``<suffix>_ref``) into each lookup ``<name>_<suffix>``; rows of a view by unit refer
    to their unit by ``unit_ref`` (its fid in ``shapes``, written in this order), and the
    lookup named in POINTS carries the view's geometry. ``only``: the tables to make
    (default all); a lookup's numbering is the same whichever are made."""
    def wanted(table: str) -> bool:
        return only is None or table in only

    lookups = [(suffix, [c for c in cols if c in frame]) for suffix, cols in VIEWS[name]]
    shared = [c for _, cols in lookups for c in cols]
    if name in BY_UNIT:
        shared += list(UNIT_FIELDS)
    if name in POINTS:
        shared.append(frame.geometry.name)
    parts, refs = {}, []
    if name in BY_UNIT and wanted(f"{name}_rows"):
        unit_fid = pd.Index(shapes["unit_id"]).get_indexer(frame["unit_id"]) + 1
        refs.append(("unit_ref", unit_fid.astype("int64")))  # every unit has a shape row
    for suffix, cols in lookups:
        table = f"{name}_{suffix}"
        if not (wanted(table) or wanted(f"{name}_rows")):
            continue
        codes, first = _distinct(frame, cols)
        refs.append((f"{suffix}_ref", codes))
        if not wanted(table):
            continue
        part = frame[cols].iloc[first].reset_index(drop=True)
        if POINTS.get(name) == suffix:  # a point is made from the lookup's coordinates
            part = gpd.GeoDataFrame(part, geometry=frame.geometry.iloc[first].to_numpy(),
                                    crs=frame.crs)
        parts[table] = part
    if not wanted(f"{name}_rows"):
        return parts
    rows = pd.DataFrame(frame.drop(columns=shared))
    for i, (ref, codes) in enumerate(refs):
        rows.insert(i, ref, codes)
    return {f"{name}_rows": rows, **parts}


KEY_LIMIT = 2**62  # combined codes stay below it, far from int64's end


def _distinct(frame: pd.DataFrame, cols: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's fid among the distinct combinations of ``cols`` (numbered 1, 2, ... in
    order of first appearance), and the positions of those first appearances.

    Each column is coded by its own distinct values; the codes are combined into one
    integer per row, which is made compact again (factorized) only when the next column
    could overflow it, so a lookup of a few small columns is factorized once."""
    with ThreadPoolExecutor(2) as pool:  # Arrow factorizes text outside the GIL
        coded = list(pool.map(lambda c: pd.factorize(frame[c], use_na_sentinel=False), cols))
    key, bound = np.zeros(len(frame), dtype="int64"), 1
    for codes, distinct in coded:
        if bound * max(len(distinct), 1) >= KEY_LIMIT:
            key, uniques = pd.factorize(key)
            bound = len(uniques)
        key = key * len(distinct) + codes
        bound *= max(len(distinct), 1)
    key, _ = pd.factorize(key)  # numbered in order of first appearance
    # the rows that are no repeat, in order, are the firsts
    first = np.flatnonzero(~pd.Series(key).duplicated().to_numpy())
    return key.astype("int64") + 1, first


def _period_index(name: str) -> str:
    """The index of a view by unit's rows by their period (its first lookup), which the
    temporal controller filters the view by (made where missing)."""
    rows = f"{name}_rows"
    return (f'CREATE INDEX IF NOT EXISTS "{rows}_period" ON "{rows}" '
            f'({VIEWS[name][0][0]}_ref)')


def _spatial_views(con: sqlite3.Connection, frames: dict) -> None:
    """Each view joining its stored parts (and, by unit, the unit shapes), registered as
    a feature layer in the layers' order with its geometry's type and extent; the tables
    behind the views left unregistered (a GeoPackage may hold other tables), so only the
    layers are listed."""
    contents = {r[0]: r for r in con.execute("SELECT * FROM gpkg_contents")}
    geometry = {r[0]: r for r in con.execute("SELECT * FROM gpkg_geometry_columns")}
    hidden = [SHAPES]
    for name, lookups in VIEWS.items():
        rows = f"{name}_rows"
        if name in BY_UNIT:
            base, geom = SHAPES, "s.geom"
        else:  # the point is in a lookup
            base = f"{name}_{POINTS[name]}"
            geom = f"l{[suffix for suffix, _ in lookups].index(POINTS[name])}.geom"
        alias = {c: f"l{i}" for i, (_, cols) in enumerate(lookups) for c in cols}
        alias.update(dict.fromkeys(UNIT_FIELDS if name in BY_UNIT else (), "s"))
        frame = frames[name]
        own_geom = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
        select = ", ".join(f'{alias.get(c, "r")}."{c}"' for c in frame.columns if c != own_geom)
        joins = "".join(f' JOIN "{name}_{suffix}" AS l{i} ON l{i}.fid = r."{suffix}_ref"'
                        for i, (suffix, _) in enumerate(lookups))
        if name in BY_UNIT:
            joins += f' JOIN "{SHAPES}" AS s ON s.fid = r.unit_ref'
        con.execute(f'CREATE VIEW "{name}" AS SELECT r.fid AS fid, {geom} AS geom, {select} '
                    f'FROM "{rows}" AS r{joins}')
        if name in BY_UNIT:
            con.execute(_period_index(name))
        # a view: its rows' identity, and its geometry's column, type and extent
        contents[name] = (name, "features", name, "", FIXED_DATE, *contents[base][5:9], 4326)
        geometry[name] = (name, "geom", geometry[base][2], 4326, 0, 0)
        hidden += [rows, *(f"{name}_{suffix}" for suffix, _ in lookups)]
    for name in hidden:
        contents.pop(name, None)
        geometry.pop(name, None)
    order = [*LAYERS, "layer_styles"]  # listed in this order by GDAL and QGIS
    con.execute("DELETE FROM gpkg_geometry_columns")
    con.execute("DELETE FROM gpkg_contents")
    for name in sorted(contents, key=order.index):
        con.execute(f"INSERT INTO gpkg_contents VALUES ({', '.join('?' * len(contents[name]))})",
                    contents[name])
    for name in sorted(geometry, key=order.index):
        con.execute("INSERT INTO gpkg_geometry_columns VALUES (?, ?, ?, ?, ?, ?)", geometry[name])
