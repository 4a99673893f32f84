"""Run one job over many items in forked worker processes, results in input order.

Forked workers inherit the job (and the tables it holds) without copying or pickling
them; only the items and the results cross between processes. Where the platform does
not fork, or the work is too small to pay for the workers, the job runs in this process.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from ._errors import SahelmapError

_JOB: Callable | None = None  # the job a forked worker inherits


def _run_inherited(item):
    return _JOB(item)


def default_workers() -> int:
    """One worker per core, at most 4 (beyond that the writers wait on the disk)."""
    return min(os.cpu_count() or 1, 4)


def each_in_order(job: Callable, items: Iterable, workers: int | None = None, *,
                  min_items: int = 8) -> Iterator:
    """``job(item)`` for every item, yielded in the items' order."""
    global _JOB
    items = list(items)
    workers = default_workers() if workers is None else workers
    if workers <= 1 or len(items) < min_items or "fork" not in mp.get_all_start_methods():
        yield from map(job, items)
        return
    _JOB = job
    try:
        with mp.get_context("fork").Pool(workers) as pool:
            yield from pool.imap(_run_inherited, items, chunksize=2)
    finally:
        _JOB = None


@contextmanager
def alongside(job: Callable[[], None]) -> Iterator[None]:
    """Run ``job()`` in a forked process while the body of the ``with`` block runs here;
    wait for it at the end and fail if it failed (its own error is on stderr). With one
    core, or where the platform does not fork, ``job()`` runs here first."""
    if default_workers() <= 1 or "fork" not in mp.get_all_start_methods():
        job()
        yield
        return
    worker = mp.get_context("fork").Process(target=job)
    worker.start()
    try:
        yield
    finally:
        worker.join()
    if worker.exitcode != 0:
        raise SahelmapError(f"a worker process failed (exit code {worker.exitcode}); "
                            "its error is printed above")
