"""CSV text of a frame built column by column with Arrow, byte for byte what
``DataFrame.to_csv(index=False, lineterminator="\\n", float_format="%.5f")`` writes,
except that a field holding a carriage return is quoted (see QUOTED) and a text cell a
spreadsheet would run as a formula starts with an apostrophe (see FORMULA_START).

pandas formats every cell through a Python object (two million presence rows
take half a minute); here a block of rows at a time, each column becomes an
Arrow text array, quoted where the csv module would quote it, and the rows are
joined in C. Blocks are small (50,000 rows) so that only a little of the table
exists as text at once: whole columns of a million events as text held over a
gigabyte. A column of a type not handled here (datetimes, mixed objects,
non-text categories) makes csv_blocks return None and the caller lets pandas
write the frame.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


# The characters that make a field quoted: those Python's csv writer (as pandas drives it)
# quotes, and the carriage return, which it leaves bare before Python 3.12 although every
# reader (pandas, Arrow, spreadsheets) ends the row there: a note holding one would make
# the table unreadable.
QUOTED = '\n\r,"'
QUOTE_PATTERN = "[" + "".join("\\n" if c == "\n" else "\\r" if c == "\r" else c
                              for c in QUOTED) + "]"


def _s(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def _text(values) -> pa.Array:
    """Arrow large strings with nulls as empty text."""
    arr = values if isinstance(values, (pa.Array, pa.ChunkedArray)) else pa.array(values)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pc.fill_null(arr.cast(pa.large_string()), "")


def fixed_decimals(x: np.ndarray, decimals: int) -> pa.Array:
    """``'%.{decimals}f' % v`` for every float (NaN as empty text), exactly as Python
    rounds: the decimal is made from integers wherever ``x * 10**decimals`` is not within
    reach of a rounding tie; the few others are formatted by Python."""
    x = np.asarray(x, dtype="float64")
    valid = ~np.isnan(x)
    if not valid.all():  # format the numbers only, then spread them back among the gaps
        made = fixed_decimals(x[valid], decimals)
        at = np.cumsum(valid) - 1
        return _text(made.take(pa.array(at, mask=~valid)))
    scale = 10 ** decimals
    with np.errstate(invalid="ignore", over="ignore"):
        y = x * scale
        simple = (np.abs(y) < 2.0 ** 31) & (np.abs(y - np.floor(y) - 0.5) > 1e-6)
    mag = np.abs(np.floor(np.where(simple, y, 0) + 0.5)).astype("int64")
    # int32 casts to text several times faster than int64; |y| < 2**31 keeps them exact
    whole = pc.cast(pa.array((mag // scale).astype("int32")), pa.string())
    part = pc.cast(pa.array((mag % scale + scale).astype("int32")), pa.string())
    out = pc.binary_join_element_wise(whole, pc.utf8_slice_codeunits(part, 1),
                                      pa.scalar(".")).cast(pa.large_string())
    negative = np.signbit(x)
    if negative.any():
        out = pc.if_else(pa.array(negative),
                         pc.binary_join_element_wise(_s("-"), out, _s("")), out)
    other = np.flatnonzero(~simple)
    if len(other):
        fmt = f"%.{decimals}f"
        mask = np.zeros(len(x), bool)
        mask[other] = True
        near, back = np.unique(x[other], return_inverse=True)  # ties repeat: format each once
        made = np.array([fmt % v for v in near.tolist()], dtype=object)[back.ravel()]
        out = pc.replace_with_mask(out, pa.array(mask), pa.array(made, pa.large_string()))
    return out


def _dates(s: pd.Series) -> pa.Array:
    """``datetime.date`` objects as ISO text, each distinct day converted once."""
    codes, days = pd.factorize(s, use_na_sentinel=True)
    text = pa.array(np.asarray(days, dtype=object), type=pa.date32()).cast(pa.large_string())
    return _text(text.take(pa.array(codes, mask=codes < 0)))


def column_kind(s: pd.Series) -> str | None:
    """How :func:`column_text` writes the column (decided once for the whole column, so
    that every block of its rows is written alike); None if only pandas can write it."""
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        if not len(dtype.categories):
            return "category"
        if not pd.api.types.is_string_dtype(dtype.categories.dtype):
            return None
        return "category" if column_kind(pd.Series(dtype.categories)) else None
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "int"
    if pd.api.types.is_float_dtype(dtype):
        return "float"
    if pd.api.types.is_string_dtype(dtype) and dtype != object:
        return "text"
    if dtype == object:
        kind = pd.api.types.infer_dtype(s, skipna=True)
        return "text" if kind in ("string", "empty") else "date" if kind == "date" else None
    return None


def column_text(s: pd.Series, decimals: int, kind: str | None = None) -> pa.Array | None:
    """The cells of one column as pandas' CSV writer prints them, before quoting (only
    text can need it: numbers, days and booleans never hold a quote or comma).
    ``kind``: :func:`column_kind` of the whole column when ``s`` is a block of it."""
    kind = kind or column_kind(s)
    if kind == "category":
        dtype = s.dtype
        if not len(dtype.categories):
            return _text(pa.nulls(len(s), pa.large_string()))
        cats = column_text(pd.Series(dtype.categories), decimals)
        codes = s.cat.codes.to_numpy()
        return _text(cats.take(pa.array(codes, mask=codes < 0)))
    if kind == "bool":
        arr = pa.array(s.astype("boolean"), type=pa.bool_())
        return _text(pc.if_else(arr, _s("True"), _s("False")))
    if kind == "int":
        return _text(pa.array(s, type=pa.int64()))
    if kind == "float":
        return fixed_decimals(s.to_numpy(dtype="float64", na_value=np.nan), decimals)
    if kind == "text":
        if s.dtype == object:
            s = s.where(s.notna(), None)
        return _text(pa.array(s, type=pa.large_string(), from_pandas=True))
    if kind == "date":
        return _dates(s)
    return None


# Formula injection: a spreadsheet opening the CSV runs a cell starting with one of these
# as a formula (OWASP's CSV injection). Text cells so starting get a leading apostrophe,
# which spreadsheets take as "text follows"; a cell that already starts with apostrophes
# before one of them gets one more, so that readers (tables.read_text_csv) remove exactly
# one and get the text back. Numbers, dates and booleans are never touched.
FORMULA_START = "^'*[=+\\-@\t\r]"


def defuse(text: pa.Array) -> pa.Array:
    """Text cells a spreadsheet would run as a formula, prefixed with an apostrophe."""
    need = pc.match_substring_regex(text, FORMULA_START)
    if not pc.any(need).as_py():
        return text
    return pc.if_else(need, pc.binary_join_element_wise(_s("'"), text, _s("")), text)


def undefuse(text):
    """:func:`defuse` undone (for a table read back from its CSV)."""
    return pc.replace_substring_regex(text, "^'('*[=+\\-@\t\r])", "\\1")


def defused_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """:func:`defuse` on every text column of a frame pandas writes (the rare layouts
    csv_blocks leaves to pandas)."""
    out = frame.copy()
    for name in out.columns:
        col = out[name]
        if column_kind(col) == "category":  # the categories guarded, the codes kept
            cats = pd.Series(col.cat.categories, dtype=object)
            guard = cats.str.match(FORMULA_START, na=False).astype(bool)
            out[name] = col.cat.rename_categories(
                cats.where(~guard, "'" + cats.astype(str)).tolist())
        elif column_kind(col) == "text" or (col.dtype == object and pd.api.types.infer_dtype(
                col, skipna=True) in ("string", "mixed")):
            text = col.astype(object)
            starts = text.str.match(FORMULA_START, na=False).astype(bool)
            out[name] = text.where(~starts, "'" + text.astype(str))
    return out


def needs_quotes(text: pa.Array) -> bool:
    """Whether some field of ``text`` holds a character the csv module quotes (a scan of
    the bytes behind its values, memchr, rules out the common case at once)."""
    data = text.buffers()[2]
    if data is None or not len(text):
        return False
    width = "int64" if pa.types.is_large_string(text.type) else "int32"
    offsets = np.frombuffer(text.buffers()[1], width)
    values = memoryview(data)[offsets[text.offset]:offsets[text.offset + len(text)]].tobytes()
    return any(ch.encode() in values for ch in QUOTED)


def quote(text: pa.Array) -> pa.Array:
    """Fields holding a quote, the delimiter or a line break quoted, quotes doubled."""
    need = pc.match_substring_regex(text, QUOTE_PATTERN)
    if not pc.any(need).as_py():
        return text
    doubled = pc.replace_substring(text, '"', '""')
    wrapped = pc.binary_join_element_wise(_s('"'), doubled, _s('"'), _s(""))
    return wrapped if pc.all(need).as_py() else pc.if_else(need, wrapped, text)


def csv_bytes(frame: pd.DataFrame, decimals: int = 5, order: np.ndarray | None = None
              ) -> bytes | None:
    """The CSV pandas writes for ``frame`` (no index, LF, floats ``%.{decimals}f``), or
    None when a column is of a type handled only by pandas. ``order``: see csv_blocks."""
    blocks = csv_blocks(frame, decimals, order)
    return None if blocks is None else b"".join(bytes(data) for data, _ in blocks)


ROWS_PER_PART = 50_000  # rows made into text at once, per thread
THREADS = 2


def csv_blocks(frame: pd.DataFrame, decimals: int = 5, order: np.ndarray | None = None
               ) -> Iterator[tuple[memoryview | bytes, list[pa.Array] | None]] | None:
    """:func:`csv_bytes` as buffers to write one after the other, made a block of rows at
    a time on two threads (Arrow works outside the GIL); None if pandas must write it.
    Each buffer comes with its rows' fields as text before quoting (what a CSV reader
    gives back), one array per column, or None for the header and the last line break.
    ``order``: the rows in this order (``frame.take(order)``), put in order a block at a
    time once they are text."""
    if len(frame.columns) < 2 or not frame.columns.is_unique:
        return None  # a one-field row quotes an empty cell: rare enough to leave to pandas
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow([str(c) for c in frame.columns])
    header = buf.getvalue().encode("utf-8")
    if not len(frame):
        return iter([(header, None)])
    kinds = [column_kind(frame[name]) for name in frame.columns]
    if any(k is None for k in kinds):
        return None
    # every row starts with its line break: the header goes out without its own
    return _body(header[:-1], frame, kinds, decimals, order)


def _rows(frame: pd.DataFrame, kinds: list[str], decimals: int, start: int,
          order: np.ndarray | None = None) -> tuple[pa.Array, list[pa.Array]]:
    """Rows ``start`` to ``start + ROWS_PER_PART`` (of ``order`` if given) as text, fields
    quoted where needed and joined by commas; and the block's fields before quoting.
    Only a block's text is made at a time: the whole table's would hold gigabytes."""
    stop = start + ROWS_PER_PART
    block = frame.iloc[start:stop] if order is None else frame.take(order[start:stop])
    parts = [column_text(block[name], decimals, kind)
             for name, kind in zip(frame.columns, kinds)]
    fields = [defuse(p) if kind in ("text", "category") else p for p, kind in zip(parts, kinds)]
    fields = [quote(p) if needs_quotes(p) else p for p in fields]
    fields[0] = pc.binary_join_element_wise(_s("\n"), fields[0], _s(""))
    return pc.binary_join_element_wise(*fields, _s(",")), parts


def _bytes(rows: pa.Array) -> memoryview:
    offsets = np.frombuffer(rows.buffers()[1], dtype="int64")
    return memoryview(rows.buffers()[2])[offsets[rows.offset]:offsets[rows.offset + len(rows)]]


def _ahead(pool: ThreadPoolExecutor, tasks: list) -> Iterator:
    """Results of ``tasks`` (callables) in order, at most THREADS of them at work."""
    running = [pool.submit(t) for t in tasks[:THREADS]]
    for i in range(len(tasks)):
        result = running[i].result()
        running[i] = None
        if i + THREADS < len(tasks):
            running.append(pool.submit(tasks[i + THREADS]))
        yield result


def _body(header: bytes, frame: pd.DataFrame, kinds: list[str], decimals: int,
          order: np.ndarray | None) -> Iterator:
    yield header, None
    starts = list(range(0, len(frame), ROWS_PER_PART))
    order = None if order is None else np.asarray(order, dtype="int64")
    with ThreadPoolExecutor(THREADS) as pool:
        for rows, parts in _ahead(pool, [partial(_rows, frame, kinds, decimals, a, order)
                                         for a in starts]):
            yield _bytes(rows), parts
    yield b"\n", None
