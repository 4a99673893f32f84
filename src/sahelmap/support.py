"""Support: what each record tells about each group, when and where.

Three questions per record, answered vectorised over all records:

* **who** (:data:`EVENT_ROLES`): each canonical event type says what it tells
  of its actor and of its opponent. A group that ``support``s gets the full
  weight; an ``engaged`` opponent was there and gets ``opponent_weight``; a
  group whose presence ``end``s (the pledging group, the expelled group) was
  there up to the event (engaged weight in its period) and is cleared from the
  next period on; a group that withdraws (``end_control``) gets nothing and
  loses any claimed control from the next period on.
* **when** (:func:`sahelmap.periods.slice_records`): activity spreads a record
  over the periods its dates may fall in with weights that sum to 1, so totals
  count it once; *existence* evidence (:data:`EXISTENCE_TYPES`: a seizure, an
  expulsion, a pledge, a base) also *holds* with its full weight in every one
  of those periods, flagged ``date_uncertain`` when the range spans more than
  one, and fades after its range like any evidence.
* **where** (:func:`footprints`): a point record (``exact``, ``near``) supports
  the grid cells around it with a quartic kernel of ``kernel_km``; its effects
  that set a status (a claim's control, an end) apply where the kernel weight
  is at least one half. A record located to an admin unit (``admin1``,
  ``admin2``) supports that unit as a whole, weakly: never more than
  ``present``. A country-level record supports nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._arrays import codes
from .actors import JOINT
from .grid import Cells, Disc, kernel_weight

# event type -> (what it tells of the actor, what it tells of the opponent)
EVENT_ROLES: dict[str, tuple[str, str]] = {
    "battle": ("support", "engaged"),
    "attack": ("support", "engaged"),
    "remote_violence": ("support", "engaged"),
    "violence_against_civilians": ("support", "engaged"),
    "seizure": ("support", "engaged"),
    "expulsion": ("support", "end"),
    "withdrawal": ("end_control", "engaged"),
    "base_established": ("support", "engaged"),
    "pledge": ("end", "support"),
    "movement": ("support", "engaged"),
    "other": ("support", "engaged"),
}
ROLE_MEANING = {
    "support": "supports its presence with the full weight",
    "engaged": "was there: supports its presence with opponent_weight",
    "end": "was there up to the event (opponent_weight), then its presence there ends",
    "end_control": "no support; its claimed control there ends",
}
EXISTENCE_TYPES = ("seizure", "expulsion", "pledge", "base_established")
UNARMED_KINDS = ("civilians",)
CONFIDENCE_CODE = {"corroborated": 0, "reported": 1, "assessed": 2, "claimed": 3}
CONFIDENCE_NAMES = np.array(["corroborated", "reported", "assessed", "claimed", ""], dtype=object)
NO_CONF = 4
FULL_EFFECT = 0.5  # kernel weight from which a point record's status-setting effects apply


ROLES = ("support", "engaged", "end", "end_control")


def role_weight(role: str, opponent_weight: float) -> float:
    return {"support": 1.0, "engaged": opponent_weight, "end": opponent_weight,
            "end_control": 0.0}[role]


@dataclass(frozen=True)
class Participation:
    """One entry per (event row, group) that the event tells something about, ordered
    by event row: ``group`` indexes ``names`` (sorted group ids), ``role`` indexes
    :data:`ROLES` (see :data:`EVENT_ROLES`), ``share`` is 1, or 1/n for each of the n
    candidates of a joint attribution."""

    row: np.ndarray
    group: np.ndarray
    role: np.ndarray
    share: np.ndarray
    names: np.ndarray


def _role_codes(type_names: np.ndarray, side: int) -> np.ndarray:
    """The role (index into :data:`ROLES`) an event type gives its actor (side 0) or
    opponent (side 1); unknown types support their actor and engage the opponent."""
    default = ("support", "engaged")[side]
    return np.array([ROLES.index(EVENT_ROLES[t][side] if t in EVENT_ROLES else default)
                     for t in type_names], dtype="int8")


def _candidates(events: pd.DataFrame, joint_rows: np.ndarray) -> tuple[np.ndarray, ...]:
    """(row, candidate group, share) for the joint attributions at ``joint_rows``."""
    cands = events.get("actor_candidates", pd.Series("", index=events.index)).fillna("")
    split = pd.Series(cands.to_numpy()[joint_rows], index=joint_rows).astype(str).str.split("|")
    count = split.str.len().to_numpy()
    ex = split.explode()
    return ex.index.to_numpy(), ex.to_numpy(dtype=object), np.repeat(1.0 / count, count), count


def participation(events: pd.DataFrame, actors: pd.DataFrame) -> Participation:
    """Who each event tells something about (:class:`Participation`).

    The actor (or each candidate of a joint attribution) and the armed opponent
    take part; civilians and blanks do not. Vectorised on integer codes: only the
    distinct actor and type names are looked at as text.
    """
    n = len(events)
    rows = np.arange(n)
    none = (np.array([], "int64"), np.array([], dtype=object))
    t_codes, t_names = codes(events["event_type"]) if n else none
    actor_role, opp_role = _role_codes(t_names, 0)[t_codes], _role_codes(t_names, 1)[t_codes]
    a_codes, a_names = codes(events["actor"]) if n else none
    o_codes, o_names = codes(events["opponent"]) if "opponent" in events and n else none
    joint = (a_names == JOINT)[a_codes]
    c_row, c_group, c_share, c_count = _candidates(events, rows[joint]) if joint.any() else \
        (none[0], none[1], np.array([]), none[0])
    names = np.unique(np.concatenate([a_names, o_names, c_group]).astype(str))
    names = names[names != JOINT]

    def at(values):  # positions of names in the sorted vocabulary (JOINT is never asked)
        return np.minimum(np.searchsorted(names, np.asarray(values).astype(str)),
                          max(len(names) - 1, 0))

    armed = ((o_names != "") & (o_names != JOINT))[o_codes]
    row = np.concatenate([rows[~joint], c_row, rows[armed]]).astype("int64")
    group = np.concatenate([at(a_names)[a_codes[~joint]], at(c_group),
                            at(o_names)[o_codes[armed]]]).astype("int64")
    role = np.concatenate([actor_role[~joint], np.repeat(actor_role[joint], c_count),
                           opp_role[armed]]).astype("int8")
    share = np.concatenate([np.ones((~joint).sum()), c_share, np.ones(armed.sum())])
    kind = actors.set_index("actor_id")["kind"]
    unarmed = pd.Series(names, dtype=object).map(kind).isin(UNARMED_KINDS).to_numpy() \
        | (names == "")
    keep = np.flatnonzero(~unarmed[group])
    keep = keep[np.argsort(row[keep], kind="stable")]
    recode = np.cumsum(~unarmed) - 1  # codes stay dense and sorted without the dropped names
    return Participation(row=row[keep], group=recode[group[keep]], role=role[keep],
                         share=share[keep], names=np.asarray(names[~unarmed], dtype=object))


@dataclass(frozen=True)
class Footprints:
    """Where each record (row) acts.

    ``local``: rows with a point (``exact``/``near`` precision), with their
    kernel ``disc`` over the grid and, per disc offset and local row, the
    covering cell it reaches (``cell[j][i]``, int32; -1 where the kernel does
    not reach or the cell is outside the cover). ``unit``: for records located
    to an admin unit, that unit's position in ``unit_ids`` (-1 for none).
    """

    local: np.ndarray
    disc: Disc | None
    cell: np.ndarray | None
    unit: np.ndarray
    unit_ids: np.ndarray

    def kernel(self, j: int, i: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Kernel weights at disc offset ``j`` of the local rows at positions ``i``."""
        return kernel_weight(self.disc.dist[j, i], self.disc.radius_km, out=out)


