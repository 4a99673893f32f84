"""Admin units summarise their cells.

For each unit, period and group: the share of the unit's cells where the group
is ``present``, ``contested``, ``dominant`` or in ``control`` (cells are equal
in area, so this is the share of the unit's area); the unit's status is the
strongest held on at least ``unit_share`` of its area (control, then dominant
or stronger, then contested or stronger), else ``present`` when the group is
present anywhere in it. So a seized town marks its district, not its region.

Records located only to an admin unit add to that unit (at most ``present``,
unless a claim about the unit itself sets more); a region-level record supports
no province: at ``admin2`` it keeps a row of its own for the region. Activity
counts each record once in the unit that holds it. The verdict per unit and
period is drawn again from the unit's group statuses (:mod:`sahelmap.zones`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._arrays import codes, positions, unique_ints, unique_inverse
from .model import BASES, RANK, STATUSES, PresenceSettings, sides
from .space import Space
from .rows import Evidence, Rows, joined_text, rows_frame
from .support import NO_CONF
from .zones import reconcile

STATUS_KEYS = ("present", "contested", "dominant", "control")


def output_units(members: pd.DataFrame, level: int) -> np.ndarray:
    """The unit at ``level`` of each membership row (admin-2 where it exists at level 2)."""
    a1 = members["admin1_id"].to_numpy(dtype=object)
    if level == 1:
        return a1
    a2 = members["admin2_id"].to_numpy(dtype=object)
    return np.where(a2 != "", a2, a1)


def _expand_cells(cells: np.ndarray, member_cell: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each cell in ``cells``: its membership rows (a cell may belong to two units)."""
    order = np.argsort(member_cell, kind="stable")
    sorted_cells = member_cell[order]
    n = int(max(sorted_cells.max(initial=-1), cells.max(initial=-1))) + 1
    count = np.bincount(sorted_cells, minlength=n)
    start = np.cumsum(count) - count
    reps = count[cells]
    pos = np.repeat(np.arange(len(cells)), reps)
    offset = np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps)
    return pos, order[np.repeat(start[cells], reps) + offset]


class _Keys:
    """(unit, group, period) keys as one integer, for the unit table."""

    def __init__(self, units: np.ndarray, groups: np.ndarray, P: int):
        self.units = units
        self.groups = groups
        self.P = P
        self.G = max(len(groups), 1)

    def of(self, u, g, p):
        return (np.asarray(u, "int64") * self.G + np.asarray(g, "int64")) * self.P \
            + np.asarray(p, "int64")

    def split(self, key):
        return key // (self.G * self.P), (key // self.P) % self.G, key % self.P


def _positions_in(names: np.ndarray, values) -> np.ndarray:
    """Position of each value among the sorted ``names`` (-1 where absent), looked up
    once per distinct value, not once per row."""
    c, uniq = codes(values)
    return positions(names, uniq)[c] if len(c) else c


def _category_positions(names: np.ndarray, values: pd.Categorical) -> np.ndarray:
    """Position of each categorical value among the sorted ``names`` (-1 where absent
    or missing), looked up once per category."""
    at = positions(names, np.asarray(values.categories, dtype=object))
    code = np.asarray(values.codes, "int64")
    return np.where(code >= 0, at[np.maximum(code, 0)] if len(at) else -1, -1)


@dataclass
class _Positions:
    """Unit and group positions of everything the unit table is keyed by."""

    member_unit: np.ndarray   # per cell membership row
    target_unit: np.ndarray   # per area unit: where its support goes (-1 nowhere)
    local_group: np.ndarray   # per key of the cell space
    area_group: np.ndarray    # per key of the area space
    contrib_unit: np.ndarray  # per event contribution (-1 for none)
    contrib_group: np.ndarray

    @classmethod
    def of(cls, unit_names, groups, m_unit, area_target, local, area, contrib, event_units):
        return cls(member_unit=_positions_in(unit_names, m_unit),
                   target_unit=_positions_in(unit_names, area_target),
                   local_group=_positions_in(groups, local.group),
                   area_group=_positions_in(groups, area.group),
                   contrib_unit=_category_positions(unit_names, event_units)[contrib.row],
                   contrib_group=positions(groups, contrib.gnames)[contrib.gcode]
                   if len(contrib.gcode) else contrib.gcode)


