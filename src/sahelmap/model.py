"""The presence model on one space of places: scores, statuses, bases and evidence.

The model (``docs/method.md`` states it in words and formulas):

* records become support (:mod:`sahelmap.support`): who, when and where;
* per place (a grid cell for point records, an admin unit for records located
  only to it) and group, the period's ordinary activity and the *holds* of
  existence evidence add up to a score that carries over with a half-life:
  ``S[p] = O[p] + 0.5 ** (days[p] / half_life_days) * S[p-1]``, cleared when
  the group's presence there ends;
* statuses follow from the scores and the shares of the sides in the place
  (``none``, ``present``, ``contested``, ``dominant``); claims then set or bound
  them (``control`` only from a claim; ``expelled``/``absent`` force ``none``),
  and a claim holds after its dates as ``present`` while its decayed weight
  ``claim_score * w_conf * 0.5 ** (age / half_life_days)`` reaches the
  presence threshold;
* one verdict per place and period (:mod:`sahelmap.zones`) makes the group
  statuses consistent; admin units summarise their cells
  (:mod:`sahelmap.summary`).

Every status carries its basis (``events`` or the confidence of the claim that
sets it), the best confidence behind it, and how old its latest evidence is.
Everything is vectorised over records; the only loops run over periods and
over the few kernel offsets.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np
import pandas as pd

from ._arrays import codes, map_codes, unique_ints
from .actors import JOINT
from .periods import slice_records
from .support import (CONFIDENCE_CODE, EXISTENCE_TYPES, FULL_EFFECT, NO_CONF, ROLES,
                      Footprints, pair_rows, participation, role_weight)
from .zones import reconcile

STATUSES = ("none", "present", "contested", "dominant", "control")
RANK = {s: i for i, s in enumerate(STATUSES)}
BASES = ("events", "corroborated", "reported", "assessed", "claimed")
LEVELS = ("grid", "admin2", "admin1")
STATE_SIDE_KINDS = ("state", "state_auxiliary", "foreign_military", "pmc", "militia")
# claim statuses → what they do to the computed status
CLAIM_EFFECT = {"expelled": "clear", "absent": "clear", "control": "control",
                "contested": "contested", "besieged": "contested", "present": "present"}
EFFECT_CODE = {"": 0, "clear": 1, "control": 2, "contested": 3, "present": 4}
CONFIDENCE_ORDER = CONFIDENCE_CODE
@dataclass(frozen=True)
class PresenceSettings:
    """Parameters of the presence model; defaults argued in docs/method.md."""

    level: str = "grid"
    cell_km: float = 25.0
    kernel_km: float = 40.0
    half_life_days: float = 90.0
    present_threshold: float = 0.5
    dominant_threshold: float = 3.0
    dominant_share: float = 0.75
    contest_share: float = 0.25
    opponent_weight: float = 0.5
    unit_share: float = 0.25
    claim_score: float = 2.0
    type_weights: dict = field(default_factory=lambda: {
        "battle": 1.0, "attack": 1.0, "remote_violence": 0.5,
        "violence_against_civilians": 0.75, "seizure": 2.0, "expulsion": 2.0,
        "base_established": 2.0, "pledge": 1.0, "movement": 0.5, "withdrawal": 0.0,
        "other": 0.25})
    confidence_weights: dict = field(default_factory=lambda: {
        "corroborated": 1.0, "reported": 0.8, "assessed": 0.6, "claimed": 0.5})
    claim_confidences: tuple = ("corroborated", "reported", "assessed", "claimed")
    evidence: bool = True

    def __post_init__(self):
        if self.level not in LEVELS:
            raise ValueError(f"presence level {self.level!r} is not known; use one of: "
                             f"{', '.join(LEVELS)}")
        for name in ("half_life_days", "cell_km", "kernel_km", "present_threshold",
                     "claim_score"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)!r}")
        for name in ("dominant_share", "contest_share", "unit_share"):
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


def sides(groups, actors: pd.DataFrame) -> np.ndarray:
    """The side of each group: ``state`` for the state side, else the group itself."""
    kind = map_codes(groups, actors.set_index("actor_id")["kind"].to_dict(), "")
    return np.where(np.isin(kind, STATE_SIDE_KINDS), "state",
                    np.asarray(groups, dtype=object)).astype(object)


def _days(values) -> np.ndarray:
    return pd.to_datetime(pd.Series(values)).to_numpy("datetime64[D]").astype("int64")


# --- records → contributions ------------------------------------------------------

@dataclass
class _Contrib:
    """Per (record, group, period) contribution of events, ordered by record row."""

    row: np.ndarray
    gcode: np.ndarray    # index into gnames (sorted group ids)
    gnames: np.ndarray
    pidx: np.ndarray
    act: np.ndarray      # activity: weight × period share (counts the record once)
    ordinary: np.ndarray  # into the decayed score (0 for existence holds)
    hold: np.ndarray     # existence evidence: full weight in every period of its range
    last: np.ndarray     # the last period of the record's range
    uncertain: np.ndarray
    end: np.ndarray      # 1: presence ends after this period, 2: claimed control ends
    day: np.ndarray      # latest day the record speaks of within the period
    conf: np.ndarray

    @property
    def group(self) -> np.ndarray:
        """The group id of each contribution, as text."""
        return self.gnames[self.gcode] if len(self.gnames) else \
            np.array([""] * len(self.gcode), dtype=object)


def _event_contributions(events: pd.DataFrame, periods: pd.DataFrame, actors: pd.DataFrame,
                         s: PresenceSettings) -> _Contrib:
    n = len(events)
    part = participation(events, actors)
    sl = slice_records(events["date_start"], events["date_end"], periods)
    pi, sj = pair_rows(part.row, sl["row"].to_numpy(), n)
    row = part.row[pi]
    pidx = sl["pidx"].to_numpy()[sj]
    first = np.full(n, -1, "int64")
    last = np.full(n, -1, "int64")
    if len(sl):
        r, p = sl["row"].to_numpy(), sl["pidx"].to_numpy()
        np.maximum.at(last, r, p)
        first[r[::-1]] = p[::-1]
    role = part.role[pi]
    rw = np.array([role_weight(r, s.opponent_weight) for r in ROLES])[role]
    t_codes, t_names = codes(events["event_type"]) if n else (row, np.array([], dtype=object))
    w = (map_codes(t_names, s.type_weights, 0.0).astype("float64")[t_codes]
         * map_codes(events["confidence"], s.confidence_weights, 0.0).astype("float64"))
    base = w[row] * part.share[pi] * rw
    existence = np.isin(t_names, EXISTENCE_TYPES)[t_codes][row] & (role == ROLES.index("support"))
    act = base * sl["weight"].to_numpy()[sj]
    is_last = pidx == last[row]
    end = np.where(is_last & (role == ROLES.index("end")), 1,
                   np.where(is_last & (role == ROLES.index("end_control")), 2, 0)).astype("int8")
    pe = _days(periods["period_end"])
    day = np.minimum(_days(events["date_end"])[row] if n else row, pe[pidx]).astype("int32")
    conf = map_codes(events["confidence"], CONFIDENCE_CODE, NO_CONF).astype("int8")[row] \
        if n else row
    return _Contrib(row=row, gcode=part.group[pi], gnames=part.names, pidx=pidx,
                    act=act, ordinary=np.where(existence, 0.0, act),
                    hold=np.where(existence, base, 0.0), last=is_last,
                    uncertain=existence & (first[row] != last[row]), end=end, day=day,
                    conf=conf)


def _claim_slices(claims: pd.DataFrame, periods: pd.DataFrame, s: PresenceSettings
                  ) -> pd.DataFrame:
    """One row per (claim, period it covers): claims do not dilute over their range."""
    cols = ["row", "pidx", "group", "effect", "conf", "start", "value", "last", "day"]
    if claims is None or len(claims) == 0:
        return pd.DataFrame({c: [] for c in cols})
    sl = slice_records(claims["date_start"], claims["date_end"], periods)
    r = sl["row"].to_numpy()
    last = pd.Series(sl["pidx"].to_numpy()).groupby(r).transform("max").to_numpy()
    conf = claims["confidence"].fillna("").astype(str).to_numpy(dtype=object)
    value = s.claim_score * map_codes(conf, s.confidence_weights, 0.0).astype("float64")
    pe = _days(periods["period_end"])
    out = pd.DataFrame({
        "row": r, "pidx": sl["pidx"].to_numpy(),
        "group": claims["actor"].fillna("").astype(str).to_numpy(dtype=object)[r],
        "effect": claims["status"].map(CLAIM_EFFECT).fillna("").to_numpy(dtype=object)[r],
        "conf": map_codes(conf, CONFIDENCE_CODE, NO_CONF).astype("int64")[r],
        "start": _days(claims["date_start"])[r], "value": value[r],
        "last": sl["pidx"].to_numpy() == last,
        "day": np.minimum(_days(claims["date_end"])[r], pe[sl["pidx"].to_numpy()]),
    })
    keep = (out["group"] != "") & (out["group"] != JOINT) & (out["effect"] != "")
    keep &= pd.Series(conf[r]).isin(s.claim_confidences).to_numpy()
    return out[keep].reset_index(drop=True)


# --- contributions → places -------------------------------------------------------

@dataclass
class _Spread:
    """Contributions placed: index into the contributions, place, kernel weight, full zone."""

    ci: np.ndarray
    place: np.ndarray
    ks: np.ndarray
    full: np.ndarray


def _spread(fp: Footprints, row: np.ndarray, area: bool) -> _Spread:
    """Place the contributions (or claim slices) of the record rows ``row`` (sorted):
    on the admin unit a record is located to (``area``), or on the cells its kernel
    reaches, offset by offset, each in contribution order."""
    row = np.asarray(row, dtype="int64")
    if area:
        unit = fp.unit[row] if len(row) else np.array([], "int64")
        ci = np.flatnonzero(unit >= 0)
        return _Spread(ci, unit[ci], np.ones(len(ci)), np.ones(len(ci), bool))
    if fp.disc is None or len(row) == 0:
        z = np.array([], "int64")
        return _Spread(z, z, np.array([], "float64"), np.array([], bool))
    at = np.full(len(fp.unit), -1, "int64")
    at[fp.local] = np.arange(len(fp.local))
    li = at[row]
    ci0 = np.flatnonzero(li >= 0)
    li = li[ci0]
    # the cells each offset reaches first, so the output is allocated once and filled
    cells = [fp.cell[j][li] for j in range(len(fp.disc.offsets))]
    reach = [np.flatnonzero(c >= 0) for c in cells]
    bounds = np.cumsum([0] + [len(r) for r in reach])
    ci = np.empty(bounds[-1], "int64")
    place = np.empty(bounds[-1], "int64")
    ks = np.empty(bounds[-1], "float64")
    for j, (cell, r) in enumerate(zip(cells, reach)):
        part = slice(bounds[j], bounds[j + 1])
        np.take(ci0, r, out=ci[part])
        place[part] = cell[r]
        fp.kernel(j, li[r], out=ks[part])
    return _Spread(ci, place, ks, ks >= FULL_EFFECT)


# --- the model on one space of places ---------------------------------------------

@dataclass
class Space:
    """The model's result for one space of places (cells, or admin units)."""

    place: np.ndarray     # per key
    group: np.ndarray
    status: np.ndarray    # K × P, ranks
    score: np.ndarray
    share: np.ndarray
    activity: np.ndarray
    n: np.ndarray
    basis: np.ndarray     # index into BASES
    conf: np.ndarray      # index into CONFIDENCE_NAMES
    age: np.ndarray       # days since the latest evidence (-1: none)
    carried: np.ndarray   # no evidence dated in the period
    uncertain: np.ndarray
    claim_in: np.ndarray  # a claim in effect
    zones: pd.DataFrame
    ev_pairs: tuple       # (flat period × key index, event row)
    cl_pairs: tuple       # (flat period × key index, claim row)


