"""Near-duplicate story detection: quality, speed and memory, newsworker beside datasketch, simhash and rensa.

    /work/venv/bin/python bench/dedup.py            # full run (~10 min on 2 shared cores)
    /work/venv/bin/python bench/dedup.py --quick    # smaller sets, fewer repeats (~1-2 min)
    /work/venv/bin/python bench/dedup.py --grid     # also the parameter grid (shingle, sketch, anchors, thresholds)

Quality: every system sees the same stream and keeps stories the same way (an
article that matches joins the story of its match; every article is added to
the index). A "duplicate" verdict is a true positive only when it names the
right story. Sets (see bench/dedup_data.py): (a) natural detik republications,
(b) controlled edits, (c) hard negatives. Speed: fingerprint + index lookup +
insert from the body text, 500-word bodies, one process, median of runs.
Memory: N synthetic articles indexed in a dict store, extrapolated to 1M.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import dedup_data as D
import numpy as np

from bench import common
from workers.core import facts as FX
from workers.core import fingerprint as F
from workers.core.dedup import DEFAULT_THRESHOLD, MIN_JACCARD, DedupIndex, _codes

_TOKEN = re.compile(r"\w+", re.UNICODE)
T0 = datetime(2025, 10, 1, tzinfo=UTC)


def word_shingles(text: str, k: int = 3) -> list[str]:
    w = _TOKEN.findall(text.lower())
    if len(w) < k:
        return [" ".join(w)] if w else []
    return list(map(" ".join, zip(*(w[i:] for i in range(k)), strict=False)))  # shorter tails: fewer shingles


# -- systems: add(id, body) -> (status, story id) ----------------------------------

class Newsworker:
    name = "newsworker"

    def __init__(self, threshold=DEFAULT_THRESHOLD, min_jaccard=MIN_JACCARD, shingle=F.SHINGLE, sketch=F.SKETCH,
                 anchors=F.ANCHORS, query_anchors=F.QUERY_ANCHORS, index_copies=True, cache=None, use_facts=True):
        self.index = DedupIndex({}, threshold, min_jaccard, anchors=anchors, sketch=sketch, index_copies=index_copies,
                                use_facts=use_facts)
        self.last = None
        self.shingle, self.sketch, self.query_anchors = shingle, sketch, query_anchors
        self.cache = cache if cache is not None else {}
        self.n = 0

    def fp(self, body: str) -> F.Fingerprint:
        key = (body, self.shingle, self.sketch, self.query_anchors)
        fp = self.cache.get(key)
        if fp is None:
            if (self.shingle, self.sketch, self.query_anchors) == (F.SHINGLE, F.SKETCH, F.QUERY_ANCHORS):
                fp = F.fingerprint(body)
            else:
                ch, sk = F._analyse(body, self.shingle, self.sketch)
                fp = F.Fingerprint(ch, tuple(sk.tolist()), F.anchor_keys(sk, self.query_anchors))
            self.cache[key] = fp
        return fp

    def facts(self, body: str, title: str):
        key = ("facts", body, title)
        fx = self.cache.get(key)
        if fx is None:
            fx = self.cache[key] = FX.pack(FX.extract(body, title))
        return fx

    def add(self, aid: str, body: str, title: str = ""):
        self.n += 1
        v = self.index.check_and_add(aid, self.fp(body), None, title or None, T0 + timedelta(seconds=self.n),
                                     self.facts(body, title))
        self.last = v
        return v.status, v.story_id


class NewsworkerNoFacts(Newsworker):
    name = "newsworker-no-facts"  # the sketch alone (the verdicts before issue 11)

    def __init__(self, **kw):
        super().__init__(use_facts=False, **kw)


class _Stories:
    """Story bookkeeping for the reference systems, the same rule as the index's."""

    def __init__(self):
        self.story: dict[str, str] = {}

    def assign(self, aid: str, match: str | None):
        if match is None:
            self.story[aid] = aid
            return "unique", aid
        self.story[aid] = self.story[match]
        return "duplicate", self.story[match]


class Datasketch(_Stories):
    name = "datasketch"  # MinHashLSH(threshold=0.5, num_perm=128), word 3-shingles, candidates verified at J >= 0.5

    def __init__(self, threshold=0.5, num_perm=128):
        super().__init__()
        from datasketch import MinHash, MinHashLSH

        self.MinHash, self.num_perm, self.threshold = MinHash, num_perm, threshold
        self.lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.mh: dict[str, object] = {}

    def sketch(self, body):
        m = self.MinHash(num_perm=self.num_perm)
        m.update_batch([s.encode("utf-8") for s in word_shingles(body)])
        return m

    def add(self, aid, body, title=""):
        m = self.sketch(body)
        best, best_j = None, 0.0
        for c in self.lsh.query(m):
            j = m.jaccard(self.mh[c])
            if j >= self.threshold and j > best_j:
                best, best_j = c, j
        self.lsh.insert(aid, m)
        self.mh[aid] = m
        return self.assign(aid, best)


class SimhashSys(_Stories):
    name = "simhash"  # simhash package defaults (char 4-grams of the word characters), 64 bits, Hamming <= 3

    def __init__(self, k=3):
        super().__init__()
        from simhash import Simhash, SimhashIndex

        self.Simhash, self.index, self.sh = Simhash, SimhashIndex([], f=64, k=k), {}

    def add(self, aid, body, title=""):
        s = self.Simhash(body)
        best, best_d = None, 99
        for c in self.index.get_near_dups(s):
            d = s.distance(self.sh[c])
            if d < best_d:
                best, best_d = c, d
        self.index.add(aid, s)
        self.sh[aid] = s
        return self.assign(aid, best)


