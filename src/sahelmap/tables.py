"""Reader of sahelmap's published tables (what ``sahelmap build`` writes), so the
site can be rendered from them without recomputing the analysis."""

from __future__ import annotations

import csv
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ._csvformat import undefuse
from ._errors import InputError
from ._mirror import Mirror
from .axes import AXIS_COLUMNS
from .periods import LABEL_PATTERN
from .units import NAME_COLUMNS

# the unit names presence and zones carry for their readers: the site, the GeoPackage and
# the figures name units from the reference data, and 2M presence rows of names cost
# a quarter of a gigabyte in memory
SKIPPED = {"presence": NAME_COLUMNS, "zones": NAME_COLUMNS}
CSV_TABLES = ("events", "claims", "movements", "presence", "zones", "periods")


NUMBERS = {"events": ("latitude", "longitude", "fatalities"), "claims": ("latitude", "longitude"),
           "presence": ("activity", "score", "share", "area_present", "area_contested",
                        "area_dominant", "area_control", "stability", "age_days", "n_events"),
           "zones": ("stability",), "periods": ("days",)}


def read_text_csv(path: Path, numbers: tuple[str, ...] = (),
                  skip: tuple[str, ...] = ()) -> pd.DataFrame:
    """A table written by sahelmap, every column as text (empty cells as '') except
    ``numbers``, read as floats (empty as NaN): the frame ``pd.read_csv(path, dtype=str,
    keep_default_na=False)`` and ``pd.to_numeric(errors="coerce")`` give, read by Arrow on
    several threads (values may span lines: notes do), or from its columnar copy
    (:mod:`._mirror`) while that still describes it. A number column Arrow cannot read
    is left to pandas. ``skip``: columns left out (never read from the copy, whose
    pages stay on disk)."""
    table = _from_mirror(path, numbers)
    if table is not None:
        return _one_chunk(table.drop_columns([c for c in skip if c in table.column_names])
                          ).to_pandas()
    with open(path, encoding="utf-8", newline="") as fh:
        names = next(csv.reader(fh), [])
    types = {n: pa.float64() if n in numbers else pa.string() for n in names}
    try:
        table = pacsv.read_csv(path, parse_options=pacsv.ParseOptions(newlines_in_values=True),
                               convert_options=pacsv.ConvertOptions(
                                   column_types=types, strings_can_be_null=False,
                                   null_values=[""],
                                   include_columns=[n for n in names if n not in skip]))
    except pa.ArrowInvalid as exc:
        if not numbers:
            reason = str(exc).splitlines()[0]
            raise InputError(f"{path}: cannot be read as a sahelmap table ({reason}); rebuild "
                             f"it with 'sahelmap build --out {path.parent}'") from None
        return _numbers_by_pandas(path, numbers, skip)
    if numbers and not table.num_rows:  # pandas types empty columns its own way
        return _numbers_by_pandas(path, numbers, skip)
    return _one_chunk(_undefused(table)).to_pandas()


def _undefused(table: pa.Table) -> pa.Table:
    """Text cells as they were before the writer guarded them against spreadsheet
    formulas (see _csvformat.defuse)."""
    for i, field in enumerate(table.schema):
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            table = table.set_column(i, field, undefuse(table.column(i)))
    return table


def _one_chunk(table: pa.Table) -> pa.Table:
    """The table with each column in one chunk: Arrow's take on a column in many chunks
    is ten times slower (a period's events cut from a million: 240 ms instead of 10 ms).
    Columns are joined on two threads (Arrow copies outside the GIL): at a million
    events, most of the time goes to the kernel giving the copy fresh memory
    (0.8-2.2 s on one thread, 0.6 s on two)."""
    def whole(column: pa.ChunkedArray) -> pa.ChunkedArray:
        if column.num_chunks == 1:
            return column
        if column.num_chunks == 0:
            return pa.chunked_array([pa.array([], column.type)])
        return pa.chunked_array([pa.concat_arrays(column.chunks)])

    with ThreadPoolExecutor(2) as pool:
        columns = list(pool.map(whole, table.columns))
    return pa.table(columns, schema=table.schema)


