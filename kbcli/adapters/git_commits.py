"""Commits made by kb: only the files it touched, with a message and trailers.

``git commit -- PATHS`` commits exactly those paths (their whole working-tree
content, so uncommitted edits to a verified card go in with the verification) and
leaves anything else the user has staged alone. The user's hooks run as usual.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kbcli.adapters import git_runner

NOT_COMMITTED = "the card files were changed but not committed"


def commit_files(
    root: Path, paths: Sequence[str], message: str, *, sign: bool = False, author: str | None = None
) -> str:
    """Commit ``paths`` (relative to ``root``) with ``message``; return the new commit's sha.

    ``sign`` adds git's own ``-S``: the user's ``gpg.format`` and ``user.signingkey``
    decide how (SSH or GPG), as for any signed commit they make.
    """
    refuse_nested(root, paths)
    _run(root, "add", "--", *paths)
    signing = ("-S",) if sign else ()
    # ``author`` ("Name <email>"): someone signed in elsewhere (Slack) made the change.
    authored = (f"--author={author}",) if author else ()
    _run(
        root,
        "commit",
        "--quiet",
        "--no-edit",
        *signing,
        *authored,
        "-F",
        "-",
        "--",
        *paths,
        stdin=message,
    )
    git_dir, sha = _run(root, "rev-parse", "--absolute-git-dir", "HEAD").splitlines()
    git_runner.sweep_partial_commit_indexes(Path(git_dir))
    return sha.strip()


def commit_to_new_branch(
    root: Path, branch: str, files: dict[str, bytes], message: str, *, numbered: bool = True
) -> tuple[str, str]:
    """Commit ``files`` (path relative to ``root`` -> content) on top of HEAD as a new branch.

    Plumbing with a private index (``GIT_INDEX_FILE``), so the user's checkout, index
    and current branch are untouched and nothing is checked out (a work tree of the
    whole repository cost seconds per Slack capture on tldr). Each file is hashed as
    ``git add`` would hash it (the filters its path's attributes name) and a file HEAD
    holds keeps its mode. A taken branch name gets a ``-2``, ``-3``... suffix when
    ``numbered``, else it is a ``BranchTaken``. Returns (branch, commit sha).
    """
    import tempfile

    prefix = _run(root, "rev-parse", "--show-prefix").strip()
    with tempfile.TemporaryDirectory(prefix="kb-index-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        _run(root, "read-tree", "HEAD", env=env)
        for rel, data in files.items():
            blob = _run(
                root, "hash-object", "-w", "--stdin", f"--path={rel}", stdin_bytes=data
            ).strip()
            held = _run(root, "ls-files", "--stage", "--", rel, env=env).split(" ", 1)
            cacheinfo = f"{held[0] or '100644'},{blob},{prefix}{rel}"
            _run(root, "update-index", "--add", "--cacheinfo", cacheinfo, env=env)
        tree = _run(root, "write-tree", env=env).strip()
        name, n = branch, 1
        while _exists(root, f"refs/heads/{name}"):
            if not numbered:
                raise BranchTaken(f"a branch named {name} exists already; nothing was committed")
            n += 1
            name = f"{branch}-{n}"
        # Ended by a newline as ``git commit`` ends a message, so both make the same commit.
        text = _hooked_message(root, message.rstrip() + "\n", Path(tmp), env)
    sha = _run(root, "commit-tree", tree, "-p", "HEAD", "-F", "-", stdin=text).strip()
    # The empty old value makes the update fail instead of moving a branch created meanwhile.
    _run(root, "update-ref", f"refs/heads/{name}", sha, "")
    return name, sha


def _hooked_message(root: Path, message: str, tmp: Path, env: dict[str, str]) -> str:
    """The message after the repository's ``prepare-commit-msg`` and ``commit-msg`` hooks,
    run as ``git commit -F`` runs them (``core.hooksPath`` honoured, from the work tree's
    top, the commit's index in ``GIT_INDEX_FILE``): a hook may add a trailer (Gerrit's
    ``Change-Id``) or refuse the message, and a team's rule holds for kb's commits too.
    ``pre-commit`` is not run: it checks the work tree, which is the app's checkout, not
    the branch's tree (and the pre-commit framework would write the branch's files into
    that checkout while it runs); the branch's review (CI on the merge request) checks
    the cards instead. Run directly, not by ``git hook run``, which git before 2.36 lacks."""
    import os
    import subprocess

    path = tmp / "COMMIT_EDITMSG"
    path.write_text(message, encoding="utf-8")
    hooks = root / _run(root, "rev-parse", "--git-path", "hooks").strip()
    top = _run(root, "rev-parse", "--show-toplevel").strip()
    for name, args in (
        ("prepare-commit-msg", (str(path), "message")),
        ("commit-msg", (str(path),)),
    ):
        hook = hooks / name
        if not (hook.is_file() and os.access(hook, os.X_OK)):
            continue  # as git: a hook that is not executable is not run
        try:
            done = subprocess.run(
                [str(hook), *args],
                cwd=top,
                env={**os.environ, **env},
                capture_output=True,
                timeout=git_runner.TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise HookRefused(f"the repository's {name} hook could not run ({error})") from None
        if done.returncode != 0:
            said = git_runner.path(done.stderr + done.stdout).strip().splitlines()
            raise HookRefused(
                f"the repository's {name} hook refused the commit"
                + (f": {said[-1].strip()}" if said else "")
                + "; nothing was committed"
            )
    return path.read_text(encoding="utf-8")


class HookRefused(git_runner.GitError):
    """A commit hook of the repository refused kb's commit (``commit_to_new_branch``)."""


