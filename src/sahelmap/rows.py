"""The model's results as published rows: one per (place, group, period) with its
label and the ids of the records behind it, and one verdict per (place, period).

Rows are built in three steps, so that the large text columns are written once
and in their final order:

* each space (or admin summary) gives :class:`Rows`: the numeric and
  categorical columns, the period index of each row, and its evidence as
  (row, record code) pairs (:class:`Evidence`);
* :func:`publish` orders all parts by period, unit and group with integer keys
  (categories are sorted, so their codes order like the text);
* only then are the period columns taken and the evidence lists joined, row by
  row, straight into their place.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._arrays import codes, positions, sorted_text_codes, take_text, unique_inverse
from .model import BASES, RANK, STATUSES, PresenceSettings, sides
from .space import Space
from .support import CONFIDENCE_NAMES

PRESENCE_COLUMNS = ["unit_id", "unit_level", "spatial", "period", "period_start", "period_end",
                    "group", "side", "activity", "score", "share", "status", "basis",
                    "confidence", "label", "age_days", "last_evidence", "date_uncertain",
                    "n_events", "area_present", "area_contested", "area_dominant",
                    "area_control", "stability", "evidence_events", "evidence_claims"]
ZONE_COLUMNS = ["unit_id", "unit_level", "period", "period_start", "period_end", "zone",
                "holder", "holder_status", "basis", "contenders", "stability"]
PERIOD_COLUMNS = ("period", "period_start", "period_end")
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)


@dataclass(frozen=True)
class RecordIds:
    """The ids of the records behind presence rows, factorized once: per record kind,
    the code of each row into the sorted distinct ids."""

    event_codes: np.ndarray
    event_names: np.ndarray
    claim_codes: np.ndarray
    claim_names: np.ndarray

    @classmethod
    def of(cls, events: pd.DataFrame, claims: pd.DataFrame | None, id_col: str) -> "RecordIds":
        def fac(frame, col):
            if frame is None or len(frame) == 0 or col not in frame:
                return np.array([], "int64"), np.array([], dtype=object)
            return sorted_text_codes(frame[col])
        return cls(*fac(events, id_col), *fac(claims, "claim_id"))

    @classmethod
    def none(cls) -> "RecordIds":
        """For runs without evidence lists (the sensitivity runs)."""
        empty = (np.array([], "int64"), np.array([], dtype=object))
        return cls(*empty, *empty)


@dataclass(frozen=True)
class Evidence:
    """The records behind rows not yet written: (row, record row) pairs per record kind
    (record rows index the events and claims, as :class:`RecordIds` does)."""

    ev_row: np.ndarray
    ev_record: np.ndarray
    cl_row: np.ndarray
    cl_record: np.ndarray

    @classmethod
    def none(cls) -> "Evidence":
        z = np.array([], "int64")
        return cls(z, z, z, z)


@dataclass(frozen=True)
class Rows:
    """Rows of one part, before ordering: columns without the period and evidence
    columns, the period index of each row, and the evidence pairs."""

    frame: pd.DataFrame
    pidx: np.ndarray
    evidence: Evidence

    def shifted(self, first_period: int) -> "Rows":
        """The same rows with their periods counted from ``first_period``."""
        return Rows(self.frame, np.asarray(self.pidx, "int64") + first_period, self.evidence)


def joined_by_row(row: np.ndarray, codes_: np.ndarray, names, n: int, *, split: int = 1):
    """For rows ``0 .. n-1``, the distinct ``names[codes_]`` of their pairs in text order
    (``names`` are sorted), joined with '|' ('' for a row without any), as text."""
    if len(row) == 0 or len(names) == 0:
        return _empty_text(n)
    key = np.asarray(row, dtype="int64") * len(names)
    key += np.asarray(codes_, dtype="int64")
    return joined_by_key(key, names, n, split=split)


def joined_by_key(key: np.ndarray, names, n: int, *, split: int = 1):
    """:func:`joined_by_row` from the pairs' keys ``row × len(names) + code`` (sorted in
    place: tens of millions of pairs at scale); the names are taken and joined in
    Arrow, in ``split`` ranges of rows on as many threads (Arrow releases the GIL)."""
    if len(key) == 0 or len(names) == 0:
        return _empty_text(n)
    names = _arrow_text(names)
    m = len(names)
    key.sort()
    if len(key) > 1 and (key[1:] == key[:-1]).any():
        key = key[np.r_[True, key[1:] != key[:-1]]]
    rows = np.linspace(0, n, max(min(split, n), 1) + 1).astype("int64")
    cut = np.searchsorted(key, rows * m)
    ranges = [(key[cut[i]:cut[i + 1]], int(rows[i]), int(rows[i + 1]))
              for i in range(len(rows) - 1)]
    if len(ranges) == 1:
        chunks = [_joined_range(*ranges[0], names)]
    else:
        with ThreadPoolExecutor(max_workers=len(ranges)) as pool:
            chunks = list(pool.map(lambda r: _joined_range(*r, names), ranges))
    return pd.array(pa.chunked_array(chunks, pa.large_string()), dtype=TEXT)


def _joined_range(key: np.ndarray, lo: int, hi: int, names: pa.Array) -> pa.Array:
    """The joined names of rows ``lo .. hi-1`` from their sorted, distinct pair keys
    (row × len(names) + code)."""
    m = len(names)
    row, code = np.divmod(key, m)
    offsets = np.zeros(hi - lo + 1, "int64")
    np.cumsum(np.bincount(row - lo, minlength=hi - lo), out=offsets[1:])
    del row
    values = names.take(pa.array(code))
    del code
    joined = pc.binary_join(pa.LargeListArray.from_arrays(pa.array(offsets), values), "|")
    return joined.cast(pa.large_string())


def _empty_text(n: int):
    """``n`` empty evidence lists, as text."""
    return take_text([""], np.zeros(n, "int64")) if n else pd.array([], dtype=TEXT)


def _arrow_text(names):
    """Names as an Arrow string array (made once per list of names, not per use)."""
    if isinstance(names, pa.Array):
        return names
    return pa.array(np.asarray(names, dtype=object), pa.string())


def joined_text(row: np.ndarray, values, n: int):
    """:func:`joined_by_row` for plain values (group names, say) rather than codes."""
    codes_, names = pd.factorize(pd.Series(values, dtype=object).astype(str), sort=True)
    return joined_by_row(row, codes_, np.asarray(names, dtype=object), n)


def _label_text(status, basis, confidence, carried, age) -> np.ndarray:
    status = pd.Series(status, dtype=object)
    conf = pd.Series(confidence, dtype=object)
    basis = pd.Series(basis, dtype=object)
    basis = basis.where((basis != "events") | (conf == ""), basis + ", " + conf)
    months = np.maximum(1, np.floor(np.asarray(age, dtype="float64") / 30.44)).astype("int64")
    old = np.where(np.asarray(carried) & (status != "none").to_numpy() & (np.asarray(age) > 0),
                   ", " + pd.Series(months).astype(str) + np.where(months == 1, " month old",
                                                                  " months old"), "")
    text = status + " (" + basis + pd.Series(old, dtype=object) + ")"
    plain_none = (status == "none") & basis.str.startswith("events")
    return np.where(plain_none, "none", text).astype(object)


def labels(status, basis, confidence, carried, age) -> pd.Categorical:
    """``control (claimed)``, ``present (events, reported)``, ``present (claimed, 2 months
    old)``, ``none``: the status, what sets it, for events their best confidence, and
    the age of the latest evidence when none is dated in the period.

    The text is made once per distinct combination, not once per row.
    """
    cols = [pd.Categorical(v) for v in (status, basis, confidence)]
    age = np.asarray(age, dtype="int64")
    carried = np.asarray(carried, bool)
    cats = [np.asarray(c.categories, dtype=object) for c in cols]
    codes_ = [np.asarray(c.codes, dtype="int64") for c in cols]
    not_none = (cats[0] != "none")[codes_[0]] if len(cats[0]) else np.zeros(len(age), bool)
    shown = carried & (age > 0) & not_none
    months = np.where(shown, np.maximum(1, np.floor(age / 30.44)).astype("int64"), 0)
    key = months
    for cat, code in zip(cats, codes_):
        key = key * (len(cat) + 1) + code + 1
    if len(key) == 0:
        return pd.Categorical([], categories=[])
    combo, inv = unique_inverse(key)
    first = np.zeros(len(combo), "int64")
    first[inv[::-1]] = np.arange(len(key))[::-1]
    status_f, basis_f, conf_f = (cat[code[first]] for cat, code in zip(cats, codes_))
    text = _label_text(status_f, basis_f, conf_f, shown[first],
                       np.where(shown[first], age[first], 0))
    names, name_code = np.unique(text.astype(str), return_inverse=True)
    return pd.Categorical.from_codes(name_code[inv], names)


def take_categorical(values, idx: np.ndarray) -> pd.Categorical:
    """``values[idx]`` as a categorical with sorted categories, factorizing the short
    ``values`` rather than the long result (``values`` may already be that categorical,
    made once for many takes)."""
    if isinstance(values, pd.Categorical):
        return values.take(np.asarray(idx, dtype="int64"))
    names, code = np.unique(np.asarray(values, dtype=object).astype(str), return_inverse=True)
    return pd.Categorical.from_codes(code[np.asarray(idx, dtype="int64")], names)


def concat_rows(frames: list[pd.DataFrame], *, same_categories_stay: bool = False
                ) -> pd.DataFrame:
    """Concatenate row frames, keeping categorical columns categorical (the categories
    are united and sorted; with ``same_categories_stay``, a column whose frames all
    have the same categories keeps them as they are, as one frame would)."""
    frames = [f for f in frames if len(f)] or frames[:1]
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    cats = [c for c in frames[0].columns
            if all(isinstance(f[c].dtype, pd.CategoricalDtype) for f in frames)]
    out = pd.concat([f.drop(columns=cats) for f in frames], ignore_index=True)
    for c in cats:
        first = frames[0][c].cat.categories
        if same_categories_stay and all(f[c].cat.categories.equals(first) for f in frames):
            out[c] = pd.Categorical.from_codes(
                np.concatenate([f[c].cat.codes.to_numpy() for f in frames]), first)
        else:
            out[c] = _united([f[c].array for f in frames])
    return out[frames[0].columns]


def _united(columns: list[pd.Categorical]) -> pd.Categorical:
    """The categoricals one after the other, their categories united and sorted (as
    ``union_categoricals(..., sort_categories=True)``): the few categories are looked up,
    the codes only recoded."""
    cats = [np.asarray(col.categories, dtype=object) for col in columns]
    union = np.unique(np.concatenate(cats))  # Python strings: compared as text, NULs kept
    codes_ = []
    for col, names in zip(columns, cats):
        at = np.append(np.searchsorted(union, names), -1)  # a missing value (-1) stays one
        codes_.append(at[np.asarray(col.codes, "int64")])
    return pd.Categorical.from_codes(np.concatenate(codes_), union)


def _sort_codes(column: pd.Series) -> np.ndarray:
    """Integer codes that order like the text of ``column``."""
    if (isinstance(column.dtype, pd.CategoricalDtype)
            and column.cat.categories.is_monotonic_increasing):
        return column.cat.codes.to_numpy().astype("int64")
    return pd.factorize(column.astype(str), sort=True)[0].astype("int64")


def _publish_order(pidx: np.ndarray, key_codes: list[np.ndarray]) -> np.ndarray:
    """The stable order by period, then each key. The parts arrive each in that order
    already, so a stable sort of one combined integer key (a merge of sorted runs) is
    far cheaper than a sort by several keys."""
    if len(pidx) == 0:
        return np.array([], "int64")
    sizes = [int(c.max()) + 1 for c in key_codes]
    if (int(pidx.max()) + 1) * int(np.prod(sizes, dtype=object)) >= 2 ** 62:
        return np.lexsort(tuple(reversed(key_codes)) + (pidx,))
    key = pidx.astype("int64")
    for codes_, size in zip(key_codes, sizes):
        key = key * size + codes_
    return np.argsort(key, kind="stable")


def publish(parts: list[Rows], periods: pd.DataFrame, ids: RecordIds, columns: list[str],
            keys: tuple[str, ...]) -> pd.DataFrame:
    """All parts as one frame in ``columns``, ordered by period then ``keys`` (a stable
    order: parts keep their order on ties); period columns and evidence lists are
    written in that order. The evidence lists (the largest text by far) are joined on a
    second thread while the other columns are taken."""
    frame = concat_rows([p.frame for p in parts])
    pidx = np.concatenate([np.asarray(p.pidx, "int64") for p in parts])
    order = _publish_order(pidx, [_sort_codes(frame[k]) for k in keys])
    with ThreadPoolExecutor(max_workers=1) as pool:
        evidence = pool.submit(_evidence_columns, parts, order, ids) \
            if "evidence_events" in columns else None
        frame = frame.take(order).reset_index(drop=True)
        pidx = pidx[order]
        frame["period"] = take_text(periods["period"], pidx)
        for c in PERIOD_COLUMNS[1:]:
            frame[c] = periods[c].to_numpy()[pidx]
        if "_age" in frame:
            frame["last_evidence"] = last_evidence(frame.pop("_age").to_numpy(), pidx, periods)
        for col, values in (evidence.result().items() if evidence else ()):
            frame[col] = values
    return frame[columns]


def _evidence_columns(parts: list[Rows], order: np.ndarray, ids: RecordIds) -> dict:
    """The evidence lists of the rows in their published ``order``. The pairs' keys are
    made part by part, straight into one array: at scale they are tens of millions."""
    n = len(order)
    rank = np.empty(n, "int64")
    rank[order] = np.arange(n)
    offsets = np.cumsum([0] + [len(p.frame) for p in parts])
    out = {}
    for col, row_attr, rec_attr, codes_, names in (
            ("evidence_events", "ev_row", "ev_record", ids.event_codes, ids.event_names),
            ("evidence_claims", "cl_row", "cl_record", ids.claim_codes, ids.claim_names)):
        m = len(names)
        sizes = [len(getattr(p.evidence, row_attr)) for p in parts]
        key = np.empty(sum(sizes) if m else 0, "int64")
        for start, off, size, p in zip(np.cumsum([0] + sizes), offsets, sizes, parts):
            if m and size:
                part = key[start:start + size]
                np.take(rank[off:], getattr(p.evidence, row_attr), out=part)
                part *= m
                part += np.asarray(codes_, "int64")[getattr(p.evidence, rec_attr)]
        out[col] = joined_by_key(key, names, n, split=2)
        del key
    return out


def last_evidence(age: np.ndarray, pidx: np.ndarray, periods: pd.DataFrame) -> pd.Series:
    """The day of the latest evidence: the period's end minus the age (None without)."""
    pe = pd.to_datetime(periods["period_end"]).to_numpy("datetime64[D]").astype("int64")
    age = np.asarray(age, "int64")
    day = np.where(age >= 0, pe[np.asarray(pidx, "int64")] - age, np.iinfo("int64").min)
    # a few thousand distinct days: make each date object once
    days, inv = unique_inverse(day)
    dates = np.array([None if d == np.iinfo("int64").min else
                      pd.Timestamp(np.datetime64(int(d), "D")).date() for d in days], dtype=object)
    return pd.Series(dates[inv] if len(day) else np.array([], dtype=object), dtype=object)