class Rensa(_Stories):
    name = "rensa"  # RMinHashLSH(threshold=0.5, num_perm=128, num_bands=16), word 3-shingles, verified at J >= 0.5

    def __init__(self, threshold=0.5, num_perm=128, bands=16):
        super().__init__()
        from rensa import RMinHash, RMinHashLSH

        self.RMinHash, self.num_perm, self.threshold = RMinHash, num_perm, threshold
        self.lsh = RMinHashLSH(threshold, num_perm, bands)
        self.keys: list[str] = []
        self.mh: list[object] = []

    def features(self, body):
        return word_shingles(body)

    def add(self, aid, body, title=""):
        m = self.RMinHash(num_perm=self.num_perm, seed=42)
        m.update(self.features(body))
        best, best_j = None, 0.0
        for c in self.lsh.query(m):
            j = m.jaccard(self.mh[c])
            if j >= self.threshold and j > best_j:
                best, best_j = self.keys[c], j
        self.lsh.insert(len(self.keys), m)
        self.keys.append(aid)
        self.mh.append(m)
        return self.assign(aid, best)


class RensaWords(Rensa):
    name = "rensa-words"  # rensa's own README setup: whitespace tokens, no shingles

    def features(self, body):
        return body.split()


SYSTEMS = {"newsworker": Newsworker, "newsworker-no-facts": NewsworkerNoFacts, "datasketch": Datasketch,
           "simhash": SimhashSys, "rensa": Rensa}


# -- scoring -----------------------------------------------------------------------

class Counts:
    def __init__(self):
        self.tp = self.fp = self.fn = self.tn = 0

    def __iadd__(self, o):
        self.tp += o.tp
        self.fp += o.fp
        self.fn += o.fn
        self.tn += o.tn
        return self

    def prf(self):
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


class Natural:
    """Per-article truth for the detik stream, from bench/data/detik_pairs.json.

    An article is a true duplicate when it has a 'dup' edge (or an identical row)
    to an article already seen; stories are the connected components of those
    edges among the articles seen so far (so a later article never makes an
    earlier one a duplicate after the fact).
    """

    def __init__(self, docs: list[D.Doc], labels: dict):
        self.docs = docs
        raw = defaultdict(list)
        for d in docs:
            raw[d.meta["raw_hash"]].append(d.id)
        self.group = {i: tuple(sorted(g, key=int)) for g in raw.values() for i in g}  # identical rows
        self.edges: dict[str, set] = defaultdict(set)
        for g in set(self.group.values()):
            for a in g:
                self.edges[a].update(x for x in g if x != a)
        self.excluded: set[frozenset] = set()
        self.diff: set[frozenset] = set()
        for p in labels["pairs"]:
            for a in self.group[p["a"]]:
                for b in self.group[p["b"]]:
                    if p["label"] == "dup":
                        self.edges[a].add(b)
                        self.edges[b].add(a)
                    elif p["label"] == "diff":
                        self.diff.add(frozenset((a, b)))
                    else:
                        self.excluded.add(frozenset((a, b)))

    def score(self, system, detail: dict | None = None) -> Counts:
        c = Counts()
        parent: dict[str, str] = {}

        def find(x):
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        members: dict[str, list[str]] = defaultdict(list)  # system story -> its articles
        for d in self.docs:
            status, story = system.add(d.id, d.body, d.title)
            parent[d.id] = d.id
            earlier = [e for e in self.edges[d.id] if e in parent and e != d.id]
            for e in earlier:
                parent[find(e)] = find(d.id)
            truth = bool(earlier)
            comp = find(d.id)
            if status == "duplicate":
                mates = members[story]
                right = truth and any(find(x) == comp for x in mates)
                self._score_duplicate(c, d.id, mates, truth, right, detail if detail is not None else {})
            else:
                if truth:
                    c.fn += 1
                    if detail is not None:
                        detail.setdefault("fn-ids", []).append(d.id)
                else:
                    c.tn += 1
            members[story].append(d.id)
        return c

    def _score_duplicate(self, c: Counts, aid: str, mates: list[str], truth: bool, right: bool, detail: dict) -> None:
        """Count a "duplicate" verdict: right story, a pair excluded from scoring, or a false positive."""
        if right:
            c.tp += 1
            kind = "exact" if any(x in self.group[aid] for x in mates) else "near"
            detail[f"tp-{kind}"] = detail.get(f"tp-{kind}", 0) + 1
        elif any(frozenset((aid, x)) in self.excluded for x in mates):
            c.fn += truth
            detail["excluded-merged"] = detail.get("excluded-merged", 0) + 1
        else:
            c.fp += 1
            c.fn += truth
            hard = any(frozenset((aid, x)) in self.diff for x in mates)
            detail["fp-hard" if hard else "fp-other"] = detail.get("fp-hard" if hard else "fp-other", 0) + 1
            detail.setdefault("fp-ids", []).append((aid, mates[0]))


def score_scenario(system, sc: D.Scenario, detail: dict | None = None, kind_counts: dict | None = None,
                   records: list | None = None) -> Counts:
    """Originals must stay unique; a copy must join its original's story.

    ``records`` gets (query kind, right verdict, status, dedup kind, related_to right) per query."""
    c = Counts()
    members: dict[str, set] = defaultdict(set)  # system story -> true stories (original ids) of its articles
    story_of: dict[str, str] = {}
    for d in sc.originals:
        status, story = system.add(d.id, d.body, d.title)
        story_of[d.id] = story
        if status == "duplicate":
            c.fp += 1
            if detail is not None:
                detail.setdefault("fp-originals", []).append(d.id)
        else:
            c.tn += 1
        members[story].add(d.id)
    for q in sc.queries:
        status, story = system.add(q.id, q.body, q.title)
        if records is not None:
            v = getattr(system, "last", None)
            ok_story = (status == "unique" if q.expected is None
                        else status == "duplicate" and story == story_of[q.expected])
            records.append((q.kind, ok_story, status, v.kind if v else None,
                            (v.related_to is not None) if (v and q.related) else None))
        if q.expected is None:
            ok = status == "unique"
            c.tn += ok
            c.fp += not ok
        else:
            # right: the original's story; a story made only of other copies of the same original is a miss,
            # not a false merge; any other story is both
            ok = status == "duplicate" and story == story_of[q.expected]
            c.tp += ok
            c.fn += not ok
            c.fp += status == "duplicate" and not ok and members[story] != {q.expected}
            members[story].add(q.expected)
        if kind_counts is not None:
            kc = kind_counts.setdefault(q.kind, [0, 0])
            kc[0] += ok
            kc[1] += 1
    return c


