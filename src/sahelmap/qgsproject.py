"""Writer of the QGIS project beside the GeoPackage (``sahelmap.qgz``): every layer of
the GeoPackage with its default style, the dated layers' temporal properties on, and
the Temporal Controller set to the periods' range and step, in animation mode, so the
file opens as a map that plays.

Written with the standard library (the build has no PyQGIS), as the elements QGIS 3.22
itself writes for these settings (``ProjectTimeSettings``, ``TemporalControllerWidget``
in the project properties, ``mapcanvas``, ``DefaultViewExtent``); a layer's style is the
QML of its default style, read from the GeoPackage's ``layer_styles``, so the project
draws what the GeoPackage does. Layers point at the GeoPackage by a relative path
(``./sahelmap.gpkg|layername=...``): the folder can be moved or zipped with both files.
The same GeoPackage and periods give the same bytes: layer ids come from layer names,
the zip member has a fixed time, and nothing records who or when.
"""

from __future__ import annotations

import os
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from ._errors import InputError
from .styles import HEADER

QGIS_VERSION = "3.22.0"  # the oldest QGIS the project is written for (3.22 LTR)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip member can carry
# Off when the project opens, as on the site: places label the whole gazetteer
# (thousands of names), claims are the evidence presence already draws, and zones give
# a second verdict over the same units as presence; one click in the Layers panel shows them.
HIDDEN = ("places", "claims", "zones")
KINDS = {"POINT": "Point", "MULTIPOINT": "Point", "LINESTRING": "Line",
         "MULTILINESTRING": "Line", "POLYGON": "Polygon", "MULTIPOLYGON": "Polygon"}
WKB = {"POINT": "Point", "MULTIPOINT": "MultiPoint", "LINESTRING": "LineString",
       "MULTILINESTRING": "MultiLineString", "POLYGON": "Polygon",
       "MULTIPOLYGON": "MultiPolygon"}
ABOVE = {"Point": 0, "Line": 1, "Polygon": 2}  # drawing order: points over lines over areas
NAVIGATION_ANIMATED = 1  # QgsTemporalNavigationObject::Animated
PAD = 0.05  # the opening view: the dated layers' extent and 5 % around it


class ProjectLayer(NamedTuple):
    """A GeoPackage layer as the project shows it."""

    name: str
    geometry: str  # the GeoPackage's type name (POINT, MULTIPOLYGON, ...)
    extent: tuple[float, float, float, float] | None  # xmin, ymin, xmax, ymax
    crs: str  # authority id, e.g. EPSG:4326
    qml: str  # the default style ("" when the layer has none)


UNIT_NAMES = {"d": "day(s)", "wk": "week(s)", "mon": "month(s)", "y": "year(s)"}


class TimeStep(NamedTuple):
    """The Temporal Controller's step, in QGIS's unit codes (d, wk, mon, y)."""

    value: int
    unit: str
    regular: bool  # every period is one step long and starts where the last one ended


# reading the GeoPackage (IO)

def gpkg_layers(path: Path | str) -> list[ProjectLayer]:
    """The feature layers of the GeoPackage at ``path``, in its order, with their
    geometry type, extent, CRS and default style."""
    # as a file: URI, percent-encoded, so a '#' or '?' in the name is the name's
    con = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "SELECT c.table_name, g.geometry_type_name, c.min_x, c.min_y, c.max_x, c.max_y, "
            "s.organization || ':' || s.organization_coordsys_id FROM gpkg_contents AS c "
            "JOIN gpkg_geometry_columns AS g ON g.table_name = c.table_name "
            "JOIN gpkg_spatial_ref_sys AS s ON s.srs_id = g.srs_id "
            "WHERE c.data_type = 'features' ORDER BY c.rowid").fetchall()
        styles = dict(con.execute("SELECT f_table_name, styleQML FROM layer_styles "
                                  "WHERE useAsDefault ORDER BY id").fetchall()) \
            if _has_table(con, "layer_styles") else {}
    except sqlite3.DatabaseError as exc:
        raise InputError(f"{path}: not a GeoPackage sahelmap can read ({exc}); write it "
                         "with 'sahelmap gpkg'") from None
    finally:
        con.close()
    return [ProjectLayer(name, geom.upper(),
                         None if None in box else tuple(float(v) for v in box),
                         crs.upper(), styles.get(name, ""))
            for name, geom, *box, crs in rows]


def _has_table(con: sqlite3.Connection, name: str) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (name,)).fetchone() is not None


# time (pure)

def time_range(periods: pd.DataFrame) -> tuple[str, str]:
    """The first period's first day and the last period's last day, as QGIS writes
    times (UTC, midnight: the layers' date fields are days, and the day of the range's
    end is included, as QGIS's own "Set to full range" gives it)."""
    start = pd.to_datetime(periods["period_start"]).min()
    end = pd.to_datetime(periods["period_end"]).max()
    return f"{start:%Y-%m-%d}T00:00:00Z", f"{end:%Y-%m-%d}T00:00:00Z"


