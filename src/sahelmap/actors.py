"""Actor names → canonical group ids, through the actors table's aliases.

Joint attributions ("JNIM ... and/or Islamic State ...") are split; when every
part names the same group the record gets that group, otherwise it gets
``JOINT`` and the candidate groups in ``actor_candidates``.
"""

from __future__ import annotations

import pandas as pd

from ._arrays import take_text
from ._names import name_keys, split_names

JOINT = "joint"
JOINT_SEPARATOR = " and/or "


def alias_table(actors: pd.DataFrame) -> pd.Series:
    """Map every name key (id, display name, alias) to its ``actor_id``."""
    names = pd.concat([
        pd.Series(actors["actor_id"].values, index=actors["actor_id"].values),
        pd.Series(actors["display_name"].values, index=actors["actor_id"].values),
        split_names(pd.Series(actors["aliases"].values, index=actors["actor_id"].values)),
    ])
    table = pd.Series(names.index.values, index=name_keys(names).values)
    table = table[table.index != ""]
    return table[~table.index.duplicated(keep="first")]


def resolve_actors(raw: pd.Series, actors: pd.DataFrame) -> pd.DataFrame:
    """Resolve raw actor strings.

    Returns a frame aligned with ``raw`` with ``actor`` (canonical id, ``joint``,
    or empty when unknown or blank) and ``actor_candidates`` (pipe-separated ids
    for joint attributions).
    """
    table = alias_table(actors)
    raw = raw.fillna("").astype(str)
    uniques = pd.Series(pd.unique(raw))
    parts = uniques.str.split(JOINT_SEPARATOR, regex=False).explode()
    ids = name_keys(parts).map(table)
    grouped = ids.groupby(level=0)
    known = grouped.apply(lambda s: s.notna().all())
    distinct = grouped.apply(lambda s: "|".join(sorted(set(s.dropna()))))
    actor = distinct.where(known & ~distinct.str.contains("|", regex=False), JOINT)
    actor = actor.where(known, "")
    candidates = distinct.where(actor == JOINT, "")
    # each row takes its distinct value's answer (pd.unique keeps first appearance order,
    # as factorize numbers the values)
    codes_ = pd.factorize(raw)[0]
    return pd.DataFrame({"actor": take_text(actor.to_numpy(dtype=object), codes_),
                         "actor_candidates": take_text(candidates.to_numpy(dtype=object), codes_)},
                        index=raw.index)
