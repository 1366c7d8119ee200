"""Repository plumbing through GitPython: discovery, ``git init``, who am I.

GitPython is imported lazily: ``kb --help`` and ``kb search`` never pay for it. Its
command errors are translated by ``git_runner.failure``, like every other git failure.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from kbcli.adapters.git_runner import failure, git_missing
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
        raise failure(["init"], str(error.stderr), path) from None


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
