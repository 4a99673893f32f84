"""Writers for the static map site in ``maps/``.

A build stages the files whose bytes change and swaps them in at the end
(:mod:`.staging`), so an interrupted build leaves the last complete site, and a
rebuild touches only what changed. The same inputs give byte-identical files.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Callable

import pandas as pd

from . import webmap
from ._parallel import each_in_order
from .geodata import Geodata
from .pagedata import PeriodCutter
from .staging import Staging, atomic_write
from .units import unit_geometries

Writer = Callable[[str, "bytes | str"], bool]  # (path in the site, bytes) -> whether it changed
STATIC = Path(__file__).resolve().parent / "static"
DOWNLOADS = [("events.csv", "events, located and joined to admin units"),
             ("claims.csv", "presence claims, located"),
             ("movements.csv", "declared movements with both ends located"),
             ("presence.csv", "presence per place, period and group: status, basis, confidence, "
                              "age of the evidence, and the evidence ids"),
             ("zones.csv", "one verdict per place and period: the zone of control and who holds it"),
             ("axes.geojson", "axes of reinforcement, declared and inferred"),
             ("geocode_report.csv", "names that could not be placed, and rejected rows"),
             ("sahelmap.gpkg", "everything as a QGIS-ready GeoPackage"),
             ("sahelmap.qgz", "a QGIS project of the GeoPackage whose Temporal Controller plays "
                              "the periods (save it beside sahelmap.gpkg and open it)")]


def write_if_changed(path: Path, data: bytes | str) -> bool:
    """Atomically write ``data`` unless the file already holds exactly these bytes."""
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return False
    atomic_write(path, data)
    return True


def _js(call: str, value) -> str:
    return f"SahelMap.{call}({webmap.safe_json(value)});\n"


def copy_leaflet(leaflet_dist: Path, write: Writer) -> list[str]:
    """Copy Leaflet's built files (from the npm package) into ``assets/leaflet``."""
    leaflet_dist = Path(leaflet_dist)
    if not (leaflet_dist / "leaflet.js").is_file():
        raise FileNotFoundError(
            f"{leaflet_dist}: Leaflet not found; run 'npm ci' in the project (make does) or "
            "pass --leaflet DIR pointing at node_modules/leaflet/dist")
    changed = []
    for name in ("leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png",
                 "images/marker-icon.png", "images/marker-icon-2x.png", "images/marker-shadow.png"):
        if write(f"assets/leaflet/{name}", (leaflet_dist / name).read_bytes()):
            changed.append(f"assets/leaflet/{name}")
    return changed


def method_html(markdown_text: str) -> str:
    """The method page from docs/method.md (the text is the project's own)."""
    import markdown

    body = markdown.markdown(markdown_text, extensions=["tables", "fenced_code", "toc"])
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<title>sahelmap: method</title><link rel=\"icon\" href=\"data:,\">"
            "<link rel=\"stylesheet\" href=\"assets/sahelmap.css\"></head><body>"
            "<div class=\"sm-header\"><h1>sahelmap: method</h1>"
            "<p><a href=\"index.html\">back to the map</a></p></div>"
            f"<div class=\"sm-main\">{body}</div></body></html>\n")


def _header(info: dict) -> str:
    lo, hi = (html.escape(x) for x in info["range"])
    return ("<div class=\"sm-header\"><h1>sahelmap: armed-group presence in the Sahel</h1>"
            f"<p>Records from {lo} to {hi}. Move the slider to change the period; "
            "<a href=\"#periods\">pages per period</a> · <a href=\"#downloads\">downloads</a> · "
            "<a href=\"method.html\">method</a></p></div>")


