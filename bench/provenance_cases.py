#!/usr/bin/env python3
"""Stage every provenance case (and each way of evading it) in a git repo, with the
verdict kb must give each card written down.

Why: kb's trust verdict is only worth something if every hollow verification is caught
and every honest one is left alone. This script makes a repo where each case is one
card (or a run of cards), committed the way a person would do it (author, committer,
dates, signatures), and writes ``provenance-expected.json``: card path -> expected
state and rule ids. ``tests/integration/test_provenance_corpus.py`` compares kb's
verdicts with it; on top of ``generate.py``'s 100,000-card repo the same cases measure
``kb report`` and ``kb check`` with them (``--into``).

Each copy (``--copies``) gets its own people (``ana-K`` owner, ``bo-K`` verifier,
``dana-K`` and ``eve-K`` who may not verify, ``ci-bot`` the merge bot), so copies never
add up to a bulk run of one person.

Usage::

    python bench/provenance_cases.py OUT_DIR [--copies 1] [--signed]
    python bench/provenance_cases.py --into gen100k [--copies 2]

``--signed`` sets ``[verification] require_signed = true`` and makes SSH keys with
ssh-keygen: the clean card's stamp is signed by its owner, one stamp by a key that is
not in the roster, every other stamp is unsigned. Only the standard library, git and
ssh-keygen are used.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

TODAY = "2026-11-22"
CI_EMAIL = "ci-bot@forge.test"
BODY = "## Steps\n\n1. Open the admin console.\n2. Follow the runbook for {name}.\n"


@dataclass
class Person:
    handle: str
    name: str

    @property
    def email(self) -> str:
        return f"{self.handle}@corp.test"


@dataclass
class Expected:
    state: str
    reasons: set[str] = field(default_factory=set)


@dataclass
class Stager:
    root: Path
    prefix: str  # the folder of this copy's cards
    k: int
    signed: bool
    keys: dict[str, Path]
    expected: dict[str, Expected] = field(default_factory=dict)

    def person(self, role: str) -> Person:
        names = {"ana": "Ana Owner", "bo": "Bo Verifier", "dana": "Dana Agent", "eve": "Eve Out"}
        return Person(f"{role}-{self.k}", f"{names[role]} {self.k}")

    def path(self, name: str) -> str:
        return f"{self.prefix}/{name}.md"

    def card(self, name: str, verified_at: str | None = None, **extra: object) -> str:
        ana, bo = self.person("ana"), self.person("bo")
        lines = ["---", f"title: {name.replace('-', ' ').title()} {self.k}"]
        lines += [f"owner: {ana.handle}", f"verifiers: [{extra.pop('verifiers', bo.handle)}]"]
        if verified_at:
            lines.append(f"verified_at: {verified_at}")
        for key, value in extra.items():
            lines.append(f"{key}: {json.dumps(value)}")
        lines += ["status: published", "---", "", BODY.format(name=name)]
        return "\n".join(lines)

    def write(self, rel: str, text: str) -> str:
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return rel

    def commit(
        self,
        paths: list[str],
        when: str,
        author: Person,
        *,
        committer: Person | None = None,
        committer_email: str | None = None,
        author_date: str | None = None,
        key: Path | None = None,
    ) -> None:
        """One commit of ``paths``: ``when`` is the committer date (and the author date
        unless ``author_date`` backdates it); ``key`` signs it (SSH)."""
        who = committer or author
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_AUTHOR_DATE": f"{author_date or when}T10:00:00+0000",
            "GIT_COMMITTER_NAME": who.name,
            "GIT_COMMITTER_EMAIL": committer_email or who.email,
            "GIT_COMMITTER_DATE": f"{when}T10:00:00+0000",
        }
        git(self.root, "add", "--", *paths, env=env)
        sign = ["-c", "gpg.format=ssh", "-c", f"user.signingkey={key}"] if key else []
        args = [*sign, "commit", "--quiet", "--no-verify", "-m", f"staged case {paths[0]}"]
        git(self.root, *args, *(["-S"] if key else []), "--", *paths, env=env)

    def expect(self, rel: str, state: str, *reasons: str, signed: bool = False) -> None:
        found = set(reasons)
        if self.signed and not signed:
            found.add("unsigned-verification")
        if self.signed and found and state == "verified":
            state = "needs-review"
        self.expected[rel] = Expected(state, found)


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def roster_entries(copies: int, keys: dict[str, Path]) -> str:
    lines = []
    for k in range(copies):
        for role, name in (("ana", "Ana Owner"), ("bo", "Bo Verifier")):
            lines += [f"{role}-{k}:", f"  name: {name} {k}", f"  emails: [{role}-{k}@corp.test]"]
            pub = keys.get(f"{role}-{k}")
            if pub is not None:
                lines.append(f"  signing_keys: [{pub.with_suffix('.pub').read_text().strip()!r}]")
        for role, name in (("dana", "Dana Agent"), ("eve", "Eve Out")):
            lines += [f"{role}-{k}:", f"  name: {name} {k}", f"  emails: [{role}-{k}@corp.test]"]
    lines += ["ci-bot:", "  name: CI Bot", f"  emails: [{CI_EMAIL}]"]
    return "\n".join(lines) + "\n"


def make_keys(folder: Path, copies: int) -> dict[str, Path]:
    """ed25519 keys for each copy's owner and verifier, and one stranger's (not listed)."""
    folder.mkdir(parents=True, exist_ok=True)
    keys = {}
    for handle in [f"{r}-{k}" for k in range(copies) for r in ("ana", "bo")] + ["stranger"]:
        key = folder / handle
        if not key.exists():
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", handle, "-f", str(key)],
                check=True,
            )
        keys[handle] = key
    return keys


def stage_copy(s: Stager) -> None:
    """Every case of one copy, in commit order (dates before ``TODAY``)."""
    ana, bo, dana, eve = (s.person(r) for r in ("ana", "bo", "dana", "eve"))
    bulk = [f"bulk-{i:02d}" for i in range(30)]
    split = [f"split-{i:02d}" for i in range(27)]
    nine = [f"nine-{i}" for i in range(9)]
    singles = [
        "clean",
        "non-verifier",
        "name-spoof",
        "author-spoof",
        "ci-merge",
        "edited",
        "backdated",
        "future",
        "flagged",
        "dependency",
        "roster-change",
        "self-granted",
        "forged-signature",
    ]
    dep = s.write(f"deps-{s.k}/api.yaml", "version: 1\n")
    created = [dep] + [s.write(s.path(n), s.card(n)) for n in [*singles, *bulk, *split, *nine]]
    s.commit(created, "2026-10-01", ana)

    def stamp(name: str, day: str, **extra: object) -> str:
        return s.write(s.path(name), s.card(name, day, **extra))

    # Honest stamps: the owner, a verifier's run below the bulk threshold, a CI merge.
    s.commit([stamp("clean", "2026-11-01")], "2026-11-01", ana, key=s.keys.get(ana.handle))
    s.expect(s.path("clean"), "verified", signed=True)
    s.commit([stamp(n, "2026-10-20") for n in nine], "2026-10-20", bo)
    for n in nine:
        s.expect(s.path(n), "verified")
    s.commit([stamp("ci-merge", "2026-11-02")], "2026-11-02", bo, committer_email=CI_EMAIL)
    s.expect(s.path("ci-merge"), "verified")
    # Stamped by someone who may not verify: by e-mail, and by a borrowed name.
    s.commit([stamp("non-verifier", "2026-11-02")], "2026-11-02", dana)
    s.expect(s.path("non-verifier"), "needs-review", "verified-by-non-verifier")
    name_spoof = Person(dana.handle, ana.name)  # git config user.name "Ana Owner K"
    s.commit([stamp("name-spoof", "2026-11-02")], "2026-11-02", name_spoof)
    s.expect(s.path("name-spoof"), "needs-review", "verified-by-non-verifier")
    # git commit --author="Ana <ana@...>" by eve: the committer gives it away.
    s.commit([stamp("author-spoof", "2026-11-03")], "2026-11-03", ana, committer=eve)
    s.expect(s.path("author-spoof"), "needs-review", "committer-not-verifier")
    # Bulk: 30 in one commit; 27 in three commits of 9 within an hour.
    s.commit([stamp(n, "2026-11-05") for n in bulk], "2026-11-05", bo)
    for n in bulk:
        s.expect(s.path(n), "needs-review", "bulk-reverification")
    for part in range(3):
        names = split[part * 9 : part * 9 + 9]
        s.commit([stamp(n, "2026-11-10") for n in names], "2026-11-10", bo)
    for n in split:
        s.expect(s.path(n), "needs-review", "bulk-reverification")
    # Edited by a stranger after the stamp.
    s.commit([stamp("edited", "2026-11-03")], "2026-11-03", ana)
    text = s.card("edited", "2026-11-03") + "\nA step eve added.\n"
    s.commit([s.write(s.path("edited"), text)], "2026-11-08", eve)
    s.expect(s.path("edited"), "needs-review", "edited-since-verified")
    # Backdated: the owner edits on 11-15, then stamps 11-10 with a forged author date.
    text = s.card("backdated") + "\nNew step.\n"
    s.commit([s.write(s.path("backdated"), text)], "2026-11-15", ana)
    stamped = s.card("backdated", "2026-11-10") + "\nNew step.\n"
    s.commit([s.write(s.path("backdated"), stamped)], "2026-11-16", ana, author_date="2026-11-10")
    s.expect(s.path("backdated"), "needs-review", "backdated-verification")
    # A date later than the commit that set it.
    s.commit([stamp("future", "2026-11-21")], "2026-11-17", ana)
    s.expect(s.path("future"), "needs-review", "future-verification")
    # Flagged after its stamp (the flag is in front matter).
    s.commit([stamp("flagged", "2026-11-03")], "2026-11-03", ana)
    flag = [{"by": eve.handle, "at": "2026-11-12", "reason": "step 2 is wrong"}]
    s.commit([stamp("flagged", "2026-11-03", flags=flag)], "2026-11-12", eve)
    s.expect(s.path("flagged"), "needs-review", "flagged")
    # A dependency changed after the stamp.
    deps = [f"deps-{s.k}/api.yaml"]
    s.commit([stamp("dependency", "2026-11-03", depends_on=deps)], "2026-11-03", ana)
    s.commit([s.write(deps[0], "version: 2\n")], "2026-11-09", eve)
    s.expect(s.path("dependency"), "needs-review", "dependency-changed")
    # The stamp's commit also changes the roster.
    roster = (s.root / "people.yaml").read_text(encoding="utf-8")
    s.write("people.yaml", roster + f"# reviewed by {bo.handle}\n")
    s.commit([stamp("roster-change", "2026-11-03"), "people.yaml"], "2026-11-03", bo)
    s.expect(s.path("roster-change"), "needs-review", "roster-changed-with-stamp")
    # eve makes herself a verifier in the commit that stamps the card.
    granted = stamp("self-granted", "2026-11-06", verifiers=f"{bo.handle}, {eve.handle}")
    s.commit([granted], "2026-11-06", eve)
    s.expect(s.path("self-granted"), "needs-review", "self-granted-verifier")
    # Signed, but with a key that is not in the roster (only matters with --signed).
    stranger = s.keys.get("stranger")
    s.commit([stamp("forged-signature", "2026-11-07")], "2026-11-07", ana, key=stranger)
    if s.signed:
        s.expect(s.path("forged-signature"), "needs-review", "signature-not-verifier", signed=True)
    else:
        s.expect(s.path("forged-signature"), "verified")


def stage(
    root: Path,
    *,
    copies: int = 1,
    signed: bool = False,
    key_dir: Path | None = None,
    fresh: bool = True,
) -> dict[str, dict[str, object]]:
    """Stage ``copies`` copies of every case in ``root`` (a new repo when ``fresh``);
    write and return the expected verdicts."""
    root.mkdir(parents=True, exist_ok=True)
    keys = make_keys(key_dir or root.parent / f"{root.name}-keys", copies) if signed else {}
    if fresh:
        git(root, "init", "--quiet", "--initial-branch=main")
        toml = f'[history]\nci_identities = ["{CI_EMAIL}"]\n'
        if signed:
            toml += "\n[verification]\nrequire_signed = true\n"
        (root / "kb.toml").write_text(toml, encoding="utf-8")
        (root / ".gitignore").write_text(".kb/\n", encoding="utf-8")
        (root / "people.yaml").write_text(roster_entries(copies, keys), encoding="utf-8")
        first = ["kb.toml", ".gitignore", "people.yaml"]
    else:
        people = root / "people.yaml"
        people.write_text(
            people.read_text(encoding="utf-8") + roster_entries(copies, keys), encoding="utf-8"
        )
        toml = (root / "kb.toml").read_text(encoding="utf-8")
        if "ci_identities" not in toml:
            if "[history]" in toml:
                toml = toml.replace("[history]", f'[history]\nci_identities = ["{CI_EMAIL}"]', 1)
            else:
                toml += f'\n[history]\nci_identities = ["{CI_EMAIL}"]\n'
        (root / "kb.toml").write_text(toml, encoding="utf-8")
        first = ["kb.toml", "people.yaml"]
    setup = Stager(root, "", 0, signed, keys)
    setup.commit(first, "2026-09-30", Person("admin", "Repo Admin"))
    base = "" if fresh else _card_folder(root)
    expected: dict[str, dict[str, object]] = {}
    for k in range(copies):
        stager = Stager(root, f"{base}staged-{k}", k, signed, keys)
        stage_copy(stager)
        for path, want in stager.expected.items():
            expected[path] = {"state": want.state, "reasons": sorted(want.reasons)}
    (root / "provenance-expected.json").write_text(
        json.dumps(expected, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    return expected


def _card_folder(root: Path) -> str:
    """``FOLDER/`` of the repo's first card folder (kb.toml [cards] folders), or ""."""
    import tomllib

    data = tomllib.loads((root / "kb.toml").read_text(encoding="utf-8"))
    folders = data.get("cards", {}).get("folders", ["."])
    first = str(folders[0]).strip("/") if folders else "."
    return "" if first in ("", ".") else first + "/"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, help="a new repo to create")
    parser.add_argument("--into", type=Path, help="add the cases to an existing knowledge repo")
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--signed", action="store_true", help="require_signed, with SSH keys")
    args = parser.parse_args(argv)
    if (args.out is None) == (args.into is None):
        parser.error("give OUT_DIR or --into REPO")
    target = args.out or args.into
    expected = stage(target, copies=args.copies, signed=args.signed, fresh=args.into is None)
    doubted = sum(1 for e in expected.values() if e["state"] != "verified")
    print(f"{len(expected)} staged cards ({doubted} expected to need review) in {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
