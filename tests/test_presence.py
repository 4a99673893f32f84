"""Presence scenarios on hand-built records: the statuses that must follow, rule by rule."""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from sahelmap.grid import Grid, kernel_weight
from sahelmap.join import join_admin
from sahelmap.periods import make_periods
from sahelmap.presence import PresenceSettings, places_for, presence, presence_tables

D = dt.date
DJIBO = (-1.62665, 14.09864)      # Soum province, Sahel region (Burkina Faso)
ARIBINDA = (-0.86537, 14.22963)   # Soum
DEDOUGOU = (-3.46075, 12.46360)   # Mouhoun province, Boucle du Mouhoun
MOPTI = (-4.75, 14.25)            # the Macina, in Mopti region (Mali)
PER = make_periods("2024-01-01", "2024-12-31", "month")
GRID = PresenceSettings(level="grid")


@pytest.fixture(scope="module")
def places(geodata):
    return places_for(geodata.admin1, geodata.admin2)


def _located(frame: pd.DataFrame, geodata) -> pd.DataFrame:
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["longitude"],
                                                              frame["latitude"]),
                           crs="EPSG:4326")
    return pd.DataFrame(join_admin(gdf, geodata.admin1, geodata.admin2).drop(columns="geometry"))


def events(rows, geodata):
    """rows: (id, start, end, actor, opponent, type, confidence, (lon, lat), precision)."""
    df = pd.DataFrame([r[:7] + r[7] + r[8:] for r in rows],
                      columns=["event_id", "date_start", "date_end", "actor", "opponent",
                               "event_type", "confidence", "longitude", "latitude",
                               "location_precision"])
    df["actor_candidates"] = ""
    df["country"] = ""
    return _located(df, geodata) if len(df) else df.assign(admin1_id="", admin2_id="")


def claims(rows, geodata):
    """rows: (id, start, end, actor, status, confidence, (lon, lat), precision)."""
    df = pd.DataFrame([r[:6] + r[6] + r[7:] for r in rows],
                      columns=["claim_id", "date_start", "date_end", "actor", "status",
                               "confidence", "longitude", "latitude", "location_precision"])
    df["country"] = ""
    return _located(df, geodata)


def monthly(actor, where, months, per_month=2, opponent="", conf="reported", start=1,
            etype="attack"):
    rows = []
    for m in range(start, start + months):
        for i in range(per_month):
            day = D(2024, m, 5 + i)
            rows.append((f"{actor}-{m}-{i}", day, day, actor, opponent, etype, conf, where,
                         "exact"))
    return rows


def run(ev, cl, geodata, places, settings=GRID, periods=PER):
    return presence_tables(ev, cl, periods, geodata.actors, settings, places=places)


def row(pres, unit, group, period):
    sel = pres[(pres["unit_id"] == unit) & (pres["group"] == group) & (pres["period"] == period)]
    assert len(sel) <= 1
    return sel.iloc[0] if len(sel) else None


def status_of(pres, unit, group, period):
    r = row(pres, unit, group, period)
    return "none" if r is None else r["status"]


def home_cell(lonlat) -> str:
    g = Grid(25)
    q, r = g.cell_of([lonlat[0]], [lonlat[1]])
    return g.ids(q, r)[0]


# --- statuses from events -----------------------------------------------------------

def test_lone_group_with_sustained_attacks_becomes_present_then_dominant(geodata, places):
    pres = run(events(monthly("jnim", DJIBO, 6), geodata), None, geodata, places)["presence"]
    cell = home_cell(DJIBO)
    seq = [status_of(pres, cell, "jnim", f"2024-0{m}") for m in range(1, 7)]
    assert seq[0] == "present" and seq[-1] == "dominant" and "none" not in seq
    jan = row(pres, cell, "jnim", "2024-01")
    d = np.hypot(*np.subtract(Grid(25).project([DJIBO[0]], [DJIBO[1]]),
                              Grid(25).centre(*Grid(25).cell_of([DJIBO[0]], [DJIBO[1]]))))
    # two reported attacks (2 × 1.0 × 0.8), weighted by the kernel at the cell's centre
    assert jan["activity"] == pytest.approx(1.6 * kernel_weight(d, 40.0)[0], rel=1e-4)
    assert jan["evidence_events"] == "jnim-1-0|jnim-1-1"
    assert jan["label"] == "present (events, reported)" and jan["confidence"] == "reported"


