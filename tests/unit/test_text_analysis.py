"""Which words of a card match a query's terms: asked all at once (what snippets do)
gives what asking word by word gives, in every kind of language."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbcli.adapters.text_analysis import MAX_WORD, Analysis
from kbcli.core.languages import WORD, find_words, initial_words
from kbcli.core.snippets import make_snippet
from kbcli.core.word_forms import without_possessive

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


ENGLISH_WORDS = st.text(alphabet="aeiouyAEIOUYbcdgklnrstwz0189", min_size=1, max_size=14)


@settings(max_examples=200, deadline=None)
@given(words=st.frozensets(ENGLISH_WORDS, max_size=30), pick=st.lists(ENGLISH_WORDS, max_size=4))
def test_english_matches_are_found_when_only_words_starting_like_a_term_are_stemmed(
    words: frozenset[str], pick: list[str]
) -> None:
    one_by_one = Analysis()
    wanted = {t for w in [*pick, *list(words)[:2]] for t in one_by_one.word_terms("en", w)}
    expected = {w for w in words if wanted & set(one_by_one.word_terms("en", w))}
    assert Analysis().matching("en", words, wanted) == expected


def test_a_card_s_words_are_kept_only_while_its_text_is_the_same() -> None:
    analysis = Analysis()
    assert analysis.card_words("a.md", "Refund the charge") == {"Refund", "the", "charge"}
    assert analysis.card_words("a.md", "Refund the charge") == {"Refund", "the", "charge"}
    assert analysis.card_words("a.md", "Charges refunded") == {"Charges", "refunded"}


TEXT_PARTS = [
    *WORDS,
    *(" ", "\n", "> ", "# ", "'s ", "’s", "м'ята", "комп’ютер", 'מנכ"ל', "a-b", "x_y", "\r\n"),
]


@settings(max_examples=120, deadline=None)
@given(
    texts=st.lists(st.lists(st.sampled_from(TEXT_PARTS), max_size=12), max_size=4),
    lang=st.sampled_from(LANGS),
)
def test_a_cards_words_field_has_the_terms_its_words_have(
    texts: list[list[str]], lang: str
) -> None:
    """The index's words come from each word's terms joined once (``term_text``): the
    same terms, in the same order, as analysing the text word by word."""
    by_word, joined = Analysis(), Analysis()
    for parts in texts:  # one Analysis for several cards, as a rebuild uses it
        text = "".join(parts)
        assert joined.term_text(lang, text) == " ".join(by_word.terms(lang, text))


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.characters(max_codepoint=0x600), max_size=40))
def test_words_are_split_the_same_in_ascii_and_other_text(text: str) -> None:
    """ASCII text is split by a plain letters-and-digits class: the same words."""
    assert find_words(text) == WORD.findall(text)
    assert find_words(text.encode("ascii", "ignore").decode()) == WORD.findall(
        text.encode("ascii", "ignore").decode()
    )


ASCII_PIECES = ["word", "Ab1", "_", "__x__", "9", " ", "\t", "\n", "\r\n", "\x0b", "\x1c", "\x1f",
                "\x00", "-", "'", "`", "{{", "}}", "<", ">", "http://a.b/c?d=1", "é"]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.sampled_from(ASCII_PIECES), max_size=30))
def test_ascii_words_are_the_letter_and_digit_runs_whatever_separates_them(
    parts: list[str],
) -> None:
    """An ASCII text's words are split without the regex (control characters, which
    ``str.split`` takes for spaces, and underscores, which are no word characters,
    included): the same words as the regex finds."""
    text = "".join(parts)
    assert find_words(text) == WORD.findall(text)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a file's contents", ["a", "file", "contents"]),
        ("the command’s flags", ["the", "command", "flags"]),
        ("Bob's's", ["Bob"]),  # each possessive after a letter goes
        ("'s alone, x 's", ["s", "alone", "x", "s"]),  # no letter before: a word
        ("café's", ["café", "s"]),  # after a letter outside A-Z: kept, as before
        ("it'sy x's1", ["it", "sy", "x", "s1"]),  # not at a word's end: kept
    ],
)
def test_the_english_possessive_is_no_word_of_its_own(text: str, words: list[str]) -> None:
    assert find_words(without_possessive(text)) == words


# ASCII and other letters, digits, underscores, dashes, curly quotes, a lone surrogate
INITIAL_ALPHABET = "aAbBcCrRdDzZ019_ .,-'\n—–’“”§é日щ\udc80"


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(alphabet=INITIAL_ALPHABET, max_size=40),
    initials=st.sets(st.sampled_from("abcrdz19A_é"), max_size=4),
)
def test_the_words_starting_like_a_term_are_found_in_one_pass(
    text: str, initials: set[str]
) -> None:
    """``initial_words`` finds what splitting every word and keeping those that start
    right finds; it declines (None) exactly when a word has a letter outside ASCII."""
    words = WORD.findall(text)
    found = initial_words(text, initials)
    if any(not word.isascii() for word in words):
        assert found is None
    else:
        assert found == {w for w in words if w[:1].lower() in initials}


@settings(max_examples=150, deadline=None)
@given(
    texts=st.lists(
        st.lists(st.sampled_from([*TEXT_PARTS, "—", "“", "”"]), max_size=12), max_size=3
    ),
    pick=st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
    lang=st.sampled_from(LANGS),
)
def test_a_one_shot_search_finds_the_matching_words_a_resident_one_does(
    texts: list[list[str]], pick: list[str], lang: str
) -> None:
    """Outside a resident process an English card gives only the words that can match:
    the matching words, and so the snippets, are the same as from all of its words."""
    one_shot, resident = Analysis(), Analysis(resident=True)
    wanted = {t for w in pick for t in resident.word_terms(lang, w)}
    for n, parts in enumerate(texts):
        text = "".join(parts)
        expected = resident.matching(
            lang, resident.card_words(f"{n}.md", text, lang, wanted), wanted
        )
        words = one_shot.card_words(f"{n}.md", text, lang, wanted)
        assert one_shot.matching(lang, words, wanted) == expected
        assert make_snippet(
            text, select=lambda ws: one_shot.matching(lang, ws, wanted), words=words
        ) == (
            make_snippet(
                text,
                select=lambda ws: resident.matching(lang, ws, wanted),
                words=resident.card_words(f"{n}.md", text, lang, wanted),
            )
        )


def test_a_one_shot_search_looks_only_at_the_english_words_that_can_match() -> None:
    text = "Refund the “duplicate” charge — a refund’s Charges_x 2refund"
    wanted = {"refund", "charg"}
    words = Analysis().card_words("a.md", text, "en", wanted)
    assert words == {"Refund", "refund", "charge", "Charges"}
    assert Analysis(resident=True).card_words("a.md", text, "en", wanted) == set(WORD.findall(text))
    assert Analysis().card_words("b.md", "café refund", "en", wanted) == {"café", "refund"}
