"""The first step of every search: what the index holds now, then ``git status``, in that order.

In a big repo ``git status`` (one ``lstat`` per tracked file) is the slowest part of
a search, so ``kb search`` starts it before importing the search machinery and
reads its answer only once the query has run: git and Python work at the same time.

The order is what keeps this correct. The index's manifest files are opened before
git starts, so git's view of the work tree is never older than the index state it
is compared with: a card that another kb process indexes in between is still
checked again, never taken as unchanged on the word of an older ``git status``.
"""

from __future__ import annotations

import os

from kbcli.adapters import git_status
from kbcli.adapters.index_manifest import ManifestFiles
from kbcli.repo_root import CACHE_DIR

TYPE_CHECKING = False  # not typing's: this module loads before git status starts
if TYPE_CHECKING:
    from pathlib import Path

INDEX_DIR = "index"


class FreshnessStart:
    """The manifest files of a knowledge repo's index, opened, and a ``git status`` running."""

    def __init__(self, root: str | Path) -> None:
        self.root = os.fspath(root)
        state_dir = os.path.join(self.root, CACHE_DIR, INDEX_DIR)
        self.manifest_files = ManifestFiles(state_dir)
        # The card folders the last search used: kb.toml is not read yet (``sync``
        # checks them against it and asks git again if they differ).
        folders = git_status.remembered_folders(state_dir)
        self.git = git_status.start(self.root, folders, state_dir)

    def close(self) -> None:
        """Release what was not used (a search that failed before reading them)."""
        self.git.cancel()
        for handle in (self.manifest_files.state, self.manifest_files.rest):
            if handle is not None:
                handle.close()
