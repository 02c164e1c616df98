"""Reading the large files of a plan in worker processes, one core each.

Reading a plan file (YAML parsing with positions, then the schema check) is most of a cold run
and each file is independent, so the large files of a large plan are read in worker processes
(forked: they start with everything imported), and this process reads the small ones. What
comes back is a file's located document and its schema findings, pickled: the positions travel
as one packed array per file (nap_rules.load.locations.Positions), so unpickling a file costs
a small part of reading it (about a tenth, measured on the benchmark's goal files).

A plan smaller than PARALLEL_FROM bytes, a machine with one core or without `fork`, and
NAP_RULES_WORKERS=1 read every file in this process. A file a worker could not read is read
again here, so that its error is reported exactly as without workers; the results come back
in file order, so the output does not depend on which worker finished first.
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

    from .plan_folder import check_schema_line
    from .schema_check import check_document
    from .yaml_reader import load_yaml_data

    try:
        if data is None:
            data = read_file_bytes(path, display, limits)
        doc = check_schema_line(load_yaml_data(data, display, limits, pure), kind, display)
        return pickle.dumps((doc, tuple(check_document(doc, kind, display))), protocol=5)
    except Exception:  # noqa: BLE001 - read again by the parent, which reports why
        return None


def read_many(jobs: list, limits, pure: bool) -> list:
    """For each job (path, bytes or None, kind, display, size): its (document, schema findings)
    as read by a worker, pickled, or None for a file the caller reads itself (all of them for a
    small plan). `unpickled` turns the first into the second."""
    out: list = [None] * len(jobs)
    large = [i for i, job in enumerate(jobs) if job[4] >= LARGE_FILE]
    n = min(workers(), len(large))
    if n < 2 or sum(job[4] for job in jobs) < PARALLEL_FROM:
        return out
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - e.g. Windows
        return out
    from concurrent.futures import ProcessPoolExecutor

    large.sort(key=lambda i: -jobs[i][4])  # the largest first: the workers finish together
    with ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {i: pool.submit(_read_checked, *jobs[i][:4], limits, pure) for i in large}
        for i, future in futures.items():
            try:
                out[i] = future.result()
            except Exception:  # noqa: BLE001 - a worker that died: the file is read here
                out[i] = None
    return out


def unpickled(payload: bytes):
    """The (document, schema findings) a worker sent."""
    import pickle

    return pickle.loads(payload)
