"""kb slack end to end: real slack-bolt and slack-sdk, a fake Slack on 127.0.0.1, real git."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import git, run_kb
from tests.slack.conftest import HANDBOOK, TODAY, SlackRig, export_thread

REFUND_THREAD = "1793749200.000100"


def _kb_json(rig: SlackRig, *args: str) -> object:
    result = run_kb("--kb", str(rig.repo.path), "--today", TODAY.isoformat(), *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _text(message: dict) -> str:
    return json.dumps(message.get("blocks", []), ensure_ascii=False)


def test_kb_query_answers_ephemerally_with_the_right_card_first_and_its_badge(
    rig: SlackRig,
) -> None:
    envelope, url = rig.slack.slash("refund duplicate charge")
    assert rig.slack.wait_ack(envelope)["envelope_id"] == envelope  # acked, within the wait
    answer = rig.slack.wait_response(url)
    assert answer["response_type"] == "ephemeral"
    cli = _kb_json(rig, "search", "refund duplicate charge", "--json")
    first = cli["hits"][0] if isinstance(cli, dict) else cli[0]
    sections = [b for b in answer["blocks"] if b["type"] == "section"]
    top = sections[0]["text"]["text"]
    assert "refund" in first["path"]
    assert first["title"] in top  # the same ranking as kb search
    assert f"{HANDBOOK}/{first['path'].removesuffix('.md')}.html" in top
    word = {
        "verified": "Verified",
        "due": "Due for review",
        "expired": "Expired",
        "unverified": "Unverified",
        "needs-review": "Needs review",
    }[first["trust"]]
    assert word in top  # the badge kb gives that card today
    assert f"· owner {first['owner']}" in top  # the owner (a team here: no one to mention)
    snippet = top.split("\n>", 1)[1]
    assert "refund" in snippet.lower() or "charge" in snippet.lower()  # a snippet of the card
    actions = [b for b in answer["blocks"] if b["type"] == "actions"]
    assert actions[0]["elements"][0]["action_id"] == "kb_share"
    usage = run_kb("--kb", str(rig.repo.path), "report", "--used", "--json")
    assert json.loads(usage.stdout)["used"][0]["path"] == first["path"]


def test_no_match_offers_ask_an_expert_and_is_logged_as_a_gap(rig: SlackRig) -> None:
    envelope, url = rig.slack.slash("zeppelin origami tariff")
    rig.slack.wait_ack(envelope)
    answer = rig.slack.wait_response(url)
    assert "No card matches" in _text(answer)
    button = answer["blocks"][0]["accessory"]
    assert button["action_id"] == "kb_ask"
    assert button["value"] == "zeppelin origami tariff"
    gaps = run_kb("--kb", str(rig.repo.path), "report", "--gaps", "--json")
    assert json.loads(gaps.stdout)["gaps"][0]["query"] == "zeppelin origami tariff"
    logged = "".join(p.read_text() for p in (rig.repo.path / ".kb" / "usage").iterdir())
    assert "U01ANA" not in logged  # never the user unless configured


def test_share_in_channel_posts_the_card_for_everyone(rig: SlackRig) -> None:
    value = json.dumps({"path": "billing/refund-request-processing.md", "query": "refund"})
    envelope, url = rig.slack.block_action("kb_share", value, "U01ANA")
    rig.slack.wait_ack(envelope)
    shared = rig.slack.wait_response(url)
    assert shared["response_type"] == "in_channel"
    assert "Shared by <@U01ANA>" in _text(shared)


def test_capture_this_thread_makes_the_same_draft_as_kb_capture_slack_on_a_branch(
    rig: SlackRig,
) -> None:
    messages = export_thread("billing-help", REFUND_THREAD)
    rig.slack.threads[("C01BILL", REFUND_THREAD)] = messages
    head_before = git(rig.repo.path, "rev-parse", "HEAD").strip()
    envelope, url = rig.slack.message_shortcut("C01BILL", "billing-help", messages[2])
    rig.slack.wait_ack(envelope)
    choices = rig.slack.wait_response(url)
    new_button = next(e for b in choices["blocks"] if b["type"] == "actions" for e in b["elements"])
    assert new_button["action_id"] == "kb_capture_new"
    envelope, url = rig.slack.block_action("kb_capture_new", new_button["value"], "U02MARCUS")
    rig.slack.wait_ack(envelope)
    done = rig.slack.wait_response(url)
    assert "Drafted" in _text(done)
    branch = next(
        b.strip(" *") for b in git(rig.repo.path, "branch", "--list", "kb/capture-*").splitlines()
    )
    assert git(rig.repo.path, "rev-parse", "HEAD").strip() == head_before  # main untouched
    path = git(rig.repo.path, "show", "--name-only", "--format=", branch).strip()
    captured = git(rig.repo.path, "show", f"{branch}:{path}")
    link = f"https://nimbus-support.slack.com/archives/C01BILL/p{REFUND_THREAD.replace('.', '')}"
    from tests.slack.conftest import EXPORT

    cli = run_kb(
        "--kb",
        str(rig.repo.path),
        "--today",
        TODAY.isoformat(),
        "capture",
        "slack",
        str(EXPORT),
        "--link",
        link,
        "--dry-run",
    )
    assert cli.exit_code == 0, cli.output
    assert captured == cli.stdout
    assert f"Would create {path}" in cli.stderr


def test_capture_searches_the_apps_index_not_a_new_one_in_the_branchs_work_tree(
    rig: SlackRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The branch starts at the checkout's HEAD, so the checkout's index answers the
    search before create; indexing the temporary work tree from nothing took seconds."""
    import kbcli.usecases.search_related as search_related

    opened: list[Path] = []
    real_open = search_related.open_index

    def recording(workspace: Any) -> Any:
        opened.append(workspace.root.resolve())
        return real_open(workspace)

    monkeypatch.setattr(search_related, "open_index", recording)
    messages = export_thread("billing-help", REFUND_THREAD)
    rig.slack.threads[("C01BILL", REFUND_THREAD)] = messages
    value = json.dumps({"channel": "C01BILL", "name": "billing-help", "ts": REFUND_THREAD})
    envelope, url = rig.slack.block_action("kb_capture_new", value, "U02MARCUS")
    rig.slack.wait_ack(envelope)
    assert "Drafted" in _text(rig.slack.wait_response(url))
    assert opened and set(opened) == {rig.repo.path.resolve()}


