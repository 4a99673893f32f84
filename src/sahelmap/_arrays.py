"""Array helpers the stages need at scale.

``numpy.unique`` on integers hashes before it sorts and is several times slower
than a plain sort on the tens of millions of (place, period, record) pairs of
a large export; these helpers sort once. Text columns of a million rows are
factorized once (:func:`codes`) and looked at per distinct value only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


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


def stable_order(key: np.ndarray) -> np.ndarray:
    """``np.argsort(key, kind="stable")`` for non-negative integers: below 2**32 as two
    radix passes on 16-bit digits (numpy sorts 16-bit integers by radix), several times
    faster than a merge sort of millions of int64."""
    key = np.asarray(key)
    if len(key) == 0 or key.min() < 0 or key.max() >= 2 ** 32:
        return np.argsort(key, kind="stable")
    key = key.astype("uint32", copy=False)
    low = np.argsort((key & 0xFFFF).astype("uint16"), kind="stable")
    return low[np.argsort((key[low] >> 16).astype("uint16"), kind="stable")]


def codes(values) -> tuple[np.ndarray, np.ndarray]:
    """Factorize strings once: (integer codes, distinct values as text); missing values
    become ''. Only the distinct values are converted to text."""
    if isinstance(getattr(values, "dtype", None), pd.CategoricalDtype):
        cat = values.array if isinstance(values, pd.Series) else values
        c = np.asarray(cat.codes, dtype="int64")
        uniques = np.asarray(cat.categories, dtype=object)
    elif isinstance(getattr(values, "dtype", None), pd.StringDtype):
        # text held as Arrow strings: factorized where it lies, no Python string per row
        c, uniques = pd.factorize(values)
        c = np.asarray(c, dtype="int64")
        uniques = np.asarray(uniques, dtype=object)
    else:
        c, uniques = pd.factorize(np.asarray(values, dtype=object))
        c = c.astype("int64")
        uniques = np.asarray(uniques, dtype=object)
    # missing values (-1) become '', and values that read alike as text are merged
    missing = bool((c < 0).any())
    text = np.array([str(u) for u in uniques] + [""] * missing, dtype=object)
    text[:len(uniques)][pd.isna(uniques)] = ""
    merged, names = pd.factorize(text)
    if missing:
        c = np.where(c < 0, len(uniques), c)
    return merged[c].astype("int64"), np.asarray(names, dtype=object)


def map_codes(values, mapping, default) -> np.ndarray:
    """Map a column through a dict, touching each distinct value once."""
    c, uniques = codes(values)
    mapped = pd.Series(uniques, dtype=object).map(mapping).fillna(default).to_numpy()
    return mapped[c] if len(c) else np.array([], dtype=mapped.dtype)


# pandas 3 stores text columns as Arrow strings; pandas 2 keeps Python objects
_ARROW_TEXT = pd.Series(np.array(["a"], dtype=object)).dtype != object


def take_text(values, idx: np.ndarray):
    """``values[idx]`` as a text column, the way pandas would store it, built from the
    few distinct ``values`` (made into Arrow strings once) instead of a million
    Python strings."""
    values = np.asarray(values, dtype=object)
    if not _ARROW_TEXT or len(idx) == 0:  # pandas keeps an empty object column as it is
        return values[np.asarray(idx, "int64")]
    taken = pa.array(values, pa.large_string()).take(pa.array(np.asarray(idx, "int64")))
    return pd.array(taken, dtype=pd.StringDtype("pyarrow", na_value=np.nan))


def as_text(s: pd.Series) -> pd.Series:
    """Values as text, missing ones empty; text already held as Arrow strings stays there
    (a million values without a Python object each)."""
    if pd.api.types.is_string_dtype(s.dtype) and s.dtype != object:
        return s.fillna("") if s.hasnans else s
    return s.astype(object).where(s.notna(), "").astype(str)


def whole_numbers(s: pd.Series) -> pd.Series:
    """``pd.to_numeric(s, errors="coerce").round().astype("Int64")``. Text held as Arrow
    strings, all of it whole numbers in plain decimal digits or empty, is parsed by Arrow, not
    one Python object per value (a million line numbers: 0.5 s -> 0.03 s); any other text
    is left to pandas (Arrow also reads forms pandas does not, such as hexadecimal)."""
    arrow = getattr(s.array, "_pa_array", None)
    if arrow is not None and (pa.types.is_string(arrow.type)
                              or pa.types.is_large_string(arrow.type)):
        digits = pc.match_substring_regex(arrow, r"^(?:-?[0-9]{1,18})?$")
        if pc.all(digits).as_py() is not False:  # null (no value at all) counts as digits
            numbers = pc.cast(pc.if_else(pc.equal(arrow, ""), pa.scalar(None, arrow.type),
                                         arrow), pa.int64())
            return pd.Series(numbers.to_pandas(), index=s.index).round().astype("Int64")
    return pd.to_numeric(s, errors="coerce").round().astype("Int64")


def map_text(s: pd.Series, mapping, default: str) -> pd.Series:
    """``s.map(mapping).fillna(default)`` as text (``mapping``: a dict, a Series indexed
    by the values, or a function), each distinct value looked up once."""
    codes_, uniques = pd.factorize(s, use_na_sentinel=False)
    mapped = pd.Series(np.asarray(uniques, dtype=object)).map(mapping).astype(object).fillna(
        default)  # as objects first: a map through an empty mapping gives floats
    return pd.Series(take_text(mapped.to_numpy(dtype=object), codes_), index=s.index)


def sorted_text_codes(column: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """(code of each value, the distinct values sorted as text, as Arrow strings);
    missing values read as ''. A column already held as Arrow strings is factorized in
    Arrow, without making a Python string per row."""
    arrow = getattr(column.array, "_pa_array", None)
    if arrow is None or not pa.types.is_string(arrow.type) and \
            not pa.types.is_large_string(arrow.type):
        c, names = pd.factorize(column.fillna("").astype(str), sort=True)
        return c.astype("int64"), pa.array(np.asarray(names, dtype=object), pa.string())
    values = pc.fill_null(arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray)
                          else arrow, "")
    encoded = pc.dictionary_encode(values)
    order = pc.array_sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order), "int64")
    rank[order] = np.arange(len(order))
    return (rank[encoded.indices.to_numpy(zero_copy_only=False)],
            encoded.dictionary.take(pa.array(order)).cast(pa.string()))


FEW_RUNS = 4096  # up to this many rows left out, Arrow columns are copied run by run


def keep_rows(frame: pd.DataFrame, keep) -> pd.DataFrame:
    """``frame[keep]`` with a fresh index. When only a few rows go (an importer's rejected
    rows), each column held in Arrow is put together from its runs of kept rows, copied
    as whole runs: a filter takes a million rows of text one by one, and a column left in
    pieces would be made whole again by every later take."""
    keep = np.asarray(keep, dtype=bool)
    if keep.all():
        return frame.reset_index(drop=True)
    gone = np.flatnonzero(~keep)
    if len(gone) > FEW_RUNS:
        return frame[keep].reset_index(drop=True)
    runs = [(a, b - a) for a, b in zip(np.r_[0, gone + 1], np.r_[gone, len(keep)]) if b > a]
    columns = {}
    for i in range(frame.shape[1]):
        column = frame.iloc[:, i]
        arr, held = column.array, getattr(column.array, "_pa_array", None)
        if isinstance(held, pa.ChunkedArray) and isinstance(arr, pd.arrays.ArrowStringArray):
            pieces = [c for a, n in runs for c in held.slice(a, n).chunks]
            whole = pa.concat_arrays(pieces or [pa.array([], held.type)])
            arr = type(arr)(pa.chunked_array([whole], type=held.type), dtype=arr.dtype)
            columns[i] = pd.Series(arr, dtype=column.dtype, copy=False)
        else:
            columns[i] = column[keep].reset_index(drop=True)
    out = pd.DataFrame(columns, copy=False)
    out.columns = frame.columns
    return out