def test_two_armed_groups_in_one_place_make_it_contested(geodata, places):
    rows = monthly("jnim", DJIBO, 3) + [(f"i{i}", *r[1:]) for i, r in
                                        enumerate(monthly("isgs", DJIBO, 3, per_month=1))]
    out = run(events(rows, geodata), None, geodata, places)
    cell = home_cell(DJIBO)
    for m in ("2024-01", "2024-02", "2024-03"):
        assert status_of(out["presence"], cell, "jnim", m) == "contested"
        assert status_of(out["presence"], cell, "isgs", m) == "contested"
        z = out["zones"][(out["zones"]["unit_id"] == cell) & (out["zones"]["period"] == m)]
        assert z["zone"].tolist() == ["contested"] and z["contenders"].iloc[0] == "isgs|jnim"


def test_a_group_fighting_state_forces_is_contested_through_the_opponent(geodata, places):
    pres = run(events(monthly("jnim", DJIBO, 3, opponent="mil_bfa"), geodata), None, geodata,
               places)["presence"]
    cell = home_cell(DJIBO)
    assert status_of(pres, cell, "jnim", "2024-02") == "contested"
    army, jnim = row(pres, cell, "mil_bfa", "2024-01"), row(pres, cell, "jnim", "2024-01")
    assert army["activity"] == pytest.approx(jnim["activity"] * 0.5)  # the opponent weight
    assert army["side"] == "state"
    civ = run(events(monthly("jnim", DJIBO, 1, opponent="civilians"), geodata), None, geodata,
              places)["presence"]
    assert set(civ["group"]) == {"jnim"}  # civilians are never a party with presence


def test_state_forces_and_their_auxiliaries_are_one_side(geodata, places):
    rows = monthly("mil_bfa", DJIBO, 3) + [(f"v{i}", *r[1:]) for i, r in
                                           enumerate(monthly("vdp", DJIBO, 3))]
    out = run(events(rows, geodata), None, geodata, places)
    assert "contested" not in set(out["presence"]["status"])
    assert set(out["zones"]["zone"]) <= {"state_leaning", "none"}


@pytest.mark.parametrize("half_life", [30, 90, 180])
def test_activity_decays_to_none_after_enough_quiet_periods(geodata, places, half_life):
    settings = PresenceSettings(half_life_days=half_life)
    per = make_periods("2024-01-01", "2025-12-31", "month")
    pres = run(events(monthly("jnim", DJIBO, 3), geodata), None, geodata, places, settings,
               per)["presence"]
    cell = home_cell(DJIBO)
    s = row(pres, cell, "jnim", "2024-03")["score"]
    expected = None
    for p, days in zip(per["period"][3:], per["days"][3:]):
        s *= 0.5 ** (days / half_life)
        if s < settings.present_threshold:
            expected = p
            break
    seq = {p: status_of(pres, cell, "jnim", p) for p in per["period"]}
    first_none = next(p for p in per["period"][3:] if seq[p] == "none")
    assert first_none == expected
    assert all(seq[p] == "none" for p in per["period"] if p >= first_none)
    quiet = per["period"].tolist().index(first_none) - 3
    assert quiet >= {30: 1, 90: 3, 180: 6}[half_life]
    carried = row(pres, cell, "jnim", "2024-04")
    assert carried["label"] == "dominant (events, reported, 1 month old)" or \
        carried["label"].endswith("1 month old)")
    assert carried["age_days"] == (D(2024, 4, 30) - D(2024, 3, 6)).days


def test_events_alone_never_give_control(geodata, places):
    pres = run(events(monthly("jnim", DJIBO, 12, per_month=10, conf="corroborated"), geodata),
               None, geodata, places)["presence"]
    assert "control" not in set(pres["status"])
    assert "dominant" in set(pres["status"])


