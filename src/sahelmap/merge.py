"""Merging sources: events that two datasets report twice are linked, not counted twice.

A pair is a likely duplicate when the dates overlap or are at most ``days``
apart, the points are at most ``km`` apart, and the actors are compatible (the
same group on the same side, or the two sides swapped). The later dataset's
event gets ``duplicate_of`` = the earlier one's id and stops counting in the
analysis; every link is reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .axes import haversine_km

DATASET_ORDER = ("notes", "acled", "ucdp")


def link_duplicates(events: pd.DataFrame, *, days: int = 1, km: float = 5.0
                    ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the events with ``duplicate_of`` set, and a frame of the links."""
    out = events.copy()
    out["duplicate_of"] = ""
    cols = ["event_id", "dataset", "date_start", "date_end", "latitude", "longitude", "actor",
            "opponent"]
    links = pd.DataFrame(columns=["event_id", "duplicate_of", "km", "days_apart"])
    if out.empty or out["dataset"].nunique() < 2:
        return out, links
    ev = out[cols].copy()
    ev["pos"] = np.arange(len(ev))
    ev["d0"] = pd.to_datetime(ev["date_start"]).to_numpy("datetime64[D]").astype("int64")
    ev["d1"] = pd.to_datetime(ev["date_end"]).to_numpy("datetime64[D]").astype("int64")
    ev = ev[pd.to_numeric(ev["latitude"], errors="coerce").notna()]
    rank = {d: i for i, d in enumerate(DATASET_ORDER)}
    ev["rank"] = ev["dataset"].map(rank).fillna(len(rank))
    # candidate pairs share a start day within ±days: expand one side over the window
    shifted = pd.concat([ev.assign(key=ev["d0"] + k) for k in range(-days, days + 1)])
    pairs = ev.assign(key=ev["d0"]).merge(shifted, on="key", suffixes=("", "_o"))
    pairs = pairs[(pairs["dataset"] != pairs["dataset_o"]) & (pairs["rank"] < pairs["rank_o"])]
    if pairs.empty:
        return out, links
    dist = haversine_km(pairs["longitude"].astype(float), pairs["latitude"].astype(float),
                        pairs["longitude_o"].astype(float), pairs["latitude_o"].astype(float))
    same = (pairs["actor"] == pairs["actor_o"]) & (pairs["actor"] != "")
    swapped = (pairs["actor"] == pairs["opponent_o"]) & (pairs["opponent"] == pairs["actor_o"]) \
        & (pairs["actor"] != "")
    pairs = pairs.assign(km=dist)[(dist <= km) & (same | swapped)]
    # each later event links to its nearest earlier one; each earlier one is used once
    pairs = pairs.sort_values(["pos_o", "km", "pos"]).drop_duplicates("pos_o")
    pairs = pairs.drop_duplicates("pos")
    out.iloc[pairs["pos_o"].to_numpy(), out.columns.get_loc("duplicate_of")] = \
        pairs["event_id"].to_numpy()
    links = pd.DataFrame({"event_id": pairs["event_id_o"].to_numpy(),
                          "duplicate_of": pairs["event_id"].to_numpy(),
                          "km": pairs["km"].round(2).to_numpy(),
                          "days_apart": (pairs["d0_o"] - pairs["d0"]).abs().to_numpy()})
    return out, links.sort_values("event_id").reset_index(drop=True)
