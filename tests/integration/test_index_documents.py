"""A whole rebuild reuses the documents the last one built (``.kb/index/documents.marshal``)
for cards whose bytes are unchanged: the index answers exactly as a fresh build's, an
edited card is built again, and a damaged or foreign file only means building again."""

from __future__ import annotations

import marshal
from pathlib import Path

from kbcli.adapters import index_documents
from tests.helpers import KbRepo, make_repo, run_kb, search_answers

QUERIES = ["refund", "карту", "webhook", "owner:ana", "lang:ru", "is:unowned", "zebra", "hint"]


def _cards(repo: KbRepo) -> None:
    ru = "Если при оплате возникает ошибка, проверьте карту и повторите платёж. " * 3
    repo.write("ru/oshibki.md", f"---\ntitle: Ошибки\nowner: ana\n---\n\n{ru}\n")
    repo.write(
        "en/refund.md",
        "---\ntitle: Refund a charge\nowner: ana\ntags: [billing, refund]\n"
        "verified_at: 2026-01-02\n---\n\n# Refund\n\nRefund the duplicate charge.\n"
        "<!-- hint: never indexed -->\nSee the webhook log.\n",
    )
    repo.write("en/plain.md", "# Webhook retries\n\nA webhook is retried three times.\n")
    repo.write("en/pointer.md", "---\ntitle: Refunds\n---\n\nSee [[Refund a charge]].\n")
    repo.commit("cards")


def _answers(repo: KbRepo) -> list[object]:
    return search_answers(repo, QUERIES, 20)


def _rebuild(repo: KbRepo) -> None:
    result = run_kb("--kb", str(repo.path), "index", "--rebuild", "--quiet")
    assert result.exit_code == 0, result.output


def test_a_rebuild_reuses_kept_documents_and_answers_as_a_fresh_build(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb", kb_toml="[search]\nsemantic = false\n")
    _cards(repo)
    _rebuild(repo)
    kept = repo.path / ".kb" / "index" / "documents.marshal"
    fresh = _answers(repo)
    assert kept.is_file() and any(fresh)
    written = kept.stat().st_mtime_ns
    _rebuild(repo)
    assert kept.stat().st_mtime_ns == written  # every document reused, nothing to write
    assert _answers(repo) == fresh
    # An edited card is built again: its new words are found, its old ones are not.
    repo.write("en/plain.md", "# Zebra crossings\n\nA zebra is retried.\n")
    _rebuild(repo)
    again = _answers(repo)
    zebra = again[QUERIES.index("zebra")]
    assert [hit["path"] for hit in zebra] == ["en/plain.md"]
    assert "en/plain.md" not in [hit["path"] for hit in again[QUERIES.index("webhook")]]


def test_a_damaged_or_foreign_documents_file_means_building_again(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "kb", kb_toml="[search]\nsemantic = false\n")
    _cards(repo)
    _rebuild(repo)
    fresh = _answers(repo)
    kept = repo.path / ".kb" / "index" / "documents.marshal"
    good = kept.read_bytes()
    flipped = bytearray(good)
    flipped[len(good) // 2] ^= 0xFF
    # A well-formed file of another kb (another fingerprint) whose documents say otherwise.
    fingerprint = marshal.loads(good[12 : 12 + int.from_bytes(good[8:12], "big")])
    entries = index_documents.parse(good, fingerprint)
    assert len(entries) == 4  # the file holds every document
    lies = {
        rel: (digest, "ru", ("zebra", *values[1:])) for rel, (digest, _l, values) in entries.items()
    }
    foreign = b"".join(index_documents.written("another kb", lies))
    lying = b"".join(index_documents.written(fingerprint, lies))
    assert index_documents.parse(lying, fingerprint) == lies  # what a good file would say
    for damaged in (b"", good[:100], bytes(flipped), b"\x00garbage", foreign):
        kept.write_bytes(damaged)
        _rebuild(repo)
        assert _answers(repo) == fresh
        assert kept.read_bytes() != damaged  # written again, whole
