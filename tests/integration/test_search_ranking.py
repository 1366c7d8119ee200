"""The six ways kb's earlier ranking failed on real content, each pinned by a test.

Each test fails on the ranking before issue 12 (a ladder of stages, per-field BM25 sums,
cards without ``lang`` read as English, typo matching on every word, a phrase opened
inside a Hebrew acronym, Hebrew plurals and Ukrainian alternations unmatched).
"""

from __future__ import annotations

from pathlib import Path

from kbcli.cli.context import RunContext
from kbcli.usecases.search import SearchResult, search
from tests.helpers import make_repo, run_kb

FILLER = (
    "Meetings happen on Tuesdays. The team keeps notes in the shared drive and "
    "reviews them every quarter with the people who own each area of work. "
)


def _card(title: str, body: str, lang: str = "") -> str:
    front = f"title: {title}\nowner: ana\n" + (f"lang: {lang}\n" if lang else "")
    return f"---\n{front}---\n\n{body}\n"


def _search(root: Path, text: str, limit: int = 10) -> SearchResult:
    workspace = RunContext(kb_dir=str(root), today_text="2026-11-22").workspace
    return search(workspace, text, limit=limit, snippets=False)


def _paths(root: Path, text: str, limit: int = 10) -> list[str]:
    return [hit.path for hit in _search(root, text, limit).hits]


def test_partial_matches_are_not_cut_off_when_a_few_cards_match_every_word(
    tmp_path: Path,
) -> None:
    """Cause 1: the all-words stage found 3 cards and the search stopped there."""
    repo = make_repo(tmp_path / "kb")
    for i in range(3):
        repo.write(f"both-{i}.md", _card(f"Note {i}", "vendor invoice " + FILLER * 3))
    for i in range(9):
        repo.write(f"one-{i}.md", _card(f"Vendor {i}", "vendor contacts " + FILLER))
    found = _paths(repo.path, "vendor invoice", limit=10)
    assert len(found) == 10
    assert set(found[:3]) == {f"both-{i}.md" for i in range(3)}


def test_a_card_answering_most_of_the_question_beats_a_one_word_title(tmp_path: Path) -> None:
    """Cause 2: one query word in a short title outscored a page with the others in it."""
    repo = make_repo(tmp_path / "kb")
    repo.write("finance.md", _card("Finance and accounting", FILLER * 4))
    repo.write(
        "close.md",
        _card(
            "Closing a client",
            "To remove a customer account, export the customer's data, then the account "
            "is closed by support. " + FILLER,
        ),
    )
    assert _paths(repo.path, "erase customer account")[0] == "close.md"


def test_cards_without_lang_are_stemmed_in_their_own_language(tmp_path: Path) -> None:
    """Cause 3: a Russian page without ``lang`` was indexed as English, unstemmed, and
    nothing preferred the query's language."""
    repo = make_repo(tmp_path / "kb")
    repo.write(
        "ru/oshibki.md",
        _card(
            "Ошибки при оплате",
            "Если при оплате возникает ошибка, проверьте карту и повторите платёж. "
            "Служба поддержки поможет с возвратом денег.",
        ),
    )
    repo.write(
        "en/payment.md",
        _card("Payment errors", "When a payment fails with an error, check the card. " * 2),
    )
    assert _paths(repo.path, "ошибкой оплаты")[:1] == ["ru/oshibki.md"]
    assert run_kb("--kb", str(repo.path), "search", "lang:ru").stdout.count("ru/oshibki.md")