def evaluate(make_system, data, detail: dict | None = None) -> dict:
    """Counts per set for one system; make_system() gives a fresh, empty system."""
    out = {}
    det: dict = {}
    out["natural"] = data["natural"].score(make_system(), det if detail is not None else None)
    kinds: dict = {}
    records: list = []
    out["copies"] = score_scenario(make_system(), data["copies"], det, kinds, records)
    neg, neg_synthetic = Counts(), Counts()
    nk: dict = {}
    for sc in data["negatives"]:
        c = score_scenario(make_system(), sc, None, nk, records)
        neg += c
        if sc.name != "natural-diff":
            neg_synthetic += c
    out["negatives"] = neg
    out["stories"] = score_scenario(make_system(), data["stories"], None, kinds, records)
    fu = Counts()
    for sc in data["followups"]:
        fu += score_scenario(make_system(), sc, None, kinds, records)
    out["followups"] = fu
    # overall: (a) + (b) + the negatives not already in (a) (the natural 'diff' pairs are part of the detik stream)
    total = Counts()
    for v in (out["natural"], out["copies"], neg_synthetic):
        total += v
    out["overall"] = total
    # issue 11: positives are copies and updates; siblings and follow-ups must start stories of their own
    stories_total = Counts()
    for v in (out["copies"], neg_synthetic, out["stories"], out["followups"]):
        stories_total += v
    out["overall_stories"] = stories_total
    if detail is not None:
        detail.update(det)
        detail["variants"] = kinds
        detail["negative_kinds"] = nk
        detail["records"] = records
    return out


def fmt_prf(c: Counts, negatives_only: bool = False) -> str:
    if negatives_only:
        n = c.fp + c.tn
        return f"FP {c.fp}/{n}"
    p, r, f = c.prf()
    return f"P {p:.3f} R {r:.3f} F1 {f:.3f}"


COPY_VARIANTS = set(D.VARIANTS) | {"copy:typos"}
NEGATIVE_KINDS = {"natural-diff", "same-topic-day", "follow-up", "same-boilerplate"}


def class_of(kind: str) -> str:
    if kind in COPY_VARIANTS:
        return "near copy"
    if kind in NEGATIVE_KINDS:
        return "same-topic negative"
    return {"update": "update", "sibling": "sibling", "follow-up": "follow-up (natural)"}[kind.split(":")[0]]


def class_table(records: list) -> dict:
    """Per class: [n, right verdict, right kind, related_to set, n with an expected related_to]."""
    out: dict = {}
    expected_kinds = {"near copy": ("near", "exact"), "update": ("update",), "sibling": ("sibling",),
                      "follow-up (natural)": ("follow_up", "sibling"),
                      "same-topic negative": ("new", "follow_up", "sibling")}
    for kind, ok, _status, dkind, rel in records:
        for cls in (class_of(kind), kind if ":" in kind else None):
            if cls is None:
                continue
            row = out.setdefault(cls, [0, 0, 0, 0, 0])
            row[0] += 1
            row[1] += ok
            row[2] += dkind in expected_kinds[class_of(kind)]
            if rel is not None:
                row[3] += rel
                row[4] += 1
    return out


def print_classes(results: dict, names: list[str], data: dict) -> None:
    print("\n### Per class (issue 11): right verdict (positives: joined the right story; others: a story of "
          "their own)\n")
    tables = {n: class_table(results["details"][n]["records"]) for n in names}
    n_exact = sum(len(g) - 1 for g in {tuple(v) for v in data["natural"].group.values()})
    print("| class | n | " + " | ".join(names) + " | newsworker: kind right | newsworker: related_to set |")
    print("|---|---|" + "---|" * len(names) + "---|---|")
    print(f"| exact (identical detik rows) | {n_exact} | " + " | ".join(
        f"{results['details'][n].get('tp-exact', 0) / n_exact:.3f}" for n in names) + " | - | - |")
    order = ["near copy", "update", "sibling", "follow-up (natural)", "same-topic negative"]
    extra = sorted(k for k in tables[names[0]] if ":" in k)
    for cls in order + extra:
        if cls not in tables[names[0]]:
            continue
        row0 = tables[names[0]][cls]
        held = " (held out)" if cls.split(":")[-1] in D.HELD_OUT else ""
        cells = [f"{tables[n][cls][1] / tables[n][cls][0]:.3f}" for n in names]
        nw = tables.get("newsworker", {}).get(cls)
        kind = f"{nw[2] / nw[0]:.3f}" if nw else "-"
        rel = f"{nw[3] / nw[4]:.3f}" if nw and nw[4] else "-"
        print(f"| {cls}{held} | {row0[0]} | " + " | ".join(cells) + f" | {kind} | {rel} |")
    print("\nPositives = copies and updates, negatives = siblings, follow-ups, same-topic (sets b, c, stories, "
          "natural follow-ups): " + "; ".join(
              f"{n} {fmt_prf(_counts(results['quality'][n]['overall_stories']))}" for n in names))


