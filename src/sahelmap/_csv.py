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

import csv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from ._errors import InputError

CHUNK = 1 << 26


def _line_breaks(path: Path) -> tuple[int, bool] | None:
    """(count of line feeds, whether the file ends with one), read in chunks; None when
    there is none, when a carriage return does not end a line (CR without LF) or when the
    file is not UTF-8 (so a file is read fast whole or not at all, whichever columns are
    kept)."""
    count, pending_cr, last = 0, False, b""
    runs = _Utf8Runs()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            data = np.frombuffer(chunk, np.uint8)
            if not runs.add(data):
                return None
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
    if pending_cr or not count or not runs.done():
        return None
    return count, last == b"\n"


class _Utf8Runs:
    """UTF-8 validity of a file read in chunks, checked on its non-ASCII bytes only: every
    multi-byte character lies inside a run of bytes >= 0x80 (ASCII bytes are never part
    of one), so the file is UTF-8 when each maximal run decodes on its own."""

    def __init__(self):
        self.pending = b""  # a run that reaches the end of the chunk read so far

    def add(self, data: np.ndarray) -> bool:
        at = np.flatnonzero(data >= 0x80)
        if not len(at):
            return self._close()
        # the runs' bytes, each run after a line feed (never inside a run), in one buffer
        starts = np.r_[True, np.diff(at) > 1]
        out = np.full(len(at) + int(starts.sum()), 10, np.uint8)
        out[np.arange(len(at)) + np.cumsum(starts)] = data[at]
        buf = out.tobytes()
        if at[0] == 0:  # the first run continues the one the last chunk ended with
            buf, self.pending = self.pending + buf[1:], b""
        elif not self._close():
            return False
        if at[-1] == len(data) - 1:  # the last run may go on in the next chunk
            cut = buf.rfind(b"\n") + 1
            buf, self.pending = buf[:cut], buf[cut:]
        return _decodes(buf)

    def _close(self) -> bool:
        """Whether the run left over from the last chunk decodes (it ends here)."""
        pending, self.pending = self.pending, b""
        return _decodes(pending)

    done = _close  # at the end of the file, the last run ends too


def _decodes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


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


def read_header(path: Path) -> list[str] | None:
    """The column names of a CSV file (stripped, as the readers strip them), read from its
    first row alone; None when the file cannot be opened or is empty (the readers then
    say why). Bytes that are not UTF-8 become U+FFFD: the names only identify the layout."""
    try:
        with open(path, "rb") as fh:
            start = fh.read(4096)
        _not_text(path, start)
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
            first = next(csv.reader(fh), None)
    except (OSError, csv.Error):
        return None
    return None if first is None else [h.strip() for h in first]


def _not_text(path: Path, start: bytes) -> None:
    """Refuse, in one line, a workbook or UTF-16 text saved where a CSV was meant."""
    if start.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise InputError(f"{path}: a spreadsheet workbook (Excel or similar), not CSV text; "
                         "open it and save the sheet as 'CSV UTF-8 (comma delimited)'")
    # UTF-16 of Latin text: every other byte zero (a stray NUL in a UTF-8 cell is a row's problem)
    if start.startswith((b"\xff\xfe", b"\xfe\xff")) or start.count(0) > len(start) // 4:
        raise InputError(f"{path}: UTF-16 text (Excel's 'Unicode Text'), not UTF-8 CSV; open "
                         "it and save it as 'CSV UTF-8 (comma delimited)'")


