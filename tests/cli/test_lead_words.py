"""What a lead reads about days and counts: the same words on every command.

A card that expired yesterday, one that expires today and one due tomorrow are told as
"1 day ago", "today" and "in 1 day" by kb report (terminal pipe, markdown, JSON), kb check,
kb show and the Slack reminders alike: the report once said "(1 days ago)" and
"(0 days ago)" where kb check said "(1 day ago)" and "(today)".
"""

from __future__ import annotations

import json

import pytest

from tests.helpers import KbRepo, run_kb

TODAY = "2026-12-05"


def _card(title: str, verified: str) -> str:
    head = f"title: {title}\nowner: ana\nverified_at: {verified}\nverify_every: 30d\n"
    return f"---\n{head}---\nBody.\n"


@pytest.fixture
def repo(kb_repo: KbRepo) -> KbRepo:
    kb_repo.write("people.yaml", "ana:\n  name: Ana Souza\n  emails: [ana@example.test]\n")
    kb_repo.write("yesterday.md", _card("Yesterday", "2026-11-04"))  # expired 2026-12-04
    kb_repo.write("today.md", _card("Today", "2026-11-05"))  # expires 2026-12-05
    kb_repo.write("tomorrow.md", _card("Tomorrow", "2026-11-06"))  # expires 2026-12-06
    kb_repo.commit("cards", when="2026-11-06T10:00:00Z")
    return kb_repo


def _kb(repo: KbRepo, *args: str) -> str:
    result = run_kb("--kb", str(repo.path), "--today", TODAY, *args)
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def test_one_day_and_today_read_the_same_on_every_command(repo: KbRepo) -> None:
    expected = {
        "yesterday.md": "expired 2026-12-04 (1 day ago)",
        "today.md": "expired 2026-12-05 (today)",
        "tomorrow.md": "expires 2026-12-06 (in 1 day)",
    }
    report = json.loads(_kb(repo, "report", "--json"))
    reasons = {t["path"]: t["reasons"][0] for t in report["owners"][0]["to_verify"]}
    assert reasons == expected
    pipe = _kb(repo, "report")
    markdown = _kb(repo, "report", "--format", "markdown")
    slack = _kb(repo, "notify", "slack", "--dry-run")
    for words in expected.values():
        assert words in pipe and words in markdown and words in slack
    for text in (pipe, markdown, slack):
        assert "1 days" not in text and "0 days" not in text
    check = _kb(repo, "check", "--format", "json")
    messages = {f["path"]: f["message"] for f in json.loads(check)["findings"]}
    assert "(1 day ago)" in messages["yesterday.md"]
    assert "(today)" in messages["today.md"]
    assert "(in 1 day)" in messages["tomorrow.md"]
    shown = _kb(repo, "show", "tomorrow.md")
    assert "expires 2026-12-06 (in 1 day)" in shown


def test_the_score_line_and_the_owner_table_count_what_the_states_count(repo: KbRepo) -> None:
    # A card stamped by ana, then edited by someone outside the roster: needs review.
    repo.write("fresh.md", _card("Fresh", "2026-12-01"))
    repo.commit("fresh", when="2026-12-01T10:00:00Z")
    edited = repo.path / "fresh.md"
    edited.write_text(edited.read_text() + "An edit.\n")
    repo.commit("edit", when="2026-12-02T10:00:00Z", author="Zed", email="zed@example.test")
    repo.write("later.md", _card("Later", "2026-12-01"))
    repo.commit("later", when="2026-12-03T10:00:00Z")
    pipe = _kb(repo, "report").splitlines()
    # "2 of 5 are verified" next to "verified 1" read as two answers to one question.
    assert "2 of 5 published cards have a current verification" in pipe[1]
    assert pipe[2].split() == [
        *("verified", "1", "·", "due", "1", "·", "expired", "2", "·", "needs", "review", "1"),
        *("·", "never", "verified", "0;", "0", "with", "no", "owner"),
    ]
    markdown = _kb(repo, "report", "--format", "markdown")
    assert "2 of 5 published cards have a current verification (verified or due)" in markdown
    # ana's row counts the card that needs review in a column of its own, so the
    # table's states add up to her to-do instead of hiding one.
    (row,) = [line.split("\t") for line in pipe if line.startswith("owner\t")]
    assert row[:9] == ["owner", "ana", "5", "2", "1", "1", "0", "4", "4"]


def test_the_markdown_digest_says_why_in_the_verdicts_words_as_slack_does(repo: KbRepo) -> None:
    repo.write("fresh.md", _card("Fresh", "2026-12-01"))
    repo.commit("fresh", when="2026-12-01T10:00:00Z")
    edited = repo.path / "fresh.md"
    edited.write_text(edited.read_text() + "An edit.\n")
    repo.commit("edit", when="2026-12-02T10:00:00Z", author="Zed", email="zed@example.test")
    markdown = _kb(repo, "report", "--format", "markdown")
    (line,) = [x for x in markdown.splitlines() if "(`fresh.md`)" in x]
    # The issue an owner reads said only "edited-since-verified" where Slack said who.
    assert "(`fresh.md`): edited by Zed <zed@example.test> (not in people.yaml)" in line
    assert "after its verification of 2026-12-01" in line
    assert "edited-since-verified" not in line
    slack = _kb(repo, "notify", "slack", "--dry-run")
    assert "edited by Zed &lt;zed@example.test&gt; (not in people.yaml) on 2026-12-02" in slack
