"""The array helpers the stages rely on at scale, checked against the plain numpy and
pandas operations they stand in for."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sahelmap import _arrays
from sahelmap._arrays import (codes, keep_rows, sorted_text_codes, stable_order, take_text,
                              whole_numbers)

TEXT = st.one_of(st.none(), st.text(max_size=6))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 2 ** 40), max_size=300), st.integers(1, 2 ** 33))
def test_stable_order_is_a_stable_argsort(values, modulus):
    key = np.asarray(values, dtype="int64") % modulus
    assert (stable_order(key) == np.argsort(key, kind="stable")).all()


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, max_size=60))
def test_sorted_text_codes_match_a_sorted_factorize(values):
    for column in (pd.Series(values, dtype=object),
                   pd.Series(values, dtype=pd.StringDtype("pyarrow", na_value=np.nan))):
        got_codes, got_names = sorted_text_codes(column)
        want_codes, want_names = pd.factorize(column.fillna("").astype(str), sort=True)
        assert isinstance(got_names, pa.Array)
        assert got_names.to_pylist() == list(want_names)
        assert (got_codes == want_codes).all()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=5), min_size=1, max_size=8), st.data())
def test_take_text_is_a_take(values, data):
    idx = np.asarray(data.draw(st.lists(st.integers(0, len(values) - 1), max_size=40)), "int64")
    got = pd.Series(take_text(values, idx))
    want = pd.Series(np.asarray(values, dtype=object)[idx])
    assert got.tolist() == want.tolist()
    assert got.dtype == want.dtype  # the text type pandas itself would choose


@settings(max_examples=100, deadline=None)
@given(st.lists(TEXT, max_size=60))
def test_codes_read_missing_as_empty_text(values):
    for column in (pd.Series(values, dtype=object),
                   pd.Series(values, dtype=pd.StringDtype("pyarrow", na_value=np.nan)),
                   pd.Series(values, dtype=object).astype("category")):
        c, names = codes(column)
        assert [names[i] for i in c] == ["" if v is None else v for v in values]
        assert len(set(names)) == len(names)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(TEXT, max_size=20), min_size=1, max_size=4))
def test_united_categoricals_match_pandas(parts):
    from sahelmap.rows import _united

    cats = [pd.Categorical(pd.Series(p, dtype=object)) for p in parts]
    got = _united(cats)
    want = pd.api.types.union_categoricals(cats, sort_categories=True)
    assert list(got.categories) == list(want.categories)
    assert (np.asarray(got.codes) == np.asarray(want.codes)).all()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(TEXT, st.floats(allow_nan=True), st.booleans()), max_size=80),
       st.booleans())
def test_keep_rows_is_a_filter(rows, slice_text):
    """Kept rows, dtypes and index as a boolean filter gives them, whether the text
    columns are kept as slices (few rows left out) or filtered."""
    text = [r[0] for r in rows]
    frame = pd.DataFrame({
        "arrow": pd.Series(text, dtype=pd.StringDtype("pyarrow", na_value=np.nan)),
        "object": pd.Series(text, dtype=object),
        "number": pd.Series([r[1] for r in rows], dtype="float64"),
    }, index=np.arange(len(rows)) * 3)  # not a range from 0: the result has a fresh one
    keep = np.array([r[2] for r in rows], dtype=bool)
    limit = _arrays.FEW_RUNS
    try:
        _arrays.FEW_RUNS = limit if slice_text else 0
        got = keep_rows(frame, keep)
    finally:
        _arrays.FEW_RUNS = limit
    pd.testing.assert_frame_equal(got, frame[keep].reset_index(drop=True))


NUMBER_TEXT = st.one_of(st.integers(-2 ** 40, 2 ** 40).map(str),
                        st.floats(-1e9, 1e9).map(repr), st.just(""), st.just("nan"),
                        st.sampled_from([" 7", "7 ", "+3", "1e3", "12-14", "x", "0x10", "½"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(NUMBER_TEXT, max_size=40))
@example(["100096", "", "-0", "007"])  # line numbers as a table holds them: Arrow's path
@example(["0x10", "16"])  # hexadecimal: Arrow reads it, pandas does not
def test_whole_numbers_are_what_pandas_gives(values):
    for column in (pd.Series(values, dtype=object),
                   pd.Series(values, dtype=pd.StringDtype("pyarrow", na_value=np.nan)),
                   pd.Series(values, dtype=pd.ArrowDtype(pa.large_string()))):
        want = pd.to_numeric(column, errors="coerce").round().astype("Int64")
        got = whole_numbers(column)
        pd.testing.assert_series_equal(got, want)  # values, missing ones, type and index
