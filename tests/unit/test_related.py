"""Related cards from term vectors (kbcli.core.related): what a reader of the handbook sees."""

from __future__ import annotations

import random

from kbcli.core.related import most_similar, term_counts


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
