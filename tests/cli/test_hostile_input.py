"""Hostile or careless input never takes kb down: each reproducer from the robustness
issue, through the real entry point on a real git repository."""

from __future__ import annotations

import json

from tests.helpers import KbRepo, run_kb

TODAY = "2026-06-01"
PEOPLE = "ana: {name: Ana Souza, emails: [ana@example.test]}\n"


def test_a_card_saved_with_a_byte_order_mark_has_a_history(kb_repo: KbRepo) -> None:
    (kb_repo.path / "people.yaml").write_text(PEOPLE)
    lines = ["\ufeff---", "title: Refunds", "owner: ana", "verified_at: 2026-05-01", "---", "x"]
    text = "\r\n".join(lines) + "\r\n"
    kb_repo.write("refunds.md", text)
    kb_repo.commit("add refunds", when="2026-05-01T10:00:00Z")
    result = run_kb("--today", TODAY, "history", "refunds", "--json", cwd=kb_repo.path)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["last_verification"] is not None


def test_a_tab_before_a_comment_does_not_publish_a_draft(kb_repo: KbRepo) -> None:
    kb_repo.write("wip.md", "---\ntitle: WIP\nstatus: draft\t# not ready\nowner: ana\n---\nx\n")
    kb_repo.commit("add wip")
    result = run_kb("--today", TODAY, "list", "--json", cwd=kb_repo.path)
    assert result.exit_code in (0, 1), result.output
    assert '"draft"' in result.stdout and "unknown-status" not in result.stdout
