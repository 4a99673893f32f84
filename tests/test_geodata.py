"""The committed reference data: complete, consistent and documented."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess

import pandas as pd
import pytest
import shapely

from .conftest import GEODATA

CORE = {"MLI", "BFA", "NER", "BEN", "NGA", "TGO", "GHA", "CIV", "MRT"}


def test_admin_layers_cover_the_countries(geodata):
    assert set(geodata.countries["country"]) == CORE | {"DZA", "TCD"}
    per_country = geodata.admin1.groupby("country").size()
    assert per_country["BFA"] == 13 and per_country["MLI"] == 9 and per_country["NGA"] == 37
    assert len(geodata.admin2) == 45 and set(geodata.admin2["country"]) == {"BFA"}
    assert geodata.admin1["unit_id"].is_unique and geodata.admin2["unit_id"].is_unique
    assert shapely.is_valid(geodata.admin1.geometry.values).all()
    assert shapely.is_valid(geodata.admin2.geometry.values).all()
    # the Algerian and Chadian layers are only the borderlands
    assert set(geodata.countries.set_index("country").loc[["DZA", "TCD"], "extent"]) == {"borderland"}
    assert per_country["DZA"] < 10 and per_country["TCD"] < 10


def test_burkina_regions_are_exactly_their_provinces(geodata):
    regions = geodata.admin1[geodata.admin1["country"] == "BFA"].set_index("unit_id")
    provinces = geodata.admin2
    assert set(provinces["parent_id"]) == set(regions.index)
    bmo = provinces[provinces["parent_id"] == "BF-01"]
    assert sorted(bmo["name"]) == ["Balé", "Banwa", "Kossi", "Mou Houn", "Nayala", "Sourou"]
    assert regions.loc["BF-01", "name"] == "Boucle du Mouhoun"
    for rid, group in provinces.groupby("parent_id"):
        union = shapely.union_all(group.geometry.values)
        diff = shapely.symmetric_difference(union, regions.loc[rid, "geometry"]).area
        assert diff < 1e-6 * regions.loc[rid, "geometry"].area


def test_gazetteer_places_point_at_known_units(geodata):
    g = geodata.geonames
    assert g["place_id"].is_unique
    assert set(g["country"]) == CORE | {"DZA", "TCD"}
    units = set(geodata.admin1["unit_id"])
    assert g["admin1_id"].isin(units).all()
    bfa = g[g["country"] == "BFA"]
    assert bfa["admin2_id"].isin(set(geodata.admin2["unit_id"])).all()
    # every place lies in a unit of its own country
    unit_country = geodata.admin1.set_index("unit_id")["country"]
    assert (g["admin1_id"].map(unit_country) == g["country"]).mean() > 0.995


def test_geopackage_is_version_1_3(tmp_path):
    con = sqlite3.connect(GEODATA / "admin.gpkg")
    try:
        app_id, = con.execute("PRAGMA application_id").fetchone()
        version, = con.execute("PRAGMA user_version").fetchone()
        tables = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")}
    finally:
        con.close()
    assert app_id == 0x47504B47  # 'GPKG'
    assert version == 10300
    assert tables == {"countries", "admin1", "admin2"}


@pytest.mark.skipif(shutil.which("ogrinfo") is None,
                    reason="ogrinfo not found: install Debian's gdal-bin to check the GeoPackage "
                           "with the system GDAL")
def test_system_gdal_reads_the_geopackage_without_warnings():
    out = subprocess.run(["ogrinfo", "-ro", "-so", "-al", str(GEODATA / "admin.gpkg")],
                         capture_output=True, text=True, check=True)
    assert "Warning" not in out.stderr and "ERROR" not in out.stderr
    assert re.findall(r"Feature Count: (\d+)", out.stdout) == ["11", "133", "45"]


def test_every_geodata_file_is_documented():
    readme = (GEODATA / "README.md").read_text(encoding="utf-8")
    files = [p.relative_to(GEODATA).as_posix() for p in GEODATA.rglob("*")
             if p.is_file() and p.name != "README.md"]
    assert files
    for name in files:
        assert f"`{name}`" in readme or f"`{name.split('/')[-1]}`" in readme, name


def test_actors_table_is_consistent(geodata):
    a = geodata.actors
    assert a["actor_id"].is_unique
    assert a["colour"].str.fullmatch(r"#[0-9A-Fa-f]{6}").all()
    from sahelmap._names import name_keys

    names = pd.concat([a.set_index("actor_id")["aliases"].str.split("|").explode(),
                       a.set_index("actor_id")["display_name"],
                       pd.Series(a["actor_id"].values, index=a["actor_id"].values)])
    keys = pd.DataFrame({"key": name_keys(names.str.strip()).values, "actor": names.index})
    owners = keys.groupby("key")["actor"].nunique()
    assert owners.max() == 1, owners[owners > 1]  # no spelling names two actors
    main = a.set_index("actor_id").loc[["jnim", "isgs", "fla", "ansaru", "mil_mli", "mil_bfa",
                                        "vdp", "wagner"], "colour"]
    assert main.str.lower().is_unique
