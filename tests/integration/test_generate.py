"""bench/generate.py builds a consistent, deterministic knowledge repo.

Benchmarks are only meaningful if the generated repo is what it claims to be: a clean
checkout of the history, several authors over years, real renames, valid front matter.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.helpers import REPO_ROOT, git

GENERATOR = REPO_ROOT / "bench" / "generate.py"
SMALL = ["--cards", "300", "--commits", "200", "--seed", "7", "--end-date", "2026-11-01"]


def generate(out: Path, *args: str) -> str:
    """Run the generator as users do and return its summary."""
    result = subprocess.run(
        [sys.executable, str(GENERATOR), str(out), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def summary_number(summary: str, key: str) -> int:
    match = re.search(rf"^{key}: (\d+)", summary, re.MULTILINE)
    assert match, summary
    return int(match.group(1))


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("gen") / "kb"
    return out, generate(out, *SMALL)


def card_files(repo: Path) -> list[Path]:
    folders = tomllib.loads((repo / "kb.toml").read_text())["cards"]["folders"]
    return [card for folder in folders for card in sorted((repo / folder).rglob("*.md"))]


def test_work_tree_matches_history(generated: tuple[Path, str]) -> None:
    repo, _ = generated
    assert git(repo, "status", "--porcelain") == ""
    assert git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"


def test_summary_counts_cards_and_commits(generated: tuple[Path, str]) -> None:
    repo, summary = generated
    assert len(card_files(repo)) == summary_number(summary, "cards")
    assert int(git(repo, "rev-list", "--count", "HEAD")) == summary_number(summary, "commits")


def test_history_has_several_authors_over_years(generated: tuple[Path, str]) -> None:
    repo, _ = generated
    assert len(set(git(repo, "log", "--format=%an").split("\n")) - {""}) >= 5
    stamps = [int(line) for line in git(repo, "log", "--format=%at").split()]
    assert max(stamps) - min(stamps) > 2 * 365 * 86400


def test_history_contains_renames(generated: tuple[Path, str]) -> None:
    repo, _ = generated
    renames = git(repo, "log", "--name-status", "-M", "--diff-filter=R", "--format=")
    assert renames.strip().startswith("R100")


def test_cards_have_valid_front_matter(generated: tuple[Path, str]) -> None:
    repo, _ = generated
    for card in card_files(repo):
        _, front, body = card.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        assert meta["status"] in {"draft", "published", "archived"}, card
        assert isinstance(meta["tags"], list) and meta["tags"], card
        assert body.startswith(f"# {meta['title']}\n"), card
        assert "## Issue" in body and "## Resolution" in body, card


def test_same_seed_gives_same_history(generated: tuple[Path, str], tmp_path: Path) -> None:
    repo, _ = generated
    again = tmp_path / "again"
    generate(again, *SMALL)
    assert git(again, "rev-parse", "HEAD") == git(repo, "rev-parse", "HEAD")
