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


def positions(haystack, needles) -> np.ndarray:
    """The position of each needle among the distinct values of ``haystack`` (in any
    order), -1 where it is absent."""
    haystack = np.asarray(haystack)
    needles = np.asarray(needles)
    if len(haystack) == 0:
        return np.full(len(needles), -1, "int64")
    order = np.argsort(haystack, kind="stable")
    ordered = haystack[order]
    at = np.minimum(np.searchsorted(ordered, needles), len(ordered) - 1)
    return np.where(ordered[at] == needles, order[at], -1).astype("int64")