def test_capture_appends_to_an_existing_card_on_a_branch(rig: SlackRig) -> None:
    messages = export_thread("billing-help", REFUND_THREAD)
    rig.slack.threads[("C01BILL", REFUND_THREAD)] = messages
    card = "billing/refund-request-processing.md"
    value = json.dumps(
        {
            "channel": "C01BILL",
            "name": "billing-help",
            "ts": REFUND_THREAD,
            "domain": "nimbus-support",
            "card": card,
        }
    )
    envelope, url = rig.slack.block_action("kb_capture_append", value, "U02MARCUS")
    rig.slack.wait_ack(envelope)
    assert "Added this thread to" in _text(rig.slack.wait_response(url))
    branch = git(rig.repo.path, "branch", "--list", "kb/capture-*").strip(" *\n")
    assert git(rig.repo.path, "show", "--name-only", "--format=", branch).split() == [card]
    diff = git(rig.repo.path, "diff", "main", branch, "--", card)
    assert "p1793749200000100" in diff and diff.count("\n-") == 1  # only additions


def test_link_unfurl_shows_title_badge_owner_and_last_verified(rig: SlackRig) -> None:
    card = "billing/refund-request-processing.md"
    url = f"{HANDBOOK}/billing/refund-request-processing.html"
    envelope = rig.slack.link_shared([url, "https://example.org/elsewhere"])
    rig.slack.wait_ack(envelope)
    call = rig.slack.wait_call("chat.unfurl")
    unfurls = json.loads(call["unfurls"]) if isinstance(call["unfurls"], str) else call["unfurls"]
    assert list(unfurls) == [url]  # only handbook links
    text = json.dumps(unfurls[url])
    listed = next(c for c in _kb_json(rig, "list", "--json") if c["path"] == card)
    assert listed["title"] in text
    assert listed["verified_at"][:10] in text and "Owner" in text
    word = {
        "verified": "Verified",
        "due": "Due for review",
        "expired": "Expired",
        "unverified": "Unverified",
        "needs-review": "Needs review",
    }[listed["trust"]]
    assert word in text


