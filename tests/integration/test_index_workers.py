"""A whole rebuild prepares documents in worker processes: the index answers, and the
caches it keeps say, exactly what one process's rebuild gives; a bad card is still
reported at its line; Ctrl-C and a killed kb leave no worker behind."""

from __future__ import annotations

import json
import marshal
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from kbcli.adapters import index_documents, language_id
from tests.helpers import KbRepo, make_repo, run_kb, search_answers, start_kb_in_a_terminal

QUERIES = ["refund", "карту", "webhook", "owner:ana", "lang:ru", "lang:uk", "is:unowned", "7"]
EN = "Refund the duplicate charge, then check the webhook log of the payment. "
RU = "Если при оплате возникает ошибка, проверьте карту и повторите платёж. "
UK = "Якщо під час оплати виникає помилка, перевірте картку та повторіть платіж. "
# Too few function words for the quick guess: py3langid decides. Past the first chunk
# (which kb's own process prepares), so that with workers such cards come back to it.
TERSE = "Archive utility. Compress, extract and list archive members; gzip, xz, zstd formats. "


def _cards(repo: KbRepo, count: int) -> None:
    """Cards of three languages, most without ``lang`` (their language is guessed)."""
    for i in range(count):
        text, owner = (EN, RU, UK)[i % 3], "" if i % 5 == 0 else "owner: ana\n"
        if i % 6 == 3 and i >= 100:
            text = TERSE
        lang = "lang: en\n" if i % 7 == 0 else ""
        body = f"# Part {i}\n\n{text * (1 + i % 4)}\n\nSee [[Card {i + 1}]]. Case {i}.\n"
        repo.write(f"cards/c{i:04d}.md", f"---\ntitle: Card {i}\n{owner}{lang}---\n\n{body}")
    repo.write("cards/broken.md", "---\ntitle: [never closed\nowner: ana\n---\n\nA body.\n")


def _card_repo(path: Path, count: int, *, git: bool = True) -> KbRepo:
    """A repo of ``count`` such cards and a broken one (committed, when ``git``)."""
    repo = make_repo(path, kb_toml='[cards]\nfolders = ["cards"]\n', git_init=git)
    _cards(repo, count)
    if git:
        repo.commit("cards")
    return repo


def _kept(repo: KbRepo) -> dict[str, object]:
    """What the rebuild kept: documents, cards, languages, bodies (without fingerprints
    and times), in their order."""
    kb = repo.path / ".kb"

    def entries(name: str, start: int, at: int) -> list[object]:
        return list(marshal.loads((kb / name).read_bytes()[start:])[at].items())

    kept: dict[str, object] = {
        "documents": list(_documents(kb / "index" / "documents.marshal").items()),
        "cards": entries("cards.marshal", 12, 2),
        "languages": entries("languages.marshal", 0, 1),
    }
    for shard in sorted((kb / "bodies").iterdir()):
        kept[shard.name] = entries(f"bodies/{shard.name}", 12, 1)
    return kept


def _documents(path: Path) -> dict[str, object]:
    data = path.read_bytes()
    fingerprint = marshal.loads(data[12 : 12 + int.from_bytes(data[8:12], "big")])
    return dict(index_documents.parse(data, fingerprint))


def _answers(repo: KbRepo) -> list[object]:
    return search_answers(repo, QUERIES, 500)


def test_documents_prepared_by_workers_are_those_of_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _card_repo(tmp_path / "kb", 200)
    seen = []
    for workers in ("0", "2"):
        monkeypatch.setenv("KB_INDEX_WORKERS", workers)
        # Each rebuild starts as a kb process does, without py3langid's model loaded.
        monkeypatch.setattr(language_id, "_identifier", None)
        for name in ("cards.marshal", "languages.marshal", "index/documents.marshal"):
            (repo.path / ".kb" / name).unlink(missing_ok=True)
        result = run_kb("--kb", str(repo.path), "index", "--rebuild", "--json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["added"] == 201
        check = run_kb("--kb", str(repo.path), "check", "--format", "json")
        seen.append((_kept(repo), _answers(repo), check.stdout))
    (kept, answers, check), (kept2, answers2, check2) = seen
    assert kept2 == kept
    assert answers2 == answers
    assert all(answers)  # every query finds something: the comparison means something
    assert check2 == check
    assert "cards/broken.md" in check and '"line": 2' in check


def _start(repo: KbRepo, workers: int) -> subprocess.Popen[str]:
    """``kb index --rebuild`` in a session of its own, once its workers have started;
    nothing kept from an earlier run, so every document is to build."""
    for name in ("cards.marshal", "languages.marshal", "index/documents.marshal"):
        (repo.path / ".kb" / name).unlink(missing_ok=True)
    env = {**os.environ, "KB_INDEX_WORKERS": str(workers)}
    proc = start_kb_in_a_terminal("--kb", str(repo.path), "index", "--rebuild", env=env)
    deadline = time.monotonic() + 60
    while len(_children(proc.pid)) < workers and time.monotonic() < deadline:
        assert proc.poll() is None, "kb index finished before its workers were seen"
        time.sleep(0.002)
    return proc


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in found.split()]


def _gone(pids: list[int]) -> bool:
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not any(Path(f"/proc/{pid}").exists() for pid in pids)


@pytest.fixture(scope="module")
def big_repo(tmp_path_factory: pytest.TempPathFactory) -> KbRepo:
    return _card_repo(tmp_path_factory.mktemp("workers") / "kb", 2000, git=False)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads workers from /proc")
def test_ctrl_c_stops_the_workers_and_says_interrupted(big_repo: KbRepo) -> None:
    proc = _start(big_repo, 2)
    workers = _children(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal sends: kb and its workers
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "interrupted" in err and "Traceback" not in err
    assert _gone(workers)
    # Nothing was committed: the next search indexes every card and finds them.
    found = run_kb("--kb", str(big_repo.path), "search", "owner:ana", "--json", "--limit", "9000")
    assert found.exit_code == 0, found.output
    assert len(json.loads(found.stdout)) == 1600  # 2000 cards, 400 unowned (and broken.md)


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads workers from /proc")
def test_a_killed_kb_index_leaves_no_worker_behind(big_repo: KbRepo) -> None:
    proc = _start(big_repo, 2)
    workers = _children(proc.pid)
    assert workers
    proc.kill()  # SIGKILL to kb alone: its workers must not wait for work forever
    proc.communicate(timeout=60)
    assert _gone(workers)


def test_a_worker_count_that_is_not_a_number_stops_the_rebuild_before_the_index_is_touched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _card_repo(tmp_path / "kb", 6)
    assert run_kb("--kb", str(repo.path), "index").exit_code == 0
    before = _answers(repo)
    monkeypatch.setenv("KB_INDEX_WORKERS", "two")
    result = run_kb("--kb", str(repo.path), "index", "--rebuild")
    assert result.exit_code == 2, result.output
    assert "KB_INDEX_WORKERS='two' is not a number" in result.output
    assert "Traceback" not in result.output
    monkeypatch.delenv("KB_INDEX_WORKERS")
    assert _answers(repo) == before and any(before)  # the index still answers as before
