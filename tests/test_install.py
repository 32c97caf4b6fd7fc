"""A production install, as a user does it: a fresh virtualenv with the pip that ``python -m venv``
bundles (no upgrade), no extras, then the real pipeline on the bundled sample.

(a) plain ``pip install .``, as a user would; (b) ``pip install -c constraints.txt .``, as the
Dockerfile does. Both must process every sample line with no ``internal`` dead letter: a
dependency that the old pip leaves out (lxml_html_clean once) fails here, not in production.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.install, pytest.mark.slow]

_SKIP = shutil.ignore_patterns(".git", ".venv", "venv", "build", "state", "*.egg-info", "__pycache__", "*.so",
                               ".mypy_cache", ".ruff_cache", ".pytest_cache")


def _install_and_run(root: Path, constrained: bool) -> tuple[str, subprocess.CompletedProcess]:
    src = root / "src"
    shutil.copytree(REPO, src, ignore=_SKIP)
    venv = root / "venv"
    # The base interpreter, not this test's venv: its bundled pip is what a new user has.
    base_python = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    subprocess.run([str(base_python), "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if constrained:
        pip += ["-c", str(src / "constraints.txt")]
    install = subprocess.run([*pip, str(src)], capture_output=True, text=True, timeout=1200)
    if install.returncode:
        return "install", install
    out = root / "out.jsonl"
    run = subprocess.run(
        f"{venv}/bin/newsworker process -i {src}/samples/demo.jsonl -o {out} "
        f"&& {venv}/bin/python -m workers.samples.check {out}",
        shell=True, capture_output=True, text=True, timeout=300, cwd=root,
    )
    return "run", run


def test_fresh_virtualenv_installs_run_the_sample(tmp_path):
    with ThreadPoolExecutor(2) as pool:
        results = dict(zip(
            ("plain", "constrained"),
            pool.map(lambda c: _install_and_run(tmp_path / ("c" if c else "p"), c), (False, True)),
            strict=True,
        ))
    for name, (step, proc) in results.items():
        assert proc.returncode == 0, (
            f"{name} install, {step} step failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        assert "sample outcomes:" in proc.stderr, proc.stderr
