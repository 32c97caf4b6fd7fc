"""samples/demo.jsonl is what samples/make_demo.py builds (as deploy/grafana's JSON is its script's)."""

from __future__ import annotations

import subprocess
import sys

from .conftest import BENCHMARK, REPO


def test_demo_jsonl_is_generated_by_make_demo(shared):
    result = subprocess.run([sys.executable, str(REPO / "samples" / "make_demo.py"), "--check", str(BENCHMARK)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
