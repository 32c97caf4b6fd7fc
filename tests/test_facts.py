"""Facts of an article (workers/core/facts.py): what tells a copy from another story on the same words."""

from __future__ import annotations

import time

import numpy as np

from workers.core import facts

QUAKE = ("Garut - Gempa bumi berkekuatan magnitudo 5,2 mengguncang wilayah Garut pada Selasa (21/10/2025) pukul "
         "10.30 WIB. Pusat gempa berada 45 kilometer barat daya Garut di kedalaman 10 kilometer.\n\n"
         "Kepala Stasiun Geofisika Bandung, Teguh Rahayu, mengatakan gempa tidak berpotensi tsunami. \"Warga "
         "diminta tetap tenang,\" kata Teguh kepada wartawan.")


def test_the_same_text_agrees_on_every_fact():
    f = facts.extract(QUAKE, "Gempa M 5,2 Guncang Garut")
    c = facts.compare(f, f)
    assert c.conflicts == 0 and c.novel == 0 and c.agree >= 8
    assert f.dtype.name == "uint32" and list(f) == sorted(set(f.tolist()))


def test_other_place_day_and_figures_are_conflicts():
    other = (QUAKE.replace("Garut", "Sumedang").replace("5,2", "4,6").replace("Selasa", "Kamis")
             .replace("21/10", "23/10").replace("45", "12"))
    c = facts.compare(facts.extract(QUAKE), facts.extract(other))
    assert c.conflicts >= 5 and c.figures >= 3 and c.novel == 0


def test_a_copy_with_typos_moves_and_a_trim_keeps_its_facts():
    paras = QUAKE.split("\n\n")
    copy = paras[1] + "\n\n" + paras[0].replace("mengguncang", "menguncang").replace("Pusat", "Pusta")
    assert facts.compare(facts.extract(QUAKE), facts.extract(copy)).conflicts == 0
    trimmed = paras[0]
    c = facts.compare(facts.extract(QUAKE), facts.extract(trimmed))
    assert c.conflicts == 0 and c.novel == 0 and c.lost > 0


def test_one_corrected_figure_is_one_conflict_with_digits():
    c = facts.compare(facts.extract(QUAKE), facts.extract(QUAKE.replace("magnitudo 5,2", "magnitudo 5,4")))
    assert (c.conflicts, c.figures) == (1, 1)


def test_a_figure_written_as_several_tokens_is_one_replaced_figure():
    # an amount, a decimal, a date and a time, each corrected: four figures of at most two replaced values each,
    # not the nine tokens that changed
    text = QUAKE + " Kerugian ditaksir Rp 4.500.250 per rumah."
    fixed = (text.replace("4.500.250", "7.125.375").replace("5,2", "4,8").replace("21/10/2025", "22/11/2025")
             .replace("10.30", "11.45"))
    c = facts.compare(facts.extract(text), facts.extract(fixed))
    assert (c.conflicts, c.figures) == (8, 4)
    # a name's words count one by one
    c = facts.compare(facts.extract(QUAKE), facts.extract(QUAKE.replace("Teguh Rahayu", "Dimas Prakoso")))
    assert (c.conflicts, c.figures) == (2, 0)


def test_sentences_made_only_of_facts_share_no_context():
    # a dateline or a credit line before a sentence break has nothing around it: another such line is no
    # replaced value (a copy with another site's dateline against an original with a date line of its own)
    original = QUAKE + "\n\nTeguh Rahayu (@TeguhR) 21 Oktober 2025."
    copy = "JAKARTA (Antara) - BMKG. " + QUAKE
    assert facts.compare(facts.extract(original), facts.extract(copy)).conflicts == 0


