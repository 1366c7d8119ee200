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
