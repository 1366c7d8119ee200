"""Card bodies kept apart from the per-card cache (``.kb/bodies/``): a kept card's body is
its file's body whatever state the kept bodies are in, and a warm card needs none."""

from __future__ import annotations

import copy as copying
import pickle
from pathlib import Path

import pytest

from kbcli.adapters import card_bodies, checked_file
from kbcli.core.cards import Card
from kbcli.core.report import card_refs, inbound_links
from tests.integration.test_card_cache import (
    age,
    cached,
    damage_empty,
    damage_flip,
    damage_garbage,
    damage_truncate,
    fresh,
    repo,  # noqa: F401 (fixture)
)

LINKED = {
    "kb/a.md": "---\ntitle: Alpha\n---\nSee [[Beta]], [[ beta | twice ]] and [c](sub/c.md).\n",
    "kb/b.md": "---\ntitle: Beta\naliases: [second]\n---\n[[second]] [web](https://x.io/a.md)\n",
    "kb/sub/c.md": '---\ntitle: Gamma\n---\n[back](../a.md "title") [[alpha#part|A]]\n',
}


def shards(root: Path) -> list[Path]:
    return sorted((root / ".kb" / card_bodies.FOLDER).glob("*.marshal"))


def test_a_warm_card_is_read_without_its_body(repo: Path) -> None:  # noqa: F811
    age(repo)
    cached(repo)
    cards, parsed = cached(repo)
    assert parsed == 0
    assert all("_body" not in card.__dict__ for card in cards)  # nothing loaded yet
    assert cards == fresh(repo)  # and each body, once asked for, is the file's


@pytest.mark.parametrize(
    "damage", [damage_truncate, damage_garbage, damage_flip, damage_empty], ids=lambda f: f.__name__
)
def test_damaged_kept_bodies_mean_reading_the_card_again(repo: Path, damage) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    age(repo)
    cached(repo)
    assert shards(repo)
    for shard in shards(repo):
        damage(shard)
    cards, parsed = cached(repo)
    assert parsed == 0  # the front matter is still kept
    assert [card.body for card in cards] == [card.body for card in fresh(repo)]


def test_a_kept_body_for_other_bytes_or_of_the_wrong_shape_is_not_used(repo: Path) -> None:  # noqa: F811
    age(repo)
    cached(repo)
    for number, shard in enumerate(shards(repo)):
        magic = shard.read_bytes()[:8]
        stored = checked_file.load(shard, _key_of(shard, magic), magic)
        assert stored, "the kept bodies are readable with their key"
        if number % 2:
            wrong = {rel: (b"other bytes!", "a wrong body") for rel in stored}
        else:
            wrong = {rel: (digest, 42) for rel, (digest, _) in stored.items()}
        checked_file.save(shard, _key_of(shard, magic), wrong, magic)
    cards, parsed = cached(repo)
    assert parsed == 0
    assert [card.body for card in cards] == [card.body for card in fresh(repo)]


def _key_of(shard: Path, magic: bytes) -> object:
    import marshal

    return marshal.loads(memoryview(shard.read_bytes())[len(magic) + 4 :])[0]


def test_a_kept_card_pickles_copies_and_compares_as_the_card(repo: Path) -> None:  # noqa: F811
    age(repo)
    cached(repo)
    cards, _ = cached(repo)
    expected = fresh(repo)
    for card, same in zip(cards, expected, strict=True):
        copy = pickle.loads(pickle.dumps(card))
        assert type(copy) is Card and copy == same
        assert copying.copy(card) == same and copying.copy(card).body == same.body


def test_kept_links_count_inbound_links_as_the_bodies_do(tmp_path: Path) -> None:
    (tmp_path / "kb.toml").write_text('[cards]\nfolders = ["kb"]\n')
    (tmp_path / ".kb").mkdir()
    for rel, text in LINKED.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    age(tmp_path)
    cached(tmp_path)
    cards, _ = cached(tmp_path)
    from_bodies = inbound_links(fresh(tmp_path))
    assert from_bodies == {"kb/b.md": 1, "kb/sub/c.md": 1, "kb/a.md": 1}
    kept = {card.path: card.__dict__.get("refs") for card in cards}
    assert inbound_links(cards, lambda card: kept[card.path] or card_refs(card.body)) == (
        from_bodies
    )