def _counts(d: dict) -> Counts:
    c = Counts()
    c.__dict__.update(d)
    return c


# -- speed -----------------------------------------------------------------------------

def bodies_500(n: int, pool: list[str], seed: int) -> list[str]:
    """n distinct 500-word bodies: real words drawn with their corpus frequencies, in sentences and paragraphs.

    Not real stories (those run out after a few hundred), but the same word lengths,
    punctuation, capitals and share of curly quotes as the corpus, and only the
    phrase overlap that chance gives: what a stream of mostly different stories looks like.
    """
    rng = np.random.default_rng(seed)
    counts: dict[str, int] = defaultdict(int)
    for b in pool:
        for w in b.split():
            w = w.strip(".,;:!?()\"'“”‘’")
            if w and w.isascii():  # non-ASCII text (quotes, the odd Arabic verse) enters below, at the corpus rate
                counts[w] += 1
    vocab = np.array(sorted(counts))
    p = np.array([counts[w] for w in vocab], dtype=float)
    p /= p.sum()
    quoted = sum(1 for b in pool if not b.isascii()) / len(pool)  # bodies with any non-ASCII character
    out = []
    for _ in range(n):
        words = list(vocab[rng.choice(vocab.size, size=500, p=p)])
        paras, para = [], []
        i = 0
        curly = rng.random() < quoted
        while i < 500:
            k = min(int(rng.integers(8, 26)), 500 - i)
            s = words[i : i + k]
            s[0] = s[0][:1].upper() + s[0][1:]
            text = " ".join(s) + "."
            if curly and rng.random() < 0.2:
                text = f"“{text}” kata dia."
            para.append(text)
            i += k
            if len(para) >= int(rng.integers(2, 5)):
                paras.append(" ".join(para))
                para = []
        if para:
            paras.append(" ".join(para))
        out.append("\n\n".join(paras))
    return out


def _clock() -> float:
    """CPU seconds of this process: on a machine shared with other jobs, wall time measures them too."""
    return time.process_time()


def throughput(make_system, prefill: list[str], batches: list[list[str]]) -> float:
    """Median articles/s over the batches, each sent to a system pre-filled with ``prefill``."""
    sys_ = make_system()
    for i, b in enumerate(prefill):
        sys_.add(f"p{i}", b)
    rates = []
    n = 0
    for batch in batches:
        gc.collect()
        t = _clock()
        for b in batch:
            n += 1
            sys_.add(f"q{n}", b)
        rates.append(len(batch) / (_clock() - t))
    return statistics.median(rates)


class NoCache(Newsworker):
    """Fingerprints made in the timed loop; facts from FACTS (the extract stage makes them, timed apart)."""

    FACTS: dict = {}

    def fp(self, body):
        return F.fingerprint(body)

    def facts(self, body, title):
        fx = self.FACTS.get(body)
        return fx if fx is not None else FX.pack(FX.extract(body, title))


def edited_copies(bodies: list[str], n: int, seed: int) -> list[str]:
    """n copies of bodies with every 40th word replaced by a capitalised other word: matches with fact checks."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        words = bodies[int(rng.integers(len(bodies)))].split(" ")
        for j in range(int(rng.integers(40)), len(words), 40):
            words[j] = f"Xq{int(rng.integers(1 << 30)):x}"
        out.append(" ".join(words))
    return out


def stream_speed(make_system, docs: list[D.Doc], runs: int) -> float:
    """Median articles/s for the whole detik stream (real bodies, real copies) into a fresh system."""
    rates = []
    for _ in range(runs):
        s = make_system()
        gc.collect()
        t = _clock()
        for d in docs:
            s.add(d.id, d.body)
        rates.append(len(docs) / (_clock() - t))
    return statistics.median(rates)


def speed(pool: list[str], quick: bool) -> dict:
    runs = 3 if quick else 5
    big = 400 if quick else 2000
    prefill_n = 1000 if quick else 5000
    bodies = bodies_500(prefill_n + runs * big, pool, 7)
    prefill, rest = bodies[:prefill_n], bodies[prefill_n:]
    batches = [rest[i * big : (i + 1) * big] for i in range(runs)]
    small = [b[: max(50, big // 10)] for b in batches]  # datasketch is slow: fewer articles per run
    res = {}
    t = _clock()
    NoCache.FACTS = {b: FX.pack(FX.extract(b)) for b in bodies}
    res["fact extraction alone (extract stage; not in the rates below)"] = len(bodies) / (_clock() - t)
    res["newsworker"] = throughput(NoCache, prefill, batches)
    mixed = [b[: len(b) * 3 // 4] + edited_copies(prefill, len(b) // 4, 5 + i) for i, b in enumerate(batches)]
    NoCache.FACTS.update({b: FX.pack(FX.extract(b)) for m in mixed for b in m})
    res["newsworker, a quarter of them edited copies (fact checks)"] = throughput(NoCache, prefill, mixed)
    # fingerprint alone / lookup alone
    rates = []
    for batch in batches:
        t = _clock()
        for b in batch:
            F.fingerprint(b)
        rates.append(len(batch) / (_clock() - t))
    res["newsworker fingerprint only"] = statistics.median(rates)
    idx = DedupIndex({})
    for i, b in enumerate(prefill):
        idx.check_and_add(f"p{i}", F.fingerprint(b), None, None, T0, NoCache.FACTS[b])
    rates = []
    n = 0
    for batch in batches:
        fps = [(F.fingerprint(b), NoCache.FACTS[b]) for b in batch]
        t = _clock()
        for fp, fx in fps:
            n += 1
            idx.check_and_add(f"q{n}", fp, None, None, T0, fx)
        rates.append(len(fps) / (_clock() - t))
    res["newsworker index only (check_and_add)"] = statistics.median(rates)
    rates = []
    for batch in batches:
        prints = [F.fingerprint(b) for b in batch]
        t = _clock()
        for p in prints:
            assert p.stored is not None  # (always made by fingerprint())
            idx._best_candidate(p.stored, idx._candidates(_codes(p.anchors), 0))
        rates.append(len(prints) / (_clock() - t))
    res["newsworker lookup only (no insert)"] = statistics.median(rates)
    res["rensa (word 3-shingles, as compared for quality)"] = throughput(Rensa, prefill, batches)
    res["rensa (its usual setup: text.split() tokens)"] = throughput(RensaWords, prefill, batches)
    res["simhash"] = throughput(SimhashSys, prefill[: prefill_n // 5], small)
    res["datasketch"] = throughput(Datasketch, prefill[: prefill_n // 5], small)
    return res


# -- memory --------------------------------------------------------------------------------

def deep_size(store: dict) -> int:
    """Bytes of the store's own objects (the dict, keys, values, nested lists/dicts, strings, numbers)."""
    seen: set[int] = set()
    total = sys.getsizeof(store)

    def walk(o):
        nonlocal total
        if id(o) in seen:
            return
        seen.add(id(o))
        total += sys.getsizeof(o)
        if isinstance(o, dict):
            for k, v in o.items():
                walk(k)
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    for k, v in store.items():
        walk(k)
        walk(v)
    return total


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def synthetic_texts(n: int, seed: int = 11):
    """n distinct article bodies (300-600 words) drawn from a Zipf vocabulary: all different stories.

    One word in 7 of the vocabulary is capitalised and one in 20 is a number, so that bodies carry facts
    (~15 % of their words, as news text does)."""
    rng = np.random.default_rng(seed)
    vocab = np.array([str(i * 37) if i % 20 == 3 else (f"W{i:x}" if i % 7 == 1 else f"w{i:x}") for i in range(50_000)])
    cdf = np.cumsum(1.0 / np.arange(1, vocab.size + 1))
    cdf /= cdf[-1]
    for _ in range(n):
        k = int(rng.integers(300, 601))
        yield " ".join(vocab[np.minimum(cdf.searchsorted(rng.random(k)), vocab.size - 1)])


