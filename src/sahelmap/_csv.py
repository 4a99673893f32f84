"""Reading a CSV file fast, with the physical line number of every row.

Arrow's CSV reader parses a million rows in a second or two but does not say
where each row starts. The line of row ``i`` is derived instead: the header
takes line 1, every row one line plus the line breaks inside its quoted values,
so row ``i`` starts on ``2 + i + (line breaks inside rows 0 .. i-1)``. That
holds only when the file has no blank lines and no lone carriage returns; both
are checked against the file's own count of line breaks, and any file that
does not fit (not UTF-8, blank lines, rows of another width, a header over
several lines) is left to the careful reader in :mod:`sahelmap.records`, which
reads it row by row.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

CHUNK = 1 << 26


def _line_breaks(path: Path) -> tuple[int, bool, bytes] | None:
    """(count of line feeds, whether the file ends with one, its first line), read in
    chunks; None when a carriage return does not end a line (CR without LF)."""
    count, first, pending_cr, last = 0, None, False, b""
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            if first is None and b"\n" in chunk:
                first = chunk[:chunk.index(b"\n")]
            data = np.frombuffer(chunk, np.uint8)
            count += int(np.count_nonzero(data == 10))
            if pending_cr and data[0] != 10:
                return None
            if b"\r" in chunk:  # every carriage return must be followed by a line feed
                cr = np.flatnonzero(data == 13)
                inside = cr[cr + 1 < len(data)]
                if (data[inside + 1] != 10).any():
                    return None
            pending_cr = bool(data[-1] == 13)
            last = chunk[-1:]
    if pending_cr or first is None:
        return None
    return count, last == b"\n", first


def _breaks_per_row(column: pa.ChunkedArray) -> np.ndarray:
    """The number of line feeds in each value, from one scan of the bytes behind the
    column (its offsets say which value each byte belongs to)."""
    out = []
    for chunk in column.chunks:
        offsets_dtype = "int64" if pa.types.is_large_string(chunk.type) else "int32"
        offsets = np.frombuffer(chunk.buffers()[1], offsets_dtype)[
            chunk.offset:chunk.offset + len(chunk) + 1]
        data = chunk.buffers()[2]
        at = np.array([], "int64") if data is None else np.flatnonzero(
            np.frombuffer(data, np.uint8)[offsets[0]:offsets[-1]] == 10) + offsets[0]
        out.append(np.bincount(np.searchsorted(offsets, at, side="right") - 1,
                               minlength=len(chunk))[:len(chunk)])
    return np.concatenate(out) if out else np.array([], "int64")


def read_table_rows(path: Path) -> tuple[list[str], pd.DataFrame] | None:
    """(header, rows as text with ``line``) read by Arrow, or None when the file is for
    the careful reader. Values and header names are stripped as ``str.strip`` does;
    rows whose cells are all blank are dropped, as the careful reader drops them."""
    breaks = _line_breaks(path)
    if breaks is None:
        return None
    n_breaks, ends_with_break, first = breaks
    if b'"' in first:  # quoted names, maybe over several lines: rare, read carefully
        return None
    try:
        header = [h.strip() for h in first.decode("utf-8-sig").rstrip("\r").split(",")]
    except UnicodeDecodeError:
        return None
    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pcsv.read_csv(
            path, read_options=pcsv.ReadOptions(column_names=names, skip_rows=1,
                                                block_size=CHUNK),
            parse_options=pcsv.ParseOptions(newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # not UTF-8, rows of another width, a quote left open
    rows = table.num_rows
    if rows == 0:
        return None  # a header alone: the careful reader says what it makes of it
    # line breaks inside values: the file's count tells how many there are (blank lines
    # aside); columns are counted until all are found, and a shortfall means blank lines
    inside = np.zeros(rows, "int64")
    expected = n_breaks - 1 - rows + (0 if ends_with_break else 1)
    found = 0
    # the longest text (notes) first: that is where line breaks are
    for col in sorted(table.columns, key=lambda c: -c.nbytes):
        if found >= expected:
            break
        inside += _breaks_per_row(col)
        found = int(inside.sum())
    if found != expected:
        return None  # blank lines somewhere: their rows' lines cannot be derived
    line = 2 + np.arange(rows, dtype="int64") + np.concatenate([[0], np.cumsum(inside)[:-1]])
    # utf8_trim_whitespace removes what str.strip removes (tests/test_csv.py checks)
    columns = [pc.utf8_trim_whitespace(col) for col in table.columns]
    # rows whose cells are all blank: only rows with a blank first cell can be
    maybe = np.flatnonzero(pc.equal(columns[0], "").to_numpy(zero_copy_only=False))
    for col in columns[1:]:
        if not len(maybe):
            break
        maybe = maybe[pc.equal(col.take(pa.array(maybe)), "").to_numpy(zero_copy_only=False)]
    blank = maybe
    frame = pa.table(columns, names=names).to_pandas()
    frame.columns = header
    frame["file"] = str(path)
    frame["line"] = line
    if len(blank):
        frame = frame.drop(index=blank).reset_index(drop=True)
    return header, frame
