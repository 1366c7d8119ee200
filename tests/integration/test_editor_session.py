"""The editor's view of the repo (kb lsp) follows cards created outside the editor."""

from __future__ import annotations

from datetime import date

from kbcli.config import load_config
from kbcli.usecases.editor import EditorSession
from kbcli.workspace import Workspace
from tests.helpers import KbRepo


def test_reload_reads_a_card_created_since_the_session_started(kb_repo: KbRepo):
    kb_repo.write("refunds.md", "---\ntitle: Refunds\n---\nSee [[Plans]].\n")
    config = load_config(kb_repo.path, {})
    workspace = Workspace(config=config, today=date(2026, 11, 22), cwd=kb_repo.path)
    session = EditorSession(workspace)
    assert sorted(session.cards) == ["refunds.md"]
    kb_repo.write("plans.md", "---\ntitle: Plans\n---\nText.\n")
    session.reload()  # what kb lsp does when the editor reports a new file
    assert sorted(session.cards) == ["plans.md", "refunds.md"]
    assert [card.path for card in session.resolver.find("Plans")] == ["plans.md"]


def test_a_typed_alias_another_card_claims_is_reported_and_follows_saves(kb_repo: KbRepo):
    kb_repo.write("refunds.md", "---\ntitle: Refunds\naliases: [money-back]\n---\nText.\n")
    kb_repo.write("plans.md", "---\ntitle: Plans\n---\nText.\n")
    config = load_config(kb_repo.path, {})
    workspace = Workspace(config=config, today=date(2026, 11, 22), cwd=kb_repo.path)
    session = EditorSession(workspace)

    def duplicates(text: str) -> list[str]:
        found = session.findings(session.parse("plans.md", text))
        return [f.message for f in found if f.rule == "duplicate-alias"]

    typed = "---\ntitle: Plans\naliases: [money-back]\n---\nText.\n"
    assert any("refunds.md" in m for m in duplicates(typed))
    # refunds.md is saved without the alias: the editor's copy of it follows the save.
    session.remember(session.parse("refunds.md", "---\ntitle: Refunds\n---\nText.\n"))
    assert duplicates(typed) == []
    assert duplicates("---\ntitle: Plans\naliases: [refunds]\n---\nText.\n")  # its path