class CountingStore(dict):
    """A dict store that counts what a changelog would carry: key + value bytes of every write (the index's values
    are bytes, written raw: the worker's table has value_type=bytes, Faust's "raw" serializer)."""

    written = 0
    writes = 0

    def __setitem__(self, key, value):
        self.written += len(key) + len(value)
        self.writes += 1
        super().__setitem__(key, value)


class RocksStore:
    """A RocksDB table (rocksdict, as Faust's RocksDB store): str keys, raw bytes values."""

    def __init__(self, path: str):
        from rocksdict import Options, Rdict

        opts = Options(raw_mode=True)
        self.db = Rdict(path, opts)
        self.written = 0
        self.writes = 0

    def get(self, key, default=None):
        v = self.db.get(key.encode())
        return default if v is None else v

    def __getitem__(self, key):
        v = self.get(key)
        if v is None:
            raise KeyError(key)
        return v

    def __setitem__(self, key, value):
        self.written += len(key) + len(value)
        self.writes += 1
        self.db[key.encode()] = value

    def __contains__(self, key):
        return self.db.get(key.encode()) is not None

    def pop(self, key, default=None):
        v = self.get(key, default)
        del self.db[key.encode()]
        return v

    def keys(self):
        return (cast(bytes, k).decode() for k in self.db.keys())  # noqa: SIM118 - an Rdict has no __iter__

    def __iter__(self):
        return iter(self.keys())

    def items(self):
        return ((cast(bytes, k).decode(), v) for k, v in self.db.items())  # raw_mode: bytes


