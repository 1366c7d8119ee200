"""Threads become KCS drafts: the asker's words, the accepted answer, the source."""

from __future__ import annotations

from datetime import date

from kbcli.core.kcs_draft import (
    Participant,
    accepted_answer,
    draft_from_thread,
    environment,
    guess_lang,
    suggest_title,
)
from kbcli.core.kcs_text import draft_from_text, parse_notes
from kbcli.core.slack import (
    Channel,
    parse_permalink,
    permalink,
    threads_from,
    users_from,
)
from kbcli.core.slack_markup import Names

USERS = users_from(
    [
        {"id": "UASK", "name": "jo", "real_name": "Jo Asker"},
        {"id": "UANS", "name": "ana", "real_name": "Ana Souza"},
        {"id": "UOTH", "name": "max", "real_name": "Max Other"},
        {"id": "UBOT", "name": "bot", "is_bot": True},
    ]
)
CHANNEL = Channel("C1", "billing-help")
ROOT = "1793700100.000100"


def message(user: str, ts: str, text: str, thread: str | None = ROOT, **extra: object):
    return {"type": "message", "user": user, "ts": ts, "text": text, "thread_ts": thread, **extra}


def thread_of(*days: list[dict]) -> object:
    (thread,) = [t for t in threads_from(CHANNEL, days, USERS) if t.replies]
    return thread


def test_threads_join_across_days_drop_bots_joins_and_deleted_and_apply_edits():
    day1 = [
        {"type": "message", "subtype": "channel_join", "user": "UOTH", "ts": "1793700099.000100"},
        message("UASK", "1793700100.000100", "How do I refund a duplicate charge?"),
        message("UOTH", "1793700101.000100", "first draft"),
        {"type": "message", "subtype": "bot_message", "bot_id": "B1", "ts": "1793700102.000100"},
        message("UBOT", "1793700102.500000", "I am a bot user"),
        message("UOTH", "1793700103.000100", "wrong answer"),
        {"type": "message", "subtype": "message_deleted", "deleted_ts": "1793700103.000100"},
    ]
    day2 = [
        {
            "type": "message",
            "subtype": "message_changed",
            "message": message("UOTH", "1793700101.000100", "edited text wins"),
        },
        message("UANS", "1793700200.000100", "Refund it in Backstage, reason duplicate."),
    ]
    thread = thread_of(day1, day2)
    assert [m.text for m in thread.messages] == [
        "How do I refund a duplicate charge?",
        "edited text wins",
        "Refund it in Backstage, reason duplicate.",
    ]


def test_check_marked_reply_wins_over_later_replies():
    thread = thread_of(
        [
            message("UASK", "1793700100.000100", "Question here?"),
            message(
                "UANS",
                "1793700101.000100",
                "The accepted answer with enough words",
                reactions=[{"name": "white_check_mark", "users": ["UASK"], "count": 1}],
            ),
            message(
                "UOTH", "1793700102.000100", "A later long reply that was not accepted by anyone"
            ),
        ]
    )
    answer = accepted_answer(thread)
    assert answer is not None and answer.user == "UANS"


def test_without_check_mark_the_last_substantial_reply_of_someone_else_wins():
    thread = thread_of(
        [
            message("UASK", "1793700100.000100", "Question here?"),
            message(
                "UANS",
                "1793700101.000100",
                "You need to open a BILL ticket with the invoice number",
            ),
            message("UOTH", "1793700102.000100", "+1"),
            message(
                "UASK", "1793700103.000100", "I asked this and I also wrote a long follow-up line"
            ),
        ]
    )
    answer = accepted_answer(thread)
    assert answer is not None and answer.user == "UANS"


def test_draft_keeps_the_askers_words_and_links_the_source():
    root = "1793749200.000100"
    thread = thread_of(
        [
            message(
                "UASK",
                root,
                "Hi team! Customer on the *Business plan* was charged twice: can we refund?",
                root,
            ),
            message(
                "UANS",
                "1793750000.000100",
                "Yes: <@UASK> refunds it in Backstage with reason `duplicate`.",
                root,
                reactions=[{"name": "heavy_check_mark", "users": ["UASK"]}],
            ),
            message(
                "UOTH",
                "1793750100.000100",
                "Also check the backup card on file, it may be charged too.",
                root,
            ),
            message("UASK", "1793750200.000100", "thanks!", root),
        ]
    )
    people = {
        "UASK": Participant("Jo Asker"),
        "UANS": Participant("Ana Souza", "ana"),
        "UOTH": Participant("Max Other"),
    }
    names = Names({uid: p.label for uid, p in people.items()})
    link = permalink("https://acme.slack.com", "C1", thread.ts)
    draft = draft_from_thread(thread, people, names, link=link)
    assert draft.title == "Customer on the Business plan was charged twice"
    assert draft.issue.startswith("> Hi team! Customer on the **Business plan** was charged twice")
    assert "Jo Asker refunds it in Backstage with reason `duplicate`" in draft.resolution
    assert "Ana Souza (@ana)" in draft.resolution
    assert "backup card" in draft.context and "thanks" not in draft.context
    assert draft.owner == "ana"
    assert "https://acme.slack.com/archives/C1/p1793749200000100" in draft.source
    assert "2026-11-03" in draft.source
    assert draft.participants == ("Jo Asker", "Ana Souza (@ana)", "Max Other")
    assert "Plan: Business plan" in draft.environment


