"""A small PromQL reader for the tests: enough to find vector selectors and split an expression at its
top-level operators (tests/test_prometheus.py checks every dashboard and alert expression with it).

Not a parser: it tokenises PromQL and tracks brackets. Its own test is
tests/test_prometheus.py::test_promql_reader_splits_and_strips.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple


class Tok(NamedTuple):
    kind: str
    text: str
    start: int
    end: int


_TOKEN = re.compile(r"""
    (?P<ws>\s+|\#[^\n]*)
  | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<dur>(?:\d+(?:ms|[smhdwy]))+(?![\w.]))
  | (?P<num>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<id>[a-zA-Z_:][a-zA-Z0-9_:]*)
  | (?P<op>==|!=|>=|<=|=~|!~|[-+*/%^<>=,(){}\[\]:@])
""", re.X)
_OPEN, _CLOSE = "([{", ")]}"
SET_OPS = {"and", "or", "unless"}
COMPARISONS = {"==", "!=", ">", "<", ">=", "<="}
LABEL_LIST_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
                "quantile", "limitk", "limit_ratio"}
OTHER_KEYWORDS = {"bool", "offset", "atan2", "inf", "nan"}


def tokenize(expr: str) -> list[Tok]:
    toks: list[Tok] = []
    pos = 0
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if m is None or m.lastgroup is None:
            raise ValueError(f"cannot read PromQL at {expr[pos:pos + 20]!r} in {expr!r}")
        if m.lastgroup != "ws":
            toks.append(Tok(m.lastgroup, m.group(), m.start(), m.end()))
        pos = m.end()
    return toks


def _closing(toks: list[Tok], i: int) -> int:
    """Index of the bracket that closes toks[i]."""
    depth = 0
    for j in range(i, len(toks)):
        if toks[j].text in _OPEN:
            depth += 1
        elif toks[j].text in _CLOSE:
            depth -= 1
            if depth == 0:
                return j
    raise ValueError("unbalanced brackets")


def selectors(expr: str) -> list[str]:
    """Every vector selector in expr, as text: ``name{matchers}``, ``name`` or ``{matchers}``."""
    toks, i = tokenize(expr), 0
    out: list[str] = []
    while i < len(toks):
        t = toks[i]
        nxt = toks[i + 1].text if i + 1 < len(toks) else None
        if t.kind == "id":
            word = t.text.lower()
            if word in LABEL_LIST_KEYWORDS:
                i = _closing(toks, i + 1) + 1 if nxt == "(" else i + 1
                continue
            if word in SET_OPS or word in OTHER_KEYWORDS or word in AGGREGATIONS or nxt == "(":
                i += 1  # an operator, a keyword, or a function / aggregation name
                continue
            end = _closing(toks, i + 1) if nxt == "{" else i
            out.append(expr[t.start:toks[end].end])
            i = end + 1
        elif t.text == "{":
            end = _closing(toks, i)
            out.append(expr[t.start:toks[end].end])
            i = end + 1
        elif t.text == "[":  # a range or a subquery: durations only
            i = _closing(toks, i) + 1
        else:
            i += 1
    return out


def _top_level(toks: list[Tok]) -> Iterator[tuple[int, Tok]]:
    depth = 0
    for k, t in enumerate(toks):
        if t.text in _OPEN:
            depth += 1
        elif t.text in _CLOSE:
            depth -= 1
        elif depth == 0:
            yield k, t


def _is_number(expr: str) -> bool:
    toks = [t for t in tokenize(expr) if t.text not in "()"]
    if toks and toks[0].text in "+-":
        toks = toks[1:]
    return len(toks) == 1 and (toks[0].kind == "num" or toks[0].text.lower() in {"inf", "nan"})


def eval_targets(expr: str) -> list[str]:
    """The parts of an alert expression that must each return data.

    Split at top-level set operators (``or`` binds loosest, then ``and``/``unless``), drop the number side of
    top-level comparisons, and look inside ``absent(...)``; whatever remains is a metric expression.
    """
    expr = expr.strip()
    toks = tokenize(expr)
    while toks and toks[0].text == "(" and _closing(toks, 0) == len(toks) - 1:
        expr = expr[toks[0].end:toks[-1].start].strip()
        toks = tokenize(expr)
    for ops in ({"or"}, {"and", "unless"}, COMPARISONS):
        split = next((k for k, t in _top_level(toks) if (t.text.lower() if t.kind == "id" else t.text) in ops), None)
        if split is None:
            continue
        left, m = expr[:toks[split].start], split + 1
        while m < len(toks) and toks[m].text.lower() in {"bool", "on", "ignoring", "group_left", "group_right"}:
            m += 1
            if m < len(toks) and toks[m].text == "(":
                m = _closing(toks, m) + 1
        right = expr[toks[m].start:]
        parts = [left, right]
        if ops is COMPARISONS:
            parts = [p for p in parts if not _is_number(p)]
        return [target for part in parts for target in eval_targets(part)]
    if len(toks) > 2 and toks[0].text == "absent" and toks[1].text == "(" and _closing(toks, 1) == len(toks) - 1:
        return eval_targets(expr[toks[1].end:toks[-1].start])
    return [expr]


def metric_name(selector: str) -> str | None:
    """The metric name a selector starts with; None for a selector by matchers only (``{__name__="x"}``)."""
    m = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", selector)
    return m.group() if m else None