def period_step(periods: pd.DataFrame) -> TimeStep:
    """The step from one period to the next, read from their dates: whole months (or
    years) when each period runs from a day of the month to the day before the same
    day a fixed number of months later (a month, a quarter as 3 months, a year), else
    whole days (weeks when a multiple of 7) when every period has the same length; each
    period must start the day after the last one ends. Windows of unequal length or with
    gaps cannot be stepped through exactly: the shortest window's length, in days, so no
    window is stepped over (``regular`` is False)."""
    frame = periods.sort_values("period_start")
    start = pd.to_datetime(frame["period_start"]).reset_index(drop=True)
    after = pd.to_datetime(frame["period_end"]).reset_index(drop=True) + pd.Timedelta(days=1)
    follows = bool((start.iloc[1:].to_numpy() == after.iloc[:-1].to_numpy()).all())
    months = (after.dt.year - start.dt.year) * 12 + after.dt.month - start.dt.month
    if follows and (start.dt.day == after.dt.day).all() and months.nunique() == 1:
        m = int(months.iloc[0])
        return TimeStep(m // 12, "y", True) if m % 12 == 0 else TimeStep(m, "mon", True)
    days = (after - start).dt.days
    if follows and days.nunique() == 1:
        d = int(days.iloc[0])
        return TimeStep(d // 7, "wk", True) if d % 7 == 0 else TimeStep(d, "d", True)
    return TimeStep(int(days.min()), "d", False)


# the project (pure)

def project_xml(layers: list[ProjectLayer], gpkg_name: str, time: tuple[str, str],
                step: TimeStep, *, title: str = "sahelmap") -> str:
    """The project file's text (``.qgs``): ``layers`` read from the GeoPackage named
    ``gpkg_name`` beside the project, drawn points over lines over areas, opening on
    the dated layers, with the Temporal Controller over ``time`` (start, end) by
    ``step``. Names and styles go in as XML text and attributes, escaped."""
    if "|" in gpkg_name or "/" in gpkg_name:
        raise InputError(f"{gpkg_name!r}: a QGIS data source cannot name this file; give "
                         "the GeoPackage a plain file name (no '|' or '/')")
    order = sorted(layers, key=lambda lay: ABOVE.get(KINDS.get(lay.geometry), len(ABOVE)))
    styles = {lay.name: _style(lay) for lay in order if lay.qml}
    dated = [lay for lay in order if _dated(styles.get(lay.name))]
    crs = (dated or order)[0].crs if order else "EPSG:4326"
    box = _view(dated) or _view(order)
    root = ET.Element("qgis", {"projectname": title, "version": QGIS_VERSION})
    _sub(root, "title", title)
    _srs(_sub(root, "projectCrs"), crs)
    tree = _sub(root, "layer-tree-group")
    for lay in order:
        _sub(tree, "layer-tree-layer", id=_layer_id(lay), name=lay.name,
             source=_source(gpkg_name, lay), providerKey="ogr", expanded="1",
             checked="Qt::Unchecked" if lay.name in HIDDEN else "Qt::Checked")
    if box:
        _canvas(root, box, crs)
    # loaded in this order too: QGIS 3.22's Temporal Controller reads the date range of
    # the first dated layer it sees load (the events) before the project's range, and
    # opens on the frame where that range begins: the first period, as the events begin
    # there (a small layer first would open faster at a million events, 0.1 s against
    # 6.7 s, but on the period where that layer begins)
    maplayers = _sub(root, "projectlayers")
    for lay in order:
        maplayers.append(_maplayer(lay, gpkg_name, styles.get(lay.name)))
    props = _sub(root, "properties")
    _entry(_sub(props, "Paths"), "Absolute", "bool", "false")  # relative to the project
    # QGIS 3.22 reads projectCrs only with ProjectionsEnabled, and one given by its
    # authority id alone only from ProjectCrs (the element wants QGIS's internal id too)
    srs = _sub(props, "SpatialRefSys")
    _entry(srs, "ProjectCrs", "QString", crs)
    _entry(srs, "ProjectionsEnabled", "int", "1")
    _entry(_sub(props, "TemporalControllerWidget"), "NavigationMode", "int",
           str(NAVIGATION_ANIMATED))
    view = _sub(root, "ProjectViewSettings", UseProjectScales="0", rotation="0")
    if box:
        _srs(_sub(view, "DefaultViewExtent", **dict(zip(CORNERS, map(_number, box)))), crs)
    times = _sub(root, "ProjectTimeSettings", timeStep=str(step.value), timeStepUnit=step.unit,
                 frameRate="1", cumulativeTemporalRange="0")
    span = _sub(times, "TemporalRange")
    _sub(span, "start", time[0])
    _sub(span, "end", time[1])
    ET.indent(root)
    return HEADER + ET.tostring(root, encoding="unicode") + "\n"


CORNERS = ("xmin", "ymin", "xmax", "ymax")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def _entry(parent: ET.Element, key: str, kind: str, value: str) -> None:
    """A project property as QgsProject::writeEntry stores it."""
    _sub(parent, key, value, type=kind)


def _srs(parent: ET.Element, authid: str) -> None:
    """A CRS by its authority id, which QGIS reads when no internal id is given."""
    _sub(_sub(parent, "spatialrefsys"), "authid", authid)


def _layer_id(layer: ProjectLayer) -> str:
    return f"sahelmap_{layer.name}"


def _source(gpkg_name: str, layer: ProjectLayer) -> str:
    return f"./{gpkg_name}|layername={layer.name}"


def _number(value: float) -> str:
    return f"{value:.6f}"


def _style(layer: ProjectLayer) -> ET.Element:
    try:
        return ET.fromstring(layer.qml)
    except ET.ParseError as exc:
        raise InputError(f"layer_styles: the default style of {layer.name!r} is not "
                         f"well-formed XML ({exc}); the GeoPackage was changed after "
                         "sahelmap wrote it: write it again with 'sahelmap gpkg'") from None


def _dated(style: ET.Element | None) -> bool:
    """Whether a style switches its layer's temporal properties on."""
    temporal = style.find("temporal") if style is not None else None
    return temporal is not None and temporal.get("enabled") == "1"


def _view(layers: list[ProjectLayer]) -> tuple[float, float, float, float] | None:
    """The layers' extent, padded by PAD on each side (None when none has one)."""
    boxes = [lay.extent for lay in layers if lay.extent]
    if not boxes:
        return None
    xmin, ymin = min(b[0] for b in boxes), min(b[1] for b in boxes)
    xmax, ymax = max(b[2] for b in boxes), max(b[3] for b in boxes)
    dx, dy = (xmax - xmin) * PAD, (ymax - ymin) * PAD
    return xmin - dx, ymin - dy, xmax + dx, ymax + dy


def _canvas(root: ET.Element, box: tuple[float, ...], crs: str) -> None:
    """The main map canvas's opening view, as QgsMapCanvas writes it."""
    canvas = _sub(root, "mapcanvas", name="theMapCanvas", annotationsVisible="1")
    extent = _sub(canvas, "extent")
    for key, value in zip(CORNERS, box):
        _sub(extent, key, _number(value))
    _sub(canvas, "rotation", "0")
    _srs(_sub(canvas, "destinationsrs"), crs)


def _maplayer(layer: ProjectLayer, gpkg_name: str, style: ET.Element | None) -> ET.Element:
    """A vector layer: its source, CRS and provider, then its default style's elements
    (renderer, labels, temporal properties), as QGIS keeps a layer's style in a project."""
    el = ET.Element("maplayer", {"type": "vector", "geometry": KINDS.get(layer.geometry, "Unknown"),
                                 "wkbType": WKB.get(layer.geometry, "Unknown")})
    _sub(el, "id", _layer_id(layer))
    _sub(el, "datasource", _source(gpkg_name, layer))
    _sub(el, "layername", layer.name)
    _srs(_sub(el, "srs"), layer.crs)
    _sub(el, "provider", "ogr", encoding="UTF-8")
    if style is not None:
        el.extend(list(style))
    return el


# the file (IO)

def write_project(text: str, path: Path | str) -> Path:
    """Write the project text to ``path`` as QGIS's zipped format (``.qgz``: one
    ``<stem>.qgs`` member), atomically; the same text gives the same bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    member = zipfile.ZipInfo(f"{path.stem}.qgs", date_time=ZIP_TIME)
    member.compress_type = zipfile.ZIP_DEFLATED
    member.create_system = 3  # Unix, whichever system writes it
    member.external_attr = 0o644 << 16
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w") as archive:
            archive.writestr(member, text.encode("utf-8"))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def project_path(gpkg: Path | str) -> Path:
    """Where the project of the GeoPackage ``gpkg`` goes: beside it, same stem, ``.qgz``
    (its layers name the GeoPackage by a path relative to it)."""
    gpkg = Path(gpkg)
    path = gpkg.with_suffix(".qgz")
    if path.name == gpkg.name:
        raise InputError(f"{gpkg}: the QGIS project would overwrite the GeoPackage; give "
                         "the GeoPackage a name ending in .gpkg, or pass --no-project")
    for char in "|%":  # QGIS splits a source at '|' and decodes '%xx' in it
        if char in gpkg.name:
            raise InputError(f"{gpkg}: a QGIS data source cannot name a file with '{char}'; "
                             "rename the GeoPackage, or pass --no-project")
    return path


def write_qgz(gpkg: Path | str, periods: pd.DataFrame) -> Path:
    """The project of the GeoPackage ``gpkg`` (see :func:`project_path`), with the
    Temporal Controller over ``periods``."""
    path = project_path(gpkg)
    text = project_xml(gpkg_layers(gpkg), Path(gpkg).name, time_range(periods),
                       period_step(periods))
    return write_project(text, path)
