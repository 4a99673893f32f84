"""The Arrow CSV writer against pandas' own: the same bytes for every frame it takes."""

import datetime as dt
import re

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

from sahelmap._csvformat import csv_bytes, defused_frame


def _defused(value):
    """A text cell a spreadsheet would run as a formula, behind an apostrophe (written
    here cell by cell, apart from the writer's Arrow code)."""
    if isinstance(value, str) and re.match(r"'*[=+\-@\t\r]", value):
        return "'" + value
    return value


def pandas_csv(frame: pd.DataFrame) -> bytes:
    """What pandas writes, text cells guarded against formulas."""
    frame = frame.copy()
    for name in frame.columns:
        col = frame[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            frame[name] = col.cat.rename_categories(
                [_defused(c) for c in col.cat.categories]) if len(col.cat.categories) else col
        elif not (pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col)):
            frame[name] = col.map(_defused)
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.5f").encode("utf-8")


CHARACTERS = list('ab ,"\n\r\t;=é\u2028<>\'`')
TEXT = st.text(alphabet=st.sampled_from(CHARACTERS), max_size=6)
# pandas (on Python 3.11) leaves a field with a bare carriage return unquoted; we quote it
TEXT_NO_CR = st.text(alphabet=st.sampled_from([c for c in CHARACTERS if c != "\r"]),
                     max_size=6)
FLOATS = st.one_of(st.sampled_from([float("nan"), float("inf"), -float("inf"), -0.0]),
                   st.floats(allow_nan=True, allow_infinity=True),
                   st.floats(min_value=-200, max_value=200),
                   # ties and near-ties of the fifth decimal, where rounding is decided
                   st.integers(-10**7, 10**7).map(lambda k: (k + 0.5) / 1e5),
                   st.integers(-10**7, 10**7).map(lambda k: k / 1e5 + 5e-12))


@st.composite
def frames(draw, text=TEXT):
    n = draw(st.integers(0, 12))
    TEXT = text
    cols = {
        "text": pd.Series(draw(st.lists(st.one_of(TEXT, st.none()), min_size=n, max_size=n)),
                          dtype=object),
        "str": pd.Series(draw(st.lists(TEXT, min_size=n, max_size=n)), dtype="str"),
        "float": pd.Series(draw(st.lists(FLOATS, min_size=n, max_size=n)), dtype="float64"),
        "int": pd.Series(draw(st.lists(st.integers(-2**62, 2**62), min_size=n, max_size=n)),
                         dtype="int64"),
        "Int": pd.Series(draw(st.lists(st.one_of(st.integers(-10**6, 10**6), st.none()),
                                       min_size=n, max_size=n)), dtype="Int64"),
        "bool": pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool),
        "cat": pd.Series(draw(st.lists(st.one_of(st.sampled_from(["x", "a,b", 'q"']), st.none()),
                                       min_size=n, max_size=n)), dtype="category"),
        "day": pd.Series(draw(st.lists(st.one_of(st.dates(dt.date(1, 1, 1)), st.none()),
                                       min_size=n, max_size=n)), dtype=object),
    }
    names = draw(st.lists(st.sampled_from(sorted(cols)), min_size=2, max_size=8, unique=True))
    return pd.DataFrame({name: cols[name] for name in names})


@settings(max_examples=300, deadline=None)
@given(frames(TEXT_NO_CR))
def test_same_bytes_as_pandas(frame):
    assert csv_bytes(frame) == pandas_csv(frame)


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=8))
def test_text_with_carriage_returns_reads_back_whole(values):
    """A bare carriage return ends a row for every reader unless the field is quoted."""
    import io

    frame = pd.DataFrame({"id": range(len(values)), "note": pd.Series(values, dtype=object)})
    data = csv_bytes(frame)
    back = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    assert back["note"].tolist() == [_defused(v) for v in values]
    if not any("\r" in v for v in values):
        assert data == pandas_csv(frame)


def test_ties_of_the_last_decimal_round_as_python_does():
    values = np.array([0.000005, 0.000015, 1.000025, -2.675e-5, 0.125, 2.5e-6, -1e-7, -0.0,
                       21474.836475, 1e300, -np.inf])
    frame = pd.DataFrame({"x": values, "y": ["a"] * len(values)})
    assert csv_bytes(frame) == pandas_csv(frame)


def test_types_left_to_pandas_are_said():
    frame = pd.DataFrame({"when": pd.to_datetime(["2025-01-01 10:00"]), "x": [1]})
    assert csv_bytes(frame) is None
    mixed = pd.DataFrame({"m": pd.Series([1, "a"], dtype=object), "x": [1, 2]})
    assert csv_bytes(mixed) is None


