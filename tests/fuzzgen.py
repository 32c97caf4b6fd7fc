"""A seeded generator of hostile raw messages, and the oracle that says what each must become.

Families (``Case.family``): valid articles (text and HTML, with odd but legal metadata); the same with
noise between words (NUL and other control characters, BOM, CRLF, line and paragraph separators,
zero-width and no-break spaces); byte mutations of valid messages (bit flips, truncation, inserted
and deleted bytes, invalid UTF-8, encoded surrogates, BOM, CRLF); a wrong type for every field; deep
nesting; oversized messages; adversarial HTML; adversarial text (each linear-time pattern's worst
input). The same seed gives the same inputs.

``oracle(payload)`` decides from the raw-article schema's rules, computed here independently of
the worker's code (stdlib ``json``, hand-written checks), which outcomes are honest: ``article``
(an article or a duplicate), or the dead-letter reasons that fit, or None for "anything but internal"
(a mutated HTML page may or may not keep a body). A generator that knows its input is a real
article narrows it to ``article``.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass

ARTICLE = "article"

# Word pools without the words that template rules remove on their own ("menu", "share", ...).
_ID_WORDS = [
    "pemerintah", "kabupaten", "warga", "jembatan", "sungai", "presiden", "menteri", "gubernur", "petani", "sawah",
    "harga", "beras", "pasar", "sekolah", "guru", "murid", "rumah", "sakit", "dokter", "pasien", "jalan", "banjir",
    "hujan", "musim", "kemarau", "nelayan", "laut", "pelabuhan", "kapal", "bandara", "pesawat", "kereta", "stasiun",
    "listrik", "desa", "kecamatan", "provinsi", "anggaran", "pembangunan", "ekonomi", "inflasi", "rupiah", "bank",
    "usaha", "pabrik", "pekerja", "upah", "kebijakan", "rapat", "sidang", "pengadilan", "hakim", "jaksa", "polisi",
    "kampung", "tetangga", "keluarga", "anak", "orang", "tua", "panen", "pupuk", "irigasi", "bendungan", "air",
    "bersih", "sampah", "lingkungan"
]
_EN_WORDS = [
    "government", "county", "residents", "bridge", "river", "president", "minister", "governor", "farmers", "rice",
    "prices", "market", "school", "teacher", "students", "hospital", "doctor", "patients", "road", "flood", "rain",
    "season", "drought", "fishermen", "harbour", "ship", "airport", "plane", "train", "station", "electricity",
    "village", "district", "province", "budget", "construction", "economy", "inflation", "bank", "business",
    "factory", "workers", "wages", "policy", "meeting", "court", "judge", "prosecutor", "police", "family",
    "children", "parents", "harvest", "fertilizer", "irrigation", "dam", "clean", "water", "waste", "environment",
    "council"
]
_NAMES = ["Prabowo Subianto", "Sri Mulyani", "Joko Widodo", "Anies Baswedan", "Jane Doe", "John Smith",
          "Budi Santoso", "Siti Rahayu", "Maria Lopez", "Ahmad Fauzi"]
_PLACES = ["Jakarta", "Bandung", "Surabaya", "Medan", "Makassar", "London", "Washington", "Bogor", "Yogyakarta"]
# Between words: characters a scraper or a broken CMS leaves in text. The words stay intact.
NOISE = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x0e", "\x1b", "\x1c", "\x1f", "\x7f", "\ufeff", "\r\n",
         "\r", "\u2028", "\u2029", "\u200b", "\u00a0", "\u3000", "\t", "  ", "\x85", "\u200e", "\u202e"]
_FIELDS = ("id", "url", "source", "html", "text", "title", "published_at", "fetched_at", "language", "authors")
_MAX_LENGTH = {"id": 512, "url": 4096, "source": 512, "title": 2048, "published_at": 128, "fetched_at": 128,
               "language": 16}
_NULLABLE = {"title", "published_at", "fetched_at", "language", "authors"}
_WORD = re.compile(r"[A-Za-z]{3,}")


@dataclass
class Case:
    family: str
    payload: bytes
    expect: frozenset[str] | None  # honest outcomes (ARTICLE or reasons); None: anything but internal


# -- the oracle ------------------------------------------------------------------------------------
class _Unreadable(Exception):
    """JSON that the grammar allows but no float or string can hold (1e400, a lone surrogate)."""


def _no_infinity(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _Unreadable(text)
    return value


def _no_constants(name: str) -> float:
    raise ValueError(name)  # NaN, Infinity: not JSON


def _has_lone_surrogate(obj: object) -> bool:
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any(0xD800 <= ord(c) <= 0xDFFF for c in item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _schema_ok(obj: dict) -> bool:
    """The raw-article schema, by hand."""
    for key in _FIELDS:
        if key not in obj:
            continue
        value = obj[key]
        if key == "authors":
            if value is None or (isinstance(value, str) and len(value) <= 2048):
                continue
            if not (isinstance(value, list) and len(value) <= 100
                    and all(isinstance(a, str) and len(a) <= 512 for a in value)):
                return False
            continue
        if value is None and key in _NULLABLE:
            continue
        if not isinstance(value, str) or len(value) > _MAX_LENGTH.get(key, 1 << 62):
            return False
        if key in ("html", "text") and not value.strip():
            return False
    return True


def _depth(obj: object) -> int:
    """Nesting depth in arrays and objects: ``[[1]]`` is 2."""
    deepest, stack = 0, [(obj, 0)]
    while stack:
        item, d = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, d + 1)
            stack.extend((v, d + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def _parse(text: str) -> object:
    """stdlib json with room for 1,024 levels (its C scanner counts against the recursion limit)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 4000))
    try:
        return json.loads(text, parse_float=_no_infinity, parse_constant=_no_constants)
    finally:
        sys.setrecursionlimit(limit)


