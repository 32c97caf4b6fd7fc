"""CPU time of a command summed over every process it starts (parent, forkserver, pool children).

``resource.getrusage(RUSAGE_CHILDREN)`` counts a process only once it has been waited for, and
a descendant whose parent exits first is re-parented away from us (the forkserver of
``deadline.Deadline`` outlives the worker's main process by a moment). So the benchmark makes
itself a child subreaper (Linux ``prctl(PR_SET_CHILD_SUBREAPER)``): orphans of the command are
re-parented to it, and it waits for all of them before reading the counter. Each process's
own waited-for children are included in its figure, so the sum covers the whole tree.
"""

from __future__ import annotations

import ctypes
import os
import resource
import subprocess
import time
from dataclasses import dataclass

_PR_SET_CHILD_SUBREAPER = 36


@dataclass(frozen=True)
class Usage:
    wall: float  # seconds from start to the command's exit
    cpu: float  # user + system seconds of the command and every descendant


def _become_subreaper() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(cmd: list[str], env: dict[str, str] | None = None) -> Usage:
    """Run ``cmd`` to completion; its wall time and the CPU time of its whole process tree."""
    _become_subreaper()
    before = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    code = proc.wait()
    wall = time.perf_counter() - started
    while True:  # reap the orphans (they exit once the command's pipes close)
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    if code != 0:
        raise SystemExit(f"{cmd[:2]} exited with {code}")
    return Usage(wall, _children_cpu() - before)
