"""Text analysis for the search index: words to index terms, per card language.

Every card's text is analysed here, in Python, with the analyzer of its language, and
handed to Tantivy as ready terms in one field (see ``tantivy_index``): that is what lets
cards of different languages share one field, and so one idf, instead of a field per
language whose statistics split the corpus.

- Snowball languages (about 30) are stemmed by PyStemmer (the C build of the Snowball
  stemmers, the ones Tantivy ships too); Ukrainian and Hebrew by kb's own analyzers in
  ``core.languages``; anything else is lowercased only.
- A word in another script than its card's language (``docker`` in a Russian or
  Ukrainian page) is stemmed as English if Latin, Russian if Cyrillic: commands,
  product names and quoted English are common in non-English pages, and are asked
  for in English.
- A query word can be in any language present, so its alternatives are its terms under
  every present language of its script; the query takes the best-scoring one.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from kbcli.core.languages import SNOWBALL, find_words, initial_words, script_of, script_of_lang
from kbcli.core.patterns import lazy
from kbcli.core.word_forms import (
    he_variants,
    he_words,
    join_uk_apostrophes,
    query_words,
    stem_uk,
    without_mnemonics,
    without_possessive,
)

MAX_WORD = 60  # longer runs of letters are hashes or base64, not words
_CACHED_WORDS = 300_000  # per language: a big corpus's vocabulary, then start afresh
_CACHED_CARDS = 4_096  # cards whose distinct words are kept (a resident search's usual hits)
_FALLBACK = {"latin": "en", "cyrillic": "ru", "hebrew": "he"}
_ASCII_LETTER = lazy(r"[A-Za-z]")


def _first_letter_kept(lang: str) -> bool:
    """Whether ``lang``'s stemmer keeps an ASCII word's first letter in its stem (Porter2
    changes only suffixes: a word and its stem start alike)."""
    return SNOWBALL.get(lang) == "english"


class Analysis:
    """Analyzers by language code, built on first use (one PyStemmer object each).

    ``resident``: the process answers many searches (``kb daemon``), so each card's
    snippets start from all of its distinct words, split once and kept; a one-shot search
    looks only at the words that can match (``card_words``).
    """

    def __init__(self, resident: bool = False) -> None:
        self.resident = resident
        self._stemmers: dict[str, Any] = {}
        self._words: dict[str, dict[str, tuple[str, ...]]] = {}  # lang -> word -> terms
        self._joined: dict[str, dict[str, str | None]] = {}  # lang -> word -> terms joined
        self._card_words: dict[str, tuple[str, frozenset[str]]] = {}  # path -> (text, words)
        # a card's words by lowercased first letter ("" for the non-ASCII ones)
        self._by_start: dict[frozenset[str], dict[str, list[str]]] = {}

    def _stem_function(self, lang: str) -> Callable[[str], str] | None:
        algorithm = SNOWBALL.get(lang)
        if algorithm is None:
            return None
        stemmer = self._stemmers.get(algorithm)
        if stemmer is None:
            import Stemmer

            stemmer = self._stemmers[algorithm] = Stemmer.Stemmer(algorithm, 20_000)
        stem: Callable[[str], str] = stemmer.stemWord
        return stem

    def _cache(self, lang: str) -> dict[str, tuple[str, ...]]:
        cache = self._words.setdefault(lang, {})
        if len(cache) > _CACHED_WORDS:
            cache.clear()
        return cache

    def word_terms(self, lang: str, word: str) -> tuple[str, ...]:
        """The index terms of one word of a card in ``lang`` (cached: words repeat)."""
        cache = self._cache(lang)
        found = cache.get(word)
        if found is None:
            found = cache[word] = self._word_terms(lang, word.lower())
        return found

    def card_words(
        self, path: str, text: str, lang: str = "", wanted: Collection[str] | None = None
    ) -> frozenset[str]:
        """The distinct words of the card at ``path`` whose text is ``text`` that
        ``matching(lang, words, wanted)`` needs, kept while its text stays the same: a
        resident search splits a card into words once, not at each search that shows it
        (the split was most of a snippet's time).

        Outside a resident process, an English card whose words are all ASCII gives only
        its words that start like a ``wanted`` term, in one pass: the only ones
        ``matching`` looks at in English (so it finds the same words).
        """
        kept = self._card_words.get(path)
        if kept is not None and kept[0] == text:
            return kept[1]
        if not self.resident and wanted is not None and _first_letter_kept(lang):
            some = initial_words(text, {term[:1] for term in wanted})
            if some is not None:
                return some
        if len(self._card_words) >= _CACHED_CARDS:
            self._card_words.clear()
        words = frozenset(find_words(text))
        self._card_words[path] = (text, words)
        return words

    def matching(self, lang: str, words: frozenset[str], wanted: set[str]) -> set[str]:
        """The ``words`` of a card in ``lang`` that have one of the ``wanted`` terms.

        English (Porter2) keeps an ASCII word's first letter in its stem, so only the
        ASCII words that start like a wanted term are stemmed: a one-shot search's
        snippets stemmed every distinct word of each hit."""
        cache = self._cache(lang)
        candidates: Collection[str] = words
        if _first_letter_kept(lang):
            groups = self._starts(words)
            starts = {term[:1] for term in wanted} | {""}  # "": the non-ASCII words
            candidates = [word for start in starts for word in groups.get(start, ())]
        self._analyse_all(lang, [word for word in candidates if word not in cache], cache)
        found = cache.get
        return {word for word in candidates if not wanted.isdisjoint(found(word, ()))}

    def _starts(self, words: frozenset[str]) -> dict[str, list[str]]:
        """``words`` grouped by lowercased first letter, non-ASCII ones under "" (kept with
        the card's words: a resident search then looks only at the groups it needs)."""
        groups = self._by_start.get(words)
        if groups is None:
            if len(self._by_start) >= _CACHED_CARDS:
                self._by_start.clear()
            groups = self._by_start[words] = {}
            for word in words:
                groups.setdefault(word[:1].lower() if word.isascii() else "", []).append(word)
        return groups

    def _analyse_all(
        self, lang: str, words: Iterable[str], cache: dict[str, tuple[str, ...]]
    ) -> None:
        """``word_terms`` of each of ``words`` into ``cache``; ASCII words stemmed in one
        call (a word at a time was most of a one-shot search's snippets): in a
        Latin-script language all of them, elsewhere those with a letter, which are
        stemmed as English (``_FALLBACK``)."""
        plain: list[str] = []
        rest: list[str] = []
        latin = script_of_lang(lang) == "latin"
        for word in words:
            if word.isascii() and len(word) <= MAX_WORD and (latin or _ASCII_LETTER.search(word)):
                plain.append(word)
            else:
                rest.append(word)
        for word in rest:
            cache[word] = self._word_terms(lang, word.lower())
        if plain:
            stemmed_as = lang if latin else _FALLBACK["latin"]
            lowered = [word.lower() for word in plain]
            found = lowered
            if self._stem_function(stemmed_as):
                found = self._stemmers[SNOWBALL[stemmed_as]].stemWords(lowered)
            cache.update((word, (term,)) for word, term in zip(plain, found, strict=True))

    def _word_terms(self, lang: str, word: str) -> tuple[str, ...]:
        if len(word) > MAX_WORD:
            return ()
        script = script_of(word)
        if script != "other" and script != script_of_lang(lang):
            lang = _FALLBACK.get(script, lang)
        if lang == "he":
            return tuple(he_variants(word))
        if lang == "uk":
            return (stem_uk(word),)
        stem = self._stem_function(lang)
        return (stem(word),) if stem else (word,)

    def terms(self, lang: str, text: str) -> list[str]:
        """Index terms of ``text`` written in ``lang``, in order."""
        if lang == "he":
            return [t for m in he_words(text) for t in self.word_terms("he", m.group())]
        if lang == "uk":
            text = join_uk_apostrophes(text)
        text = without_possessive(without_mnemonics(text))
        # Each distinct word is analysed once, then the text is a list of look-ups: a call
        # per word was half of building the tldr index (8,700 pages, 700,000 words).
        words = find_words(text)
        cache = self._cache(lang)
        for word in set(words).difference(cache):
            cache[word] = self._word_terms(lang, word.lower())
        return [term for word in words for term in cache[word]]

    def term_text(self, lang: str, text: str) -> str:
        """``" ".join(self.terms(lang, text))``, made from each distinct word's terms
        joined once: building the index spent more on the per-word list than on the
        words' analysis."""
        if lang == "he":
            return " ".join(self.terms(lang, text))
        if lang == "uk":
            text = join_uk_apostrophes(text)
        words = find_words(without_possessive(without_mnemonics(text)))
        joined = self._joined.get(lang)
        if joined is None or len(joined) > _CACHED_WORDS:
            joined = self._joined[lang] = {}
        try:
            found = list(map(joined.__getitem__, words))
        except KeyError:
            missing = set(words).difference(joined)
            cache = self._cache(lang)
            self._analyse_all(lang, missing.difference(cache), cache)
            for word in missing:
                terms = cache[word]
                joined[word] = " ".join(terms) if terms else None  # None: no term
            found = list(map(joined.__getitem__, words))
        if None in found:
            found = [t for t in found if t is not None]
        return " ".join(found)  # type: ignore[arg-type]

    def tokens(self, lang: str, text: str) -> list[str]:
        """``terms`` under the name the handbook's related-cards vectors use."""
        return self.terms(lang, text)

    def query_terms(self, word: str, langs: Iterable[str]) -> list[str]:
        """Alternative index terms of one query word: its terms in each present language of
        its script (most words have one or two)."""
        script = script_of(word)
        found: list[str] = []
        for lang in langs:
            if script != "other" and script_of_lang(lang) != script:
                continue
            for term in self.word_terms(lang, word)[:1]:  # he: the full word's own stem
                if term and term not in found:
                    found.append(term)
        if not found:
            fallback = _FALLBACK.get(script, "xx")
            found = [t for t in self.word_terms(fallback, word)[:1] if t]
        if script == "hebrew":  # a prefixed Hebrew query word: its readings too
            found += [t for t in he_variants(word)[1:] if t not in found]
        return found

    def words_of(self, text: str) -> list[str]:
        """The words of a query or a phrase, split as cards are (``core.word_forms``)."""
        return query_words(text)