def test_month_precision_event_counts_once_not_once_per_day(geodata, places):
    ev = events([("m", D(2024, 4, 1), D(2024, 4, 30), "jnim", "", "attack", "corroborated",
                  DJIBO, "exact")], geodata)
    weeks = make_periods("2024-03-25", "2024-05-12", "week")
    act = run(ev, None, geodata, places, PresenceSettings(level="admin2"), weeks)["presence"]
    assert act["activity"].sum() == pytest.approx(1.0)
    assert (act.loc[act["activity"] > 0, "evidence_events"] == "m").all()
    assert (act["activity"] > 0).sum() == 5


def test_country_level_location_supports_no_place(geodata, places):
    ev = events([("c", D(2024, 4, 2), D(2024, 4, 2), "jnim", "", "attack", "corroborated",
                  (-1.75, 12.27), "country")], geodata)
    for level in ("grid", "admin2", "admin1"):
        out = run(ev, None, geodata, places, PresenceSettings(level=level))
        assert out["presence"].empty, level


def test_joint_attribution_splits_activity(geodata, places):
    ev = events([("j", D(2024, 4, 2), D(2024, 4, 2), "joint", "", "attack", "corroborated",
                  DJIBO, "exact")], geodata)
    ev["actor_candidates"] = "isgs|jnim"
    pres = run(ev, None, geodata, places, PresenceSettings(level="admin2"))["presence"]
    apr = pres[pres["period"] == "2024-04"].set_index("group")["activity"]
    assert apr.to_dict() == {"isgs": pytest.approx(0.5), "jnim": pytest.approx(0.5)}


def test_presence_is_deterministic_and_order_independent(geodata, places):
    rows = (monthly("jnim", DJIBO, 4) + [(f"i{i}", *r[1:]) for i, r in
                                        enumerate(monthly("isgs", ARIBINDA, 2))]
            + [(f"a{i}", *r[1:]) for i, r in enumerate(monthly("mil_bfa", DEDOUGOU, 3))])
    a = run(events(rows, geodata), None, geodata, places)
    b = run(events(rows[::-1], geodata), None, geodata, places)
    for name in ("presence", "zones"):
        pd.testing.assert_frame_equal(a[name], b[name])
    assert np.isfinite(a["presence"]["score"]).all()


# --- support follows precision and distance ----------------------------------------

def test_a_seized_towns_support_stays_within_the_kernel(geodata, places):
    ev = events([("djibo", D(2024, 5, 10), D(2024, 5, 10), "jnim", "mil_bfa", "seizure",
                  "reported", DJIBO, "exact")], geodata)
    cl = claims([("djibo-c", D(2024, 5, 1), D(2024, 5, 31), "jnim", "control", "reported",
                  DJIBO, "exact")], geodata)
    for kernel in (25.0, 40.0, 60.0):
        s = PresenceSettings(kernel_km=kernel)
        pres = run(ev, cl, geodata, places, s)["presence"]
        cells = pres[(pres["unit_level"] == "cell") & (pres["status"] != "none")]
        g = Grid(25)
        _, q, r = g.parse(cells["unit_id"])
        cx, cy = g.centre(q, r)
        px, py = g.project([DJIBO[0]], [DJIBO[1]])
        dist = np.hypot(cx - px, cy - py)
        assert len(cells) >= 1 and (dist < kernel).all(), kernel
        # control only where the kernel weight is at least one half
        ctl = dist[(cells["status"] == "control").to_numpy()]
        assert len(ctl) >= 1 and (kernel_weight(ctl, kernel) >= 0.5).all()
        assert home_cell(DJIBO) in set(cells.loc[cells["status"] == "control", "unit_id"])


