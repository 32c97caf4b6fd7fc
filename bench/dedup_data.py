"""Labelled data for the near-duplicate benchmark (``bench/dedup.py``).

Three sets, all built reproducibly from the shared data and a fixed seed:

(a) natural: the 1000 detik rows in publication order, with the labels of
    ``bench/data/detik_pairs.json`` (exact groups, republications, different
    stories, and excluded ambiguous pairs).
(b) copies: controlled edits of detik bodies and of the extraction benchmark's
    ``articleBody`` texts (new headline and dateline, truncation to half,
    extension, another site's boilerplate, paragraph moves, 5% / 10% word
    edits, and combinations).
(c) hard negatives: different stories on the same topic: the natural 'diff'
    pairs, same-keyword same-day detik pairs, follow-ups that reuse a few
    background paragraphs of another story, and different stories wrapped
    in the same boilerplate.

Bodies go through the real cleaning code first (``Pipeline.extract`` for the
sources, ``text.clean_lines`` for edited copies), so the dedup index sees what
it sees in production. Cleaned source bodies are cached outside the repository
(``$NEWSWORKER_BENCH_CACHE`` or ``/tmp/newsworker-bench``); the detik CSV and
anything derived from it wholesale never go into the repository.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import random
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSWORKER_SHARED_DIR", REPO.parent / "shared"))
DETIK_CSV = SHARED / "data" / "detik-id-news" / "data_berita.csv"
BENCHMARK = SHARED / "data" / "article-extraction-benchmark" / "ground-truth.json"
LABELS = Path(__file__).resolve().parent / "data" / "detik_pairs.json"
CACHE = Path(os.environ.get("NEWSWORKER_BENCH_CACHE", "/tmp/newsworker-bench"))

SEED = 20251028
SCORED = {"exact", "dup", "diff"}  # labels that count; rewrite / followup / unsure are excluded

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Doc:
    id: str
    body: str
    title: str = ""
    lang: str = "id"
    date: str = ""  # YYYY-MM-DD
    topic: str = ""  # keyword_sumber for detik
    meta: dict = field(default_factory=dict)


# -- sources -----------------------------------------------------------------

def _cache_path(name: str, *inputs: Path) -> Path:
    h = hashlib.blake2b(digest_size=8)
    for p in inputs:
        st = p.stat()
        h.update(f"{p}:{st.st_size}:{st.st_mtime_ns}".encode())
    for mod in ("text.py", "article.py", "templates.py"):  # cleaning code: a change invalidates the cache
        h.update((REPO / "workers" / "core" / mod).read_bytes())
    return CACHE / f"{name}-{h.hexdigest()}.json.gz"


def _clean_with_pipeline(items: list[tuple[str, str, str, str]], passes: int = 2) -> dict[str, str | None]:
    """(id, url, title, text) -> cleaned body, through the real pipeline (site templates learned on pass 1)."""
    import orjson

    from workers.core.pipeline import Limits, Outcome, Pipeline
    from workers.core.records import Source

    p = Pipeline(limits=Limits(timeout_seconds=0))
    out: dict[str, str | None] = {}
    for rnd in range(passes):
        for n, (i, url, title, text) in enumerate(items):
            payload = orjson.dumps({"url": url, "text": text, "title": title})
            src = Source(line=n)
            raw = p.ingest(payload, src)
            built = raw if isinstance(raw, Outcome) else p.extract(raw, payload, src)
            if rnd == passes - 1:
                out[i] = built.article["body"] if hasattr(built, "article") else None
    return out


def _cached(name: str, inputs: list[Path], build):
    path = _cache_path(name, *inputs)
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as f:
            return json.load(f)
    data = build()
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8") as f:
        json.dump(data, f)
    tmp.replace(path)
    return data


def load_detik() -> list[Doc]:
    """All 1000 rows (publication order), bodies cleaned by the pipeline."""
    with open(DETIK_CSV, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))

    def build():
        return _clean_with_pipeline([(r["id"], r["tautan"], r["judul"], r["isi_berita"]) for r in rows])

    bodies = _cached("detik", [DETIK_CSV], build)
    docs = []
    for r in rows:
        dt = datetime.strptime(r["tanggal"], "%m/%d/%Y %H:%M")
        docs.append(Doc(r["id"], bodies[r["id"]] or "", r["judul"], "id", dt.strftime("%Y-%m-%d"), r["keyword_sumber"],
                        {"url": r["tautan"], "time": dt.isoformat(), "aspect": r["aspek_target"],
                         "raw_hash": hashlib.blake2b(r["isi_berita"].encode(), digest_size=8).hexdigest()}))
    docs.sort(key=lambda d: (d.meta["time"], int(d.id)))
    return docs


def load_benchmark(min_words: int = 80) -> list[Doc]:
    """The extraction benchmark's ground-truth article bodies (English and others), cleaned."""
    with open(BENCHMARK, encoding="utf-8") as f:
        gt = json.load(f)
    keys = sorted(gt)

    def build():
        return _clean_with_pipeline([(k, gt[k].get("url") or f"https://example.org/{k}", "", gt[k].get("articleBody") or "")
                                     for k in keys], passes=1)

    bodies = _cached("benchmark", [BENCHMARK], build)
    docs = []
    for k in keys:
        b = bodies.get(k) or ""
        if len(_WORD.findall(b)) >= min_words:
            docs.append(Doc("bm-" + k[:12], b, "", "en", "", "", {"url": gt[k].get("url")}))
    return docs


