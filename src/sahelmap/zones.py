"""Zones of control: one verdict per place and period, and group statuses made
consistent with it.

The five zones follow Kalyvas (2006) as Anders (2020) operationalised them,
plus "no information": ``state_control``, ``state_leaning`` (contested, leaning
to the state), ``contested``, ``insurgent_leaning`` and ``insurgent_control``.
The state side is one side (state forces, auxiliaries, foreign forces, PMCs
and militias); every non-state armed group is its own side, so JNIM against
ISGS is contested too.

Rules, from the group statuses of one place and period:

* no group present: ``none``;
* two sides claim control: ``contested``, and their ``control`` becomes ``contested``;
* one side holds control: ``<side>_control`` if no other side is present, else
  ``<side>_leaning``; the other sides are at most ``present`` (they are there,
  they do not contest its control);
* else, any ``contested`` status: ``contested``;
* else the leading side (dominant before present, then the higher score):
  ``<side>_leaning``.

So no place is ``control`` for one side and ``contested`` for another.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._arrays import unique_ints

ZONES = ("none", "state_control", "state_leaning", "contested", "insurgent_leaning",
         "insurgent_control")
ZONE_LABELS = {"none": "no information", "state_control": "state control",
               "state_leaning": "contested, leaning to the state", "contested": "contested",
               "insurgent_leaning": "contested, leaning to the insurgents",
               "insurgent_control": "insurgent control"}
NONE, PRESENT, CONTESTED, DOMINANT, CONTROL = range(5)


def reconcile(place: np.ndarray, period: np.ndarray, side: np.ndarray, is_state: np.ndarray,
              status: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
    """Make each place's group statuses consistent and give its zone.

    Arguments are parallel arrays over rows (one per place, period and group):
    integer ``place`` and ``period``, integer ``side`` codes, ``is_state`` for
    the state side, ``status`` ranks (none 0 … control 4) and ``score``.
    Returns the new status ranks and one row per (place, period) that has a
    row: ``place``, ``period``, ``zone`` and ``leader`` (row index of the
    holding group; -1 for a contested or empty place). The groups contesting
    a contested place are its rows whose new status is ``contested``.
    """
    status = np.asarray(status, dtype="int64").copy()
    n = len(status)
    if n == 0:
        return status, pd.DataFrame({"place": np.array([], "int64"),
                                     "period": np.array([], "int64"),
                                     "zone": np.array([], dtype=object),
                                     "leader": np.array([], "int64")})
    place = np.asarray(place, dtype="int64")
    period = np.asarray(period, dtype="int64")
    side = np.asarray(side, dtype="int64")
    cell, _ = pd.factorize(place * (int(period.max()) + 1) + period)
    C = int(cell.max()) + 1

    def sides_with(mask: np.ndarray) -> np.ndarray:
        """Number of distinct sides per place among the rows in ``mask``."""
        key = unique_ints(cell[mask] * (int(side.max()) + 1) + side[mask])
        return np.bincount(key // (int(side.max()) + 1), minlength=C)

    n_control = sides_with(status == CONTROL)
    # two sides in control: neither controls, both contest
    status[(n_control[cell] >= 2) & (status == CONTROL)] = CONTESTED
    # one side in control: nobody contests it; other sides are at most present
    one = n_control[cell] == 1
    ctl_side = np.full(C, -1, "int64")
    ctl_side[cell[one & (status == CONTROL)]] = side[one & (status == CONTROL)]
    demote = one & ((status == CONTESTED)
                    | ((side != ctl_side[cell]) & (status == DOMINANT)))
    status[demote] = PRESENT
    n_present = sides_with(status >= PRESENT)
    contested = np.zeros(C, bool)
    contested[cell[status == CONTESTED]] = True

    # the leading row: strongest status (control, dominant, contested, present), then
    # the higher score, then row order
    lead = _leading_rows(cell, C, status, np.asarray(score, dtype="float64"))
    active = n_present > 0
    prefix = np.where(np.asarray(is_state, bool)[lead], "state", "insurgent").astype(object)
    zone = np.full(C, "none", dtype=object)
    zone[active] = prefix[active] + "_leaning"
    full = (n_control == 1) & (n_present == 1)
    zone[full] = prefix[full] + "_control"
    zone[contested] = "contested"
    leader = np.where(active & ~contested, lead, -1)
    first_row = np.zeros(C, "int64")
    first_row[cell[::-1]] = np.arange(n)[::-1]
    return status, pd.DataFrame({"place": place[first_row], "period": period[first_row],
                                 "zone": zone, "leader": leader})


def _leading_rows(cell: np.ndarray, C: int, status: np.ndarray, score: np.ndarray
                  ) -> np.ndarray:
    """Per place (``cell`` code), the row with the strongest status, then the higher
    score, then the first row: three grouped maxima instead of a sort."""
    best_status = np.full(C, -1, "int64")
    np.maximum.at(best_status, cell, status)
    top = np.flatnonzero(status == best_status[cell])
    best_score = np.full(C, -np.inf)
    np.maximum.at(best_score, cell[top], score[top])
    top = top[score[top] == best_score[cell[top]]]
    lead = np.full(C, np.iinfo("int64").max, "int64")
    np.minimum.at(lead, cell[top], top)
    return lead
