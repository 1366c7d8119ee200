"""The rough edges a team adopting kb hits in its first hour (issue 14, "Polish")."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import KbRepo, copy_example, git, make_repo, run_kb

CARD = "---\ntitle: {title}\nowner: ana\nverified_at: 2026-11-01\n---\n{body}\n"


def test_init_does_not_list_its_templates_readme_as_a_template(tmp_path: Path) -> None:
    assert run_kb("init", str(tmp_path / "kb"), "--no-git").exit_code == 0
    listed = run_kb("--kb", str(tmp_path / "kb"), "templates")
    assert listed.exit_code == 0, listed.output
    assert "README" not in listed.stdout
    assert "howto" in listed.stdout


def test_a_copied_example_kb_ignores_kb_caches(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "example-kb")
    git(root, "init", "-q", "-b", "main")
    assert run_kb("--kb", str(root), "index").exit_code == 0
    assert (root / ".kb").is_dir()
    assert ".kb" not in git(root, "status", "--porcelain", "--untracked-files=all")


def test_build_refuses_to_write_into_a_card_folder_unless_forced(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb", kb_toml='[cards]\nfolders = ["docs"]\n')
    repo.write("docs/a.md", CARD.format(title="A", body="Text."))
    repo.commit("a card")
    refused = run_kb("build", "--out", "docs/site", "--no-search", cwd=repo.path)
    assert refused.exit_code == 2
    assert "card folder docs" in refused.stderr and "--force" in refused.stderr
    assert not (repo.path / "docs/site").exists()
    forced = run_kb("build", "--out", "docs/site", "--no-search", "--force", "-q", cwd=repo.path)
    assert forced.exit_code == 0, forced.output
    assert (repo.path / "docs/site/index.html").is_file()
    assert forced.stdout == ""  # -q: no summary


def test_build_refuses_a_folder_that_holds_cards_when_every_folder_is_a_card_folder(
    kb_repo: KbRepo,
) -> None:
    kb_repo.write("billing/a.md", CARD.format(title="A", body="Text."))
    kb_repo.commit("a card")
    refused = run_kb("build", "--out", "billing", "--no-search", cwd=kb_repo.path)
    assert refused.exit_code == 2 and "1 card(s)" in refused.stderr
    fine = run_kb("build", "--out", "site", "--no-search", cwd=kb_repo.path)
    assert fine.exit_code == 0, fine.output


def test_check_accepts_json_and_quiet(kb_repo: KbRepo) -> None:
    kb_repo.write("a.md", "---\ntitle: A\n---\nText.\n")  # no owner: one error
    kb_repo.commit("a card")
    result = run_kb("--kb", str(kb_repo.path), "check", "--json", "-q")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert "no-owner" in json.dumps(data)
    assert "kb check:" not in result.stderr  # -q: no verdict line on stderr
    text = run_kb("--kb", str(kb_repo.path), "check", "--quiet")
    assert text.exit_code == 1
    assert "no-owner" in text.stdout
    assert "kb check" not in text.output and "error" not in text.stdout.splitlines()[-1][:2]
    assert "1 error" not in text.stdout