def load_labels() -> dict:
    with open(LABELS, encoding="utf-8") as f:
        return json.load(f)


# -- edits ---------------------------------------------------------------------

BOILERPLATE = {
    "id": [
        ("KOMPAS.com -", [
            "Baca berita tanpa iklan. Gabung Kompas.com+",
            "Dapatkan update berita pilihan dan breaking news setiap hari dari Kompas.com. Mari bergabung di Grup Telegram "
            "\"Kompas.com News Update\", caranya klik link lalu join. Anda harus install aplikasi Telegram terlebih dulu di ponsel.",
            "Simak breaking news dan berita pilihan kami langsung di ponselmu. Pilih saluran andalanmu akses berita "
            "Kompas.com WhatsApp Channel. Pastikan kamu sudah install aplikasi WhatsApp ya.",
        ]),
        ("TRIBUNNEWS.COM, JAKARTA -", [
            "Artikel ini telah tayang di Tribunnews.com dengan judul yang berbeda, dan disunting ulang oleh redaksi kami.",
            "Ikuti saluran Tribunnews di WhatsApp untuk mendapatkan berita terbaru setiap hari tanpa ketinggalan.",
            "Sebagian isi artikel ini dihimpun dari berbagai sumber dan telah diperbarui dengan informasi terkini.",
        ]),
        ("Jakarta, CNN Indonesia --", [
            "Ikuti perkembangan berita nasional dan internasional terbaru hanya di CNN Indonesia setiap hari.",
            "Saksikan juga video pilihan redaksi kami di kanal YouTube dan TV streaming CNN Indonesia secara gratis.",
            "Kirimkan pendapat Anda tentang berita ini melalui kolom yang tersedia di bawah artikel.",
        ]),
    ],
    "en": [
        ("WASHINGTON (Reuters) -", [
            "Get the latest headlines and analysis delivered to your inbox every morning with our free daily newsletter.",
            "Reporting by staff correspondents; additional reporting by our bureaus; editing by the world desk.",
            "Our Standards: The Trust Principles guide how we report and correct the news we publish.",
        ]),
        ("LONDON (AP) —", [
            "This story has been corrected and updated with additional details from officials and witnesses.",
            "Follow our full coverage of world news and sign up for breaking news alerts on our mobile app.",
            "The Associated Press receives support from private foundations; it is solely responsible for all content.",
        ]),
        ("(CNN) —", [
            "Sign up for our weekly newsletter to get the stories that matter most, explained by our journalists.",
            "This article first appeared on a partner site and is republished here with permission.",
            "Have a tip about this story? Send it to our newsroom securely through the contact page.",
        ]),
    ],
}


