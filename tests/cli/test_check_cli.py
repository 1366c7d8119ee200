"""kb check through kb's real entry point, on real git repositories."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import KbRepo, git, make_repo, run_kb

TODAY = "2026-11-22"
PEOPLE = """\
ana:
  name: Ana Souza
  emails: [ana@example.test, test@example.test]
  team: billing
"""


def card(
    title: str,
    *,
    verified: str | None = "2026-11-01",
    owner: str | None = "ana",
    extra: str = "",
    body: str = "Some text.\n",
) -> str:
    lines = ["---", f'title: "{title}"']
    if owner:
        lines.append(f"owner: {owner}")
    lines += ["tags: [billing]", "status: published"]
    if verified:
        lines.append(f"verified_at: {verified}")
    if extra:
        lines.append(extra.rstrip("\n"))
    lines += ["---", f"# {title}", "", body]
    return "\n".join(lines)


@pytest.fixture
def repo(tmp_path: Path) -> KbRepo:
    """A healthy knowledge repo of two linked cards, committed."""
    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    repo.write(
        "billing/refunds.md",
        card("Refunds", body="## Steps\n\nSee [plans](plans.md#changes).\n"),
    )
    repo.write("billing/plans.md", card("Plans", body="## Changes\n\nText.\n"))
    repo.commit("cards", when="2026-11-01T10:00:00Z", email="ana@example.test")
    return repo


def kb(repo: KbRepo, *args: str):
    return run_kb("--today", TODAY, "check", *args, cwd=repo.path)


def line_of(path: Path, key: str) -> int:
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        if text.startswith(f"{key}:"):
            return number
    raise AssertionError(f"{key} not in {path}")


def test_a_healthy_repo_passes(repo: KbRepo):
    result = kb(repo)
    assert result.exit_code == 0, result.output
    assert "0 errors and 0 warnings in 0 of 2 cards" in result.stdout


def test_expired_card_fails_grace_warns_and_kb_verify_fixes_it(repo: KbRepo):
    path = repo.write("billing/old.md", card("Old", verified="2026-08-01"))
    repo.commit("old card", when="2026-08-01T10:00:00Z", email="ana@example.test")

    failed = kb(repo, "--format", "github")
    assert failed.exit_code == 1, failed.output
    annotation = next(line for line in failed.stdout.splitlines() if "title=kb expired" in line)
    assert annotation.startswith("::error file=billing/old.md,")
    assert f"line={line_of(path, 'verified_at')}," in annotation
    assert "expired on 2026-11-01" in annotation

    (repo.path / "kb.toml").write_text('[check]\ngrace = "30d"\n')
    graced = kb(repo)
    assert graced.exit_code == 0, graced.output
    assert "warning" in graced.stdout and "grace period: fails the check from 2026-12-01" in (
        graced.stdout
    )

    (repo.path / "kb.toml").write_text("")
    repo.commit("no grace", when="2026-11-20T10:00:00Z", email="ana@example.test")
    verified = run_kb("--today", TODAY, "verify", "billing/old.md", cwd=repo.path)
    assert verified.exit_code == 0, verified.output
    after = kb(repo)
    assert after.exit_code == 0, after.output
    assert "expired" not in after.stdout


def test_broken_yaml_link_and_kcs_section_each_name_rule_and_line(repo: KbRepo):
    repo.write("billing/bad.md", "---\ntitle: Bad\nowner: [ana\n---\n# Bad\n")
    repo.write(
        "billing/linker.md",
        card("Linker", body="intro\n\nsee [gone](gone.md) and [[No Such Card]]\n"),
    )
    repo.write(
        "billing/kcs.md",
        card("KCS", extra="template: kcs", body="## Issue\n\nx\n\n## Resolution\n\ny\n"),
    )
    repo.commit("more", when="2026-11-02T10:00:00Z", email="ana@example.test")
    result = kb(repo, "--format", "json")
    assert result.exit_code == 1, result.output
    found = {(f["rule"], f["path"], f["line"]) for f in json.loads(result.stdout)["findings"]}
    linker = (repo.path / "billing/linker.md").read_text().splitlines()
    link_line = next(i for i, t in enumerate(linker, 1) if "gone.md" in t)
    # The YAML parser stops where the unclosed list meets the closing '---' line.
    assert ("yaml-syntax", "billing/bad.md", 4) in found
    assert ("broken-link", "billing/linker.md", link_line) in found
    kcs_line = line_of(repo.path / "billing/kcs.md", "template")
    assert ("missing-section", "billing/kcs.md", kcs_line) in found

    text = kb(repo).stdout
    assert "'## Environment'" in text
    assert "wikilink [[No Such Card]] matches no card" in text


def test_rule_severities_per_repo_and_per_folder(repo: KbRepo):
    repo.write("billing/old.md", card("Old", verified="2026-01-01"))
    repo.write("drafts/wip.md", card("WIP", verified="2026-01-01"))
    repo.commit("old", when="2026-11-02T10:00:00Z", email="ana@example.test")
    (repo.path / "kb.toml").write_text(
        '[check.rules]\nexpired = "warning"\n\n[folders.drafts.rules]\nexpired = "off"\n'
    )
    result = kb(repo, "--format", "json")
    assert result.exit_code == 0, result.output
    findings = json.loads(result.stdout)["findings"]
    assert [(f["path"], f["severity"]) for f in findings if f["rule"] == "expired"] == [
        ("billing/old.md", "warning")
    ]
    strict = kb(repo, "--strict")
    assert strict.exit_code == 1
    assert "strict" in strict.stdout


def test_unknown_rule_in_config_exits_2_with_a_suggestion(repo: KbRepo):
    (repo.path / "kb.toml").write_text('[check.rules]\nexipred = "off"\n')
    result = kb(repo)
    assert result.exit_code == 2
    assert "no rule is called 'exipred'; did you mean 'expired'?" in result.stderr
    assert "Traceback" not in result.output


def test_usage_errors_exit_2(repo: KbRepo):
    assert kb(repo, "--format", "xml").exit_code == 2
    assert kb(repo, "--report", "junit").exit_code == 2
    missing = kb(repo, "nope.md")
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_not_a_git_repository_exits_2(tmp_path: Path):
    plain = make_repo(tmp_path / "plain", git_init=False)
    plain.write("a.md", card("A"))
    result = kb(plain)
    assert result.exit_code == 2
    assert "not in a git repository" in result.stderr


def test_depth_1_clone_exits_2_with_the_fix(repo: KbRepo, tmp_path: Path):
    repo.write("billing/more.md", card("More"))
    repo.commit("second", when="2026-11-03T10:00:00Z")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", repo.path.as_uri(), str(clone))
    result = run_kb("--today", TODAY, "check", cwd=clone)
    assert result.exit_code == 2, result.output
    assert "shallow" in result.stderr and "fetch-depth: 0" in result.stderr
    allowed = run_kb("--today", TODAY, "check", "--allow-shallow", cwd=clone)
    assert allowed.exit_code in (0, 1) and "cards" in allowed.stdout


def test_paths_limit_the_cards_checked(repo: KbRepo):
    repo.write("billing/old.md", card("Old", verified="2026-01-01"))
    repo.write("other/old.md", card("Other old", verified="2026-01-01"))
    repo.commit("old", when="2026-11-02T10:00:00Z")
    (repo.path / "README.md").write_text("# Not a card\n")
    result = kb(repo, "other", "README.md")
    assert result.exit_code == 1
    assert "other/old.md" in result.stdout and "billing/old.md" not in result.stdout
    clean = kb(repo, "billing/refunds.md")
    assert clean.exit_code == 0, clean.output


def test_paths_from_the_git_root_find_a_knowledge_repo_in_a_subfolder(tmp_path: Path):
    top = tmp_path / "project"
    top.mkdir()
    git(top, "init", "-q", "-b", "main")
    sub = make_repo(top / "docs" / "kb", git_init=False)
    sub.write("a.md", card("A", verified="2026-01-01"))
    (top / "notes.md").write_text("# not a card\n")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "x")
    result = run_kb(
        "--today", TODAY, "check", "--format", "github", "docs/kb/a.md", "notes.md", cwd=top
    )
    assert result.exit_code == 1, result.output
    # Annotations need paths from the git root.
    assert "::error file=docs/kb/a.md," in result.stdout


def test_changed_since_checks_only_what_the_branch_touched(repo: KbRepo):
    repo.write("billing/old.md", card("Old", verified="2026-01-01"))
    repo.write(
        "billing/linker.md",
        card(
            "Linker",
            verified="2026-01-01",  # expired, but this branch does not touch it
            body="[plans](plans.md) [[Plans]] [[Refunds#Steps]]\n",
        ),
    )
    repo.commit("base", when="2026-11-02T10:00:00Z")
    git(repo.path, "switch", "-q", "-c", "topic")
    git(repo.path, "mv", "billing/plans.md", "billing/pricing.md")
    pricing = repo.path / "billing/pricing.md"
    pricing.write_text(pricing.read_text().replace('"Plans"', '"Pricing"'))
    repo.commit("rename plans", when="2026-11-03T10:00:00Z")
    refunds = repo.path / "billing/refunds.md"
    refunds.write_text(refunds.read_text().replace("## Steps", "## How"))  # uncommitted

    result = kb(repo, "--changed-since", "main", "--format", "json")
    data = json.loads(result.stdout)
    assert result.exit_code == 1, result.output
    paths = {f["path"] for f in data["findings"]}
    # The stale card nobody touched is not this branch's problem...
    assert "billing/old.md" not in paths
    # ...but the links the rename and the heading change broke are.
    broken = [f for f in data["findings"] if f["rule"] == "broken-link"]
    assert {f["path"] for f in broken} == {"billing/linker.md", "billing/refunds.md"}
    assert len([f for f in broken if f["path"] == "billing/linker.md"]) == 3
    # ...and only those: linker.md's own expiry is not this branch's doing.
    assert {f["rule"] for f in data["findings"] if f["path"] == "billing/linker.md"} == {
        "broken-link"
    }
    assert data["scope"] == "cards changed since main"

    full = kb(repo, "--format", "json")
    assert "billing/old.md" in {f["path"] for f in json.loads(full.stdout)["findings"]}


def test_changed_since_an_unknown_ref_exits_2(repo: KbRepo):
    result = kb(repo, "--changed-since", "nope")
    assert result.exit_code == 2
    assert "fetch-depth: 0" in result.stderr


def test_github_step_summary_and_extra_reports(
    repo: KbRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    repo.write("billing/old.md", card("Old | pipes", verified="2026-01-01", owner=None))
    repo.commit("old\n\nKb-Import: guru", when="2026-11-02T10:00:00Z")  # its date kept
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = tmp_path / "reports"
    result = kb(
        repo,
        "--report",
        f"junit={out / 'kb.xml'}",
        "--report",
        f"gitlab={out / 'gl.json'}",
        "--output",
        str(out / "kb.txt"),
    )
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "2 errors" in result.stderr
    text = summary.read_text()
    assert text.startswith("earlier step\n### ")
    assert "| `expired` | error | 1 |" in text and "| `no-owner` | error | 1 |" in text
    assert (out / "kb.xml").read_text().startswith("<?xml")
    assert json.loads((out / "gl.json").read_text())[0]["location"]["path"] == "billing/old.md"
    assert "billing/old.md" in (out / "kb.txt").read_text()


def test_list_rules_shows_configured_severities(repo: KbRepo):
    (repo.path / "kb.toml").write_text('[check.rules]\nbroken-link = "warning"\n')
    result = kb(repo, "--list-rules", "--format", "json")
    assert result.exit_code == 0, result.output
    rules = {r["id"]: r for r in json.loads(result.stdout)}
    assert rules["broken-link"]["severity"] == "warning"
    assert rules["broken-link"]["default"] == "error"
    for rule in ("expired", "missing-section", "yaml-syntax", "edited-since-verified"):
        assert rule in rules


def test_text_output_is_grouped_by_card(repo: KbRepo):
    repo.write("billing/old.md", card("Old", verified="2026-01-01", owner=None))
    repo.commit("old\n\nKb-Import: guru", when="2026-11-02T10:00:00Z")  # its date kept
    lines = kb(repo).stdout.splitlines()
    start = lines.index("billing/old.md  Old")
    assert re.match(r"  \d+:\d+\s+error\s+", lines[start + 1])
    assert lines[-1].startswith("✖ 2 errors and 0 warnings in 1 of 3 cards, all cards")


def test_a_fresh_process_accepts_every_rule_name_in_kb_toml(repo: KbRepo):
    import subprocess
    import sys

    repo.write("billing/linker.md", card("Linker", body="[gone](gone.md)\n"))
    repo.commit("link", when="2026-11-02T10:00:00Z")
    (repo.path / "kb.toml").write_text(
        '[check.rules]\nbroken-link = "off"\nedited-since-verified = "off"\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "kbcli", "--today", TODAY, "check"],
        cwd=repo.path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "gone.md" not in done.stdout


def test_long_interactive_runs_show_a_progress_bar_on_stderr(repo: KbRepo):
    import os
    import pty
    import subprocess
    import sys

    for i in range(30):
        repo.write(f"many/card-{i}.md", card(f"Card {i}"))
    repo.commit("many", when="2026-11-02T10:00:00Z", email="ana@example.test")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")}
    env |= {"KB_PROGRESS_AFTER": "0", "TERM": "xterm", "KB_TODAY": TODAY}
    leader, follower = pty.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "kbcli", "check", "--format", "json"],
        cwd=repo.path,
        env=env,
        stdin=follower,
        stdout=subprocess.PIPE,
        stderr=follower,
        timeout=120,
    )
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert done.returncode == 0, seen.decode(errors="replace")
    assert b"reading cards" in seen
    assert done.stdout.startswith(b"{")  # the bar never mixes into machine output


def test_lints_for_dead_globs_and_leaking_links(repo: KbRepo):
    repo.write("src/api.yaml", "v: 1\n")
    repo.write(
        "billing/deps.md",
        card(
            "Deps",
            extra='depends_on: ["src/*.yaml", "src/gone/**", "docs/old.txt"]',
            body="Before: [old plans](old.md).\n",
        ),
    )
    repo.write(
        "billing/help.md",
        card("Help", extra="audience: public", body="See [refunds](refunds.md).\n"),
    )
    repo.write("billing/old.md", card("Old plans").replace("published", "archived"))
    repo.commit("more cards", when="2026-11-02T10:00:00Z", email="ana@example.test")
    result = kb(repo, "--format", "json")
    assert result.exit_code == 0, result.output  # warnings: the gate stays open
    found = [(f["path"], f["rule"], f["message"]) for f in json.loads(result.stdout)["findings"]]
    dead = [m for p, r, m in found if r == "depends-on-matches-nothing"]
    assert len(dead) == 2  # src/*.yaml matches a file; the other two match nothing
    assert "'src/gone/**'" in dead[0] and "'docs/old.txt'" in dead[1]
    assert [(p, r) for p, r, _ in found if r != "depends-on-matches-nothing"] == [
        ("billing/deps.md", "links-archived"),
        ("billing/help.md", "public-links-internal"),
        ("billing/old.md", "not-published"),  # archived: no answer, though verified
    ]


def test_near_duplicate_published_cards_are_reported(repo: KbRepo):
    steps = (
        "## Steps\n\nOpen the billing console, find the duplicate charge on the invoice, "
        "refund it to the original card and tell the customer it takes five days.\n"
    )
    repo.write("billing/duplicate-charge.md", card("Refund a duplicate charge", body=steps))
    repo.write("billing/double-charge.md", card("Refunding duplicate charges", body=steps))
    repo.commit("two cards", when="2026-11-02T10:00:00Z", email="ana@example.test")
    result = kb(repo, "--format", "json")
    found = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "near-duplicate"]
    assert [f["path"] for f in found] == ["billing/duplicate-charge.md"]
    assert "billing/double-charge.md" in found[0]["message"]
    repo.write("kb.toml", "[check]\nduplicate_similarity = 0\n")
    off = kb(repo, "--format", "json")
    assert not [f for f in json.loads(off.stdout)["findings"] if f["rule"] == "near-duplicate"]
