"""Reader for the user's own admin boundaries (``--admin FILE``, ``[[admin]]`` in the
config): any polygon file GDAL opens (GeoPackage, Shapefile, GeoJSON, TopoJSON), one
admin level per file, read into the schema of the reference admin layers.

The name, code and parent fields are found for the common schemas and can be named
instead (:class:`AdminSource`):

  COD-AB (OCHA)    ``ADM<n>_FR`` / ``_EN`` / ``_PT``, ``ADM<n>_PCODE``, ``ADM<n-1>_PCODE``,
                   country from ``ADM0_PCODE`` (ISO 3166 alpha-2 or alpha-3)
  GADM             ``NAME_<n>``, ``GID_<n>``, ``GID_<n-1>``, alternates in ``VARNAME_<n>``,
                   country from ``GID_0``
  geoBoundaries    ``shapeName``, ``shapeISO`` (else ``shapeID``), no parent field,
                   country from ``shapeGroup``, level from ``shapeType``

A set may say when it was in force (``valid_from``/``valid_to``, or COD-AB's
``validOn``/``validTo``) and carry a crosswalk to the set that replaced it
(:func:`read_crosswalk`). Fields are matched without regard to case (a Shapefile may
shout them). What the reader had to do to a file (reproject it, repair a polygon,
guess the encoding of a Shapefile without ``.cpg``) is listed in
:attr:`AdminSet.notes`; a file it cannot use raises :class:`InputError` with one line
naming the file, the field and the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from ._errors import InputError

UNIT_COLUMNS = ["unit_id", "name", "name_alt", "country", "level", "parent_id",
                "parent_name", "vintage", "geometry"]
LEVELS = (1, 2)

# ISO 3166 alpha-2 -> alpha-3 for the countries of the region (COD-AB P-codes start
# with the alpha-2 code); any other country is given as alpha-3 or with ``country``
ISO3 = {"BF": "BFA", "BJ": "BEN", "CI": "CIV", "CM": "CMR", "DZ": "DZA", "GH": "GHA",
        "GN": "GIN", "LY": "LBY", "ML": "MLI", "MR": "MRT", "NE": "NER", "NG": "NGA",
        "SN": "SEN", "TD": "TCD", "TG": "TGO"}


@dataclass(frozen=True)
class AdminSource:
    """One boundary file and what is known about it; unset fields are detected."""

    file: str
    layer: str | None = None
    level: int | None = None
    country: str | None = None  # ISO 3166 alpha-3 for every unit of the file
    name_field: str | None = None
    code_field: str | None = None
    parent_field: str | None = None
    attributes: str | None = None  # a CSV of the units' fields, for geometry without them
    join_field: str = "id"  # the field the geometry and the attribute table share
    valid_from: str | None = None  # the first day the set is in force (YYYY-MM-DD)
    valid_to: str | None = None  # its last day, if it has been replaced
    crosswalk: str | None = None  # a CSV from this set's units to the next set's

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


@dataclass
class AdminSet:
    """The units of one file in the reference schema, and what was done to read them."""

    source: AdminSource
    units: gpd.GeoDataFrame
    schema: str
    notes: list[str] = field(default_factory=list)
    valid_from: str = ""  # "" for always (before any later set of the same country)
    valid_to: str = ""  # "" for still in force
    crosswalk: pd.DataFrame | None = None  # from_unit, to_unit, share (see read_crosswalk)


def read_boundaries(source: AdminSource, *, coverage: bool = True) -> AdminSet:
    """Read one boundary file into units (``UNIT_COLUMNS``), EPSG:4326, valid polygons;
    ``coverage``: also report overlaps and gaps (:func:`coverage_notes`, a few tenths of a
    second for detailed boundaries: said once, by the commands that join records)."""
    path = Path(source.file)
    if not path.exists():
        raise InputError(f"{path}: admin boundaries not found; check the path")
    notes: list[str] = []
    frame = _read_layer(path, source, notes)
    if source.attributes:
        frame = _with_attributes(path, frame, source, notes)
    columns = {c.lower(): c for c in frame.columns if c != frame.geometry.name}
    schema, level = _detect(path, source, columns)
    found = _fields(path, source, columns, schema, level)
    if schema == "geoBoundaries" and source.code_field is None:
        found["code"] = _geoboundaries_code(frame, columns, found["code"])
    units = _units(path, frame, found, level, source)
    _check_codes(path, units, found["code"])
    units = _named(path, units, found["name"], notes)
    units = _in_lon_lat(path, units, notes)
    units = _repaired(path, units, notes)
    _check_shapes(path, units)
    if coverage:
        notes.extend(coverage_notes(str(path), units))
    valid_from, valid_to = _validity(path, frame, columns, source, notes)
    walk = read_crosswalk(Path(source.crosswalk), path, units) if source.crosswalk else None
    return AdminSet(source, units, schema, notes, valid_from, valid_to, walk)


def _read_layer(path: Path, source: AdminSource, notes: list[str]) -> gpd.GeoDataFrame:
    layer = source.layer
    try:
        layers = [str(n) for n, _ in pyogrio.list_layers(path)]
    except Exception as exc:  # pyogrio's DataSourceError family: not a file GDAL reads
        raise InputError(f"{path}: cannot be read as boundaries ({_first_line(exc)}); give a "
                         "GeoPackage, Shapefile, GeoJSON or TopoJSON file") from None
    if layer is None and len(layers) > 1:
        raise InputError(f"{path}: holds {len(layers)} layers ({', '.join(layers)}); name one "
                         "with --admin FILE:LAYER or layer = \"...\" in [[admin]]")
    if layer is not None and layer not in layers:
        raise InputError(f"{path}: no layer {layer!r}; the layers are {', '.join(layers)}")
    encoding = _shapefile_encoding(path, notes)
    try:
        frame = pyogrio.read_dataframe(path, layer=layer, encoding=encoding)
    except Exception as exc:
        raise InputError(f"{path}: cannot be read as boundaries ({_first_line(exc)}); "
                         "check the file opens in QGIS or ogrinfo") from None
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.isna().all():
        raise InputError(f"{path}: holds no geometry; give the boundary polygons")
    kinds = set(frame.geometry.dropna().geom_type) - {"Polygon", "MultiPolygon"}
    if kinds:
        raise InputError(f"{path}: holds {', '.join(sorted(kinds))} geometries, not polygons; "
                         "give the admin boundary polygons")
    return frame


def _with_attributes(path: Path, frame: gpd.GeoDataFrame, source: AdminSource,
                     notes: list[str]) -> gpd.GeoDataFrame:
    """The geometry joined to its attribute table (a CSV) by ``join_field``: TopoJSON
    and other geometry-only files. Every unit must find its row; rows without a unit
    are said in the notes."""
    table_path = Path(source.attributes)
    if not table_path.is_file():
        raise InputError(f"{table_path}: attribute table not found (attributes of {path}); "
                         "check the path")
    try:
        table = pd.read_csv(table_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(f"{table_path}: cannot be read as a UTF-8 CSV ({_first_line(exc)}); "
                         "save it as CSV UTF-8") from None
    key = source.join_field.lower()
    geo_key = next((c for c in frame.columns if c.lower() == key), None)
    table_key = next((c for c in table.columns if c.lower() == key), None)
    for what, col, cols in ((path, geo_key, frame.columns), (table_path, table_key,
                                                             table.columns)):
        if col is None:
            raise InputError(f"{what}: no join field {source.join_field!r} (fields: "
                             f"{', '.join(map(str, cols))}); set join_field in [[admin]] to "
                             "the field the geometry and the table share")
    ids = _text(frame, geo_key)
    twice = table[table_key][table[table_key].duplicated()]
    if len(twice):
        raise InputError(f"{table_path}: {table_key} {twice.iloc[0]!r} has "
                         f"{int((table[table_key] == twice.iloc[0]).sum())} rows; keep one row "
                         "per unit")
    rows = table.set_index(table_key)
    missing = ~ids.isin(rows.index)
    if missing.any():
        raise InputError(f"{table_path}: no row for {int(missing.sum())} unit(s) of {path} "
                         f"(first {source.join_field} {ids[missing].iloc[0]!r}); add them")
    unused = int((~rows.index.isin(set(ids))).sum())
    if unused:
        notes.append(f"{table_path}: {unused} row(s) match no unit of {path}")
    joined = rows.loc[ids.to_numpy()].reset_index()
    keep = [c for c in frame.columns if c not in (geo_key, frame.geometry.name)
            and c.lower() not in {t.lower() for t in joined.columns}]
    return gpd.GeoDataFrame(pd.concat([joined, frame[keep].reset_index(drop=True)], axis=1),
                            geometry=frame.geometry.values, crs=frame.crs)


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _shapefile_encoding(path: Path, notes: list[str]) -> str | None:
    """A Shapefile without ``.cpg`` and without a code page mark in its ``.dbf`` says
    nothing of its text's encoding: its text is read as UTF-8 if it decodes as UTF-8,
    else as Windows-1252 (said in the notes); None leaves the encoding to GDAL."""
    if path.suffix.lower() != ".shp" or any(path.with_suffix(s).exists()
                                            for s in (".cpg", ".CPG")):
        return None
    dbf = next((p for p in (path.with_suffix(".dbf"), path.with_suffix(".DBF")) if p.exists()),
               None)
    if dbf is None:
        return None
    data = dbf.read_bytes()
    if len(data) > 29 and data[29] != 0:
        return None  # the .dbf names its code page itself: GDAL reads it
    header = int.from_bytes(data[8:10], "little") if len(data) >= 10 else len(data)
    try:
        data[header:].decode("utf-8")
        return "UTF-8"
    except UnicodeDecodeError:
        notes.append(f"{path}: no .cpg beside it and its text is not UTF-8: read as "
                     "Windows-1252 (add a .cpg naming the encoding if that is wrong)")
        return "CP1252"


def _detect(path: Path, source: AdminSource, columns: dict[str, str]) -> tuple[str, int]:
    """The schema the fields follow, and the admin level of the file."""
    levels = {"COD-AB": _numbered(columns, r"adm(\d)_pcode"),
              "GADM": _numbered(columns, r"gid_(\d)")}
    schema = next((s for s, found in levels.items() if found), None)
    if schema is None and "shapename" in columns:
        schema = "geoBoundaries"
    schema = schema or "custom"
    level = source.level
    if level is None and levels.get(schema):
        level = max(levels[schema])  # geoBoundaries and others: in _units, or 0
    if level is not None and level not in LEVELS:
        raise InputError(f"{path}: holds level-{level} units; sahelmap joins records to "
                         "levels 1 and 2: give the ADM1 or ADM2 file, or set level = 1 or 2")
    return schema, level or 0


def _numbered(columns: dict[str, str], pattern: str) -> list[int]:
    return [int(m.group(1)) for c in columns if (m := re.fullmatch(pattern, c))
            and int(m.group(1)) > 0]


def _fields(path: Path, source: AdminSource, columns: dict[str, str], schema: str,
            level: int) -> dict[str, str | None]:
    """The file's name, code, parent, parent-name, alternates and country fields."""
    n = level or 1
    guesses = {
        "COD-AB": {"name": [f"adm{n}_fr", f"adm{n}_en", f"adm{n}_pt", f"adm{n}_name"],
                   "code": [f"adm{n}_pcode"], "parent": [f"adm{n - 1}_pcode"],
                   "parent_name": [f"adm{n - 1}_fr", f"adm{n - 1}_en", f"adm{n - 1}_pt"],
                   "alt": [f"adm{n}_en", f"adm{n}alt1fr", f"adm{n}alt2fr", f"adm{n}_ref"],
                   "country": ["adm0_pcode"]},
        "GADM": {"name": [f"name_{n}"], "code": [f"gid_{n}"], "parent": [f"gid_{n - 1}"],
                 "parent_name": [f"name_{n - 1}"], "alt": [f"varname_{n}"],
                 "country": ["gid_0"]},
        "geoBoundaries": {"name": ["shapename"], "code": ["shapeiso", "shapeid"],
                          "parent": [], "parent_name": [], "alt": [],
                          "country": ["shapegroup"]},
        "custom": {"name": ["name"], "code": ["pcode", "code", "unit_id"],
                   "parent": ["parent_id", "parent_code"], "parent_name": [], "alt": [],
                   "country": ["country", "iso3"]},
    }[schema]
    if level == 1:
        guesses["parent"] = guesses["parent_name"] = []  # level 0 is the country
    found = {key: next((columns[g] for g in names if g in columns), None)
             for key, names in guesses.items()}
    found["alt"] = [columns[g] for g in guesses["alt"] if g in columns]
    for key in ("name", "code", "parent"):
        given = getattr(source, f"{key}_field")
        if given is not None:
            if given.lower() not in columns:
                raise InputError(f"{path}: {key}_field {given!r} is not a field of the file; "
                                 f"its fields are {', '.join(columns.values())}")
            found[key] = columns[given.lower()]
    for key in ("name", "code"):
        if found[key] is None:
            tried = ", ".join(guesses[key]) or "(none for this schema)"
            hint = (", or give its attribute table with attributes = \"FILE.csv\""
                    if len(columns) <= 1 else "")
            raise InputError(f"{path}: no {key} field found among {tried} (the file's fields: "
                             f"{', '.join(columns.values()) or 'none'}); set {key}_field in "
                             f"[[admin]]{hint}")
    if found["country"] is None and source.country is None:
        raise InputError(f"{path}: no country field found (tried "
                         f"{', '.join(guesses['country']) or 'none'}); set country = \"BFA\" "
                         "(ISO 3166 alpha-3) in [[admin]]")
    return found


