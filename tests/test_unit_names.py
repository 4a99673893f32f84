"""Tables keyed by unit name their places: a reader of presence.csv in a spreadsheet sees
"Sourou, Burkina Faso, Boucle du Mouhoun" beside "BFA-2808"."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from sahelmap import read_records
from sahelmap.gpkg import layers, write_gpkg
from sahelmap.grid import Grid
from sahelmap.pipeline import analyse, locate
from sahelmap.presence import PresenceSettings

from .conftest import RECORDS


@pytest.fixture(scope="module")
def located(geodata, places):
    return locate(read_records(RECORDS, geodata.actors), geodata, places)


@pytest.fixture(scope="module")
def result(located, geodata, places):
    return analyse(located, geodata, places, sensitivity=True)


def _admin(geodata) -> pd.DataFrame:
    return pd.concat([geodata.admin1, geodata.admin2], ignore_index=True).set_index("unit_id")


def test_admin_units_carry_their_name_country_and_region(result, geodata):
    pres = result["presence"]
    assert list(pres.columns[:5]) == ["unit_id", "unit_name", "country", "parent_name",
                                      "unit_level"]
    admin = _admin(geodata)
    rows = pres[pres["unit_level"].isin(["admin1", "admin2"])].drop_duplicates("unit_id")
    assert len(rows) > 10
    units = admin.loc[rows["unit_id"]]
    assert (rows["unit_name"].to_numpy() == units["name"].to_numpy()).all()
    # a province's parent is its region, by the region's own row; a region has none
    regions = geodata.admin1.set_index("unit_id")["name"]
    expected = [regions[p] if lv == 2 else "" for p, lv in zip(units["parent_id"], units["level"])]
    assert rows["parent_name"].tolist() == expected
    assert set(rows["country"]) <= {"Burkina Faso", "Mali", "Niger", "Benin", "Nigeria", "Togo",
                                    "Ghana", "Côte d'Ivoire", "Algeria", "Mauritania", "Chad"}
    sourou = rows[rows["unit_id"] == "BFA-2808"].iloc[0]
    assert (sourou["unit_name"], sourou["country"], sourou["parent_name"]) == \
        ("Sourou", "Burkina Faso", "Boucle du Mouhoun")


def test_a_cell_is_named_after_the_province_holding_its_centre(result, geodata):
    cells = result["presence"][result["presence"]["unit_level"] == "cell"].drop_duplicates("unit_id")
    assert len(cells) > 5
    grid = Grid(PresenceSettings().cell_km)
    _, q, r = grid.parse(cells["unit_id"].reset_index(drop=True))
    lon, lat = grid.unproject(*grid.centre(q, r))
    centres = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    # found here by a spatial join of the centres with the provinces, not by sahelmap's own lookup
    within = gpd.sjoin(centres, geodata.admin2[["name", "country", "geometry"]],
                       predicate="within", how="left")
    within = within[~within.index.duplicated()]
    province = within["name"].fillna("").to_numpy()
    named = cells["parent_name"].to_numpy()
    has_province = province != ""
    assert has_province.sum() > 5
    assert (named[has_province] == province[has_province]).all()
    assert all(f"(cell {uid})" in name and name.startswith(p)
               for uid, name, p in zip(cells["unit_id"], cells["unit_name"], named))
    assert (cells["country"][has_province] == "Burkina Faso").any()


def test_zones_and_sensitivity_runs_name_the_same_units_alike(result):
    key = ["unit_id", "unit_name", "country", "parent_name"]
    names = result["presence"][key].drop_duplicates()
    assert names["unit_id"].is_unique
    for table in ("zones", "runs"):
        frame = result[table]
        assert list(frame.columns[:4]) == key
        merged = frame[key].drop_duplicates().merge(names, on="unit_id", suffixes=("", "_p"))
        assert len(merged) == frame["unit_id"].nunique()
        for col in key[1:]:
            assert (merged[col] == merged[f"{col}_p"]).all()


def test_movement_ends_and_axes_name_their_units(located, result):
    moves = located["movements"]
    aribinda = moves[moves["record_id"] == "aribinda-to-bmo"].iloc[0]
    assert (aribinda["origin_admin1_name"], aribinda["origin_admin2_name"]) == ("Sahel", "Soum")
    assert aribinda["destination_admin1_name"] == "Boucle du Mouhoun"
    axes = result["axes"]
    ends = axes[axes["origin_unit"] != ""]
    assert len(ends) and (ends["origin_unit_name"] != "").all()
    assert ends.loc[ends["origin_unit"] == "BFA-2806", "origin_unit_name"].eq("Soum").all()


def test_the_geopackage_layers_by_unit_show_the_names(result, located, geodata, places, tmp_path):
    frames = layers({**located, **result}, geodata, places)
    path = tmp_path / "names.gpkg"
    write_gpkg(frames, geodata.actors, path)
    key = ["unit_id", "unit_name", "country", "parent_name"]
    csv_names = result["presence"][key].drop_duplicates().set_index("unit_id")
    for layer in ("presence", "zones"):
        read = pyogrio.read_dataframe(path, layer=layer, read_geometry=False)
        assert list(read.columns[:4]) == key
        got = read[key].drop_duplicates().set_index("unit_id").sort_index()
        assert got.equals(csv_names.loc[got.index].sort_index())
    # shapes carry the names once: the stored rows do not repeat them
    import sqlite3
    with sqlite3.connect(path) as con:
        stored = [r[1] for r in con.execute('PRAGMA table_info("presence_rows")')]
    assert not {"unit_name", "country", "parent_name"} & set(stored)
    assert shapely.is_valid(frames["unit_shapes"].geometry.dropna().values).all()
