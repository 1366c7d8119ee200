"""Capture use cases: Slack threads and ticket notes become KCS draft cards.

KCS in one command: read the conversation, draft the card in the requester's
words, search before create (propose the cards that may already answer it), then
either write a new draft or add the requester's words to the card that answers
them. Nothing is written until every input has been read and checked, and a new
card is created exclusively and atomically, so a failure never leaves half a card.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kbcli.core.kcs_draft import Draft, append_note
from kbcli.core.naming import slugify, unique_name
from kbcli.errors import KbError
from kbcli.usecases.capture_update import add_to_card, thread_replies
from kbcli.usecases.capture_write import CardWrite, write

if TYPE_CHECKING:
    from kbcli.core.cards import Card
    from kbcli.workspace import Workspace


@dataclass(frozen=True)
class Candidate:
    """An existing card the duplicate check proposes, best first."""

    path: str
    title: str
    score: float
    why: str = ""


@dataclass
class Outcome:
    """What a capture did: the card path, whether it was new, and the commit."""

    path: str
    created: bool
    title: str
    owner: str | None
    commit: str | None = None
    warnings: list[str] = field(default_factory=list)
    changed: bool = True
    updated: bool = False  # a card captured from this thread got the thread's new replies


CAPTURED = "captured from this thread"  # why a candidate is proposed first


# ---- search before create ---------------------------------------------------------


def similar_cards(
    workspace: Workspace, draft: Draft, limit: int = 5
) -> tuple[list[Candidate], list[str]]:
    """Existing cards that may already answer the draft's question, best first, and
    warnings for the user (a search index that could not be used).

    A card whose Source already names this conversation comes first: the thread
    was captured before.
    """
    warnings: list[str] = []
    found: list[Candidate] = []
    marker = draft.thread_marker
    if marker:
        for card in workspace.catalog:
            if marker in card.body:
                found.append(Candidate(card.path, card.title, 1.0, CAPTURED))
    for match in duplicate_check(workspace, draft.search_text, limit, warnings):
        if all(match.path != c.path for c in found):
            found.append(match)
    return found[:limit], warnings


def duplicate_check(
    workspace: Workspace, text: str, limit: int, warnings: list[str]
) -> list[Candidate]:
    """The duplicate check: the cards most like ``text``, archived cards excluded.

    Uses the search index (``kbcli.usecases.search.suggest``: stemming, every card language,
    trust-aware); when the index cannot be used, a word-overlap ranking of the
    cards in memory keeps search-before-create working (and ``warnings`` says so).
    """
    try:
        from kbcli.usecases.search import suggest

        hits = suggest(workspace, text, limit)
    except (ImportError, KbError, OSError, ValueError) as error:
        warnings.append(f"the search index is not available ({error}); using a simpler word match")
        return _word_overlap(workspace, text, limit)
    if not hits:
        return []
    floor = hits[0].score * RELATIVE_FLOOR
    return [Candidate(h.path, h.title, round(h.score, 3)) for h in hits if h.score >= floor]


RELATIVE_FLOOR = 0.4  # a proposal scoring under 40% of the best one is noise


def _word_overlap(workspace: Workspace, text: str, limit: int) -> list[Candidate]:
    from kbcli.core.similar import rank

    return [Candidate(m.path, m.title, m.score) for m in rank(text, workspace.catalog.cards, limit)]


# ---- writing --------------------------------------------------------------------


def resolve_owner(
    workspace: Workspace, draft: Draft, owner: str | None
) -> tuple[str | None, list[str]]:
    """``--owner`` if given, else whoever answered (when the roster knows them and they
    have not left)."""
    if owner:
        return owner, []
    roster = workspace.config.roster
    if draft.owner:
        person = roster.people.get(draft.owner)
        if person and person.left and person.left <= workspace.today:
            return None, [
                f"{person.display} answered but left on {person.left.isoformat()}: "
                "the card has no owner yet (pass --owner)"
            ]
        return draft.owner, []
    if draft.answered_by:
        return None, [
            f"{draft.answered_by} answered but is not in the roster (people.yaml): "
            "the card has no owner yet (pass --owner)"
        ]
    return None, [
        "nobody in the roster (people.yaml) to own the card: it has no owner yet "
        "(pass --owner, or add your git e-mail to people.yaml)"
    ]


def render_card(
    workspace: Workspace,
    draft: Draft,
    *,
    title: str,
    owner: str | None,
    tags: Sequence[str],
    template: str | None = None,
) -> str:
    """The new card's text: the template's front matter and headings, filled with the draft."""
    from kbcli.adapters.card_files import split_front_matter
    from kbcli.core import sections

    name = template or workspace.config.capture.template
    text = workspace.card_templates().render(
        name,
        {
            "title": title,
            "owner": owner,
            "tags": list(tags),
            "today": workspace.today.isoformat(),
            "template": name,
        },
    )
    split = split_front_matter(text)
    head, body = ("", text) if split is None else (text[: len(text) - len(split[1])], split[1])
    body = sections.fill(
        body, draft.sections(), after={"Discussion": "Resolution", "Source": "Cause"}
    )
    if head and draft.lang and draft.lang != workspace.config.search.default_lang:
        from kbcli.core.frontmatter_edit import set_field

        head = set_field(head, "lang", draft.lang)
    return head + body


def default_folder(
    workspace: Workspace, options: Options, candidates: Sequence[Candidate]
) -> str | None:
    """``--folder``, else kb.toml's [capture] folder, else the folder of the most similar
    cards (a refund question goes next to the refund cards), else None (the first folder)."""
    if options.folder is not None:
        return options.folder
    if workspace.config.capture.folder:
        return workspace.config.capture.folder
    folders = [c.path.rpartition("/")[0] for c in candidates[:3] if "/" in c.path]
    if folders:
        # The folder most of the closest cards share; the closest card breaks ties.
        return max(folders, key=lambda f: (folders.count(f), -folders.index(f)))
    return None


def target_path(workspace: Workspace, title: str, folder: str | None) -> Path:
    """A free, valid card path for ``title`` in ``folder`` (checked, not created)."""
    config = workspace.config
    folder = folder if folder is not None else (config.capture.folder or config.cards.folders[0])
    folder = folder.strip("/") or "."
    target_dir = (workspace.root / folder).resolve()
    if not target_dir.is_relative_to(workspace.root.resolve()):
        raise KbError(f"folder '{folder}' is outside the knowledge repo")
    taken = {p.name for p in target_dir.iterdir()} if target_dir.is_dir() else set()
    path = target_dir / unique_name(slugify(title), taken)
    rel = path.relative_to(workspace.root.resolve()).as_posix()
    if not workspace.card_files.is_card_path(rel):
        raise KbError(
            f"{rel} would not be a card: its folder is not listed in kb.toml [cards] folders, "
            "or it is ignored (pass --folder)"
        )
    return path


Chooser = Callable[[list[Candidate]], "int | None"]


@dataclass(frozen=True)
class Options:
    """What the user asked for: every field optional, defaults come from the draft."""

    title: str | None = None
    owner: str | None = None
    tags: tuple[str, ...] = ()
    folder: str | None = None
    template: str | None = None
    append_to: str | None = None
    commit: bool = True
    append: bool = False  # a thread captured before: add what is new to its card
    force: bool = False  # a thread captured before: write another card anyway
    branch: str | None = None  # commit on this new branch, the checkout untouched (Slack)


def card_tags(draft: Draft, options: Options) -> list[str]:
    """``--tag`` values, then the draft's own (the channel name), each once."""
    return list(dict.fromkeys([*options.tags, *(slugify(t) for t in draft.tags)]))