def _text(frame: pd.DataFrame, col: str | None) -> pd.Series:
    """A field as text, missing values empty; whole numbers stored as floats written as
    integers (a code field of type real gives '8', as the integer field of its parent
    level does, not '8.0')."""
    if col is None:
        return pd.Series("", index=frame.index, dtype=object)
    values = frame[col]
    if pd.api.types.is_float_dtype(values.dtype):
        whole = values.notna() & (values == values.round())
        values = values.astype(object).where(~whole, values[whole].astype("int64"))
    return values.astype(object).where(values.notna(), "").astype(str).str.strip()


DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _validity(path: Path, frame: pd.DataFrame, columns: dict[str, str], source: AdminSource,
              notes: list[str]) -> tuple[str, str]:
    """The days the set is in force: the configuration's, else COD-AB's ``validOn`` and
    ``validTo`` fields where every unit gives the same day."""
    out = []
    for given, name, key in ((source.valid_from, "validon", "valid_from"),
                             (source.valid_to, "validto", "valid_to")):
        if given is None and name in columns:
            days = sorted(set(_text(frame, columns[name]).str[:10]) - {"", "None"})
            if len(days) > 1:
                notes.append(f"{path}: {columns[name]} differs between units ({days[0]} to "
                             f"{days[-1]}): the set is taken to be valid "
                             f"{'from the first' if name == 'validon' else 'to the last'}")
            given = (days[0] if name == "validon" else days[-1]) if days else None
        if given and not DATE.fullmatch(given):
            raise InputError(f"{path}: {key} {given!r} is not a date; write it as YYYY-MM-DD")
        out.append(given or "")
    if out[0] and out[1] and out[1] < out[0]:
        raise InputError(f"{path}: valid_to {out[1]} is before valid_from {out[0]}; fix the "
                         "dates")
    return out[0], out[1]


