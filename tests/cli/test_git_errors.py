"""git's own refusals reach the user as one actionable sentence (exit 2): a repository
owned by another user gets git's safe.directory advice, a held lock is named. Real git
in temporary repositories, kb through its entry point."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import KbRepo, git, make_repo, run_kb

CARD = "---\ntitle: A\nowner: ana\nverified_at: 2026-05-01\n---\nbody\n"
PEOPLE = "ana: {name: Ana, emails: [test@example.test]}\n"


@pytest.fixture
def repo(tmp_path: Path) -> KbRepo:
    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    repo.write("a.md", CARD)
    repo.commit("a card")
    return repo


@pytest.mark.parametrize(
    "args", [["verify", "a.md"], ["check"], ["history", "a.md"], ["list"], ["search", "body"]]
)
def test_repo_of_another_user_shows_safe_directory_advice(
    repo: KbRepo, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    # git's own switch for "this repository belongs to someone else" (it compares owners
    # with the current user, and tests cannot chown)
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    result = run_kb(*args, cwd=repo.path)
    assert result.exit_code == 2, result.output
    assert "git config --global --add safe.directory" in result.stderr
    assert "not a git repository" not in result.output
    assert "not in a git repository" not in result.output
    assert repo.path.joinpath("a.md").read_text(encoding="utf-8") == CARD


def test_marked_safe_it_works_again(repo: KbRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    config = repo.path.parent / "gitconfig"
    config.write_text(f"[safe]\n\tdirectory = {repo.path.resolve()}\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    result = run_kb("check", cwd=repo.path)
    assert result.exit_code in (0, 1), result.output


def test_held_index_lock_is_named(repo: KbRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    from kbcli.adapters import git_runner

    monkeypatch.setattr(git_runner, "LOCK_WAIT", 0.3)  # kb waits that long for the lock
    lock = repo.path / ".git" / "index.lock"
    with lock.open("wb"):  # held open, as a running git holds it (an unheld one is removed)
        result = run_kb("--today", "2026-06-01", "verify", "a.md", cwd=repo.path)
    assert result.exit_code == 2, result.output
    assert str(lock) in result.stderr
    assert "safe to delete" in result.stderr
    assert "Traceback" not in result.output
    assert git(repo.path, "log", "--format=%s").splitlines() == ["a card"]


# A hook that, the first time only, lands another commit while kb's commit runs: HEAD
# moves between git reading it and git moving it, as when two kb verify commit at once.
RACING_HOOK = """#!/bin/sh
[ -e .git/raced ] && exit 0
touch .git/raced
other=$(git -c user.name=Bea -c user.email=bea@example.test \\
  commit-tree "HEAD^{tree}" -p HEAD -m other)
