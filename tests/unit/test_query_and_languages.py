"""The query language parser and the offline Ukrainian/Hebrew analysis (pure, no index)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbcli.core import languages
from kbcli.core.languages import content_words, group_of, guess_language
from kbcli.core.query import KeyFilter, QueryError, StateFilter, parse_query
from kbcli.core.snippets import make_snippet
from kbcli.core.typos import within_edits
from kbcli.core.word_forms import analyze_he, analyze_uk, stem_uk


def test_parse_query_splits_words_phrases_exclusions_and_filters() -> None:
    q = parse_query(
        'refund "duplicate charge" -chargeback -"card declined" tag:billing '
        'owner:"Ana Souza" is:verified -is:expired ticket_refs:SUP-1388 -lang:ru'
    )
    assert q.words == ("refund",)
    assert q.phrases == ("duplicate charge",)
    assert q.excluded_words == ("chargeback",)
    assert q.excluded_phrases == ("card declined",)
    assert KeyFilter("tags", "billing") in q.filters
    assert KeyFilter("owner", "Ana Souza") in q.filters
    assert KeyFilter("ticket_refs", "SUP-1388") in q.filters
    assert KeyFilter("lang", "ru", negated=True) in q.filters
    assert q.states == (StateFilter("verified"), StateFilter("expired", negated=True))


def test_urls_times_and_punctuation_stay_words() -> None:
    q = parse_query("https://app.example.com 10:30 - --")
    assert q.words == ("https://app.example.com", "10:30")
    assert not q.filters


def test_unknown_is_value_is_a_clear_error() -> None:
    with pytest.raises(QueryError, match="is:verified"):
        parse_query("refund is:stale")


def test_status_filters_unhide_archived() -> None:
    assert parse_query("x is:archived").mentions_status
    assert parse_query("x status:archived").mentions_status
    assert not parse_query("x tag:archived").mentions_status


@pytest.mark.parametrize(
    "forms",
    [
        ("повернення", "поверненню", "повернень"),
        ("кошти", "коштів", "коштами"),
        ("пароль", "паролю", "паролі"),
        ("рахунок", "рахунку", "рахунків"),
        ("підписка", "підписки", "підписку"),
    ],
)
def test_ukrainian_inflected_forms_share_a_stem(forms: tuple[str, ...]) -> None:
    assert len({stem_uk(f) for f in forms}) == 1, {f: stem_uk(f) for f in forms}


def test_ukrainian_apostrophe_words_stay_whole() -> None:
    assert analyze_uk("прив'язаної адреси") == analyze_uk("прив’язаної адреси")
    assert len(analyze_uk("прив'язаної")) == 1


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("סיסמה", "לאפס את הסיסמה"),  # definite article prefix
        ("סיסמאות", "בחירת סיסמה חדשה"),  # plural
        ("לסיסמה", "שכחתם את הסיסמה"),  # preposition prefix
        ("חשבונות", "החשבון שלכם"),  # plural and final letter
    ],
)
def test_hebrew_prefixes_and_plurals_meet(query: str, text: str) -> None:
    assert set(analyze_he(query)) & set(analyze_he(text))


def test_hebrew_short_roots_keep_their_first_letter() -> None:
    assert "ית" not in analyze_he("בית")


def test_language_groups() -> None:
    assert group_of("en-US") == "en"
    assert group_of("ua") == "uk"
    assert group_of("de") == "de"
    assert group_of(None, "ru") == "ru"


def test_stop_words_are_dropped_unless_nothing_is_left() -> None:
    assert content_words(["how", "do", "I", "refund"]) == ["refund"]
    assert content_words(["the", "who"]) == ["the", "who"]


def test_snippet_picks_the_best_passage_and_marks_matches() -> None:
    text = "# Title\n\nIntro line about nothing.\n\nA **refund** for a duplicate charge.\n"
    snippet = make_snippet(text, lambda w: w.lower() in {"refund", "duplicate"})
    assert snippet.text == "A refund for a duplicate charge."
    marked = [snippet.text[s:e] for s, e in snippet.highlights]
    assert marked == ["refund", "duplicate"]


def test_edit_distance() -> None:
    assert within_edits("password", "pasword", 1)
    assert within_edits("salesforce", "salesfroce", 2)
    assert not within_edits("refund", "return", 1)


def _snippet_by_every_word(text: str, wanted: set[str]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The snippet as defined: every word of every passage asked in turn (the oracle)."""
    from kbcli.core.languages import WORD
    from kbcli.core.plain_line import apply_edits, markup_edits, moved_spans, open_construct
    from kbcli.core.snippets import _cut, _passages

    best = None
    for start, end in _passages(text):
        raw = text[start:end]
        raw_hits = [(m.start(), m.end()) for m in WORD.finditer(raw) if m.group().lower() in wanted]
        edits = markup_edits(raw, open_construct(text, start))
        line = apply_edits(raw, edits)
        hits = moved_spans(edits, raw_hits)  # the matches a reader sees
        if not hits:
            continue
        distinct = {line[s:e].lower() for s, e in hits}
        heading = raw.lstrip().startswith("#")
        score = len(distinct) * 2 + len(hits) * 0.1 - (0.5 if heading else 0)
        if best is None or score > best[0]:
            best = (score, line, hits)
    if best is None:  # no match a reader sees: the first readable line, not a heading
        readable = [
            (
                apply_edits(text[s:e], markup_edits(text[s:e], open_construct(text, s))),
                text[s:e].lstrip().startswith("#"),
            )
            for s, e in _passages(text)
        ]
        readable = [(line, heading) for line, heading in readable if line.strip()]
        if not readable:
            return "", ()
        first = next((line for line, heading in readable if not heading), readable[0][0])
        return _cut(first, [], 160).text, ()
    snippet = _cut(best[1], best[2], 160)
    return snippet.text, tuple(snippet.highlights)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(
    lines=st.lists(
        st.lists(
            st.sampled_from(
                [
                    *("# ", "Refund", "refund", "card", "x", "duplicate", "—", "\n"),
                    *("cards", "xcard", "card_x", "refundcard", "x1", "éx", "(card)"),
                    *("cardé", "ⅻcard", "card٣", "“card”", "cardcard", "_card"),
                    *("```", "---", "|---", "\r"),
                    *("[card](card)", "[refund", "][x]", "{% card %}", "`card`", "*card*"),
                    *("<b>", "**", "_", "1.", "- ", "&amp;", "<!--", "[^1]", "\\*"),
                    *("{%", "%}", "-->", "{{"),
                ]
            )
        ).map(" ".join),
        max_size=8,
    ),
    wanted=st.sets(st.sampled_from(["refund", "card", "duplicate", "x"])),
)
def test_a_snippet_is_the_passage_with_the_most_matching_words(
    lines: list[str], wanted: set[str]
) -> None:
    text = "\n".join(lines)
    snippet = make_snippet(text, lambda w: w.lower() in wanted)
    assert (snippet.text, tuple(snippet.highlights)) == _snippet_by_every_word(text, wanted)
    # The words asked all at once (what a search does) give the same snippet.
    at_once = make_snippet(text, select=lambda words: {w for w in words if w.lower() in wanted})
    assert at_once == snippet