@dataclass
class _Keys:
    """The (place, group) pairs that occur in a space, ordered by place id then group id."""

    place: np.ndarray
    group: np.ndarray


def _keys(contrib: _Contrib, ev_spread: _Spread, cl: pd.DataFrame, cl_spread: _Spread,
          place_rank: np.ndarray) -> tuple[_Keys, np.ndarray, np.ndarray]:
    """The keys of a space, and the key of each placed event contribution and claim slice."""
    cl_groups = cl["group"].to_numpy(dtype=object).astype(str)
    g_uniq = np.unique(np.concatenate([contrib.gnames.astype(str), cl_groups])).astype(object)
    G = max(len(g_uniq), 1)
    at = np.searchsorted(g_uniq, contrib.gnames).astype("int64") if len(contrib.gnames) else \
        np.zeros(1, "int64")
    ep = place_rank[ev_spread.place] * G + at[contrib.gcode][ev_spread.ci]
    cp = ev_spread.place[:0] if not len(cl) else \
        place_rank[cl_spread.place] * G \
        + np.searchsorted(g_uniq, cl_groups).astype("int64")[cl_spread.ci]
    # a dense map over (place, group): the pairs run to tens of millions, the keys do not;
    # its order is the place's id as text, then the group's (the groups are sorted), the
    # order of the published rows
    seen = np.zeros(max(len(place_rank), 1) * G, bool)
    seen[ep] = True
    seen[cp] = True
    used = np.flatnonzero(seen)
    kr, kg = np.divmod(used, G)
    lookup = np.full(len(seen), -1, "int64")
    lookup[used] = np.arange(len(used))
    group = g_uniq[kg] if len(used) else np.array([], dtype=object)
    place_of_rank = np.argsort(place_rank)
    return _Keys(place=place_of_rank[kr], group=group), lookup[ep], lookup[cp]


