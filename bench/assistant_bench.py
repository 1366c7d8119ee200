#!/usr/bin/env python3
"""Latency of kb's assistant and editor servers, as a client sees it.

    python bench/assistant_bench.py mcp [REPO | BUNDLE] [--calls 200] [--cli-runs 10]
    python bench/assistant_bench.py lsp REPO [--edits 50] [--cli-runs 3]

``mcp``: start ``kb mcp`` over stdio with the MCP SDK's own client (as Claude Desktop
does), warm it with 10 calls, then time ``--calls`` ``search_cards`` calls one after
another (queries cycle through a fixed list), client-side, and report p50/p95 plus the
server's CPU seconds (from /proc). The alternative an assistant without kb mcp would
use is a ``kb search --json`` process per question: its wall time is measured in the
same run, alternating with batches of MCP calls. Default corpus: the tldr-pages bundle
(../shared/corpora/tldr-pages.bundle from the project root), cloned to a temporary folder.

``lsp``: start ``kb lsp`` with pytest-lsp's client, open one card, then send
``--edits`` full-text changes (one line edited each time) and time each change until
its diagnostics arrive. The alternative is ``kb check --format json CARD`` after a save.
REPO is a knowledge repo, e.g. ``python bench/generate.py /tmp/gen38k --cards 38000
--commits 3000 --seed 1``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

QUERIES = [
    "list files",
    "compress archive",
    "git commit",
    "copy directory",
    "network interfaces",
    "disk usage",
    "search text",
    "download file",
    "change permissions",
    "kill process",
    "docker container",
    "ssh key",
    "python package",
    "current date",
    "environment variable",
    "extract tar",
    "find files by name",
    "show memory",
    "http request",
    "rename files",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (and its reaped children), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))
    return ticks / os.sysconf("SC_CLK_TCK")


def child_pids() -> list[int]:
    pids = []
    for task in Path("/proc/self/task").iterdir():
        text = (task / "children").read_text().split()
        pids += [int(p) for p in text]
    return pids


def kb_cmd(repo: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "kbcli", "--kb", str(repo), *args]


def run_mcp(repo: Path, calls: int, cli_runs: int, include: bool) -> None:
    from mcp import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(command=sys.executable, args=kb_cmd(repo, "mcp")[1:])
    mcp_times: list[float] = []
    cli_times: list[float] = []

    async def go() -> tuple[float, int]:
        async with stdio_client(params) as (read, write), ClientSession(read, write) as s:
            await s.initialize()
            for query in QUERIES[:10]:  # warm: imports, index open, first sync
                await s.call_tool("search_cards", {"query": query})
            server = max(child_pids())
            cpu_before = cpu_seconds(server)
            empty = 0
            batch = max(1, calls // max(cli_runs, 1))
            for i in range(calls):
                query = QUERIES[i % len(QUERIES)]
                start = time.perf_counter()
                args = {"query": query, "include_unverified": include}
                result = await s.call_tool("search_cards", args)
                mcp_times.append(time.perf_counter() - start)
                empty += not result.structured_content["results"]
                if cli_runs and (i + 1) % batch == 0 and len(cli_times) < cli_runs:
                    start = time.perf_counter()  # the alternative, alternating with MCP
                    subprocess.run(
                        kb_cmd(repo, "search", "--json", "--limit", "5", query),
                        capture_output=True,
                    )
                    cli_times.append(time.perf_counter() - start)
            return cpu_seconds(server) - cpu_before, empty

    cpu, empty = asyncio.run(go())
    print(
        f"kb mcp search_cards over stdio, {calls} warm calls on {repo}, "
        f"include_unverified={include}, load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"  p50 {percentile(mcp_times, 0.5) * 1000:.1f} ms  p95 "
        f"{percentile(mcp_times, 0.95) * 1000:.1f} ms  max {max(mcp_times) * 1000:.1f} ms"
    )
    print(
        f"  server CPU {cpu:.2f} s for {calls} calls ({cpu / calls * 1000:.1f} ms a call); "
        f"{empty} calls found no trusted card"
    )
    if cli_times:
        print(
            f"  kb search --json as a process, {len(cli_times)} runs alternating: "
            f"median {statistics.median(cli_times) * 1000:.0f} ms"
        )


def run_lsp(repo: Path, edits: int, cli_runs: int) -> None:
    from lsprotocol import types as lsp
    from pygls.uris import from_fs_path
    from pytest_lsp import ClientServerConfig

    cards = sorted((repo).glob("*/*.md")) or sorted(repo.rglob("*.md"))
    card = next(p for p in cards if ".kb" not in p.parts)
    text = card.read_text(encoding="utf-8")
    uri = from_fs_path(str(card))
    times: list[float] = []

    async def go() -> float:
        client = await ClientServerConfig(server_command=kb_cmd(repo, "lsp")).start()
        await client.initialize_session(
            lsp.InitializeParams(
                capabilities=lsp.ClientCapabilities(), root_uri=from_fs_path(str(repo))
            )
        )
        start = time.perf_counter()
        client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "markdown", 1, text))
        )
        await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        first = time.perf_counter() - start
        for i in range(edits):
            edited = text + f"\nEdit {i}: see [[No such card {i}]].\n"
            start = time.perf_counter()
            client.text_document_did_change(
                lsp.DidChangeTextDocumentParams(
                    lsp.VersionedTextDocumentIdentifier(uri=uri, version=i + 2),
                    [lsp.TextDocumentContentChangeWholeDocument(edited)],
                )
            )
            await client.wait_for_notification(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
            times.append(time.perf_counter() - start)
            assert any(d.code == "broken-link" for d in client.diagnostics[uri])
        await client.shutdown_session()
        return first

    first = asyncio.run(go())
    print(
        f"kb lsp diagnostics after an edit, {edits} edits of {card.relative_to(repo)}, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"  open (reads the repo once): {first:.2f} s")
    print(
        f"  p50 {percentile(times, 0.5) * 1000:.1f} ms  p95 "
        f"{percentile(times, 0.95) * 1000:.1f} ms  max {max(times) * 1000:.1f} ms"
    )
    rel = card.relative_to(repo).as_posix()
    cli = []
    for _ in range(cli_runs):
        start = time.perf_counter()
        subprocess.run(kb_cmd(repo, "check", "--format", "json", rel), capture_output=True)
        cli.append(time.perf_counter() - start)
    if cli:
        print(
            f"  kb check --format json {rel} as a process: median "
            f"{statistics.median(cli):.2f} s over {len(cli)} runs"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["mcp", "lsp"])
    default = Path(__file__).resolve().parent.parent / "../shared/corpora/tldr-pages.bundle"
    parser.add_argument("repo", nargs="?", type=Path, default=default)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--cli-runs", type=int, default=None)
    parser.add_argument(
        "--include-unverified",
        action="store_true",
        help="mcp: ask for every card (one search a call; by default a query that no "
        "verified card answers costs a second search that counts what was left out)",
    )
    args = parser.parse_args()
    repo = args.repo.resolve()
    if repo.suffix == ".bundle":
        from search_bench import tldr_repo

        repo = tldr_repo(repo)
    if args.what == "mcp":
        cli_runs = 10 if args.cli_runs is None else args.cli_runs
        run_mcp(repo, args.calls, cli_runs, args.include_unverified)
    else:
        run_lsp(repo, args.edits, 3 if args.cli_runs is None else args.cli_runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
