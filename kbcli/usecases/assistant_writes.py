"""What an assistant may write through ``kb mcp --allow-write``: a draft card, a flag.

Both go through the same use cases as ``kb capture`` and ``kb flag`` (same template,
same owner and folder rules, same surgical front-matter edit). A captured draft is
committed on a new branch of its own, never into the user's checkout, so nothing an
assistant writes reaches the team's cards before a person has reviewed it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kbcli.errors import KbError

if TYPE_CHECKING:
    from kbcli.workspace import Workspace

BRANCH_PREFIX = "kb/draft/"


def capture_draft(
    workspace: Workspace, question: str, answer: str, source: str, captured_by: str = ""
) -> dict[str, Any]:
    """Render a KCS draft card from a question and its answer; commit it on a new branch.

    The proposed owner is the person the assistant says asked (``captured_by``, mapped
    through people.yaml as a flag's ``flagged_by``), never the server's git identity:
    the server runs as one person for everyone its assistant serves. Unknown or missing,
    the draft has no owner and a warning says why (its reviewer assigns one)."""
    from kbcli.adapters.git_commits import commit_to_new_branch
    from kbcli.core.kcs_draft import Draft, suggest_title
    from kbcli.core.naming import slugify
    from kbcli.usecases import capture

    question, answer = question.strip(), answer.strip()
    if not question or not answer:
        raise KbError("capture_draft needs both the question and the answer")
    capture.require_git(workspace)
    when = workspace.today.isoformat()
    draft = Draft(
        title=suggest_title(question),
        issue=question,
        resolution=answer,
        source=f"Source: {source.strip() or 'an AI assistant'}, captured {when} with kb mcp",
    )
    candidates, _ = capture.similar_cards(workspace, draft)
    owner, warnings = draft_owner(workspace, captured_by)
    options = capture.Options()
    text = capture.render_card(
        workspace, draft, title=draft.title, owner=owner, tags=capture.card_tags(draft, options)
    )
    path = capture.target_path(
        workspace, draft.title, capture.default_folder(workspace, options, candidates)
    )
    rel = path.relative_to(workspace.root.resolve()).as_posix()
    message = (
        f"capture: draft '{draft.title}'\n\nCaptured by an assistant through kb mcp"
        f"{f' for {owner}' if owner else ''} (status: draft). {draft.source}."
    )
    branch, sha = commit_to_new_branch(
        workspace.root, BRANCH_PREFIX + slugify(draft.title), {rel: text.encode()}, message
    )
    return {
        "path": rel,
        "title": draft.title,
        "owner": owner,
        "status": "draft",
        "branch": branch,
        "commit": sha[:7],
        "similar_cards": [{"path": c.path, "title": c.title} for c in candidates],
        "warnings": warnings,
        "note": f"Draft saved on branch {branch} for review; the working tree is unchanged.",
    }


def flag_card(workspace: Workspace, ref: str, reason: str, flagged_by: str = "") -> dict[str, Any]:
    """Flag a card (``kb flag``) in the working tree, uncommitted, for a person to review,
    in the name of the person the assistant says asked (``flagger``)."""
    from kbcli.usecases.assistant import card_path
    from kbcli.usecases.lifecycle import flag

    rel = card_path(workspace, ref)
    by, warnings = flagger(workspace, flagged_by)
    change = flag(workspace, rel, reason=reason, by=by, commit=False)
    return {
        "path": change.path,
        "title": change.title,
        "changed": change.changed,
        "detail": change.detail,
        "flagged_by": by,
        "warnings": warnings,
        "note": "The flag is in the card's front matter in the working tree, not committed.",
    }


def draft_owner(workspace: Workspace, captured_by: str) -> tuple[str | None, list[str]]:
    """The owner proposed for an assistant's draft: the asker, when people.yaml knows
    them and they have not left; else none, and the warning saying why."""
    handle, why = asking_person(workspace, captured_by)
    if handle is None:
        return None, [f"{why}, so the draft has no owner; pass the asker's handle or e-mail"]
    gone = workspace.config.roster.left_on(handle, workspace.today)
    if gone:
        return None, [f"{handle} left on {gone.isoformat()}, so the draft has no owner"]
    return handle, []


UNIDENTIFIED = "unidentified (via kb mcp)"


def flagger(workspace: Workspace, flagged_by: str) -> tuple[str, list[str]]:
    """Who a flag made through kb mcp is recorded as, and what to tell the assistant.

    The server runs under one git identity for whoever its assistant serves, so that
    identity says nothing about who asked (the Slack app maps the Slack user through
    people.yaml for the same reason). The assistant names the person; people.yaml must
    know them, by handle or e-mail. Otherwise the flag is kept (a flag only ever lowers a
    card's trust) and attributed to no one: never to a person who did not ask."""
    handle, why = asking_person(workspace, flagged_by, "flagged_by")
    if handle:
        return f"{handle} (via kb mcp)", []
    return UNIDENTIFIED, [f"{why}, so the flag names no one; pass the asker's handle or e-mail"]


def asking_person(
    workspace: Workspace, given: str, field: str = "captured_by"
) -> tuple[str | None, str]:
    """(the roster handle of the person an assistant names, by handle or e-mail, or None;
    why not, in words). A name alone is refused: anyone can type one."""
    roster = workspace.config.roster
    given = given.strip()
    if not given:
        return None, f"no {field} was given"
    if not roster.people:
        return None, f"there is no people.yaml roster yet to tell who {field} '{given}' is"
    handle = given if given in roster.people else roster.handle_for(None, given)
    if handle:
        return handle, ""
    return None, f"{field} '{given}' is no handle or e-mail in people.yaml"