def oracle(payload: bytes, max_bytes: int = 5_000_000, max_html_bytes: int = 3_000_000,  # noqa: C901 -- a rule per branch
           max_text_chars: int = 500_000) -> frozenset[str] | None:
    """The honest outcomes of a raw message, from the raw-article schema's rules."""
    if not payload:
        return frozenset({"no_content"})
    if len(payload) > max_bytes:
        return frozenset({"too_large"})
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        return frozenset({"invalid_utf8"})
    text = text.removeprefix("\ufeff")  # a byte-order mark: JSON parsers may ignore it
    try:
        obj = _parse(text)
    except RecursionError:
        return frozenset({"too_large"})
    except (ValueError, _Unreadable):
        return frozenset({"invalid_json"})
    if _depth(obj) > 1024:
        return frozenset({"too_large"})
    if _has_lone_surrogate(obj):
        return frozenset({"invalid_json"})
    if not isinstance(obj, dict):
        return frozenset({"schema"})
    if _empty(obj.get("html")) and _empty(obj.get("text")):
        return frozenset({"no_content"})
    if not _schema_ok(obj):
        return frozenset({"schema"})
    html, body = obj.get("html"), obj.get("text")
    if isinstance(html, str) and len(html.encode("utf-8")) > max_html_bytes:
        return frozenset({"too_large"})
    if (html is None and isinstance(body, str) and len(body) <= max_text_chars // 2
            and len(set(_WORD.findall(body))) >= 15):
        return frozenset({ARTICLE})
    return None


# -- valid articles ------------------------------------------------------------------------------
def _sentence(rng: random.Random, words: list[str]) -> str:
    picked = rng.sample(words, rng.randint(8, 16))
    if rng.random() < 0.3:
        picked.insert(rng.randrange(len(picked)), rng.choice(_NAMES))
    return " ".join(picked).capitalize() + "."


def paragraphs(rng: random.Random, n: int | None = None) -> list[str]:
    words = list(_ID_WORDS if rng.random() < 0.6 else _EN_WORDS)
    return [" ".join(_sentence(rng, words) for _ in range(rng.randint(2, 5))) for _ in range(n or rng.randint(2, 6))]


_ODD_VALUES: dict[str, list] = {
    "url": ["http://x.example:99999/a", "http://[::1", "https://news.example.com/a/{i}", "ftp://x/", "",
            "https://WWW.Site.Example/amp/{i}?utm_source=x", "javascript:void(0)"],
    "published_at": ["5000 tahun lalu", "2000 tahun lalu", "99999999999999999999 days ago", "2024-01-01T10:00:00+99:99",
                     "0001-01-01T00:00:00Z", "2999-12-31", "Selasa, 21 Oktober 2025 20:43 WIB", "3 jam yang lalu",
                     None, "", "kemarin"],
    "fetched_at": ["2025-11-05T12:00:00Z", "1850-01-01", "not a date", None, "2025-11-05T12:00:00+14:30"],
    "language": ["éé", "id", "ind", "zxx", "en-US", "x", None, "", "12", "pcm"],
    "title": [None, "", "Judul | Situs", " - " * 300, "T" * 2048],
    "authors": [["Jane Doe", "By John Smith (AP)"], "Jane Doe; John Smith", None, [], ["a" + " " * 500],
                "Oleh " + " " * 2000 + "x", ["(" * 500]],
    "source": ["Kompas", "", "x" * 512],
    "id": ["raw-{i}", "", "\x00"],
}