def summarise(local: Space, area: Space, *, places, level: int,
              event_units: pd.Categorical,
              contrib, periods: pd.DataFrame, actors: pd.DataFrame,
              s: PresenceSettings) -> tuple[Rows, Rows]:
    """Presence rows and verdicts of the admin units at ``level`` (1 or 2)."""
    P = len(periods)
    members = places.cells.members
    m_unit = output_units(members, level)
    area_target, area_full = _area_targets(places, level)
    used_groups = contrib.gnames[unique_ints(contrib.gcode)] if len(contrib.gcode) else []
    groups = np.unique(np.concatenate([local.group, area.group, used_groups]).astype(str)
                       ).astype(object)
    unit_names = np.unique(np.concatenate([m_unit, area_target[area_target != ""],
                                           np.asarray(event_units.categories, dtype=object)]
                                          ).astype(str)
                           ).astype(object)
    keys = _Keys(unit_names, groups, P)
    at = _Positions.of(unit_names, groups, m_unit, area_target, local, area, contrib,
                       event_units)
    n_cells = np.bincount(at.member_unit, minlength=len(unit_names)).astype("float64")

    cells = _cell_part(local, members, at, keys)
    areas = _area_part(area, area_full, at, keys)
    acts = _activity_part(contrib, at, keys)
    table = _merge(cells, areas, acts, n_cells, keys, s)

    u, g, p = keys.split(table["key"].to_numpy())
    evidence = _evidence(table["key"].to_numpy(), local, area, members, contrib, at, keys, s)
    side = sides(groups[g], actors)
    side_codes = pd.factorize(pd.Series(side, dtype=object))[0]
    status = table["status"].to_numpy()
    pres = status >= RANK["present"]
    new, zones = reconcile(u[pres], p[pres], side_codes[pres], side[pres] == "state",
                           status[pres], table["score"].to_numpy()[pres])
    status = status.copy()
    status[pres] = new
    level_name = np.where(pd.Series(unit_names).isin(set(places.level2_ids)), "admin2",
                          "admin1").astype(object)
    spatial = np.where(table["local"] & table["has_area"], "local+area",
                       np.where(table["has_area"], "area", "local")).astype(object)
    area_shares = {k: table[f"n_{k}"].to_numpy() / np.maximum(n_cells[u], 1)
                   for k in STATUS_KEYS}
    rows = rows_frame(unit_id=unit_names[u], unit_level=level_name[u], spatial=spatial,
                      group=groups[g], actors=actors,
                      activity=table["activity"].to_numpy(), score=table["score"].to_numpy(),
                      share=table["share"].to_numpy(), status=status,
                      basis=table["basis"].to_numpy(), conf=table["conf"].to_numpy(),
                      age=table["age"].to_numpy(), carried=table["carried"].to_numpy(),
                      uncertain=table["uncertain"].to_numpy(), n=table["n"].to_numpy(),
                      area=area_shares)
    z = _zone_frame(zones, u[pres], g[pres], p[pres], status[pres], table["basis"].to_numpy()[pres],
                    unit_names, level_name, groups, P)
    return Rows(rows, p, evidence), z


def _area_targets(places, level: int) -> tuple[np.ndarray, np.ndarray]:
    """Where each area unit's support goes at ``level``, and whether it is the unit itself.

    Level 1: an admin-2 unit's support goes to its region, as presence only.
    Level 2: an admin-1 unit with provinces keeps its own row (a region-level
    record supports no province).
    """
    ids = places.unit_ids
    parent = places.parent
    is2 = parent != ""
    if level == 1:
        return np.where(is2, parent, ids).astype(object), ~is2
    return ids.astype(object), np.ones(len(ids), bool)


