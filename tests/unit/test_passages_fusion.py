"""Dense retrieval's pure parts: a card split into passages, and the two fusions."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kbcli.core.fusion import normalised_score, reciprocal_rank
from kbcli.core.passages import PROSE, passage_key, passages


def test_a_card_splits_at_its_headings_and_each_passage_says_its_card_and_section() -> None:
    body = (
        "Intro words here.\n\n## Rotate the key\n\nOpen settings.\n\n## Billing\n\nPay monthly.\n"
    )
    found = passages("API keys", body)
    assert found == [
        "API keys: Intro words here.",
        "API keys — Rotate the key: Open settings.",
        "API keys — Billing: Pay monthly.",
    ]


def test_a_long_section_becomes_passages_of_about_two_hundred_words() -> None:
    body = "## Long\n\n" + " ".join(f"w{i}" for i in range(450))
    found = passages("T", body)
    assert [len(p.split(": ", 1)[1].split()) for p in found] == [200, 200, 50]
    assert all(p.startswith("T — Long: ") for p in found)


def test_a_heading_inside_fenced_code_is_not_a_section() -> None:
    body = "Run this:\n\n```sh\n# not a heading\necho hi\n```\n"
    assert passages("Shell", body) == [
        "Shell: Run this: # not a heading echo hi",
        "Shell: Run this:",
    ]


def test_a_short_cheat_sheet_also_has_its_prose_alone_as_a_passage() -> None:
    body = (
        "> Archiving utility.\n> More information: <https://example.org/tar>.\n\n"
        "- E[x]tract an archive [f]ile:\n\n`tar xf {{path/to/source.tar}}`\n\n"
        "- See [the manual](https://example.org/man):\n\n```sh\nman tar\n```\n"
    )
    assert passages("tar", body) == passages("tar", body, recipe=PROSE)  # kb's recipe today
    found = passages("tar", body, recipe=PROSE)
    assert len(found) == 2 and "{{path/to/source.tar}}" in found[0]
    assert found[1] == (
        "tar: Archiving utility. More information: . Extract an archive file: See the manual:"
    )


def test_a_card_without_code_or_longer_than_a_passage_has_no_prose_passage() -> None:
    assert passages("Leave", "Ask your manager. See [the form](https://x.org).", recipe=PROSE) == [
        "Leave: Ask your manager. See [the form](https://x.org)."
    ]
    long = "`make`\n\n" + " ".join(f"w{i}" for i in range(250))
    assert len(passages("Build", long, recipe=PROSE)) == 2  # two passages of words, no third


def test_an_empty_card_is_its_title() -> None:
    assert passages("Only a title", "") == ["Only a title"]


def test_a_passage_key_changes_with_its_text_and_the_model() -> None:
    assert passage_key("m1", "a") == passage_key("m1", "a")
    assert len({passage_key("m1", "a"), passage_key("m1", "b"), passage_key("m2", "a")}) == 3


def test_reciprocal_rank_fusion_rewards_a_card_both_rankings_find() -> None:
    lexical = {"a": 9.0, "b": 5.0, "c": 1.0}
    dense = {"d": 0.9, "b": 0.8, "e": 0.7}
    fused = reciprocal_rank(lexical, dense)
    assert max(fused, key=fused.__getitem__) == "b"  # 2nd in both beats 1st in one
    assert set(fused) == {"a", "b", "c", "d", "e"}  # a card one ranking missed keeps its share


def test_normalised_score_fusion_weighs_each_list_on_one_scale() -> None:
    fused = normalised_score({"a": 20.0, "b": 10.0}, {"b": 0.9, "a": 0.5}, dense_weight=1.0)
    assert fused == {"a": 1.0, "b": 1.0}
    assert normalised_score({"a": 20.0, "b": 10.0}, {"b": 0.9, "a": 0.5}, 2.0)["b"] == 2.0


scores = st.dictionaries(st.sampled_from("abcdefgh"), st.floats(0, 100), max_size=8)


@pytest.mark.slow
@settings(deadline=None)  # a loaded CI machine, not slow code
@given(scores, scores)
def test_fusion_never_loses_or_invents_a_card(
    lexical: dict[str, float], dense: dict[str, float]
) -> None:
    ordered = dict(sorted(lexical.items(), key=lambda kv: -kv[1]))
    for fuse in (reciprocal_rank, normalised_score):
        assert set(fuse(ordered, dense)) == set(lexical) | set(dense)


def _float32_rows(rows: list[list[float]]) -> tuple[bytes, Any, list[float]]:
    """The matrix as the vector store keeps it (float32 bytes), its values as stored,
    and each row's squared length."""
    import math
    from array import array

    matrix = array("f", [x for row in rows for x in row]).tobytes()
    stored = array("f", matrix)
    dims = len(rows[0])
    squares = [
        math.fsum(x * x for x in stored[i * dims : (i + 1) * dims]) for i in range(len(rows))
    ]
    return matrix, stored, squares


