"""The documentation tells the truth about the code."""

from __future__ import annotations

import re
from dataclasses import fields

from sahelmap.axes import AxesSettings
from sahelmap.presence import PresenceSettings

from .conftest import ROOT

METHOD = (ROOT / "docs" / "method.md").read_text(encoding="utf-8")


def _row(name: str) -> str:
    rows = [line for line in METHOD.splitlines() if line.startswith(f"| `{name}`")
            or line.startswith(f"| `[presence] {name}`") or line.startswith(f"| `[axes] {name}`")]
    assert len(rows) == 1, f"docs/method.md has no single parameter row for {name}"
    return rows[0]


def test_every_parameter_is_documented_with_its_default():
    for cls in (PresenceSettings, AxesSettings):
        default = cls()
        for f in fields(cls):
            if f.name == "evidence":
                continue
            row = _row(f.name)
            value = getattr(default, f.name)
            if isinstance(value, dict):
                for key, weight in value.items():
                    label = key.replace("_", " ")
                    assert re.search(rf"{label} {weight:g}\b", row), (f.name, key)
            elif isinstance(value, tuple):
                assert "all four" in row and len(value) == 4
            elif isinstance(value, bool):
                assert str(value).lower() in row
            elif isinstance(value, str):
                assert f"| `{value}`" in row, f.name
            else:
                assert f"| {value:g}" in row or f"| {value:g}°" in row or f"| `{value}`" in row, f.name


def test_status_names_in_the_docs_are_the_code_s():
    from sahelmap.presence import CLAIM_EFFECT, STATUSES

    for status in STATUSES:
        assert f"`{status}`" in METHOD
    for claim in CLAIM_EFFECT:
        assert f"`{claim}`" in METHOD


def test_readme_lists_every_geopackage_field(geodata, places):
    from sahelmap import read_records
    from sahelmap.gpkg import LAYERS, layers
    from sahelmap.pipeline import analyse, locate

    from .conftest import RECORDS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The GeoPackage")[1].split("\n## ")[0]
    located = locate(read_records(RECORDS, geodata.actors), geodata, places)
    frames = layers({**located, **analyse(located, geodata, places)}, geodata, places)
    rows = {line.split("|")[1].strip(" `"): line for line in section.splitlines()
            if line.startswith("| `")}
    assert set(rows) == set(LAYERS)
    for name in LAYERS:
        cols = [c for c in frames[name].columns if c != "geometry"]
        documented = rows[name] + (rows["events"] if name == "claims" else "")
        missing = [c for c in cols if not re.search(rf"\b{re.escape(c)}\b", documented)]
        assert missing == [], (name, missing)


def test_the_role_table_is_the_code_s():
    from sahelmap.support import EVENT_ROLES

    for etype, (actor, opponent) in EVENT_ROLES.items():
        assert f"| `{etype}` | {actor} | {opponent} |" in METHOD, etype
    from sahelmap.settings import EVENT_TYPES

    assert set(EVENT_ROLES) == set(EVENT_TYPES)


def test_the_sensitivity_ranges_are_the_code_s():
    from sahelmap.sensitivity import RANGES

    for name, (lo, hi) in RANGES.items():
        assert f"| {name} | {lo:g} | {hi:g} |" in METHOD, name


def test_claim_persistence_in_the_docs_follows_the_defaults():
    """The method page says how many months a claim holds after its dates, per confidence."""
    import math

    s = PresenceSettings()
    said = {"claimed": "two", "assessed": "three", "reported": "four", "corroborated": "five"}
    words = ["zero", "one", "two", "three", "four", "five", "six", "seven"]
    for conf, word in said.items():
        value = s.claim_score * s.confidence_weights[conf]
        limit = s.half_life_days * math.log2(value / s.present_threshold)
        ends = [31, 61, 92, 123, 153, 184, 214]  # days from the end of April to later month ends
        months = sum(d <= limit for d in ends)
        assert words[months] == word, conf
        assert f"`{conf}`" in METHOD
