"""The importers' text clean-up on Arrow strings (the fast reader's) gives exactly
what it gives on Python strings (the careful reader's)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sahelmap.imports import clean_number, clean_text

ARROW = pd.StringDtype("pyarrow", na_value=np.nan)
digits = st.text(alphabet="0123456789", min_size=0, max_size=4)
number_like = st.one_of(
    st.builds(lambda sign, a, dot, b, exp: sign + a + dot + b + exp,
              st.sampled_from(["", "-", "+"]), digits, st.sampled_from(["", "."]), digits,
              st.sampled_from(["", "e5", "E-2", "e", "e+"])),
    st.sampled_from(["", " ", "inf", "-inf", "nan", "NaN", "Infinity", "1,5", "1 000",
                     "\u00a012\u00a0", "0x10", "1_000", "99999999999999999999", "12abc", "."]),
    st.text(max_size=5))


def _numbers_as_before(s: pd.Series) -> pd.Series:
    """clean_number as it was before Arrow cast the plain numbers itself."""
    s = s.fillna("").astype(str)
    for ch in ("\u00a0", "\u202f", "\u2007", " "):
        s = s.str.replace(ch, "", regex=False)
    return pd.to_numeric(s.replace("", None), errors="coerce")


@settings(max_examples=300, deadline=None)
@given(st.lists(number_like, min_size=1, max_size=12))
def test_numbers_read_as_pandas_reads_them(values):
    for column in (pd.Series(values, dtype=object), pd.Series(values, dtype=ARROW)):
        pd.testing.assert_series_equal(clean_number(column), _numbers_as_before(column),
                                       check_dtype=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=8),
                          st.sampled_from(["\u00a0x\u202f", "\x1c y \x1f", " \u3000z"])),
                min_size=1, max_size=12))
def test_text_cleans_alike_from_arrow_and_python_strings(values):
    python = clean_text(pd.Series(values, dtype=object))
    arrow = clean_text(pd.Series(values, dtype=ARROW))
    expected = ["" if v is None else v.replace("\u00a0", " ").replace("\u202f", " ")
                .replace("\u2007", " ").strip() for v in values]
    assert arrow.tolist() == python.tolist() == expected


def _dates_as_before(s: pd.Series, formats) -> pd.Series:
    """parse_dates as it was before Arrow read the ISO days itself."""
    s = clean_text(s)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    for fmt in formats:
        todo = out.isna()
        if not todo.any():
            break
        found = pd.to_datetime(s[todo], format=fmt, errors="coerce")
        ok = (found >= pd.Timestamp.min) & (found <= pd.Timestamp.max)
        out[todo] = found.where(ok).astype("datetime64[ns]")
    return out


day_like = st.one_of(
    st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.integers(0, 9999),
              st.integers(0, 13), st.integers(0, 32)),
    st.builds(lambda d, m, y: f"{d:02d}/{m:02d}/{y}", st.integers(0, 32), st.integers(0, 13),
              st.integers(1900, 2100)),
    st.sampled_from(["", "2025-5-1", "22 February 2019", "16-Feb-21", "2025-02-29",
                     "2024-02-29", " 2025-01-01 ", "2025-01-01T00:00", "1677-09-21"]),
    st.text(max_size=6))


@settings(max_examples=300, deadline=None)
@given(st.lists(day_like, min_size=1, max_size=10))
def test_dates_read_as_pandas_reads_them(values):
    from sahelmap.acled import DATE_FORMATS
    from sahelmap.imports import parse_dates

    for column in (pd.Series(values, dtype=object), pd.Series(values, dtype=ARROW)):
        pd.testing.assert_series_equal(parse_dates(column, DATE_FORMATS),
                                       _dates_as_before(column, DATE_FORMATS))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(["a", " ", "\u00a0", "\u202f", "\u2007", "\u00e2",
                                                  "\u00c2", "\u20ac"]), max_size=5),
                min_size=1, max_size=8))
def test_the_byte_scan_finds_every_non_breaking_space(values):
    from sahelmap.imports import NBSP, _may_hold

    holds = any(ch in v for v in values for ch in NBSP)
    assert _may_hold(pd.Series(values, dtype=ARROW), NBSP) == holds
    assert _may_hold(pd.Series(values, dtype=object), NBSP) == holds
