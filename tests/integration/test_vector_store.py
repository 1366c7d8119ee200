"""The passage vectors kept under .kb/: round trip, staleness, forgetting deleted cards."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kbcli.adapters import vector_store


def _row(value: float) -> bytes:
    return vector_store.to_bytes(np.full(4, value, dtype=np.float32))


def test_vectors_survive_a_round_trip_and_another_models_file_is_empty(tmp_path: Path) -> None:
    store = vector_store.Vectors(
        "model-a", {"a.md": ("h1", ("k1", "k2"))}, {"k1": _row(0.5), "k2": _row(0.25)}
    )
    vector_store.save(tmp_path, store)
    again = vector_store.load(tmp_path, "model-a")
    assert again.cards == store.cards and again.vectors == store.vectors
    assert vector_store.load(tmp_path, "model-b").cards == {}
    rows = vector_store.load_rows(tmp_path, "model-a")  # what a search reads
    assert rows is not None and vector_store.load_rows(tmp_path, "model-b") is None
    assert (rows.paths, rows.digests, rows.starts) == (("a.md",), ("h1",), (0,))
    matrix = np.frombuffer(rows.matrix, dtype=np.float32).reshape(-1, 4)
    assert matrix.tolist() == [[0.5] * 4, [0.25] * 4]
    assert rows.squares == (1.0, 0.25)  # each row's squared length


def test_a_card_whose_content_changed_is_stale_and_a_deleted_one_is_forgotten() -> None:
    store = vector_store.Vectors(
        "m",
        {"a.md": ("h1", ("k1",)), "b.md": ("h2", ("k2",))},
        {"k1": _row(1.0), "k2": _row(2.0)},
    )
    assert store.current({"a.md": "h1", "b.md": "changed"}) == {"a.md"}
    assert store.keep_only(["a.md"]) is True
    assert set(store.cards) == {"a.md"} and set(store.vectors) == {"k1"}
    assert store.keep_only(["a.md"]) is False


def test_a_damaged_file_is_an_empty_store(tmp_path: Path) -> None:
    (tmp_path / vector_store.FILE).write_bytes(b"not marshal")
    assert vector_store.load(tmp_path, "m").cards == {}


def test_a_truncated_or_older_rows_file_is_no_rows_and_the_next_save_writes_them(
    tmp_path: Path,
) -> None:
    store = vector_store.Vectors(
        "m", {"a.md": ("h1", ("k1", "k2"))}, {"k1": _row(0.5), "k2": _row(0.25)}
    )
    vector_store.save(tmp_path, store)
    rows_file = tmp_path / vector_store.ROWS_FILE
    whole = rows_file.read_bytes()
    rows_file.write_bytes(whole[:-4])  # a vector cut short: never a wrong score
    assert vector_store.load_rows(tmp_path, "m") is None
    rows_file.write_bytes(b"not rows")
    assert vector_store.load_rows(tmp_path, "m") is None
    (tmp_path / vector_store.OLD_ROWS_FILE).write_bytes(b"session 8's rows")
    vector_store.save(tmp_path, store)
    rows = vector_store.load_rows(tmp_path, "m")
    assert rows is not None and rows.squares == (1.0, 0.25)
    assert not (tmp_path / vector_store.OLD_ROWS_FILE).exists()


def test_the_leaders_give_the_same_ranking_as_every_card_ties_by_path_included() -> None:
    # numpy's partition picks the candidates; the ranking among them (best first, ties
    # by path) is the one a heap over every card gives, and so is the floor.
    from kbcli.core.dense import ranked

    rng = np.random.default_rng(7)
    for size, limit in ((0, 5), (3, 5), (40, 5), (500, 60), (500, 0)):
        scores = np.round(rng.choice([0.5, 0.6, 0.7], size) + 0, 9).tolist()
        scores[: size // 2] = np.round(rng.random(size // 2), 9).tolist()
        paths = [f"cards/{int(rng.integers(10**6))}.md" for _ in range(size)]
        among = vector_store.leaders(scores, limit)
        fast = ranked(scores, paths, limit, 2.0, True, among)
        slow = ranked(scores, paths, limit, 2.0, True)
        assert list(fast[0].items()) == list(slow[0].items()) and fast[1] == slow[1]
        assert len(fast[0]) == min(limit, size)