def test_a_seized_town_marks_its_province_not_its_region(geodata, places):
    ev = events([("djibo", D(2024, 5, 10), D(2024, 5, 10), "jnim", "mil_bfa", "seizure",
                  "reported", DJIBO, "exact")], geodata)
    cl = claims([("djibo-c", D(2024, 5, 1), D(2024, 5, 31), "jnim", "control", "reported",
                  DJIBO, "exact")], geodata)
    a2 = run(ev, cl, geodata, places, PresenceSettings(level="admin2"))["presence"]
    soum = row(a2, "BFA-2806", "jnim", "2024-05")
    assert soum["status"] != "none" and 0 < soum["area_control"] < 0.25
    a1 = run(ev, cl, geodata, places, PresenceSettings(level="admin1"))["presence"]
    sahel = row(a1, "BF-12", "jnim", "2024-05")
    assert sahel["status"] == "present" and sahel["area_control"] < soum["area_control"]
    # a neighbouring region the kernel reaches across the border: present on a sliver
    others = a1[(a1["status"] != "none") & (a1["unit_id"] != "BF-12")]
    assert set(others["status"]) <= {"present"} and (others["area_present"] < 0.05).all()
    assert set(others["unit_id"]) <= {"BF-05", "BF-10"}  # Centre-Nord, Nord
    # with a lower unit_share the province takes the status its cells hold
    low = run(ev, cl, geodata, places, PresenceSettings(level="admin2", unit_share=0.1))
    assert row(low["presence"], "BFA-2806", "jnim", "2024-05")["status"] == "control"


def test_region_level_records_support_the_region_weakly(geodata, places):
    many = [(f"r{i}", D(2024, 3, 1 + i), D(2024, 3, 1 + i), "jnim", "mil_mli", "attack",
             "corroborated", MOPTI, "admin1") for i in range(12)]
    out = run(events(many, geodata), None, geodata, places)
    pres = out["presence"]
    assert set(pres["unit_level"]) == {"admin1"} and set(pres["spatial"]) == {"area"}
    mopti = row(pres, "MLI-2809", "jnim", "2024-03")
    assert mopti["status"] == "present"  # twelve corroborated attacks: never more than present
    assert not pres["unit_id"].str.startswith("h25:").any()  # supports no cell
    a2 = run(events(many, geodata), None, geodata, places, PresenceSettings(level="admin2"))
    assert row(a2["presence"], "MLI-2809", "jnim", "2024-03")["status"] == "present"


# --- claims persist and age ---------------------------------------------------------

def test_a_claim_holds_after_its_dates_and_ages(geodata, places):
    cl = claims([("c1", D(2024, 4, 1), D(2024, 4, 30), "jnim", "control", "claimed", MOPTI,
                  "admin1")], geodata)
    pres = run(events([], geodata), cl, geodata, places)["presence"]
    seq = {p: row(pres, "MLI-2809", "jnim", p) for p in ("2024-04", "2024-05", "2024-06",
                                                         "2024-07", "2024-08")}
    assert seq["2024-04"]["label"] == "control (claimed)"
    assert seq["2024-05"]["label"] == "present (claimed, 1 month old)"
    assert seq["2024-06"]["label"] == "present (claimed, 2 months old)"
    assert seq["2024-06"]["age_days"] == 61 and str(seq["2024-06"]["last_evidence"]) == "2024-04-30"
    # claimed (weight 2 × 0.5 = 1) holds while 0.5 ** (age / 90) >= 0.5: about 90 days
    assert seq["2024-07"] is None or seq["2024-07"]["status"] == "none"
    # a corroborated claim holds longer
    cl2 = cl.assign(confidence="corroborated")
    pres2 = run(events([], geodata), cl2, geodata, places)["presence"]
    assert status_of(pres2, "MLI-2809", "jnim", "2024-08") == "present"


