"""Memory per site of the site-templates table (workers/core/templates.py), by line counters held.

    .venv/bin/python bench/templates_memory.py

Python objects (tracemalloc) as the worker's memory store holds them, and the JSON a record takes in the
changelog topic, for sites with 10 to 5,000 line counters (5,000: NEWSWORKER_TEMPLATE_MAX_LINES_PER_SITE).
"""

from __future__ import annotations

import gc
import json
import tracemalloc

from workers.core.templates import SiteTemplates, line_hash

SITES = 2000


def measure(lines_per_site: int, sites: int) -> tuple[float, float]:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    store: dict = {}
    t = SiteTemplates(store, max_sites=10**9, max_lines=10**9)
    for s in range(sites):
        t.observe(f"site{s}.example", {line_hash(f"{s} line {i}") for i in range(lines_per_site)})
    t.flush()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    json_bytes = sum(len(k) + len(json.dumps(v)) for k, v in store.items()) / sites
    return (after - before) / sites, json_bytes


def main() -> None:
    print("| line counters per site | Python objects per site | JSON per site (changelog) | 50,000 sites |")
    print("|---:|---:|---:|---:|")
    for n in (10, 100, 500, 1000, 5000):
        per_site, per_json = measure(n, SITES if n <= 1000 else 200)
        total = per_site * 50_000 / 2**30
        print(f"| {n:,} | {per_site / 1024:,.1f} KiB | {per_json / 1024:,.1f} KiB | {total:,.2f} GiB |")


if __name__ == "__main__":
    main()
