"""Who an assistant (kb mcp) says asked: the warning names what is missing, so the team
knows whether to add a person to people.yaml or to write the roster at all."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kbcli.config import load_config
from kbcli.usecases.assistant_writes import draft_owner, flagger
from kbcli.workspace import Workspace
from tests.helpers import make_repo


def _workspace(root: Path) -> Workspace:
    return Workspace(load_config(root), date(2026, 12, 5), root)


def test_with_no_roster_the_warning_says_there_is_no_people_yaml(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb")
    repo.commit("start")
    owner, warnings = draft_owner(_workspace(repo.path), "priya@nimbus.example")
    assert owner is None
    assert "there is no people.yaml roster yet" in warnings[0]
    assert "priya@nimbus.example" in warnings[0]
    assert "is no handle or e-mail in people.yaml" not in warnings[0]
    recorded, flag_warnings = flagger(_workspace(repo.path), "priya")
    assert recorded == "unidentified (via kb mcp)"
    assert "there is no people.yaml roster yet" in flag_warnings[0]


def test_with_a_roster_an_unknown_asker_is_named_as_not_in_it(tmp_path: Path) -> None:
    people = "priya:\n  name: Priya\n  email: priya@nimbus.example\n"
    repo = make_repo(tmp_path / "kb", people=people)
    repo.commit("start")
    assert draft_owner(_workspace(repo.path), "priya@nimbus.example") == ("priya", [])
    owner, warnings = draft_owner(_workspace(repo.path), "mallory@evil.example")
    assert owner is None
    assert "'mallory@evil.example' is no handle or e-mail in people.yaml" in warnings[0]