def read_table_rows(path: Path, columns=None) -> tuple[list[str], pd.DataFrame] | None:
    """(header, rows as text with ``line``) read by Arrow, or None when the file is for
    the careful reader. Values and header names are stripped as ``str.strip`` does;
    rows whose cells are all blank are dropped, as the careful reader drops them.

    ``columns(header)``: the positions of the columns to keep (None: all). The others are
    parsed but not kept; they are read again only when the rows' lines or blankness
    depend on them (a line break or the only value of a row in a column not kept)."""
    with open(path, "rb") as fh:
        first = fh.readline().rstrip(b"\n")
    if b'"' in first:  # quoted names, maybe over several lines: rare, read carefully
        return None
    try:
        header = [h.strip() for h in first.decode("utf-8-sig").rstrip("\r").split(",")]
    except UnicodeDecodeError:
        return None
    names = [f"c{i}" for i in range(len(header))]
    picked = columns(header) if columns is not None else None
    chosen = list(range(len(header))) if picked is None else list(picked)
    # the file's line breaks are counted (numpy, outside the GIL) while Arrow parses it
    with ThreadPoolExecutor(1) as pool:
        counted = pool.submit(_line_breaks, path)
        table = _arrow_read(path, names, [names[i] for i in chosen])
        breaks = counted.result()
    if breaks is None:
        return None
    n_breaks, ends_with_break = breaks
    if table is None or table.num_rows == 0:
        return None  # a header alone: the careful reader says what it makes of it
    others = [names[i] for i in range(len(header)) if i not in set(chosen)]
    rest = None  # the columns not kept, read only when needed
    # line breaks inside values: the file's count tells how many there are (blank lines
    # aside); columns are counted until all are found, and a shortfall means blank lines
    rows = table.num_rows
    expected = n_breaks - 1 - rows + (0 if ends_with_break else 1)
    inside = _inner_breaks(table.columns, expected, np.zeros(rows, "int64"))
    if int(inside.sum()) != expected and others:
        rest = _arrow_read(path, names, others)
        if rest is None:
            return None
        inside = _inner_breaks(rest.columns, expected, inside)
    if int(inside.sum()) != expected:
        return None  # blank lines somewhere: their rows' lines cannot be derived
    line = 2 + np.arange(rows, dtype="int64") + np.concatenate([[0], np.cumsum(inside)[:-1]])
    # utf8_trim_whitespace removes what str.strip removes (tests/test_csv.py checks)
    kept = [pc.utf8_trim_whitespace(col) for col in table.columns]
    blank = _blank_rows(kept)
    if len(blank) and others:  # blank in the columns kept: blank in the others too?
        rest = rest if rest is not None else _arrow_read(path, names, others)
        if rest is None:
            return None
        blank = _blank_rows([pc.utf8_trim_whitespace(c).take(pa.array(blank))
                             for c in rest.columns], blank)
    # one chunk per column: filters and takes on a column in many chunks copy all of it
    frame = pa.table(kept, names=[names[i] for i in chosen]).combine_chunks().to_pandas()
    frame.columns = [header[i] for i in chosen]
    frame["file"] = str(path)
    frame["line"] = line
    if len(blank):
        frame = frame.drop(index=blank).reset_index(drop=True)
    return header, frame


def _arrow_read(path: Path, names: list[str], include: list[str]) -> pa.Table | None:
    """The columns ``include`` of the file as text (the header row skipped), or None when
    Arrow cannot read it (not UTF-8, rows of another width, a quote left open)."""
    try:
        return pcsv.read_csv(
            path, read_options=pcsv.ReadOptions(column_names=names, skip_rows=1,
                                                block_size=CHUNK),
            parse_options=pcsv.ParseOptions(newlines_in_values=True),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in include}, include_columns=include,
                strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _inner_breaks(columns: list, expected: int, inside: np.ndarray) -> np.ndarray:
    """``inside`` plus the line breaks in each row's values of ``columns``, the longest
    text (notes) first, until ``expected`` are found."""
    for col in sorted(columns, key=lambda c: -c.nbytes):
        if int(inside.sum()) >= expected:
            break
        inside = inside + _breaks_per_row(col)
    return inside


def _blank_rows(columns: list, rows: np.ndarray | None = None) -> np.ndarray:
    """Positions (among ``rows``, default all) whose cells in ``columns`` are all blank;
    ``columns`` hold only those rows when ``rows`` is given."""
    if not columns:
        return np.array([], "int64")
    maybe = np.flatnonzero(pc.equal(columns[0], "").to_numpy(zero_copy_only=False))
    for col in columns[1:]:
        if not len(maybe):
            break
        maybe = maybe[pc.equal(col.take(pa.array(maybe)), "").to_numpy(zero_copy_only=False)]
    return maybe if rows is None else rows[maybe]
