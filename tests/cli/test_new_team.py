"""A new team's first day with kb, as the README leads it: kb init, kb new, kb verify,
kb build and kb serve, then a second person's clone (session 16 walkthrough)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import git, make_repo, run_kb


def test_init_of_a_new_folder_inside_a_git_repo_does_not_nest_a_second_repo(
    tmp_path: Path,
) -> None:
    # A knowledge repo in a folder of a larger repository (docs beside the code): kb init
    # of a folder that did not exist yet ran git init there, so its cards were committed
    # to a nested repository the team's own never saw.
    outer = tmp_path / "product"
    outer.mkdir()
    git(outer, "init", "-q", "-b", "main")
    made = run_kb("init", "support-kb", cwd=outer)
    assert made.exit_code == 0, made.output
    assert (outer / "support-kb" / "kb.toml").is_file()
    assert not (outer / "support-kb" / ".git").exists()
    assert ".git/" not in made.stdout
    # A folder outside any repository still gets its own.
    alone = run_kb("init", str(tmp_path / "alone"))
    assert alone.exit_code == 0, alone.output
    assert (tmp_path / "alone" / ".git").is_dir()


def test_init_inside_a_knowledge_repo_refuses_a_second_one_over_its_cards(
    tmp_path: Path,
) -> None:
    # Run in a folder of an existing knowledge repo (a new clone's card folder), kb init
    # made a second kb.toml and people.yaml there: the folder's cards then belonged to two
    # repos, and kb run from there judged them against an empty roster.
    repo = make_repo(tmp_path / "kb")
    (repo.path / "billing").mkdir()
    refused = run_kb("init", cwd=repo.path / "billing")
    assert refused.exit_code == 2, refused.output
    assert str(repo.path / "kb.toml") in refused.stderr
    assert "kb new --folder billing" in refused.stderr
    assert not (repo.path / "billing" / "kb.toml").exists()
    assert not (repo.path / "billing" / "people.yaml").exists()
    deeper = run_kb("init", str(repo.path / "billing" / "eu"))
    assert deeper.exit_code == 2, deeper.output
    assert not (repo.path / "billing" / "eu").exists()


def _serve_output_until_serving(repo: Path) -> str:
    """What ``kb serve`` prints up to its "Serving URL" line (the process is then ended)."""
    import os
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "kbcli", "--kb", str(repo), "serve", "--port", "0", "--no-search"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    assert process.stdout is not None
    lines = []
    try:
        for line in process.stdout:
            lines.append(line)
            if line.startswith("Serving "):
                break
    finally:
        process.terminate()
        process.wait(timeout=30)
    return "".join(lines)


def test_build_and_serve_say_what_to_run_next_and_count_in_words(tmp_path: Path) -> None:
    # kb serve printed its build's "Open it with: kb serve" above "Serving http://...";
    # a public build pointed to kb serve, which previews the internal handbook; a team's
    # first card read "1 cards, ... 1 bodies rendered".
    repo = make_repo(tmp_path / "kb")
    repo.write(
        "refunds.md",
        "---\ntitle: Refunds\nowner: ana\naudience: public\nverified_at: 2026-01-05\n---\n"
        "Refund the duplicate charge.\n",
    )
    repo.commit("a card")
    internal = run_kb("build", "--no-search", cwd=repo.path)
    assert internal.exit_code == 0, internal.output
    assert "Built the internal handbook: 1 card, " in internal.stdout
    assert "1 body rendered" in internal.stdout
    assert "Open it with: kb serve (" in internal.stdout
    public = run_kb("build", "--audience", "public", "--no-search", "--out", "help", cwd=repo.path)
    assert public.exit_code == 0, public.output
    assert "Open it with: kb serve --audience public (" in public.stdout
    served = _serve_output_until_serving(repo.path)
    assert "Serving http://" in served
    assert "Built the internal handbook" in served and "Open it with" not in served


def test_a_card_folder_that_does_not_exist_is_said_and_the_gate_does_not_pass(
    tmp_path: Path,
) -> None:
    # kb.toml naming a folder that is not there (a typo, a renamed folder): kb list said
    # "No cards match." and kb check "0 errors ... in 0 of 0 cards", exit 0: the CI gate
    # passed having checked nothing.
    repo = make_repo(tmp_path / "kb", kb_toml='[cards]\nfolders = ["cards"]\n')
    repo.write("card/refunds.md", "---\ntitle: Refunds\n---\nText.\n")  # not "cards/"
    repo.commit("a card in the wrong folder")
    listed = run_kb("list", cwd=repo.path)
    assert listed.exit_code == 0, listed.output
    assert "card folder 'cards'" in listed.stderr and "does not exist" in listed.stderr
    gate = run_kb("check", cwd=repo.path)
    assert gate.exit_code == 2, gate.output
    assert "kb check would pass without checking a card" in gate.stderr
    # One folder of two missing: the other's cards are checked, the missing one is said.
    repo.write("kb.toml", '[cards]\nfolders = ["card", "faq"]\n')
    checked = run_kb("check", cwd=repo.path)
    assert checked.exit_code == 1, checked.output  # the card has no owner
    assert "no-owner" in checked.stdout
    assert "card folder 'faq'" in checked.stderr


def test_a_new_team_hears_what_to_do_first_in_an_empty_repo(tmp_path: Path) -> None:
    # kb init, then kb list: "No cards match." (nothing was asked to match).
    assert run_kb("init", str(tmp_path / "kb")).exit_code == 0
    listed = run_kb("list", cwd=tmp_path / "kb")
    assert listed.exit_code == 0, listed.output
    assert listed.stdout == 'No cards yet: kb new --title "How to ..." writes the first one.\n'
    made = run_kb("new", "--title", "Refunds", "--no-edit", cwd=tmp_path / "kb")
    assert made.exit_code == 0, made.output
    filtered = run_kb("list", "--tag", "billing", cwd=tmp_path / "kb")
    assert filtered.stdout == "No cards match.\n"


def test_verifying_a_draft_does_not_print_a_check_mark(tmp_path: Path, monkeypatch) -> None:
    # kb new writes a draft; kb verify of it printed "✔ verified", while every other
    # surface then showed it needs review (not-published) until kb publish.
    from tests.helpers import as_user

    as_user(monkeypatch, "Ana Souza", "ana@example.test")
    repo = make_repo(tmp_path / "kb", people="ana: {name: Ana Souza, emails: [ana@example.test]}\n")
    repo.write("draft.md", "---\ntitle: Draft\nowner: ana\nstatus: draft\n---\nText.\n")
    repo.write("live.md", "---\ntitle: Live\nowner: ana\n---\nText.\n")
    repo.commit("two cards")
    done = run_kb("verify", "draft.md", "live.md", cwd=repo.path)
    assert done.exit_code == 0, done.output
    assert "✔ verified live.md" in done.stdout
    assert "✔ verified draft.md" not in done.stdout
    assert "stamped draft.md" in done.stdout and "kb publish draft.md" in done.stdout
    listed = run_kb("list", "--state", "needs-review", cwd=repo.path)
    assert "draft.md" in listed.stdout and "live.md" not in listed.stdout


def test_someone_kb_cannot_place_in_the_roster_hears_how_to_join_it(
    tmp_path: Path, monkeypatch
) -> None:
    # A second person's clone: "add your e-mail to your entry there" (a newcomer has no
    # entry), and in a repo with no people.yaml at all, "not in people.yaml".
    from tests.helpers import as_user

    repo = make_repo(tmp_path / "kb", people="ana: {name: Ana, emails: [ana@example.test]}\n")
    repo.write("a.md", "---\ntitle: A\nowner: ana\n---\nText.\n")
    repo.commit("a card")
    as_user(monkeypatch, "Bob Lee", "bob@example.test")
    mine = run_kb("verify", "--mine", cwd=repo.path)
    assert mine.exit_code == 2, mine.output
    assert "or an entry with your handle, name and e-mails" in mine.stderr
    (repo.path / "people.yaml").unlink()
    other = run_kb("verify", "a.md", cwd=repo.path)
    assert other.exit_code == 1, other.output
    assert "there is no people.yaml roster yet" in other.stderr


def test_list_help_names_every_status_a_card_can_have() -> None:
    # "--status: draft, published, archived": kb ask's requested cards could not be found
    # from the help.
    from kbcli.core.cards import Status

    shown = " ".join(run_kb("list", "--help").stdout.split())
    for status in Status:
        assert status.value in shown.partition("--status")[2].partition("--state")[0], status


def test_a_commit_made_on_a_detached_head_says_it_is_on_no_branch(
    tmp_path: Path, monkeypatch
) -> None:
    # After git checkout of a tag or an old commit, kb verify and kb publish said
    # "committed abc" as on a branch; the commit was on none, and the next git switch
    # left it behind.
    from tests.helpers import as_user

    as_user(monkeypatch, "Ana Souza", "ana@example.test")
    people = "ana: {name: Ana Souza, emails: [ana@example.test]}\n"
    repo = make_repo(tmp_path / "kb", people=people)
    repo.write("a.md", "---\ntitle: A\nowner: ana\n---\nText.\n")
    repo.write("b.md", "---\ntitle: B\nowner: ana\nstatus: draft\n---\nText.\n")
    repo.commit("two cards")
    on_main = run_kb("verify", "a.md", cwd=repo.path)
    assert on_main.exit_code == 0, on_main.output
    assert "detached" not in on_main.stderr
    git(repo.path, "checkout", "-q", "--detach", "HEAD")
    verified = run_kb("--today", "2026-12-01", "verify", "a.md", cwd=repo.path)
    assert verified.exit_code == 0, verified.output
    sha = git(repo.path, "rev-parse", "HEAD").strip()[:10]
    assert f"HEAD is detached: commit {sha} is on no branch" in verified.stderr
    assert "git switch -c NAME" in verified.stderr
    published = run_kb("publish", "b.md", cwd=repo.path)
    assert published.exit_code == 0, published.output
    assert "HEAD is detached" in published.stderr


def test_report_takes_format_json_as_check_does(tmp_path: Path) -> None:
    # kb check --format json is kb check --json; kb report --format json was refused
    # ("use text or markdown") though kb report --json exists.
    import json

    repo = make_repo(tmp_path / "kb")
    repo.write("a.md", "---\ntitle: A\nowner: ana\n---\nText.\n")
    repo.commit("a card")
    spelled = run_kb("report", "--format", "json", cwd=repo.path)
    assert spelled.exit_code == 0, spelled.output
    flag = run_kb("report", "--json", cwd=repo.path)
    assert json.loads(spelled.stdout)["cards"] == json.loads(flag.stdout)["cards"] == 1
    wrong = run_kb("report", "--format", "yaml", cwd=repo.path)
    assert wrong.exit_code == 2 and "text, markdown, json" in wrong.stderr