def test_a_later_absence_claim_or_withdrawal_ends_the_hold(geodata, places):
    cl = claims([("c1", D(2024, 4, 1), D(2024, 4, 30), "jnim", "control", "reported", DJIBO,
                  "exact"),
                 ("c2", D(2024, 6, 1), D(2024, 6, 30), "jnim", "absent", "reported", DJIBO,
                  "exact")], geodata)
    pres = run(events([], geodata), cl, geodata, places)["presence"]
    cell = home_cell(DJIBO)
    assert [status_of(pres, cell, "jnim", p) for p in ("2024-04", "2024-05", "2024-06",
                                                       "2024-07")] == \
        ["control", "present", "none", "none"]
    ev = events([("w", D(2024, 5, 3), D(2024, 5, 3), "jnim", "mil_bfa", "withdrawal",
                  "reported", DJIBO, "exact")], geodata)
    pres = run(ev, cl.iloc[:1], geodata, places)["presence"]
    assert status_of(pres, cell, "jnim", "2024-05") == "present"  # reported hold
    assert status_of(pres, cell, "jnim", "2024-06") == "none"     # withdrawal ended it


def test_expelled_claim_ends_presence_for_its_periods_and_clears_the_past(geodata, places):
    ev = events(monthly("fla", MOPTI, 3, per_month=3), geodata)
    cl = claims([("fla-out", D(2024, 4, 1), D(2024, 6, 30), "fla", "expelled", "claimed",
                  MOPTI, "exact")], geodata)
    pres = run(ev, cl, geodata, places)["presence"]
    cell = home_cell(MOPTI)
    assert status_of(pres, cell, "fla", "2024-03") in ("present", "dominant")
    assert [status_of(pres, cell, "fla", p) for p in
            ("2024-04", "2024-05", "2024-06", "2024-07")] == ["none"] * 4
    apr = row(pres, cell, "fla", "2024-04")
    assert apr["label"] == "none (claimed)" and apr["evidence_claims"] == "fla-out"
    assert apr["score"] == 0


def test_claims_filtered_by_confidence(geodata, places):
    cl = claims([("c1", D(2024, 5, 1), D(2024, 5, 31), "jnim", "control", "claimed", MOPTI,
                  "admin1"),
                 ("c2", D(2024, 5, 1), D(2024, 5, 31), "isgs", "present", "reported", ARIBINDA,
                  "near")], geodata)
    pres = run(events([], geodata), cl, geodata, places)["presence"]
    assert {"jnim", "isgs"} <= set(pres["group"])
    strict = run(events([], geodata), cl, geodata, places,
                 PresenceSettings(claim_confidences=("corroborated", "reported")))["presence"]
    assert set(strict["group"]) == {"isgs"}


# --- uncertain dates ----------------------------------------------------------------

def test_a_15_month_range_supports_every_month_and_counts_once(geodata, places):
    per = make_periods("2023-10-01", "2025-06-30", "month")
    ev = events([("exp", D(2023, 10, 1), D(2024, 12, 31), "jnim", "fla", "expulsion",
                  "claimed", MOPTI, "admin1")], geodata)
    out = run(ev, None, geodata, places, PresenceSettings(level="admin1"), per)
    jnim = out["presence"][(out["presence"]["unit_id"] == "MLI-2809")
                           & (out["presence"]["group"] == "jnim")].set_index("period")
    months = [p for p in per["period"] if "2023-10" <= p <= "2024-12"]
    assert all(jnim.loc[m, "status"] == "present" for m in months)
    assert jnim.loc[months, "date_uncertain"].all()
    # the record counts once: its activity over all months sums to its weight (2 × 0.5)
    assert jnim["activity"].sum() == pytest.approx(1.0, rel=1e-4)
    assert (jnim.loc[months, "activity"] < 0.1).all()
    # after the range it fades like other evidence, and says how old it is
    assert jnim.loc["2025-01", "label"] == "present (events, claimed, 1 month old)"
    # an ordinary event over the same range is diluted, not held
    att = events([("att", D(2023, 10, 1), D(2024, 12, 31), "jnim", "", "attack", "claimed",
                   MOPTI, "admin1")], geodata)
    thin = run(att, None, geodata, places, PresenceSettings(level="admin1"), per)["presence"]
    assert (thin["status"] == "none").all()


# --- event semantics by role --------------------------------------------------------

