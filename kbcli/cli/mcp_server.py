"""kb's Model Context Protocol server, on the official Python SDK (``mcp`` 2.x, ``MCPServer``).

This module only maps the SDK's tools, resources and prompts onto
``kbcli.usecases.assistant``; what the answers are (and the trust filter) lives
there. The server keeps one ``ResidentIndex`` (what ``kb daemon`` uses): the index
stays open, and the workspace (its parsed cards, history and the verdicts already
judged) is kept between calls until a file watcher sees anything in the repo change,
or the day changes; then the next call syncs the index and starts a new workspace.
So a long-lived server sees edits, new cards and a new day as ``kb search`` would,
without paying for ``git status`` and a cold verdict on every call. Calls run one at
a time: the SDK runs sync tools in worker threads, and two index syncs must not race.

Write tools exist only when the server was started with ``--allow-write``: a
read-only server does not even list them, so an assistant cannot call them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from kbcli.errors import KbError

if TYPE_CHECKING:
    from datetime import date

    from mcp.server.mcpserver import MCPServer

    from kbcli.adapters.tantivy_index import CardIndex
    from kbcli.usecases.resident_index import ResidentIndex
    from kbcli.workspace import Workspace

T = TypeVar("T")

INSTRUCTIONS = (
    "kb is a git-backed knowledge base whose cards are verified by their owners and "
    "expire. Answer from verified cards only, cite each card's path, and say plainly "
    "when no verified card answers the question. Tools leave out expired, unverified "
    "and draft cards unless you pass include_unverified=true; every result says its "
    "trust state, so quote it when you use a card that is not verified."
)

ANSWER_PROMPT = """Answer the question below from the knowledge base.

