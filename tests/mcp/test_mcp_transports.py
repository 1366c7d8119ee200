"""kb mcp as an assistant starts it: a subprocess over stdio, and over Streamable HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from typing import Any

import anyio
from mcp import Client, ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from tests.helpers import KbRepo

TODAY = "2026-11-22"


def _kb_args(repo: KbRepo, *extra: str) -> list[str]:
    return ["-m", "kbcli", "--kb", str(repo.path), "--today", TODAY, "mcp", *extra]


def test_stdio_client_lists_tools_searches_reads_and_refuses(kb_git: KbRepo) -> None:
    params = StdioServerParameters(
        command=sys.executable, args=_kb_args(kb_git), env=dict(os.environ), cwd=kb_git.path
    )

    async def go() -> dict[str, Any]:
        async with (
            stdio_client(params) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            tools = [t.name for t in (await session.list_tools()).tools]
            search = await session.call_tool("search_cards", {"query": "refund duplicate charge"})
            card = await session.call_tool(
                "get_card", {"path": "billing/refund-request-processing.md"}
            )
            escape = await session.call_tool("get_card", {"path": "../../etc/passwd"})
            write = await session.call_tool(
                "flag_card", {"path": "billing/refund-request-processing.md", "reason": "x"}
            )
            return {
                "tools": tools,
                "search": search,
                "card": card,
                "escape": escape,
                "write": write,
            }

    got = anyio.run(go)
    assert "search_cards" in got["tools"] and "flag_card" not in got["tools"]
    first = got["search"].structured_content["results"][0]
    assert first["path"] in {"billing/refund-request-processing.md", "policies/refund-policy.md"}
    assert first["trust"] == "verified"
    assert "trust: verified" in got["card"].content[0].text
    assert got["escape"].is_error and "outside the knowledge repo" in got["escape"].content[0].text
    assert got["write"].is_error


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_http_serves_on_loopback_with_write_tools_when_allowed(kb_git: KbRepo) -> None:
    port = _free_port()
    args = [sys.executable, *_kb_args(kb_git, "--http", "--port", str(port), "--allow-write")]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            time.sleep(0.1)

        async def go() -> tuple[list[str], Any]:
            async with Client(f"http://127.0.0.1:{port}/mcp") as client:
                tools = [t.name for t in (await client.list_tools()).tools]
                hits = await client.call_tool("search_cards", {"query": "VAT exemption"})
                return tools, hits

        tools, hits = anyio.run(go)
        assert {"capture_draft", "flag_card"} <= set(tools)
        assert hits.structured_content["left_out"] >= 1
    finally:
        proc.terminate()
        proc.wait(timeout=10)
