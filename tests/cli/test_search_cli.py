"""kb search, index, related and suggest through the real entry point on real repos."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.helpers import KbRepo, make_repo, run_kb

TODAY = ("--today", "2026-11-22")


def card(title: str, body: str, **front: str) -> str:
    lines = [f"title: {title}", *(f"{k}: {v}" for k, v in front.items())]
    return "---\n" + "\n".join(lines) + "\n---\n\n" + body + "\n"


def kb(path: Path, *args: str, stdin: str = ""):  # type: ignore[no-untyped-def]
    return run_kb("--kb", str(path), *TODAY, *args, stdin=stdin)


def small_repo(tmp_path: Path) -> KbRepo:
    repo = make_repo(tmp_path / "kb", kb_toml='[cards]\nfolders = ["cards"]\n')
    repo.write(
        "cards/refunds.md",
        card(
            "Refund a duplicate charge",
            "Open Stripe and refund the second charge.",
            owner="ana",
            verified_at="2026-11-01",
            tags="[billing, refunds]",
        ),
    )
    repo.write(
        "cards/old-refunds.md",
        card(
            "Old refund process",
            "Refunds used to go through the finance inbox.",
            owner="bo",
            verified_at="2025-01-01",
            tags="[billing]",
        ),
    )
    repo.write(
        "cards/sso.md",
        card("SAML SSO setup", "Upload the IdP metadata XML.", tags="[sso]", status="draft"),
    )
    repo.write(
        "cards/archived.md",
        card(
            "Refunds by cheque",
            "We no longer refund by cheque.",
            status="archived",
            owner="ana",
            verified_at="2026-11-01",
        ),
    )
    repo.commit("cards", when="2026-11-01T10:00:00Z")  # a stamp counts once committed
    return repo


def test_search_ranks_shows_trust_and_hides_archived(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    result = kb(repo.path, "search", "refund")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "verified" in lines[0] and "cards/refunds.md" in lines[0] and "ana" in lines[0]
    assert any("expired" in line and "cards/old-refunds.md" in line for line in lines)
    assert "cheque" not in result.stdout
    shown = kb(repo.path, "search", "refund", "--archived", "--paths-only")
    assert "cards/archived.md" in shown.stdout.split()


def test_paths_only_and_json_fields(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    paths = kb(repo.path, "search", "refund", "--paths-only")
    assert paths.stdout.splitlines() == ["cards/refunds.md", "cards/old-refunds.md"]
    data = json.loads(kb(repo.path, "search", "refund", "--json", "--explain").stdout)
    first = data[0]
    assert first["path"] == "cards/refunds.md"
    assert first["trust"] == "verified" and first["owner"] == "ana"
    assert first["expires_on"] == "2027-02-01" and first["tags"] == ["billing", "refunds"]
    assert "refund" in first["snippet"].lower()
    start, end = first["highlights"][0]
    assert first["snippet"][start:end].lower().startswith("refund")
    assert first["explain"]["trust_factor"] == 1.2
    assert data[1]["trust"] == "expired" and data[1]["explain"]["trust_factor"] == 0.7


def test_edits_adds_and_deletes_show_in_the_next_search(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    assert kb(repo.path, "search", "metadata", "--paths-only").stdout.split() == ["cards/sso.md"]
    repo.write("cards/sso.md", card("SAML SSO setup", "Paste the certificate fingerprint."))
    assert kb(repo.path, "search", "metadata").exit_code == 1
    assert kb(repo.path, "search", "fingerprint", "--paths-only").stdout.split() == ["cards/sso.md"]
    repo.write("cards/new.md", card("Fingerprint scanner login", "Biometric sign in."))
    assert "cards/new.md" in kb(repo.path, "search", "biometric", "--paths-only").stdout
    os.remove(repo.path / "cards/new.md")
    assert kb(repo.path, "search", "biometric").exit_code == 1


def test_same_size_edit_within_the_same_mtime_is_seen(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    target = repo.path / "cards/sso.md"
    kb(repo.path, "index")
    stat = target.stat()
    text = target.read_text().replace("metadata", "metadatX")
    target.write_text(text)
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert kb(repo.path, "search", "metadatx", "--paths-only").stdout.split() == ["cards/sso.md"]


def test_no_results_exit_1_with_hints(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    result = kb(repo.path, "search", "refund", "tag:sso")
    assert result.exit_code == 1
    assert "No cards match" in result.stdout
    assert "without tag:sso" in result.stdout
    archived = kb(repo.path, "search", "cheque")
    assert archived.exit_code == 1 and "archived" in archived.stdout
    typo = kb(repo.path, "search", "samlx")
    assert typo.exit_code == 0 and "cards/sso.md" in typo.stdout


def test_phrases_exclusions_and_filters(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    assert kb(repo.path, "search", '"second charge"', "--paths-only").stdout.split() == [
        "cards/refunds.md"
    ]
    assert kb(repo.path, "search", '"charge second"').exit_code == 1
    assert kb(repo.path, "search", "refund", "-stripe", "--paths-only").stdout.split() == [
        "cards/old-refunds.md"
    ]
    assert kb(repo.path, "search", "owner:bo", "--paths-only").stdout.split() == [
        "cards/old-refunds.md"
    ]
    assert kb(repo.path, "search", "is:unowned", "--paths-only").stdout.split() == ["cards/sso.md"]
    assert kb(repo.path, "search", "is:draft", "--paths-only").stdout.split() == ["cards/sso.md"]
    drafted = kb(repo.path, "search", "saml")
    assert "(draft)" in drafted.stdout


def test_trust_filters_agree_with_kb_list(example_kb: Path) -> None:
    for state in ("verified", "due", "expired", "unverified"):
        listed = json.loads(kb(example_kb, "list", "--state", state, "--json").stdout)
        expected = sorted(c["path"] for c in listed if c["status"] != "archived")
        found = kb(
            example_kb, "search", f"is:{state}", "--limit", "100", "--paths-only"
        ).stdout.split()
        assert sorted(found) == expected, state


def test_trust_is_judged_on_the_day_of_the_search(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    today = kb(repo.path, "search", "is:verified", "--paths-only").stdout.split()
    assert "cards/refunds.md" in today
    later = run_kb(
        "--kb", str(repo.path), "--today", "2027-03-01", "search", "is:expired", "--paths-only"
    )
    assert "cards/refunds.md" in later.stdout.split()


def test_languages_find_inflected_forms(example_kb: Path) -> None:
    def top(query: str) -> list[str]:
        return kb(example_kb, "search", query, "--paths-only", "--limit", "3").stdout.split()

    assert "billing/uk-refund-request.md" in top("поверненню коштів")
    assert "billing/ru-download-invoices.md" in top("квитанция")
    assert "accounts/he-reset-password.md" in top("הסיסמאות")
    assert top("lang:uk")[0].startswith(("billing/uk-", "features/uk-"))


def test_related_and_suggest(example_kb: Path) -> None:
    result = kb(example_kb, "related", "billing/refund-request-processing.md", "-l")
    assert result.exit_code == 0
    related = result.stdout.split()
    assert "policies/refund-policy.md" in related[:3]
    assert "billing/refund-request-processing.md" not in related
    translations = kb(example_kb, "related", "accounts/reset-password.md", "-l").stdout.split()
    assert {"accounts/ru-reset-password.md", "accounts/he-reset-password.md"} <= set(
        translations[:3]
    )
    ticket = "Hello, we were billed twice for March. Can we get the money back?"
    suggested = kb(example_kb, "suggest", "-", "-l", stdin=ticket).stdout.split()
    assert {"billing/refund-request-processing.md", "policies/refund-policy.md"} & set(
        suggested[:3]
    )
    none = kb(example_kb, "suggest", "zxqv wqxz")
    assert none.exit_code == 1


def test_new_warns_about_likely_duplicates(example_kb: Path) -> None:
    result = run_kb(
        "--kb",
        str(example_kb),
        "new",
        "--title",
        "Reset a forgotten password",
        "--owner",
        "ana",
        "--folder",
        "accounts",
        "--no-edit",
    )
    assert result.exit_code == 0, result.output
    assert "accounts/reset-password.md" in result.stderr
    fresh = run_kb(
        "--kb",
        str(example_kb),
        "new",
        "--title",
        "Zendesk macro library",
        "--owner",
        "ana",
        "--folder",
        "features",
        "--no-edit",
    )
    assert "similar cards" not in fresh.stderr


def test_bad_queries_are_usage_errors(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    result = kb(repo.path, "search", "is:stale")
    assert result.exit_code == 2 and "is:verified" in result.stderr
    assert kb(repo.path, "search", "--", "-").exit_code == 2


def test_index_command_reports_and_rebuilds(tmp_path: Path) -> None:
    repo = small_repo(tmp_path)
    first = kb(repo.path, "index", "--json")
    data = json.loads(first.stdout)
    assert data["added"] == 4 and data["cards"] == 4
    again = kb(repo.path, "index")
    assert "up to date" in again.stdout
    rebuilt = json.loads(kb(repo.path, "index", "--rebuild", "--json").stdout)
    assert rebuilt["rebuilt"] and rebuilt["cards"] == 4
    assert kb(repo.path, "search", "refund", "--paths-only").stdout.split()[0] == "cards/refunds.md"


def test_freshness_through_git_commits_checkouts_and_stashes(tmp_path: Path) -> None:
    from tests.helpers import git

    repo = small_repo(tmp_path)
    repo.write(".gitignore", ".kb/\n")
    repo.commit("cards")

    def found(word: str) -> list[str]:
        return kb(repo.path, "search", word, "--paths-only").stdout.split()

    assert found("metadata") == ["cards/sso.md"]
    repo.write("cards/sso.md", card("SAML SSO setup", "Rotate the signing certificate."))
    assert found("rotate") == ["cards/sso.md"]  # edited, not committed
    repo.commit("rotate")
    assert found("rotate") == ["cards/sso.md"]
    git(repo.path, "checkout", "-q", "HEAD~1")  # back to the first commit
    assert found("rotate") == [] and found("metadata") == ["cards/sso.md"]
    git(repo.path, "checkout", "-q", "main")
    assert found("rotate") == ["cards/sso.md"]
    repo.write("cards/sso.md", card("SAML SSO setup", "Temporary wording zebra."))
    repo.write("cards/untracked.md", card("Untracked giraffe", "giraffe"))
    assert found("zebra") == ["cards/sso.md"] and found("giraffe") == ["cards/untracked.md"]
    git(repo.path, "stash", "-q", "--include-untracked")
    assert found("zebra") == [] and found("giraffe") == [] and found("rotate") == ["cards/sso.md"]
    os.remove(repo.path / "cards/refunds.md")
    assert "cards/refunds.md" not in found("refund")


def test_a_knowledge_repo_in_a_subfolder_of_a_git_repo(tmp_path: Path) -> None:
    from tests.helpers import git

    outer = tmp_path / "monorepo"
    outer.mkdir()
    git(outer, "init", "-q", "-b", "main")
    repo = make_repo(outer / "docs" / "kb", kb_toml="", git_init=False)
    repo.write("howto.md", card("Export data", "Use the export button."))
    (outer / ".gitignore").write_text(".kb/\n")
    git(outer, "add", "-A")
    git(outer, "commit", "-q", "-m", "kb")
    assert kb(repo.path, "search", "export", "--paths-only").stdout.split() == ["howto.md"]
    repo.write("howto.md", card("Export data", "Use the download button."))
    assert kb(repo.path, "search", "download", "--paths-only").stdout.split() == ["howto.md"]


def test_the_fast_path_prints_what_the_typer_path_prints(example_kb: Path) -> None:
    import subprocess
    import sys

    from tests.helpers import REPO_ROOT

    def fast(*args: str) -> subprocess.CompletedProcess[str]:
        code = (
            "import sys; from kbcli.cli.main import main; sys.argv = ['kb', *sys.argv[1:]]; main()"
        )
        return subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )

    for args in (
        ("search", "refund", "-stripe", "--limit", "3"),
        ("search", "--json", "is:expired", "--explain"),
        ("search", "--paths-only", "--archived", "api"),
        ("search", "nothing-matches-this"),
        ("search", "is:bogus"),
    ):
        full = ("--kb", str(example_kb), "--today", "2026-11-22", *args)
        slow = run_kb(*full)
        quick = fast(*full)
        assert (quick.returncode, quick.stdout) == (slow.exit_code, slow.stdout), args
        assert quick.stderr == slow.stderr, args
    helped = fast("--kb", str(example_kb), "search", "--help")
    assert helped.returncode == 0 and "Query language" in helped.stdout


def test_a_git_status_started_before_another_sync_never_hides_an_edit(tmp_path: Path) -> None:
    """The manifest is opened before git status starts (kbcli.usecases.freshness); that order
    matters when another kb process indexes an edit in between."""
    from kbcli.cli.context import RunContext
    from kbcli.usecases.freshness import FreshnessStart
    from kbcli.usecases.search import search
    from tests.helpers import git

    repo = small_repo(tmp_path)
    repo.write(".gitignore", ".kb/\n")
    repo.commit("cards")

    def found(word: str) -> list[str]:
        return kb(repo.path, "search", word, "--paths-only").stdout.split()

    assert found("metadata") == ["cards/sso.md"]
    early = FreshnessStart(repo.path.resolve())
    assert early.git.result() is not None  # git has looked: every card is as committed
    repo.write("cards/sso.md", card("SAML SSO setup", "Rotate the signing certificate."))
    assert found("rotate") == ["cards/sso.md"]  # another search indexes the edit
    workspace = RunContext(kb_dir=str(repo.path), today_text=TODAY[1]).workspace
    hits = search(workspace, "rotate", started=early, snippets=False).hits
    assert [h.path for h in hits] == ["cards/sso.md"]
    git(repo.path, "checkout", "--", "cards/sso.md")  # back to the committed text
    assert found("rotate") == [] and found("metadata") == ["cards/sso.md"]


def test_paths_only_and_plain_output_rank_alike(example_kb: Path) -> None:
    plain = kb(example_kb, "search", "refund", "charge", "--json").stdout
    paths = kb(example_kb, "search", "refund", "charge", "--paths-only").stdout.split()
    assert paths and [hit["path"] for hit in json.loads(plain)] == paths


def test_related_right_after_an_edit_when_a_word_is_in_every_card(tmp_path: Path) -> None:
    """Deleted documents still count in Tantivy's term statistics until segments merge;
    its more-like-this query used to panic on them (bm25.rs: "3 >= 4")."""
    repo = make_repo(tmp_path / "kb", kb_toml='[cards]\nfolders = ["cards"]\n')
    for i in (1, 2, 3):
        repo.write(f"cards/c{i}.md", card(f"Refund card {i}", f"Refund the charge {i}."))
    assert kb(repo.path, "related", "cards/c1.md").exit_code == 0
    repo.write("cards/c2.md", card("Refund card 2", "Refund the charge 2 again."))
    related = kb(repo.path, "related", "cards/c1.md")
    assert related.exit_code == 0, related.output
    assert "cards/c2.md" in related.stdout and "cards/c3.md" in related.stdout


def test_search_shows_the_owners_name_from_the_roster_as_kb_show_does(tmp_path: Path):
    repo = small_repo(tmp_path)
    repo.write("people.yaml", "ana:\n  name: Ana Souza\n  emails: [ana@example.test]\n")
    repo.commit("cards")
    found = kb(repo.path, "search", "duplicate charge")
    assert found.exit_code == 0, found.output
    line = next(text for text in found.stdout.splitlines() if "cards/refunds.md" in text)
    assert "Ana Souza (ana)" in line
    shown = kb(repo.path, "show", "cards/refunds.md")
    assert "owner Ana Souza (ana)" in shown.stdout
