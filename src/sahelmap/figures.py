"""Report figures (PNG, SVG, PDF) of one period: the site's colours and symbols on
a vector basemap, with legend, scale bar, north arrow, title and attribution.

No network: the basemap is the admin layer. Output is deterministic (no dates in
the metadata, fixed SVG ids), so figures can be diffed and cached.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import FancyArrowPatch, Patch  # noqa: E402

from ._parallel import each_in_order  # noqa: E402
from ._text import printable  # noqa: E402
from .styles import STATUS_ALPHA  # noqa: E402  (the GeoPackage's depths, for the same look)
from .units import unit_geometries  # noqa: E402
from .pagedata import display_lines, event_points  # noqa: E402

RANK_ORDER = {"present": 1, "contested": 2, "dominant": 3, "control": 4}

TYPE_EDGE = {"battle": "#111111", "attack": "#444444", "remote_violence": "#7a7a7a",
             "violence_against_civilians": "#b2182b", "seizure": "#d4a000",
             "base_established": "#d4a000", "withdrawal": "#5e3c99", "pledge": "#1b7837",
             "movement": "#2166ac", "other": "#999999"}
FORMATS = ("png", "svg", "pdf")
EXTENT = (-12.5, 6.0, 9.0, 22.0)  # lon min, lon max, lat min, lat max
ATTRIBUTION = ("Boundaries: Natural Earth{} · Places: GeoNames (CC BY 4.0) · Records: {} · "
               "sahelmap")


def _nice_km(span_km: float) -> int:
    for km in (1000, 500, 300, 200, 100, 50, 20, 10):
        if km <= span_km / 4:
            return km
    return 10


def period_figure(label: str, tables: dict, geodata, labels: pd.DataFrame, *,
                  width_mm: float = 170.0, text: bool = True, source: str = "see the events table"):
    """A matplotlib Figure of one period (the caller saves or closes it)."""
    plt.rcParams["svg.hashsalt"] = "sahelmap"
    # place, group, file and source names are outside text: a "$" is a dollar, not mathtext
    plt.rcParams["text.parse_math"] = False
    fig, ax = _frame(width_mm, geodata)
    actors = geodata.actors.set_index("actor_id")
    period = tables["periods"].set_index("period").loc[label]
    start, end = str(period["period_start"]), str(period["period_end"])
    pres = _draw_presence(ax, tables["presence"], label, geodata, actors)
    ev = _draw_events(ax, tables["events"], start, end, actors)
    _draw_axes(ax, tables["axes"], label, geodata, actors)
    if text:
        _draw_labels(ax, labels)
    _draw_furniture(fig, ax, text)
    if text:
        fig.text(0.01, 0.965, f"Armed-group presence, events and axes: {label} ({start} to {end})",
                 fontsize=9.5, fontweight="bold", va="top")
        groups = sorted(set(pres["group"]) | set(ev["actor"] if len(ev) else []) - {""})
        _legend(fig, groups, actors)
        credit = ATTRIBUTION.format("".join(f", {f}" for f in geodata.boundary_files), source)
        fig.text(0.99, 0.125, printable(credit), fontsize=4.8, ha="right", va="top",
                 color="#444444", parse_math=False)
    ax.set_xlabel("")
    ax.set_ylabel("")
    return fig


def _frame(width_mm: float, geodata):
    w_in = width_mm / 25.4
    x0, x1, y0, y1 = EXTENT
    k = math.cos(math.radians((y0 + y1) / 2))
    aspect = (y1 - y0) / ((x1 - x0) * k)
    fig = plt.figure(figsize=(w_in, w_in * aspect * 0.92 + 0.9))
    ax = fig.add_axes([0.01, 0.13, 0.98, 0.8])
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect(1 / k)
    ax.set_facecolor("#cfe0ea")
    ax.set_xticks([])
    ax.set_yticks([])
    geodata.countries.plot(ax=ax, color="#f4f1ea", edgecolor="#8a8a8a", linewidth=0.6)
    geodata.admin1.boundary.plot(ax=ax, color="#b8b2a6", linewidth=0.3)
    return fig, ax


def _draw_presence(ax, presence: pd.DataFrame, label: str, geodata, actors) -> pd.DataFrame:
    """Cells and units where a group is present; returns the period's rows drawn."""
    pres = presence[(presence["period"].astype(str) == label) & (presence["status"] != "none")]
    units = unit_geometries(geodata, pres["unit_id"])[["unit_id", "geometry"]]
    shapes = units.merge(pres, on="unit_id")
    shapes["soft"] = ~shapes["confidence"].isin(["corroborated", "reported"])
    shapes["area"] = shapes["spatial"] == "area"
    # regions named only as a whole first (pale), then cells; weaker statuses below stronger
    shapes["order"] = (~shapes["area"]) * 10 + shapes["status"].map(RANK_ORDER).fillna(0)
    for (_, area, group, status, soft), part in shapes.groupby(
            ["order", "area", "group", "status", "soft"], sort=True):
        colour = actors["colour"].get(group, "#777777")
        alpha = STATUS_ALPHA.get(status, 0.3) * (0.5 if area else 1.0)
        style = "--" if status == "contested" or area else (":" if soft else "-")
        edge = to_rgba(colour, 0.45 if area else 1.0)
        part.plot(ax=ax, facecolor="none", edgecolor=edge, linewidth=0.8 if area else 0.6,
                  linestyle=style, hatch=("//" if area else "////") if soft else None,
                  zorder=3 if area else 4)
        if not soft:
            part.plot(ax=ax, facecolor=colour, alpha=alpha, edgecolor="none", zorder=3.5)
    return pres