def test_rows_put_in_order_as_text_match_a_sorted_frame():
    rng = np.random.default_rng(3)
    n = 1000
    frame = pd.DataFrame({"id": pd.Series([f"e{k}" for k in rng.permutation(n)], dtype="str"),
                          "note": pd.Series(rng.choice(['a,"b"', "plain", ""], n), dtype=object),
                          "x": rng.random(n)})
    order = rng.permutation(n)
    import sahelmap._csvformat as fmt
    old, fmt.ROWS_PER_PART = fmt.ROWS_PER_PART, 64  # several blocks, several threads
    try:
        assert csv_bytes(frame, order=order) == pandas_csv(frame.take(order))
        assert csv_bytes(frame) == pandas_csv(frame)
    finally:
        fmt.ROWS_PER_PART = old


def test_sort_order_is_pandas_stable_sort():
    from sahelmap.export import sort_order

    frame = pd.DataFrame({"a": pd.Series(["b", "a", None, "é", "a", "B"], dtype="str"),
                          "b": [3, 2, 1, 0, 1, 5]})
    for by in (["a"], ["a", "b"], ["b"]):
        expected = frame.sort_values(by, kind="stable").index.to_numpy()
        assert sort_order(frame, by).tolist() == expected.tolist()


def test_tables_read_back_as_pandas_reads_them(tmp_path):
    """read_text_csv (Arrow) gives the frame pandas' C reader and to_numeric give, with
    values spanning lines, empty cells, and a number column holding text."""
    from sahelmap.export import write_csv
    from sahelmap.tables import read_text_csv

    frame = pd.DataFrame({"id": ["a", "b", "c"], "notes": ['two\nlines, "quoted"', "", "x"],
                          "score": [0.5, np.nan, 2.0], "count": ["1", "", "n/a"]})
    path = write_csv(frame, tmp_path / "t.csv")
    expected = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("score", "count"):
        expected[col] = pd.to_numeric(expected[col], errors="coerce")
    pd.testing.assert_frame_equal(read_text_csv(path, ("score", "count")), expected)
    pd.testing.assert_frame_equal(read_text_csv(path, ("score",)),
                                  expected.assign(count=["1", "", "n/a"]))
    empty = write_csv(frame.iloc[:0], tmp_path / "e.csv")
    plain = pd.read_csv(empty, dtype=str, keep_default_na=False)
    plain["score"] = pd.to_numeric(plain["score"], errors="coerce")
    pd.testing.assert_frame_equal(read_text_csv(empty, ("score",)), plain)


def test_a_damaged_table_fails_in_one_line(tmp_path):
    from sahelmap._errors import InputError
    from sahelmap.tables import read_text_csv

    path = tmp_path / "events.csv"
    path.write_text("a,b\n1,2,3\n", encoding="utf-8")
    try:
        read_text_csv(path)
    except InputError as exc:
        assert str(exc).startswith(f"{path}: cannot be read") and "\n" not in str(exc)
        assert "sahelmap build --out" in str(exc)
    else:
        raise AssertionError("a damaged table was read")


def _read_both(path, numbers):
    """The table read from its columnar copy, and from the CSV alone."""
    from sahelmap._mirror import Mirror
    from sahelmap.tables import read_text_csv

    assert Mirror(path).table() is not None, "no usable copy was written"
    via_copy = read_text_csv(path, numbers)
    saved = Mirror(path).path.read_bytes()
    Mirror(path).discard()
    via_csv = read_text_csv(path, numbers)
    return via_copy, via_csv, saved


@settings(max_examples=150, deadline=None)
@given(frames(), st.booleans())
def test_the_columnar_copy_reads_back_as_the_csv_does(tmp_path_factory, frame, ordered):
    """Whatever the CSV writer takes, its columnar copy gives the reader the very frame
    the CSV gives: text with quotes and line breaks, empty cells, floats parsed from the
    same text (ties, infinities, NaN), in the same (sorted) row order."""
    from sahelmap.export import write_csv

    if csv_bytes(frame) is None:
        return
    path = tmp_path_factory.mktemp("mirror") / "t.csv"
    numbers = tuple(c for c in frame.columns if c in ("float", "int", "Int"))
    keys = [c for c in frame.columns if c in ("str", "text", "int")][:1]  # ids are text
    write_csv(frame, path, sort_by=keys if ordered and keys else None, mirror=True)
    via_copy, via_csv, _ = _read_both(path, numbers)
    pd.testing.assert_frame_equal(via_copy, via_csv)


