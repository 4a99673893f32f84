"""A columnar copy of a table that sahelmap writes as CSV, so that the steps after
``build`` (site, gpkg, figure) read a million events in a fraction of a second instead
of parsing a gigabyte of CSV again in each step.

The copy sits beside the CSV in a hidden folder (``.sahelmap/<table>.arrow``): an Arrow
IPC file holding every column as the text the CSV holds before quoting, which is what a
CSV reader gives back. The text is Arrow's large (64-bit offset) string, the type both
the CSV writer works in and pandas holds text in, so neither writing nor reading casts
a million-row column (a copy written as 32-bit strings by an older version still reads).
It is used only while it still describes the CSV: its recorded size must equal the
CSV's and its modification time is set to the CSV's when it is written. Editing,
replacing or copying the CSV without its times (``cp`` without ``-p``) makes the reader
parse the CSV as before. Its bytes depend only on the table, so two builds give
identical copies.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.ipc as ipc

FOLDER = ".sahelmap"
SIZE_KEY = b"sahelmap.csv_bytes"


class Mirror:
    """The columnar copy of the CSV table at ``csv``."""

    def __init__(self, csv: Path | str):
        self.csv = Path(csv)
        self.path = self.csv.parent / FOLDER / f"{self.csv.stem}.arrow"
        self._tmp = self.path.with_name(f".{self.path.name}.tmp")

    def discard(self) -> None:
        """Forget the copy (before the CSV is rewritten: never a stale copy beside it)."""
        self.path.unlink(missing_ok=True)

    @contextmanager
    def writer(self, names: list[str]) -> Iterator["_Writer"]:
        """Where the blocks of rows go (an array of text per column at a time), then the
        CSV's size; the copy takes effect with :meth:`seal` once the CSV is in place."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        schema = pa.schema([(str(n), pa.large_string()) for n in names])
        with pa.OSFile(str(self._tmp), "wb") as sink, ipc.new_file(sink, schema) as out:
            yield _Writer(out, schema)

    def seal(self) -> None:
        """The copy in place, with the CSV's modification time."""
        os.replace(self._tmp, self.path)
        mtime = self.csv.stat().st_mtime_ns
        os.utime(self.path, ns=(mtime, mtime))

    def table(self) -> pa.Table | None:
        """The copy, if it still describes the CSV; None otherwise (read the CSV)."""
        try:
            csv = self.csv.stat()
            if self.path.stat().st_mtime_ns != csv.st_mtime_ns:
                return None
            with pa.memory_map(str(self.path)) as src:
                reader = ipc.open_file(src)
                n = reader.num_record_batches
                meta = reader.get_batch_with_custom_metadata(n - 1)[1] if n else None
                if meta is None or meta.get(SIZE_KEY) != str(csv.st_size).encode():
                    return None
                return reader.read_all()
        except (OSError, pa.ArrowInvalid):
            return None


class _Writer:
    def __init__(self, out, schema: pa.Schema):
        self.out, self.schema = out, schema

    def write(self, cols: list[pa.Array]) -> None:
        self.out.write_batch(pa.record_batch([c.cast(pa.large_string()) for c in cols],
                                             schema=self.schema))

    def finish(self, csv_bytes: int) -> None:
        """The last (empty) block carries the size of the CSV the copy describes."""
        empty = pa.record_batch([pa.array([], pa.large_string())] * len(self.schema),
                                schema=self.schema)
        self.out.write_batch(empty, custom_metadata={SIZE_KEY: str(csv_bytes)})