def test_a_card_with_evidence_against_it_unfurls_with_its_state_said_once(rig: SlackRig) -> None:
    card = "billing/refund-request-processing.md"
    text = (rig.repo.path / card).read_text(encoding="utf-8")
    rig.repo.write(card, text.replace("first reply", "very first reply", 1))
    rig.repo.commit("reword", when="2026-12-02T10:00:00Z", author="Zed", email="zed@x.test")
    url = f"{HANDBOOK}/billing/refund-request-processing.html"
    rig.slack.wait_ack(rig.slack.link_shared([url]))
    call = rig.slack.wait_call("chat.unfurl")
    unfurls = json.loads(call["unfurls"]) if isinstance(call["unfurls"], str) else call["unfurls"]
    section = unfurls[url]["blocks"][0]["text"]["text"]
    assert "Needs review — edited by Zed &lt;zed@x.test&gt;" in section
    assert section.lower().count("needs review") == 1


def test_verify_by_the_owner_commits_a_one_line_diff_with_the_slack_user(rig: SlackRig) -> None:
    card = next(
        c for c in _kb_json(rig, "list", "--json") if c["owner"] == "ana" and c["verified_at"]
    )["path"]
    before = git(rig.repo.path, "rev-parse", "HEAD").strip()
    envelope, url = rig.slack.block_action("kb_verify", card, "U01ANA")
    rig.slack.wait_ack(envelope)
    done = rig.slack.wait_response(url)
    assert "verified" in _text(done)
    # The path and the commit as code spans, as a capture's answer shows them (escaped
    # whole, the backticks became look-alike quotes).
    shown = done["blocks"][0]["text"]["text"]
    commit = git(rig.repo.path, "rev-parse", "HEAD").strip()[:10]
    assert f"verified `{card}` on {TODAY.isoformat()} (commit `{commit}`" in shown
    assert "\u02cb" not in shown
    diff = git(rig.repo.path, "diff", "--numstat", before, "HEAD").split()
    assert diff == ["1", "1", card]
    message = git(rig.repo.path, "log", "-1", "--format=%an <%ae>%n%B")
    assert message.startswith("Ana Souza <ana@nimbus.example>")
    assert "Verified-via: Slack user U01ANA" in message
    assert f"verified_at: {TODAY.isoformat()}" in (rig.repo.path / card).read_text()


def test_verify_by_a_stranger_is_refused_and_commits_nothing(rig: SlackRig) -> None:
    card = next(c for c in _kb_json(rig, "list", "--json") if c["owner"] == "ana")["path"]
    before = git(rig.repo.path, "rev-parse", "HEAD").strip()
    envelope, url = rig.slack.block_action("kb_verify", card, "U04JAMIE")  # not an owner
    rig.slack.wait_ack(envelope)
    refused = _text(rig.slack.wait_response(url))
    assert "neither owner nor verifier" in refused
    assert git(rig.repo.path, "rev-parse", "HEAD").strip() == before
    assert git(rig.repo.path, "status", "--porcelain").strip() == ""


def test_kb_ask_creates_a_requested_draft_for_the_owner_search_chose(rig: SlackRig) -> None:
    question = "Can we refund a duplicate charge after the invoice was paid by bank transfer?"
    envelope, url = rig.slack.slash(f"ask {question}")
    rig.slack.wait_ack(envelope)
    told = _text(rig.slack.wait_response(url))
    assert "Knowledge request" in told
    path = git(rig.repo.path, "show", "--name-only", "--format=", "HEAD").strip()
    card = (rig.repo.path / path).read_text()
    assert "status: requested" in card and question in card
    assert "requested_by: ana" in card  # the asker, mapped by Slack member id
    owner = next(
        line.split(":", 1)[1].strip(' "') for line in card.splitlines() if line.startswith("owner:")
    )
    report = _kb_json(rig, "report", "--owner", owner, "--json", "--allow-shallow")
    todo = [t for o in report["owners"] for t in o["to_verify"]]
    assert any(t["path"] == path and "knowledge request" in t["reasons"][0] for t in todo)
    from tests.slack.conftest import SLACK_IDS

    if owner in SLACK_IDS:  # the owner is told in Slack too
        posted = rig.slack.wait_call("chat.postMessage")
        assert posted["channel"] == SLACK_IDS[owner]


def test_ask_an_expert_button_after_no_match(rig: SlackRig) -> None:
    envelope, url = rig.slack.block_action(
        "kb_ask", "How do refunds work for VAT invoices?", "U01ANA"
    )
    rig.slack.wait_ack(envelope)
    assert "Knowledge request" in _text(rig.slack.wait_response(url))
    log = git(rig.repo.path, "log", "-1", "--format=%s")
    assert log.startswith("ask: knowledge request")