def test_a_pledge_raises_the_receiving_group_and_ends_the_pledging_one(geodata, places):
    rows = monthly("isgs", ARIBINDA, 4, per_month=3, start=6)  # June to September
    rows.append(("pledge", D(2024, 10, 15), D(2024, 10, 15), "isgs", "jnim", "pledge",
                 "reported", ARIBINDA, "near"))
    pres = run(events(rows, geodata), None, geodata, places)["presence"]
    cell = home_cell(ARIBINDA)
    assert status_of(pres, cell, "isgs", "2024-09") in ("present", "dominant")
    assert status_of(pres, cell, "isgs", "2024-10") != "none"   # there until it pledged
    assert [status_of(pres, cell, "isgs", p) for p in ("2024-11", "2024-12")] == ["none"] * 2
    assert status_of(pres, cell, "jnim", "2024-10") != "none"   # the receiving group
    assert status_of(pres, cell, "jnim", "2024-11") != "none"   # it holds like a base
    jnim = row(pres, cell, "jnim", "2024-10")
    assert jnim["evidence_events"] == "pledge"


def test_an_expulsion_ends_the_expelled_group_and_supports_the_expeller(geodata, places):
    rows = monthly("fla", MOPTI, 4, per_month=3)
    rows.append(("exp", D(2024, 5, 20), D(2024, 5, 20), "jnim", "fla", "expulsion", "reported",
                 MOPTI, "exact"))
    pres = run(events(rows, geodata), None, geodata, places)["presence"]
    cell = home_cell(MOPTI)
    assert status_of(pres, cell, "fla", "2024-04") != "none"
    assert all(status_of(pres, cell, "fla", p) == "none" for p in ("2024-06", "2024-07"))
    assert status_of(pres, cell, "jnim", "2024-05") != "none"
    assert status_of(pres, cell, "jnim", "2024-06") != "none"


def test_a_base_is_presence(geodata, places):
    ev = events([("b", D(2024, 3, 10), D(2024, 3, 10), "jnim", "", "base_established",
                  "reported", DEDOUGOU, "exact")], geodata)
    pres = run(ev, None, geodata, places)["presence"]
    assert status_of(pres, home_cell(DEDOUGOU), "jnim", "2024-03") == "present"


# --- one verdict per place ----------------------------------------------------------

def test_no_place_is_control_for_one_side_and_contested_for_another(geodata, places):
    # the army fights hard around Djibo while a claim says JNIM controls it
    rows = monthly("mil_bfa", DJIBO, 3, per_month=4, opponent="jnim", conf="corroborated")
    cl = claims([("c", D(2024, 2, 1), D(2024, 2, 29), "jnim", "control", "claimed", DJIBO,
                  "exact")], geodata)
    for level in ("grid", "admin2", "admin1"):
        out = run(events(rows, geodata), cl, geodata, places, PresenceSettings(level=level))
        pres = out["presence"]
        per_place = pres.groupby(["unit_id", "period"])["status"].agg(set)
        for statuses in per_place:
            assert not ({"control", "contested"} <= statuses), (level, statuses)
        cell = home_cell(DJIBO) if level == "grid" else {"admin2": "BFA-2806",
                                                         "admin1": "BF-12"}[level]
        z = out["zones"].set_index(["unit_id", "period"])
        assert z.loc[(cell, "2024-01"), "zone"] in ("state_leaning", "contested")
        if level == "grid":
            assert status_of(pres, cell, "jnim", "2024-02") == "control"
            assert status_of(pres, cell, "mil_bfa", "2024-02") == "present"
            assert z.loc[(cell, "2024-02"), "zone"] == "insurgent_leaning"
            assert z.loc[(cell, "2024-02"), "holder"] == "jnim"
        # one zone row per place and period
        assert not out["zones"].duplicated(["unit_id", "period"]).any()


