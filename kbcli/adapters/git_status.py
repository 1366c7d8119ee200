"""What git already knows about changed files: a cheap freshness check for big repos.

``git status`` compares the working tree with git's index using git's own stat cache
(in C, in parallel), so asking it which files changed is several times faster than
stat-ing every card from Python. kb falls back to its own scan whenever git is not
available or the knowledge repo is not a git work tree with a commit.

``git status`` is also the slowest step of a search in a big repo (one ``lstat`` per
tracked file), so ``start`` launches it without waiting: ``kb search`` starts it
before importing anything heavy and reads the answer only when it needs it, letting
git and Python work at the same time. Two things keep it cheap:

- it looks only at the card folders (the ones the last search used, remembered in
  the index folder; the caller checks them against kb.toml and asks again if they
  differ);
- read-only, it never writes git's stat cache (``--no-optional-locks``), so a stale
  cache (a copied repo, a fresh clone whose files are "racily clean") would make
  git re-read every file on every search: measured 5x slower. So once per change of
  git's index file, ``git update-index -q --refresh`` brings the cache up to date.
"""

from __future__ import annotations

import contextlib
import os

from kbcli.adapters import git_command

TYPE_CHECKING = False  # not typing's: this module loads before git status starts
if TYPE_CHECKING:
    from pathlib import Path

_STATUS = ("status", "--porcelain=v2", "--branch", "--no-ahead-behind", "-z", "-uall")
_STATUS_ARGS = (*_STATUS, "--no-renames", "--")
FOLDERS_FILE = "git-folders"  # in the index folder: the card folders, NUL-separated
STAT_FILE = "git-index-stat"  # there too: git's index file as of the last refresh


class GitView:
    """HEAD's commit id, and the paths under the kb root (relative to it) that differ from it.

    A plain class, not a dataclass: this module loads before anything else in a search.
    """

    __slots__ = ("dirty", "head", "shallow")

    def __init__(self, head: str, dirty: frozenset[str], shallow: bool | None = None) -> None:
        self.head = head
        self.dirty = dirty
        # A shallow clone (its history is cut off); None when kb could not tell.
        self.shallow = shallow


def _git(root: Path, *args: str) -> str | None:
    from kbcli.adapters import git_runner

    try:
        result = git_runner.run(root, *args, read_only=True, check=False, timeout=60)
    except git_runner.GitError:
        return None
    if result.returncode != 0:
        return None
    return git_runner.path(result.stdout)


def _work_tree(root: str) -> tuple[str, str] | None:
    """(``root`` relative to its git work tree, "" at the top; the work tree's ``.git``),
    found without running git."""
    here = folder = os.path.realpath(root)
    while not os.path.exists(os.path.join(folder, ".git")):
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    dot_git = os.path.join(folder, ".git")
    if folder == here:
        return "", dot_git
    return os.path.relpath(here, folder).replace(os.sep, "/") + "/", dot_git


def _git_dir(dot_git: str) -> str | None:
    """The git folder of a work tree's ``.git`` (a folder, or a file naming the git
    folder of a linked worktree); None when the environment points git elsewhere."""
    if "GIT_DIR" in os.environ or "GIT_INDEX_FILE" in os.environ:
        return None
    if os.path.isdir(dot_git):
        return dot_git
    try:
        with open(dot_git, encoding="utf-8") as handle:
            line = handle.readline().strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not line.startswith("gitdir:"):
        return None
    return os.path.join(os.path.dirname(dot_git), line[len("gitdir:") :].strip())


def _is_shallow(git_dir: str | None) -> bool | None:
    """Whether the repository is a shallow clone (git keeps the cut in ``shallow``; a
    linked worktree shares it with the main git folder, named in ``commondir``)."""
    if git_dir is None:
        return None
    common = _read_text(os.path.join(git_dir, "commondir"))
    if common is not None:
        git_dir = os.path.join(git_dir, common.strip())
    return os.path.exists(os.path.join(git_dir, "shallow"))


def _identity(path: str) -> str | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{st.st_dev} {st.st_ino} {st.st_size} {st.st_mtime_ns}"


def _read_text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def _write_text(path: str, text: str) -> None:
    """Replace ``path`` atomically; a folder that does not exist (yet) means no record."""
    from pathlib import Path

    from kbcli.adapters.atomic_file import replace_cache

    replace_cache(Path(path), text.encode("utf-8"))


def remembered_folders(state_dir: str) -> tuple[str, ...] | None:
    """The card folders the last search gave ``git status`` (None: not known)."""
    text = _read_text(os.path.join(state_dir, FOLDERS_FILE))
    return tuple(text.split("\0")) if text else None


def remember_folders(state_dir: str, folders: tuple[str, ...]) -> None:
    """Keep the card folders for the next search's early ``git status``."""
    if folders and remembered_folders(state_dir) != folders:
        _write_text(os.path.join(state_dir, FOLDERS_FILE), "\0".join(folders))


def _refresh_if_stale(root: str, dot_git: str, state_dir: str | None) -> None:
    """Once per change of git's index file, bring its stat cache up to date.

    The index file's identity after the last refresh is kept in ``state_dir``: when
    it differs (a commit, a checkout, a copy or a clone of the repo), one
    ``git update-index -q --refresh`` runs. It takes git's index lock, so it is
    tried once per change, whatever its outcome (busy lock, read-only repo).
    """
    git_dir = _git_dir(dot_git) if state_dir is not None else None
    if git_dir is None or state_dir is None or not os.path.isdir(state_dir):
        return
    index = os.path.join(git_dir, "index")
    record = os.path.join(state_dir, STAT_FILE)
    if _identity(index) == _read_text(record):
        return
    from kbcli.adapters import git_runner  # and subprocess: only when stale

    with contextlib.suppress(OSError, git_runner.GitError):
        git_runner.run(root, "update-index", "-q", "--refresh", check=False, timeout=60)
    now = _identity(index)
    if now is not None:
        _write_text(record, now)


