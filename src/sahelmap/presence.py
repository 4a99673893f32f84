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
    """Cell id ``g<size>:<ix>:<iy>`` of the regular lon/lat grid (south-west corner index).

    Labels are formatted once per distinct cell, not once per point.
    """
    ix = np.floor(np.asarray(lon, dtype="float64") / size).astype("int64")
    iy = np.floor(np.asarray(lat, dtype="float64") / size).astype("int64")
    cells, inverse = np.unique(np.stack([ix, iy], axis=1), axis=0, return_inverse=True)
    labels = np.array([f"g{size:g}:{x}:{y}" for x, y in cells], dtype=object)
    return labels[inverse.ravel()]


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


def _codes(values, vocabulary: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Factorize strings once: (integer codes, distinct values); NaN becomes ''."""
    codes, uniques = pd.factorize(pd.Series(values).fillna("").astype(str))
    return codes.astype("int64"), np.asarray(uniques, dtype=object)


def _map_codes(codes: np.ndarray, uniques: np.ndarray, mapping, default) -> np.ndarray:
    """Map a factorized column through a dict or Series, touching each distinct value once."""
    mapped = pd.Series(uniques, dtype=object).map(mapping).fillna(default).to_numpy()
    return mapped[codes]


def participation(events: pd.DataFrame, actors: pd.DataFrame,
                  settings: PresenceSettings) -> pd.DataFrame:
    """One row per (event row, group) that took part, with the role weight.

    The acting group has role 1 (split equally among the candidates of a joint
    attribution); an armed opponent has role ``opponent_weight``; civilians and
    blanks take no part. Rows are ordered by event row.
    """
    kind = actors.set_index("actor_id")["kind"]
    n = len(events)
    rows = np.arange(n)
    a_codes, a_uniq = _codes(events["actor"])
    actor = a_uniq[a_codes] if n else np.array([], dtype=object)
    joint = actor == JOINT
    parts = [pd.DataFrame({"row": rows[~joint], "group": actor[~joint], "role": 1.0})]
    if joint.any():
        cands = events.get("actor_candidates", pd.Series("", index=events.index)).fillna("")
        split = pd.Series(cands.to_numpy()[joint], index=rows[joint]).str.split("|")
        count = split.str.len().to_numpy()
        ex = split.explode()
        parts.append(pd.DataFrame({"row": ex.index.to_numpy(), "group": ex.to_numpy(),
                                   "role": np.repeat(1.0 / count, count)}))
    if settings.opponent_weight > 0 and "opponent" in events:
        o_codes, o_uniq = _codes(events["opponent"])
        opp = o_uniq[o_codes]
        armed = (opp != "") & (opp != JOINT)
        parts.append(pd.DataFrame({"row": rows[armed], "group": opp[armed],
                                   "role": settings.opponent_weight}))
    out = pd.concat(parts, ignore_index=True)
    g_codes, g_uniq = _codes(out["group"])
    unarmed = pd.Series(g_uniq).map(kind).isin(UNARMED_KINDS).to_numpy() | (g_uniq == "")
    out = out[~unarmed[g_codes]]
    return out.sort_values("row", kind="stable").reset_index(drop=True)


def _weights(events: pd.DataFrame, settings: PresenceSettings) -> np.ndarray:
    tw = _map_codes(*_codes(events["event_type"]), settings.type_weights, 0.0)
    cw = _map_codes(*_codes(events["confidence"]), settings.confidence_weights, 0.0)
    return tw.astype("float64") * cw.astype("float64")


def _sides(groups: np.ndarray, actors: pd.DataFrame) -> np.ndarray:
    kind = pd.Series(groups).map(actors.set_index("actor_id")["kind"]).fillna("")
    return np.where(kind.isin(STATE_SIDE_KINDS), "state", groups).astype(object)


def _pair(left_rows: np.ndarray, right_rows: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """All (i, j) with left_rows[i] == right_rows[j]; ``right_rows`` sorted. Vectorised join."""
    count = np.bincount(right_rows, minlength=n)
    start = np.cumsum(count) - count
    reps = count[left_rows]
    i = np.repeat(np.arange(len(left_rows)), reps)
    j = np.repeat(start[left_rows], reps) + (np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps))
    return i, j


def _join_ids(key: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct ids per key, in text order, joined with '|': (sorted keys, joined strings)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    key = np.asarray(key, dtype="int64")
    if len(key) == 0:
        return key, np.array([], dtype=object)
    codes, uniques = pd.factorize(pd.Series(ids, dtype=object).astype(str), sort=True)
    order = np.lexsort((codes, key))
    key, codes = key[order], codes[order]
    new = np.r_[True, (key[1:] != key[:-1]) | (codes[1:] != codes[:-1])]
    key, codes = key[new], codes[new]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    offsets = pa.array(np.r_[starts, len(key)].astype("int32"))
    values = pa.array(np.asarray(uniques, dtype=object), pa.string()).take(pa.array(codes))
    joined = pc.binary_join(pa.ListArray.from_arrays(offsets, values), "|")
    return key[starts], joined.to_numpy(zero_copy_only=False).astype(object)


def presence(events: pd.DataFrame, claims: pd.DataFrame, periods: pd.DataFrame,
             actors: pd.DataFrame, settings: PresenceSettings | None = None, *,
             split_units: frozenset[str] = frozenset()) -> pd.DataFrame:
    """Presence of every group in every unit and period where it has a score or a claim.

    ``events`` and ``claims`` are located and joined records (``admin1_id``,
    ``admin2_id``, ``location_precision``, coordinates); ``periods`` comes from
    :mod:`sahelmap.periods`. Returns one row per (unit, period, group) with the
    columns of ``PRESENCE_COLUMNS``; rows whose score has decayed below 1% of
    the presence threshold, with no event and no claim, are left out.
    Everything is vectorised over events; the only loop runs over periods.
    """
    settings = settings or PresenceSettings()
    P = len(periods)
    id_col = "event_id" if "event_id" in events.columns else events.columns[0]

    # --- events → contributions (unit, group, period, weight), as integer codes
    ev_unit = unit_of(events, settings, split_units)
    part = participation(events, actors, settings)
    part = part[ev_unit[part["row"].to_numpy()] != ""] if len(part) else part
    sl = slice_records(events["date_start"], events["date_end"], periods)
    pi, sj = _pair(part["row"].to_numpy(), sl["row"].to_numpy(), len(events))
    c_row = part["row"].to_numpy()[pi]
    c_pidx = sl["pidx"].to_numpy()[sj]
    c_w = (part["role"].to_numpy()[pi] * sl["weight"].to_numpy()[sj]
           * _weights(events, settings)[c_row])
    c_unit = ev_unit[c_row]
    c_group = part["group"].to_numpy(dtype=object)[pi]

    # --- claims → (unit, group, period, effect)
    cl = claims[claims["confidence"].isin(settings.claim_confidences)] if len(claims) else claims
    cl_unit = unit_of(cl, settings, split_units)
    csl = slice_records(cl["date_start"], cl["date_end"], periods) if len(cl) else \
        pd.DataFrame({"row": np.array([], "int64"), "pidx": np.array([], "int64")})
    r = csl["row"].to_numpy()
    csl = pd.DataFrame({
        "pidx": csl["pidx"].to_numpy(),
        "unit": cl_unit[r] if len(cl) else np.array([], dtype=object),
        "group": cl["actor"].to_numpy(dtype=object)[r] if len(cl) else np.array([], dtype=object),
        "effect": cl["status"].map(CLAIM_EFFECT).to_numpy(dtype=object)[r] if len(cl) else [],
        "conf": cl["confidence"].map(CONFIDENCE_ORDER).to_numpy()[r] if len(cl) else [],
        "start": pd.to_datetime(cl["date_start"]).to_numpy()[r] if len(cl) else [],
        "claim_id": cl["claim_id"].to_numpy(dtype=object)[r] if len(cl) else [],
    })
    csl = csl[(csl["unit"] != "") & (csl["group"] != JOINT) & csl["effect"].notna()]

    # --- the (unit, group) combinations that occur, as one integer key
    u_codes, u_uniq = _codes(np.concatenate([c_unit, csl["unit"].to_numpy(dtype=object)]))
    g_codes, g_uniq = _codes(np.concatenate([c_group, csl["group"].to_numpy(dtype=object)]))
    G = max(len(g_uniq), 1)
    key = u_codes * G + g_codes
    keys, kpos = np.unique(key, return_inverse=True)
    # order the combinations by (unit id, group id) text for stable output
    k_unit, k_group = u_uniq[keys // G], g_uniq[keys % G]
    order = np.lexsort((k_group.astype(str), k_unit.astype(str)))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    kpos = rank[kpos]
    k_unit, k_group = k_unit[order], k_group[order]
    K = len(keys)
    if K == 0:
        return pd.DataFrame(columns=PRESENCE_COLUMNS)
    ck, cc = kpos[: len(c_unit)], kpos[len(c_unit):]
    flat = (ck * P + c_pidx).astype("int64")
    A = np.bincount(flat, weights=c_w.astype("float64"), minlength=K * P).reshape(K, P)
    A = A.astype("float64")
    N = np.bincount(flat, minlength=K * P).reshape(K, P)

    effect = np.full((K, P), "", dtype=object)
    claim_lists = None
    if len(csl):
        csl = csl.assign(k=cc)
        # one claim decides each cell: best confidence, then the latest statement,
        # then the strongest effect (clear beats control beats contested beats present)
        order_eff = {"clear": 0, "control": 1, "contested": 2, "present": 3}
        csl = csl.assign(eo=csl["effect"].map(order_eff))
        best = csl.sort_values(["k", "pidx", "conf", "start", "eo"],
                               ascending=[True, True, True, False, True]).drop_duplicates(["k", "pidx"])
        effect[best["k"].to_numpy(), best["pidx"].to_numpy()] = best["effect"].to_numpy()
        claim_lists = _join_ids(csl["k"].to_numpy() * P + csl["pidx"].to_numpy(),
                                csl["claim_id"].to_numpy(dtype=object))

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
    unit_codes, unit_index = pd.factorize(pd.Series(k_unit))
    U = len(unit_index)
    total = np.zeros((U, P))
    np.add.at(total, unit_codes, np.where(cleared, 0.0, S))
    share = np.divide(S, total[unit_codes], out=np.zeros_like(S), where=total[unit_codes] > 0)
    share = np.where(cleared, 0.0, share)
    present = (S >= settings.present_threshold) & ~cleared
    side = _sides(k_group, actors)
    side_codes = pd.factorize(pd.Series(side))[0]
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
        "unit_id": k_unit[k_o],
        "period": periods["period"].to_numpy()[p_o],
        "period_start": periods["period_start"].to_numpy()[p_o],
        "period_end": periods["period_end"].to_numpy()[p_o],
        "group": k_group[k_o],
        "side": side[k_o],
        "activity": A[k_o, p_o].round(6),
        "score": S[k_o, p_o].round(6),
        "share": share[k_o, p_o].round(6),
        "status": np.asarray(STATUSES, dtype=object)[status[k_o, p_o]],
        "basis": basis[k_o, p_o],
        "n_events": N[k_o, p_o],
    })
    cell = k_o * P + p_o
    out["evidence_events"] = ""
    out["evidence_claims"] = ""
    if settings.evidence and len(flat):
        ids = events[id_col].to_numpy(dtype=object)[c_row]
        ek, ev_lists = _join_ids(flat, ids)
        pos = np.searchsorted(ek, cell)
        hit = (pos < len(ek)) & (ek[np.minimum(pos, len(ek) - 1)] == cell)
        out.loc[hit, "evidence_events"] = ev_lists[pos[hit]]
    if claim_lists is not None and len(claim_lists[0]):
        ck_, c_lists = claim_lists
        pos = np.searchsorted(ck_, cell)
        hit = (pos < len(ck_)) & (ck_[np.minimum(pos, len(ck_) - 1)] == cell)
        out.loc[hit, "evidence_claims"] = c_lists[pos[hit]]
    return out.sort_values(["period_start", "unit_id", "group"], kind="stable").reset_index(drop=True)