def test_two_control_claims_make_a_contested_place(geodata, places):
    cl = claims([("a", D(2024, 2, 1), D(2024, 2, 29), "jnim", "control", "claimed", DJIBO,
                  "exact"),
                 ("b", D(2024, 2, 1), D(2024, 2, 29), "mil_bfa", "control", "reported", DJIBO,
                  "exact")], geodata)
    out = run(events([], geodata), cl, geodata, places)
    cell = home_cell(DJIBO)
    assert status_of(out["presence"], cell, "jnim", "2024-02") == "contested"
    assert status_of(out["presence"], cell, "mil_bfa", "2024-02") == "contested"
    z = out["zones"].set_index(["unit_id", "period"]).loc[(cell, "2024-02")]
    assert z["zone"] == "contested" and z["holder"] == ""


def test_a_lone_control_claim_is_control_of_its_side(geodata, places):
    cl = claims([("a", D(2024, 2, 1), D(2024, 2, 29), "mil_bfa", "control", "corroborated",
                  DEDOUGOU, "exact")], geodata)
    out = run(events([], geodata), cl, geodata, places)
    z = out["zones"].set_index(["unit_id", "period"]).loc[(home_cell(DEDOUGOU), "2024-02")]
    assert (z["zone"], z["holder"], z["holder_status"], z["basis"]) == \
        ("state_control", "mil_bfa", "control", "corroborated")


# --- confidence ----------------------------------------------------------------------

def test_claimed_and_corroborated_stay_apart_when_events_exist(geodata, places):
    ev = events(monthly("jnim", DJIBO, 1, conf="claimed"), geodata)
    a = run(ev, claims([("c", D(2024, 1, 1), D(2024, 1, 31), "jnim", "control", "claimed",
                         DJIBO, "exact")], geodata), geodata, places)["presence"]
    b = run(ev, claims([("c", D(2024, 1, 1), D(2024, 1, 31), "jnim", "control", "corroborated",
                         DJIBO, "exact")], geodata), geodata, places)["presence"]
    cell = home_cell(DJIBO)
    ra, rb = row(a, cell, "jnim", "2024-01"), row(b, cell, "jnim", "2024-01")
    assert (ra["label"], ra["confidence"]) == ("control (claimed)", "claimed")
    assert (rb["label"], rb["confidence"]) == ("control (corroborated)", "corroborated")
    only_events = run(ev, None, geodata, places)["presence"]
    assert row(only_events, cell, "jnim", "2024-01")["label"] == "present (events, claimed)"


def test_settings_reject_nonsense():
    with pytest.raises(ValueError, match="kernel_km must be positive"):
        PresenceSettings(kernel_km=0)
    with pytest.raises(ValueError, match="unit_share must be in"):
        PresenceSettings(unit_share=1.5)
    with pytest.raises(ValueError, match="level 'county' is not known"):
        PresenceSettings(level="county")


def test_places_must_match_the_cell_size(geodata, places):
    with pytest.raises(ValueError, match="call places_for again"):
        presence(events([], geodata), None, PER, geodata.actors,
                 PresenceSettings(cell_km=10), places=places)


def test_a_later_present_claim_does_not_undo_control_but_a_later_absence_does(geodata, places):
    cell = home_cell(DJIBO)
    ctl = ("c", D(2024, 5, 1), D(2024, 5, 31), "jnim", "control", "reported", DJIBO, "exact")
    seen = ("p", D(2024, 5, 13), D(2024, 5, 13), "jnim", "present", "reported", DJIBO, "exact")
    gone = ("a", D(2024, 5, 20), D(2024, 5, 20), "jnim", "absent", "reported", DJIBO, "exact")
    pres = run(events([], geodata), claims([ctl, seen], geodata), geodata, places)["presence"]
    assert row(pres, cell, "jnim", "2024-05")["label"] == "control (reported)"
    pres = run(events([], geodata), claims([ctl, gone], geodata), geodata, places)["presence"]
    assert row(pres, cell, "jnim", "2024-05")["label"] == "none (reported)"
    # a better-confidence claim wins whatever its date
    pres = run(events([], geodata), claims([ctl, (*gone[:5], "claimed", *gone[6:])], geodata),
               geodata, places)["presence"]
    assert row(pres, cell, "jnim", "2024-05")["label"] == "control (reported)"