def _metadata(rng: random.Random, i: int) -> dict:
    meta: dict = {}
    for key, values in _ODD_VALUES.items():
        if rng.random() < 0.4:
            value = rng.choice(values)
            meta[key] = value.format(i=i) if isinstance(value, str) and "{i}" in value else value
    return meta


def valid_text(rng: random.Random, i: int, noise: bool = False) -> dict:
    paras = paragraphs(rng)
    if noise:
        paras = [_noisy(rng, p) for p in paras]
    return {"text": "\n\n".join(paras), **_metadata(rng, i)}


def _noisy(rng: random.Random, paragraph: str) -> str:
    words = paragraph.split(" ")
    return "".join(w + (rng.choice(NOISE) if rng.random() < 0.15 else " ") for w in words)


def _html_head(rng: random.Random, i: int) -> str:
    parts = ["<title>Berita Hari Ini | Situs</title>", '<meta charset="utf-8">']
    choices = [
        '<link rel="canonical" href="http://[::1">', '<link rel="canonical" href="https://x.example:99999/a">',
        f'<link rel="canonical" href="https://news.example.com/a/{i}">',
        '<meta property="og:url" content="http://x.example:-1/">',
        '<meta property="article:published_time" content="2024-01-01T10:00:00+99:99">',
        '<meta property="article:published_time" content="2024-05-02T10:00:00+07:00">',
        '<meta name="author" content="a' + " " * rng.choice((10, 1000, 20000)) + 'b">',
        '<meta name="author" content="Jane Doe, John Smith">',
        '<meta property="og:locale" content="éé_ÉÉ">', '<meta http-equiv="content-language" content="pcm">',
        '<script type="application/ld+json">{"@type":"NewsArticle","author":'
        + '{"name":' * 1000 + '"x"' + "}" * 1000 + "}</script>",
        '<script type="application/ld+json">{"@type":"NewsArticle","author":' + "[" * 900 + '"x"' + "]" * 900
        + ',"datePublished":"2000 tahun lalu"}</script>',
        '<script type="application/ld+json">{"@graph":[{"@type":"NewsArticle","headline":5,"datePublished":[1]}]}'
        "</script>",
        '<script type="application/ld+json">{broken json</script>',
        '<meta name="keywords" content="' + ",".join(["kata"] * 500) + '">',
    ]
    return "".join(parts + rng.sample(choices, rng.randint(0, 4)))


def valid_html(rng: random.Random, i: int, noise: bool = False) -> dict:
    paras = paragraphs(rng, rng.randint(3, 6))
    if noise:
        paras = [_noisy(rng, p).replace("<", " ") for p in paras]
    prefix = rng.choice(["", "", '<?xml version="1.0" encoding="utf-8"?>\n', "\ufeff",
                         "<?xml version='1.0' encoding='ISO-8859-1'?><!DOCTYPE html>", "<!DOCTYPE html>\r\n"])
    body = "".join(f"<p>{p}</p>" for p in paras)
    lang = rng.choice(["", ' lang="id"', ' lang="éé"', ' lang="x"', ' xml:lang="ind"', ' lang="zxx"'])
    html = (f"{prefix}<html{lang}><head>{_html_head(rng, i)}</head><body><nav>Menu</nav>"
            f"<article><h1>{paras[0][:60]}</h1>{body}</article><footer>Hak cipta</footer></body></html>")
    meta = _metadata(rng, i)
    meta.pop("title", None)
    return {"html": html, **meta}