def _geoboundaries_code(frame: pd.DataFrame, columns: dict[str, str], code: str) -> str:
    """``shapeISO`` where every unit has its own, else ``shapeID`` (geoBoundaries leaves
    ``shapeISO`` empty, or 'None', below level 1)."""
    iso = _text(frame, columns.get("shapeiso")) if "shapeiso" in columns else None
    usable = iso is not None and not iso.isin(["", "None"]).any() and iso.is_unique
    return columns["shapeiso"] if usable else columns.get("shapeid", code)


def _vintage(path: Path, source: AdminSource) -> str:
    return path.name + (f":{source.layer}" if source.layer else "")


def _units(path: Path, frame: gpd.GeoDataFrame, found: dict, level: int,
           source: AdminSource) -> gpd.GeoDataFrame:
    def text(col: str | None) -> pd.Series:
        return _text(frame, col)

    if not level:  # geoBoundaries: the level is in shapeType ("ADM1")
        kinds = set(text(next((c for c in frame.columns if c.lower() == "shapetype"), None)))
        level = next((int(k[3:]) for k in kinds if re.fullmatch(r"ADM\d", k)), 0)
        if len(kinds) != 1 or level not in LEVELS:
            seen = f"shapeType {', '.join(sorted(kinds))}" if kinds != {""} else \
                "no ADM<n>_PCODE, GID_<n> or shapeType field"
            raise InputError(f"{path}: the admin level is not known ({seen}); set level = 1 "
                             "or 2 in [[admin]]")
    alt = [text(c) for c in found["alt"] if c != found["name"]]
    alternates = (pd.concat(alt, axis=1).apply(lambda r: "|".join(dict.fromkeys(
        v for part in r for v in part.split("|") if v)), axis=1)
        if alt else pd.Series("", index=frame.index))
    country = (pd.Series(_iso3(source.country), index=frame.index) if source.country
               else text(found["country"]).map(_iso3))
    return gpd.GeoDataFrame({
        "unit_id": text(found["code"]), "name": text(found["name"]),
        "name_alt": alternates.astype(str), "country": country, "level": level,
        "parent_id": text(found["parent"]) if level == 2 else country,
        "parent_name": text(found["parent_name"]), "vintage": _vintage(path, source),
    }, geometry=frame.geometry.values, crs=frame.crs)