def space_evidence(space: Space, flats: np.ndarray, s: PresenceSettings) -> Evidence:
    """The (row, record) pairs behind the rows at the (period × key) ``flats``."""
    if not s.evidence:
        return Evidence.none()
    # int32: tens of millions of pairs wait here until publish
    row_of = np.full(space.status.size, -1, "int32")
    row_of[flats] = np.arange(len(flats), dtype="int32")
    out = []
    for flat, rec in (space.ev_pairs, space.cl_pairs):
        r = row_of[flat] if len(flat) else np.array([], "int32")
        m = r >= 0
        out += [r[m], np.asarray(rec)[m].astype("int32")]
    return Evidence(*out)


def space_rows(space: Space, place_ids: np.ndarray, place_level: np.ndarray, spatial: str,
               actors: pd.DataFrame, s: PresenceSettings, *,
               keep: np.ndarray | None = None) -> Rows:
    """The rows of one space, one per kept (place, group, period)."""
    if keep is None:
        keep = ((space.status > 0) | space.claim_in
                | (space.activity >= 0.1 * s.present_threshold))
    # period-major, as the model's arrays are laid out: rows come in period, place id
    # and group order, which is nearly the published order
    p, k = np.nonzero(np.asarray(keep).T)
    K = space.status.shape[0]
    frame = rows_frame(
        unit_id=take_categorical(place_ids, space.place[k]),
        unit_level=take_categorical(place_level, space.place[k]),
        spatial=spatial, group=space.groups.take(k),
        actors=actors,
        activity=space.activity[k, p], score=space.score[k, p], share=space.share[k, p],
        status=space.status[k, p], basis=space.basis[k, p], conf=space.conf[k, p],
        age=space.age[k, p], carried=space.carried[k, p], uncertain=space.uncertain[k, p],
        n=space.n[k, p])
    return Rows(frame, p, space_evidence(space, p * K + k, s))


