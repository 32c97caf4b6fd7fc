"""Cost of one call through the per-article deadline's process pool: pebble (what deadline.py uses) beside the
standard library's ProcessPoolExecutor (what it used before), same forkserver context, a 20 KB argument.

    .venv/bin/python bench/deadline_overhead.py
"""

from __future__ import annotations

import multiprocessing
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

from pebble import ProcessPool

CALLS, RUNS = 500, 5


def echo(x: str) -> str:
    return x


def main() -> None:
    ctx = multiprocessing.get_context("forkserver")
    payload = "x" * 20_000
    executor = ProcessPoolExecutor(1, mp_context=ctx)
    pool = ProcessPool(1, context=ctx)
    executor.submit(echo, "").result()
    pool.schedule(echo, ("",), timeout=10).result()
    runs: dict[str, list[float]] = {"ProcessPoolExecutor": [], "pebble ProcessPool": []}
    for _ in range(RUNS):  # interleaved, so that load on the machine hits both alike
        started = time.perf_counter()
        for _ in range(CALLS):
            executor.submit(echo, payload).result()
        runs["ProcessPoolExecutor"].append((time.perf_counter() - started) / CALLS * 1e6)
        started = time.perf_counter()
        for _ in range(CALLS):
            pool.schedule(echo, (payload,), timeout=10).result()
        runs["pebble ProcessPool"].append((time.perf_counter() - started) / CALLS * 1e6)
    for name, values in runs.items():
        print(f"| {name} | {statistics.median(values):.0f} µs | {', '.join(f'{v:.0f}' for v in values)} |")
    executor.shutdown()
    pool.stop()
    pool.join()


if __name__ == "__main__":
    main()
