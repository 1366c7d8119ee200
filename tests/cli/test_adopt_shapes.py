"""kb adopt on docs shaped like other teams' repos: Hugo, Jekyll, Docusaurus, wikis, vaults.

Each test builds the shape in a real git repo and adopts it as the team would."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import KbRepo, make_repo, run_kb

TODAY = "2026-11-22"
PEOPLE = """
ana: {name: Ana Souza, emails: [ana@example.test]}
bob: {name: Bob Stone, emails: [bob@example.test]}
"""


def adopt_plan(repo: KbRepo) -> dict[str, dict[str, object]]:
    result = run_kb("--today", TODAY, "adopt", "--json", cwd=repo.path)
    assert result.exit_code == 0, result.output
    return {row["path"]: row for row in json.loads(result.stdout)["files"]}


def shown_titles(repo: KbRepo) -> dict[str, str]:
    result = run_kb("--today", TODAY, "list", "--json", cwd=repo.path)
    assert result.exit_code == 0, result.output
    return {card["path"]: card["title"] for card in json.loads(result.stdout)}


def test_a_page_named_by_its_title_keeps_the_title_as_written(tmp_path: Path) -> None:
    """A GitHub wiki page or an Obsidian note has no heading: its file name is its title."""
    repo = make_repo(tmp_path / "wiki", people=PEOPLE)
    repo.write("History-of-18F.md", "Some history.\n")
    repo.write("Projects/API Keys at TTS.md", "Rotate them.\n")
    repo.commit("wiki", author="Ana Souza", email="ana@example.test")
    assert run_kb("adopt", "--apply", "--yes", cwd=repo.path).exit_code == 0
    titles = shown_titles(repo)
    assert titles["History-of-18F.md"] == "History of 18F"
    assert titles["Projects/API Keys at TTS.md"] == "API Keys at TTS"
    assert "title: History of 18F\n" in (repo.path / "History-of-18F.md").read_text()


def test_a_draft_page_stays_a_draft_once_adopted(tmp_path: Path) -> None:
    """Hugo and Docusaurus ``draft: true``, Jekyll ``published: false``: not published."""
    repo = make_repo(tmp_path / "site", people=PEOPLE)
    repo.write("content/wip.md", "---\ntitle: WIP\ndraft: true\n---\n\nNot yet.\n")
    repo.write("about.md", "---\ntitle: About\npublished: false\n---\n\nHidden.\n")
    repo.write("done.md", "---\ntitle: Done\ndraft: false\n---\n\nOut.\n")
    repo.commit("site", author="Ana Souza", email="ana@example.test")
    rows = adopt_plan(repo)
    assert {path: "status" in row["adds"] for path, row in rows.items()} == {
        "content/wip.md": True,
        "about.md": True,
        "done.md": True,
    }
    assert run_kb("adopt", "--apply", "--yes", cwd=repo.path).exit_code == 0
    assert "status: draft\n" in (repo.path / "content/wip.md").read_text()
    assert "status: draft\n" in (repo.path / "about.md").read_text()
    assert "status: published\n" in (repo.path / "done.md").read_text()
