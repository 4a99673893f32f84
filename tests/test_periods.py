"""Periods: labels usable in file names, weights that never double-count."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from sahelmap.periods import make_periods, slice_records, windows


@pytest.mark.parametrize("freq,labels", [
    ("month", ["2025-03", "2025-04", "2025-05"]),
    ("quarter", ["2025-Q1", "2025-Q2"]),
    ("year", ["2025"]),
    ("week", ["2025-W13", "2025-W14"]),
])
def test_labels(freq, labels):
    start = "2025-03-30" if freq == "week" else "2025-03-31"  # a Sunday: the end of W13
    p = make_periods(start, "2025-05-01" if freq != "week" else "2025-04-06", freq)
    assert p["period"].tolist() == labels


def test_weeks_are_iso_weeks_and_periods_tile_time():
    p = make_periods("2024-12-25", "2025-01-10", "week")
    assert p["period"].tolist() == ["2024-W52", "2025-W01", "2025-W02"]
    assert p["period_start"].iloc[1] == dt.date(2024, 12, 30)  # ISO week 1 of 2025
    starts, ends = p["period_start"].tolist(), p["period_end"].tolist()
    assert all(e + dt.timedelta(days=1) == s for e, s in zip(ends[:-1], starts[1:]))


def test_month_precision_event_counts_once_across_weeks():
    p = make_periods("2025-03-01", "2025-05-31", "week")
    sl = slice_records([dt.date(2025, 4, 1)], [dt.date(2025, 4, 30)], p)
    assert len(sl) == 5  # the weeks April 2025 touches
    assert sl["weight"].sum() == pytest.approx(1.0)
    assert sl["weight"].iloc[0] == pytest.approx(6 / 30)  # 1-6 April in W14


def test_record_partly_outside_the_periods_keeps_only_its_inside_share():
    p = make_periods("2025-04-01", "2025-04-30", "month")
    sl = slice_records([dt.date(2025, 3, 22)], [dt.date(2025, 4, 10)], p)
    assert sl["weight"].tolist() == [pytest.approx(10 / 20)]


def test_explicit_windows_with_gaps_and_overlap_errors():
    w = windows([("rainy-2024", "2024-06-01", "2024-09-30"), ("dry-2025", "2025-01-01", "2025-05-31")])
    sl = slice_records([dt.date(2024, 9, 1)], [dt.date(2025, 1, 30)], w)
    assert sl["pidx"].tolist() == [0, 1]
    total = (dt.date(2025, 1, 30) - dt.date(2024, 9, 1)).days + 1
    assert sl["weight"].tolist() == [pytest.approx(30 / total), pytest.approx(30 / total)]
    with pytest.raises(ValueError, match="overlap"):
        windows([("a", "2024-01-01", "2024-03-01"), ("b", "2024-02-01", "2024-04-01")])
    with pytest.raises(ValueError, match="file names"):
        windows([("../etc", "2024-01-01", "2024-03-01")])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.dates(dt.date(2019, 1, 1), dt.date(2025, 12, 31)),
                          st.integers(0, 800)), min_size=1, max_size=30),
       st.sampled_from(["week", "month", "quarter", "year"]))
def test_weights_sum_to_one_when_periods_cover_the_records(spans, freq):
    starts = [s for s, _ in spans]
    ends = [s + dt.timedelta(days=n) for s, n in spans]
    p = make_periods(min(starts), max(ends), freq)
    sl = slice_records(starts, ends, p)
    sums = np.bincount(sl["row"], weights=sl["weight"], minlength=len(spans))
    assert np.allclose(sums, 1.0)
    assert (sl["weight"] > 0).all()
