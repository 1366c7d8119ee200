"""Card sections, flags and the fallback duplicate ranking: the pure parts of the KCS workflow."""

from __future__ import annotations

from datetime import date

from kbcli.core import sections
from kbcli.core.cards import Card, CardMeta, Position, Status, parse_meta
from kbcli.core.flags import Flag, flag_findings, open_flags, remaining_after_verify, with_flag
from kbcli.core.similar import rank

BODY = """\
# Title

## Issue

<!-- hint -->

## Resolution

Step one.

```
## not a heading
```

## Cause
"""


def test_sections_ignore_fenced_headings_and_know_empty_from_filled():
    assert [s.name for s in sections.sections(BODY)] == ["Issue", "Resolution", "Cause"]
    assert sections.missing(BODY, ("Issue", "Resolution", "Cause", "Environment")) == [
        "Issue",
        "Cause",
        "Environment",
    ]


def test_fill_replaces_hints_and_adds_absent_sections_after_an_anchor():
    text = sections.fill(
        BODY, {"Issue": "> words", "Discussion": "quotes"}, {"Discussion": "Resolution"}
    )
    assert "<!-- hint -->" not in text and "## Issue\n\n> words\n\n## Resolution" in text
    assert text.index("## Discussion") < text.index("## Cause")


def test_append_only_inserts_lines():
    new = sections.append(BODY, "Resolution", "Also reported.")
    old_lines, new_lines = BODY.splitlines(), new.splitlines()
    assert [line for line in new_lines if line not in old_lines] == ["Also reported."]
    assert new.index("Also reported.") < new.index("## Cause")
    at_end = sections.append(BODY, "Cause", "Because.")
    assert at_end.endswith("## Cause\n\nBecause.\n")
    created = sections.append("# T\n", "Issue", "words")
    assert created == "# T\n\n## Issue\n\nwords\n"


def card(extra: dict | None = None, verified: str | None = None, **meta) -> Card:
    raw = {"title": meta.get("title", "T"), **(extra or {})}
    if verified:
        raw["verified_at"] = verified
    parsed, _ = parse_meta(
        raw, Position(lines={"flags": 7}), path="a.md", body=meta.get("body", "")
    )
    return Card(
        meta.get("path", "a.md"), parsed, meta.get("body", ""), (), Position(lines={"flags": 7})
    )


def test_flags_are_open_until_verified_after_them():
    flags = [
        {"by": "noa", "at": "2026-11-01", "reason": "menu renamed"},
        {"by": "ana", "at": "2026-11-20", "reason": "step 3 wrong"},
        {"by": "kofi", "at": "2026-11-02", "reason": "fixed", "resolved": True},
    ]
    flagged = card({"flags": flags}, verified="2026-11-10")
    assert [f.by for f in open_flags(flagged)] == ["ana"]
    (finding,) = flag_findings(flagged)
    assert finding.rule == "flagged" and finding.line == 7 and "step 3 wrong" in finding.message
    assert [f["by"] for f in remaining_after_verify(flagged.meta, date(2026, 11, 15))] == ["ana"]
    assert remaining_after_verify(flagged.meta, date(2026, 11, 22)) is None
    never_verified = card({"flags": flags[:1]})
    assert len(open_flags(never_verified)) == 1


def test_adding_a_flag_keeps_existing_entries_as_they_are():
    meta = card({"flags": [{"by": "noa", "at": "2026-11-01", "reason": "x", "extra": 1}]}).meta
    value = with_flag(meta, Flag("ana", date(2026, 11, 22), "y"))
    assert value == [
        {"by": "noa", "at": "2026-11-01", "reason": "x", "extra": 1},
        {"by": "ana", "at": "2026-11-22", "reason": "y"},
    ]


def test_rank_prefers_title_matches_and_never_proposes_archived_cards():
    cards = [
        Card("billing/refund.md", CardMeta("Refund a duplicate charge"), "Refund it in Backstage."),
        Card("billing/invoice.md", CardMeta("Download invoices"), "Invoices are in Billing."),
        Card(
            "old/refund.md", CardMeta("Refund duplicate charge (old)", status=Status.ARCHIVED), ""
        ),
        Card("accounts/sso.md", CardMeta("SAML SSO"), "Okta certificate rotation."),
    ]
    matches = rank("customer charged twice, wants a refund of the duplicate charge", cards)
    assert [m.path for m in matches] == ["billing/refund.md"]
    assert rank("", cards) == []
