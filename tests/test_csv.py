"""The fast CSV reader (Arrow) against the careful one (the stdlib, row by row): on
every file the fast one takes, the same header, values and line numbers; every file
it cannot be sure of is left to the careful one."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sahelmap._csv import read_table_rows
from sahelmap.records import read_csv_rows, read_csv_rows_carefully

HEADER = ["record_id", "date_start", "notes", "place_name"]
cell = st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=10),
    st.sampled_from(["", " padded ", "a,b", 'say "hi"', "two\nlines", "crlf\r\nline", '"',
                     "\u00a0nbsp\u00a0", "\x1c", "é", "=1+1"]))


def _quote(value: str) -> str:
    if any(ch in value for ch in ',"\n\r') or value != value.strip(" "):
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def csv_files(draw):
    """CSV bytes: well-formed rows, and now and then what real exports hold: blank lines,
    ragged rows, CRLF or lone CR line ends, a BOM, raw quotes, cp1252 bytes."""
    rows = draw(st.lists(st.lists(cell, min_size=4, max_size=4), max_size=6))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [",".join(HEADER)] + [",".join(_quote(v) for v in row) for row in rows]
    mangle = draw(st.sampled_from(["none", "none", "none", "blank", "ragged", "lone_cr", "raw",
                                   "all_blank", "no_final_newline"]))
    if mangle == "blank" and len(lines) > 1:
        lines.insert(draw(st.integers(1, len(lines) - 1)), "")
    elif mangle == "ragged" and len(lines) > 1:
        lines[-1] += ",extra"
    elif mangle == "raw" and len(lines) > 1:
        lines[-1] = 'id,"open,x"y,z'
    elif mangle == "all_blank":
        lines.append(",,,")
    text = end.join(lines) + ("" if mangle == "no_final_newline" else end)
    if mangle == "lone_cr":
        text = text.replace(end, "\r")
    data = text.encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    if draw(st.integers(0, 9)) == 0:
        data += b"x,caf\xe9,,\n"  # not UTF-8
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=csv_files())
def test_fast_reader_agrees_with_the_careful_one_or_leaves_the_file_to_it(tmp_path, data):
    path = tmp_path / "rows.csv"
    path.write_bytes(data)
    fast = read_table_rows(path)
    try:
        careful = read_csv_rows_carefully(path, fallback_encoding="cp1252")
    except Exception as exc:  # the careful reader refuses it: so must the fast one
        assert fast is None, exc
        return
    if fast is None:
        return
    header, frame, problems = careful
    assert problems == []  # anything the careful reader warns about is not read fast
    assert fast[0] == header
    pd.testing.assert_frame_equal(fast[1], frame, check_dtype=False)
    assert (fast[1].dtypes == frame.dtypes).all() or frame.empty


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=csv_files(), keep=st.lists(st.integers(0, len(HEADER) - 1), min_size=1, unique=True))
def test_a_subset_of_columns_keeps_every_row_and_its_line(tmp_path, data, keep):
    """Columns not kept may hold the line breaks or a row's only value: the rows and their
    lines stay those of the careful reader, which reads every column."""
    path = tmp_path / "rows.csv"
    path.write_bytes(data)
    fast = read_table_rows(path, lambda header: sorted(keep))
    if fast is None:
        return
    header, frame, _ = read_csv_rows_carefully(path, fallback_encoding="cp1252")
    assert fast[0] == header
    wanted = [header[i] for i in sorted(keep)] + ["file", "line"]
    pd.testing.assert_frame_equal(fast[1], frame[wanted], check_dtype=False)


def test_notes_and_values_in_columns_not_kept_still_count(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(b'event_id_cnty,tags,notes\n'
                     b'A1,"two\nlines",x\n'
                     b',only here,\n'
                     b'A2,,"y\nz"\n'
                     b',,\n'
                     b'A3,,w\n')
    header, frame = read_table_rows(path, lambda header: [0, 2])
    assert list(frame.columns) == ["event_id_cnty", "notes", "file", "line"]
    assert frame["event_id_cnty"].tolist() == ["A1", "", "A2", "A3"]  # the blank row dropped
    assert frame["line"].tolist() == [2, 4, 5, 8]


def test_the_fast_reader_takes_a_plain_export_and_counts_quoted_newlines(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("\ufeffrecord_id,notes,place_name\r\n"
                     'a1,"first\r\nsecond, ""quoted""",Djibo\r\n'
                     "a2,plain,Diapaga\r\n"
                     ",,\r\n"
                     'a3,"x\ny\nz",Dori\r\n'.encode("utf-8"))
    header, frame, problems = read_csv_rows(path)
    assert read_table_rows(path) is not None  # taken by the fast reader
    assert header == ["record_id", "notes", "place_name"] and problems == []
    assert frame["record_id"].tolist() == ["a1", "a2", "a3"]
    assert frame["line"].tolist() == [2, 4, 6]
    assert frame["notes"].iloc[0] == 'first\r\nsecond, "quoted"'