# -- byte mutations ------------------------------------------------------------------------------------
_BAD_UTF8 = [b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82", b"\x80", b"\xfe\xff"]


def mutate(rng: random.Random, data: bytes) -> tuple[str, bytes]:  # noqa: C901 -- one branch per mutation
    """One random byte-level mutation: (its name, the mutated bytes)."""
    kind = rng.choice(["bitflip", "truncate", "insert", "delete", "duplicate", "bad_utf8", "surrogate_escape",
                       "bom", "crlf", "nul", "control", "swap"])
    b = bytearray(data)
    pos = rng.randrange(len(b) + 1) if b else 0
    if kind == "bitflip" and b:
        for _ in range(rng.randint(1, 8)):
            j = rng.randrange(len(b))
            b[j] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        b = b[:pos]
    elif kind == "insert":
        b[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    elif kind == "delete":
        del b[pos:pos + rng.randint(1, 64)]
    elif kind == "duplicate":
        b[pos:pos] = b[pos:pos + rng.randint(1, 200)]
    elif kind == "bad_utf8":
        b[pos:pos] = rng.choice(_BAD_UTF8)
    elif kind == "surrogate_escape":
        lone = rng.choice([b" \\ud800 ", b" \\udfff ", b" \\udc00\\ud800 "])
        b = bytearray(data.replace(b" ", lone, 1)) if b" " in data else b
    elif kind == "bom":
        b[0:0] = b"\xef\xbb\xbf"
    elif kind == "crlf":
        b = bytearray(bytes(b).replace(b",", b",\r\n") + b"\r\n")
    elif kind == "nul":
        b[pos:pos] = b"\x00"
    elif kind == "control":
        b[pos:pos] = bytes([rng.choice([1, 8, 11, 12, 14, 27, 31, 127])])
    elif kind == "swap" and len(b) > 2:
        j = rng.randrange(len(b) - 1)
        b[j], b[j + 1] = b[j + 1], b[j]
    return kind, bytes(b)


# -- wrong types, nesting, size ---------------------------------------------------------------------------
def _wrong_values(rng: random.Random) -> list:
    deep: object = "x"
    for _ in range(rng.choice((5, 50, 500))):
        deep = [deep]
    return [0, -1, 1.5, 1e308, True, False, None, [], {}, ["a", 1], {"name": "x"}, "", " \n\t ", deep,
            [None] * 200, "x" * 5000, ["x" * 600], 2**70]


def wrong_type(rng: random.Random, i: int) -> tuple[str, bytes]:
    obj = valid_text(rng, i) if rng.random() < 0.7 else valid_html(rng, i)
    field = rng.choice(_FIELDS)
    obj[field] = rng.choice(_wrong_values(rng))
    return f"wrong_type:{field}", json.dumps(obj).encode()


def nested(rng: random.Random, i: int) -> bytes:
    depth = rng.choice((10, 100, 1000, 1023, 1025, 5000, 100_000))
    opener, closer = rng.choice([("[", "]"), ('{"a":', "}")])
    blob = opener * depth + "1" + closer * depth
    if rng.random() < 0.5:
        return ('{"text": ' + json.dumps(valid_text(rng, i)["text"]) + ', "extra": ' + blob + "}").encode()
    return blob.encode()


def oversized(rng: random.Random, big: bool) -> bytes:
    if not big:
        return b'{"text": "' + b"a " * rng.randint(2_500_001, 2_600_000) + b'"}'  # over 5 MB: rejected unread
    kind = rng.choice(["line", "text", "html"])
    if kind == "line":
        return b'{"text": "' + b"kata " * 2_000_000 + b'"}'  # 10 MB
    if kind == "text":
        return json.dumps({"text": "kata lain " * 60_000}).encode()  # over the 500,000-character text limit
    return json.dumps({"html": "<p>" + "kata " * 700_000 + "</p>"}).encode()  # over the 3 MB HTML limit


# -- adversarial HTML and text -----------------------------------------------------------------------
def adversarial_html(rng: random.Random, size: int) -> str:
    real = "".join(f"<p>{p}</p>" for p in paragraphs(rng, 2))
    n = max(10, size // 10)
    shapes = [
        "<div>" * 300 + "x" + "</div>" * 300,           # deeper than libxml2 parses faithfully
        "<div>" * 200 + real + "</div>" * 200,
        "<b><i>" * n + real,                             # never closed
        "<p " + " ".join(f"a{j}=1" for j in range(n)) + ">" + real,
        "<script>" + "x" * size + "</script>",
        "<style>" + "a{}" * n + "</style>" + real,
        "<!--" + "-" * size + real,
        "<![CDATA[" + "x" * size + "]]>" + real,
        "&amp;&lt;&#123;&quot;&#xD800;&#0;&nbsp; " * n + real,
        "<table>" + "<tr><td>x</td></tr>" * n + "</table>" + real,
        "<a" * n + real,
        "<" * size,
        "<iframe src=javascript:alert(1)>" * n + real,
        real.replace(" ", "\x01 ") + "\x00" * n,
        "<html><body>" + "<p>Aa Bb Cc, Dd Ee.</p>" * n + "</body></html>",
        "<meta name=author content='" + " " * size + "'>" + real,
        "<title>" + "T" * size + "</title>" + real,
        "<svg><foreignObject><math><mi><mglyph><style><img src=x onerror=1></style>" + real,
        "\ufeff<?xml version='1.0' encoding='utf-16'?>" + real,
        "<" + "a" * size + ">" + real,
    ]
    return rng.choice(shapes)


def adversarial_text(rng: random.Random, size: int) -> tuple[str, bool]:
    """(text, whether it holds a real article paragraph)."""
    runs = [",", "©", " ", "\f", "Aa ", "A.", "A-", "1", "1,", "&amp;", "Senin ", "Senin, (", "(", "é\n", "A\n",
            "28 Oktober 2023 ", "Selasa (21/10/2025) ", " is ", "—", "\u200b", "\u0301", "ﷺ", "𝔘𝔫𝔦", "🙂", "ا",
            "\u202e", "\ud7ff", "<", "\\", '"', "Baca juga: ", "Iklan\n", "Share\n"]
    unit = rng.choice(runs)
    run = (unit * (size // len(unit) + 1))[:size]
    if rng.random() < 0.5:
        return run, False
    paras = paragraphs(rng, 3)
    place = rng.randrange(4)
    return "\n\n".join([*paras[:place], run, *paras[place:]]), True


def random_unicode(rng: random.Random, size: int) -> str:
    blocks = [(0x20, 0x7E), (0xA0, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF), (0x590, 0x6FF), (0x900, 0x97F),
              (0xE00, 0xE7F), (0x3040, 0x30FF), (0x4E00, 0x4FFF), (0xAC00, 0xAD00), (0x1F300, 0x1F64F),
              (0x0300, 0x036F), (0x2000, 0x206F), (0xFE00, 0xFE0F), (0x1D400, 0x1D4FF), (0x0, 0x1F)]
    out: list[str] = []
    while len(out) < size:
        lo, hi = rng.choice(blocks)
        out.extend(chr(rng.randint(lo, hi)) for _ in range(rng.randint(1, 40)))
        if rng.random() < 0.3:
            out.append(rng.choice([" ", "\n", "\n\n", ". "]))
    return "".join(out[:size])


# -- the mix -----------------------------------------------------------------------------------------------
def _size(rng: random.Random, big: bool) -> int:
    roll = rng.random()
    if roll < 0.7:
        return rng.randint(1, 2_000)
    if roll < 0.95 or not big:
        return rng.randint(2_000, 20_000)
    return rng.randint(20_000, 100_000)


def generate(seed: int, n: int, big: bool = False) -> Iterator[Case]:  # noqa: C901 -- one branch per family
    """``n`` cases; ``big`` adds 10 MB lines, HTML and text over their limits and inputs up to 100 KB."""
    rng = random.Random(seed)
    for i in range(n):
        roll = rng.random()
        if roll < 0.12:
            yield Case("valid_text", json.dumps(valid_text(rng, i)).encode(), frozenset({ARTICLE}))
        elif roll < 0.18:
            yield Case("valid_html", json.dumps(valid_html(rng, i)).encode(), frozenset({ARTICLE}))
        elif roll < 0.26:
            yield Case("noise_text", json.dumps(valid_text(rng, i, noise=True)).encode(), frozenset({ARTICLE}))
        elif roll < 0.29:
            yield Case("noise_html", json.dumps(valid_html(rng, i, noise=True)).encode(), frozenset({ARTICLE}))
        elif roll < 0.55:
            source = valid_text(rng, i) if rng.random() < 0.75 else valid_html(rng, i)
            kind, payload = mutate(rng, json.dumps(source, ensure_ascii=rng.random() < 0.5).encode())
            yield Case(f"mutation:{kind}", payload, oracle(payload))
        elif roll < 0.70:
            family, payload = wrong_type(rng, i)
            yield Case(family, payload, oracle(payload))
        elif roll < 0.73:
            payload = nested(rng, i)
            yield Case("nesting", payload, oracle(payload))
        elif roll < 0.735:
            payload = oversized(rng, big)
            yield Case("oversized", payload, oracle(payload))
        elif roll < 0.84:
            html = adversarial_html(rng, _size(rng, big))
            payload = json.dumps({"html": html, "url": f"https://hostile.example/{i}"}).encode()
            expect = oracle(payload)
            if html.startswith("<div>" * 300):
                expect = frozenset({"too_large"})
            yield Case("adversarial_html", payload, expect)
        elif roll < 0.95:
            body, real = adversarial_text(rng, _size(rng, big))
            payload = json.dumps({"text": body}, ensure_ascii=rng.random() < 0.5).encode()
            expect = frozenset({ARTICLE}) if real else oracle(payload)
            yield Case("adversarial_text", payload, expect)
        else:
            body = random_unicode(rng, _size(rng, big))
            payload = json.dumps({"text": body}, ensure_ascii=rng.random() < 0.5).encode()
            yield Case("random_unicode", payload, oracle(payload))
