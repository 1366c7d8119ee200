"""When the handbook's search delta folds into a new base, and what it holds otherwise."""

from __future__ import annotations

import pytest

from kbcli.core.search_delta import FOLD, fold_limit, plan_delta


def kept(pages: list[str], drops: list[str], base_pages: int = 1000) -> dict[str, object]:
    return {"pages": pages, "drops": drops, "base_pages": base_pages}


@pytest.mark.parametrize(
    "base_pages, limit",
    [(0, 10), (40, 10), (251, 12), (1000, 50), (7424, 100), (100_000, 100)],
)
def test_the_delta_may_cover_a_share_of_the_base_within_bounds(base_pages: int, limit: int) -> None:
    assert fold_limit(base_pages) == limit


def test_a_first_edit_makes_a_delta_of_that_page_dropping_its_base_entry() -> None:
    plan = plan_delta(kept([], []), ["a.html"], [])
    assert not plan.fold
    assert plan.pages == ("a.html",) and plan.drops == ("a.html",)


def test_the_delta_keeps_every_page_changed_since_the_base() -> None:
    plan = plan_delta(kept(["a.html"], ["a.html", "gone.html"]), ["b.html"], [])
    assert plan.pages == ("a.html", "b.html")
    assert plan.drops == ("a.html", "b.html", "gone.html")  # a removed page stays dropped


def test_a_removed_page_leaves_the_delta_and_its_base_entry_is_dropped() -> None:
    plan = plan_delta(kept(["a.html", "b.html"], ["a.html", "b.html"]), [], ["a.html", "c.html"])
    assert plan.pages == ("b.html",)
    assert plan.drops == ("a.html", "b.html", "c.html")


def test_the_delta_folds_once_it_would_cover_more_than_the_limit() -> None:
    limit = fold_limit(1000)
    pages = [f"p{n}.html" for n in range(limit - 1)]
    assert not plan_delta(kept(pages, pages), ["last.html"], []).fold  # exactly the limit
    assert plan_delta(kept(pages, pages), ["last.html", "more.html"], []) is FOLD
    assert plan_delta(kept(pages, pages), [], ["gone.html", "gone2.html"]) is FOLD


@pytest.mark.parametrize(
    "state",
    [None, {}, {"pages": [], "drops": []}, {"pages": [], "drops": [], "base_pages": "12"}],
)
def test_no_trusted_base_means_a_fold(state: dict[str, object] | None) -> None:
    assert plan_delta(state, ["a.html"], []) is FOLD


def test_full_always_folds() -> None:
    assert plan_delta(kept([], []), ["a.html"], [], full=True) is FOLD
    assert plan_delta(kept([], []), [], [], full=True) is FOLD