git update-ref HEAD "$other"
"""


def test_a_commit_that_lands_first_does_not_fail_the_verification(repo: KbRepo) -> None:
    hook = repo.path / ".git" / "hooks" / "prepare-commit-msg"
    hook.write_text(RACING_HOOK, encoding="utf-8")
    hook.chmod(0o755)
    result = run_kb("--today", "2026-06-01", "verify", "a.md", cwd=repo.path)
    assert result.exit_code == 0, result.output
    subjects = git(repo.path, "log", "--format=%s").splitlines()
    assert subjects[1:] == ["other", "a card"]  # the other commit kept, the verification on top
    assert "verified_at: 2026-06-01" in git(repo.path, "show", "HEAD:a.md")
    assert git(repo.path, "status", "--porcelain") == ""


def test_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    """A card file named in Latin-1 (git gives its name as bytes): shown escaped, with a
    finding, every output valid UTF-8, and no command crashes."""
    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    (repo.path / "cards").mkdir()
    (repo.path / os.fsdecode(b"cards/caf\xe9.md")).write_bytes(CARD.encode())
    repo.write("cards/ok.md", CARD.replace("title: A", "title: Espresso") + "espresso\n")
    repo.commit("cards")
    shown = "cards/caf\\xe9.md"
    for args in (
        ["list", "--json"],
        ["check", "--format", "json"],
        ["search", "espresso", "--json"],
        ["search", "body", "--json"],
        ["report", "--json"],
        ["build", "--no-search"],
    ):
        result = run_kb("--today", "2026-06-01", *args, cwd=repo.path)
        assert result.exit_code in (0, 1), (args, result.output)
        assert "Traceback" not in result.output
        result.stdout.encode("utf-8")  # raises on a lone surrogate: not valid UTF-8
        result.stderr.encode("utf-8")
        if "--json" in args or "json" in args:
            json.loads(result.stdout)
    listed = json.loads(run_kb("list", "--json", cwd=repo.path).stdout)
    assert shown in [card["path"] for card in listed]
    checked = run_kb("check", cwd=repo.path)
    assert f"{shown}" in checked.stdout and "not valid UTF-8" in checked.stdout


def test_a_new_file_name_that_is_not_utf8_after_the_index_was_built(tmp_path: Path) -> None:
    """git status names a file added since the last index in its raw bytes: the next
    search and kb index still answer (they crashed in Tantivy with the undecodable name),
    and the file stays out of the index as it does when committed."""
    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    repo.write("cards/ok.md", CARD.replace("title: A", "title: Espresso") + "espresso\n")
    repo.commit("cards")
    assert run_kb("index", cwd=repo.path).exit_code == 0
    (repo.path / os.fsdecode(b"cards/caf\xe9.md")).write_bytes(CARD.encode() + b"espresso\n")
    for args in (["search", "espresso", "--paths-only"], ["index"]):
        result = run_kb(*args, cwd=repo.path)
        assert result.exit_code == 0, (args, result.output)
        assert "Traceback" not in result.output
    found = run_kb("search", "espresso", "--paths-only", cwd=repo.path)
    assert found.stdout.split() == ["cards/ok.md"]


def test_link_to_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    """A link written ``caf%E9.md`` names the Latin-1 file ``caf\\xe9.md``: check and build
    both call it broken, name it as kb shows that file (no U+FFFD), and say what to do."""
    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    (repo.path / os.fsdecode(b"caf\xe9.md")).write_bytes(CARD.encode())
    repo.write("start.md", CARD.replace("body", "See [the cafe](caf%E9.md)."))
    repo.commit("cards")
    checked = json.loads(run_kb("check", "--format", "json", cwd=repo.path).stdout)
    broken = [f for f in checked["findings"] if f["rule"] == "broken-link"]
    assert [f["path"] for f in broken] == ["start.md"]
    message = broken[0]["message"]
    assert "\ufffd" not in message
    assert "caf\\xe9.md" in message and "not valid UTF-8" in message and "rename" in message
    built = run_kb("build", "--no-search", "-o", str(tmp_path / "site"), cwd=repo.path)
    assert "broken link 'caf\\xe9.md'" in built.output
    page = (tmp_path / "site" / "start.html").read_text(encoding="utf-8")
    assert '<span class="broken-link" title="broken link: caf%E9.md">the cafe</span>' in page


def test_verify_of_a_card_in_a_submodule(tmp_path: Path) -> None:
    """A card inside a git submodule: kb verify from the outer knowledge repo refuses (it
    used to edit the card, commit nothing and say "already verified"); run inside the
    submodule, it commits there."""
    inner = make_repo(tmp_path / "inner", people=PEOPLE)
    inner.write("a.md", CARD)
    inner.commit("a card")
    outer = make_repo(tmp_path / "outer", kb_toml='[cards]\nfolders = ["kb"]\n', people=PEOPLE)
    git(
        outer.path,
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "-q",
        "add",
        str(inner.path),
        "kb",
    )
    outer.commit("the submodule")
    card = outer.path / "kb" / "a.md"

    refused = run_kb("--today", "2026-06-01", "verify", "kb/a.md", cwd=outer.path)
    assert refused.exit_code == 2, refused.output
    assert "submodule" in refused.stderr and "kb/" in refused.stderr
    assert card.read_text(encoding="utf-8") == CARD  # nothing edited, nothing claimed

    done = run_kb("--today", "2026-06-01", "verify", "a.md", cwd=card.parent)
    assert done.exit_code == 0, done.output
    assert "verified_at: 2026-06-01" in card.read_text(encoding="utf-8")
    assert git(card.parent, "log", "-1", "--format=%s").strip() == "Verify a.md"
    assert git(card.parent, "status", "--porcelain").strip() == ""