def _event_matrices(contrib: _Contrib, ev_spread: _Spread, ek: np.ndarray, K: int, P: int
                    ) -> dict[str, np.ndarray]:
    """Periods × keys sums of the placed event contributions (period-major, so that the
    loop over periods reads contiguous rows).

    Sums that only a few contributions feed (holds, ends) are taken over those alone;
    the ordinary score zeroes the existence terms: adding zeros changes no sum."""
    c = ev_spread.ci
    ks = ev_spread.ks
    pidx = contrib.pidx[c]
    flat = pidx * K
    flat += ek
    size = K * P

    def acc(where, values):
        return np.bincount(where, weights=values, minlength=size).reshape(P, K)

    act = contrib.act[c]
    act *= ks
    out = {"A": acc(flat, act), "N": np.bincount(flat, minlength=size).reshape(P, K)}
    existence = (contrib.ordinary != contrib.act)[c]
    if existence.any():
        np.copyto(act, 0.0, where=existence)
        out["O"] = acc(flat, act)
    else:
        out["O"] = out["A"]
    held = np.flatnonzero((contrib.hold > 0)[c])
    hold = contrib.hold[c[held]] * ks[held]
    out["Hin"] = acc(flat[held], hold)
    ending = contrib.last[c[held]]
    out["Hend"] = acc(flat[held][ending], hold[ending])
    unc = np.zeros(size, bool)
    unc[flat[contrib.uncertain[c]]] = True
    # small integer types: these matrices are keys × periods, millions of cells each
    LD = np.full(size, -1, "int32")
    np.maximum.at(LD, flat, contrib.day[c])
    CF = np.full(size, NO_CONF, "int8")
    np.minimum.at(CF, flat, contrib.conf[c])
    clear = np.zeros(size, bool)      # carry cleared at the start of the period
    end_ctl = np.zeros(size, bool)    # claimed control cleared at the start of the period
    for code, target in ((1, clear), (2, end_ctl)):
        m = ((contrib.end == code) & (contrib.pidx + 1 < P))[c]
        target[flat[m] + K] = True
    out.update({name: a.reshape(P, K) for name, a in
                (("unc", unc), ("LD", LD), ("CF", CF), ("clear", clear), ("end_ctl", end_ctl))})
    out["flat"] = flat  # periods × keys, for the evidence lists
    return out