def paragraphs(body: str) -> list[str]:
    return [p for p in body.split("\n\n") if p.strip()]


def join(paras: list[str]) -> str:
    return "\n\n".join(p for p in paras if p.strip())


def clean(text: str, title: str = "") -> str:
    """What the pipeline's cleaner leaves of an edited copy (generic rules, no learned site template)."""
    from workers.core import text as _text

    return "\n\n".join(_text.clean_lines(text, title=title or None, detect_title=False).paragraphs)


def n_words(text: str) -> int:
    return len(_WORD.findall(text))


def new_headline(doc: Doc, rng: random.Random) -> tuple[str, str]:
    words = (doc.title or paragraphs(doc.body)[0]).split()
    rng.shuffle(words)
    prefix = rng.choice(["Update:", "Terkini:", "Viral!", "Breaking:", "Simak:"] if doc.lang == "id"
                        else ["Update:", "Breaking:", "Explainer:", "Watch:", "Analysis:"])
    return f"{prefix} {' '.join(words[:10])}", doc.body


def dateline(body: str, lang: str, rng: random.Random) -> str:
    paras = paragraphs(body)
    site, _ = rng.choice(BOILERPLATE[lang])
    paras[0] = f"{site} {paras[0]}"
    return join(paras)


def truncate_half(body: str) -> str:
    paras = paragraphs(body)
    total = n_words(body)
    kept, count = [], 0
    for p in paras:
        if count >= total / 2:
            break
        w = n_words(p)
        if count + w > total * 0.6 and kept:  # the next paragraph would overshoot: cut inside it at a sentence end
            sentences = re.split(r"(?<=[.!?\"”])\s+", p)
            part = []
            for s in sentences:
                if count >= total / 2:
                    break
                part.append(s)
                count += n_words(s)
            kept.append(" ".join(part))
            break
        kept.append(p)
        count += w
    return join(kept)


