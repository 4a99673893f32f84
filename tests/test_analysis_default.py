"""The default dataset read against the article: what the model must say, on the default
grid and at admin-2 (and admin-1 where it matters)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sahelmap import read_records
from sahelmap.pipeline import analyse, locate
from sahelmap.presence import PresenceSettings

from .conftest import RECORDS

STRONG = {"present", "contested", "dominant", "control"}
CLAIM_ONLY_REGIONS = {"MLI-2794": "Sikasso", "MLI-2810": "Ségou", "MLI-4860": "Koulikoro",
                      "MLI-2793": "Kayes", "NER-93": "Dosso", "NGA-2864": "Kaduna"}


@pytest.fixture(scope="module")
def located(geodata, places):
    return locate(read_records(RECORDS, geodata.actors), geodata, places)


@pytest.fixture(scope="module", params=["grid", "admin2", "admin1"])
def result(request, located, geodata, places):
    out = analyse(located, geodata, places,
                  presence_settings=PresenceSettings(level=request.param))
    out["level"] = request.param
    return out


def rows(pres, unit, group):
    return pres[(pres["unit_id"] == unit) & (pres["group"] == group)].set_index("period")


def test_no_region_sized_control_from_a_single_town(result):
    pres = result["presence"]
    ctl = pres[pres["status"] == "control"]
    regions = ctl[ctl["unit_level"] == "admin1"]
    # only the Macina, whose own claim (located to the Mopti region) says control
    assert set(regions["unit_id"]) <= {"MLI-2809"}
    assert (regions["basis"] == "claimed").all()
    assert regions["evidence_claims"].str.contains("jnim-macina-control").all()
    # the seized towns of May 2025 mark their surroundings, not their regions
    for region in ("BF-08", "BF-12"):  # Est (Diapaga), Sahel (Djibo)
        may = rows(pres, region, "jnim")
        assert "control" not in set(may["status"]), region
    if result["level"] == "admin2":
        for province in ("BFA-2878", "BFA-2806"):  # Tapoa, Soum
            r = rows(pres, province, "jnim").loc["2025-05"]
            assert r["status"] == "present" and 0 < r["area_control"] < 0.25, province
    if result["level"] == "grid":
        cells = ctl[ctl["unit_level"] == "cell"]
        assert len(cells) >= 2 and cells["evidence_claims"].str.contains(
            "jnim-djibo|jnim-diapaga").all()
        assert len(set(cells["unit_id"])) <= 8  # a few cells around two towns


def test_claim_only_presence_lasts_beyond_its_month(result):
    pres = result["presence"]
    for unit, name in CLAIM_ONLY_REGIONS.items():
        r = rows(pres, unit, "jnim")
        assert r.loc["2025-04", "label"] == "present (claimed)", name
        assert r.loc["2025-05", "label"] == "present (claimed, 1 month old)", name
        assert r.loc["2025-05", "age_days"] == 34, name  # from the message of 27 April
    if result["level"] == "grid":
        bamako = pres[pres["evidence_claims"].str.contains("jnim-bamako-outskirts")
                      & (pres["period"] == "2025-04")]
        assert len(bamako) >= 3  # the claim marks the capital and its outskirts
        later = pres[pres["unit_id"].isin(bamako["unit_id"]) & (pres["period"] == "2025-05")
                     & (pres["group"] == "jnim")]
        assert len(later) == len(bamako) and (later["status"] == "present").all()


def test_the_macina_stays_jnim_s_through_2025(result):
    pres = result["presence"]
    jnim = rows(pres, "MLI-2809", "jnim")
    months = [p for p in result["periods"]["period"] if p >= "2023-10"]
    assert months[-1] == "2025-06"
    assert all(jnim.loc[m, "status"] in STRONG for m in months), \
        {m: jnim["status"].get(m) for m in months}
    assert jnim.loc["2025-04", "label"] == "control (claimed)"
    # during the expulsion's fifteen-month range JNIM's presence rests on a date-uncertain record
    assert jnim.loc["2024-06", "date_uncertain"]
    fla = rows(pres, "MLI-2809", "fla")
    assert (fla.loc[fla.index >= "2023-10", "status"] == "none").all()


def test_jnim_present_in_boucle_du_mouhoun_in_april_2025(result):
    pres = result["presence"]
    april = pres[(pres["group"] == "jnim") & (pres["period"] == "2025-04")
                 & pres["status"].isin(STRONG)].set_index("unit_id")
    if result["level"] == "grid":
        near = april[april["evidence_claims"].str.contains("jnim-dedougou-near")]
        assert len(near) >= 3 and "contested" in set(near["status"])
    elif result["level"] == "admin2":
        assert {"BFA-2804", "BFA-2808"} <= set(april.index)  # Mouhoun (Dédougou), Sourou
    else:
        assert "BF-01" in april.index


def test_isgs_ends_in_aribinda_with_its_pledge(result):
    pres = result["presence"]
    unit = {"grid": None, "admin2": "BFA-2806", "admin1": "BF-12"}[result["level"]]
    isgs = pres[pres["group"] == "isgs"]
    if unit:
        isgs = isgs[isgs["unit_id"] == unit]
    before = isgs[isgs["period"] == "2024-11"]
    assert len(before) and set(before["status"]) <= STRONG  # the groups that remained
    assert (isgs[isgs["period"] >= "2024-12"]["status"] == "none").all()
    # the pledge raises JNIM there
    jnim = pres[(pres["group"] == "jnim") & (pres["period"] == "2024-11")
                & pres["evidence_events"].str.contains("isgs-pledge-aribinda")]
    assert jnim["status"].isin(STRONG).any()


def test_one_verdict_per_place_and_no_contradiction(result):
    pres, zones = result["presence"], result["zones"]
    assert not zones.duplicated(["unit_id", "period"]).any()
    statuses = pres.groupby(["unit_id", "period"])["status"].agg(set)
    assert not any({"control", "contested"} <= s for s in statuses)
    z = zones.set_index(["unit_id", "period"])
    assert z.loc[("MLI-2809", "2025-04"), "zone"] == "insurgent_control"
    assert z.loc[("MLI-2809", "2025-04"), "holder"] == "jnim"


def test_declared_axis_from_the_macina_to_boucle_du_mouhoun_in_spring_2025(result):
    ax = result["axes"]
    dest = {"grid": "", "admin2": "", "admin1": "BF-01"}[result["level"]]
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
    roads = ax[ax["kind"] == "influence"]
    assert set(roads["destination_name"]) == {"Bamako"} and len(roads) == 4


@pytest.mark.parametrize("level", ["grid", "admin2"])
def test_blocks_of_periods_change_nothing(located, geodata, places, monkeypatch, level):
    """The model runs a block of periods at a time; with a block per period or two (so
    every claim, hold, pledge and expulsion of the default data crosses a block edge)
    every table is the same, byte for byte, as with the whole span in one block."""
    import sahelmap.space

    settings = PresenceSettings(level=level)
    whole = analyse(located, geodata, places, presence_settings=settings)
    monkeypatch.setattr(sahelmap.space, "BLOCK_CONTRIBUTIONS", 3)
    blocks = sahelmap.space.period_blocks(
        np.sort(np.repeat(np.arange(len(whole["periods"])), 4)), len(whole["periods"]))
    assert len(blocks) == len(whole["periods"])  # the setting is in force
    split = analyse(located, geodata, places, presence_settings=settings)
    for name in ("presence", "zones", "axes"):
        pd.testing.assert_frame_equal(split[name], whole[name], check_exact=True)
    assert (whole["presence"]["status"] == "control").any()
