"""Tantivy queries from the query language's parts, for every language present."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from kbcli.adapters.tantivy_schema import POINTS, WORDS
from kbcli.core.languages import normalize_lang
from kbcli.core.typos import typo_distance, within_edits

if TYPE_CHECKING:
    import tantivy

    from kbcli.adapters.tantivy_index import CardIndex


class QueryBuilder:
    """Builds Tantivy queries from query-language parts, for every language present."""

    def __init__(self, index: CardIndex, groups: list[str]) -> None:
        import tantivy

        self.t = tantivy
        self.index = index
        self.schema = index.schema
        self.analysis = index.analysis
        self.groups = groups
        self.searcher = index.index.searcher()

    def terms(self, word: str) -> list[str]:
        """The index terms one query word can match (one per present language of its script)."""
        return self.analysis.query_terms(word, self.groups)

    def known(self, term: str) -> bool:
        return int(self.searcher.doc_freq(WORDS, term)) > 0

    def weight(self, terms: list[str]) -> float:
        """How telling a word is, 0-1: its BM25 idf (of its most common reading) over the
        idf of a term only one card uses."""
        import math

        docs = max(1, int(self.searcher.num_docs))
        freq = max((int(self.searcher.doc_freq(WORDS, term)) for term in terms), default=0)

        def idf(n: int) -> float:
            return math.log(1 + (docs - n + 0.5) / (n + 0.5))

        return idf(max(freq, 1)) / idf(1)

    def near_terms(self, term: str, most: int = 3) -> list[str]:
        """Vocabulary terms within a typo of ``term`` (same first letter), most frequent first.

        Tantivy's fuzzy query would score every neighbour alike; listing them from the term
        dictionary lets each be scored as the real term it is, with a penalty.
        """
        distance = typo_distance(term)
        if not distance:
            return []
        found = []
        for candidate, count in self.searcher.terms_with_prefix(WORDS, term[0]):
            near = abs(len(candidate) - len(term)) <= distance and candidate != term
            if near and within_edits(candidate, term, distance):
                found.append((candidate, int(count)))
        found.sort(key=lambda item: (not within_edits(item[0], term, 1), -item[1]))
        return [candidate for candidate, _ in found[:most]]

    def any_term(self, terms: list[str], boost: float = 1.0) -> tantivy.Query:
        """The best-scoring of alternative terms (a word's readings must not add up)."""
        t = self.t
        queries = [t.Query.term_query(self.schema, WORDS, term) for term in terms]
        if not queries:
            return t.Query.empty_query()
        q = queries[0] if len(queries) == 1 else t.Query.disjunction_max_query(queries)
        return t.Query.boost_query(q, boost) if boost != 1.0 else q

    def phrase(self, text: str) -> tantivy.Query:
        """An exact phrase (after analysis), read in each present language of its script."""
        t = self.t
        words = self.analysis.words_of(text)
        parts = []
        for lang in self.groups:
            tokens = [term for w in words for term in self.analysis.query_terms(w, [lang])[:1]]
            if not tokens:
                continue
            if len(tokens) == 1:
                parts.append(t.Query.term_query(self.schema, WORDS, tokens[0]))
                continue
            # Hebrew indexes every reading of a word, so its phrases need slack.
            slop = len(tokens) if lang == "he" else 0
            parts.append(t.Query.phrase_query(self.schema, WORDS, list[Any](tokens), slop))
        if not parts:
            return t.Query.empty_query()
        return parts[0] if len(parts) == 1 else t.Query.disjunction_max_query(parts)

    def word(self, word: str) -> tantivy.Query:
        """Cards with a word (any reading, no typos): for ``-word`` exclusions."""
        return self.any_term(self.terms(word))

    def key(self, key: str, value: str) -> tantivy.Query:
        """``key:value`` on the front matter (values compared case-insensitively)."""
        if key == "lang":
            value = normalize_lang(value)
        return self.t.Query.term_query(self.schema, f"fm.{key}", value.strip().lower())

    def flag(self, name: str) -> tantivy.Query:
        return self.t.Query.term_query(self.schema, "flags", name)

    def day_range(self, name: str, low: int | None, high: int | None) -> tantivy.Query:
        return self.t.Query.range_query(self.schema, name, self.t.FieldType.Integer, low, high)

    def state(self, state: str, today: int) -> tantivy.Query:
        """Cards in a trust state on day number ``today`` (dates were indexed, not states)."""
        t = self.t
        valid = self.day_range("vday", 0, today)
        if state == "unowned":
            return self.flag("unowned")
        if state in ("draft", "requested", "published", "archived"):
            return self.key("status", state)
        if state == "unverified":
            return t.Query.boolean_query(
                [
                    (t.Occur.Should, self.day_range("vday", None, -1)),
                    (t.Occur.Should, self.day_range("vday", today + 1, None)),
                ]
            )
        if state == "verified":
            rest = [self.day_range("wday", today + 1, None)]
        elif state == "due":
            rest = [self.day_range("wday", None, today), self.day_range("eday", today + 1, None)]
        else:  # expired
            rest = [self.day_range("eday", None, today)]
        return t.Query.boolean_query([(t.Occur.Must, q) for q in (valid, *rest)])

    def all(self) -> tantivy.Query:
        return self.t.Query.all_query()

    def path(self, path: str) -> tantivy.Query:
        return self.t.Query.term_query(self.schema, "path", path)

    def pointed_at(self, title: str) -> bool:
        """Does a pointer card name the card titled ``title`` (lowercased)?"""
        return int(self.searcher.doc_freq(POINTS, title)) > 0

    def points(self, title: str) -> tantivy.Query:
        """Pointer cards naming the card titled ``title`` (lowercased)."""
        return self.t.Query.term_query(self.schema, POINTS, title)

    def combine(
        self,
        must: list[tantivy.Query],
        should: list[tantivy.Query] | None = None,
        must_not: list[tantivy.Query] | None = None,
        filters: list[tantivy.Query] | None = None,
        min_should: int | None = None,
    ) -> tantivy.Query:
        """A boolean query; filters constrain without changing scores."""
        t = self.t
        clauses = [(t.Occur.Must, q) for q in must]
        clauses += [(t.Occur.Should, q) for q in should or ()]
        clauses += [(t.Occur.MustNot, q) for q in must_not or ()]
        clauses += [(t.Occur.Must, t.Query.const_score_query(q, 0.0)) for q in filters or ()]
        if not must and not should:
            clauses.append((t.Occur.Must, t.Query.const_score_query(t.Query.all_query(), 0.0)))
        return t.Query.boolean_query(clauses, min_should)


def iter_terms(explanation: Mapping[str, Any], factor: float = 1.0) -> Iterator[tuple[str, float]]:
    """(term context, contribution) of each term-level node of a Tantivy explanation."""
    description = str(explanation.get("description", ""))
    if description.startswith("Boost x"):
        with contextlib.suppress(IndexError, ValueError):
            factor *= float(description.split()[1][1:])
    if explanation.get("context"):
        value = float(explanation.get("value", 0.0))
        yield " ".join(explanation["context"]), value * factor
        return
    for child in explanation.get("details", ()) or ():
        yield from iter_terms(child, factor)
