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


@pytest.mark.parametrize("source", ["guru", "notion"])
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
    assert check.stdout.count('"broken-link"') == result.stderr.count("points at nothing")


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
    "member, why",
    [
        ("../evil.md", "escapes the export folder"),
        ("/etc/evil.md", "has an absolute path"),
        ("link.md", "is a symbolic link"),
    ],
)
def test_an_unsafe_zip_is_refused_and_nothing_is_written(
    repo: KbRepo, tmp_path: Path, member: str, why: str
) -> None:
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("cards/a.yaml", "Title: A\n")
        archive.writestr("cards/a.md", "A\n")
        info = zipfile.ZipInfo(member)
        if member == "link.md":
            info.external_attr = 0o120777 << 16
        archive.writestr(info, "# evil\n")
    head = git(repo.path, "rev-parse", "HEAD")
    result = run_kb("import", "guru", str(bad), cwd=repo.path)
    assert result.exit_code == 2, result.output
    assert why in result.stderr
    assert git(repo.path, "rev-parse", "HEAD") == head
    assert git(repo.path, "status", "--porcelain", "--untracked-files=all") == ""
    assert not (tmp_path / "evil.md").exists()


def test_an_unknown_source_is_a_usage_error(repo: KbRepo) -> None:
    result = run_kb("import", "sharepoint", str(FIXTURES / "guru"), cwd=repo.path)
    assert result.exit_code == 2
    assert "guru" in result.stderr