def test_files_the_fast_reader_cannot_be_sure_of_go_to_the_careful_one(tmp_path):
    cases = {"blank line": b"a,b\n1,2\n\n3,4\n", "ragged": b"a,b\n1,2,3\n",
             "lone CR": b"a,b\r1,2\r", "cp1252": b"a,b\ncaf\xe9,1\n",
             "quoted header": b'"a\nb",c\n1,2\n', "header only": b"a,b\n"}
    for what, data in cases.items():
        path = tmp_path / "case.csv"
        path.write_bytes(data)
        assert read_table_rows(path) is None, what
        read_csv_rows(path, fallback_encoding="cp1252")  # and the careful one reads it


def test_arrow_strips_what_python_strips():
    import sys

    import pyarrow as pa
    import pyarrow.compute as pc

    spaces = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
    padded = pa.array([f"{w}x{w}" for w in spaces] + ["\u200bx"])  # ZWSP is not a space
    assert pc.utf8_trim_whitespace(padded).to_pylist() == ["x"] * len(spaces) + ["\u200bx"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="ab\n\r", max_size=6), max_size=5), min_size=1,
                max_size=4), st.booleans())
def test_line_feeds_counted_per_value_from_the_bytes(chunks, sliced):
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from sahelmap._csv import _breaks_per_row

    arrays = [pa.array(c, pa.string()) for c in chunks]
    if sliced:
        arrays = [a.slice(1) if len(a) > 1 else a for a in arrays]
    column = pa.chunked_array(arrays, pa.string())
    want = np.concatenate([pc.count_substring(a, "\n").to_numpy(zero_copy_only=False)
                           for a in arrays]) if len(column) else np.array([], "int64")
    assert _breaks_per_row(column).tolist() == want.tolist()


@settings(max_examples=400, deadline=None)
@given(text=st.text(max_size=40), noise=st.binary(max_size=3), at=st.integers(0, 200),
       cuts=st.lists(st.integers(1, 12), max_size=6))
def test_utf8_check_on_non_ascii_runs_agrees_with_decoding(text, noise, at, cuts):
    """The file-wide UTF-8 check looks only at runs of non-ASCII bytes, chunk by chunk:
    it must agree with decoding the whole, wherever the chunks are cut."""
    import numpy as np

    from sahelmap._csv import _Utf8Runs

    raw = text.encode("utf-8")
    at = min(at, len(raw))
    raw = raw[:at] + noise + raw[at:]
    try:
        raw.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        valid = False
    runs, ok, pos = _Utf8Runs(), True, 0
    for size in cuts + [len(raw)]:
        piece = raw[pos:pos + size]
        pos += size
        if piece:
            ok = runs.add(np.frombuffer(piece, np.uint8)) and ok
    assert (ok and runs.done()) == valid
