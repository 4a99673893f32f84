"""Presence at a map level: per place, period and group, a status with its basis
and evidence, and one verdict (zone of control) per place and period.

``level = "grid"`` (the default) gives the hexagon cells that point records
support, plus a row per admin unit for records located only to that unit
(drawn as such: at most ``present`` unless a claim about the unit says more).
``admin2`` and ``admin1`` give admin units whose rows summarise their cells
(:mod:`sahelmap.summary`). The model is stated in :mod:`sahelmap.model` and run
on a space of places in :mod:`sahelmap.space`; what each record supports is in
:mod:`sahelmap.support`, the published rows in :mod:`sahelmap.rows`.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import geopandas as gpd
import numpy as np
import pandas as pd

from .grid import Cells, Grid, cover
from .model import (BASES, CLAIM_EFFECT, CONFIDENCE_ORDER, LEVELS, RANK, STATE_SIDE_KINDS,
                    STATUSES, PresenceSettings, _claim_slices, _event_contributions, sides)
from .rows import (PRESENCE_COLUMNS, ZONE_COLUMNS, RecordIds, concat_rows, publish,
                   space_rows, zone_rows)
from ._arrays import codes, unique_ints
from .space import SpaceModel, period_blocks, period_order
from .summary import summarise, unit_activity
from .support import Footprints, footprints, located_units, point_footprints, unit_space

__all__ = ["BASES", "CLAIM_EFFECT", "CONFIDENCE_ORDER", "LEVELS", "PRESENCE_COLUMNS", "RANK",
           "STATE_SIDE_KINDS", "STATUSES", "ZONE_COLUMNS", "Places", "PresenceSettings",
           "places_for", "presence", "presence_tables", "sides"]


@dataclass(frozen=True)
class Places:
    """The places presence is estimated on: the grid's cells and the admin units."""

    cells: Cells
    unit_ids: np.ndarray
    parent: np.ndarray       # the region of each admin-2 unit, '' for admin-1 units
    level2_ids: frozenset

    @property
    def unit_levels(self) -> np.ndarray:
        return np.where(self.parent != "", "admin2", "admin1").astype(object)


def places_for(admin1: gpd.GeoDataFrame, admin2: gpd.GeoDataFrame, cell_km: float = 25.0
               ) -> Places:
    ids = unit_space(admin1, admin2)
    parent = np.concatenate([np.full(len(admin1), "", dtype=object),
                             admin2["parent_id"].astype(str).to_numpy(dtype=object)])
    return Places(cells=cover(Grid(cell_km), admin1, admin2), unit_ids=ids, parent=parent,
                  level2_ids=frozenset(admin2["unit_id"].astype(str)))


def _empty_claims() -> pd.DataFrame:
    return pd.DataFrame(columns=["claim_id", "date_start", "date_end", "actor", "status",
                                 "confidence", "admin1_id", "admin2_id", "location_precision",
                                 "latitude", "longitude"])


def _event_units(events: pd.DataFrame, area_unit: np.ndarray, places: Places, level: int
                 ) -> pd.Categorical:
    """The admin unit (at ``level``) whose activity counts each event once, as a
    categorical of the unit ids used (missing for none). Ids are looked at once per
    distinct value."""
    if len(events) == 0:
        return pd.Categorical([])
    p_codes, p_names = codes(events["location_precision"])
    local = np.isin(p_names, ["exact", "near"])[p_codes]
    c1, n1 = codes(events["admin1_id"])
    c2, n2 = codes(events["admin2_id"])
    area_ids = places.unit_ids if level == 2 else \
        np.where(places.parent != "", places.parent, places.unit_ids)
    vocab = np.unique(np.concatenate([n1, n2, area_ids, [""]]).astype(str))
    g1, g2, ga = (np.searchsorted(vocab, np.asarray(v).astype(str)) for v in (n1, n2, area_ids))
    empty = int(np.searchsorted(vocab, ""))
    point = g1[c1] if level == 1 else np.where((n2 != "")[c2], g2[c2], g1[c1])
    area = np.where(area_unit >= 0, ga[np.maximum(area_unit, 0)], empty)
    code = np.where(local, point, area)
    used = unique_ints(code[code != empty])
    out = np.where(code != empty, np.searchsorted(used, code), -1)
    return pd.Categorical.from_codes(out, vocab[used].astype(object))


def _text_rank(ids: np.ndarray) -> np.ndarray:
    """The position of each id when the ids are sorted as text."""
    rank = np.empty(len(ids), "int64")
    rank[np.argsort(np.asarray(ids, dtype=str), kind="stable")] = np.arange(len(ids))
    return rank