def _cell_part(local: Space, members, at: _Positions, keys: _Keys) -> pd.DataFrame:
    k, p = np.nonzero(local.status >= RANK["present"])
    pos, mrow = _expand_cells(local.place[k], members["cell"].to_numpy())
    k, p = k[pos], p[pos]
    return pd.DataFrame({"key": keys.of(at.member_unit[mrow], at.local_group[k], p),
                         "status": local.status[k, p],
                         "score": local.score[k, p], "basis": local.basis[k, p],
                         "conf": local.conf[k, p], "age": local.age[k, p],
                         "uncertain": local.uncertain[k, p], "carried": local.carried[k, p]})


def _area_part(area: Space, full, at: _Positions, keys: _Keys) -> pd.DataFrame:
    k, p = np.nonzero((area.status >= RANK["present"]) | area.claim_in)
    t = at.target_unit[area.place[k]]
    ok = t >= 0
    k, p, t = k[ok], p[ok], t[ok]
    status = area.status[k, p]
    own = full[area.place[k]]
    # a province's claims and support reach its region as presence only
    status = np.where(own, status, np.minimum(status, RANK["present"]))
    return pd.DataFrame({"key": keys.of(t, at.area_group[k], p),
                         "status": status, "score": np.where(own, area.score[k, p], 0.0),
                         "basis": area.basis[k, p], "conf": area.conf[k, p],
                         "age": area.age[k, p], "uncertain": area.uncertain[k, p],
                         "carried": area.carried[k, p], "claim_in": area.claim_in[k, p]})


def _activity_part(contrib, at: _Positions, keys: _Keys) -> pd.DataFrame:
    ok = at.contrib_unit >= 0
    key = keys.of(at.contrib_unit[ok], at.contrib_group[ok], contrib.pidx[ok])
    k, inv = unique_inverse(key)
    return pd.DataFrame({"key": k, "activity": np.bincount(inv, weights=contrib.act[ok]),
                         "n": np.bincount(inv)})


def _best(frame: pd.DataFrame, status_floor: pd.Series | None = None) -> pd.DataFrame:
    """Per key, the row that best supports it: best confidence, then the newest evidence."""
    f = frame
    if status_floor is not None:
        f = f[f["status"].to_numpy() >= status_floor.reindex(f["key"]).to_numpy()]
    age = np.where(f["age"].to_numpy() < 0, np.iinfo("int64").max, f["age"].to_numpy())
    order = np.lexsort((f["basis"].to_numpy(), age, f["conf"].to_numpy(), f["key"].to_numpy()))
    f = f.iloc[order]
    return f[~f["key"].duplicated()].set_index("key")


