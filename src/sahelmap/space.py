"""The presence model on one space of places (grid cells, or admin units), run a
block of periods at a time.

Keys are the (place, group) pairs any contribution or claim reaches, fixed for the
whole span by a first pass. Each block of whole periods then places its own
contributions on the cells (or units), sums them into matrices of that block's
periods × keys, carries the decayed scores, holds and latest evidence over from the
previous block, and gives statuses, bases, ages and verdicts for its periods. Every
sum adds the same terms in the same order as one pass over all periods would, so
the results do not depend on the blocks; what blocks change is the memory: nothing
the size of all contributions × kernel offsets, or of all periods × keys, is ever
held (at a million events: hundreds of megabytes, not gigabytes).

The model itself is stated in :mod:`sahelmap.model` and ``docs/method.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._arrays import stable_order, unique_ints
from .model import (EFFECT_CODE, RANK, PresenceSettings, _Contrib, _days, sides)
from .support import FULL_EFFECT, NO_CONF, Footprints
from .zones import reconcile

BLOCK_CONTRIBUTIONS = 250_000  # about this many contributions per block of periods,
BLOCK_PERIODS = 24              # and at most this many periods (bounds the keys × periods work)


def period_blocks(pidx: np.ndarray, P: int, target: int | None = None
                  ) -> list[tuple[int, int, int, int]]:
    """(first period, end period, first contribution, end contribution) of blocks of
    whole periods holding about ``target`` contributions each, and at most
    :data:`BLOCK_PERIODS` periods (contributions in period order); every period belongs
    to one block."""
    target = target or BLOCK_CONTRIBUTIONS
    start = np.searchsorted(np.asarray(pidx), np.arange(P + 1))  # first of each period
    blocks, p0 = [], 0
    while p0 < P:
        p1 = int(np.searchsorted(start, start[p0] + target, "right")) - 1
        p1 = min(max(p1, p0 + 1), p0 + BLOCK_PERIODS, P)
        blocks.append((p0, p1, int(start[p0]), int(start[p1])))
        p0 = p1
    return blocks


def period_order(fp: Footprints, contrib: _Contrib) -> np.ndarray:
    """An order of the contributions by period and, within a period, by the cell their
    record lies in (so the cells each one reaches lie together in memory when they are
    summed). Stable: contributions that can add to the same place, group and period
    through the same kernel offset (or the same unit) share period and cell, so they
    keep their relative order and every sum stays the same, bit for bit."""
    n = len(contrib.row)
    home = np.zeros(n, "int64")
    if fp.disc is not None and n:
        at = np.full(len(fp.unit), -1, "int64")
        at[fp.local] = np.arange(len(fp.local))
        li = at[contrib.row]
        ok = li >= 0
        if ok.any():
            q, r = fp.disc.q0[li[ok]], fp.disc.r0[li[ok]]
            home[ok] = (q - q.min()) * (int(r.max() - r.min()) + 1) + (r - r.min())
    return stable_order(contrib.pidx * (int(home.max(initial=0)) + 1) + home)


# --- contributions → places -------------------------------------------------------

@dataclass
class _Spread:
    """Contributions placed: index into the contributions, place, kernel weight, full zone."""

    ci: np.ndarray
    place: np.ndarray
    ks: np.ndarray
    full: np.ndarray


def _local_rows(fp: Footprints, row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(contributions with a point, the position of their record among the point rows)."""
    at = np.full(len(fp.unit), -1, "int64")
    at[fp.local] = np.arange(len(fp.local))
    li = at[row]
    ci = np.flatnonzero(li >= 0)
    return ci, li[ci]


def _reached(fp: Footprints, row: np.ndarray, area: bool):
    """(contributions, places) they reach, one kernel offset at a time (no weights)."""
    row = np.asarray(row, dtype="int64")
    if area:
        unit = fp.unit[row] if len(row) else np.array([], "int64")
        ci = np.flatnonzero(unit >= 0)
        yield ci, unit[ci]
        return
    if fp.disc is None or len(row) == 0:
        return
    ci0, li = _local_rows(fp, row)
    for j in range(len(fp.disc.offsets)):
        cell = fp.cell[j][li]
        m = cell >= 0
        yield ci0[m], cell[m].astype("int64")


def _spread(fp: Footprints, row: np.ndarray, area: bool) -> _Spread:
    """Place the contributions (or claim slices) of the record rows ``row``: on the admin
    unit a record is located to (``area``), or on the cells its kernel reaches, offset
    by offset, each in contribution order."""
    row = np.asarray(row, dtype="int64")
    if area:
        unit = fp.unit[row] if len(row) else np.array([], "int64")
        ci = np.flatnonzero(unit >= 0)
        return _Spread(ci, unit[ci], np.ones(len(ci)), np.ones(len(ci), bool))
    if fp.disc is None or len(row) == 0:
        z = np.array([], "int64")
        return _Spread(z, z, np.array([], "float64"), np.array([], bool))
    ci0, li = _local_rows(fp, row)
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
    status: np.ndarray    # K × P (the block's periods), ranks
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
    groups: pd.Categorical  # ``group`` as a categorical (sorted groups), made once per space


