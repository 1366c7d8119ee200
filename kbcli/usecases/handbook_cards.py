"""The cards a handbook build shows: parsed once from the bytes the whole-build check
read, judged (a card kb has evidence against never shows ✔), filtered by audience, and
given their detected language when they name none.

Each shown card read from bytes the build hashed gets a *body id*: the hash of those
bytes with the card parser's fingerprint, which stands for its body in the build's
keys (body key, term counts, detected language), so that an unchanged card's body is
never loaded from the per-card cache, only the changed ones'."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from kbcli.core.cards import Audience
from kbcli.core.handbook import in_audience, in_site

if TYPE_CHECKING:
    from kbcli.adapters.language_id import Detector
    from kbcli.workspace import Workspace


def shown_cards(
    ws: Workspace, audience: Audience, card_bytes: list[tuple[str, bytes | None]]
) -> tuple[list[Any], list[Any], dict[str, str]]:
    """(every card with its verdict, the cards this audience's build shows, the body id
    of each shown card that has one)."""
    from kbcli.adapters.language_id import FILE, Detector
    from kbcli.usecases.health import judged

    catalog_from_bytes(ws, card_bytes)
    items = judged(ws)
    omit = ws.config.handbook.public_stale == "omit"
    kept = [i for i in items if in_site(i, audience, omit)]
    ids = body_ids(ws, [i.card for i in kept])
    detect = Detector(ws.config.cache_dir / FILE)
    shown = [_with_language(i, detect, ids) for i in kept]
    detect.save()
    return items, shown, ids


def public_warnings(audience: Audience, items: list[Any], shown: int) -> list[str]:
    """What a public build says about the cards it leaves out: all of them (almost always
    a missing marking, not the intent: an empty site must not go out in silence), or the
    ones ``[handbook] public_stale = "omit"`` keeps out."""
    if audience is not Audience.PUBLIC:
        return []
    if items and not shown:
        return [
            f"no card is in the public site ({len(items)} cards, none published with "
            "'audience: public'): it has no card pages; mark the cards to publish with "
            "'audience: public' in their header"
        ]
    omitted = sum(in_audience(i.card, audience) for i in items) - shown
    if not omitted:
        return []
    return [
        f"{omitted} public card(s) left out of the site as not current (expired, needing "
        'review or never verified; [handbook] public_stale = "omit"): kb check lists '
        "them; each is back once verified"
    ]


def body_ids(ws: Workspace, cards: list[Any]) -> dict[str, str]:
    """path -> body id (see above) for the cards read from hashed bytes in this run."""
    from kbcli.core.handbook import digest

    files = ws.card_files
    parser = digest("parser", files.parse_fingerprint())[:16]
    ids = {}
    for card in cards:
        found = files.digest(card)
        if found is not None:
            ids[card.path] = f"{found.hex()}:{parser}"
    return ids


def catalog_from_bytes(ws: Workspace, card_bytes: list[tuple[str, bytes | None]]) -> None:
    """Give the workspace the cards parsed from the bytes just hashed: read once."""
    from kbcli.core.catalog import Catalog

    if ws.has_catalog or not card_bytes:
        return
    files = ws.card_files
    cache = files.cache()  # cards unchanged since any kb run read them: not parsed
    cards = [
        cache.card_from(rel, data, files.parse, ws.today)
        if data is not None
        else files.read(rel, ws.today)
        for rel, data in card_bytes
    ]
    cache.save(keep_unseen=True)
    files.remember(cards, cache.digests())  # the findings cache finds kept cards by them
    ws.catalog = Catalog(cards)


def _with_language(item: Any, detect: Detector, ids: dict[str, str]) -> Any:
    """A card without ``lang`` gets its text's language, as search detects it: the page's
    ``<html lang>`` then sends it to Pagefind's index and stemmer for that language (a
    Russian page in an English repo used to be indexed with the English stemmer)."""
    card = item.card
    if card.meta.lang:
        return item
    known = ids.get(card.path)
    lang = detect(card.body) if known is None else detect.by_id(known, lambda: card.body)
    if not lang:
        return item
    return _changed(item, card=_changed(card, meta=_changed(card.meta, lang=lang)))


def _changed(obj: Any, **changes: Any) -> Any:
    """``dataclasses.replace`` for a plain frozen dataclass (no ``__post_init__``, no
    slots: its fields are its ``__dict__``), without running ``__init__`` again: about
    twenty times faster, and a build changes three objects of each card without lang."""
    if isinstance(obj, tuple):  # a NamedTuple record (CardMeta)
        return obj._replace(**changes)  # type: ignore[attr-defined]
    if not hasattr(obj, "__dict__") or hasattr(obj, "__post_init__"):
        return replace(obj, **changes)
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__, **changes)
    return new
