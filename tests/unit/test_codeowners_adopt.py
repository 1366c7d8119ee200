"""CODEOWNERS parsing (GitHub and GitLab syntax) and the pure adoption helpers."""

from __future__ import annotations

from datetime import date

from kbcli.core.adopt import AuthorTally, folder_tags, top_author
from kbcli.core.codeowners import owner_handle, parse_codeowners
from kbcli.core.people import roster_from, suggest_handle


def test_gitlab_sections_give_default_owners_and_comments_are_dropped() -> None:
    rules = parse_codeowners(
        "# top\n"
        "*.md @writers\n"
        "[Docs] @acme/docs-team\n"
        "docs/\n"
        "^[Optional][2] @eve\n"
        "docs/legal/ @lawyer  # legal\n"
        "path\\ with\\ space/ @ana\n"
    )
    assert [(r.pattern, r.owners, r.section) for r in rules] == [
        ("*.md", ("@writers",), ""),
        ("docs/", ("@acme/docs-team",), "Docs"),
        ("docs/legal/", ("@lawyer",), "Optional"),
        ("path with space/", ("@ana",), "Optional"),
    ]
    assert rules[1].line == 4


def test_owner_handles_drop_the_org_and_keep_emails() -> None:
    assert owner_handle("@acme/docs-team") == ("docs-team", None)
    assert owner_handle("@ana") == ("ana", None)
    assert owner_handle("ana@acme.test") == ("ana", "ana@acme.test")


def test_top_author_skips_people_who_left_and_strangers() -> None:
    roster, _ = roster_from(
        {
            "ana": {"emails": ["ana@x.test"]},
            "dmitri": {"emails": ["d@x.test"], "left": "2026-01-01"},
        }
    )
    tallies = [
        AuthorTally("Dmitri", "d@x.test", 9, 100),
        AuthorTally("Stranger", "s@x.test", 7, 100),
        AuthorTally("Ana", "ana@x.test", 2, 50),
    ]
    assert top_author(tallies, roster, date(2026, 6, 1)) == ("ana", 2, 18)


def test_folder_tags_and_new_handles() -> None:
    assert folder_tags("docs/Billing Guides/a.md", ["docs"]) == ["billing-guides"]
    assert folder_tags("a.md", ["."]) == []
    assert suggest_handle("Ana Souza", "1+ana@users.noreply.github.com", set()) == "ana"
    assert suggest_handle("Ana Souza", "dev@acme.test", {"ana-souza"}) == "ana-souza-2"
