"""Related cards from term vectors (kbcli.core.related): what a reader of the handbook sees."""

from __future__ import annotations

import random

import pytest

from kbcli.core.related import (
    most_similar,
    scored_similar,
    similar_to,
    term_counts,
)
from kbcli.core.related_update import update_similar


def vec(text: str) -> dict[str, float]:
    return term_counts([("en", text.split(), 1.0)])


CARDS = [
    ("billing/refunds.md", vec("refund charge card stripe refund window days")),
    ("billing/chargebacks.md", vec("chargeback dispute card stripe bank evidence")),
    ("billing/invoices.md", vec("invoice pdf download tax address")),
    ("billing/tax.md", vec("tax vat invoice address country")),
    ("accounts/password.md", vec("password reset email link expired")),
]


def test_the_card_sharing_the_most_telling_words_comes_first_and_never_the_card_itself() -> None:
    related = most_similar(CARDS, 3)
    assert related["billing/refunds.md"][0] == "billing/chargebacks.md"
    assert related["billing/invoices.md"][0] == "billing/tax.md"
    assert all(path not in related[path] for path in related)


def test_cards_without_a_shared_word_are_not_related() -> None:
    assert most_similar(CARDS, 3)["accounts/password.md"] == []


def test_the_same_cards_in_any_order_give_the_same_lists_ties_by_path() -> None:
    twins = [(f"t/{name}.md", vec("alpha beta gamma")) for name in "edcba"]
    twins += [(f"u/{n}.md", vec(f"other{n}")) for n in range(6)]
    expected = most_similar(sorted(twins), 4)
    assert expected["t/c.md"] == ["t/a.md", "t/b.md", "t/d.md", "t/e.md"]
    shuffled = list(twins)
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert most_similar(shuffled, 4) == expected


def test_only_candidates_are_listed_but_every_card_is_compared() -> None:
    related = most_similar(CARDS, 3, candidates={"billing/invoices.md", "billing/refunds.md"})
    assert related["billing/tax.md"] == ["billing/invoices.md"]
    assert "billing/chargebacks.md" not in related["billing/refunds.md"]


def test_a_word_in_most_cards_tells_nothing() -> None:
    cards = [(f"c/{n:03}.md", vec(f"common word{n}")) for n in range(120)]
    cards.append(("c/x.md", vec("common rare")))
    cards.append(("c/y.md", vec("common rare")))
    related = most_similar(cards, 3)
    assert related["c/x.md"] == ["c/y.md"]
    assert related["c/000.md"] == []  # "common" alone relates nothing


def test_linked_cards_come_first_whatever_their_words_and_only_among_candidates() -> None:
    links = {
        "accounts/password.md": {"billing/refunds.md", "billing/tax.md"},
        "billing/refunds.md": {"accounts/password.md"},
        "billing/tax.md": {"accounts/password.md"},
    }
    related = most_similar(CARDS, 3, links=links)
    assert related["accounts/password.md"] == ["billing/refunds.md", "billing/tax.md"]
    assert related["billing/refunds.md"][:2] == ["accounts/password.md", "billing/chargebacks.md"]
    public = {"billing/refunds.md", "billing/chargebacks.md", "accounts/password.md"}
    limited = most_similar(CARDS, 3, public, links=links)
    assert limited["accounts/password.md"] == ["billing/refunds.md"]


def test_one_cards_list_is_the_same_as_in_the_lists_of_every_card() -> None:
    every = most_similar(CARDS, 3)
    assert most_similar(CARDS, 3, only={"billing/tax.md"}) == {
        "billing/tax.md": every["billing/tax.md"]
    }