def _iso3(code: str) -> str:
    """An ISO 3166 alpha-3 code from alpha-3, alpha-2, or a P-code's leading letters."""
    code = code.strip().upper()
    if re.fullmatch(r"[A-Z]{3}", code):
        return code
    return ISO3.get(code[:2], code)


def _named(path: Path, units: gpd.GeoDataFrame, name_field: str,
           notes: list[str]) -> gpd.GeoDataFrame:
    """Units without a name are named by their code, and said so."""
    empty = units["name"] == ""
    if not empty.any():
        return units
    units = units.copy()
    units.loc[empty, "name"] = units.loc[empty, "unit_id"]
    notes.append(f"{path}: {name_field} is empty for {int(empty.sum())} unit(s), named by "
                 f"their code (first: {units.loc[empty, 'unit_id'].iloc[0]!r})")
    return units


def _check_codes(path: Path, units: gpd.GeoDataFrame, code_field: str) -> None:
    empty = units["unit_id"] == ""
    if empty.any():
        raise InputError(f"{path}: {code_field} is empty for {int(empty.sum())} unit(s) (first: "
                         f"{units.loc[empty, 'name'].iloc[0]!r}); fill it in or set code_field "
                         "to a field every unit has")
    twice = units["unit_id"][units["unit_id"].duplicated()]
    if len(twice):
        raise InputError(f"{path}: {code_field} {twice.iloc[0]!r} names "
                         f"{int((units['unit_id'] == twice.iloc[0]).sum())} units; give one "
                         "level per file, or set code_field to a field unique per unit")
    bad = units["country"][~units["country"].str.fullmatch(r"[A-Z]{3}")]
    if len(bad):
        raise InputError(f"{path}: country {bad.iloc[0]!r} is not an ISO 3166 code sahelmap "
                         "knows; set country = \"BFA\" (alpha-3) in [[admin]]")


