"""Which forge a remote URL names, and where its API is (merge requests from kb slack)."""

from __future__ import annotations

import pytest

from kbcli.core.forge import Forge, forge_for, parse_remote


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/acme/kb.git", ("https", "github.com", "acme/kb")),
        ("git@github.com:acme/kb.git", ("ssh", "github.com", "acme/kb")),
        (
            "ssh://git@gitlab.acme.com:2222/support/team/kb.git",
            ("ssh", "gitlab.acme.com", "support/team/kb"),
        ),
        ("https://gitlab.com/support/kb/", ("https", "gitlab.com", "support/kb")),
        ("/srv/git/kb.git", None),
        ("../kb.git", None),
        ("file:///srv/git/kb.git", None),
        ("https://example.com/kb.git", None),  # no owner/project
    ],
)
def test_parse_remote(url: str, expected: tuple[str, str, str] | None) -> None:
    assert parse_remote(url) == expected


def test_known_hosts_and_their_apis() -> None:
    assert forge_for("git@github.com:acme/kb.git") == Forge(
        "github", "https://api.github.com", "acme/kb", "github.com"
    )
    enterprise = forge_for("https://github.acme.com/support/kb.git")
    assert enterprise and enterprise.api == "https://github.acme.com/api/v3"
    lab = forge_for("git@gitlab.acme.com:support/team/kb.git")
    assert lab and (lab.kind, lab.api) == ("gitlab", "https://gitlab.acme.com/api/v4")


def test_settings_name_an_unknown_host_or_turn_it_off() -> None:
    assert forge_for("https://git.acme.com/support/kb.git") is None
    named = forge_for(
        "https://git.acme.com/support/kb.git", "GitLab", "https://git.acme.com/api/v4/"
    )
    assert named and (named.kind, named.api) == ("gitlab", "https://git.acme.com/api/v4")
    assert forge_for("https://github.com/acme/kb.git", "none") is None
    assert forge_for("https://git.acme.com/support/kb.git", "gitea") is None
