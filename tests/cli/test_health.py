"""History findings through kb report: each rule fires on its case, a clean card on none."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.helpers import KbRepo, git, kb_process, make_repo, run_kb

TODAY = "2026-06-01"
KB_TOML = """
[verification]
verify_every = "1y"

[history]
bulk_threshold = 3
inactive_after = "25d"
"""
PEOPLE = """
ana: {name: Ana Souza, emails: [ana@example.test], team: billing}
bob: {name: Bob Stone, emails: [bob@example.test], team: billing}
eve: {name: Eve Moss, emails: [eve@example.test]}
olga: {name: Olga Berg, emails: [olga@example.test]}
lars: {name: Lars Berg, emails: [lars@example.test], left: 2026-03-01}
"""
ANA = {"author": "Ana Souza", "email": "ana@example.test"}
BOB = {"author": "Bob Stone", "email": "bob@example.test"}
EVE = {"author": "Eve Moss", "email": "eve@example.test"}


def card(
    title: str, verified: str | None, body: str = "Steps.", owner: str = "ana", **extra: str
) -> str:
    lines = ["---", f"title: {title}", f"owner: {owner}"]
    if verified:
        lines.append(f"verified_at: {verified}")
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join([*lines, "---", f"# {title}", "", body, ""])


@pytest.fixture
def scenario(tmp_path: Path) -> KbRepo:
    project = tmp_path / "project"  # a code repo with the knowledge base in kb/
    project.mkdir()
    git(project, "init", "-q", "-b", "main")
    repo = make_repo(project / "kb", kb_toml=KB_TOML, people=PEOPLE, git_init=False)
    names = [
        "clean",
        "stranger-verified",
        "edited",
        "bulk1",
        "bulk2",
        "bulk3",
        "backdated",
        "future",
    ]
    for name in names:
        repo.write(f"{name}.md", card(name, "2026-05-01"))
    repo.write("ghost.md", card("ghost", "2026-05-01", owner="ghost"))
    repo.write("gone.md", card("gone", "2026-05-01", owner="lars"))
    repo.write("olga.md", card("olga", "2026-05-01", owner="olga"))
    repo.write("dep.md", card("dep", "2026-05-01", depends_on='["../docs/api/**"]'))
    repo.write("../docs/api/refunds.md", "v1\n")
    repo.write("team.md", card("team", "2026-05-01", owner="billing"))
    # kb import wrote them (its trailer): each keeps its date, whoever committed it
    repo.commit("import cards\n\nKb-Import: guru", when="2026-05-02T09:00:00Z", **ANA)
    # clean: edited and re-verified by its owner
    repo.write("clean.md", card("clean", "2026-05-03", body="Better steps."))
    repo.commit("improve clean", when="2026-05-03T09:00:00Z", **ANA)
    # a verification by someone who is neither owner nor verifier
    repo.write("stranger-verified.md", card("stranger-verified", "2026-05-04"))
    repo.commit("verify", when="2026-05-04T09:00:00Z", **EVE)
    # edited by a stranger after its verification
    repo.write("edited.md", card("edited", "2026-05-01", body="Changed by eve."))
    repo.commit("edit", when="2026-05-05T09:00:00Z", **EVE)
    # one commit re-stamping three cards without reading them
    for name in ("bulk1", "bulk2", "bulk3"):
        repo.write(f"{name}.md", card(name, "2026-05-06"))
    repo.commit("re-verify all", when="2026-05-06T09:00:00Z", **ANA)
    # backdated: edited on 05-10, then stamped 05-07 in a later commit
    repo.write("backdated.md", card("backdated", "2026-05-01", body="New text."))
    repo.commit("edit", when="2026-05-10T09:00:00Z", **ANA)
    repo.write("backdated.md", card("backdated", "2026-05-07", body="New text."))
    repo.commit("verify", when="2026-05-12T09:00:00Z", **ANA)
    # future: stamped 05-20 in a commit of 05-12
    repo.write("future.md", card("future", "2026-05-20"))
    repo.commit("verify ahead", when="2026-05-12T10:00:00Z", **ANA)
    # a dependency changes after the verification
    repo.write("../docs/api/refunds.md", "v2\n")
    repo.commit("api change", when="2026-05-13T09:00:00Z", **BOB)
    # the team card edited by a team member: no finding
    repo.write("team.md", card("team", "2026-05-01", owner="billing", body="Bob's fix."))
    repo.commit("team edit", when="2026-05-14T09:00:00Z", **BOB)
    return repo


def findings(repo: KbRepo) -> dict[str, set[str]]:
    result = run_kb("--today", TODAY, "report", "--json", cwd=repo.path)
    assert result.exit_code == 0, result.output
    found: dict[str, set[str]] = {}
    for finding in json.loads(result.stdout)["findings"]:
        found.setdefault(finding["path"], set()).add(finding["rule"])
    return found


def test_each_history_rule_fires_on_its_card_and_a_clean_card_has_none(scenario: KbRepo):
    found = findings(scenario)
    assert "clean.md" not in found
    assert "team.md" not in found
    assert found["stranger-verified.md"] == {"verified-by-non-verifier"}
    assert found["edited.md"] == {"edited-since-verified"}
    for name in ("bulk1", "bulk2", "bulk3"):
        assert found[f"{name}.md"] == {"bulk-reverification"}
    assert found["backdated.md"] == {"backdated-verification"}
    assert found["future.md"] == {"future-verification"}
    assert found["dep.md"] == {"dependency-changed"}
    assert found["ghost.md"] == {"owner-unknown"}
    assert found["gone.md"] == {"owner-left"}
    assert found["olga.md"] == {"owner-inactive"}


def test_findings_point_at_the_front_matter_line_and_say_what_to_do(scenario: KbRepo):
    result = run_kb("--today", TODAY, "report", "--json", cwd=scenario.path)
    data = json.loads(result.stdout)
    by_rule = {f["rule"]: f for f in data["findings"]}
    edited = by_rule["edited-since-verified"]
    assert edited["line"] == 4  # the verified_at line
    assert "Eve Moss" in edited["message"] and "kb verify edited.md" in edited["message"]
    assert by_rule["owner-unknown"]["line"] == 3
    dep = by_rule["dependency-changed"]
    assert "../docs/api/refunds.md" in dep["message"] and dep["line"] == 5


def test_kb_toml_changes_severities_and_turns_rules_off(scenario: KbRepo):
    toml = scenario.path / "kb.toml"
    toml.write_text(
        toml.read_text() + '\n[check.rules]\nbulk-reverification = "off"\n'
        '"owner-unknown" = "error"\n'
    )
    result = run_kb("--today", TODAY, "report", "--json", cwd=scenario.path)
    data = json.loads(result.stdout)
    rules = {f["rule"]: f["severity"] for f in data["findings"]}
    assert "bulk-reverification" not in rules
    assert rules["owner-unknown"] == "error"


def test_report_text_markdown_and_owner_filter(scenario: KbRepo):
    text = run_kb("--today", TODAY, "report", cwd=scenario.path)
    assert text.exit_code == 0, text.output
    assert "Trust score" in text.stdout and "bulk-reverification" in text.stdout
    md = run_kb("--today", TODAY, "report", "--format", "markdown", cwd=scenario.path)
    assert md.exit_code == 0, md.output
    assert "## Ana Souza (@ana)" in md.stdout
    # The digest goes to people (the nightly's issues): the verdict's words, not rule ids.
    assert "- [ ] **edited** (`edited.md`): edited by Eve Moss (eve) on 2026-05-05" in md.stdout
    olga = run_kb("--today", TODAY, "report", "--json", "--owner", "olga", cwd=scenario.path)
    data = json.loads(olga.stdout)
    assert [o["owner"] for o in data["owners"]] == ["olga"]
    assert {f["path"] for f in data["findings"]} == {"olga.md"}


def test_trend_is_rebuilt_from_history(tmp_path: Path):
    repo = make_repo(tmp_path / "kb", kb_toml='[verification]\nverify_every = "30d"\n')
    repo.write("a.md", card("a", "2026-01-01"))
    repo.write("b.md", card("b", None))
    repo.commit("add", when="2026-01-02T10:00:00Z")
    repo.write("b.md", card("b", "2026-02-20"))
    repo.commit("verify b", when="2026-02-20T10:00:00Z")
    result = run_kb(
        "--today", "2026-03-06", "report", "--json", "--trend", "--weeks", "10", cwd=repo.path
    )
    assert result.exit_code == 0, result.output
    trend = {p["week_ending"]: p["trust_score"] for p in json.loads(result.stdout)["trend"]}
    assert trend["2026-01-02"] == 0.5  # a verified, b never verified
    assert trend["2026-02-06"] == 0.0  # a expired after 30 days
    assert trend["2026-03-06"] == 0.5  # b verified on 02-20
    chart = run_kb("--today", "2026-03-06", "report", "--trend", cwd=repo.path)
    assert "Trust score by week" in chart.stdout and "2026-03-06" in chart.stdout


def test_history_command_shows_the_timeline(scenario: KbRepo):
    result = run_kb("--today", TODAY, "history", "backdated", cwd=scenario.path)
    assert result.exit_code == 0, result.output
    assert "created" in result.stdout and "edited the text" in result.stdout
    assert "verified (verified_at: 2026-05-07)" in result.stdout
    (scenario.path / "backdated.md").write_text(card("backdated", "2026-05-07", body="wip"))
    dirty = run_kb("--today", TODAY, "history", "backdated", "--json", cwd=scenario.path)
    data = json.loads(dirty.stdout)
    assert data["uncommitted"] is True
    assert data["created"]["handle"] == "ana" and len(data["events"]) == 3


def test_history_through_a_pipe_keeps_each_change_on_one_line(tmp_path: Path) -> None:
    """Piped, the table wrapped at 80 columns mid-phrase ("verified (verified_at:" on one
    line, the date on the next), so grep found neither half."""
    repo = make_repo(tmp_path / "kb")
    repo.write("a.md", "---\ntitle: A\nowner: ana\nverified_at: 2026-05-01\n---\nText.\n")
    repo.commit("a card", when="2026-05-01T10:00:00Z", author="Maintainer Of Docs")
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}  # as a shell pipe has it
    result = kb_process(repo.path, env, "--today", TODAY, "history", "a.md")
    assert result.returncode == 0, result.stderr
    (line,) = [x for x in result.stdout.splitlines() if "2026-05-01 10:00" in x]
    assert line.endswith("created; verified (verified_at: 2026-05-01)")
