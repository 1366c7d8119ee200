"""kb import guru|notion: fixture exports built by hand from each vendor's documented
layout, turned into cards that must match the golden files byte for byte."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, KbRepo, git, make_repo, run_kb

FIXTURES = REPO_ROOT / "tests" / "fixtures" / "import"
PEOPLE = """
ana: {name: Ana Souza, emails: [ana@example.test]}
bob: {name: Bob Stone, emails: [bob@example.test]}
"""
TODAY = "2026-11-22"


@pytest.fixture
def repo(tmp_path: Path) -> KbRepo:
    repo = make_repo(tmp_path / "kb", people=PEOPLE)
    repo.commit("start")
    return repo


def zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}")
    return target


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("source", ["guru", "notion", "zendesk", "confluence"])
def test_import_matches_golden_and_a_second_run_changes_nothing(
    repo: KbRepo, tmp_path: Path, source: str
) -> None:
    export = zip_folder(FIXTURES / source, tmp_path / f"{source}.zip")
    result = run_kb("--today", TODAY, "import", source, str(export), cwd=repo.path)
    assert result.exit_code == 0, result.output
    golden = FIXTURES / f"{source}.golden"
    if os.environ.get("KB_UPDATE_GOLDEN"):
        shutil.rmtree(golden, ignore_errors=True)
        shutil.copytree(repo.path / source, golden)
    assert tree(repo.path / source) == tree(golden)
    assert "not mapped:" in result.stderr  # the report of what could not be mapped
    head = git(repo.path, "rev-parse", "HEAD")
    assert f"Kb-Import: {source}" in git(repo.path, "log", "-1", "--format=%B")
    again = run_kb("--today", TODAY, "import", source, str(export), cwd=repo.path)
    assert again.exit_code == 0, again.output
    assert git(repo.path, "rev-parse", "HEAD") == head
    assert git(repo.path, "status", "--porcelain") == ""
    check = run_kb("--today", TODAY, "check", "--format", "json", cwd=repo.path)
    assert check.exit_code in (0, 1), check.output
    # Links kb rewrote resolve; the only broken ones are those it reported as unmapped.
    reported = result.stderr.count("points at nothing") + result.stderr.count("no such heading")
    assert check.stdout.count('"broken-link"') == reported


def test_guru_maps_verifiers_dates_boards_and_strips_scripts(repo: KbRepo) -> None:
    result = run_kb("--today", TODAY, "import", "guru", str(FIXTURES / "guru"), cwd=repo.path)
    assert result.exit_code == 0, result.output
    card = (repo.path / "guru/billing/refund-policy.md").read_text()
    assert "owner: ana\n" in card and "verified_at: 2026-10-01\n" in card
    assert "alert(" not in card
    # A "|" inside a table cell stays escaped: the row keeps its two columns.
    row = next(line for line in card.splitlines() if "Trial" in line)
    assert row.replace("\\|", "").count("|") == 3, row
    assert "carol@elsewhere.test is not in people.yaml" in result.stderr


@pytest.mark.parametrize(
    "source, member, why",
    [
        ("guru", "../evil.md", "escapes the export folder"),
        ("guru", "/etc/evil.md", "has an absolute path"),
        ("guru", "link.md", "is a symbolic link"),
        ("zendesk", "../evil.md", "escapes the export folder"),
        ("confluence", "../evil.md", "escapes the export folder"),
        ("notion", "../evil.md", "escapes the export folder"),
    ],
)
def test_an_unsafe_zip_is_refused_and_nothing_is_written(
    repo: KbRepo, tmp_path: Path, source: str, member: str, why: str
) -> None:
    bad = zip_folder(FIXTURES / source, tmp_path / "bad.zip")
    with zipfile.ZipFile(bad, "a") as archive:
        info = zipfile.ZipInfo(member)
        if member == "link.md":
            info.external_attr = 0o120777 << 16
        archive.writestr(info, "# evil\n")
    head = git(repo.path, "rev-parse", "HEAD")
    result = run_kb("import", source, str(bad), cwd=repo.path)
    assert result.exit_code == 2, result.output
    assert why in result.stderr
    assert git(repo.path, "rev-parse", "HEAD") == head
    assert git(repo.path, "status", "--porcelain", "--untracked-files=all") == ""
    assert not (tmp_path / "evil.md").exists()


def test_zendesk_maps_authors_sections_drafts_and_audience(repo: KbRepo) -> None:
    result = run_kb("--today", TODAY, "import", "zendesk", str(FIXTURES / "zendesk"), cwd=repo.path)
    assert result.exit_code == 0, result.output
    account = repo.path / "zendesk/getting-started/your-account"
    public = (account / "reset-your-password.md").read_text()
    assert "owner: ana\n" in public and "audience: public\n" in public
    assert "document.cookie" not in public  # sanitised: no script reaches a card
    # An article restricted to a user segment is not published to customers by kb either.
    restricted = (account / "escalating-a-locked-account.md").read_text()
    assert "audience:" not in restricted
    assert "visible only to user segment 400001; kept internal" in result.stderr
    draft = (account / "security/set-up-two-factor-authentication.md").read_text()
    assert "status: draft\n" in draft
    # Attachments Zendesk lists below the article are copied and linked too.
    assert (account / "security/set-up-two-factor-authentication.recovery-codes.pdf").is_file()
    # A link to an article that is not in the export is reported, not silently kept.
    assert "360000000099-Contact-support is not in the export" in result.stderr
    assert "carol@elsewhere.test is not in people.yaml" in result.stderr
    # A link to a heading the article does not have is kept and reported.
    assert "360000000001#h_02: that page has no such heading" in result.stderr


def test_confluence_maps_the_page_tree_authors_anchors_and_attachment_names(
    repo: KbRepo,
) -> None:
    export = FIXTURES / "confluence"
    result = run_kb("--today", TODAY, "import", "confluence", str(export), cwd=repo.path)
    assert result.exit_code == 0, result.output
    root = repo.path / "confluence"
    # The space home is the top; its children's folders follow the breadcrumbs below it.
    assert (root / "support-home.md").is_file()
    runbooks = (root / "runbooks.md").read_text()
    assert "owner: bob\n" in runbooks and "source_updated: 2026-10-01\n" in runbooks
    # A link to a Confluence heading id lands on kb's anchor for that heading.
    assert "(runbooks/restart-the-queue.md#when-it-stalls)" in runbooks
    page = (root / "runbooks/restart-the-queue.md").read_text()
    assert "(../support-home.md)" in page  # viewpage.action?pageId= of a page in the export
    assert "alert(" not in page
    # Attachments keep the names people know, not Confluence's attachment ids.
    assert (root / "runbooks/restart-the-queue.dashboard.png").is_file()
    assert (root / "runbooks/restart-the-queue.queue-runbook.pdf").is_file()
    assert "author Carol Reyes is not in people.yaml" in result.stderr
    assert "Old-runbook_65999.html points at nothing" in result.stderr


@pytest.mark.parametrize("source", ["zendesk", "confluence"])
def test_an_export_of_another_tool_is_refused(repo: KbRepo, source: str) -> None:
    result = run_kb("import", source, str(FIXTURES / "guru"), cwd=repo.path)
    assert result.exit_code == 2, result.output
    assert "is it" in result.stderr
    assert git(repo.path, "status", "--porcelain", "--untracked-files=all") == ""


def test_an_unknown_source_is_a_usage_error(repo: KbRepo) -> None:
    result = run_kb("import", "sharepoint", str(FIXTURES / "guru"), cwd=repo.path)
    assert result.exit_code == 2
    assert "guru" in result.stderr


@pytest.mark.parametrize(
    "source, member",
    [
        ("guru", "cards/bomb.yaml"),
        ("notion", "Bomb 0123456789abcdef0123456789abcdef.md"),
        ("zendesk", "bomb.json"),
        ("confluence", "Bomb_99999.html"),
    ],
)
def test_every_importer_reads_zips_within_the_zip_bomb_limits(
    repo: KbRepo, tmp_path: Path, source: str, member: str
) -> None:
    """A page that inflates 1000:1 (4 MiB of one byte) is refused with the numbers,
    before anything is written: every source reads its zip through the bounded reader."""
    bomb = zip_folder(FIXTURES / source, tmp_path / "bomb.zip")
    with zipfile.ZipFile(bomb, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{source}/{member}", b" " * (4 << 20))
    result = run_kb("import", source, str(bomb), cwd=repo.path)
    assert result.exit_code == 2, result.output
    assert "refusing a zip bomb" in result.stderr
    assert git(repo.path, "status", "--porcelain", "--untracked-files=all") == ""


def test_zendesk_json_of_odd_shapes_is_read_or_refused_never_a_crash(
    repo: KbRepo, tmp_path: Path
) -> None:
    export = tmp_path / "odd"
    export.mkdir()
    (export / "articles.json").write_text(
        '{"articles": [{"id": 1, "title": "Odd", "body": "<p>Text</p>", "section_id": [7],'
        ' "author_id": {"id": 2}, "label_names": "single label", "locale": "en-us"},'
        ' "not an article", {"id": true, "title": "Flag id", "body": null,'
        ' "label_names": 5, "section_id": 9}],'
        ' "users": 5, "sections": [{"id": 9, "name": "Nine", "parent_section_id": 9}]}',
        encoding="utf-8",
    )
    (export / "broken.json").write_text("{", encoding="utf-8")
    refused = run_kb("import", "zendesk", str(export), cwd=repo.path)
    assert refused.exit_code == 2, refused.output
    assert "broken.json is not valid JSON" in refused.stderr
    (export / "broken.json").unlink()
    result = run_kb("import", "zendesk", str(export), "--owner", "ana", cwd=repo.path)
    assert result.exit_code == 0, result.output
    odd = (repo.path / "zendesk/odd.md").read_text()
    assert "- single-label" in odd
    assert (repo.path / "zendesk/nine/flag-id.md").is_file()  # a section that is its own parent


def test_quiet_import_prints_only_what_could_not_be_mapped(repo: KbRepo) -> None:
    result = run_kb("import", "confluence", str(FIXTURES / "confluence"), "-q", cwd=repo.path)
    assert result.exit_code == 0, result.output
    assert (repo.path / "confluence/support-home.md").is_file()
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("kb: not mapped: ") for line in lines), lines
