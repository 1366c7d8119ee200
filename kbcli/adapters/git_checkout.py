"""The Slack app's checkout: keep it current, and write on a branch without touching it.

A long-running app serves searches from one checkout while people edit the knowledge
repo elsewhere: ``pull --ff-only`` brings their commits in (never a merge the app would
have to resolve); changes meant for review are committed on a new branch without
touching the checkout (``git_commits.commit_to_new_branch``).
"""

from __future__ import annotations

from pathlib import Path

from kbcli.adapters import git_runner

TIMEOUT = 60.0  # seconds: a hung remote must not hang the app


def git(root: Path, *args: str, check: bool = True) -> str:
    """Run git in ``root``; a failure is a KbError with git's last line (the user sees it)."""
    done = git_runner.run(root, *args, check=check, timeout=TIMEOUT)
    return git_runner.path(done.stdout).strip()


def head(root: Path) -> str:
    """HEAD's commit id. Read from the files when they are plain (HEAD, the branch's ref
    or packed-refs), because the app asks before every answer and a git process costs
    5-20 ms on a busy machine; anything unusual asks git itself."""
    try:
        found = _head_from_files(git_runner.git_dir(root))
    except OSError:
        found = None
    return found or git(root, "rev-parse", "HEAD", check=False)


def _head_from_files(git_dir: Path) -> str | None:
    text = (git_dir / "HEAD").read_text(encoding="ascii").strip()
    if not text.startswith("ref: "):
        return text if len(text) == 40 else None
    ref = text[5:]
    if (git_dir / "commondir").exists():
        return None  # a linked work tree: refs live elsewhere, let git resolve them
    loose = git_dir / ref
    if loose.exists():
        value = loose.read_text(encoding="ascii").strip()
        return value if len(value) == 40 else None
    packed = git_dir / "packed-refs"
    if packed.exists():
        for line in packed.read_text(encoding="ascii").splitlines():
            if line.endswith(" " + ref) and not line.startswith(("#", "^")):
                return line.split(" ", 1)[0]
    return None


def toplevel(root: Path) -> Path:
    return Path(git(root, "rev-parse", "--show-toplevel"))


def upstream(root: Path) -> str | None:
    """The remote the current branch tracks (``origin``), or None when it tracks none.

    Read from the branch's configuration, so a remote that has gone away still counts
    and its pull fails loudly instead of being skipped."""
    branch = current_branch(root)
    if not branch:
        return None
    return git(root, "config", "--get", f"branch.{branch}.remote", check=False) or None


def pull(root: Path) -> bool:
    """``git pull --ff-only`` when the branch tracks a remote; True when it did pull."""
    if upstream(root) is None:
        return False
    git(root, "pull", "--ff-only", "--quiet")
    return True


def current_branch(root: Path) -> str | None:
    return git(root, "symbolic-ref", "--short", "-q", "HEAD", check=False) or None


def remote_url(root: Path, remote: str) -> str:
    """The remote's URL as configured (before any ``insteadOf`` rewriting): it names the
    forge and the project even when git is told to fetch from a mirror."""
    return git(root, "config", "--get", f"remote.{remote}.url", check=False)


def remote_of(root: Path) -> str | None:
    remotes = git(root, "remote", check=False).split()
    return "origin" if "origin" in remotes else (remotes[0] if remotes else None)


def push(root: Path, branch: str) -> str | None:
    """Push ``branch`` to the remote; the remote's name, or None when there is no remote."""
    remote = remote_of(root)
    if remote is None:
        return None
    git(root, "push", "--quiet", remote, f"{branch}:{branch}")
    return remote