def extend(body: str, other: str, rng: random.Random, share: float = 0.25) -> str:
    """Insert paragraphs of an unrelated text (one not in the index) worth ~share of this body: a longer version."""
    extra, count, target = [], 0, n_words(body) * share
    for p in paragraphs(other):
        if count >= target:
            break
        extra.append(p)
        count += n_words(p)
    paras = paragraphs(body)
    at = rng.randint(max(1, len(paras) // 2), len(paras))
    return join(paras[:at] + extra + paras[at:])


def boilerplate(body: str, lang: str, rng: random.Random) -> str:
    site, lines = rng.choice(BOILERPLATE[lang])
    paras = paragraphs(body)
    paras[0] = f"{site} {paras[0]}"
    head = ["Advertisement", "Share", "Bagikan" if lang == "id" else "Share this article", lines[0]]
    mid = ["Baca juga: " + rng.choice(["Harga emas hari ini naik lagi", "Jadwal KRL terbaru pekan ini"]) if lang == "id"
           else "Read more: " + rng.choice(["Markets rally on rate hopes", "What to watch this week"])]
    at = max(1, len(paras) // 2)
    return "\n\n".join(head + paras[:at] + mid + paras[at:] + lines[1:] + ["Copyright 2025. All rights reserved."])


def move_paragraphs(body: str, rng: random.Random, moves: int = 2) -> str:
    paras = paragraphs(body)
    if len(paras) < 3:  # too few paragraphs: move sentences instead
        paras = [s for s in re.split(r"(?<=[.!?])\s+", body.replace("\n\n", " ")) if s]
        if len(paras) < 3:
            return body
        for _ in range(moves):
            p = paras.pop(rng.randrange(len(paras)))
            paras.insert(rng.randrange(len(paras) + 1), p)
        return " ".join(paras)
    for _ in range(moves):
        i = rng.randrange(len(paras))
        p = paras.pop(i)
        j = rng.randrange(len(paras) + 1)
        if j == i:
            j = (j + 1) % (len(paras) + 1)
        paras.insert(j, p)
    return join(paras)


def reword(body: str, rate: float, vocab: list[str], rng: random.Random) -> str:
    """Word-level edits on ``rate`` of the words: substitute (50%), delete (30%), insert (20%)."""
    out = []
    for para in paragraphs(body):
        words = para.split(" ")
        new = []
        for w in words:
            if rng.random() < rate:
                r = rng.random()
                if r < 0.5:
                    new.append(rng.choice(vocab))
                elif r < 0.8:
                    continue
                else:
                    new.extend([w, rng.choice(vocab)])
            else:
                new.append(w)
        out.append(" ".join(new))
    return join(out)


VARIANTS = [
    "headline", "dateline", "truncate", "extend", "boilerplate", "moves", "reword5", "reword10",
    "truncate+reword5", "boilerplate+moves+reword5", "dateline+truncate+boilerplate", "truncate+moves+reword10",
]


def make_copy(doc: Doc, variant: str, rng: random.Random, vocab: list[str], other: Doc) -> tuple[str, str]:
    """(title, body) of an edited copy; the body is what the cleaner leaves."""
    title, body = doc.title, doc.body
    for step in variant.split("+"):
        if step == "headline":
            title, body = new_headline(doc, rng)
        elif step == "dateline":
            body = dateline(body, doc.lang, rng)
        elif step == "truncate":
            body = truncate_half(body)
        elif step == "extend":
            body = extend(body, other.body, rng)
        elif step == "boilerplate":
            body = boilerplate(body, doc.lang, rng)
        elif step == "moves":
            body = move_paragraphs(body, rng)
        elif step == "reword5":
            body = reword(body, 0.05, vocab, rng)
        elif step == "reword10":
            body = reword(body, 0.10, vocab, rng)
        else:
            raise ValueError(step)
    return title, clean(body, title)


# -- the sets ------------------------------------------------------------------

@dataclass
class Query:
    """One article sent to the index: expected = id of the indexed article of its story, or None (must stay unique)."""
    id: str
    body: str
    title: str
    expected: str | None
    kind: str  # variant or negative type


@dataclass
class Scenario:
    """Index ``originals`` (all must stay unique), then send ``queries`` in order."""
    name: str
    originals: list[Doc]
    queries: list[Query]


def _vocab(docs: list[Doc], lang: str) -> list[str]:
    seen: dict[str, None] = {}
    for d in docs:
        if d.lang == lang:
            for w in d.body.split():
                if w.isalpha() and len(w) > 2:
                    seen.setdefault(w.lower(), None)
    return sorted(seen)


def related_ids(labels: dict) -> set[str]:
    """Detik ids that take part in any labelled relation or exact group (not usable as independent originals)."""
    ids = {i for g in labels["exact_groups"] for i in g}
    for p in labels["pairs"]:
        ids.update((p["a"], p["b"]))
    return ids


def copies_set(detik: list[Doc], bench: list[Doc], labels: dict, n_detik: int, n_bench: int, seed: int = SEED) -> Scenario:
    rng = random.Random(seed)
    related = related_ids(labels)
    seen_raw = set()
    pool_id = []
    for d in detik:
        if d.id in related or d.meta["raw_hash"] in seen_raw or n_words(d.body) < 60:
            continue
        seen_raw.add(d.meta["raw_hash"])
        pool_id.append(d)
    originals = rng.sample(pool_id, min(n_detik, len(pool_id))) + rng.sample(bench, min(n_bench, len(bench)))
    vocab = {"id": _vocab(detik, "id"), "en": _vocab(bench, "en")}
    chosen = {d.id for d in originals}
    # extension text comes from articles that are not indexed (the rest of the detik pool, for English the
    # benchmark articles left out, else the second half of another original's paragraphs)
    spare = {"id": [d for d in pool_id if d.id not in chosen],
             "en": [d for d in bench if d.id not in chosen] or bench}
    queries = []
    for d in originals:
        for v in VARIANTS:
            other = rng.choice([o for o in spare[d.lang] if o.id != d.id])
            title, body = make_copy(d, v, rng, vocab[d.lang], other)
            queries.append(Query(f"{d.id}~{v}", body, title, d.id, v))
    rng.shuffle(queries)
    return Scenario("copies", originals, queries)


def negatives_set(detik: list[Doc], bench: list[Doc], labels: dict, n_pairs: int, seed: int = SEED) -> list[Scenario]:
    """Small scenarios (one indexed article, one query that must stay unique)."""
    rng = random.Random(seed + 1)
    by_id = {d.id: d for d in detik}
    out: list[Scenario] = []
    # natural: labelled different stories that share background paragraphs
    for p in labels["pairs"]:
        if p["label"] == "diff":
            a, b = by_id[p["a"]], by_id[p["b"]]
            first, second = sorted((a, b), key=lambda d: d.meta["time"])
            out.append(Scenario("natural-diff", [first], [Query(second.id, second.body, second.title, None, "natural-diff")]))
    # same keyword and same day (different stories unless labelled otherwise)
    labelled = {frozenset((p["a"], p["b"])) for p in labels["pairs"]}
    exact = {i for g in labels["exact_groups"] for i in g[1:]}
    raw_seen: dict[str, str] = {}
    groups: dict[tuple[str, str], list[Doc]] = {}
    for d in detik:
        if d.id in exact or d.meta["raw_hash"] in raw_seen:
            continue
        raw_seen[d.meta["raw_hash"]] = d.id
        groups.setdefault((d.topic, d.date), []).append(d)
    cands = []
    for docs in groups.values():
        for i in range(len(docs)):
            for j in range(i + 1, len(docs)):
                if frozenset((docs[i].id, docs[j].id)) not in labelled:
                    cands.append((docs[i], docs[j]))
    for a, b in rng.sample(cands, min(n_pairs, len(cands))):
        out.append(Scenario("same-topic-day", [a], [Query(b.id, b.body, b.title, None, "same-topic-day")]))
    # follow-ups: another story that reuses 1-2 background paragraphs (<= ~25% of its words) of this one
    related = related_ids(labels)
    pool = [d for d in detik if d.id not in related and len(paragraphs(d.body)) >= 4] + \
           [d for d in bench if len(paragraphs(d.body)) >= 4]
    for _ in range(n_pairs):
        a = rng.choice(pool)
        same = [d for d in pool if d.lang == a.lang and d.id != a.id and (d.topic == a.topic or d.lang == "en")]
        b = rng.choice(same)
        bp = paragraphs(b.body)
        budget = n_words(b.body) * 0.25
        borrowed, count = [], 0
        for para in sorted(paragraphs(a.body)[1:], key=lambda _: rng.random()):
            if count + n_words(para) > budget:
                continue
            borrowed.append(para)
            count += n_words(para)
            if len(borrowed) == 2:
                break
        body = join(bp + borrowed) if borrowed else b.body
        out.append(Scenario("follow-up", [a], [Query(f"{b.id}+bg:{a.id}", body, b.title, None, "follow-up")]))
    # different stories wrapped in the same site boilerplate
    for _ in range(n_pairs):
        a = rng.choice(pool)
        b = rng.choice([d for d in pool if d.lang == a.lang and d.id != a.id])
        state = rng.getstate()
        wa = clean(boilerplate(a.body, a.lang, rng))
        rng.setstate(state)  # same boilerplate for both
        wb = clean(boilerplate(b.body, b.lang, rng))
        da = Doc(a.id + "+bp", wa, a.title, a.lang)
        out.append(Scenario("same-boilerplate", [da], [Query(b.id + "+bp", wb, b.title, None, "same-boilerplate")]))
    return out