def rows_frame(*, unit_id, unit_level, spatial, group, actors, activity, score, share, status,
               basis, conf, age, carried, uncertain, n, area=None) -> pd.DataFrame:
    """Presence rows without their period, last-evidence and evidence columns
    (:func:`publish` adds them; ``_age`` holds the age for the last evidence)."""
    status_names = pd.Categorical.from_codes(np.asarray(status, "int64"), STATUSES)
    basis_names = pd.Categorical.from_codes(np.asarray(basis, "int64"), BASES)
    conf_names = pd.Categorical.from_codes(np.asarray(conf, "int64"), CONFIDENCE_NAMES)
    age = np.asarray(age, dtype="int64")
    out = pd.DataFrame({
        "unit_id": _categorical(unit_id), "unit_level": _categorical(unit_level),
        "spatial": _text(spatial, len(age)),
        "group": _categorical(group), "side": _sides_of(_categorical(group), actors),
        "activity": np.round(activity, 6), "score": np.round(score, 6),
        "share": np.round(share, 6), "status": status_names, "basis": basis_names,
        "confidence": conf_names,
        "label": labels(status_names, basis_names, conf_names, carried, age),
        "age_days": np.where(age >= 0, age, 0).astype("int64"),
        "_age": age,
        "date_uncertain": np.asarray(uncertain, bool),
        "n_events": np.asarray(n, dtype="int64"),
    })
    for name in ("present", "contested", "dominant", "control"):
        out[f"area_{name}"] = np.nan if area is None else np.round(area[name], 4)
    out["stability"] = np.nan  # filled by sahelmap.sensitivity
    return out


