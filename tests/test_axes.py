"""Axes: declared movements and inferred shifts of activity."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from sahelmap.axes import AxesSettings, declared_axes, haversine_km, inferred_shifts
from sahelmap.periods import make_periods

PER = make_periods("2025-01-01", "2025-04-30", "month")
POINTS = pd.DataFrame({"unit_id": ["A", "B", "C", "FAR"], "name": ["Alpha", "Beta", "Gamma", "Far"],
                       "longitude": [-4.75, -3.48, -1.0, 12.0],
                       "latitude": [14.25, 12.54, 14.0, 4.0]})


def pres(rows):
    return pd.DataFrame(rows, columns=["unit_id", "period", "group", "activity"])


def test_activity_moving_from_one_unit_to_another_gives_an_inferred_axis():
    p = pres([("A", "2025-01", "jnim", 4.0), ("A", "2025-02", "jnim", 1.0),
              ("B", "2025-01", "jnim", 0.0), ("B", "2025-02", "jnim", 3.0),
              ("C", "2025-01", "isgs", 1.0), ("C", "2025-02", "isgs", 1.1)])
    ax = inferred_shifts(p, PER, POINTS)
    assert len(ax) == 1
    row = ax.iloc[0]
    assert (row["group"], row["origin_unit"], row["destination_unit"], row["period"]) == (
        "jnim", "A", "B", "2025-02")
    assert row["kind"] == "inferred" and row["confidence"] == "inferred"
    assert row["strength"] == pytest.approx(3.0)  # min(fall 3, rise 3)
    assert list(row.geometry.coords) == [(-4.75, 14.25), (-3.48, 12.54)]
    assert "A -3.0" in row["evidence"] and "from 2025-01 to 2025-02" in row["evidence"]


def test_moved_activity_is_shared_in_proportion():
    p = pres([("A", "2025-01", "jnim", 3.0), ("B", "2025-02", "jnim", 2.0),
              ("C", "2025-02", "jnim", 1.0)])
    ax = inferred_shifts(p, PER, POINTS).set_index("destination_unit")
    assert ax["strength"].to_dict() == {"B": pytest.approx(2.0), "C": pytest.approx(1.0)}


def test_small_changes_far_targets_and_the_off_switch_give_nothing():
    small = pres([("A", "2025-01", "jnim", 1.0), ("B", "2025-02", "jnim", 0.3)])
    assert inferred_shifts(small, PER, POINTS).empty
    far = pres([("A", "2025-01", "jnim", 3.0), ("FAR", "2025-02", "jnim", 3.0)])
    assert haversine_km(-4.75, 14.25, 12.0, 4.0) > 800
    assert inferred_shifts(far, PER, POINTS).empty
    assert len(inferred_shifts(far, PER, POINTS, AxesSettings(max_km=5000))) == 1
    assert inferred_shifts(far, PER, POINTS, AxesSettings(infer=False)).empty


def test_declared_axes_keep_movements_whose_end_is_unknown():
    mv = pd.DataFrame({
        "movement_id": ["notes:a", "notes:b"], "actor": ["jnim", "jnim"],
        "date_start": [dt.date(2025, 3, 1)] * 2, "date_end": [dt.date(2025, 4, 30)] * 2,
        "origin": ["Macina", "Nowhere"], "destination": ["Boucle du Mouhoun"] * 2,
        "origin_location_precision": ["admin1", ""],
        "destination_location_precision": ["admin1", "admin1"],
        "size": ["columns", ""], "confidence": ["claimed", "reported"]})
    geom = [shapely.LineString([(-4.75, 14.25), (-3.48, 12.54)]), None]
    ax = declared_axes(gpd.GeoDataFrame(mv, geometry=geom, crs="EPSG:4326"), PER)
    assert ax.groupby("axis_id")["weight"].sum().round(6).to_dict() == {"notes:a": 1.0,
                                                                         "notes:b": 1.0}
    assert set(ax["period"]) == {"2025-03", "2025-04"}
    b = ax[ax["axis_id"] == "notes:b"]
    assert b.geometry.isna().all() and (b["note"] != "").all()
