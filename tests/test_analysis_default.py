"""Issue 3 on the default dataset: what the article says must come out of the model."""

from __future__ import annotations

import pytest

from sahelmap import read_records
from sahelmap.pipeline import analyse, locate
from sahelmap.presence import PresenceSettings

from .conftest import RECORDS

STRONG = {"present", "contested", "dominant", "control"}


@pytest.fixture(scope="module", params=["admin1", "admin2"])
def result(request, geodata, places):
    located = locate(read_records(RECORDS, geodata.actors), geodata, places)
    out = analyse(located, geodata, places,
                  presence_settings=PresenceSettings(level=request.param))
    out["level"] = request.param
    return out


def test_jnim_present_or_stronger_in_boucle_du_mouhoun_in_april_2025(result):
    pres = result["presence"]
    units = {"admin1": ["BF-01"], "admin2": ["BFA-2804", "BFA-2808"]}[result["level"]]
    # admin1: the region; admin2: Mouhoun (Dédougou) and Sourou provinces
    for unit in units:
        row = pres[(pres["unit_id"] == unit) & (pres["group"] == "jnim")
                   & (pres["period"] == "2025-04")]
        assert len(row) == 1 and row["status"].iloc[0] in STRONG, unit


def test_isgs_not_present_where_aribinda_lies_after_december_2024(result):
    pres = result["presence"]
    unit = {"admin1": "BF-12", "admin2": "BFA-2806"}[result["level"]]  # Sahel / Soum
    isgs = pres[(pres["unit_id"] == unit) & (pres["group"] == "isgs")]
    before = set(isgs[isgs["period"] == "2024-11"]["status"])
    assert before and before <= STRONG  # ISGS was there before the pledge
    after = isgs[isgs["period"] >= "2024-12"]
    assert (after["status"] == "none").all()
    assert len(result["periods"]) and result["periods"]["period"].max() >= "2025-06"


def test_fla_not_present_in_the_macina_after_2024(result):
    pres = result["presence"]
    fla = pres[(pres["unit_id"] == "MLI-2809") & (pres["group"] == "fla")]
    assert (fla[fla["period"] >= "2025-01"]["status"] == "none").all()
    assert (fla[fla["period"] >= "2023-10"]["status"] == "none").all()  # from the expulsion on


def test_declared_axis_from_the_macina_to_boucle_du_mouhoun_in_spring_2025(result):
    ax = result["axes"]
    dest = {"admin1": "BF-01", "admin2": ""}[result["level"]]
    macina = ax[(ax["kind"] == "declared") & (ax["origin_name"] == "Macina")
                & (ax["destination_name"] == "Boucle du Mouhoun")]
    assert set(macina["period"]) == {"2025-03", "2025-04"}
    assert (macina["group"] == "jnim").all() and macina.geometry.notna().all()
    assert set(macina["origin_unit"]) == {"MLI-2809"}
    # a region-level destination supports no province
    assert set(macina["destination_unit"]) == {dest}
    line = macina.geometry.iloc[0]
    assert line.coords[0] == pytest.approx((-4.75, 14.25))
    assert macina["weight"].sum() == pytest.approx(1.0)
