"""Synthetic ACLED-like events for the benchmark: clustered hotspots over the real
admin layer, 2012-2025, a realistic mix of actors, precisions and event types.

Everything is vectorised numpy; the same seed gives the same events.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sahelmap.join import locate_units

# share of events by actor, opponent pools, roughly after ACLED's Sahel mix
ACTORS = {"jnim": .27, "isgs": .11, "mil_mli": .10, "mil_bfa": .12, "mil_ner": .05,
          "vdp": .05, "fla": .03, "wagner": .03, "ansaru": .01, "jas": .04, "iswap": .04,
          "mil_nga": .05, "dozo": .02, "fulani_militia": .02, "unidentified": .06}
OPPONENTS = ["civilians", "mil_bfa", "mil_mli", "jnim", "isgs", "vdp", "mil_ner", ""]
OPP_P = [.35, .15, .12, .1, .06, .07, .05, .10]
TYPES = ["attack", "battle", "violence_against_civilians", "remote_violence", "seizure",
         "base_established", "movement", "other"]
TYPE_P = [.32, .28, .24, .08, .03, .01, .02, .02]
CONF = ["corroborated", "reported", "claimed"]
CONF_P = [.3, .6, .1]


def hotspots(admin1, admin2, n: int = 80, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    lon = rng.uniform(-12, 14, n * 8)
    lat = rng.uniform(4.5, 22, n * 8)
    units = locate_units(lon, lat, admin1, admin2)
    inside = (units["admin1_id"] != "").to_numpy()
    lon, lat = lon[inside][:n], lat[inside][:n]
    return pd.DataFrame({"lon": lon, "lat": lat, "weight": rng.pareto(1.5, len(lon)) + 0.2,
                         "sigma": rng.uniform(0.05, 0.5, len(lon)),
                         "start": rng.integers(2012, 2024, len(lon))})


def events(n: int, admin1, admin2, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    hs = hotspots(admin1, admin2)
    h = rng.choice(len(hs), n, p=(hs["weight"] / hs["weight"].sum()).to_numpy())
    lon = hs["lon"].to_numpy()[h] + rng.normal(0, 1, n) * hs["sigma"].to_numpy()[h]
    lat = hs["lat"].to_numpy()[h] + rng.normal(0, 1, n) * hs["sigma"].to_numpy()[h]
    # activity grows over time: more events in later years, none before a hotspot starts
    first = pd.to_datetime(hs["start"].astype(str) + "-01-01").to_numpy()[h]
    span = (np.datetime64("2025-12-31") - first).astype("timedelta64[D]").astype(int)
    day = first + (np.sqrt(rng.random(n)) * span).astype("timedelta64[D]")
    tp = rng.choice([1, 2, 3], n, p=[.85, .1, .05])  # ACLED time_precision
    start = day.astype("datetime64[D]")
    month_start = start.astype("datetime64[M]").astype("datetime64[D]")
    month_end = (start.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    week_start = start - 3
    date_start = np.where(tp == 1, start, np.where(tp == 2, week_start, month_start))
    date_end = np.where(tp == 1, start, np.where(tp == 2, start + 3, month_end))
    gp = rng.choice(["exact", "near", "admin1"], n, p=[.7, .2, .1])  # ACLED geo_precision 1/2/3
    names = list(ACTORS)
    actor = rng.choice(names, n, p=np.array(list(ACTORS.values())) / sum(ACTORS.values()))
    return pd.DataFrame({
        "event_id": np.char.add("synth:", np.arange(n).astype(str)),
        "date_start": date_start,
        "date_end": date_end,
        "actor": actor,
        "opponent": rng.choice(OPPONENTS, n, p=OPP_P),
        "event_type": rng.choice(TYPES, n, p=TYPE_P),
        "fatalities": rng.poisson(2.5, n),
        "latitude": lat.round(5),
        "longitude": lon.round(5),
        "location_precision": gp,
        "confidence": rng.choice(CONF, n, p=CONF_P),
    })


# --- an ACLED export (2023+ layout) -------------------------------------------------

ACLED_COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type",
                 "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2",
                 "assoc_actor_2", "inter2", "interaction", "civilian_targeting", "iso", "region",
                 "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
                 "geo_precision", "source", "source_scale", "notes", "fatalities", "tags",
                 "timestamp"]
COUNTRY = {"BFA": ("Burkina Faso", 854), "MLI": ("Mali", 466), "NER": ("Niger", 562),
           "NGA": ("Nigeria", 566), "BEN": ("Benin", 204), "TGO": ("Togo", 768)}
STATE = {"BFA": "Military Forces of Burkina Faso (2022-)", "MLI": "Military Forces of Mali (2021-)",
         "NER": "Military Forces of Niger (2023-)", "NGA": "Military Forces of Nigeria (2023-)",
         "BEN": "Military Forces of Benin (2016-)", "TGO": "Military Forces of Togo (2005-)"}
# ACLED actor names (as its exports write them) and their share of events
ACLED_ACTORS = {"JNIM: Group for Support of Islam and Muslims": .30,
                "Islamic State Sahel Province": .10, "Islamic State (West Africa)": .06,
                "STATE": .22, "Wagner Group": .03, "VDP: Volunteers for the Defense of the Homeland": .06,
                "Dozo Communal Militia (Burkina Faso)": .03,
                "Unidentified Armed Group (Burkina Faso)": .08,
                "Katiba Serma": .02,  # not in the alias table: reported as unknown
                "JNIM: Group for Support of Islam and Muslims and/or Islamic State Sahel Province": .02,
                "Fulani Ethnic Militia (Mali)": .03, "Boko Haram - Jamaatu Ahli is-Sunnah lid-Dawati wal-Jihad": .05}
ACLED_OPPONENTS = ["Civilians (Burkina Faso)", "STATE", "JNIM: Group for Support of Islam and Muslims",
                   "Islamic State Sahel Province", "VDP: Volunteers for the Defense of the Homeland", ""]
OPPONENT_P = [.35, .25, .1, .07, .08, .15]
ACLED_TYPES = [  # (disorder type, event type, sub-event type, share)
    ("Political violence", "Battles", "Armed clash", .30),
    ("Political violence", "Violence against civilians", "Attack", .25),
    ("Political violence", "Explosions/Remote violence", "Remote explosive/landmine/IED", .08),
    ("Political violence", "Explosions/Remote violence", "Air/drone strike", .05),
    ("Political violence", "Battles", "Non-state actor overtakes territory", .02),
    ("Political violence", "Battles", "Government regains territory", .02),
    ("Political violence", "Violence against civilians", "Abduction/forced disappearance", .10),
    ("Strategic developments", "Strategic developments", "Headquarters or base established", .01),
    ("Strategic developments", "Strategic developments", "Looting/property destruction", .07),
    ("Political violence", "Strategic developments", "Movement of forces", .03),
    ("Demonstrations", "Protests", "Peaceful protest", .07),
]


COUNTRY_SHARE = {"BFA": .35, "MLI": .30, "NER": .15, "NGA": .12, "BEN": .05, "TGO": .03}


def _acled_places(geodata, rng) -> pd.DataFrame:
    """Towns of the Sahel countries from the gazetteer, with a weight per town: each
    country's share of events (Burkina Faso and Mali first), and within a country a few
    hotspots carrying most of them, as in ACLED's Sahel data."""
    from pathlib import Path

    places = pd.read_csv(Path(__file__).resolve().parents[1] / "geodata" / "geonames_places.csv",
                         keep_default_na=False)
    towns = places[places["country"].isin(list(COUNTRY))].reset_index(drop=True)
    weight = rng.lognormal(0.0, 1.0, len(towns))
    weight[rng.random(len(towns)) < 0.7] *= 0.1  # most places see few events
    share = towns["country"].map(COUNTRY_SHARE).to_numpy()
    in_country = pd.Series(weight).groupby(towns["country"]).transform("sum").to_numpy()
    return towns.assign(weight=weight / in_country * share)


