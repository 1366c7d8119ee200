"""Knowledge requests ("ask an expert"): a question becomes a requested draft card.

KCS: when search finds nothing, the question is captured in the asker's words and
handed to whoever owns the nearest knowledge, found by search (the owners of the
cards most related to the question). The card has ``status: requested`` and shows in
that owner's ``kb report`` to-do; the answer, written in the thread, is captured
into it with "Capture this thread".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.core.cards import Card
    from kbcli.core.kcs_draft import Draft
    from kbcli.workspace import Workspace

RELATED = 8  # how many related cards vote for the owner and folder
ALREADY = 3  # how many of them the asker is shown: they may answer the question already


@dataclass
class Request:
    path: str
    title: str
    owner: str | None
    commit: str | None = None
    warnings: list[str] = field(default_factory=list)
    # The cards found most related to the question, best first (they may answer it).
    related: list[str] = field(default_factory=list)
    branch: str | None = None  # the branch the request was committed on


def choose_owner(workspace: Workspace, question: str) -> tuple[str | None, str | None, list[str]]:
    """(owner, folder, related paths) of the cards most related to ``question``: owner and
    folder by summed search score, the paths best first.

    Owners who left are skipped; the folder is where the best related cards live.
    """
    from kbcli.usecases.search import suggest

    try:
        hits = suggest(workspace, question, RELATED)
    except KbError:
        hits = []
    roster = workspace.config.roster
    owners: dict[str, float] = {}
    folders: dict[str, float] = {}
    for hit in hits:
        folder = hit.path.rpartition("/")[0]
        if folder:
            folders[folder] = folders.get(folder, 0.0) + hit.score
        owner = hit.meta.owner
        person = roster.people.get(owner or "")
        if owner and not (person and person.left and person.left <= workspace.today):
            owners[owner] = owners.get(owner, 0.0) + hit.score
    best_owner = max(owners, key=owners.__getitem__) if owners else None
    best_folder = max(folders, key=folders.__getitem__) if folders else None
    return best_owner, best_folder, [hit.path for hit in hits]


def ask(
    workspace: Workspace,
    question: str,
    *,
    asker: str | None = None,
    source: str | None = None,
    commit: bool = True,
) -> Request:
    """Write (and commit) a requested draft for ``question``; the owner is chosen by search."""
    from kbcli.adapters.card_writer import write_new
    from kbcli.adapters.git_checkout import current_branch
    from kbcli.core.frontmatter_edit import set_field
    from kbcli.core.kcs_draft import suggest_title
    from kbcli.core.kcs_text import draft_from_text
    from kbcli.core.people import skipped_checks
    from kbcli.usecases import capture

    question = question.strip()
    if not question:
        raise KbError('ask a question: kb ask "How do I export invoices as CSV?"')
    if commit:
        capture.require_git(workspace)
    owner, folder, related = choose_owner(workspace, question)
    draft = draft_from_text(question, source=source or "knowledge request", today=workspace.today)
    title = suggest_title(question)
    text = capture.render_card(workspace, draft, title=title, owner=owner, tags=[])
    head_end = text.find("\n---", 3) + 4
    head, body = text[:head_end], text[head_end:]
    head = set_field(head, "status", "requested")
    if asker:
        head = set_field(head, "requested_by", asker)
    path = capture.target_path(workspace, title, folder)
    write_new(path, head + body)
    rel = path.relative_to(workspace.root.resolve()).as_posix()
    request = Request(rel, title, owner, related=related[:ALREADY])
    # The owner was chosen without the roster's checks (left, unknown) when there is none.
    request.warnings += [f"skipped {check}" for check in skipped_checks(workspace.config.roster)]
    if owner is None:
        request.warnings.append(
            "no related card has an owner, so nobody was chosen: give the request an owner "
            f"(kb reassign, or edit owner: in {rel})"
        )
    if commit:
        by = f" from {asker}" if asker else ""
        message = (
            f"ask: knowledge request '{title}'\n\n"
            f"Requested{by}; owner {owner or '(none yet)'} (status: requested)."
        )
        request.commit = capture.commit(workspace, [path], message)
        request.branch = current_branch(workspace.root)
    return request


def answers_request(card: Card, draft: Draft) -> bool:
    """Capturing this thread into ``card`` answers a knowledge request: the card is
    ``status: requested`` and the thread has a resolution."""
    from kbcli.core.cards import Status

    return card.meta.status is Status.REQUESTED and bool(draft.resolution.strip())


def answered_text(text: str, draft: Draft) -> str:
    """A requested card's ``text`` answered by the thread: the sections the request left
    as hints (Environment, Resolution, Discussion) get the thread's, the thread's permalink
    joins the Source, and the card becomes a draft (answered, waiting for review).
    The question stays the Issue, in the asker's words."""
    from kbcli.core import sections
    from kbcli.core.frontmatter_edit import set_field

    contents = draft.sections()
    for name in ("Environment", "Resolution", "Discussion"):
        addition = contents.get(name, "")
        if not addition.strip():
            continue
        found = sections.find(text, name)
        if found is None or not sections.is_filled(text[found.start : found.end]):
            text = sections.fill(text, {name: addition}, after={"Discussion": "Resolution"})
        else:
            text = sections.append(text, name, addition)
    if contents.get("Source", "").strip():
        answered = contents["Source"].strip().removeprefix("Source:").strip()
        text = sections.append(text, "Source", f"Answered in: {answered}")
    return set_field(text, "status", "draft")
