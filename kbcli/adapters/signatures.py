"""Commit signatures, checked by git itself against the roster's keys.

``[verification] require_signed`` makes a stamp count only when its commit carries a
signature git verifies with a key listed under a person's ``signing_keys`` in
people.yaml. For SSH keys (``gpg.format=ssh``) kb writes an allowed-signers file
from the roster (principal = the person's handle) and runs ``git verify-commit``
with ``gpg.ssh.allowedSignersFile`` pointing at it: git and ssh-keygen do the
cryptography, kb only reads who the principal was. kb never checks a signature by
hand.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from kbcli.core.people import Roster
from kbcli.core.provenance import Signature

_GOOD_SSH = re.compile(r'Good "git" signature for (\S+) with ')
_SSH_TYPES = ("ssh-", "ecdsa-", "sk-ssh-", "sk-ecdsa-")


def allowed_signers(roster: Roster) -> str:
    """The allowed-signers file (ssh-keygen(1) ALLOWED SIGNERS) for the roster's SSH keys."""
    lines = []
    for person in roster.people.values():
        for key in person.signing_keys:
            key = " ".join(key.split())
            if key.startswith(_SSH_TYPES):
                lines.append(f'{person.handle} namespaces="git" {key}')
    return "\n".join(lines) + "\n" if lines else ""


def verify_commits(root: Path, shas: Sequence[str], roster: Roster) -> dict[str, Signature]:
    """What ``git verify-commit`` says of each commit, with the roster's keys as the only
    trusted ones. A commit without a signature is ``signed=False``; one signed with a
    key that is not in the roster is ``signed=True, good=False``."""
    results: dict[str, Signature] = {}
    with tempfile.TemporaryDirectory(prefix="kb-signers-") as tmp:
        signers = Path(tmp) / "allowed_signers"
        signers.write_text(allowed_signers(roster), encoding="utf-8")
        for sha in shas:
            results[sha] = _verify(root, sha, signers)
    return results


def _verify(root: Path, sha: str, signers: Path) -> Signature:
    proc = subprocess.run(
        [
            "git",
            "-c",
            f"gpg.ssh.allowedSignersFile={signers}",
            "verify-commit",
            "--raw",
            sha,
        ],
        cwd=root,
        capture_output=True,
        check=False,
    )
    text = proc.stderr.decode("utf-8", "replace")
    if not text.strip():
        return Signature(signed=False)
    good = _GOOD_SSH.search(text)
    if proc.returncode == 0 and good:
        return Signature(signed=True, good=True, signer=good.group(1))
    return Signature(signed=True, good=False)