def _claim_matrices(cl: pd.DataFrame, cl_spread: _Spread, ck: np.ndarray, K: int, P: int,
                    capped: bool, ev: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Claims placed: the effect in force and its confidence, the claim weight at the end
    of their dates (held afterwards); absences clear the carry (updating ``ev``'s LD,
    CF and clear in place)."""
    size = K * P
    out = {"effect": np.zeros(size, "int8"), "e_conf": np.full(size, NO_CONF, "int8"),
           "c_end": np.zeros(size),
           "c_end_conf": np.full(size, NO_CONF, "int8"), "forced": np.zeros(size, bool),
           "claim_in": np.zeros(size, bool), "flat": np.array([], "int64")}
    if len(ck):
        cs = cl.iloc[cl_spread.ci].reset_index(drop=True)
        pidx = cs["pidx"].to_numpy().astype("int64")
        eff = cs["effect"].to_numpy(dtype=object)
        positive = eff != "clear"
        # outside a point claim's full zone a positive claim gives presence only; an
        # absence holds wherever the claim reaches
        eff = np.where(cl_spread.full | capped | ~positive, eff, "present")
        cs = cs.assign(flat=pidx * K + ck, eff=eff,
                       eo=pd.Series(eff).map(EFFECT_CODE).to_numpy())
        out["flat"] = pidx * K + ck
        cs = cs[cs["eff"] != ""]
        f = cs["flat"].to_numpy()
        out["claim_in"][f] = True
        best = _best_claims(cs)
        out["effect"][best["flat"].to_numpy()] = best["eo"].to_numpy()
        out["e_conf"][best["flat"].to_numpy()] = best["conf"].to_numpy()
        pos = cs[cs["eff"] != "clear"]
        ending = pos[pos["last"]].sort_values(["flat", "value"], ascending=[True, False]) \
            .drop_duplicates("flat")
        out["c_end"][ending["flat"].to_numpy()] = ending["value"].to_numpy()
        out["c_end_conf"][ending["flat"].to_numpy()] = ending["conf"].to_numpy()
        neg = out["effect"] == EFFECT_CODE["clear"]
        out["forced"] |= neg
        ev["clear"].reshape(-1)[neg] = True
        np.maximum.at(ev["LD"].reshape(-1), f, cs["day"].to_numpy())
        np.minimum.at(ev["CF"].reshape(-1), f, cs["conf"].to_numpy())
    return {k: (v.reshape(P, K) if k != "flat" else v) for k, v in out.items()}


def _model(contrib: _Contrib, ev_spread: _Spread, cl: pd.DataFrame, cl_spread: _Spread,
           place_rank: np.ndarray, periods: pd.DataFrame, actors: pd.DataFrame,
           s: PresenceSettings, *, capped: bool) -> Space:
    """The model on one space of places; ``place_rank`` orders the places as their ids
    sort as text, so keys (and rows) come in the order they are published.

    The placed contributions (tens of millions at scale) are let go as soon as the
    matrices are summed; only the evidence pairs stay."""
    P = len(periods)
    keys, ev_keys, cl_keys = _keys(contrib, ev_spread, cl, cl_spread, place_rank)
    K = len(keys.place)
    e = _event_matrices(contrib, ev_spread, ev_keys, K, P)
    c = _claim_matrices(cl, cl_spread, cl_keys, K, P, capped, e)
    ev_pairs = (e.pop("flat"), contrib.row[ev_spread.ci])
    cl_pairs = (c.pop("flat"), cl["row"].to_numpy()[cl_spread.ci].astype("int64")
                if len(cl_keys) else np.array([], "int64"))
    del ev_spread, cl_spread, ev_keys, cl_keys
    return _statuses(e, c, keys, periods, actors, s, capped=capped,
                     pairs=(ev_pairs, cl_pairs))


def _statuses(e: dict, c: dict, keys: _Keys, periods: pd.DataFrame, actors: pd.DataFrame,
              s: PresenceSettings, *, capped: bool, pairs: tuple) -> Space:
    """From the summed matrices to statuses, bases, ages and verdicts. Consumes ``e``
    and ``c``: each matrix is dropped once it has been used."""
    kp, group = keys.place, keys.group
    has = (e["N"] > 0) | c["claim_in"] | (e["Hin"] > 0)
    score, C, C_conf, LDF, CFF = _carry(e.pop("O"), e.pop("Hin"), e.pop("Hend"),
                                        c.pop("c_end"), c.pop("c_end_conf"), e.pop("clear"),
                                        e.pop("end_ctl"), has, e.pop("LD"), e["CF"], periods, s)
    score[c.pop("forced")] = 0.0
    # from here on keys × periods (views of the period-major arrays)
    score = score.T
    status, share = _status(score, kp, group, actors, s, capped=capped)
    claim_in, CF, C_conf = c["claim_in"].T, e.pop("CF").T, C_conf.T
    status, basis, tail = _claims_apply(status, c.pop("effect").T, c.pop("e_conf").T, C.T,
                                        claim_in, s)
    del C
    carried = ~has.T
    conf = np.where(carried, CFF.T, CF)
    conf = np.where(tail, np.minimum(conf, C_conf), conf)
    pe = _days(periods["period_end"]).astype("int32")[None, :]
    age = np.where(LDF.T >= 0, pe - LDF.T, np.int32(-1))
    basis = np.where(tail, C_conf + 1, basis).astype("int8")
    zones = _verdicts(status, score, kp, group, actors)
    return Space(place=kp, group=group, status=status, score=score, share=share,
                 activity=e["A"].T, n=e["N"].T, basis=basis, conf=conf, age=age,
                 carried=carried, uncertain=e["unc"].T, claim_in=claim_in, zones=zones,
                 ev_pairs=pairs[0], cl_pairs=pairs[1])


def _verdicts(status: np.ndarray, score: np.ndarray, kp: np.ndarray, group: np.ndarray,
              actors: pd.DataFrame) -> pd.DataFrame:
    """One verdict per place and period; the group statuses (changed in place) made
    consistent with it. A demoted status keeps the basis it had."""
    k_s, p_s = np.nonzero(status >= RANK["present"])
    side = sides(group, actors)
    side_codes = (pd.factorize(pd.Series(side, dtype=object))[0] if len(kp)
                  else np.array([], "int64"))
    new, zones = reconcile(kp[k_s], p_s, side_codes[k_s], side[k_s] == "state",
                           status[k_s, p_s], score[k_s, p_s])
    status[k_s, p_s] = new
    zones["leader"] = np.where(zones["leader"] >= 0, k_s[np.maximum(zones["leader"], 0)], -1)
    return zones


def _best_claims(cs: pd.DataFrame) -> pd.DataFrame:
    """The claim that decides each (place, group, period): the better confidence first;
    at equal confidence, affirmations do not contradict each other (the strongest
    stands: control before contested before present), while between an absence and an
    affirmation the later statement wins (the absence on a tie)."""
    neg = cs[cs["eff"] == "clear"].sort_values(["flat", "conf", "start"],
                                               ascending=[True, True, False])
    pos = cs[cs["eff"] != "clear"].sort_values(["flat", "conf", "eo", "start"],
                                               ascending=[True, True, True, False])
    neg = neg.drop_duplicates("flat").set_index("flat")
    pos = pos.drop_duplicates("flat").set_index("flat")
    both = neg.index.intersection(pos.index)
    n, p = neg.loc[both], pos.loc[both]
    take_pos = (p["conf"] < n["conf"]) | ((p["conf"] == n["conf"]) & (p["start"] > n["start"]))
    out = pd.concat([neg.drop(both[take_pos.to_numpy()]), pos.drop(both[~take_pos.to_numpy()])])
    return out.reset_index().sort_values("flat")


def _carry(O, Hin, Hend, c_end, c_end_conf, clear, end_ctl, has, LD, CF, periods,
           s: PresenceSettings):
    """The loop over periods: decayed scores, holds of existence evidence and of claims
    after their dates, and the latest evidence carried forward; all cleared where the
    group's presence ends.

    Returns the score (decayed activity plus holds), the claims' hold after their
    dates and its confidence (set only where that hold is positive), the day of the
    latest evidence and its confidence. Inputs and outputs are periods × keys, so each
    step reads and writes contiguous rows in place; steps whose inputs are empty in a
    period are skipped, and matrices that stay zero are never written.
    """
    P, K = O.shape
    carry = 0.5 ** (periods["days"].to_numpy("float64") / s.half_life_days)
    cut = clear | end_ctl
    any_clear, any_cut = clear.any(axis=1), cut.any(axis=1)
    any_hold, any_end = Hin.any(axis=1) | Hend.any(axis=1), (c_end > 0).any(axis=1)
    SC = np.empty((P, K), "float64")
    C = np.zeros((P, K), "float64")
    C_conf = np.zeros((P, K), "int8")
    LDF = np.empty((P, K), "int32")
    CFF = np.empty((P, K), "int8")
    score, tail, hold, held = np.zeros(K), np.zeros(K), np.zeros(K), np.zeros(K)
    tail_on = hold_on = False  # whether the existence holds or claim holds carry anything
    hold_conf = np.full(K, NO_CONF, "int8")
    latest = np.full(K, -1, "int32")
    best = np.full(K, NO_CONF, "int8")
    for p in range(P):
        if any_clear[p]:
            score[clear[p]] = 0.0
        score *= carry[p]
        score += O[p]
        if tail_on or any_hold[p]:
            if any_clear[p]:
                tail[clear[p]] = 0.0
            tail *= carry[p]
            np.add(Hin[p], tail, out=held)
            np.add(score, held, out=SC[p])
            tail += Hend[p]  # holds whose range ends here fade from the next period
            tail_on = True
        else:
            SC[p] = score
        if hold_on or any_end[p]:
            if any_cut[p]:
                hold[cut[p]] = 0.0
                hold_conf[cut[p]] = NO_CONF
            hold *= carry[p]
            C[p] = hold
            C_conf[p] = hold_conf
            take = c_end[p] > hold  # claims whose dates end here hold from the next period
            np.copyto(hold_conf, c_end_conf[p], where=take)
            np.maximum(hold, c_end[p], out=hold)
            hold_on = True
        # the latest evidence and its confidence, carried forward until cleared
        if any_clear[p]:
            latest[clear[p]] = -1
            best[clear[p]] = NO_CONF
        np.copyto(latest, LD[p], where=has[p])
        np.copyto(best, CF[p], where=has[p])
        LDF[p] = latest
        CFF[p] = best
    return SC, C, C_conf, LDF, CFF


def _status(score: np.ndarray, kp: np.ndarray, group: np.ndarray, actors: pd.DataFrame,
            s: PresenceSettings, *, capped: bool) -> tuple[np.ndarray, np.ndarray]:
    """Statuses from scores and the shares of the sides in each place.

    ``capped``: a space of admin units holding records located only to them,
    whose support never goes beyond ``present``.
    """
    K, P = score.shape
    # keys come ordered by place: each place's keys are one run
    starts = np.flatnonzero(np.r_[True, kp[1:] != kp[:-1]]) if K else np.array([], "int64")
    pc = np.cumsum(np.r_[0, (kp[1:] != kp[:-1]).astype("int64")]) if K else starts
    U = len(starts)
    total = np.add.reduceat(score, starts, axis=0) if K else np.zeros((0, P))
    denom = total[pc]
    share = np.divide(score, denom, out=np.zeros_like(score), where=denom > 0)
    present = score >= s.present_threshold
    status = np.where(present, RANK["present"], RANK["none"]).astype("int8")
    if capped or K == 0:
        return status, share
    side_codes = pd.factorize(pd.Series(sides(group, actors), dtype=object))[0]
    k_s, p_s = np.nonzero(present & (share >= s.contest_share))
    pairs = unique_ints((pc[k_s] * P + p_s) * (int(side_codes.max()) + 1) + side_codes[k_s])
    n_sides = np.bincount(pairs // (int(side_codes.max()) + 1), minlength=U * P).reshape(U, P)
    contested = n_sides[pc] >= 2
    dominant = present & (score >= s.dominant_threshold) & (share >= s.dominant_share)
    status[dominant] = RANK["dominant"]
    status[present & contested] = RANK["contested"]
    return status, share


def _claims_apply(status: np.ndarray, effect: np.ndarray, e_conf: np.ndarray, hold: np.ndarray,
                  claim_in: np.ndarray, s: PresenceSettings):
    """Claims in effect set or bound the status; after their dates they hold it at
    ``present`` while their decayed weight reaches the threshold.

    Returns (status, basis index into BASES, where the hold after the dates applied).
    """
    status = status.copy(order="K")  # keep the period-major layout
    basis = np.zeros_like(status, dtype="int8")
    by_claim = (e_conf + 1).astype("int8")
    for eff, rank, force in (("clear", "none", True), ("control", "control", True),
                             ("contested", "contested", False), ("present", "present", False)):
        m = effect == EFFECT_CODE[eff]
        if not force:
            m &= status < RANK[rank]
        status[m] = RANK[rank]
        basis[m] = by_claim[m]
    tail = ~claim_in & (hold >= s.present_threshold) & (status < RANK["present"])
    status[tail] = RANK["present"]
    return status, basis, tail
