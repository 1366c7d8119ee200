"""Commit exactly the files a kb command touched, and nothing else the user has staged.

``git commit -- PATHS`` commits those paths only (git's ``--only``), so a user's
half-staged work elsewhere in the repo never rides along with ``kb flag``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kbcli.errors import KbError


def require_repo(root: Path) -> None:
    """Fail before writing anything when ``root`` is not inside a git work tree."""
    from kbcli.adapters.git_repo import repo_root

    if repo_root(root) is None:
        raise KbError(
            f"{root} is not in a git repository, so kb cannot commit the change: "
            "run 'git init' there, or pass --no-commit"
        )


def commit_paths(root: Path, paths: Sequence[Path], message: str) -> str:
    """``git add`` and commit ``paths`` only; return the short commit id."""
    import git

    names = [str(p.resolve()) for p in paths]
    runner = git.cmd.Git(str(root))
    try:
        runner.add("--", *names)
        runner.commit("--quiet", "-m", message, "--", *names)
        return str(runner.rev_parse("--short", "HEAD")).strip()
    except git.GitCommandError as error:
        detail = (error.stderr or error.stdout or "").strip().splitlines()
        reason = detail[-1].strip() if detail else str(error)
        reason = reason.removeprefix("stderr: ").strip("' ")
        raise KbError(
            f"the change is written but git commit failed ({reason}); commit it yourself"
        ) from None