def _merge(cells: pd.DataFrame, areas: pd.DataFrame, acts: pd.DataFrame, n_cells: np.ndarray,
           keys: _Keys, s: PresenceSettings) -> pd.DataFrame:
    """One row per (unit, group, period): the area rule over cells, then area support."""
    st = cells["status"].to_numpy()
    agg = pd.DataFrame({f"n_{k}": pd.Series(st == RANK[k]).groupby(cells["key"].to_numpy()).sum()
                        for k in ("present", "contested", "dominant", "control")})
    agg["score_cells"] = cells.groupby("key")["score"].sum()
    agg["uncertain_cells"] = cells.groupby("key")["uncertain"].any()
    agg["carried_cells"] = cells.groupby("key")["carried"].all()
    u = keys.split(agg.index.to_numpy())[0]
    nc = np.maximum(n_cells[u], 1)
    share = {k: agg[f"n_{k}"].to_numpy() / nc for k in ("present", "contested", "dominant",
                                                         "control")}
    ctl = share["control"]
    dom = ctl + share["dominant"]
    con = dom + share["contested"]
    unit_status = np.where(ctl >= s.unit_share, RANK["control"],
                           np.where(dom >= s.unit_share, RANK["dominant"],
                                    np.where(con >= s.unit_share, RANK["contested"],
                                             RANK["present"])))
    agg["status_cells"] = unit_status
    best = _best(cells, pd.Series(unit_status, index=agg.index))
    agg = agg.join(best[["basis", "conf", "age"]].add_suffix("_cells"))

    area_best = _best(areas.sort_values(["key", "status"], ascending=[True, False])
                      .drop_duplicates("key", keep="first")) if len(areas) else None
    table = pd.DataFrame(index=np.unique(np.concatenate([agg.index.to_numpy(),
                                                         areas["key"].to_numpy(),
                                                         acts["key"].to_numpy()])))
    table = table.join(agg)
    if area_best is not None:
        table = table.join(area_best[["status", "score", "basis", "conf", "age", "uncertain",
                                      "carried"]].add_suffix("_area"))
    for col in ("status_area", "score_area", "basis_area", "conf_area", "age_area",
                "uncertain_area", "carried_area"):
        if col not in table:
            table[col] = np.nan
    table = table.join(acts.set_index("key"))
    table["local"] = table["status_cells"].notna()
    table["has_area"] = table["status_area"].notna()
    sc = table["status_cells"].fillna(RANK["none"]).astype("int64").to_numpy()
    sa = table["status_area"].fillna(RANK["none"]).astype("int64").to_numpy()
    from_area = sa > sc
    pick = lambda name, default: np.where(  # noqa: E731
        from_area, table[f"{name}_area"].fillna(default).to_numpy(),
        table[f"{name}_cells"].fillna(table[f"{name}_area"]).fillna(default).to_numpy())
    out = pd.DataFrame({"key": table.index.to_numpy()})
    out["status"] = np.maximum(sc, sa)
    out["basis"] = pick("basis", 0).astype("int64")
    out["conf"] = np.minimum(table["conf_cells"].fillna(NO_CONF).to_numpy(),
                             table["conf_area"].fillna(NO_CONF).to_numpy()).astype("int64")
    out["age"] = pick("age", -1).astype("int64")
    u = keys.split(out["key"].to_numpy())[0]
    out["score"] = (table["score_cells"].fillna(0).to_numpy() / np.maximum(n_cells[u], 1)
                    + table["score_area"].fillna(0).to_numpy())
    for k in ("present", "contested", "dominant", "control"):
        out[f"n_{k}"] = table[f"n_{k}"].fillna(0).to_numpy()
    out["uncertain"] = _flag(table["uncertain_cells"], False) | _flag(table["uncertain_area"],
                                                                       False)
    out["carried"] = _flag(table["carried_cells"], True) & _flag(table["carried_area"], True)
    out["activity"] = table["activity"].fillna(0.0).to_numpy()
    out["n"] = table["n"].fillna(0).astype("int64").to_numpy()
    out["local"] = table["local"].to_numpy()
    out["has_area"] = table["has_area"].to_numpy()
    keep = (out["status"] > 0) | out["has_area"] | (out["activity"] >= 0.1 * s.present_threshold)
    out = out[keep.to_numpy()].reset_index(drop=True)
    # the share of each group in its unit's total score
    up = keys.split(out["key"].to_numpy())
    place_period = up[0] * keys.P + up[2]
    total = pd.Series(out["score"].to_numpy()).groupby(place_period).transform("sum").to_numpy()
    out["share"] = np.divide(out["score"].to_numpy(), total, out=np.zeros(len(out)),
                             where=total > 0)
    return out


def _flag(column: pd.Series, default: bool) -> np.ndarray:
    """A boolean column after an outer join: missing values take ``default``."""
    values = column.to_numpy(dtype=object)
    return np.where(pd.isna(values), default, values).astype(bool)


