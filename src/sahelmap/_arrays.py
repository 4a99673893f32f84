"""Array helpers the model needs at scale.

``numpy.unique`` on integers hashes before it sorts and is several times slower
than a plain sort on the tens of millions of (place, period, record) pairs of
a large export; these helpers sort once.
"""

from __future__ import annotations

import numpy as np


def unique_ints(values: np.ndarray) -> np.ndarray:
    """The distinct values of an integer array, sorted."""
    s = np.sort(np.asarray(values, dtype="int64"))
    if len(s) == 0:
        return s
    return s[np.r_[True, s[1:] != s[:-1]]]


def unique_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct sorted values, position of each value among them)."""
    values = np.asarray(values, dtype="int64")
    uniq = unique_ints(values)
    return uniq, np.searchsorted(uniq, values)
