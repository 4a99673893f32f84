"""Presence scenarios on hand-built records: the statuses that must follow."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from sahelmap.periods import make_periods
from sahelmap.presence import PresenceSettings, presence

D = dt.date


def events(rows):
    """rows: (id, start, end, actor, opponent, type, confidence, admin1, precision)."""
    df = pd.DataFrame(rows, columns=["event_id", "date_start", "date_end", "actor", "opponent",
                                     "event_type", "confidence", "admin1_id",
                                     "location_precision"])
    df["admin2_id"] = ""
    df["actor_candidates"] = ""
    df["latitude"], df["longitude"] = 14.0, -1.5
    return df


def claims(rows=()):
    df = pd.DataFrame(list(rows), columns=["claim_id", "date_start", "date_end", "actor", "status",
                                           "confidence", "admin1_id", "location_precision"])
    df["admin2_id"] = ""
    df["latitude"], df["longitude"] = 14.0, -1.5
    return df


def monthly(actor, unit, months, per_month=2, opponent="", conf="reported", year=2024, start=1):
    rows = []
    for m in range(start, start + months):
        for i in range(per_month):
            day = D(year, m, 5 + i)
            rows.append((f"{actor}-{unit}-{m}-{i}", day, day, actor, opponent, "attack", conf,
                         unit, "exact"))
    return rows


def status_of(pres, unit, group):
    sel = pres[(pres["unit_id"] == unit) & (pres["group"] == group)]
    return dict(zip(sel["period"], sel["status"]))


PER = make_periods("2024-01-01", "2024-12-31", "month")


def test_lone_group_with_sustained_attacks_becomes_present_then_dominant(geodata):
    pres = presence(events(monthly("jnim", "BF-01", 6)), claims(), PER, geodata.actors)
    st = status_of(pres, "BF-01", "jnim")
    assert [st[f"2024-0{m}"] for m in range(1, 7)] == [
        "present", "present", "dominant", "dominant", "dominant", "dominant"]
    row = pres[(pres["period"] == "2024-01")].iloc[0]
    # two reported attacks: 2 × type 1.0 × confidence 0.8
    assert row["activity"] == pytest.approx(1.6) and row["share"] == 1.0
    assert row["evidence_events"] == "jnim-BF-01-1-0|jnim-BF-01-1-1"


def test_two_armed_groups_in_one_unit_make_it_contested(geodata):
    rows = monthly("jnim", "BF-12", 3) + monthly("isgs", "BF-12", 3, per_month=1)
    pres = presence(events(rows), claims(), PER, geodata.actors)
    months = ["2024-01", "2024-02", "2024-03"]
    assert [status_of(pres, "BF-12", "jnim")[m] for m in months] == ["contested"] * 3
    assert [status_of(pres, "BF-12", "isgs")[m] for m in months] == ["contested"] * 3


def test_a_group_fighting_state_forces_is_contested_through_the_opponent(geodata):
    rows = monthly("jnim", "BF-01", 3, opponent="mil_bfa")
    pres = presence(events(rows), claims(), PER, geodata.actors)
    st = status_of(pres, "BF-01", "jnim")
    assert [st[m] for m in ("2024-01", "2024-02", "2024-03")] == ["contested"] * 3
    army = pres[(pres["group"] == "mil_bfa") & (pres["period"] == "2024-01")].iloc[0]
    assert army["activity"] == pytest.approx(1.6 * 0.5)  # the opponent weight
    assert army["side"] == "state"
    # civilians are never a party with presence
    pres = presence(events(monthly("jnim", "BF-01", 1, opponent="civilians")), claims(), PER,
                    geodata.actors)
    assert set(pres["group"]) == {"jnim"}


def test_state_forces_and_their_auxiliaries_are_one_side(geodata):
    rows = monthly("mil_bfa", "BF-01", 3) + monthly("vdp", "BF-01", 3)
    pres = presence(events(rows), claims(), PER, geodata.actors)
    assert "contested" not in set(pres["status"])


@pytest.mark.parametrize("half_life", [30, 90, 180])
def test_activity_decays_to_none_after_enough_quiet_periods(geodata, half_life):
    settings = PresenceSettings(half_life_days=half_life)
    PER = make_periods("2024-01-01", "2025-12-31", "month")
    pres = presence(events(monthly("jnim", "MLI-2809", 3)), claims(), PER, geodata.actors,
                    settings)
    st = status_of(pres, "MLI-2809", "jnim")
    score = pres.set_index("period")["score"]
    first_none = next(p for p in PER["period"][3:] if st.get(p, "none") == "none")
    # expected: the first month where the carried score falls below the threshold
    expected = None
    s = score["2024-03"]
    for p, days in zip(PER["period"][3:], PER["days"][3:]):
        s *= 0.5 ** (days / half_life)
        if s < settings.present_threshold:
            expected = p
            break
    assert first_none == expected
    assert all(st.get(p, "none") == "none" for p in PER["period"] if p >= first_none)
    quiet = PER["period"].tolist().index(first_none) - 3
    assert quiet >= {30: 1, 90: 3, 180: 6}[half_life]


def test_expelled_claim_ends_presence_for_its_periods_and_clears_the_past(geodata):
    ev = events(monthly("fla", "MLI-2809", 3, per_month=3))
    cl = claims([("fla-out", D(2024, 4, 1), D(2024, 6, 30), "fla", "expelled", "claimed",
                  "MLI-2809", "admin1")])
    pres = presence(ev, cl, PER, geodata.actors)
    st = status_of(pres, "MLI-2809", "fla")
    assert st["2024-03"] in ("present", "dominant")
    assert [st.get(p, "none") for p in ("2024-04", "2024-05", "2024-06", "2024-07")] == ["none"] * 4
    apr = pres[(pres["period"] == "2024-04")].iloc[0]
    assert apr["basis"] == "claim" and apr["evidence_claims"] == "fla-out" and apr["score"] == 0


def test_claims_set_control_and_raise_to_present(geodata):
    cl = claims([("c1", D(2024, 5, 1), D(2024, 5, 31), "jnim", "control", "claimed", "MLI-2809",
                  "admin1"),
                 ("c2", D(2024, 5, 1), D(2024, 5, 31), "isgs", "present", "reported", "BF-12",
                  "admin1")])
    pres = presence(events([]), cl, PER, geodata.actors)
    assert status_of(pres, "MLI-2809", "jnim") == {"2024-05": "control"}
    assert status_of(pres, "BF-12", "isgs") == {"2024-05": "present"}
    # settings can ignore claims of a confidence
    pres = presence(events([]), cl, PER, geodata.actors,
                    PresenceSettings(claim_confidences=("corroborated", "reported")))
    assert set(pres["group"]) == {"isgs"}


def test_events_alone_never_give_control(geodata):
    pres = presence(events(monthly("jnim", "BF-01", 12, per_month=10, conf="corroborated")),
                    claims(), PER, geodata.actors)
    assert "control" not in set(pres["status"])


def test_month_precision_event_counts_once_not_once_per_day(geodata):
    ev = events([("m", D(2024, 4, 1), D(2024, 4, 30), "jnim", "", "attack", "corroborated",
                  "BF-01", "exact")])
    weeks = make_periods("2024-03-25", "2024-05-12", "week")
    pres = presence(ev, claims(), weeks, geodata.actors)
    assert pres["activity"].sum() == pytest.approx(1.0)
    assert (pres.loc[pres["activity"] > 0, "evidence_events"] == "m").all()
    assert (pres["activity"] > 0).sum() == 5
    months = presence(ev, claims(), PER, geodata.actors)
    assert months.loc[months["period"] == "2024-04", "activity"].tolist() == [pytest.approx(1.0)]


def test_country_centroid_location_supports_no_unit(geodata):
    ev = events([("c", D(2024, 4, 2), D(2024, 4, 2), "jnim", "", "attack", "corroborated", "",
                  "country")])
    assert presence(ev, claims(), PER, geodata.actors).empty


def test_joint_attribution_splits_activity(geodata):
    ev = events([("j", D(2024, 4, 2), D(2024, 4, 2), "joint", "", "attack", "corroborated",
                  "BF-12", "exact")])
    ev["actor_candidates"] = "isgs|jnim"
    pres = presence(ev, claims(), PER, geodata.actors)
    apr = pres[pres["period"] == "2024-04"].set_index("group")["activity"]
    assert apr.to_dict() == {"isgs": pytest.approx(0.5), "jnim": pytest.approx(0.5)}


def test_grid_level_uses_only_fine_locations(geodata):
    ev = events([("a", D(2024, 4, 2), D(2024, 4, 2), "jnim", "", "attack", "corroborated",
                  "BF-12", "exact"),
                 ("b", D(2024, 4, 2), D(2024, 4, 2), "jnim", "", "attack", "corroborated",
                  "BF-12", "admin1")])
    ev["longitude"], ev["latitude"] = [-1.62, -1.62], [14.09, 14.09]
    pres = presence(ev, claims(), PER, geodata.actors, PresenceSettings(level="grid"))
    assert pres["unit_id"].unique().tolist() == ["g0.5:-4:28"]
    assert pres["evidence_events"].iloc[0] == "a"


def test_presence_is_deterministic_and_order_independent(geodata):
    rows = monthly("jnim", "BF-12", 4) + monthly("isgs", "BF-12", 2) + monthly("mil_bfa", "BF-01", 3)
    a = presence(events(rows), claims(), PER, geodata.actors)
    b = presence(events(rows[::-1]), claims(), PER, geodata.actors)
    pd.testing.assert_frame_equal(a, b)
    assert np.isfinite(a["score"]).all()
