"""The handbook's pure view models: URLs, link resolution, trust score, urgency, chart."""

from __future__ import annotations

from datetime import date

from kbcli.core.cards import Audience, Card, CardMeta, Status, to_utc
from kbcli.core.catalog import Assessed
from kbcli.core.handbook import (
    Destination,
    SiteLinks,
    card_url,
    edit_base,
    in_audience,
    link_context,
    page_lang,
    relative_url,
    root_of,
    search_glob,
    text_direction,
)
from kbcli.core.handbook_views import trend_chart, trust_score, urgent
from kbcli.core.links import LinkResolver
from kbcli.core.trust import TrustPolicy, assess

TODAY = date(2026, 11, 22)


def item(path: str, verified: str | None, status: Status = Status.PUBLISHED) -> Assessed:
    meta = CardMeta(title=path, verified_at=to_utc(verified) if verified else None, status=status)
    card = Card(path, meta, "")
    return Assessed(card, assess(meta, TrustPolicy(), path, TODAY))


def test_urls_keep_folders_and_relative_links_work_from_any_depth() -> None:
    assert card_url("billing/refunds.md") == "billing/refunds.html"
    assert card_url("tags/how-to-tag.md") == "cards/tags/how-to-tag.html"  # reserved folder
    assert root_of("a/b/c.html") == "../../"
    assert relative_url("billing/refunds.html", "accounts/sso.html") == "../accounts/sso.html"


def test_wikilinks_resolve_by_title_alias_path_and_name_but_not_ambiguously() -> None:
    cards = [
        Card("a/setup.md", CardMeta(title="SAML setup", aliases=("KB-1",)), ""),
        Card("b/setup.md", CardMeta(title="Other"), ""),
    ]
    links = site_links(cards, {"a/setup.md"})

    def wiki(inner: str) -> Destination:
        found = links.wiki("a/setup.md", inner)
        assert found is not None
        return found

    assert wiki("saml SETUP").target == "a/setup.md"
    assert wiki("kb-1#Step 2: Refund!").fragment == "step-2-refund"  # the heading's slug
    assert wiki("b/setup").kind == "hidden"  # exists, but not in this build
    assert wiki("setup").kind == "broken"  # two cards are called setup
    assert links.href("a/setup.md", "../b/setup.md") == Destination("hidden", "b/setup.md")
    assert links.href("a/setup.md", "gone.md") == Destination("broken")
    assert links.href("a/setup.md", "../../etc/passwd.md") is None  # outside: not judged
    assert links.href("a/setup.md", "https://x.test/a.md") is None


def site_links(cards: list[Card], shown: set[str]) -> SiteLinks:
    return SiteLinks(LinkResolver(cards, files=set()), frozenset(shown))


def test_link_context_changes_only_when_what_a_card_links_to_changes() -> None:
    body = "See [[SAML setup]]."
    before = site_links([Card("a/setup.md", CardMeta(title="SAML setup"), "")], {"a/setup.md"})
    after = site_links(
        [Card("a/setup.md", CardMeta(title="SAML setup"), ""), Card("c.md", CardMeta("C"), "")],
        {"a/setup.md", "c.md"},
    )
    renamed = site_links([Card("a/setup.md", CardMeta(title="SSO"), "")], {"a/setup.md"})
    assert link_context("x.md", body, before) == link_context("x.md", body, after)
    assert link_context("x.md", body, before) != link_context("x.md", body, renamed)


def test_trust_score_counts_published_cards_with_a_current_verification() -> None:
    items = [
        item("a.md", "2026-11-01"),
        item("b.md", "2025-01-01"),
        item("c.md", None),
        item("d.md", "2025-01-01", Status.ARCHIVED),
    ]
    assert trust_score(items) == 33
    assert trust_score([]) is None


def test_most_urgent_is_expired_longest_first_then_due_then_unverified() -> None:
    items = [
        item("never.md", None),
        item("due.md", "2026-08-30"),
        item("old.md", "2025-01-01"),
        item("older.md", "2024-01-01"),
        item("fresh.md", "2026-11-20"),
    ]
    assert [i.card.path for i in urgent(items)] == ["older.md", "old.md", "due.md", "never.md"]


