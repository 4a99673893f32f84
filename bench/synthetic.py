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
