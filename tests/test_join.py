"""The admin join: one spatial query, precision decides which levels a record supports."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from sahelmap import join_admin, locate_units


def frame(rows):
    df = pd.DataFrame(rows, columns=["lon", "lat", "location_precision", "country"])
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")


def test_precision_decides_the_levels(geodata):
    djibo = (-1.62665, 14.09864)
    out = join_admin(frame([(*djibo, p, "BFA") for p in
                            ["exact", "near", "admin2", "admin1", "country"]]),
                     geodata.admin1, geodata.admin2)
    assert out["admin2_name"].tolist() == ["Soum", "Soum", "Soum", "", ""]
    assert out["admin1_name"].tolist() == ["Sahel"] * 4 + [""]
    assert out["join_note"].tolist()[3:] == ["region-level location supports admin-1 only",
                                             "country-level location supports no unit"]


def test_outside_points_and_country_mismatch_are_noted_not_dropped(geodata):
    out = join_admin(frame([(-30.0, 10.0, "exact", "MLI"),      # Atlantic
                            (-1.62665, 14.09864, "exact", "MLI"),  # Djibo is in BFA
                            (np.nan, np.nan, "", "MLI")]),
                     geodata.admin1, geodata.admin2)
    assert len(out) == 3
    assert out["join_note"].tolist() == ["point falls outside every admin unit",
                                         "point falls in BFA, record says MLI", ""]
    assert out["admin1_id"].tolist() == ["", "BF-12", ""]


def test_locate_units_matches_a_brute_force_point_in_polygon(geodata):
    rng = np.random.default_rng(7)
    lon = rng.uniform(-12, 12, 3000)
    lat = rng.uniform(4, 24, 3000)
    got = locate_units(lon, lat, geodata.admin1, geodata.admin2)
    provinces = geodata.admin2.set_index("unit_id").geometry
    first = geodata.admin1[~geodata.admin1["unit_id"].str.startswith("BF-")].set_index("unit_id").geometry
    for i in rng.choice(3000, 300, replace=False):
        p = shapely.Point(lon[i], lat[i])
        hits2 = [u for u, g in provinces.items() if g.intersects(p)]
        hits1 = [u for u, g in first.items() if g.intersects(p)]
        if hits2:
            assert got.loc[i, "admin2_id"] in hits2
            assert got.loc[i, "admin1_id"] == geodata.admin2.set_index("unit_id").loc[
                got.loc[i, "admin2_id"], "parent_id"]
        elif hits1:
            assert got.loc[i, "admin1_id"] in hits1 and got.loc[i, "admin2_id"] == ""
        else:
            assert got.loc[i, "admin1_id"] == ""


def test_shared_border_point_gets_one_deterministic_unit(geodata):
    # a vertex on the border between two Burkina provinces
    soum = geodata.admin2.set_index("unit_id").loc["BFA-2806", "geometry"]
    oudalan = geodata.admin2.set_index("unit_id").loc["BFA-2805", "geometry"]
    shared = shapely.intersection(soum.boundary, oudalan.boundary)
    pt = shapely.get_coordinates(shared)[0]
    a = locate_units(np.array([pt[0]] * 2), np.array([pt[1]] * 2), geodata.admin1, geodata.admin2)
    assert a["admin2_id"].nunique() == 1 and a["admin2_id"].iloc[0] in {"BFA-2806", "BFA-2805"}