def unit_space(admin1: pd.DataFrame, admin2: pd.DataFrame) -> np.ndarray:
    """Every admin unit id, admin-1 first, as the index of area-level support."""
    return np.concatenate([admin1["unit_id"].astype(str).to_numpy(dtype=object),
                           admin2["unit_id"].astype(str).to_numpy(dtype=object)])


def footprints(frame: pd.DataFrame, cells: Cells, kernel_km: float,
               unit_ids: np.ndarray) -> Footprints:
    """The footprint of every row of located, joined records."""
    return Footprints(*point_footprints(frame, cells, kernel_km),
                      unit=located_units(frame, unit_ids), unit_ids=unit_ids)


def point_footprints(frame: pd.DataFrame, cells: Cells, kernel_km: float
                     ) -> tuple[np.ndarray, Disc | None, np.ndarray | None]:
    """The point part of :class:`Footprints` (``local``, ``disc``, ``cell``): the rows
    located to a point and the cells their kernel reaches."""
    if len(frame) == 0:
        return np.array([], "int64"), None, None
    p_codes, p_names = codes(frame["location_precision"])
    lon = pd.to_numeric(frame["longitude"], errors="coerce").to_numpy("float64")
    lat = pd.to_numeric(frame["latitude"], errors="coerce").to_numpy("float64")
    local = np.flatnonzero(np.isin(p_names, ["exact", "near"])[p_codes] & np.isfinite(lon)
                           & np.isfinite(lat))
    disc = cell = None
    if len(local):
        disc = cells.grid.disc(lon[local], lat[local], kernel_km)
        cell = cells.neighbours(disc.q0, disc.r0, disc.offsets)
        for j in range(len(disc.offsets)):
            cell[j][~disc.reach(j)] = -1
    return local, disc, cell


def located_units(frame: pd.DataFrame, unit_ids: np.ndarray) -> np.ndarray:
    """The position in ``unit_ids`` of the unit each admin-located record names (-1 for
    none): the region for ``admin1``, the province (else the region) for ``admin2``.
    Looked up once per distinct id."""
    if len(frame) == 0:
        return np.array([], "int64")
    p_codes, p_names = codes(frame["location_precision"])
    pos = pd.Series(np.arange(len(unit_ids)), index=unit_ids)

    def where(col):  # (position of each row's unit, whether it names one)
        c, names = codes(frame[col])
        at = pd.Series(names, dtype=object).map(pos).fillna(-1).astype("int64").to_numpy()
        return at[c], (names != "")[c]

    (a1, _), (a2, has2) = where("admin1_id"), where("admin2_id")
    is1, is2 = ((p_names == name)[p_codes] for name in ("admin1", "admin2"))
    return np.where(is1, a1, np.where(is2, np.where(has2, a2, a1), -1)).astype("int64")


def pair_rows(left_rows: np.ndarray, right_rows: np.ndarray, n: int
              ) -> tuple[np.ndarray, np.ndarray]:
    """All (i, j) with left_rows[i] == right_rows[j]; ``right_rows`` sorted. Vectorised join."""
    count = np.bincount(right_rows, minlength=n)
    start = np.cumsum(count) - count
    reps = count[left_rows]
    i = np.repeat(np.arange(len(left_rows)), reps)
    j = np.repeat(start[left_rows], reps) + (np.arange(reps.sum())
                                             - np.repeat(np.cumsum(reps) - reps, reps))
    return i, j