@dataclass
class _Keys:
    """The (place, group) pairs that occur in a space, ordered by the place's id as text,
    then the group's (the order of the published rows), and the map to them."""

    place: np.ndarray
    group: np.ndarray
    lookup: np.ndarray        # dense (place rank × group) -> key, -1 for none
    place_rank: np.ndarray
    G: int
    contrib_group: np.ndarray  # group position of each contribution
    claim_group: np.ndarray    # group position of each claim slice
    side_code: np.ndarray      # per key: its group's side (codes), and whether it is the state
    is_state: np.ndarray
    starts: np.ndarray         # first key of each place's run, and each key's run
    run: np.ndarray
    groups: pd.Categorical     # group as a categorical

    def of(self, place: np.ndarray, group: np.ndarray) -> np.ndarray:
        """The key of each (place, group position)."""
        flat = self.place_rank[place]
        flat *= self.G
        flat += group
        return self.lookup[flat]


def _keys(contrib: _Contrib, fp: Footprints, cl: pd.DataFrame, cl_spread: _Spread,
          place_rank: np.ndarray, area: bool, actors: pd.DataFrame) -> _Keys:
    """The keys of a space: a pass over every place the contributions reach marks the
    (place, group) pairs in a dense map (the pairs run to tens of millions, the keys
    do not)."""
    cl_groups = cl["group"].to_numpy(dtype=object).astype(str)
    g_uniq = np.unique(np.concatenate([contrib.gnames.astype(str), cl_groups])).astype(object)
    G = max(len(g_uniq), 1)
    at = np.searchsorted(g_uniq, contrib.gnames).astype("int64") if len(contrib.gnames) else \
        np.zeros(1, "int64")
    contrib_group = at[contrib.gcode] if len(contrib.gcode) else contrib.gcode
    claim_group = np.searchsorted(g_uniq, cl_groups).astype("int64")
    seen = np.zeros(max(len(place_rank), 1) * G, bool)
    for ci, place in _reached(fp, contrib.row, area):
        seen[place_rank[place] * G + contrib_group[ci]] = True
    seen[place_rank[cl_spread.place] * G + claim_group[cl_spread.ci]] = True
    used = np.flatnonzero(seen)
    kr, kg = np.divmod(used, G)
    lookup = np.full(len(seen), -1, "int64")
    lookup[used] = np.arange(len(used))
    group = g_uniq[kg] if len(used) else np.array([], dtype=object)
    kp = np.argsort(place_rank)[kr]
    side = sides(group, actors)
    side_code = (pd.factorize(pd.Series(side, dtype=object))[0] if len(kp)
                 else np.array([], "int64"))
    # keys come ordered by place: each place's keys are one run
    new_place = np.r_[True, kp[1:] != kp[:-1]] if len(kp) else np.array([], bool)
    return _Keys(place=kp, group=group, lookup=lookup, place_rank=place_rank, G=G,
                 contrib_group=contrib_group, claim_group=claim_group, side_code=side_code,
                 is_state=side == "state", starts=np.flatnonzero(new_place),
                 run=np.cumsum(new_place) - 1,
                 groups=pd.Categorical(np.asarray(group, dtype=object).astype(str)))


@dataclass
class _Carried:
    """What the loop over periods carries from one period (and block) to the next."""

    score: np.ndarray
    tail: np.ndarray       # existence holds after their range
    hold: np.ndarray       # claims after their dates
    hold_conf: np.ndarray
    latest: np.ndarray     # day of the latest evidence
    best: np.ndarray       # its confidence
    clear: np.ndarray      # presence ends from the next period (the next block's first)
    end_ctl: np.ndarray    # claimed control ends from the next period
    tail_on: bool = False
    hold_on: bool = False

    @classmethod
    def start(cls, K: int) -> "_Carried":
        return cls(score=np.zeros(K), tail=np.zeros(K), hold=np.zeros(K),
                   hold_conf=np.full(K, NO_CONF, "int8"), latest=np.full(K, -1, "int32"),
                   best=np.full(K, NO_CONF, "int8"), clear=np.zeros(K, bool),
                   end_ctl=np.zeros(K, bool))


