"""kb report --format markdown: a digest per owner, to paste into an issue or a chat."""

from __future__ import annotations

from kbcli.cli.views.health import due_under_review, percent
from kbcli.core.people import Roster
from kbcli.core.report import OwnerDigest, Report

# GitHub refuses an issue body over 65,536 characters, and the nightly workflow posts each
# owner's digest as one: an owner's list stops short of that and says how many cards it left
# out (the tldr-pages owner of 4,727 cards had a 369,514-character digest).
OWNER_DIGEST_CHARS = 60_000


def report_markdown(report: Report, roster: Roster, *, title: str = "Knowledge base") -> str:
    """A digest per owner, ready to paste into an issue or a chat message."""
    lines = [
        f"# {title}: cards to verify ({report.today.isoformat()})",
        "",
        f"Trust score **{percent(report.score)}**: {report.fresh} of {report.published} "
        "published cards have a current verification (verified or due).",
        "",
        _states(report),
        "",
        *(
            f"Adopted baseline on {day.isoformat()}: {count} card(s) verified by the adoption, "
            "not read one by one.\n"
            for day, count in report.baselines
        ),
    ]
    owners = [d for d in report.owners if d.todo]
    if not owners:
        lines.append("Nothing to do: every card is verified and no finding is open.")
    for digest in owners:
        name = digest.name if digest.owner else "Cards without an owner"
        label = f"{name} (@{digest.owner})" if digest.owner and name != digest.owner else name
        if digest.owner and not digest.todo:
            continue
        note = " (left: needs a new owner)" if digest.left else ""
        lines.append(f"## {label}{note}: {len(digest.todo)} card(s)")
        lines.append("")
        lines += _todo_lines(digest)
        lines.append("")
        if digest.owner:
            lines.append(
                "Review each card, then run `kb verify --mine` (or `kb verify PATH` per card)."
            )
            lines.append("")
    if report.trend:
        lines += ["## Trust score by week", ""]
        lines += [f"- {day.isoformat()}: {percent(value)}" for day, value in report.trend]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _states(report: Report) -> str:
    states = report.states
    return (
        f"Verified {states['verified']} · due {states['due']} · expired {states['expired']} · "
        f"needs review {states['needs-review']}{due_under_review(report)} · never verified "
        f"{states['unverified']}; {states['no-owner']} with no owner."
    )


def _todo_lines(digest: OwnerDigest) -> list[str]:
    """The owner's to-do as a checklist, most urgent first, within OWNER_DIGEST_CHARS."""
    lines: list[str] = []
    size = 0
    for listed, todo in enumerate(digest.todo):
        card = todo.item.card
        why = "; ".join(todo.in_words)  # a digest is read by people: the verdict's words
        line = f"- [ ] **{card.meta.shown_title}** (`{card.path}`): {why}"
        size += len(line) + 1
        if size > OWNER_DIGEST_CHARS:
            who = f" --owner {digest.owner}" if digest.owner else ""
            rest = len(digest.todo) - listed
            lines.append(f"- …and {rest} more card(s): `kb report{who} --json` lists them all")
            break
        lines.append(line)
    return lines