@pytest.mark.slow
def test_one_cards_list_is_exactly_its_list_among_everyones() -> None:
    """``kb related`` computes one card's list without every card's vector; it must be the
    handbook's list for that card: same cards, same scores, same order, ties included."""
    rng = random.Random(3)
    words = [f"w{n}" for n in range(90)]
    for round_ in range(12):
        cards = [
            (f"f{n % 4}/{n:03}.md", vec(" ".join(rng.choices(words, k=rng.randint(0, 25)))))
            for n in range(rng.randint(2, 140))
        ]
        cards.sort()
        paths = [path for path, _ in cards]
        candidates = set(rng.sample(paths, k=max(1, len(paths) * 3 // 4)))
        links = {paths[0]: {paths[-1], "gone.md"}, paths[-1]: {paths[0]}}
        limit = rng.randint(1, 9)
        everyone = scored_similar(cards, limit, candidates, links=links)
        for path in paths:
            assert similar_to(cards, path, limit, candidates, links=links) == everyone[path], (
                round_,
                path,
            )


@pytest.mark.slow
def test_after_an_edit_only_the_reached_lists_change_and_all_equal_a_whole_pass() -> None:
    """A rebuild after editing a few cards updates the related lists from the last ones;
    every list must be what a build from scratch lists (cards, scores, order)."""
    rng = random.Random(11)
    words = [f"w{n}" for n in range(70)]
    updated = 0
    for round_ in range(25):
        cards = sorted(
            (f"d{n % 3}/{n:03}.md", vec(" ".join(rng.choices(words, k=rng.randint(1, 20)))))
            for n in range(rng.randint(3, 120))
        )
        paths = [path for path, _ in cards]
        candidates = set(rng.sample(paths, k=max(1, len(paths) * 4 // 5)))
        links = {paths[0]: {paths[-1]}, paths[-1]: {paths[0]}}
        limit = rng.randint(1, 8)
        kept: dict[str, dict[str, float]] = {}
        listed = scored_similar(cards, limit, candidates, links=links, keep=kept)
        edited = dict(cards)
        for path in rng.sample(paths, k=rng.randint(1, 3)):
            counts = dict(edited[path])
            if counts and rng.random() < 0.5:
                counts.pop(rng.choice(sorted(counts)))
            counts[rng.choice(words)] = float(rng.randint(1, 3))
            edited[path] = counts
        after = sorted(edited.items())
        every: dict[str, dict[str, float]] = {}
        expected = scored_similar(after, limit, candidates, links=links, keep=every)
        found = update_similar(after, limit, dict(cards), listed, candidates, links=links)
        if found is not None:
            updated += 1
            assert found == expected, round_
            # With the last pass's vectors, the unreached cards' are read, not computed:
            # the same lists, and the vectors to keep are those of a whole pass.
            now: dict[str, dict[str, float]] = {}
            again = update_similar(
                after, limit, dict(cards), listed, candidates, links=links, vectors=kept, keep=now
            )
            assert again == expected and now == every, round_
    assert updated >= 10  # most edits are updated in place, not by a whole pass
    same = update_similar(cards, 3, dict(cards), {"x": []})
    assert same == {"x": []}  # nothing changed: the last lists as they were


def test_a_long_list_of_scores_ranks_exactly_as_sorting_every_card() -> None:
    """Many cards with near-equal scores (ties within rounding, linked cards scoring
    nothing): the list is the one that sorting every card by the one ranking gives."""
    from kbcli.core.related import _best

    rng = random.Random(7)
    for trial in range(200):
        count = rng.randrange(1, 400)
        base = [rng.choice([0.5, 0.25, 0.1]) for _ in range(count)]
        scores = {n: base[n] + rng.choice([0.0, 1e-12, -1e-12, 4e-10, 2e-9]) for n in range(count)}
        scores[count] = 0.9  # the card itself
        linked = set(rng.sample(range(count + 5), rng.randrange(0, 4)))
        limit = rng.randrange(1, 10)
        path_of = "c/{:04}.md".format
        expected_scores = dict(scores)
        for other in linked:
            expected_scores.setdefault(other, 0.0)
        expected_scores.pop(count, None)
        expected = sorted(
            expected_scores.items(),
            key=lambda item: (item[0] not in linked, -round(item[1], 9), path_of(item[0])),
        )[:limit]
        got = _best(dict(scores), count, set(linked), path_of, limit)
        assert got == [(path_of(o), s) for o, s in expected], trial
