"""kb lsp driven by pytest-lsp's client over stdio, on a real git repo of example-kb."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.helpers import KbRepo, git, run_kb
from tests.mcp.conftest import TODAY, kb_git  # noqa: F401 (a fixture)

CARD = "billing/refund-request-processing.md"


def drive(
    repo: KbRepo,
    steps: Callable[[LanguageClient], Awaitable[Any]],
    env: dict[str, str] | None = None,
) -> Any:
    """Start ``kb lsp`` as an editor would, initialize, run ``steps``, shut down."""

    async def go() -> Any:
        config = ClientServerConfig(
            server_command=[
                sys.executable,
                "-m",
                "kbcli",
                "--kb",
                str(repo.path),
                "--today",
                TODAY.isoformat(),
                "lsp",
            ],
            server_env={**os.environ, **(env or {})},
        )
        client = await config.start()
        try:
            await client.initialize_session(
                lsp.InitializeParams(
                    capabilities=lsp.ClientCapabilities(),
                    root_uri=from_fs_path(str(repo.path)),
                )
            )
            return await steps(client)
        finally:
            await client.shutdown_session()

    return asyncio.run(go())


async def open_card(client: LanguageClient, path: Path, text: str) -> list[lsp.Diagnostic]:
    uri = from_fs_path(str(path))
    assert uri
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "markdown", 1, text))
    )
    await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return client.diagnostics[uri]


def broken(text: str) -> str:
    """The refund card with an invalid date and a wikilink to no card."""
    text = text.replace("verified_at: 2026-09-30", "verified_at: 2026-13-45")
    return text.replace("follow [[Verifying requester identity]]", "follow [[No Such Card]]")


def test_diagnostics_have_kb_rule_ids_at_the_right_ranges_and_equal_kb_check(
    kb_git: KbRepo,  # noqa: F811
) -> None:
    path = kb_git.path / CARD
    text = broken(path.read_text(encoding="utf-8"))
    lines = text.split("\n")

    async def steps(client: LanguageClient) -> list[lsp.Diagnostic]:
        return await open_card(client, path, text)

    diagnostics = drive(kb_git, steps)
    by_code = {d.code: d for d in diagnostics}
    date = by_code["invalid-date"]
    assert lines[date.range.start.line].startswith("verified_at:")
    link = by_code["broken-link"]
    covered = lines[link.range.start.line][link.range.start.character : link.range.end.character]
    assert covered == "[[No Such Card]]"
    assert by_code["trust"].severity == lsp.DiagnosticSeverity.Information
    assert "unverified" in by_code["trust"].message
    assert by_code["trust"].range.start.line == date.range.start.line

    # The same text saved: kb check --format json reports the same findings for the card.
    path.write_text(text, encoding="utf-8")
    result = run_kb(
        "--kb", str(kb_git.path), "--today", TODAY.isoformat(), "check", "--format", "json", CARD
    )
    checked = {
        (f["rule"], f["line"], f["column"], f["message"], f["severity"])
        for f in json.loads(result.stdout)["findings"]
        if f["path"] == CARD
    }
    served = {
        (
            d.code,
            d.range.start.line + 1,
            d.range.start.character + 1,
            d.message,
            "error" if d.severity == lsp.DiagnosticSeverity.Error else "warning",
        )
        for d in diagnostics
        if d.code != "trust"
    }
    assert served == checked
    assert {"invalid-date", "broken-link"} <= {rule for rule, *_ in checked}


def test_a_card_edited_since_its_verification_never_shows_a_check_mark(
    kb_git: KbRepo,  # noqa: F811
) -> None:
    """The editor judges the card's saved commits as kb show and kb check do: an edit by
    someone outside the roster after the stamp is evidence against it while it is open."""
    path = kb_git.path / CARD
    text = path.read_text(encoding="utf-8").replace("first reply", "very first reply", 1)
    path.write_text(text, encoding="utf-8")
    kb_git.commit("reword", when="2026-11-21T10:00:00Z", author="Zed", email="zed@x.test")
    shown = run_kb("--kb", str(kb_git.path), "--today", TODAY.isoformat(), "show", CARD, "--json")
    assert json.loads(shown.stdout)["trust"] == "needs-review", shown.output

    async def steps(client: LanguageClient) -> list[lsp.Diagnostic]:
        return await open_card(client, path, text)

    diagnostics = drive(kb_git, steps)
    trust = next(d for d in diagnostics if d.code == "trust")
    assert "✔" not in trust.message and "needs review" in trust.message
    assert "zed@x.test" in trust.message
    checked = run_kb(
        "--kb", str(kb_git.path), "--today", TODAY.isoformat(), "check", "--format", "json", CARD
    )
    rules = {f["rule"] for f in json.loads(checked.stdout)["findings"] if f["path"] == CARD}
    assert "edited-since-verified" in rules
    assert rules == {d.code for d in diagnostics if d.code != "trust"}


def test_completion_hover_definition_and_code_actions(kb_git: KbRepo) -> None:  # noqa: F811
    path = kb_git.path / "billing" / "new-card.md"
    text = "# Double charge on renewal\n\nSee [[Ref"
    link_card = kb_git.path / CARD
    card_text = link_card.read_text(encoding="utf-8")
    link_line = next(i for i, s in enumerate(card_text.split("\n")) if "[Refund policy](" in s)
    link_col = card_text.split("\n")[link_line].index("[Refund policy](") + 2

    async def steps(client: LanguageClient) -> dict[str, Any]:
        await open_card(client, path, text)
        uri = from_fs_path(str(path))
        assert uri
        done = await client.text_document_completion_async(
            lsp.CompletionParams(lsp.TextDocumentIdentifier(uri), lsp.Position(2, len("See [[Ref")))
        )
        actions = await client.text_document_code_action_async(
            lsp.CodeActionParams(
                lsp.TextDocumentIdentifier(uri),
                lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)),
                lsp.CodeActionContext(diagnostics=[]),
            )
        )
        await open_card(client, link_card, card_text)
        card_uri = from_fs_path(str(link_card))
        assert card_uri
        at = lsp.Position(link_line, link_col)
        hover = await client.text_document_hover_async(
            lsp.HoverParams(lsp.TextDocumentIdentifier(card_uri), at)
        )
        where = await client.text_document_definition_async(
            lsp.DefinitionParams(lsp.TextDocumentIdentifier(card_uri), at)
        )
        keys = await client.text_document_completion_async(
            lsp.CompletionParams(lsp.TextDocumentIdentifier(card_uri), lsp.Position(7, 10))
        )
        return {"done": done, "actions": actions, "hover": hover, "where": where, "keys": keys}

    got = drive(kb_git, steps)
    items = got["done"].items if isinstance(got["done"], lsp.CompletionList) else got["done"]
    labels = [i.label for i in items]
    assert "Processing a refund request" in labels and "Refund policy" in labels
    assert all("ref" in (i.filter_text or i.label).casefold() for i in items)
    titles = [a.title for a in got["actions"]]
    assert "Verify this card (kb verify)" in titles
    fix = next(a for a in got["actions"] if a.title == "Add missing front matter")
    new_text = next(iter(fix.edit.changes.values()))[0].new_text
    assert new_text.startswith("---\n") and "title: Double charge on renewal" in new_text
    assert "status: draft" in new_text and "See [[Ref" in new_text
    hover = got["hover"].contents.value
    assert "Refund policy" in hover and "verified" in hover and "marcus" in hover
    where = got["where"]
    assert where.uri.endswith("policies/refund-policy.md")
    values = [i.label for i in got["keys"].items]  # line 7 is "audience: internal"
    assert values == ["internal", "public"]


def test_verify_this_card_runs_kb_verify_for_the_editors_git_identity(
    kb_git: KbRepo,  # noqa: F811
) -> None:
    card = "billing/plan-change-proration.md"  # owned by marcus, due on TODAY
    path = kb_git.path / card
    marcus = {
        "GIT_AUTHOR_NAME": "Marcus Bell",
        "GIT_AUTHOR_EMAIL": "marcus@nimbus.example",
        "GIT_COMMITTER_NAME": "Marcus Bell",
        "GIT_COMMITTER_EMAIL": "marcus@nimbus.example",
    }

    async def steps(client: LanguageClient) -> Any:
        await open_card(client, path, path.read_text(encoding="utf-8"))
        uri = from_fs_path(str(path))
        return await client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(command="kb.verify", arguments=[uri])
        )

    answer = drive(kb_git, steps, env=marcus)
    assert answer["ok"], answer
    assert answer["message"].startswith("Verified"), answer["message"]
    assert f"verified_at: {TODAY.isoformat()}" in path.read_text(encoding="utf-8")
    log = git(kb_git.path, "log", "-1", "--format=%an %s", "--", card)
    assert log.startswith("Marcus Bell")


def test_completion_offers_shown_titles_and_a_folder_link_has_no_definition(
    kb_git: KbRepo,  # noqa: F811
) -> None:
    title = "Logging in &amp; <em>office</em> Networks"
    kb_git.write("billing/networks.md", f"---\ntitle: {title}\nowner: ana\n---\n\nText.\n")
    kb_git.commit("networks card", when="2026-11-21T09:00:00Z")
    path = kb_git.path / "billing" / "new-card.md"
    text = (
        "# Offices\n\nSee [[Logging\n\n"
        "[Billing](../billing/) and [[Logging in & office Networks]].\n"
    )

    async def steps(client: LanguageClient) -> dict[str, Any]:
        diagnostics = await open_card(client, path, text)
        uri = from_fs_path(str(path))
        assert uri
        doc = lsp.TextDocumentIdentifier(uri)
        done = await client.text_document_completion_async(
            lsp.CompletionParams(doc, lsp.Position(2, len("See [[Logging")))
        )
        up = await client.text_document_definition_async(
            lsp.DefinitionParams(doc, lsp.Position(4, 2))
        )
        shown = await client.text_document_definition_async(
            lsp.DefinitionParams(doc, lsp.Position(4, 32))
        )
        return {"diagnostics": diagnostics, "done": done, "up": up, "shown": shown}

    got = drive(kb_git, steps)
    items = got["done"].items if isinstance(got["done"], lsp.CompletionList) else got["done"]
    offered = [(i.label, i.insert_text) for i in items]
    assert ("Logging in & office Networks", "Logging in & office Networks") in offered
    assert got["up"] is None  # the folder billing/ is no document to open
    assert got["shown"].uri.endswith("billing/networks.md")  # the shown title finds it
    assert not [d for d in got["diagnostics"] if "Logging" in d.message]