class SpaceModel:
    """The model on one space of places (cells, or admin units), block by block.

    ``contrib`` in period order (:func:`period_order`); ``place_rank`` orders the
    places as their ids sort as text, so keys (and rows) come in the order they are
    published; ``capped``: a space of admin units holding records located only to
    them, whose support never goes beyond ``present``. Blocks must be asked in order.
    """

    def __init__(self, contrib: _Contrib, fp: Footprints, cl: pd.DataFrame,
                 fp_c: Footprints, place_rank: np.ndarray, periods: pd.DataFrame,
                 actors: pd.DataFrame, s: PresenceSettings, *, capped: bool):
        self.contrib, self.fp, self.cl, self.fp_c = contrib, fp, cl, fp_c
        self.periods, self.s, self.capped = periods, s, capped
        self.cl_pidx = cl["pidx"].to_numpy().astype("int64")
        self.cl_row = cl["row"].to_numpy().astype("int64")
        self.keys = _keys(contrib, fp, cl, _spread(fp_c, self.cl_row, capped), place_rank,
                          capped, actors)
        self.carried = _Carried.start(len(self.keys.place))

    def block(self, p0: int, p1: int, c0: int, c1: int) -> Space:
        """The results for periods ``p0 .. p1-1``, whose contributions are ``c0 .. c1-1``;
        period indices in the result count from ``p0``."""
        K, P = len(self.keys.place), p1 - p0
        contrib = self.contrib.part(c0, c1, p0)
        spread = _spread(self.fp, contrib.row, self.capped)
        ek = self.keys.of(spread.place, self.keys.contrib_group[c0:c1][spread.ci])
        e = _event_matrices(contrib, spread, ek, K, P, last_block=p1 == len(self.periods))
        ev_pairs = (e.pop("flat"), contrib.row[spread.ci])
        del spread, ek
        in_block = np.flatnonzero((self.cl_pidx >= p0) & (self.cl_pidx < p1))
        cl = self.cl.iloc[in_block].assign(pidx=self.cl_pidx[in_block] - p0)
        cl_spread = _spread(self.fp_c, self.cl_row[in_block], self.capped)
        ck = self.keys.of(cl_spread.place, self.keys.claim_group[in_block][cl_spread.ci])
        c = _claim_matrices(cl, cl_spread, ck, K, P, self.capped, e)
        cl_pairs = (c.pop("flat"), self.cl_row[in_block][cl_spread.ci])
        # ends in the previous block's last period apply from this block's first
        e["clear"][0] |= self.carried.clear
        e["end_ctl"][0] |= self.carried.end_ctl
        self.carried.clear, self.carried.end_ctl = e.pop("next_clear"), e.pop("next_end_ctl")
        return _statuses(e, c, self.keys, self.periods.iloc[p0:p1], self.s, self.carried,
                         capped=self.capped, pairs=(ev_pairs, cl_pairs))


