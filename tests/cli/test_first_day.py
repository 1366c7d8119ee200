"""The rough edges a team adopting kb hits in its first hour (issue 14, "Polish")."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import KbRepo, copy_example, git, make_repo, run_kb

CARD = "---\ntitle: {title}\nowner: ana\nverified_at: 2026-11-01\n---\n{body}\n"


def test_init_does_not_list_its_templates_readme_as_a_template(tmp_path: Path) -> None:
    assert run_kb("init", str(tmp_path / "kb"), "--no-git").exit_code == 0
    listed = run_kb("--kb", str(tmp_path / "kb"), "templates")
    assert listed.exit_code == 0, listed.output
    assert "README" not in listed.stdout
    assert "howto" in listed.stdout


def test_a_copied_example_kb_ignores_kb_caches(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "example-kb")
    git(root, "init", "-q", "-b", "main")
    assert run_kb("--kb", str(root), "index").exit_code == 0
    assert (root / ".kb").is_dir()
    assert ".kb" not in git(root, "status", "--porcelain", "--untracked-files=all")


def test_build_refuses_to_write_into_a_card_folder_unless_forced(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb", kb_toml='[cards]\nfolders = ["docs"]\n')
    repo.write("docs/a.md", CARD.format(title="A", body="Text."))
    repo.commit("a card")
    refused = run_kb("build", "--out", "docs/site", "--no-search", cwd=repo.path)
    assert refused.exit_code == 2
    assert "card folder docs" in refused.stderr and "--force" in refused.stderr
    assert not (repo.path / "docs/site").exists()
    forced = run_kb("build", "--out", "docs/site", "--no-search", "--force", "-q", cwd=repo.path)
    assert forced.exit_code == 0, forced.output
    assert (repo.path / "docs/site/index.html").is_file()
    assert forced.stdout == ""  # -q: no summary


def test_build_refuses_a_folder_that_holds_cards_when_every_folder_is_a_card_folder(
    kb_repo: KbRepo,
) -> None:
    kb_repo.write("billing/a.md", CARD.format(title="A", body="Text."))
    kb_repo.commit("a card")
    refused = run_kb("build", "--out", "billing", "--no-search", cwd=kb_repo.path)
    assert refused.exit_code == 2 and "1 card(s)" in refused.stderr
    fine = run_kb("build", "--out", "site", "--no-search", cwd=kb_repo.path)
    assert fine.exit_code == 0, fine.output


def test_check_accepts_json_and_quiet(kb_repo: KbRepo) -> None:
    kb_repo.write("a.md", "---\ntitle: A\n---\nText.\n")  # no owner: one error
    kb_repo.commit("a card")
    result = run_kb("--kb", str(kb_repo.path), "check", "--json", "-q")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert "no-owner" in json.dumps(data)
    assert "kb check:" not in result.stderr  # -q: no verdict line on stderr
    text = run_kb("--kb", str(kb_repo.path), "check", "--quiet")
    assert text.exit_code == 1
    assert "no-owner" in text.stdout
    assert "kb check" not in text.output and "error" not in text.stdout.splitlines()[-1][:2]
    assert "1 error" not in text.stdout


def test_a_mistyped_search_option_is_a_usage_error_with_a_suggestion(kb_repo: KbRepo) -> None:
    from kbcli.cli.fast_search import parse

    kb_repo.write("a.md", CARD.format(title="Refunds", body="Refund the charge."))
    kb_repo.commit("a card")
    assert parse(["search", "--paths-onyl", "refund"]) is None  # the fast path hands it on
    result = run_kb("--kb", str(kb_repo.path), "search", "--paths-onyl", "refund")
    assert result.exit_code == 2, result.output
    assert "--paths-onyl" in result.stderr and "--paths-only" in result.stderr
    excluded = run_kb("--kb", str(kb_repo.path), "search", "refund", "-stripe")
    assert excluded.exit_code == 0, excluded.output  # single-dash words still exclude
    # After "--" every word is a word, through typer as through the fast path.
    assert parse(["search", "--json", "--", "--paths-onyl"]) is not None
    literal = run_kb("--kb", str(kb_repo.path), "search", "--json", "--", "--paths-onyl")
    assert literal.exit_code in (0, 1), literal.output
    assert "No such option" not in literal.stderr


def test_list_and_report_print_one_record_per_line_in_a_pipe(kb_repo: KbRepo) -> None:
    deep = "support/escalations/enterprise-accounts/very-long-folder-name/refund-of-a-duplicate.md"
    kb_repo.write(deep, "---\ntitle: Refund a duplicate charge\n---\nText.\n")  # no owner
    kb_repo.write("a.md", CARD.format(title="A", body="Text."))
    kb_repo.commit("cards")
    listed = run_kb("--kb", str(kb_repo.path), "--today", "2026-11-05", "list")
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert [r[1] for r in rows] == ["a.md", deep]
    assert rows[1][2] == "Refund a duplicate charge" and rows[0][3] == "ana"
    report = run_kb("--kb", str(kb_repo.path), "--today", "2026-11-05", "report")
    urgent = [line for line in report.stdout.splitlines() if line.startswith("urgent\t")]
    assert any(line.split("\t")[2] == deep for line in urgent), report.stdout
    assert any(line.startswith("finding\t1\tno-owner\t") for line in report.stdout.splitlines())
    # The summary's lines are longer than 80 columns: in a pipe they stay whole.
    summary = report.stdout.splitlines()[2].strip()
    assert summary.startswith("verified ") and summary.endswith("; 1 with no owner"), summary


def test_an_untouched_howto_card_does_not_publish_and_its_hints_are_not_searchable(
    kb_repo: KbRepo,
) -> None:
    kb_repo.write("people.yaml", "ana:\n  name: Ana Souza\n  emails: [ana@example.test]\n")
    kb_repo.commit("roster")
    made = run_kb(
        "new",
        "-T",
        "howto",
        "-t",
        "Export time sheets",
        "--owner",
        "ana",
        "--no-edit",
        cwd=kb_repo.path,
    )
    assert made.exit_code == 0, made.output
    (path,) = [p for p in kb_repo.path.glob("*.md")]
    text = path.read_text(encoding="utf-8")
    assert "# Export time sheets" not in text  # templates write no title heading
    published = run_kb("publish", path.name, "--no-commit", cwd=kb_repo.path)
    assert published.exit_code == 1, published.output
    assert "Steps" in published.output
    checked = run_kb("check", "--format", "json", cwd=kb_repo.path)
    assert "empty-section" in checked.stdout
    hinted = run_kb("search", "menu", "button", cwd=kb_repo.path)  # words of a hint comment
    assert hinted.exit_code == 1, hinted.output


def test_a_leading_title_heading_is_not_shown_twice(kb_repo: KbRepo, tmp_path: Path) -> None:
    kb_repo.write("a.md", CARD.format(title="Refunds", body="# Refunds\n\nRefund the charge."))
    kb_repo.commit("a card")
    shown = run_kb("show", "a.md", cwd=kb_repo.path)
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.count("Refunds") == 1, shown.stdout
    assert "Refund the charge" in shown.stdout
    out = tmp_path / "site"
    built = run_kb("--kb", str(kb_repo.path), "build", "--out", str(out), "--no-search")
    assert built.exit_code == 0, built.output
    page = (out / "a.html").read_text(encoding="utf-8")
    assert page.count("<h1") == 1 and "Refund the charge" in page


def test_the_readme_says_one_thing_about_kb_check_outside_git(tmp_path: Path) -> None:
    from tests.helpers import REPO_ROOT

    repo = make_repo(tmp_path / "plain", git_init=False)
    repo.write("a.md", CARD.format(title="A", body="Text."))
    assert run_kb("check", cwd=repo.path).exit_code == 2
    assert run_kb("report", cwd=repo.path).exit_code == 0
    readme = " ".join((REPO_ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "`kb check`, the CI gate, exits 2 instead" in readme
    assert "Outside a git repository the front-matter checks still run" not in readme


def test_check_of_a_path_outside_the_card_folders_says_so(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb", kb_toml='[cards]\nfolders = ["docs"]\n')
    repo.write("docs/a.md", CARD.format(title="A", body="Text."))
    repo.write("notes/b.md", CARD.format(title="B", body="Text."))
    repo.commit("cards")
    result = run_kb("check", "notes/b.md", cwd=repo.path)
    assert result.exit_code == 0, result.output
    assert "notes/b.md holds no card" in result.output
    assert "folders = docs" in result.output


def test_new_with_the_title_of_an_existing_card_shows_it_instead_of_writing_a_copy(
    kb_repo: KbRepo,
) -> None:
    args = ("new", "-t", "Refund a duplicate charge", "--owner", "ana", "--no-edit")
    assert run_kb(*args, cwd=kb_repo.path).exit_code == 0
    again = run_kb(*args, cwd=kb_repo.path)
    assert again.exit_code == 2, again.output
    assert "refund-a-duplicate-charge.md" in again.stderr and "--force" in again.stderr
    assert sorted(p.name for p in kb_repo.path.glob("*.md")) == ["refund-a-duplicate-charge.md"]
    forced = run_kb(*args, "--force", cwd=kb_repo.path)
    assert forced.exit_code == 0, forced.output
    assert len(list(kb_repo.path.glob("*.md"))) == 2


def test_a_tab_in_the_header_gets_a_tab_hint_and_no_false_missing_keys(kb_repo: KbRepo) -> None:
    kb_repo.write("a.md", "---\ntitle: Tabbed\nowner: ana\ntags:\n\t- billing\n---\nText.\n")
    kb_repo.commit("a card")
    result = run_kb("check", "--format", "json", cwd=kb_repo.path)
    assert result.exit_code == 1, result.output
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["line"]) for f in findings] == [("yaml-syntax", 5)]
    assert "tab" in findings[0]["message"] and "': '" not in findings[0]["message"]


def test_the_handbook_copies_the_files_cards_reference_and_reports_missing_ones(
    kb_repo: KbRepo, tmp_path: Path
) -> None:
    public = "---\ntitle: A\nowner: ana\naudience: public\n---\n{}\n"
    kb_repo.write(
        "billing/a.md",
        public.format(
            "![flow](img/flow.png)\n\n[form](../forms/refund.pdf)\n\n![gone](img/gone.png)"
        ),
    )
    kb_repo.write("billing/b.md", CARD.format(title="B", body="![secret](img/secret.png)"))
    (kb_repo.path / "billing/img").mkdir()
    (kb_repo.path / "billing/img/flow.png").write_bytes(b"\x89PNG flow")
    (kb_repo.path / "billing/img/secret.png").write_bytes(b"\x89PNG secret")
    kb_repo.write("forms/refund.pdf", "%PDF-1.4")
    kb_repo.commit("cards")
    out = tmp_path / "site"
    built = run_kb("--kb", str(kb_repo.path), "build", "--out", str(out), "--no-search")
    assert built.exit_code == 0, built.output
    assert (out / "billing/img/flow.png").read_bytes() == b"\x89PNG flow"
    assert (out / "forms/refund.pdf").read_text() == "%PDF-1.4"
    assert (out / "billing/img/secret.png").is_file()
    assert 'src="img/flow.png"' in (out / "billing/a.html").read_text(encoding="utf-8")
    assert "billing/a.md:10: image img/gone.png does not exist" in built.stderr
    public_out = tmp_path / "public"
    args = ("build", "--audience", "public", "--out", str(public_out), "--no-search")
    assert run_kb("--kb", str(kb_repo.path), *args).exit_code == 0
    assert (public_out / "billing/img/flow.png").is_file()
    assert not (public_out / "billing/img/secret.png").exists()  # only an internal card uses it


def test_without_a_roster_list_show_and_search_say_who_stamped_was_not_checked(
    tmp_path: Path,
) -> None:
    """Without people.yaml anyone's stamp shows ✔: kb check and kb report said the
    identity checks were skipped, kb list, kb show and kb search (where people read ✔)
    did not."""
    repo = make_repo(tmp_path / "kb")
    repo.write("a.md", "---\ntitle: A\nowner: ana\n---\nText.\n")
    repo.commit("a card", when="2026-11-01T10:00:00Z")
    repo.write("a.md", "---\ntitle: A\nowner: ana\nverified_at: 2026-11-02\n---\nText.\n")
    repo.commit("stamp", when="2026-11-02T10:00:00Z", author="Mallory", email="m@evil.test")
    shown = (("list",), ("show", "a.md"), ("list", "--json"), ("search", "text"))
    for args in (*shown, ("search", "--json", "text")):
        result = run_kb("--today", "2026-11-10", *args, cwd=repo.path)
        assert result.exit_code == 0, result.output
        assert "verified" in result.stdout
        assert "skipped owner and verifier identity checks" in result.stderr, args
        assert "no people.yaml roster" in result.stderr
    repo.write("people.yaml", "ana: {name: Ana Souza, emails: [ana@example.test]}\n")
    repo.commit("roster")
    for args in shown:  # with a roster the checks run: nothing to say
        result = run_kb("--today", "2026-11-10", *args, cwd=repo.path)
        assert "skipped" not in result.stderr, (args, result.stderr)


def test_init_over_existing_docs_points_to_adopt_not_new(tmp_path: Path) -> None:
    """A team with docs runs kb init in their repo: the next step is kb adopt (README
    "Adopting kb on existing docs"), not a first card from a template."""
    docs = tmp_path / "docs"
    (docs / "guides").mkdir(parents=True)
    (docs / "guides" / "setup.md").write_text("# Set up\n\nInstall it.\n")
    (docs / "faq.md").write_text("# FAQ\n")
    result = run_kb("init", str(docs))
    assert result.exit_code == 0, result.output
    assert "2 markdown file(s)" in result.stdout and "kb adopt" in result.stdout
    assert "kb new" not in result.stdout
    empty = run_kb("init", str(tmp_path / "fresh"))
    assert "kb new" in empty.stdout and "kb adopt" not in empty.stdout
