"""Periods: slice dated records into time windows.

A period has a stable label usable in file names (``2025-04``, ``2025-Q2``,
``2025-W17``, ``2025``, or the label given for an explicit window) and an
inclusive date range. A record whose dates span several periods belongs to
each of them with a weight equal to the share of its days that fall in the
period, so that weights over all periods sum to 1 (less if part of the record
lies outside the periods asked for) and totals never count a record twice.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

FREQUENCIES = ("week", "month", "quarter", "year")
_OFFSET = {"week": "W-SUN", "month": "MS", "quarter": "QS", "year": "YS"}
LABEL_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


def _label(starts: pd.DatetimeIndex, freq: str) -> list[str]:
    if freq == "month":
        return list(starts.strftime("%Y-%m"))
    if freq == "quarter":
        return [f"{d.year}-Q{(d.month - 1) // 3 + 1}" for d in starts]
    if freq == "year":
        return list(starts.strftime("%Y"))
    iso = starts.isocalendar()
    return [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"])]


def make_periods(start, end, freq: str = "month") -> pd.DataFrame:
    """Regular periods covering ``start`` .. ``end`` (dates or strings).

    Weeks are ISO weeks (Monday to Sunday). Returns ``period`` (label),
    ``period_start``, ``period_end`` (inclusive, as dates) and ``days``.
    """
    if freq not in FREQUENCIES:
        raise ValueError(f"period frequency {freq!r} is not known; use one of: "
                         f"{', '.join(FREQUENCIES)}")
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    if end < start:
        raise ValueError(f"period end {end.date()} is before start {start.date()}")
    if freq == "week":
        first = start - pd.Timedelta(days=start.weekday())
        starts = pd.date_range(first, end, freq="7D")
    else:
        first = {"month": start.to_period("M"), "quarter": start.to_period("Q"),
                 "year": start.to_period("Y")}[freq].start_time
        starts = pd.date_range(first, end, freq=_OFFSET[freq])
    ends = list(starts[1:] - pd.Timedelta(days=1))
    last_end = {"week": starts[-1] + pd.Timedelta(days=6),
                "month": starts[-1] + pd.offsets.MonthEnd(0),
                "quarter": starts[-1] + pd.offsets.QuarterEnd(0),
                "year": starts[-1] + pd.offsets.YearEnd(0)}[freq]
    ends = pd.DatetimeIndex(ends + [last_end])
    return _frame(_label(starts, freq), starts, ends)


def windows(spec: list[tuple[str, object, object]]) -> pd.DataFrame:
    """Explicit periods from (label, start, end) triples; they must not overlap."""
    if not spec:
        raise ValueError("no windows given; give at least one (label, start, end)")
    labels = [str(s[0]) for s in spec]
    bad = [lab for lab in labels if not LABEL_PATTERN.match(lab)]
    if bad:
        raise ValueError(f"window label {bad[0]!r} cannot be used in file names; use letters, "
                         "digits, '.', '_' or '-' (at most 40)")
    if len(set(labels)) != len(labels):
        raise ValueError("window labels repeat; give every window its own label")
    starts = pd.DatetimeIndex([pd.Timestamp(s[1]) for s in spec])
    ends = pd.DatetimeIndex([pd.Timestamp(s[2]) for s in spec])
    if (ends < starts).any():
        i = int(np.flatnonzero(ends < starts)[0])
        raise ValueError(f"window {labels[i]!r} ends before it starts")
    frame = _frame(labels, starts, ends).sort_values("period_start").reset_index(drop=True)
    s = pd.to_datetime(frame["period_start"]).to_numpy()
    e = pd.to_datetime(frame["period_end"]).to_numpy()
    if (s[1:] <= e[:-1]).any():
        i = int(np.flatnonzero(s[1:] <= e[:-1])[0])
        raise ValueError(f"windows {frame['period'][i]!r} and {frame['period'][i + 1]!r} "
                         "overlap; a record would be counted in both")
    return frame


def _frame(labels, starts: pd.DatetimeIndex, ends: pd.DatetimeIndex) -> pd.DataFrame:
    return pd.DataFrame({
        "period": labels,
        "period_start": starts.date,
        "period_end": ends.date,
        "days": ((ends - starts).days + 1).astype("int64"),
    })


def slice_records(starts, ends, periods: pd.DataFrame) -> pd.DataFrame:
    """Assign records (inclusive date ranges) to the periods they overlap.

    ``starts``/``ends`` are array-likes of dates, one per record. Returns one
    row per (record, period) overlap: ``row`` (position of the record),
    ``pidx`` (position of the period in ``periods``) and ``weight`` (share of
    the record's days inside that period). Fully vectorised.
    """
    s = pd.to_datetime(pd.Series(starts)).to_numpy("datetime64[D]").astype("int64")
    e = pd.to_datetime(pd.Series(ends)).to_numpy("datetime64[D]").astype("int64")
    ps = pd.to_datetime(periods["period_start"]).to_numpy("datetime64[D]").astype("int64")
    pe = pd.to_datetime(periods["period_end"]).to_numpy("datetime64[D]").astype("int64")
    valid = (e >= s)
    # periods are sorted and disjoint: the first candidate is the first period ending
    # on or after the record's start, the last the last period starting on or before its end
    first = np.searchsorted(pe, s, side="left")
    last = np.searchsorted(ps, e, side="right") - 1
    count = np.where(valid, np.maximum(last - first + 1, 0), 0)
    rows = np.repeat(np.arange(len(s)), count)
    offsets = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    pidx = np.repeat(first, count) + offsets
    lo = np.maximum(s[rows], ps[pidx])
    hi = np.minimum(e[rows], pe[pidx])
    overlap = hi - lo + 1
    keep = overlap > 0  # gaps between explicit windows
    rows, pidx, overlap = rows[keep], pidx[keep], overlap[keep]
    weight = overlap / (e[rows] - s[rows] + 1)
    return pd.DataFrame({"row": rows, "pidx": pidx, "weight": weight})


def periods_for(dates_start, dates_end, freq: str = "month") -> pd.DataFrame:
    """Regular periods spanning all the given records."""
    s = pd.to_datetime(pd.Series(dates_start)).min()
    e = pd.to_datetime(pd.Series(dates_end)).max()
    if pd.isna(s) or pd.isna(e):
        raise ValueError("no dated records to make periods from")
    return make_periods(s, e, freq)
