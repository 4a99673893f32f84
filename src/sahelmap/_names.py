"""Name keys: the accent-, case- and punctuation-insensitive form names are matched on."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from ._arrays import codes, take_text


def name_key(name: str) -> str:
    """``"Dédougou"`` and ``" DEDOUGOU "`` give ``"dedougou"``; ``"N'Djamena"`` gives ``"n djamena"``."""
    decomposed = unicodedata.normalize("NFKD", str(name))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = "".join(ch if ch.isalnum() else " " for ch in stripped.casefold())
    return " ".join(folded.split())


def name_keys(names: pd.Series) -> pd.Series:
    """Vectorised :func:`name_key` (computed once per distinct name)."""
    c, uniques = codes(names)  # missing names read as ''
    keys = np.array([name_key(u) for u in uniques], dtype=object)
    return pd.Series(take_text(keys, c), index=names.index)


def split_names(names: pd.Series, sep: str = "|") -> pd.Series:
    """Explode a pipe-separated column into one stripped, non-empty name per row."""
    out = names.fillna("").astype(str).str.split(sep).explode().str.strip()
    return out[out != ""]
