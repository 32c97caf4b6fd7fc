#!/usr/bin/env python3
"""Cleaning and enrichment quality, measured through the product's own offline command.

Every number comes from ``newsworker process`` output (run as a subprocess with
NEWSWORKER_ARTICLE_TIMEOUT_SECONDS=0, so everything runs in one process):

* detik (``../shared/data/detik-id-news/data_berita.csv``), fed as page scrapes
  ``{"url": tautan, "text": judul + "\\n" + isi_berita}``:
  title accuracy, language accuracy, entity recall against the annotated
  stakeholders, detik template lines left in bodies, content lines kept, and
  published-date accuracy against ``tanggal`` (M/D/YYYY HH:MM, WIB);
  also fed with the title given, and as the bare body (no headline line);
* the article-extraction benchmark (181 pages): language accuracy, the gold
  bodies fed as text (the detector alone) and the HTML pages (the whole path);
* site-template learning: benchmark gold bodies wrapped in an invented site
  template (lines no rule matches), all on one domain; and detik with the rule
  list switched off (``text.is_template_line`` replaced, nothing else changed),
  so that only the learned statistics can remove detik's template.

    /work/venv/bin/python bench/quality.py [--limit N] [--keep DIR] [--skip-html]

The CSV is read from ../shared at run time and never copied into the repo.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.common import machine

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("NEWSWORKER_SHARED_DIR", REPO.parent / "shared"))
DETIK = SHARED / "data" / "detik-id-news" / "data_berita.csv"
BENCH = SHARED / "data" / "article-extraction-benchmark"
NEWSWORKER = Path(sys.executable).with_name("newsworker")
WIB = dt.timezone(dt.timedelta(hours=7))

# --- detik's template, as this benchmark defines it (independent of workers/core/text.py) ---
# Lines of the scraped bodies that are page furniture: the scroll prompt, ad labels, video and
# live-show promos ("Simak juga Video ...", "Tonton juga video \"...\" di sini:", "Saksikan Live
# DetikPagi :"), cross-links and pagination prompts.
DETIK_TEMPLATE = re.compile(
    r"^(?:SCROLL TO CONTINUE WITH CONTENT|ADVERTISEMENT"
    r"|(?:Simak|Tonton|Lihat|Saksikan)(?: juga)?\s*(?:Video|video|Live|\"|:).*"
    r"|Baca juga\b.*"
    r"|(?:Simak|Baca) selengkapnya di halaman (?:selanjutnya|berikutnya).*)$"
)
DETIK_TEMPLATE_STRINGS = ("SCROLL TO CONTINUE WITH CONTENT", "ADVERTISEMENT", "Simak juga Video", "Baca juga")

# --- an invented site template: lines no rule of text.py names (checked at run time) ---------
INVENTED_DOMAIN = "www.harbourlight-courier.example"
INVENTED_TOP = [
    "Harbourlight Courier",
    "Morning Edition · Harbour Towns · Valley Farms · Opinion Pages",
    "Independent reporting from the river valley since 1911",
]
INVENTED_MIDDLE = "Tip line open around the clock for our reporters: 555-0199"
INVENTED_BOTTOM = [
    "Our newsroom is funded by members like you",
    "Become a Harbourlight member for the price of a coffee a week",
    "Printed and published by Harbourlight Courier Cooperative, Quay Street",
]
INVENTED_LINES = INVENTED_TOP + [INVENTED_MIDDLE] + INVENTED_BOTTOM

# --- gold language of the benchmark pages ---------------------------------------------------
# Start from <html lang> (primary subtag). Pages without the attribute, and pages where the
# attribute disagreed with any detector, were read by eye; the attribute is wrong on four
# (businessinsider.com says "de" on two English pages, blog.comwrap.com says "en" on two German ones).
GOLD_LANG_BY_EYE = {
    # businessinsider.com, lang="de", English text
    "f81c6c05d9cbc93316992fa23ef74ec405194e292611f2e94f6a814868903665": "en",
    "fde930b01859de8311c6a14f8aa8c72be0659b551367803deb6736cf3526cf2e": "en",
    # blog.comwrap.com, lang="en", German text
    "57b4dafd18cfd0531b69f81e87158648227c673ef159f8d8c87d34e34bdb21f2": "de",
    "ba07d1e64775f4090e39116c382111f5a2cfe9528dd179673f4e9bfcea370c15": "de",
}
NO_LANG_ATTR_BY_EYE = {"br": "pt"}  # pages without the attribute: the .com.br ones are Portuguese, the rest English

# Words that stand before a name in the annotations (roles, titles): stripped to get a name core.
ROLE_WORDS = frozenset([
    "presiden", "wakil", "wapres", "menteri", "menko", "mendagri", "menkeu", "menlu", "menhan", "mensesneg", "mensos",
    "menkes", "gubernur", "wagub", "bupati", "wali", "walikota", "kota", "ketua", "kepala", "direktur", "dirut",
    "utama", "eksekutif", "jenderal", "jubir", "juru", "bicara", "anggota", "sekjen", "sekretaris", "dubes", "duta",
    "besar", "raja", "ratu", "pangeran", "perdana", "pm", "kanselir", "senator", "pelatih", "ekonom", "pengamat",
    "analis", "peneliti", "dosen", "guru", "rektor", "komisaris", "kapolri", "kapolda", "kapolres", "kapolsek",
    "kapolrestabes", "kasat", "kasubdit", "kabid", "humas", "kadis", "kajati", "kajari", "jaksa", "agung", "hakim",
    "panglima", "danjen", "pangdam", "mayjen", "brigjen", "irjen", "kombes", "akbp", "akp", "kompol", "iptu", "ipda",
    "aiptu", "bripka", "briptu", "plt", "pj", "dr", "prof", "ir", "h", "hj", "kh", "ustaz", "habib", "gus", "pak",
    "bu", "bapak", "ibu", "mantan", "eks", "calon", "deputi", "direktorat", "dirjen", "staf", "khusus", "koordinator",
    "pimpinan", "komisi", "tim", "ahli", "pendiri", "founder", "ceo", "chairman", "chief", "president", "minister",
    "secretary", "governor", "mayor", "spokesman", "spokesperson", "director", "head", "deputy", "former", "vice",
    "prime", "general", "mr", "mrs", "ms", "sir", "lord", "king", "queen", "prince", "pope", "chancellor", "dokter",
    "camat", "lurah", "kades", "komjen", "letjen", "kolonel", "kapten",
])


# --- helpers --------------------------------------------------------------------------------
def norm(s: str | None) -> str:
    return re.sub(r"\s+", " ", (s or "").strip())


def fold(s: str | None) -> str:
    return " ".join(re.findall(r"[^\W_]+", (s or "").lower()))




RULES_OFF = (
    "import sys; import workers.core.text as t; t.is_template_line = lambda line: False; "
    "from workers.cli import main; sys.exit(main())"
)


def run_process(messages: list[dict], workdir: Path, name: str, rules_off: bool = False) -> tuple[list[dict], float]:
    """Run ``newsworker process`` over the messages; one output event (or dead letter) per message."""
    inp, out = workdir / f"{name}.in.jsonl", workdir / f"{name}.out.jsonl"
    with inp.open("w", encoding="utf-8") as f:
        for m in messages:
            f.write(json.dumps(m, ensure_ascii=False) + "\n")
    env = dict(os.environ, NEWSWORKER_ARTICLE_TIMEOUT_SECONDS="0")
    args = ["process", "--input", str(inp), "--output", str(out), "--progress-every", "1000000"]
    cmd = [sys.executable, "-c", RULES_OFF] + args if rules_off else [str(NEWSWORKER)] + args
    started = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stderr=subprocess.DEVNULL, cwd=REPO)
    seconds = time.perf_counter() - started
    events = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    if len(events) != len(messages):
        raise SystemExit(f"newsworker wrote {len(events)} lines for {len(messages)} messages ({name})")
    return events, seconds


def lines_of(body: str | None) -> list[str]:
    return [norm(p) for p in (body or "").split("\n") if p.strip()]


# --- detik ------------------------------------------------------------------------------------
def load_detik(limit: int | None) -> list[dict]:
    csv.field_size_limit(1 << 30)
    with DETIK.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return rows[:limit] if limit else rows


def gold_date(row: dict) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(row["tanggal"].strip(), "%m/%d/%Y %H:%M").replace(tzinfo=WIB)
    except (KeyError, ValueError):
        return None


_ID_DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
_ID_MON = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]


def detik_date_line(d: dt.datetime) -> str:
    """The date strip of a detik page: "Selasa, 21 Okt 2025 20:43 WIB"."""
    return f"{_ID_DAYS[d.weekday()]}, {d.day:02d} {_ID_MON[d.month - 1]} {d.year} {d:%H:%M} WIB"


def parse_event_time(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def date_scores(rows: list[dict], events: list[dict]) -> dict:
    """Published date against ``tanggal``: same calendar day (WIB), and exact to the minute."""
    n = found = day_ok = minute_ok = with_time = 0
    for row, ev in zip(rows, events, strict=True):
        gold = gold_date(row)
        if gold is None or "error" in ev:
            continue
        n += 1
        got = parse_event_time(ev.get("published_at"))
        if got is None:
            continue
        found += 1
        has_time = not (got.hour == got.minute == got.second == 0)
        # A date without a time of day is reported as midnight UTC of that calendar date.
        got_day = got.astimezone(WIB).date() if has_time else got.date()
        exact = got == gold.astimezone(dt.UTC)  # also right when 07:00 WIB falls on 00:00 UTC
        day_ok += exact or got_day == gold.date()
        with_time += has_time
        minute_ok += exact
    return {"n": n, "found": found, "day_ok": day_ok, "with_time": with_time, "minute_ok": minute_ok}


def annotated_entities(row: dict) -> list[tuple[str, str]]:
    try:
        data = json.loads(row.get("entity") or "{}")
    except json.JSONDecodeError:
        return []
    return [(cat, p) for cat, phrases in data.items() if isinstance(phrases, list)
            for p in phrases if isinstance(p, str)]


def name_variants(phrase: str) -> tuple[set[str], set[str]]:
    """(exact variants, name cores) of an annotated phrase, folded to lower-case words.

    Exact variants: the phrase; the phrase without its parenthesised part; each comma-separated
    item inside the parentheses ("Badan Pusat Statistik (BPS)" -> the phrase, "badan pusat
    statistik", "bps"). Name cores: each variant with its leading role/title words removed
    (ROLE_WORDS: "Presiden Prabowo Subianto" -> "prabowo subianto"), and every trailing run of two
    or more words ("Menteri Keuangan Purbaya Yudhi Sadewa" -> "purbaya yudhi sadewa", "yudhi sadewa").
    """
    base = re.sub(r"\([^)]*\)", " ", phrase)
    inner = [p for group in re.findall(r"\(([^)]*)\)", phrase) for p in group.split(",")]
    exact = {fold(phrase), fold(base)} | {fold(p) for p in inner}
    exact.discard("")
    cores: set[str] = set()
    for v in exact:
        words = v.split()
        while len(words) > 1 and words[0] in ROLE_WORDS:
            words = words[1:]
        cores.add(" ".join(words))
        full = v.split()
        for i in range(1, len(full) - 1):
            cores.add(" ".join(full[i:]))
    return exact, cores


def entity_found(phrase: str, extracted: AbstractSet[str], persons: AbstractSet[str] = frozenset()) -> bool:
    """Found when an extracted entity (any type) equals an exact variant or a name core.

    One more core for annotations of a person by role ("Kapolsek Prambanan AKP Nyoto",
    "Kepala Disdik Yusuf": the phrase starts with a role word): its last word, when we
    extracted it as a person.
    """
    exact, cores = name_variants(phrase)
    if extracted & (exact | cores):
        return True
    words = fold(re.sub(r"\([^)]*\)", " ", phrase)).split()
    return len(words) >= 2 and words[0] in ROLE_WORDS and words[-1] in persons


_SENT_BOUNDARY = re.compile(r"[.!?:;\"“”'‘’(\[]\s*$")


def is_named(phrase: str, text: str) -> bool:
    """A proper name: one of its words is written capitalised inside a sentence of the article.

    Generic stakeholders ("Masyarakat", "Petani", "Pemerintah") are capitalised in the
    annotation only; in running text they are lower-case except at a sentence start.
    """
    base = re.sub(r"\([^)]*\)", " ", phrase)
    for word in set(re.findall(r"[^\W\d_][\w'-]*", base)) | set(re.findall(r"\(([^)]*)\)", phrase)):
        word = word.strip()
        if not word or not word[0].isupper():
            continue
        for m in re.finditer(r"(?<![\w])" + re.escape(word) + r"(?![\w])", text):
            before = text[max(0, m.start() - 3): m.start()]
            if m.start() > 0 and not _SENT_BOUNDARY.search(before) and "\n" not in before:
                return True
    return False


def entity_scores(rows: list[dict], events: list[dict]) -> dict:
    by_cat: dict[str, Counter] = defaultdict(Counter)
    for row, ev in zip(rows, events, strict=True):
        if "error" in ev:
            continue
        ents = ev.get("entities") or {}
        extracted = {fold(n) for k in ("persons", "organizations", "locations") for n in ents.get(k, [])}
        persons = {fold(n) for n in ents.get("persons", [])}
        text = row["judul"] + "\n" + row["isi_berita"]
        for cat, phrase in annotated_entities(row):
            ok = entity_found(phrase, extracted, persons)
            named = is_named(phrase, text)
            for key in (cat, "all"):
                by_cat[key]["n"] += 1
                by_cat[key]["found"] += ok
                if named:
                    by_cat[key]["named"] += 1
                    by_cat[key]["named_found"] += ok
    return by_cat


def template_scores(rows: list[dict], events: list[dict]) -> dict:
    left = left_strings = raw_template = raw_content = kept_content = articles_with = 0
    examples: list[str] = []
    for row, ev in zip(rows, events, strict=True):
        if "error" in ev:
            continue
        body_lines = lines_of(ev.get("body"))
        bad = [ln for ln in body_lines if DETIK_TEMPLATE.match(ln)]
        strings = sum((ev.get("body") or "").count(s) for s in DETIK_TEMPLATE_STRINGS)
        left += len(bad)
        left_strings += strings
        articles_with += bool(bad or strings)
        examples.extend(bad[:1])
        body_keys = {fold(ln) for ln in body_lines}
        body_all = fold(ev.get("body"))
        seen: set[str] = set()
        for ln in lines_of(row["isi_berita"]):
            if DETIK_TEMPLATE.match(ln):
                raw_template += 1
                continue
            key = fold(ln)
            if not key or key in seen:
                continue
            seen.add(key)
            raw_content += 1
            kept_content += key in body_keys or key in body_all
    return {"left": left, "left_strings": left_strings, "articles_with": articles_with, "raw_template": raw_template,
            "raw_content": raw_content, "kept_content": kept_content, "examples": examples[:5]}


# --- benchmark pages ------------------------------------------------------------------------
def load_bench(limit: int | None) -> list[dict]:
    truth = json.loads((BENCH / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:
        with gzip.open(BENCH / "html" / f"{key}.html.gz", "rt", encoding="utf-8", errors="replace") as f:
            html = f.read()
        m = re.search(r"<html[^>]*\blang\s*=\s*[\"']?([A-Za-z]{2,3})", html, re.I)
        url = truth[key].get("url") or ""
        if key in GOLD_LANG_BY_EYE:
            gold, how = GOLD_LANG_BY_EYE[key], "by eye (attribute wrong)"
        elif m:
            gold, how = m.group(1).lower(), "html lang"
        else:
            tld = (urlsplit(url).hostname or "").rsplit(".", 1)[-1]
            gold, how = NO_LANG_ATTR_BY_EYE.get(tld, "en"), "by eye (no attribute)"
        pages.append({"id": key, "url": url, "html": html, "body": truth[key].get("articleBody", ""),
                      "lang": gold, "lang_how": how})
    return pages


def lang_scores(gold: list[str], events: list[dict]) -> tuple[int, int, Counter]:
    n = ok = 0
    errors: Counter = Counter()
    for g, ev in zip(gold, events, strict=True):
        n += 1
        got = None if "error" in ev else ev.get("language")
        ok += got == g
        if got != g:
            errors[f"{g}->{got}"] += 1
    return ok, n, errors


# --- site-template learning -----------------------------------------------------------------
def invented_site(pages: list[dict]) -> list[dict]:
    msgs = []
    for i, page in enumerate(pages):
        paras = [p for p in page["body"].split("\n") if p.strip()]
        mid = len(paras) // 2
        text = "\n".join(INVENTED_TOP + paras[:mid] + [INVENTED_MIDDLE] + paras[mid:] + INVENTED_BOTTOM)
        msgs.append({"id": f"invented-{i}", "url": f"https://{INVENTED_DOMAIN}/news/{i:04d}/{page['id'][:10]}",
                     "text": text})
    return msgs


def invented_scores(pages: list[dict], events: list[dict], warmup: int) -> dict:
    res: dict[str, Counter[str]] = {"before": Counter(), "after": Counter()}
    for i, (page, ev) in enumerate(zip(pages, events, strict=True)):
        phase = "before" if i < warmup else "after"
        c = res[phase]
        c["articles"] += 1
        if "error" in ev:
            c["deadletters"] += 1
            continue
        got = lines_of(ev.get("body")) + ([norm(ev["title"])] if ev.get("title") else [])
        keys = {fold(g) for g in got}
        c["invented_left"] += sum(fold(t) in keys for t in INVENTED_LINES)
        c["articles_with_invented"] += any(fold(t) in keys for t in INVENTED_LINES)
        body_all = fold(" ".join(got))
        for p in page["body"].split("\n"):
            if p.strip():
                c["gold_paragraphs"] += 1
                c["gold_kept"] += fold(p) in body_all
    return res


# --- report ---------------------------------------------------------------------------------
def pct(a: float, b: float) -> str:
    return f"{100 * a / b:.1f}%" if b else "n/a"


@dataclass
class Runs:
    """Output events of every run, in input order, and (articles, seconds) of the timed ones."""

    scrape: list[dict]
    given: list[dict]
    bare: list[dict]
    dated_rows: list[dict]
    dated: list[dict]
    rules_off: list[dict]
    bench_text: list[dict]
    bench_html: list[dict] | None
    invented: list[dict]
    timings: dict[str, tuple[int, float]]


def run_all(rows: list[dict], pages: list[dict], skip_html: bool, keep: Path | None) -> Runs:
    workdir = Path(tempfile.mkdtemp(prefix="bench-quality-"))
    timings: dict[str, tuple[int, float]] = {}

    def run(label: str | None, messages: list[dict], name: str, rules_off: bool = False) -> list[dict]:
        events, seconds = run_process(messages, workdir, name, rules_off=rules_off)
        if label:
            timings[label] = (len(messages), seconds)
        return events

    try:
        scrape = [{"id": f"detik-{r['id']}", "url": r["tautan"], "text": r["judul"] + "\n" + r["isi_berita"]}
                  for r in rows]
        ev_scrape = run("detik scrape", scrape, "detik-scrape")
        given = [{"id": f"detik-{r['id']}", "url": r["tautan"], "title": r["judul"], "text": r["isi_berita"]}
                 for r in rows]
        ev_given = run("detik title given", given, "detik-title-given")
        bare = [{"id": f"detik-{r['id']}", "url": r["tautan"], "text": r["isi_berita"]} for r in rows]
        ev_bare = run("detik body only", bare, "detik-body-only")
        with_dates = [(r, d) for r in rows if (d := gold_date(r)) is not None]
        dated = [{"id": f"detik-{r['id']}", "url": r["tautan"],
                  "text": r["judul"] + "\n" + detik_date_line(d) + "\n" + r["isi_berita"]} for r, d in with_dates]
        ev_dated = run(None, dated, "detik-dated")
        ev_rules_off = run("detik scrape, rules off", scrape, "detik-rules-off", rules_off=True)

        bench_text = [{"id": p["id"], "url": p["url"], "text": p["body"]} for p in pages]
        ev_btext = run("benchmark gold bodies as text", bench_text, "bench-text")
        ev_bhtml = None
        if not skip_html:
            bench_html = [{"id": p["id"], "url": p["url"], "html": p["html"]} for p in pages]
            ev_bhtml = run("benchmark HTML pages", bench_html, "bench-html")
        ev_inv = run("invented-template site", invented_site(pages), "invented-site")
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
            for f in workdir.iterdir():
                shutil.copy(f, keep / f.name)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return Runs(scrape=ev_scrape, given=ev_given, bare=ev_bare, dated_rows=[r for r, _ in with_dates],
                dated=ev_dated, rules_off=ev_rules_off, bench_text=ev_btext, bench_html=ev_bhtml, invented=ev_inv,
                timings=timings)


def after_warmup(rows: list[dict], events: list[dict], warm: int) -> tuple[list[dict], list[dict]]:
    """The (rows, events) that come after the first ``warm`` articles of their host."""
    host_seen: Counter[str] = Counter()
    late_rows, late_events = [], []
    for r, e in zip(rows, events, strict=True):
        host = urlsplit(r["tautan"]).netloc
        host_seen[host] += 1
        if host_seen[host] > warm:
            late_rows.append(r)
            late_events.append(e)
    return late_rows, late_events


def print_titles_and_languages(rows: list[dict], pages: list[dict], runs: Runs) -> None:
    n = len(rows)
    ok_events = [e for e in runs.scrape if "error" not in e]
    title_ok = sum(norm(e.get("title")) == norm(r["judul"])
                   for r, e in zip(rows, runs.scrape, strict=True) if "error" not in e)
    bare_title = sum(1 for e in runs.bare if "error" not in e and e.get("title"))
    given_title_ok = sum(norm(e.get("title")) == norm(r["judul"])
                         for r, e in zip(rows, runs.given, strict=True) if "error" not in e)
    lang_ok, lang_n, lang_err = lang_scores(["id"] * n, runs.scrape)
    b_ok, b_n, b_err = lang_scores([p["lang"] for p in pages], runs.bench_text)
    print(f"| detik title accuracy (scrape = judul + body) | {title_ok}/{len(ok_events)} = "
          f"{pct(title_ok, len(ok_events))} | extracted title == judul (whitespace-normalised) |")
    print(f"| detik title kept when given | {given_title_ok}/{n} = {pct(given_title_ok, n)} | \"title\" field given |")
    print(f"| detik bare body: a title taken from the body | {bare_title}/{n} | body without headline line; should "
          f"be 0 |")
    print(f"| detik language accuracy | {lang_ok}/{lang_n} = {pct(lang_ok, lang_n)} | gold: id for every detik "
          f"article; errors {dict(lang_err) or '{}'} |")
    print(f"| benchmark language accuracy (gold bodies as text) | {b_ok}/{b_n} = {pct(b_ok, b_n)} | gold: <html "
          f"lang>, corrected by eye; errors {dict(b_err) or '{}'} |")
    if runs.bench_html is not None:
        h_ok, h_n, h_err = lang_scores([p["lang"] for p in pages], runs.bench_html)
        print(f"| benchmark language accuracy (HTML pages) | {h_ok}/{h_n} = {pct(h_ok, h_n)} | whole HTML path; "
              f"errors {dict(h_err) or '{}'} |")


def print_entities(rows: list[dict], runs: Runs) -> None:
    ents = entity_scores(rows, runs.scrape)
    a = ents["all"]
    print(f"| detik entity recall, all annotated phrases | {a['found']}/{a['n']} = {pct(a['found'], a['n'])} "
          f"| phrase found = an extracted entity equals the phrase or its name core (see BENCHMARKS.md) |")
    print(f"| detik entity recall, named phrases | {a['named_found']}/{a['named']} = "
          f"{pct(a['named_found'], a['named'])} "
          f"| phrases with a word capitalised mid-sentence in the article (drops \"Masyarakat\", \"Petani\"...) |")
    for cat in ("government", "industry", "society", "experts", "other"):
        c = ents.get(cat, Counter())
        print(f"| — {cat} | all {pct(c['found'], c['n'])} ({c['n']}), named {pct(c['named_found'], c['named'])} "
              f"({c['named']}) | |")


def print_templates(rows: list[dict], runs: Runs, warm: int) -> dict:
    """The detik template rows; returns the scores of the scrape run (for its examples)."""
    n = len(rows)
    tmpl = template_scores(rows, runs.scrape)
    tmpl_given = template_scores(rows, runs.given)
    tmpl_off = template_scores(rows, runs.rules_off)
    # with the rules off, count only after each detik host has seen `warm` articles
    late_rows, late_events = after_warmup(rows, runs.rules_off, warm)
    tmpl_off_late = template_scores(late_rows, late_events)
    print(f"| detik template lines left in bodies | {tmpl['left']} lines, {tmpl['left_strings']} string hits, "
          f"{tmpl['articles_with']} articles | of {tmpl['raw_template']} template lines in the input; target 0 |")
    print(f"| detik template lines left, title given | {tmpl_given['left']} lines, {tmpl_given['left_strings']} "
          f"string hits | |")
    print(f"| detik content lines kept | {tmpl['kept_content']}/{tmpl['raw_content']} = "
          f"{pct(tmpl['kept_content'], tmpl['raw_content'])} | distinct non-template input lines found in the body |")
    print(f"| detik, rules off (learning only): template lines left | {tmpl_off['left']} lines in all {n} articles; "
          f"{tmpl_off_late['left']} lines / {tmpl_off_late['left_strings']} string hits after the first {warm} "
          f"articles of each host ({len(late_rows)} articles) | content kept after warm-up "
          f"{pct(tmpl_off_late['kept_content'], tmpl_off_late['raw_content'])} |")
    return tmpl


def print_dates(rows: list[dict], runs: Runs) -> None:
    d = date_scores(rows, runs.scrape)
    print(f"| detik published date, day (WIB) | {d['day_ok']}/{d['n']} = {pct(d['day_ok'], d['n'])} "
          f"| from the text alone (no date line in detik bodies); found for {d['found']} |")
    print(f"| detik published date, to the minute | {d['minute_ok']}/{d['n']} | the bodies carry no time of day |")
    d = date_scores(runs.dated_rows, runs.dated)
    print(f"| detik date line parse (\"Selasa, 21 Okt 2025 20:43 WIB\") | {d['minute_ok']}/{d['n']} exact minute, "
          f"{d['day_ok']}/{d['n']} day | date strip built from tanggal in detik's page format: tests parsing + WIB |")


def print_invented(pages: list[dict], runs: Runs, warm: int) -> None:
    inv = invented_scores(pages, runs.invented, warm)
    for phase in ("before", "after"):
        c = inv[phase]
        label = f"first {warm}" if phase == "before" else f"after {warm}"
        print(f"| invented-template site, {label} articles | {c['invented_left']} invented lines left in "
              f"{c['articles_with_invented']}/{c['articles']} articles; gold paragraphs kept "
              f"{pct(c['gold_kept'], c['gold_paragraphs'])} | {len(INVENTED_LINES)} lines/article no rule matches |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, help="first N detik rows and first N benchmark pages (hash order)")
    ap.add_argument("--keep", type=Path, help="keep the JSONL inputs and outputs in this directory")
    ap.add_argument("--skip-html", action="store_true", help="skip the benchmark run over HTML (slowest part)")
    args = ap.parse_args()

    from workers.core import text as text_rules
    from workers.settings import Settings

    settings = Settings.from_env()
    unknown = [ln for ln in INVENTED_LINES if text_rules.is_template_line(ln)]
    if unknown:
        raise SystemExit(f"the invented template must be unknown to the rules, but these match: {unknown}")

    rows = load_detik(args.limit)
    pages = load_bench(args.limit)
    runs = run_all(rows, pages, args.skip_html, args.keep)
    warm = settings.template_min_articles

    cmd = "/work/venv/bin/python bench/quality.py" + (f" --limit {args.limit}" if args.limit else "")
    print(f"# Cleaning and enrichment quality ({len(rows)} detik articles, {len(pages)} benchmark pages)")
    print(f"date:    {dt.datetime.now(dt.UTC).strftime('%Y-%m-%d %H:%M UTC')}")
    print(f"machine: {machine()}")
    print(f"command: {cmd}")
    print("runs:    newsworker process --input X.jsonl --output Y.jsonl, NEWSWORKER_ARTICLE_TIMEOUT_SECONDS=0, "
          f"site templates: min_articles={settings.template_min_articles} ratio={settings.template_line_ratio}")
    print()
    print("| measure | value | how |")
    print("|---|---|---|")
    print_titles_and_languages(rows, pages, runs)
    print_entities(rows, runs)
    tmpl = print_templates(rows, runs, warm)
    print_dates(rows, runs)
    print_invented(pages, runs, warm)
    dead = Counter(e["error"]["reason"] for e in runs.scrape if "error" in e)
    if dead:
        print(f"| detik dead letters | {dict(dead)} | |")
    print()
    print("| run | articles | articles/s (wall time of the whole command) |")
    print("|---|---|---|")
    for name, (count, secs) in runs.timings.items():
        print(f"| {name} | {count} | {count / secs:.1f} |")
    title_misses = [(r["judul"], e.get("title")) for r, e in zip(rows, runs.scrape, strict=True)
                    if "error" not in e and norm(e.get("title")) != norm(r["judul"])]
    if title_misses:
        print("\ntitle misses (first 5):")
        for gold, got in title_misses[:5]:
            print(f"  gold {gold!r}\n  got  {got!r}")
    if tmpl["examples"]:
        print("\ntemplate lines left (examples):", tmpl["examples"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
