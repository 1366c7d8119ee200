"""kb capture through the real entry point, on a realistic Slack export and example-kb."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO_ROOT, KbRepo, copy_example, git, run_kb

EXPORT = REPO_ROOT / "tests" / "fixtures" / "slack-export"
TODAY = "2026-11-22"
REFUND_THREAD = "1793749200.000100"  # billing-help, crosses midnight, check-marked answer
VAT_THREAD = "1793887320.000100"  # billing-help, no check mark
HEBREW_THREAD = "1794298500.000100"  # identity-help, answered by a user who left
LINK = "https://nimbus-support.slack.com/archives/C01BILL/p1793749200000100"


@pytest.fixture
def kb(tmp_path: Path) -> KbRepo:
    repo = KbRepo(copy_example(tmp_path / "kb"))
    git(repo.path, "init", "-q", "-b", "main")
    repo.write(".gitignore", ".kb/\n")  # as kb init writes it: the search index is a cache
    repo.commit("example cards")
    return repo


def kb_run(repo: KbRepo, *args: str, stdin: str = ""):
    return run_kb("--today", TODAY, *args, cwd=repo.path, stdin=stdin)


def head(repo: KbRepo) -> str:
    return git(repo.path, "rev-parse", "HEAD").strip()


def changed_in_head(repo: KbRepo) -> list[str]:
    return git(
        repo.path, "-c", "core.quotepath=off", "show", "--name-only", "--format=", "HEAD"
    ).split()


def listed(repo: KbRepo, path: str) -> dict:
    result = kb_run(repo, "list", "--json")
    return next(card for card in json.loads(result.stdout) if card["path"] == path)


def test_a_slack_thread_becomes_a_committed_kcs_draft(kb: KbRepo):
    result = kb_run(
        kb, "capture", "slack", str(EXPORT), "--link", LINK, "--yes", "--tag", "refunds", "--json"
    )
    assert result.exit_code == 0, result.output
    outcome = json.loads(result.stdout)
    assert outcome["action"] == "created" and outcome["owner"] == "ana"
    assert "billing/refund-request-processing.md" in [c["path"] for c in outcome["similar"]]
    path = outcome["path"]
    assert path.startswith("billing/") and changed_in_head(kb) == [path]
    assert (kb.path / path).stat().st_mode & 0o044 == 0o044, "readable like any other card"
    text = (kb.path / path).read_text(encoding="utf-8")
    issue = text.split("## Issue")[1].split("## Environment")[0]
    resolution = text.split("## Resolution")[1].split("## ")[0]
    # Issue: the asker's words, Slack markup turned into markdown.
    assert "> Hi team! Customer on the **Business plan** says they were charged twice" in issue
    assert "[Two charges on INV-2291](https://nimbus-support.slack.com/files/" in issue
    # Resolution: the check-marked answer (posted after midnight), mentions as names.
    assert "Duplicate charges are always refunded in full. Jamie Chen go to Backstage" in resolution
    assert "[the refund card](https://kb.nimbus.example/billing/refund-request-processing)" in (
        resolution
    )
    assert "#billing-help" in resolution and "<@" not in text and "<#" not in text
    # The edited reply shows its latest text; the deleted reply and bots are gone.
    assert "**two** payment methods on file" in text and "wether" not in text
    assert "something wrong" not in text and "deploybot" not in text.lower()
    assert f"[Slack thread in #billing-help]({LINK})" in text and "2026-11-03" in text
    assert "Participants: Jamie Chen, Marcus Bell (@marcus), Ana Souza (@ana)" in text
    card = listed(kb, path)
    assert card["status"] == "draft" and card["owner"] == "ana"
    assert card["tags"] == ["refunds", "billing-help"] and card["problems"] == []
    assert "Plan: Business plan" in text and "Browser: Chrome 130" in text


def test_zip_export_with_a_permalink_and_slack_url_from_kb_toml(kb: KbRepo, tmp_path: Path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for file in sorted(EXPORT.rglob("*.json")):
            out.write(file, "Nimbus Slack export/" + file.relative_to(EXPORT).as_posix())
    with (kb.path / "kb.toml").open("a") as toml:
        toml.write('\n[capture]\nslack_url = "https://nimbus-support.slack.com"\n')
    kb.commit("slack url")
    reply_link = (
        "https://nimbus-support.slack.com/archives/C02IDENT/p1794298531000100"
        f"?thread_ts={HEBREW_THREAD}&cid=C02IDENT"
    )
    result = kb_run(kb, "capture", "slack", str(archive), "--link", reply_link, "--yes")
    assert result.exit_code == 0, result.output
    (path,) = changed_in_head(kb)
    text = (kb.path / path).read_text(encoding="utf-8")
    assert 'title: "לקוח לא מצליח להתחבר עם SSO אחרי שהחליפו את תעודת ה-Okta"' in text
    assert "\nlang: he\n" in text  # search stems the card as Hebrew
    assert "```\nopenssl x509 -in okta.cert -noout -fingerprint -sha256\n```" in text
    assert "Підтверджую" in text  # the other reply, quoted as context
    assert "https://nimbus-support.slack.com/archives/C02IDENT/p1794298500000100" in text
    # The answer came from someone who left: no owner, and a warning says so.
    assert "owner: null" in text and "left on 2026-06-30" in result.stderr


def test_latest_works_outside_a_knowledge_repo(tmp_path: Path):
    result = run_kb("capture", "slack", str(EXPORT), "--latest", "2", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "identity-help" in result.stdout and "Capture one: kb capture slack" in result.stdout


def test_latest_lists_threads_with_reply_counts(kb: KbRepo):
    result = kb_run(kb, "capture", "slack", str(EXPORT), "--latest", "3", "--json")
    assert result.exit_code == 0, result.output
    threads = json.loads(result.stdout)
    assert [(t["channel"], t["ts"], t["replies"]) for t in threads] == [
        ("identity-help", HEBREW_THREAD, 2),
        ("billing-help", VAT_THREAD, 3),
        ("billing-help", REFUND_THREAD, 5),  # the deleted reply is not counted
    ]
    table = kb_run(kb, "capture", "slack", str(EXPORT), "--latest", "5", "--channel", "general")
    assert "Where do I find the escalation rota" in table.stdout and "#general" in table.stdout
    assert "billing" not in table.stdout.split("Capture one")[0]


def test_search_before_create_proposes_the_card_and_appends_only_new_lines(kb: KbRepo):
    before = head(kb)
    proposals = kb_run(
        kb,
        "capture",
        "slack",
        str(EXPORT),
        "--channel",
        "billing-help",
        "--thread",
        REFUND_THREAD,
        stdin="c\n",
    )
    assert proposals.exit_code == 0, proposals.output
    assert "Processing a refund request (billing/refund-request-processing.md)" in (
        proposals.stderr
    )
    assert "Cancelled; nothing was written." in proposals.stderr and head(kb) == before
    assert git(kb.path, "status", "--porcelain") == ""

    lines = [line for line in proposals.stderr.splitlines() if "refund-request-processing" in line]
    number = lines[0].strip().split(".")[0]
    result = kb_run(
        kb,
        "capture",
        "slack",
        str(EXPORT),
        "--channel",
        "#billing-help",
        "--thread",
        REFUND_THREAD,
        stdin=f"{number}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Added the reported case to billing/refund-request-processing.md" in result.stdout
    assert changed_in_head(kb) == ["billing/refund-request-processing.md"]
    numstat = git(kb.path, "show", "--numstat", "--format=", "HEAD").split()
    assert numstat[1] == "0", "appending must not change or delete any existing line"
    text = (kb.path / "billing/refund-request-processing.md").read_text(encoding="utf-8")
    issue = text.split("## Issue")[1].split("## Environment")[0]
    assert "Also reported" in issue and "charged twice for their November renewal" in issue
    assert f"(ts {REFUND_THREAD})" in issue


def test_append_to_in_a_script_and_a_second_capture_finds_the_first(kb: KbRepo):
    result = kb_run(
        kb,
        "capture",
        "slack",
        str(EXPORT),
        "--channel",
        "billing-help",
        "--thread",
        VAT_THREAD,
        "--append-to",
        "Adding a VAT ID or tax exemption",
        "--yes",
    )
    assert result.exit_code == 0, result.output
    assert changed_in_head(kb) == ["billing/vat-id-tax-exemption.md"]
    before = head(kb)
    twice = kb_run(
        kb,
        "capture",
        "slack",
        str(EXPORT),
        "--channel",
        "billing-help",
        "--thread",
        VAT_THREAD,
        "--append-to",
        "billing/vat-id-tax-exemption.md",
        "--yes",
    )
    assert twice.exit_code == 0 and "nothing was added" in twice.stderr
    assert head(kb) == before and git(kb.path, "status", "--porcelain") == ""
    again = kb_run(
        kb,
        "capture",
        "slack",
        str(EXPORT),
        "--channel",
        "billing-help",
        "--thread",
        VAT_THREAD,
        "--dry-run",
    )
    assert "1. Adding a VAT ID or tax exemption" in again.stderr
    assert "captured from this thread" in again.stderr


def test_a_prompt_without_an_answer_writes_nothing(kb: KbRepo):
    before = head(kb)
    result = kb_run(
        kb, "capture", "slack", str(EXPORT), "--channel", "billing-help", "--thread", REFUND_THREAD
    )
    assert result.exit_code == 2
    assert "pass --yes" in result.stderr and "Traceback" not in result.output
    assert head(kb) == before and git(kb.path, "status", "--porcelain") == ""


def test_dry_run_prints_the_card_and_writes_nothing(kb: KbRepo):
    result = kb_run(
        kb,
        "capture",
        "slack",
        str(EXPORT),
        "--channel",
        "billing-help",
        "--thread",
        VAT_THREAD,
        "--dry-run",
        "--title",
        "VAT ID and past invoices",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith('---\ntitle: "VAT ID and past invoices"')
    assert "Not retroactively. Finance can issue a credit note" in result.stdout
    assert "the last answer in the thread" in result.stdout
    assert git(kb.path, "status", "--porcelain") == ""


EMAIL = """\
Subject: Re: Invoice shows 45 seats but we only have 38 users
From: Jane Roe <jane@customer.example>

