"""The presence model: its settings, and what the records contribute to it.

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
This module turns records into contributions (:func:`_event_contributions`) and
claim slices (:func:`_claim_slices`); :mod:`sahelmap.space` runs the model on a
space of places. Everything is vectorised over records; the only loops run over
periods and over the few kernel offsets.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np
import pandas as pd

from ._arrays import codes, map_codes
from .actors import JOINT
from .periods import slice_records
from .support import (CONFIDENCE_CODE, EXISTENCE_TYPES, NO_CONF, ROLES, pair_rows,
                      participation, role_weight)

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

    def take(self, order: np.ndarray) -> "_Contrib":
        """The contributions in another order (the group names stay)."""
        return replace(self, **{f.name: getattr(self, f.name)[order] for f in fields(self)
                                if f.name != "gnames"})

    def part(self, start: int, stop: int, first_period: int) -> "_Contrib":
        """Contributions ``start .. stop-1``, their periods counted from ``first_period``."""
        out = self.take(slice(start, stop))
        out.pidx = out.pidx - first_period
        return out

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
