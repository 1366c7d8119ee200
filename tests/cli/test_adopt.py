"""kb adopt, kb people suggest, kb reassign --from none, kb verify FOLDER/GLOB: real repos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import KbRepo, git, make_repo, run_kb

TODAY = "2026-11-22"
PEOPLE = """
ana: {name: Ana Souza, emails: [ana@example.test], team: docs}
bob: {name: Bob Stone, emails: [bob@example.test], team: docs}
eve: {name: Eve Moss, emails: [eve@example.test]}
dmitri: {name: Dmitri Volkov, emails: [dmitri@example.test], left: 2026-06-30}
"""
CODEOWNERS = """\
# docs are the docs team's
/guides/            @acme/docs
/guides/billing/    @eve        # billing guides: Eve (last match wins)
/guides/legacy/
"""
KB_TOML = """
[adopt]
owner = "ana"

[folders.notes]
owner = "bob"

[history]
bulk_threshold = 3
"""
WITH_HEADER = """---
title: Existing   # a comment that must stay
keywords: [refunds]
---
# Existing

Body.
"""


def commit_as(repo: KbRepo, message: str, who: str, when: str = "2026-10-01T10:00:00Z") -> str:
    name, email = {
        "ana": ("Ana Souza", "ana@example.test"),
        "bob": ("Bob Stone", "bob@example.test"),
        "dmitri": ("Dmitri Volkov", "dmitri@example.test"),
        "zed": ("Zed Stranger", "zed@example.test"),
    }[who]
    return repo.commit(message, when=when, author=name, email=email)


@pytest.fixture
def docs(tmp_path: Path) -> KbRepo:
    """Markdown without kb front matter, a CODEOWNERS file and a history by several people."""
    repo = make_repo(tmp_path / "kb", kb_toml=KB_TOML, people=PEOPLE)
    repo.write("CODEOWNERS", CODEOWNERS)
    repo.write("guides/setup.md", "# Set up\n\nInstall it.\n")
    repo.write("guides/billing/refunds.md", "# Refunds\r\n\r\nCRLF text.\r\n")
    repo.write("guides/legacy/old.md", "# Old\n\nOld text.\n")
    repo.write("runbooks/deploy.md", "Deploy steps without a heading.\n")
    repo.write("runbooks/rollback.md", "# Rollback\n")
    repo.write("notes/idea.md", "# Idea\n")
    repo.write("faq/existing.md", WITH_HEADER)
    commit_as(repo, "import docs", "zed", "2026-09-01T10:00:00Z")
    repo.write("runbooks/deploy.md", "Deploy steps without a heading.\nMore.\n")
    commit_as(repo, "deploy: more", "bob")
    repo.write("runbooks/deploy.md", "Deploy steps without a heading.\nMore.\nEven more.\n")
    commit_as(repo, "deploy: even more", "bob")
    repo.write("runbooks/rollback.md", "# Rollback\n\nSteps.\n")
    commit_as(repo, "rollback", "dmitri")
    repo.write("guides/legacy/old.md", "# Old\n\nOld text, edited.\n")
    commit_as(repo, "legacy", "ana")
    return repo


def plan(repo: KbRepo, *args: str) -> dict[str, dict[str, object]]:
    result = run_kb("--today", TODAY, "adopt", "--json", *args, cwd=repo.path)
    assert result.exit_code == 0, result.output
    return {row["path"]: row for row in json.loads(result.stdout)["files"]}


def test_plan_gives_every_file_an_owner_with_its_evidence(docs: KbRepo) -> None:
    rows = plan(docs)
    assert set(rows) == {
        "guides/setup.md",
        "guides/billing/refunds.md",
        "guides/legacy/old.md",
        "runbooks/deploy.md",
        "runbooks/rollback.md",
        "notes/idea.md",
        "faq/existing.md",
    }
    assert all(row["owner"] and row["reason"] for row in rows.values())
    # CODEOWNERS: a team through the roster, and the last matching rule wins.
    assert rows["guides/setup.md"]["owner"] == "docs"
    assert "CODEOWNERS:2" in str(rows["guides/setup.md"]["reason"])
    assert rows["guides/billing/refunds.md"]["owner"] == "eve"
    # A CODEOWNERS rule with no owner falls through to the history of the file.
    assert rows["guides/legacy/old.md"]["source"] == "history"
    assert rows["guides/legacy/old.md"]["owner"] == "ana"
    # Most commits to the file; the stranger who imported everything is not in the roster.
    assert rows["runbooks/deploy.md"]["owner"] == "bob"
    assert "2 of 3 commits" in str(rows["runbooks/deploy.md"]["reason"])
    # Dmitri left: his commits do not make him the owner; the folder's history decides.
    assert rows["runbooks/rollback.md"]["owner"] == "bob"
    assert rows["runbooks/rollback.md"]["source"] == "folder-history"
    assert rows["notes/idea.md"]["source"] == "folder-default"
    assert rows["notes/idea.md"]["owner"] == "bob"
    assert rows["faq/existing.md"]["owner"] == "ana"
    assert "[adopt] owner" in str(rows["faq/existing.md"]["reason"])
    assert rows["faq/existing.md"]["adds"] == ["owner", "status", "tags"]
    assert git(docs.path, "status", "--porcelain") == ""  # the plan writes nothing


def test_apply_adds_only_front_matter_in_one_commit(docs: KbRepo) -> None:
    before = {p: (docs.path / p).read_bytes() for p in plan(docs)}
    head = git(docs.path, "rev-parse", "HEAD").strip()
    result = run_kb("--today", TODAY, "adopt", "--apply", cwd=docs.path)
    assert result.exit_code == 0, result.output
    assert git(docs.path, "rev-list", "--count", f"{head}..HEAD").strip() == "1"
    numstat = git(docs.path, "show", "--numstat", "--format=", "HEAD").split("\n")
    changed = [line.split("\t") for line in numstat if line]
    assert {c[2] for c in changed} == set(before)
    assert all(c[1] == "0" for c in changed), "the adoption commit deleted lines"
    for path, old in before.items():
        new = (docs.path / path).read_bytes()
        if old.startswith(b"---"):
            assert (
                new.replace(b"owner: ana\n", b"")
                .replace(b"tags: [faq]\n", b"")
                .replace(b"status: published\n", b"")
                == old
            )
        else:
            assert new.endswith(old)
    crlf = (docs.path / "guides/billing/refunds.md").read_bytes()
    assert crlf.startswith(b"---\r\ntitle: Refunds\r\nowner: eve\r\n")
    assert b"\n" not in crlf.replace(b"\r\n", b"")
    message = git(docs.path, "log", "-1", "--format=%B")
    assert "Kb-Adopt: cards" in message
    check = run_kb("--today", TODAY, "check", "--format", "json", cwd=docs.path)
    rules = {f["rule"] for f in json.loads(check.stdout)["findings"]}
    assert "no-owner" not in rules
    again = run_kb("--today", TODAY, "adopt", "--apply", cwd=docs.path)
    assert again.exit_code == 0, again.output
    assert git(docs.path, "rev-list", "--count", f"{head}..HEAD").strip() == "1"


def test_baseline_is_not_reported_as_a_bulk_reverification(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb", kb_toml=KB_TOML, people=PEOPLE)
    for n in range(4):  # headers with everything but verified_at: the baseline only stamps
        repo.write(
            f"guides/g{n}.md",
            f"---\ntitle: G{n}\nowner: ana\ntags: [guides]\nstatus: published\n---\nText {n}.\n",
        )
    commit_as(repo, "guides", "ana")
    result = run_kb("--today", TODAY, "adopt", "--apply", "--baseline", cwd=repo.path)
    assert result.exit_code == 0, result.output
    assert "Kb-Adopt: baseline" in git(repo.path, "log", "-1", "--format=%(trailers)")
    report = run_kb("--today", TODAY, "report", "--json", cwd=repo.path)
    assert report.exit_code == 0, report.output
    assert "bulk-reverification" not in report.stdout
    assert json.loads(report.stdout)["states"]["verified"] == 4
    assert json.loads(report.stdout)["adoption_baselines"] == [{"date": TODAY, "cards": 4}]
    text = run_kb("--today", TODAY, "report", cwd=repo.path).stdout
    assert f"adopted baseline on {TODAY}: 4 card(s)" in text
    # The rule itself still works: a plain bulk re-stamp of the same cards is reported.
    for n in range(4):
        path = repo.path / f"guides/g{n}.md"
        text = path.read_text().replace(f"verified_at: {TODAY}", "verified_at: 2026-11-21")
        path.write_text(text)
    commit_as(repo, "restamp all", "ana", "2026-11-21T10:00:00Z")
    report = run_kb("--today", TODAY, "report", "--json", cwd=repo.path)
    assert "bulk-reverification" in report.stdout


def test_a_baseline_counts_after_earlier_runs_cached_the_history(tmp_path: Path) -> None:
    """The baseline commits are kept under .kb/ by history tip: a run before the
    baseline, or a damaged file, never hides a baseline committed since."""
    repo = make_repo(tmp_path / "kb", kb_toml=KB_TOML, people=PEOPLE)
    for n in range(4):
        repo.write(
            f"guides/g{n}.md",
            f"---\ntitle: G{n}\nowner: ana\ntags: [guides]\nstatus: published\n---\nText {n}.\n",
        )
    commit_as(repo, "guides", "ana")
    before = run_kb("--today", TODAY, "report", "--json", cwd=repo.path)
    assert json.loads(before.stdout)["states"]["verified"] == 0
    assert run_kb("--today", TODAY, "adopt", "--apply", "--baseline", cwd=repo.path).exit_code == 0
    report = run_kb("--today", TODAY, "report", "--json", cwd=repo.path)
    assert "bulk-reverification" not in report.stdout
    assert json.loads(report.stdout)["states"]["verified"] == 4
    (repo.path / ".kb" / "baselines.marshal").write_bytes(b"\x00damaged")
    again = run_kb("--today", TODAY, "report", "--json", cwd=repo.path)
    assert again.stdout == report.stdout


def test_people_suggest_lists_unknown_authors_merged(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    repo.write("a.md", "# A\n")
    repo.commit("a", author="Zed Stranger", email="zed@example.test")
    repo.write("b.md", "# B\n")
    repo.commit("b", author="Zed Stranger", email="zed@home.test")
    repo.write("c.md", "# C\n")
    repo.commit("c", author="Ana Souza", email="ana@example.test")
    result = run_kb("people", "suggest", "--json", cwd=repo.path)
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert [p["handle"] for p in found] == ["zed-stranger"]
    assert sorted(found[0]["emails"]) == ["zed@example.test", "zed@home.test"]
    assert found[0]["commits"] == 2
    text = run_kb("people", "suggest", cwd=repo.path).stdout
    (repo.path / "people.yaml").write_text(PEOPLE + text)
    assert json.loads(run_kb("people", "suggest", "--json", cwd=repo.path).stdout) == []


def test_reassign_from_none_takes_unowned_cards(docs: KbRepo) -> None:
    result = run_kb("reassign", "--from", "none", "--to", "eve", "runbooks/", cwd=docs.path)
    assert result.exit_code == 0, result.output
    for name in ("deploy", "rollback"):
        text = (docs.path / f"runbooks/{name}.md").read_text()
        assert text.startswith("---\nowner: eve\n---\n")
    assert "owner" not in (docs.path / "notes/idea.md").read_text()


def test_verify_takes_folders_and_globs_and_still_refuses_strangers(
    docs: KbRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run_kb("--today", TODAY, "adopt", "--apply", cwd=docs.path).exit_code == 0
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Bob Stone")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "bob@example.test")
    result = run_kb("--today", TODAY, "verify", "runbooks/", "notes/*.md", cwd=docs.path)
    assert result.exit_code == 0, result.output
    for path in ("runbooks/deploy.md", "runbooks/rollback.md", "notes/idea.md"):
        assert f"verified_at: {TODAY}" in (docs.path / path).read_text()
    refused = run_kb("--today", TODAY, "verify", "guides/", cwd=docs.path)
    assert refused.exit_code == 1
    assert "neither owner nor verifier" in refused.stderr


def test_a_path_outside_the_card_folders_says_which_folders(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb", kb_toml='[cards]\nfolders = ["docs"]\n')
    repo.write("docs/a.md", "# A\n")
    repo.write("other/b.md", "# B\n")
    result = run_kb("adopt", "other/b.md", cwd=repo.path)
    assert result.exit_code == 2
    assert "[cards] folders = docs" in result.stderr


def test_bots_are_never_suggested_as_owners_or_people(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb", people="")
    repo.write("a.md", "# A\n")
    repo.commit("a", author="Ana Souza", email="ana@example.test", when="2026-10-01T10:00:00Z")
    bot = ("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com")
    for n in range(3):
        repo.write("a.md", f"# A\n\nBuild {n}.\n")
        repo.commit(f"sync {n}", author=bot[0], email=bot[1], when="2026-10-02T10:00:00Z")
    repo.write("a.md", "# A\n\nBumped.\n")
    repo.commit(
        "bump", author="dependabot", email="support@dependabot.test", when="2026-10-03T10:00:00Z"
    )
    suggested = run_kb("people", "suggest", "--json", cwd=repo.path)
    assert suggested.exit_code == 0, suggested.output
    assert [p["name"] for p in json.loads(suggested.stdout)] == ["Ana Souza"]
    (repo.path / "people.yaml").write_text(
        "ana:\n  name: Ana Souza\n  emails: [ana@example.test]\n"
        "github-actions-bot:\n  name: github-actions[bot]\n"
        '  emails: ["41898282+github-actions[bot]@users.noreply.github.com"]\n'
    )
    rows = plan(repo)
    assert rows["a.md"]["owner"] == "ana", rows["a.md"]


def test_a_roster_of_thousands_of_suggested_people_loads(tmp_path: Path) -> None:
    """kb people suggest >> people.yaml on a big open-source repo writes a roster far
    larger than any card header: it must load (the tldr-pages bundle: 2,658 authors)."""
    people = "".join(
        f"person-{n}:  # 3 commit(s), last 2026-01-01\n  name: Person {n}\n"
        f'  emails: ["person-{n}@example.test", "p{n}@home.test"]\n'
        for n in range(3000)
    )
    repo = make_repo(tmp_path / "kb", people=people)
    repo.write("a.md", "---\ntitle: A\nowner: person-7\n---\nText.\n")
    repo.commit("a card", author="Person 7", email="p7@home.test")
    assert len(people) > 64 * 1024
    result = run_kb("people", "suggest", "--json", cwd=repo.path)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == []  # Person 7 is known by a second e-mail


def test_apply_refuses_files_with_uncommitted_changes(docs: KbRepo) -> None:
    """The adoption commit says it adds only front matter: an edit in progress, or a file
    git does not track yet, would enter it unseen by the history rules."""
    head = git(docs.path, "rev-parse", "HEAD").strip()
    (docs.path / "guides/setup.md").write_text("# Set up\n\nInstall it. Edit in progress.\n")
    docs.write("guides/new.md", "# New\n\nNever committed.\n")
    result = run_kb("--today", TODAY, "adopt", "--apply", cwd=docs.path)
    assert result.exit_code == 2, result.output
    assert "guides/setup.md" in result.stderr and "guides/new.md" in result.stderr
    assert "commit" in result.stderr
    assert git(docs.path, "rev-parse", "HEAD").strip() == head
    assert "owner" not in (docs.path / "runbooks/deploy.md").read_text()  # nothing written
    # The files without changes are adopted when the others are left out...
    done = run_kb("--today", TODAY, "adopt", "--apply", "runbooks/", cwd=docs.path)
    assert done.exit_code == 0, done.output
    assert "Edit in progress" not in git(docs.path, "show", "HEAD")
    # ... and --no-commit only edits, so nothing is hidden in a commit.
    edit = run_kb("--today", TODAY, "adopt", "--apply", "--no-commit", "guides/", cwd=docs.path)
    assert edit.exit_code == 0, edit.output
    assert "owner: docs" in (docs.path / "guides/setup.md").read_text()


def test_a_second_adoption_does_not_count_kbs_own_commits_as_authorship(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Zed, whom the roster does not know, wrote the page: the first adoption finds no
    # owner for it. Ana runs kb adopt; her adoption commit adds front matter only, so a
    # second run must not read it as Ana writing the page and propose her as its owner.
    from tests.helpers import as_user

    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    repo.write("guides/setup.md", "# Set up\n\nInstall it.\n")
    commit_as(repo, "docs", "zed")
    as_user(monkeypatch, "Ana Souza", "ana@example.test")
    first = plan(repo)["guides/setup.md"]
    assert first["owner"] is None
    applied = run_kb("--today", TODAY, "adopt", "--apply", cwd=repo.path)
    assert applied.exit_code == 0, applied.output
    assert "Kb-Adopt: cards" in git(repo.path, "log", "-1", "--format=%B")
    again = plan(repo).get("guides/setup.md")  # still no owner: nothing left to add
    assert again is None, again
