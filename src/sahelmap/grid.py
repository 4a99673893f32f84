"""The hexagon grid: equal-area cells over the Sahel, and the kernel that lets a
point record support the cells around it.

Why this grid and not H3: cells are regular hexagons in a Lambert azimuthal
equal-area projection centred on the Sahel (``PROJECTION``), so every cell has
the same area on the ground and "share of a unit's area" is a count of cells;
the cell size is a setting in kilometres (H3 offers fixed resolutions, none at
the ~25 km Anders 2020 used); and binning is plain numpy (axial-coordinate
rounding), vectorised over millions of points with no extra dependency. The
price: the ids are this project's (``h25:q:r``), not a global index.

Coordinates in the projection are kilometres. Cells are "pointy-top"
hexagons: ``cell_km`` is the distance between neighbouring centres (the width
across flats). The axial coordinates ``(q, r)`` give the centre
``x = cell_km * (q + r / 2)``, ``y = cell_km * sqrt(3) / 2 * r``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

PROJECTION = "+proj=laea +lat_0=14 +lon_0=0 +x_0=0 +y_0=0 +ellps=WGS84 +units=km +no_defs"
SQRT3 = np.sqrt(3.0)


@dataclass(frozen=True)
class Grid:
    """A hexagon grid of ``cell_km`` spacing in the equal-area projection."""

    cell_km: float = 25.0

    def __post_init__(self):
        if not self.cell_km > 0:
            raise ValueError(f"cell_km must be positive, not {self.cell_km!r}")

    @cached_property
    def _fwd(self) -> pyproj.Transformer:
        return pyproj.Transformer.from_crs("EPSG:4326", PROJECTION, always_xy=True)

    @cached_property
    def _inv(self) -> pyproj.Transformer:
        return pyproj.Transformer.from_crs(PROJECTION, "EPSG:4326", always_xy=True)

    @property
    def prefix(self) -> str:
        return f"h{self.cell_km:g}"

    @property
    def cell_area_km2(self) -> float:
        return SQRT3 / 2 * self.cell_km ** 2

    def project(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._fwd.transform(np.asarray(lon, dtype="float64"),
                                   np.asarray(lat, dtype="float64"))
        return np.asarray(x), np.asarray(y)

    def unproject(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = self._inv.transform(np.asarray(x, dtype="float64"),
                                       np.asarray(y, dtype="float64"))
        return np.asarray(lon), np.asarray(lat)

    def axial(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """The cell (q, r) holding each projected point (cube-coordinate rounding)."""
        w = self.cell_km
        r = np.asarray(y, dtype="float64") / (w * SQRT3 / 2)
        q = np.asarray(x, dtype="float64") / w - r / 2
        s = -q - r
        rq, rr, rs = np.round(q), np.round(r), np.round(s)
        dq, dr, ds = np.abs(rq - q), np.abs(rr - r), np.abs(rs - s)
        fix_q = (dq > dr) & (dq > ds)
        fix_r = ~fix_q & (dr > ds)
        rq = np.where(fix_q, -rr - rs, rq)
        rr = np.where(fix_r, -rq - rs, rr)
        return rq.astype("int64"), rr.astype("int64")

    def centre(self, q, r) -> tuple[np.ndarray, np.ndarray]:
        q = np.asarray(q, dtype="float64")
        r = np.asarray(r, dtype="float64")
        return self.cell_km * (q + r / 2), self.cell_km * SQRT3 / 2 * r

    def cell_of(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        return self.axial(*self.project(lon, lat))

    def ids(self, q, r) -> np.ndarray:
        """Cell ids ``h<km>:q:r``, formatted once per distinct cell."""
        q = np.asarray(q, dtype="int64")
        r = np.asarray(r, dtype="int64")
        if len(q) == 0:
            return np.array([], dtype=object)
        cells, inverse = np.unique(np.stack([q, r], axis=1), axis=0, return_inverse=True)
        labels = np.array([f"{self.prefix}:{a}:{b}" for a, b in cells.tolist()], dtype=object)
        return labels[inverse.ravel()]

    def parse(self, ids) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(is a cell of this grid, q, r) for unit ids; non-cells get q = r = 0."""
        s = pd.Series(list(ids), dtype=object).astype(str)
        parts = s.str.split(":", expand=True)
        if parts.shape[1] < 3:
            n = len(s)
            return np.zeros(n, bool), np.zeros(n, "int64"), np.zeros(n, "int64")
        ok = (parts[0] == self.prefix).to_numpy() & parts[2].notna().to_numpy()
        q = pd.to_numeric(parts[1].where(ok), errors="coerce")
        r = pd.to_numeric(parts[2].where(ok), errors="coerce")
        ok &= q.notna().to_numpy() & r.notna().to_numpy()
        return ok, q.fillna(0).astype("int64").to_numpy(), r.fillna(0).astype("int64").to_numpy()

    def polygons(self, q, r, precision: float = 1e-5) -> np.ndarray:
        """The hexagons as lon/lat polygons (corners projected back; shared corners agree)."""
        cx, cy = self.centre(q, r)
        radius = self.cell_km / SQRT3
        angles = np.radians(30 + 60 * np.arange(6))
        px = cx[:, None] + radius * np.cos(angles)[None, :]
        py = cy[:, None] + radius * np.sin(angles)[None, :]
        lon, lat = self.unproject(px.ravel(), py.ravel())
        ring = np.stack([lon.reshape(px.shape), lat.reshape(px.shape)], axis=2)
        ring = np.concatenate([ring, ring[:, :1]], axis=1)
        polys = shapely.polygons(np.round(ring / precision) * precision)
        return np.asarray(polys, dtype=object)

    def offsets(self, rings: int) -> np.ndarray:
        """Axial offsets of every cell within ``rings`` steps of a cell (its hex disc)."""
        dq, dr = np.meshgrid(np.arange(-rings, rings + 1), np.arange(-rings, rings + 1))
        dq, dr = dq.ravel(), dr.ravel()
        keep = np.maximum(np.maximum(np.abs(dq), np.abs(dr)), np.abs(dq + dr)) <= rings
        return np.stack([dq[keep], dr[keep]], axis=1)

    def disc(self, lon, lat, radius_km: float) -> "Disc":
        """The cells around each point that a kernel of ``radius_km`` can reach.

        For every point, its own cell and the hex disc of neighbours wide enough
        to hold the circle, with the distance from the point to each cell's
        centre (``inf`` for a point without coordinates). One row of distances
        per neighbour offset, each computed vectorised over all points.
        """
        x, y = self.project(lon, lat)
        ok = np.isfinite(x) & np.isfinite(y)
        x, y = np.where(ok, x, 0.0), np.where(ok, y, 0.0)
        q0, r0 = self.axial(x, y)
        rings = int(np.floor((radius_km + self.cell_km / SQRT3) / (self.cell_km * SQRT3 / 2)))
        off = self.offsets(rings)
        dist = np.empty((len(off), len(x)), dtype="float32")
        for j, (dq, dr) in enumerate(off):
            cx, cy = self.centre(q0 + dq, r0 + dr)
            dist[j] = np.hypot(cx - x, cy - y)
        dist[:, ~ok] = np.inf
        return Disc(q0=q0, r0=r0, offsets=off, dist=dist, radius_km=float(radius_km))


