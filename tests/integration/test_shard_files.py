"""The sharded state files: an edit rewrites only the shards it touches, and a state
read back is whole only when every shard is the one its head names."""

from __future__ import annotations

from pathlib import Path

from kbcli.adapters.shard_files import SHARDS, ShardedState, shard_of

MAGIC = b"kbtest01"


def entries(n: int, tag: str = "a") -> dict[str, tuple[str, int]]:
    return {f"cards/{i}.md": (tag, i) for i in range(n)}


def test_a_saved_state_reads_back_whole_and_an_edit_rewrites_one_shard(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    first = ShardedState(folder, "key", MAGIC)
    first.load()
    written = first.save(entries(300), {"shape": "s"})
    assert written == SHARDS  # a first save writes every shard

    again = ShardedState(folder, "key", MAGIC)
    found, extra, whole = again.load()
    assert (found, extra, whole) == (entries(300), {"shape": "s"}, True)

    edited = dict(found, **{"cards/7.md": ("b", 7)})
    assert again.save(edited, {"shape": "s"}) == 1
    assert again.save(edited, {"shape": "s"}) == 0  # nothing changed: nothing written
    assert ShardedState(folder, "key", MAGIC).load() == (edited, {"shape": "s"}, True)


def test_shards_of_two_saves_another_key_or_damage_never_read_as_whole(tmp_path: Path) -> None:
    folder = tmp_path / "state"
    state = ShardedState(folder, "key", MAGIC)
    state.load()
    state.save(entries(300), {})
    index = shard_of("cards/7.md")
    old = (folder / f"{index:02d}.marshal").read_bytes()
    state.save(dict(entries(300), **{"cards/7.md": ("b", 7)}), {})

    # The shard of the earlier save back in place (a save cut short): not whole; its
    # entries are still given, each to be checked by its own key.
    (folder / f"{index:02d}.marshal").write_bytes(old)
    found, _, whole = ShardedState(folder, "key", MAGIC).load()
    assert not whole and found["cards/7.md"] == ("a", 7)

    # Truncated or garbage: that shard's entries are missing, never wrong.
    for damage in (old[:-3], b"garbage", b""):
        (folder / f"{index:02d}.marshal").write_bytes(damage)
        found, _, whole = ShardedState(folder, "key", MAGIC).load()
        assert not whole and "cards/7.md" not in found and len(found) < 300

    # Written for other code or settings: nothing at all.
    assert ShardedState(folder, "other key", MAGIC).load() == ({}, {}, False)
    # A damaged head: the shards are not one state.
    (folder / "head.marshal").write_bytes(b"kbtest01garbage")
    assert not ShardedState(folder, "key", MAGIC).load()[2]
