"""ACLED and UCDP exports of every vintage, and licence-aware publishing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from sahelmap import InputError, read_records
from sahelmap.presence import PresenceSettings
from sahelmap.pipeline import analyse, locate
from sahelmap.records import read_csv_rows

from .conftest import ROOT

DATA = ROOT / "tests" / "data"
D = dt.date


def load(geodata, *names):
    return read_records([DATA / n for n in names], geodata.actors)


def report_of(records, name):
    return next(r for r in records.imports if r.file.endswith(name))


@pytest.mark.parametrize("name,layout,read,kept,merged", [
    ("acled_2016.csv", "acled-2016", 12, 10, 0),
    ("acled_2018.csv", "acled-2018", 12, 12, 0),
    ("acled_2019.csv", "acled-2019", 12, 11, 0),
    ("acled_2023.csv", "acled-2023", 12, 12, 0),
    ("acled_monadic.csv", "acled-monadic", 12, 6, 6),
    ("acled_hxl.csv", "acled+hxl", 11, 11, 0),
    ("acled_cp1252.csv", "acled-2019", 3, 3, 0),
    ("ucdp_ged.csv", "ucdp-ged", 12, 11, 1),
    ("ucdp_variant.csv", "ucdp-ged-variant", 12, 11, 0),
])
def test_every_layout_is_detected_and_every_row_accounted_for(geodata, name, layout, read, kept,
                                                               merged):
    records = load(geodata, name)
    rep = report_of(records, name)
    assert (rep.layout, rep.rows_read, rep.events_kept, rep.duplicates_merged) == (
        layout, read, kept, merged)
    assert len(records.events) == kept
    rejected = read - kept - merged
    assert len(records.rejected) == rejected
    assert len({p.line for p in rep.flagged if p.level == "error"}) == rejected


def test_acled_2016_dates_precision_types_and_rejects(geodata):
    ev = load(geodata, "acled_2016.csv").events.set_index("record_id")
    assert ev.loc["MLI101", "date_start"] == D(2013, 1, 14)
    assert ev.loc["MLI101", "event_type"] == "seizure" and ev.loc["MLI101", "actor"] == "ansar_dine"
    assert ev.loc["MLI102", "event_type"] == "seizure" and ev.loc["MLI102", "actor"] == "mil_mli"
    assert ev.loc["MLI103", "date_precision"] == "week"
    assert (ev.loc["MLI103", "date_start"], ev.loc["MLI103", "date_end"]) == (D(2013, 1, 30), D(2013, 2, 5))
    assert ev.loc["MLI104", "date_precision"] == "month"
    assert (ev.loc["MLI104", "date_start"], ev.loc["MLI104", "date_end"]) == (D(2013, 3, 1), D(2013, 3, 31))
    assert ev.loc["MLI104", "location_precision"] == "admin1"
    assert ev.loc["MLI105", "event_type"] == "base_established" and ev.loc["MLI105", "actor"] == "fla"
    assert ev.loc["MLI106", "location_precision"] == "near"
    assert ev.loc["MLI101", "event_id"] == "acled:MLI101" and ev.loc["MLI101", "fatalities"] == 11
    rejected = load(geodata, "acled_2016.csv").rejected
    assert sorted(rejected["line"]) == [10, 13]


def test_acled_2018_quoted_newline_extra_field_unknown_and_joint_actors(geodata):
    records = load(geodata, "acled_2018.csv")
    ev = records.events.set_index("record_id")
    assert ev.loc["BFA201", "date_start"] == D(2019, 2, 22)
    assert ev.loc["BFA201", "notes"] == "synthetic row:\nnote on two lines"
    assert ev.loc["BFA202", "line"] == 4  # the quoted newline pushes later rows down a line
    surplus = [p for p in records.problems if p.value == "surplus"]
    assert len(surplus) == 1 and surplus[0].line == 12 and ev.loc["BFA210", "fatalities"] == 6
    assert ev.loc["BFA208", "actor"] == "" and ev.loc["BFA208", "actor_raw"] == "Unknown armed men"
    assert report_of(records, "acled_2018.csv").unknown_actors == {"Unknown armed men": 1}
    assert ev.loc["BFA212", "actor"] == "joint" and ev.loc["BFA212", "actor_candidates"] == "isgs|jnim"
    assert ev.loc["BFA203", "event_type"] == "remote_violence"


def test_two_digit_years_span_1997_to_2003(geodata):
    ev = load(geodata, "acled_2019.csv").events.set_index("record_id")
    assert ev.loc["NER1", "date_start"] == D(1997, 10, 6)
    assert ev.loc["NER3", "date_start"] == D(1999, 12, 31)
    assert ev.loc["NER4", "date_start"] == D(2000, 1, 1)
    assert ev.loc["MLI11", "date_start"] == D(2003, 11, 11)
    assert ev.loc["NER6", "event_type"] == "base_established"
    assert ev.loc["NER8", "event_type"] == "movement"  # movement of forces kept distinct
    assert ev.loc["NER7", "date_end"] == D(2003, 4, 30)
    assert ev["date_start"].min() >= D(1997, 1, 1) and ev["date_start"].max() <= D(2003, 12, 31)


def test_acled_2023_bom_and_swapped_coordinates_reported_not_fixed(geodata, places):
    records = load(geodata, "acled_2023.csv")
    ev = records.events.set_index("record_id")
    assert "event_id_cnty" not in ev.columns and ev.index[0] == "BFA9001"  # BOM stripped
    assert ev.loc["BFA9001", "event_type"] == "seizure"
    assert ev.loc["BFA9004", "actor"] == "jnim" and ev.loc["BFA9004", "opponent"] == "vdp"
    assert ev.loc["NGA9012", "event_type"] == "base_established"
    assert ev.loc["NER9011", "event_type"] == "movement"
    located = locate(records, geodata, places)
    tim = located["events"].set_index("record_id").loc["MLI9009"]
    assert (tim["latitude"], tim["longitude"]) == (-3.0074, 16.7735)  # unchanged
    assert tim["join_note"].startswith("latitude and longitude look swapped")
    rep = located["report"]
    assert ((rep["record_id"] == "acled:MLI9009") & (rep["status"] == "coordinates")).any()


def test_monadic_rows_make_one_event_with_fatalities_counted_once(geodata):
    ev = load(geodata, "acled_monadic.csv").events.set_index("record_id")
    assert len(ev) == 6
    assert ev.loc["BFA801", "actor"] == "jnim" and ev.loc["BFA801", "opponent"] == "isgs"
    assert ev.loc["BFA801", "fatalities"] == 40 and ev["fatalities"].sum() == 112


def test_hxl_row_is_dropped_and_lines_stay_true(geodata):
    ev = load(geodata, "acled_hxl.csv").events
    assert len(ev) == 11 and ev["line"].min() == 3
    assert not ev["record_id"].str.startswith("#").any()


def test_cp1252_with_non_breaking_spaces_inside_numbers(geodata):
    records = load(geodata, "acled_cp1252.csv")
    ev = records.events.set_index("record_id")
    assert ev.loc["BFA7001", "longitude"] == pytest.approx(-1.6267)
    assert ev.loc["BFA7001", "fatalities"] == 1000
    assert ev.loc["BFA7002", "place_name"] == "Dédougou"
    assert "«guillemets»" in ev.loc["BFA7003", "notes"]
    assert any("read as cp1252" in p.message and p.level == "warning" for p in records.problems)


def test_ucdp_precisions_estimates_and_odd_rows(geodata, places):
    records = load(geodata, "ucdp_ged.csv")
    ev = records.events.set_index("record_id")
    assert ev.loc["500001", "fatalities"] == 100 and ev.loc["500001", "actor"] == "mil_mli"
    assert ev.loc["500001", "opponent"] == "jnim"  # side_a is the government in UCDP
    assert ev.loc["500003", "event_type"] == "violence_against_civilians"
    assert ev.loc["500003", "date_precision"] == "week" and ev.loc["500003", "location_precision"] == "near"
    assert ev.loc["500004", "location_precision"] == "admin1"
    assert ev.loc["500005", "location_precision"] == "country"  # where_prec 6
    assert ev.loc["500006", "location_precision"] == "country"  # where_prec 7: water
    assert ev.loc["500007", "fatalities"] == 25  # best kept although low > best
    assert (ev.loc["500011", "date_start"], ev.loc["500011", "date_end"]) == (D(2025, 5, 3), D(2025, 5, 5))
    odd = [p for p in records.problems if p.field == "best" and p.level == "warning"]
    assert [p.line for p in odd] == [8]
    located = locate(records, geodata, places)["events"].set_index("record_id")
    assert located.loc["500005", "admin1_id"] == "" and located.loc["500006", "admin1_id"] == ""
    assert located.loc["500008", "admin1_name"] == "Mopti" and located.loc["500008", "admin2_id"] == ""


def test_ucdp_variant_dates_and_trailing_commas(geodata):
    records = load(geodata, "ucdp_variant.csv")
    ev = records.events.set_index("record_id")
    assert ev.loc["600001", "date_start"] == D(2024, 5, 26)
    assert (ev.loc["600005", "date_start"], ev.loc["600005", "date_end"]) == (D(2024, 9, 1), D(2024, 11, 30))
    assert ev.loc["600007", "fatalities"] == 133 and ev.loc["600007", "fatalities_high"] == 400
    assert ev.loc["600002", "actor"] == "isgs"
    assert not [p for p in records.problems if "fields" in p.message]  # trailing commas are quiet
    assert [p.line for p in records.problems if p.level == "error"] == [10]


def test_acled_and_ucdp_duplicates_are_linked_and_counted_once(geodata, places):
    records = load(geodata, "acled_2023.csv", "ucdp_ged.csv")
    located = locate(records, geodata, places)
    ev = located["events"].set_index("event_id")
    assert ev.loc["ucdp:500001", "duplicate_of"] == "acled:MLI9007"
    assert ev.loc["ucdp:500002", "duplicate_of"] == "acled:BFA9001"  # a day apart
    assert ev.loc["ucdp:500003", "duplicate_of"] == ""  # no ACLED twin
    links = located["report"][located["report"]["status"] == "duplicate"]
    assert set(links["record_id"]) == {"ucdp:500001", "ucdp:500002", "ucdp:500007", "ucdp:500010"}
    pres = analyse(located, geodata, places,
                   presence_settings=PresenceSettings(level="admin1"))["presence"]
    may = pres[(pres["period"] == "2025-06") & (pres["unit_id"] == "MLI-2809") & (pres["group"] == "jnim")]
    assert may["n_events"].iloc[0] == 1  # Boulikessi once, though both datasets report it


def test_a_file_like_acled_names_the_columns_it_lacks(tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("EVENT_DATE,WHO,LAT\n2020-01-01,x,1\n", encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "sahelmap.cli", "validate", str(path)],
                         capture_output=True, text=True)
    assert res.returncode == 2
    assert res.stderr == (f"sahelmap: error: {path}:1: ACLED export without event_id_cnty, "
                          "event_type, actor1, latitude, longitude, which sahelmap needs of every "
                          "event; re-export it from ACLED's data export tool with all columns (or "
                          "call the API without a fields= filter)\n")


def test_validate_prints_the_detected_layout():
    res = subprocess.run([sys.executable, "-m", "sahelmap.cli", "validate",
                          str(DATA / "acled_monadic.csv")], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "acled_monadic.csv: acled-monadic: 12 rows read, 6 events kept, 6 duplicates merged" \
        in res.stderr


def test_site_and_geopackage_from_acled_publish_no_acled_rows(tmp_path):
    pytest.importorskip("matplotlib")
    from .test_site import need_leaflet

    need_leaflet()
    out = tmp_path / "site"
    cli = [sys.executable, "-m", "sahelmap.cli", "-q"]
    res = subprocess.run([*cli, "site", "--out", str(out), str(DATA / "acled_2023.csv"),
                          str(DATA / "ucdp_ged.csv")], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    res = subprocess.run([*cli, "gpkg", "--tables", str(out), "-o", str(out / "sahelmap.gpkg")],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    leaked = [p.name for p in out.rglob("*") if p.is_file() and b"SECRET-NOTE-ACLED" in p.read_bytes()]
    assert leaked == []
    import pyogrio

    gpkg_events = pyogrio.read_dataframe(out / "sahelmap.gpkg", layer="events")
    assert set(gpkg_events["dataset"]) == {"ucdp"}  # no ACLED row in the GeoPackage
    data_files = "".join(p.read_text(encoding="utf-8") for p in (out / "data").glob("*.js"))
    assert '"id":"acled:' not in data_files  # no ACLED event drawn as a point
    events = pd.read_csv(out / "events.csv")
    assert set(events["dataset"]) == {"ucdp"}
    # the derived layers still use ACLED: presence in Tougan's region in April 2025
    pres = pd.read_csv(out / "presence.csv", keep_default_na=False)
    assert ((pres["period"] == "2025-04") & (pres["group"] == "jnim")
            & pres["evidence_events"].str.contains("acled:BFA9003")).any()
    assert "ACLED" in (out / "index.html").read_text(encoding="utf-8") or \
        "ACLED" in (out / "assets" / "site.js").read_text(encoding="utf-8")
    # a private build opts in
    res = subprocess.run([*cli, "build", "--include-restricted", "--out", str(tmp_path / "private"),
                          str(DATA / "acled_2023.csv")], capture_output=True, text=True)
    assert res.returncode == 0 and b"SECRET-NOTE-ACLED-1" in (tmp_path / "private" / "events.csv").read_bytes()


def test_a_site_from_licensed_data_alone_is_built_without_its_events(tmp_path):
    """Every event withheld (ACLED only, not published): the site still builds, dated by
    its periods (this used to end in a traceback)."""
    from sahelmap.cli import main
    from .test_site import need_leaflet

    need_leaflet()
    out = tmp_path / "site"
    assert main(["-q", "site", "--out", str(out), str(DATA / "acled_2023.csv")]) == 0
    assert pd.read_csv(out / "events.csv").empty
    periods = pd.read_csv(out / "periods.csv")
    header = (out / "index.html").read_text(encoding="utf-8")
    assert f"Records from {periods['period_start'].min()} to {periods['period_end'].max()}" in header
    assert (out / f"{periods['period'].iloc[-1]}.html").is_file()


def test_unusable_counts_keep_the_row_and_are_flagged_by_line(geodata, tmp_path):
    """inf, negative and absurd fatality counts (found by the fuzz test) leave the
    count empty and are flagged with their line, in ACLED, UCDP and own notes."""
    acled = tmp_path / "acled.csv"
    rows = [",".join(ACLED_HEADER)]
    for i, f in enumerate(["inf", "-3", "1e30", "7"]):
        rows.append(f"BFA{i},2025-05-0{i + 1},1,Battles,Armed clash,JNIM,,BFA,x,13.1,-1.5,1,s,n,{f}")
    acled.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ucdp = tmp_path / "ucdp.csv"
    ucdp.write_text(",".join(UCDP_HEADER) + "\n"
                    + "9,1,Government of Mali,JNIM,1,14.5,-4.2,Mali,1,2024-01-02,2024-01-02,Infinity,5,1\n",
                    encoding="utf-8")
    records = read_records([acled, ucdp], geodata.actors)
    ev = records.events.set_index("record_id")
    assert ev.loc[["BFA0", "BFA1", "BFA2"], "fatalities"].isna().all()
    assert ev.loc["BFA3", "fatalities"] == 7 and pd.isna(ev.loc["9", "fatalities"])
    assert ev.loc["9", "fatalities_high"] == 5
    flagged = sorted((p.file.split("/")[-1], p.line, p.field, p.value) for p in records.problems
                     if "usable count" in p.message)
    assert flagged == [("acled.csv", 2, "fatalities", "inf"), ("acled.csv", 3, "fatalities", "-3"),
                       ("acled.csv", 4, "fatalities", "1e30"), ("ucdp.csv", 2, "best", "Infinity")]
    notes = tmp_path / "notes.csv"
    notes.write_text("record_id,date_start,actor,place_name,event_type,fatalities,source,confidence\n"
                     "n1,2025-05-01,jnim,Djibo,attack,inf,src,reported\n", encoding="utf-8")
    own = read_records([notes], geodata.actors)
    assert [(p.line, p.field, p.value) for p in own.problems if p.field == "fatalities"] == [(2, "fatalities", "inf")]


def test_dates_a_clock_cannot_hold_are_flagged_not_a_crash(geodata, tmp_path):
    """Year 201 for 2017, or 0000: pandas reads them but a nanosecond date cannot hold
    them; the row is flagged with its line, the others kept (this used to raise)."""
    acled = tmp_path / "acled.csv"
    rows = [",".join(ACLED_HEADER)]
    for i, day in enumerate(["0201-05-11", "0000-01-01", "2025-02-30", "2025-05-11"]):
        rows.append(f"BFA{i},{day},1,Battles,Armed clash,JNIM,,BFA,x,13.1,-1.5,1,s,n,1")
    acled.write_text("\n".join(rows) + "\n", encoding="utf-8")
    records = read_records([acled], geodata.actors)
    assert records.events["record_id"].tolist() == ["BFA3"]
    assert sorted((p.line, p.field, p.value) for p in records.problems if p.level == "error") == [
        (2, "event_date", "0201-05-11"), (3, "event_date", "0000-01-01"),
        (4, "event_date", "2025-02-30")]


ACLED_HEADER = ["event_id_cnty", "event_date", "time_precision", "event_type", "sub_event_type",
                "actor1", "actor2", "iso3", "location", "latitude", "longitude", "geo_precision",
                "source", "notes", "fatalities"]
good_row = st.builds(
    lambda i, d, lat, lon, f: [f"BFA{i}", d.isoformat(), "1", "Battles", "Armed clash",
                               "JNIM: Group for Support of Islam and Muslims", "", "BFA", "x",
                               f"{lat:.4f}", f"{lon:.4f}", "1", "s", "n", str(f)],
    st.integers(0, 10**6), st.dates(D(1997, 1, 1), D(2025, 12, 31)),
    st.floats(-89, 89), st.floats(-179, 179), st.integers(0, 500))
junk = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)
bad_row = st.lists(junk, min_size=0, max_size=18)


UCDP_HEADER = ["id", "type_of_violence", "side_a", "side_b", "where_prec", "latitude", "longitude",
               "country", "date_prec", "date_start", "date_end", "best", "high", "low"]
good_ucdp = st.builds(
    lambda i, d, lat, lon, f: [str(i), "1", "Government of Mali", "JNIM", "1", f"{lat:.4f}",
                               f"{lon:.4f}", "Mali", "1", d.strftime("%m/%d/%Y 00:00:00"),
                               d.strftime("%m/%d/%Y 00:00:00"), str(f), str(f + 3), str(f)],
    st.integers(0, 10**6), st.dates(D(1989, 1, 1), D(2025, 12, 31)),
    st.floats(-89, 89), st.floats(-179, 179), st.integers(0, 500))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=st.sampled_from(["acled", "ucdp"]), data=st.data(), crlf=st.booleans(),
       bom=st.booleans(), nbsp=st.booleans())
def test_mangled_exports_never_crash_or_lose_a_valid_row(geodata, tmp_path, source, data, crlf,
                                                         bom, nbsp):
    header, good = (ACLED_HEADER, good_row) if source == "acled" else (UCDP_HEADER, good_ucdp)
    rows = data.draw(st.lists(st.tuples(st.booleans(), good, bad_row), max_size=10))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if crlf else "\n")
    w.writerow(header)
    valid_ids = set()
    for i, (good, row, junk_row) in enumerate(rows):
        if good:
            row = [f"ID{i}", *row[1:]]
            if nbsp:  # spreadsheets put non-breaking spaces into numbers
                row = [c.replace(".", "\u00a0.", 1) if c[:1] in "-0123456789" else c for c in row]
            w.writerow(row)
            valid_ids.add(f"ID{i}")
        else:
            w.writerow(junk_row)
    data = buf.getvalue().encode("utf-8")
    path = tmp_path / "fuzz.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    try:
        records = read_records([path], geodata.actors)
    except InputError as exc:
        assert str(path) in str(exc)  # a one-line error naming the file
        return
    kept = set(records.events["record_id"])
    assert valid_ids <= kept  # no valid row lost
    errors = [p for p in records.problems if p.level == "error"]
    assert all(p.line >= 2 for p in errors)  # every bad row is named by its line
    _, raw, _ = read_csv_rows(path, fallback_encoding="cp1252")
    rep = records.imports[0]
    # every physical row is kept, merged as a duplicate, or rejected with its line named
    assert (rep.events_kept + rep.duplicates_merged + len(records.rejected) + rep.skipped
            == len(raw))
    assert set(records.rejected["line"]) <= {p.line for p in errors}


def test_report_file_lists_import_summaries_flagged_rows_and_unknown_actors(tmp_path):
    report = tmp_path / "imports.csv"
    res = subprocess.run([sys.executable, "-m", "sahelmap.cli", "validate", "--report", str(report),
                          str(DATA / "acled_2019.csv"), str(DATA / "acled_monadic.csv")],
                         capture_output=True, text=True)
    assert res.returncode == 1  # acled_2019.csv has a 29 February 2003
    rep = pd.read_csv(report, keep_default_na=False)
    assert list(rep.columns) == ["file", "line", "level", "field", "value", "message", "fix"]
    summary = rep[rep["level"] == "summary"].set_index("value")
    assert "12 rows read, 11 events kept" in summary.loc["acled-2019", "message"]
    assert "6 duplicates merged" in summary.loc["acled-monadic", "message"]
    errors = rep[rep["level"] == "error"]
    assert errors["line"].tolist() == [13] and errors["value"].tolist() == ["29-Feb-03"]
    assert errors["file"].str.endswith("acled_2019.csv").all()
    actors = rep[(rep["level"] == "warning") & (rep["field"] == "actor")].set_index("value")
    assert actors.loc["Tuareg rebels", "message"] == "is not a known group (5 rows)"
    # a file's summary comes first among its rows
    first = rep.groupby("file", sort=False)["level"].first()
    assert set(first) == {"summary"} and len(first) == 2


def test_a_rejected_row_does_not_swallow_a_valid_row_with_its_id(geodata, tmp_path):
    """A row rejected for its date shares its id with a later valid row (a re-export
    fixed the date): the valid row is an event, not a duplicate of the rejected one."""
    acled = tmp_path / "acled.csv"
    rows = [",".join(ACLED_HEADER),
            "BFA1,2025-13-40,1,Battles,Armed clash,JNIM,,BFA,x,13.1,-1.5,1,s,n,2",
            "BFA2,2025-05-02,1,Battles,Armed clash,JNIM,,BFA,x,13.1,-1.5,1,s,n,3",
            "BFA1,2025-05-03,1,Battles,Armed clash,JNIM,,BFA,x,13.1,-1.5,1,s,n,4"]
    acled.write_text("\n".join(rows) + "\n", encoding="utf-8")
    records = read_records([acled], geodata.actors)
    assert records.events["record_id"].tolist() == ["BFA2", "BFA1"]
    assert records.events["line"].tolist() == [3, 4]
    assert [(p.line, p.field) for p in records.problems if p.level == "error"] == [(2, "event_date")]
    report = records.imports[0]
    assert (report.rows_read, report.events_kept, report.duplicates_merged) == (3, 2, 0)
    ucdp = tmp_path / "ucdp.csv"
    ucdp.write_text(",".join(UCDP_HEADER) + "\n"
                    + "9,1,Government of Mali,JNIM,1,14.5,-4.2,Mali,1,2024-13-02,2024-01-02,3,5,1\n"
                    + "9,1,Government of Mali,JNIM,1,14.5,-4.2,Mali,1,2024-01-02,2024-01-02,3,5,1\n",
                    encoding="utf-8")
    records = read_records([ucdp], geodata.actors)
    assert records.events["line"].tolist() == [3]
    assert records.imports[0].duplicates_merged == 0


@pytest.mark.parametrize("name", sorted(p.name for p in DATA.glob("acled*.csv")))
def test_reading_only_the_columns_the_importer_uses_changes_nothing(geodata, name):
    """The fast reader keeps only acled.COLUMNS; the careful one keeps every column: the
    events and the problems must be the same either way."""
    from sahelmap.acled import read_acled
    from sahelmap.records import columns_read, read_csv_rows

    path = DATA / name
    some = read_csv_rows(path, fallback_encoding="cp1252", columns=columns_read)
    every = read_csv_rows(path, fallback_encoding="cp1252")
    assert some[0] == every[0]
    a_events, a_report = read_acled(some[1], some[0], geodata.actors, str(path))
    b_events, b_report = read_acled(every[1], every[0], geodata.actors, str(path))
    pd.testing.assert_frame_equal(a_events, b_events)
    assert a_report == b_report
