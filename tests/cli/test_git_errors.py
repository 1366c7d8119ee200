"""git's own refusals reach the user as one actionable sentence (exit 2): a repository
owned by another user gets git's safe.directory advice, a held lock is named. Real git
in temporary repositories, kb through its entry point."""

from __future__ import annotations

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


def test_held_index_lock_is_named(repo: KbRepo) -> None:
    lock = repo.path / ".git" / "index.lock"
    lock.write_bytes(b"")
    result = run_kb("--today", "2026-06-01", "verify", "a.md", cwd=repo.path)
    assert result.exit_code == 2, result.output
    assert str(lock) in result.stderr
    assert "safe to delete" in result.stderr
    assert "Traceback" not in result.output
    assert git(repo.path, "log", "--format=%s").splitlines() == ["a card"]