def test_the_columnar_copy_is_used_only_while_it_describes_the_csv(tmp_path, monkeypatch):
    import os

    from sahelmap._mirror import Mirror
    from sahelmap.export import write_csv
    from sahelmap.tables import read_text_csv

    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"id": [f"e{k}" for k in range(500)],
                          "note": rng.choice(['a,"b"\nc', "plain", ""], 500),
                          "x": rng.random(500)})
    monkeypatch.setattr("sahelmap._csvformat.ROWS_PER_PART", 64)  # several blocks
    path = write_csv(frame, tmp_path / "t.csv", mirror=True)
    copy = Mirror(path)
    assert copy.path.parent.name == ".sahelmap" and copy.table().num_rows == 500
    # the same table written again gives the same bytes (no time inside)
    first = copy.path.read_bytes()
    write_csv(frame, path, mirror=True)
    assert copy.path.read_bytes() == first
    # an edit of the CSV (new time) or a CSV of another size with the old time: not used
    text = path.read_text(encoding="utf-8").replace("plain", "PLAIN", 1)
    path.write_text(text, encoding="utf-8")
    assert copy.table() is None
    assert read_text_csv(path, ("x",))["note"].str.contains("PLAIN").any()
    write_csv(frame, path, mirror=True)
    stamp = copy.path.stat().st_mtime_ns
    path.write_text(path.read_text(encoding="utf-8") + "e9,z,0.5\n", encoding="utf-8")
    os.utime(path, ns=(stamp, stamp))
    assert copy.table() is None
    assert read_text_csv(path, ("x",))["id"].iloc[-1] == "e9"
    # written without a copy: the old one is gone, never left beside a new CSV
    write_csv(frame, path)
    assert not copy.path.exists()


def test_a_copy_of_32_bit_text_from_an_older_version_still_reads(tmp_path):
    """Copies are written as 64-bit-offset text now; one written by an earlier version
    (32-bit text, same layout otherwise) beside an unchanged CSV reads as the CSV does."""
    import os

    import pyarrow as pa
    import pyarrow.ipc as ipc

    from sahelmap._mirror import SIZE_KEY, Mirror
    from sahelmap.export import write_csv
    from sahelmap.tables import read_text_csv

    frame = pd.DataFrame({"id": ["e2", "e1", "e3"], "note": ['a,"b"\nc', "", "é"],
                          "x": [0.5, float("nan"), 2.0]})
    path = write_csv(frame, tmp_path / "t.csv", mirror=True)
    copy = Mirror(path)
    assert copy.table().schema.field("note").type == pa.large_string()
    new = read_text_csv(path, ("x",))
    old = copy.table().cast(pa.schema([(n, pa.string()) for n in frame.columns]))
    with pa.OSFile(str(copy.path), "wb") as sink, ipc.new_file(sink, old.schema) as out:
        out.write_table(old)
        empty = pa.record_batch([pa.array([], pa.string())] * 3, schema=old.schema)
        out.write_batch(empty, custom_metadata={SIZE_KEY: str(path.stat().st_size).encode()})
    stamp = path.stat().st_mtime_ns
    os.utime(copy.path, ns=(stamp, stamp))
    assert copy.table().schema.field("note").type == pa.string()  # the old copy is used
    pd.testing.assert_frame_equal(read_text_csv(path, ("x",)), new)
    assert list(new["note"]) == ['a,"b"\nc', "", "é"] and new["x"].isna().tolist() == [
        False, True, False]


FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "+1", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1",
            "'=already", "''+twice", "a=b", "'plain", "-", ""]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(TEXT, st.sampled_from(FORMULAS)), min_size=1, max_size=8))
def test_formula_cells_are_guarded_and_read_back_as_they_were(tmp_path_factory, values):
    """A spreadsheet sees no formula in a text cell; sahelmap reading its own CSV (no
    columnar copy) gets every text back exactly; numbers keep their sign."""
    from sahelmap._mirror import Mirror
    from sahelmap.export import write_csv
    from sahelmap.tables import read_text_csv

    path = tmp_path_factory.mktemp("csv") / "t.csv"
    frame = pd.DataFrame({"note": pd.Series(values, dtype=object),
                          "x": np.linspace(-3, 3, len(values))})
    write_csv(frame, path, mirror=True)
    Mirror(path).discard()
    import csv as csvmod
    with open(path, newline="", encoding="utf-8") as fh:
        cells = [row[0] for row in list(csvmod.reader(fh))[1:]]
    assert not any(re.match(r"[=+\-@\t\r]", c) for c in cells)
    back = read_text_csv(path, numbers=("x",))
    assert back["note"].tolist() == values
    assert np.allclose(back["x"].to_numpy(), frame["x"].to_numpy(), atol=1e-5)


def test_frames_pandas_writes_are_guarded_too(tmp_path):
    from sahelmap.export import write_csv

    frame = pd.DataFrame({"when": pd.to_datetime(["2025-01-01 10:00", "2025-01-02 11:00"]),
                          "note": ["=1+1", "ok"], "n": [-1, 2],
                          "group": pd.Categorical(["@x", "-y"])})
    assert csv_bytes(frame) is None  # the pandas path
    write_csv(frame, tmp_path / "p.csv")
    assert (tmp_path / "p.csv").read_text().splitlines()[1:] == [
        "2025-01-01 10:00:00,'=1+1,-1,'@x", "2025-01-02 11:00:00,ok,2,'-y"]
    assert defused_frame(frame)["n"].tolist() == [-1, 2]