def memory(n: int, store_kind: str = "dict") -> dict:
    """Index n distinct synthetic articles; RSS growth, the store's size, bytes written, restore time."""
    import tempfile

    gc.collect()
    before = rss()
    store: CountingStore | RocksStore
    tmp = None
    if store_kind == "rocksdb":
        tmp = tempfile.mkdtemp(prefix="nw-rocks-")
        store = RocksStore(tmp)
    else:
        store = CountingStore()
    idx = DedupIndex(store)  # type: ignore[arg-type]  # RocksStore: the mapping methods the index uses
    t0 = time.perf_counter()
    fx = None
    for i, text in enumerate(synthetic_texts(n)):
        if i % 50 == 0:  # facts of every 50th text, reused by the next 49: the same size, 50x less extraction
            fx = FX.pack(FX.extract(text))  # (the texts are distinct stories: no fact comparison ever reads them)
        idx.check_and_add(f"{i:024x}", F.fingerprint(text), "example.com", None, T0 + timedelta(seconds=i // 10), fx)
    elapsed = time.perf_counter() - t0
    gc.collect()
    after = rss()
    out = {"n": n, "store": store_kind, "seconds": elapsed, "rss_bytes_per_article": (after - before) / n,
           "written_bytes_per_article": store.written / n, "writes_per_article": store.writes / n,
           "anchor_table_bytes_per_article": _anchor_bytes(idx) / n}
    del idx
    if isinstance(store, CountingStore):
        out.update(_changelog_and_restore(store, n))
    else:
        assert tmp is not None
        out.update(_rocks_sizes(store, tmp, n))
    return out


def _changelog_and_restore(store: CountingStore, n: int) -> dict:
    """The compacted changelog of a dict store, and a restore from it: each entry moved out of the store as a
    changelog record (key as JSON: Faust's serializer for str keys; value raw) and read back into a new dict (moved,
    so that the measure does not need twice the memory); then what the process derives at start (``_load``)."""
    import orjson

    out: dict = {}
    if n <= 200_000:  # a walk over every object: too much memory of its own at a million
        out["python_bytes_per_article"] = deep_size(store) / n
    kinds: dict = defaultdict(int)
    json_bytes = 0
    restored: dict = {}
    load_seconds = 0.0
    for k in list(store):
        raw = dict.pop(store, k)
        kraw = orjson.dumps(k)
        kinds[k[:2]] += 1
        json_bytes += len(kraw) + len(raw)
        t1 = time.process_time()
        restored[orjson.loads(kraw)] = raw
        load_seconds += time.process_time() - t1
    t1, c1 = time.perf_counter(), time.process_time()
    held = DedupIndex(restored).size_hint()
    out["rebuild_seconds"], out["rebuild_cpu_seconds"] = time.perf_counter() - t1, time.process_time() - c1
    assert held == n, (held, n)
    out.update(restore_seconds=load_seconds, keys=sum(kinds.values()), keys_by_prefix=dict(kinds),
               json_bytes_per_article=json_bytes / n)
    return out


def _rocks_sizes(store: RocksStore, tmp: str, n: int) -> dict:
    """The compacted changelog of a RocksDB store, its files, and a restart on them (``_load``)."""
    import shutil

    import orjson

    kinds: dict = defaultdict(int)
    json_bytes = 0
    for k, v in store.items():
        kinds[k[:2]] += 1
        json_bytes += len(orjson.dumps(k)) + len(v)
    store.db.flush()
    t1, c1 = time.perf_counter(), time.process_time()
    held = DedupIndex(store).size_hint()  # type: ignore[arg-type]  # a restart on the same files
    rebuild, rebuild_cpu = time.perf_counter() - t1, time.process_time() - c1
    assert held == n, (held, n)
    store.db.close()
    disk = sum(f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file())
    shutil.rmtree(tmp, ignore_errors=True)
    return {"rebuild_seconds": rebuild, "rebuild_cpu_seconds": rebuild_cpu, "disk_bytes_per_article": disk / n,
            "keys": sum(kinds.values()),
            "keys_by_prefix": dict(kinds), "json_bytes_per_article": json_bytes / n}


def _anchor_bytes(idx: DedupIndex) -> int:
    """Bytes of the C anchor table's slot arrays (0 for the Python one: counted in RSS only)."""
    table = idx._memory().anchors
    return table.nbytes() if hasattr(table, "nbytes") else 0


def print_memory(mem: dict) -> None:
    n = mem["n"]
    print(f"{mem['store']} store, {n:,} articles indexed in {mem['seconds']:.0f} s; keys: {mem['keys']:,} "
          f"{mem['keys_by_prefix']}")
    rows = [("RSS growth", mem["rss_bytes_per_article"]),
            ("compacted changelog (JSON key + raw value of every live entry)", mem["json_bytes_per_article"]),
            ("bytes written to the changelog (every assignment)", mem["written_bytes_per_article"])]
    if "python_bytes_per_article" in mem:
        rows.append(("Python objects held by the store", mem["python_bytes_per_article"]))
    if "disk_bytes_per_article" in mem:
        rows.append(("RocksDB files on disk", mem["disk_bytes_per_article"]))
    if mem.get("anchor_table_bytes_per_article"):
        rows.append(("of the RSS: the anchor table (C slot arrays)", mem["anchor_table_bytes_per_article"]))
    print("| measure | per article | per million |\n|---|---|---|")
    for name, v in rows:
        print(f"| {name} | {v:,.0f} B | {v * 1e6 / 1e9:.2f} GB |")
    print(f"\nwrites per article: {mem['writes_per_article']:.1f}"
          + ("; restore of the compacted changelog into a dict (key decode + insert): "
             f"{mem['restore_seconds']:.1f} s CPU"
             if "restore_seconds" in mem else "")
          + (f"; rebuild of the anchor table and queues from the entries: {mem['rebuild_seconds']:.1f} s "
             f"({mem.get('rebuild_cpu_seconds', 0):.1f} s CPU)" if "rebuild_seconds" in mem else ""))


# -- the parameter grid ---------------------------------------------------------------------

def grid(data, quick: bool, speed_bodies: list[str]) -> list[dict]:
    """Quality for shingle size x sketch size x threshold x min Jaccard, then anchors; fingerprint speed per size."""
    rows = []
    for k in (2, 3, 4, 5):
        for K in (32, 64, 128, 256):
            cache: dict = {}
            rates = []
            for _ in range(3):
                t = time.perf_counter()
                for b in speed_bodies:
                    F._analyse(b, k, K)
                rates.append(len(speed_bodies) / (time.perf_counter() - t))
            for t in (0.55, 0.6, 0.65, 0.7, 0.75, 0.8):
                for jm in (0.0, 0.1, 0.2):
                    res = evaluate(lambda t=t, jm=jm, k=k, K=K, cache=cache:  # loop values bound now
                                   Newsworker(t, jm, shingle=k, sketch=K, cache=cache), data)
                    rows.append({"shingle": k, "sketch": K, "anchors": F.ANCHORS, "query_anchors": F.QUERY_ANCHORS,
                                 "threshold": t, "min_jaccard": jm, "fingerprints_per_s": statistics.median(rates),
                                 **{s_: res[s_].prf() for s_ in ("natural", "copies", "overall")},
                                 "neg_fp": res["negatives"].fp})
    cache = {}
    for m, q in ((2, 4), (4, 8), (8, 8), (8, 12), (8, 16), (16, 32)):
        res = evaluate(lambda m=m, q=q: Newsworker(anchors=m, query_anchors=q, cache=cache), data)
        rows.append({"shingle": F.SHINGLE, "sketch": F.SKETCH, "anchors": m, "query_anchors": q,
                     "threshold": DEFAULT_THRESHOLD, "min_jaccard": MIN_JACCARD,
                     **{s_: res[s_].prf() for s_ in ("natural", "copies", "overall")}, "neg_fp": res["negatives"].fp})
    return rows


def print_grid(rows: list[dict]) -> None:
    print("| shingle | sketch | anchors | threshold | min J | fingerprints/s | (a) P / R / F1 | (b) R | (c) FP "
          "| overall P / R / F1 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        n, c, o = r["natural"], r["copies"], r["overall"]
        fps = f"{r['fingerprints_per_s']:,.0f}" if "fingerprints_per_s" in r else "-"
        print(f"| {r['shingle']} | {r['sketch']} | {r['anchors']}/{r['query_anchors']} | {r['threshold']:.2f} | "
              f"{r['min_jaccard']:.2f} | {fps} | {n[0]:.3f} / {n[1]:.3f} / {n[2]:.3f} | {c[1]:.3f} | {r['neg_fp']} | "
              f"{o[0]:.3f} / {o[1]:.3f} / {o[2]:.3f} |")


def seeds(data, n: int) -> list[dict]:
    """The chosen settings and their neighbours under n other byte-hash tables: how much is sampling noise."""
    saved = F._BYTE_HASH.copy()
    rows = []
    try:
        for seed in range(n):
            table = np.random.Generator(np.random.PCG64(1000 + seed)).integers(0, 1 << 64, size=256, dtype=np.uint64)
            table[0x20] = 0
            F._BYTE_HASH[:] = table
            for k in (2, 3):
                cache: dict = {}
                for t in (0.65, 0.7, 0.75):
                    res = evaluate(lambda t=t, k=k, cache=cache: Newsworker(t, MIN_JACCARD, shingle=k, cache=cache),
                                   data)
                    rows.append({"seed": seed, "shingle": k, "threshold": t,
                                 **{s_: res[s_].prf() for s_ in ("natural", "copies", "overall")},
                                 "neg_fp": res["negatives"].fp})
    finally:
        F._BYTE_HASH[:] = saved
    return rows


def print_seeds(rows: list[dict]) -> None:
    print("| shingle | threshold | (a) P | (a) R | (a) F1 | (b) R | (c) FP | overall F1 |")
    print("|---|---|---|---|---|---|---|---|")
    groups = defaultdict(list)
    for r in rows:
        groups[(r["shingle"], r["threshold"])].append(r)
    for (k, t), rs in sorted(groups.items()):
        def ms(vals):
            return f"{statistics.mean(vals):.3f} ± {statistics.pstdev(vals):.3f}"
        print(f"| {k} | {t:.2f} | {ms([r['natural'][0] for r in rs])} | {ms([r['natural'][1] for r in rs])} | "
              f"{ms([r['natural'][2] for r in rs])} | {ms([r['copies'][1] for r in rs])} | "
              f"{statistics.mean(r['neg_fp'] for r in rs):.1f} | {ms([r['overall'][2] for r in rs])} |")


# -- main ---------------------------------------------------------------------------------------

def machine() -> str:
    return f"{common.machine()}, numpy {np.__version__}, load average {os.getloadavg()[0]:.2f}"


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sets and fewer repeats")
    ap.add_argument("--grid", action="store_true", help="run the parameter grid too")
    ap.add_argument("--seeds", type=int, default=0, help="re-run the chosen settings with N other hash tables")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--no-memory", action="store_true")
    ap.add_argument("--memory-n", type=int, default=0, help="articles indexed for the memory measure")
    ap.add_argument("--store", choices=("dict", "rocksdb"), default="dict", help="store for the memory measure")
    ap.add_argument("--only-memory", action="store_true", help="the memory measure only")
    ap.add_argument("--numpy", action="store_true", help="without the C extension (the numpy fallback)")
    ap.add_argument("--systems", default="newsworker,datasketch,simhash,rensa")
    ap.add_argument("--json", help="write all results to this file")
    return ap.parse_args(argv)


def print_header() -> None:
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"C extension: {'no (numpy fallback)' if F._sketch is None else 'yes'}")
    print(f"date: {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(f"machine: {machine()}")
    print(f"newsworker: shingle={F.SHINGLE} sketch={F.SKETCH} anchors={F.ANCHORS}/{F.QUERY_ANCHORS} "
          f"threshold={DEFAULT_THRESHOLD} (containment) min_jaccard={MIN_JACCARD}")


def load_data(quick: bool, t0: float) -> tuple[dict, list, list]:
    detik = D.load_detik()
    bench = D.load_benchmark()
    labels = D.load_labels()
    n_detik, n_bench, n_neg = (60, 40, 40) if quick else (200, 125, 150)
    n_stories = 150 if quick else 600
    data = {
        "natural": Natural(detik, labels),
        "copies": D.copies_set(detik, bench, labels, n_detik, n_bench),
        "negatives": D.negatives_set(detik, bench, labels, n_neg),
        "stories": D.stories_set(detik, bench, labels, n_stories),
        "followups": D.natural_followups(detik, labels),
    }
    print(f"data: natural {len(detik)} detik rows; copies {len(data['copies'].originals)} originals x "
          f"{len(D.VARIANTS)} edits = {len(data['copies'].queries)}; negatives {len(data['negatives'])} pairs "
          f"({time.time() - t0:.0f}s)")
    return data, detik, bench


def evaluate_all(names: list[str], data: dict) -> dict:
    results: dict = {"quality": {}, "details": {}}
    for name in names:
        t = time.time()
        detail: dict = {}
        res = evaluate(SYSTEMS[name], data, detail)
        results["quality"][name] = {k: vars(v) for k, v in res.items()}
        results["details"][name] = detail
        print(f"  evaluated {name} in {time.time() - t:.0f}s")
    return results


def print_quality(results: dict, names: list[str]) -> None:
    print("\n### Quality (duplicate verdicts that name the right story)\n")
    print("| system | (a) natural detik | (b) controlled copies | (c) hard negatives | overall (a)+(b)+(c) synthetic |")
    print("|---|---|---|---|---|")
    for name in names:
        q = {k: Counts() for k in results["quality"][name]}
        for k, v in results["quality"][name].items():
            q[k].__dict__.update(v)
        print(f"| {name} | {fmt_prf(q['natural'])} | {fmt_prf(q['copies'])} | {fmt_prf(q['negatives'], True)} | "
              f"{fmt_prf(q['overall'])} |")
    print("\n(a) counts: " + "; ".join(
        f"{n}: TP {results['quality'][n]['natural']['tp']} (exact {results['details'][n].get('tp-exact', 0)}, "
        f"near {results['details'][n].get('tp-near', 0)}), FP {results['quality'][n]['natural']['fp']} "
        f"(hard {results['details'][n].get('fp-hard', 0)}), FN {results['quality'][n]['natural']['fn']}, "
        f"excluded pairs merged {results['details'][n].get('excluded-merged', 0)}" for n in names))
    near_pos = {}
    for n in names:
        dt = results["details"][n]
        qn = results["quality"][n]["natural"]
        tp = qn["tp"] - dt.get("tp-exact", 0)
        fn = qn["fn"]
        p = tp / (tp + qn["fp"]) if tp + qn["fp"] else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        near_pos[n] = (p, r, 2 * p * r / (p + r) if p + r else 0)
    print("(a) without the exact copies: "
          + "; ".join(f"{n} P {v[0]:.3f} R {v[1]:.3f} F1 {v[2]:.3f}" for n, v in near_pos.items()))


def print_per_edit_and_negative(results: dict, names: list[str]) -> None:
    print("\n### Recall per edit, (b)\n")
    print("| edit | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for v in D.VARIANTS:
        cells = []
        for n in names:
            ok, tot = results["details"][n]["variants"].get(v, [0, 0])
            cells.append(f"{ok / tot:.3f}" if tot else "-")
        print(f"| {v} | " + " | ".join(cells) + " |")
    print("\n### False positives per negative type, (c)\n")
    kinds = sorted({k for n in names for k in results["details"][n]["negative_kinds"]})
    print("| negative | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for k in kinds:
        cells = []
        for n in names:
            ok, tot = results["details"][n]["negative_kinds"].get(k, [0, 0])
            cells.append(f"{tot - ok}/{tot}")
        print(f"| {k} | " + " | ".join(cells) + " |")


def run_speed(results: dict, names: list[str], detik: list, quick: bool) -> None:
    print("\n### Speed: fingerprint + index lookup + insert, 500-word bodies, one core (per CPU second)\n")
    sp = speed([d.body for d in detik], quick)  # Indonesian news: the worker's main input
    runs = 3 if quick else 5
    NoCache.FACTS.update({d.body: FX.pack(FX.extract(d.body)) for d in detik})
    real = {n: stream_speed(NoCache if n == "newsworker" else SYSTEMS[n], detik, runs if n != "datasketch" else 3)
            for n in names}
    results["speed"] = {"synthetic_500_words": sp, "detik_stream": real}
    print("| system | 500-word bodies, index pre-filled: articles/s (median) |")
    print("|---|---|")
    for k, v in sp.items():
        print(f"| {k} | {v:,.0f} |")
    words = statistics.median(len(d.body.split()) for d in detik)
    print(f"\nThe detik stream ({len(detik)} real bodies, {words:.0f} words "
          f"median, its natural copies), fresh index: " + "; ".join(f"{n} {v:,.0f}/s" for n, v in real.items()))


def run_memory(n: int, store: str) -> dict:
    print(f"\n### Memory: {n:,} synthetic articles (all different stories), {store} store\n")
    mem = memory(n, store)
    print_memory(mem)
    return mem


def run_grid_and_seeds(results: dict, args: argparse.Namespace, data: dict, detik: list, bench: list) -> None:
    if args.grid:
        print("\n### Parameter grid (newsworker)\n")
        pool = [d.body for d in detik] + [d.body for d in bench]
        rows = grid(data, args.quick, bodies_500(100 if args.quick else 300, pool, 3))
        results["grid"] = rows
        print_grid(rows)
    if args.seeds:
        print(f"\n### Sampling noise: {args.seeds} other byte-hash tables (mean ± sd)\n")
        rows = seeds(data, args.seeds)
        results["seeds"] = rows
        print_seeds(rows)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.numpy:
        F._sketch = None
    print_header()
    if args.only_memory:
        mem = run_memory(args.memory_n or 200_000, args.store)
        if args.json:
            Path(args.json).write_text(json.dumps(mem, indent=1))
        return 0
    t0 = time.time()
    data, detik, bench = load_data(args.quick, t0)
    names = [s for s in args.systems.split(",") if s]
    results = evaluate_all(names, data)
    print_quality(results, names)
    print_per_edit_and_negative(results, names)
    print_classes(results, names, data)
    fp_orig = {n: len(results["details"][n].get("fp-originals", [])) for n in names}
    print(f"\noriginals of (b) wrongly merged: {fp_orig}")
    if not args.no_speed:
        run_speed(results, names, detik, args.quick)
    if not args.no_memory:
        results["memory"] = run_memory(args.memory_n or (20_000 if args.quick else 200_000), args.store)
    run_grid_and_seeds(results, args, data, detik, bench)
    print(f"\ntotal time {time.time() - t0:.0f}s")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
