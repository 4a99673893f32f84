"""Presence: per unit, period and group, an activity score, a status and its evidence.

The model (``docs/method.md`` explains it in words and formulas):

* every event contributes ``w_type * w_confidence * w_role * w_period`` to the
  group that acted (role 1, split equally among the candidates of a joint
  attribution) and to an armed opponent (role ``opponent_weight``);
  ``w_period`` is the share of the event's dates inside the period;
* the score carries over from period to period with a half-life:
  ``S[p] = A[p] + 0.5 ** (days[p] / half_life_days) * S[p-1]``;
* a status per unit, period and group follows from the score and the shares
  of the groups in the unit: ``none`` below ``present_threshold``;
  ``contested`` when two sides (the state side counts as one: state forces,
  their auxiliaries, foreign forces, PMCs and militias) each hold at least
  ``contest_share``; ``dominant`` at ``dominant_threshold`` and
  ``dominant_share``; else ``present``;
* presence claims covering the period then set or bound the status:
  ``expelled``/``absent`` force ``none`` and clear the carried-over score,
  ``control`` sets ``control`` (events alone never do), ``contested`` and
  ``besieged`` raise to at least ``contested``, ``present`` to at least
  ``present``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np
import pandas as pd

from .actors import JOINT
from .periods import slice_records
from .settings import SUPPORTS

STATUSES = ("none", "present", "contested", "dominant", "control")
RANK = {s: i for i, s in enumerate(STATUSES)}
LEVELS = ("admin1", "admin2", "grid")
STATE_SIDE_KINDS = ("state", "state_auxiliary", "foreign_military", "pmc", "militia")
UNARMED_KINDS = ("civilians",)
# claim statuses → what they do to the computed status
CLAIM_EFFECT = {"expelled": "clear", "absent": "clear", "control": "control",
                "contested": "contested", "besieged": "contested", "present": "present"}
CONFIDENCE_ORDER = {"corroborated": 0, "reported": 1, "assessed": 2, "claimed": 3}
PRESENCE_COLUMNS = ["unit_id", "period", "period_start", "period_end", "group", "side",
                    "activity", "score", "share", "status", "basis", "n_events",
                    "evidence_events", "evidence_claims"]


@dataclass(frozen=True)
class PresenceSettings:
    """Parameters of the presence model; defaults argued in docs/method.md."""

    level: str = "admin1"
    grid_size: float = 0.5
    half_life_days: float = 90.0
    present_threshold: float = 0.5
    dominant_threshold: float = 3.0
    dominant_share: float = 0.75
    contest_share: float = 0.25
    opponent_weight: float = 0.5
    type_weights: dict = field(default_factory=lambda: {
        "battle": 1.0, "attack": 1.0, "remote_violence": 0.5,
        "violence_against_civilians": 0.75, "seizure": 2.0, "base_established": 2.0,
        "pledge": 1.0, "movement": 0.5, "withdrawal": 0.0, "other": 0.25})
    confidence_weights: dict = field(default_factory=lambda: {
        "corroborated": 1.0, "reported": 0.8, "assessed": 0.6, "claimed": 0.5})
    claim_confidences: tuple = ("corroborated", "reported", "assessed", "claimed")
    evidence: bool = True

    def __post_init__(self):
        if self.level not in LEVELS:
            raise ValueError(f"presence level {self.level!r} is not known; use one of: "
                             f"{', '.join(LEVELS)}")
        for name in ("half_life_days", "grid_size"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)!r}")
        for name in ("dominant_share", "contest_share"):
            if not 0 < getattr(self, name) <= 1:
                raise ValueError(f"{name} must be in (0, 1], not {getattr(self, name)!r}")

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def updated(self, **changes) -> "PresenceSettings":
        """A copy with some parameters changed (dict parameters are merged)."""
        for key in ("type_weights", "confidence_weights"):
            if key in changes and changes[key] is not None:
                changes[key] = {**getattr(self, key), **changes[key]}
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def grid_id(lon: np.ndarray, lat: np.ndarray, size: float) -> np.ndarray:
    """Cell id ``g<size>:<ix>:<iy>`` of the regular lon/lat grid (south-west corner index)."""
    ix = np.floor(np.asarray(lon, dtype="float64") / size).astype("int64")
    iy = np.floor(np.asarray(lat, dtype="float64") / size).astype("int64")
    return np.char.add(np.char.add(np.char.add(f"g{size:g}:", ix.astype(str)), ":"),
                       iy.astype(str)).astype(object)


def unit_of(frame: pd.DataFrame, settings: PresenceSettings,
            split_units: frozenset[str] = frozenset()) -> np.ndarray:
    """The unit each located record supports at the settings' level ('' when none).

    ``split_units`` are admin-1 units that have admin-2 children: at level
    ``admin2`` a record there needs an admin-2 id; elsewhere admin-1 is the leaf.
    """
    n = len(frame)
    if n == 0:
        return np.array([], dtype=object)
    a1 = frame["admin1_id"].fillna("").astype(str).to_numpy(dtype=object)
    if settings.level == "admin1":
        return a1
    if settings.level == "admin2":
        a2 = frame["admin2_id"].fillna("").astype(str).to_numpy(dtype=object)
        return np.where(a2 != "", a2, np.where(np.isin(a1, list(split_units)), "", a1))
    precision = frame["location_precision"].fillna("").to_numpy()
    fine = np.isin(precision, [p for p, lv in SUPPORTS.items() if 2 in lv])
    lon = pd.to_numeric(frame["longitude"], errors="coerce").to_numpy()
    lat = pd.to_numeric(frame["latitude"], errors="coerce").to_numpy()
    fine &= np.isfinite(lon) & np.isfinite(lat)
    out = np.full(n, "", dtype=object)
    if fine.any():
        out[fine] = grid_id(lon[fine], lat[fine], settings.grid_size)
    return out


def participation(events: pd.DataFrame, actors: pd.DataFrame,
                  settings: PresenceSettings) -> pd.DataFrame:
    """One row per (event row, group) that took part, with the role weight."""
    kind = actors.set_index("actor_id")["kind"]
    rows = np.arange(len(events))
    actor = events["actor"].fillna("").to_numpy(dtype=object)
    cands = events.get("actor_candidates", pd.Series("", index=events.index)).fillna("")
    joint = actor == JOINT
    parts = [pd.DataFrame({"row": rows[~joint], "group": actor[~joint], "role": 1.0})]
    if joint.any():
        split = pd.Series(cands.to_numpy()[joint], index=rows[joint]).str.split("|")
        n = split.str.len().to_numpy()
        ex = split.explode()
        parts.append(pd.DataFrame({"row": ex.index.to_numpy(), "group": ex.to_numpy(),
                                   "role": np.repeat(1.0 / n, n)}))
    opp = events.get("opponent", pd.Series("", index=events.index)).fillna("").to_numpy(dtype=object)
    armed_opp = (opp != "") & (opp != JOINT) & ~np.isin(
        pd.Series(opp).map(kind).fillna("").to_numpy(), UNARMED_KINDS)
    if settings.opponent_weight > 0 and armed_opp.any():
        parts.append(pd.DataFrame({"row": rows[armed_opp], "group": opp[armed_opp],
                                   "role": settings.opponent_weight}))
    out = pd.concat(parts, ignore_index=True)
    unarmed = out["group"].map(kind).isin(UNARMED_KINDS) | (out["group"] == "")
    return out[~unarmed].reset_index(drop=True)


def _weights(events: pd.DataFrame, settings: PresenceSettings) -> np.ndarray:
    tw = events["event_type"].map(settings.type_weights).fillna(0.0).to_numpy("float64")
    cw = events["confidence"].map(settings.confidence_weights).fillna(0.0).to_numpy("float64")
    return tw * cw


def _sides(groups: np.ndarray, actors: pd.DataFrame) -> np.ndarray:
    kind = pd.Series(groups).map(actors.set_index("actor_id")["kind"]).fillna("")
    return np.where(kind.isin(STATE_SIDE_KINDS), "state", groups).astype(object)


def presence(events: pd.DataFrame, claims: pd.DataFrame, periods: pd.DataFrame,
             actors: pd.DataFrame, settings: PresenceSettings | None = None, *,
             split_units: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Presence of every group in every unit and period where it has a score or a claim.

    ``events`` and ``claims`` are located and joined records (``admin1_id``,
    ``admin2_id``, ``location_precision``, coordinates); ``periods`` comes from
    :mod:`sahelmap.periods`. Returns one row per (unit, period, group) with the
    columns of ``PRESENCE_COLUMNS``; rows whose score has decayed below 1% of
    the presence threshold, with no event and no claim, are left out.
    """
    settings = settings or PresenceSettings()
    P = len(periods)
    id_col = "event_id" if "event_id" in events.columns else events.columns[0]

    # --- events → (unit, group, period) activity
    ev_unit = unit_of(events, settings, split_units)
    part = participation(events, actors, settings)
    part["unit"] = ev_unit[part["row"].to_numpy()] if len(part) else []
    part = part[part["unit"] != ""]
    base_w = _weights(events, settings)
    sl = slice_records(events["date_start"], events["date_end"], periods)
    contrib = part.merge(sl, on="row")
    contrib["w"] = (contrib["role"].to_numpy() * contrib["weight"].to_numpy()
                    * base_w[contrib["row"].to_numpy()])

    # --- claims → (unit, group, period) effects
    cl = claims[claims["confidence"].isin(settings.claim_confidences)] if len(claims) else claims
    cl_unit = unit_of(cl, settings, split_units)
    csl = slice_records(cl["date_start"], cl["date_end"], periods) if len(cl) else \
        pd.DataFrame({"row": [], "pidx": [], "weight": []})
    if len(csl):
        r = csl["row"].to_numpy()
        csl = csl.assign(unit=cl_unit[r], group=cl["actor"].to_numpy(dtype=object)[r],
                         effect=cl["status"].map(CLAIM_EFFECT).to_numpy(dtype=object)[r],
                         conf=cl["confidence"].map(CONFIDENCE_ORDER).to_numpy()[r],
                         start=pd.to_datetime(cl["date_start"]).to_numpy()[r],
                         claim_id=cl["claim_id"].to_numpy(dtype=object)[r])
        csl = csl[(csl["unit"] != "") & csl["group"].ne(JOINT) & csl["effect"].notna()]

    # --- dense (unit, group) × period arrays over the combinations that occur
    keys = pd.concat([contrib[["unit", "group"]],
                      csl[["unit", "group"]] if len(csl) else None]).drop_duplicates()
    keys = keys.sort_values(["unit", "group"]).reset_index(drop=True)
    K = len(keys)
    if K == 0:
        return pd.DataFrame(columns=PRESENCE_COLUMNS)
    kidx = pd.MultiIndex.from_frame(keys)
    ck = kidx.get_indexer(pd.MultiIndex.from_frame(contrib[["unit", "group"]]))
    A = np.zeros((K, P))
    np.add.at(A, (ck, contrib["pidx"].to_numpy()), contrib["w"].to_numpy())
    N = np.zeros((K, P), dtype="int64")
    np.add.at(N, (ck, contrib["pidx"].to_numpy()), 1)

    effect = np.full((K, P), "", dtype=object)
    claim_ids = None
    if len(csl):
        kk = kidx.get_indexer(pd.MultiIndex.from_frame(csl[["unit", "group"]]))
        csl = csl.assign(k=kk)
        # one claim decides each cell: best confidence, then the latest statement,
        # then the strongest effect (clear beats control beats contested beats present)
        order = {"clear": 0, "control": 1, "contested": 2, "present": 3}
        csl = csl.assign(eo=csl["effect"].map(order))
        best = csl.sort_values(["k", "pidx", "conf", "start", "eo"],
                               ascending=[True, True, True, False, True]).drop_duplicates(["k", "pidx"])
        effect[best["k"].to_numpy(), best["pidx"].to_numpy()] = best["effect"].to_numpy()
        claim_ids = (csl.sort_values("claim_id").drop_duplicates(["k", "pidx", "claim_id"])
                     .groupby(["k", "pidx"])["claim_id"].agg("|".join)
                     .rename("evidence_claims").reset_index().rename(columns={"pidx": "_p", "k": "_k"}))

    # --- decayed score; an expulsion clears what was carried over
    days = periods["days"].to_numpy("float64")
    carry = 0.5 ** (days / settings.half_life_days)
    cleared = effect == "clear"
    S = np.empty_like(A)
    prev = np.zeros(K)
    for p in range(P):
        prev = A[:, p] + carry[p] * np.where(cleared[:, p], 0.0, prev)
        S[:, p] = prev

    # --- shares and status from events
    unit_codes, unit_index = pd.factorize(keys["unit"])
    U = len(unit_index)
    total = np.zeros((U, P))
    np.add.at(total, unit_codes, np.where(cleared, 0.0, S))
    share = np.divide(S, total[unit_codes], out=np.zeros_like(S), where=total[unit_codes] > 0)
    share = np.where(cleared, 0.0, share)
    present = (S >= settings.present_threshold) & ~cleared
    side = _sides(keys["group"].to_numpy(dtype=object), actors)
    side_codes = pd.factorize(side)[0]
    strong = present & (share >= settings.contest_share)
    k_s, p_s = np.nonzero(strong)
    pairs = pd.DataFrame({"u": unit_codes[k_s], "p": p_s, "s": side_codes[k_s]}).drop_duplicates()
    n_sides = np.zeros((U, P), dtype="int64")
    np.add.at(n_sides, (pairs["u"].to_numpy(), pairs["p"].to_numpy()), 1)
    contested = n_sides[unit_codes] >= 2
    status = np.full((K, P), RANK["none"], dtype="int64")
    status[present] = RANK["present"]
    dominant = present & (S >= settings.dominant_threshold) & (share >= settings.dominant_share)
    status[dominant] = RANK["dominant"]
    status[present & contested] = RANK["contested"]

    # --- claims set or bound the status
    status[cleared] = RANK["none"]
    status[effect == "control"] = RANK["control"]
    for eff, floor in (("contested", "contested"), ("present", "present")):
        m = effect == eff
        status[m] = np.maximum(status[m], RANK[floor])
    basis = np.where(effect != "", np.where(A > 0, "events+claim", "claim"), "events")

    # --- sparse output
    keep = (A > 0) | (effect != "") | (S >= 0.01 * settings.present_threshold)
    k_o, p_o = np.nonzero(keep)
    out = pd.DataFrame({
        "_k": k_o,
        "_p": p_o,
        "unit_id": keys["unit"].to_numpy()[k_o],
        "period": periods["period"].to_numpy()[p_o],
        "period_start": periods["period_start"].to_numpy()[p_o],
        "period_end": periods["period_end"].to_numpy()[p_o],
        "group": keys["group"].to_numpy()[k_o],
        "side": side[k_o],
        "activity": A[k_o, p_o].round(6),
        "score": S[k_o, p_o].round(6),
        "share": share[k_o, p_o].round(6),
        "status": np.asarray(STATUSES, dtype=object)[status[k_o, p_o]],
        "basis": basis[k_o, p_o],
        "n_events": N[k_o, p_o],
    })
    if settings.evidence and len(contrib):
        ev_ids = events[id_col].to_numpy(dtype=object)
        ev = pd.DataFrame({"k": ck, "p": contrib["pidx"].to_numpy(),
                           "id": ev_ids[contrib["row"].to_numpy()]})
        ev = ev.sort_values(["k", "p", "id"]).drop_duplicates()
        lists = (ev.groupby(["k", "p"], sort=False)["id"].agg("|".join)
                 .rename("evidence_events").reset_index().rename(columns={"k": "_k", "p": "_p"}))
        out = out.merge(lists, on=["_k", "_p"], how="left")
    else:
        out["evidence_events"] = ""
    if claim_ids is not None:
        out = out.merge(claim_ids, on=["_k", "_p"], how="left")
    else:
        out["evidence_claims"] = ""
    out[["evidence_events", "evidence_claims"]] = out[["evidence_events", "evidence_claims"]].fillna("")
    out = out.drop(columns=["_k", "_p"])
    return out.sort_values(["period_start", "unit_id", "group"], kind="stable").reset_index(drop=True)
