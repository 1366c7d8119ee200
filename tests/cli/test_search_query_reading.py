"""How kb search reads what a support agent types (session 16's walk on tldr and 18F).

- A command pasted with its options (``rm -rf``, ``kill -9``, ``ls -la``) searched the
  option as an exclusion: ``-rf`` dropped every card with "rf", the rm card first of all.
- ``kb search df -h`` printed kb's help; ``kb search git log --oneline`` said only "No
  such option", not how to search for it.
- ``tag:`` with no value was searched as the word "tag".
- ``kb ask`` committed a request without saying where, nor how to undo it, nor which
  cards may answer the question already.
- A query of filters only listed cards by path (``pages.ru/`` before ``pages/``, folder
  order before anything a reader wants): now by title, and most urgent first for a trust
  state.
"""

from __future__ import annotations

from pathlib import Path

from tests.helpers import KbRepo, Result, git, make_repo, run_kb

TODAY = ("--today", "2026-11-22")


def _card(title: str, body: str, **front: str) -> str:
    lines = [f"title: {title}", "owner: ana", *(f"{k}: {v}" for k, v in front.items())]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body + "\n"


def _kb(repo: KbRepo, *args: str) -> Result:
    return run_kb("--kb", str(repo.path), *TODAY, *args)


def _paths(repo: KbRepo, *query: str) -> list[str]:
    return _kb(repo, "search", "--paths-only", *query).stdout.split()


def _commands(tmp_path: Path) -> KbRepo:
    repo = make_repo(tmp_path / "kb")
    repo.write("rm.md", _card("rm", "Remove files. Remove a folder and all in it: `rm -rf path`."))
    repo.write("kill.md", _card("kill", "Stop a process: `kill -9 1234` when it does not stop."))
    repo.write("ls.md", _card("ls", "List files, hidden ones too: `ls -la`."))
    repo.write("df.md", _card("df", "Free disk space in human units: `df -h`."))
    repo.write(
        "docker-rm.md",
        _card("docker container rm", "Remove containers. `docker container rm` removes them."),
    )
    repo.write("refund.md", _card("Refunds", "Refund the charge in Stripe."))
    repo.write("refund-bank.md", _card("Bank refunds", "Refund by bank transfer."))
    repo.commit("cards")
    return repo


def test_a_command_with_its_options_finds_the_commands_card(tmp_path: Path) -> None:
    repo = _commands(tmp_path)
    assert _paths(repo, "rm", "-rf")[0] == "rm.md"
    assert _paths(repo, "kill", "-9")[0] == "kill.md"
    assert _paths(repo, "ls -la")[0] == "ls.md"
    assert _paths(repo, "df", "-h")[0] == "df.md"  # -h after a word is df's, not kb's help
    assert "Usage: kb search" in _kb(repo, "search", "-h").stdout
    pasted = _kb(repo, "search", "ls", "--all")  # a long option: kb's own are long too
    assert pasted.exit_code == 2
    assert "to search for it: kb search -- ls --all" in pasted.stderr
    assert _paths(repo, "--", "ls", "--all")[0] == "ls.md"
    # A real exclusion still excludes: a word longer than an option, or not after a word.
    assert _paths(repo, "refund", "-stripe") == ["refund-bank.md"]
    assert _paths(repo, "remove", "-docker") == ["rm.md"]


def test_explain_says_what_was_read_as_an_option_and_what_was_excluded(tmp_path: Path) -> None:
    repo = _commands(tmp_path)
    shown = _kb(repo, "search", "--explain", "rm", "-rf", "-docker")
    assert shown.exit_code == 0, shown.output
    assert "options, searched as words: -rf" in shown.stdout
    assert "excluded: -docker" in shown.stdout


def test_a_filter_with_no_value_is_a_usage_error(tmp_path: Path) -> None:
    repo = _commands(tmp_path)
    for query in ("tag:", "owner:", "lang:", "is:", 'tag:""'):
        result = _kb(repo, "search", "rm", query)
        assert result.exit_code == 2, (query, result.output)
        assert "has no value" in result.stderr, query
    # A word ending in a colon that is no filter of kb's stays a word (a pasted log line).
    assert _kb(repo, "search", "error:", "rm").exit_code == 0


def test_a_query_of_filters_only_lists_by_title_and_by_urgency(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb")
    # Paths in the opposite order to titles: the folder must not decide the order.
    repo.write("a/zebra.md", _card("Zebra crossings", "Text.", tags="[ops]"))
    repo.write("b/mango.md", _card("mango orders", "Text.", tags="[ops]"))
    repo.write("c/apple.md", _card("Apple pay", "Text.", tags="[ops]"))
    # Expired 2025-12-02, 2025-03-03 and 2026-07-04 (three months after verification).
    repo.write("a/late.md", _card("Alpha", "T.", verified_at="2025-09-02", tags="[x]"))
    repo.write("b/later.md", _card("Beta", "T.", verified_at="2024-12-03", tags="[x]"))
    repo.write("c/soon.md", _card("Gamma", "T.", verified_at="2026-04-04", tags="[x]"))
    repo.commit("cards", when="2026-04-05T10:00:00Z")
    assert _paths(repo, "tag:ops") == ["c/apple.md", "b/mango.md", "a/zebra.md"]
    assert _paths(repo, "tag:ops", "--limit", "1") == ["c/apple.md"]
    assert _paths(repo, "is:expired") == ["b/later.md", "a/late.md", "c/soon.md"]
    assert _paths(repo, "is:expired", "--limit", "2") == ["b/later.md", "a/late.md"]


def test_kb_ask_says_it_committed_where_and_shows_the_cards_that_may_answer(
    tmp_path: Path,
) -> None:
    """A support agent who asks a question the cards answer already was told only
    "Requested PATH for ana; committed SHA": not on which branch, nor how to take it back,
    nor the card that answers it."""
    repo = _commands(tmp_path)
    asked = _kb(repo, "ask", "How do I refund a charge in Stripe?")
    assert asked.exit_code == 0, asked.output
    head = git(repo.path, "rev-parse", "--short", "HEAD").strip()
    assert f"committed {head} on branch main, not pushed" in asked.stdout
    assert f"git revert {head}" in asked.stdout
    assert "cards that may already answer it: refund.md" in asked.stdout
    written = _kb(repo, "ask", "Can we refund twice?", "--no-commit")
    assert "written, not committed" in written.stdout
    assert git(repo.path, "rev-parse", "--short", "HEAD").strip() == head


def test_an_empty_result_hints_only_at_near_words_and_shows_filters_as_typed(
    tmp_path: Path,
) -> None:
    """``vpn`` (no card has it) offered "did you mean" every card with a three-letter word
    two edits away (18F: "Acquisition", "18F Design"); the hint "without tag:x: N card(s)"
    printed ❌ (rich read ``:x:`` as an emoji code)."""
    repo = _commands(tmp_path)
    repo.write("expenses.md", _card("Expense reports", "Open the app and file the report."))
    repo.commit("expenses")
    missing = _kb(repo, "search", "vpn")
    assert missing.exit_code == 1
    assert "did you mean" not in missing.stdout
    typo = _kb(repo, "search", "tag:x", "reprt")  # one letter left out: the ranking finds it
    assert "without tag:x: 1 card(s), e.g. expenses.md" in typo.stdout
    assert "❌" not in typo.stdout
