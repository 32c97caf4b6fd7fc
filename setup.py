"""Only the optional C extension; everything else is in pyproject.toml (setuptools reads both).

``[tool.setuptools.ext-modules]`` in pyproject.toml is still experimental in setuptools and
warns on every build, so the extension is declared here, the supported way.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        # The fingerprint's tokenise-and-hash step and the index's sketch comparisons in C. Optional:
        # fingerprint.py falls back to numpy with the same results. Needs gcc and the Python headers.
        Extension("workers.core._sketch", ["workers/core/_sketch.c"], optional=True),
    ]
)