@dataclass(frozen=True)
class Disc:
    """Kernel neighbourhoods of points (see :meth:`Grid.disc`)."""

    q0: np.ndarray
    r0: np.ndarray
    offsets: np.ndarray
    dist: np.ndarray
    radius_km: float

    def reach(self, j: int) -> np.ndarray:
        """Whether each point reaches the cell at offset ``j`` (its own cell always)."""
        dq, dr = self.offsets[j]
        if dq == 0 and dr == 0:
            return np.isfinite(self.dist[j])
        return self.dist[j] < self.radius_km


def kernel_weight(distance_km, radius_km: float, out: np.ndarray | None = None) -> np.ndarray:
    """Quartic (biweight) kernel: 1 at the point, 0 from ``radius_km`` on (into ``out``
    when given)."""
    u = np.asarray(distance_km, dtype="float64") / radius_km
    np.clip(u, 0.0, 1.0, out=u)
    np.multiply(u, u, out=u)
    np.subtract(1.0, u, out=u)
    return np.multiply(u, u, out=out if out is not None else u)


@dataclass(frozen=True)
class Cells:
    """The cells of a grid that cover the admin layer, with the units they belong to.

    A cell belongs to the leaf unit (admin-2 where it exists, else admin-1) that
    holds its centre; a unit too small to hold any centre gets the cell holding
    its representative point too. ``members`` lists (cell index, admin1_id,
    admin2_id) rows; ``q``, ``r`` the cells' axial coordinates.
    """

    grid: Grid
    q: np.ndarray
    r: np.ndarray
    members: pd.DataFrame

    @cached_property
    def ids(self) -> np.ndarray:
        return self.grid.ids(self.q, self.r)

    @cached_property
    def _lattice(self) -> tuple[int, int, np.ndarray]:
        q0, r0 = int(self.q.min()), int(self.r.min())
        table = np.full((int(self.q.max()) - q0 + 1, int(self.r.max()) - r0 + 1), -1, "int64")
        table[self.q - q0, self.r - r0] = np.arange(len(self.q))
        return q0, r0, table

    def index(self, q, r) -> np.ndarray:
        """Position of each (q, r) among the covering cells, -1 for a cell outside them."""
        q0, r0, table = self._lattice
        i = np.asarray(q, dtype="int64") - q0
        j = np.asarray(r, dtype="int64") - r0
        ok = (i >= 0) & (i < table.shape[0]) & (j >= 0) & (j < table.shape[1])
        out = np.full(len(i), -1, dtype="int64")
        out[ok] = table[i[ok], j[ok]]
        return out

    def neighbours(self, q, r, offsets: np.ndarray) -> np.ndarray:
        """For each offset (row) and each cell (q, r) (column): the position of the cell at
        that offset among the covering cells, -1 outside them (int32).

        One flat lookup per offset into the cell table padded by twice the offsets'
        reach, so no per-offset bounds check is needed.
        """
        q0, r0, table = self._lattice
        q = np.asarray(q, dtype="int64") - q0
        r = np.asarray(r, dtype="int64") - r0
        out = np.full((len(offsets), len(q)), -1, "int32")
        if len(q) == 0 or len(offsets) == 0:
            return out
        pad = int(np.abs(offsets).max())
        padded = np.full((table.shape[0] + 4 * pad, table.shape[1] + 4 * pad), -1, "int32")
        padded[2 * pad:2 * pad + table.shape[0], 2 * pad:2 * pad + table.shape[1]] = table
        ncol = padded.shape[1]
        # a cell more than ``pad`` steps outside the table reaches nothing in it
        near = ((q >= -pad) & (q < table.shape[0] + pad)
                & (r >= -pad) & (r < table.shape[1] + pad))
        at = np.flatnonzero(near)
        base = (q[at] + 2 * pad) * ncol + (r[at] + 2 * pad)
        flat = padded.ravel()
        for j, (dq, dr) in enumerate(offsets):
            out[j, at] = flat[base + (int(dq) * ncol + int(dr))]
        return out

    @cached_property
    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Longitude and latitude of every covering cell's centre."""
        return self.grid.unproject(*self.grid.centre(self.q, self.r))

    def unit_cells(self, level: int) -> pd.DataFrame:
        """(unit_id, cell) rows for admin level 1 or 2, and each unit's cell count."""
        col = f"admin{level}_id"
        m = self.members[self.members[col] != ""][[col, "cell"]].drop_duplicates()
        return m.rename(columns={col: "unit_id"}).reset_index(drop=True)


