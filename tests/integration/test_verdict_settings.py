"""The kept search verdicts and the kept findings of ``kb check``/``kb report`` are keyed
by the settings a verdict is judged with (``core.verdict.SETTINGS``): switching any
setting never shows a verdict or finding judged under another value of it, and switching
one that cannot change them keeps them."""

from __future__ import annotations

import json

import pytest

from kbcli.config import KbConfig
from kbcli.core.settings import SECTIONS, SPECS, FolderSettings
from kbcli.core.verdict import SETTINGS
from tests.helpers import KbRepo, git, make_repo, run_kb

PEOPLE = """
ana: {name: Ana Souza, emails: [ana@example.test]}
eve: {name: Eve Moss, emails: [eve@example.test]}
"""
# Ana's e-mail no longer hers: her stamps read as someone else's.
PEOPLE_FLIPPED = PEOPLE.replace("[ana@example.test]", "[ana@elsewhere.test]")
# Each setting of kb.toml with a value other than its default, written as TOML: chosen
# so that the settings a verdict depends on change one on the cards below.
FLIPS: dict[tuple[str, str], str] = {
    ("cards", "folders"): '["elsewhere"]',
    ("cards", "ignore"): '["guides/stamped-by-eve.md"]',
    ("cards", "max_front_matter"): "10",
    ("cards", "wikilinks"): '"text-first"',
    ("verification", "verify_every"): '"1d"',
    ("verification", "warn_within"): '"60d"',
    ("verification", "require_signed"): "true",
    ("search", "default_lang"): '"de"',
    ("search", "verified_boost"): "2.0",
    ("search", "expired_penalty"): "0.1",
    ("search", "semantic"): "false",
    ("search", "start_daemon"): "false",
    ("search", "daemon_idle_minutes"): "1.0",
    ("history", "inactive_after"): '"1d"',
    ("history", "bulk_threshold"): "1",
    ("history", "bulk_window_hours"): "1",
    ("history", "ci_identities"): '["ci@example.test"]',
    ("check", "grace"): '"1d"',
    ("check", "rules"): '{verified-by-non-verifier = "off"}',
    ("check", "duplicate_similarity"): "0.1",
    ("check", "duplicate_max_cards"): "1",
    ("handbook", "title"): '"Other"',
    ("handbook", "repo_url"): '"https://example.test/kb"',
    ("handbook", "branch"): '"dev"',
    ("handbook", "url"): '"https://kb.example.test"',
    ("handbook", "public_stale"): '"omit"',
    ("capture", "slack_url"): '"https://acme.slack.com"',
    ("capture", "folder"): '"guides"',
    ("capture", "template"): '"other"',
    ("capture", "forge"): '"none"',
    ("capture", "forge_api"): '"https://api.example.test"',
    ("capture", "review"): "false",
    ("adopt", "owner"): '"eve"',
    ("adopt", "history"): '"1m"',
    ("usage", "log_users"): "true",
    ("folders.guides", "verify_every"): '"1d"',
    ("folders.guides", "warn_within"): '"60d"',
    ("folders.guides", "rules"): '{edited-since-verified = "off"}',
    ("folders.guides", "owner"): '"eve"',
}
# KbConfig fields that are no setting of a section (flipped on their own below, or not
# at all: the repo's own folder; kb.toml's warnings are not read by any judge).
OTHER_FIELDS = {"root", "folders", "roster", "warnings"}


