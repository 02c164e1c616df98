"""CPU time: how tests bound the work a run does.

Wall-clock time grows when other processes share the machine, so no test compares it with a
bound; the CPU seconds a run uses (this process and the child processes it waited for) do not.
The bounds are generous, many times what a run takes: they catch a run-away computation, not a
slow machine. Timing proper belongs in `benchmarks/`.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class CpuTime:
    seconds: float = 0.0


def _spent() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@contextmanager
def cpu_time():
    """`with cpu_time() as used: ...`, then `used.seconds` is the CPU time the block took."""
    used = CpuTime()
    start = _spent()
    try:
        yield used
    finally:
        used.seconds = _spent() - start
