"""A new team's first day with kb, as the README leads it: kb init, kb new, kb verify,
kb build and kb serve, then a second person's clone (session 16 walkthrough)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import git, make_repo, run_kb


def test_init_of_a_new_folder_inside_a_git_repo_does_not_nest_a_second_repo(
    tmp_path: Path,
) -> None:
    # A knowledge repo in a folder of a larger repository (docs beside the code): kb init
    # of a folder that did not exist yet ran git init there, so its cards were committed
    # to a nested repository the team's own never saw.
    outer = tmp_path / "product"
    outer.mkdir()
    git(outer, "init", "-q", "-b", "main")
    made = run_kb("init", "support-kb", cwd=outer)
    assert made.exit_code == 0, made.output
    assert (outer / "support-kb" / "kb.toml").is_file()
    assert not (outer / "support-kb" / ".git").exists()
    assert ".git/" not in made.stdout
    # A folder outside any repository still gets its own.
    alone = run_kb("init", str(tmp_path / "alone"))
    assert alone.exit_code == 0, alone.output
    assert (tmp_path / "alone" / ".git").is_dir()


def test_init_inside_a_knowledge_repo_refuses_a_second_one_over_its_cards(
    tmp_path: Path,
) -> None:
    # Run in a folder of an existing knowledge repo (a new clone's card folder), kb init
    # made a second kb.toml and people.yaml there: the folder's cards then belonged to two
    # repos, and kb run from there judged them against an empty roster.
    repo = make_repo(tmp_path / "kb")
    (repo.path / "billing").mkdir()
    refused = run_kb("init", cwd=repo.path / "billing")
    assert refused.exit_code == 2, refused.output
    assert str(repo.path / "kb.toml") in refused.stderr
    assert "kb new --folder billing" in refused.stderr
    assert not (repo.path / "billing" / "kb.toml").exists()
    assert not (repo.path / "billing" / "people.yaml").exists()
    deeper = run_kb("init", str(repo.path / "billing" / "eu"))
    assert deeper.exit_code == 2, deeper.output
    assert not (repo.path / "billing" / "eu").exists()
