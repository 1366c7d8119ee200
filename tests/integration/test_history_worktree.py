"""The history pass reads clean last versions from the work tree: same history as git's objects.

A whole pass takes each card's last version from the file on disk when the file still
hashes to that blob (``adapters/worktree_blobs.py``), and from ``git cat-file`` otherwise.
On a history with renames, a byte order mark, CRLF bytes, a checkout that converts line
endings, a card deleted and re-added, a reverted card, two cards with the same bytes, a
symlink, an uncommitted edit and a file missing from the work tree, the history is the
one a pass that reads every version from git gives, change for change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kbcli.adapters.git_history import _empty_state, load_history, locate
from kbcli.adapters.history_pass import HistoryPass
from kbcli.adapters.history_view import to_history
from kbcli.adapters.worktree_blobs import index_blobs, read_blob
from tests.helpers import KbRepo, git, make_repo
from tests.integration.test_git_history import _everything, build_history, card


def _plain(root: Path):
    """The history read from git's objects only (no version from the work tree)."""
    place = locate(root)
    assert place is not None and place.head is not None
    state = _empty_state(place)
    HistoryPass(root, place.prefix, state).run(place.head)
    state["tip"] = place.head
    return to_history(state)


def _tricky(repo: KbRepo) -> None:
    build_history(repo)
    repo.write("bom.md", "\ufeff" + card("Bom", "starts with a byte order mark"))
    repo.write("crlf.md", card("Crlf", "windows line ends").replace("\n", "\r\n"))
    repo.write("twin-a.md", card("Twin", "same bytes"))
    repo.write("twin-b.md", card("Twin", "same bytes"))
    repo.write("revert.md", card("Revert", "version one"))
    repo.write("converted.md", card("Converted", "checked out with CRLF"))
    repo.write("edited.md", card("Edited", "committed text"))
    repo.write("gone.md", card("Gone", "deleted from the work tree, not from git"))
    repo.commit("odd cards", when="2026-02-01T10:00:00Z")
    repo.write("bom.md", "\ufeff" + card("Bom", "body edited", verified="2026-02-02"))
    repo.write("crlf.md", card("Crlf", "windows", verified="2026-02-02").replace("\n", "\r\n"))
    repo.write("revert.md", card("Revert", "version two"))
    repo.write("converted.md", card("Converted", "checked out with CRLF", verified="2026-02-02"))
    repo.write("edited.md", card("Edited", "committed text", verified="2026-02-02"))
    os.symlink("twin-a.md", repo.path / "link.md")
    repo.commit("edit and stamp", when="2026-02-02T10:00:00Z")
    repo.write("revert.md", card("Revert", "version one"))
    git(repo.path, "rm", "-q", "twin-b.md")
    repo.commit("revert, drop a twin", when="2026-02-03T10:00:00Z")
    repo.write("twin-b.md", card("Twin", "same bytes"))
    repo.commit("re-add the twin", when="2026-02-04T10:00:00Z")
    # The work tree now differs from HEAD in three ways git's objects do not show.
    git(repo.path, "config", "core.autocrlf", "true")
    (repo.path / "converted.md").unlink()
    git(repo.path, "checkout", "--", "converted.md")
    repo.write("edited.md", card("Edited", "changed on disk, not committed"))
    (repo.path / "gone.md").unlink()


@pytest.mark.parametrize("sub", ["", "kb"])
def test_a_pass_reading_the_work_tree_equals_one_reading_git_only(tmp_path: Path, sub: str):
    top = tmp_path / "repo"
    git(make_repo(top).path, "config", "commit.gpgsign", "false")
    repo = make_repo(top / sub, git_init=False) if sub else KbRepo(top)
    if sub:
        (top / "outside.md").write_text(card("Outside", "not a card of this kb"))
    _tricky(repo)

    optimised = load_history(repo.path, tmp_path / "cache")
    assert optimised is not None
    assert _everything(optimised) == _everything(_plain(repo.path))
    assert "outside.md" not in optimised.cards
    # what the user reads: the committed history (two stamps), not the work tree's state
    for name in ("edited.md", "converted.md"):
        assert optimised.cards[name].changes[-1].is_stamp_only
    bom = optimised.cards["bom.md"].changes[-1]
    assert bom.body_changed and bom.keys == ("verified_at",)
    crlf = optimised.cards["crlf.md"].changes[-1]
    assert crlf.body_changed and crlf.keys == ("verified_at",)
    assert not optimised.cards["revert.md"].changes[-1].created
    assert [c.created for c in optimised.cards["twin-b.md"].changes] == [True]
    assert len(optimised.deleted) == len(_plain(repo.path).deleted) >= 2


def test_only_files_that_are_still_their_blob_are_read_from_disk(tmp_path: Path):
    repo = make_repo(tmp_path / "kb")
    _tricky(repo)
    tips = index_blobs(repo.path)
    top = os.fsencode(repo.path)
    by_path = {path.decode(): blob for blob, path in tips.items()}
    read = {path for path, blob in by_path.items() if read_blob(top, path.encode(), blob)}
    assert {"bom.md", "crlf.md", "revert.md", "b/uno.md"} <= read
    # converted on checkout, edited since the commit, missing: git's objects are read
    assert not {"converted.md", "edited.md", "gone.md"} & read
    assert "link.md" not in by_path  # a symlink's blob is its target, not a card's bytes