def acled_export(n: int, geodata, seed: int = 11) -> pd.DataFrame:
    """``n`` rows of an ACLED export in the 2023+ layout, every column as text: events
    at real Sahel towns (so coordinates repeat, as in ACLED), 2012-2025 with activity
    growing over time, ACLED's actor and event-type names, notes with commas and
    quotes (one in a thousand spanning two lines), and a row in twenty thousand that an
    importer must flag (no date, no coordinates, an unusable fatality count)."""
    rng = np.random.default_rng(seed)
    towns = _acled_places(geodata, rng)
    t = rng.choice(len(towns), n, p=towns["weight"].to_numpy() / towns["weight"].sum())
    iso = towns["country"].to_numpy()[t].astype(object)
    day = np.datetime64("2012-01-01") + (np.sqrt(rng.random(n)) * 5113).astype("timedelta64[D]")
    kinds = rng.choice(len(ACLED_TYPES), n, p=[k[3] for k in ACLED_TYPES])
    names = list(ACLED_ACTORS)
    actor = np.asarray(names, dtype=object)[rng.choice(len(names), n, p=list(ACLED_ACTORS.values()))]
    opponent = np.asarray(ACLED_OPPONENTS, dtype=object)[rng.choice(len(ACLED_OPPONENTS), n, p=OPPONENT_P)]
    state = pd.Series(iso).map(STATE).to_numpy(dtype=object)
    actor = np.where(actor == "STATE", state, actor)
    opponent = np.where(opponent == "STATE", state, opponent)
    country = pd.Series(iso).map({k: v[0] for k, v in COUNTRY.items()}).to_numpy(dtype=object)
    location = towns["name"].to_numpy(dtype=object)[t]
    fatalities = rng.poisson(2.0, n).astype(object)
    notes = (pd.Series(day.astype(str)) + ": " + pd.Series(actor) + ", reportedly "
             + np.where(rng.random(n) < 0.5, "attacked", "clashed with") + " "
             + pd.Series(opponent).replace("", "unknown assailants") + " near "
             + pd.Series(location) + ", " + pd.Series(country) + ".").to_numpy(dtype=object)
    quoted = rng.random(n) < 0.01
    notes[quoted] = notes[quoted] + ' A resident said "they came at dawn, on motorbikes".'
    two_lines = rng.random(n) < 0.001
    notes[two_lines] = notes[two_lines] + "\nUpdate: toll revised."
    lat = np.round(towns["latitude"].to_numpy()[t], 4).astype(object)
    lon = np.round(towns["longitude"].to_numpy()[t], 4).astype(object)
    date = day.astype(str).astype(object)
    bad = rng.choice(n, max(n // 20000, 1), replace=False)
    third = len(bad) // 3
    date[bad[:third]] = ""
    lat[bad[third:2 * third]] = ""
    fatalities[bad[2 * third:]] = "-5"
    return pd.DataFrame({
        "event_id_cnty": pd.Series(iso).str.cat(pd.Series(np.arange(1, n + 1).astype(str))),
        "event_date": date, "year": day.astype("datetime64[Y]").astype(str).astype(object),
        "time_precision": rng.choice(["1", "2", "3"], n, p=[.85, .1, .05]).astype(object),
        "disorder_type": np.asarray([k[0] for k in ACLED_TYPES], dtype=object)[kinds],
        "event_type": np.asarray([k[1] for k in ACLED_TYPES], dtype=object)[kinds],
        "sub_event_type": np.asarray([k[2] for k in ACLED_TYPES], dtype=object)[kinds],
        "actor1": actor, "assoc_actor_1": "", "inter1": "Rebel group", "actor2": opponent,
        "assoc_actor_2": "", "inter2": np.where(opponent == "", "", "State forces"),
        "interaction": "Rebel group-State forces", "civilian_targeting": "",
        "iso": pd.Series(iso).map({k: str(v[1]) for k, v in COUNTRY.items()}).to_numpy(dtype=object),
        "region": "Western Africa", "country": country, "admin1": "", "admin2": "", "admin3": "",
        "location": location, "latitude": lat, "longitude": lon,
        "geo_precision": rng.choice(["1", "2", "3"], n, p=[.8, .15, .05]).astype(object),
        "source": "Synthetic source", "source_scale": "Local", "notes": notes,
        "fatalities": fatalities, "tags": "", "timestamp": "1747000000",
    }, columns=ACLED_COLUMNS)