def presence_tables(events: pd.DataFrame, claims: pd.DataFrame | None, periods: pd.DataFrame,
                    actors: pd.DataFrame, settings: PresenceSettings | None = None, *,
                    places: Places, progress=None) -> dict[str, pd.DataFrame]:
    """Presence rows (:data:`PRESENCE_COLUMNS`), zones (:data:`ZONE_COLUMNS`) and the
    activity per admin unit (each event counted once), for the inferred shifts.

    ``events`` and ``claims`` are located and joined records; ``periods`` comes
    from :mod:`sahelmap.periods`; ``places`` from :func:`places_for` with the
    settings' ``cell_km``; ``progress(what, done, total)`` counts the periods modelled.
    """
    s = settings or PresenceSettings()
    if places.cells.grid.cell_km != s.cell_km:
        raise ValueError(f"the places were made for {places.cells.grid.cell_km:g} km cells, "
                         f"the settings ask for {s.cell_km:g} km; call places_for again")
    claims = _empty_claims() if claims is None or len(claims) == 0 else claims
    id_col = "event_id" if "event_id" in events.columns else events.columns[0]
    # independent work runs side by side (numpy and Arrow release the GIL): the kernel
    # footprints of point records beside the contributions; the unit activity and the
    # record ids beside the model's set-up; each block's rows, made and published,
    # beside the next block's model
    with ThreadPoolExecutor(max_workers=1) as pool:
        points = pool.submit(point_footprints, events, places.cells, s.kernel_km)
        contrib = _event_contributions(events, periods, actors, s)
        unit = located_units(events, places.unit_ids)
        fp_e = Footprints(*points.result(), unit=unit, unit_ids=places.unit_ids)
        # activity per admin unit (admin-2 where it exists), for the inferred shifts
        act_level = 1 if s.level == "admin1" else 2
        activity = pool.submit(_activity, contrib, events, fp_e.unit, places, act_level,
                               periods)
        ids = pool.submit(RecordIds.of, events, claims, id_col) if s.evidence else None
        tables = []
        for p1, block_rows in _blocks(events, claims, contrib, fp_e, periods, actors, s, places):
            if len(tables) >= 2:
                tables[-2].result()  # at most two blocks wait, so memory stays bounded
            tables.append(pool.submit(_published, block_rows, periods, ids))
            if progress:
                progress("presence periods", p1, len(periods))
        del contrib, fp_e
        # blocks are whole periods in order: their tables, one after the other, are
        # in the published order
        tables = [t.result() for t in tables]
        return {"presence": concat_rows([p for p, _ in tables], same_categories_stay=True),
                "zones": concat_rows([z for _, z in tables], same_categories_stay=True),
                "activity": activity.result()}


def _activity(contrib, events: pd.DataFrame, area_unit: np.ndarray, places: Places, level: int,
              periods: pd.DataFrame) -> pd.DataFrame:
    return unit_activity(contrib, _event_units(events, area_unit, places, level), periods)


def _published(block_rows, periods: pd.DataFrame, ids
               ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A block's presence and zone tables, in the published order. ``ids``: the future
    record ids (computed on this thread before any block), or None without evidence."""
    ids = ids.result() if ids is not None else RecordIds.none()
    rows, zones = block_rows()
    return (publish(rows, periods, ids, PRESENCE_COLUMNS, ("unit_id", "group")),
            publish(zones, periods, ids, ZONE_COLUMNS, ("unit_id",)))


def _blocks(events: pd.DataFrame, claims: pd.DataFrame, contrib, fp_e, periods: pd.DataFrame,
            actors: pd.DataFrame, s: PresenceSettings, places: Places):
    """The model on the cells and on the admin units, a block of periods at a time
    (:mod:`sahelmap.space`): for each block, a function that gives its rows (presence,
    zones) at the settings' level, with the end of its periods."""
    cl = _claim_slices(claims, periods, s)
    fp_c = footprints(claims, places.cells, s.kernel_km, places.unit_ids)
    order = period_order(fp_e, contrib)
    by_period = contrib.take(order)
    local, area = (SpaceModel(by_period, fp_e, cl, fp_c, _text_rank(ids), periods, actors, s,
                              capped=capped)
                   for capped, ids in ((False, places.cells.ids), (True, places.unit_ids)))
    level = {"admin1": 1, "admin2": 2}.get(s.level)
    event_units = _event_units(events, fp_e.unit, places, level) if level else None
    # the place columns of the rows, as categoricals made once for every block
    cell_level = np.full(len(places.cells.q), "cell", dtype=object)
    names = [pd.Categorical(np.asarray(v, dtype=object).astype(str)) for v in
             (places.cells.ids, cell_level, places.unit_ids, places.unit_levels)]
    for p0, p1, c0, c1 in period_blocks(by_period.pidx, len(periods)):
        lb, ab = local.block(p0, p1, c0, c1), area.block(p0, p1, c0, c1)
        if level is None:
            yield p1, partial(_grid_rows, lb, ab, p0, places, names, actors, s)
        else:
            # the summaries count each event in record order, as a single pass would
            in_order = contrib.take(np.sort(order[c0:c1])).part(0, c1 - c0, p0)
            yield p1, partial(_summary_rows, lb, ab, p0, places, level, event_units, in_order,
                          periods.iloc[p0:p1], actors, s)


def _grid_rows(lb, ab, p0: int, places: Places, names: list[pd.Categorical],
               actors: pd.DataFrame, s: PresenceSettings):
    cells, cell_level, units, unit_levels = names
    rows = [space_rows(lb, cells, cell_level, "local", actors, s),
            space_rows(ab, units, unit_levels, "area", actors, s)]
    zones = [zone_rows(lb, places.cells.ids, np.asarray(cell_level)),
             zone_rows(ab, places.unit_ids, places.unit_levels)]
    return [r.shifted(p0) for r in rows], [z.shifted(p0) for z in zones]


def _summary_rows(lb, ab, p0: int, places: Places, level: int, event_units, contrib,
                  periods: pd.DataFrame, actors: pd.DataFrame, s: PresenceSettings):
    r, z = summarise(lb, ab, places=places, level=level, event_units=event_units,
                     contrib=contrib, periods=periods, actors=actors, s=s)
    return [r.shifted(p0)], [z.shifted(p0)]


def presence(events: pd.DataFrame, claims: pd.DataFrame | None, periods: pd.DataFrame,
             actors: pd.DataFrame, settings: PresenceSettings | None = None, *,
             places: Places) -> pd.DataFrame:
    """The presence rows only (see :func:`presence_tables`)."""
    return presence_tables(events, claims, periods, actors, settings, places=places)["presence"]