def preview(workspace: Workspace, draft: Draft, options: Options) -> str:
    """What ``--dry-run`` prints: the new card, the lines ``--append-to`` would add, or,
    for a thread captured before, the new replies its card would get."""
    holder = None if options.append_to or options.force else captured_in(workspace, draft)
    if holder is not None:
        update = thread_replies(workspace, holder, draft)
        if not update:
            return f"{holder.path} already holds this thread and all of its replies.\n"
        added = "\n\n".join(f"## {name}\n\n{text}" for name, text in update.items())
        return f"Would add the thread's new replies to {holder.path}:\n\n{added}\n"
    if options.append_to:
        from kbcli.usecases.ask import answers_request

        card = workspace.card(options.append_to)
        if answers_request(card, draft):
            return (
                f"Would answer the knowledge request {card.path} (status: draft) with:\n\n"
                + draft.resolution
                + "\n"
            )
        return (
            f"Would add to the Issue of {card.path}:\n\n"
            + append_note(draft, today=workspace.today)
            + "\n"
        )
    owner, _ = resolve_owner(workspace, draft, options.owner)
    return render_card(
        workspace,
        draft,
        title=(options.title or draft.title).strip(),
        owner=owner,
        tags=card_tags(draft, options),
        template=options.template,
    )


def planned_path(
    workspace: Workspace, draft: Draft, options: Options, candidates: Sequence[Candidate]
) -> str:
    """Where the new card would go (``--dry-run`` says so)."""
    title = (options.title or draft.title).strip()
    path = target_path(workspace, title, default_folder(workspace, options, candidates))
    return path.relative_to(workspace.root.resolve()).as_posix()


