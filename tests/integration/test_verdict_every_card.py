"""The day's first search judges every card of a small repo at once: the next
questions find their hits judged, with the verdicts a search judging them alone shows,
and a card changed since is judged again."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import KbRepo, make_repo, run_kb

PEOPLE = """
ana: {name: Ana Souza, emails: [ana@example.test]}
eve: {name: Eve Moss, emails: [eve@example.test]}
"""
FLAG = "flags:\n  - by: eve\n    at: 2026-11-10\n    reason: the window is now 60 days\n"


def card(title: str, body: str, verified: str = "2026-11-01", extra: str = "") -> str:
    return f"---\ntitle: {title}\nowner: ana\nverified_at: {verified}\n{extra}---\n\n{body}\n"


def verdict(repo: KbRepo, words: str) -> tuple[str, list[str]]:
    result = run_kb("--today", "2026-11-22", "search", words, "--json", cwd=repo.path)
    assert result.exit_code == 0, result.output
    hit = json.loads(result.stdout)[0]
    return hit["trust"], [reason["rule"] for reason in hit["reasons"]]


def test_the_first_search_judges_every_card_and_a_changed_card_again(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    repo.write("refund.md", card("Refund window", "Refunds: 30 days."))
    repo.write("laptop.md", card("Laptop", "Ask IT for a laptop."))
    repo.commit("verify", when="2026-11-01T09:00:00Z")
    repo.write("vpn.md", card("VPN", "Connect to the VPN.", verified="2026-11-02"))
    repo.commit("verify", when="2026-11-02T09:00:00Z", author="Eve Moss", email="eve@example.test")
    assert verdict(repo, "refund") == ("verified", [])
    kept = repo.path / ".kb" / "verdicts.marshal"
    written = kept.read_bytes(), kept.stat().st_mtime_ns
    # Other questions: their hits were judged by the first search, nothing is written.
    assert verdict(repo, "vpn") == ("needs-review", ["verified-by-non-verifier"])
    assert verdict(repo, "laptop") == ("verified", [])
    assert (kept.read_bytes(), kept.stat().st_mtime_ns) == written
    # The same verdicts as a search that judges its hit alone.
    kept.unlink()
    assert verdict(repo, "vpn") == ("needs-review", ["verified-by-non-verifier"])
    kept.unlink()
    assert verdict(repo, "laptop") == ("verified", [])
    # A card edited after the first search (not committed): judged again, not served.
    kept.unlink()
    assert verdict(repo, "refund") == ("verified", [])
    repo.write("laptop.md", card("Laptop", "Ask IT for a laptop.", extra=FLAG))
    assert verdict(repo, "laptop") == ("needs-review", ["flagged"])
