"""Sensitivity: how often a status holds when the main parameters move.

The presence model is rerun with each main parameter set, one at a time, to
the low and high ends of a documented range (:data:`RANGES`), everything else
at its setting. For every (place, period, group) row of the run with the
settings, ``stability`` is the share of all runs (that one included) that give
it the same status; for every place and period, the share that give the same
zone and holder. A status that holds in every run is robust to these choices;
one that holds in half of them rests on them. The map fades unstable places.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .presence import Places, PresenceSettings, presence_tables

# parameter -> (low, high): the ends of the range the method page argues for
RANGES: dict[str, tuple[float, float]] = {
    "half_life_days": (45.0, 180.0),
    "kernel_km": (25.0, 60.0),
    "present_threshold": (0.35, 0.75),
    "dominant_threshold": (2.0, 4.5),
    "contest_share": (0.15, 0.35),
}
UNSTABLE = 0.75  # below this share of runs the map fades a status


def variants(settings: PresenceSettings) -> list[tuple[str, PresenceSettings]]:
    """(label, settings) of every run but the base one, one parameter moved at a time."""
    out = []
    for name, values in RANGES.items():
        for value in values:
            if value != getattr(settings, name):
                out.append((f"{name}={value:g}", settings.updated(**{name: value})))
    return out


def sensitivity(events: pd.DataFrame, claims: pd.DataFrame | None, periods: pd.DataFrame,
                actors: pd.DataFrame, settings: PresenceSettings, *, places: Places,
                base: dict | None = None, progress=None) -> dict[str, pd.DataFrame]:
    """The base tables with a ``stability`` column, and the status of every run.

    Returns ``presence`` and ``zones`` (the base run's tables, ``stability``
    added) and ``runs``: one row per base presence row, one column per run.
    ``base``: the base run's tables when already computed.
    """
    base = base or presence_tables(events, claims, periods, actors, settings, places=places)
    pres, zones = base["presence"].copy(), base["zones"].copy()
    p_key = pd.MultiIndex.from_frame(pres[["unit_id", "period", "group"]])
    z_key = pd.MultiIndex.from_frame(zones[["unit_id", "period"]])
    z_base = zones["zone"].astype(str) + ":" + zones["holder"].astype(str)
    runs = pd.DataFrame({"unit_id": pres["unit_id"], "period": pres["period"],
                         "group": pres["group"], "status": pres["status"]})
    same_p = np.ones(len(pres))
    same_z = np.ones(len(zones))
    todo = variants(settings)
    for i, (label, s) in enumerate(todo):
        out = presence_tables(events, claims, periods, actors, s.updated(evidence=False),
                              places=places)
        got = out["presence"].set_index(["unit_id", "period", "group"])["status"]
        status = got.reindex(p_key).fillna("none").to_numpy()
        runs[label] = status
        if progress:
            progress("sensitivity runs", i + 1, len(todo))
        same_p += status == pres["status"].to_numpy()
        z = out["zones"]
        zs = pd.Series((z["zone"].astype(str) + ":" + z["holder"].astype(str)).to_numpy(),
                       index=pd.MultiIndex.from_frame(z[["unit_id", "period"]]))
        same_z += zs.reindex(z_key).fillna("none:").to_numpy() == z_base.to_numpy()
    n = len(todo) + 1
    pres["stability"] = np.round(same_p / n, 3)
    zones["stability"] = np.round(same_z / n, 3)
    runs.insert(4, "stability", pres["stability"].to_numpy())
    return {"presence": pres, "zones": zones, "runs": runs}


def summary(presence: pd.DataFrame) -> dict[str, float]:
    """Shares of the non-none statuses that hold in every run, and below :data:`UNSTABLE`."""
    shown = presence[presence["status"] != "none"]
    st = pd.to_numeric(shown.get("stability"), errors="coerce").dropna()
    if st.empty:
        return {}
    return {"rows": int(len(st)), "all_runs": float((st >= 0.999).mean()),
            "unstable": float((st < UNSTABLE).mean())}