def _draw_events(ax, events: pd.DataFrame, start: str, end: str, actors) -> pd.DataFrame:
    ev = events[(events["date_start"].astype(str) <= end) & (events["date_end"].astype(str) >= start)]
    ev = event_points(ev).sort_values("event_id")
    if not len(ev):
        return ev
    fat = pd.to_numeric(ev["fatalities"], errors="coerce").fillna(0).to_numpy()
    coarse = ev["location_precision"].isin(["admin1", "admin2"]).to_numpy()
    exact_date = (ev["date_precision"] == "day").to_numpy()
    colours = ev["actor"].map(actors["colour"]).fillna("#777777").to_numpy()
    edges = ev["event_type"].map(TYPE_EDGE).fillna("#555555").to_numpy()
    size = (4 + 2 * np.sqrt(fat)) ** 2
    lon = pd.to_numeric(ev["longitude"]).to_numpy()
    lat = pd.to_numeric(ev["latitude"]).to_numpy()
    fine = ~coarse
    ax.scatter(lon[fine], lat[fine], s=size[fine], c=list(colours[fine]),
               alpha=None, edgecolors=list(edges[fine]), linewidths=1.0, zorder=5)
    ranged = fine & ~exact_date  # pale fill: date known to a range
    ax.scatter(lon[ranged], lat[ranged], s=size[ranged], facecolors="white", alpha=0.55,
               edgecolors="none", zorder=5.1)
    if coarse.any():
        ax.scatter(lon[coarse], lat[coarse], s=np.maximum(size[coarse], 250),
                   facecolors="none", edgecolors=list(edges[coarse]), linewidths=1.0,
                   linestyles="--", zorder=5)
    return ev


def _draw_axes(ax, axes: pd.DataFrame, label: str, geodata, actors) -> None:
    axes = axes[axes["period"].astype(str) == label].sort_values(["kind", "axis_id"])
    for line, (_, row) in zip(display_lines(axes, geodata.countries), axes.iterrows()):
        if line is None:
            continue
        (ax0, ay0), (ax1, ay1) = list(line.coords)[0], list(line.coords)[-1]
        colour = actors["colour"].get(row["group"], "#777777")
        ax.add_patch(FancyArrowPatch((ax0, ay0), (ax1, ay1), arrowstyle="-|>", mutation_scale=12,
                                     color=colour, linewidth=2.2,
                                     linestyle={"inferred": "--", "influence": ":"}.get(
                                         row["kind"], "-"), zorder=6))


def _draw_labels(ax, labels: pd.DataFrame) -> None:
    x0, x1, y0, y1 = EXTENT
    for r in labels.itertuples(index=False):
        if x0 < r.longitude < x1 and y0 < r.latitude < y1:
            style = {"country": dict(fontsize=6, color="#6b6b6b"),
                     "capital": dict(fontsize=6.5, fontweight="bold"),
                     "town": dict(fontsize=6)}[r.kind]
            name = printable(r.name.upper() if r.kind == "country" else r.name)
            ax.text(r.longitude + (0 if r.kind == "country" else 0.08), r.latitude, name,
                    zorder=7, va="center", **style)
            if r.kind != "country":
                ax.plot([r.longitude], [r.latitude], "o", ms=1.8, color="#222222", zorder=7)