class _Spawned:
    """A git process whose standard output is read through a pipe.

    By hand rather than with ``subprocess``: importing ``subprocess`` (with its
    ``signal``, ``threading``, ``selectors`` and ``locale``) was ~9 ms of the ~165 ms a
    one-shot search spends (``-X importtime``, example-kb, idle machine), and this is
    the one process a warm search starts. ``git -C`` stands for the working folder,
    which ``posix_spawn`` cannot set.
    """

    def __init__(self, root: str, args: list[str]) -> None:
        read_end, write_end = os.pipe()  # both close-on-exec: the child keeps only 0-2
        null = os.open(os.devnull, os.O_RDWR)
        command = git_command.argv(*args, read_only=True)
        try:
            self.pid = os.posix_spawnp(
                "git",
                [command[0], "-C", root, *command[1:]],
                git_command.environment(),
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, null, 0),
                    (os.POSIX_SPAWN_DUP2, write_end, 1),
                    (os.POSIX_SPAWN_DUP2, null, 2),
                ],
            )
        except BaseException:
            os.close(read_end)
            raise
        finally:
            os.close(write_end)
            os.close(null)
        self.out = read_end

    def communicate(self, timeout: float) -> tuple[bytes, int] | None:
        """Everything git wrote and its exit code; None (git killed) past ``timeout``."""
        import select
        import time

        chunks = []
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.out], [], [], left)[0]:
                    self.kill()
                    return None
                chunk = os.read(self.out, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
        finally:
            os.close(self.out)
        _, status = os.waitpid(self.pid, 0)
        return b"".join(chunks), os.waitstatus_to_exitcode(status)

    def kill(self) -> None:
        """Stop git and collect it (git status writes nothing: safe to kill)."""
        import signal

        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


class PendingView:
    """A ``git status`` of one knowledge repo that is running; ``result`` waits for it.

    ``folders``: the card folders to look at (None: the whole knowledge repo);
    ``state_dir``: the index folder, where the stat cache's last refresh is recorded.
    """

    def __init__(
        self,
        root: str | Path,
        folders: tuple[str, ...] | None = None,
        state_dir: str | None = None,
    ) -> None:
        self.root = os.fspath(root)
        self.folders = folders
        found = _work_tree(self.root)
        self._prefix = None if found is None else found[0]
        self._process: _Spawned | None = None
        self._view: GitView | None = None
        self._shallow: bool | None = None
        self._done = found is None
        if found is None:
            return
        _refresh_if_stale(self.root, found[1], state_dir)
        self._shallow = _is_shallow(_git_dir(found[1]))
        paths = [f":(literal){f}" for f in folders] if folders else ["."]
        try:
            self._process = _Spawned(self.root, [*_STATUS_ARGS, *paths])
        except OSError:
            self._done = True

    def result(self) -> GitView | None:
        """HEAD and the changed files (None if git is unavailable or there is no commit)."""
        if not self._done:
            self._done = True
            self._view = self._read()
        return self._view

    def cancel(self) -> None:
        """Stop git if nobody will read its answer (git status writes nothing: safe to kill)."""
        if not self._done and self._process is not None:
            self._done = True
            self._process.kill()
            with contextlib.suppress(OSError):
                os.close(self._process.out)

    def _read(self) -> GitView | None:
        process = self._process
        assert process is not None and self._prefix is not None
        answer = process.communicate(timeout=60)
        if answer is None or answer[1] != 0:
            return None
        # Paths as git gives them: undecodable bytes kept (as ``git_runner.path`` does).
        return _parse_status(
            answer[0].decode("utf-8", "surrogateescape"), self._prefix, self._shallow
        )


def start(
    root: str | Path, folders: tuple[str, ...] | None = None, state_dir: str | None = None
) -> PendingView:
    """Launch ``git status`` for ``root`` (its card ``folders``, else all of it) now; read
    it later with ``.result()``."""
    return PendingView(root, folders, state_dir)


def view(root: Path) -> GitView | None:
    """HEAD and the changed, added, deleted and untracked files under ``root``; None if no git.

    One ``git status --porcelain=v2 --branch`` call gives both HEAD and the changes.
    """
    return start(root).result()


def _parse_status(out: str, prefix: str, shallow: bool | None = None) -> GitView | None:
    head = ""
    dirty = set()
    for entry in out.split("\0"):
        if entry.startswith("# branch.oid "):
            head = entry[len("# branch.oid ") :].strip()
            continue
        if entry.startswith(("1 ", "u ")):
            path = entry.split(" ", 8 if entry[0] == "1" else 10)[-1]
        elif entry.startswith("? "):
            path = entry[2:]
        else:
            continue
        if path.startswith(prefix):
            dirty.add(path[len(prefix) :])
    if len(head) < 40:  # "(initial)": no commit yet
        return None
    return GitView(head, frozenset(dirty), shallow)


def changed_between(root: Path, old: str, new: str) -> set[str] | None:
    """Paths under ``root`` (relative to it) that differ between two commits; None if unknown."""
    out = _git(root, "diff", "--name-only", "-z", "--no-renames", "--relative", old, new, "--", ".")
    if out is None:
        return None
    return {p for p in out.split("\0") if p}
