"""Repeated lines in text.clean_lines: a paragraph said twice or restated in extracted main content is
content; a short repeated line or fragment, and any repeat in scraped page text, are not."""

from __future__ import annotations

import pytest

from workers.core import text

LONG = "The committee will meet again in March to decide whether the new rules apply to small farms as well."
OTHER = "Farmers' groups said they welcomed the delay but wanted a clear answer before the planting season."
SHORT = "Photo gallery of the meeting"


def words(n: int) -> str:
    return " ".join(["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa",
                     "lambda", "mu"][:n]) + "."


@pytest.mark.parametrize("between", [[], [OTHER], [OTHER, OTHER.replace("clear", "quick"), "Yet another line."]])
def test_a_long_paragraph_said_twice_in_extracted_content_is_kept_twice(between):
    out = text.clean_lines("\n".join([LONG, *between, LONG]), detect_title=False, extracted=True)
    assert out.paragraphs.count(LONG) == 2


@pytest.mark.parametrize("between", [[], [OTHER]])
def test_in_scraped_text_every_repeat_is_dropped(between):
    out = text.clean_lines("\n".join([OTHER, LONG, *between, LONG]), detect_title=False)
    assert out.paragraphs.count(LONG) == 1


def test_a_short_repeated_line_is_dropped_even_in_extracted_content():
    out = text.clean_lines("\n".join([SHORT, LONG, SHORT, OTHER]), detect_title=False, extracted=True)
    assert out.paragraphs == [SHORT, LONG, OTHER]


@pytest.mark.parametrize(("n", "kept"), [(9, 1), (10, 2), (12, 2)])
def test_the_length_that_makes_a_repeat_a_paragraph(n, kept):
    assert text.REPEATED_CONTENT_WORDS == 10
    line = words(n)
    out = text.clean_lines("\n".join([LONG, line, OTHER, line]), detect_title=False, extracted=True)
    assert out.paragraphs.count(line) == kept


def test_a_short_fragment_of_the_line_before_is_dropped():
    fragment = "apply to small farms as well"  # under REPEATED_CONTENT_WORDS words
    for extracted in (False, True):
        out = text.clean_lines("\n".join([LONG, fragment, OTHER]), detect_title=False, extracted=extracted)
        assert out.paragraphs == [LONG, OTHER]


def test_a_long_passage_restated_is_kept_in_extracted_content_only():
    passage = "whether the new rules apply to small farms as well"  # ten words of LONG, restated
    raw = "\n".join([LONG, passage, OTHER])
    assert text.clean_lines(raw, detect_title=False, extracted=True).paragraphs == [LONG, passage, OTHER]
    assert text.clean_lines(raw, detect_title=False).paragraphs == [LONG, OTHER]
