"""kb's language server on pygls 2: ``kbcli.usecases.editor`` answers, this module speaks LSP.

Diagnostics are ``kb check``'s findings for the open card (same rule ids as codes,
same messages), plus the card's trust verdict as an information diagnostic on its
``verified_at`` line. They are recomputed from the buffer on every change, against
the other cards as last read; saving a card updates what the others see of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from kbcli import __version__

if TYPE_CHECKING:
    from collections.abc import Callable

    from kbcli.core.cards import Card
    from kbcli.core.findings import Finding
    from kbcli.usecases.editor import EditorSession
    from kbcli.workspace import Workspace

SOURCE = "kb"
TRUST_CODE = "trust"
VERIFY_COMMAND = "kb.verify"
_KINDS = {
    "reference": lsp.CompletionItemKind.Reference,
    "anchor": lsp.CompletionItemKind.Reference,
    "value": lsp.CompletionItemKind.EnumMember,
    "key": lsp.CompletionItemKind.Property,
    "person": lsp.CompletionItemKind.Constant,
    "tag": lsp.CompletionItemKind.Keyword,
}


class KbLanguageServer(LanguageServer):
    """A pygls server holding one ``EditorSession``, made on first use (after initialize)."""

    def __init__(self, make_workspace: Callable[[], Workspace]) -> None:
        super().__init__("kb", __version__)
        self.make_workspace = make_workspace
        self._session: EditorSession | None = None

    @property
    def session(self) -> EditorSession:
        if self._session is None:
            from kbcli.usecases.editor import EditorSession

            self._session = EditorSession(self.make_workspace())
        return self._session

    def card_of(self, uri: str) -> tuple[Card, str] | None:
        """The open card at ``uri`` as in the editor's buffer, with its text."""
        from pathlib import Path

        fs_path = to_fs_path(uri)
        rel = self.session.relative(Path(fs_path)) if fs_path else None
        if rel is None:
            return None
        text = self.workspace.get_text_document(uri).source
        return self.session.parse(rel, text), text

    def uri_of(self, rel: str) -> str:
        return from_fs_path(str(self.session.workspace.root / rel)) or ""


def build_server(make_workspace: Callable[[], Workspace]) -> KbLanguageServer:
    server = KbLanguageServer(make_workspace)
    _documents(server)
    _navigation(server)
    _actions(server)
    return server


def _documents(server: KbLanguageServer) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: KbLanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: KbLanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
        publish(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: KbLanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
        found = ls.card_of(params.text_document.uri)
        if found is not None:  # the other cards now link against the saved text
            ls.session.remember(found[0])
        publish(ls, params.text_document.uri)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def files_changed(ls: KbLanguageServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        ls.session.reload()  # a card was created, deleted or renamed outside the editor

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: KbLanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=params.text_document.uri, diagnostics=[])
        )


def publish(ls: KbLanguageServer, uri: str) -> None:
    found = ls.card_of(uri)
    if found is None:
        return
    card, _ = found
    diagnostics = [diagnostic(ls.session, card, f) for f in ls.session.findings(card)]
    diagnostics.append(trust_diagnostic(ls.session, card))
    ls.text_document_publish_diagnostics(
        lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics)
    )


def diagnostic(session: EditorSession, card: Card, finding: Finding) -> lsp.Diagnostic:
    """One finding as a diagnostic; a broken link's range covers the link as written."""
    line, start = finding.line - 1, finding.column - 1
    width = 0
    if finding.rule == "broken-link":
        for result in session.resolver.resolve_all(card):
            if (result.line, result.column) == (finding.line, finding.column):
                width = len(result.link.source)
    end = start + width if width else start + 10_000  # clients clip to the line's end
    severity = (
        lsp.DiagnosticSeverity.Error
        if finding.severity.value == "error"
        else lsp.DiagnosticSeverity.Warning
    )
    return lsp.Diagnostic(
        range=lsp.Range(lsp.Position(line, start), lsp.Position(line, end)),
        message=finding.message,
        severity=severity,
        code=finding.rule,
        source=SOURCE,
    )


def trust_diagnostic(session: EditorSession, card: Card) -> lsp.Diagnostic:
    """The card's trust verdict, on its verified_at line (the first line without one)."""
    line = card.position.lines.get("verified_at", 1) - 1
    return lsp.Diagnostic(
        range=lsp.Range(lsp.Position(line, 0), lsp.Position(line, 10_000)),
        message=f"trust: {badge(session, card)}",
        severity=lsp.DiagnosticSeverity.Information,
        code=TRUST_CODE,
        source=SOURCE,
    )


