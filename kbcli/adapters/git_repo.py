"""Small git facts kb needs outside the history pass: is this a repo, who am I, init.

GitPython is imported lazily: ``kb --help`` should not pay for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from kbcli.errors import KbError


@dataclass(frozen=True)
class Identity:
    name: str | None
    email: str | None


def gitpython() -> ModuleType:
    """GitPython, or exit 2 saying git is missing: GitPython refuses to import without a
    git executable, and that ImportError used to surface as a kb bug (exit 3)."""
    try:
        import git
    except ImportError:
        raise git_missing() from None
    return git


def git_missing() -> KbError:
    """The one error for a machine without git (exit 2)."""
    return KbError("git is not installed (or not on PATH): install git to use this command")


def repo_root(path: Path) -> Path | None:
    """The work tree root of the git repository containing ``path``, if any."""
    git = gitpython()

    try:
        repo = git.Repo(path, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    return Path(repo.working_tree_dir) if repo.working_tree_dir else None


def init_repo(path: Path) -> None:
    """``git init`` with ``main`` as the first branch."""
    git = gitpython()

    try:
        git.Repo.init(path, initial_branch="main")
    except git.GitCommandError as error:
        raise KbError(f"git init failed in {path}: {error.stderr.strip()}") from None


def identity(path: Path) -> Identity:
    """``user.name`` and ``user.email`` as git would use them in ``path`` (env wins)."""
    import os

    def value(key: str, env: str) -> str | None:
        if os.environ.get(env):
            return os.environ[env]
        try:
            git = gitpython()
        except KbError:
            return None  # no git, no configured identity: kb new asks for --owner instead
        try:
            return str(git.cmd.Git(str(path)).config("--get", key)).strip() or None
        except git.GitCommandError:
            return None

    return Identity(value("user.name", "GIT_AUTHOR_NAME"), value("user.email", "GIT_AUTHOR_EMAIL"))