def test_a_character_is_a_word_character_when_str_isalnum_says_so() -> None:
    """Snippets tell a whole word from part of a longer one with ``str.isalnum``: it must
    be ``WORD``'s class (the regex engine's word characters but ``_``), everywhere."""
    from kbcli.core.languages import WORD

    differ = [c for c in map(chr, range(0x110000)) if c.isalnum() != bool(WORD.match(c))]
    assert differ == []


def test_a_short_russian_or_ukrainian_query_is_told_apart_without_telltale_letters() -> None:
    from kbcli.core.languages import query_languages

    present = ["en", "ru", "uk"]
    # No і ї є ґ / ы э ъ ё: the infinitive (-ти / -ть) and one-language words decide.
    assert query_languages(["запакувати", "теку", "в", "zip"], present) == {"uk"}
    assert query_languages(["упаковать", "папку", "в", "zip"], present) == {"ru"}
    assert query_languages(["створити", "порожню", "папку"], present) == {"uk"}
    assert query_languages(["создать", "пустую", "папку"], present) == {"ru"}
    assert query_languages(["образ", "з", "диска"], present) == {"uk"}
    assert query_languages(["образ", "из", "диска"], present) == {"ru"}
    # A word both languages use (для) votes for neither: the letters of мережі decide.
    assert query_languages(["пароль", "для", "мережі"], present) == {"uk"}
    # No sign either way: no language preferred.
    assert query_languages(["сервер", "докер"], present) == {"ru", "uk"}


def test_ukrainian_plural_after_l_is_not_taken_for_the_past_tense() -> None:
    # файли (files) is файл + и, not a verb's past tense -ли: one stem for the family.
    assert {stem_uk(w) for w in ("файл", "файли", "файлів", "файлах", "файлу")} == {"файл"}
    assert {stem_uk(w) for w in ("писали", "писала", "писати")} == {"пис"}  # past tense still goes


# The code spans and links the language guess leaves out, as one alternation whose last
# branch starts with an optional "<" (the pattern before it was split in two branches).
CODE_BEFORE = re.compile(r"`[^`\n]*`|\{\{[^}]*\}\}|<?https?://\S+")
CODE_PIECES = ["`", "``", "{{", "}}", "{", "}", "<", "<<", "http://x.io", "https://y", "http",
               "https:/", "h", "ttp", "w", " ", "\n", "`ls`", "{{p}}", "<https://z>"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(st.sampled_from(CODE_PIECES), max_size=25))
def test_code_spans_and_links_are_left_out_as_before(parts: list[str]) -> None:
    """Overlapping spans, links in code, a "<" before a link or before nothing: the
    same text is left for the guess as with the one-branch pattern."""
    text = "".join(parts)
    assert languages._CODE.sub(" ", text) == CODE_BEFORE.sub(" ", text)


def test_a_page_of_commands_is_guessed_by_its_words_not_its_code() -> None:
    words = "Посмотреть все файлы в каталоге и вывести их размер на экран."
    code = " `ls --all --human-readable --size the and of` <https://example.com/the/and/of>"
    assert guess_language(words + code * 3) == "ru"
