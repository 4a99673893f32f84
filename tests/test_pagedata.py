"""Page data prepared once and cut per period: the same values as made period by period."""

from __future__ import annotations

import json

import numpy as np
from hypothesis import given, settings, strategies as st
import pandas as pd

from sahelmap import webmap
from sahelmap.pagedata import aggregate_events, rounded, _capped


def reference_aggregate(ev: pd.DataFrame, max_points: int) -> pd.DataFrame:
    """Aggregation as the pages made it before it was vectorised (groupby with a Python
    join per group): the reference the fast one must match."""
    size = 0.05
    while True:
        cell = (np.floor(ev["lon"] / size).astype("int64").astype(str) + ":"
                + np.floor(ev["lat"] / size).astype("int64").astype(str))
        n = pd.MultiIndex.from_arrays([cell, ev["actor"], ev["event_type"]]).nunique()
        if n <= max_points or size > 5:
            break
        size *= 2
    ev = ev.assign(_cell=cell.to_numpy()).sort_values(["_cell", "actor", "event_type", "id"])
    g = ev.groupby(["_cell", "actor", "event_type"], sort=True)
    out = g.agg(lon=("lon", "mean"), lat=("lat", "mean"), date_start=("date_start", "min"),
                date_end=("date_end", "max"), fatalities=("fatalities", "sum"),
                count=("id", "size"), id=("id", lambda s: "|".join(list(s)[:5])),
                confidence=("confidence", "min")).reset_index()
    out["lon"], out["lat"] = out["lon"].round(5), out["lat"].round(5)
    return out.drop(columns=["_cell"])


def events(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    day = np.datetime64("2024-01-01") + rng.integers(0, 60, n).astype("timedelta64[D]")
    return pd.DataFrame({
        "id": [f"e{k:05d}" for k in rng.permutation(n)],
        "lon": rng.uniform(-6, 3, n).round(5), "lat": rng.uniform(10, 16, n).round(5),
        "date_start": day.astype(str), "date_end": (day + rng.integers(0, 9, n)).astype(str),
        "actor": rng.choice(["jnim", "isgs", "fama", ""], n),
        "event_type": rng.choice(["attack", "battle", "movement"], n),
        "fatalities": np.where(rng.random(n) < 0.2, np.nan, rng.poisson(3, n)),
        "confidence": rng.choice(["claimed", "reported", "corroborated"], n),
    })


def test_aggregation_matches_the_reference_to_the_bit():
    for seed, n, cap in ((1, 3000, 500), (2, 5000, 40), (3, 800, 799), (4, 2500, 2)):
        ev = events(n, seed)
        fast, aggregated = aggregate_events(ev, cap)
        assert aggregated
        ref = reference_aggregate(ev, cap)
        cols = list(ref.columns)
        pd.testing.assert_frame_equal(fast[cols].reset_index(drop=True), ref, check_dtype=False,
                                      check_exact=True)
        assert fast["count"].sum() == n  # nothing lost
        assert (fast["notes"] != "").tolist() == (fast["count"] > 5).tolist()


def test_rounding_is_pythons_own():
    x = np.array([0.285, 1.0005, 2.675, -0.0004999, np.nan, np.inf, 12.5, 0.1 + 0.2])
    assert rounded(x, 3).tolist() == [None if not np.isfinite(v) else round(float(v), 3)
                                      for v in x]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                          st.floats(min_value=-2, max_value=2),
                          # ties and near-ties of the third and fourth decimals
                          st.integers(-10**6, 10**6).map(lambda k: (k + 0.5) / 1e3),
                          st.integers(-10**6, 10**6).map(lambda k: (k + 0.5) / 1e4 + 1e-13)),
                min_size=1, max_size=40), st.sampled_from([3, 4]))
def test_rounding_in_bulk_is_pythons_round_sign_included(values, nd):
    x = np.array(values, dtype="float64")
    expected = [None if not np.isfinite(v) else repr(round(v, nd)) for v in values]
    assert [None if v is None else repr(v) for v in rounded(x, nd).tolist()] == expected


def test_evidence_lists_capped_as_before():
    ids = pd.Series(["", "a", "a|b", "a||b", "1|2|3|4|5|6|7|8", "1|2|3|4|5||7", "x|"], dtype="str")
    head, count = _capped(ids)

    def old(value):
        if value == "":
            return "", 0
        parts = value.split("|")
        return "|".join(parts[:6]), len(parts)

    assert list(zip(head.to_pylist(), count.tolist())) == [old(v) for v in ids]


def test_a_page_rendered_once_serves_every_plain_label():
    info = {"actors": {"jnim": {"name": "JNIM <b>", "colour": "#000", "kind": "jihadist"}},
            "periods": [], "range": ["2024-01-01", "2024-12-31"], "sources": ["s & t"]}
    pages = webmap.PeriodPages(info, ["jnim"], fit=[[9.0, -12.5], [22.0, 6.0]])
    for label in ("2024-05", "2024-W07", "window_1.b", "dry season", "<b>x</b>", "a\"b"):
        assert pages(label) == webmap.period_page(label, info, ["jnim"],
                                                  fit=[[9.0, -12.5], [22.0, 6.0]])


