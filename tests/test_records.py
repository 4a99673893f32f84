"""The records reader: every problem reported at once, no valid row lost."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings, strategies as st

from sahelmap import read_records
from sahelmap.records import read_csv_rows

from .conftest import RECORDS

HEADER = ("record_id,date_start,date_end,actor,opponent,event_type,fatalities,place_name,"
          "country,latitude,longitude,confidence,source,notes\n")


def test_default_dataset_is_clean(geodata):
    records = read_records(RECORDS, geodata.actors)
    assert [p for p in records.problems] == []
    assert records.rejected.empty
    assert len(records.events) >= 15 and len(records.claims) >= 10 and len(records.movements) >= 5


def test_malformed_rows_each_give_one_problem_and_valid_rows_survive(geodata, write):
    path = write("bad.csv", HEADER + "\n".join([
        "ok-1,2025-04-02,,jnim,mil_bfa,attack,3,Djibo,BFA,,,reported,src,fine",
        "bad-date,2025-02-30,,jnim,,attack,,Djibo,BFA,,,reported,src,no 30 February",
        "bad-group,2025-04-02,,Jnim fighters,,attack,,Djibo,BFA,,,reported,src,",
        "bad-lat,2025-04-02,,jnim,,attack,,,BFA,95,-1.5,reported,src,",
        'ok-2,2025-04,,JNIM: Group for Support of Islam and Muslims,,battle,,Dedigo,BFA,,,claimed,src,"two\nlines"',
        "bad-end,2025-04-10,2025-04-01,jnim,,attack,,Djibo,BFA,,,reported,src,",
        "ok-3,2024,,isgs,,pledge,,Aribinda,BFA,,,claimed,src,",
    ]) + "\n")
    records = read_records([path], geodata.actors)
    found = {(p.line, p.field): p for p in records.problems}
    assert set(found) == {(3, "date_start"), (4, "actor"), (5, "latitude"), (8, "date_end")}
    assert found[3, "date_start"].value == "2025-02-30"
    assert found[4, "actor"].value == "Jnim fighters"
    assert found[5, "latitude"].value == "95"
    line = str(found[5, "latitude"])
    assert line.startswith(f"{path}:5: latitude '95'") and "\n" not in line and "-90 and 90" in line
    # the three valid rows are all kept, with their physical line numbers
    ev = records.events.set_index("record_id")
    assert list(ev.index) == ["ok-1", "ok-2", "ok-3"]
    assert ev.loc["ok-2", "line"] == 6 and ev.loc["ok-3", "line"] == 9  # a quoted newline counts
    assert ev.loc["ok-2", "actor"] == "jnim" and ev.loc["ok-2", "date_precision"] == "month"
    assert ev.loc["ok-2", "date_end"] == dt.date(2025, 4, 30)
    assert ev.loc["ok-3", "date_start"] == dt.date(2024, 1, 1)
    assert ev.loc["ok-3", "date_end"] == dt.date(2024, 12, 31)
    assert ev.loc["ok-1", "fatalities"] == 3
    assert sorted(records.rejected["record_id"]) == ["bad-date", "bad-end", "bad-group", "bad-lat"]
    assert records.rejected.set_index("record_id").loc["bad-lat", "reason"].startswith("latitude")


def test_missing_column_is_one_problem_naming_the_column(geodata, write):
    path = write("nocol.csv", "record_id,date_start,actor,event_type,place_name,source\n"
                              "a,2025-01-01,jnim,attack,Djibo,src\n"
                              "b,2025-01-02,jnim,attack,Djibo,src\n")
    records = read_records([path], geodata.actors)
    assert len(records.problems) == 1
    problem = records.problems[0]
    assert (problem.line, problem.field) == (1, "confidence")
    assert "required column is missing" in str(problem)
    assert len(records.rejected) == 2  # kept, with the reason, not dropped
    assert set(records.rejected["reason"]) == {"file lacks column(s) confidence"}


def test_problems_from_several_files_are_all_reported(geodata, write):
    a = write("a.csv", HEADER + "x,2025-04-02,,nobody,,attack,,Djibo,BFA,,,reported,s,\n")
    b = write("b.csv", "record_id,date_start,actor,status,place_name,confidence,source\n"
                       "y,2025-04,jnim,dominating,Djibo,claimed,s\n"
                       "z,2025-04,jnim,present,Djibo,sure,s\n")
    records = read_records([a, b], geodata.actors)
    assert [(p.file.split("/")[-1], p.line, p.field) for p in records.problems] == [
        ("a.csv", 2, "actor"), ("b.csv", 2, "status"), ("b.csv", 3, "confidence")]


def test_unknown_layout_fails_in_one_line_saying_what_sahelmap_reads(geodata, write):
    import pytest

    from sahelmap import InputError

    path = write("mystery.csv", "when,who,where\n2025,jnim,Djibo\n")
    with pytest.raises(InputError) as err:
        read_records([path], geodata.actors)
    msg = str(err.value)
    assert msg.startswith(f"{path}:1: not a file sahelmap reads (columns: when, who, where)")
    assert "ACLED event exports, UCDP GED downloads and its own records" in msg
    assert "record_id" not in msg and "\n" not in msg  # no column list of the own format


def test_joint_attribution(geodata, write):
    path = write("joint.csv", HEADER + "\n".join([
        "j1,2024-06-01,,JNIM: Group for Support of Islam and Muslims and/or JNIM,,attack,,Djibo,BFA,,,reported,s,",
        "j2,2024-06-01,,JNIM: Group for Support of Islam and Muslims and/or Islamic State (Greater Sahara),,attack,,Djibo,BFA,,,reported,s,",
    ]) + "\n")
    ev = read_records([path], geodata.actors).events.set_index("record_id")
    assert ev.loc["j1", "actor"] == "jnim" and ev.loc["j1", "actor_candidates"] == ""
    assert ev.loc["j2", "actor"] == "joint" and ev.loc["j2", "actor_candidates"] == "isgs|jnim"


def test_record_ids_unique_across_files(geodata, write):
    row = "dup,2025-04-02,,jnim,,attack,,Djibo,BFA,,,reported,s,\n"
    a, b = write("a.csv", HEADER + row), write("b.csv", HEADER + row)
    records = read_records([a, b], geodata.actors)
    assert len(records.events) == 1
    assert len(records.problems) == 1 and "already used at" in records.problems[0].message


cell = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(cell, cell, cell, cell), max_size=8))
def test_reader_never_crashes_and_never_loses_a_row(geodata, tmp_path, rows):
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["record_id", "date_start", "actor", "event_type", "place_name", "confidence",
                "source"])
    for rid, date, actor, place in rows:
        w.writerow([rid, date, actor, "attack", place, "reported", "s"])
    path = tmp_path / "fuzz.csv"
    path.write_text(buf.getvalue(), encoding="utf-8")
    _, raw, _ = read_csv_rows(path)
    records = read_records([path], geodata.actors)
    assert len(records.events) + len(records.rejected) == len(raw)
    bad_lines = {p.line for p in records.problems if p.level == "error"}
    assert set(records.rejected["line"]) <= bad_lines  # every rejected row is named
    assert all(p.line >= 1 for p in records.problems)