def cover(grid: Grid, admin1: gpd.GeoDataFrame, admin2: gpd.GeoDataFrame) -> Cells:
    """The cells of ``grid`` whose centre lies in an admin unit (see :class:`Cells`)."""
    from .join import locate_units

    x0, y0, x1, y1 = _projected_bounds(grid, admin1)
    w = grid.cell_km
    r = np.arange(int(np.floor(y0 / (w * SQRT3 / 2))) - 1, int(np.ceil(y1 / (w * SQRT3 / 2))) + 2)
    qmin = int(np.floor(x0 / w - r.max() / 2)) - 1
    qmax = int(np.ceil(x1 / w - r.min() / 2)) + 1
    qq, rr = np.meshgrid(np.arange(qmin, qmax + 1), r)
    qq, rr = qq.ravel(), rr.ravel()
    cx, cy = grid.centre(qq, rr)
    inside = (cx >= x0 - w) & (cx <= x1 + w) & (cy >= y0 - w) & (cy <= y1 + w)
    qq, rr, cx, cy = qq[inside], rr[inside], cx[inside], cy[inside]
    lon, lat = grid.unproject(cx, cy)
    units = locate_units(lon, lat, admin1, admin2)
    held = (units["admin1_id"] != "").to_numpy()
    members = units[held].reset_index(drop=True)
    qq, rr = qq[held], rr[held]
    members.insert(0, "cell", np.arange(len(qq)))
    # units too small to hold a cell centre: the cell of their representative point
    leaves = pd.concat([admin2.assign(a1=admin2["parent_id"], a2=admin2["unit_id"]),
                        admin1[~admin1["unit_id"].isin(set(admin2["parent_id"]))]
                        .assign(a1=lambda f: f["unit_id"], a2="")], ignore_index=True)
    leaf_id = np.where(leaves["a2"] != "", leaves["a2"], leaves["a1"])
    have = set(members["admin2_id"]) | set(members.loc[members["admin2_id"] == "", "admin1_id"])
    small = leaves[~pd.Series(leaf_id).isin(have).to_numpy()]
    if len(small):
        pts = shapely.point_on_surface(np.asarray(small.geometry.values, dtype=object))
        sq, sr = grid.cell_of(shapely.get_x(pts), shapely.get_y(pts))
        index = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(qq, rr))}
        cells, extra_q, extra_r = [], [], []
        for a, b in zip(sq, sr):  # a handful of units (capital districts), not per event
            key = (int(a), int(b))
            if key not in index:
                index[key] = len(qq) + len(extra_q)
                extra_q.append(a)
                extra_r.append(b)
            cells.append(index[key])
        qq = np.concatenate([qq, np.asarray(extra_q, dtype="int64")])
        rr = np.concatenate([rr, np.asarray(extra_r, dtype="int64")])
        extra = pd.DataFrame({"cell": cells, "admin1_id": small["a1"].to_numpy(),
                              "admin2_id": small["a2"].to_numpy(),
                              "admin_country": small["country"].to_numpy()})
        members = pd.concat([members, extra], ignore_index=True)
    return Cells(grid=grid, q=qq.astype("int64"), r=rr.astype("int64"),
                 members=members.sort_values(["cell", "admin1_id", "admin2_id"])
                 .reset_index(drop=True))


def _projected_bounds(grid: Grid, admin1: gpd.GeoDataFrame) -> tuple[float, ...]:
    x0, y0, x1, y1 = admin1.total_bounds
    lon = np.linspace(x0, x1, 41)
    lat = np.linspace(y0, y1, 41)
    glon, glat = np.meshgrid(lon, lat)
    x, y = grid.project(glon.ravel(), glat.ravel())
    return float(x.min()), float(y.min()), float(x.max()), float(y.max())