def _evidence(keys_wanted, local: Space, area: Space, members, contrib, at: _Positions,
              keys: _Keys, s) -> Evidence:
    """The (row, record) pairs behind each unit row (``keys_wanted`` are the rows' keys)."""
    if not s.evidence:
        return Evidence.none()
    ev_parts, cl_parts = [], []
    # behind the unit's cells where the group is present
    for pairs, out in ((local.ev_pairs, ev_parts), (local.cl_pairs, cl_parts)):
        flat, rows = pairs
        if len(flat) == 0:
            continue
        p, k = np.divmod(flat, local.status.shape[0])
        m = local.status[k, p] >= RANK["present"]
        k, p, rows = k[m], p[m], rows[m]
        pos, mrow = _expand_cells(local.place[k], members["cell"].to_numpy())
        out.append((keys.of(at.member_unit[mrow], at.local_group[k[pos]], p[pos]), rows[pos]))
    # records located to the unit (or a province of it)
    for pairs, out in ((area.ev_pairs, ev_parts), (area.cl_pairs, cl_parts)):
        flat, rows = pairs
        if len(flat) == 0:
            continue
        p, k = np.divmod(flat, area.status.shape[0])
        t = at.target_unit[area.place[k]]
        ok = t >= 0
        out.append((keys.of(t[ok], at.area_group[k[ok]], p[ok]), rows[ok]))
    # every event counted in the unit's activity
    ok = at.contrib_unit >= 0
    ev_parts.append((keys.of(at.contrib_unit[ok], at.contrib_group[ok], contrib.pidx[ok]),
                     contrib.row[ok]))
    out = []
    for parts in (ev_parts, cl_parts):
        if not parts:
            out += [np.array([], "int64")] * 2
            continue
        row = positions(np.asarray(keys_wanted, "int64"),
                        np.concatenate([a for a, _ in parts]).astype("int64"))
        rec = np.concatenate([b for _, b in parts]).astype("int64")
        out += [row[row >= 0], rec[row >= 0]]
    return Evidence(*out)


def _zone_frame(zones, u, g, p, status, basis, unit_names, level_name, groups, P) -> Rows:
    lead = zones["leader"].to_numpy()
    has = lead >= 0
    li = np.maximum(lead, 0)
    pidx = zones["period"].to_numpy().astype("int64")
    place = zones["place"].to_numpy().astype("int64")
    contested = status == RANK["contested"]
    row = positions(place * P + pidx, u[contested] * P + p[contested])
    cont = joined_text(row[row >= 0], groups[g[contested]][row >= 0], len(place))
    return Rows(pd.DataFrame({
        "unit_id": unit_names[place], "unit_level": level_name[place],
        "zone": zones["zone"].to_numpy(dtype=object),
        "holder": np.where(has, groups[g[li]], "").astype(object),
        "holder_status": np.where(has, np.asarray(STATUSES, dtype=object)[status[li]], ""),
        "basis": np.where(has, np.asarray(BASES, dtype=object)[basis[li]], ""),
        "contenders": np.where(zones["zone"].to_numpy() == "contested", cont, ""),
        "stability": np.nan,
    }), pidx, Evidence.none())


def unit_activity(contrib, event_units: pd.Categorical, periods: pd.DataFrame) -> pd.DataFrame:
    """Activity per (unit, group, period), each event counted once in the unit holding it
    (``event_units``: the unit of each event row, missing for none)."""
    unit = np.asarray(event_units.codes, "int64")[contrib.row]
    ok = unit >= 0
    G, P = max(len(contrib.gnames), 1), len(periods)
    # categories and group names are sorted: the integer key orders like the text
    # (pandas' grouped sum, compensated, as the published figures have always been)
    sums = pd.Series(contrib.act[ok]).groupby(
        (unit[ok] * G + contrib.gcode[ok]) * P + contrib.pidx[ok], sort=True).sum()
    key, activity = sums.index.to_numpy(), sums.to_numpy()
    u, rest = np.divmod(key, G * P)
    g, p = np.divmod(rest, P)
    units = np.asarray(event_units.categories, dtype=object)
    out = pd.DataFrame({"unit_id": pd.array(units[u], dtype="str"),
                        "group": pd.array(np.asarray(contrib.gnames, dtype=object)[g], dtype="str"),
                        "activity": activity,
                        "period": pd.array(periods["period"].to_numpy()[p], dtype="str")})
    return out[activity > 0].reset_index(drop=True)
