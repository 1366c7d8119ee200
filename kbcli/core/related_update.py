"""Related lists after an edit: ``scored_similar``'s lists recomputed only where the
changed cards' words can reach, so a rebuild lists exactly what a build from scratch
would, at the cost of the change.

Why the result equals a whole pass: a card's vector depends on its own counts and the
idf of its terms, and an idf only on how many cards have the term (the number of cards
is unchanged); so the vectors that change are the edited cards' and those of the cards
having a term whose card count changed (and was at most ``COMMON_CARDS`` before or
after): the cards *reached*. A list changes only if one of those cards is on it or may
now enter it: a list that held none of them is the old list merged with their new
scores, any other is computed again. Every other card's vector is the one the last pass
computed: given it, it is read instead of computed again.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from kbcli.core.related import COMMON_CARDS, Scored, TermSpace, unit_vector


def update_similar(
    cards: Sequence[tuple[str, Mapping[str, float]]],
    limit: int,
    before: Mapping[str, Mapping[str, float]],
    listed: Scored,
    candidates: Collection[str] | None = None,
    *,
    links: Mapping[str, Collection[str]] | None = None,
    most: int = 64,
    vectors: Mapping[str, dict[str, float]] | None = None,
    keep: dict[str, dict[str, float]] | None = None,
    df: Mapping[str, int] | None = None,
) -> Scored | None:
    """``scored_similar`` after some cards' words changed; None when the change reaches
    too much (``most`` cards' vectors) and a whole pass is the cheaper way. ``before`` are
    the counts ``listed`` was computed from, for the same cards, candidates, links and
    limit (the caller checks); ``vectors`` the vectors of that pass (its ``keep``), when
    known. ``keep`` gets every vector known now. ``df``: ``cards``' df, if kept.
    """
    changed = [path for path, counts in cards if before.get(path) != counts]
    if not changed:
        if keep is not None:
            keep.update(vectors or {})
        return {path: list(found) for path, found in listed.items()}
    now = dict(cards)
    if now.keys() != before.keys():
        return None
    space = TermSpace(cards, df=df)
    old_df = _old_df(space, changed, now, before)
    moved = old_df.keys()
    weighed = {t for t in moved if min(old_df[t], space.df.get(t, 0)) <= COMMON_CARDS}
    reached = set(changed) | space.having(weighed)
    if len(reached) > most:
        return None
    space.vectors = {p: v for p, v in (vectors or {}).items() if p not in reached}
    old_space = TermSpace(cards, df=space.df, df_override=old_df)
    old_vectors = {
        x: unit_vector(before[x] if x in before else now[x], old_space.idf) for x in reached
    }
    new_vectors = {x: space.vector(x) for x in reached}
    near = space.having({t for x in reached for t in (*old_vectors[x], *new_vectors[x])}) - reached
    allowed = candidates
    result: Scored = dict(listed)  # an unchanged list is the same list object
    redo = set(reached)
    order = {path: number for number, (path, _) in enumerate(cards)}
    ordered = sorted(reached, key=order.__getitem__)
    for path in near:
        old = listed.get(path, [])
        if any(other in reached for other, _ in old):
            redo.add(path)
            continue
        linked = {o for o in (links or {}).get(path, ()) if o in order}
        others = [o for o in ordered if o != path and (allowed is None or o in allowed)]
        merged = old + _scores(space.vector(path), others, new_vectors, linked)
        merged.sort(key=lambda item: (item[0] not in linked, -round(item[1], 9), item[0]))
        result[path] = merged[:limit]
    result.update(space.similar(sorted(redo), limit, allowed, links))
    if keep is not None:
        keep.update(space.vectors)
    return result


def _old_df(
    space: TermSpace,
    changed: list[str],
    now: Mapping[str, Mapping[str, float]],
    before: Mapping[str, Mapping[str, float]],
) -> dict[str, int]:
    """For each term whose card count the change moved, its card count before."""
    moved: set[str] = set()
    for path in changed:
        moved |= now[path].keys() ^ before[path].keys()
    old_df: dict[str, int] = {}
    for term in moved:
        count = space.df.get(term, 0)
        count -= sum(1 for path in changed if term in now[path])
        count += sum(1 for path in changed if term in before[path])
        old_df[term] = count
    return old_df


def _scores(
    own: Mapping[str, float],
    others: Sequence[str],
    vectors: Mapping[str, Mapping[str, float]],
    linked: Collection[str],
) -> list[tuple[str, float]]:
    """``own``'s similarity to each of ``others`` sharing a term with it or linked to it,
    summed in term order (the same floats as a whole pass)."""
    found = []
    for other in others:
        theirs = vectors[other]
        score, shared = 0.0, False
        for term in sorted(own):
            weight = theirs.get(term)
            if weight is not None:
                score, shared = score + own[term] * weight, True
        if shared or other in linked:
            found.append((other, score))
    return found
