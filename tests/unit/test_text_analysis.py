"""Which words of a card match a query's terms: asked all at once (what snippets do)
gives what asking word by word gives, in every kind of language."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kbcli.adapters.text_analysis import MAX_WORD, Analysis

WORDS = [
    *("Refunds", "refund", "REFUNDING", "charges", "happy", "happiness", "x1", "2024"),
    *("Häuser", "haus", "straße", "naïve", "café", "Cafés", "docker", "Docker"),
    *("платежи", "платёж", "повернення", "карток", "שלום", "והבית", "ﻣﺮﺣﺒﺎ", "日本"),
    "a" * (MAX_WORD + 1),
]
LANGS = ["en", "de", "fr", "ru", "uk", "he", "ar", "ja", "xx"]


@settings(max_examples=60, deadline=None)
@given(
    words=st.frozensets(st.sampled_from(WORDS)),
    lang=st.sampled_from(LANGS),
    pick=st.lists(st.sampled_from(WORDS), max_size=4),
)
def test_the_matching_words_of_a_card_are_the_words_with_a_wanted_term(
    words: frozenset[str], lang: str, pick: list[str]
) -> None:
    one_by_one = Analysis()
    wanted = {t for w in pick for t in one_by_one.word_terms(lang, w)}
    expected = {w for w in words if wanted & set(one_by_one.word_terms(lang, w))}
    assert Analysis().matching(lang, words, wanted) == expected
    # and every word's terms are what word_terms says, whichever way they were found
    at_once = Analysis()
    at_once.matching(lang, words, wanted)
    for word in words:
        assert at_once.word_terms(lang, word) == one_by_one.word_terms(lang, word)


def test_a_card_s_words_are_kept_only_while_its_text_is_the_same() -> None:
    analysis = Analysis()
    assert analysis.card_words("a.md", "Refund the charge") == {"Refund", "the", "charge"}
    assert analysis.card_words("a.md", "Refund the charge") == {"Refund", "the", "charge"}
    assert analysis.card_words("a.md", "Charges refunded") == {"Charges", "refunded"}
