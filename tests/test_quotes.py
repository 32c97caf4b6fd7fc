"""Typographic quotes and apostrophes are the article's own text: kept as written by the cleaning, while
mojibake is still repaired and template lines are recognised in either form."""

from __future__ import annotations

import pytest

from workers.core import text


@pytest.mark.parametrize("line", [
    "Watt jibt’s n hier zu lachen? fragte der Bürgermeister am Abend im Rathaus.",
    "„Wir haben keine Zeit mehr“, sagte die Ministerin vor dem Ausschuss in Berlin.",
    "“We are not done yet,” the coach said after the match on Sunday evening.",
    "Le ministre a parlé de « réforme nécessaire » devant les députés mardi.",
    "The union’s ‘final offer’ was rejected by the board on Thursday afternoon.",
])
def test_quotes_are_kept_as_written(line):
    out = text.clean_lines(line + "\nA second line of the article follows here.", detect_title=False)
    assert out.paragraphs[0] == line


def test_mojibake_of_a_curly_apostrophe_is_repaired_to_the_apostrophe():
    out = text.clean_lines("The council didnâ€™t vote on the plan for the caf\u00c3\u00a9 district this week.",
                           detect_title=False)
    assert out.paragraphs == ["The council didn’t vote on the plan for the café district this week."]


@pytest.mark.parametrize("line", ["Editor’s picks", "Editor's picks", "Don’t miss", "Don't miss:"])
def test_template_lines_in_either_form_are_dropped(line):
    assert text.is_template_line(line)