def _text(values, n: int):
    """A text column of ``n`` rows from one value or from an array of a few distinct ones."""
    if isinstance(values, str):
        return take_text([values], np.zeros(n, "int64"))
    c, names = codes(values)
    return take_text(names, c)


def _categorical(values) -> pd.Categorical:
    if isinstance(values, pd.Categorical):
        return values
    return pd.Categorical(np.asarray(values, dtype=object).astype(str))


def _sides_of(groups: pd.Categorical, actors: pd.DataFrame) -> pd.Categorical:
    side = sides(np.asarray(groups.categories, dtype=object), actors)
    return take_categorical(side, groups.codes)


def zone_rows(space: Space, place_ids: np.ndarray, place_level: np.ndarray) -> Rows:
    """One verdict per place and period of a space (:data:`ZONE_COLUMNS`)."""
    z = space.zones
    P = space.status.shape[1]
    lead = z["leader"].to_numpy()
    has = lead >= 0
    pidx = z["period"].to_numpy().astype("int64")
    li = np.maximum(lead, 0)
    hs, hb = space.status[li, pidx], space.basis[li, pidx]
    place = z["place"].to_numpy().astype("int64")
    # contenders: groups contesting a contested place (a place is contested exactly
    # where some group's status is: the list is empty everywhere else)
    k, p = np.nonzero(space.status == RANK["contested"])
    row = positions(place * P + pidx, space.place[k] * P + p)
    cont = joined_text(row[row >= 0], space.group[k][row >= 0], len(place))
    # text columns from their few distinct values
    return Rows(pd.DataFrame({
        "unit_id": take_text(place_ids, place), "unit_level": take_text(place_level, place),
        "zone": _text(z["zone"].to_numpy(dtype=object), len(place)),
        "holder": take_text(np.append(space.group, ""), np.where(has, li, len(space.group))),
        "holder_status": take_text(list(STATUSES) + [""], np.where(has, hs, len(STATUSES))),
        "basis": take_text(list(BASES) + [""], np.where(has, hb, len(BASES))),
        "contenders": cont if len(place) else np.array([], dtype=object),
        "stability": np.nan,
    }), pidx, Evidence.none())
