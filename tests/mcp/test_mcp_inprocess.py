"""kb's MCP server driven by the SDK's own client, in-process (no JSON-RPC framing)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client

from kbcli.cli.mcp_server import build_server
from tests.helpers import KbRepo, git

REFUND_CARDS = {"billing/refund-request-processing.md", "policies/refund-policy.md"}
EXPIRED = "billing/vat-id-tax-exemption.md"


def call(server: Any, name: str, args: dict[str, Any]) -> Any:
    async def go() -> Any:
        async with Client(server) as client:
            return await client.call_tool(name, args)

    return anyio.run(go)


def text(result: Any) -> str:
    return "".join(part.text for part in result.content)


@pytest.fixture
def server(resident: Any) -> Any:
    return build_server(resident)


def test_read_only_server_lists_the_five_read_tools_the_card_template_and_the_prompt(
    server: Any,
) -> None:
    async def go() -> tuple[list[str], list[str], list[str]]:
        async with Client(server) as client:
            tools = [t.name for t in (await client.list_tools()).tools]
            templates = [
                t.uri_template for t in (await client.list_resource_templates()).resource_templates
            ]
            prompts = [p.name for p in (await client.list_prompts()).prompts]
            return tools, templates, prompts

    tools, templates, prompts = anyio.run(go)
    assert sorted(tools) == sorted(
        ["search_cards", "get_card", "related_cards", "list_due", "suggest_for_ticket"]
    )
    assert templates == ["kb://card/{+path}"]
    assert prompts == ["answer_from_verified_cards"]


def test_search_returns_a_refund_card_first_with_its_trust_state(server: Any) -> None:
    result = call(server, "search_cards", {"query": "refund duplicate charge"})
    assert not result.is_error, text(result)
    hits = result.structured_content["results"]
    assert hits[0]["path"] in REFUND_CARDS
    assert all(h["trust"] in ("verified", "due") and h["trusted"] for h in hits)
    assert hits[0]["reason"].startswith("verified 20")
    assert hits[0]["handbook_page"].endswith(".html")


def test_expired_card_is_left_out_unless_asked(server: Any) -> None:
    default = call(server, "search_cards", {"query": "VAT exemption"}).structured_content
    assert EXPIRED not in [h["path"] for h in default["results"]]
    assert default["left_out"] >= 1
    assert "No verified card" in default["note"]
    asked = call(server, "search_cards", {"query": "VAT exemption", "include_unverified": True})
    found = {h["path"]: h for h in asked.structured_content["results"]}
    assert found[EXPIRED]["trust"] == "expired"
    assert found[EXPIRED]["trusted"] is False
    assert "expired" in found[EXPIRED]["reason"]


def test_draft_cards_are_left_out_by_default(server: Any) -> None:
    hits = call(server, "search_cards", {"query": "calendar duplicate shifts"}).structured_content
    assert all(h["status"] != "draft" for h in hits["results"])
    asked = call(
        server, "search_cards", {"query": "calendar duplicate shifts", "include_unverified": True}
    ).structured_content
    assert any(h["status"] == "draft" for h in asked["results"])


def test_get_card_returns_markdown_under_a_trust_header(server: Any) -> None:
    result = call(server, "get_card", {"path": "billing/refund-request-processing.md"})
    body = text(result)
    assert not result.is_error
    assert body.startswith("<!-- kb card: billing/refund-request-processing.md")
    assert "trust: verified" in body.splitlines()[1]
    assert 'title: "Processing a refund request"' in body
    expired = text(call(server, "get_card", {"path": EXPIRED}))
    assert "expired (do not cite as verified)" in expired.splitlines()[1]


def test_a_5000_line_card_comes_in_bounded_pages_that_add_up_to_the_file(
    kb_git: KbRepo, server: Any
) -> None:
    import re

    from kbcli.usecases.assistant import CARD_PAGE_CHARS

    steps = "".join(
        f"Step {i}: restart worker {i}; `kubectl rollout restart w-{i}`\n" for i in range(5000)
    )
    kb_git.write("runbooks/giant.md", f"---\ntitle: Giant runbook\nowner: ana\n---\n{steps}")
    whole = (kb_git.path / "runbooks" / "giant.md").read_text(encoding="utf-8")
    pages, start = [], 1
    while start:
        page = text(call(server, "get_card", {"path": "runbooks/giant.md", "start_line": start}))
        assert len(page) < CARD_PAGE_CHARS + 1000  # header and note included
        assert "trust: unverified (do not cite as verified)" in page.splitlines()[1]
        body = page.split(" -->\n", 1)[1]
        more = re.search(r"call get_card with start_line=(\d+)", body)
        start = int(more.group(1)) if more else 0
        pages.append(body.split("\n<!-- kb: the card goes on", 1)[0])
    assert len(pages) > 5
    assert "".join(pages) == whole  # every line, once, in order
    past = call(server, "get_card", {"path": "runbooks/giant.md", "start_line": 9999})
    assert past.is_error and "5004 lines" in text(past)


def test_get_card_says_when_the_header_cannot_be_read(kb_git: KbRepo, server: Any) -> None:
    kb_git.write(
        "runbooks/broken.md",
        "---\ntitle: Reset MFA\nowner: priya\ntags: [mfa, identity\nverified_at: 2026-11-01\n"
        "---\nAsk for two forms of ID.\n",
    )
    page = text(call(server, "get_card", {"path": "runbooks/broken.md"}))
    header = page.split(" -->", 1)[0]
    assert "problem: runbooks/broken.md:5:" in header and "YAML syntax error" in header
    assert "do not cite as verified" in header


def test_get_card_refuses_paths_outside_the_cards(server: Any) -> None:
    for path in ("../../etc/passwd", "/etc/passwd", "billing/../../x.md", "kb.toml", ".git/config"):
        result = call(server, "get_card", {"path": path})
        assert result.is_error, path
        assert "root:" not in text(result)
        assert "outside the knowledge repo" in text(result) or "not a card" in text(result)


def test_symlink_out_of_the_repo_is_refused(kb_git: KbRepo, server: Any, tmp_path: Any) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret\n---\nTOP SECRET\n", encoding="utf-8")
    os.symlink(secret, kb_git.path / "billing" / "secret.md")
    result = call(server, "get_card", {"path": "billing/secret.md"})
    assert result.is_error
    assert "TOP SECRET" not in text(result)
    assert "symlink" in text(result)


def test_card_resource_reads_a_card_and_refuses_traversal(server: Any) -> None:
    from mcp import MCPError

    async def go(uri: str) -> Any:
        async with Client(server) as client:
            try:
                return await client.read_resource(uri)
            except MCPError as error:
                return error

    ok = anyio.run(go, "kb://card/billing/refund-request-processing.md")
    assert "Processing a refund request" in ok.contents[0].text
    for uri in ("kb://card/../../etc/passwd", "kb://card/kb.toml"):
        refused = anyio.run(go, uri)
        assert isinstance(refused, MCPError), uri


def test_list_due_names_the_owners_expired_cards(server: Any) -> None:
    due = call(server, "list_due", {"owner": "marcus"}).structured_content["cards"]
    assert EXPIRED in [c["path"] for c in due]
    assert all(c["trust"] in ("expired", "due", "unverified") for c in due)
    assert call(server, "list_due", {"owner": "marcus"}).structured_content["total"] == len(due)
    unknown = call(server, "list_due", {"owner": "nobody-here"})
    assert unknown.is_error and "people.yaml" in text(unknown)


def test_list_due_of_a_team_with_hundreds_of_cards_is_bounded(kb_git: KbRepo, server: Any) -> None:
    for i in range(300):
        kb_git.write(f"runbooks/step-{i}.md", f"---\ntitle: Step {i}\nowner: ana\n---\nDo {i}.\n")
    kb_git.commit("many runbooks", when="2026-11-21T10:00:00Z", author="Importer", email="i@x.test")
    due = call(server, "list_due", {"owner": "ana"}).structured_content
    assert len(due["cards"]) == 20 and due["total"] >= 300
    assert f"{due['total'] - 20} more not shown" in due["note"]
    assert (
        len(call(server, "list_due", {"owner": "ana", "limit": 5}).structured_content["cards"]) == 5
    )


def test_suggest_and_related_keep_to_trusted_cards(server: Any) -> None:
    ticket = "We were billed twice this month, can we get our money back?"
    hits = call(server, "suggest_for_ticket", {"text": ticket}).structured_content["results"]
    assert hits and hits[0]["path"] in REFUND_CARDS
    related = call(server, "related_cards", {"path": "billing/refund-request-processing.md"})
    paths = [h["path"] for h in related.structured_content["results"]]
    assert "policies/refund-policy.md" in paths
    assert all(h["trusted"] for h in related.structured_content["results"])


def test_write_tools_are_refused_without_allow_write(server: Any, kb_git: KbRepo) -> None:
    before = (kb_git.path / "billing/refund-request-processing.md").read_bytes()
    result = call(
        server, "flag_card", {"path": "billing/refund-request-processing.md", "reason": "x"}
    )
    assert result.is_error and "flag_card" in text(result)
    assert (kb_git.path / "billing/refund-request-processing.md").read_bytes() == before
    assert call(server, "capture_draft", {"question": "q", "answer": "a", "source": "s"}).is_error


def test_capture_draft_commits_a_draft_on_its_own_branch(resident: Any, kb_git: KbRepo) -> None:
    server = build_server(resident, allow_write=True)
    status_before = git(kb_git.path, "status", "--porcelain")
    result = call(
        server,
        "capture_draft",
        {
            "question": "How do I export time sheets to Excel for payroll?",
            "answer": "Open Reports, pick Time sheets, then Export and choose XLSX.",
            "source": "Claude conversation with Sam",
        },
    )
    assert not result.is_error, text(result)
    data = result.structured_content
    assert data["branch"].startswith("kb/draft/")
    assert git(kb_git.path, "status", "--porcelain") == status_before
    assert git(kb_git.path, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
    card = git(kb_git.path, "show", f"{data['branch']}:{data['path']}")
    assert "status: draft" in card
    assert "Export and choose XLSX" in card
    assert "Claude conversation with Sam" in card


def test_flag_card_with_allow_write_flags_the_card(resident: Any, kb_git: KbRepo) -> None:
    server = build_server(resident, allow_write=True)
    result = call(
        server,
        "flag_card",
        {"path": "billing/refund-request-processing.md", "reason": "step 3 names an old menu"},
    )
    assert not result.is_error, text(result)
    card = (kb_git.path / "billing/refund-request-processing.md").read_text(encoding="utf-8")
    assert "step 3 names an old menu" in card
    # An open flag is evidence against the stamp: the card now needs review, so it is no
    # longer offered as verified, and says why when asked for.
    search = {"query": "refund request processing", "limit": 10}
    default = call(server, "search_cards", search).structured_content["results"]
    assert "billing/refund-request-processing.md" not in [h["path"] for h in default]
    asked = call(server, "search_cards", {**search, "include_unverified": True})
    found = {h["path"]: h for h in asked.structured_content["results"]}
    flagged = found["billing/refund-request-processing.md"]
    assert flagged["trust"] == "needs-review" and not flagged["trusted"]
    assert "flagged" in [r["rule"] for r in flagged["reasons"]]
    escape = call(server, "flag_card", {"path": "../outside.md", "reason": "x"})
    assert escape.is_error


def test_a_search_nothing_trusted_answers_is_a_gap_in_the_usage_log(
    server: Any, make_workspace: Callable[[], Any]
) -> None:
    from kbcli.usecases.usage import gaps, read_searches

    call(server, "search_cards", {"query": "VAT exemption"})
    call(server, "search_cards", {"query": "refund duplicate charge"})
    events = read_searches(make_workspace()).events
    assert [(e.surface, e.query) for e in events] == [
        ("mcp", "VAT exemption"),
        ("mcp", "refund duplicate charge"),
    ]
    found, _ = gaps(make_workspace())
    assert [g.query for g in found] == ["VAT exemption"]


def test_searches_reuse_one_warm_workspace_and_judge_only_candidates(
    server: Any, resident: Any
) -> None:
    # A long-lived server must not pay for a cold workspace (and a verdict on every card
    # of the repo) per call: that made a search take seconds on a big repo.
    first = call(server, "search_cards", {"query": "refund duplicate charge"})
    workspace, _ = resident.current(None)
    second = call(server, "search_cards", {"query": "VAT exemption"})
    assert resident.current(None)[0] is workspace
    assert first.structured_content["results"] and not second.is_error
    assert workspace.memo.health is None  # no whole-repo judgement behind the trust filter
    judged = set(workspace.memo.verdicts)
    cards = [p for p in workspace.root.rglob("*.md") if ".kb" not in p.parts]
    assert REFUND_CARDS & judged and len(judged) < len(cards)


def test_a_card_edited_on_disk_between_calls_is_seen(server: Any, kb_git: KbRepo) -> None:
    import time

    query = {"query": "refund request processing", "limit": 10}
    before = call(server, "search_cards", query).structured_content["results"]
    assert "billing/refund-request-processing.md" in [h["path"] for h in before]
    card = kb_git.path / "billing/refund-request-processing.md"
    text = card.read_text(encoding="utf-8")
    card.write_text(text.replace("title: ", "title: Zanzibar ", 1), encoding="utf-8")
    deadline = time.monotonic() + 10
    while True:  # the watcher reports the change within a few hundred milliseconds
        found = call(server, "search_cards", {"query": "zanzibar"}).structured_content
        paths = [h["path"] for h in found["results"]]
        if paths or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert paths == ["billing/refund-request-processing.md"]
    assert found["results"][0]["title"].startswith("Zanzibar ")


@pytest.fixture
def no_roster_server(kb_git: KbRepo) -> Any:
    """The server over example-kb with people.yaml removed (a team that never wrote one)."""
    from kbcli.config import load_config
    from kbcli.usecases.resident_index import ResidentIndex
    from kbcli.workspace import Workspace
    from tests.mcp.conftest import TODAY

    git(kb_git.path, "rm", "-q", "people.yaml")
    kb_git.commit("no roster", when="2026-11-21T10:00:00Z", author="Importer", email="i@x.test")
    config = load_config(kb_git.path, os.environ, {})
    resident = ResidentIndex(lambda _day: Workspace(config=config, today=TODAY, cwd=kb_git.path))
    resident.start()
    yield build_server(resident)
    resident.stop()


SKIPPED = "owner and verifier identity checks"
FOUND_BY = {
    "search_cards": {"query": "refund duplicate charge"},
    "related_cards": {"path": "billing/refund-request-processing.md"},
    "suggest_for_ticket": {"text": "The customer was charged twice, can we refund?"},
}


def test_without_a_roster_every_answer_says_the_identity_checks_were_skipped(
    no_roster_server: Any,
) -> None:
    """A "verified" there rests on the dates alone: the assistant must hear it."""
    for name, args in FOUND_BY.items():
        found = call(no_roster_server, name, args).structured_content
        assert found["results"][0]["trust"] == "verified", name
        (skipped,) = found["skipped_checks"]
        assert skipped.startswith(SKIPPED) and "people.yaml" in skipped, name
        assert "dates alone" in found["note"], name
    card = text(call(no_roster_server, "get_card", {"path": "billing/refund-request-processing"}))
    header = card.split("-->", 1)[0]
    assert f"skipped: {SKIPPED}" in header


def test_with_a_roster_no_check_is_said_to_be_skipped(server: Any) -> None:
    for name, args in FOUND_BY.items():
        found = call(server, name, args).structured_content
        assert found["skipped_checks"] == [], name
        assert "dates alone" not in found["note"], name
    card = text(call(server, "get_card", {"path": "billing/refund-request-processing"}))
    assert "skipped" not in card.split("-->", 1)[0]


def test_a_title_written_for_html_reaches_the_assistant_as_its_words(kb_git: KbRepo) -> None:
    """18F's titles carry ``&amp;`` and ``<em>``: an assistant quotes the words. The card is
    committed before the server starts (no wait on its file watcher)."""
    from kbcli.config import load_config
    from kbcli.usecases.resident_index import ResidentIndex
    from kbcli.workspace import Workspace
    from tests.mcp.conftest import TODAY

    kb_git.write(
        "billing/networks.md",
        "---\ntitle: Logging in &amp; <em>office</em> Networks\nowner: ana\n"
        "verified_at: 2026-11-20\n---\n\nConnect to the office network with ENT.\n",
    )
    kb_git.commit("card", when="2026-11-21T10:00:00Z", author="Ana Souza", email="ana@x.test")
    config = load_config(kb_git.path, os.environ, {})
    resident = ResidentIndex(lambda _day: Workspace(config=config, today=TODAY, cwd=kb_git.path))
    resident.start()
    try:
        asked = {"query": "office network ENT", "include_unverified": True}
        found = call(build_server(resident), "search_cards", asked)
    finally:
        resident.stop()
    titles = {h["path"]: h["title"] for h in found.structured_content["results"]}
    assert titles["billing/networks.md"] == "Logging in & office Networks"


def test_capture_draft_in_a_knowledge_repo_inside_a_subfolder_lands_in_that_subfolder(
    tmp_path: Path,
) -> None:
    """kb.toml in ``docs/kb`` of a bigger repository: the draft's path is relative to
    the knowledge repo, so the branch must hold it under ``docs/kb/`` (not at the top)."""
    from kbcli.config import load_config
    from kbcli.usecases.assistant_writes import capture_draft
    from kbcli.workspace import Workspace
    from tests.helpers import copy_example
    from tests.mcp.conftest import TODAY

    top = tmp_path / "product"
    root = copy_example(top / "docs" / "kb")
    (top / "README.md").write_text("the product\n", encoding="utf-8")
    git(top, "init", "-q", "-b", "main")
    KbRepo(top).commit("product and its knowledge repo", when="2026-11-20T10:00:00Z")
    workspace = Workspace(config=load_config(root, os.environ, {}), today=TODAY, cwd=root)
    data = capture_draft(workspace, "How do I rotate the API key?", "Settings, Keys, Rotate.", "s")
    changed = git(top, "diff", "--name-only", "main", data["branch"]).split()
    assert changed == [f"docs/kb/{data['path']}"]
    assert "Settings, Keys, Rotate." in git(root, "show", f"{data['branch']}:./{data['path']}")


def test_flag_card_names_the_person_who_asked_never_the_servers_identity(
    resident: Any, kb_git: KbRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server runs as Marcus (its git identity) for whoever its assistant serves.
    from tests.helpers import as_user

    as_user(monkeypatch, "Marcus Bell", "marcus@nimbus.example")
    server = build_server(resident, allow_write=True)
    path = "billing/refund-request-processing.md"
    asked = call(
        server,
        "flag_card",
        {"path": path, "reason": "step 3 is old", "flagged_by": "priya@nimbus.example"},
    )
    assert not asked.is_error, text(asked)
    assert asked.structured_content["flagged_by"] == "priya (via kb mcp)"
    anonymous = call(server, "flag_card", {"path": path, "reason": "a typo"})
    assert anonymous.structured_content["flagged_by"] == "unidentified (via kb mcp)"
    assert "names no one" in anonymous.structured_content["warnings"][0]
    stranger = call(
        server, "flag_card", {"path": path, "reason": "x", "flagged_by": "mallory@evil.example"}
    )
    assert stranger.structured_content["flagged_by"] == "unidentified (via kb mcp)"
    card = (kb_git.path / path).read_text(encoding="utf-8")
    assert "by: marcus" not in card.lower()
    assert "by: priya (via kb mcp)" in card and "by: unidentified (via kb mcp)" in card


def test_capture_draft_proposes_the_person_who_asked_as_owner_never_the_servers_identity(
    resident: Any, kb_git: KbRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server runs as Marcus (its git identity) for whoever its assistant serves: a
    # draft it captures for Priya must be Priya's to review, and one for a stranger no
    # one's (its reviewer assigns an owner), never Marcus's.
    from tests.helpers import as_user

    as_user(monkeypatch, "Marcus Bell", "marcus@nimbus.example")
    server = build_server(resident, allow_write=True)

    def capture(question: str, **asker: str) -> dict[str, Any]:
        args = {"question": question, "answer": "Open Reports, then Export.", "source": "chat"}
        result = call(server, "capture_draft", {**args, **asker})
        assert not result.is_error, text(result)
        data: dict[str, Any] = result.structured_content
        data["card"] = git(kb_git.path, "show", f"{data['branch']}:{data['path']}")
        return data

    asked = capture("How do I export time sheets?", captured_by="priya@nimbus.example")
    assert asked["owner"] == "priya" and asked["warnings"] == []
    assert 'owner: "priya"' in asked["card"]
    anonymous = capture("How do I export invoices?")
    stranger = capture("How do I export receipts?", captured_by="mallory@evil.example")
    for data in (anonymous, stranger):
        assert data["owner"] is None
        assert "marcus" not in data["card"].lower()
        assert "has no owner" in data["warnings"][0]
    assert "mallory@evil.example" in stranger["warnings"][0]


def test_get_card_says_where_each_link_leads_as_a_card_path_and_title(
    kb_git: KbRepo, server: Any
) -> None:
    """A link tag, a wikilink or a relative link is written for a site or an editor; an
    assistant can only follow a card path, so the header says which card each leads to
    (as the handbook and kb check resolve it), and which are broken."""
    path = "policies/escalation-policy.md"
    card = (kb_git.path / path).read_text(encoding="utf-8")
    added = 'Retention: [how long]({% page "/data-retention/" %}). Old: [[No such card]].\n'
    kb_git.write(path, card + "\n" + added)
    header = text(call(server, "get_card", {"path": path})).split("-->", 1)[0]
    assert (
        "[[Law enforcement and legal requests]] -> policies/law-enforcement-requests.md "
        "(Law enforcement and legal requests)" in header
    )
    assert "[how long] -> policies/data-retention.md (Data retention)" in header
    assert "[[No such card]] -> broken: " in header
    line = card.count("\n") + 2
    assert f"link, line {line}: [how long] -> " in header
    assert len(header) < 4000