def test_same_page_in_two_languages_the_query_language_comes_first(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb")
    repo.write("en/tar.md", _card("tar", "Archive files with `tar`: extract `tar xf archive.tar`."))
    repo.write("ru/tar.md", _card("tar", "Архивация: распаковать `tar xf archive.tar`."))
    repo.write("uk/tar.md", _card("tar", "Архівування: розпакувати `tar xf archive.tar`."))
    assert _paths(repo.path, "tar archive")[0] == "en/tar.md"
    assert _paths(repo.path, "як розпакувати tar")[0] == "uk/tar.md"


def test_typo_expansion_only_for_words_no_card_uses(tmp_path: Path) -> None:
    """Cause 4: every word was matched with typos, with a flat score."""
    repo = make_repo(tmp_path / "kb")
    repo.write("card.md", _card("Card declined", "The card was declined by the bank."))
    repo.write("cart.md", _card("Shopping cart", "Items stay in the cart for a week."))
    assert _paths(repo.path, "card") == ["card.md"]
    result = _search(repo.path, "shoping")
    assert [h.path for h in result.hits] == ["cart.md"]
    assert result.expansions == {"shoping": ["shop"]}
    explained = run_kb("--kb", str(repo.path), "search", "shoping", "--explain")
    assert "typo: shoping → shop" in explained.stdout


def test_a_quote_inside_a_hebrew_acronym_is_a_letter(tmp_path: Path) -> None:
    """Cause 5: the " of מנכ"ל opened a phrase; the query found nothing and exited 1."""
    repo = make_repo(tmp_path / "kb")
    repo.write("he/ceo.md", _card('פגישה עם המנכ"ל', 'כל חודש המנכ"ל נפגש עם הצוות.', "he"))
    result = run_kb("--kb", str(repo.path), "search", 'מנכ"ל')
    assert result.exit_code == 0, result.stderr
    assert "he/ceo.md" in result.stdout


def test_hebrew_plurals_and_ukrainian_alternations_find_each_other(tmp_path: Path) -> None:
    """Cause 6: ‎-ים‎ was never stripped (finals were normalised first); к/ц was not folded."""
    repo = make_repo(tmp_path / "kb")
    repo.write("he/users.md", _card("ניהול משתמשים", "הוספת משתמשים חדשים למערכת.", "he"))
    repo.write("he/messages.md", _card("הודעות", "שליחת הודעות לצוות.", "he"))
    repo.write("uk/card.md", _card("Оплата", "Що робити, якщо в картці помилка.", "uk"))
    assert _paths(repo.path, "משתמש") == ["he/users.md"]
    assert _paths(repo.path, "הודעה") == ["he/messages.md"]
    assert _paths(repo.path, "помилці в картці") == ["uk/card.md"]
    assert _paths(repo.path, "картка") == ["uk/card.md"]


def test_a_hit_is_judged_on_its_own_evidence_without_reading_every_card(tmp_path: Path) -> None:
    """A search judges its hits' verdicts (an open flag makes a verified card need review)
    without loading the whole catalog: reading every card cost each search a third of its
    time, and only the hits are shown."""
    repo = make_repo(tmp_path / "kb")
    flagged = (
        "---\ntitle: Refund window\nowner: ana\nverified_at: 2026-11-01\n"
        "flags:\n  - by: noa\n    at: 2026-11-10\n    reason: the window is now 60 days\n---\n\n"
        "Refunds are accepted within 30 days of the charge.\n"
    )
    repo.write("refund.md", flagged)
    for i in range(5):
        repo.write(f"other-{i}.md", _card(f"Other {i}", FILLER))
    repo.commit("cards")
    workspace = RunContext(kb_dir=str(repo.path), today_text="2026-11-22").workspace
    result = search(workspace, "refund window", limit=5, snippets=False)
    assert result.hits[0].path == "refund.md"
    assert result.hits[0].trust.state.value == "needs-review"
    assert not workspace.has_catalog


def test_english_words_in_a_ukrainian_card_match_their_other_forms(tmp_path: Path) -> None:
    """English words in a Ukrainian page (commands, products) are stemmed as English, as
    the query's English words are: Ukrainian pages used to keep them unstemmed, so
    ``container`` missed a page that says ``containers``."""
    repo = make_repo(tmp_path / "kb")
    repo.write(
        "docker-stop.md",
        _card("Зупинка контейнерів", "Як зупинити всі running containers у Docker.", "uk"),
    )
    repo.write("notes.md", _card("Нотатки команди", "Зустрічі щовівторка, нотатки в теці."))
    assert _paths(repo.path, "container")[:1] == ["docker-stop.md"]


def test_a_card_searched_by_its_whole_title_comes_first_even_when_doubted(
    tmp_path: Path,
) -> None:
    """Someone looking for a card to fix it types its title: a doubted card (ranked down
    by its trust factor) whose title is common words must still come first then, and
    only for its whole title, in any case."""
    repo = make_repo(tmp_path / "kb")
    flagged = (
        "---\ntitle: Leave types\nowner: ana\nverified_at: 2026-11-01\n"
        "flags:\n  - by: noa\n    at: 2026-11-10\n    reason: parental leave changed\n---\n\n"
        "Annual, sick and parental leave.\n"
    )
    repo.write("leave-types.md", flagged)
    verified = "---\ntitle: {title}\nowner: ana\nverified_at: 2026-11-01\n---\n\n{body}\n"
    for i in range(6):
        body = f"Which leave types apply to team {i}: the leave types and the types of leave. "
        repo.write(f"team-{i}.md", verified.format(title=f"Team {i} leave", body=body * 3))
    repo.commit("cards")
    for query in ("Leave types", "leave TYPES"):
        hits = _search(repo.path, query).hits
        assert hits[0].path == "leave-types.md", [h.path for h in hits]
        assert hits[0].trust.state.value == "needs-review"
    assert _paths(repo.path, "leave types team")[0] != "leave-types.md"
