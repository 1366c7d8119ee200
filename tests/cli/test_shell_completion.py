"""Tab completion through typer, as bash asks for it: cards, aliases and option values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def complete(cwd: Path, line: str) -> list[str]:
    """What bash would offer after ``line`` (the last word is being completed)."""
    words = line.split(" ")
    env = {
        **os.environ,
        "_KB_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) - 1),
    }
    result = subprocess.run(
        [sys.executable, "-m", "kbcli", *words[1:]],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_card_arguments_complete_paths_and_aliases(example_kb: Path) -> None:
    offered = complete(example_kb, "kb show billing/ref")
    assert "billing/refund-request-processing.md" in offered
    assert all(o.startswith("billing/ref") for o in offered)
    # billing/refund-policy.md is no file: it is an alias (an old path) of a card.
    assert any(not (example_kb / o).exists() for o in offered)


def test_option_values_complete_from_their_fixed_sets(example_kb: Path) -> None:
    assert complete(example_kb, "kb check --format g") == ["github", "gitlab"]
    assert complete(example_kb, "kb list --state ex") == ["expired"]
    assert complete(example_kb, "kb report --format m") == ["markdown"]
    templates = complete(example_kb, "kb new --template ")
    assert {"kcs", "runbook", "incident-postmortem"} <= set(templates)


def test_outside_a_knowledge_repo_completion_is_empty_not_an_error(tmp_path: Path) -> None:
    assert complete(tmp_path, "kb show bil") == []
