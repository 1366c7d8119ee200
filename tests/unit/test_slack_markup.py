"""Slack mrkdwn to markdown: what a support agent pasted must read the same in the card."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kbcli.core.slack_markup import Names, plain, to_markdown

NAMES = Names(
    users={"U1": "Ana Souza (@ana)", "U2": "Jamie Chen"},
    channels={"C1": "billing-help"},
)


@pytest.mark.parametrize(
    ("slack", "markdown"),
    [
        ("ask <@U1> please", "ask Ana Souza (@ana) please"),
        ("<@U9|old.name> knows", "old.name knows"),
        ("<@U9> knows", "unknown user U9 knows"),
        ("see <#C1>", "see #billing-help"),
        ("see <#C7|ops-room>", "see #ops-room"),
        ("<https://x.example/a_b_c|the *card*>", "[the *card*](https://x.example/a_b_c)"),
        ("<https://x.example/a?b=1&amp;c=2>", "<https://x.example/a?b=1&c=2>"),
        ("<mailto:a@b.example|a@b.example>", "[a@b.example](mailto:a@b.example)"),
        ("*bold* and _italic_ and ~gone~", "**bold** and *italic* and ~~gone~~"),
        ("snake_case_name and 2*3*4 stay", "snake_case_name and 2*3*4 stay"),
        ("`*not bold* <@U1>`", "`*not bold* <@U1>`"),
        ("a &lt;b&gt; &amp; c", "a <b> & c"),
        ("great :tada: :white_check_mark:", "great :tada: :white_check_mark:"),
        ("<!here> and <!channel>", "@here and @channel"),
        ("<!subteam^S1|@billing-team> ping", "@billing-team ping"),
        ("• one\n• two", "- one\n- two"),
        ("*<https://x.example|bold link>*", "**[bold link](https://x.example)**"),
        ("שלום <@U2>, *חשוב*", "שלום Jamie Chen, **חשוב**"),
    ],
)
def test_markup_converts_to_markdown(slack: str, markdown: str):
    assert to_markdown(slack, NAMES) == markdown


def test_fenced_block_keeps_its_content_and_gets_its_own_lines():
    text = "run:```openssl x509 -in a.cert &gt; out\n*keep*```then retry"
    converted = to_markdown(text, NAMES)
    assert "\n```\nopenssl x509 -in a.cert > out\n*keep*\n```\n" in converted
    assert converted.startswith("run:") and converted.endswith("then retry")


def test_plain_text_for_titles_drops_markup():
    assert plain("*Refund* for <@U2> via <https://x.example|the card>", NAMES) == (
        "Refund for Jamie Chen via the card"
    )


@pytest.mark.slow
@given(st.text(alphabet=st.sampled_from(list("ab *_~`<>|@#!:&;\n\x00U1C")), max_size=60))
def test_any_text_converts_without_error_or_leftover_markers(text: str):
    converted = to_markdown(text, NAMES)
    assert "\x00" not in converted
    assert plain(text, NAMES) == " ".join(plain(text, NAMES).split())


def test_an_unowned_card_says_no_owner_once_in_answers_and_previews() -> None:
    from kbcli.core.slack_blocks import CardLine, search_answer, unfurl

    line = CardLine("pages/a.md", "A page", "unverified", "never verified")
    answer = str(search_answer("a", [line], "", []))
    preview = str(unfurl(line, "", []))
    assert "· no owner" in answer and "owner no owner" not in answer.lower()
    assert "No owner · never verified" in preview