def dry_run_warnings(workspace: Workspace, draft: Draft, options: Options) -> list[str]:
    if options.append_to:
        return list(draft.warnings)
    return [*draft.warnings, *resolve_owner(workspace, draft, options.owner)[1]]


def save(
    workspace: Workspace,
    draft: Draft,
    what: str,
    options: Options,
    candidates: list[Candidate],
    choose: Chooser | None,
) -> Outcome | None:
    """Write the draft as a new card, or append it to a card; commit unless told not to.

    ``choose`` is asked (when given and there are candidates) to pick: None cancels,
    0 creates a new card, N appends to candidate N. Returns None when cancelled.
    Every check runs before the first write.
    """
    if not draft.issue.strip():
        raise KbError(f"{what} holds no text to capture")
    if options.commit:
        require_git(workspace)
    cancelled, target = _target(workspace, draft, options, candidates, choose)
    if cancelled:
        return None
    if target is None:
        outcome, change = _new_card(workspace, draft, what, options, candidates)
    else:
        added = add_to_card(workspace, target, draft, what, committed=options.branch is not None)
        if added is None:
            # Appending the same conversation twice would only repeat it: nothing to do.
            note = (
                f"{target.path} already holds this conversation {draft.thread_marker}; "
                "nothing was added"
            )
            return Outcome(
                target.path, False, target.title, target.meta.owner, warnings=[note], changed=False
            )
        change, updated = added
        outcome = Outcome(target.path, False, target.title, target.meta.owner, updated=updated)
    outcome.warnings[:0] = list(draft.warnings)
    outcome.commit = write(workspace, change, options.branch, commit=options.commit)
    return outcome


def _target(
    workspace: Workspace,
    draft: Draft,
    options: Options,
    candidates: list[Candidate],
    choose: Chooser | None,
) -> tuple[bool, Card | None]:
    """(cancelled, the existing card to add to, or None for a new card)."""
    target: Card | None = workspace.card(options.append_to) if options.append_to else None
    holder = None if target is not None or options.force else captured_in(workspace, draft)
    if holder is not None and options.append:
        target = holder
    elif holder is not None and choose is None:
        raise KbError(
            f"this thread is already captured in {holder.path}: pass --append to add what "
            "is new in it to that card, or --force to write another card anyway"
        )
    if target is None and choose is not None and candidates:
        picked = choose(candidates)
        if picked is None:
            return True, None
        if picked:
            target = workspace.card(candidates[picked - 1].path)
    return False, target


def _new_card(
    workspace: Workspace, draft: Draft, what: str, options: Options, candidates: list[Candidate]
) -> tuple[Outcome, CardWrite]:
    """The draft as a new card: (outcome, what to write, at a free path)."""
    title = (options.title or draft.title).strip()
    owner, warnings = resolve_owner(workspace, draft, options.owner)
    text = render_card(
        workspace,
        draft,
        title=title,
        owner=owner,
        tags=card_tags(draft, options),
        template=options.template,
    )
    path = target_path(workspace, title, default_folder(workspace, options, candidates))
    rel = path.relative_to(workspace.root.resolve()).as_posix()
    message = f"capture: draft '{title}'\n\nCaptured from {what} (status: draft)."
    return Outcome(rel, True, title, owner, warnings=warnings), CardWrite(path, text, True, message)


def captured_in(workspace: Workspace, draft: Draft) -> Card | None:
    """The card this conversation was captured into before (its Source names it), if any."""
    marker = draft.thread_marker
    if not marker:
        return None
    return next((card for card in workspace.catalog if marker in card.body), None)


def commit(workspace: Workspace, paths: Sequence[Path], message: str) -> str:
    from kbcli.usecases.lifecycle import commit_paths

    return commit_paths(workspace.root, list(paths), message)


def require_git(workspace: Workspace) -> None:
    from kbcli.usecases.lifecycle import require_git as require

    require(workspace.root)