Hello,

Our November invoice bills 45 seats but only 38 people are active in Nimbus.
We are on the Team plan.

Agent notes: the 7 users were removed after the billing date, so the credit comes
on the next invoice (proration). Sent macro Billing > Seat credit.
"""


def test_capture_text_from_stdin_and_from_a_file(kb: KbRepo, tmp_path: Path):
    people = (kb.path / "people.yaml").read_text()
    (kb.path / "people.yaml").write_text(
        people + "test:\n  name: Test Author\n  emails: [test@example.test]\n"
    )
    kb.commit("me")
    result = kb_run(
        kb,
        "capture",
        "text",
        "--source",
        "ticket SUP-4711",
        "--yes",
        "--folder",
        "billing",
        stdin=EMAIL,
    )
    assert result.exit_code == 0, result.output
    (path,) = changed_in_head(kb)
    assert path == "billing/invoice-shows-45-seats-but-we-only-have-38-users.md"
    text = (kb.path / path).read_text(encoding="utf-8")
    assert "> Our November invoice bills 45 seats" in text
    assert "the 7 users were removed after the billing date" in text.split("## Resolution")[1]
    assert "Source: ticket SUP-4711, captured 2026-11-22, from Jane Roe" in text
    assert 'owner: "test"' in text and "Plan: Team plan" in text

    notes = tmp_path / "notes.txt"
    notes.write_text(
        "Webhook deliveries to Zapier fail with 410 Gone since Monday.\n\nRe-enabled it."
    )
    from_file = kb_run(
        kb, "capture", "text", str(notes), "--no-commit", "--yes", "--folder", "integrations"
    )
    assert from_file.exit_code == 0, from_file.output
    assert "integrations/webhook-deliveries-to-zapier-fail-with-410-gone-since-monday.md" in (
        from_file.stdout
    )
    assert git(kb.path, "status", "--porcelain").startswith("??")


def test_capture_text_with_nothing_to_capture_is_a_clear_error(kb: KbRepo, tmp_path: Path):
    assert kb_run(kb, "capture", "text", stdin="   \n").exit_code == 2
    missing = kb_run(kb, "capture", "text", str(tmp_path / "nope.txt"))
    assert missing.exit_code == 2 and "does not exist" in missing.stderr


def test_outside_git_capture_refuses_unless_no_commit(tmp_path: Path):
    repo = KbRepo(copy_example(tmp_path / "plain"))
    args = (
        "capture",
        "slack",
        str(EXPORT),
        "--channel",
        "billing-help",
        "--thread",
        VAT_THREAD,
        "--yes",
    )
    refused = run_kb("--today", TODAY, *args, cwd=repo.path)
    assert refused.exit_code == 2 and "--no-commit" in refused.stderr
    before = sorted(p.name for p in (repo.path / "billing").iterdir())
    assert before == sorted(p.name for p in (repo.path / "billing").iterdir())
    written = run_kb("--today", TODAY, *args, "--no-commit", cwd=repo.path)
    assert written.exit_code == 0, written.output
    assert len(list((repo.path / "billing").iterdir())) == len(before) + 1


# ---- malformed exports: exit 2, one clear sentence, nothing written ------------------


def _folder_copy(tmp_path: Path) -> Path:
    target = tmp_path / "export"
    shutil.copytree(EXPORT, target)
    return target


def _zip_with(tmp_path: Path, name: str) -> Path:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for file in sorted(EXPORT.rglob("*.json")):
            out.write(file, file.relative_to(EXPORT).as_posix())
        out.writestr(name, "[]")
    return archive


def _missing_users(tmp_path: Path) -> tuple[Path, str]:
    export = _folder_copy(tmp_path)
    (export / "users.json").unlink()
    return export, "has no users.json"


def _bad_day(tmp_path: Path) -> tuple[Path, str]:
    export = _folder_copy(tmp_path)
    (export / "billing-help" / "2026-11-04.json").write_text('[{"type": "message",')
    return export, "billing-help/2026-11-04.json:1:"


def _day_not_a_list(tmp_path: Path) -> tuple[Path, str]:
    export = _folder_copy(tmp_path)
    (export / "billing-help" / "2026-11-04.json").write_text('{"messages": []}')
    return export, "must hold a list of messages"


def _bad_channels(tmp_path: Path) -> tuple[Path, str]:
    export = _folder_copy(tmp_path)
    (export / "channels.json").write_text('[{"id": "C1", "name": "../../etc"}]')
    return export, "not a plain folder name"


def _zip_slip(tmp_path: Path) -> tuple[Path, str]:
    return _zip_with(tmp_path, "../../outside.json"), "escapes the export folder"


def _zip_absolute(tmp_path: Path) -> tuple[Path, str]:
    return _zip_with(tmp_path, "/etc/cron.d/evil.json"), "has an absolute path"


def _zip_bomb(tmp_path: Path) -> tuple[Path, str]:
    """A channel day of 16 MiB of spaces that deflate packs about 1000:1."""
    archive = tmp_path / "bomb.zip"
    bomb = "billing-help/2026-11-04.json"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for file in sorted(EXPORT.rglob("*.json")):
            if file.relative_to(EXPORT).as_posix() != bomb:
                out.write(file, file.relative_to(EXPORT).as_posix())
        with out.open(bomb, "w") as member:
            for _ in range(16):
                member.write(b" " * (1 << 20))
    return archive, "over the limit of 200:1"


def _not_an_export(tmp_path: Path) -> tuple[Path, str]:
    bogus = tmp_path / "export.zip"
    bogus.write_text("not a zip")
    return bogus, "neither a folder nor a .zip"


@pytest.mark.parametrize(
    "make",
    [
        _missing_users,
        _bad_day,
        _day_not_a_list,
        _bad_channels,
        _zip_slip,
        _zip_absolute,
        _zip_bomb,
        _not_an_export,
    ],
)
def test_malformed_exports_exit_2_and_write_nothing(kb: KbRepo, tmp_path: Path, make):
    export, expected = make(tmp_path)
    before = head(kb)
    result = kb_run(
        kb,
        "capture",
        "slack",
        str(export),
        "--channel",
        "billing-help",
        "--thread",
        REFUND_THREAD,
        "--yes",
    )
    assert result.exit_code == 2, result.output
    assert expected in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1
    assert head(kb) == before and git(kb.path, "status", "--porcelain", "--ignored") == ""
    assert not (tmp_path / "outside.json").exists()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("--channel", "billing-help", "--thread", "1793749200.999999"),
            "no thread 1793749200.999999",
        ),
        (("--channel", "nope", "--thread", REFUND_THREAD), "has no channel 'nope'"),
        (("--channel", "billing-help", "--thread", "yesterday"), "not a Slack timestamp"),
        (("--link", "https://example.com/x"), "not a Slack message link"),
        ((), "choose a thread"),
    ],
)
def test_bad_thread_choices_exit_2_and_write_nothing(
    kb: KbRepo, args: tuple[str, ...], expected: str
):
    result = kb_run(kb, "capture", "slack", str(EXPORT), *args, "--yes")
    assert result.exit_code == 2, result.output
    assert expected in result.stderr and "Traceback" not in result.output
    assert git(kb.path, "status", "--porcelain") == ""


RECEIPT_THREAD = "1793527500.000200"  # billing-help: answered by an existing card


def test_a_question_an_existing_card_answers_proposes_that_card_first(kb: KbRepo):
    result = kb_run(
        kb,
        "capture",
        "slack",
        str(EXPORT),
        "--channel",
        "billing-help",
        "--thread",
        RECEIPT_THREAD,
        "--dry-run",
    )
    assert result.exit_code == 0, result.output
    first = result.stderr.split("search before create):\n")[1].splitlines()[0]
    assert first.strip() == "1. Download invoices and receipts (billing/download-invoices.md)"
    title = result.stdout.split("\n")[1]
    assert (
        title
        == 'title: "Customer asks where to download a PDF receipt for their paid October invoice"'
    )

    refund = kb_run(
        kb,
        "capture",
        "slack",
        str(EXPORT),
        "--channel",
        "billing-help",
        "--thread",
        REFUND_THREAD,
        "--yes",
        "--json",
    )
    similar = json.loads(refund.stdout)["similar"]
    assert "refund" in similar[0]["path"]


def test_a_thread_nobody_answered_leaves_the_resolution_to_write(kb: KbRepo):
    thread = "1793635200.000100"  # general: the asker answered themselves ("nvm")
    result = kb_run(
        kb, "capture", "slack", str(EXPORT), "--channel", "general", "--thread", thread, "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert "nobody but the asker replied" in result.stderr
    assert "<!-- The steps that fixed it" in result.stdout
    assert "@here" in result.stdout  # <!here> kept readable


def test_a_symlink_out_of_a_folder_export_is_refused(kb: KbRepo, tmp_path: Path):
    export = _folder_copy(tmp_path)
    secret = tmp_path / "secret.json"
    secret.write_text("[]")
    day = export / "billing-help" / "2026-11-05.json"
    day.unlink()
    day.symlink_to(secret)
    result = kb_run(
        kb,
        "capture",
        "slack",
        str(export),
        "--channel",
        "billing-help",
        "--thread",
        REFUND_THREAD,
        "--yes",
    )
    assert result.exit_code == 2 and "points outside the export" in result.stderr
    assert git(kb.path, "status", "--porcelain") == ""


def test_private_channels_and_direct_messages_of_fuller_exports(kb: KbRepo, tmp_path: Path):
    export = _folder_copy(tmp_path)
    (export / "groups.json").write_text('[{"id": "G01", "name": "billing-leads"}]')
    (export / "dms.json").write_text('[{"id": "D01", "members": ["U01ANA", "U04JAMIE"]}]')
    question = {
        "type": "message",
        "user": "U04JAMIE",
        "ts": "1793900000.000100",
        "thread_ts": "1793900000.000100",
        "text": "Can I waive a late fee of $30 for a customer?",
    }
    answer = {
        "type": "message",
        "user": "U01ANA",
        "ts": "1793900100.000100",
        "thread_ts": "1793900000.000100",
        "text": "Yes, once per year per workspace: use the goodwill credit.",
    }
    for folder in ("billing-leads", "D01"):
        (export / folder).mkdir()
        (export / folder / "2026-11-05.json").write_text(json.dumps([question, answer]))
    for channel in ("billing-leads", "D01"):
        result = kb_run(
            kb,
            "capture",
            "slack",
            str(export),
            "--channel",
            channel,
            "--thread",
            "1793900000.000100",
            "--dry-run",
        )
        assert result.exit_code == 0, result.output
        assert "use the goodwill credit" in result.stdout.split("## Resolution")[1]


def test_without_a_usable_search_index_the_duplicate_check_still_works(kb: KbRepo):
    (kb.path / ".kb").write_text("a file where the index folder should be")
    result = kb_run(
        kb,
        "capture",
        "slack",
        str(EXPORT),
        "--channel",
        "billing-help",
        "--thread",
        RECEIPT_THREAD,
        "--dry-run",
    )
    assert result.exit_code == 0, result.output
    assert "using a simpler word match" in result.stderr
    assert "1. Download invoices and receipts (billing/download-invoices.md)" in result.stderr


def _new_reply(export: Path) -> None:
    """Marcus adds a substantial reply to the refund thread after it was captured."""
    day = export / "billing-help/2026-11-04.json"
    messages = json.loads(day.read_text(encoding="utf-8"))
    messages.append(
        {
            "type": "message",
            "user": "U02MARCUS",
            "text": "Update: since the November release the retry job no longer charges "
            "the backup card, so only one refund is needed per duplicate invoice.",
            "ts": "1793752500.000100",
            "user_profile": {"real_name": "Marcus Bell", "display_name": "marcus"},
            "thread_ts": REFUND_THREAD,
            "parent_user_id": "U04JAMIE",
        }
    )
    day.write_text(json.dumps(messages), encoding="utf-8")


def test_recapturing_a_thread_adds_its_new_replies_to_its_card_not_a_copy(
    kb: KbRepo, tmp_path: Path
):
    export = tmp_path / "export"
    shutil.copytree(EXPORT, export)
    args = ("capture", "slack", str(export), "--channel", "billing-help", "--thread", REFUND_THREAD)
    first = kb_run(kb, *args, "--yes", "--json")
    assert first.exit_code == 0, first.output
    card = json.loads(first.stdout)["path"]
    _new_reply(export)
    before = head(kb)

    # --dry-run shows what a re-capture would add, and writes nothing.
    preview = kb_run(kb, *args, "--dry-run")
    assert preview.exit_code == 0, preview.output
    assert f"Would add the thread's new replies to {card}" in preview.stdout
    assert "no longer charges the backup card" in preview.stdout
    assert "Would create" not in preview.stderr
    assert head(kb) == before and git(kb.path, "status", "--porcelain") == ""

    # Non-interactive: no -2 copy, a clear way on.
    scripted = kb_run(kb, *args, "--yes")
    assert scripted.exit_code == 2, scripted.output
    assert f"already captured in {card}: pass --append" in scripted.stderr
    assert head(kb) == before and git(kb.path, "status", "--porcelain") == ""

    # Asked: the default answer adds the new reply to the card that holds the thread.
    asked = kb_run(kb, *args, stdin="\n")
    assert asked.exit_code == 0, asked.output
    assert f"This thread is already in card 1 ({card})" in asked.stderr
    assert f"Added the thread's new replies to {card}" in asked.stdout
    assert changed_in_head(kb) == [card]
    numstat = git(kb.path, "show", "--numstat", "--format=", "HEAD").split()
    assert numstat[1] == "0", "an update only adds lines"
    text = (kb.path / card).read_text(encoding="utf-8")
    assert "no longer charges the backup card" in text
    assert text.count("Duplicate charges are always refunded in full") == 1
    assert not list((kb.path / card).parent.glob(Path(card).stem + "-2.md"))

    # Nothing new since: --append changes nothing and says so.
    again = kb_run(kb, *args, "--append", "-q")
    assert again.exit_code == 0 and "nothing was added" in again.stderr
    assert changed_in_head(kb) == [card] and git(kb.path, "status", "--porcelain") == ""

    # Asked for on purpose, a second card is still possible.
    forced = kb_run(kb, *args, "--force", "--yes", "--json")
    assert forced.exit_code == 0 and json.loads(forced.stdout)["action"] == "created"
