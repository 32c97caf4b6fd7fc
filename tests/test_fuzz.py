"""Fuzzing: generated hostile messages through ``Pipeline.process`` and through ``newsworker process``.

For every input: exactly one outcome, in order; never ``internal``; never a crash; a dead letter's
payload is the input byte for byte (base64 when it is not UTF-8) and the record meets its schema;
the outcome is one the oracle calls honest (tests/fuzzgen.py): real articles, also with noise
between their words, come out as articles, and a dead letter names the reason that fits.

Fast tier: 1,000 seeded inputs in-process, 300 through the command, and the hypothesis strategies.
Slow tier: 10,000 seeded inputs in-process and the same 10,000 through the command (with the
per-article deadline process, as in production). ``bench/fuzz.py --n 100000`` is the long run.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests import fuzzgen
from tests.fuzzgen import ARTICLE, Case
from workers.core import schemas
from workers.core.pipeline import Limits, Pipeline
from workers.core.records import Source

ROOT = Path(__file__).resolve().parents[1]


def verdict(value: Mapping[str, Any]) -> str:
    return value["error"]["reason"] if "error" in value else ARTICLE


def payload_of(dead_letter: Mapping[str, Any]) -> bytes:
    if dead_letter["payload_encoding"] == "utf-8":
        return dead_letter["payload"].encode("utf-8")
    return base64.b64decode(dead_letter["payload"])


def check_outcome(case: Case, value: Mapping[str, Any], where: str) -> str | None:
    """A description of what is wrong with this outcome, or None."""
    got = verdict(value)
    if got == "internal":
        return f"{where}: internal: {value['error']['message']}"
    if case.expect is not None and got not in case.expect:
        return f"{where}: {case.family} gave {got}, expected {sorted(case.expect)}: {value.get('error')}"
    if got != ARTICLE:
        if payload_of(value) != case.payload:
            return f"{where}: {case.family}: the dead letter's payload is not the input"
        problems = schemas.errors("deadletter", value)
        if problems:
            return f"{where}: {case.family}: dead letter violates its schema: {problems[:2]}"
    return None


def run_in_process(cases: list[Case]) -> tuple[list[str], Counter]:
    pipeline = Pipeline(limits=Limits(timeout_seconds=0))
    verdicts: list[str] = []
    failures: list[str] = []
    by_reason: Counter[tuple[str, str]] = Counter()
    for n, case in enumerate(cases, start=1):
        outcome = pipeline.process(case.payload, Source(line=n))
        assert outcome.kind in ("article", "duplicate", "deadletter")
        problem = check_outcome(case, outcome.value, f"input {n}")
        if problem:
            failures.append(problem)
        verdicts.append(verdict(outcome.value))
        by_reason[(case.family.split(":")[0], verdicts[-1])] += 1
    pipeline.close()
    assert not failures, f"{len(failures)} of {len(cases)} inputs failed:\n" + "\n".join(failures[:20])
    return verdicts, by_reason


def run_command(cases: list[Case], tmp_path: Path, timeout_seconds: str) -> list[dict]:
    """The cases without a line break, one per line, through ``newsworker process``."""
    (tmp_path / "in.jsonl").write_bytes(b"\n".join(c.payload for c in cases) + b"\n")
    env = dict(os.environ, NEWSWORKER_ARTICLE_TIMEOUT_SECONDS=timeout_seconds)
    proc = subprocess.run([sys.executable, "-m", "workers.cli", "process", "-i", "in.jsonl", "-o", "out.jsonl",
                           "--progress-every", "100000"], cwd=tmp_path, env=env, capture_output=True, timeout=1800)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert b"Traceback" not in proc.stderr, proc.stderr[-3000:]
    return [orjson.loads(line) for line in (tmp_path / "out.jsonl").read_bytes().splitlines()]


def check_command(cases: list[Case], verdicts: list[str], tmp_path: Path, timeout_seconds: str) -> None:
    single = [(c, v) for c, v in zip(cases, verdicts, strict=True) if b"\n" not in c.payload]
    out = run_command([c for c, _ in single], tmp_path, timeout_seconds)
    assert len(out) == len(single), "one output line per input line"
    failures = []
    for n, ((case, expected), value) in enumerate(zip(single, out, strict=True), start=1):
        line = value["source"]["line"]
        assert line == n, f"output {n} is for input line {line}: out of order"
        problem = check_outcome(case, value, f"line {n}")
        if problem or verdict(value) != expected:
            failures.append(problem or f"line {n}: {case.family}: {verdict(value)} by command, {expected} in process")
    assert not failures, f"{len(failures)} lines failed:\n" + "\n".join(failures[:20])


def report(by_reason: Counter) -> str:
    return "\n".join(f"{family:18s} {got:13s} {n}" for (family, got), n in sorted(by_reason.items()))


# -- seeded corpus -------------------------------------------------------------------------------------
def test_fuzz_seeded_1000(tmp_path):
    cases = list(fuzzgen.generate(seed=10, n=1000))
    verdicts, by_reason = run_in_process(cases)
    print(report(by_reason))
    # every family occurs, and the honest outcomes of each occur: the corpus tests what it claims to
    families = {f for f, _ in by_reason}
    assert {"valid_text", "valid_html", "noise_text", "noise_html", "mutation", "wrong_type", "nesting",
            "adversarial_html", "adversarial_text", "random_unicode"} <= families
    assert {v for v in verdicts} >= {ARTICLE, "invalid_json", "invalid_utf8", "schema", "no_content", "too_large"}
    check_command(cases[:300], verdicts[:300], tmp_path, timeout_seconds="0")


@pytest.mark.slow
def test_fuzz_seeded_10000_in_process_and_through_the_command(tmp_path):
    cases = list(fuzzgen.generate(seed=20, n=10_000))
    verdicts, by_reason = run_in_process(cases)
    print(report(by_reason))
    check_command(cases, verdicts, tmp_path, timeout_seconds="10")


# -- hypothesis: structure ------------------------------------------------------------------------------
_JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
_JSON = st.recursive(_JSON_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner,
                                                                                                  max_size=4),
                     max_leaves=30)
_WORDS = st.lists(st.sampled_from(fuzzgen._ID_WORDS + fuzzgen._EN_WORDS), min_size=20, max_size=120)
_ARTICLE_TEXT = st.builds(lambda ws, breaks: "".join(w + (b or " ") for w, b in zip(ws, breaks, strict=False)),
                          _WORDS, st.lists(st.sampled_from([None] * 8 + fuzzgen.NOISE + ["\n", "\n\n"]), min_size=120,
                                           max_size=120))


def _field(name: str):
    if name == "text":
        return _ARTICLE_TEXT | st.text() | _JSON
    if name == "html":
        return st.builds(lambda t: f"<html><body><article><p>{t}</p></article></body></html>", _ARTICLE_TEXT) | _JSON
    if name == "authors":
        return st.lists(st.text(max_size=600), max_size=120) | st.text(max_size=3000) | _JSON
    return st.text(max_size=5000) | _JSON


_RAW = st.fixed_dictionaries({}, optional={name: _field(name) for name in fuzzgen._FIELDS})
_FUZZ = settings(max_examples=300, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _check_payload(payload: bytes) -> None:
    case = Case("hypothesis", payload, fuzzgen.oracle(payload))
    outcome = Pipeline(limits=Limits(timeout_seconds=0)).process(payload, Source(line=1))
    assert outcome.kind in ("article", "duplicate", "deadletter")
    problem = check_outcome(case, outcome.value, "hypothesis")
    assert problem is None, problem


@_FUZZ
@given(_RAW, st.dictionaries(st.text(max_size=10), _JSON, max_size=3), st.booleans())
def test_hypothesis_raw_articles(obj, extra, ascii_only):
    _check_payload(json.dumps({**extra, **obj}, ensure_ascii=ascii_only).encode())


@_FUZZ
@given(st.binary(max_size=2000))
def test_hypothesis_bytes(payload):
    _check_payload(payload)


@_FUZZ
@given(_ARTICLE_TEXT, st.sampled_from(["text", "html"]), st.integers(0, 2**32))
def test_hypothesis_noisy_articles_stay_articles(text, field, seed):
    import random

    assume(len(set(fuzzgen._WORD.findall(text))) >= 15)  # an article, not one word repeated
    rng = random.Random(seed)
    obj = {field: text if field == "text" else f"<html><body><p>{text.replace('<', ' ')}</p></body></html>",
           **fuzzgen._metadata(rng, seed)}
    payload = json.dumps(obj).encode()
    outcome = Pipeline(limits=Limits(timeout_seconds=0)).process(payload, Source(line=1))
    assert verdict(outcome.value) == ARTICLE, outcome.value.get("error")


def test_the_oracle_is_the_schema():
    """The oracle's hand-written rules against the schema file on the wrong-type corpus."""
    for case in fuzzgen.generate(seed=3, n=3000):
        if not case.family.startswith("wrong_type") or case.expect is None:
            continue
        obj = json.loads(case.payload)
        both_empty = all(fuzzgen._empty(obj.get(k)) for k in ("html", "text"))
        schema_ok = not schemas.errors("raw_article", obj)
        if case.expect == frozenset({"no_content"}):
            assert both_empty, case.family
        elif case.expect == frozenset({"schema"}):
            assert not both_empty and not schema_ok, case.family
        elif case.expect == frozenset({ARTICLE}):
            assert schema_ok and not both_empty, case.family
