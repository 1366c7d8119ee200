"""What people type and what cards say reads as written in Slack: no stray formatting."""

from __future__ import annotations

import json

from tests.slack.conftest import SlackRig


def _marked(text: str) -> list[str]:
    """The characters of ``text`` Slack could read as a formatting marker at a word's edge."""
    import re

    return re.findall(r"(?<![^\W_])[*_~`]|[*_~`](?![^\W_])", text)


def test_a_query_with_a_star_keeps_the_answers_header_bold_and_shows_the_query(
    rig: SlackRig,
) -> None:
    envelope, url = rig.slack.slash("refund * duplicate _charge_")
    rig.slack.wait_ack(envelope)
    answer = rig.slack.wait_response(url)
    header = answer["blocks"][0]["elements"][0]["text"]
    assert header.startswith("kb search: *") and header.endswith("*")
    assert _marked(header[len("kb search: *") : -1]) == []  # only the bold pair formats
    assert "refund" in header and "duplicate" in header and "charge" in header
    assert "billing/refund-request-processing.md" in json.dumps(answer)  # still answered


def test_a_title_written_with_markers_reads_as_its_words(rig: SlackRig) -> None:
    rig.repo.write(
        "billing/star-plans.md",
        "---\ntitle: '*Star* plans: the ~old~ `legacy` _tier_'\nowner: ana\n"
        "verified_at: 2026-12-01\n---\n\nStar plans moved to the legacy tier.\n",
    )
    rig.repo.commit("card", when="2026-12-02T09:00:00Z")
    envelope, url = rig.slack.slash("star plans legacy tier")
    rig.slack.wait_ack(envelope)
    top = next(b for b in rig.slack.wait_response(url)["blocks"] if b["type"] == "section")
    text = top["text"]["text"]
    label = text[text.index("|") + 1 : text.index(">*")]
    assert _marked(label) == []
    assert "Star" in label and "legacy" in label and "tier" in label
