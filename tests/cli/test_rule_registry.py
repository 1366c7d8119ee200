"""One rule registry: every command accepts every rule id kb.toml may name.

Each command runs in a fresh interpreter, because the bug this guards against was an
import side effect: content rules existed only once ``core/content.py`` had been
imported, which only ``kb check`` did, so ``kb report``, ``kb build``, ``kb list`` and
``kb search`` rejected ``[check.rules] broken-link`` with "no rule is called". An
in-process run would pass as soon as any earlier test had imported that module.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kbcli.core.rules import RULES
from tests.cli.test_check_cli import PEOPLE, card
from tests.helpers import REPO_ROOT, KbRepo, make_repo

TODAY = "2026-11-22"
EVERY_RULE = "[check.rules]\n" + "".join(f'"{rule}" = "warning"\n' for rule in sorted(RULES))

# Every command that reads kb.toml and grades, lists or renders findings.
COMMANDS: list[tuple[str, ...]] = [
    ("check",),
    ("check", "--list-rules"),
    ("check", "--format", "sarif"),
    ("report",),
    ("report", "--json"),
    ("build", "--no-search", "--no-related", "-j", "1", "--out", "site"),
    ("list",),
    ("search", "refunds"),
    ("show", "billing/refunds.md"),
    ("history", "billing/refunds.md"),
    ("related", "billing/refunds.md"),
    ("index",),
    ("verify", "--no-commit", "billing/plans.md"),
]


def kb_fresh(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``kb ARGS`` in a new interpreter, so no earlier import can hide a missing rule."""
    env = {**os.environ, "KB_DAEMON": "off", "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "kbcli", "--today", TODAY, *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def linked_repo(tmp_path: Path, kb_toml: str) -> KbRepo:
    repo = make_repo(tmp_path / "kb", kb_toml=kb_toml, people=PEOPLE)
    repo.write("billing/refunds.md", card("Refunds", body="See [plans](plans.md).\n"))
    repo.write("billing/plans.md", card("Plans", body="## Changes\n\nText.\n"))
    repo.commit("cards", when="2026-11-01T10:00:00Z", email="ana@example.test")
    return repo


@pytest.mark.parametrize("args", COMMANDS, ids=lambda args: " ".join(args))
def test_every_command_accepts_every_rule_id_in_kb_toml(tmp_path: Path, args: tuple[str, ...]):
    repo = linked_repo(tmp_path, EVERY_RULE)
    done = kb_fresh(repo.path, *args)
    assert "no rule is called" not in done.stderr, done.stderr
    assert done.returncode in (0, 1), done.stderr


@pytest.mark.parametrize("args", [("check",), ("report",), ("build", "--no-search"), ("list",)])
def test_a_misspelt_rule_is_the_same_usage_error_everywhere(tmp_path: Path, args: tuple[str, ...]):
    repo = linked_repo(tmp_path, '[check.rules]\nbrokn-link = "off"\n')
    done = kb_fresh(repo.path, *args)
    assert done.returncode == 2, done.stderr
    assert "no rule is called 'brokn-link'; did you mean 'broken-link'?" in done.stderr
    assert "Traceback" not in done.stderr


def test_list_rules_shows_every_registered_rule_with_its_configured_severity(tmp_path: Path):
    import json

    repo = linked_repo(tmp_path, EVERY_RULE)
    done = kb_fresh(repo.path, "check", "--list-rules", "--format", "json")
    assert done.returncode == 0, done.stderr
    listed = {row["id"]: row["severity"] for row in json.loads(done.stdout)}
    assert listed == dict.fromkeys(RULES, "warning")


def test_no_module_adds_rules_outside_the_registry():
    """Rules are declared in core/rules.py only: a ``Rule(...)`` built elsewhere, or a
    write into ``RULES``, would bring back rules that exist only after some import."""
    package = REPO_ROOT / "kbcli"
    offenders = []
    for path in sorted(package.rglob("*.py")):
        if path == package / "core" / "rules.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports_rule = any(
            isinstance(node, ast.ImportFrom)
            and node.module == "kbcli.core.rules"
            and any(alias.name == "Rule" for alias in node.names)
            for node in ast.walk(tree)
        )
        for node in ast.walk(tree):
            called = isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Rule"
            called = called and imports_rule
            stored = isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store)
            if called or (stored and getattr(node.value, "id", "") == "RULES"):
                offenders.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert offenders == []
    with pytest.raises(TypeError):
        RULES["made-up"] = RULES["expired"]  # type: ignore[index]