def card(owner: str = "ana", verified: str = "2026-11-01", body: str = "Refunds: 30 days.") -> str:
    return f"---\ntitle: Refund\nowner: {owner}\nverified_at: {verified}\n---\n\n{body}\n"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> KbRepo:
    """Cards with each kind of evidence a flipped setting can add or take away."""
    repo = make_repo(tmp_path_factory.mktemp("kb") / "kb", people=PEOPLE)
    repo.write("guides/stamped-by-ana.md", card())
    repo.write("guides/edited-since.md", card())
    repo.commit("verify", when="2026-11-01T09:00:00Z")
    repo.write("guides/stamped-by-eve.md", card(verified="2026-11-02"))
    repo.commit("verify", when="2026-11-02T09:00:00Z", author="Eve Moss", email="eve@example.test")
    repo.write("guides/edited-since.md", card(body="Refunds: 60 days."))
    repo.commit("edit", when="2026-11-05T09:00:00Z", author="Eve Moss", email="eve@example.test")
    repo.write("guides/merged-by-ci.md", card(verified="2026-11-06"))
    git(repo.path, "add", "-A")
    when = "2026-11-06T09:00:00Z"
    merged = {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    merged |= {"GIT_COMMITTER_NAME": "CI", "GIT_COMMITTER_EMAIL": "ci@example.test"}
    author = "Ana Souza <ana@example.test>"
    git(repo.path, "commit", "-q", "--no-gpg-sign", "-m", "verify", "--author", author, env=merged)
    (repo.path / "elsewhere").mkdir()  # the [cards] folders flip: a folder with no card
    return repo


def verdicts(repo: KbRepo) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every hit's verdict and its reasons, as ``kb search --json`` shows them."""
    result = run_kb(
        "--today", "2026-11-22", "search", "refund", "--limit", "50", "--json", cwd=repo.path
    )
    assert result.exit_code in (0, 1), result.output  # 1: no hits (no cards)
    return {
        hit["path"]: (hit["trust"], tuple(r["rule"] for r in hit["reasons"]))
        for hit in json.loads(result.stdout)
    }


def configure(repo: KbRepo, toml: str = "", people: str = PEOPLE) -> None:
    (repo.path / "kb.toml").write_text(toml, encoding="utf-8")
    (repo.path / "people.yaml").write_text(people, encoding="utf-8")


def cached_then_fresh(repo: KbRepo, toml: str, people: str = PEOPLE) -> tuple[dict, dict]:
    """The verdicts a search shows right after the default settings' were kept and the
    setting was switched, and those it shows with nothing kept."""
    configure(repo)
    verdicts(repo)  # kept under the default settings
    configure(repo, toml, people)
    cached = verdicts(repo)
    (repo.path / ".kb" / "verdicts.marshal").unlink(missing_ok=True)
    return cached, verdicts(repo)


def test_every_setting_has_a_flip_and_every_config_field_is_classified() -> None:
    """A new setting or section must say here how to switch it (and so be checked)."""
    declared = {(name, key) for name, cls in SECTIONS.items() for key in SPECS[cls]}
    declared |= {("folders.guides", key) for key in SPECS[FolderSettings]}
    assert declared == set(FLIPS)
    assert set(KbConfig._fields) == set(SECTIONS) | OTHER_FIELDS
    assert set(SETTINGS) <= set(KbConfig._fields)


def test_no_setting_switch_shows_a_verdict_judged_under_the_old_value(repo: KbRepo) -> None:
    configure(repo)
    baseline = verdicts(repo)
    assert baseline["guides/stamped-by-ana.md"] == ("verified", ())
    assert baseline["guides/stamped-by-eve.md"][0] == "needs-review"
    assert baseline["guides/edited-since.md"][0] == "needs-review"
    assert baseline["guides/merged-by-ci.md"] == ("needs-review", ("committer-not-verifier",))
    changed: set[str] = set()
    for (section, key), value in FLIPS.items():
        cached, fresh = cached_then_fresh(repo, f"[{section}]\n{key} = {value}\n")
        assert cached == fresh, f"{section}.{key}: a verdict judged under the old value"
        if fresh != baseline:
            changed.add(section.split(".")[0])
    cached, fresh = cached_then_fresh(repo, "", PEOPLE_FLIPPED)
    assert cached == fresh, "roster: a verdict judged under the old roster"
    assert fresh != baseline
    changed.add("roster")
    # Each part of the key matters on these cards (else this test could not fail when
    # one is left out of it), and no other setting changes a verdict.
    assert changed == set(SETTINGS) - {"root"}, changed


def test_a_setting_no_verdict_depends_on_keeps_the_verdicts(repo: KbRepo) -> None:
    """Switching the search's ranking by meaning off judges no hit again."""
    configure(repo)
    verdicts(repo)
    kept = repo.path / ".kb" / "verdicts.marshal"
    before = kept.stat().st_mtime_ns, kept.read_bytes()
    configure(repo, "[search]\nsemantic = false\nverified_boost = 2.0\n")
    verdicts(repo)
    assert (kept.stat().st_mtime_ns, kept.read_bytes()) == before


def findings(repo: KbRepo) -> dict[str, object]:
    """``kb check --format json`` without its timing."""
    result = run_kb("--today", "2026-11-22", "check", "--format", "json", cwd=repo.path)
    assert result.exit_code in (0, 1), result.output
    checked = json.loads(result.stdout)
    checked.pop("seconds", None)
    return checked


def kept_then_fresh_findings(
    repo: KbRepo, toml: str, people: str = PEOPLE
) -> tuple[dict[str, object], dict[str, object], bool]:
    """``kb check``'s answer right after the default settings' findings were kept and the
    setting was switched, the answer with nothing kept, and whether the switched run
    used the kept file as it was (judged no card again)."""
    kept = repo.path / ".kb" / "findings.marshal"
    kept.parent.mkdir(exist_ok=True)
    configure(repo)
    findings(repo)  # kept under the default settings
    before = kept.stat().st_mtime_ns, kept.read_bytes()
    configure(repo, toml, people)
    answer = findings(repo)
    untouched = kept.exists() and (kept.stat().st_mtime_ns, kept.read_bytes()) == before
    kept.unlink(missing_ok=True)
    return answer, findings(repo), untouched


def test_no_setting_switch_shows_findings_judged_under_the_old_value(repo: KbRepo) -> None:
    """The kept findings (``.kb/findings.marshal``) are keyed by the same settings: every
    switch answers as a fresh run does, and a switch of a setting outside them (search,
    handbook, capture, adopt, usage) uses the kept findings instead of judging again."""
    configure(repo)
    baseline = kept_then_fresh_findings(repo, "")[1]
    changed: set[str] = set()
    for (section, key), value in FLIPS.items():
        name = section.split(".")[0]
        kept, fresh, untouched = kept_then_fresh_findings(repo, f"[{section}]\n{key} = {value}\n")
        assert kept == fresh, f"{section}.{key}: findings judged under the old value"
        if name not in SETTINGS:
            assert untouched, f"{section}.{key}: the kept findings were judged again"
        if fresh != baseline:
            changed.add(name)
    kept, fresh, _ = kept_then_fresh_findings(repo, "", PEOPLE_FLIPPED)
    assert kept == fresh, "roster: findings judged under the old roster"
    assert fresh != baseline
    changed.add("roster")
    # Each part of the key changes the findings on these cards (else this test could not
    # fail when one is left out of it).
    assert set(SETTINGS) - {"root"} <= changed, changed