def test_survives_a_disconnect_and_answers_on_the_new_connection(rig: SlackRig) -> None:
    rig.slack.drop()
    rig.slack.wait_connected(2)  # Bolt's reconnect: a fresh connections.open
    assert rig.slack.opened >= 2
    envelope, url = rig.slack.slash("refund duplicate charge")
    rig.slack.wait_ack(envelope)
    assert rig.slack.wait_response(url)["response_type"] == "ephemeral"


def test_malformed_envelopes_are_logged_never_a_crash(rig: SlackRig) -> None:
    rig.slack.push_raw("{this is not json")
    rig.slack.push_raw(json.dumps({"type": "slash_commands", "envelope_id": "x1"}))
    bad = rig.slack.push(
        "interactive",
        {
            "type": "block_actions",
            "actions": [{"action_id": "kb_capture_new", "value": "{nope"}],
            "user": {"id": "U01ANA"},
            "response_url": rig.slack.response_url(),
            "team": {"id": "T0NIMBUS"},
        },
    )
    rig.slack.wait_ack(bad)
    envelope, url = rig.slack.slash("refund duplicate charge")  # still serving
    rig.slack.wait_ack(envelope)
    assert rig.slack.wait_response(url)["response_type"] == "ephemeral"


def test_a_git_error_is_answered_and_the_app_keeps_running(rig: SlackRig, tmp_path) -> None:
    # An upstream that has gone away: the pull before a write fails.
    git(rig.repo.path, "remote", "add", "origin", str(tmp_path / "gone.git"))
    git(rig.repo.path, "config", "branch.main.remote", "origin")
    git(rig.repo.path, "config", "branch.main.merge", "refs/heads/main")
    envelope, url = rig.slack.slash("ask Who approves refunds over 500 EUR?")
    rig.slack.wait_ack(envelope)
    answer = _text(rig.slack.wait_response(url))
    assert "git" in answer and "failed" in answer
    envelope, url = rig.slack.slash("refund duplicate charge")
    rig.slack.wait_ack(envelope)
    assert "refund" in _text(rig.slack.wait_response(url)).lower()


def test_a_new_commit_is_searchable_at_once_and_a_pull_brings_the_teams_cards(
    rig: SlackRig, tmp_path
) -> None:
    rig.repo.write(
        "billing/yak-shaving.md",
        "---\ntitle: Yak shaving surcharge\nowner: ana\n---\n# Yak shaving surcharge\n\nBody.\n",
    )
    rig.repo.commit("a card", when="2026-12-02T09:00:00Z")
    envelope, url = rig.slack.slash("yak shaving surcharge")
    rig.slack.wait_ack(envelope)
    assert "Yak shaving surcharge" in _text(rig.slack.wait_response(url))
    # The team pushes to the shared repo; the app pulls (--ff-only) and answers with it.
    shared = tmp_path / "shared.git"
    git(tmp_path, "clone", "-q", "--bare", str(rig.repo.path), str(shared))
    git(rig.repo.path, "remote", "add", "origin", str(shared))
    git(rig.repo.path, "fetch", "-q", "origin")
    git(rig.repo.path, "branch", "-q", "--set-upstream-to=origin/main")
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(shared), str(other))
    (other / "billing" / "llama.md").write_text(
        "---\ntitle: Llama grooming refunds\nowner: ana\n---\n# Llama grooming refunds\n\nBody.\n"
    )
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", "another card")
    git(other, "push", "-q", "origin", "main")
    assert rig.checkout.refresh(force=True) is None
    envelope, url = rig.slack.slash("llama grooming")
    rig.slack.wait_ack(envelope)
    assert "Llama grooming refunds" in _text(rig.slack.wait_response(url))


