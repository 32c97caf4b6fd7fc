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
        return _clean_with_pipeline([(k, gt[k].get("url") or f"https://example.org/{k}", "",
                                      gt[k].get("articleBody") or "")
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
            "Dapatkan update berita pilihan dan breaking news setiap hari dari Kompas.com. Mari bergabung di "
            "Grup Telegram "
            "\"Kompas.com News Update\", caranya klik link lalu join. Anda harus install aplikasi Telegram "
            "terlebih dulu di ponsel.",
            "Simak breaking news dan berita pilihan kami langsung di ponselmu. Pilih saluran andalanmu akses berita "
            "Kompas.com WhatsApp Channel. Pastikan kamu sudah install aplikasi WhatsApp ya.",
        ]),
        ("TRIBUNNEWS.COM, JAKARTA -", [
            "Artikel ini telah tayang di Tribunnews.com dengan judul yang berbeda, dan disunting ulang oleh "
            "redaksi kami.",
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
            "Get the latest headlines and analysis delivered to your inbox every morning with our free daily "
            "newsletter.",
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
    kept: list[str] = []
    count = 0
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
    related: str | None = None  # a sibling or follow-up: the article whose text it shares (dedup.related_to)


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


def copies_set(detik: list[Doc], bench: list[Doc], labels: dict, n_detik: int, n_bench: int,
               seed: int = SEED) -> Scenario:
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



def negatives_set(  # noqa: C901
    detik: list[Doc], bench: list[Doc], labels: dict, n_pairs: int, seed: int = SEED
) -> list[Scenario]:
    """Small scenarios (one indexed article, one query that must stay unique)."""
    rng = random.Random(seed + 1)
    by_id = {d.id: d for d in detik}
    out: list[Scenario] = []
    # natural: labelled different stories that share background paragraphs
    for p in labels["pairs"]:
        if p["label"] == "diff":
            a, b = by_id[p["a"]], by_id[p["b"]]
            first, second = sorted((a, b), key=lambda d: d.meta["time"])
            query = Query(second.id, second.body, second.title, None, "natural-diff")
            out.append(Scenario("natural-diff", [first], [query]))
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


# -- stories on one template, updates, natural follow-ups (issue 11) -----------------------------------
#
# Replacement names and places come from the lists below, not from the project's gazetteer
# (workers/core/gazetteer.py): any name that is in it is dropped, so that the entity code's own word
# lists never make a case easy. Cases are made by three generators of siblings and three of updates;
# the last of each ("partial", "figure+sentence") is held out: the thresholds were chosen on the others.

def _words(text: str) -> list[str]:
    return text.split()


_PLACES_ID = _words("Wonosari Pangandaran Sumedang Kuningan Majalengka Indramayu Subang Sukoharjo Wonogiri "
                    "Boyolali Sragen "
              "Rembang Blora Jepara Kendal Batang Pemalang Brebes Kebumen Purworejo Temanggung Wonosobo Banjarnegara "
              "Purbalingga Ngawi Magetan Ponorogo Pacitan Trenggalek Tulungagung Lumajang Situbondo Bondowoso Sumenep "
              "Pamekasan Sampang Bangkalan Nganjuk Jombang Klungkung Karangasem Jembrana Bangli Dompu Sikka Manggarai "
              "Ngada Nagekeo Belu Alor Maros Pangkep Barru Soppeng Wajo Sidrap Pinrang Enrekang Bulukumba Bantaeng "
              "Jeneponto Takalar Selayar Banggai Donggala Tolitoli Buol Morowali Kolaka Konawe Muna Wakatobi Bombana")
_PLACES_EN = _words("Ashford Banbury Carlisle Dorking Evesham Falmouth Grantham Harrogate Ilkley Ludlow "
                    "Malton Newark Oakham "
              "Penrith Ripon Selby Tiverton Uttoxeter Wantage Yeovil Bozeman Casper Dubuque Eugene Fargo Galveston "
              "Ithaca Joplin Kokomo Laramie Missoula Nampa Ogden Pueblo Quincy Roswell Salina Topeka Utica Valdosta "
              "Waco Yakima")
_FIRST_ID = _words("Aditya Bayu Cahyo Dimas Eko Fajar Galih Hendra Irfan Joko Kurniawan Lukman Maman Nanda "
                   "Oki Prasetyo "
             "Rizky Slamet Taufik Umar Wahyu Yoga Zainal Anisa Bunga Citra Dewi Endah Fitri Gita Indah Kartika Lestari "
             "Melati Nurul Puspita Ratna Sari Tari Wulan Yuni")
_LAST_ID = _words("Pratama Saputra Wibowo Hidayat Nugroho Setiawan Kusuma Santoso Wijaya Purnomo Siregar "
                  "Nasution Harahap "
            "Simanjuntak Tanjung Lubis Rangkuti Sembiring Ginting Tarigan Manurung Pardede Mahendra Permana Ramadhan "
            "Firmansyah Kurniadi Susanto Haryanto")
_FIRST_EN = _words("Oliver Harry George Noah Jack Leo Arthur Oscar Henry Theo Freddie Alfie Archie Amelia Isla Ava Ivy "
             "Freya Lily Florence Mia Willow Rosie Sophia Grace Evie Daisy Poppy")
_LAST_EN = _words("Thompson Walsh Hughes Barker Fletcher Holloway Pearce Marsh Doyle Chambers Kendrick Whitaker Ashby "
            "Brennan Calloway Dempsey Ellison Farrow Garrick Hollis Ingram Jarvis Kerr Lowell Mercer")
_WEEKDAYS = {"id": ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"],
             "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]}


def _not_gazetteer(words: list[str]) -> list[str]:
    from workers.core import gazetteer

    known: set[str] = set()
    for name in dir(gazetteer):
        v = getattr(gazetteer, name)
        if name.isupper() and isinstance(v, (set, frozenset)):
            known |= {str(x).lower() for x in v}
    return [w for w in words if w.lower() not in known]


_LISTS: dict[str, list[str]] = {}


def names(kind: str) -> list[str]:
    """A replacement list (places_id, places_en, first_id, last_id, first_en, last_en), gazetteer names removed."""
    if not _LISTS:
        for k, v in (("places_id", _PLACES_ID), ("places_en", _PLACES_EN), ("first_id", _FIRST_ID),
                     ("last_id", _LAST_ID), ("first_en", _FIRST_EN), ("last_en", _LAST_EN)):
            _LISTS[k] = _not_gazetteer(v)
    return _LISTS[kind]


_NUM = re.compile(r"\d+(?:[.,]\d+)*")
_CAP_RUN = re.compile(r"(?<=[a-z,] )[A-Z][a-z]+(?: [A-Z][a-z]+){0,2}")  # capitalised words after a lower-case word


def _other_number(s: str, rng: random.Random) -> str:
    """Another number written like ``s`` (same separators, similar size)."""
    out = []
    for ch in s:
        out.append(str(rng.randrange(10)) if ch.isdigit() else ch)
    new = "".join(out)
    if new[0] == "0" and len(new) > 1 and new[1].isdigit():
        new = str(rng.randrange(1, 10)) + new[1:]
    return new if new != s else _other_number(s, rng)


def _replace_all(text: str, old: str, new: str) -> str:
    return re.sub(r"(?<!\w)" + re.escape(old) + r"(?!\w)", new, text)


def _swap_facts(title: str, body: str, lang: str, rng: random.Random, kinds: tuple[str, ...],
                min_changes: int = 6) -> tuple[str, str, int] | None:
    """Change names, places, numbers and weekdays consistently in title and body; None if fewer than min_changes."""
    places = names("places_" + lang)
    first, last = names("first_" + lang), names("last_" + lang)
    changes = 0
    plan: list[tuple[str, str]] = []
    if "names" in kinds:
        runs = list(dict.fromkeys(m.group() for m in _CAP_RUN.finditer(body)))
        rng.shuffle(runs)
        for run in runs[:6]:
            k = run.count(" ") + 1
            new = (rng.choice(places) if k == 1
                   else " ".join([rng.choice(first)] + [rng.choice(last) for _ in range(k - 1)]))
            plan.append((run, new))
    if "numbers" in kinds:
        nums = [n for n in dict.fromkeys(m.group() for m in _NUM.finditer(body))]
        rng.shuffle(nums)
        plan += [(n, _other_number(n, rng)) for n in nums[:6]]
    if "days" in kinds:
        for i, day in enumerate(_WEEKDAYS[lang]):
            if re.search(r"\b" + day + r"\b", body):
                plan.append((day, _WEEKDAYS[lang][(i + rng.randrange(1, 7)) % 7]))
    for old, new in plan:
        n = len(re.findall(r"(?<!\w)" + re.escape(old) + r"(?!\w)", body))
        if not n:
            continue
        body = _replace_all(body, old, new)
        title = _replace_all(title, old, new)
        changes += n
    return (title, body, changes) if changes >= min_changes else None


# Template stories written for the benchmark: each slot is drawn again for a sibling.
_BULLETINS = {
    "id": [
        "{place} - Gempa bumi berkekuatan magnitudo {mag} mengguncang wilayah {place} dan sekitarnya pada {day} "
        "({date}) pukul {time} WIB. Badan Meteorologi, Klimatologi, dan Geofisika (BMKG) mencatat pusat gempa berada "
        "di laut pada jarak {km} kilometer arah barat daya {place2} dengan kedalaman {depth} kilometer.\n\n"
        "Kepala Stasiun Geofisika setempat, {person}, mengatakan gempa tidak berpotensi tsunami. \"Guncangan dirasakan "
        "cukup kuat selama beberapa detik oleh warga di {place2}, namun hingga kini belum ada laporan "
        "kerusakan,\" kata "
        "{person} kepada wartawan.\n\nBMKG mencatat {after} kali gempa susulan hingga pukul {time2} WIB "
        "dengan kekuatan "
        "terbesar magnitudo {mag2}. Warga diminta tetap tenang dan tidak terpancing informasi yang tidak "
        "jelas sumbernya.",
        "{place} - Harga emas batangan di {place} pada {day} ({date}) tercatat Rp {price} per gram, {dir} Rp {delta} "
        "dibanding hari sebelumnya. Harga pembelian kembali (buyback) berada di level Rp {price2} per gram.\n\n"
        "Menurut {person}, pengelola butik emas di {place2}, permintaan emas ukuran {size} gram masih paling tinggi "
        "menjelang akhir bulan. \"Dalam sepekan terakhir penjualan naik sekitar {pct} persen,\" ujar {person}.\n\n"
        "Sementara itu harga emas ukuran 0,5 gram dijual Rp {price3}, sedangkan ukuran 100 gram dibanderol Rp "
        "{price4}. "
        "Pembelian emas batangan dikenai pajak penghasilan sesuai ketentuan yang berlaku.",
        "{place} - {team} berhasil mengalahkan {team2} dengan skor {score} dalam lanjutan kompetisi Liga {league} di "
        "Stadion {place}, {day} ({date}) malam. Gol kemenangan dicetak oleh {person} pada menit ke-{minute}.\n\n"
        "Pelatih {team}, {person2}, mengaku puas dengan penampilan anak asuhnya. \"Para pemain bermain disiplin sejak "
        "menit pertama dan mampu memanfaatkan peluang,\" kata {person2} usai pertandingan.\n\nHasil ini membuat {team} "
        "naik ke peringkat {rank} klasemen sementara dengan koleksi {points} poin dari {played} pertandingan. Laga "
        "tersebut disaksikan sekitar {crowd} penonton.",
        "{place} - Pengadilan Negeri {place} menjadwalkan sidang lanjutan perkara dugaan korupsi dana desa dengan "
        "terdakwa {person} pada {day} ({date}) pukul {time} WIB. Sidang beragenda pemeriksaan {witness} saksi dari "
        "pihak jaksa penuntut umum.\n\nJuru bicara Pengadilan Negeri {place}, {person2}, mengatakan majelis hakim "
        "diketuai oleh hakim {person3}. \"Persidangan terbuka untuk umum dan akan berlangsung di ruang sidang "
        "{room},\" kata {person2}.\n\nDalam dakwaan, {person} diduga merugikan keuangan negara sebesar Rp {amount} "
        "dalam pengelolaan anggaran desa tahun {year}.",
        "{place} - Indeks Harga Saham Gabungan (IHSG) ditutup {dir} {pct} persen ke level {index} pada perdagangan "
        "{day} ({date}). Sebanyak {up} saham menguat, {down} saham melemah dan {flat} saham stagnan.\n\nNilai "
        "transaksi "
        "mencapai Rp {amount} triliun dengan volume {volume} miliar saham. Analis {org}, {person}, menyebut pergerakan "
        "indeks dipengaruhi data inflasi dan pergerakan nilai tukar rupiah yang berada di level Rp {rate} per dolar AS."
        "\n\nSaham {ticker} menjadi penggerak utama dengan kenaikan {pct2} persen, sementara saham {ticker2} turun "
        "{pct3} persen.",
        "{place} - Badan Meteorologi, Klimatologi, dan Geofisika (BMKG) mengeluarkan peringatan dini cuaca ekstrem "
        "untuk wilayah {place} dan {place2} pada {day} ({date}). Hujan lebat disertai angin kencang diperkirakan "
        "terjadi mulai pukul {time} hingga {time2} WIB.\n\nPrakirawan BMKG, {person}, mengatakan kecepatan angin dapat "
        "mencapai {wind} kilometer per jam dengan curah hujan lebih dari {rain} milimeter. \"Masyarakat di daerah "
        "rawan longsor dan banjir diminta meningkatkan kewaspadaan,\" ujar {person}.\n\nSuhu udara diperkirakan "
        "berkisar antara {t1} hingga {t2} derajat Celsius dengan kelembapan {hum} persen.",
    ],
    "en": [
        "{place} - A magnitude {mag} earthquake struck near {place} on {day} at {time} local time, the geological "
        "survey said. The quake was centred {km} kilometres southwest of {place2} at a depth of {depth} kilometres.\n\n"
        "{person}, a spokesperson for the regional emergency office, said there was no tsunami threat. \"The shaking "
        "was felt strongly for several seconds in {place2}, but we have no reports of damage so far,\" {person} said."
        "\n\nThe survey recorded {after} aftershocks by {time2}, the largest of magnitude {mag2}. Residents were asked "
        "to stay calm and to follow official guidance only.",
        "{place} - The price of gold in {place} stood at ${price} an ounce on {day}, {dir} ${delta} from the previous "
        "session, while silver traded at ${price2} an ounce.\n\n{person}, a bullion dealer in {place2}, said demand "
        "for {size}-ounce bars was strongest ahead of the month end. \"Sales are up about {pct} percent over the past "
        "week,\" {person} said.\n\nPlatinum was quoted at ${price3} and palladium at ${price4}, with analysts "
        "expecting "
        "volatility to continue into next week.",
        "{place} - {team} beat {team2} {score} in the {league} League at {place} Stadium on {day} night, with {person} "
        "scoring the winner in the {minute}th minute.\n\n{team} coach {person2} praised his players. \"They were "
        "disciplined from the first minute and took their chances,\" {person2} said after the match.\n\nThe result "
        "lifts {team} to {rank}th in the table with {points} points from {played} games. The match was watched by "
        "about {crowd} spectators.",
        "{place} - The {place} District Court has scheduled the next hearing in the fraud case against {person} for "
        "{day} at {time}. Prosecutors will call {witness} witnesses.\n\nCourt spokesperson {person2} said the panel "
        "would be chaired by Judge {person3}. \"The hearing is open to the public and will be held in courtroom "
        "{room},\" {person2} said.\n\nProsecutors allege that {person} caused losses of ${amount} to the county budget "
        "in {year}.",
        "{place} - Stocks closed {dir} {pct} percent at {index} points on {day}, with {up} shares rising, {down} "
        "falling and {flat} unchanged.\n\nTurnover reached ${amount} billion on volume of {volume} million shares. "
        "{person}, an analyst at {org}, said the index tracked inflation data and the dollar, which traded at {rate} "
        "against the euro.\n\n{ticker} led the gains with a rise of {pct2} percent, while {ticker2} fell "
        "{pct3} percent.",
        "{place} - The weather service issued a severe weather warning for {place} and {place2} on {day}, with heavy "
        "rain and strong winds expected from {time} until {time2}.\n\nForecaster {person} said gusts could "
        "reach {wind} "
        "kilometres per hour and rainfall could exceed {rain} millimetres. \"People living in areas prone to floods "
        "and landslides should stay alert,\" {person} said.\n\nTemperatures are expected between {t1} and {t2} degrees "
        "Celsius, with humidity of {hum} percent.",
    ],
}


def _bulletin_values(lang: str, rng: random.Random) -> dict:
    pl = names("places_" + lang)
    fi, la = names("first_" + lang), names("last_" + lang)

    def person():
        return f"{rng.choice(fi)} {rng.choice(la)}"

    def num(a, b):
        return str(rng.randint(a, b))

    def thousands(a, b):
        return f"{rng.randint(a, b):,}".replace(",", "." if lang == "id" else ",")

    dec = "," if lang == "id" else "."
    a, b = rng.sample(pl, 2)
    teams = rng.sample(pl, 2)
    club = "Persatuan" if lang == "id" else "FC"
    return {
        "place": a, "place2": b, "day": rng.choice(_WEEKDAYS[lang]),
        "date": f"{rng.randint(1, 28)}/{rng.randint(1, 12)}/2025",
        "time": f"{rng.randint(0, 23):02d}.{rng.randint(0, 59):02d}",
        "time2": f"{rng.randint(0, 23):02d}.{rng.randint(0, 59):02d}",
        "mag": f"{rng.randint(3, 6)}{dec}{rng.randint(0, 9)}", "mag2": f"{rng.randint(2, 4)}{dec}{rng.randint(0, 9)}",
        "km": num(5, 250), "depth": num(5, 120), "after": num(1, 20), "person": person(), "person2": person(),
        "person3": person(), "price": thousands(900_000, 2_500_000), "price2": thousands(800_000, 2_400_000),
        "price3": thousands(400_000, 1_300_000), "price4": thousands(90_000_000, 250_000_000),
        "delta": thousands(1_000, 30_000), "dir": rng.choice(["naik", "turun"] if lang == "id" else ["up", "down"]),
        "size": rng.choice(["1", "5", "10", "25"]), "pct": f"{rng.randint(0, 30)}{dec}{rng.randint(0, 99):02d}",
        "pct2": f"{rng.randint(0, 20)}{dec}{rng.randint(0, 9)}",
        "pct3": f"{rng.randint(0, 20)}{dec}{rng.randint(0, 9)}",
        "team": f"{club} {teams[0]}", "team2": f"{club} {teams[1]}",
        "score": f"{rng.randint(1, 5)}-{rng.randint(0, 3)}", "league": rng.choice(["1", "2", "3"]),
        "minute": num(2, 90),
        "rank": num(1, 18), "points": num(3, 60), "played": num(3, 30), "crowd": thousands(1_000, 40_000),
        "witness": num(2, 9), "room": rng.choice(["Cakra", "Kartika", "Garuda", "Candra", "1", "2", "3"]),
        "amount": thousands(100, 9_000), "year": num(2018, 2024), "index": thousands(6_000, 7_900),
        "up": num(100, 350), "down": num(100, 350), "flat": num(100, 250), "volume": num(10, 40),
        "org": rng.choice(["Mirae Asset", "Samuel Sekuritas", "Phintraco", "Kiwoom", "Henan Putihrai"]),
        "rate": thousands(15_000, 16_900), "ticker": rng.choice(["BBRI", "BMRI", "TLKM", "ASII", "BBCA", "UNVR"]),
        "ticker2": rng.choice(["ANTM", "ADRO", "PTBA", "INCO", "MDKA", "GOTO"]), "wind": num(30, 90),
        "rain": num(50, 150), "t1": num(20, 25), "t2": num(28, 35), "hum": num(60, 98),
    }


def bulletin(lang: str, template: int, rng: random.Random) -> tuple[str, str]:
    """(title, body) of a template story with fresh values."""
    v = _bulletin_values(lang, rng)
    body = _BULLETINS[lang][template].format(**v)
    return f"{v['place']}: {v['person']} {v['day']}", body


_UPDATE_SENTENCES = {
    "id": ["Hingga {day} malam, jumlah korban bertambah menjadi {n} orang.",
           "Data terbaru {org} mencatat {n} warga terdampak dan {m} rumah rusak.",
           "Polisi menyebut {person} telah dimintai keterangan pada pukul {time} WIB.",
           "Kerugian sementara ditaksir mencapai Rp {amount} juta."],
    "en": ["By {day} evening the number of people affected had risen to {n}.",
           "Updated figures from {org} show {n} residents affected and {m} homes damaged.",
           "Police said {person} was questioned at {time} local time.",
           "Losses were provisionally estimated at ${amount} million."],
}


def _update(body: str, lang: str, rng: random.Random, how: str) -> str | None:
    """An update of ``body``: one or two figures changed ("figures"), a sentence added ("sentence"), or both."""
    if "figures" in how.split("+"):
        nums = [m for m in _NUM.finditer(body)]
        if not nums:
            return None
        for m in sorted(rng.sample(nums, min(len(nums), rng.choice([1, 2]))), key=lambda m: -m.start()):
            body = body[: m.start()] + _other_number(m.group(), rng) + body[m.end():]
    if "sentence" in how.split("+"):
        v = _bulletin_values(lang, rng)
        v.update(n=rng.randint(2, 400), m=rng.randint(2, 90), org=rng.choice(["BPBD", "Dinas Sosial", "Red Cross"]))
        sentence = rng.choice(_UPDATE_SENTENCES[lang]).format(**v)
        paras = paragraphs(body)
        i = rng.randrange(len(paras))
        paras[i] = paras[i] + " " + sentence
        body = join(paras)
    return body


def typos(body: str, rng: random.Random, rate: float = 0.03) -> str:
    """Character typos, dropped and doubled words on ``rate`` of the words (a careless republication)."""
    out = []
    for para in paragraphs(body):
        words = []
        for w in para.split(" "):
            r = rng.random()
            if r < rate and len(w) > 3:
                i = rng.randrange(0, len(w) - 1)
                op = rng.randrange(4)  # two letters swapped, one dropped, one added, one replaced
                c = rng.choice("aeinrstu")
                w = (w[:i] + w[i + 1] + w[i] + w[i + 2:], w[:i] + w[i + 1:],
                     w[:i] + c + w[i:], w[:i] + c + w[i + 1:])[op]
            elif r < rate * 1.4:
                continue  # dropped
            elif r < rate * 1.7:
                words.append(w)  # doubled
            words.append(w)
        out.append(" ".join(words))
    return join(out)


SIBLING_STYLES = ("swap", "bulletin", "partial")  # "partial" held out
UPDATE_STYLES = ("figures", "sentence", "figures+sentence")  # "figures+sentence" held out
HELD_OUT = {"partial", "figures+sentence"}


def stories_set(detik: list[Doc], bench: list[Doc], labels: dict, n: int, seed: int = SEED) -> Scenario:
    """Originals, then for each some of: a sibling (three styles), an update (three styles), a typo copy.

    Query.kind is "sibling:<style>", "update:<style>" or "copy:typos"; siblings expect None (a story of
    their own) and carry their original's id in ``related``."""
    rng = random.Random(seed + 7)
    related = related_ids(labels)
    pool = [d for d in detik if d.id not in related and n_words(d.body) >= 80] + bench
    originals: list[Doc] = []
    queries: list[Query] = []
    picked = rng.sample(pool, min(n, len(pool)))
    for i, d in enumerate(picked):
        style = SIBLING_STYLES[i % 3]
        if style == "bulletin":  # a template story of its own, and another one on the same template
            t = rng.randrange(len(_BULLETINS[d.lang]))
            title, body = bulletin(d.lang, t, rng)
            base = Doc(f"bul{i}", clean(body, title), title, d.lang)
            title2, body2 = bulletin(d.lang, t, rng)
            sib = (title2, clean(body2, title2))
        else:
            base = d
            kinds = ("names", "numbers", "days") if style == "swap" else rng.choice([("numbers", "days"), ("names",)])
            got = _swap_facts(d.title, d.body, d.lang, rng, kinds)
            if got is None:
                continue
            sib = (got[0], clean(got[1], got[0]))
        originals.append(base)
        queries.append(Query(f"{base.id}~sib", sib[1], sib[0], None, f"sibling:{style}", related=base.id))
        how = UPDATE_STYLES[i % 3]
        up = _update(base.body, base.lang, rng, how)
        if up is not None:
            queries.append(Query(f"{base.id}~upd", clean(up, base.title), base.title, base.id, f"update:{how}"))
        queries.append(Query(f"{base.id}~typo", clean(typos(base.body, rng), base.title), base.title, base.id,
                             "copy:typos"))
    rng.shuffle(queries)
    return Scenario("stories", originals, queries)


def natural_followups(detik: list[Doc], labels: dict) -> list[Scenario]:
    """The labelled 'followup' pairs of the detik set: the later article must start its own story."""
    by_id = {d.id: d for d in detik}
    out = []
    for p in labels["pairs"]:
        if p["label"] == "followup":
            first, second = sorted((by_id[p["a"]], by_id[p["b"]]), key=lambda d: d.meta["time"])
            query = Query(second.id, second.body, second.title, None, "follow-up:natural", related=first.id)
            out.append(Scenario("follow-up-natural", [first], [query]))
    return out
