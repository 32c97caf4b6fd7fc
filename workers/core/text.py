"""Cleaning of page text: Unicode repair, template lines, repeated lines, paragraphs.

Used for scraped-text input directly, and for the text that the HTML extractor
returns (the same rules then catch what the extractor let through).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import ftfy

from . import dates as _dates
from .templates import MAX_LINE_CHARS, line_hash

# Invisible or odd characters that break matching and counting.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Every white space but the line break (tabs, no-break and typographic spaces, form feeds, ...) is one space.
_SPACES = re.compile(r"[^\S\n]+")
_DIGIT = re.compile(r"\d")
MIN_BODY_WORDS = 5  # fewer words after cleaning: no article (article.build's no_content)
# In a page's main content as an extractor found it, a line of this many words or more that comes again,
# whole or as part of a recent line, is a paragraph said twice or restated (a list of steps, a refrain, a
# passage quoted again), not a repeat to drop: the extractor took each block once from the page. A shorter
# one (a caption, a label) is still dropped, and in scraped page text every repeat is (responsive layouts
# render blocks twice).
REPEATED_CONTENT_WORDS = 10
_HAS_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*", re.UNICODE)

# Lines that are page furniture in any site's template. Matched against the
# whole line (case-insensitive), so a sentence that merely mentions "iklan" stays.
_TEMPLATE_LINE_PATTERNS = [
    # advertising
    r"(iklan|advertisement|advertorial|sponsored( content)?|ads?|ad|konten bersponsor|scroll to continue with content|"
    r"scroll (down )?to (continue|read more)|lanjutkan membaca|continue reading( below)?|"
    r"story continues below( advertisement)?|article continues below( advertisement)?|paid (content|post|partnership))",
    r"\[?(gambas|video|foto|embed|iklan|ads?)[:\]].{0,200}+",
    # pagination
    r"((simak|baca|lihat|lanjut(kan)?|continue)( membaca| reading)? )?(selengkapnya |lanjutannya |berita )?"
    r"(di |pada |on )?(the )?(halaman|laman|page) (selanjutnya|berikutnya|sebelumnya|next|previous|\d+( of \d+)?)",
    r"(halaman|page)( \d+)+( (selanjutnya|berikutnya|next))?|(next|previous|prev) (page|article|story)|"
    r"(artikel|berita) (selanjutnya|sebelumnya)",
    # a link to the same story in another language
    r"(baca|read) (berita(nya)?|artikel(nya)?|this (story|article)) (ini )?(dalam|in) ?(bahasa )?[^\W\d_]+",
    # share and follow widgets
    r"(share|bagikan|tweet|facebook|twitter|whatsapp|telegram|linkedin|line|email|e-mail|pinterest|copy link|"
    r"salin tautan|salin link|print|cetak|komentar|comments?|\d+ comments?|\d+ komentar)",
    r"(share|bagikan)( (this|artikel|berita|ini))*( (article|story|on|ke|via|di))?( (facebook|twitter|whatsapp|x|email|"
    r"telegram|linkedin))*",
    r"(follow|ikuti)( us| kami)?( on| di)? .{0,60}(google news|whatsapp|instagram|telegram|twitter|facebook|tiktok|"
    r"youtube|channel|saluran).{0,80}+",
    # notification, newsletter and cookie widgets
    r"(notification|notifikasi|allow notifications|izinkan notifikasi|subscribe|berlangganan|sign up|daftar|"
    r"log ?in|masuk|close|tutup|menu|search|cari|home|beranda|back to top|kembali ke atas|skip to (main )?content)",
    r"(we use cookies|this (web)?site uses cookies|kami menggunakan cookie|accept( all)? cookies|"
    r"cookie (policy|settings)).{0,300}+",
    r"(subscribe to|sign up for|daftar(kan)? (diri )?untuk|dapatkan (berita|update|informasi)).{0,120}"
    r"(newsletter|email|berita|update|notifikasi|inbox).{0,80}+",
    # section headers of link lists
    r"(berita terbaru|berita terkini|berita terpopuler|terpopuler|terkini|populer|most popular|most read|"
    r"latest news|trending|editor['’]?s? picks?|pilihan editor|rekomendasi|recommended( for you)?|"
    r"topik( terkait)?|tags?|tag terkait|related topics|berita terkait|artikel terkait|"
    r"related (articles?|stories|news|coverage)|"
    r"more (stories|news|from [^\W\d_]+( [^\W\d_]+)?)|you (may|might) also like|jangan lewatkan|don['’]?t miss)"
    r"( update| hari ini| now)?:?",
    # counters and photo credits
    r"[\d.,]+\s*(views?|kali dibaca|dibaca|dilihat|pembaca|readers?|shares?|dibagikan)",
    r"(foto|photo|image|gambar|ilustrasi|credit|kredit|sumber foto|getty images|shutterstock)\s*:.{0,150}+",
    r"(copyright|hak cipta|©).{0,200}+",
    r"(editor|penulis|reporter|pewarta|writer|penyunting|redaktur|editing by|reporting by)\s*:.{0,80}+",
]
# Linear time: a rule that ends in ".{0,N}" takes its N characters possessively (what follows, "\W*$",
# fails for every shorter choice when it fails for the longest, lines holding no line break), and
# the line is matched in the view of ``_template_view``: leading and trailing runs of non-word characters
# cut to a few (a rule starts with at most one: "[", "©", "."), so that ",,,,,...,,," is not tried at
# every one of its commas; a longer remainder than any rule can match is no template line.
_TEMPLATE_LINE = re.compile(r"^\W*(?:" + "|".join(_TEMPLATE_LINE_PATTERNS) + r")\W*+$", re.IGNORECASE)
_NON_WORD_RUN = re.compile(r"\W*+")
_RUN_KEPT = 4  # non-word characters kept at each end of the line
_TEMPLATE_MAX_CHARS = 400  # the longest rule (a cookie notice) matches about 330 characters

# Cross-links and promos: "Baca juga: ...", "Simak juga Video 'X':", "Tonton juga video \"X\" di sini:",
# "Saksikan Live DetikPagi :", "Read more: ...", "Watch: ...". A cue, then a title: the line is
# template when the cue is followed by a colon, the line ends with a colon, or what follows is short.
_CROSS_LINK = re.compile(
    r"^\W*+(?:(?:baca|lihat|simak|tonton|saksikan|dengarkan|read|watch|see|listen)\s*(?:juga|pula|also)\b"
    r"|(?:baca|lihat|simak|tonton|saksikan|dengarkan|read|watch|see|listen)(?: juga| also)?\s*"
    r"(?:video|live|foto|podcast|infografis|infographic|gallery|galeri)"
    r"|(?:also read|read more|more on this(?: story)?|see also|related|baca selengkapnya|read the full story|"
    r"selengkapnya|watch)\s*[:\-–—])",
    re.IGNORECASE,
)
_CROSS_LINK_MAX_WORDS = 25

# A line that is only dates, times, zones, counters and separators (a byline/date strip).
_META_TOKENS = re.compile(
    r"(last updated|updated|diperbarui|published|dipublikasikan|diterbitkan|views?|dibaca|kali|pukul|jam|wib|wita|wit|"
    r"gmt|utc|et|pt|am|pm|t\d{2}:\d{2}(:\d{2})?z?|\d+)",
    re.IGNORECASE,
)


@dataclass
class CleanText:
    title: str | None
    paragraphs: list[str]
    header_lines: list[str] = field(default_factory=list)  # metadata lines removed from the top (dates, bylines)
    removed: int = 0  # lines dropped as template, symbols or repeats
    line_hashes: set[str] = field(default_factory=set)  # every short line of the input, for site-template statistics
    learned_words: int = 0  # words in lines dropped only because the site's learned template holds them


# Curly quotes and apostrophes are the article's own typography, kept as written ("jibt’s", „so“):
# ftfy straightens them by default, and a quoted passage then no longer matches the page (issue 12: 5 of the
# real-world pages' must-contain strings were lost to it). Every pattern here reads both forms.
_FTFY = ftfy.TextFixerConfig(normalization="NFC", explain=False, uncurl_quotes=False)
# Printable ASCII without "&" and without control characters: every ftfy fix leaves such text as it is.
_PLAIN = re.compile(r"[\t\r\x20-\x25\x27-\x7e]*+")
# ftfy costs about 30 µs per call and fixes each line on its own. In a text with more short lines that
# need it than any article has, they are fixed together, up to this many characters a call, so that
# 50,000 lines of "é" do not take 50,000 calls (ftfy then judges mojibake per run, not per line).
_SHORT_LINE = 80
_MANY_SHORT_LINES = 500
_BATCH_CHARS = 2000


def fix_unicode(text: str) -> str:
    """``ftfy.fix_text(text, _FTFY)`` (NFC, quotes kept as written), line by line as ftfy does, with plain ASCII lines
    passed over and runs of short lines fixed in one call (see above). A plain line keeps a "\r" that
    ftfy would turn into a line break: ``normalize`` unifies line breaks next, to the same text."""
    if _PLAIN.fullmatch(text.replace("\n", " ")):
        return text
    config = _FTFY
    out: list[str] = []
    batch: list[str] = []
    batch_chars = 0

    def fix(segment: str, whole_line: bool) -> str:
        nonlocal config
        if config.unescape_html == "auto" and "<" in segment:  # as ftfy: no HTML unescaping from then on
            config = config._replace(unescape_html=False)
        return ftfy.fix_text(segment, config) if whole_line else ftfy.fix_and_explain(segment, config)[0]

    def flush() -> None:
        nonlocal batch_chars
        if batch:
            out.append(fix("".join(batch), whole_line=False))
            batch.clear()
            batch_chars = 0

    lines = text.split("\n")
    short = sum(1 for line in lines if len(line) < _SHORT_LINE and not _PLAIN.fullmatch(line))
    batch_limit = _BATCH_CHARS if short > _MANY_SHORT_LINES else 0
    for i, line in enumerate(lines):
        if i < len(lines) - 1:
            line += "\n"
        if _PLAIN.fullmatch(line, 0, len(line) - line.endswith("\n")):
            flush()
            if "<" in line:
                fix(line, whole_line=True)  # only for the "<" state: ftfy leaves a plain line as it is
            out.append(line)
        elif len(line) < _SHORT_LINE and not ("<" in line and config.unescape_html == "auto"):
            batch.append(line)
            batch_chars += len(line)
            if batch_chars >= batch_limit:
                flush()
        else:
            flush()
            out.append(fix(line, whole_line=True))
    flush()
    return "".join(out)


def normalize(text: str) -> str:
    """Repair mojibake, normalise to NFC, unify line breaks and spaces."""
    text = fix_unicode(text)
    text = text.translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = unicodedata.normalize("NFC", text)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


def _template_view(line: str) -> str | None:
    """The line with its leading and trailing non-word runs cut to ``_RUN_KEPT`` characters; None when
    the rest is longer than any template rule matches."""
    lead = _NON_WORD_RUN.match(line).end()  # type: ignore[union-attr]  # \W*+ matches everywhere
    if lead == len(line):
        return line[:_RUN_KEPT] if lead else line
    trail = _NON_WORD_RUN.match(line[::-1]).end()  # type: ignore[union-attr]
    view = line[max(0, lead - _RUN_KEPT) : len(line) - max(0, trail - _RUN_KEPT)]
    return view if len(view) <= _TEMPLATE_MAX_CHARS else None


def is_template_line(line: str) -> bool:
    """Page furniture that any site may carry: ads, share/follow/cookie widgets, cross-links, counters."""
    view = _template_view(line)
    if view is None:
        return False
    if _TEMPLATE_LINE.match(view):
        return True
    m = _CROSS_LINK.match(line)
    if m:
        rest = line[m.end():]
        return (rest.lstrip().startswith((":", "-", "–", "—")) or line.rstrip().endswith(":")
                or len(words(rest)) <= _CROSS_LINK_MAX_WORDS and not _SPEECH_TAIL.search(rest))
    return False


# "..., ujarnya." / "..., he said.": a sentence of the article that happens to start like a cross-link.
_SPEECH_TAIL = re.compile(r",\s*(?:ujar|kata|tutur|ucap|jelas|imbuh|said|says|told)\w*\b", re.IGNORECASE)


def is_symbol_line(line: str) -> bool:
    """No word of two letters or more: a close button, a bullet, a separator."""
    return not _HAS_WORD.search(line) and len(line) < 40


def is_meta_line(line: str) -> bool:
    """A line of dates, times and counters, like "Sabtu, 28 Oktober 2023 | 08.03 WIB | 0 Views"."""
    if len(line) > 200 or not _DIGIT.search(line) or not _dates.find_dates(line):  # every date has a digit
        return False
    rest = _dates.strip_date_words(line)
    rest = _META_TOKENS.sub(" ", rest)
    return len(_HAS_WORD.findall(rest)) <= 1


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def _key(line: str) -> str:
    return " ".join(w.lower() for w in words(line))


# Two sentences in one line ("... negara. Lantas bagaimana?"): a lead paragraph, not a headline.
# A headline may exclaim first ("Lengkap! Isi Pidato ...", "Dari Mana? Ini Sejarahnya") but has no full stop.
_SENTENCE_BREAK = re.compile(r"\b([^\W\d_]{2,})([.!?])['\"’”)]?\s+['\"‘“(]?[A-Z]")


def looks_like_headline(line: str) -> bool:
    """One short sentence without a full stop: "Presiden Banggakan Inflasi 2%, Ini Cara ...", "Asal..."."""
    line = line.strip()
    n = len(words(line))
    if not (3 <= n <= 30 and len(line) <= 250):
        return False
    breaks = [m.group(2) for m in _SENTENCE_BREAK.finditer(line)
              if not (m.group(2) == "." and m.group(1)[0].isupper() and len(m.group(1)) <= 4)]  # "Mr.", "Jl."
    if "." in breaks or len(breaks) > 1 or (breaks and n > 20):
        return False
    if line.endswith(("...", "…")):
        return n <= 20  # a teaser headline trails off
    if line[:1] in "\"“'‘" and line[-1:] in "\"”'’":
        return False  # a quotation on its own line
    if line.endswith(('"', "”", "'", "’")):
        return line[-2:-1] not in ".,!?"  # 'Prabowo: "Kita Harus Maju"', not '..., kata dia, "maju."'
    return not line.endswith((".", ",", ";", ":"))


def clean_lines(
    text: str,
    title: str | None = None,
    extra_template: frozenset[str] | set[str] = frozenset(),
    detect_title: bool = True,
    extracted: bool = False,
) -> CleanText:
    """Turn page text into a title and clean paragraphs.

    ``extra_template`` holds hashes of lines learned as this site's template
    (see ``templates.SiteTemplates``); they are dropped like rule-matched lines.
    ``extracted``: the text is a page's main content as an HTML extractor returned it, not a scrape of
    the whole page (see ``REPEATED_CONTENT_WORDS``).
    """
    lines = [ln for ln in normalize(text).split("\n")]
    kept: list[str] = []
    kept_keys: list[str] = []  # _key of each kept line, computed once
    header: list[str] = []
    seen: set[str] = set()
    removed = learned_words = 0
    hashes: set[str] = set()
    title_key = _key(title) if title else None
    found_title = title
    for line in lines:
        if not line:
            continue
        key = _key(line)
        h = line_hash(key) if len(line) <= MAX_LINE_CHARS else None
        if h:
            hashes.add(h)
        if is_symbol_line(line) or is_template_line(line):
            removed += 1
            continue
        if h and h in extra_template:
            removed += 1
            learned_words += len(words(line))
            continue
        if is_meta_line(line) and len(kept) <= 2:
            header.append(line)
            removed += 1
            continue
        if key == title_key:  # the headline repeated at the top of the text
            removed += 1
            continue
        content = extracted and len(key.split()) >= REPEATED_CONTENT_WORDS
        if not content and (key in seen or _repeats_recent(key, kept_keys)):
            removed += 1
            continue
        seen.add(key)
        kept.append(line)
        kept_keys.append(key)
    # A scrape usually opens with the headline: take it as the title, not body.
    # ... unless the rest is too short to be an article: then the line is the article's text, not its headline.
    if (detect_title and not found_title and len(kept) >= 2 and looks_like_headline(kept[0])
            and (len(words(kept[1])) >= 8 or len(kept) >= 3)
            and _at_least_words(kept[1:], MIN_BODY_WORDS)):
        found_title = kept.pop(0)
    return CleanText(title=found_title, paragraphs=kept, header_lines=header, removed=removed, line_hashes=hashes,
                     learned_words=learned_words)


def _at_least_words(lines: list[str], n: int) -> bool:
    """``sum(len(words(line)) for line in lines) >= n``, reading lines only until n words are found."""
    for line in lines:
        n -= len(words(line))
        if n <= 0:
            return True
    return n <= 0


def _repeats_recent(key: str, kept_keys: list[str], window: int = 3) -> bool:
    """True when this line is a fragment of one of the last few kept lines (a scrape artefact)."""
    return len(key) >= 20 and any(key in prev for prev in kept_keys[-window:])
