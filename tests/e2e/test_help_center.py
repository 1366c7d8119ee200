"""A public build as a customer reads it in Chromium: a help center shows each article as
reviewed or maybe out of date, never kb's internal trust (expired, needs review, counts,
the most urgent cards), and an article that runs out after the build turns stale in the
browser on that day.

The browser, page and build helpers are test_handbook's (same Debian chromium, same CSP).
"""

from __future__ import annotations

import re
import urllib.request
from typing import Any

import pytest

from tests.e2e.test_handbook import (  # noqa: F401 (fixtures)
    TODAY,
    _build,
    _poll,
    _search,
    browser,
    page,
)
from tests.helpers import KbRepo, copy_example, git

pytestmark = pytest.mark.browser

# Words of kb's internal trust a customer must never read on a help center page.
INTERNAL_WORDS = ("Expired", "Unverified", "Needs review", "Due for review", "trust score")
PUBLIC_WORDS = {"Reviewed", "May be out of date"}


@pytest.fixture(scope="module")
def help_center(tmp_path_factory: pytest.TempPathFactory) -> str:
    """example-kb's public build: the Hebrew password card was never verified (stale), the
    English one verified 2026-10-30 and expiring 2027-01-30 (current)."""
    root = copy_example(tmp_path_factory.mktemp("help") / "example-kb")
    git(root, "init", "-q", "-b", "main")
    KbRepo(root).commit("import the cards\n\nKb-Import: example", when="2026-11-20T10:00:00Z")
    return _build(root, root.parent / "public", "--audience", "public")


def _visible_text(tab: Any) -> str:
    return str(tab.locator("body").inner_text())


def test_the_help_center_home_lists_articles_without_internal_trust(
    page: Any,  # noqa: F811
    help_center: str,
) -> None:
    page.goto(help_center + "index.html")
    text = _visible_text(page)
    for word in (*INTERNAL_WORDS, "Most urgent", "Recently verified", "verified"):
        assert word not in text, word
    assert page.locator(".overview, table.folders").count() == 0
    assert page.locator("#search-trust").count() == 0  # no filter by an internal state
    assert page.locator("h2", has_text="Articles").is_visible()
    rows = page.locator("#folder-accounts .card-row")
    assert rows.count() == 3
    badges = page.locator(".badge-word").all_inner_texts()
    assert set(badges) == PUBLIC_WORDS
    stale = page.locator(".card-row", has_text="איך לאפס את הסיסמה").locator(".badge-word")
    assert stale.inner_text() == "May be out of date"
    assert page.errors == []


def test_a_stale_article_says_it_may_be_out_of_date_and_a_current_one_does_not(
    page: Any,  # noqa: F811
    help_center: str,
) -> None:
    page.goto(help_center + "accounts/he-reset-password.html")  # never verified
    assert page.locator(".card-header .badge-word").inner_text() == "May be out of date"
    notice = page.locator(".stale-notice")
    assert notice.is_visible()
    assert "This article may be out of date" in notice.inner_text()
    text = _visible_text(page)
    assert not [w for w in INTERNAL_WORDS if w in text]

    page.goto(help_center + "accounts/reset-password.html")
    assert page.locator(".card-header .badge-word").inner_text() == "Reviewed"
    assert not page.locator(".stale-notice").is_visible()
    assert "reviewed 2026-10-30" in page.locator(".trust-detail").inner_text()
    assert page.errors == []


def test_an_article_that_runs_out_after_the_build_turns_stale_in_the_browser(
    browser: Any,  # noqa: F811
    help_center: str,
) -> None:
    tab = browser.new_page()
    tab.clock.set_fixed_time("2027-02-01T12:00:00Z")  # after reset-password's 2027-01-30
    try:
        tab.goto(help_center + "accounts/reset-password.html")
        assert _poll(tab, ".card-header .badge", lambda v: v == ["stale"]) == ["stale"]
        assert tab.locator(".card-header .badge-word").inner_text() == "May be out of date"
        assert tab.locator(".stale-notice").is_visible()

        _search(tab, "password")
        states = _poll(tab, "#search-results .badge", lambda v: "current" not in v)
        assert states and set(states) == {"stale"}
        words = tab.locator("#search-results .badge").all_inner_texts()
        assert all("May be out of date" in w for w in words)
    finally:
        tab.close()


def test_search_results_on_the_help_center_speak_the_public_words(
    page: Any,  # noqa: F811
    help_center: str,
) -> None:
    page.goto(help_center + "index.html")
    _search(page, "password")
    states = _poll(page, "#search-results .badge", lambda v: len(v) >= 3)
    assert set(states) == {"current", "stale"}
    words = page.locator("#search-results .badge").all_inner_texts()
    assert {w.split(" ", 1)[1] for w in words} == PUBLIC_WORDS
    assert page.errors == []


def test_the_help_center_pages_hold_no_internal_state_in_their_markup(help_center: str) -> None:
    """View source shows what the page shows: no internal state on a badge or filter."""
    for url in ("index.html", "accounts/he-reset-password.html", "tags/password.html"):
        with urllib.request.urlopen(help_center + url) as response:
            html = response.read().decode("utf-8")
        states = set(re.findall(r'data-trust="([^"]*)"', html))
        assert states and states <= {"current", "stale"}, (url, states)
        assert "needs-review" not in html and ">expired<" not in html


def test_the_english_notice_on_a_right_to_left_article_reads_left_to_right(
    page: Any,  # noqa: F811
    help_center: str,
) -> None:
    """On the Hebrew article (a right-to-left page) kb's English badge line and notice kept
    the page's direction, so their final period showed at the start of the line."""
    page.goto(help_center + "accounts/he-reset-password.html")
    assert page.locator("html").get_attribute("dir") == "rtl"
    body_direction = page.locator(".card-body").evaluate("e => getComputedStyle(e).direction")
    assert body_direction == "rtl"  # the article's own words stay right to left
    for part in (".card-header .trust", ".stale-notice", ".stale-notice p"):
        direction = page.locator(part).evaluate("e => getComputedStyle(e).direction")
        assert direction == "ltr", part