def test_permalinks_round_trip():
    url = "https://acme.slack.com/archives/C0AB/p1699999999123456?thread_ts=1699999990.000100&cid=C0AB"
    link = parse_permalink(url)
    assert link is not None
    assert (link.channel_id, link.ts, link.thread_ts) == (
        "C0AB",
        "1699999999.123456",
        "1699999990.000100",
    )
    assert parse_permalink("https://example.com/not-slack") is None
    assert permalink("acme.slack.com", "C0AB", "1699999999.123456") == (
        "https://acme.slack.com/archives/C0AB/p1699999999123456"
    )


def test_title_suggestions():
    assert suggest_title(
        "hey folks, quick question: SSO login loops after the Okta cert change?"
    ) == ("SSO login loops after the Okta cert change")
    long = "word " * 40
    assert len(suggest_title(long)) <= 91 and suggest_title(long).endswith("…")
    assert suggest_title("") == "Captured question"


def test_environment_heuristics():
    facts = environment("Enterprise plan, Firefox 128 on Windows 11, app version 4.12.0, via Okta")
    assert "Plan: Enterprise plan" in facts
    assert "Browser: Firefox 128" in facts
    assert "OS: Windows 11" in facts
    assert "Version: 4.12.0" in facts
    assert "Integration: Okta" in facts
    assert environment("Plan: Team\nBrowser: Safari") == ("Plan: Team", "Browser: Safari")
    assert environment("nothing technical here") == ()


EMAIL = """\
Subject: Re: Fwd: Invoice shows 45 seats, we have 38
From: Jane Roe <jane@customer.example>
Date: Mon, 16 Nov 2026 09:12:00 +0000

Hi,

Our March invoice bills 45 seats but only 38 people are active. We removed 7 users
after the renewal.

Agent notes: seats were removed after the billing date; proration credit applies next cycle.

--
Jane Roe, Finance
On Mon, 16 Nov 2026 someone wrote:
> older mail
"""


def test_email_becomes_a_draft_with_subject_issue_and_notes():
    notes = parse_notes(EMAIL)
    assert notes.subject == "Invoice shows 45 seats, we have 38"
    assert notes.sender == "Jane Roe <jane@customer.example>"
    draft = draft_from_text(EMAIL, source="ticket SUP-4711", today=date(2026, 11, 22))
    assert draft.title == "Invoice shows 45 seats, we have 38"
    assert "> Our March invoice bills 45 seats" in draft.issue
    assert "proration credit applies next cycle" in draft.resolution
    assert "Jane Roe, Finance" not in draft.resolution and "older mail" not in draft.resolution
    assert draft.source.startswith("Source: ticket SUP-4711, captured 2026-11-22")


def test_plain_notes_use_the_first_paragraph_as_issue():
    draft = draft_from_text(
        "Customer cannot export timesheets to CSV.\n\nTried Chrome and Safari.",
        source="ticket",
        today=date(2026, 11, 22),
    )
    assert draft.title == "Customer cannot export timesheets to CSV"
    assert draft.issue == "> Customer cannot export timesheets to CSV."
    assert "Tried Chrome and Safari." in draft.resolution


def test_a_leading_mention_is_not_part_of_the_title():
    thread = thread_of(
        [
            message("UASK", ROOT, "<@UANS> <!here> the SCIM sync drops users with plus signs?"),
            message("UANS", "1793700101.000100", "Known bug, fixed in the next release of the app"),
        ]
    )
    draft = draft_from_thread(thread, {}, Names(), link=None)
    assert draft.title == "The SCIM sync drops users with plus signs"


def test_greetings_and_sign_offs_are_left_out():
    text = (
        "Subject: Export fails\n\nHi team,\n\nCSV export times out at 50k rows.\n\n"
        "Retried at night.\n\nThanks,\nSam"
    )
    draft = draft_from_text(text, source="ticket", today=date(2026, 11, 22))
    assert draft.issue == "**Export fails**\n\n> CSV export times out at 50k rows."
    assert "Retried at night." in draft.resolution
    assert "Thanks" not in draft.resolution and "Hi team" not in draft.issue


def test_a_long_thread_is_summarised_not_copied():
    replies = [
        message(
            "UOTH", f"{1793700200 + n}.000100", f"Reply number {n} with several useful words " * 30
        )
        for n in range(20)
    ]
    thread = thread_of([message("UASK", ROOT, "Why do webhooks retry forever?"), *replies])
    draft = draft_from_thread(thread, {}, Names(), link=None)
    assert draft.context.count("> **") == 12
    assert "and 7 more replies in the thread" in draft.context
    assert all(len(line) < 600 for line in draft.context.splitlines())


def test_the_askers_own_check_marked_solution_counts_when_nobody_elses_is_marked():
    thread = thread_of(
        [
            message("UASK", ROOT, "Why does the SCIM sync skip users?"),
            message(
                "UOTH", "1793700101.000100", "Maybe the group mapping is wrong somewhere there"
            ),
            message(
                "UASK",
                "1793700102.000100",
                "Solved: the users had a plus sign in their e-mail, fixed in 4.12.",
                reactions=[{"name": "white_check_mark", "users": ["UASK"]}],
            ),
        ]
    )
    answer = accepted_answer(thread)
    assert answer is not None and answer.text.startswith("Solved:")


def test_language_guess_for_non_latin_questions():
    assert guess_lang("לקוח לא מצליח להתחבר עם SSO") == "he"
    assert guess_lang("Клиент не может войти через SSO") == "ru"
    assert guess_lang("Клієнт не може увійти через SSO") == "uk"
    assert guess_lang("Customer cannot sign in with SSO") is None
    assert guess_lang("") is None
