from __future__ import annotations

from pathlib import Path

import pytest

from sahelmap import build_gazetteer, read_geodata

ROOT = Path(__file__).resolve().parents[1]
GEODATA = ROOT / "geodata"
RECORDS = sorted((GEODATA / "records").glob("*.csv"))


@pytest.fixture(scope="session")
def geodata():
    return read_geodata(GEODATA)


@pytest.fixture(scope="session")
def places(geodata):
    return build_gazetteer(geodata)


@pytest.fixture
def write(tmp_path):
    """Write a CSV fixture (text as given) into the test's scratch folder."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return _write
