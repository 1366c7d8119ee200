"""The KCS life of a card: publish a draft, archive it, flag it.

Each use case changes one front-matter field through the surgical editor, so the
diff shows that one line (or the one appended flag), and commits only that file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbcli.core.cards import Card, Status
from kbcli.core.flags import FIELD as FLAGS_FIELD
from kbcli.core.flags import Flag, open_flags, remaining_after_verify, with_flag
from kbcli.errors import ExitCode, KbError

if TYPE_CHECKING:
    from kbcli.workspace import Workspace


@dataclass
class Change:
    """What a lifecycle command did to one card."""

    path: str
    title: str
    changed: bool
    detail: str
    commit: str | None = None


def publish_blockers(workspace: Workspace, card: Card) -> list[str]:
    """Why ``card`` cannot be published yet; empty when it can."""
    from kbcli.core import sections

    blockers = [f"line {p.line}: {p.message}" for p in card.problems if p.severity == "error"]
    if not card.meta.owner:
        blockers.append("it has no owner (set 'owner:' to a handle from people.yaml)")
    required = required_sections(workspace, card)
    gaps = sections.missing(card.body, required)
    if gaps:
        blockers.append(
            "required section(s) still empty: "
            + ", ".join(gaps)
            + f" (template {card.meta.template})"
        )
    return blockers


def required_sections(workspace: Workspace, card: Card) -> tuple[str, ...]:
    if not card.meta.template:
        return ()
    templates = workspace.card_templates().available()
    found = templates.get(card.meta.template)
    return found.required_sections if found else ()


def publish(workspace: Workspace, ref: str, *, commit: bool) -> Change:
    """draft (or archived) -> published, once the card has an owner and its sections."""
    from kbcli.adapters.write_note import refuse_if_stopped

    if commit:  # "already published" must not hide a stopped run's uncommitted edit
        refuse_if_stopped(workspace.root)
    card = workspace.card(ref)
    if card.meta.status is Status.PUBLISHED:
        return Change(card.path, card.title, False, "is already published")
    blockers = publish_blockers(workspace, card)
    if blockers:
        raise KbError(
            f"{card.path} cannot be published yet: " + "; ".join(blockers),
            exit_code=ExitCode.FINDINGS,
        )
    before = card.meta.status.value
    return _set(
        workspace,
        card,
        "status",
        Status.PUBLISHED.value,
        commit=commit,
        detail=f"{before} → published",
        message=f"publish: '{card.title}'\n\n{card.path}: status {before} → published "
        "(owner set, required sections filled).",
    )


def archive(workspace: Workspace, ref: str, *, reason: str | None, commit: bool) -> Change:
    """Any status -> archived: hidden from search and the handbook unless asked for.

    Archiving also ends the card's verification (its ``verified_at`` line goes; git keeps
    the old stamp): an archived card is no answer to rely on, so it must not read ✔, and
    a current date left on it was a ``not-published`` warning nobody could act on until
    it ran out. Published again, the card is unverified until its owner reads it.
    """
    from kbcli.adapters.write_note import refuse_if_stopped

    if commit:  # "already archived" must not hide a stopped run's uncommitted edit
        refuse_if_stopped(workspace.root)
    card = workspace.card(ref)
    stamped = card.meta.verified_at is not None
    if card.meta.status is Status.ARCHIVED and not stamped:
        return Change(card.path, card.title, False, "is already archived")
    before = card.meta.status.value
    why = f"\n\nReason: {reason}" if reason else ""
    ended = ", verification ended" if stamped else ""
    return _set_fields(
        workspace,
        card,
        {"status": Status.ARCHIVED.value, **({"verified_at": None} if stamped else {})},
        commit=commit,
        detail=f"{before} → archived{ended}",
        message=f"archive: '{card.title}'\n\n{card.path}: status {before} → archived{ended}.{why}",
    )


def flag(workspace: Workspace, ref: str, *, reason: str, by: str | None, commit: bool) -> Change:
    """Record who flagged the card, when and why, in its ``flags`` list."""
    reason = " ".join(reason.split())
    if not reason:
        raise KbError('say what is wrong: --reason "step 3 names a menu that no longer exists"')
    card = workspace.card(ref)
    who = by or workspace.me().label
    new = Flag(by=who, at=workspace.today, reason=reason)
    count = len(open_flags(card)) + 1
    return _set(
        workspace,
        card,
        FLAGS_FIELD,
        with_flag(card.meta, new),
        commit=commit,
        detail=f"flagged by {who} ({count} open flag{'s' if count != 1 else ''})",
        message=f"flag: '{card.title}'\n\n{card.path}: flagged by {who}: {reason}",
    )


def clear_resolved_flags(workspace: Workspace, card: Card) -> bool:
    """After ``kb verify``: drop the flags the verification resolved; True if the file changed.

    Verifying means the owner re-checked the card, so every flag raised up to today
    is resolved. Only the ``flags`` field is touched.
    """
    from kbcli.adapters.card_writer import drop_field, edit_field

    if FLAGS_FIELD not in card.meta.extra:
        return False
    path = workspace.root / card.path
    keep = remaining_after_verify(card.meta, workspace.today)
    if keep is None:
        return drop_field(path, FLAGS_FIELD, root=workspace.root)
    return edit_field(path, FLAGS_FIELD, keep, root=workspace.root)


def _set(
    workspace: Workspace,
    card: Card,
    key: str,
    value: Any,
    *,
    commit: bool,
    detail: str,
    message: str,
) -> Change:
    return _set_fields(workspace, card, {key: value}, commit=commit, detail=detail, message=message)


def _set_fields(
    workspace: Workspace,
    card: Card,
    fields: dict[str, Any],
    *,
    commit: bool,
    detail: str,
    message: str,
) -> Change:
    """Set each of ``fields`` (None: remove the key) in one file, committed once."""
    from kbcli.adapters.card_writer import drop_field, edit_field
    from kbcli.adapters.write_note import writing

    if commit:
        require_git(workspace.root)
    path = workspace.root / card.path
    command = "kb " + message.partition(":")[0]  # publish, archive, flag
    with writing(workspace.root, command, [card.path], commit=commit):
        changed = False
        for key, value in fields.items():
            if value is None:
                changed |= drop_field(path, key, root=workspace.root)
            else:
                changed |= edit_field(path, key, value, root=workspace.root)
        change = Change(card.path, card.title, changed, detail)
        if changed and commit:
            change.commit = _commit(workspace, path, message)
    return change


def require_git(root: Path) -> None:
    """Fail before writing anything when kb could not commit the change."""
    from kbcli.adapters.git_commits import in_git_repo

    if not in_git_repo(root):
        raise KbError(
            f"{root} is not in a git repository, so kb cannot commit the change: "
            "run 'git init' there, or pass --no-commit"
        )


def commit_paths(root: Path, paths: list[Path], message: str) -> str:
    """Commit exactly ``paths``; return the short commit id."""
    from kbcli.adapters.git_commits import commit_files

    rel = [p.resolve().relative_to(root.resolve()).as_posix() for p in paths]
    return commit_files(root, rel, message)[:7]


def _commit(workspace: Workspace, path: Path, message: str) -> str:
    return commit_paths(workspace.root, [path], message)
