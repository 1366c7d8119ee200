"""CPU of each step of building a whole index's documents, in one process, and a digest of
every document: run it with two versions of kb (``PYTHONPATH``) to see what a change
saves and that it builds the same documents.

Steps (every card of the repo, in path order, CPU seconds by ``time.process_time``, the
cyclic collector off as ``kb index`` runs): parse the card (``card_from_bytes``), guess
its language (``language_id.detect``), the whole preparer (parse, language, filter
fields), and the document's fields (``tantivy_schema.document_fields``). No Tantivy, no
caches read or written. The digest is a sha256 of every card's fields and language.

Usage: python bench/index_stages.py REPO
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import time
from datetime import date
from pathlib import Path


def main() -> int:
    from kbcli.adapters import tantivy_schema
    from kbcli.adapters.card_files import card_from_bytes, read_card_bytes
    from kbcli.adapters.index_scan import scan_cards
    from kbcli.adapters.language_id import detect
    from kbcli.adapters.text_analysis import Analysis
    from kbcli.config import load_config
    from kbcli.usecases import search_index
    from kbcli.workspace import Workspace

    gc.disable()
    root = Path(sys.argv[1]).resolve()
    config = load_config(root, os.environ, {})
    workspace = Workspace(config=config, today=date.today(), cwd=root)
    paths = sorted(scan_cards(workspace.card_files, {}))
    files = [(rel, read_card_bytes(str(root), rel)) for rel in paths]
    limit = config.cards.max_front_matter
    spent: dict[str, float] = {}

    def timed(name: str, step: object, items: list[object]) -> list[object]:
        start = time.process_time()
        done = [step(item) for item in items]  # type: ignore[operator]
        spent[name] = round(time.process_time() - start, 3)
        return done

    cards = timed("parse", lambda f: card_from_bytes(f[0], f[1], None, limit), files)
    timed("language", lambda c: None if c.meta.lang else detect(c.body), cards)
    prepare = search_index._preparer(workspace, None)
    prepared = timed("prepare", lambda f: prepare(f[0], f[1]), files)
    analysis = Analysis()
    fields = timed("fields", lambda p: tantivy_schema.document_fields(analysis, p), prepared)
    digest = hashlib.sha256()
    for value, item in zip(fields, prepared, strict=True):
        digest.update(pickle.dumps((value, item.lang)))  # type: ignore[attr-defined]
    print(f"{len(paths)} cards, CPU s {spent}, documents {digest.hexdigest()[:16]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
