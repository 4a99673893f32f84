"""Geocoding against the real gazetteer: the places the default example needs."""

from __future__ import annotations

import pandas as pd
import pytest

from sahelmap import geocode, join_admin


def locate(places, geodata, rows):
    frame = pd.DataFrame(rows)
    for col in ("country", "admin1", "within", "location_precision"):
        if col not in frame:
            frame[col] = ""
    frame["record_id"] = [f"r{i}" for i in range(len(frame))]
    located, report = geocode(frame, places)
    return join_admin(located, geodata.admin1, geodata.admin2), report


# name as written, country, admin-1 name, admin-2 name (Burkina Faso provinces), method
NAMED = [
    ("Diapaga", "BFA", "Est", "Tapoa", "exact"),
    ("Djibo", "BFA", "Sahel", "Soum", "exact"),
    ("Boulikessi", "MLI", "Mopti", "", "exact"),
    ("Boulkessi", "MLI", "Mopti", "", "alias"),
    ("Boulkessy", "MLI", "Mopti", "", "alias"),
    ("Dédougou", "BFA", "Boucle du Mouhoun", "Mou Houn", "exact"),
    ("DEDOUGOU", "BFA", "Boucle du Mouhoun", "Mou Houn", "exact"),
    ("Dedigo", "BFA", "Boucle du Mouhoun", "Mou Houn", "alias"),
    ("Aribinda", "BFA", "Sahel", "Soum", "exact"),
    ("Aribanda", "BFA", "Sahel", "Soum", "alias"),
    ("Tombouctou", "MLI", "Timbuktu", "", "alias"),
    ("Timbuktu", "MLI", "Timbuktu", "", "exact"),
    ("Sourou valley", "BFA", "Boucle du Mouhoun", "Sourou", "exact"),
    ("Sorou Valley", "BFA", "Boucle du Mouhoun", "Sourou", "alias"),
    ("Bamako", "MLI", "Bamako", "", "exact"),
]


@pytest.mark.parametrize("name,country,admin1,admin2,method", NAMED)
def test_named_places_resolve_to_the_right_units(places, geodata, name, country, admin1, admin2,
                                                 method):
    located, report = locate(places, geodata, [{"place_name": name}])
    row = located.iloc[0]
    assert row["geocode_method"] == method
    assert row["admin_country"] == country
    assert row["admin1_name"] == admin1
    assert row["admin2_name"] == admin2
    assert report.empty


def test_region_and_area_names_support_only_their_level(places, geodata):
    located, report = locate(places, geodata, [
        {"place_name": "Boucle du Mouhoun"},
        {"place_name": "Boucle de Mouhoun"},
        {"place_name": "Macina", "location_precision": "admin1"},
        {"place_name": "the Macina"},
    ])
    assert list(located["admin1_name"]) == ["Boucle du Mouhoun"] * 2 + ["Mopti"] * 2
    assert list(located["admin2_id"]) == [""] * 4  # a region label point supports no province
    assert set(located["location_precision"]) == {"admin1"}
    assert report.empty


def test_boucle_du_mouhoun_label_point_is_its_centroid(places, geodata):
    bmo = places.set_index("place_id").loc["admin:BF-01"]
    unit = geodata.admin1.set_index("unit_id").loc["BF-01", "geometry"]
    assert bmo["longitude"] == pytest.approx(unit.centroid.x, abs=1e-4)
    assert bmo["latitude"] == pytest.approx(unit.centroid.y, abs=1e-4)


def test_dioura_without_region_is_ambiguous_and_kept(places, geodata):
    located, report = locate(places, geodata, [{"place_name": "Dioura"},
                                               {"place_name": "Dioura", "admin1": "Mopti"}])
    assert len(located) == 2
    assert located.geometry.iloc[0] is None and located.iloc[0]["geocode_method"] == "unresolved"
    assert located.iloc[1]["place_id"] == "curated:dioura-tenenkou"
    assert located.iloc[1]["admin1_name"] == "Mopti"
    assert list(report["status"]) == ["ambiguous"]
    assert "Kayes" in report["candidates"].iloc[0] and "Mopti" in report["candidates"].iloc[0]


@pytest.mark.parametrize("name", ["Tatkarat", "Fatli"])
def test_tatkarat_and_fatli_are_reported_unresolved_not_invented(places, geodata, name):
    located, report = locate(places, geodata, [{"place_name": name, "country": "BFA"}])
    assert located.geometry.iloc[0] is None
    assert located.iloc[0]["geocode_method"] == "unresolved"
    assert report["status"].tolist() == ["unresolved"]
    row = places.set_index("place_id").loc[f"curated:{name.lower()}"]
    assert pd.isna(row["latitude"]) and row["location_precision"] == "unresolved"


def test_within_places_a_record_at_the_enclosing_place_and_says_so(places, geodata):
    located, report = locate(places, geodata,
                             [{"place_name": "Tatkarat", "country": "BFA", "within": "Aribanda"}])
    row = located.iloc[0]
    assert row["geocode_method"] == "within" and row["location_precision"] == "near"
    assert row["admin2_name"] == "Soum"
    assert report["status"].tolist() == ["unresolved"]
    assert "within" in report["resolution"].iloc[0]


def test_fuzzy_matches_are_accepted_only_when_clear_and_always_reported(places, geodata):
    located, report = locate(places, geodata, [{"place_name": "Djiboo", "country": "BFA"},
                                               {"place_name": "Xqzzyville"}])
    assert located.iloc[0]["place_id"] == "geonames:2361177"  # Djibo
    assert located.iloc[0]["geocode_method"] == "fuzzy"
    assert located.iloc[1]["geocode_method"] == "unresolved"
    assert report.set_index("place_name")["status"].to_dict() == {"Djiboo": "fuzzy",
                                                                  "Xqzzyville": "unmatched"}


def test_country_hint_narrows_and_country_names_locate_to_country_level(places, geodata):
    located, report = locate(places, geodata, [
        {"place_name": "Niger"},
        {"place_name": "Niger", "country": "NER"},
        {"place_name": "Niger", "country": "NGA"},
        {"place_name": "Dosso"},
        {"place_name": "Dosso", "location_precision": "admin1"},
    ])
    assert located["place_id"].tolist() == ["", "country:NER", "admin:NGA-2851",
                                            "geonames:2445488", "admin:NER-93"]
    assert located["location_precision"].tolist()[1:] == ["country", "admin1", "exact", "admin1"]
    assert report["status"].tolist() == ["ambiguous"]


def test_coordinates_are_taken_as_given(places, geodata):
    located, report = locate(places, geodata, [
        {"place_name": "somewhere", "latitude": 14.1, "longitude": -1.6, "country": "BFA"}])
    row = located.iloc[0]
    assert row["geocode_method"] == "coordinates" and row["location_precision"] == "exact"
    assert row["admin2_name"] == "Soum" and report.empty


def test_one_lookup_per_distinct_name(places, geodata):
    rows = [{"place_name": n} for n in ["Djibo", "Diapaga", "Dioura"] * 400]
    located, report = locate(places, geodata, rows)
    assert len(located) == 1200
    assert located["geocode_method"].value_counts().to_dict() == {"exact": 800, "unresolved": 400}
    assert len(report) == 400  # every ambiguous record is listed
