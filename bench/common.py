"""What every benchmark prints beside its numbers: the machine and the date."""

from __future__ import annotations

import os
import platform
from datetime import UTC, datetime
from pathlib import Path


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), {model}, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")


def now() -> str:
    return f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