1. Call search_cards with the question's key words (and suggest_for_ticket for a long ticket).
2. Read the best verified cards with get_card before answering.
3. Answer only from what those cards say, and cite every card you used by its path.
4. If no verified card answers it, say so plainly ("nothing verified in the knowledge base
   answers this"); you may mention expired or unverified cards only with their state.

Question: {question}"""


def build_server(
    resident: ResidentIndex,
    *,
    today: Callable[[], date | None] = lambda: None,
    allow_write: bool = False,
) -> MCPServer:
    """The MCP server for one knowledge repo (tools, the card resource, the prompt).

    ``resident`` is started by the caller; ``today()`` is the day each call judges
    trust on (None: the real date when the workspace is made).
    """
    from mcp.server.mcpserver import MCPServer

    from kbcli import __version__

    server: MCPServer = MCPServer(
        "kb", instructions=INSTRUCTIONS, version=__version__, log_level="WARNING"
    )
    lock = threading.Lock()

    def call(fn: Callable[[Workspace, CardIndex], T], *, writes: bool = False) -> T:
        from mcp.server.mcpserver.exceptions import ToolError

        with lock:
            try:
                return fn(*resident.current(today()))
            except KbError as error:
                raise ToolError(error.message) from None
            finally:
                if writes:
                    resident.invalidate()

    _read_tools(server, call)
    if allow_write:
        _write_tools(server, call)
    _card_resource(server, resident, today, lock)

    @server.prompt(
        name="answer_from_verified_cards",
        description="Answer a question from verified cards, citing paths.",
    )
    def answer_from_verified_cards(question: str) -> str:
        return ANSWER_PROMPT.format(question=question)

    return server


Call = Callable[..., Any]


def _read_tools(server: MCPServer, call: Call) -> None:
    from mcp.types import ToolAnnotations

    from kbcli.usecases import assistant

    read_only = ToolAnnotations(read_only_hint=True, open_world_hint=False)

    @server.tool(annotations=read_only)
    def search_cards(
        query: str, limit: int = 5, include_unverified: bool = False
    ) -> dict[str, Any]:
        """Search the knowledge base. Returns cards with path, title, trust state and
        reason, verified date, expiry, owner, snippet and handbook page. Expired,
        unverified and draft cards are left out unless include_unverified is true.
        The query language allows "phrases", -word, tag:x, owner:x."""
        found = call(
            lambda ws, index: assistant.search_cards(
                ws, query, limit=limit, include_unverified=include_unverified, index=index
            )
        )
        return {"query": query, **_found(found)}

    @server.tool(annotations=read_only)
    def get_card(path: str, start_line: int = 1) -> str:
        """The markdown of one card (path, alias or title), under a header with its trust
        state, reason and owner. Paths outside the knowledge repo are refused. A long
        card comes in pages of whole lines: the page ends with the start_line to pass
        for the rest."""
        return str(call(lambda ws, _: assistant.get_card(ws, path, start_line=start_line)))

    @server.tool(annotations=read_only)
    def related_cards(
        path: str, limit: int = 5, include_unverified: bool = False
    ) -> dict[str, Any]:
        """Cards similar to one card (shared words, title, tags, depends_on links)."""
        found = call(
            lambda ws, _: assistant.related_cards(
                ws, path, limit=limit, include_unverified=include_unverified
            )
        )
        return {"path": path, **_found(found)}

    @server.tool(annotations=read_only)
    def list_due(owner: str, limit: int = 20) -> dict[str, Any]:
        """Published cards an owner (roster handle or team) must verify, most urgent
        first (expired, due, never verified, needs review): at most limit, and the total."""
        return dict(call(lambda ws, _: assistant.list_due(ws, owner, limit=limit)))

    @server.tool(annotations=read_only)
    def suggest_for_ticket(
        text: str, limit: int = 5, include_unverified: bool = False
    ) -> dict[str, Any]:
        """The cards most likely to answer a support ticket, e-mail or chat question
        (any language the cards use). Verified cards only unless include_unverified."""
        found = call(
            lambda ws, _: assistant.suggest_for_ticket(
                ws, text, limit=limit, include_unverified=include_unverified
            )
        )
        return _found(found)


def _found(found: Any) -> dict[str, Any]:
    return {
        "results": found.results,
        "left_out": found.left_out,
        "note": found.note,
        "skipped_checks": found.skipped_checks,
    }


def _write_tools(server: MCPServer, call: Call) -> None:
    from mcp.types import ToolAnnotations

    from kbcli.usecases import assistant_writes

    writes = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)

    @server.tool(annotations=writes)
    def capture_draft(
        question: str, answer: str, source: str, captured_by: str = ""
    ) -> dict[str, Any]:
        """Save a question and its answer as a draft card (status draft, for its owner to
        review) on a new git branch; the user's checkout is not touched. Search first:
        do not capture what a card already answers. captured_by: the handle or e-mail of
        the person who asks you to capture it, proposed as the draft's owner (the server
        cannot tell who you work for); without a person people.yaml knows, the draft has
        no owner."""
        return dict(
            call(
                lambda ws, _: assistant_writes.capture_draft(
                    ws, question, answer, source, captured_by
                ),
                writes=True,
            )
        )

    @server.tool(annotations=writes)
    def flag_card(path: str, reason: str, flagged_by: str = "") -> dict[str, Any]:
        """Flag a card as wrong or outdated, with the reason, so its owner re-checks it.
        flagged_by: the handle or e-mail of the person who asks you to flag it (the
        server cannot tell who you work for); a flag without a person people.yaml knows
        is recorded as unidentified. The flag is written into the card's front matter
        in the working tree."""
        return dict(
            call(
                lambda ws, _: assistant_writes.flag_card(ws, path, reason, flagged_by),
                writes=True,
            )
        )


def _card_resource(
    server: MCPServer,
    resident: ResidentIndex,
    today: Callable[[], date | None],
    lock: threading.Lock,
) -> None:
    from kbcli.usecases import assistant

    @server.resource(
        "kb://card/{+path}",
        name="card",
        description="A card's markdown with its trust header (get_card's first page).",
        mime_type="text/markdown",
    )
    def card(path: str) -> str:
        from mcp.server.mcpserver.exceptions import ResourceError

        with lock:
            try:
                workspace, _ = resident.current(today())
                return assistant.get_card(workspace, path)
            except KbError as error:
                raise ResourceError(error.message) from None


def serve(
    make_workspace: Callable[[date | None], Workspace],
    *,
    today: Callable[[], date | None],
    allow_write: bool,
    http_port: int | None = None,
) -> None:
    """Serve on stdio, or on Streamable HTTP at 127.0.0.1:``http_port`` (loopback only).

    ``make_workspace(day)`` makes a fresh workspace judged on ``day``.
    """
    from kbcli.usecases.resident_index import ResidentIndex

    resident = ResidentIndex(make_workspace)
    resident.start()
    try:
        server = build_server(resident, today=today, allow_write=allow_write)
        if http_port is None:
            server.run("stdio")
        else:
            server.run("streamable-http", host="127.0.0.1", port=http_port)
    finally:
        resident.stop()
