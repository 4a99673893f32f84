"""Regenerate the figure baseline used by tests/test_figures.py (text removed, 50 dpi).

Run after a deliberate change to the figures, look at the image, and commit it:
    .venv/bin/python scripts/make_baselines.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sahelmap import build_gazetteer, read_geodata, read_records, webmap  # noqa: E402
from sahelmap.figures import period_figure, save_figure  # noqa: E402
from sahelmap.pipeline import analyse, locate  # noqa: E402
from tests.test_figures import BASELINE, BASELINE_DPI  # noqa: E402

geodata = read_geodata(ROOT / "geodata")
places = build_gazetteer(geodata)
records = sorted((ROOT / "geodata" / "records").glob("*.csv"))
located = locate(read_records(records, geodata.actors), geodata, places)
tables = {**located, **analyse(located, geodata, places)}
labels = webmap.label_places(places, tables["events"], tables["claims"], tables["movements"])
save_figure(period_figure("2025-04", tables, geodata, labels, text=False), BASELINE, dpi=BASELINE_DPI)
print(BASELINE)
