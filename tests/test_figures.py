"""Report figures: compared with a baseline image (text removed), well-formed SVG,
print size, determinism."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from matplotlib.testing.compare import compare_images

from sahelmap import read_records, webmap
from sahelmap.figures import period_figure, save_figure
from sahelmap.pipeline import analyse, locate

from .conftest import RECORDS, ROOT

BASELINE = ROOT / "tests" / "baseline" / "figure-2025-04-notext.png"
BASELINE_DPI = 50


@pytest.fixture(scope="module")
def inputs(geodata, places):
    located = locate(read_records(RECORDS, geodata.actors), geodata, places)
    result = analyse(located, geodata, places)
    tables = {**located, **result}
    labels = webmap.label_places(places, tables["events"], tables["claims"], tables["movements"])
    return tables, labels


def draw(inputs, geodata, path, **kw):
    tables, labels = inputs
    dpi = kw.pop("dpi", 300)
    return save_figure(period_figure("2025-04", tables, geodata, labels, **kw), path, dpi=dpi)


def test_figure_matches_the_baseline_without_text(inputs, geodata, tmp_path):
    out = draw(inputs, geodata, tmp_path / "fig.png", text=False, dpi=BASELINE_DPI)
    assert BASELINE.is_file(), "run scripts/make_baselines.py to create the baseline"
    assert compare_images(str(BASELINE), str(out), tol=6) is None


def test_png_has_print_size(inputs, geodata, tmp_path):
    from PIL import Image

    out = draw(inputs, geodata, tmp_path / "fig.png", width_mm=170, dpi=300)
    with Image.open(out) as im:
        assert abs(im.size[0] - 170 / 25.4 * 300) <= 1  # 2008 px: an A4 text column at 300 dpi
        assert 0.6 < im.size[1] / im.size[0] < 1.0


def test_svg_is_well_formed_and_carries_the_content(inputs, geodata, tmp_path):
    out = draw(inputs, geodata, tmp_path / "fig.svg")
    root = ET.parse(out).getroot()
    assert root.tag.endswith("svg")
    text = out.read_text(encoding="utf-8")
    for needle in ("2025-04", "Natural Earth", "JNIM", "km", "Dédougou"):
        assert needle in text, needle
    assert "<dc:date>" not in text  # no creation date: deterministic


def test_figures_are_deterministic_in_every_format(inputs, geodata, tmp_path):
    for fmt in ("png", "svg", "pdf"):
        a = draw(inputs, geodata, tmp_path / f"a.{fmt}", dpi=80)
        b = draw(inputs, geodata, tmp_path / f"b.{fmt}", dpi=80)
        assert a.read_bytes() == b.read_bytes(), fmt
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")


def test_unknown_format_is_an_error(inputs, geodata, tmp_path):
    with pytest.raises(ValueError, match="'tiff' is not supported"):
        draw(inputs, geodata, tmp_path / "fig.tiff")


def test_figures_drawn_in_parallel_are_the_ones_drawn_one_by_one(inputs, geodata, tmp_path):
    from sahelmap.figures import PeriodFigures, write_figures

    tables, labels = inputs
    periods = ["2025-03", "2025-04", "2025-05"]
    made = {}
    for workers in (1, 2):
        job = PeriodFigures(tables, geodata, labels, tmp_path / str(workers), ["png", "svg"],
                            dpi=40)
        seen = []
        written = write_figures(job, periods, workers=workers,
                                progress=lambda what, done, total: seen.append((done, total)))
        assert seen == [(1, 3), (2, 3), (3, 3)]
        assert [p.name for p in written] == [f"{p}.{f}" for p in periods for f in ("png", "svg")]
        made[workers] = [p.read_bytes() for p in written]
    assert made[1] == made[2]
    assert len(set(made[1])) == 6  # each period its own figure


def test_the_credit_names_the_users_boundary_files_as_written(inputs, geodata, tmp_path):
    """Boundary files given with --admin are credited by name; file and source names
    are outside text, drawn as written ('$' is no mathtext) and escaped in the SVG."""
    from dataclasses import replace

    mine = replace(geodata, boundary_files=("bfa_$x$_adm1.shp",))
    out = draw(inputs, mine, tmp_path / "fig.svg", source="A$1$ & <b>")
    text = out.read_text(encoding="utf-8")
    assert "Boundaries: Natural Earth, bfa_$x$_adm1.shp" in text  # the line, as a comment
    assert "Records: A$1$ &amp; &lt;b&gt;" in text
    assert "Oblique" not in text  # no mathtext italics: "$x$" is drawn as written
    ET.parse(out)  # still well-formed
