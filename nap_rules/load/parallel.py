"""Reading the large files of a plan in worker processes, one core each.

Reading a plan file (YAML parsing with positions, then the schema check) is most of a cold run
and each file is independent, so the large files of a large plan are read in worker processes
(forked: they start with everything imported), and this process reads the small ones. What
comes back is a file's located document and its schema findings, pickled: the positions travel
as one packed array per file (nap_rules.load.locations.Positions), so unpickling a file costs
a small part of reading it (about a tenth, measured on the benchmark's goal files).

A plan smaller than PARALLEL_FROM bytes, a machine with one core or without `fork`, and
NAP_RULES_WORKERS=1 read every file in this process. A file a worker could not read is read
again here, so that its error is reported exactly as without workers; the results are taken
in file order, so the output does not depend on which worker finished first. A check without
a cache takes each file as it comes back and builds the graph meanwhile
(nap_rules.run.pipeline.build_while_read).
"""

from __future__ import annotations

import os

from .yaml_reader import read_file_bytes

PARALLEL_FROM = 2 * 1024 * 1024  # bytes of plan files from which workers read the large ones
LARGE_FILE = 256 * 1024  # a file worth sending to a worker


def workers() -> int:
    """How many worker processes to use: NAP_RULES_WORKERS, else the cores this process may use."""
    chosen = os.environ.get("NAP_RULES_WORKERS", "")
    if chosen.isdigit() and int(chosen) >= 1:
        return int(chosen)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - platforms without affinity
        return os.cpu_count() or 1


def _read_checked(path, data, kind: str, display: str, limits, pure: bool):
    """In a worker: (document, schema findings) of one plan file pickled (as a cache entry keeps
    them: the parent stores the same bytes and pickles nothing), or None when it cannot be read."""
    import pickle

    from .plan_folder import schema_checked
    from .yaml_reader import load_yaml_data

    try:
        if data is None:
            data = read_file_bytes(path, display, limits)
        return pickle.dumps(schema_checked(load_yaml_data(data, display, limits, pure), kind, display), protocol=5)
    except Exception:  # noqa: BLE001 - read again by the parent, which reports why
        return None


class Workers:
    """Worker processes reading the large files among `jobs` (each (path, bytes or None, kind,
    display, size)), started at once: `result(i)` waits for job i and gives its (document, schema
    findings) pickled, or None for a file the caller reads itself (all of them for a small plan,
    and any a worker could not read). `order` orders the jobs the workers take, by default the
    largest first (the workers finish together); a caller that uses each file as it comes asks
    for them in the order it uses them."""

    def __init__(self, jobs: list, limits, pure: bool, order=None):
        self.pool = None
        self.futures: dict = {}
        large = [i for i, job in enumerate(jobs) if job[4] >= LARGE_FILE]
        n = min(workers(), len(large))
        if n < 2 or sum(job[4] for job in jobs) < PARALLEL_FROM:
            return
        import multiprocessing

        if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - e.g. Windows
            return
        from concurrent.futures import ProcessPoolExecutor

        large.sort(key=order or (lambda i: -jobs[i][4]))
        try:
            self.pool = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("fork"))
            self.futures = {i: self.pool.submit(_read_checked, *jobs[i][:4], limits, pure) for i in large}
        except OSError:  # no semaphores for the pool's queues (no /dev/shm): the caller reads every file
            self.close()

    def result(self, i: int):
        future = self.futures.pop(i, None)
        if future is None:
            return None
        try:
            return future.result()
        except Exception:  # noqa: BLE001 - a worker that died: the file is read by the caller
            return None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
            self.futures = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def read_many(jobs: list, limits, pure: bool) -> list:
    """For each job (path, bytes or None, kind, display, size): what Workers.result gives, once
    every worker is done. `unpickled` turns a result into (document, schema findings)."""
    with Workers(jobs, limits, pure) as running:
        return [running.result(i) for i in range(len(jobs))]


def unpickled(payload: bytes):
    """The (document, schema findings) a worker sent."""
    import pickle

    return pickle.loads(payload)