def _check_shapes(path: Path, units: gpd.GeoDataFrame) -> None:
    """Every unit has a polygon with an area (a unit without one would join nothing and
    could not be drawn)."""
    geoms = units.geometry.values
    bad = np.asarray(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    bad |= ~bad & np.asarray(shapely.area(geoms) <= 0)
    if bad.any():
        row = units[bad].iloc[0]
        raise InputError(f"{path}: {int(bad.sum())} unit(s) have no polygon area (first: "
                         f"{row['unit_id']!r}, {row['name']!r}); fix or remove them in QGIS")


def _in_lon_lat(path: Path, units: gpd.GeoDataFrame, notes: list[str]) -> gpd.GeoDataFrame:
    if units.crs is None:
        x0, y0, x1, y1 = units.total_bounds
        if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
            raise InputError(f"{path}: has no coordinate reference system and its coordinates "
                             "are not longitude/latitude; set one in QGIS (Layer > Set CRS) "
                             "and save it again")
        notes.append(f"{path}: no coordinate reference system: read as longitude/latitude "
                     "(EPSG:4326)")
        return units.set_crs("EPSG:4326")
    if units.crs.to_epsg() != 4326:
        notes.append(f"{path}: reprojected from {units.crs.to_string()} to EPSG:4326")
        return units.to_crs("EPSG:4326")
    return units


def _repaired(path: Path, units: gpd.GeoDataFrame, notes: list[str]) -> gpd.GeoDataFrame:
    """Invalid polygons made valid (their polygonal part kept), each one named."""
    geoms = units.geometry.values
    bad = ~np.asarray(shapely.is_valid(geoms)) & ~np.asarray(shapely.is_missing(geoms))
    if not bad.any():
        return units
    fixed = shapely.make_valid(np.asarray(geoms[bad]))
    polygonal = [shapely.union_all([g for g in shapely.get_parts(f)
                                    if g.geom_type in ("Polygon", "MultiPolygon")])
                 for f in fixed]  # one per repaired unit: a few, not one per record
    units = units.copy()
    units.loc[bad, "geometry"] = polygonal
    names = ", ".join(f"{u} ({n!r})" for u, n in units.loc[bad, ["unit_id", "name"]].to_numpy())
    notes.append(f"{path}: {int(bad.sum())} invalid polygon(s) repaired with make_valid: "
                 f"{names}")
    return units


EQUAL_AREA = "ESRI:102022"  # Africa Albers Equal Area Conic: areas in m²
MIN_KM2 = 0.01  # overlaps and gaps smaller than a hectare are digitising noise, not said


def coverage_notes(name: str, units: gpd.GeoDataFrame) -> list[str]:
    """Overlaps between units and gaps inside the area they cover, with their areas
    (km², equal-area), the largest named: records in an overlap join to one unit only,
    and records in a gap to none."""
    if len(units) < 2:
        return []
    geoms = np.asarray(units.geometry.to_crs(EQUAL_AREA).values)
    ids = units["unit_id"].to_numpy()
    notes = []
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pair = left < right
    left, right = left[pair], right[pair]
    area = shapely.area(shapely.intersection(geoms[left], geoms[right])) / 1e6
    big = np.flatnonzero(area >= MIN_KM2)
    if len(big):
        top = big[np.argmax(area[big])]
        notes.append(f"{name}: {len(big)} overlap(s) between units, {area[big].sum():,.2f} km² "
                     f"in all (largest: {ids[left[top]]} and {ids[right[top]]}, "
                     f"{area[top]:,.2f} km²); a record there joins to one of them only")
    holes = [shapely.Polygon(ring) for part in shapely.get_parts(shapely.union_all(geoms))
             for ring in part.interiors]
    gap = shapely.area(np.asarray(holes, dtype=object)) / 1e6 if holes else np.array([])
    big = np.flatnonzero(gap >= MIN_KM2)
    if len(big):
        top = holes[big[np.argmax(gap[big])]]
        lon, lat = gpd.GeoSeries([top.representative_point()], crs=EQUAL_AREA).to_crs(
            "EPSG:4326").iloc[0].coords[0]
        notes.append(f"{name}: {len(big)} gap(s) inside the area the units cover, "
                     f"{gap[big].sum():,.2f} km² in all (largest {gap[big].max():,.2f} km² "
                     f"near {lat:.3f}, {lon:.3f}); a record there joins to no unit")
    return notes


SHARE_TOLERANCE = 0.01  # a unit's shares must add up to 1 within this


def read_crosswalk(path: Path, boundaries: Path, units: gpd.GeoDataFrame) -> pd.DataFrame:
    """A crosswalk from the units of ``boundaries`` (an older vintage) to the units of
    the set in force after it: a CSV with ``from_unit``, ``to_unit`` and, where a unit
    was split, ``share`` (its part of the old unit: by area, population or judgement;
    a unit's shares add up to 1; a unit named once needs none)."""
    if not path.is_file():
        raise InputError(f"{path}: crosswalk not found (of {boundaries}); check the path")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(f"{path}: cannot be read as a UTF-8 CSV ({_first_line(exc)}); "
                         "save it as CSV UTF-8") from None
    missing = [c for c in ("from_unit", "to_unit") if c not in table.columns]
    if missing:
        raise InputError(f"{path}:1: missing column(s) {', '.join(missing)}; a crosswalk has "
                         "from_unit, to_unit and, for split units, share")
    table = table.assign(from_unit=table["from_unit"].str.strip(),
                         to_unit=table["to_unit"].str.strip(),
                         line=np.arange(len(table)) + 2)
    unknown = table[~table["from_unit"].isin(set(units["unit_id"]))]
    if len(unknown):
        row = unknown.iloc[0]
        raise InputError(f"{path}:{row['line']}: from_unit {row['from_unit']!r} is not a unit "
                         f"of {boundaries}; use its codes")
    given = table["share"].str.strip() if "share" in table.columns else \
        pd.Series("", index=table.index)
    share = pd.to_numeric(given, errors="coerce")
    alone = table.groupby("from_unit")["to_unit"].transform("size") == 1
    share = share.where(given != "", np.where(alone, 1.0, np.nan))
    bad = ~(share > 0) | ~(share <= 1)
    if bad.any():
        row = table[bad].iloc[0]
        raise InputError(f"{path}:{row['line']}: share {given[bad].iloc[0]!r} of "
                         f"{row['from_unit']} -> {row['to_unit']}: write a number above 0 and "
                         "at most 1 (needed where a unit goes to several)")
    total = share.groupby(table["from_unit"]).sum()
    off = total[(total - 1).abs() > SHARE_TOLERANCE]
    if len(off):
        raise InputError(f"{path}: the shares of {off.index[0]!r} add up to {off.iloc[0]:g}; "
                         "make them add up to 1")
    return pd.DataFrame({"from_unit": table["from_unit"], "to_unit": table["to_unit"],
                         "share": share.astype(float)})