def test_dense_scores_from_the_stdlib_equal_plain_dot_products_and_tie_by_path() -> None:
    import math

    from kbcli.core.dense import best_of_cards, ranked

    rows = [[0.6, 0.8, 0.0], [1.0, 0.0, 0.0], [0.0, 0.6, 0.8], [0.0, 0.8, 0.6]]
    matrix, stored, squares = _float32_rows(rows)
    query = [0.0, 1.0, 0.0]
    # Three cards: rows 0-1, row 2, row 3; each card counts its best row.
    best = best_of_cards(matrix, squares, 3, [(0, 2), (2, 3), (3, 4)], query)
    exact = [float(stored[1]), float(stored[7]), float(stored[10])]  # 0.8, 0.6, 0.8
    assert [round(b, 9) for b in best] == [round(e, 9) for e in exact]
    scores, floor = ranked(best, ["b.md", "c.md", "a.md"], 2, 2.0)
    assert list(scores) == ["a.md", "b.md"]  # a tie at 0.8 goes by path
    mean = sum(exact) / 3
    spread = math.sqrt(sum((e - mean) ** 2 for e in exact) / 3)
    assert floor == pytest.approx(mean + 2 * spread, abs=1e-8)


def test_a_page_on_the_subject_throughout_ranks_above_one_with_a_single_matching_section() -> None:
    # Both pages' best section matches the query equally (0.8); the first page's other
    # section is on the subject too, the second's is not: with kb's share of the mean,
    # the first ranks above; by the best section alone they would tie.
    from kbcli.core.dense import best_of_cards, card_score
    from kbcli.usecases.semantic import MEAN_SHARE

    rows = [[0.6, 0.8, 0.0], [0.0, 0.6, 0.8], [0.6, 0.8, 0.0], [1.0, 0.0, 0.0]]
    matrix, stored, squares = _float32_rows(rows)
    query = [0.0, 1.0, 0.0]
    spans = [(0, 2), (2, 4)]
    throughout, once = best_of_cards(matrix, squares, 3, spans, query, MEAN_SHARE)
    assert MEAN_SHARE > 0 and throughout > once
    alone = best_of_cards(matrix, squares, 3, spans, query)  # share 0: the best section
    assert alone == pytest.approx([stored[1], stored[7]], abs=1e-9)
    assert once == pytest.approx(card_score(stored[7], stored[7] / 2, MEAN_SHARE), abs=1e-9)
    assert card_score(0.8, 0.1, 0.0) == 0.8


def test_a_russian_or_ukrainian_query_weighs_meaning_less_than_an_english_one() -> None:
    # The dense model lost to kb's own ru/uk stemming on the tuning halves, not in English:
    # a query in those languages leans on its words; one of unknown language does not.
    from kbcli.usecases.search_rank import DENSE_WEIGHT, dense_weight

    assert dense_weight(frozenset({"uk"})) < dense_weight(frozenset({"en"})) == DENSE_WEIGHT
    assert dense_weight(frozenset({"ru", "uk"})) < DENSE_WEIGHT
    assert dense_weight(frozenset()) == DENSE_WEIGHT
    assert dense_weight(frozenset({"ru", "en"})) == DENSE_WEIGHT


def test_a_large_repo_scored_in_float32_ranks_the_same_cards_as_float64() -> None:
    # Above the rows the stdlib scores, numpy scores in float32 (~10x cheaper at 38k
    # cards): the cards a search lists, and their order, are those of float64 scoring.
    import numpy as np

    from kbcli.adapters.vector_store import Rows, best_of_cards

    rng = np.random.default_rng(12)
    matrix = rng.standard_normal((3000, 384)).astype(np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    starts = tuple(range(0, 3000, 5))  # 600 cards of 5 passages
    paths = tuple(f"card-{i:03d}.md" for i in range(600))
    rows = Rows(paths, ("x",) * 600, starts, matrix.tobytes(), ())
    query = (matrix[42] + matrix[1234]).tolist()
    chosen = list(range(600))
    exact = best_of_cards(rows, 384, chosen, query, 0.5, exact=True)
    fast = best_of_cards(rows, 384, chosen, query, 0.5, exact=False)
    assert max(abs(a - b) for a, b in zip(exact, fast, strict=True)) < 1e-6
    top = sorted(chosen, key=lambda i: -exact[i])[:10]
    assert sorted(chosen, key=lambda i: -fast[i])[:10] == top
    assert {8, 246} <= set(top[:2])  # the cards holding the query's two passages
    rounded = best_of_cards(rows, 384, chosen, query, 0.5, exact=False, digits=9)
    assert rounded == [round(score, 9) for score in fast]  # what core.dense.ranked would keep