def test_page_columns_take_their_most_compact_form_and_keep_every_value():
    import pyarrow as pa

    from sahelmap.pagedata import page_column

    from .test_site import _column

    text = pa.array(["jnim", "isgs", "jnim", "jnim", "fama", "jnim"], pa.large_string())
    assert page_column(text) == {"values": ["jnim", "isgs", "fama"], "codes": [0, 1, 0, 0, 2, 0]}
    assert page_column(pa.array(["a", "b", "c"])) == ["a", "b", "c"]  # nothing repeats
    assert page_column(pa.array(["reported"] * 4)) == {"same": "reported"}
    assert page_column(np.array([True, False, False, True])) == \
        {"values": [True, False], "codes": [0, 1, 1, 0]}
    assert page_column([None, None, None]) == {"same": None}
    with_null = pa.array(["a", None, "a", "b", "a", None])
    assert _column(page_column(with_null), 6) == with_null.to_pylist()
    assert page_column(pa.array(["a", None, "a", "a"])) == \
        {"values": ["a", None], "codes": [0, 1, 0, 0]}
    assert page_column([0.5, None, 0.5]) == [0.5, None, 0.5]  # numbers: plain or same
    rng = np.random.default_rng(7)
    for n in (1, 2, 3, 50):
        values = rng.choice(["", "present", "control (claimed)", "<b>&"], n).tolist()
        assert _column(page_column(pa.array(values)), n) == values


def test_presence_rows_in_any_order_give_the_same_pages(geodata, tmp_path):
    """Build writes presence sorted by period, unit and group, and the pages use that
    order as it is; rows in another order (a table from elsewhere) are sorted first and
    give the very same page data."""
    from sahelmap.cli import main
    from sahelmap.pagedata import PeriodCutter, _arrow_text, _text_sorted
    from sahelmap.tables import read_tables

    assert main(["-q", "build", "--out", str(tmp_path)]) == 0
    tables = read_tables(tmp_path)
    presence = tables["presence"]
    shuffled = presence.sample(frac=1.0, random_state=3).reset_index(drop=True)
    keys = ("period", "unit_id", "group")
    assert _text_sorted([_arrow_text(presence[k]) for k in keys])
    assert not _text_sorted([_arrow_text(shuffled[k]) for k in keys])
    cuts = [PeriodCutter(tables["events"], p, tables["axes"], tables["periods"],
                         zones=tables["zones"], countries=geodata.countries)
            for p in (presence, shuffled)]
    seen = 0
    for row in tables["periods"].itertuples(index=False):
        a, b = (c.data(dict(row._asdict())) for c in cuts)
        assert a["presence"] == b["presence"], row.period
        seen += a["presence"]["n"]
    assert seen == int((presence["status"] != "none").sum())


def _python_json(value) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# what page data is made of: text of any kind, counts, and floats as pages round them
# (a float under 1e-4 is written out in full by safe_json, by design; see its docstring)
PAGE_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1)
    | st.text(alphabet=st.characters(blacklist_categories=("Cs",)))
    | st.sampled_from(["</script><script>alert(1)</script>", "a&b", "\u2028\u2029", "`${x}`"])
    | st.floats(allow_nan=False, allow_infinity=False).filter(lambda x: x == 0 or abs(x) >= 1e-4),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=4), inner,
                                                                  max_size=6),
    max_leaves=40)


@settings(max_examples=1000, deadline=None)
@given(PAGE_VALUES)
def test_page_json_is_the_text_pythons_json_gives(value):
    """safe_json (orjson) writes what Python's json wrote: same keys order, same escapes,
    same float text; nothing that closes a script element or starts markup."""
    text = webmap.safe_json(value)
    assert text == _python_json(value)
    assert not {"<", ">", "&"} & set(text)
    assert json.loads(text) == value


def test_values_orjson_does_not_take_still_encode_or_say_why():
    assert webmap.safe_json({"n": 3, "x": np.float64(0.5)}) == '{"n":3,"x":0.5}'
    assert webmap.safe_json({"big": 2**70}) == '{"big":1180591620717411303424}'
    try:
        webmap.safe_json({"bad": np.int64(3)})
    except TypeError as exc:
        assert "not JSON serializable" in str(exc)
    else:
        raise AssertionError("an object JSON cannot hold was written")


def test_every_period_of_the_default_site_is_plain_json_values(geodata, tmp_path):
    """Page data holds only the values orjson writes itself (a numpy float sends the
    whole period through Python's json, five times slower), and their text is the one
    Python's json gives."""
    import orjson

    from sahelmap.cli import main
    from sahelmap.pagedata import PeriodCutter
    from sahelmap.tables import read_tables

    assert main(["-q", "build", "--out", str(tmp_path)]) == 0
    tables = read_tables(tmp_path)
    cut = PeriodCutter(tables["events"], tables["presence"], tables["axes"], tables["periods"],
                       zones=tables["zones"], countries=geodata.countries)
    lines = 0
    for row in tables["periods"].itertuples(index=False):
        data = cut.data(dict(row._asdict()))
        orjson.dumps(data, option=orjson.OPT_SORT_KEYS)  # raises on any other type
        assert webmap.safe_json(data) == _python_json(data), row.period
        lines += sum(a["line"] is not None for a in data["axes"])
    assert lines > 0  # axes' coordinates were drawn, and checked
