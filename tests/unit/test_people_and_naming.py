from __future__ import annotations

from datetime import date

from kbcli.core.naming import slugify, unique_name
from kbcli.core.people import roster_from


def test_roster_maps_git_identities_by_email_then_name():
    roster, problems = roster_from(
        {
            "ana": {"name": "Ana Souza", "emails": ["Ana@Nimbus.example"], "team": "billing"},
            "bo": {"name": "Bo Chen", "email": "bo@nimbus.example", "left": "2026-06-30"},
        }
    )
    assert problems == []
    assert roster.handle_for("Someone Else", "ana@nimbus.example") == "ana"
    assert roster.handle_for("bo chen", None) == "bo"
    assert roster.handle_for("Nobody", "nobody@x") is None
    assert roster.people["bo"].left == date(2026, 6, 30)
    assert roster.knows("billing") and roster.members("billing") == {"ana"}
    assert not roster.knows("jwright")


def test_roster_reports_bad_entries():
    _, problems = roster_from({"x": "not a mapping", "y": {"left": "soon", "nick": "z"}})
    assert len(problems) == 3


def test_slugs_keep_every_script_and_drop_what_is_unsafe():
    assert slugify("Refund: a duplicate charge!") == "refund-a-duplicate-charge"
    assert slugify("Сброс пароля") == "сброс-пароля"
    assert slugify("איפוס סיסמה") == "איפוס-סיסמה"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("   ") == "card"
    assert len(slugify("word " * 50)) <= 80


def test_unique_names_never_overwrite():
    assert unique_name("refund", {"refund.md", "refund-2.md"}) == "refund-3.md"


def test_plain_ignore_names_ignore_what_gitignore_rules_would():
    """kb lists cards with a set look-up when kb.toml's ignore patterns are plain names
    (the default): the same cards as gitignore's rules, or the rules when it cannot."""
    import itertools

    import pathspec

    from kbcli.core.naming import plain_names

    parts = ["README.md", "readme.md", "CHANGELOG.md", "notes", "x.md", "README.md.bak", "a-b"]
    paths = ["/".join(p) for n in (1, 2, 3) for p in itertools.product(parts, repeat=n)]
    for patterns in (("README.md", "CHANGELOG.md"), ("notes",), (), ("README.md", "", "# c")):
        names = plain_names(patterns)
        assert names is not None
        spec = pathspec.GitIgnoreSpec.from_lines(patterns)
        for path in paths:
            ignored = not names.isdisjoint(path.split("/"))
            assert ignored == spec.match_file(path), (patterns, path)
    for patterns in (("docs/README.md",), ("*.tmp.md",), ("!README.md",), ("README.md ",)):
        assert plain_names(patterns) is None