def _event_matrices(contrib: _Contrib, ev_spread: _Spread, ek: np.ndarray, K: int, P: int,
                    *, last_block: bool) -> dict[str, np.ndarray]:
    """Periods × keys sums of the placed event contributions (period-major, so that the
    loop over periods reads contiguous rows); ``next_clear``/``next_end_ctl``: ends in
    the last period, which apply from the next block's first (none after the last block).

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
    del act
    # holds are few: added one by one (in order, as a full sum would) into matrices
    # whose untouched pages are never written
    held = np.flatnonzero((contrib.hold > 0)[c])
    hold = contrib.hold[c[held]] * ks[held]
    ending = contrib.last[c[held]]
    Hin, Hend = np.zeros(size), np.zeros(size)
    np.add.at(Hin, flat[held], hold)
    np.add.at(Hend, flat[held][ending], hold[ending])
    unc = np.zeros(size, bool)
    unc[flat[contrib.uncertain[c]]] = True
    # small integer types: these matrices are keys × periods, millions of cells each
    LD = np.full(size, -1, "int32")
    np.maximum.at(LD, flat, contrib.day[c])
    CF = np.full(size, NO_CONF, "int8")
    np.minimum.at(CF, flat, contrib.conf[c])
    # carry cleared (1) or claimed control cleared (2) from the next period on
    ends = []
    for code in (1, 2):
        target = np.zeros(size + K, bool)
        target[flat[(contrib.end == code)[c]] + K] = True
        if last_block:
            target[size:] = False
        ends.append(target)
    out.update({name: a.reshape(P, K) for name, a in
                (("Hin", Hin), ("Hend", Hend), ("unc", unc), ("LD", LD), ("CF", CF),
                 ("clear", ends[0][:size]), ("end_ctl", ends[1][:size]))})
    out["next_clear"], out["next_end_ctl"] = ends[0][size:].copy(), ends[1][size:].copy()
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


def _statuses(e: dict, c: dict, keys: _Keys, periods: pd.DataFrame, s: PresenceSettings,
              carried: _Carried, *, capped: bool, pairs: tuple) -> Space:
    """From the summed matrices of a block to statuses, bases, ages and verdicts.
    Consumes ``e`` and ``c``: each matrix is dropped once it has been used."""
    kp, group = keys.place, keys.group
    has = (e["N"] > 0) | c["claim_in"] | (e["Hin"] > 0)
    score, C, C_conf, LDF, CFF = _carry(e.pop("O"), e.pop("Hin"), e.pop("Hend"),
                                        c.pop("c_end"), c.pop("c_end_conf"), e.pop("clear"),
                                        e.pop("end_ctl"), has, e.pop("LD"), e["CF"], periods, s,
                                        carried)
    score[c.pop("forced")] = 0.0
    # from here on keys × periods (views of the period-major arrays)
    score = score.T
    status, share = _status(score, keys, s, capped=capped)
    claim_in, CF, C_conf = c["claim_in"].T, e.pop("CF").T, C_conf.T
    status, basis, tail = _claims_apply(status, c.pop("effect").T, c.pop("e_conf").T, C.T,
                                        claim_in, s)
    del C
    carried_rows = ~has.T
    conf = np.where(carried_rows, CFF.T, CF)
    conf = np.where(tail, np.minimum(conf, C_conf), conf)
    pe = _days(periods["period_end"]).astype("int32")[None, :]
    age = np.where(LDF.T >= 0, pe - LDF.T, np.int32(-1))
    basis = np.where(tail, C_conf + 1, basis).astype("int8")
    zones = _verdicts(status, score, keys)
    return Space(place=kp, group=group, status=status, score=score, share=share,
                 activity=e["A"].T, n=e["N"].T, basis=basis, conf=conf, age=age,
                 carried=carried_rows, uncertain=e["unc"].T, claim_in=claim_in, zones=zones,
                 ev_pairs=pairs[0], cl_pairs=pairs[1], groups=keys.groups)


def _verdicts(status: np.ndarray, score: np.ndarray, keys: _Keys) -> pd.DataFrame:
    """One verdict per place and period; the group statuses (changed in place) made
    consistent with it. A demoted status keeps the basis it had."""
    k_s, p_s = np.nonzero(status >= RANK["present"])
    new, zones = reconcile(keys.place[k_s], p_s, keys.side_code[k_s], keys.is_state[k_s],
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
           s: PresenceSettings, state: _Carried):
    """The loop over a block's periods: decayed scores, holds of existence evidence and
    of claims after their dates, and the latest evidence carried forward; all cleared
    where the group's presence ends. ``state`` comes from the previous block and is
    updated for the next.

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
    st = state
    score, tail, hold, held = st.score, st.tail, st.hold, np.zeros(K)
    hold_conf, latest, best = st.hold_conf, st.latest, st.best
    for p in range(P):
        if any_clear[p]:
            score[clear[p]] = 0.0
        score *= carry[p]
        score += O[p]
        if st.tail_on or any_hold[p]:
            if any_clear[p]:
                tail[clear[p]] = 0.0
            tail *= carry[p]
            np.add(Hin[p], tail, out=held)
            np.add(score, held, out=SC[p])
            tail += Hend[p]  # holds whose range ends here fade from the next period
            st.tail_on = True
        else:
            SC[p] = score
        if st.hold_on or any_end[p]:
            if any_cut[p]:
                hold[cut[p]] = 0.0
                hold_conf[cut[p]] = NO_CONF
            hold *= carry[p]
            C[p] = hold
            C_conf[p] = hold_conf
            take = c_end[p] > hold  # claims whose dates end here hold from the next period
            np.copyto(hold_conf, c_end_conf[p], where=take)
            np.maximum(hold, c_end[p], out=hold)
            st.hold_on = True
        # the latest evidence and its confidence, carried forward until cleared
        if any_clear[p]:
            latest[clear[p]] = -1
            best[clear[p]] = NO_CONF
        np.copyto(latest, LD[p], where=has[p])
        np.copyto(best, CF[p], where=has[p])
        LDF[p] = latest
        CFF[p] = best
    return SC, C, C_conf, LDF, CFF


def _status(score: np.ndarray, keys: _Keys, s: PresenceSettings, *, capped: bool
            ) -> tuple[np.ndarray, np.ndarray]:
    """Statuses from scores and the shares of the sides in each place.

    ``capped``: a space of admin units holding records located only to them,
    whose support never goes beyond ``present``.
    """
    K, P = score.shape
    starts, pc = keys.starts, keys.run
    U = len(starts)
    total = np.add.reduceat(score, starts, axis=0) if K else np.zeros((0, P))
    denom = total[pc]
    share = np.divide(score, denom, out=np.zeros_like(score), where=denom > 0)
    present = score >= s.present_threshold
    status = np.where(present, RANK["present"], RANK["none"]).astype("int8")
    if capped or K == 0:
        return status, share
    side_codes = keys.side_code
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