def test_public_builds_show_only_published_public_cards() -> None:
    public = Card("p.md", CardMeta(title="P", audience=Audience.PUBLIC), "")
    draft = Card("d.md", CardMeta(title="D", audience=Audience.PUBLIC, status=Status.DRAFT), "")
    internal = Card("i.md", CardMeta(title="I"), "")
    assert [in_audience(c, Audience.PUBLIC) for c in (public, draft, internal)] == [
        True,
        False,
        False,
    ]
    assert [in_audience(c, Audience.INTERNAL) for c in (public, draft, internal)] == [
        True,
        False,
        True,
    ]


def test_edit_links_for_github_and_gitlab() -> None:
    assert edit_base("https://github.com/a/kb.git", "main", "") == (
        "https://github.com/a/kb/edit/main/"
    )
    assert edit_base("https://gitlab.example.com/a/kb", "trunk", "docs/kb") == (
        "https://gitlab.example.com/a/kb/-/edit/trunk/docs/kb/"
    )
    assert edit_base("", "main", "") == ""


def test_languages_and_direction() -> None:
    assert page_lang("he", "en") == "he" and text_direction("he") == "rtl"
    assert page_lang("pt-BR", "en") == "pt-br" and text_direction("pt-br") == "ltr"
    assert page_lang('" onmouseover="x', "en") == "en"
    assert text_direction("ar-EG") == "rtl"


def test_trend_chart_maps_scores_into_the_plot() -> None:
    chart = trend_chart([(date(2026, 1, 1), 0), (date(2026, 1, 8), 50), (date(2026, 1, 15), 100)])
    xs = [d["x"] for d in chart.dots]
    ys = [d["y"] for d in chart.dots]
    assert xs == sorted(xs) and xs[0] == 40 and xs[-1] == chart.width - 16
    assert ys[0] > ys[1] > ys[2]  # higher score, higher on the page
    assert ys[2] == 12 and ys[0] == chart.height - 28
    assert "0%" in chart.summary and "100%" in chart.summary
    assert trend_chart([]).points == ""


def test_the_search_glob_reads_every_top_level_entry_but_the_handbooks_own() -> None:
    entries = [
        ("index.html", False), ("tags", True), ("owners", True), ("static", True),
        ("health.html", False), ("404.html", False), ("pages.ru", True), ("cards", True),
        ("faq.html", False), ("robots.txt", False),
    ]  # fmt: skip
    assert search_glob(entries) == "{cards/**/*.html,faq.html,pages.ru/**/*.html}"
    assert search_glob([("справка", True)]) == "{справка/**/*.html}"


def test_a_name_the_glob_cannot_spell_plainly_means_every_page() -> None:
    for odd in ("a{b", "x,y", "[draft]", "two words", ".hidden", "star*"):
        assert search_glob([("notes", True), (odd, True)]) is None, odd
    assert search_glob([("notes", True), ("odd [1].txt", False)]) is not None  # not a page
    assert search_glob([("index.html", False), ("tags", True)]) is None  # nothing but lists


def test_a_help_center_badge_is_current_or_stale_and_keeps_no_internal_fact() -> None:
    """Customers read "Reviewed" or "May be out of date": never the state, reasons, due
    date or verifiers; a due card is still current, a doubted one is stale."""
    from kbcli.core.durations import parse_duration
    from kbcli.core.handbook_views import public_trust_view
    from kbcli.core.trust import Reason, Trust, TrustState

    def trust(state: TrustState, reasons: tuple[Reason, ...] = ()) -> Trust:
        every = parse_duration("90d")
        dates = date(2026, 9, 1), date(2026, 12, 1)
        return Trust(state, *dates, every, False, reasons, date(2026, 11, 1))

    due = public_trust_view(trust(TrustState.DUE))
    assert (due["state"], due["word"]) == ("current", "Reviewed")
    assert due["detail"] == "reviewed 2026-09-01"
    assert due["expires_on"] == "2026-12-01" and due["due_on"] is None
    flag = (Reason("flagged", "Flagged by Eve"),)
    doubted = public_trust_view(trust(TrustState.NEEDS_REVIEW, flag))
    assert (doubted["state"], doubted["word"]) == ("stale", "May be out of date")
    assert doubted["reasons"] == [] and doubted["expires_on"] is None
    for state in (TrustState.EXPIRED, TrustState.UNVERIFIED):
        assert public_trust_view(trust(state))["state"] == "stale"
