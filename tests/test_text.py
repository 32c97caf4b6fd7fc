"""workers.core.text: line cleaning (template lines, repeats, mojibake, learned site templates)."""

from __future__ import annotations

from workers.core import text


def test_clean_lines_template_repeats_and_mojibake():
    raw = "\n".join([
        "Headline Of The Story Goes Here",
        "ADVERTISEMENT",
        "SCROLL TO CONTINUE WITH CONTENT",
        "First paragraph of the story has enough words to be real text.",
        "Baca juga: Something else entirely",
        "Second paragraph mentions the cafÃ© downtown and continues for a while.",
        "Second paragraph mentions the cafÃ© downtown and continues for a while.",
        "Simak juga Video: Another thing",
        "•",
        "1.234 kali dibaca",
        "Last paragraph ends the story here.",
    ])
    out = text.clean_lines(raw)
    assert out.title == "Headline Of The Story Goes Here"
    assert out.paragraphs == [
        "First paragraph of the story has enough words to be real text.",
        "Second paragraph mentions the café downtown and continues for a while.",
        "Last paragraph ends the story here.",
    ]


def test_clean_lines_keeps_sentences_that_mention_template_words():
    raw = ("Pemerintah melarang iklan rokok di televisi mulai tahun depan, kata menteri.\n"
           "Baca juga buku ini, ujarnya kepada siswa di kelas pada Senin pagi yang cerah itu.")
    out = text.clean_lines(raw, detect_title=False)
    assert out.paragraphs[0].startswith("Pemerintah melarang iklan rokok")


def test_clean_lines_learned_template():
    raw = "A paragraph of article text that is long enough.\nJoin our newsletter today\nAnother paragraph of text."
    learned = {text.line_hash(text._key("Join our newsletter today"))}
    out = text.clean_lines(raw, extra_template=frozenset(learned), detect_title=False)
    assert "Join our newsletter today" not in out.paragraphs
    assert len(out.paragraphs) == 2