def _from_mirror(path: Path, numbers: tuple[str, ...]) -> pa.Table | None:
    """The table as the CSV reader gives it, from the columnar copy (numbers parsed from
    their text as the reader parses them); None to read the CSV."""
    table = Mirror(path).table()
    if table is None or (numbers and not table.num_rows):
        return None
    names = [n for n in numbers if n in table.column_names]
    try:  # parsed as the CSV reader parses them; Arrow works outside the GIL: two threads
        with ThreadPoolExecutor(2) as pool:
            parsed = list(pool.map(lambda n: _parse_floats(table[n]), names))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # not a number after all: the CSV path says what to do
    for name, values in zip(names, parsed):
        table = table.set_column(table.column_names.index(name), name, values)
    return table


def _parse_floats(text: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.cast(pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text),
                   pa.float64())


def _numbers_by_pandas(path: Path, numbers: tuple[str, ...], skip: tuple[str, ...] = ()
                       ) -> pd.DataFrame:
    frame = read_text_csv(path, skip=skip)
    for col in numbers:
        if col in frame:
            frame[col] = pd.to_numeric(frame[col], errors="coerce")
    return frame


def _counts(datasets: pd.DataFrame) -> pd.DataFrame:
    """The datasets table with its counts as whole numbers."""
    for col in ("events", "published"):
        datasets[col] = datasets[col].fillna(0).astype("int64")
    return datasets


def _check_labels(path: Path, labels: pd.Series) -> None:
    """Period labels name the site's files: one that could not be a file name (or could
    leave the folder) is refused, naming its row."""
    bad = ~labels.astype(str).str.match(LABEL_PATTERN.pattern)
    if bad.any():
        i = int(bad.to_numpy().argmax())
        raise InputError(f"{path}:{i + 2}: period {labels.iat[i]!r} cannot name a page; "
                         "labels are letters, digits, '.', '_' or '-' (at most 40): rebuild "
                         "the tables with 'sahelmap build'")


def read_tables(directory: Path | str) -> dict[str, pd.DataFrame]:
    directory = Path(directory)
    out: dict[str, pd.DataFrame] = {}
    for name in CSV_TABLES:
        path = directory / f"{name}.csv"
        if not path.is_file():
            raise InputError(f"{path}: table not found; run 'sahelmap build --out {directory}' "
                             "first (make does)")
        out[name] = read_text_csv(path, NUMBERS.get(name, ()), SKIPPED.get(name, ()))
    for col in ("age_days", "n_events"):
        out["presence"][col] = out["presence"][col].astype("int64")
    out["presence"]["date_uncertain"] = out["presence"]["date_uncertain"] == "True"
    out["presence"]["evidence_events"] = out["presence"]["evidence_events"].fillna("")
    out["periods"]["days"] = out["periods"]["days"].astype("int64")
    _check_labels(directory / "periods.csv", out["periods"]["period"])
    axes = directory / "axes.geojson"
    if not axes.is_file():
        raise InputError(f"{axes}: table not found; run 'sahelmap build --out {directory}' first")
    datasets = directory / "datasets.csv"
    out["datasets"] = (_counts(read_text_csv(datasets, ("events", "published")))
                       if datasets.is_file() else pd.DataFrame(columns=["dataset", "events",
                                                                        "published", "licence"]))
    frame = gpd.read_file(axes, engine="pyogrio")
    missing = [c for c in AXIS_COLUMNS if c not in frame.columns and c != "geometry"]
    for col in missing:  # an empty GeoJSON carries no columns
        frame[col] = pd.Series(dtype=object)
    out["axes"] = frame
    if "strength" in out["axes"]:
        out["axes"]["strength"] = pd.to_numeric(out["axes"]["strength"], errors="coerce")
    return out
