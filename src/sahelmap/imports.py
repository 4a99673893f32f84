"""Reading other people's exports: layout detection, shared text clean-up, and the
import report. The ACLED and UCDP mappings live in ``acled.py`` and ``ucdp.py``.

Every row read is either kept as an event or reported with its line and reason;
duplicates within a file are merged and counted; unknown actors are counted so
the alias table can be extended.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ._arrays import map_text, take_text  # noqa: F401  (map_text: the importers use it)
from ._errors import Problem
from ._names import name_keys
from .schema import lower_header
from .gazetteer import COUNTRY_NAMES

NBSP = ("\u00a0", "\u202f", "\u2007")
LICENCES = {
    "notes": ("CC BY 4.0 (sahelmap records)", True),
    "ucdp": ("UCDP GED, CC BY 4.0: cite Sundberg & Melander 2013 and Davies et al.", True),
    "acled": ("ACLED terms of use: raw rows may not be redistributed; cite ACLED", False),
}


@dataclass
class ImportReport:
    """What happened to one imported file."""

    file: str
    layout: str
    rows_read: int = 0
    events_kept: int = 0
    duplicates_merged: int = 0
    skipped: int = 0  # HXL tag rows (not data)
    flagged: list[Problem] = field(default_factory=list)
    unknown_actors: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        top = ", ".join(f"{a!r} ×{n}" for a, n in self.unknown_actors.most_common(5))
        return (f"{self.file}: {self.layout}: {self.rows_read} rows read"
                + (f" (and {self.skipped} HXL tag row)" if self.skipped else "")
                + f", {self.events_kept} "
                f"events kept, {self.duplicates_merged} duplicates merged, "
                f"{len([p for p in self.flagged if p.level == 'error'])} rows flagged"
                + (f"; unknown actors: {top}" if top else ""))


def publishable(dataset: str) -> bool:
    return LICENCES.get(dataset, ("", False))[1]


def licence(dataset: str) -> str:
    return LICENCES.get(dataset, ("unknown licence", False))[0]


def dates_of(times: pd.Series) -> np.ndarray:
    """``times.dt.date`` as an object array, one ``date`` made per distinct day."""
    codes_, days = pd.factorize(times.to_numpy("datetime64[D]"), use_na_sentinel=False)
    made = np.array([None if pd.isna(d) else pd.Timestamp(d).date() for d in days],
                    dtype=object)
    return made[codes_] if len(codes_) else np.array([], dtype=object)


def constant_text(value: str, n: int):
    """A text column of ``n`` times ``value``, made without ``n`` Python strings."""
    return take_text([value], np.zeros(n, "int64"))


def _may_hold(s: pd.Series, chars: tuple[str, ...]) -> bool:
    """Whether any value of ``s`` may hold one of ``chars``: for Arrow strings, a scan of
    the bytes behind the column (a false alarm only costs the replacements); for other
    text, the values themselves."""
    arrow = getattr(s.array, "_pa_array", None)
    if arrow is None:
        return bool(s.str.contains("[" + "".join(chars) + "]", regex=True).any())
    needles = [np.frombuffer(c.encode("utf-8"), np.uint8) for c in chars]
    for chunk in (arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]):
        data = chunk.buffers()[2]
        if data is None:
            continue
        data = np.frombuffer(data, np.uint8)
        for needle in needles:  # where the first byte is, do the others follow?
            at = np.flatnonzero(data[:len(data) - len(needle) + 1] == needle[0])
            if len(at) and _found(data, at, needle):
                return True
    return False


def _found(data: np.ndarray, at: np.ndarray, needle: np.ndarray) -> bool:
    """Whether ``needle`` starts at one of the positions ``at`` of ``data``."""
    hit = np.ones(len(at), bool)
    for k in range(1, len(needle)):
        hit &= data[at + k] == needle[k]
    return bool(hit.any())


def clean_text(s: pd.Series) -> pd.Series:
    """Text with non-breaking spaces made plain and the ends stripped (as ``str.strip``)."""
    s = s.fillna("").astype(str)
    if _may_hold(s, NBSP):
        for ch in NBSP:
            s = s.str.replace(ch, " ", regex=False)
    return s.str.strip()


def clean_number(s: pd.Series) -> pd.Series:
    """Numbers as written in spreadsheets: spaces and non-breaking spaces removed;
    what is not a number becomes NaN (as ``pd.to_numeric(..., errors="coerce")``).

    Text held as Arrow strings is cast by Arrow when every value is a plain number
    (a million values in milliseconds); anything else goes through pandas."""
    s = s.fillna("").astype(str)
    if _may_hold(s, (*NBSP, " ")):
        for ch in (*NBSP, " "):
            s = s.str.replace(ch, "", regex=False)
    fast = _arrow_numbers(s)
    return fast if fast is not None else pd.to_numeric(s.replace("", None), errors="coerce")


PLAIN_NUMBER = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$"
PLAIN_INTEGER = r"^[+-]?[0-9]+$"


def _arrow_numbers(s: pd.Series) -> pd.Series | None:
    """``s`` as numbers when it is held as Arrow strings and every value is empty or a
    plain decimal number; integers stay integers when none is missing, as in pandas."""
    arrow = getattr(s.array, "_pa_array", None)
    if arrow is None:
        return None
    values = arrow.combine_chunks() if isinstance(arrow, pa.ChunkedArray) else arrow
    blank = pc.equal(values, "")
    if not pc.all(pc.or_(blank, pc.match_substring_regex(values, PLAIN_NUMBER))).as_py():
        return None
    present = pc.if_else(blank, pa.scalar(None, pa.string()), values)
    if values.null_count == 0 and not pc.any(blank).as_py() and \
            pc.all(pc.match_substring_regex(values, PLAIN_INTEGER)).as_py():
        try:
            return pd.Series(pc.cast(values, pa.int64()).to_numpy(), index=s.index)
        except pa.ArrowInvalid:  # a '+' sign, or beyond int64: pandas decides
            return None
    try:
        numbers = pc.cast(present, pa.float64())
    except pa.ArrowInvalid:  # a form Arrow does not read (a leading '+', say): pandas does
        return None
    return pd.Series(numbers.to_numpy(zero_copy_only=False), index=s.index)


MAX_COUNT = 10**7  # no single record reports more deaths than this


def usable_count(numbers: pd.Series) -> pd.Series:
    """Whole non-negative finite counts as Int64; anything else (inf, negative,
    absurdly large) becomes missing so the caller can flag it."""
    ok = numbers.notna() & np.isfinite(numbers) & numbers.between(0, MAX_COUNT)
    return numbers.where(ok).round().astype("Int64")


def flag_counts(report: "ImportReport", frame: pd.DataFrame, numbers: pd.Series,
                raw: pd.Series, field_: str) -> pd.Series:
    """Counts as Int64, each written-but-unusable value flagged as a warning
    (the row is kept with the count left empty)."""
    counts = usable_count(numbers)
    flag(report, frame, counts.isna() & (clean_text(raw) != ""), field_,
         "is not a usable count of people",
         f"write a whole number from 0 to {MAX_COUNT:,}; the row is kept with it empty",
         values=raw, level="warning")
    return counts


ISO_DAY = r"^(1[7-9][0-9][0-9]|2[01][0-9][0-9])-[0-9][0-9]-[0-9][0-9]$"


def parse_dates(s: pd.Series, formats: list[str]) -> pd.Series:
    """Each value by the first format that reads it (vectorised per format). Held as
    Arrow strings, plain ISO days (1700-2199) are read by Arrow first."""
    s = clean_text(s)
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    arrow = getattr(s.array, "_pa_array", None)
    if formats and formats[0] == "%Y-%m-%d" and arrow is not None:
        iso = pc.match_substring_regex(arrow, ISO_DAY)
        try:  # Arrow's date cast refuses impossible days (2025-02-30): then pandas reads all
            days = pc.cast(pc.if_else(iso, arrow, pa.scalar(None, arrow.type)), pa.date32())
            out = pd.Series(days.to_numpy(zero_copy_only=False).astype("datetime64[ns]"),
                            index=s.index)
        except pa.ArrowInvalid:
            pass
    for fmt in formats:
        todo = out.isna()
        if not todo.any():
            break
        found = pd.to_datetime(s[todo], format=fmt, errors="coerce")
        # days a nanosecond clock cannot hold (year 201 for 2017, say) are not dates here
        inside = (found >= pd.Timestamp.min) & (found <= pd.Timestamp.max)
        out[todo] = found.where(inside).astype("datetime64[ns]")
    return out


def country_codes(names: pd.Series) -> pd.Series:
    """ISO3 from country names as exports write them ('Burkina Faso', 'Ivory Coast')."""
    table = {}
    for iso, (name, alts) in COUNTRY_NAMES.items():
        for n in [name, iso, *alts.split("|")]:
            if n:
                table[n] = iso
    keys = pd.Series(list(table))
    lookup = dict(zip(name_keys(keys), table.values()))
    names = clean_text(names)
    codes_, uniques = pd.factorize(names, use_na_sentinel=False)
    iso = name_keys(pd.Series(np.asarray(uniques, dtype=object))).map(lookup).fillna("")
    return pd.Series(take_text(iso.to_numpy(dtype=object), codes_), index=names.index)


def prepare(frame: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """Raw rows from the CSV reader → lower-case columns (first of any repeats), the
    HXL tag row dropped (text stays as the reader holds it: Arrow strings keep their
    fast string operations); also says whether there was an HXL row."""
    frame = frame.copy()
    frame.columns = lower_header(list(frame.columns[:-2])) + ["file", "line"]
    frame = frame.loc[:, ~frame.columns.duplicated()]
    return drop_hxl(frame)


HXL_TAG = r"^#[a-z][a-z0-9_]*(\+[a-z0-9_]+)*$"


def drop_hxl(frame: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """HDX copies carry a second header row of HXL hashtags (#date, #adm1+name …).

    The row counts as tags only when most of its filled cells are well-formed tags,
    so a data row that happens to hold a '#' is never dropped.
    """
    if not len(frame):
        return frame, False
    first = frame.iloc[0].drop(["file", "line"], errors="ignore").astype(str).str.strip()
    filled = first[first != ""]
    tags = filled.str.match(HXL_TAG)
    if len(filled) >= 3 and tags.mean() >= 0.8:
        return frame.iloc[1:].reset_index(drop=True), True
    return frame, False


def flag(report: ImportReport, frame: pd.DataFrame, mask, field_: str, message: str,
         fix: str, values=None, level: str = "error") -> None:
    rows = np.flatnonzero(np.asarray(mask, dtype=bool))
    if not len(rows):
        return
    source = frame[field_] if values is None else pd.Series(values, index=frame.index)
    vals = source.iloc[rows].astype(str).to_numpy()  # only the flagged rows made text
    lines = frame["line"].iloc[rows].to_numpy()
    for line, value in zip(lines, vals):
        report.flagged.append(Problem(report.file, int(line), field_, str(value), message,
                                      fix, level=level))
