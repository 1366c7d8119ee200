"""kb check --queries: golden search queries fail CI when a card stops being found."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_check_cli import PEOPLE, TODAY, card
from tests.helpers import git, make_repo, run_kb

QUERIES = """\
# Questions support asks every week.
- query: refund a duplicate charge
  expect: billing/refunds.md
  top_k: 1
- query: reset two factor authentication
  expect: [accounts/2fa.md]
"""


def test_golden_queries_pass_then_fail_after_a_rename(tmp_path: Path):
    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    repo.write(
        "billing/refunds.md",
        card("Refund a duplicate charge", body="Refund the duplicate charge in Stripe.\n"),
    )
    repo.write(
        "accounts/2fa.md",
        card("Reset two-factor authentication", body="Reset 2FA after identity checks.\n"),
    )
    repo.write("billing/plans.md", card("Plan changes", body="Upgrade or downgrade a plan.\n"))
    queries = repo.write("golden.yaml", QUERIES)
    repo.commit("cards", when="2026-11-01T10:00:00Z", email="ana@example.test")

    passed = run_kb("--today", TODAY, "check", "--queries", str(queries), cwd=repo.path)
    assert passed.exit_code == 0, passed.output
    assert "0 of 2 golden queries failed" in passed.stdout

    git(repo.path, "mv", "billing/refunds.md", "billing/money-back.md")
    failed = run_kb(
        "--today", TODAY, "check", "--queries", "golden.yaml", "--format", "json", cwd=repo.path
    )
    assert failed.exit_code == 1, failed.output
    data = json.loads(failed.stdout)
    # only the golden query fails the run; the rename is not committed, so the card's
    # stamp is not in any commit of its new path yet (a warning)
    assert [f["rule"] for f in data["findings"]] == ["uncommitted-verification"]
    (miss,) = [g for g in data["golden"] if not g["passed"]]
    assert miss["query"] == "refund a duplicate charge"
    assert "billing/refunds.md is no card (renamed or deleted?)" in miss["message"]

    github = run_kb(
        "--today", TODAY, "check", "--queries", "golden.yaml", "--format", "github", cwd=repo.path
    )
    assert "::error file=golden.yaml,line=2,title=kb golden-query::" in github.stdout


def test_a_bad_golden_file_exits_2_with_file_and_line(tmp_path: Path):
    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    repo.write("a.md", card("A"))
    repo.write("golden.yaml", "- query: x\n  expect: a.md\n- query: y\n  top_k: 0\n")
    repo.commit("x", when="2026-11-01T10:00:00Z")
    result = run_kb("--today", TODAY, "check", "--queries", "golden.yaml", cwd=repo.path)
    assert result.exit_code == 2
    assert "golden.yaml:3" in result.stderr
    missing = run_kb("--today", TODAY, "check", "--queries", "nope.yaml", cwd=repo.path)
    assert missing.exit_code == 2 and "no such file" in missing.stderr