def _draw_furniture(fig, ax, text: bool) -> None:
    """Scale bar and north arrow (drawn with or without text)."""
    x0, x1, y0, y1 = EXTENT
    km_per_deg = 111.32 * math.cos(math.radians(y0 + 1))
    bar_km = _nice_km((x1 - x0) * km_per_deg)
    bx, by = x0 + 0.5, y0 + 0.5
    ax.plot([bx, bx + bar_km / km_per_deg], [by, by], color="#222222", linewidth=2.5, zorder=8)
    ax.annotate("", xy=(x1 - 0.7, y1 - 0.4), xytext=(x1 - 0.7, y1 - 1.5),
                arrowprops=dict(arrowstyle="-|>", color="#222222", linewidth=1.5), zorder=8)
    if text:
        ax.text(bx + bar_km / km_per_deg / 2, by + 0.25, f"{bar_km} km", ha="center", fontsize=6.5,
                zorder=8)
        ax.text(x1 - 0.7, y1 - 1.85, "N", ha="center", fontsize=8, fontweight="bold", zorder=8)


def _legend(fig, groups: list[str], actors) -> None:
    handles = [Patch(facecolor=actors["colour"].get(g, "#777777"), edgecolor="#555555",
                     label=printable(actors["display_name"].get(g, g))) for g in groups]
    handles += [Patch(facecolor="#888888", alpha=a, label=s) for s, a in STATUS_ALPHA.items()]
    handles += [Patch(facecolor="none", edgecolor="#555555", hatch="////", linestyle=":",
                      label="claimed or assessed only"),
                Patch(facecolor="#dddddd", edgecolor="#555555", linestyle="--",
                      label="region named only as a whole")]
    handles += [Line2D([], [], marker="o", ls="", mfc="#dddddd", mec=TYPE_EDGE[t],
                       label=t.replace("_", " ")) for t in ("battle", "attack",
                                                            "violence_against_civilians",
                                                            "seizure")]
    handles += [Line2D([], [], color="#555555", lw=2, label="declared movement"),
                Line2D([], [], color="#555555", lw=2, ls="--", label="inferred shift"),
                Line2D([], [], color="#555555", lw=2, ls=":", label="route of influence")]
    fig.legend(handles=handles, loc="lower center", ncol=5, fontsize=5.5, frameon=False,
               bbox_to_anchor=(0.5, 0.015))


def save_figure(fig, path: Path | str, *, dpi: int = 300) -> Path:
    """Save deterministically (no creation dates) and atomically; close the figure."""
    try:
        return _save(fig, Path(path), dpi)
    finally:
        plt.close(fig)


def _save(fig, path: Path, dpi: int) -> Path:
    """Write ``fig`` to ``path`` in the format its suffix names, unless the file already
    holds the same bytes (so make and diffs stay quiet); the figure stays open."""
    fmt = _format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp.{fmt}")
    metadata = {"png": {"Software": "sahelmap"},
                "svg": {"Date": None, "Creator": "sahelmap"},
                "pdf": {"CreationDate": None, "ModDate": None, "Creator": "sahelmap",
                        "Producer": "sahelmap"}}[fmt]
    fig.savefig(tmp, dpi=dpi, format=fmt, metadata=metadata)
    if path.is_file() and path.read_bytes() == tmp.read_bytes():
        tmp.unlink()  # unchanged: keep the file and its date
    else:
        tmp.replace(path)
    return path


def _format(path: Path) -> str:
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ValueError(f"{path}: format {fmt!r} is not supported; use one of: "
                         f"{', '.join(FORMATS)}")
    return fmt


class PeriodFigures:
    """Draws one period and saves it in each format: ``job(label)`` -> the paths written.
    Holds the tables, so forked workers (:mod:`._parallel`) draw without copying them."""

    def __init__(self, tables: dict, geodata, labels: pd.DataFrame, outdir: Path | str,
                 formats: list[str], *, width_mm: float = 170.0, dpi: int = 300,
                 source: str = "see the events table"):
        self.tables, self.geodata, self.labels = tables, geodata, labels
        self.outdir, self.formats = Path(outdir), list(formats)
        self.width_mm, self.dpi, self.source = width_mm, dpi, source

    def __call__(self, label: str) -> list[Path]:
        return self.draw(label, [self.outdir / f"{label}.{fmt}" for fmt in self.formats])

    def draw(self, label: str, paths: list[Path]) -> list[Path]:
        """Draw the period once and save it to each path (its suffix names the format)."""
        for path in paths:
            _format(path)  # an unknown format fails before anything is drawn
        fig = period_figure(label, self.tables, self.geodata, self.labels,
                            width_mm=self.width_mm, source=self.source)
        try:
            return [_save(fig, path, self.dpi) for path in paths]
        finally:
            plt.close(fig)


def write_figures(job: PeriodFigures, periods: list[str], *, workers: int | None = None,
                  progress=None) -> list[Path]:
    """Every period's figures, drawn by ``workers`` forked processes (default: one per
    core, at most 4); ``progress(what, done, total)`` after each period."""
    written: list[Path] = []
    for i, paths in enumerate(each_in_order(job, periods, workers, min_items=2)):
        written += paths
        if progress:
            progress("figures", i + 1, len(periods))
    return written
