"""The default example dataset covers what the article reports, located where it should be."""

from __future__ import annotations

import datetime as dt

import pytest

from sahelmap import read_records
from sahelmap.pipeline import locate

from .conftest import RECORDS


@pytest.fixture(scope="module")
def located(geodata):
    return locate(read_records(RECORDS, geodata.actors), geodata)


def d(s):
    return dt.date.fromisoformat(s)


def test_kinds_confidences_and_precisions_are_present(located):
    ev, cl, mv = located["events"], located["claims"], located["movements"]
    assert len(ev) >= 15 and len(cl) >= 12 and len(mv) >= 5
    conf = set(ev["confidence"]) | set(cl["confidence"]) | set(mv["confidence"])
    assert {"claimed", "reported", "corroborated"} <= conf
    assert {"month", "range"} <= set(ev["date_precision"])
    assert {"day", "month", "range"} <= set(cl["date_precision"]) | set(mv["date_precision"])
    # forecasts are not records: nothing is dated after the article (June 2025)
    for frame in (ev, cl, mv):
        assert (frame["date_end"] <= d("2025-06-30")).all()


def test_boucle_du_mouhoun_battle_and_its_reinforcements(located):
    ev, mv = located["events"], located["movements"]
    bmo = ev[(ev["admin1_id"] == "BF-01") & (ev["actor"] == "jnim") & (ev["event_type"] == "battle")]
    assert len(bmo) >= 2 and (bmo["date_start"] < d("2025-04-27")).all()
    into_bmo = mv[mv["destination_place_id"] == "admin:BF-01"]
    assert {"curated:macina", "geonames:2363174", "country:MLI"} <= set(into_bmo["origin_place_id"])
    assert (into_bmo["date_end"] <= d("2025-04-27")).all()
    assert into_bmo.geometry.notna().all()


def test_may_2025_offensive(located):
    ev, cl = located["events"], located["claims"]
    diapaga = ev[ev["place_id"] == "geonames:2361373"].iloc[0]
    # the photograph dates JNIM's presence in the town, not its seizure (only to May)
    assert (diapaga["date_start"], diapaga["date_precision"]) == (d("2025-05-01"), "month")
    assert diapaga["event_type"] == "seizure" and diapaga["admin1_name"] == "Est"
    assert diapaga["confidence"] == "reported"  # the author's account, not a confirmed claim
    photo = cl[cl["record_id"] == "jnim-diapaga-photo"].iloc[0]
    assert (photo["date_start"], photo["date_precision"], photo["status"]) == \
        (d("2025-05-13"), "day", "present")
    djibo = ev[ev["place_id"] == "geonames:2361177"].iloc[0]
    assert djibo["date_precision"] == "month" and djibo["date_start"] == d("2025-05-01")
    assert ((cl["place_id"] == "geonames:2361373") & (cl["status"] == "control")).any()


def test_dedougou_sourou_aribinda_macina_bamako_benin(located):
    ev, cl = located["events"], located["claims"]
    near_ded = cl[(cl["place_name"] == "Dedigo") & (cl["actor"] == "jnim")].iloc[0]
    assert near_ded["admin1_id"] == "BF-01" and near_ded["date_start"].month == 4
    sourou = ev[ev["place_id"] == "curated:sourou-valley"].iloc[0]
    assert sourou["admin2_name"] == "Sourou" and sourou["event_type"] == "violence_against_civilians"
    tatkarat = ev[ev["place_name"] == "Tatkarat"].iloc[0]
    assert tatkarat["date_start"] == d("2024-05-01") and tatkarat["opponent"] == "isgs"
    assert tatkarat["geocode_method"] == "within" and tatkarat["admin2_name"] == "Soum"
    pledge = ev[ev["event_type"] == "pledge"].iloc[0]
    assert pledge["actor"] == "isgs" and pledge["date_start"] == d("2024-11-01")
    assert pledge["opponent"] == "jnim"  # the group receiving the pledge
    isgs_gone = cl[(cl["actor"] == "isgs") & (cl["status"] == "absent")].iloc[0]
    assert isgs_gone["date_start"] == d("2024-12-01") and isgs_gone["admin2_name"] == "Soum"
    fla = cl[(cl["actor"] == "fla") & (cl["status"] == "expelled")].iloc[0]
    assert fla["admin1_name"] == "Mopti" and fla["date_start"] <= d("2024-01-01")
    assert ((cl["place_id"] == "geonames:2460596") & (cl["actor"] == "jnim")).any()  # Bamako
    benin = ev[ev["country"] == "BEN"].iloc[0]
    assert benin["location_precision"] == "country" and benin["admin1_id"] == ""
    assert d("2025-04-13") <= benin["date_start"] <= benin["date_end"] <= d("2025-04-27")


def test_boulikessi_and_dioura_raids(located):
    ev = located["events"].set_index("place_id")
    assert ev.loc["curated:boulikessi", "fatalities"] == 100
    assert ev.loc["curated:dioura-tenenkou", "admin1_name"] == "Mopti"
    for pid in ("curated:boulikessi", "curated:dioura-tenenkou"):
        assert ev.loc[pid, "date_end"] >= d("2025-05-31")


def test_only_tatkarat_and_fatli_need_a_look(located):
    report = located["report"]
    assert sorted(report["place_name"]) == ["Fatli", "Tatkarat"]
    assert set(report["status"]) == {"unresolved"}
