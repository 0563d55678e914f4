"""How the speed scripts of benchmarks/ time a call: the median and the minimum after one warm-up."""

from __future__ import annotations

import statistics
import time


def median_and_min(run, repeats: int) -> tuple[float, float]:
    """Seconds: the median and the minimum of ``repeats`` calls of ``run`` after one warm-up call."""
    run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)