def test_a_sample_keeps_every_figure_so_replaced_figures_are_seen():
    def word(i: int) -> str:  # a lower-case word of its own for each i: a context of its own
        return "".join(chr(97 + int(d)) for d in str(i)) + "an"

    names = " ".join(f"Warga {word(i)} bertemu Pak Budi." for i in range(200))
    figures = " ".join(f"Korban di pos {word(i)} tercatat {10 + i} orang." for i in range(8))
    text = names + " " + figures
    f = facts.extract(text)
    assert without_lede(f).size == facts.MAX_FACTS
    changed = facts.extract(names + " " + figures.replace("tercatat 1", "tercatat 9"))  # 8 figures replaced
    c = facts.compare(f, changed)
    assert c.figures == 8 and c.conflicts == 8
    # figures alone past the cap: a sample of the figures, compared as such
    many = " ".join(f"Pos {i} mencatat {1000 + i} orang." for i in range(400))
    assert without_lede(facts.extract(many)).size == facts.MAX_FACTS
    assert facts.compare(facts.extract(many), facts.extract(many)).conflicts == 0


def test_an_added_sentence_brings_new_facts_only():
    added = QUAKE + " Hingga Rabu malam tercatat 14 rumah rusak ringan di Cikajang."
    c = facts.compare(facts.extract(QUAKE), facts.extract(added))
    assert c.conflicts == 0 and c.novel >= 2


def test_headline_figures_count_not_its_words():
    body = facts.extract(QUAKE)
    a = facts.extract(QUAKE, "Gempa M 5,2 Guncang Garut")
    assert facts.compare(a, facts.extract(QUAKE, "Garut Diguncang Gempa Magnitudo 5,2")).conflicts == 0
    assert facts.compare(a, facts.extract(QUAKE, "Gempa M 4,1 Guncang Garut")).conflicts == 2  # 5,2 -> 4,1
    assert facts.compare(a, body).conflicts == 0


def without_lede(f: np.ndarray) -> np.ndarray:
    """The facts of ``extract``, without the entries of its lede's shingles (facts.LEDE_CONTEXTS)."""
    return f[~np.isin(f >> facts.VALUE_BITS, facts.LEDE_CONTEXTS)]


def test_empty_and_factless_texts():
    assert facts.extract("").size == 0
    assert without_lede(facts.extract("tidak ada apa-apa di sini hanya kata biasa")).size == 0
    assert facts.compare(facts.extract(""), facts.extract(QUAKE)).conflicts == 0


def test_bounded_and_linear_on_hostile_text():
    assert facts.extract("Aa " * 10_000).size <= facts.MAX_FACTS
    small, big = "Ab1 " * 10_000, "Ab1 " * 100_000
    t = time.perf_counter()
    facts.extract(small)
    t_small = time.perf_counter() - t
    t = time.perf_counter()
    facts.extract(big)
    assert time.perf_counter() - t < 30 * max(t_small, 1e-3)  # about linear (10x the input)


def test_the_lede_is_compared_beside_the_facts():
    later = ("Rescue teams reached the last villages on Thursday and counted the damage to schools and roads. "
             "The regent asked the province for tents, clean water and medicine for some two thousand families, "
             "and said that classes would resume in borrowed buildings from next week. ")
    c = facts.compare(facts.extract(QUAKE), facts.extract(QUAKE))
    assert c.lede == 1.0 and c.novel == 0 and c.conflicts == 0  # lede entries are not facts
    assert facts.compare(facts.extract(QUAKE), facts.extract("KOMPAS.com - " + QUAKE)).lede >= 0.8
    assert facts.compare(facts.extract(QUAKE), facts.extract(later + QUAKE)).lede <= 0.1
    assert facts.compare([], facts.extract(QUAKE)).lede == -1.0  # unknown (an entry stored without it)
    # in the index's form (contexts cut to their top bits) the lede entries are still told apart
    cut = facts.CONTEXT_BITS - 14
    short = [((e >> (facts.VALUE_BITS + cut)) << facts.VALUE_BITS) | (e & 1023) for e in facts.extract(QUAKE)]
    assert facts.compare(short, short, cut).lede == 1.0