def test_capturing_the_answer_into_a_requested_card_turns_it_into_a_draft(
    rig: SlackRig,
) -> None:
    question = "Can we refund a duplicate charge after the invoice was paid by bank transfer?"
    envelope, url = rig.slack.slash(f"ask {question}")
    rig.slack.wait_ack(envelope)
    rig.slack.wait_response(url)
    request = git(rig.repo.path, "show", "--name-only", "--format=", "HEAD").strip()
    owner = next(
        line.split(":", 1)[1].strip(' "')
        for line in (rig.repo.path / request).read_text().splitlines()
        if line.startswith("owner:")
    )
    # The owner answers in a thread; "Capture this thread" -> "Append to this card".
    messages = export_thread("billing-help", REFUND_THREAD)
    rig.slack.threads[("C01BILL", REFUND_THREAD)] = messages
    value = {"channel": "C01BILL", "name": "billing-help", "ts": REFUND_THREAD, "card": request}
    envelope, url = rig.slack.block_action("kb_capture_append", json.dumps(value), "U02MARCUS")
    rig.slack.wait_ack(envelope)
    rig.slack.wait_response(url)
    branch = git(rig.repo.path, "branch", "--list", "kb/capture-*").strip(" *\n")
    answered = git(rig.repo.path, "show", f"{branch}:{request}")
    assert "status: draft" in answered and "status: requested" not in answered
    assert question in answered  # the Issue stays in the asker's words
    resolution = answered.split("## Resolution", 1)[1].split("\n## ", 1)[0]
    assert "<!--" not in resolution and resolution.strip()  # the thread's answer
    assert f"p{REFUND_THREAD.replace('.', '')}" in answered  # its permalink in the Source
    git(rig.repo.path, "merge", "-q", branch)  # reviewed and merged: no longer a request
    report = _kb_json(rig, "report", "--owner", owner, "--json", "--allow-shallow")
    todo = [t for o in report["owners"] for t in o["to_verify"] if t["path"] == request]
    assert not any("knowledge request" in r for t in todo for r in t["reasons"])


def test_verify_maps_a_slack_user_without_a_member_id_by_their_e_mail(rig: SlackRig) -> None:
    card = "accounts/he-reset-password.md"  # owner noa: people.yaml has her e-mail only
    assert "slack:" not in (rig.repo.path / "people.yaml").read_text().split("noa:")[1][:80]
    envelope, url = rig.slack.block_action("kb_verify", card, "U03NOA")
    rig.slack.wait_ack(envelope)
    assert "verified" in _text(rig.slack.wait_response(url))
    users_info = [p for m, p in rig.slack.calls if m == "users.info"]
    assert {"user": "U03NOA"}.items() <= users_info[-1].items()
    message = git(rig.repo.path, "log", "-1", "--format=%an <%ae>%n%B")
    assert message.startswith("Noa Levi <noa@nimbus.example>")
    assert "Verified-via: Slack user U03NOA" in message
    assert git(rig.repo.path, "show", "--format=", "--name-only", "HEAD").strip() == card


def test_a_thread_slack_will_not_give_is_answered_with_slacks_reason(rig: SlackRig) -> None:
    message = {"type": "message", "user": "U04JAMIE", "text": "gone", "ts": "1793000000.000100"}
    envelope, url = rig.slack.message_shortcut("C01BILL", "billing-help", message)
    rig.slack.wait_ack(envelope)
    assert "Slack refused: conversations.replies: thread_not_found" in _text(
        rig.slack.wait_response(url)
    )


def test_a_participant_slack_no_longer_knows_does_not_stop_the_capture(rig: SlackRig) -> None:
    messages = export_thread("billing-help", REFUND_THREAD)
    rig.slack.threads[("C01BILL", REFUND_THREAD)] = messages
    del rig.slack.users["U02MARCUS"]  # deactivated since: users.info says user_not_found
    envelope, url = rig.slack.message_shortcut("C01BILL", "billing-help", messages[0])
    rig.slack.wait_ack(envelope)
    choices = rig.slack.wait_response(url)
    assert "Capture this thread" in _text(choices)
    # Search before create: the card that already answers it is offered first.
    offered = [b["accessory"]["value"] for b in choices["blocks"] if b.get("accessory")]
    assert any("billing/refund-request-processing.md" in v for v in offered)


def test_a_title_written_for_html_reads_as_its_words_in_slack(rig: SlackRig) -> None:
    """``&amp;`` and ``<em>`` in a title: escaped once for Slack's mrkdwn, no tag shown."""
    rig.repo.write(
        "billing/networks.md",
        "---\ntitle: Logging in &amp; <em>office</em> Networks\nowner: ana\n"
        "verified_at: 2026-12-01\n---\n\nConnect to the office network with ENT.\n",
    )
    rig.repo.commit("card", when="2026-12-02T09:00:00Z")
    envelope, url = rig.slack.slash("office network ENT")
    rig.slack.wait_ack(envelope)
    top = next(b for b in rig.slack.wait_response(url)["blocks"] if b["type"] == "section")
    assert "|Logging in &amp; office Networks>" in top["text"]["text"]
