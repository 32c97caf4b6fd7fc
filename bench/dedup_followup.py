"""What tells a follow-up from a copy or an update? Pair features per class (issue 11, report only).

For every query of ``bench/dedup.py``'s sets and of ``bench/dedup_heldout.py``'s streams that has a reference
article (the original of a copy or an update, the earlier article of a follow-up or a sibling), the pair's
features as the index sees them: containment and Jaccard of the sketches, ``new`` = share of the query's sketch not
in the earlier one (1 - ``inside`` of ``DedupIndex._score``), ``lost`` = share of the earlier sketch not in the query,
the fact comparison (``facts.compare``: novel facts, replaced values), and, from the bodies (not in the index),
``lede`` = share of the word 3-shingles of the query's first 60 words found in the earlier body. Then how many pairs
of each class candidate follow-up rules would call a follow-up.

    .venv/bin/python bench/dedup_followup.py            # ~3 min
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import dedup_data as D
import dedup_heldout as H

from workers.core import facts as FX
from workers.core import fingerprint as F

_WORD = re.compile(r"\w+")
LEDE_WORDS = 60


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


def features(old: D.Doc | D.Query, new: D.Query) -> dict:
    fo, fn = F.fingerprint(old.body), F.fingerprint(new.body)
    mo, mn = F.stored_bytes(fo.sketch), F.stored_bytes(fn.sketch)
    shared, a, b = F.overlap_packed(mn, F.pack(fo.sketch, 0, mo), 0, F.SKETCH)
    cmp = FX.compare(FX.extract(old.body, old.title), FX.extract(new.body, new.title))
    wo, wn = _WORD.findall(old.body.lower()), _WORD.findall(new.body.lower())
    lede = [tuple(wn[i:i + 3]) for i in range(max(0, min(LEDE_WORDS, len(wn)) - 2))]
    osh = _shingles(wo)
    return {"c": shared / min(a, b) if min(a, b) else 0.0, "j": shared / (a + b - shared) if a + b > shared else 0.0,
            "new": 1 - shared / a if a else 0.0, "lost": 1 - shared / b if b else 0.0,
            "novel": cmp.novel, "conflicts": cmp.conflicts,
            "lede": sum(x in osh for x in lede) / len(lede) if lede else 1.0}


def pairs(scenarios: list[D.Scenario], tag: str) -> list[tuple[str, dict]]:
    out = []
    for sc in scenarios:
        by_id = {d.id: d for d in sc.originals}
        for q in sc.queries:
            ref = by_id.get(q.related or q.expected or "")
            if ref is not None:
                out.append((f"{tag} {q.kind}", features(ref, q)))
    return out


def _q(xs: list[float]) -> str:
    xs = sorted(xs)
    return "/".join(f"{xs[round(p * (len(xs) - 1))]:.2f}".rstrip("0").rstrip(".") or "0"
                    for p in (0.05, 0.25, 0.5, 0.75, 0.95))


RULES = {
    "new >= 0.2 and novel >= 5": lambda f: f["new"] >= 0.2 and f["novel"] >= 5,
    "new >= 0.2 and novel >= 8 and 0.03 <= lost < 0.25": lambda f: f["new"] >= 0.2 and f["novel"] >= 8
    and 0.03 <= f["lost"] < 0.25,
    "lede < 0.3 and new >= 0.15": lambda f: f["lede"] < 0.3 and f["new"] >= 0.15,
    "lede < 0.3 and new >= 0.15 and novel >= 3": lambda f: f["lede"] < 0.3 and f["new"] >= 0.15 and f["novel"] >= 3,
}


def main() -> int:
    detik, bench, labels = D.load_detik(), D.load_benchmark(), D.load_labels()
    recs = pairs([D.copies_set(detik, bench, labels, 200, 125), D.stories_set(detik, bench, labels, 600),
                  *D.natural_followups(detik, labels), *D.negatives_set(detik, bench, labels, 150)], "dedup.py")
    for seed in (1, 2, 3):
        stream, _ = H.build(detik, bench, labels, 400, seed)
        recs += pairs([stream], "heldout")
    by: dict[str, list[dict]] = defaultdict(list)
    for k, f in recs:
        if f["c"] >= 0.7 and f["j"] >= 0.1:  # sketch matches: the pairs the fact check decides
            by[k].append(f)
    print("pairs at containment >= 0.70 (sketch matches); quantiles 5/25/50/75/95 %\n")
    print("| set, class | n | new | lost | novel facts | replaced values | lede in earlier |")
    print("|---|---|---|---|---|---|---|")
    for k in sorted(by):
        fs = by[k]
        print(f"| {k} | {len(fs)} | " + " | ".join(_q([f[x] for f in fs]) for x in
                                                    ("new", "lost", "novel", "conflicts", "lede")) + " |")
    print("\ncalled a follow-up by candidate rules (pairs of the class):\n")
    print("| set, class | n | " + " | ".join(RULES) + " |")
    print("|---|---|" + "---|" * len(RULES))
    for k in sorted(by):
        fs = by[k]
        print(f"| {k} | {len(fs)} | " + " | ".join(str(sum(1 for f in fs if r(f))) for r in RULES.values()) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