def _body(info: dict, out: Path) -> str:
    e = html.escape
    def figs(label: str) -> str:
        links = [f"<a href=\"figures/{e(label)}.{ext}\">{ext}</a>" for ext in ("png", "svg", "pdf")
                 if (out / "figures" / f"{label}.{ext}").is_file()]
        return f" <small>(figure: {', '.join(links)})</small>" if links else ""

    periods = "".join(
        f"<li><a href=\"{e(p['period'])}.html\">{e(p['period'])}</a>{figs(p['period'])}</li>"
        for p in info["periods"])
    downloads = "".join(
        f"<li><a href=\"{e(name)}\" download>{e(name)}</a>: {e(what)}</li>"
        for name, what in DOWNLOADS if (out / name).is_file())
    sources = "".join(f"<li>Boundaries: {e(f)} (your boundary file)</li>"
                      for f in info.get("boundaries", []))
    sources += "".join(f"<li>{e(s)}</li>" for s in info["sources"])
    return f"""<div class="sm-main">
<h2 id="how">How to read this map</h2>
<p>Coloured hexagons (25 km cells) show where each group is present in the chosen period,
from the records around them: a record supports the place it names and its surroundings, fading
with distance. Fill depth is the status: pale for <em>present</em>, a dashed outline for
<em>contested</em> (two sides active), darker for <em>dominant</em>, darkest for
<em>control</em>, which only a claim can establish. The outline says what the status rests on: thick
for corroborated evidence, thin for reported, dotted with a hatched fill for claimed or assessed
only; the popup says it in words, e.g. <em>control (claimed)</em> or <em>present (claimed, 2 months
old)</em>. A region or province whose records name it only as a whole is drawn pale with long
dashes under the cells. The layer <em>Zone of control</em> gives one verdict per place (state
control, leaning to the state, contested, leaning to the insurgents, insurgent control). Circles
are events: the fill is the group, the size the fatalities, the outline colour the type; a pale
fill means the date is known only to a week, month or range; a large hollow ring means the place
is known only to a region; a thin dotted outline means the record is a party's claim or an
analyst's assessment. Arrows are axes of reinforcement: solid for movements a source declares,
dashed for shifts inferred from activity; dotted lines are routes a source says a group
influences. Click anything for its evidence. Records located only to a country are counted but
not drawn. The <a href="method.html">method</a> explains the rules and their limits.</p>
<h2 id="periods">Periods</h2>
<ul class="sm-periods">{periods}</ul>
<h2 id="downloads">Downloads</h2>
<ul>{downloads}</ul>
<h2 id="sources">Sources</h2>
<ul><li>Boundaries: Natural Earth 10m admin-1 (public domain)</li>
<li>Places: GeoNames (CC BY 4.0)</li>{sources}</ul>
</div>"""


FIT = [[9.0, -12.5], [22.0, 6.0]]  # the map's opening view: the central Sahel


def build_site(tables: dict[str, pd.DataFrame], geodata: Geodata, places: pd.DataFrame,
               out: Path | str, stage: Staging, *, leaflet_dist: Path, method_md: str,
               tiles: bool = False, max_points: int = 2000, progress=None,
               workers: int | None = None) -> dict:
    """Stage the site for ``out`` (see :mod:`.staging`; the caller commits it); return
    the paths that change (relative to ``out``) and the page sizes.

    The period pages are written by ``workers`` processes (default: one per core, at most
    4; see :mod:`._parallel`); each period's data is cut from tables prepared once
    (:class:`PeriodCutter`). ``progress(what, done, total)`` counts the pages written."""
    out = Path(out)
    events, presence, periods = tables["events"], tables["presence"], tables["periods"]
    info, groups = _site_info(tables, geodata)
    written = copy_leaflet(leaflet_dist, stage.write) + _write_assets(tables, geodata, places,
                                                                      info, stage.write)
    sizes: dict[str, int] = {}
    job = _PeriodJob(PeriodCutter(events, presence, tables["axes"], periods,
                                  zones=tables.get("zones"), max_points=max_points,
                                  countries=geodata.countries),
                     webmap.PeriodPages(info, groups, tiles=tiles, fit=FIT), stage.write)
    rows = [dict(p._asdict()) for p in periods.itertuples(index=False)]
    for i, (label, changed, size) in enumerate(each_in_order(job, rows, workers)):
        written += changed
        sizes[label] = size
        if progress:
            progress("pages", i + 1, len(rows))
    if stage.write("method.html", method_html(method_md)):
        written.append("method.html")
    if write_index(tables, geodata, out, tiles=tiles, write=stage.write):
        written.append("index.html")
    return {"written": written, "sizes": sizes, "start": _start_period(presence, periods)}


def write_index(tables: dict[str, pd.DataFrame], geodata: Geodata, out: Path | str, *,
                tiles: bool = False, write: Writer | None = None) -> bool:
    """Write the overview (``index.html``, straight into ``out`` unless ``write`` stages
    it); whether its bytes changed. Its links to the figures and downloads follow the
    files in ``out`` now, so make writes it again once the GeoPackage and the figures are
    built."""
    out = Path(out)
    write = write or (lambda rel, data: write_if_changed(out / rel, data))
    info, groups = _site_info(tables, geodata)
    start = _start_period(tables["presence"], tables["periods"])
    return write("index.html", webmap.index_page(
        info, groups, start, _header(info), _body(info, out), tiles=tiles, fit=FIT))


def _site_info(tables: dict[str, pd.DataFrame], geodata: Geodata) -> tuple[dict, list[str]]:
    """What every page says about the site (groups, periods, data range, sources), and
    the groups present somewhere."""
    events, claims, movements = tables["events"], tables["claims"], tables["movements"]
    presence, periods = tables["presence"], tables["periods"]
    data_range = _data_range(events, claims, movements, periods)
    info = webmap.site_info(geodata.actors, periods, data_range,
                            [webmap.records_summary(events, claims, movements,
                                                    tables.get("datasets"))])
    if geodata.boundary_files:  # the user's boundaries, credited (absent by default)
        info["boundaries"] = list(geodata.boundary_files)
    # distinct groups first: a million-event site has millions of presence rows
    active = presence["group"][(presence["status"] != "none").to_numpy()]
    return info, sorted(set(pd.unique(active.astype(str))))