def committed_file(root: Path, rel: str) -> bytes | None:
    """The file ``rel`` (relative to ``root``) as HEAD holds it, or None when HEAD does
    not hold it. A branch made from HEAD must start from this, never from the work
    tree, which may hold an edit nobody committed."""
    done = git_runner.run(root, "cat-file", "blob", f"HEAD:./{rel}", read_only=True, check=False)
    return done.stdout if done.returncode == 0 else None


class BranchTaken(git_runner.GitError):
    """The new branch's name is taken (``commit_to_new_branch`` without ``numbered``)."""


def refuse_nested(root: Path, paths: Sequence[str]) -> None:
    """A ``KbError`` when a path lies in another git repository inside ``root`` (a
    submodule, a nested clone): a commit here would not contain it, and kb would report a
    verification it never recorded. Found on disk as git finds a work tree: a ``.git``
    in a folder between the file and ``root``."""
    top = root.resolve()
    for folder in sorted({str(Path(p).parent) for p in paths}):
        here = (top / folder).resolve()
        while here != top and top in here.parents:
            if (here / ".git").exists():
                inner = here.relative_to(top).as_posix()
                raise git_runner.GitError(
                    f"{inner}/ is a git repository of its own (a submodule) inside this "
                    f"knowledge repo, and kb commits in one repository only: run kb from "
                    f"{inner}/ with its own kb.toml, or pass --no-commit to only edit the files"
                )
            here = here.parent


def _exists(root: Path, ref: str) -> bool:
    result = git_runner.run(root, "show-ref", "--verify", "--quiet", ref, check=False)
    return result.returncode == 0


def on_no_branch(root: Path) -> bool:
    """Whether HEAD is detached: a commit made now is on no branch, and git drops it from
    view (and later for good) once the user switches away."""
    result = git_runner.run(root, "symbolic-ref", "-q", "HEAD", check=False)
    return result.returncode != 0


def in_git_repo(root: Path) -> bool:
    """Whether ``root`` is in a git work tree. Without git installed, or in a repository
    of another user, a ``KbError`` saying so (every caller is about to commit, and "not a
    git repository" would mislead)."""
    result = git_runner.run(root, "rev-parse", "--is-inside-work-tree", check=False)
    return result.returncode == 0 and result.stdout.strip() == b"true"


def _run(
    root: Path,
    *args: str,
    stdin: str | None = None,
    stdin_bytes: bytes | None = None,
    env: dict[str, str] | None = None,
) -> str:
    done = git_runner.run(
        root,
        *args,
        input=stdin.encode() if stdin is not None else stdin_bytes,
        env=env,
        consequence=NOT_COMMITTED,
    )
    return git_runner.path(done.stdout)


def trailer_commits(root: Path, shas: Sequence[str], key: str) -> frozenset[str]:
    """Which of ``shas`` carry a ``key:`` trailer (any value), by git's trailer parser;
    none when git could not tell (fail closed: their cards are judged as stamps)."""
    found = _trailers(root, key, ("show", "-s"), shas)
    return frozenset(sha for sha, values in (found or {}).items() if values)


def commits_with_trailer(root: Path, key: str, value: str) -> frozenset[str] | None:
    """Shas of the commits with the trailer ``key: value`` (e.g. ``Kb-Adopt: baseline``);
    None when git could not tell.

    ``--grep`` narrows the walk to messages holding the text; git's own trailer parser
    then confirms it is a trailer, so a message that merely quotes it does not count.
    """
    found = _trailers(root, key, ("log", "-F", f"--grep={key}: {value}"), ())
    if found is None:
        return None
    return frozenset(sha for sha, values in found.items() if value in values)


def _trailers(
    root: Path, key: str, command: Sequence[str], revisions: Sequence[str]
) -> dict[str, list[str]] | None:
    """Each commit ``command`` lists (``git show``/``git log`` with ``revisions``) with its
    ``key:`` trailer values, as git's trailer parser reads them; None when git could not
    tell."""
    try:
        result = git_runner.run(
            root,
            *command,
            f"--format=%H %(trailers:key={key},valueonly,separator=%x2C)",
            *revisions,
            read_only=True,
            check=False,
        )
    except git_runner.GitMissing:
        return None
    if result.returncode != 0:
        return None
    found = {}
    for line in result.stdout.decode("utf-8", "replace").splitlines():
        sha, _, values = line.partition(" ")
        found[sha] = [v.strip() for v in values.split(",") if v.strip()]
    return found
