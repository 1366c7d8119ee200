"""Commit signatures, checked by git itself against the roster's keys.

``[verification] require_signed`` makes a stamp count only when its commit carries a
signature git verifies with a key listed under a person's ``signing_keys`` in
people.yaml. kb runs ``git verify-commit --raw`` with only the roster's keys trusted:

- SSH keys (``ssh-ed25519 AAAA...``): an allowed-signers file written from the roster
  (principal = the person's handle), passed as ``gpg.ssh.allowedSignersFile``;
- GPG keys (an armored ``-----BEGIN PGP PUBLIC KEY BLOCK-----``): imported into a
  temporary ``GNUPGHOME``, so the user's own keyring never vouches for anyone; the
  signer is the primary key fingerprint of gpg's ``VALIDSIG`` line.

git, ssh-keygen and gpg do the cryptography; kb only reads whose key it was. kb never
checks a signature by hand.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from kbcli.adapters import git_runner
from kbcli.core.people import Roster
from kbcli.core.provenance import Signature

_GOOD_SSH = re.compile(r'Good "git" signature for (\S+) with ')
_VALID_GPG = re.compile(r"^\[GNUPG:\] VALIDSIG .* ([0-9A-F]{40,64})$", re.MULTILINE)
_SSH_TYPES = ("ssh-", "ecdsa-", "sk-ssh-", "sk-ecdsa-")
_PGP = "-----BEGIN PGP PUBLIC KEY BLOCK-----"


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
        home = Path(tmp) / "gnupg"
        home.mkdir(mode=0o700)
        owners = _gpg_keyring(roster, home)
        for sha in shas:
            results[sha] = _verify(root, sha, signers, {"GNUPGHOME": str(home)}, owners)
    return results


def _gpg_keyring(roster: Roster, home: Path) -> dict[str, str]:
    """Import the roster's GPG keys into ``home``; primary fingerprint -> handle."""
    owners: dict[str, str] = {}
    env = {**os.environ, "GNUPGHOME": str(home)}
    for person in roster.people.values():
        for key in person.signing_keys:
            if not key.lstrip().startswith(_PGP):
                continue
            ok, shown = _gpg(
                env, ["--with-colons", "--import-options", "show-only", "--import"], key
            )
            fingerprints = [
                line.split(":")[9] for line in shown.splitlines() if line.startswith("fpr:")
            ]
            if ok and fingerprints and _gpg(env, ["--import"], key)[0]:
                owners[fingerprints[0]] = person.handle
    return owners


def _gpg(env: Mapping[str, str], args: list[str], stdin: str) -> tuple[bool, str]:
    """(succeeded, stdout) of one gpg run; no gpg installed means no GPG key vouches."""
    try:
        proc = subprocess.run(
            ["gpg", "--batch", "--quiet", *args],
            input=stdin.encode(),
            env=dict(env),
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        return False, ""
    return proc.returncode == 0, proc.stdout.decode("utf-8", "replace")


def _verify(
    root: Path, sha: str, signers: Path, env: Mapping[str, str], gpg_owners: Mapping[str, str]
) -> Signature:
    proc = git_runner.run(
        root,
        "-c",
        f"gpg.ssh.allowedSignersFile={signers}",
        "verify-commit",
        "--raw",
        sha,
        read_only=True,
        env=env,
        check=False,
    )
    text = proc.stderr.decode("utf-8", "replace")
    if not text.strip():
        return Signature(signed=False)
    if proc.returncode == 0:
        good = _GOOD_SSH.search(text)
        if good:
            return Signature(signed=True, good=True, signer=good.group(1))
        valid = _VALID_GPG.search(text)
        if valid and valid.group(1) in gpg_owners:
            return Signature(signed=True, good=True, signer=gpg_owners[valid.group(1)])
    return Signature(signed=True, good=False)