def _write_assets(tables: dict, geodata: Geodata, places: pd.DataFrame, info: dict,
                  write: Writer) -> list[str]:
    """The scripts every page loads: the site's code and style, the site's settings,
    the unit shapes and the basemap; the paths that changed."""
    events, claims, movements = tables["events"], tables["claims"], tables["movements"]
    cells = unit_geometries(geodata, tables["presence"]["unit_id"])
    cells = cells[cells["unit_id"].str.startswith("h")]
    labels = webmap.label_places(places, events, claims, movements)
    assets = {**{name: (STATIC / name).read_bytes() for name in ("sahelmap.js", "legend.js", "sahelmap.css")},
              "site.js": _js("setSite", info),
              "units.js": _js("setUnits", webmap.units_data(geodata.admin1, geodata.admin2,
                                                            cells)),
              "basemap.js": _js("setBasemap", webmap.basemap_data(
                  geodata.countries, geodata.admin1, geodata.admin2, labels))}
    return [f"assets/{name}" for name, data in assets.items() if write(f"assets/{name}", data)]


def _data_range(events: pd.DataFrame, claims: pd.DataFrame, movements: pd.DataFrame,
                periods: pd.DataFrame) -> tuple[str, str]:
    """First and last day of the published records; of the periods when none is published
    (a build from licensed data alone publishes presence but not the events)."""
    # each distinct date text read once (a million events share a few thousand days)
    dates = [pd.to_datetime(pd.Series(pd.unique(t[c].astype(str))), errors="coerce")
             for t in (events, claims, movements) if len(t) for c in ("date_start", "date_end")]
    dates = pd.concat(dates).dropna() if dates else pd.Series(dtype="datetime64[ns]")
    if dates.empty:
        dates = pd.to_datetime(pd.concat([periods["period_start"], periods["period_end"]])
                               .astype(str))
    return str(dates.min().date()), str(dates.max().date())


class _PeriodJob:
    """What every period needs: the prepared tables, the page template, the folder."""

    def __init__(self, cutter: PeriodCutter, pages: webmap.PeriodPages, write: Writer):
        self.cutter, self.pages, self.write = cutter, pages, write

    def __call__(self, row: dict) -> tuple[str, list[str], int]:
        label = str(row["period"])
        changed = []
        data = _js("addPeriod", self.cutter.data(row)).encode("utf-8")
        page = self.pages(label).encode("utf-8")
        for rel, content in zip(page_files(label), (data, page)):
            if self.write(rel, content):
                changed.append(rel)
        return label, changed, len(page) + len(data)


def _start_period(presence: pd.DataFrame, periods: pd.DataFrame) -> str:
    """The overview opens on the period with the most groups present or stronger."""
    active = presence["period"][(presence["status"] != "none").to_numpy()]
    if active.empty:
        return str(periods["period"].iloc[-1])
    counts = active.value_counts(sort=False).sort_index()
    return str(counts.sort_values(ascending=False, kind="stable").index[0])


SITE_FILES = ".sahelmap/site-files"  # the period pages and data the last build wrote


def page_files(label: str) -> tuple[str, str]:
    """A period's data file and page, relative to the site."""
    return f"data/{label}.js", f"{label}.html"


def period_files(labels) -> list[str]:
    """The files of the given periods' pages (relative to the site), sorted."""
    return sorted(f for label in labels for f in page_files(label))


def stale_files(out: Path, keep: set[str], stage: Staging) -> list[str]:
    """The period pages and data files an earlier build wrote into ``out`` that no longer
    belong to the site (relative paths, for the staging commit to remove); stages the
    list of the new site's period files for the next build. Only the files sahelmap
    wrote are ever removed: a user's own page in the folder stays. A site built before
    the list was kept counts a page as its own when its data file is there too."""
    listed = out / SITE_FILES
    if listed.is_file():
        before = set(listed.read_text(encoding="utf-8").split())
    else:
        pairs = {p.stem for p in out.glob("data/*.js")} & {p.stem for p in out.glob("*.html")}
        before = set(period_files(pairs))
    now = period_files(keep)
    stage.write(SITE_FILES, "\n".join(now) + "\n")
    return sorted(rel for rel in before - set(now) if (out / rel).is_file())


def snippet(label: str, base: str = "", height: int = 560) -> str:
    """A ready-to-paste iframe for one period page."""
    src = f"{base.rstrip('/')}/{label}.html" if base else f"{label}.html"
    return (f'<iframe src="{html.escape(src)}" title="sahelmap: {html.escape(label)}" '
            f'width="100%" height="{int(height)}" style="border:0" loading="lazy"></iframe>')