def badge(session: EditorSession, card: Card) -> str:
    """``✔ verified: verified 2026-09-30, expires in 25 days`` (with evidence, if any)."""
    from kbcli.core.handbook import trust_view
    from kbcli.core.verdict import summary

    trust = session.assess(card).trust
    view = trust_view(trust, session.workspace.today)
    text = f"{view['icon']} {summary(trust)}"
    return f"{text} ({view['detail']})"


def _navigation(server: KbLanguageServer) -> None:
    from kbcli.core.plain_line import display_title
    from kbcli.usecases.editor_names import complete, heading_line, link_at

    @server.feature(
        lsp.TEXT_DOCUMENT_COMPLETION,
        lsp.CompletionOptions(trigger_characters=["[", "(", "#", ":", " "]),
    )
    def completion(ls: KbLanguageServer, params: lsp.CompletionParams) -> lsp.CompletionList:
        found = ls.card_of(params.text_document.uri)
        if found is None:
            return lsp.CompletionList(is_incomplete=False, items=[])
        card, text = found
        pos = params.position
        items = [
            lsp.CompletionItem(
                label=s.label,
                insert_text=s.insert,
                detail=s.detail,
                filter_text=s.filter or None,
                kind=_KINDS.get(s.kind),
            )
            for s in complete(ls.session, card, text, pos.line, pos.character)
        ]
        return lsp.CompletionList(is_incomplete=False, items=items)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: KbLanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
        found = ls.card_of(params.text_document.uri)
        if found is None:
            return None
        result = link_at(ls.session, found[0], params.position.line, params.position.character)
        if result is None or not result.ok or result.target is None:
            return None
        target = ls.session.cards.get(result.target)
        if target is None:
            return None
        owner = target.meta.owner or "no owner"
        title = display_title(target.title)
        text = f"**{title}**  \n{badge(ls.session, target)}  \nowner: {owner} · `{target.path}`"
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text))

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: KbLanguageServer, params: lsp.DefinitionParams) -> lsp.Location | None:
        found = ls.card_of(params.text_document.uri)
        if found is None:
            return None
        result = link_at(ls.session, found[0], params.position.line, params.position.character)
        if result is None or not result.ok or result.target is None:
            return None
        target = ls.session.cards.get(result.target)
        if target is None and not (ls.session.workspace.root / result.target).is_file():
            return None  # a folder (``[up](../)``): no document for the editor to open
        line = heading_line(ls.session, target, result.anchor) if target else 0
        here = lsp.Range(lsp.Position(line, 0), lsp.Position(line, 0))
        return lsp.Location(uri=ls.uri_of(result.target), range=here)


def _actions(server: KbLanguageServer) -> None:
    from kbcli.usecases.editor_actions import missing_front_matter, verify_card

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION)
    def code_action(ls: KbLanguageServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        found = ls.card_of(params.text_document.uri)
        if found is None:
            return []
        card, text = found
        uri = params.text_document.uri
        actions = [
            lsp.CodeAction(
                title="Verify this card (kb verify)",
                kind=lsp.CodeActionKind.Source,
                command=lsp.Command(
                    title="Verify this card", command=VERIFY_COMMAND, arguments=[uri]
                ),
            )
        ]
        fixed = missing_front_matter(ls.session, card, text)
        if fixed is not None:
            whole = lsp.Range(lsp.Position(0, 0), lsp.Position(len(text.split("\n")), 0))
            edit = lsp.WorkspaceEdit(changes={uri: [lsp.TextEdit(range=whole, new_text=fixed)]})
            actions.append(
                lsp.CodeAction(
                    title="Add missing front matter", kind=lsp.CodeActionKind.QuickFix, edit=edit
                )
            )
        return actions

    @server.command(VERIFY_COMMAND)
    def verify(ls: KbLanguageServer, uri: str) -> dict[str, Any]:
        found = ls.card_of(uri)
        if found is None:
            return {"ok": False, "message": "not a card of this knowledge repo"}
        message = verify_card(ls.session, found[0].path)
        ls.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Info, message))
        publish(ls, uri)
        return {"ok": True, "message": message}


def serve(make_workspace: Callable[[], Workspace]) -> None:
    """Speak LSP on stdin/stdout until the editor says exit."""
    build_server(make_workspace).start_io()
